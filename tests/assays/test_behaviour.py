"""Behaviour assays: a script becomes the input levels the interface maps give, and bounds are judged on the CI."""

from __future__ import annotations

import pytest

import numpy as np
import pandas as pd

from drive_atlas.assays import measure_value
from drive_atlas.assays.behaviour import script_protocol
from drive_atlas.assays.runner import conditions_of, judge_assays, measure_id, plan_jobs
from drive_atlas.assays.statistics import judge
from drive_atlas.atlas import Atlas
from drive_atlas.reward.interface import InterfaceMaps, interface_of
from drive_atlas.spec.circuit import BehaviourMeasure, Expectation, Script


def test_a_script_sets_the_inputs_the_interface_maps_give(atlas: Atlas) -> None:
    hunger = atlas["hunger"]
    script = Script.model_validate({"steps": [{"variable": "energy", "value": 1.0},
                                              {"variable": "eating", "value": 1.0, "at": "4 s", "until": "5 s"}]})
    protocol = script_protocol(hunger, script, 6000.0)
    maps = InterfaceMaps.of(interface_of(hunger))
    during = maps.levels({"energy": 1.0}, {"eating": 1.0})
    before = maps.levels({"energy": 1.0})
    at = {(e.input, e.at): e for e in protocol.events}
    assert protocol.duration == 6000.0
    assert np.isclose(at[("food_cue", 4000.0)].level.value, during["food_cue"]) and during["food_cue"] > 0
    assert at[("food_cue", 4000.0)].until == 5000.0
    assert np.isclose(at[("food_cue", 0.0)].level.value, before["food_cue"]) and before["food_cue"] == 0
    assert np.isclose(at[("ghrelin", 5000.0)].level.value, before["ghrelin"]) and at[("ghrelin", 5000.0)].until is None


def test_drive_slope_is_per_second() -> None:
    times = np.arange(0.0, 4000.0, 10.0)
    tables = {"drive": pd.DataFrame({"time": times, "drive": 0.1 + 0.05 * times / 1000.0})}
    measure = BehaviourMeasure.model_validate({"kind": "drive_slope", "window": ["1 s", "3 s"]})
    assert np.isclose(measure_value(measure, tables), 0.05)


def test_bounds_are_judged_on_the_interval() -> None:
    values = {"meal": np.array([-0.02, 0.01, -0.01]), "rest": np.array([0.3, 0.35, 0.32])}
    at_most = Expectation(kind="at_most", conditions=["meal"], value=0.0)
    assert not judge(at_most, values).passed  # the mean is below 0 but the CI reaches above it
    assert judge(Expectation(kind="at_most", conditions=["meal"], value=0.05), values).passed
    assert judge(Expectation(kind="at_least", conditions=["rest"], value=0.25), values).passed
    assert not judge(Expectation(kind="at_least", conditions=["rest"], value=0.33), values).passed
    assert judge(Expectation(kind="within", conditions=["meal"], value=0.05), values).passed
    assert not judge(Expectation(kind="within", conditions=["rest"], value=0.05), values).passed


def test_a_script_keeps_its_protocol_events(atlas: Atlas) -> None:
    pain = atlas["pain"]
    script = Script.model_validate({"steps": [{"variable": "noxious", "value": 0.6, "at": "2 s"}],
                                    "events": [{"type": "drug", "ligand": "morphine", "concentration": "1 uM", "at": "4 s"}]})
    protocol = script_protocol(pain, script, 7000.0)
    drugs = [e for e in protocol.events if e.type == "drug"]
    heat = {e.at: e.level.value for e in protocol.events if e.type == "input" and e.input == "noxious_heat"}
    assert [(d.ligand, d.at) for d in drugs] == [("morphine", 4000.0)]
    assert heat == {0.0: 0.0, 2000.0: pytest.approx(1500.0)}  # 0.6 of the state's 0..2500 Hz


def test_behaviour_scripts_are_battery_jobs_shared_across_assays(atlas: Atlas) -> None:
    """Each distinct script runs once per seed, however many behaviour assays use it, beside the curated conditions."""
    hunger = atlas["hunger"]
    behaviour, curated = list(hunger.behaviour_assays), list(hunger.assays)
    scripts = {script_protocol(hunger, s, a.duration).model_dump_json() for a in behaviour for s in a.scripts.values()}
    jobs = plan_jobs(hunger, behaviour, (1, 2))
    assert len(jobs) == 2 * len(scripts) < 2 * sum(len(a.scripts) for a in behaviour)
    assert len(plan_jobs(hunger, curated + behaviour, (1, 2))) == len(jobs) + len(plan_jobs(hunger, curated, (1, 2)))


def test_behaviour_verdicts_read_each_scripts_own_values(atlas: Atlas) -> None:
    hunger = atlas["hunger"]
    assay = next(a for a in hunger.behaviour_assays if a.id == "hungry_meal_beats_sated_meal")
    jobs = plan_jobs(hunger, [assay], (1, 2, 3))
    meal = {"hungry_meal": 0.4, "sated_meal": -0.1}
    names = {c.key(seed): name for name, c in conditions_of(hunger, assay).items() for seed in (1, 2, 3)}
    values = {job.key: {measure_id(assay.measure): meal[names[job.key]] + 0.01 * job.seed} for job in jobs}
    result = judge_assays(hunger, [assay], (1, 2, 3), values).results[0]
    assert {name: v.round(2).tolist() for name, v in result.values.items()} == {
        "hungry_meal": [0.41, 0.42, 0.43], "sated_meal": [-0.09, -0.08, -0.07]}
    assert result.status == "pass"

