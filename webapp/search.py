"""The atlas as table rows, and search across circuits by region, marker, ligand or receptor.

A query such as "Oxtr" answers "which circuits express Oxtr?": each circuit row
lists where the term matched, so the researcher sees why a circuit is shown.
"""

from __future__ import annotations

from typing import Any

from drive_atlas.atlas import Atlas, CircuitEntry
from drive_atlas.atlas.cache import read_current_summary

FACETS = ("region", "marker", "ligand", "receptor")


def circuit_terms(entry: CircuitEntry) -> dict[str, set[str]]:
    """The searchable names of a circuit, by facet (ligands are those released, set by inputs, or named by receptors' ligands)."""
    c = entry.circuit
    return {
        "region": {p.region for p in c.populations},
        "marker": {m for p in c.populations for m in p.markers},
        "ligand": {r.ligand for p in c.populations for r in p.releases} | {i.ligand for i in c.inputs if i.kind == "ligand"},
        "receptor": {r.receptor for p in c.populations for r in p.receptors},
    }


def matches(entry: CircuitEntry, query: str, facet: str = "any") -> list[str]:
    """``facet:name`` for each searchable name containing ``query`` (case-insensitive)."""
    needle = query.strip().lower()
    if not needle:
        return []
    terms = circuit_terms(entry)
    facets = FACETS if facet == "any" else (facet,)
    return sorted(f"{f}:{name}" for f in facets for name in terms[f] if needle in name.lower())


def circuit_rows(atlas: Atlas, query: str = "", facet: str = "any") -> list[dict[str, Any]]:
    """One row per circuit for the atlas table; with a query, only circuits that match it."""
    rows = []
    for entry in atlas.entries.values():
        found = matches(entry, query, facet)
        if query.strip() and not found:
            continue
        c = entry.circuit
        rows.append({
            "id": c.id, "title": c.title, "drive": c.drive, "species": c.species, "version": c.version, "status": c.status,
            "populations": len(c.populations), "projections": len(c.projections), "assays": len(c.assays),
            "assays passing": _assays_passing(atlas, entry), "robustness": _robustness(atlas, entry),
            "matched": ", ".join(found),
        })
    return rows


def _assays_passing(atlas: Atlas, entry: CircuitEntry) -> str:
    """'n/m' from the last full ``drive-atlas test`` run of this exact content, or '' if none."""
    summary = read_current_summary(atlas.root, "assays", entry.circuit.id, entry.content_hash)
    return f"{summary['passed']}/{summary['total']}" if summary else ""


def _robustness(atlas: Atlas, entry: CircuitEntry) -> str:
    """The lowest per-assay pass fraction from ``drive-atlas robustness``, with the band it sampled."""
    summary = read_current_summary(atlas.root, "robustness", entry.circuit.id, entry.content_hash)
    fractions = [a["pass_fraction"] for a in (summary or {}).get("assays", []) if a.get("pass_fraction") is not None]
    return f"{min(fractions):.0%} at ±{summary['fraction']:.0%}" if fractions else ""
