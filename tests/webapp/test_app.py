"""The app without a browser: routing, read-only mode, and every page rendering for the atlas it is given."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest

from drive_atlas.web import Limits, create_app, simulation
from drive_atlas.web.context import WebContext
from drive_atlas.web.simulation import RunRefused, RunRequest

from .conftest import Subject


def _page(app, path: str) -> str:  # type: ignore[no-untyped-def]
    body = {"output": "page.children", "outputs": {"id": "page", "property": "children"},
            "inputs": [{"id": "url", "property": "pathname", "value": path}], "changedPropIds": ["url.pathname"]}
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code == 200
    return json.dumps(response.json)


def test_every_page_renders(subject: Subject, tmp_path: Path) -> None:
    app = create_app(subject.root, cache_dir=tmp_path / "cache")
    cid = subject.circuit.id
    for path in ("/", "/ligands", f"/circuit/{cid}", f"/edit/{cid}", f"/test/{cid}", f"/versions/{cid}"):
        assert "Page not found" not in _page(app, path), path
    assert "No such circuit" in _page(app, "/circuit/no_such_circuit")
    assert "Page not found" in _page(app, "/nowhere")


def test_read_only_turns_editing_off(subject: Subject, tmp_path: Path) -> None:
    app = create_app(subject.root, read_only=True, cache_dir=tmp_path / "cache")
    page = _page(app, f"/edit/{subject.circuit.id}")
    assert "read-only" in page and "yaml-editor" not in page
    assert not any("save-status" in key for key in app.callback_map), "no save callback exists to call"
    assert f"/edit/{subject.circuit.id}" not in _page(app, f"/circuit/{subject.circuit.id}")


def test_a_run_in_a_process_that_already_loaded_nest_is_refused_not_hung(subject: Subject, tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """A job forked from a process whose NEST has run OpenMP threads hangs in NEST; the app says so instead."""
    ctx = WebContext.create(subject.root, read_only=False, limits=Limits(), cache_dir=tmp_path / "cache")
    monkeypatch.setitem(sys.modules, "nest", types.ModuleType("nest"))
    request = RunRequest(next(iter(subject.circuit.protocols)), "", 0.2, 1)
    with pytest.raises(RunRefused, match="fresh process"):
        simulation.run(ctx, subject.circuit, request, lambda done, total, label: None)
