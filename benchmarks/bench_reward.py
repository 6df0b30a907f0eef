"""Reward evaluations per second: the fast backend vs plain numpy Keramati-Gutkin; the live backend vs plain NEST.

    python benchmarks/bench_reward.py --module hunger.drive pain.drive --fast-only   # exported with drive-atlas export
    python benchmarks/bench_reward.py --module hunger.drive --live-steps 50 --dt 0.1 --threads 2

Side by side in one run, so machine load affects both columns alike:

* fast backend ``step`` (one environment) and ``step_batch`` for 1 to 10^4 environments,
  against a plain numpy Keramati-Gutkin reward on the same body states (D = (sum_s |H*_s - H_s|^4)^(1/2)
  over the module's states, r = D_prev - D, each environment's previous drive kept), written as one would
  (fresh temporaries), and again with its temporaries in preallocated arrays (as the fast backend keeps its
  own); both return a fresh reward array. Per step both sides read the next of 16 pre-drawn steps of the
  environments' random walk through the body states (events drawn 0 or 1 at random, or with `--events between` evenly between), as an agent's environments
  move; the fast backend reads the events too. The two alternate in short rounds and the overhead is the
  median (and the least) of the per-round ratios of CPU time, so a busy machine slows both sides of each
  ratio alike; the load average before and after is printed with them. First, the time of the first reset and step in the
  process: the compiled step loaded from its on-disk cache, or compiled when there is none;
* live backend ``step`` (dt per step, inputs set from the interface, drive and reward via
  drive_atlas.drive) against a plain ``nest.Simulate(dt)`` loop over the same compiled network.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import time
from pathlib import Path

import numpy as np

from drive_atlas.reward import load_reward_function

STEPS = 16  # pre-drawn steps of the environments' walk through the body states, cycled


def _rate(fn, seconds: float = 1.0) -> float:
    """Calls per CPU second of fn (this process's CPU time, over at least ``seconds`` of it): on a shared machine
    the time spent waiting for a core is left out, which wall time would add to either side at random."""
    calls, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed


def _side_by_side(a, b, rounds: int, seconds: float) -> tuple[float, float, float, float, float]:
    """(calls/s of a, calls/s of b, median, least and most over rounds of rate_b / rate_a), a and b alternating."""
    pairs = [(_rate(a, seconds), _rate(b, seconds)) for _ in range(rounds)]
    ratios = [kb / ka for ka, kb in pairs]
    return (float(np.median([p[0] for p in pairs])), float(np.median([p[1] for p in pairs])),
            float(np.median(ratios)), float(np.min(ratios)), float(np.max(ratios)))


def _closed_form(states: list[np.ndarray], n: int) -> tuple:
    """A Keramati-Gutkin drive-reduction reward over the same body states: D = (sum_s |H*_s - H_s|^4)^(1/2),
    r = D_prev - D, keeping each environment's previous drive, as an agent's loop needs; written as one would
    (fresh temporaries), and with its temporaries in preallocated arrays (as the fast backend keeps its own).
    Both take the step's states and return a fresh reward array."""
    previous = [np.zeros(n)]

    def fresh(values: list[np.ndarray]) -> np.ndarray:
        total = np.abs(0.8 - values[0]) ** 4
        for h in values[1:]:
            total = total + np.abs(0.8 - h) ** 4
        drive = total ** 0.5
        reward, previous[0] = previous[0] - drive, drive
        return reward

    scratch, total, drives = np.empty(n), np.empty(n), [np.zeros(n), np.empty(n)]

    def preallocated(values: list[np.ndarray]) -> np.ndarray:
        drive, last = drives[1], drives[0]
        for k, h in enumerate(values):
            np.subtract(0.8, h, out=scratch)
            np.abs(scratch, out=scratch)
            np.power(scratch, 4, out=total if k == 0 else scratch)
            if k:
                np.add(total, scratch, out=total)
        np.sqrt(total, out=drive)
        drives.reverse()
        return last - drive  # a fresh reward array, as step_batch returns

    return fresh, preallocated


def _events(rng: np.random.Generator, n: int, between: bool) -> np.ndarray:
    """One step's values of an event for n environments: 0 or 1 (30% on), as agents give them, or, ``between``, drawn
    evenly from 0 to 1 (a graded event: the fast backend then interpolates along its axis)."""
    return rng.uniform(0.0, 1.0, n) if between else (rng.random(n) < 0.3).astype(float)


def bench_fast(module: Path, rounds: int, seconds: float, sizes: tuple[int, ...] = (1, 10, 100, 1000, 10_000),
               between: bool = False) -> list[dict[str, float | str]]:
    """Per size, a batch of environments walking through the body states (a new state per step, cycling through
    ``STEPS`` pre-drawn steps, as an agent's environments move), the same states read by both sides; the events
    as ``_events`` draws them."""
    fn = load_reward_function(module)
    state, event = fn.state_ids[0], fn.event_ids[0] if fn.event_ids else None
    events_one = {event: 1.0} if event else {}
    start = time.perf_counter()
    fn.reset({state: 0.5})
    fn.step({state: 0.5}, events_one, 0.5)
    first = time.perf_counter() - start  # the compiled step: loaded from its cache, or compiled when there is none
    rows: list[dict[str, float | str]] = [{"envs": 1, "api": "first reset and step", "seconds": first}]
    single = _rate(lambda: fn.step({state: 0.5}, events_one, 0.5))
    rows.append({"envs": 1, "api": "step", "fast_evals_per_s": single})
    rng = np.random.default_rng(0)
    for n in sizes:
        states = len(fn.state_ids)
        walk = np.clip(rng.uniform(0, 1, (states, n)) + np.cumsum(rng.normal(0, 0.05, (STEPS, states, n)), 0), 0, 1)
        trajectory = [({s: np.ascontiguousarray(walk[k, j]) for j, s in enumerate(fn.state_ids)},
                       {e: _events(rng, n, between) for e in fn.event_ids}) for k in range(STEPS)]
        fn.reset_batch(n, trajectory[-1][0])
        fast_steps, plain_steps = itertools.cycle(trajectory), itertools.cycle([list(t[0].values()) for t in trajectory])
        fresh, preallocated = _closed_form(list(trajectory[-1][0].values()), n)

        def fast() -> np.ndarray:
            return fn.step_batch(*next(fast_steps), 0.5)

        fast_rate, plain, overhead, least, most = _side_by_side(fast, lambda: fresh(next(plain_steps)), rounds, seconds)
        _, prepared, overhead_prepared, least_prepared, _ = _side_by_side(
            fast, lambda: preallocated(next(plain_steps)), rounds, seconds)
        rows.append({"envs": n, "api": "step_batch", "fast_evals_per_s": fast_rate * n, "kg_numpy_evals_per_s": plain * n,
                     "overhead": overhead, "overhead_min": least, "overhead_max": most,
                     "kg_preallocated_evals_per_s": prepared * n,
                     "overhead_vs_preallocated": overhead_prepared, "overhead_vs_preallocated_min": least_prepared})
    return rows


def bench_live(module: Path, steps: int, dt: float, threads: int) -> dict[str, float]:
    from drive_atlas.atlas import Atlas
    from drive_atlas.sim.compiler import compile_circuit

    atlas = Atlas.load()
    fn = load_reward_function(module, backend="nest", atlas=atlas, threads=threads)
    state, events = {fn.state_ids[0]: 0.5}, fn.event_ids[:1]
    fn.reset(state)
    start = time.perf_counter()
    for k in range(steps):
        fn.step(state, {e: float(k % 2) for e in events}, dt)
    live = steps / (time.perf_counter() - start)
    network = compile_circuit(fn.circuit, seed=1, threads=threads, record_neurons=1)
    start = time.perf_counter()
    for _ in range(steps):
        network.nest.Simulate(dt * 1000.0)
    plain = steps / (time.perf_counter() - start)
    return {"dt_s": dt, "steps": steps, "threads": threads, "live_steps_per_s": live, "plain_nest_steps_per_s": plain,
            "overhead": plain / live, "live_real_time_factor": live * dt, "plain_real_time_factor": plain * dt}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--module", type=Path, required=True, nargs="+", help="one or more modules, in turn")
    parser.add_argument("--live-steps", type=int, default=8)
    parser.add_argument("--dt", type=float, default=0.25)
    parser.add_argument("--threads", type=int, default=1, help="NEST threads for the live backend and its reference")
    parser.add_argument("--fast-only", action="store_true", help="skip the live (NEST) comparison")
    parser.add_argument("--rounds", type=int, default=15, help="alternating rounds per comparison")
    parser.add_argument("--seconds", type=float, default=0.1, help="seconds per side and round")
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 100, 1000, 10_000],
                        help="numbers of environments of step_batch")
    parser.add_argument("--events", choices=["on-points", "between"], default="on-points",
                        help="events drawn 0 or 1 (30%% on), as agents give them, or evenly between 0 and 1")
    args = parser.parse_args()
    report: dict[str, object] = {"load_average_before": os.getloadavg(), "events": args.events}
    for module in args.module:
        report[f"fast {module.name}"] = bench_fast(module, args.rounds, args.seconds, tuple(args.sizes),
                                                   args.events == "between")
        if not args.fast_only:
            report[f"live {module.name}"] = bench_live(module, args.live_steps, args.dt, args.threads)
    report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
