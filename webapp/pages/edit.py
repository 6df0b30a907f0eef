"""The edit page: the full YAML with live validation, the form, saving as a new version, and a pull-request download.

The editor remembers the hash of the file text it loaded and saves through the
authoring service: a save is refused when the file on disk no longer has that
hash (the researcher keeps their text) or when the new version is not the one
``drive-atlas check`` requires.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from dash import Dash, Input, Output, State, dcc, html, no_update

from drive_atlas.authoring import (
    BumpRefused, EditError, FileBusy, SaveConflict, read_text, reference_for, save_version, suggested_version, validate_text,
)
from drive_atlas.spec import Circuit, SpecValidationError
from drive_atlas.versioning import diff_circuits
from drive_atlas.versioning.diff import PartsOf

from ..components import alert, error_list
from ..context import WebContext
from . import edit_form
from .circuit import circuit_header
from .versions import diff_view

DEBOUNCE_MS = 400
# Resolve with the text only if the editor still holds it after the pause: validation runs once typing stops.
DEBOUNCE_JS = """
function(text) {
    return new Promise(function(resolve) {
        setTimeout(function() {
            var el = document.getElementById('yaml-editor');
            resolve(el && el.value !== text ? window.dash_clientside.no_update : text);
        }, %d);
    });
}
""" % DEBOUNCE_MS


def layout(ctx: WebContext, circuit_id: str) -> html.Div:
    entry = ctx.entry(circuit_id)
    assert entry is not None
    if ctx.read_only:
        return html.Div([circuit_header(ctx, entry, "edit"), alert("This server is read-only: editing is turned off.", "info")])
    text, digest = read_text(entry.path)
    return html.Div([
        circuit_header(ctx, entry, "edit"),
        dcc.Store(id="circuit-id", data=circuit_id),
        dcc.Store(id="edit-base", data={"hash": digest}),
        dcc.Store(id="yaml-debounced"),
        html.Div([
            html.Div([edit_form.layout(), _save_panel(suggested_version(reference_for(ctx.atlas, entry), entry.circuit, ctx.atlas.parts_of))],
                     className="edit-side"),
            html.Div([html.Label(f"{entry.path.name} (full file)"),
                      dcc.Textarea(id="yaml-editor", value=text, spellCheck=False, className="yaml-editor")], className="edit-main"),
            html.Div([html.H4("Validation"), html.Div(id="validation"), html.H4("Your changes"), html.Div(id="draft-diff")],
                     className="edit-errors"),
        ], className="edit-grid"),
    ])


def _save_panel(suggested: str) -> html.Div:
    return html.Div([
        html.H4("Save as a new version"),
        html.Div([html.Label("new version"), dcc.Input(id="new-version", type="text", value=suggested)], className="form-row"),
        html.Div([html.Label("changelog entry"), dcc.Textarea(id="changelog-entry", placeholder="what changed and why", rows=3)],
                 className="form-row"),
        html.Button("Save", id="save-button", className="primary"),
        html.Button("Download as pull request", id="pr-button"),
        dcc.Download(id="download-pr-yaml"), dcc.Download(id="download-pr-patch"),
        html.Div(id="save-status"),
    ], className="save-panel")


def unified_patch(root: Path, path: Path, old: str, new: str) -> str:
    """A ``git apply``-able patch of the change, with paths relative to the atlas root."""
    rel = path.resolve().relative_to(root.resolve()).as_posix()
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{rel}", f"b/{rel}"))


def _changes(saved: Circuit, reference: Circuit, draft: Circuit, parts_of: PartsOf) -> Any:
    """The semantic diff against the saved file, and the version ``check`` requires over the committed one."""
    d = diff_circuits(saved, draft, parts_of)
    hint = html.P(f"suggested new version: {suggested_version(reference, draft, parts_of)}", className="muted") if d.level else None
    return [diff_view(d), hint]


def register(app: Dash, ctx: WebContext) -> None:
    if ctx.read_only:
        return
    edit_form.register(app)
    app.clientside_callback(DEBOUNCE_JS, Output("yaml-debounced", "data"), Input("yaml-editor", "value"))

    @app.callback(Output("validation", "children"), Output("drafts", "data"), Output("draft-diff", "children"),
                  Input("yaml-debounced", "data"), State("circuit-id", "data"), State("drafts", "data"))
    def _validate(text: str | None, circuit_id: str, drafts: dict[str, str] | None) -> tuple[Any, Any, Any]:
        entry = ctx.entry(circuit_id)
        if entry is None or text is None:
            return no_update, no_update, no_update
        circuit, errors = validate_text(text, entry.path, ctx.atlas.context_for)
        drafts = dict(drafts or {})
        if circuit is not None and circuit.id == circuit_id:
            drafts[circuit_id] = text
        else:
            drafts.pop(circuit_id, None)
        message = alert(f"the id must stay {circuit_id!r}: a renamed circuit is a new file") if circuit and circuit.id != circuit_id else None
        if circuit is None:
            changes: Any = html.P("(shown once the text is valid)", className="muted")
        else:
            changes = _changes(entry.circuit, reference_for(ctx.atlas, entry), circuit, ctx.atlas.parts_of)
        return [message, error_list(errors)], drafts, changes

    @app.callback(
        Output("save-status", "children"), Output("yaml-editor", "value", allow_duplicate=True), Output("edit-base", "data"),
        Output("new-version", "value"), Output("changelog-entry", "value"),
        Input("save-button", "n_clicks"), State("yaml-editor", "value"), State("edit-base", "data"), State("new-version", "value"),
        State("changelog-entry", "value"), State("circuit-id", "data"), prevent_initial_call=True,
    )
    def _save(_: int, text: str, base: dict[str, str], version: str, changes: str | None, circuit_id: str) -> tuple[Any, ...]:
        keep = (no_update,) * 4
        entry = ctx.entry(circuit_id)
        if entry is None:
            return alert(f"{circuit_id} is no longer a valid circuit on disk; download your text as a pull request"), *keep
        try:
            saved = save_version(entry.path, text, base["hash"], reference_for(ctx.atlas, entry), version or "", changes or "",
                                 ctx.atlas.context_for, parts_of=ctx.atlas.parts_of)
        except SpecValidationError as exc:
            return html.Div([alert("not saved: the file has errors (see the list)"), error_list(exc.errors)]), *keep
        except (EditError, BumpRefused, SaveConflict, FileBusy) as exc:
            return alert(f"not saved: {exc}"), *keep
        except OSError as exc:
            return alert(f"not saved: the file could not be written ({exc.strerror}); the old file is intact"), *keep
        version = saved.circuit.version
        notices = [alert(n, "info") for n in saved.notices]
        return ([alert(f"saved {circuit_id}@{version}", "success"), *notices], saved.text,
                {"hash": saved.hash}, version, "")

    @app.callback(Output("download-pr-yaml", "data"), Output("download-pr-patch", "data"), Output("save-status", "children",
                  allow_duplicate=True), Input("pr-button", "n_clicks"), State("yaml-editor", "value"), State("circuit-id", "data"),
                  prevent_initial_call=True)
    def _pull_request(_: int, text: str, circuit_id: str) -> tuple[Any, Any, Any]:
        entry = ctx.entry(circuit_id)
        if entry is None:
            return no_update, no_update, alert(f"{circuit_id} is not in the atlas any more")
        patch = unified_patch(ctx.root, entry.path, entry.path.read_text(encoding="utf-8"), text)
        if not patch:
            return no_update, no_update, alert("nothing to send: the text is the same as the file", "info")
        return (dict(content=text, filename=entry.path.name), dict(content=patch, filename=f"{circuit_id}.patch"),
                alert("Downloaded the YAML and a patch: open a pull request with them (CI validates and tests it).", "success"))
