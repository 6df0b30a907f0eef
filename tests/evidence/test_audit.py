"""The audit judges each part from the reference tables, and a wrong verdict would be caught."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from drive_atlas.atlas import Atlas
from drive_atlas.cli import main
from drive_atlas.evidence import ReferenceData, audit_atlas, summary
from drive_atlas.evidence.audit import REGIONAL_NOISE_FLOOR, audit_action, audit_circuit
from drive_atlas.spec import SpecValidationError


@pytest.fixture(scope="module")
def ref(atlas: Atlas) -> ReferenceData:
    return ReferenceData.load(atlas.root / "data")


def _verdicts(atlas: Atlas, ref: ReferenceData, circuit: str):
    return {v.part: v for v in audit_circuit(atlas.entries[circuit].circuit, atlas, ref)}


def test_every_receptor_projection_and_action_has_a_verdict(atlas: Atlas, ref: ReferenceData) -> None:
    verdicts = audit_atlas(atlas, ref=ref)
    receptors = sum(len(p.receptors) for e in atlas.entries.values() for p in e.circuit.populations)
    projections = sum(len(e.circuit.projections) for e in atlas.entries.values())
    actions = sum(len(lig.actions) for lig in atlas.ligands.values())
    counts = summary(verdicts)
    assert sum(counts["population"].values()) == sum(len(e.circuit.populations) for e in atlas.entries.values())
    assert sum(counts["receptor"].values()) == receptors
    assert sum(counts["projection"].values()) == projections
    assert sum(counts["action"].values()) == actions
    assert all(v.reason for v in verdicts)


def test_cell_class_table_is_preferred_when_the_cre_line_exists(atlas: Atlas, ref: ReferenceData) -> None:
    verdict = _verdicts(atlas, ref, "hunger")["hunger/agrp_to_pvh"]
    assert verdict.status == "supported"
    assert verdict.data["line"] == "Agrp-IRES-Cre" and verdict.data["density"] > 0


def test_zero_density_contradicts_a_projection(atlas: Atlas, ref: ReferenceData) -> None:
    """If the cell-class table said 0 for AgRP ARH->PVH, the projection would be contradicted with the figure."""
    rows = [dict(r, density="0") if r["line"] == "Agrp-IRES-Cre" and r["target"] == "PVH" else r for r in ref.allen]
    verdict = _verdicts(atlas, replace(ref, allen=rows), "hunger")["hunger/agrp_to_pvh"]
    assert verdict.status == "contradicted" and "density 0" in verdict.reason


def test_regional_density_below_the_noise_floor_contradicts(atlas: Atlas, ref: ReferenceData) -> None:
    low = str(REGIONAL_NOISE_FLOOR / 10)
    rows = [dict(r, density=low) if r["source"] == "NTS" and r["target"] == "PBl" else r for r in ref.allen]
    verdict = _verdicts(atlas, replace(ref, allen=rows), "hunger")["hunger/nts_to_pbn"]
    assert verdict.status == "contradicted" and "noise floor" in verdict.reason


def test_missing_marker_is_no_data_never_contradicted(atlas: Atlas, ref: ReferenceData) -> None:
    verdict = _verdicts(atlas, ref, "hunger")["hunger/pvh_mc4r:Mc4r"]
    assert verdict.status == "no_data" and "not evidence of absence" in verdict.reason


def test_receptor_marker_supports_with_its_expression(atlas: Atlas, ref: ReferenceData) -> None:
    verdict = _verdicts(atlas, ref, "hunger")["hunger/agrp:Lepr"]
    assert verdict.status == "supported"
    assert any("Agrp" in c for c in verdict.data["clusters"])
    assert verdict.data["expression"][0]["pct_in"] > verdict.data["expression"][0]["pct_siblings"]
    # Without the Lepr rows the same annotation has no data (and is not contradicted).
    markers = {c: [m for m in rows if m["gene"] != "Lepr"] for c, rows in ref.markers.items()}
    assert _verdicts(atlas, replace(ref, markers=markers), "hunger")["hunger/agrp:Lepr"].status == "no_data"


def test_regions_outside_the_data_say_why(atlas: Atlas, ref: ReferenceData) -> None:
    pain = _verdicts(atlas, ref, "pain")
    assert "outside HypoMap" in pain["pain/cea:Calcrl"].reason
    assert "not an Allen CCF structure" in pain["pain/nociceptor_to_lamina1"].reason
    assert "within a region" in pain["pain/pag_gaba_to_out"].reason


def _with_record(ref: ReferenceData, key: tuple[str, str], **fields: str) -> ReferenceData:
    record = {"ligand": key[0], "receptor": key[1], "species": "Human", "action": "Full agonist",
              "parameter": "", "value": "", "pubmed_ids": "1"} | fields
    return replace(ref, gtopdb={**ref.gtopdb, key: [record]})


def test_action_class_mismatch_is_contradicted(atlas: Atlas, ref: ReferenceData) -> None:
    morphine = atlas.ligands["morphine"]
    assert audit_action(morphine, 0, ref).status == "supported"
    verdict = audit_action(morphine, 0, _with_record(ref, ("morphine", "Oprm1"), action="Antagonist"))
    assert verdict.status == "contradicted" and "Antagonist" in verdict.reason


def test_potency_is_judged_within_one_log_unit(atlas: Atlas, ref: ReferenceData) -> None:
    morphine = atlas.ligands["morphine"]  # potency 50 nM: p = 7.30
    near = audit_action(morphine, 0, _with_record(ref, ("morphine", "Oprm1"), parameter="pKi", value="8.0"))
    far = audit_action(morphine, 0, _with_record(ref, ("morphine", "Oprm1"), parameter="pKi", value="9.5"))
    assert near.status == "supported" and far.status == "contradicted"
    assert "2.20 log units" in far.reason


def test_partial_agonist_contradicts_full_efficacy(atlas: Atlas, ref: ReferenceData) -> None:
    enk = atlas.ligands["enkephalin"]
    index = [a.receptor for a in enk.actions].index("Oprm1")
    partial = _with_record(ref, ("enkephalin", "Oprm1"), action="Partial agonist")
    expected = "contradicted" if enk.actions[index].efficacy >= 1.0 else "supported"
    assert audit_action(enk, index, partial).status == expected


def test_unknown_compound_has_no_data(atlas: Atlas, ref: ReferenceData) -> None:
    assert audit_action(atlas.ligands["ghsr_antagonist"], 0, ref).status == "no_data"


def test_a_table_missing_a_column_names_the_file(tmp_path: Path, atlas: Atlas) -> None:
    for name in ("gtopdb_actions.csv", "hypomap_clusters.csv", "hypomap_markers.csv", "allen_projections.csv"):
        (tmp_path / name).write_text((atlas.root / "data" / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "allen_projections.csv").write_text("model,line\nregional,\n", encoding="utf-8")
    with pytest.raises(SpecValidationError, match="allen_projections.csv.*missing column"):
        ReferenceData.load(tmp_path)


def test_cli_audit_json_and_unknown_id() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["audit", "hunger", "oxytocin", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert {v["kind"] for v in data["verdicts"]} == {"population", "receptor", "projection", "action"}
    assert runner.invoke(main, ["audit", "no_such_thing"]).exit_code == 1
    markdown = runner.invoke(main, ["audit", "social_reward", "--format", "markdown"])
    assert markdown.exit_code == 0 and "| projection |" in markdown.output


def test_a_contradiction_the_evidence_argues_is_marked_explained(atlas: Atlas, ref: ReferenceData) -> None:
    """The catalog keeps enkephalin's full efficacy at MOR against GtoPdb and its evidence says why."""
    verdicts = {v.part: v for v in audit_atlas(atlas, ["enkephalin", "vasopressin"], ref=ref)}
    assert verdicts["enkephalin>Oprm1"].status == "contradicted"
    assert "GtoPdb" in verdicts["enkephalin>Oprm1"].data["explained"]
    assert verdicts["vasopressin>Oxtr"].status == "supported"  # now a partial agonist, as GtoPdb lists it


