"""The semantic diff finds each kind of change, with old and new values and the level it needs."""

from __future__ import annotations

import json

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import Circuit, circuit_from_document, parse_yaml_text
from drive_atlas.versioning import Change, diff_circuits
from drive_atlas.versioning.diff import render_markdown, render_text

from .conftest import FIXTURES, HUNGER, NEW_POPULATION, AtlasRepo, bump



@pytest.fixture
def atlas(repo: AtlasRepo) -> Atlas:
    return repo.load()


def parse(atlas: Atlas, text: str) -> Circuit:
    return circuit_from_document(parse_yaml_text(text, FIXTURES / "edited.yaml"), atlas.context())


def changes(atlas: Atlas, edited: str) -> dict[str, Change]:
    d = diff_circuits(parse(atlas, HUNGER), parse(atlas, edited))
    return {c.path: c for c in d.changes}


def test_no_semantic_change_for_reordering_and_unit_spelling(atlas: Atlas) -> None:
    pvh = HUNGER[HUNGER.index("  - id: pvh"):HUNGER.index("projections:")]
    reordered = HUNGER.replace(pvh, "").replace("populations:\n", "populations:\n" + pvh)
    respelled = reordered.replace("weight: 20 pA", "weight: 0.02 nA").replace("duration: 2 s", "duration: 2000 ms")
    assert diff_circuits(parse(atlas, HUNGER), parse(atlas, respelled)).changes == ()


def test_population_added_removed_and_changed(atlas: Atlas) -> None:
    added = changes(atlas, HUNGER.replace("projections:\n", NEW_POPULATION, 1))
    assert added["populations.pomc"].kind == "added" and added["populations.pomc"].level == "minor"
    assert added["populations.pomc"].new["size"] == 50
    resized = changes(atlas, HUNGER.replace("size: 100\n    background", "size: 120\n    background"))
    assert (resized["populations.agrp.size"].old, resized["populations.agrp.size"].new, resized["populations.agrp.size"].level) == (100, 120, "patch")
    pvh = HUNGER[HUNGER.index("  - id: pvh"):HUNGER.index("projections:")]
    projections = HUNGER[HUNGER.index("projections:"):HUNGER.index("inputs:")]
    removed = changes(atlas, HUNGER.replace(pvh, "").replace(projections, "projections: []\n").replace("population: pvh", "population: agrp"))
    assert removed["populations.pvh"].kind == "removed" and removed["populations.pvh"].level == "major"
    assert removed["projections.agrp_to_pvh"].level == "minor"


def test_projection_changes(atlas: Atlas) -> None:
    found = changes(atlas, HUNGER.replace("weight: 20 pA", "weight: 25 pA").replace("indegree: 10", "indegree: 12"))
    weight = found["projections.agrp_to_pvh.weight"]
    assert (weight.kind, weight.old, weight.new, weight.level) == ("changed", "20 pA", "25 pA", "patch")
    assert found["projections.agrp_to_pvh.connection"].new == {"rule": "fixed_indegree", "indegree": 12}


def test_receptor_annotations(atlas: Atlas) -> None:
    npy1r = "      - receptor: Npy1r\n        gain: 50 pA\n        evidence: [{kind: model_assumption, note: test}]\n    evidence: [{kind: optogenetic"
    found = changes(atlas, HUNGER.replace("    evidence: [{kind: optogenetic", npy1r, 1).replace("gain: 150 pA", "gain: 120 pA"))
    assert found["populations.agrp.receptors.Npy1r"].kind == "added" and found["populations.agrp.receptors.Npy1r"].level == "minor"
    assert found["populations.agrp.receptors.Ghsr.gain"].level == "patch"


def test_inputs(atlas: Atlas) -> None:
    found = changes(atlas, HUNGER.replace("baseline: 0.1 nM", "baseline: 0.2 nM").replace("id: food_cue", "id: odor_cue"))
    assert found["inputs.ghrelin.baseline"].old == "0.1 nM" and found["inputs.ghrelin.baseline"].new == "0.2 nM"
    assert found["inputs.food_cue"].kind == "removed" and found["inputs.food_cue"].level == "major"  # a rename breaks users
    assert found["inputs.odor_cue"].kind == "added"


def test_protocols_assays_and_evidence(atlas: Atlas) -> None:
    edited = (HUNGER.replace("  sated:\n    duration: 2 s\n", "  sated:\n    duration: 3 s\n  lesion:\n    duration: 2 s\n")
              .replace("phenomenon: Ghrelin raises AgRP firing.", "phenomenon: Ghrelin raises AgRP firing in slices.")
              .replace("refs: [atasoy2012]}]\nprojections", "refs: [atasoy2012, aponte2011]}]\nprojections"))
    found = changes(atlas, edited)
    assert found["protocols.lesion"].kind == "added" and found["protocols.lesion"].level == "minor"
    assert found["protocols.sated.duration"].old == "2000 ms" and found["protocols.sated.duration"].new == "3000 ms"
    assert found["assays.ghrelin_excites_agrp.phenomenon"].level == "patch"
    evidence = found["populations.pvh.evidence"]
    assert evidence.old[0]["refs"] == ["atasoy2012"] and evidence.new[0]["refs"] == ["atasoy2012", "aponte2011"] and evidence.level == "patch"
    no_assay = HUNGER[:HUNGER.index("assays:")] + "assays: []\n" + HUNGER[HUNGER.index("interface:"):]
    assert changes(atlas, no_assay)["assays.ghrelin_excites_agrp"].kind == "removed"


def test_breaking_the_agent_interface_is_major(atlas: Atlas) -> None:
    no_interface = HUNGER[:HUNGER.index("interface:")]
    d = diff_circuits(parse(atlas, HUNGER), parse(atlas, no_interface))
    assert d.level == "major" and d.changes[0].path == "interface"


def test_version_and_its_changelog_entry_are_bookkeeping(atlas: Atlas) -> None:
    d = diff_circuits(parse(atlas, HUNGER), parse(atlas, bump(HUNGER, "1.0.1")))
    assert {c.path for c in d.changes} == {"version", "changelog.1.0.1"} and d.level is None


def test_renderings(atlas: Atlas) -> None:
    d = diff_circuits(parse(atlas, HUNGER), parse(atlas, HUNGER.replace("size: 100\n    background", "size: 120\n    background")))
    assert "~ populations.agrp.size: 100 -> 120  [patch]" in render_text(d)
    assert "| populations | changed | `populations.agrp.size` | `100` | `120` | patch |" in render_markdown(d)
    assert json.loads(json.dumps(d.as_dict()))["level"] == "patch"
