"""Speed at scale: the atlas's simulation vs plain PyNEST, where the atlas's time goes, and sweep throughput.

In one run, for a circuit scaled to 10^3 and 10^4 neurons (10^5 with --large), each in
its own process:

* plain: the same network written directly in PyNEST (bench_simulate.run_plain);
* atlas: ``drive_atlas.drive.simulate`` under the circuit's first protocol, with timers
  wrapped around its stages: build (compile_circuit, incl. import nest), NEST
  (the chunked loop minus modulation), modulation (spike counters read, signalling advanced,
  devices set between chunks), recording (spike events pulled from NEST, neo Block
  built) and tables (rates, drive and reward tables).

Then sweep throughput: the same small sweep (circuit scaled to --sweep-neurons,
--sweep-tasks seeds, --sweep-duration each) on a local Dask cluster of 1 and of 2
worker processes (each worker imports NEST before the clock starts; cluster start-up is
reported apart from task throughput), and the same tasks in 1 and 2 bare processes
without Dask, which is the most this machine's cores allow.
With --brian2-python / --pynn-python, the same network also runs in Brian2 (cython
runtime) / PyNN on NEST (other_simulators.py) under that interpreter, each in its own
environment (Brian2 2.9 does not import with numpy 2.4). Their simulate time is the second
half of the run doubled; the first half's extra time (Brian2: code generation) is shown apart.

    python benchmarks/bench_scale.py                   # 10^3 and 10^4 neurons, 2 s biological
    python benchmarks/bench_scale.py --large           # also 10^5
    python benchmarks/bench_scale.py --duration 1 --sweep-tasks 4
    python benchmarks/bench_scale.py --brian2-python ENV/bin/python --pynn-python ENV2/bin/python --only simulators
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import resource
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable

from bench_simulate import input_schedules, load, pick_protocol, run_plain, scaled

STAGES = ("build", "nest", "modulation", "recording")


def timed(owner: Any, name: str, stage: str, totals: dict[str, float]) -> None:
    """Replace ``owner.name`` by a wrapper adding its wall time to ``totals[stage]``."""
    original: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            totals[stage] += time.perf_counter() - started

    setattr(owner, name, wrapper)


def run_atlas_profiled(atlas: Any, circuit: Any, duration_ms: float, threads: int) -> dict[str, float]:
    from drive_atlas.drive import simulate
    from drive_atlas.sim import compiler, engine, modulation, recording

    totals: dict[str, float] = defaultdict(float)
    timed(engine, "compile_circuit", "build", totals)
    for name in ("spike_counts", "set_currents", "set_input_rate", "set_light"):
        timed(compiler.Network, name, "modulation", totals)
    for name in ("advance", "state"):
        timed(modulation.Modulation, name, "modulation", totals)
    timed(compiler.Network, "spikes", "recording", totals)
    timed(recording.Recording, "to_block", "recording", totals)
    started = time.perf_counter()
    result = simulate(circuit, pick_protocol(circuit), atlas=atlas, duration=duration_ms, threads=threads)
    wall = time.perf_counter() - started
    # the nest module refuses attribute patching: NEST's share is the loop's time minus the modulation between chunks
    totals["nest"] = float(result.block.annotations["simulate_seconds"]) - totals["modulation"]
    out = {stage: totals[stage] for stage in STAGES}
    out["tables"] = wall - sum(out.values())  # rates/drive/reward tables and the loop's own bookkeeping
    out["wall"] = wall
    out["spikes"] = int(sum(len(t) for t in result.block.segments[0].spiketrains))
    return out


def worker(args: argparse.Namespace) -> None:
    atlas, _ = load(args.root)
    circuit = scaled(atlas[args.circuit], args.neurons)
    if args.worker == "plain":
        started = time.perf_counter()
        out = run_plain(circuit, args.duration * 1000, args.threads, inputs=input_schedules(circuit, atlas, args.duration * 1000))
        out["wall"] = time.perf_counter() - started
    else:
        out = run_atlas_profiled(atlas, circuit, args.duration * 1000, args.threads)
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def measure(kind: str, circuit_id: str, neurons: int, args: argparse.Namespace) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--worker", kind, "--circuit", circuit_id, "--neurons", str(neurons),
           "--duration", str(args.duration), "--threads", str(args.threads)] + (["--root", str(args.root)] if args.root else [])
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])


def network_description(circuit: Any, duration_ms: float, seed: int = 1) -> dict[str, Any]:
    """The scaled circuit as plain numbers for another simulator, in the circuit's own representation.

    Resolution and background are what the atlas builds (``compiler.background_input``): a thinned
    background becomes its generator's rate and weight, with the lost mean current added to I_e.
    """
    from drive_atlas.sim.compiler import background_input, import_nest, neuron_params, resolution

    other = sorted({p.neuron.model for p in circuit.populations} - {"iaf_psc_exp"})
    if other:
        raise ValueError(f"only iaf_psc_exp neurons are translated (this circuit also uses {', '.join(other)})")
    defaults = import_nest().GetDefaults("iaf_psc_exp")
    populations = []
    for p in circuit.populations:
        bg = background_input(p, defaults) if p.background else None
        populations.append({"id": p.id, "size": p.size, "params": neuron_params(p, bg, defaults),
                            "background_rate": bg.rate if bg else 0.0, "background_weight": bg.weight if bg else 0.0})
    projections = []
    for pr in circuit.projections:
        if pr.connection.rule != "fixed_indegree" or pr.synapse != "static_synapse":
            raise ValueError(f"projection {pr.id}: only static fixed in-degree projections are translated")
        projections.append({"source": pr.source, "target": pr.target, "indegree": pr.connection.indegree, "delay": pr.delay,
                            "weight": -pr.weight if pr.sign == "inhibitory" else pr.weight})
    return {"seed": seed, "duration_ms": duration_ms, "resolution_ms": resolution(circuit), "populations": populations,
            "projections": projections}


def run_other(simulator: str, python: Path, circuit: Any, args: argparse.Namespace) -> dict[str, float]:
    """The network in another simulator (other_simulators.py) under ``python``; simulate is the second half doubled."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "network.json"
        path.write_text(json.dumps(network_description(circuit, args.duration * 1000)))
        started = time.perf_counter()
        done = subprocess.run([str(python), str(Path(__file__).with_name("other_simulators.py")), simulator, str(path)],
                              capture_output=True, text=True, check=True)
        out = json.loads(done.stdout.strip().splitlines()[-1])
    out["wall"] = time.perf_counter() - started
    out["simulate"] = 2 * out["second_half"]
    out["first_run_extra"] = out["first_half"] - out["second_half"]  # Brian2: code generation and compilation
    return out


