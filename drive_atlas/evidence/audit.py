"""Audit verdicts: is each receptor annotation, projection and ligand action backed by the reference data?

A verdict is ``supported`` (the data agree, with the numbers), ``contradicted`` (the data disagree, with
the figure) or ``no_data`` (and why). Only what the data can show is judged: a marker table lists genes
enriched against sibling clusters, so a receptor missing from it is ``no_data``, never ``contradicted``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from ..atlas import Atlas
from ..spec import Circuit, Ligand, Population
from .data import ReferenceData

Status = Literal["supported", "contradicted", "no_data"]

# Regional (Knox et al. 2018) densities below this are treated as noise: a project choice, about three
# orders of magnitude below the strong connections of the model (~1). The cell-class tables are already
# thresholded by their authors, so any value above zero there counts.
REGIONAL_NOISE_FLOOR = 1e-3
# Genes that mark the fast transmitter class, not a cell type: they place a population in the GLU or GABA
# branch of HypoMap and are not used to pick clusters.
CLASS_MARKERS = {"Slc17a6": "GLU", "Slc17a7": "GLU", "Slc32a1": "GABA", "Gad1": "GABA", "Gad2": "GABA"}
TRANSMITTER_CLASS = {"glutamate": "GLU", "GABA": "GABA"}
# Levels too coarse to speak for a cell type: a marker of all glutamatergic neurons (C7) or of a broad class
# (C25) says nothing about one population, so the lineage searched for markers stops below them.
COARSE_LEVELS = frozenset({"C2", "C7", "C25"})
# Population marker -> Allen cell-class connectivity table (Cre line) for that marker.
CRE_LINE = {"Agrp": "Agrp-IRES-Cre", "Pomc": "Pomc-Cre_BL", "Sim1": "Sim1-Cre_KJ18", "Oxt": "Oxt-IRES-Cre",
            "Avp": "Avp-IRES2-Cre", "Lepr": "Lepr-IRES-Cre", "Pmch": "Pmch-Cre", "Kiss1": "Kiss1-Cre",
            "Gal": "Gal-Cre_KI87", "Th": "Th-Cre_FI172"}
ACTION_CLASS = {"Full agonist": "agonist", "Agonist": "agonist", "Partial agonist": "agonist",
                "Antagonist": "antagonist", "Inverse agonist": "inverse_agonist"}
ABSENCE = "absence from a marker table is not evidence of absence"
# The data source each part kind is judged against: an evidence note naming it discusses the data.
SOURCE = {"population": "HypoMap", "receptor": "HypoMap", "projection": "Allen", "action": "GtoPdb"}


@dataclass(frozen=True)
class Verdict:
    """One audited part, its verdict, a one-line reason with the figures, and the data behind it."""

    kind: Literal["population", "receptor", "projection", "action"]
    part: str  # circuit/population, circuit/population:Receptor, circuit/projection or ligand>Receptor
    status: Status
    reason: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- expression (HypoMap)


def _in_class(cluster_id: str, wanted: str, ref: ReferenceData) -> bool:
    """Whether the cluster sits under the HypoMap C7 class of that transmitter (GLU or GABA)."""
    return any(ref.clusters[c]["level"] == "C7" and ref.clusters[c]["cluster_name"].endswith(f": {wanted}")
               for c in ref.lineage(cluster_id) if c in ref.clusters)


def region_names(atlas: Atlas, acronym: str) -> set[str]:
    """The names under which HypoMap can place a population of this region: the region's own and its Allen
    ancestors' (HypoMap summarises subdivisions, such as VMHvl, into their nucleus)."""
    names, node = set(), atlas.regions.get(acronym)
    while node is not None:
        names.add(node.name)
        node = atlas.regions.get(node.parent)
    return names


def cluster_regions(row: dict[str, str]) -> set[str]:
    """Where HypoMap places a cluster: its summarised region and the Allen region its own region prediction ranks
    first (HypoMap summarises the medial preoptic nucleus into the medial preoptic area)."""
    return {r for r in [row["region"], *row.get("predicted_regions", "").split(";")] if r}


