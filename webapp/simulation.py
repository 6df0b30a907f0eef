"""Running circuits for the web app: limits, one process per run, results kept on disk by run id.

Runs happen in Dash's background job processes, so NEST never runs inside a web
worker; inside the job, the simulation runs in a child process under a wall-clock
limit. Everything a request asks for is checked, cheapest first, and the server's
simulation slot is taken before any heavy work (parsing a draft, building NEST).
A run's neo Block is the one stored artefact, written as NIX (a format that
cannot carry code; nothing here is ever unpickled); figures, CSV and the NIX
download are derived from it, as the CLI derives them.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from drive_atlas.authoring.roundtrip import validate_text
from drive_atlas.drive import SimulationResult, simulate
from drive_atlas.sim.protocol import ProtocolError, Timeline
from drive_atlas.spec import Circuit
from drive_atlas.spec.circuit import Event
from drive_atlas.spec.errors import DriveAtlasError
from drive_atlas.spec.semantics import neurons

from .context import WebContext
from .jobstore import job_store
from .limits import SimulationSlots
from .watchdog import Refused, TimedOut, run_with_deadline

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP_RUNS = 100
MAX_EVENTS_TEXT = 20_000  # characters of the extra-events field, checked before it is parsed
MAX_SEED = 2**31 - 1  # NEST's rng_seed is 1 .. 2**31 - 1
SOURCES = ("saved", "draft")
Report = Callable[[float, float, str], None]  # (done, total, label)


class RunRefused(DriveAtlasError):
    """A run that may not start: over a limit, a bad value or event list, or the server is busy. The message says which."""


class RunNotFound(RunRefused):
    """No stored run has that id (a wrong id, or the run was pruned)."""


@dataclass(frozen=True)
class RunRequest:
    protocol: str
    events: str  # YAML list of extra events
    duration_s: float | None
    seed: int
    source: str = "saved"  # "saved" (the atlas on disk) or "draft" (the researcher's unsaved edit)

    @classmethod
    def from_form(cls, source: Any, protocol: Any, events: Any, duration: Any, seed: Any) -> RunRequest:
        """The Test page's values, checked: a crafted request can send anything, and NEST must never see a bad one."""
        if source not in SOURCES:
            raise RunRefused(f"the circuit to run is 'saved' or 'draft', not {source!r}")
        if not isinstance(protocol, str):
            raise RunRefused("choose a protocol")
        if events is not None and not isinstance(events, str):
            raise RunRefused("the extra events must be YAML text")
        if len(events or "") > MAX_EVENTS_TEXT:
            raise RunRefused(f"the extra events are longer than {MAX_EVENTS_TEXT} characters")
        if duration in (None, ""):
            duration_s = None
        elif isinstance(duration, (int, float)) and not isinstance(duration, bool) and math.isfinite(duration) and duration > 0:
            duration_s = float(duration)
        else:
            raise RunRefused(f"the duration must be a positive number of seconds (or empty for the protocol's), not {duration!r}")
        if isinstance(seed, float) and seed.is_integer():
            seed = int(seed)
        if not isinstance(seed, int) or isinstance(seed, bool) or not 1 <= seed <= MAX_SEED:
            raise RunRefused(f"the seed must be a whole number from 1 to {MAX_SEED}, not {seed!r}")
        return cls(protocol, events or "", duration_s, seed, source)


def parse_events(text: str | None) -> list[Event]:
    """Extra perturbation events from a YAML list, e.g. ``- {type: drug, ligand: npy, concentration: 5 nM, at: 1 s}``."""
    if not (text or "").strip():
        return []
    if len(text or "") > MAX_EVENTS_TEXT:
        raise RunRefused(f"the extra events are longer than {MAX_EVENTS_TEXT} characters")
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError as exc:
        raise RunRefused(f"events are not valid YAML: {exc}") from None
    try:
        return TypeAdapter(list[Event]).validate_python(data if isinstance(data, list) else [data])
    except ValidationError as exc:
        problems = "; ".join(f"event {e['loc'][0] if e['loc'] else ''}: {e['msg']}" for e in exc.errors())
        raise RunRefused(f"events: {problems}") from None


def slots(ctx: WebContext) -> SimulationSlots:
    return SimulationSlots(job_store(ctx.folder("slots")), ctx.limits.max_concurrent_simulations)


def _guard(ctx: WebContext, circuit: Circuit, duration_ms: float, events: int = 0) -> None:
    problem = ctx.limits.check_run({p.id: neurons(circuit, p) for p in circuit.populations}, duration_ms, events)
    if problem:
        raise RunRefused(problem)