def _import_nest() -> None:
    from drive_atlas.sim.compiler import import_nest

    import_nest()


def sweep_plan(args: argparse.Namespace) -> tuple[list[dict[str, int]], Any]:
    """The benchmark sweep's points (one per seed) and task options, shared by the Dask and bare-process runs."""
    from drive_atlas.sweeps import TaskOptions

    return [{"seed": s} for s in range(1, args.sweep_tasks + 1)], TaskOptions(duration=args.sweep_duration * 1000)


def sweep_throughput(atlas: Any, circuit: Any, workers: int, args: argparse.Namespace) -> dict[str, float]:
    from drive_atlas.sweeps import dask_client, run_sweep

    points, options = sweep_plan(args)
    started = time.perf_counter()
    with dask_client(workers=workers) as client, tempfile.TemporaryDirectory() as tmp:
        client.run(_import_nest)  # each worker's first import of NEST is start-up, not throughput
        ready = time.perf_counter()
        outcome = run_sweep(circuit, atlas, points, Path(tmp) / "bench.parquet", options, client=client)
        done = time.perf_counter()
    return {"startup": ready - started, "sweep": done - ready, "tasks": outcome.computed, "failed": outcome.failed}


def process_throughput(atlas: Any, circuit: Any, workers: int, args: argparse.Namespace) -> float:
    """Seconds for the same tasks in bare worker processes (no Dask): what this machine's cores allow."""
    from drive_atlas.sweeps.tasks import Catalog, make_tasks, run_task

    tasks = make_tasks(circuit, *sweep_plan(args))
    catalog = Catalog(dict(atlas.ligands), dict(atlas.receptors))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_import_nest) as pool:
        list(pool.map(_hold, range(workers)))  # every worker started and warm
        started = time.perf_counter()
        list(pool.map(run_task, tasks, [circuit] * len(tasks), [catalog] * len(tasks)))
        return time.perf_counter() - started