def map_clusters(pop: Population, places: set[str], ref: ReferenceData) -> tuple[list[str], list[str]]:
    """The HypoMap clusters of a population: clusters placed in its region (``places``, from ``region_names``), of
    its transmitter class, whose lineage carries the most of its identity markers. Returns (cluster ids, markers
    matched)."""
    identity = [m for m in pop.markers if m not in CLASS_MARKERS]
    wanted_class = TRANSMITTER_CLASS.get(pop.transmitter)
    best: list[str] = []
    best_hits: list[str] = []
    for cid, row in ref.clusters.items():
        if not cluster_regions(row) & places:
            continue
        if wanted_class and not _in_class(cid, wanted_class, ref):
            continue
        lineage = ref.lineage(cid, COARSE_LEVELS)
        names = " ".join(ref.clusters[c]["cluster_name"] for c in lineage if c in ref.clusters)
        genes = {m["gene"] for c in lineage for m in ref.markers.get(c, [])}
        tokens = set(names.replace(":", " ").replace(".", " ").split())
        hits = [m for m in identity if m in genes or m in tokens]
        if len(hits) > len(best_hits):
            best, best_hits = [cid], hits
        elif hits and len(hits) == len(best_hits):
            best.append(cid)
    return sorted(best), best_hits


def audit_population(circuit_id: str, pop: Population, atlas: Atlas, ref: ReferenceData) -> Verdict:
    """Does HypoMap hold this cell type in this region? Supported when clusters placed in the region carry all
    the population's identity markers; no data otherwise (a marker table cannot show absence)."""
    part = f"{circuit_id}/{pop.id}"
    region = atlas.regions.get(pop.region)
    if region is None or region.division != "hypothalamus":
        return Verdict("population", part, "no_data", f"region {pop.region} is outside HypoMap (hypothalamus only)")
    identity = [m for m in pop.markers if m not in CLASS_MARKERS]
    clusters, matched = map_clusters(pop, region_names(atlas, pop.region), ref)
    data = {"clusters": [ref.clusters[c]["cluster_name"] for c in clusters], "markers_matched": matched}
    missing = [m for m in identity if m not in matched]
    if clusters and not missing:
        return Verdict("population", part, "supported",
                       f"{len(clusters)} HypoMap cluster(s) in {pop.region} carry {', '.join(matched)}: "
                       f"{', '.join(data['clusters'][:3])}{' ...' if len(clusters) > 3 else ''}", data)
    found = f"clusters matched on {', '.join(matched)} only; " if clusters else ""
    return Verdict("population", part, "no_data",
                   f"{found}{', '.join(missing) or 'no identity marker'} not a sibling marker of any {pop.region} cluster "
                   f"of its class; {ABSENCE}", data)


def audit_receptor(circuit_id: str, pop: Population, receptor: str, atlas: Atlas, ref: ReferenceData) -> Verdict:
    part = f"{circuit_id}/{pop.id}:{receptor}"
    region = atlas.regions.get(pop.region)
    if region is None or region.division != "hypothalamus":
        return Verdict("receptor", part, "no_data", f"region {pop.region} is outside HypoMap (hypothalamus only)")
    clusters, matched = map_clusters(pop, region_names(atlas, pop.region), ref)
    if not clusters:
        return Verdict("receptor", part, "no_data",
                       f"no HypoMap cluster in {pop.region} carries the markers {', '.join(pop.markers)}")
    found = []
    for cid in clusters:
        for c in ref.lineage(cid, COARSE_LEVELS):
            for m in ref.markers.get(c, []):
                if m["gene"] == receptor:
                    found.append({"cluster": ref.clusters[c]["cluster_name"], "pct_in": float(m["pct_in"]),
                                  "pct_siblings": float(m["pct_siblings"]), "log2fc": float(m["avg_log2FC"])})
    data = {"clusters": [ref.clusters[c]["cluster_name"] for c in clusters], "markers_matched": matched,
            "expression": [dict(t) for t in {tuple(sorted(f.items())) for f in found}]}
    data["expression"].sort(key=lambda f: -f["pct_in"])
    partial = "" if len(matched) == len([m for m in pop.markers if m not in CLASS_MARKERS]) else \
        f" (clusters matched on {', '.join(matched)} only)"
    if found:
        top = data["expression"][0]
        return Verdict("receptor", part, "supported",
                       f"{receptor} is a marker of {top['cluster']}: in {top['pct_in']:.0%} of its cells vs "
                       f"{top['pct_siblings']:.0%} of sibling clusters{partial}", data)
    return Verdict("receptor", part, "no_data",
                   f"{receptor} is not among the sibling marker genes of {len(clusters)} mapped cluster(s){partial}; "
                   f"{ABSENCE}", data)


