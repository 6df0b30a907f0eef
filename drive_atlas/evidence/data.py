"""The derived reference tables in ``data/`` (see data/SOURCES.md), loaded once per atlas root."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..atlas.reference_data import read_table

TABLES = {
    "gtopdb": ("gtopdb_actions.csv", ("ligand", "receptor", "species", "action", "parameter", "value", "pubmed_ids")),
    "clusters": ("hypomap_clusters.csv", ("cluster_id", "cluster_name", "level", "parent_id", "region")),
    "markers": ("hypomap_markers.csv", ("gene", "cluster_id", "avg_log2FC", "pct_in", "pct_siblings")),
    "allen": ("allen_projections.csv", ("model", "line", "source", "source_leaf", "target", "target_leaf", "density")),
}




@dataclass(frozen=True)
class ReferenceData:
    """Rows of the four derived tables, indexed the way the audit asks for them."""

    gtopdb: dict[tuple[str, str], list[dict[str, str]]]
    clusters: dict[str, dict[str, str]]
    markers: dict[str, list[dict[str, str]]]  # cluster id -> marker rows
    allen: list[dict[str, str]]
    children: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path) -> ReferenceData:
        return _load(Path(data_dir).resolve())

    def lineage(self, cluster_id: str, skip_levels: frozenset[str] = frozenset()) -> list[str]:
        """The cluster, its ancestors (except those at ``skip_levels``) and its descendants: where a marker of
        this cell type can show."""
        up, node = [], self.clusters.get(cluster_id, {}).get("parent_id", "")
        while node in self.clusters and self.clusters[node]["level"] not in skip_levels:
            up.append(node)
            node = self.clusters[node]["parent_id"]
        down, stack = [], [cluster_id]
        while stack:
            node = stack.pop()
            down.append(node)
            stack.extend(self.children.get(node, []))
        return down + up


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> ReferenceData:
    rows = {key: read_table(data_dir / name, cols) for key, (name, cols) in TABLES.items()}
    gtopdb: dict[tuple[str, str], list[dict[str, str]]] = {}
    for row in rows["gtopdb"]:
        gtopdb.setdefault((row["ligand"], row["receptor"]), []).append(row)
    clusters = {row["cluster_id"]: row for row in rows["clusters"]}
    children: dict[str, list[str]] = {}
    for row in rows["clusters"]:
        children.setdefault(row["parent_id"], []).append(row["cluster_id"])
    markers: dict[str, list[dict[str, str]]] = {}
    for row in rows["markers"]:
        markers.setdefault(row["cluster_id"], []).append(row)
    return ReferenceData(gtopdb, clusters, markers, rows["allen"], children)
