"""Atomic saves and conflict detection: the guarantees that protect curated circuit files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drive_atlas.web import storage
from drive_atlas.web.storage import SaveConflict, atomic_write, read_text, save_if_unchanged, text_hash


def test_atomic_write_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    atomic_write(path, "new\n")
    assert path.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"]


def test_failed_write_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")

    def broken_fsync(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(storage.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        atomic_write(path, "half-written new text\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"], "the temporary file is cleaned up"


def test_failed_replace_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    monkeypatch.setattr(storage.os, "replace", lambda *_: (_ for _ in ()).throw(PermissionError(13, "denied")))
    with pytest.raises(PermissionError):
        atomic_write(path, "new\n")
    assert path.read_text() == "old\n"
    assert len(list(tmp_path.iterdir())) == 1


def test_atomic_write_keeps_permissions(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    os.chmod(path, 0o640)
    atomic_write(path, "new\n")
    assert path.stat().st_mode & 0o777 == 0o640


def test_save_if_unchanged_saves_and_returns_the_new_hash(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    _, base = read_text(path)
    assert save_if_unchanged(path, "new\n", base) == text_hash("new\n")
    assert path.read_text() == "new\n"


def test_conflict_when_the_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    _, base = read_text(path)
    path.write_text("someone else's change\n")
    with pytest.raises(SaveConflict, match="changed on disk"):
        save_if_unchanged(path, "my change\n", base)
    assert path.read_text() == "someone else's change\n"


def test_conflict_when_the_file_was_deleted(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with pytest.raises(SaveConflict):
        save_if_unchanged(path, "my change\n", text_hash("old\n"))
    assert not path.exists()
