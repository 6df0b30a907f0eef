"""The atlas: every circuit, the ligand catalog, regions and references, loaded and cross-checked."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..spec import (
    Circuit, Ligand, Reference, SpecContext, SpecError, SpecValidationError, YamlDocument, circuit_from_document,
    content_hash, read_yaml,
)
from ..spec.catalog import Receptor
from ..spec.semantics import RunnableCircuit, runnable
from . import history
from .composite import flatten, qualified
from .history import HistoryError
from .reference_data import Region, load_bibliography, load_ligands, load_receptors, load_regions
from .roots import ENV, builtin_root

__all__ = ["Atlas", "CircuitEntry", "default_root"]


def default_root() -> Path:
    """The atlas a library call uses: ``$DRIVE_ATLAS_ROOT`` or the built-in atlas (commands also look where they stand: roots.py)."""
    env = os.environ.get(ENV)
    return Path(env) if env else builtin_root()


@dataclass(frozen=True)
class CircuitEntry:
    """A validated circuit with where it came from, its content hash, and what the simulator runs."""

    circuit: Circuit  # as written: a composite names the circuits it includes
    path: Path
    content_hash: str
    runnable: RunnableCircuit  # what to simulate: a composite flattened with its includes, else the circuit itself
    commit: str | None = None  # the git commit it was read from; None for the working tree

    @property
    def ref(self) -> str:
        return f"{self.circuit.id}@{self.circuit.version}"


@dataclass(repr=False)
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
        """Every circuit file, composites last so that what they include is loaded first."""
        files = sorted((self.root / "circuits").glob("*/*.yaml"))
        return sorted(files, key=lambda f: _is_composite(f))

    def context(self, included: list[Circuit] | None = None) -> SpecContext:
        """What circuits may refer to; with ``included``, also those circuits' qualified parts."""
        parts = [qualified(c) for c in included or []]
        return SpecContext(
            set(self.regions), self.ligands, self.receptors, set(self.references),
            included_populations={p.id: p for c in parts for p in c.populations},
            included_inputs=[i for c in parts for i in c.inputs],
            included=parts,
        )

    def validate_file(self, path: Path) -> Circuit:
        """Validate one circuit file against this atlas's catalog, regions, references and includes."""
        return self._read(Path(path))[0]

    def context_for(self, doc: YamlDocument) -> SpecContext:
        """The context one circuit document is validated in: the atlas's, plus what it includes at their pinned versions."""
        return self.context(self._included(doc))

    def _read(self, path: Path) -> tuple[Circuit, list[Circuit]]:
        doc = read_yaml(path)
        included = self._included(doc)
        return circuit_from_document(doc, self.context(included)), included

    def _included(self, doc: YamlDocument) -> list[Circuit]:
        """The circuits a composite includes, at their pinned versions."""
        refs = doc.data.get("includes") if isinstance(doc.data, dict) else None
        circuits, errors = [], []
        for i, ref in enumerate(refs if isinstance(refs, list) else []):
            if not isinstance(ref, str) or "@" not in ref:
                continue  # the structural check reports the malformed pin
            try:
                circuit = self.at(ref).circuit
            except (KeyError, HistoryError, SpecValidationError) as exc:
                errors.append(doc.error(("includes", i), f"cannot include {ref}: {exc.args[0] if exc.args else exc}"))
                continue
            if circuit.includes:
                errors.append(doc.error(("includes", i), f"{ref} is itself a composite; include its parts instead"))
            circuits.append(circuit)
        if errors:
            raise SpecValidationError(errors)
        return circuits

    def add(self, path: Path) -> CircuitEntry:
        circuit, included = self._read(Path(path))
        if circuit.id in self.entries:
            other = self.entries[circuit.id].path
            raise SpecValidationError([SpecError(str(path), 1, 1, "id", f"circuit id {circuit.id!r} is already used by {other}")])
        entry = CircuitEntry(circuit, Path(path), content_hash(circuit), _runnable(circuit, included))
        self.entries[circuit.id] = entry
        return entry

    def at(self, ref: str) -> CircuitEntry:
        """``id@version`` (the working tree if current, else git history) or ``id@REV`` (the file at a git revision)."""
        circuit_id, _, when = ref.partition("@")
        current = self.entries.get(circuit_id)
        if current is not None and when == current.circuit.version:
            return current
        revision = history.revision_of(self.root, circuit_id, when, self.context_for)
        return CircuitEntry(revision.circuit, revision.path, revision.content_hash, self.runnable(revision.circuit),
                            revision.commit)

    def runnable(self, circuit: Circuit) -> RunnableCircuit:
        """The circuit ready to simulate: a composite flattened with the circuits it includes, at their pinned versions.

        For circuits not (yet) in the atlas too, such as an unsaved draft in the editor.
        """
        return _runnable(circuit, self.parts_of(circuit))

    def parts_of(self, circuit: Circuit) -> list[Circuit]:
        """The circuits a composite includes, as written, at its pinned versions (none for a single circuit)."""
        return [self.at(pin).circuit for pin in circuit.includes]

    def entry(self, key: str) -> CircuitEntry:
        if "@" in key:
            return self.at(key)
        if key not in self.entries:
            known = ", ".join(sorted(self.entries)) or "none"
            raise KeyError(f"no circuit {key!r} in the atlas (known: {known})")
        return self.entries[key]

    def __getitem__(self, key: str) -> RunnableCircuit:
        """The runnable circuit: composites come flattened with the circuits they include."""
        return self.entry(key).runnable

    def __iter__(self) -> Iterator[RunnableCircuit]:
        """The runnable circuits, as indexing returns them (the circuits as written are in ``entries``)."""
        return (e.runnable for e in self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)


def _runnable(circuit: Circuit, included: list[Circuit]) -> RunnableCircuit:
    return flatten(circuit, included) if circuit.includes else runnable(circuit)


def _is_composite(path: Path) -> bool:
    return any(line.startswith("includes:") for line in path.read_text(encoding="utf-8", errors="replace").splitlines())
