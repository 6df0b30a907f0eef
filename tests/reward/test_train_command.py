"""``drive-atlas train``: the comparison over seeds from the command line, and its summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from drive_atlas.cli import main
from drive_atlas.reward.agents.summary import Spread, summarise


def _report(seed: int, low: float | None, steps: float) -> dict:
    return {"seed": seed, "results": {"random": {"mean_steps": 50.0, "eat_when_low": 0.3},
                                      "q_module": {"mean_steps": steps, "eat_when_low": low}}}


def test_summary_spreads_each_measure_over_seeds_and_counts_the_seeds_without_one() -> None:
    summary = summarise([_report(1, 1.0, 170.0), _report(2, 0.5, 180.0), _report(3, None, 175.0)])
    assert summary["q_module"]["mean_steps"] == Spread(175.0, 170.0, 180.0, 0)
    assert summary["q_module"]["eat_when_low"] == Spread(0.75, 0.5, 1.0, 1)
    assert summary["random"]["eat_when_low"] == Spread(0.3, 0.3, 0.3, 0) and str(summary["random"]["eat_when_low"]) == "0.3"
    assert summarise([_report(1, None, 1.0)])["q_module"]["eat_when_low"] is None


def test_train_reports_every_policy_over_the_seeds(short_modules: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "reports.json"
    result = CliRunner().invoke(main, ["train", "DriveAtlas/HotFloorNoAnalgesic-v0", "--module", str(short_modules["pain"]),
                                       "--seeds", "3-4", "--episodes", "20", "--eval-episodes", "3", "--json", str(out)])
    assert result.exit_code == 0, result.output
    reports = json.loads(out.read_text(encoding="utf-8"))
    assert [r["seed"] for r in reports] == [3, 4] and all(r["episodes"] == 20 for r in reports)
    assert all(set(r["results"]) == {"random", "q_module", "q_closed_form"} for r in reports)
    assert "time_on_floor" in result.output and "pain@" in result.output


@pytest.mark.parametrize("seeds", ["8-1", "one", "1-x", ""])
def test_bad_seeds_are_a_usage_error(short_modules: dict[str, Path], seeds: str) -> None:
    result = CliRunner().invoke(main, ["train", "DriveAtlas/HotFloor-v0", "--module", str(short_modules["pain"]),
                                       "--seeds", seeds])
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output


def test_an_unknown_environment_or_a_missing_module_says_what_to_do(tmp_path: Path) -> None:
    unknown = CliRunner().invoke(main, ["train", "DriveAtlas/Nowhere-v0"])
    assert unknown.exit_code == 2 and "DriveAtlas/Foraging-v0" in unknown.output
    missing = CliRunner().invoke(main, ["train", "DriveAtlas/Foraging-v0", "--module", str(tmp_path / "hunger.drive")])
    assert missing.exit_code == 1 and "drive-atlas export hunger --out" in missing.output
