"""Commands act on the atlas they stand in (like git), say which, and list circuits legibly in 80 columns."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from drive_atlas.atlas.roots import builtin_root, find_root

from .conftest import FIXTURE_ROOT, REPO


def drive_atlas(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k != "DRIVE_ATLAS_ROOT"}
    base["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    return subprocess.run([sys.executable, "-m", "drive_atlas", *args], capture_output=True, text=True, cwd=cwd,
                          env={**base, **(env or {})}, timeout=120)


@pytest.fixture
def own_atlas(tmp_path: Path) -> Path:
    """A user's atlas (a copy of the fixture atlas), with a subfolder to stand in."""
    root = tmp_path / "my-atlas"
    shutil.copytree(FIXTURE_ROOT, root)
    (root / "notes" / "deep").mkdir(parents=True)
    return root


def test_the_atlas_is_found_from_a_subfolder_like_git(own_atlas: Path) -> None:
    done = drive_atlas("list", "--format", "json", cwd=own_atlas / "notes" / "deep")
    assert done.returncode == 0, done.stderr
    assert [row["id"] for row in json.loads(done.stdout)] == ["mini"]
    assert f"atlas {own_atlas} (found from the current folder)" in done.stderr


def test_the_current_folder_comes_before_the_environment_and_root_before_both(own_atlas: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert find_root(cwd=own_atlas, environ={"DRIVE_ATLAS_ROOT": str(REPO)}).path == own_atlas
    assert find_root(cwd=elsewhere, environ={"DRIVE_ATLAS_ROOT": str(own_atlas)}).source == "$DRIVE_ATLAS_ROOT"
    assert find_root(cwd=elsewhere, environ={}).path == builtin_root()
    assert find_root(REPO, cwd=own_atlas).source == "--root"


def test_outside_any_atlas_the_environment_then_the_built_in_atlas(own_atlas: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    by_env = drive_atlas("list", "--format", "json", cwd=empty, env={"DRIVE_ATLAS_ROOT": str(own_atlas)})
    assert [row["id"] for row in json.loads(by_env.stdout)] == ["mini"] and "$DRIVE_ATLAS_ROOT" in by_env.stderr
    built_in = drive_atlas("list", "--format", "json", cwd=empty)
    assert "hunger" in {row["id"] for row in json.loads(built_in.stdout)} and "(built-in)" in built_in.stderr


def test_check_judges_the_atlas_it_stands_in(own_atlas: Path) -> None:
    done = drive_atlas("check", cwd=own_atlas / "notes")
    assert f"atlas {own_atlas} (found from the current folder)" in done.stderr


def test_list_keeps_ids_and_versions_whole_in_80_columns() -> None:
    done = drive_atlas("list", cwd=REPO, env={"COLUMNS": "80"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80 and "…" not in done.stdout
    rows = json.loads(drive_atlas("list", "--format", "json", cwd=REPO).stdout)
    for row in rows:
        assert any(row["id"] in line and row["version"] in line for line in lines)
    assert "hidden to fit the terminal" in done.stdout
    wide = drive_atlas("list", cwd=REPO, env={"COLUMNS": "200"}).stdout
    assert "content_hash" in wide and "hidden" not in wide


def test_a_root_that_is_no_atlas_is_a_usage_error(tmp_path: Path) -> None:
    for root in (tmp_path / "missing", tmp_path):
        done = drive_atlas("list", "--root", str(root), cwd=tmp_path)
        assert done.returncode == 2 and "is not an atlas" in done.stderr and "Traceback" not in done.stderr
    by_env = drive_atlas("list", cwd=tmp_path, env={"DRIVE_ATLAS_ROOT": str(tmp_path / "missing")})
    assert by_env.returncode == 1 and "cannot read file" in by_env.stderr and "Traceback" not in by_env.stderr