def _refuse_inherited_nest() -> None:
    """Refuse rather than hang: a run's job process is forked from the server, and NEST's OpenMP threads do not survive a fork.

    The server never imports NEST itself; if the job finds it loaded, the app was
    started from a process that had already used NEST (a notebook, a test run).
    """
    if "nest" in sys.modules:
        raise RunRefused("this web app was started in a process that had already loaded NEST, and NEST cannot run in a job forked "
                         "from it; start the app in a fresh process (drive-atlas serve)")


def _busy(ctx: WebContext) -> RunRefused:
    return RunRefused(f"the server is already running {ctx.limits.max_concurrent_simulations} simulation(s); try again in a moment")


def _saved(ctx: WebContext, circuit_id: Any) -> Circuit:
    entry = ctx.entry(circuit_id)
    if entry is None:
        raise RunRefused(f"{circuit_id!r} is not a valid circuit on disk")
    return entry.runnable


def _draft(ctx: WebContext, circuit_id: str, drafts: Any) -> Circuit:
    """The researcher's unsaved edit, validated as the circuit's file (only on a server that edits; after the slot is taken)."""
    entry = ctx.entry(circuit_id)
    text = drafts.get(circuit_id) if isinstance(drafts, dict) else None
    if entry is None or not isinstance(text, str):
        raise RunRefused("there is no unsaved edit of this circuit to run")
    circuit, errors = validate_text(text, entry.path, ctx.atlas.context_for)
    if circuit is None:
        raise RunRefused(f"your unsaved edit has {len(errors)} error(s); fix them on the Edit page")
    return ctx.atlas.runnable(circuit)


def _timeline(ctx: WebContext, circuit: Circuit, request: RunRequest, events: list[Event]) -> Timeline:
    """The run's validated timeline, within the limits (no NEST yet)."""
    if request.protocol not in circuit.protocols:
        raise RunRefused(f"choose one of the circuit's protocols ({', '.join(circuit.protocols) or 'it has none'})")
    spec = circuit.protocols[request.protocol]
    duration = request.duration_s * 1000.0 if request.duration_s else spec.duration
    _guard(ctx, circuit, duration, len(spec.events) + len(events))
    try:
        return Timeline.build(circuit, ctx.atlas.ligands, request.protocol, events, duration)
    except ProtocolError as exc:
        raise RunRefused(str(exc)) from None


def _limited(ctx: WebContext, work: Callable[[Report], Any], report: Report) -> Any:
    """Work in a child process under the wall-clock limit, the project's errors as refusals."""
    try:
        return run_with_deadline(work, ctx.limits.max_wall_seconds, report)
    except (TimedOut, Refused) as exc:
        raise RunRefused(str(exc)) from None


def run(ctx: WebContext, circuit_id: str, request: RunRequest, report: Report, drafts: Any = None) -> dict[str, Any]:
    """Simulate within the limits, store the Block, and return the run's description for the browser.

    Cheap checks first; then the slot; then the heavy work (a draft is parsed only
    once the slot is held), the simulation itself under the wall-clock limit.
    """
    if request.source == "draft" and ctx.read_only:
        raise RunRefused("this server is read-only: it runs the saved atlas only")
    saved = _saved(ctx, circuit_id)
    events = parse_events(request.events)
    if request.source == "saved":
        _timeline(ctx, saved, request, events)
    _refuse_inherited_nest()
    pool = slots(ctx)
    if not pool.acquire():
        raise _busy(ctx)
    try:
        circuit = _draft(ctx, saved.id, drafts) if request.source == "draft" else saved
        timeline = _timeline(ctx, circuit, request, events)
        stored = _limited(ctx, lambda progress: _simulate_and_store(ctx, circuit, timeline, request.seed, progress), report)
    finally:
        pool.release()
    _prune(ctx)
    extra = f" +{len(events)} event(s)" if events else ""
    draft = " [unsaved edit]" if request.source == "draft" else ""
    label = f"{circuit.id}@{circuit.version} {request.protocol}{extra} ({timeline.duration / 1000:g} s, seed {request.seed}){draft}"
    return {"id": stored["id"], "circuit": saved.id, "summary": stored["summary"], "label": label}


