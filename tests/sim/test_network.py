"""The compiled NEST network and the chunked loop (real NEST, small and short)."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.sim import RunOptions, Timeline, run_circuit
from drive_atlas.sim.compiler import compile_circuit
from drive_atlas.spec.circuit import Optogenetics


def spikes_of(recording):
    return {pid: (t.copy(), n.copy()) for pid, (t, n) in recording.spikes.items()}


def same_spikes(a, b) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k][0], b[k][0]) and np.array_equal(a[k][1], b[k][1]) for k in a)


def test_sizes_and_connections_as_specified(mini):
    network = compile_circuit(mini, seed=3)
    for pop in mini.populations:
        assert len(network.populations[pop.id]) == pop.size
        assert network.populations[pop.id].get("model")[0] == pop.neuron.model
    sizes = {p.id: p.size for p in mini.populations}
    expected = {"agrp_to_pvh": sizes["pvh"] * 10, "pvh_to_agrp": sizes["pvh"] * 5}
    for projection in mini.projections:
        assert network.connections(projection.id) == expected[projection.id]
        conns = network.nest.GetConnections(network.populations[projection.source], network.populations[projection.target])
        weights, delays = np.array(conns.get("weight")), np.array(conns.get("delay"))
        sign = -1 if projection.sign == "inhibitory" else 1
        assert np.all(weights == sign * projection.weight) and np.all(delays == projection.delay)


def test_same_seed_same_spikes_other_seed_differs(mini, mini_atlas):
    a = run_circuit(mini, mini_atlas, "fasted", duration=500.0, options=RunOptions(seed=7))
    b = run_circuit(mini, mini_atlas, "fasted", duration=500.0, options=RunOptions(seed=7))
    c = run_circuit(mini, mini_atlas, "fasted", duration=500.0, options=RunOptions(seed=8))
    assert same_spikes(spikes_of(a), spikes_of(b))
    assert np.array_equal(a.rates, b.rates) and np.array_equal(a.concentrations, b.concentrations)
    assert not same_spikes(spikes_of(a), spikes_of(c))


def assert_chunked_equals_single(circuit, catalog, *, seed: int, duration: float, chunk: float):
    """The chunked loop without modulation, spike for spike one plain ``Simulate`` of the same network and seed;
    returns the chunked recording and the plain network. Every neuron is recorded through ``record_neurons``, so the
    loop reads its live counters at every chunk (with ``None`` it would defer the signalling and run on)."""
    every = max(p.size for p in circuit.populations)
    options = RunOptions(seed=seed, chunk=chunk, modulation=False, record_neurons=every)
    chunked = run_circuit(circuit, catalog, None, duration=duration, options=options)
    network = compile_circuit(circuit, seed=seed)
    network.nest.Simulate(duration)
    single = network.spikes()
    assert sum(len(t) for t, _ in single.values()) > 100
    assert same_spikes(spikes_of(chunked), single)
    return chunked, network


def test_chunked_run_equals_single_simulate_without_modulation(mini, mini_atlas):
    assert_chunked_equals_single(mini, mini_atlas, seed=5, duration=1000.0, chunk=50.0)


def test_rates_from_counters_match_recorded_spikes(mini, mini_atlas):
    rec = run_circuit(mini, mini_atlas, "baseline", duration=1000.0)
    for i, pop in enumerate(mini.populations):
        times, _ = rec.spikes[pop.id]
        from_counter = rec.rates[:, i].sum() * 0.1 * pop.size  # 100 ms chunks
        assert from_counter == pytest.approx(len(times), abs=0.02 * len(times) + 5)  # counters lag by the minimum delay


def mean_rate(rec, pop: str, start: float, stop: float) -> float:
    i = [p.id for p in rec.circuit.populations].index(pop)
    window = (rec.times >= start) & (rec.times < stop)
    return float(rec.rates[window, i].mean())


def test_ghrelin_step_raises_agrp_firing_and_antagonist_abolishes_it(mini, mini_atlas):
    from drive_atlas.spec.circuit import Drug

    control = run_circuit(mini, mini_atlas, "ghrelin_step")
    blocker = Drug.model_validate({"type": "drug", "ligand": "ghsr_antagonist", "concentration": "1 uM"})
    blocked = run_circuit(mini, mini_atlas, "ghrelin_step", events=[blocker])
    rise = mean_rate(control, "agrp", 1200, 2000) - mean_rate(control, "agrp", 0, 1000)
    blocked_rise = mean_rate(blocked, "agrp", 1200, 2000) - mean_rate(blocked, "agrp", 0, 1000)
    assert rise > 15.0
    assert blocked_rise < 0.25 * rise


def test_gi_coupled_ligand_lowers_target_firing(mini, mini_atlas):
    from drive_atlas.spec.circuit import Drug

    npy = Drug.model_validate({"type": "drug", "ligand": "npy", "concentration": "50 nM", "sites": ["pvh"], "at": "500 ms"})
    control = run_circuit(mini, mini_atlas, "baseline", duration=1500.0)
    treated = run_circuit(mini, mini_atlas, "baseline", events=[npy], duration=1500.0)
    assert mean_rate(treated, "pvh", 600, 1500) < 0.3 * mean_rate(control, "pvh", 600, 1500)
    assert mean_rate(treated, "pvh", 0, 500) == mean_rate(control, "pvh", 0, 500)


def test_optogenetic_activation_and_lesion(mini, mini_atlas):
    lit = run_circuit(mini, mini_atlas, "agrp_activation")
    assert mean_rate(lit, "agrp", 1000, 2000) > 2 * mean_rate(lit, "agrp", 0, 1000)
    lesioned = run_circuit(mini, mini_atlas, "agrp_lesion")
    times, _ = lesioned.spikes["agrp"]
    assert len(times) > 0 and times.max() <= 1000.0 + 0.1
    assert mean_rate(lesioned, "agrp", 1100, 2000) == 0.0


def test_event_between_chunk_boundaries_switches_at_its_time(mini, mini_atlas):
    timeline = Timeline.build(mini, mini_atlas.ligands, "agrp_lesion")
    rec = run_circuit(mini, mini_atlas, timeline, options=RunOptions(chunk=300.0))
    times, _ = rec.spikes["agrp"]
    assert times.max() <= 1000.1 and (times > 900).any()


def test_only_populations_a_current_can_reach_get_a_current_generator(mini, mini_atlas):
    """A dc_generator costs each target a current event per step; a population without receptors gets one only when silenced."""
    pvh = next(i for i, p in enumerate(mini.populations) if p.id == "pvh")
    plain_pvh = mini.model_copy(update={"populations": [p.model_copy(update={"receptors": []}) if p.id == "pvh" else p
                                                        for p in mini.populations]})
    assert pvh not in compile_circuit(plain_pvh, seed=1).currents
    silence = Optogenetics(type="optogenetics", population="pvh", mode="silence", at="1 s")
    silenced = run_circuit(plain_pvh, mini_atlas, None, events=[silence], duration=2000.0)
    assert pvh in compile_circuit(plain_pvh, seed=1, optogenetics=[(0, silence)]).currents
    assert mean_rate(silenced, "pvh", 1200, 2000) < 0.2 * mean_rate(silenced, "pvh", 200, 1000)


def test_a_composite_runs_with_its_cross_projection(atlas):
    """hunger_pain, flattened by the atlas: both parts and the composite's own AgRP -> PBN projection are built."""
    circuit = atlas["hunger_pain"]
    network = compile_circuit(circuit, seed=2, record_neurons=1)
    assert network.connections("agrp_to_pain_pbn") > 0 and network.connections("hunger.agrp_to_pbn") > 0
    rec = run_circuit(circuit, atlas, "fasted_inflammation", duration=300.0, options=RunOptions(record_neurons=1))
    assert rec.rates.shape[1] == len(circuit.populations) and np.isfinite(rec.rates).all()
