"""The atlas commands through the real console entry point: exit codes and JSON output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from .conftest import REPO

BROKEN = REPO / "tests" / "spec" / "broken"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "drive_atlas", *args], capture_output=True, text=True, cwd=REPO, timeout=120)


def test_validate_builtin_atlas_exits_zero() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr


def test_validate_broken_file_exits_one_with_json_errors() -> None:
    result = run("validate", "--format", "json", str(BROKEN / "multiple_errors.yaml"))
    assert result.returncode == 1
    errors = json.loads(result.stdout)
    assert {"file", "line", "column", "path", "message"} <= set(errors[0])
    assert {e["message"] for e in errors} >= {"unknown region 'NOWHERE' (not in the region ontology data/regions.csv)"}


def test_validate_text_output_names_file_and_line() -> None:
    result = run("validate", str(BROKEN / "dangling_population.yaml"))
    assert result.returncode == 1
    assert "dangling_population.yaml:" in result.stderr and "unknown population 'pvn'" in result.stderr


def test_list_json_has_every_circuit_with_hash() -> None:
    result = run("list", "--format", "json")
    assert result.returncode == 0, result.stderr
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert {"hunger", "pain", "social_reward"} <= set(rows)
    assert all(r["content_hash"].startswith("sha256:") and r["populations"] >= 6 for r in rows.values())


def test_show_unknown_circuit_fails_clearly() -> None:
    result = run("show", "sleep_pressure")
    assert result.returncode != 0 and "no circuit 'sleep_pressure'" in result.stderr


def test_show_prints_populations() -> None:
    result = run("show", "hunger")
    assert result.returncode == 0 and "agrp" in result.stdout.lower()


def test_schema_is_json() -> None:
    result = run("schema")
    assert json.loads(result.stdout)["title"] == "Drive Atlas circuit"


def test_validate_missing_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.yaml"))
    assert result.returncode == 1 and "cannot read file" in result.stderr
