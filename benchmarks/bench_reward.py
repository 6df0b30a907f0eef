"""Reward evaluations per second: the fast backend vs plain numpy Keramati-Gutkin; the live backend vs plain NEST.

    python benchmarks/bench_reward.py --module hunger-1.2.0.drive            # exported with drive-atlas export
    python benchmarks/bench_reward.py --module hunger-1.2.0.drive --live-steps 50 --dt 0.1 --threads 2

Side by side in one run, so machine load affects both columns alike:

* fast backend ``step`` (one environment) and ``step_batch`` for 1 to 10^4 environments,
  against a plain numpy Keramati-Gutkin reward (D = (|H* - H|^4)^(1/2), r = D_prev - D) on the same batch,
  written as one would (fresh temporaries), and again with its temporaries in preallocated arrays
  (as the fast backend keeps its scratch space; both return a fresh reward array).
  The two alternate in short rounds and the overhead is the median (and the least) of the per-round
  ratios, so a busy machine slows both sides of each ratio alike. First, the time of the first reset
  and step in the process: the compiled step loaded from its on-disk cache, or compiled when there is none;
* live backend ``step`` (dt per step, inputs set from the interface, drive and reward via
  drive_atlas.drive) against a plain ``nest.Simulate(dt)`` loop over the same compiled network.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from drive_atlas.reward import load_reward_function


def _rate(fn, seconds: float = 1.0) -> float:
    """Calls per second of fn, over at least ``seconds``."""
    calls, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        fn()
        calls += 1
    return calls / elapsed


def _side_by_side(a, b, rounds: int = 15, seconds: float = 0.1) -> tuple[float, float, float, float]:
    """(calls/s of a, calls/s of b, median and least over rounds of rate_b / rate_a), a and b alternating."""
    pairs = [(_rate(a, seconds), _rate(b, seconds)) for _ in range(rounds)]
    ratios = [kb / ka for ka, kb in pairs]
    return (float(np.median([p[0] for p in pairs])), float(np.median([p[1] for p in pairs])),
            float(np.median(ratios)), float(np.min(ratios)))


def bench_fast(module: Path) -> list[dict[str, float | str]]:
    fn = load_reward_function(module)
    state, event = fn.state_ids[0], fn.event_ids[0]
    start = time.perf_counter()
    fn.reset({state: 0.5})
    fn.step({state: 0.5}, {event: 1.0}, 0.5)
    first = time.perf_counter() - start  # the compiled step: loaded from its cache, or compiled when there is none
    rows: list[dict[str, float | str]] = [{"envs": 1, "api": "first reset and step", "seconds": first}]
    single = _rate(lambda: fn.step({state: 0.5}, {event: 1.0}, 0.5))
    rows.append({"envs": 1, "api": "step", "fast_evals_per_s": single})
    rng = np.random.default_rng(0)
    for n in (1, 10, 100, 1000, 10_000):
        energy, eating = rng.uniform(0, 1, n), (rng.random(n) < 0.3).astype(float)
        states, events = {s: energy for s in fn.state_ids}, {e: eating for e in fn.event_ids}
        fn.reset_batch(n, states)
        previous = np.zeros(n)

        def kg() -> None:
            nonlocal previous
            drive = (np.abs(0.8 - energy) ** 4) ** 0.5
            _, previous = previous - drive, drive

        scratch, drives = np.empty(n), [np.zeros(n), np.empty(n)]

        def kg_preallocated() -> np.ndarray:
            """The same reward with its temporaries in preallocated arrays, as the fast backend keeps its own."""
            drive, last = drives[1], drives[0]
            np.subtract(0.8, energy, out=scratch)
            np.abs(scratch, out=scratch)
            np.power(scratch, 4, out=scratch)
            np.sqrt(scratch, out=drive)
            drives.reverse()
            return last - drive  # a fresh reward array, as step_batch returns

        fast, plain, overhead, least = _side_by_side(lambda: fn.step_batch(states, events, 0.5), kg)
        _, preallocated, overhead_preallocated, least_preallocated = _side_by_side(
            lambda: fn.step_batch(states, events, 0.5), kg_preallocated)
        rows.append({"envs": n, "api": "step_batch", "fast_evals_per_s": fast * n, "kg_numpy_evals_per_s": plain * n,
                     "overhead": overhead, "overhead_min": least, "kg_preallocated_evals_per_s": preallocated * n,
                     "overhead_vs_preallocated": overhead_preallocated, "overhead_vs_preallocated_min": least_preallocated})
    return rows


def bench_live(module: Path, steps: int, dt: float, threads: int) -> dict[str, float]:
    from drive_atlas.atlas import Atlas
    from drive_atlas.sim.compiler import compile_circuit

    atlas = Atlas.load()
    fn = load_reward_function(module, backend="nest", atlas=atlas, threads=threads)
    fn.reset({"energy": 0.5})
    start = time.perf_counter()
    for k in range(steps):
        fn.step({"energy": 0.5}, {"eating": float(k % 2)}, dt)
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
    parser.add_argument("--module", type=Path, required=True)
    parser.add_argument("--live-steps", type=int, default=8)
    parser.add_argument("--dt", type=float, default=0.25)
    parser.add_argument("--threads", type=int, default=1, help="NEST threads for the live backend and its reference")
    parser.add_argument("--fast-only", action="store_true", help="skip the live (NEST) comparison")
    args = parser.parse_args()
    report = {"fast": bench_fast(args.module)}
    if not args.fast_only:
        report["live"] = bench_live(args.module, args.live_steps, args.dt, args.threads)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
