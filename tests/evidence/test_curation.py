"""The evidence entries an independent audit flagged stay fixed: each cites the paper that showed the claim,
with the kind of experiment that paper did."""

from __future__ import annotations

from drive_atlas.atlas import Atlas


def _population(atlas: Atlas, circuit: str, pop_id: str):  # type: ignore[no-untyped-def]
    return next(p for p in atlas.entries[circuit].circuit.populations if p.id == pop_id)


def _annotation(atlas: Atlas, circuit: str, pop_id: str, receptor: str):  # type: ignore[no-untyped-def]
    return next(r for r in _population(atlas, circuit, pop_id).receptors if r.receptor == receptor)


def _all_evidence(atlas: Atlas):  # type: ignore[no-untyped-def]
    for entry in atlas.entries.values():
        c = entry.circuit
        for p in c.populations:
            yield from p.evidence
            for part in [*p.receptors, *p.releases]:
                yield from part.evidence
        for part in [*c.projections, *c.inputs]:
            yield from part.evidence
        if c.readout:
            yield from c.readout.evidence


def test_harding2022_has_the_published_pages_and_doi(atlas: Atlas) -> None:
    ref = atlas.references["harding2022"]
    assert ref.volume_pages == "50(D1):D1282-D1294" and ref.doi == "10.1093/nar/gkab1010" and ref.pmid == "34718737"


def test_pvh_mc4r_cites_the_pvh_mc4r_papers(atlas: Atlas) -> None:
    pop = _population(atlas, "hunger", "pvh_mc4r")
    refs = {k for e in pop.evidence for k in e.refs}
    assert {"balthasar2005", "garfield2015"} <= refs and "atasoy2012" not in refs
    assert "balthasar2005" in {k for e in _annotation(atlas, "hunger", "pvh_mc4r", "Mc4r").evidence for k in e.refs}


def test_receptor_sites_are_not_claimed_from_papers_that_did_not_show_them(atlas: Atlas) -> None:
    glp1r = _annotation(atlas, "hunger", "nts", "Glp1r")
    assert any("does not place" in (e.note or "") for e in glp1r.evidence if "turton1996" in e.refs)
    cckar = _annotation(atlas, "hunger", "nts", "Cckar")
    assert any("no receptor or site" in (e.note or "") for e in cckar.evidence if "gibbs1973" in e.refs)
    npy1r = _annotation(atlas, "hunger", "pomc", "Npy1r")
    assert any("roseberry2004" in e.refs for e in npy1r.evidence)
    assert not any("cowley2001" in e.refs for e in npy1r.evidence)


def test_nac_serotonin_release_cites_the_measurement(atlas: Atlas) -> None:
    release = next(r for r in _population(atlas, "social_reward", "dr_5ht").releases if r.ligand == "serotonin")
    assert any("walsh2018" in e.refs for e in release.evidence)


def test_vta_oxtr_route_is_not_claimed_exclusive(atlas: Atlas) -> None:
    notes = " ".join(e.note or "" for e in _all_evidence(atlas) if e.kind != "model_assumption" and "hung2017" in e.refs)
    assert not any(word in notes for word in ("only", "exclusiv", "the route"))


def test_evidence_kinds_match_the_methods(atlas: Atlas) -> None:
    entries = list(_all_evidence(atlas))
    assert not any(e.kind == "review" and "keramati2014" in e.refs for e in entries)  # a theory paper
    assert not any(e.kind == "optogenetic_mapping" and "krashes2011" in e.refs for e in entries)  # chemogenetics
    assert not any(e.kind == "optogenetic_mapping" and "photometry" in (e.note or "") for e in entries)
    assert not any(e.kind == "optogenetic_mapping" and "respond to food cues" in (e.note or "") for e in entries)
    deletion = _annotation(atlas, "social_reward", "dr_5ht", "Oxtr")
    assert not any(e.kind == "pharmacology" and "dolen2013" in e.refs for e in deletion.evidence)


def test_every_ligand_action_cites_its_gtopdb_record_where_one_exists(atlas: Atlas) -> None:
    import csv

    with (atlas.root / "data" / "gtopdb_actions.csv").open(encoding="utf-8") as handle:
        recorded = {(r["ligand"], r["receptor"]) for r in csv.DictReader(handle)}
    for ligand in atlas.ligands.values():
        for action in ligand.actions:
            cites = any("harding2022" in e.refs and e.kind == "pharmacology" for e in action.evidence)
            assert cites == ((ligand.id, action.receptor) in recorded), f"{ligand.id}>{action.receptor}"
