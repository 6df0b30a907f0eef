"""Saving circuit files safely: atomic replacement and refusal to overwrite someone else's change.

Pure Python on purpose, so the guarantees that protect curated files are unit-tested
without a browser: a failed write leaves the old file byte-for-byte intact, and a
save is refused when the file on disk is no longer the one the editor opened.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from drive_atlas.spec.errors import DriveAtlasError


class SaveConflict(DriveAtlasError):
    """The file changed on disk after the editor loaded it; saving would lose that change."""


def text_hash(text: str) -> str:
    """The identity of a file's text as the editor saw it (sha256 of its UTF-8 bytes)."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def read_text(path: Path) -> tuple[str, str]:
    """A file's text and its hash, to be kept by the editor until it saves."""
    text = Path(path).read_text(encoding="utf-8")
    return text, text_hash(text)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    Readers see either the old file or the new one, never a half-written file; if
    anything fails before the replace, the old file is untouched and the temporary
    file is removed.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_if_unchanged(path: Path, text: str, base_hash: str) -> str:
    """Atomically save ``text`` unless the file on disk no longer hashes to ``base_hash``; return the new hash.

    The check and the replace are not one atomic step, but the window is a few
    microseconds against edits that take minutes, which is the race that matters.
    """
    current = text_hash(Path(path).read_text(encoding="utf-8")) if Path(path).exists() else None
    if current != base_hash:
        raise SaveConflict(f"{Path(path).name} changed on disk since you opened it; your text is kept, reload to see the other change")
    atomic_write(path, text)
    return text_hash(text)
