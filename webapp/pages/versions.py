"""The versions page: a circuit's history (git revisions and the working file) and a semantic diff between two versions."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, dcc, html

from drive_atlas.atlas.history import HistoryError, history_of
from drive_atlas.spec import Circuit
from drive_atlas.versioning import CircuitDiff, diff_circuits

from ..components import alert, grid
from ..context import WebContext
from .circuit import circuit_header

WORKING = "working"


def diff_view(d: CircuitDiff) -> html.Div:
    """The semantic diff as a headline (with the bump it needs) and a table of changes."""
    if not d.changes:
        return html.Div(html.P(f"{d.old_ref} → {d.new_ref}: no semantic change"), className="diff")
    rows = [{"section": c.section, "change": c.kind, "what": c.path, "old": _short(c.old), "new": _short(c.new), "needs": c.level or ""}
            for c in d.changes]
    return html.Div([html.P([f"{d.old_ref} → {d.new_ref}: {len(d.changes)} change(s), needs a ", html.B(d.level or "no"), " version bump"],
                            className="diff-headline"),
                     grid({"type": "diff-grid", "ref": d.new_ref}, rows, list(rows[0]), height=min(80 + 42 * len(rows), 420))],
                    className="diff")


def _short(value: Any) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 120 else text[:117] + "..."


def revisions(ctx: WebContext, circuit_id: str) -> tuple[dict[str, tuple[str, Circuit]], str | None]:
    """Label and circuit of each version (key: commit, or ``working`` for the file on disk), and why history is missing."""
    entry = ctx.entry(circuit_id)
    assert entry is not None
    found = {WORKING: (f"{entry.circuit.version} (working file)", entry.circuit)}
    try:
        history = history_of(ctx.root, circuit_id, ctx.atlas.context_for)
    except HistoryError as exc:
        return found, str(exc)
    for rev in history.revisions:
        found[rev.commit] = (f"{rev.circuit.version} (commit {rev.commit[:10]})", rev.circuit)
    return found, None


def layout(ctx: WebContext, circuit_id: str) -> html.Div:
    entry = ctx.entry(circuit_id)
    assert entry is not None
    found, problem = revisions(ctx, circuit_id)
    options = [{"label": label, "value": key} for key, (label, _) in found.items()]
    keys = list(found)
    return html.Div([
        circuit_header(ctx, entry, "versions"),
        dcc.Store(id="circuit-id", data=circuit_id),
        alert(f"Only the working file is shown: {problem}", "info") if problem else None,
        html.H3("Changelog"),
        html.Ul([html.Li([html.B(e.version), f" ({e.date}): {e.changes}"]) for e in entry.circuit.changelog]),
        html.H3("Compare two versions"),
        html.Div([html.Label("old"), dcc.Dropdown(id="diff-old", options=options, value=keys[1] if len(keys) > 1 else keys[0],
                                                  clearable=False, className="run-select"),
                  html.Label("new"), dcc.Dropdown(id="diff-new", options=options, value=keys[0], clearable=False,
                                                  className="run-select")], className="toolbar"),
        html.Div(id="diff-view"),
    ])


def register(app: Dash, ctx: WebContext) -> None:
    @app.callback(Output("diff-view", "children"), Input("diff-old", "value"), Input("diff-new", "value"), State("circuit-id", "data"))
    def _diff(old: str, new: str, circuit_id: str) -> Any:
        if ctx.entry(circuit_id) is None:
            return alert(f"{circuit_id} is not a valid circuit on disk")
        found, _ = revisions(ctx, circuit_id)
        if old not in found or new not in found:
            return alert("that version is no longer in the history; reload the page")
        return diff_view(diff_circuits(found[old][1], found[new][1], ctx.atlas.parts_of))
