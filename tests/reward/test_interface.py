"""Interface maps, the numpy readout, and the Keramati-Gutkin reward: no NEST."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drive_atlas.drive import drive_level
from drive_atlas.drive.kernel import ReadoutKernel
from drive_atlas.reward import HomeostaticReward
from drive_atlas.reward.fast import FastRewardFunction
from drive_atlas.reward.interface import InterfaceMaps, Map, Variable, interface_of
from drive_atlas.spec.circuit import ReadoutSpec


def _spec(maps_x: list[dict], maps_e: list[dict] | None = None) -> InterfaceMaps:
    return InterfaceMaps((Variable("x", 0.0, 2.0, 1.0, tuple(Map(**m) for m in maps_x)),),
                         (Variable("e", 0.0, 1.0, 0.0, tuple(Map(**m) for m in maps_e or [])),))


def test_linear_map_clips_to_range_and_interpolates() -> None:
    maps = _spec([{"input": "a", "kind": "linear", "at_low": 10.0, "at_high": 0.0, "half": 0.5, "hill": 1.0}])
    assert maps.levels({"x": np.array([-1.0, 0.0, 1.0, 2.0, 3.0])})["a"].tolist() == [10.0, 10.0, 5.0, 0.0, 0.0]


def test_saturating_map_is_hill_function() -> None:
    maps = _spec([{"input": "a", "kind": "saturating", "at_low": 1.0, "at_high": 3.0, "half": 0.5, "hill": 2.0}])
    assert maps.levels({"x": 0.5})["a"] == pytest.approx(2.0)
    assert maps.levels({"x": 1.0})["a"] == pytest.approx(1.0 + 2.0 * 1 / (1 + 0.25))


def test_contributions_to_one_input_add_and_never_go_negative() -> None:
    m = {"input": "a", "kind": "linear", "at_low": 0.0, "at_high": 4.0, "half": 0.5, "hill": 1.0}
    maps = _spec([m], [{**m, "at_low": -10.0, "at_high": 6.0}])
    assert maps.levels({"x": 2.0}, {"e": 1.0})["a"] == pytest.approx(10.0)
    assert maps.levels({"x": 0.0}, {"e": 0.0})["a"] == 0.0


def test_unknown_variable_is_refused() -> None:
    with pytest.raises(KeyError, match="energy"):
        _spec([]).values({"energy": 1.0})


def test_non_finite_values_are_refused_by_name_and_environment() -> None:
    readout = ReadoutSpec.model_validate({"readouts": [{"population": "a", "low": "0 Hz", "high": "10 Hz"}],
                                          "evidence": [{"kind": "model_assumption", "note": "test"}]})
    fast = FastRewardFunction(_spec([]), readout,
                              [np.linspace(0.0, 2.0, 5), np.array([0.0, 1.0])], np.ones((5, 2, 1)), 0.5)
    fast.reset_batch(3, {"x": np.ones(3)})
    with pytest.raises(ValueError, match="x must be a finite number; got nan for environment 1"):
        fast.step_batch({"x": np.array([1.0, np.nan, 0.5])}, {"e": np.zeros(3)})
    with pytest.raises(ValueError, match="e must be a finite number; got inf for environment 2"):
        fast.reset_batch(3, {"x": np.ones(3)}, {"e": np.array([0.0, 0.0, np.inf])}, mask=np.array([True, False, False]))


def test_hunger_interface_maps_energy_onto_hormones(atlas) -> None:
    circuit = atlas["hunger"]
    maps = InterfaceMaps.of(interface_of(circuit))
    starved, fed = maps.levels({"energy": 0.0}), maps.levels({"energy": 1.0})
    assert starved["ghrelin"] > fed["ghrelin"] and starved["leptin"] < fed["leptin"]
    cue = next(m for m in circuit.interface.events[0].maps if m.input == "food_cue")
    assert maps.levels({"energy": 0.5}, {"eating": 1.0})["food_cue"] == pytest.approx(cue.at_high.value)


def test_numpy_readout_matches_drive_level(atlas) -> None:
    circuit = atlas["hunger"]
    maps = InterfaceMaps.of(interface_of(circuit))
    channels = ReadoutKernel(circuit.readout).channels
    n = len(channels)
    fast = FastRewardFunction(maps, circuit.readout, [np.array([0.0, 1.0]), np.array([0.0, 1.0])], np.zeros((2, 2, n)), 0.5)
    rates = np.random.default_rng(0).uniform(0, 20, size=(50, n))
    table = pd.DataFrame({"time": np.repeat(np.arange(50.0), n), "population": channels * 50, "rate_hz": rates.reshape(-1)})
    expected = drive_level(table, circuit.readout.model_copy(update={"tau": 1e-9}))["drive"].to_numpy()
    assert np.allclose(fast.drive_of(rates), expected)


def test_keramati_gutkin_reward_is_drive_reduction() -> None:
    kg = HomeostaticReward({"energy": 0.8}, n=2, m=2)
    kg.reset({"energy": 0.2})
    assert kg.step({"energy": 0.5}, {"eating": 1}) == pytest.approx(0.3)  # events are ignored
    assert kg.step({"energy": 1.0}) == pytest.approx(0.3 - 0.2)  # overshooting the setpoint costs


def test_composite_interface_is_the_union_of_its_parts(atlas) -> None:
    from drive_atlas.atlas.composite import flatten

    composite = atlas["hunger_pain"]
    assert [s.id for s in composite.interface.states] == ["energy", "noxious", "inflammation"]
    assert {m.input for s in composite.interface.states for m in s.maps} >= {"hunger.ghrelin", "pain.noxious_heat",
                                                                              "inflammation"}
    hunger = atlas.entry("hunger").circuit
    bare = atlas.entry("hunger_pain").circuit.model_copy(  # no parts of pain named: it includes hunger twice here
        update={"projections": [], "inputs": [], "readout": None, "protocols": {}, "assays": [], "interface": None})
    twice = flatten(bare, [hunger, hunger.model_copy(update={"id": "other"})])
    assert [s.id for s in twice.interface.states] == ["hunger_energy", "other_energy"]  # shared ids stay distinct
