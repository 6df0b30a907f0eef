"""Regenerate the atlas's derived reference tables in data/ from the raw public tables.

Usage: python tools/derive_reference_tables.py RAW_DIR [ATLAS_ROOT]

RAW_DIR holds the downloaded sources (see data/SOURCES.md for their origin and licence). Only small
subsets are written, restricted to what the atlas uses: its ligand-receptor actions, its receptor and
marker genes, and its regions. Values are copied unchanged (rounded to 4 significant digits); no
whole table is copied.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from drive_atlas.atlas import Atlas  # noqa: E402
from drive_atlas.evidence.audit import cluster_regions, region_names  # noqa: E402

# Catalog ligand id -> the ligand's name in GtoPdb (None: a generic or non-GtoPdb compound).
GTOPDB_LIGAND = {
    "agrp": "agouti-related protein", "alpha_msh": "α-MSH", "beta_endorphin": "β-endorphin",
    "cck": "CCK-8", "cgrp": "α-CGRP", "dopamine": "dopamine", "dynorphin": "dynorphin A",
    "enkephalin": "[Leu]enkephalin", "exendin_9_39": "exendin-(9-39)", "ghrelin": "ghrelin",
    "ghsr_antagonist": None, "glp1": "glucagon-like peptide 1-(7-36) amide", "insulin": "insulin",
    "l368899": "L-368,899", "leptin": "leptin", "melanotan_ii": "MT-II", "morphine": "morphine",
    "naloxone": "naloxone", "npy": "neuropeptide Y", "oxytocin": "oxytocin",
    "serotonin": "5-hydroxytryptamine", "substance_p": "substance P", "vasopressin": "vasopressin",
    "angiotensin_ii": "angiotensin II", "pge2": "PGE2", "ono_ae3_240": "ONO-AE3-240",
    "crh": "corticotrophin-releasing hormone", "galanin": "galanin", "pacap": "PACAP-38",
}
# Where a catalog gene is one subunit of several GtoPdb targets, the target the catalog entry means.
# Also where the mouse gene has no GtoPdb symbol of its own (AT1a: GtoPdb's AT1 receptor is AGTR1).
GTOPDB_TARGET = {"Calcrl": "CGRP receptor",  # CALCRL with RAMP1; AM1/AM2 are CALCRL with RAMP2/3
                 "Agtr1a": "AT1 receptor"}
CRE_LINES = ["Agrp-IRES-Cre", "Pomc-Cre_BL", "Sim1-Cre_KJ18", "Oxt-IRES-Cre", "Avp-IRES2-Cre", "Lepr-IRES-Cre",
             "Pmch-Cre", "Kiss1-Cre", "Gal-Cre_KI87", "Th-Cre_FI172", "C57BL6J"]
VALUE_COLUMNS = ["affinity_units", "affinity_high", "affinity_median", "affinity_low"]


def _sig(x: float) -> str:
    return f"{x:.4g}"


def gtopdb(raw: Path, atlas: Atlas) -> pd.DataFrame:
    """One row per GtoPdb record of a catalog action (ligand, receptor); the receptor matched by gene symbol
    (GtoPdb gives human, rat or mouse symbols, so the match is case-insensitive)."""
    inter = pd.read_csv(raw / "interactions.csv", dtype=str)
    rows = []
    for ligand in atlas.ligands.values():
        for action in ligand.actions:
            name = GTOPDB_LIGAND.get(ligand.id)
            hits = inter[inter["ligand"] == name] if name else inter.iloc[0:0]
            if action.receptor in GTOPDB_TARGET:
                hits = hits[hits["target"] == GTOPDB_TARGET[action.receptor]]
            else:
                genes = hits["target_gene_symbol"].fillna("").str.split("|")
                hits = hits[[action.receptor.upper() in [g.upper() for g in gs] for gs in genes]]
            for _, h in hits.iterrows():
                value = next((h[c] for c in ("affinity_median", "affinity_high") if isinstance(h[c], str)), "")
                rows.append({
                    "ligand": ligand.id, "receptor": action.receptor, "gtopdb_ligand": name, "gtopdb_target": h["target"],
                    "species": h["target_species"], "action": h["action"], "endogenous": h["endogenous"],
                    "parameter": h["affinity_units"] if h["affinity_units"] != "-" else "",
                    "value": value, "value_low": h["affinity_low"] if isinstance(h["affinity_low"], str) else "",
                    "pubmed_ids": h["pubmed_id"] if isinstance(h["pubmed_id"], str) else "",
                })
    return pd.DataFrame(rows).drop_duplicates()


def hypomap(raw: Path, atlas: Atlas) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Cluster tree (all 1,036 clusters: id, name, level, parent, region) and the marker rows of atlas genes."""
    overview = pd.read_csv(raw / "supplementary_table_3_hypomap_cluster_overview.csv")
    edges = pd.read_csv(raw / "supplementary_table_4_hypomap_cluster_edgelist.csv")
    parent = dict(zip(edges["to"], edges["from"]))
    clusters = pd.DataFrame({
        "cluster_id": overview["cluster_id"], "cluster_name": overview["cluster_name"],
        "level": overview["clusterlevel"], "parent_id": overview["cluster_id"].map(parent).fillna(""),
        "region": overview["Region_summarized"].fillna(""), "ncells": overview["ncells"],
    })
    clusters["predicted_regions"] = _predicted_regions(raw, clusters)
    keep = _hypothalamic_lineages(clusters, atlas)
    clusters = clusters[clusters["cluster_id"].isin(keep)]
    genes = set(atlas.receptors)
    for entry in atlas.entries.values():
        for pop in entry.circuit.populations:
            genes.update(pop.markers)
            genes.update(r.receptor for r in pop.receptors)
    markers = pd.read_csv(raw / "supplementary_table_6_hypomap_sibling_marker_genes.csv")
    markers = markers[markers["gene"].isin(genes) & markers["cluster_id"].isin(keep)]
    markers = markers[["gene", "cluster_id", "avg_log2FC", "pct.1", "pct.2", "p_val_adj"]].rename(
        columns={"pct.1": "pct_in", "pct.2": "pct_siblings"})
    for col in ("avg_log2FC", "p_val_adj"):
        markers[col] = markers[col].map(_sig)
    return clusters, markers.sort_values(["gene", "cluster_id"])


