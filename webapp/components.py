"""Small building blocks shared by pages: evidence with reference links, tables, detail panels."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
from dash import dcc, html

from drive_atlas.atlas import Atlas
from drive_atlas.spec import Circuit, SpecError
from drive_atlas.spec.circuit import Population
from drive_atlas.spec.common import Evidence
from drive_atlas.spec.semantics import neurons, population_scale, receptor_sign

from .graph import signalling_paths


def grid(grid_id: str | dict[str, str], rows: list[dict[str, Any]], columns: list[str], height: int = 300, **kwargs: Any) -> dag.AgGrid:
    """A sortable, filterable table; column names double as row keys."""
    return dag.AgGrid(
        id=grid_id, rowData=rows, columnDefs=[{"field": c} for c in columns],
        defaultColDef={"sortable": True, "filter": True, "resizable": True, "flex": 1, "minWidth": 90},
        dashGridOptions={"animateRows": False}, style={"height": f"{height}px"}, className="ag-theme-alpine", **kwargs,
    )


def reference_link(atlas: Atlas, key: str) -> html.Span:
    ref = atlas.references.get(key)
    if ref is None:
        return html.Span(key, className="ref-missing")
    label = f"{ref.short()}: {ref.title}"
    return html.Span(html.A(label, href=ref.url, target="_blank", rel="noopener") if ref.url else label, className="ref")


def evidence_list(atlas: Atlas, evidence: list[Evidence]) -> html.Ul:
    """Each line of evidence with its kind; a model assumption is labelled as such, never as a finding."""
    items = []
    for ev in evidence:
        kind = "model assumption" if ev.kind == "model_assumption" else ev.kind.replace("_", " ")
        parts: list[Any] = [html.B(kind, className=f"evidence-kind {ev.kind}")]
        for key in ev.refs:
            parts += [" · ", reference_link(atlas, key)]
        if ev.note:
            parts += [" — ", html.I(ev.note)]
        items.append(html.Li(parts))
    return html.Ul(items, className="evidence")


def _fields(pairs: list[tuple[str, Any]]) -> html.Table:
    return html.Table([html.Tr([html.Th(k), html.Td(v)]) for k, v in pairs if v not in (None, "", [])], className="fields")


def _size(circuit: Circuit, pop: Population) -> str:
    """The population's size, and the neurons it runs with when the circuit runs a fraction of them."""
    run = neurons(circuit, pop)
    return str(pop.size) if run == pop.size else f"{pop.size} (runs {run}: population_scale {population_scale(circuit):g})"


def population_details(circuit: Circuit, atlas: Atlas, pop_id: str) -> list[Any]:
    pop = next(p for p in circuit.populations if p.id == pop_id)
    region = atlas.regions.get(pop.region)
    out: list[Any] = [html.H4(f"{pop.name} ({pop.id})"), _fields([
        ("region", f"{pop.region} — {region.name} ({region.division})" if region else pop.region),
        ("transmitter", pop.transmitter), ("size", _size(circuit, pop)), ("markers", ", ".join(pop.markers)),
        ("neuron model", f"{pop.neuron.model} {pop.neuron.params or ''}"),
        ("background", f"{pop.background.rate:g} Hz × {pop.background.weight:g}" if pop.background else None),
    ]), html.H5("Evidence"), evidence_list(atlas, pop.evidence)]
    for release in pop.releases:
        out += [html.H5(f"Releases {release.ligand} (gain {release.gain:g} nM/Hz)"), evidence_list(atlas, release.evidence)]
    for annotation in pop.receptors:
        receptor = atlas.receptors.get(annotation.receptor)
        sign = receptor_sign(annotation, atlas.receptors) if receptor else annotation.effect
        overridden = " (here; overrides the catalog)" if receptor and annotation.effect and annotation.effect != receptor.effect else ""
        coupling = f", {receptor.coupling}" if receptor else ""
        coupling += f", {sign}{overridden}" if sign else ""
        out += [html.H5(f"Expresses {annotation.receptor} (gain {annotation.gain:g} pA{coupling})"), evidence_list(atlas, annotation.evidence)]
    return out


def edge_details(circuit: Circuit, atlas: Atlas, edge_id: str) -> list[Any]:
    projection = next((p for p in circuit.projections if p.id == edge_id), None)
    if projection:
        return [html.H4(f"Projection {projection.id}"), _fields([
            ("from → to", f"{projection.source} → {projection.target}"), ("sign", projection.sign),
            ("weight", f"{projection.weight:g}"), ("delay", f"{projection.delay:g} ms"),
            ("connection", ", ".join(f"{k}={v}" for k, v in projection.connection.model_dump().items())),
            ("synapse", projection.synapse),
        ]), html.H5("Evidence"), evidence_list(atlas, projection.evidence)]
    path = next((s for s in signalling_paths(circuit, atlas) if s.id == edge_id), None)
    if path:
        ligand = atlas.ligands[path.ligand]
        action = next(a for a in ligand.actions if a.receptor == path.receptor)
        return [html.H4(f"Signalling: {ligand.name} → {path.receptor}"), _fields([
            ("from → to", f"{path.source} → {path.target}"), ("action", f"{action.action} (efficacy {action.efficacy:g})"),
            ("potency", f"{action.potency:g} nM"), ("effect on target", path.effect),
            ("clearance τ", f"{ligand.clearance_tau:g} ms"),
        ]), html.H5("Evidence for the action"), evidence_list(atlas, action.evidence),
            html.P(dcc.Link(f"{ligand.name} in the ligand catalog", href=f"/ligands#{ligand.id}"))]
    return [html.P(f"{edge_id}: an input channel; see the inputs in the YAML.")]


def input_details(circuit: Circuit, atlas: Atlas, input_id: str) -> list[Any]:
    channel = next(i for i in circuit.inputs if i.id == input_id)
    target = channel.ligand if channel.kind == "ligand" else ", ".join(t.population for t in channel.targets)
    return [html.H4(f"Input {channel.id} ({channel.kind})"), _fields([
        ("drives", target), ("baseline", str(channel.baseline)), ("description", channel.description),
    ]), html.H5("Evidence"), evidence_list(atlas, channel.evidence)]


def error_list(errors: list[SpecError]) -> html.Div:
    """Validation errors with their line: what a researcher needs to find the problem in the editor."""
    if not errors:
        return html.Div("✓ valid", className="valid", id="validation-ok")
    return html.Div([html.Div(f"{len(errors)} error(s)", className="error-count"), html.Ul([
        html.Li([html.Span(f"line {e.line}:{e.column}", className="error-line"), " ",
                 html.Code(e.path) if e.path else "", " ", e.message], className="spec-error")
        for e in errors])], className="errors")


def alert(message: str, kind: str = "error") -> html.Div:
    return html.Div(message, className=f"alert alert-{kind}", role="alert")
