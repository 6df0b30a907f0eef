"""Loading the atlas's shared reference data: regions, bibliography, ligand catalog."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..spec import Bibliography, Ligand, ReceptorCatalog, Reference, SpecError, SpecValidationError, read_yaml, validate_document
from ..spec.catalog import Receptor
from ..spec.checks import Problem, missing_references
from ..spec.errors import display_path


@dataclass(frozen=True)
class Region:
    acronym: str
    name: str
    parent: str
    division: str  # the major division used for layout: hypothalamus, midbrain, pons, medulla, ...
    color: str
    source: str


DIVISIONS = {"HY": "hypothalamus", "MB": "midbrain", "P": "pons", "MY": "medulla", "STR": "striatum", "PAL": "pallidum"}
DIVISION_ORDER = ["periphery", "spinal cord", "medulla", "pons", "midbrain", "hypothalamus", "pallidum", "striatum", "other"]


def read_table(path: Path, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV table that must have ``columns``; a missing file or column is a located error."""
    name = display_path(path)
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise SpecValidationError([SpecError(name, 1, 1, "", f"missing column(s): {', '.join(missing)}")])
            return list(reader)
    except OSError as exc:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None


REGION_COLUMNS = ("acronym", "name", "allen_id", "parent_acronym", "structure_id_path", "color_hex", "source")


def load_regions(path: Path) -> dict[str, Region]:
    """The region ontology: Allen CCF acronyms (a subset) plus project-defined regions."""
    name = display_path(path)
    rows = read_table(path, REGION_COLUMNS)
    short = [i + 2 for i, row in enumerate(rows) if any(row.get(c) is None for c in REGION_COLUMNS)]
    if short:
        raise SpecValidationError([SpecError(name, line, 1, "", f"row has fewer than {len(REGION_COLUMNS)} columns") for line in short])
    id_to_acronym = {r["allen_id"]: r["acronym"] for r in rows if r["allen_id"]}
    regions = {}
    for row in rows:
        ancestors = [id_to_acronym.get(i, "") for i in row["structure_id_path"].strip("/").split("/") if i]
        division = next((DIVISIONS[a] for a in reversed(ancestors) if a in DIVISIONS), "")
        if not division:
            division = {"DRG": "periphery", "SpDH": "spinal cord", "RVM": "medulla"}.get(row["acronym"], "other")
        regions[row["acronym"]] = Region(row["acronym"], row["name"], row["parent_acronym"], division, "#" + row["color_hex"], row["source"])
    return regions


def load_bibliography(path: Path) -> dict[str, Reference]:
    doc = read_yaml(path)
    if isinstance(doc.data, list):  # the file is a plain list of references
        doc = replace(doc, data={"references": doc.data}, positions={("references", *k): v for k, v in doc.positions.items()})
    bib = validate_document(doc, Bibliography)
    errors, seen = [], set()
    for i, ref in enumerate(bib.references):
        if ref.key in seen:
            errors.append(doc.error(("references", i, "key"), f"duplicate reference key {ref.key!r}"))
        seen.add(ref.key)
    if errors:
        raise SpecValidationError(errors)
    return {r.key: r for r in bib.references}


def load_receptors(path: Path, references: set[str]) -> dict[str, Receptor]:
    doc = read_yaml(path)
    catalog = validate_document(doc, ReceptorCatalog)
    errors = [doc.error(loc, msg) for loc, msg in _missing_refs(catalog.receptors, "receptors", references)]
    genes = [r.gene for r in catalog.receptors]
    errors += [doc.error(("receptors", i, "gene"), f"duplicate receptor {g!r}") for i, g in enumerate(genes) if genes.index(g) != i]
    if errors:
        raise SpecValidationError(errors)
    return {r.gene: r for r in catalog.receptors}


def load_ligands(folder: Path, receptors: dict[str, Receptor], references: set[str]) -> dict[str, Ligand]:
    """One YAML file per ligand; a ligand's id must match its file name."""
    ligands: dict[str, Ligand] = {}
    errors: list[SpecError] = []
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "receptors.yaml":
            continue
        try:
            doc = read_yaml(path)
            ligand = validate_document(doc, Ligand)
        except SpecValidationError as exc:
            errors.extend(exc.errors)
            continue
        if ligand.id != path.stem:
            errors.append(doc.error(("id",), f"ligand id {ligand.id!r} must match the file name {path.name!r}"))
        for j, action in enumerate(ligand.actions):
            if action.receptor not in receptors:
                errors.append(doc.error(("actions", j, "receptor"), f"unknown receptor {action.receptor!r} (not in {display_path(folder / 'receptors.yaml')})"))
        errors.extend(doc.error(loc, msg) for loc, msg in _missing_refs([ligand], None, references))
        ligands[ligand.id] = ligand
    if errors:
        raise SpecValidationError(errors)
    return ligands


def _missing_refs(items: list[Receptor] | list[Ligand], section: str | None, references: set[str]) -> Iterator[Problem]:
    for i, item in enumerate(items):
        yield from missing_references(item, (section, i) if section else (), references)
