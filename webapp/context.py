"""What every page shares: the atlas (reloaded when its files change), the mode and the limits."""

from __future__ import annotations

import os
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from drive_atlas.atlas import Atlas, CircuitEntry, default_root
from drive_atlas.authoring import is_temporary, remove_stale_temporaries

from .limits import Limits


def _signature(root: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and mtimes of the atlas's files: cheap enough to check on every request.

    A save's temporary and lock files are not atlas files (and vanish between listing and ``stat``).
    """
    files = [p for sub in ("circuits", "neuropeptides", "data") for p in sorted((root / sub).rglob("*"))
             if not is_temporary(p) and p.is_file()]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@dataclass
class WebContext:
    root: Path
    read_only: bool = False
    limits: Limits = field(default_factory=Limits)
    cache_dir: Path = field(default_factory=lambda: Path(tempfile.gettempdir()) / f"drive-atlas-webapp-{os.getuid()}")
    _atlas: Atlas | None = None
    _signature: tuple[tuple[str, int, int], ...] = ()
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, root: Path | None, read_only: bool, limits: Limits, cache_dir: Path | None = None) -> WebContext:
        ctx = cls(Path(root) if root else default_root(), read_only, limits)
        if not read_only:
            remove_stale_temporaries(ctx.root / "circuits")  # what saves killed mid-write left behind
        cache = cache_dir or os.environ.get("DRIVE_ATLAS_WEBAPP_CACHE")
        if cache:
            ctx.cache_dir = Path(cache)
        ctx.cache_dir.mkdir(parents=True, exist_ok=True)
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
        return self.atlas.entries.get(circuit_id or "")

    @property
    def runs_dir(self) -> Path:
        path = self.cache_dir / "runs"
        path.mkdir(parents=True, exist_ok=True)
        return path
