"""What every page shares: the atlas (reloaded when its files change), the mode, the limits and a private cache folder."""

from __future__ import annotations

import os
import stat
import threading
from dataclasses import dataclass, field
from pathlib import Path

from drive_atlas.atlas import Atlas, CircuitEntry, default_root
from drive_atlas.authoring import is_temporary, remove_stale_temporaries
from drive_atlas.spec.errors import DriveAtlasError

from .limits import Limits


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the atlas's files: cheap enough to check on every request.

    A save's temporary and lock files are not atlas files (and vanish between listing and ``stat``).
    """
    files = [p for sub in ("circuits", "neuropeptides", "data") for p in sorted((root / sub).rglob("*"))
             if not is_temporary(p) and p.is_file()]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


class UnsafeCacheFolder(DriveAtlasError, PermissionError):
    """The cache folder is not this user's private folder: what is in it could have been planted by someone else."""


def private_folder(path: Path) -> Path:
    """Create ``path`` (mode 0700) or accept it only if it is a real folder owned by this user and closed to everyone else.

    The folder holds Dash's job results and signing secret and the runs; a folder another user
    could write into would let them plant what the server then reads.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=0o700)
    except FileExistsError:
        pass
    info = os.lstat(path)
    if not stat.S_ISDIR(info.st_mode):
        raise UnsafeCacheFolder(f"cache folder {path} is not a folder (a symbolic link or a file); remove it or choose another")
    if info.st_uid != os.getuid():
        raise UnsafeCacheFolder(f"cache folder {path} belongs to another user (uid {info.st_uid}); choose another "
                                "(DRIVE_ATLAS_WEBAPP_CACHE)")
    if info.st_mode & 0o077:
        raise UnsafeCacheFolder(f"cache folder {path} is open to other users (mode {stat.S_IMODE(info.st_mode):o}); "
                                "remove it or make it private (chmod 700) after checking its contents")
    return path


def default_cache_folder() -> Path:
    """The user's own cache folder (not the shared temp folder, where another user could create the folder first)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "drive-atlas" / "webapp"


@dataclass
class WebContext:
    root: Path
    read_only: bool = False
    limits: Limits = field(default_factory=Limits)
    cache_dir: Path = field(default_factory=default_cache_folder)
    _atlas: Atlas | None = None
    _signature: tuple[tuple[str, int, int], ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, root: Path | None, read_only: bool, limits: Limits, cache_dir: Path | None = None) -> WebContext:
        """The context; the cache folder (``cache_dir``, else ``$DRIVE_ATLAS_WEBAPP_CACHE``, else the user's cache) must be private."""
        cache = cache_dir or os.environ.get("DRIVE_ATLAS_WEBAPP_CACHE")
        ctx = cls(Path(root) if root else default_root(), read_only, limits, Path(cache) if cache else default_cache_folder())
        private_folder(ctx.cache_dir)
        if not read_only:
            remove_stale_temporaries(ctx.root / "circuits")  # what saves killed mid-write left behind
        return ctx

    @property
    def atlas(self) -> Atlas:
        """The atlas as it is on disk now; invalid circuit files are left out and listed in ``atlas.errors``."""
        signature = _signature(self.root)
        with self._lock:
            if self._atlas is None or signature != self._signature:
                self._atlas, self._signature = Atlas.load(self.root, strict=False), signature
            return self._atlas

    def entry(self, circuit_id: str | None) -> CircuitEntry | None:
        return self.atlas.entries.get(circuit_id if isinstance(circuit_id, str) else "")

    def folder(self, name: str) -> Path:
        """A private subfolder of the cache folder (``jobs``, ``slots``, ``runs``)."""
        return private_folder(self.cache_dir / name)

    @property
    def runs_dir(self) -> Path:
        return self.folder("runs")


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the atlas's files: cheap enough to check on every request."""
    files = [p for sub in ("circuits", "neuropeptides", "data") for p in sorted((root / sub).rglob("*")) if p.is_file()]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
