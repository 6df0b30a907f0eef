"""A small fixture atlas in a real git repository: reference data, one ligand, and circuits written by the test."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas

from ..conftest import REPO

FIXTURES = Path(__file__).parents[1] / "fixtures" / "versioning"
HUNGER = (FIXTURES / "hunger.yaml").read_text()
# A population to add to HUNGER (insert it before "projections:").
NEW_POPULATION = """  - id: pomc
    name: ARH POMC neurons
    region: ARH
    transmitter: glutamate
    size: 50
    evidence: [{kind: model_assumption, note: added in a test}]
projections:
"""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass
class AtlasRepo:
    """An atlas root that is also a git repository on branch ``main``."""

    root: Path

    def git(self, *args: str) -> str:
        done = subprocess.run(["git", *args], cwd=self.root, env={**os.environ, **GIT_ENV}, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def circuit_path(self, circuit_id: str = "hunger", drive: str = "hunger") -> Path:
        return self.root / "circuits" / drive / f"{circuit_id}.yaml"

    def write(self, text: str, circuit_id: str = "hunger", drive: str = "hunger") -> Path:
        path = self.circuit_path(circuit_id, drive)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def commit(self, message: str) -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--no-gpg-sign", "-m", message)
        return self.git("rev-parse", "HEAD")

    def load(self) -> Atlas:
        return Atlas.load(self.root, strict=False)


@pytest.fixture
def repo(tmp_path: Path) -> AtlasRepo:
    """The fixture atlas with ``hunger@1.0.0`` committed on main."""
    root = tmp_path / "atlas"
    shutil.copytree(FIXTURES / "atlas", root)
    shutil.copy(REPO / "data" / "regions.csv", root / "data" / "regions.csv")
    atlas_repo = AtlasRepo(root)
    atlas_repo.git("init", "-q", "-b", "main")
    atlas_repo.write(HUNGER)
    atlas_repo.commit("hunger 1.0.0")
    return atlas_repo


def bump(text: str, version: str, changes: str = "A change.") -> str:
    """The circuit text at a new version with its changelog entry on top."""
    old = text.split('version: "', 1)[1].split('"', 1)[0]
    entry = f'changelog:\n  - version: "{version}"\n    date: 2026-02-01\n    changes: {changes}\n'
    return text.replace(f'version: "{old}"\ntitle', f'version: "{version}"\ntitle', 1).replace("changelog:\n", entry, 1)
