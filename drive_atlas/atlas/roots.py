"""Which atlas a command acts on, found as git finds a repository.

In order: ``--root``; the current folder or its nearest parent holding ``circuits/`` and
``neuropeptides/``; ``$DRIVE_ATLAS_ROOT``; the built-in atlas. The built-in atlas is the
package data of an installed package (``drive_atlas/builtin/``), or the repository itself
in a source checkout or an editable install.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV = "DRIVE_ATLAS_ROOT"
_PACKAGE = Path(__file__).resolve().parents[1]
PACKAGED = _PACKAGE / "builtin"  # where a wheel puts the built-in atlas
CHECKOUT = _PACKAGE.parent  # the repository, when the package is run from its source


@dataclass(frozen=True)
class AtlasRoot:
    """An atlas root and how it was found (said to the user, so they know which atlas a command judged)."""

    path: Path
    source: str

    def describe(self) -> str:
        return f"atlas {self.path} ({self.source})"


def is_atlas_root(path: Path) -> bool:
    return (path / "circuits").is_dir() and (path / "neuropeptides").is_dir()


def builtin_root() -> Path:
    """The atlas shipped with the package: its package data, else the checkout it runs from."""
    return PACKAGED if is_atlas_root(PACKAGED) else CHECKOUT


def enclosing_root(start: Path) -> Path | None:
    """``start`` or its nearest parent that holds an atlas."""
    start = start.resolve()
    return next((folder for folder in (start, *start.parents) if is_atlas_root(folder)), None)


def find_root(explicit: Path | None = None, cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> AtlasRoot:
    """The atlas root a command uses, and why."""
    if explicit is not None:
        return AtlasRoot(Path(explicit), "--root")
    here = enclosing_root(cwd or Path.cwd())
    if here is not None:
        return AtlasRoot(here, "found from the current folder")
    env = (os.environ if environ is None else environ).get(ENV)
    if env:
        return AtlasRoot(Path(env), f"${ENV}")
    return AtlasRoot(builtin_root(), "built-in")
