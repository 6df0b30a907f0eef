"""Run sweep tasks on Dask and keep every finished result on disk as it arrives.

Workers are processes (NEST has one kernel per process), each running one task at
a time. Results are gathered with ``as_completed`` and each is written at once to
its own part file in ``<out>.parts/``, by this process only (workers need no shared
filesystem and never write). At the end the parts are consolidated into ``<out>``.
An interrupted sweep therefore keeps everything that finished, and a rerun with
the same ``out`` skips every task whose key already has a successful row; failed
tasks are retried (a lost worker is often transient; a bad value just fails again).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..spec.circuit import Circuit
from ..sim import Catalog as AnyCatalog
from .params import Point, check_paths
from .tasks import ERROR, KEY, STATUS, Catalog, Task, TaskOptions, error_row, make_tasks, run_task

Progress = Callable[[int, int, str], None]  # (done, total, description)


@dataclass
class SweepOutcome:
    """This sweep's rows in task order, and how many were computed now, reused from ``out``, or failed."""

    table: pd.DataFrame
    computed: int
    reused: int
    failed: int
    out: Path


class ResultStore:
    """Finished rows: one Parquet part per task (``<key>.<status>.parquet``) until consolidated into ``out``.

    ``out`` accumulates: rows from earlier sweeps into the same file stay, keyed by task.
    """

    def __init__(self, out: Path) -> None:
        self.out = Path(out)
        self.parts = self.out.with_name(self.out.name + ".parts")

    def finished(self) -> set[str]:
        """Keys with a successful row, consolidated or still in parts."""
        keys = {p.name.split(".")[0] for p in self.parts.glob("*.ok.parquet")}
        if self.out.exists():
            table = pd.read_parquet(self.out, columns=[KEY, STATUS])
            keys |= set(table.loc[table[STATUS] == "ok", KEY])
        return keys

    def add(self, row: dict[str, Any]) -> None:
        """Write one row atomically (temporary name, then rename): a kill mid-write leaves no half part."""
        self.parts.mkdir(parents=True, exist_ok=True)
        final = self.parts / f"{row[KEY]}.{row[STATUS]}.parquet"
        temporary = final.with_suffix(".tmp")
        pd.DataFrame([row]).to_parquet(temporary, index=False)
        temporary.replace(final)

    def consolidate(self) -> pd.DataFrame:
        """Merge ``out`` and the parts (a later successful row replaces an error), write ``out``, drop the parts."""
        parts = sorted(self.parts.glob("*.parquet"), key=lambda p: (p.name.endswith(".ok.parquet"), p.stat().st_mtime))
        frames = ([pd.read_parquet(self.out)] if self.out.exists() else []) + [pd.read_parquet(p) for p in parts]
        frames = [f for f in frames if not f.empty]
        table = (pd.concat(frames, ignore_index=True).drop_duplicates(KEY, keep="last") if frames
                 else pd.DataFrame(columns=[KEY, STATUS]))
        self.out.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.out.with_name(self.out.name + ".tmp")
        table.to_parquet(temporary, index=False)
        temporary.replace(self.out)
        for part in parts:
            part.unlink()
        if self.parts.exists() and not any(self.parts.iterdir()):
            self.parts.rmdir()
        return table


# A local cluster's housekeeping, slowed: its tasks are seconds to minutes long and already handed out dearest first
# as workers free up (root-task queuing), so stealing and 20-100 ms ticks buy nothing there, while they cost the
# scheduler, nannies and workers about 7% of a core together (measured idle: 3.7% with these).
_LOCAL_CLUSTER_CONFIG = {
    "distributed.scheduler.work-stealing": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


@contextmanager
def dask_client(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new LocalCluster of ``workers`` single-threaded processes."""
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as client:
            yield client
        return
    with dask.config.set(_LOCAL_CLUSTER_CONFIG), \
            LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1, processes=True,
                         dashboard_address=":0", silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def run_sweep(
    circuit: Circuit,
    catalog: AnyCatalog,
    points: list[Point],
    out: Path,
    options: TaskOptions = TaskOptions(),
    *,
    client: Any = None,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SweepOutcome:
    """Run one task per point on ``client``, or on a cluster made from ``scheduler``/``workers``.

    Every path is checked against the circuit first: an unknown one raises ParameterError before any task runs.
    """
    check_paths(circuit, {path for point in points for path in point})
    tasks = make_tasks(circuit, points, options)
    store = ResultStore(out)
    done = store.finished()
    todo = [t for t in tasks if t.key not in done]
    if progress:
        progress(len(tasks) - len(todo), len(tasks), f"{circuit.id}: {len(tasks) - len(todo)} reused")
    if todo:
        if client is None:
            with dask_client(scheduler, workers) as new_client:
                _compute(new_client, circuit, catalog, todo, store, len(tasks), progress)
        else:
            _compute(client, circuit, catalog, todo, store, len(tasks), progress)
    table = store.consolidate()
    order = {t.key: i for i, t in enumerate(tasks)}
    mine = table[table[KEY].isin(order)].sort_values(KEY, key=lambda k: k.map(order)).reset_index(drop=True)
    mine = mine[[c for c in mine.columns if c in (KEY, STATUS, ERROR) or mine[c].notna().any()]]  # other sweeps' columns
    return SweepOutcome(mine, len(todo), len(tasks) - len(todo), int((mine[STATUS] != "ok").sum()), store.out)


def _compute(client: Any, circuit: Circuit, catalog: AnyCatalog, todo: list[Task], store: ResultStore, total: int,
             progress: Progress | None) -> None:
    """Submit every task, store each row as it finishes; on any interruption cancel what is left."""
    from distributed import as_completed

    # fresh Dask keys (hash=False, pure=False): a rerun right after an interrupted one never meets its released data
    shipped_circuit, shipped_catalog = client.scatter([circuit, Catalog(dict(catalog.ligands), dict(catalog.receptors))],
                                                      broadcast=True, hash=False)
    futures = {client.submit(run_task, t, shipped_circuit, shipped_catalog, pure=False): t for t in todo}
    finished, failed = total - len(todo), 0
    try:
        for future in as_completed(futures):
            task = futures[future]
            row = future.result() if future.status == "finished" else error_row(task, f"task lost: {future.exception()!r}")
            store.add(row)
            finished, failed = finished + 1, failed + (row[STATUS] != "ok")
            if progress:
                workers = len(client.scheduler_info().get("workers", {}))
                progress(finished, total, f"{circuit.id}: {failed} failed, {workers} workers")
    finally:
        client.cancel(list(futures))
