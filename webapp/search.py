"""The atlas as table rows, and search across circuits by region, marker, ligand or receptor.

A query such as "Oxtr" answers "which circuits express Oxtr?": each circuit row
lists where the term matched, so the researcher sees why a circuit is shown.
"""

from __future__ import annotations

from typing import Any

from drive_atlas.atlas import Atlas, CircuitEntry

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
            "matched": ", ".join(found),
        })
    return rows
