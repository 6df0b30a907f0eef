"""One sweep task: a parameter point -> one simulation, or a circuit's assays; and the row it yields.

A task is a whole simulation (or all the assay runs of one point) so the unit of
work a worker process holds is seconds to minutes, large against Dask's per-task
overhead (milliseconds). The function that runs it never raises: a bad value or a
crashing simulation becomes a row with ``status = "error"`` so one point cannot
sink a sweep.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import Any

from ..assays import DEFAULT_SEEDS, run_assays
from ..spec import content_hash
from ..spec.catalog import Ligand, Receptor
from ..spec.circuit import Circuit
from .params import SEED, Point, apply

# NEST has one kernel per process: a worker with several Dask threads must still run one task at a time.
_NEST_LOCK = threading.Lock()

STATUS, ERROR, KEY = "status", "error", "key"


@dataclass(frozen=True)
class Catalog:
    """The ligand and receptor catalog alone: what a worker needs from the atlas, small to ship."""

    ligands: dict[str, Ligand]
    receptors: dict[str, Receptor]


@dataclass(frozen=True)
class TaskOptions:
    """What every task of a sweep shares; part of each task's key, so changing any of it recomputes."""

    assays: bool = False
    protocol: str | None = None
    duration: float | None = None  # ms; simulations only (assays keep their own durations)
    assay_seeds: tuple[int, ...] = DEFAULT_SEEDS
    assay_ids: tuple[str, ...] = ()  # empty: all of the circuit's assays
    threads: int = 1  # NEST threads per simulation
    chunk: float = 100.0


@dataclass(frozen=True)
class Task:
    key: str
    point: Point
    options: TaskOptions = field(default_factory=TaskOptions)


def task_key(circuit_hash: str, point: Point, options: TaskOptions) -> str:
    """Hash of everything that determines the result: circuit content, parameter values, seed and options."""
    payload = {"circuit": circuit_hash, "point": {k: float(v) for k, v in sorted(point.items())},
               "options": {k: list(v) if isinstance(v, tuple) else v for k, v in options.__dict__.items()}}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:24]


def make_tasks(circuit: Circuit, points: list[Point], options: TaskOptions) -> list[Task]:
    """One task per distinct point, in order.

    With assays, a swept ``seed`` becomes the assays' seed list instead of an axis:
    an assay is judged on the confidence interval over seeds, never on one seed.
    """
    if options.assays and any(SEED in p for p in points):
        options = replace(options, assay_seeds=tuple(sorted({int(p[SEED]) for p in points if SEED in p})))
        points = [{k: v for k, v in p.items() if k != SEED} for p in points]
    circuit_hash = content_hash(circuit)
    tasks = {task_key(circuit_hash, p, options): p for p in points}
    return [Task(key, point, options) for key, point in tasks.items()]


def run_task(task: Task, circuit: Circuit, catalog: Catalog) -> dict[str, Any]:
    """Run one task in this process and return its row: key, parameters, status, measures (or the error)."""
    row: dict[str, Any] = {KEY: task.key, **task.point, "worker": f"{socket.gethostname()}:{os.getpid()}"}
    started = time.perf_counter()
    with _NEST_LOCK:
        try:
            varied = apply(circuit, task.point)
            measures = _assay_measures if task.options.assays else _simulation_measures
            row.update(measures(varied, catalog, task))
            row[STATUS], row[ERROR] = "ok", None
        except Exception as exc:  # noqa: BLE001 - recorded in the table instead of sinking the sweep
            row[STATUS], row[ERROR] = "error", "".join(traceback.format_exception_only(type(exc), exc)).strip()
    row["wall_seconds"] = time.perf_counter() - started
    return row


def error_row(task: Task, error: str) -> dict[str, Any]:
    """The row for a task that never returned (its worker died, or it was cancelled)."""
    return {KEY: task.key, **task.point, STATUS: "error", ERROR: error}


def _simulation_measures(circuit: Circuit, catalog: Catalog, task: Task) -> dict[str, Any]:
    from ..drive import simulate

    opts = task.options
    result = simulate(circuit, opts.protocol, atlas=catalog, duration=opts.duration, seed=int(task.point.get(SEED, 1)),
                      threads=opts.threads, chunk=opts.chunk)
    summary = result.summary()
    return {
        "seed": summary["seed"], "build_seconds": summary["build_seconds"], "simulate_seconds": summary["simulate_seconds"],
        **{f"rate:{pop}": rate for pop, rate in summary["mean_rate_hz"].items()},
        "mean_drive": summary["mean_drive"], "total_reward": summary["total_reward"], "mean_reward": summary["mean_reward"],
    }


def _assay_measures(circuit: Circuit, catalog: Catalog, task: Task) -> dict[str, Any]:
    """Per assay: status, passed, and the effect's mean and 95% CI (monotonic: the smallest step)."""
    opts = task.options
    assays = [a for a in circuit.assays if not opts.assay_ids or a.id in opts.assay_ids]
    run = run_assays(circuit, catalog, assays, seeds=opts.assay_seeds, threads=opts.threads, chunk=opts.chunk)
    row: dict[str, Any] = {}
    for result in run.results:
        name = f"assay:{result.assay.id}"
        weakest = min(result.verdict.intervals, key=lambda i: abs(i.mean))
        row.update({name: result.status, f"{name}:passed": result.verdict.passed,
                    f"{name}:effect": weakest.mean, f"{name}:low": weakest.low, f"{name}:high": weakest.high})
        row.update({f"{name}:{cond}": float(values.mean()) for cond, values in result.values.items()})
    return row