def _hold(_: int) -> None:
    time.sleep(0.5)  # hold this worker so the next warm-up call lands on another one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="also run at 10^5 neurons")
    parser.add_argument("--duration", type=float, default=2.0, help="biological seconds per simulation")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--sweep-neurons", type=int, default=1000)
    parser.add_argument("--sweep-tasks", type=int, default=8)
    parser.add_argument("--sweep-duration", type=float, default=1.0)
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--brian2-python", type=Path, help="an interpreter with Brian2: also run the network in Brian2")
    parser.add_argument("--pynn-python", type=Path, help="an interpreter with PyNN and NEST: also run the network in PyNN")
    parser.add_argument("--only", choices=("simulators", "sweep"), help="run one part only")
    parser.add_argument("--worker", choices=("plain", "atlas"), help=argparse.SUPPRESS)
    parser.add_argument("--circuit", help=argparse.SUPPRESS)
    parser.add_argument("--neurons", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    atlas, source = load(args.root)
    if source == "fixture":
        from bench_simulate import FIXTURE

        args.root = FIXTURE
    circuit = next(iter(atlas))
    sizes = [1_000, 10_000] + ([100_000] if args.large else [])
    print(f"{source} circuit {circuit.id}, {args.duration:g} s biological, {args.threads} NEST thread(s)")
    print("| N | run | wall s | build s | NEST s | modulation s | recording s | tables s | peak MB | spikes | / plain |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes if args.only != "sweep" else []:
        plain = measure("plain", circuit.id, n, args)
        ours = measure("atlas", circuit.id, n, args)
        print(f"| {n:,} | plain | {plain['wall']:.2f} | {plain['build']:.2f} | {plain['simulate']:.2f} | | | | "
              f"{plain['peak_mb']:.0f} | {plain['spikes']:,} | |")
        print(f"| {n:,} | atlas | {ours['wall']:.2f} | {ours['build']:.2f} | {ours['nest']:.2f} | {ours['modulation']:.3f} | "
              f"{ours['recording']:.3f} | {ours['tables']:.3f} | {ours['peak_mb']:.0f} | {ours['spikes']:,} | "
              f"{ours['wall'] / plain['wall']:.2f} |", flush=True)
        for label, simulator, python in (("Brian2 cython", "brian2", args.brian2_python), ("PyNN on NEST", "pynn", args.pynn_python)):
            if python:
                o = run_other(simulator, python, scaled(atlas[circuit.id], n), args)
                extra = f" (first run +{o['first_run_extra']:.1f})" if o["first_run_extra"] > 0.5 else ""
                print(f"| {n:,} | {label} | {o['wall']:.2f} | {o['build']:.2f} | {o['simulate']:.2f}{extra} "
                      f"| | | | {o['peak_mb']:.0f} | {o['spikes']:,} | {o['wall'] / plain['wall']:.2f} |", flush=True)
    if args.only == "simulators":
        return
    small = scaled(atlas[circuit.id], args.sweep_neurons)
    print(f"\nsweep: {args.sweep_tasks} simulations of {args.sweep_neurons} neurons x {args.sweep_duration:g} s")
    print("| workers | cluster start s | sweep s | tasks/min | speed-up | bare processes s | bare speed-up |")
    print("|---|---|---|---|---|---|---|")
    base = bare_base = None
    for workers in (1, 2):
        r = sweep_throughput(atlas, small, workers, args)
        bare = process_throughput(atlas, small, workers, args)
        base, bare_base = base or r["sweep"], bare_base or bare
        print(f"| {workers} | {r['startup']:.1f} | {r['sweep']:.1f} | {60 * r['tasks'] / r['sweep']:.1f} | "
              f"{base / r['sweep']:.2f} | {bare:.1f} | {bare_base / bare:.2f} |", flush=True)


if __name__ == "__main__":
    main()