def _predicted_regions(raw: Path, clusters: pd.DataFrame) -> list[str]:
    """Per cluster, the Allen region HypoMap's region prediction (supplementary table 8, C286 clusters) ranks first,
    where it differs from the cluster's summarised region (empty otherwise, or where the cluster has no summarised
    region): the nucleus a summarised region stands for, such as the medial preoptic nucleus."""
    pred = pd.read_csv(raw / "supplementary_table_8_hypomap_region_prediction_C286.csv")
    top = pred.sort_values("aba_enrichment", ascending=False).drop_duplicates("cluster_id")
    best = dict(zip(top["cluster_id"], top["region_name"]))
    return [best.get(cid, "") if summary and best.get(cid, summary) != summary else ""
            for cid, summary in zip(clusters["cluster_id"], clusters["region"])]


def _hypothalamic_lineages(clusters: pd.DataFrame, atlas: Atlas) -> set[str]:
    """Clusters placed in a region of an atlas population (the audit's rule), with all their ancestors and
    descendants."""
    names = set().union(*(region_names(atlas, p.region) for e in atlas.entries.values() for p in e.circuit.populations))
    parent = dict(zip(clusters["cluster_id"], clusters["parent_id"]))
    children: dict[str, list[str]] = {}
    for child, par in parent.items():
        children.setdefault(par, []).append(child)
    keep: set[str] = set()
    placed = [bool(cluster_regions(row) & names) for row in clusters.fillna("").astype(str).to_dict("records")]
    for seed in clusters.loc[placed, "cluster_id"]:
        node = seed
        while node in parent:
            keep.add(node)
            node = parent[node]
        stack = [seed]
        while stack:
            node = stack.pop()
            keep.add(node)
            stack.extend(children.get(node, []))
    return keep


def allen(raw: Path, atlas: Atlas) -> pd.DataFrame:
    """Projection densities between atlas regions: Knox et al. regional model and the Cre-line leaf tables."""
    tree = pd.read_csv(raw / "structure_tree_safe_2017.csv")
    by_id = dict(zip(tree["id"], tree["acronym"]))
    path = dict(zip(tree["acronym"], tree["structure_id_path"]))
    regions = {a for a, r in atlas.regions.items() if r.source != "project"}
    wanted = set()
    for entry in atlas.entries.values():
        circuit = entry.runnable
        for pop in circuit.populations:
            wanted.add(pop.region)
    wanted &= regions

    def under(acronym: str) -> str | None:
        """The wanted region that contains this structure, if any."""
        ids = [int(i) for i in str(path.get(acronym, "")).strip("/").split("/") if i]
        return next((by_id[i] for i in reversed(ids) if by_id.get(i) in wanted), None)

    def around(acronym: str) -> list[str]:
        """Wanted regions that contain this structure or lie inside it (the regional model's summary
        structures can be coarser than an atlas region, e.g. PB for PBl)."""
        inside = under(acronym)
        if inside:
            return [inside]
        sid = f"/{tree.loc[tree['acronym'] == acronym, 'id'].iloc[0]}/" if acronym in path else None
        return sorted(w for w in wanted if sid and sid in str(path.get(w, "")))

    rows = []
    model = pd.read_csv(raw / "homogeneous-standard-model.csv", header=[0, 1], index_col=0)
    for (hemi, target_id), column in model.items():
        target_leaf = by_id.get(int(target_id), "")
        if hemi != "ipsi":
            continue
        for target in around(target_leaf):
            for source_id, value in column.items():
                source_leaf = by_id.get(int(source_id), "")
                for source in around(source_leaf):
                    rows.append({"model": "regional", "line": "", "source": source, "source_leaf": source_leaf,
                                 "target": target, "target_leaf": target_leaf, "density": _sig(value)})
    for line in CRE_LINES:
        table = pd.read_csv(raw / f"el_leafsurf_leafsmth_leafleaf_{line}_080222.csv", header=[0, 1], index_col=0)
        table = table.dropna(how="all")
        for leaf, row in table.iterrows():
            source = under(leaf)
            if source is None:
                continue
            for (hemi, target_leaf), value in row.items():
                target = under(target_leaf)
                if hemi == "ipsi" and target is not None and pd.notna(value):
                    rows.append({"model": "cell_class", "line": line, "source": source, "source_leaf": leaf,
                                 "target": target, "target_leaf": target_leaf, "density": _sig(value)})
    return pd.DataFrame(rows).sort_values(["model", "line", "source", "target", "source_leaf", "target_leaf"])


def main(argv: list[str]) -> None:
    raw = Path(argv[1])
    atlas = Atlas.load(Path(argv[2]) if len(argv) > 2 else ROOT)
    out = atlas.root / "data"
    gtopdb(raw, atlas).to_csv(out / "gtopdb_actions.csv", index=False, quoting=csv.QUOTE_MINIMAL)
    clusters, markers = hypomap(raw, atlas)
    clusters.to_csv(out / "hypomap_clusters.csv", index=False)
    markers.to_csv(out / "hypomap_markers.csv", index=False)
    allen(raw, atlas).to_csv(out / "allen_projections.csv", index=False)


if __name__ == "__main__":
    main(sys.argv)
