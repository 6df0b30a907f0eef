"""The assay battery on Dask: every simulation behind the chosen assays, each run once, spread over workers.

It uses the sweeps' cluster (:func:`dask_client`: a local cluster of single-threaded
worker processes by default, or an existing scheduler's address for a real cluster).
The unit of work is a circuit's simulations at one seed (each a condition at that
seed, serving every shorter condition of the same events: :func:`plan_simulations`),
run together so that what they share (a network built, the same start of a
protocol) is simulated once (:func:`run_simulations`); values found in the cache are
not recomputed, and every value computed is cached as soon as it arrives. Units are
submitted dearest first by their cost (biological duration x neurons), so no long one
starts last.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..assays import AssayRun
from ..assays.cache import ResultCache, job_key
from ..assays.runner import (AnyAssay, ConditionKey, Job, Simulation, by_seed, judge_assays, measure_id, plan_jobs,
                             plan_simulations, run_simulations, simulated_ms)
from ..sim import Catalog as AnyCatalog
from ..spec import content_hash
from ..spec.circuit import Circuit
from ..spec.semantics import neurons
from .runner import dask_client
from .tasks import _NEST_LOCK, Catalog

Progress = Callable[[int, int, str], None]


@dataclass
class BatteryOutcome:
    """Verdicts per circuit; how many conditions (a condition at a seed) were computed now or reused from the cache,
    and how many simulations computed them."""

    runs: dict[str, AssayRun]
    computed: int
    reused: int
    simulations: int


def run_battery(
    selection: Sequence[tuple[Circuit, Sequence[AnyAssay]]],
    catalog: AnyCatalog,
    seeds: Sequence[int],
    cache: ResultCache | None,
    *,
    threads: int = 1,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> BatteryOutcome:
    """Judge each circuit's ``assays`` (curated and behaviour) over ``seeds``; ``cache`` None computes everything and
    stores nothing."""
    options = {"threads": threads}
    values: dict[str, dict[ConditionKey, dict[str, float]]] = {}
    todo: list[tuple[Circuit, list[Simulation], dict[ConditionKey, str]]] = []
    for circuit, assays in selection:
        values[circuit.id] = {}
        digest = content_hash(circuit)
        missing: dict[ConditionKey, tuple[Job, str]] = {}
        for job in plan_jobs(circuit, assays, seeds):
            key = job_key(digest, job, options)
            cached = cache.get(key) if cache else None
            if cached is not None and all(k in cached for k in _measure_ids(job)):
                values[circuit.id][job.key] = cached
            else:
                missing[job.key] = (job, key)
        todo += [(circuit, group, {job.key: missing[job.key][1] for simulation in group for job in simulation.jobs})
                 for group in by_seed(plan_simulations(circuit, [job for job, _ in missing.values()])).values()]
    computed = sum(len(keys) for _, _, keys in todo)
    total = computed + sum(len(v) for v in values.values())
    if progress:
        progress(total - computed, total, f"{total - computed} reused from the cache")
    if todo:
        with dask_client(scheduler, workers) as client:
            _compute(client, todo, catalog, threads, values, cache, total, progress)
    runs = {circuit.id: judge_assays(circuit, assays, seeds, values[circuit.id]) for circuit, assays in selection}
    return BatteryOutcome(runs, computed, total - computed, sum(len(group) for _, group, _ in todo))


def _measure_ids(job: Job) -> list[str]:
    return [measure_id(m) for m in job.measures]


def _cost(circuit: Circuit, simulations: list[Simulation], catalog: AnyCatalog) -> float:
    """Simulations' relative cost: NEST's work grows with the biological time simulated (what the runs share once) and
    the neurons (build and readout are small)."""
    return simulated_ms(circuit, catalog, simulations) * sum(neurons(circuit, p) for p in circuit.populations)


def _compute(client: Any, todo: list[tuple[Circuit, list[Simulation], dict[ConditionKey, str]]], catalog: AnyCatalog, threads: int,
             values: dict[str, dict[ConditionKey, dict[str, float]]], cache: ResultCache | None, total: int,
             progress: Progress | None) -> None:
    """Submit every simulation, dearest first; store each result as it arrives; cancel what is left on any interruption."""
    from distributed import as_completed

    circuits = {c.id: c for c, _, _ in todo}
    shipped = dict(zip(circuits, client.scatter(list(circuits.values()), broadcast=True, hash=False)))
    [shipped_catalog] = client.scatter([Catalog(dict(catalog.ligands), dict(catalog.receptors))], broadcast=True, hash=False)
    ordered = sorted(todo, key=lambda item: -_cost(item[0], item[1], catalog))
    futures = {client.submit(_run, shipped[c.id], shipped_catalog, group, threads, pure=False): (c.id, group, keys)
               for c, group, keys in ordered}
    done = sum(len(v) for v in values.values())
    try:
        for future in as_completed(futures):
            circuit_id, group, keys = futures[future]
            results = future.result()  # a failed simulation fails the battery: an assay cannot be judged without it
            for condition, result in results.items():
                values[circuit_id][condition] = result
                if cache:
                    cache.put(keys[condition], result)
            done += len(results)
            if progress:
                progress(done, total, f"{circuit_id}: seed {group[0].seed}")
    finally:
        client.cancel(list(futures))


def _run(circuit: Circuit, catalog: Catalog, simulations: list[Simulation], threads: int) -> dict[ConditionKey, dict[str, float]]:
    with _NEST_LOCK:  # a worker with several Dask threads still runs one NEST kernel at a time
        return run_simulations(circuit, catalog, simulations, threads=threads)
