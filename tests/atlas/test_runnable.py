"""The atlas hands simulation runnable circuits: indexing and iteration agree, composites come flattened."""

from __future__ import annotations

from drive_atlas.atlas import Atlas
from drive_atlas.spec.semantics import RunnableCircuit

COMPOSITE = "hunger_pain"


def test_iteration_gives_what_indexing_gives(atlas: Atlas) -> None:
    """Defect: ``atlas[id]`` was the flattened composite, ``iter(atlas)`` the composite as written."""
    assert [c.id for c in atlas] == list(atlas.entries)
    for circuit in atlas:
        assert isinstance(circuit, RunnableCircuit) and circuit == atlas[circuit.id] == atlas.entry(circuit.id).runnable


def test_a_composite_is_flattened_with_its_pinned_parts(atlas: Atlas) -> None:
    entry = atlas.entry(COMPOSITE)
    flat, written = entry.runnable, entry.circuit
    assert written.includes and not flat.includes
    for pin in written.includes:
        part = atlas.at(pin).circuit
        assert {f"{part.id}.{p.id}" for p in part.populations} <= {p.id for p in flat.populations}
    assert {pr.id for pr in written.projections} <= {pr.id for pr in flat.projections}
    assert (flat.id, flat.version, flat.protocols) == (written.id, written.version, written.protocols)
    assert atlas.at(entry.ref).runnable == flat
