"""Where the assay battery's CPU goes, per simulation, without running the whole battery.

    python benchmarks/bench_battery.py              # 1 job per circuit + all conditions of 2 circuits, seed 1
    python benchmarks/bench_battery.py --circuits pain threat --seeds 1 2
    python benchmarks/bench_battery.py --plan       # the battery's jobs and simulations, no simulation

Runs a sample of the battery's jobs (a condition at a seed, as ``drive-atlas test`` plans
them) one after the other in this process, timing each phase with process CPU time
(``time.process_time``: steadier than wall time on a shared machine; NEST runs one thread):

* build: ``compile_circuit`` (NEST ResetKernel, Create, Connect);
* simulate: the ``nest.Simulate`` calls;
* between chunks: the rest of the chunked loop (signalling, devices, counters);
* spikes: spike events pulled from the recorders;
* readout: the Recording turned into the assay's tables (``assays.runner.run_simulation`` after the loop);
* measures: the assay measures read from the tables;
* pickling: the job and its result through pickle (what Dask ships per job).

It then fits CPU seconds per job as build + rate x biological seconds per circuit and
lays the whole battery's jobs on N workers in the battery's order, to show the
scheduling tail (the last job's end against the mean worker's).
"""

from __future__ import annotations

import argparse
import heapq
import pickle
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any

import numpy as np

from drive_atlas.assays import DEFAULT_SEEDS
from drive_atlas.assays import runner as assay_runner
from drive_atlas.assays.runner import Simulation, plan_jobs, plan_simulations, run_simulation, simulated_ms
from drive_atlas.atlas import Atlas, default_root
from drive_atlas.sim import compiler, engine

PHASES = ("build", "simulate", "between", "spikes", "readout", "measures", "pickling")


