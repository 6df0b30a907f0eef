"""The atlas page: every circuit in a sortable, filterable table, and search by region, marker, ligand, receptor."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, dcc, html

from ..audit import audit_share
from ..components import grid
from ..context import WebContext
from ..search import FACETS, circuit_rows

COLUMNS = ["id", "title", "drive", "species", "version", "status", "populations", "projections", "assays", "assays passing", "robustness",
           "audit supported", "matched"]


def _linked(rows: list[dict[str, Any]], atlas: Any) -> list[dict[str, Any]]:
    """Rows with the id linked to the circuit page and the share of its parts the reference data support."""
    return [{**row, "id": f"[{row['id']}](/circuit/{row['id']})", "audit supported": audit_share(atlas, row["id"])} for row in rows]


def layout(ctx: WebContext) -> html.Div:
    atlas = ctx.atlas
    problems = html.Details([html.Summary(f"{len(atlas.errors)} problem(s) in circuit files are keeping some circuits out"),
                             html.Ul([html.Li(str(e)) for e in atlas.errors])], className="atlas-errors") if atlas.errors else None
    table = grid("circuit-grid", _linked(circuit_rows(atlas), atlas), COLUMNS, height=420)
    table.columnDefs[0].update(cellRenderer="markdown")
    return html.Div([
        html.H2(f"Circuits ({len(atlas)})"),
        html.Div([
            dcc.Input(id="circuit-search", type="search", debounce=0.3, placeholder="Search: region, marker, ligand or receptor (e.g. Oxtr)",
                      className="search"),
            dcc.Dropdown(id="circuit-facet", options=[{"label": "anything", "value": "any"}] + [{"label": f, "value": f} for f in FACETS],
                         value="any", clearable=False, className="facet"),
        ], className="toolbar"),
        table, problems,
    ])


def register(app: Dash, ctx: WebContext) -> None:
    @app.callback(Output("circuit-grid", "rowData"), Input("circuit-search", "value"), Input("circuit-facet", "value"),
                  prevent_initial_call=True)
    def _search(query: str | None, facet: str) -> list[dict[str, Any]]:
        return _linked(circuit_rows(ctx.atlas, query or "", facet), ctx.atlas)
