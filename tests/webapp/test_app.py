"""The app without a browser: routing, read-only mode, and every page rendering for the atlas it is given."""

from __future__ import annotations

import json
import multiprocessing
import os
import pickle
import stat
import subprocess
import sys
import time
import types
import zlib
from pathlib import Path

import diskcache

import pytest

from drive_atlas.web import Limits, create_app, simulation
from drive_atlas.web.context import UnsafeCacheFolder, WebContext
from drive_atlas.web.jobstore import JSONOnlyDisk, PickledEntry, job_store
from drive_atlas.web.simulation import RunRefused, RunRequest

from drive_atlas.atlas import Atlas

from .conftest import Subject, copy_atlas


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


def test_the_atlas_page_links_every_circuit(tmp_path: Path) -> None:
    """Every curated drive and composite (hunger_aggression among them) is listed and linked on the atlas page."""
    root = copy_atlas(tmp_path / "atlas")
    ids = set(Atlas.load(root).entries)
    assert ids >= {"hunger", "pain", "social_reward", "thirst", "thermoregulation", "threat", "parental_care",
                   "hunger_pain", "hunger_thirst", "hunger_threat", "hunger_social", "hunger_aggression"}
    page = _page(create_app(root, cache_dir=tmp_path / "cache"), "/")
    assert f"Circuits ({len(ids)})" in page
    for cid in ids:
        assert f"[{cid}](/circuit/{cid})" in page, cid


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
        simulation.run(ctx, subject.circuit.id, request, _quiet)


def _quiet(done: float, total: float, label: str) -> None:
    pass


def _context(subject: Subject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read_only: bool = False,
             **limits: float) -> WebContext:
    """A context for runs in this process (no NEST loaded: runs are faked where they would simulate)."""
    monkeypatch.delitem(sys.modules, "nest", raising=False)
    return WebContext.create(subject.root, read_only=read_only, limits=Limits(**limits), cache_dir=tmp_path / "cache")


