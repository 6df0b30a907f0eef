"""Graph building: nodes per population placed along the neuraxis, synapses by sign, peptide signalling dashed."""

from __future__ import annotations

from drive_atlas.atlas import Atlas
from drive_atlas.atlas.reference_data import DIVISION_ORDER
from drive_atlas.web.graph import build_elements, signalling_paths, stylesheet

from ..conftest import FIXTURE_ROOT as FIXTURE_ATLAS


def _atlas() -> Atlas:
    return Atlas.load(FIXTURE_ATLAS)


def test_one_node_per_population_and_input_one_edge_per_projection() -> None:
    atlas = _atlas()
    circuit = atlas["mini"]
    elements = build_elements(circuit, atlas)
    nodes = {e["data"]["id"]: e for e in elements if "source" not in e["data"]}
    edges = {e["data"]["id"]: e for e in elements if "source" in e["data"]}
    assert {p.id for p in circuit.populations} | {f"input:{i.id}" for i in circuit.inputs} == set(nodes)
    assert edges["agrp_to_pvh"]["classes"] == "projection inhibitory"
    assert edges["pvh_to_agrp"]["classes"] == "projection excitatory"


def test_signalling_follows_the_catalog_from_release_to_receptor() -> None:
    atlas = _atlas()
    paths = {(s.source, s.ligand, s.receptor, s.target, s.effect) for s in signalling_paths(atlas["mini"], atlas)}
    # agrp releases NPY, which acts at Npy1r (Gi/o, inhibitory) on pvh; circulating ghrelin excites agrp through Ghsr.
    assert ("agrp", "npy", "Npy1r", "pvh", "inhibitory") in paths
    assert ("input:ghrelin", "ghrelin", "Ghsr", "agrp", "excitatory") in paths
    signalling = [e for e in build_elements(atlas["mini"], atlas) if e["data"].get("kind") == "signalling"]
    assert signalling and all("signalling" in e["classes"] for e in signalling)
    dashed = next(s for s in stylesheet() if s["selector"] == ".signalling")
    assert dashed["style"]["line-style"] == "dashed"


def test_layout_puts_caudal_divisions_below_rostral_ones() -> None:
    atlas = _atlas()
    circuit = atlas["mini"].model_copy(deep=True)
    circuit.populations[1].region = "PAG"  # midbrain: must sit below the hypothalamic agrp
    nodes = {e["data"]["id"]: e for e in build_elements(circuit, atlas) if "position" in e}
    assert atlas.regions["PAG"].division == "midbrain"
    assert nodes["pvh"]["position"]["y"] > nodes["agrp"]["position"]["y"], "screen y grows downwards"
    assert all(n["position"]["y"] > nodes["pvh"]["position"]["y"] for k, n in nodes.items() if k.startswith("input:"))
    assert DIVISION_ORDER.index("midbrain") < DIVISION_ORDER.index("hypothalamus")


def test_colour_modes_read_different_node_data() -> None:
    by_division = next(s for s in stylesheet("division") if s["selector"] == "node")["style"]["background-color"]
    by_transmitter = next(s for s in stylesheet("transmitter") if s["selector"] == "node")["style"]["background-color"]
    assert (by_division, by_transmitter) == ("data(division_color)", "data(transmitter_color)")


def test_atlas_rows_show_current_assay_and_robustness_summaries_only(subject) -> None:
    from drive_atlas.atlas import Atlas
    from drive_atlas.atlas.cache import summary_path, write_summary
    from drive_atlas.web.search import circuit_rows

    atlas = Atlas.load(subject.root)
    entry = atlas.entry(subject.circuit.id)
    write_summary(summary_path(subject.root, "assays", entry.circuit.id), {"content_hash": entry.content_hash, "passed": 3, "total": 4})
    write_summary(summary_path(subject.root, "robustness", entry.circuit.id),
                  {"content_hash": "sha256:stale", "fraction": 0.2, "assays": [{"pass_fraction": 0.5}]})
    row = next(r for r in circuit_rows(atlas) if r["id"] == entry.circuit.id)
    assert row["assays passing"] == "3/4"
    assert row["robustness"] == ""  # made for other content: not shown
