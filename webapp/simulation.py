"""Running circuits for the web app: limits, one process per run, results kept on disk by run id.

Runs happen in Dash's background job processes, so NEST never runs inside a web
worker. A run's neo Block is the one stored artefact; figures, CSV and the NIX
download are all derived from it, as the CLI derives them.
"""

from __future__ import annotations

import io
import re
import sys
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import diskcache
import plotly.graph_objects as go
from plotly.subplots import make_subplots
from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from drive_atlas.drive import SimulationResult, simulate
from drive_atlas.spec import Circuit
from drive_atlas.spec.circuit import Event

from .context import WebContext
from .limits import SimulationSlots
from drive_atlas.spec.errors import DriveAtlasError

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
KEEP_RUNS = 100
Report = Callable[[float, float, str], None]  # (done, total, label)


class RunRefused(DriveAtlasError):
    """A run that may not start: over a limit, a bad event list, or the server is busy. The message says which."""


@dataclass(frozen=True)
class RunRequest:
    protocol: str
    events: str  # YAML list of extra events
    duration_s: float | None
    seed: int


def parse_events(text: str | None) -> list[Event]:
    """Extra perturbation events from a YAML list, e.g. ``- {type: drug, ligand: npy, concentration: 5 nM, at: 1 s}``."""
    if not (text or "").strip():
        return []
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
    return SimulationSlots(diskcache.Cache(str(ctx.cache_dir / "slots")), ctx.limits.max_concurrent_simulations)


def _guard(ctx: WebContext, circuit: Circuit, duration_ms: float) -> None:
    problem = ctx.limits.check_run({p.id: p.size for p in circuit.populations}, duration_ms)
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


def run(ctx: WebContext, circuit: Circuit, request: RunRequest, report: Report) -> dict[str, Any]:
    """Simulate within the limits, store the Block, and return the run's description for the browser."""
    if request.protocol not in circuit.protocols:
        raise RunRefused(f"choose one of the circuit's protocols ({', '.join(circuit.protocols) or 'it has none'})")
    events = parse_events(request.events)
    duration = request.duration_s * 1000.0 if request.duration_s else circuit.protocols[request.protocol].duration
    _guard(ctx, circuit, duration)
    _refuse_inherited_nest()
    pool = slots(ctx)
    if not pool.acquire():
        raise _busy(ctx)
    try:
        result = simulate(circuit, request.protocol, atlas=ctx.atlas, events=events, duration=duration, seed=request.seed,
                          progress=lambda done, total: report(done, total, f"{done / 1000:.1f} / {total / 1000:.1f} s simulated"))
    finally:
        pool.release()
    run_id = uuid.uuid4().hex
    result.save(ctx.runs_dir / f"{run_id}.pkl")
    _prune(ctx.runs_dir)
    extra = f" +{len(events)} event(s)" if events else ""
    return {"id": run_id, "circuit": circuit.id, "label": f"{circuit.id}@{circuit.version} {request.protocol}{extra} "
            f"({duration / 1000:g} s, seed {request.seed})", "summary": result.summary()}


def run_circuit_assays(ctx: WebContext, circuit: Circuit, report: Report) -> list[dict[str, Any]]:
    """All of the circuit's assays over the default seeds, as table rows."""
    from drive_atlas.assays import run_assays

    for assay in circuit.assays:
        _guard(ctx, circuit, assay.duration)
    _refuse_inherited_nest()
    pool = slots(ctx)
    if not pool.acquire():
        raise _busy(ctx)
    try:
        outcome = run_assays(circuit, ctx.atlas, progress=lambda done, total, label: report(done, total, label))
    finally:
        pool.release()
    return outcome.table().to_dict("records")


def _prune(folder: Path) -> None:
    """Keep the newest runs only: results are for looking at and downloading now, not an archive."""
    files = sorted(folder.glob("*.pkl"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP_RUNS:]:
        old.unlink(missing_ok=True)


def load(ctx: WebContext, run_id: str) -> SimulationResult:
    if not RUN_ID.match(run_id or ""):
        raise KeyError(f"not a run id: {run_id!r}")
    path = ctx.runs_dir / f"{run_id}.pkl"
    if not path.exists():
        raise KeyError("that run's results were removed; run it again")
    return SimulationResult.load(path)


def csv_zip(result: SimulationResult) -> bytes:
    """Every tidy table of a run as CSV files in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, table in result.tables().items():
            archive.writestr(f"{name}.csv", table.to_csv(index=False))
    return buffer.getvalue()


def nix_bytes(result: SimulationResult, folder: Path) -> bytes:
    """The run's neo Block as a NIX file (NixIO writes to a path, so go through a scratch file)."""
    path = folder / f"{uuid.uuid4().hex}.nix"
    try:
        result.save(path)
        return path.read_bytes()
    finally:
        path.unlink(missing_ok=True)


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
