"""The editor's Save, through Dash's HTTP endpoint: the authoring service's rules, without a browser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drive_atlas.authoring import read_text
from drive_atlas.versioning.rules import successor
from drive_atlas.web import create_app

from .conftest import Subject


def _save(app: Any, text: str, base_hash: str, version: str, changes: str, circuit_id: str) -> str:
    """Press Save with these field values; the JSON Dash answers (the save status first)."""
    key = next(k for k in app.callback_map if "save-status.children" in k and "edit-base.data" in k)
    outputs = [{"id": o.split(".")[0], "property": o.split(".", 1)[1]} for o in key.strip(".").split("...")]
    state = [("yaml-editor", "value", text), ("edit-base", "data", {"hash": base_hash}), ("new-version", "value", version),
             ("changelog-entry", "value", changes), ("circuit-id", "data", circuit_id)]
    body = {"output": key, "outputs": outputs, "inputs": [{"id": "save-button", "property": "n_clicks", "value": 1}],
            "state": [{"id": i, "property": p, "value": v} for i, p, v in state], "changedPropIds": ["save-button.n_clicks"]}
    response = app.server.test_client().post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.data
    return json.dumps(response.json) if response.status_code == 200 else ""


def test_the_editor_saves_only_the_version_check_accepts(subject: Subject, tmp_path: Path) -> None:
    app = create_app(subject.root, cache_dir=tmp_path / "cache")
    c = subject.circuit
    text, base = read_text(subject.path)
    edited = text.replace(f"size: {c.populations[0].size}", f"size: {c.populations[0].size + 7}", 1)
    assert edited != text
    skipped = ".".join(str(int(part) + (i == 1)) for i, part in enumerate(c.version.split(".")))  # a greater version, not the next
    answer = _save(app, edited, base, successor(skipped, "patch"), "a bigger population", c.id)
    assert "is not the next version" in answer and subject.path.read_text() == text
    answer = _save(app, edited, base, successor(c.version, "patch"), "a bigger population", c.id)
    assert f"saved {c.id}@{successor(c.version, 'patch')}" in answer
    assert f"size: {c.populations[0].size + 7}" in subject.path.read_text()


def test_the_editor_starts_by_removing_what_killed_saves_left(subject: Subject, tmp_path: Path) -> None:
    leftover = subject.path.with_name(f".{subject.path.name}.3fa9c1d2.tmp")
    leftover.write_text(subject.path.read_text().replace(f"id: {subject.circuit.id}", "id: ghost_circuit"))
    subject.path.with_name(f".{subject.path.name}.lock").write_text("")
    create_app(subject.root, cache_dir=tmp_path / "cache")
    assert sorted(p.name for p in subject.path.parent.iterdir() if p.name.startswith(".")) == []
