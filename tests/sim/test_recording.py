"""neo files written and read back hold the same spikes, signals and annotations."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.sim import RunOptions, load_block, run_circuit, save_block
from drive_atlas.sim.recording import ligands_table, rates_table, receptors_table, spike_rates_table, spiketrains_per_neuron
from drive_atlas.spec import content_hash


@pytest.fixture(scope="module")
def recording(mini, mini_atlas):
    return run_circuit(mini, mini_atlas, "ghrelin_step", duration=1500.0, options=RunOptions(seed=2, record_neurons=30))


@pytest.mark.parametrize("suffix", [".nix", ".pkl"])
def test_round_trip(recording, mini, tmp_path, suffix):
    block = recording.to_block()
    loaded = load_block(save_block(block, tmp_path / f"run{suffix}"))
    for key in ("circuit_id", "circuit_version", "content_hash", "protocol", "seed", "nest_version"):
        assert loaded.annotations[key] == block.annotations[key]
    assert loaded.annotations["content_hash"] == content_hash(mini)
    assert len(loaded.segments) == 1
    for original, back in zip(block.segments[0].spiketrains, loaded.segments[0].spiketrains):
        assert np.array_equal(original.magnitude, back.magnitude)
        assert np.array_equal(original.array_annotations["neuron"], back.array_annotations["neuron"])
        for key in ("population", "region", "markers", "size", "recorded_neurons"):
            assert back.annotations[key] == original.annotations[key]
    assert rates_table(loaded).equals(rates_table(block))
    assert ligands_table(loaded).equals(ligands_table(block))
    assert receptors_table(loaded).equals(receptors_table(block))
    assert [str(x) for x in loaded.segments[0].epochs[0].labels] == ["input ghrelin = 20 nM"]


def test_subsampled_recording_and_per_neuron_trains(recording):
    block = recording.to_block()
    train = block.segments[0].spiketrains[0]
    assert train.annotations["recorded_neurons"] == 30 and np.all(train.array_annotations["neuron"] < 30)
    per_neuron = spiketrains_per_neuron(train)
    assert len(per_neuron) == 30 and sum(len(t) for t in per_neuron) == len(train)


def test_unknown_extension(recording, tmp_path):
    with pytest.raises(ValueError, match="use .nix"):
        save_block(recording.to_block(), tmp_path / "run.h5")


def test_tidy_tables(recording):
    block = recording.to_block()
    rates = rates_table(block)
    assert list(rates.columns) == ["time", "population", "rate_hz"] and len(rates) == 15 * 2
    assert set(ligands_table(block)["ligand"]) == {"npy", "ghrelin"}
    assert list(receptors_table(block).columns) == ["time", "population", "receptor", "activation", "occupancy"]


def test_spike_rates_are_per_recorded_neuron_in_fine_bins(recording):
    block = recording.to_block()
    fine = spike_rates_table(block, bin_ms=10.0)
    assert list(fine.columns) == ["time", "population", "rate_hz"] and len(fine) == 150 * 2
    for train in block.segments[0].spiketrains:
        rows = fine[fine["population"] == train.annotations["population"]]
        spikes = rows["rate_hz"].to_numpy() * 0.010 * train.annotations["recorded_neurons"]
        assert np.allclose(spikes, np.round(spikes)) and round(spikes.sum()) == len(train)
    coarse = rates_table(block)
    agrp = fine[fine["population"] == "agrp"]["rate_hz"].to_numpy().reshape(15, 10).mean(axis=1)
    assert np.corrcoef(agrp, coarse[coarse["population"] == "agrp"]["rate_hz"])[0, 1] > 0.5
