"""The atlas: every circuit, the ligand catalog, regions and references, loaded and cross-checked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..spec import Circuit, Ligand, Reference, SpecContext, SpecError, SpecValidationError, content_hash, load_circuit
from ..spec.catalog import Receptor
from .reference_data import Region, load_bibliography, load_ligands, load_receptors, load_regions

__all__ = ["Atlas", "CircuitEntry", "default_root"]


def default_root() -> Path:
    """The atlas data root: ``$DRIVE_ATLAS_ROOT`` or the repository this package lives in."""
    env = os.environ.get("DRIVE_ATLAS_ROOT")
    return Path(env) if env else Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class CircuitEntry:
    """A validated circuit with where it came from and its content hash."""

    circuit: Circuit
    path: Path
    content_hash: str

    @property
    def ref(self) -> str:
        return f"{self.circuit.id}@{self.circuit.version}"


@dataclass
class Atlas:
    root: Path
    regions: dict[str, Region]
    references: dict[str, Reference]
    receptors: dict[str, Receptor]
    ligands: dict[str, Ligand]
    entries: dict[str, CircuitEntry] = field(default_factory=dict)
    errors: list[SpecError] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"Atlas(root={str(self.root)!r}, circuits={sorted(self.entries)})"

    @classmethod
    def load(cls, root: Path | None = None, *, strict: bool = True) -> Atlas:
        """Load the whole atlas. With ``strict``, any invalid file raises with all errors found."""
        root = Path(root) if root else default_root()
        regions = load_regions(root / "data" / "regions.csv")
        references = load_bibliography(root / "data" / "references.yaml")
        receptors = load_receptors(root / "neuropeptides" / "receptors.yaml", set(references))
        ligands = load_ligands(root / "neuropeptides", receptors, set(references))
        atlas = cls(root, regions, references, receptors, ligands)
        for path in atlas.circuit_files():
            try:
                atlas.add(path)
            except SpecValidationError as exc:
                atlas.errors.extend(exc.errors)
        if strict and atlas.errors:
            raise SpecValidationError(atlas.errors)
        return atlas

    def circuit_files(self) -> list[Path]:
        return sorted((self.root / "circuits").glob("*/*.yaml"))

    def context(self) -> SpecContext:
        return SpecContext(set(self.regions), self.ligands, self.receptors, set(self.references))

    def validate_file(self, path: Path) -> Circuit:
        """Validate one circuit file against this atlas's catalog, regions and references."""
        return load_circuit(Path(path), self.context())

    def add(self, path: Path) -> CircuitEntry:
        circuit = self.validate_file(path)
        if circuit.id in self.entries:
            other = self.entries[circuit.id].path
            raise SpecValidationError([SpecError(str(path), 1, 1, "id", f"circuit id {circuit.id!r} is already used by {other}")])
        entry = CircuitEntry(circuit, Path(path), content_hash(circuit))
        self.entries[circuit.id] = entry
        return entry

    def entry(self, key: str) -> CircuitEntry:
        if key not in self.entries:
            known = ", ".join(sorted(self.entries)) or "none"
            raise KeyError(f"no circuit {key!r} in the atlas (known: {known})")
        return self.entries[key]

    def __getitem__(self, key: str) -> Circuit:
        return self.entry(key).circuit

    def __iter__(self) -> Iterator[Circuit]:
        return (e.circuit for e in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)
