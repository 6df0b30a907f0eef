"""Any file, however hostile, is read in bounded time and memory and refused with a located error."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import SpecValidationError, parse_yaml_text, read_yaml
from drive_atlas.spec.yamlio import MAX_DEPTH, MAX_NODES
from drive_atlas.authoring.service import migrate_file
from drive_atlas.versioning.migrate import MigrationError

from ..conftest import REPO
from .mutants import alias_bomb

MINIMAL = REPO / "tests" / "spec" / "valid_minimal.yaml"


def _bounded(code: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter limited to 1 GiB of address space; a hang or a blow-up fails the test."""
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))\n"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-c", limit + textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, env=env)


def _only_error(text: str) -> tuple[int, int, str]:
    with pytest.raises(SpecValidationError) as info:
        parse_yaml_text(text, Path("x.yaml"))
    [error] = info.value.errors
    return error.line, error.column, error.message


def test_an_alias_bomb_stops_at_a_located_error_in_bounded_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_bytes(alias_bomb(7))  # 9**7 leaves from a few hundred bytes
    done = _bounded(f"""
        from pathlib import Path
        from drive_atlas.spec import SpecValidationError, read_yaml
        try:
            read_yaml(Path({str(bomb)!r}))
        except SpecValidationError as exc:
            print(exc)
    """)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "bomb.yaml:" in done.stdout and "more than" in done.stdout and "aliases" in done.stdout


def test_aliases_and_merge_keys_within_budget_still_work() -> None:
    doc = parse_yaml_text("base: &b {rate: 1 Hz, size: 2}\nfirst: {<<: *b, size: 3}\nsecond: [*b, *b]\n", Path("x.yaml"))
    assert doc.data["first"] == {"rate": "1 Hz", "size": 3}
    assert doc.data["second"] == [{"rate": "1 Hz", "size": 2}] * 2


def test_deep_nesting_and_too_many_values_are_refused_where_they_start() -> None:
    line, column, message = _only_error("a: 1\nb: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n")
    assert (line, column) == (2, 3 + MAX_DEPTH) and "nest more than" in message
    line, _, message = _only_error("a: 1\nb: [" + "0, " * (MAX_NODES + 1) + "0]\n")
    assert line == 2 and f"more than {MAX_NODES} values" in message


def test_control_characters_and_bad_bytes_are_reported_where_they_are(tmp_path: Path) -> None:
    assert _only_error("id: x\nname: 'café \x01'\n")[:2] == (2, 13)
    assert "U+0001" in _only_error("id: x\nname: 'café \x01'\n")[2]
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: x\nname: 'caf".encode() + b"\xe9 au lait'\n")
    with pytest.raises(SpecValidationError) as info:
        read_yaml(path)
    [error] = info.value.errors
    assert (error.line, error.column) == (2, 11) and "not UTF-8" in error.message and "0xe9" in error.message


def test_a_value_python_cannot_build_is_located() -> None:
    line, column, message = _only_error("a: 1\nb: " + "9" * 5000 + "\n")
    assert (line, column) == (2, 4) and "cannot read the value" in message
    assert _only_error("a: 1\nwhen: 2026-13-45\n")[:2] == (2, 7)


@pytest.mark.parametrize("kind", ["device", "fifo", "directory"])
def test_only_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    if kind == "device":
        path = Path("/dev/zero")
    elif kind == "fifo":
        path = tmp_path / "pipe.yaml"
        os.mkfifo(path)
    else:
        path = tmp_path / "folder.yaml"
        path.mkdir()
    done = _bounded(f"""
        from pathlib import Path
        from drive_atlas.spec import SpecValidationError, read_yaml
        try:
            read_yaml(Path({str(path)!r}))
        except SpecValidationError as exc:
            print(exc)
    """, timeout=30)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "not a regular file" in done.stdout and ":1:1:" in done.stdout


def test_a_version_that_is_not_semver_is_an_error_not_a_crash(atlas: Atlas, tmp_path: Path) -> None:
    path = tmp_path / "circuit.yaml"
    path.write_text(MINIMAL.read_text().replace('version: "1.0.0"\ntitle', 'version: "1.2"\ntitle'))
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    assert [(e.line, e.path) for e in info.value.errors] == [(4, "version")]


def test_migrate_refuses_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here\n")
    with pytest.raises(MigrationError, match="empty.yaml:1:1: the file holds no mapping"):
        migrate_file(path)
    assert path.read_text() == "# nothing here\n"