def test_population_is_mapped_by_its_identity_markers_not_its_class(atlas: Atlas, ref: ReferenceData) -> None:
    """POMC neurons map to Pomc clusters; Pomc being a weak marker of all glutamatergic neurons (C7) must not
    place them in every glutamatergic arcuate cluster."""
    verdict = _verdicts(atlas, ref, "hunger")["hunger/pomc"]
    assert verdict.status == "supported"
    assert all("Pomc" in c or "Prdm12" in c for c in verdict.data["clusters"]), verdict.data["clusters"]
    mc4r = _verdicts(atlas, ref, "hunger")["hunger/pvh_mc4r"]
    assert mc4r.status == "no_data" and "Mc4r" in mc4r.reason and "not evidence of absence" in mc4r.reason


def test_a_subdivision_maps_to_the_nucleus_hypomap_summarises_it_into(atlas: Atlas, ref: ReferenceData) -> None:
    """HypoMap places clusters in the VMH as a whole: VMHvl Esr1 and VMHdm SF1 neurons map there through their
    Allen ancestor, and without that rule would have no cluster at all."""
    verdicts = _verdicts(atlas, ref, "parental_care")
    esr1 = verdicts["parental_care/vmhvl_esr1"]
    assert esr1.status == "supported" and esr1.data["clusters"]
    assert all("GLU" in c for c in esr1.data["clusters"])
    assert _verdicts(atlas, ref, "threat")["threat/vmh_sf1"].data["markers_matched"] == ["Nr5a1"]


def test_a_nucleus_maps_through_hypomaps_own_region_prediction(atlas: Atlas, ref: ReferenceData) -> None:
    """MPOA galanin neurons sit in the medial preoptic nucleus, which HypoMap summarises into the medial preoptic
    area; the cluster's first-ranked predicted region places it in the nucleus. Without the prediction column the
    pools have no cluster (no data)."""
    pool = _verdicts(atlas, ref, "parental_care")["parental_care/gal_vta"]
    assert pool.status == "supported"
    assert "C286-170: Dlx1.Gal.Nts.GABA-1" in pool.data["clusters"]
    bare = {cid: dict(row, predicted_regions="") for cid, row in ref.clusters.items()}
    assert _verdicts(atlas, replace(ref, clusters=bare), "parental_care")["parental_care/gal_vta"].status == "no_data"


@pytest.mark.parametrize("circuit", ["threat", "parental_care"])
def test_receptor_annotations_of_the_social_instinct_circuits_are_supported_by_hypomap(
        atlas: Atlas, ref: ReferenceData, circuit: str) -> None:
    """Their receptor annotations rest on HypoMap expression alone (no cited paper tests the receptors), so each
    must keep a supported verdict, with the cluster named in its evidence."""
    verdicts = _verdicts(atlas, ref, circuit)
    annotations = [(p, a) for p in atlas.entries[circuit].circuit.populations for a in p.receptors]
    assert annotations
    for pop, ann in annotations:
        verdict = verdicts[f"{circuit}/{pop.id}:{ann.receptor}"]
        assert verdict.status == "supported", verdict.reason
        top = verdict.data["expression"][0]["cluster"].split(":")[0]
        assert any(top in (e.note or "") for e in ann.evidence if "steuernagel2022" in e.refs), (pop.id, top)
