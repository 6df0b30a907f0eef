"""Atomic saves and conflict detection: the guarantees that protect curated circuit files."""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from drive_atlas.authoring import store
from drive_atlas.authoring.store import (
    SaveConflict, atomic_write, create_file, is_temporary, locked, read_text, remove_stale_temporaries, replace_if_unchanged,
    text_hash,
)


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

    monkeypatch.setattr(store.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        atomic_write(path, "half-written new text\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["c.yaml"], "the temporary file is cleaned up"


def test_failed_replace_leaves_the_old_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    monkeypatch.setattr(store.os, "replace", lambda *_: (_ for _ in ()).throw(PermissionError(13, "denied")))
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


def test_replace_if_unchanged_saves_and_returns_the_new_hash(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    _, base = read_text(path)
    assert replace_if_unchanged(path, "new\n", base) == text_hash("new\n")
    assert path.read_text() == "new\n"


def test_conflict_when_the_file_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    _, base = read_text(path)
    path.write_text("someone else's change\n")
    with pytest.raises(SaveConflict, match="changed on disk"):
        replace_if_unchanged(path, "my change\n", base)
    assert path.read_text() == "someone else's change\n"


def test_conflict_when_the_file_was_deleted(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    with pytest.raises(SaveConflict):
        replace_if_unchanged(path, "my change\n", text_hash("old\n"))
    assert not path.exists()


def _race(path: Path, base: str, texts: list[str]) -> dict[str, str]:
    """Save every text from the same base at once (threads released together); each text's outcome."""
    barrier, outcome = threading.Barrier(len(texts)), {}

    def save(text: str) -> None:
        barrier.wait()
        try:
            replace_if_unchanged(path, text, base)
            outcome[text] = "saved"
        except SaveConflict:
            outcome[text] = "conflict"

    threads = [threading.Thread(target=save, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcome


def test_simultaneous_saves_from_one_base_lose_nothing(tmp_path: Path) -> None:
    """Of two saves released together from the same base, one is saved and the other told so; 50 trials, none lost."""
    lost = []
    for trial in range(50):
        path = tmp_path / f"c{trial}.yaml"
        path.write_text("base\n")
        _, base = read_text(path)
        outcome = _race(path, base, [f"edit A {trial}\n", f"edit B {trial}\n"])
        winners = [text for text, result in outcome.items() if result == "saved"]
        if len(winners) != 1 or path.read_text() != winners[0]:
            lost.append((trial, outcome))
    assert lost == []
    assert not [p for p in tmp_path.iterdir() if is_temporary(p)], "no temporary or lock file is left"


def test_the_loser_gets_a_conflict_not_a_merge(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("a: 1\nb: 1\n")
    _, base = read_text(path)
    outcome = _race(path, base, ["a: 2\nb: 1\n", "a: 1\nb: 2\n", "a: 3\nb: 3\n"])
    assert sorted(outcome.values()) == ["conflict", "conflict", "saved"]
    assert path.read_text() in outcome and outcome[path.read_text()] == "saved"


def test_a_save_waits_for_the_lock_and_then_sees_the_change(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    _, base = read_text(path)
    outcome: list[str] = []

    def save() -> None:
        try:
            replace_if_unchanged(path, "mine\n", base)
            outcome.append("saved")
        except SaveConflict:
            outcome.append("conflict")

    with locked(path):
        other = threading.Thread(target=save)
        other.start()
        other.join(0.2)
        assert other.is_alive(), "the save waits while another writer holds the lock"
        atomic_write(path, "theirs\n")
    other.join()
    assert outcome == ["conflict"] and path.read_text() == "theirs\n"


def test_create_file_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "new" / "c.yaml"
    create_file(path, "first\n")
    with pytest.raises(FileExistsError):
        create_file(path, "second\n")
    assert path.read_text() == "first\n" and path.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    return int(subprocess.run([sys.executable, "-c", "import os; print(os.umask(0))"], capture_output=True, text=True).stdout)


KILLED_SAVE = """
import os, sys, time
from pathlib import Path
from drive_atlas.authoring import store
path = Path(sys.argv[1])
real_replace = store.os.replace
def hang(*args):  # the temporary file is written and synced: stop here until killed
    print("writing", flush=True)
    time.sleep(60)
store.os.replace = hang
store.replace_if_unchanged(path, "half-done save\\n", store.text_hash(path.read_text()))
"""


def test_a_save_killed_mid_write_leaves_the_old_file_and_its_leftovers_are_removed(tmp_path: Path) -> None:
    """kill -9 during a save: the file is the old one; the leftovers are cleaned on start and never circuits."""
    path = tmp_path / "hunger.yaml"
    path.write_text("old\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout is not None and child.stdout.readline() == "writing\n"
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p != path)
        assert len(leftovers) == 2 and all(is_temporary(tmp_path / name) for name in leftovers)
        assert remove_stale_temporaries(tmp_path) == [], "a live save's files are not stale"
    finally:
        child.kill()
        child.wait()
    assert path.read_text() == "old\n"
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == leftovers
    assert [p.name for p in tmp_path.iterdir()] == ["hunger.yaml"]
    _, base = read_text(path)
    assert replace_if_unchanged(path, "new\n", base) == text_hash("new\n"), "a killed writer's lock does not block the next save"


def test_leftovers_are_recognised_by_name() -> None:
    assert is_temporary(Path(".hunger.yaml.3fa9c1d2.tmp")) and is_temporary(Path(".hunger.yaml.lock"))
    assert is_temporary(Path(".hunger.yaml.k2j_x9a.tmp"))  # the older writers' mkstemp names
    assert not is_temporary(Path("hunger.yaml")) and not is_temporary(Path(".hidden.yaml"))


def test_a_lock_held_elsewhere_is_waited_for_with_a_limit(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("old\n")
    fd = os.open(tmp_path / ".c.yaml.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        with pytest.raises(store.FileBusy, match="c.yaml is being saved"):
            with locked(path, timeout=0.05):
                pass
    finally:
        os.close(fd)
    assert path.read_text() == "old\n"
