"""drive_atlas.simulate end to end: tables, files and figure from a recorded run; the CLI in real NEST (short runs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

import drive_atlas
from drive_atlas.cli import main

from ..conftest import FIXTURE_ROOT


@pytest.fixture(scope="module")
def result(recorded_result):
    return recorded_result


def test_result_tables_and_drive(result):
    assert set(result.rates["population"]) == {"agrp", "pvh"}
    assert list(result.drive.columns) == ["time", "drive"] and len(result.drive) == 20
    early, late = result.drive["drive"].iloc[:10].mean(), result.drive["drive"].iloc[12:].mean()
    assert late > early  # ghrelin raises AgRP activity and with it the hunger drive
    assert result.reward["reward"].sum() == pytest.approx(result.drive["drive"].iloc[0] - result.drive["drive"].iloc[-1])
    names = [s.name for s in result.block.segments[0].analogsignals]
    assert "drive" in names and "reward" in names


def test_save_load_and_exports(result, tmp_path):
    loaded = drive_atlas.SimulationResult.load(result.save(tmp_path / "run.nix"))
    assert loaded.drive.equals(result.drive) and loaded.reward.equals(result.reward)
    assert {p.name for p in result.to_csv(tmp_path / "csv")} == {"rates.csv", "spike_rates.csv", "drive.csv", "reward.csv", "ligands.csv", "receptors.csv"}
    assert len(result.to_parquet(tmp_path / "parquet")) == 6


def test_figure_is_self_contained(result, tmp_path):
    from drive_atlas.drive.figures import write_figure

    html = write_figure(result, tmp_path / "run.html").read_text()
    assert 'src="https://cdn.plot.ly' not in html and len(html) > 1_000_000 and "Plotly.newPlot" in html  # plotly.js inlined


@pytest.mark.nest
def test_cli_json_summary(tmp_path):
    out = tmp_path / "run.pkl"
    res = CliRunner().invoke(main, ["simulate", "mini", "--root", str(FIXTURE_ROOT), "--protocol", "fasted", "--duration", "500ms",
                                    "--seed", "2", "--out", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout[res.stdout.index("{"):])
    assert summary["simulated_seconds"] == 0.5 and set(summary["mean_rate_hz"]) == {"agrp", "pvh"}
    assert out.exists() and summary["mean_drive"] is not None and "wall_seconds" in summary


@pytest.mark.nest
def test_cli_bad_protocol_fails_clearly():
    res = CliRunner().invoke(main, ["simulate", "mini", "--root", str(FIXTURE_ROOT), "--protocol", "starved", "--duration", "1"])
    assert res.exit_code == 1 and "no protocol 'starved'" in res.output


def test_import_stays_nest_free():
    code = "import sys, drive_atlas, drive_atlas.sim, drive_atlas.drive; assert 'nest' not in sys.modules; print('ok')"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "ok"


def test_sim_never_imports_upper_layers():
    import ast
    from pathlib import Path

    for path in Path(drive_atlas.__file__).parent.joinpath("sim").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2 and node.module:
                assert node.module.split(".")[0] in {"spec", "atlas"}, f"{path.name} imports {node.module}"


def test_simulate_a_composite_by_id_and_refuse_it_unflattened(atlas):
    written = atlas.entries["hunger_pain"].circuit
    with pytest.raises(drive_atlas.sim.NotRunnableError, match="composite: flatten it"):
        drive_atlas.simulate(written, "fed_inflammation", atlas=atlas)
    result = drive_atlas.simulate("hunger_pain", "fed_inflammation", atlas=atlas, duration=300.0, record_neurons=1)
    assert {"hunger.agrp", "pain.pbn_cgrp"} <= set(result.rates["population"])
    assert len(result.drive) == 3 and result.summary()["circuit"].startswith("hunger_pain@")