class Clock:
    """Process CPU seconds spent inside wrapped functions, per phase (outermost wrapper counts)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self._depth = 0

    @contextmanager
    def phase(self, name: str):
        if self._depth:
            yield
            return
        self._depth += 1
        start = time.process_time()
        try:
            yield
        finally:
            self.spent[name] += time.process_time() - start
            self._depth -= 1

    def wrap(self, owner: Any, attribute: str, name: str) -> None:
        original = getattr(owner, attribute)

        def timed(*args: Any, **kwargs: Any) -> Any:
            with self.phase(name):
                return original(*args, **kwargs)

        setattr(owner, attribute, timed)


class _TimedNest:
    """NEST as the network sees it, with ``Simulate`` timed (the nest module itself refuses new attributes)."""

    def __init__(self, nest: Any, clock: Clock) -> None:
        self._nest, self._clock = nest, clock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._nest, name)

    def Simulate(self, t: float) -> None:  # noqa: N802 - NEST's name
        with self._clock.phase("simulate"):
            self._nest.Simulate(t)


def instrument(clock: Clock) -> None:
    build = engine.compile_circuit

    def compile_circuit(*args: Any, **kwargs: Any) -> Any:
        with clock.phase("build"):
            network = build(*args, **kwargs)
        network.nest = _TimedNest(network.nest, clock)
        return network

    engine.compile_circuit = compile_circuit
    clock.wrap(compiler.Network, "spikes", "spikes")
    clock.wrap(assay_runner, "measure_value", "measures")


def profile_job(circuit: Any, atlas: Atlas, job: Any, clock: Clock) -> dict[str, float]:
    clock.spent.clear()
    loop = {}
    original_run = engine.run

    def run(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return original_run(*args, **kwargs)
        finally:
            loop["run"] = time.process_time() - start

    engine.run = run
    try:
        start = time.process_time()
        values = run_simulation(circuit, atlas, Simulation((job,), (job.duration,)))
        total = time.process_time() - start
    finally:
        engine.run = original_run
    with clock.phase("pickling"):
        pickle.loads(pickle.dumps((circuit, job)))
        pickle.loads(pickle.dumps(values))
    spent = dict(clock.spent)
    spent["between"] = loop["run"] - spent.get("build", 0) - spent.get("simulate", 0) - spent.get("spikes", 0)
    spent["readout"] = total - loop["run"] - spent.get("measures", 0)
    spent["total"] = total + spent["pickling"]
    return {p: spent.get(p, 0.0) for p in (*PHASES, "total")}


def schedule(costs: list[float], workers: int) -> tuple[float, float]:
    """(makespan, mean busy time per worker) of greedy list scheduling in the given order."""
    heap = [0.0] * workers
    for cost in costs:
        heapq.heappush(heap, heapq.heappop(heap) + cost)
    return max(heap), sum(heap) / workers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--circuits", nargs="*", default=["hunger", "hunger_threat"],
                        help="circuits whose every condition runs (default: a single circuit and a composite)")
    parser.add_argument("--seeds", type=int, nargs="*", default=[1])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--plan", action="store_true", help="only list the battery's jobs")
    args = parser.parse_args()

    atlas = Atlas.load(default_root(), strict=False)
    battery = {cid: plan_jobs(atlas[cid], [*atlas[cid].assays, *atlas[cid].behaviour_assays], DEFAULT_SEEDS)
               for cid in atlas.entries}
    print(f"battery: {sum(map(len, battery.values()))} jobs, "
          f"{sum(j.duration for jobs in battery.values() for j in jobs) / 1000:.0f} biological s")
    shared = {cid: plan_simulations(atlas[cid], jobs) for cid, jobs in battery.items()}
    print(f"shared runs (plan_simulations): {sum(map(len, shared.values()))} simulations, "
          f"{sum(s.duration for sims in shared.values() for s in sims) / 1000:.0f} biological s")
    tree = {cid: sum(simulated_ms(atlas[cid], atlas, [s for s in sims if s.seed == seed]) for seed in DEFAULT_SEEDS)
            for cid, sims in shared.items()}
    print(f"simulated once per circuit and seed (run_simulations: one build per network, forked where runs depart): "
          f"{sum(tree.values()) / 1000:.0f} biological s")
    if args.plan:
        for cid, jobs in battery.items():
            print(f"  {cid}: {len(jobs)} jobs, {sum(j.duration for j in jobs) / 1000:.0f} s; "
                  f"{len(shared[cid])} simulations, {sum(s.duration for s in shared[cid]) / 1000:.0f} s; "
                  f"simulated {tree[cid] / 1000:.0f} s")
        return

    clock = Clock()
    instrument(clock)
    start = time.process_time()
    compiler.import_nest()
    print(f"import nest: {time.process_time() - start:.2f} CPU s (once per worker)")
    sample: list[tuple[str, Any]] = []
    for cid, jobs in battery.items():
        chosen = [j for j in jobs if j.seed in args.seeds] if cid in args.circuits else jobs[:1]
        sample += [(cid, j) for j in chosen]
    rows = []
    print("circuit | condition | seed | bio s | " + " | ".join(PHASES) + " | total CPU s")
    for cid, job in sample:
        row = profile_job(atlas[cid], atlas, job, clock)
        rows.append((cid, job, row))
        print(f"{cid} | {job.condition.name} | {job.seed} | {job.duration / 1000:g} | "
              + " | ".join(f"{row[p]:.2f}" for p in PHASES) + f" | {row['total']:.2f}")

    totals = {p: sum(r[p] for _, _, r in rows) for p in (*PHASES, "total")}
    print("sample share: " + ", ".join(f"{p} {totals[p] / totals['total']:.1%}" for p in PHASES))
    # per circuit: build seconds and CPU per biological second of everything else
    model: dict[str, tuple[float, float]] = {}
    for cid in battery:
        mine = [(j, r) for c, j, r in rows if c == cid]
        build = float(np.mean([r["build"] for _, r in mine]))
        rate = float(np.mean([(r["total"] - r["build"]) / (j.duration / 1000) for j, r in mine]))
        model[cid] = (build, rate)
        print(f"model {cid}: build {build:.2f} s + {rate:.3f} CPU s per biological s")
    estimate = {cid: [model[cid][0] + model[cid][1] * j.duration / 1000 for j in jobs] for cid, jobs in battery.items()}
    phases_total = defaultdict(float)
    for cid, jobs in battery.items():
        mine = [(j, r) for c, j, r in rows if c == cid]
        for p in PHASES:
            per_bio = np.mean([r[p] / (j.duration / 1000) for j, r in mine]) if p != "build" else 0.0
            per_job = np.mean([r[p] for _, r in mine]) if p == "build" else 0.0
            phases_total[p] += sum(per_job + per_bio * j.duration / 1000 for j in jobs)
    whole = sum(sum(v) for v in estimate.values())
    print(f"whole battery (extrapolated): {whole:.0f} CPU s; "
          + ", ".join(f"{p} {phases_total[p]:.0f}" for p in PHASES))
    planned = sum(model[cid][0] + model[cid][1] * sim.duration / 1000 for cid, sims in shared.items() for sim in sims)
    print(f"the same, one job per simulation: {whole:.0f} CPU s; as planned (shared and shortened runs): {planned:.0f} CPU s")
    flat = [(cid, j, c) for cid, jobs in battery.items() for j, c in zip(jobs, estimate[cid])]
    by_duration = [c for _, j, c in sorted(flat, key=lambda x: -x[1].duration)]
    by_cost = sorted((c for _, _, c in flat), reverse=True)
    for name, order in (("longest biological duration first", by_duration), ("largest estimated cost first", by_cost)):
        makespan, mean = schedule(order, args.workers)
        print(f"schedule on {args.workers} workers, {name}: makespan {makespan:.0f} s, mean worker {mean:.0f} s, "
              f"tail {makespan - mean:.1f} s")


if __name__ == "__main__":
    main()
