"""Bad command-line values are clean usage errors, found before any simulation or calibration starts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from drive_atlas.cli import main

from .conftest import FIXTURE_ROOT

READ_ONLY = Path("/sys")  # a read-only file system on Linux, even for root


def simulate(*args: str) -> Result:
    return CliRunner().invoke(main, ["simulate", "mini", "--root", str(FIXTURE_ROOT), *args])


def assert_usage_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    for word in words:
        assert word in result.output


@pytest.mark.parametrize("seed", ["-1", "0", "99999999999999999999", str(2**32)])
def test_seeds_outside_nest_range(seed: str) -> None:
    assert_usage_error(simulate("--seed", seed), "--seed")


@pytest.mark.parametrize("duration", ["0.0001ms", "0", "61min", "3e3", "-1s", "lots"])
def test_durations_outside_one_step_to_an_hour(duration: str) -> None:
    assert_usage_error(simulate("--duration", duration), "--duration")


def test_output_under_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("a file, not a folder")
    assert_usage_error(simulate("--out", str(blocker / "run.nix")), "is a file, not a folder")
    assert_usage_error(simulate("--plot", str(blocker / "deeper" / "run.html")), "is a file, not a folder")
    assert_usage_error(simulate("--csv", str(blocker)), "is a file, not a folder")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux's read-only /sys")
def test_output_on_a_read_only_location() -> None:
    assert_usage_error(simulate("--out", str(READ_ONLY / "run.nix")), "not writable")
    assert_usage_error(simulate("--plot", str(READ_ONLY / "run.html")), "not writable")


def test_output_with_an_unknown_extension(tmp_path: Path) -> None:
    assert_usage_error(simulate("--out", str(tmp_path / "run.h5")), "unknown extension", ".nix")
    assert_usage_error(simulate("--plot", str(tmp_path / "run.png")), "unknown extension", ".html")
    assert_usage_error(simulate("--out", str(tmp_path)), "unknown extension")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="needs Linux's read-only /sys")
def test_export_to_an_unwritable_place_is_refused_before_calibrating(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "mini", "--root", str(FIXTURE_ROOT), "--out", str(READ_ONLY / "mini.drive")])
    assert_usage_error(result, "--out", "not writable")
    assert "exporting" not in result.output  # the calibration never started
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert_usage_error(CliRunner().invoke(main, ["export", "mini", "--root", str(FIXTURE_ROOT), "--out", str(blocker / "m.drive")]),
                       "is a file, not a folder")


def test_sweep_and_schema_outputs_are_checked_too(tmp_path: Path) -> None:
    assert_usage_error(CliRunner().invoke(main, ["schema", "--out", str(tmp_path / "schema.yaml")]), "unknown extension")
    sweep = CliRunner().invoke(main, ["sweep", "mini", "--root", str(FIXTURE_ROOT), "--param", "seed=1..2",
                                      "--out", str(tmp_path / "sweep.csv")])
    assert_usage_error(sweep, "unknown extension", ".parquet")
    sample = CliRunner().invoke(main, ["robustness", "mini", "--root", str(FIXTURE_ROOT), "--sample-seed", "-1"])
    assert_usage_error(sample, "--sample-seed")


@pytest.mark.nest
def test_good_values_still_run(tmp_path: Path) -> None:
    result = simulate("--seed", str(2**32 - 1), "--duration", "0.1ms", "--out", str(tmp_path / "new" / "run.nix"),
                      "--plot", str(tmp_path / "run.html"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "run.nix").exists() and (tmp_path / "run.html").exists()
