"""The edit form: common changes (sizes, weights, delays, receptor gains, projections) applied to the YAML text."""

from __future__ import annotations

from typing import Any

from dash import Dash, Input, Output, State, callback_context, dcc, html, no_update

from drive_atlas.authoring import EditError

from .. import yamledit
from ..yamledit import items, read_document


def _row(label: str, *children: Any) -> html.Div:
    return html.Div([html.Label(label), *children], className="form-row")


def _text(id_: str, placeholder: str = "", **kwargs: Any) -> dcc.Input:
    return dcc.Input(id=id_, type="text", placeholder=placeholder, debounce=False, **kwargs)


def layout() -> html.Div:
    dd = {"clearable": False, "className": "form-select"}
    return html.Div([
        html.H4("Common changes"),
        _row("Population size", dcc.Dropdown(id="form-size-pop", **dd), dcc.Input(id="form-size", type="number", min=1, step=1),
             html.Button("Apply", id="form-size-apply")),
        _row("Projection", dcc.Dropdown(id="form-proj", **dd), _text("form-weight", "weight, e.g. 20 pA"),
             _text("form-delay", "delay, e.g. 1.5 ms"), html.Button("Apply", id="form-proj-apply"),
             html.Button("Remove", id="form-proj-remove", className="danger")),
        _row("Receptor gain", dcc.Dropdown(id="form-receptor", **dd), _text("form-gain", "gain, e.g. 150 pA"),
             html.Button("Apply", id="form-gain-apply")),
        html.Details([html.Summary("Add a projection"),
                      _row("id", _text("form-new-id", "e.g. agrp_to_pbn")),
                      _row("from → to", dcc.Dropdown(id="form-new-source", **dd), dcc.Dropdown(id="form-new-target", **dd)),
                      _row("sign", dcc.Dropdown(id="form-new-sign", options=["excitatory", "inhibitory"], value="excitatory", **dd)),
                      _row("weight, delay, indegree", _text("form-new-weight", "20 pA"), _text("form-new-delay", "1.5 ms"),
                           dcc.Input(id="form-new-indegree", type="number", min=1, step=1, value=10)),
                      _row("why (model assumption note)", _text("form-new-note", "what is assumed and why")),
                      html.Button("Add projection", id="form-new-apply")]),
        html.Div(id="form-message"),
    ], className="edit-form")


def register(app: Dash) -> None:
    @app.callback(Output("form-size-pop", "options"), Output("form-proj", "options"), Output("form-receptor", "options"),
                  Output("form-new-source", "options"), Output("form-new-target", "options"), Input("yaml-debounced", "data"))
    def _choices(text: str | None) -> tuple[Any, ...]:
        doc = read_document(text or "")
        if doc is None:
            return (no_update,) * 5
        pops = [str(p["id"]) for p in items(doc, "populations")]
        receptors = [f"{p['id']}|{r.get('receptor')}" for p in items(doc, "populations") for r in p.get("receptors") or []
                     if isinstance(r, dict)]
        return pops, [str(p["id"]) for p in items(doc, "projections")], \
            [{"label": r.replace("|", " · "), "value": r} for r in receptors], pops, pops

    @app.callback(Output("form-size", "value"), Input("form-size-pop", "value"), State("yaml-editor", "value"), prevent_initial_call=True)
    def _size(pop: str, text: str) -> Any:
        return _item_value(text, "populations", pop, "size")

    @app.callback(Output("form-weight", "value"), Output("form-delay", "value"), Input("form-proj", "value"),
                  State("yaml-editor", "value"), prevent_initial_call=True)
    def _projection(proj: str, text: str) -> tuple[Any, Any]:
        return _item_value(text, "projections", proj, "weight"), _item_value(text, "projections", proj, "delay")

    @app.callback(Output("form-gain", "value"), Input("form-receptor", "value"), State("yaml-editor", "value"), prevent_initial_call=True)
    def _gain(choice: str, text: str) -> Any:
        pop, receptor = choice.split("|", 1)
        annotations = _item_value(text, "populations", pop, "receptors") or []
        return next((str(r.get("gain")) for r in annotations if isinstance(r, dict) and r.get("receptor") == receptor), None)

    @app.callback(
        Output("yaml-editor", "value", allow_duplicate=True), Output("form-message", "children"),
        Input("form-size-apply", "n_clicks"), Input("form-proj-apply", "n_clicks"), Input("form-proj-remove", "n_clicks"),
        Input("form-gain-apply", "n_clicks"), Input("form-new-apply", "n_clicks"),
        State("yaml-editor", "value"), State("form-size-pop", "value"), State("form-size", "value"), State("form-proj", "value"),
        State("form-weight", "value"), State("form-delay", "value"), State("form-receptor", "value"), State("form-gain", "value"),
        State("form-new-id", "value"), State("form-new-source", "value"), State("form-new-target", "value"),
        State("form-new-sign", "value"), State("form-new-weight", "value"), State("form-new-delay", "value"),
        State("form-new-indegree", "value"), State("form-new-note", "value"),
        prevent_initial_call=True,
    )
    def _apply(*args: Any) -> tuple[Any, Any]:
        (text, size_pop, size, proj, weight, delay, receptor, gain,
         new_id, source, target, sign, new_weight, new_delay, indegree, note) = args[5:]
        action = callback_context.triggered_id
        try:
            if action == "form-size-apply":
                new = yamledit.set_population_size(text, _need(size_pop, "a population"), int(_need(size, "a size")))
            elif action == "form-proj-apply":
                new = yamledit.set_projection_field(text, _need(proj, "a projection"), "weight", _need(weight, "a weight"))
                new = yamledit.set_projection_field(new, proj, "delay", _need(delay, "a delay"))
            elif action == "form-proj-remove":
                new = yamledit.remove_projection(text, _need(proj, "a projection"))
            elif action == "form-gain-apply":
                pop, gene = _need(receptor, "a receptor").split("|", 1)
                new = yamledit.set_receptor_gain(text, pop, gene, _need(gain, "a gain"))
            else:
                fields = {"id": _need(new_id, "an id"), "source": _need(source, "a source"), "target": _need(target, "a target"),
                          "sign": sign, "weight": _need(new_weight, "a weight"), "delay": _need(new_delay, "a delay"),
                          "connection": {"rule": "fixed_indegree", "indegree": int(_need(indegree, "an indegree"))}}
                new = yamledit.add_projection(text, fields, note or "")
        except EditError as exc:
            return no_update, html.Div(str(exc), className="alert alert-error")
        return new, html.Div("Applied to the text; validating…", className="alert alert-info")


def _need(value: Any, what: str) -> Any:
    if value in (None, ""):
        raise EditError(f"choose or enter {what}")
    return value


def _item_value(text: str, section: str, item_id: str | None, field: str) -> Any:
    item = next((i for i in items(read_document(text or ""), section) if i.get("id") == item_id), None)
    value = item.get(field) if item else None
    return value if isinstance(value, (int, list)) or value is None else str(value)
