"""The circuit page: the graph laid out like the anatomy, details on click, tables, changelog and YAML download."""

from __future__ import annotations

from typing import Any

import dash_cytoscape as cyto
from dash import Dash, Input, Output, State, callback_context, dcc, html, no_update

from drive_atlas.atlas import Atlas, CircuitEntry
from drive_atlas.spec import Circuit

from ..audit import annotate, audit_stylesheet, circuit_verdicts, verdict_panel, verdicts_for
from ..components import edge_details, grid, input_details, population_details
from ..context import WebContext
from ..graph import build_elements, stylesheet


def circuit_header(ctx: WebContext, entry: CircuitEntry, active: str) -> html.Div:
    """Title, identity and the links between a circuit's pages (edit is hidden in read-only mode)."""
    c = entry.circuit
    pages = [("circuit", "Graph"), ("test", "Test"), ("versions", "Versions")]
    if not ctx.read_only:
        pages.insert(1, ("edit", "Edit"))
    return html.Div([
        html.H2([c.title, html.Span(f" {c.id}@{c.version}", className="muted", id="circuit-ref")]),
        html.P(f"drive: {c.drive} · {c.species} · status: {c.status} · {entry.path.name}", className="muted"),
        html.Nav([dcc.Link(label, href=f"/{page}/{c.id}", className="active" if page == active else "") for page, label in pages],
                 className="tabs"),
    ])


def _tables(circuit: Circuit, verdicts: dict[str, Any]) -> list[Any]:
    populations = [{"id": p.id, "name": p.name, "region": p.region, "transmitter": p.transmitter, "size": p.size,
                    "markers": ", ".join(p.markers), "releases": ", ".join(r.ligand for r in p.releases),
                    "evidence": ", ".join(e.kind for e in p.evidence)} for p in circuit.populations]
    projections = [{"id": p.id, "source": p.source, "target": p.target, "sign": p.sign, "weight": p.weight, "delay (ms)": p.delay,
                    "rule": p.connection.rule, "evidence": ", ".join(e.kind for e in p.evidence),
                    "audit": _verdict_text(verdicts, f"{circuit.id}/{p.id}")} for p in circuit.projections]
    receptors = [{"population": p.id, "receptor": r.receptor, "gain (pA)": r.gain, "evidence": ", ".join(e.kind for e in r.evidence),
                  "audit": _verdict_text(verdicts, f"{circuit.id}/{p.id}:{r.receptor}")}
                 for p in circuit.populations for r in p.receptors]
    return [
        html.H3("Populations"), grid("population-grid", populations, list(populations[0]) if populations else ["id"], height=260),
        html.H3("Projections"), grid("projection-grid", projections, list(projections[0]) if projections else ["id"], height=260),
        html.H3("Receptor annotations"), grid("receptor-grid", receptors, list(receptors[0]) if receptors else ["population"], height=220),
        html.H3("Changelog"),
        html.Ul([html.Li([html.B(e.version), f" ({e.date}): {e.changes}"]) for e in circuit.changelog], id="changelog"),
    ]


def _verdict_text(verdicts: dict[str, Any], part: str) -> str:
    verdict = verdicts.get(part)
    return f"{verdict.status.replace('_', ' ')}: {verdict.reason}" if verdict else ""


def layout(ctx: WebContext, circuit_id: str) -> html.Div:
    entry = ctx.entry(circuit_id)
    assert entry is not None
    atlas: Atlas = ctx.atlas
    verdicts = circuit_verdicts(atlas, circuit_id)
    color_options = [{"label": "colour by region division", "value": "division"},
                     {"label": "by transmitter", "value": "transmitter"}]
    if verdicts:
        color_options.append({"label": "by audit verdict (green supported, red contradicted, grey no data)", "value": "audit"})
    return html.Div([
        circuit_header(ctx, entry, "circuit"),
        dcc.Store(id="circuit-id", data=circuit_id),
        html.Div([
            dcc.RadioItems(id="color-by", options=color_options, value="division", inline=True),
            html.Span("solid: synapse (→ excitatory, ⊣ inhibitory) · dashed: peptide/hormone signalling", className="muted"),
            html.Button("Download YAML", id="download-yaml-button"), dcc.Download(id="download-yaml"),
        ], className="toolbar"),
        html.Div([
            cyto.Cytoscape(id="circuit-graph", elements=annotate(build_elements(entry.circuit, atlas), entry.circuit, verdicts), layout={"name": "preset", "fit": True},
                           stylesheet=stylesheet(), style={"height": "520px", "width": "100%"}, className="graph"),
            html.Aside(html.P("Click a population or a connection to read its parameters and evidence.", className="muted"),
                       id="details", className="details"),
        ], className="graph-row"),
        *_tables(entry.circuit, verdicts),
    ])


def register(app: Dash, ctx: WebContext) -> None:
    @app.callback(Output("circuit-graph", "stylesheet"), Input("color-by", "value"))
    def _color(color_by: str) -> list[dict[str, Any]]:
        return stylesheet() + audit_stylesheet() if color_by == "audit" else stylesheet(color_by)

    @app.callback(Output("details", "children"), Input("circuit-graph", "tapNodeData"), Input("circuit-graph", "tapEdgeData"),
                  State("circuit-id", "data"), prevent_initial_call=True)
    def _details(node: dict[str, Any] | None, edge: dict[str, Any] | None, circuit_id: str) -> Any:
        entry = ctx.entry(circuit_id)
        if entry is None:
            return no_update
        tapped = edge if "circuit-graph.tapEdgeData" in callback_context.triggered_prop_ids else node
        if not tapped:
            return no_update
        audit = verdict_panel(verdicts_for(tapped, entry.circuit, circuit_verdicts(ctx.atlas, circuit_id)))
        if "source" in tapped:
            return edge_details(entry.circuit, ctx.atlas, tapped["id"]) + audit
        if tapped.get("kind") == "input":
            return input_details(entry.circuit, ctx.atlas, tapped["id"].removeprefix("input:"))
        if tapped.get("kind") == "external":
            return [html.P(f"{tapped['id']} belongs to an included circuit; open that circuit to read its evidence.")]
        return population_details(entry.circuit, ctx.atlas, tapped["id"]) + audit

    @app.callback(Output("download-yaml", "data"), Input("download-yaml-button", "n_clicks"), State("circuit-id", "data"),
                  prevent_initial_call=True)
    def _download(_: int, circuit_id: str) -> Any:
        entry = ctx.entry(circuit_id)
        return dcc.send_file(str(entry.path)) if entry else no_update