def _simulate_and_store(ctx: WebContext, circuit: Circuit, timeline: Timeline, seed: int, report: Report) -> dict[str, Any]:
    """In the run's child process: simulate, write the Block as NIX (complete files only), return its id and summary."""
    result = simulate(circuit, timeline, atlas=ctx.atlas, seed=seed,
                      progress=lambda done, total: report(done, total, f"{done / 1000:.1f} / {total / 1000:.1f} s simulated"))
    run_id = uuid.uuid4().hex
    scratch = ctx.folder("scratch") / f"{run_id}.nix"
    result.save(scratch)
    os.replace(scratch, ctx.runs_dir / f"{run_id}.nix")
    return {"id": run_id, "summary": result.summary()}


def run_circuit_assays(ctx: WebContext, circuit_id: str, report: Report) -> list[dict[str, Any]]:
    """All of the (saved) circuit's assays over the default seeds, as table rows."""
    from drive_atlas.assays import run_assays

    circuit = _saved(ctx, circuit_id)
    for assay in circuit.assays:
        _guard(ctx, circuit, assay.duration)
    _refuse_inherited_nest()
    pool = slots(ctx)
    if not pool.acquire():
        raise _busy(ctx)
    try:
        return _limited(ctx, lambda progress: run_assays(circuit, ctx.atlas, progress=progress).table().to_dict("records"), report)
    finally:
        pool.release()


def _prune(ctx: WebContext) -> None:
    """Keep the newest runs only (results are for looking at and downloading now, not an archive), and no half-written file
    of a run killed while it wrote (older than the wall-clock limit, so no run still writing it)."""
    files = sorted(ctx.runs_dir.glob("*.nix"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_RUNS:]:
        old.unlink(missing_ok=True)
    stale = time.time() - ctx.limits.max_wall_seconds
    for partial in ctx.folder("scratch").glob("*.nix"):
        if partial.stat().st_mtime < stale:
            partial.unlink(missing_ok=True)


def run_file(ctx: WebContext, run_id: Any) -> Path:
    """The stored NIX file of a run id (32 hex digits, so no path can be smuggled in)."""
    if not isinstance(run_id, str) or not RUN_ID.match(run_id):
        raise RunNotFound(f"not a run id: {str(run_id)[:40]!r}")
    path = ctx.runs_dir / f"{run_id}.nix"
    if not path.is_file():
        raise RunNotFound("that run's results were removed; run it again")
    return path


def load(ctx: WebContext, run_id: Any) -> SimulationResult:
    """A stored run, read from NIX (HDF5: data only); a file that is not a run's NIX file is refused."""
    try:
        return _read(run_file(ctx, run_id))
    except (OSError, KeyError, ValueError, IndexError) as exc:
        raise RunNotFound(f"that run's results cannot be read ({type(exc).__name__}); run it again") from None


@functools.lru_cache(maxsize=8)
def _read(path: Path) -> SimulationResult:
    """Reading NIX takes a second or two, and showing, comparing and downloading read the same few runs (files never change)."""
    return SimulationResult.load(path)


def csv_zip(result: SimulationResult) -> bytes:
    """Every tidy table of a run as CSV files in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in result.tables().items():
            archive.writestr(f"{name}.csv", table.to_csv(index=False))
    return buffer.getvalue()


COMPARE_PANELS = ("rate (Hz)", "drive", "reward")


def comparison_figure(runs: list[tuple[str, SimulationResult]]) -> go.Figure:
    """Runs overlaid on shared axes: one line style per run, one colour per population."""
    fig = make_subplots(rows=len(COMPARE_PANELS), cols=1, shared_xaxes=True, vertical_spacing=0.04)
    dashes = ["solid", "dash", "dot", "dashdot"]
    for i, (label, result) in enumerate(runs):
        line = {"dash": dashes[i % len(dashes)]}
        for pid, rows in result.rates.groupby("population", sort=False):
            fig.add_trace(go.Scatter(x=rows["time"] / 1000.0, y=rows["rate_hz"], name=f"{pid} · {label}", line=line), row=1, col=1)
        if len(result.drive):
            fig.add_trace(go.Scatter(x=result.drive["time"] / 1000.0, y=result.drive["drive"], name=f"drive · {label}",
                                     line={**line, "color": "black"}), row=2, col=1)
            fig.add_trace(go.Scatter(x=result.reward["time"] / 1000.0, y=result.reward["reward"], name=f"reward · {label}",
                                     line={**line, "color": "seagreen"}), row=3, col=1)
    for row, title in enumerate(COMPARE_PANELS, start=1):
        fig.update_yaxes(title_text=title, row=row, col=1)
    fig.update_xaxes(title_text="time (s)", row=len(COMPARE_PANELS), col=1)
    fig.update_layout(template="plotly_white", height=700, title="Comparison (line style = run)")
    return fig
