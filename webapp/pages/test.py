"""The test page: run a circuit under a protocol in the background, watch progress, see and compare results, run assays."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash, Input, Output, State, callback_context, dcc, html, no_update
from dash.exceptions import PreventUpdate

from drive_atlas.authoring import validate_text
from drive_atlas.drive.figures import simulation_figure
from drive_atlas.spec import Circuit

from .. import simulation
from ..components import alert, grid
from ..context import WebContext
from ..simulation import RunRefused, RunRequest
from .circuit import circuit_header

EVENTS_HINT = "- {type: drug, ligand: npy, concentration: 5 nM, at: 1 s}\n- {type: optogenetics, population: agrp, mode: silence, at: 2 s}"


def layout(ctx: WebContext, circuit_id: str) -> html.Div:
    entry = ctx.entry(circuit_id)
    assert entry is not None
    c = entry.runnable
    protocols = list(c.protocols)
    sources = [{"label": f"saved {c.version}", "value": "saved"}]
    if not ctx.read_only:  # a read-only server runs the saved atlas only
        sources.append({"label": "your unsaved edit", "value": "draft", "disabled": True})
    return html.Div([
        circuit_header(ctx, entry, "test"),
        dcc.Store(id="circuit-id", data=circuit_id),
        html.Div([
            html.Div([html.Label("circuit"), dcc.RadioItems(id="run-source", value="saved", options=sources)], className="form-row"),
            html.Div([html.Label("protocol"), dcc.Dropdown(id="run-protocol", options=protocols, value=protocols[0] if protocols else None,
                                                          clearable=False)], className="form-row"),
            html.Div([html.Label("extra events (YAML list, optional)"),
                      dcc.Textarea(id="run-events", placeholder=EVENTS_HINT, rows=3, className="events")], className="form-row"),
            html.Div([html.Label("duration (s; empty: the protocol's)"), dcc.Input(id="run-duration", type="number", min=0.1, step=0.1),
                      html.Label("seed"), dcc.Input(id="run-seed", type="number", value=1, min=1, max=simulation.MAX_SEED, step=1)],
                     className="form-row"),
            html.Div([html.Button("Run", id="run-button", className="primary"),
                      html.Button("Cancel", id="cancel-button", disabled=True, className="danger")]),
            html.Div([html.Progress(id="run-progress", value="0", max="1"), html.Span(id="run-progress-label")],
                     id="run-progress-box", className="progress", style={"display": "none"}),
            html.Div(id="run-status"),
            html.P(f"Limits: {ctx.limits.max_duration_ms / 1000:g} s per run, {ctx.limits.max_population_size} neurons per population, "
                   f"{ctx.limits.max_concurrent_simulations} runs at once.", className="muted"),
        ], className="run-controls"),
        html.Div([
            html.Label("show run"), dcc.Dropdown(id="selected-run", className="run-select"),
            html.Label("compare with"), dcc.Dropdown(id="compare-run", className="run-select"),
            html.Button("Download neo (.nix)", id="download-nix-button"), html.Button("Download CSV (.zip)", id="download-csv-button"),
            dcc.Download(id="download-run"),
        ], className="toolbar"),
        html.Div(id="run-summary"),
        dcc.Graph(id="run-figure", style={"display": "none"}),
        dcc.Graph(id="compare-figure", style={"display": "none"}),
        _assays(c),
    ])


def _assays(circuit: Circuit) -> html.Div:
    if not circuit.assays:
        return html.Div(id="assay-box")
    return html.Div([
        html.H3(f"Assays ({len(circuit.assays)})"),
        html.P("Each assay runs its conditions over several seeds and checks the literature expectation on the 95% CI.", className="muted"),
        html.Button("Run assays", id="assay-button"), html.Button("Cancel", id="assay-cancel", disabled=True, className="danger"),
        html.Div([html.Progress(id="assay-progress", value="0", max="1"), html.Span(id="assay-progress-label")], className="progress"),
        html.Div(id="assay-results"),
    ], id="assay-box")


def _reporter(set_progress: Callable[[tuple[str, str, str]], None]) -> simulation.Report:
    return lambda done, total, label: set_progress((str(done), str(total), label))


def register(app: Dash, ctx: WebContext) -> None:
    progress_box = [(Output("run-progress-box", "style"), {"display": "block"}, {"display": "none"})]

    @app.callback(
        Output("runs", "data"), Output("run-status", "children"),
        Input("run-button", "n_clicks"),
        State("circuit-id", "data"), State("run-source", "value"), State("run-protocol", "value"), State("run-events", "value"),
        State("run-duration", "value"), State("run-seed", "value"), State("drafts", "data"), State("runs", "data"),
        background=True, prevent_initial_call=True,
        progress=[Output("run-progress", "value"), Output("run-progress", "max"), Output("run-progress-label", "children")],
        running=[(Output("run-button", "disabled"), True, False), (Output("cancel-button", "disabled"), False, True), *progress_box],
        cancel=[Input("cancel-button", "n_clicks")],
    )
    def _run(set_progress: Any, n_clicks: int | None, circuit_id: str, source: Any, protocol: Any, events: Any, duration: Any,
             seed: Any, drafts: Any, runs: Any) -> tuple[Any, Any]:
        if not n_clicks:  # Dash fires this when the page is inserted, though no one clicked
            raise PreventUpdate
        try:
            request = RunRequest.from_form(source, protocol, events, duration, seed)
            record = simulation.run(ctx, circuit_id, request, _reporter(set_progress), drafts)
        except RunRefused as exc:
            return no_update, alert(str(exc))
        return [*(runs if isinstance(runs, list) else []), record], alert(f"done: {record['label']}", "success")

    @app.callback(Output("run-source", "options"), Input("drafts", "data"), State("circuit-id", "data"), State("run-source", "options"))
    def _sources(drafts: Any, circuit_id: str, options: list[dict[str, Any]]) -> Any:
        entry = ctx.entry(circuit_id)
        if ctx.read_only or entry is None or not isinstance(drafts, dict):
            return no_update
        changed = drafts.get(circuit_id) not in (None, entry.path.read_text(encoding="utf-8"))
        return [options[0], {**options[1], "disabled": not changed}]

    @app.callback(Output("selected-run", "options"), Output("selected-run", "value"), Output("compare-run", "options"),
                  Input("runs", "data"), State("circuit-id", "data"))
    def _run_options(runs: list[dict[str, Any]] | None, circuit_id: str) -> tuple[Any, Any, Any]:
        """The newest run of this circuit is shown; options and value change together so the dropdown keeps the value."""
        mine = [r for r in (runs if isinstance(runs, list) else []) if isinstance(r, dict) and r.get("circuit") == circuit_id]
        options = [{"label": str(r.get("label")), "value": r.get("id")} for r in reversed(mine)]
        return options, options[0]["value"] if options else None, options

    @app.callback(Output("run-figure", "figure"), Output("run-figure", "style"), Output("run-summary", "children"),
                  Input("selected-run", "value"), prevent_initial_call=True)
    def _show(run_id: str | None) -> tuple[Any, Any, Any]:
        if not run_id:
            return no_update, {"display": "none"}, None
        try:
            result = simulation.load(ctx, run_id)
        except RunRefused as exc:
            return no_update, {"display": "none"}, alert(str(exc))
        summary = result.summary()
        text = f"mean drive {summary['mean_drive']} · total reward {summary['total_reward']} · simulated in {summary['simulate_seconds']} s"
        return simulation_figure(result), {"display": "block"}, html.P(text, className="muted")

    @app.callback(Output("compare-figure", "figure"), Output("compare-figure", "style"),
                  Input("selected-run", "value"), Input("compare-run", "value"), State("runs", "data"), prevent_initial_call=True)
    def _compare(run_id: str | None, other: str | None, runs: list[dict[str, Any]] | None) -> tuple[Any, Any]:
        if not run_id or not other or run_id == other:
            return no_update, {"display": "none"}
        labels = {r.get("id"): r.get("label") for r in (runs if isinstance(runs, list) else []) if isinstance(r, dict)}
        try:
            pair = [(str(labels.get(i, i)), simulation.load(ctx, i)) for i in (run_id, other)]
        except RunRefused:
            return no_update, {"display": "none"}
        return simulation.comparison_figure(pair), {"display": "block"}

    @app.callback(Output("download-run", "data"), Input("download-nix-button", "n_clicks"), Input("download-csv-button", "n_clicks"),
                  State("selected-run", "value"), prevent_initial_call=True)
    def _download(_nix: int, _csv: int, run_id: str | None) -> Any:
        if not run_id:
            return no_update
        path = simulation.run_file(ctx, run_id)  # RunNotFound becomes an HTTP 404 with its message (app.py)
        result = simulation.load(ctx, run_id)
        stem = f"{result.block.annotations['circuit_id']}-{result.block.annotations['protocol']}-{run_id[:8]}"
        if callback_context.triggered_id == "download-nix-button":
            return dcc.send_bytes(path.read_bytes(), f"{stem}.nix")
        return dcc.send_bytes(simulation.csv_zip(result), f"{stem}.zip")

    @app.callback(
        Output("assay-results", "children"), Input("assay-button", "n_clicks"), State("circuit-id", "data"),
        background=True, prevent_initial_call=True,
        progress=[Output("assay-progress", "value"), Output("assay-progress", "max"), Output("assay-progress-label", "children")],
        running=[(Output("assay-button", "disabled"), True, False), (Output("assay-cancel", "disabled"), False, True)],
        cancel=[Input("assay-cancel", "n_clicks")],
    )
    def _assays(set_progress: Any, n_clicks: int | None, circuit_id: str) -> Any:
        if not n_clicks:
            raise PreventUpdate
        try:
            rows = simulation.run_circuit_assays(ctx, circuit_id, _reporter(set_progress))
        except RunRefused as exc:
            return alert(str(exc))
        return grid("assay-grid", rows, list(rows[0]) if rows else ["assay"], height=80 + 42 * len(rows))