def _no_slot(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the request gets as far as taking a simulation slot."""
    def taken(*_: object) -> bool:
        raise AssertionError("a simulation slot was taken for a request that should have been refused first")
    monkeypatch.setattr(simulation.SimulationSlots, "acquire", taken)


def test_the_cache_folder_is_private_and_a_planted_one_is_refused(subject: Subject, tmp_path: Path) -> None:
    create_app(subject.root, cache_dir=tmp_path / "cache")
    for folder in (tmp_path / "cache", tmp_path / "cache" / "jobs"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700 and folder.stat().st_uid == os.getuid(), folder
    open_to_all = tmp_path / "planted"
    open_to_all.mkdir(mode=0o777)
    open_to_all.chmod(0o777)
    with pytest.raises(UnsafeCacheFolder, match="open to other users"):
        create_app(subject.root, cache_dir=open_to_all)
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "cache")
    with pytest.raises(UnsafeCacheFolder, match="not a folder"):
        create_app(subject.root, cache_dir=link)
    if os.getuid() == 0:  # only root can give a folder to another user
        theirs = tmp_path / "theirs"
        theirs.mkdir(mode=0o700)
        os.chown(theirs, 65534, 65534)
        with pytest.raises(UnsafeCacheFolder, match="another user"):
            create_app(subject.root, cache_dir=theirs)


def test_a_planted_pickle_is_never_loaded(subject: Subject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _context(subject, tmp_path, monkeypatch)
    marker = tmp_path / "code-ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (open, (str(marker), "w"))  # unpickling creates the marker file

    run_id = "ab" * 16
    for name in (f"{run_id}.pkl", f"{run_id}.nix"):  # a pickle under either name
        (ctx.runs_dir / name).write_bytes(pickle.dumps(Payload()))
    with pytest.raises(RunRefused):
        simulation.load(ctx, run_id)
    assert not marker.exists(), "the planted pickle was unpickled"


def test_the_job_store_writes_json_and_never_reads_a_pickle(subject: Subject, tmp_path: Path) -> None:
    """Dash keeps job results and its signing secret in the job store: a pickle planted there must not run."""
    app = create_app(subject.root, cache_dir=tmp_path / "cache")
    assert isinstance(app._background_manager.handle.disk, JSONOnlyDisk)
    store = job_store(tmp_path / "jobs")
    store.set("result", {"outputs": [1, "a"]})
    assert store.get("result") == {"outputs": [1, "a"]}
    marker = tmp_path / "code-ran"

    class Payload:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return (open, (str(marker), "w"))

    key = zlib.compress(json.dumps("planted").encode(), 1)  # the key as the job store writes it, with a pickled value
    diskcache.Cache(str(tmp_path / "jobs")).set(key, Payload())
    with pytest.raises(PickledEntry):
        store.get("planted")
    assert not marker.exists()


def test_a_read_only_server_runs_the_saved_atlas_only(subject: Subject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _context(subject, tmp_path, monkeypatch, read_only=True)
    _no_slot(monkeypatch)
    monkeypatch.setattr(simulation, "validate_text", lambda *_: pytest.fail("a read-only server parsed a draft"))
    cid = subject.circuit.id
    request = RunRequest.from_form("draft", next(iter(subject.circuit.protocols)), "", 0.2, 1)
    with pytest.raises(RunRefused, match="read-only"):
        simulation.run(ctx, cid, request, _quiet, {cid: subject.path.read_text() + "# edited\n"})
    app = create_app(subject.root, read_only=True, cache_dir=tmp_path / "cache")
    assert '"draft"' not in _page(app, f"/test/{cid}"), "no 'unsaved edit' choice is offered"


def test_a_draft_is_parsed_only_once_the_slot_is_taken(subject: Subject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _context(subject, tmp_path, monkeypatch, max_concurrent_simulations=1)
    busy = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        assert simulation.slots(ctx).acquire(busy.pid)
        monkeypatch.setattr(simulation, "validate_text", lambda *_: pytest.fail("the draft was parsed without a slot"))
        cid = subject.circuit.id
        request = RunRequest.from_form("draft", next(iter(subject.circuit.protocols)), "", 0.2, 1)
        with pytest.raises(RunRefused, match="already running 1 simulation"):
            simulation.run(ctx, cid, request, _quiet, {cid: subject.path.read_text()})
    finally:
        busy.kill()
        busy.wait()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("seed", 0, "seed must be a whole number from 1"), ("seed", -1, "seed"), ("seed", 10**20, "seed"), ("seed", "1", "seed"),
    ("seed", None, "seed"), ("seed", 1.5, "seed"), ("duration", "10", "duration must be a positive number"),
    ("duration", -1, "duration"), ("duration", 0, "duration"), ("duration", float("nan"), "duration"), ("duration", True, "duration"),
    ("source", "elsewhere", "'saved' or 'draft'"), ("protocol", None, "choose a protocol"), ("events", 12, "YAML text"),
    ("events", "- x\n" * 10_000, "longer than"),
])
def test_bad_form_values_are_refused_with_a_message(field: str, value: object, message: str) -> None:
    form = {"source": "saved", "protocol": "p", "events": "", "duration": 0.5, "seed": 1, field: value}
    with pytest.raises(RunRefused, match=message):
        RunRequest.from_form(**form)


@pytest.mark.parametrize(("events", "message"), [
    ("- {{type: optogenetics, population: {pop}, mode: silence, at: 0.05 ms}}", "not a multiple of the simulation step"),
    ("[" + ", ".join(["{{type: optogenetics, population: {pop}, mode: silence, at: 1 ms}}"] * 9_990) + "]", r"\d{4} events is more than this server.s limit"),  # 9,990 added to the protocol.s own
])
def test_bad_events_are_refused_before_a_slot_is_taken(subject: Subject, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        events: str, message: str) -> None:
    ctx = _context(subject, tmp_path, monkeypatch)
    monkeypatch.setattr(simulation, "MAX_EVENTS_TEXT", 10**7)
    _no_slot(monkeypatch)
    request = RunRequest(next(iter(subject.circuit.protocols)), events.format(pop=subject.population), 1.0, 1)
    with pytest.raises(RunRefused, match=message):
        simulation.run(ctx, subject.circuit.id, request, _quiet)


def _hang(*_: object, **__: object) -> None:
    time.sleep(600)


def test_a_run_past_the_wall_clock_limit_is_killed_and_frees_its_slot(subject: Subject, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = _context(subject, tmp_path, monkeypatch, max_concurrent_simulations=1, max_wall_seconds=1.0)
    monkeypatch.setattr(simulation, "simulate", _hang)  # a run that never ends, in the run's child process
    request = RunRequest(next(iter(subject.circuit.protocols)), "", 1.0, 1)
    started = time.monotonic()
    with pytest.raises(RunRefused, match="wall-clock limit"):
        simulation.run(ctx, subject.circuit.id, request, _quiet)
    assert time.monotonic() - started < 30
    assert multiprocessing.active_children() == [], "the run's process was killed"
    assert simulation.slots(ctx).holders() == [], "its slot is free"


def test_refused_requests_answer_4xx_with_their_reason(subject: Subject, tmp_path: Path) -> None:
    app = create_app(subject.root, cache_dir=tmp_path / "cache")
    client = app.server.test_client()
    download = {"output": "download-run.data", "outputs": {"id": "download-run", "property": "data"},
                "inputs": [{"id": "download-nix-button", "property": "n_clicks", "value": 1},
                           {"id": "download-csv-button", "property": "n_clicks", "value": None}],
                "changedPropIds": ["download-nix-button.n_clicks"],
                "state": [{"id": "selected-run", "property": "value", "value": "0" * 32}]}
    response = client.post("/_dash-update-component", json=download)
    assert response.status_code == 404 and "removed" in response.get_data(as_text=True)
    download["state"][0]["value"] = {"not": "an id"}
    response = client.post("/_dash-update-component", json=download)
    assert response.status_code == 404 and "not a run id" in response.get_data(as_text=True)
    show = {"output": "..run-figure.figure...run-figure.style...run-summary.children..",
            "outputs": [{"id": "run-figure", "property": "figure"}, {"id": "run-figure", "property": "style"},
                        {"id": "run-summary", "property": "children"}],
            "inputs": [{"id": "selected-run", "property": "value", "value": 12345}], "changedPropIds": ["selected-run.value"]}
    response = client.post("/_dash-update-component", json=show)
    assert response.status_code == 200 and "not a run id" in response.get_data(as_text=True), "the page shows why"
