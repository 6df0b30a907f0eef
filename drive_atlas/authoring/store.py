"""Writing circuit files so that no save is lost and no crash leaves half a file.

Every write goes through a temporary file beside the target and ``os.replace``,
so readers see the old file or the new one. Writers of one file take its lock
(``flock`` on ``.<name>.lock``), so checking that the file is still the one an
editor opened and replacing it are one step: of two simultaneous saves from the
same base, exactly one wins and the other gets :class:`SaveConflict`.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..spec.errors import DriveAtlasError

LOCK_TIMEOUT_S = 10.0  # saves hold a lock for milliseconds; waiting longer means something is wrong
_POLL_S = 0.002
# The leftovers of a write that was killed: ".<file name>.<random>.tmp" (and its ".<file name>.lock").
_TEMPORARY = re.compile(r"^\.(?P<target>.+)\.[A-Za-z0-9_]+\.tmp$")
_LOCK = re.compile(r"^\.(?P<target>.+)\.lock$")


class SaveConflict(DriveAtlasError):
    """The file changed on disk after the editor loaded it; saving would lose that change."""


class FileBusy(DriveAtlasError):
    """Another writer held the file's lock for longer than a save takes."""


def text_hash(text: str) -> str:
    """The identity of a file's text as the editor saw it (sha256 of its UTF-8 bytes)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """A file's text and its hash, to be kept by the editor until it saves."""
    text = Path(path).read_text(encoding="utf-8")
    return text, text_hash(text)


def is_temporary(path: Path) -> bool:
    """Whether ``path`` is a write's temporary or lock file (never a circuit)."""
    return bool(_TEMPORARY.match(path.name) or _LOCK.match(path.name))


def _lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.lock")


def _acquire(path: Path, timeout: float | None) -> int | None:
    """Lock ``path`` for writing: the descriptor; with ``timeout`` None, None at once if the lock is taken.

    The lock file is removed by whoever releases it, so after locking we check that the
    file we hold is still the one at the lock path, and lock again if it is not.
    """
    lock, deadline = _lock_path(path), time.monotonic() + (timeout or 0.0)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            if timeout is None:
                return None
            if time.monotonic() >= deadline:
                raise FileBusy(f"{path.name} is being saved by someone else; try again") from None
            time.sleep(_POLL_S)
            continue
        try:
            if os.fstat(fd).st_ino == os.stat(lock).st_ino:
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)  # we locked a lock file its holder has just removed


def _release(path: Path, fd: int) -> None:
    _lock_path(path).unlink(missing_ok=True)
    os.close(fd)


@contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold ``path``'s write lock (every writer of a circuit file takes it)."""
    fd = _acquire(Path(path), timeout)
    assert fd is not None  # with a timeout, _acquire raises FileBusy rather than give up quietly
    try:
        yield
    finally:
        _release(Path(path), fd)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` through a temporary file beside ``path`` and ``os.replace``; call it holding the lock.

    If anything fails before the replace, the old file is untouched and the temporary
    file is removed. A new file gets the usual permissions, a replaced one keeps its own.
    """
    path = Path(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (a power cut after a save keeps the save)."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def replace_if_unchanged(path: Path, text: str, base_hash: str) -> str:
    """Save ``text`` unless the file no longer hashes to ``base_hash``; the new hash. Check and replace are one locked step."""
    path = Path(path)
    with locked(path):
        ensure_unchanged(path, base_hash)
        atomic_write(path, text)
    return text_hash(text)


def ensure_unchanged(path: Path, base_hash: str) -> None:
    """:class:`SaveConflict` unless the file still hashes to ``base_hash`` (a deleted file does not)."""
    try:
        current: str | None = read_text(path)[1]
    except FileNotFoundError:
        current = None
    if current != base_hash:
        raise SaveConflict(f"{Path(path).name} changed on disk since you opened it; your text is kept, reload to see the other change")


def create_file(path: Path, text: str) -> None:
    """Write a new file; refuse (``FileExistsError``) if one is there, even one created a moment ago."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with locked(path):
        if path.exists():
            raise FileExistsError(errno.EEXIST, "already exists", str(path))
        atomic_write(path, text)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove what killed writes left under ``folder`` (temporary and lock files); the paths removed.

    A temporary file is stale when nobody holds its target's lock: a live save holds it
    while its temporary exists, and the kernel drops the lock of a killed process.
    """
    removed: list[Path] = []
    leftovers: dict[Path, list[Path]] = {}
    for candidate in sorted(Path(folder).rglob(".*")):
        match = _TEMPORARY.match(candidate.name) or _LOCK.match(candidate.name)
        if match and candidate.is_file():
            leftovers.setdefault(candidate.with_name(match["target"]), []).append(candidate)
    for target, files in leftovers.items():
        try:
            fd = _acquire(target, timeout=None)
        except OSError:
            continue  # a folder we may not write: nothing of ours to clean
        if fd is None:
            continue  # a save is in progress
        try:
            for leftover in files:
                if _TEMPORARY.match(leftover.name):
                    leftover.unlink(missing_ok=True)
                    removed.append(leftover)
        finally:
            _release(target, fd)
        removed += [f for f in files if _LOCK.match(f.name)]
    return removed
