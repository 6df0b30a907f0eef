"""Fixtures for the web app: a COPY of the real atlas root (never the real circuit files) and a circuit to exercise.

Tests read ids from the circuit they are given, so they keep working as the curated circuits change.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas, default_root
from drive_atlas.spec.circuit import Circuit
from drive_atlas.spec.semantics import signalling_paths


def _usable(circuit: Circuit, atlas: Atlas) -> bool:
    """A single (not composite) circuit with projections, protocols, a receptor and a ligand acting at one of its
    receptors (a signalling edge to draw): what the web tests exercise."""
    return bool(not circuit.includes and circuit.projections and circuit.protocols
                and any(p.receptors for p in circuit.populations)
                and signalling_paths(circuit, atlas.ligands, atlas.receptors))


def copy_atlas(destination: Path) -> Path:
    source = default_root()
    for sub in ("circuits", "neuropeptides", "data"):
        shutil.copytree(source / sub, destination / sub)
    return destination


@dataclass(frozen=True)
class Subject:
    """The circuit the tests exercise, and the names in it they use."""

    root: Path
    circuit: Circuit
    path: Path

    @property
    def population(self) -> str:
        return next(p.id for p in self.circuit.populations if p.receptors)

    @property
    def receptor(self) -> str:
        return next(r.receptor for p in self.circuit.populations for r in p.receptors)


def make_subject(root: Path) -> Subject:
    atlas = Atlas.load(root)
    entry = min((e for e in atlas.entries.values() if _usable(e.circuit, atlas)), key=lambda e: sum(p.size for p in e.circuit.populations))
    return Subject(root, entry.circuit, entry.path)


@pytest.fixture
def subject(tmp_path: Path) -> Subject:
    return make_subject(copy_atlas(tmp_path / "atlas"))