# ---------------------------------------------------------------- connectivity (Allen)


def audit_projection(circuit: Circuit, proj_id: str, src: Population, dst: Population, atlas: Atlas,
                     ref: ReferenceData) -> Verdict:
    part = f"{circuit.id}/{proj_id}"
    for pop in (src, dst):
        region = atlas.regions.get(pop.region)
        if region is None or region.source == "project":
            return Verdict("projection", part, "no_data",
                           f"region {pop.region} is not an Allen CCF structure (no mesoscale connectivity data)")
    if src.region == dst.region:
        return Verdict("projection", part, "no_data",
                       f"both ends are in {src.region}: mesoscale tracing cannot resolve connections within a region")
    rows = [r for r in ref.allen if r["source"] == src.region and r["target"] == dst.region]
    lines = [CRE_LINE[m] for m in src.markers if m in CRE_LINE]
    for line in lines:
        cell = [r for r in rows if r["line"] == line]
        if cell:
            top = max(cell, key=lambda r: float(r["density"]))
            value = float(top["density"])
            data = {"model": "cell_class", "line": line, "source_leaf": top["source_leaf"],
                    "target_leaf": top["target_leaf"], "density": value}
            if value > 0:
                return Verdict("projection", part, "supported",
                               f"{line} injections in {top['source_leaf']}: density {value:.3g} in {top['target_leaf']} "
                               f"(thresholded cell-class model)", data)
            return Verdict("projection", part, "contradicted",
                           f"{line} injections in {src.region}: density 0 in {dst.region} (thresholded cell-class model)", data)
    regional = [r for r in rows if r["model"] == "regional"]
    why_not_cre = (f"no {', '.join(lines)} data for {src.region}->{dst.region}; " if lines
                   else "no Cre line for this cell type; ")
    if not regional:
        return Verdict("projection", part, "no_data", why_not_cre + f"no regional model entry for {src.region}->{dst.region}")
    top = max(regional, key=lambda r: float(r["density"]))
    value = float(top["density"])
    data = {"model": "regional", "source_leaf": top["source_leaf"], "target_leaf": top["target_leaf"],
            "density": value, "noise_floor": REGIONAL_NOISE_FLOOR}
    where = f"{top['source_leaf']}->{top['target_leaf']}"
    if value >= REGIONAL_NOISE_FLOOR:
        return Verdict("projection", part, "supported",
                       why_not_cre + f"regional model {where}: density {value:.3g} >= noise floor {REGIONAL_NOISE_FLOOR:g}", data)
    return Verdict("projection", part, "contradicted",
                   why_not_cre + f"regional model {where}: density {value:.3g} < noise floor {REGIONAL_NOISE_FLOOR:g}", data)


# ---------------------------------------------------------------- pharmacology (GtoPdb)


def audit_action(ligand: Ligand, index: int, ref: ReferenceData) -> Verdict:
    action = ligand.actions[index]
    part = f"{ligand.id}>{action.receptor}"
    records = ref.gtopdb.get((ligand.id, action.receptor), [])
    if not records:
        return Verdict("action", part, "no_data", f"no GtoPdb record of {ligand.name} at {action.receptor}")
    classes = Counter(ACTION_CLASS.get(r["action"], r["action"]) for r in records)
    mine = "agonist" if action.action in ("agonist", "partial_agonist") else action.action
    data: dict[str, Any] = {"records": [{k: r[k] for k in ("species", "action", "parameter", "value", "pubmed_ids")}
                                        for r in records]}
    if mine not in classes:
        found = "; ".join(sorted({f"{r['action']} ({r['species']})" for r in records}))
        return Verdict("action", part, "contradicted", f"catalog says {action.action}; GtoPdb: {found}", data)
    partial = [r for r in records if r["action"] == "Partial agonist"]
    full = [r for r in records if r["action"] == "Full agonist"]
    if mine == "agonist" and partial and not full and action.efficacy >= 1.0:
        return Verdict("action", part, "contradicted",
                       f"efficacy {action.efficacy:g} (full agonist) but GtoPdb lists a partial agonist "
                       f"({partial[0]['species']}, PMID {partial[0]['pubmed_ids']})", data)
    measured = [r for r in records if r["value"] and r["parameter"]]
    model_p = -math.log10(action.potency * 1e-9)  # potency is stored in nM
    data["model_p"] = round(model_p, 2)
    if measured:
        best = min(measured, key=lambda r: abs(float(r["value"]) - model_p))
        gap = abs(float(best["value"]) - model_p)
        data["measured"] = {k: best[k] for k in ("parameter", "value", "species", "pubmed_ids")}
        status: Status = "supported" if gap <= 1.0 else "contradicted"
        return Verdict("action", part, status,
                       f"potency p{model_p:.2f} vs GtoPdb {best['parameter']} {best['value']} ({best['species']}, "
                       f"PMID {best['pubmed_ids']}): {gap:.2f} log units apart", data)
    kinds = ", ".join(sorted({f"{r['parameter'] or 'no parameter'} ({r['species']})" for r in records}))
    return Verdict("action", part, "supported",
                   f"action class agrees with GtoPdb ({', '.join(sorted({r['action'] for r in records}))}); "
                   f"potency not checked: the GtoPdb copy gives the measure ({kinds}) but no value", data)


