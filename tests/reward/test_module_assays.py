"""Behaviour assays played through an exported module: the same measures and judge as on the live circuit.

Uses the session's coarse hunger module (no export of its own); the curated modules' verdicts
at the default calibration are checked with the real exports in test_exports.py.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from drive_atlas.assays import measure_value
from drive_atlas.assays.module import DT, play_script, run_module_assays, run_module_behaviour_assays, unplayable
from drive_atlas.atlas import Atlas
from drive_atlas.reward import load_reward_function
from drive_atlas.spec.circuit import BehaviourAssay, BehaviourMeasure, Script


def test_a_script_is_played_step_by_step_through_the_module(module_path: Path) -> None:
    script = Script.model_validate({"steps": [{"variable": "energy", "value": 0.2},
                                              {"variable": "eating", "value": 1.0, "at": "1 s", "until": "2 s"}]})
    tables = play_script(load_reward_function(module_path), script, 3000.0)
    fn = load_reward_function(module_path)
    fn.reset({"energy": 0.2})
    by_hand = [fn.step({"energy": 0.2}, {"eating": float(1.0 <= k * DT < 2.0 - 1e-9)}, dt=DT) for k in range(30)]
    assert np.allclose(tables["reward"]["time"], np.arange(30) * 100.0)
    assert np.allclose(tables["reward"]["reward"], by_hand)
    meal = BehaviourMeasure.model_validate({"kind": "reward", "window": ["1 s", "2 s"]})
    assert np.isclose(measure_value(meal, tables), sum(by_hand[10:20])) and measure_value(meal, tables) != 0


def test_the_fast_module_runs_each_assay_once_and_its_verdict_is_exact(module_path: Path, atlas: Atlas) -> None:
    outcome = run_module_behaviour_assays(module_path, atlas=atlas, seeds=range(1, 6))
    assert [r.assay.id for r in outcome.run.results] == [a.id for a in atlas["hunger"].behaviour_assays]
    for result in outcome.run.results:
        assert result.seeds == (1,)  # deterministic: more seeds would repeat the same numbers
        assert all(i.low == i.mean == i.high for i in result.verdict.intervals)


def test_an_assay_with_drug_events_cannot_be_played_through_a_module(atlas: Atlas) -> None:
    reasons = {a.id: unplayable(a) for a in atlas["pain"].behaviour_assays}
    drugs = {i for i, r in reasons.items() if r}
    assert drugs and all("drug" in reasons[i] for i in drugs)
    assert any(r is None for r in reasons.values())


def test_rounding_noise_of_an_exact_run_is_no_effect(module_path: Path) -> None:
    """Two scripts the same but for a later, empty step: one drive (settling slowly from a fresh network), whose two
    slopes differ by float rounding at most."""
    assay = BehaviourAssay.model_validate({
        "id": "steady", "citation": ["matthews2016"], "phenomenon": "none", "duration": "4 s",
        "scripts": {"a": {"steps": [{"variable": "energy", "value": 0.5}]},
                    "b": {"steps": [{"variable": "energy", "value": 0.5}, {"variable": "energy", "value": 0.5, "at": "1 s"}]}},
        "measure": {"kind": "drive_slope", "window": ["1 s", "4 s"]},
        "expect": {"kind": "increase", "conditions": ["a", "b"]}})
    outcome = run_module_assays(lambda seed: load_reward_function(module_path), "hunger", [assay])
    (result,) = outcome.run.results
    assert result.values["a"][0] == result.values["b"][0] and not result.verdict.passed


def test_cli_runs_a_modules_behaviour_assays(module_path: Path, atlas: Atlas) -> None:
    from click.testing import CliRunner

    from drive_atlas.cli import main

    result = CliRunner().invoke(main, ["test", "--module", str(module_path), "--format", "json"])
    expected = run_module_behaviour_assays(module_path, atlas=atlas).run
    assert result.exit_code == (0 if expected.ok else 1), result.output
    assert result.stdout.strip() == expected.to_json()
