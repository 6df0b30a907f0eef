"""The audit shown to users: verdict colours for the circuit graph, the data behind each verdict, and the
share of a circuit's parts the data support (for the atlas table)."""

from __future__ import annotations

from typing import Any

from dash import html

from drive_atlas.atlas import Atlas
from drive_atlas.evidence import ReferenceData, Verdict, audit_atlas, share_supported
from drive_atlas.spec import Circuit, SpecValidationError

VERDICT_COLORS = {"supported": "#2e7d32", "contradicted": "#c62828", "no_data": "#9e9e9e"}
LABELS = {"supported": "supported", "contradicted": "contradicted", "no_data": "no data"}


def reference_data(atlas: Atlas) -> ReferenceData | None:
    """The derived tables of this atlas root, or None when the root has none (an audit is then not shown)."""
    try:
        return ReferenceData.load(atlas.root / "data")
    except SpecValidationError:
        return None


def circuit_verdicts(atlas: Atlas, circuit_id: str) -> dict[str, Verdict]:
    """Verdicts of a circuit's parts and of the ligand actions it uses, keyed by part name."""
    ref = reference_data(atlas)
    if ref is None or circuit_id not in atlas.entries:
        return {}
    entry = atlas.entries[circuit_id]
    ligands = sorted({r.ligand for p in entry.runnable.populations for r in p.releases}
                     | {i.ligand for i in entry.runnable.inputs if i.kind == "ligand"})
    return {v.part: v for v in audit_atlas(atlas, [circuit_id, *ligands], ref=ref)}


def audit_share(atlas: Atlas, circuit_id: str) -> str:
    """'n/m supported (p%)' over the circuit's populations, receptor annotations and projections, '' without data."""
    verdicts = [v for v in circuit_verdicts(atlas, circuit_id).values() if v.kind != "action"]
    share = share_supported(verdicts)
    if share is None:
        return ""
    return f"{sum(v.status == 'supported' for v in verdicts)}/{len(verdicts)} ({share:.0%})"


def _combined(statuses: list[str]) -> str:
    if "contradicted" in statuses:
        return "contradicted"
    return "supported" if "supported" in statuses else "no_data"


def annotate(elements: list[dict[str, Any]], circuit: Circuit, verdicts: dict[str, Verdict]) -> list[dict[str, Any]]:
    """Add each element's verdict (data ``audit`` and class ``audit-<status>``): a projection its own; a
    population the combination of its own and its receptor annotations' (contradicted wins over supported); a signalling
    edge the combination of the ligand action and the target's receptor annotation."""
    out = []
    for element in elements:
        data = element["data"]
        statuses: list[str] = []
        if data.get("kind") == "population":
            pop = next(p for p in circuit.populations if p.id == data["id"])
            keys = [f"{circuit.id}/{pop.id}"] + [f"{circuit.id}/{pop.id}:{r.receptor}" for r in pop.receptors]
            statuses = [verdicts[k].status for k in keys if k in verdicts]
        elif data.get("kind") == "projection" and f"{circuit.id}/{data['id']}" in verdicts:
            statuses = [verdicts[f"{circuit.id}/{data['id']}"].status]
        elif data.get("kind") == "signalling":
            _, ligand, receptor, target = data["id"].rsplit(":", 3)  # the source may itself hold a colon
            statuses = [verdicts[k].status for k in (f"{ligand}>{receptor}", f"{circuit.id}/{target}:{receptor}") if k in verdicts]
        if not statuses:
            out.append(element)
            continue
        status = _combined(statuses)
        classes = f"{element.get('classes', '')} audit-{status}".strip()
        out.append({**element, "data": {**data, "audit": status}, "classes": classes})
    return out


def audit_stylesheet() -> list[dict[str, Any]]:
    """Rules that colour nodes and edges by verdict; grey for parts without one."""
    rules: list[dict[str, Any]] = [
        {"selector": "node", "style": {"background-color": VERDICT_COLORS["no_data"], "text-outline-color": VERDICT_COLORS["no_data"]}},
        {"selector": "edge", "style": {"line-color": "#bdbdbd", "target-arrow-color": "#bdbdbd"}},
    ]
    for status, color in VERDICT_COLORS.items():
        rules += [
            {"selector": f"node.audit-{status}", "style": {"background-color": color, "text-outline-color": color}},
            {"selector": f"edge.audit-{status}", "style": {"line-color": color, "target-arrow-color": color}},
        ]
    return rules


def _data_lines(verdict: Verdict) -> list[Any]:
    """The figures behind a verdict: clusters and expression, connection density, GtoPdb records."""
    d = verdict.data
    lines: list[Any] = []
    if d.get("clusters"):
        lines.append(html.Li(f"HypoMap clusters: {', '.join(d['clusters'])}"))
    for e in d.get("expression", [])[:4]:
        lines.append(html.Li(f"{e['cluster']}: in {e['pct_in']:.0%} of cells vs {e['pct_siblings']:.0%} of siblings "
                             f"(log2 fold change {e['log2fc']:.2f})"))
    if "density" in d:
        model = f"cell-class model, {d['line']}" if d.get("model") == "cell_class" else "regional model (Knox et al. 2018)"
        lines.append(html.Li(f"{model}: {d['source_leaf']} → {d['target_leaf']}, density {d['density']:.3g}"))
    for r in d.get("records", [])[:6]:
        value = f" {r['value']}" if r["value"] else " (value not in the data)"
        lines.append(html.Li(f"GtoPdb: {r['action']}, {r['species']}, {r['parameter'] or 'no measure'}{value}; "
                             f"PMID {r['pubmed_ids'] or 'none'}"))
    if d.get("explained"):
        lines.append(html.Li(["evidence says why: ", html.I(d["explained"])]))
    return lines


def verdict_panel(verdicts: list[Verdict]) -> list[Any]:
    """An 'Audit' section for the details panel: each verdict, its reason and its data."""
    if not verdicts:
        return []
    items = [html.Li([html.B(LABELS[v.status], className=f"audit-verdict audit-{v.status}",
                             style={"color": VERDICT_COLORS[v.status]}), f" {v.part}: {v.reason}",
                      html.Ul(_data_lines(v))]) for v in verdicts]
    return [html.H5("Audit against reference data"), html.Ul(items, className="audit")]


def verdicts_for(tapped: dict[str, Any], circuit: Circuit, verdicts: dict[str, Verdict]) -> list[Verdict]:
    """The verdicts about a tapped node or edge."""
    if "source" in tapped:
        if tapped["id"].startswith("sig:"):
            _, ligand, receptor, target = tapped["id"].rsplit(":", 3)
            keys = [f"{ligand}>{receptor}", f"{circuit.id}/{target}:{receptor}"]
        else:
            keys = [f"{circuit.id}/{tapped['id']}"]
    else:
        pop = next((p for p in circuit.populations if p.id == tapped["id"]), None)
        keys = [f"{circuit.id}/{pop.id}"] + [f"{circuit.id}/{pop.id}:{r.receptor}" for r in pop.receptors] if pop else []
    return [verdicts[k] for k in keys if k in verdicts]