# ---------------------------------------------------------------- whole atlas


def explained(verdict: Verdict, evidence: list) -> Verdict:
    """A contradicted part whose evidence says why (a model_assumption note naming the data source) keeps its verdict and
    carries that note, so reviewers see a known, argued disagreement rather than an unnoticed one."""
    if verdict.status != "contradicted":
        return verdict
    notes = [e.note for e in evidence
             if e.kind == "model_assumption" and e.note and SOURCE[verdict.kind].lower() in e.note.lower()]
    if not notes:
        return verdict
    return replace(verdict, reason=f"{verdict.reason}; the evidence says why", data={**verdict.data, "explained": notes[0]})


def audit_circuit(circuit: Circuit, atlas: Atlas, ref: ReferenceData) -> list[Verdict]:
    """Verdicts for a circuit's populations, receptor annotations and projections (a composite: its own parts)."""
    pops = {p.id: p for p in circuit.populations}
    entry = atlas.entries.get(circuit.id)
    runnable = entry.runnable if entry else circuit
    qualified = {p.id: p for p in runnable.populations}
    verdicts = [explained(audit_population(circuit.id, p, atlas, ref), p.evidence) for p in circuit.populations]
    verdicts += [explained(audit_receptor(circuit.id, p, r.receptor, atlas, ref), r.evidence)
                 for p in circuit.populations for r in p.receptors]
    for proj in circuit.projections:
        src = pops.get(proj.source) or qualified.get(proj.source)
        dst = pops.get(proj.target) or qualified.get(proj.target)
        if src is None or dst is None:
            verdicts.append(Verdict("projection", f"{circuit.id}/{proj.id}", "no_data", "an end population was not found"))
            continue
        verdicts.append(explained(audit_projection(circuit, proj.id, src, dst, atlas, ref), proj.evidence))
    return verdicts


def audit_ligands(atlas: Atlas, ref: ReferenceData, ids: set[str] | None = None) -> list[Verdict]:
    return [explained(audit_action(lig, i, ref), lig.actions[i].evidence) for lig in atlas.ligands.values()
            if ids is None or lig.id in ids for i in range(len(lig.actions))]


def audit_atlas(atlas: Atlas, ids: list[str] | None = None, ref: ReferenceData | None = None) -> list[Verdict]:
    """Every verdict, or those of the named circuits and ligands."""
    ref = ref or ReferenceData.load(atlas.root / "data")
    wanted = set(ids or [])
    verdicts = []
    for cid, entry in sorted(atlas.entries.items()):
        if not wanted or cid in wanted:
            verdicts += audit_circuit(entry.circuit, atlas, ref)
    if not wanted or wanted & set(atlas.ligands):
        verdicts += audit_ligands(atlas, ref, (wanted & set(atlas.ligands)) or None)
    return verdicts


def summary(verdicts: list[Verdict]) -> dict[str, dict[str, int]]:
    """Counts per part kind and status."""
    out: dict[str, dict[str, int]] = {}
    for v in verdicts:
        out.setdefault(v.kind, {"supported": 0, "contradicted": 0, "no_data": 0})[v.status] += 1
    return out
