"""Drive Atlas's simulator vs an equivalent plain PyNEST script, side by side (not a test).

For each curated circuit (or the test fixture circuit when the curated atlas does
not load), scale the populations to about N neurons in total, then in separate
processes (so peak memory is per run):

* atlas: ``run_circuit`` under the circuit's first protocol, 100 ms chunks, modulation on;
* atlas-nomod: the same with modulation off, which isolates what the atlas's own machinery costs on
  the same dynamics as plain (its build, its loop, which without modulation pauses NEST only at the
  protocol's changes and once a second, and its recording, the signalling worked out from the spikes);
* plain: the same network written directly in PyNEST (sizes, models, parameters,
  rules, signed weights, delays, background generators, the protocol's Poisson inputs as
  an ``inhomogeneous_poisson_generator`` per target switching at the protocol's events
  (until this round plain had none, so the atlas's runs handled input spikes plain did
  not), one spike recorder per population, same seed), one ``nest.Simulate``, no modulation;
* plain+currents: plain, plus the atlas run's neuropeptide/hormone currents replayed
  through one ``step_current_generator`` per modulated population (the amplitudes the
  atlas set at each chunk). The network then does the same work as the atlas's, so
  atlas / plain+currents is the cost of the atlas's machinery with modulation on,
  while atlas / plain also counts the extra spikes the modulation causes.

    python benchmarks/bench_simulate.py                 # N = 10^4, 10 s biological
    python benchmarks/bench_simulate.py --large         # also N = 10^5
    python benchmarks/bench_simulate.py --neurons 2000 --duration 2
    python benchmarks/bench_simulate.py --neurons 0     # each circuit at its own size
    python benchmarks/bench_simulate.py --neurons 0 --in-process --repeats 7   # the four kinds alternating in one process

``--in-process`` runs the four kinds in turn in one process per circuit, ``--repeats`` rounds, and reports the
paired median of each ratio over the rounds: the interpreter's start-up and ``import nest``, which every kind pays
alike and whose cost varies from process to process, are left out, so what remains is the build, the run and the
recording, where the atlas and plain PyNEST differ.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "atlas"
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYNEST_QUIET", "1")


# plain PyNEST; the atlas with modulation off (same dynamics as plain: the cost of its devices); the atlas as used
KINDS = ("plain", "atlas-nomod", "atlas", "plain+currents")  # atlas before plain+currents, which replays its currents


def load(root: Path | None):
    from drive_atlas.atlas import Atlas
    from drive_atlas.spec import SpecValidationError

    try:
        atlas = Atlas.load(root)
        if len(atlas):
            return atlas, "curated"
    except SpecValidationError:
        pass
    return Atlas.load(FIXTURE), "fixture"


def scaled(circuit, neurons: int):
    """The circuit with every population scaled so the total is about ``neurons`` (in-/out-degrees kept); 0: at its own
    size. Either way the sizes are the neurons that run (a ``simulation.population_scale`` folded into them), so the
    plain script and the table read them as they are."""
    from drive_atlas.spec.semantics import neurons as run_size

    run = {p.id: run_size(circuit, p) for p in circuit.populations}
    factor = neurons / sum(run.values()) if neurons else 1.0
    pops = [p.model_copy(update={"size": max(1, round(run[p.id] * factor))}) for p in circuit.populations]
    simulation = circuit.simulation.model_copy(update={"population_scale": 1.0}) if circuit.simulation else None
    return circuit.model_copy(update={"populations": pops, "simulation": simulation})


def pick_protocol(circuit) -> str | None:
    return next(iter(circuit.protocols), None)


def run_atlas(atlas, circuit, duration: float, threads: int, modulation: bool, currents_out: Path | None = None) -> dict:
    from drive_atlas.sim import RunOptions, run_circuit

    options = RunOptions(seed=1, threads=threads, modulation=modulation)
    rec = run_circuit(circuit, atlas, pick_protocol(circuit), duration=duration, options=options)
    if currents_out is not None:
        currents_out.write_text(json.dumps({"times": rec.times.tolist(), "currents": rec.currents.T.tolist()}))
    return {"build": rec.annotations["build_seconds"], "simulate": rec.annotations["simulate_seconds"],
            "spikes": int(sum(len(t) for t, _ in rec.spikes.values()))}


def input_schedules(circuit, atlas, duration: float) -> dict[str, tuple[list[float], list[float]]]:
    """Each Poisson input's rate over the first protocol as (times, rates): its level from each event boundary on, as
    the atlas's loop sets it (so the plain network gets the same input spikes to handle)."""
    from drive_atlas.sim.protocol import Timeline
    from drive_atlas.spec.semantics import poisson_inputs

    timeline = Timeline.build(circuit, atlas.ligands, pick_protocol(circuit), duration=duration)
    bounds = sorted({0.0} | {t for e in timeline.events for t in (e.event.at, e.event.until) if t is not None and t < duration})
    return {inp.id: (bounds, [timeline.input_level(inp.id, t) for t in bounds]) for inp in poisson_inputs(circuit)}


def run_plain(circuit, duration: float, threads: int, currents: dict | None = None,
              inputs: dict[str, tuple[list[float], list[float]]] | None = None) -> dict:
    """The same network in plain PyNEST, written out without the compiler; ``currents`` replays per-population currents,
    ``inputs`` drives each Poisson input's targets at its rates over time (``input_schedules``)."""
    started = time.perf_counter()
    import nest

    nest.verbosity = nest.VerbosityLevel.WARNING
    nest.ResetKernel()
    from drive_atlas.sim.compiler import background_input, neuron_params, resolution

    nest.set(resolution=resolution(circuit), local_num_threads=threads, rng_seed=1)
    backgrounds = {p.id: background_input(p, nest.GetDefaults(p.neuron.model)) for p in circuit.populations if p.background}
    pops = {p.id: nest.Create(p.neuron.model, p.size, params=neuron_params(p, backgrounds.get(p.id), nest.GetDefaults(p.neuron.model)))
            for p in circuit.populations}
    for pr in circuit.projections:
        weight = -pr.weight if pr.sign == "inhibitory" else pr.weight
        nest.Connect(pops[pr.source], pops[pr.target], pr.connection.model_dump(),
                     {"synapse_model": pr.synapse, "weight": weight, "delay": pr.delay})
    delay = min([pr.delay for pr in circuit.projections] + [1.0])
    recorders = []
    for p in circuit.populations:
        if p.id in backgrounds:  # the circuit's own background representation (generator, rate, weight; mean in I_e)
            bg = backgrounds[p.id]
            gen = nest.Create(bg.generator, params={"rate": bg.rate})
            nest.Connect(gen, pops[p.id], syn_spec={"weight": bg.weight, "delay": delay})
        recorders.append(nest.Create("spike_recorder"))
        nest.Connect(pops[p.id], recorders[-1])
    from drive_atlas.spec.semantics import poisson_inputs

    step = resolution(circuit)
    for inp in poisson_inputs(circuit):  # a generator per target, its rate switched at the protocol's events
        times, rates = (inputs or {}).get(inp.id, ([0.0], [inp.baseline.value]))
        switches = dict(zip((max(t, step) for t in times), rates))  # no switch before the first step; later ones win
        for target in inp.targets:
            gen = nest.Create("inhomogeneous_poisson_generator",
                              params={"rate_times": list(switches), "rate_values": list(switches.values())})
            nest.Connect(gen, pops[target.population], syn_spec={"weight": target.weight, "delay": delay})
    for p, amplitudes in zip(circuit.populations, (currents or {}).get("currents", [])):
        if p.receptors:  # the populations the atlas gives a current generator (none is silenced in a first protocol)
            times = [max(t, step) for t in currents["times"]]  # a step_current_generator cannot switch at time 0
            gen = nest.Create("step_current_generator", params={"amplitude_times": times, "amplitude_values": amplitudes})
            nest.Connect(gen, pops[p.id], syn_spec={"delay": delay})
    built = time.perf_counter()
    nest.Simulate(duration)
    done = time.perf_counter()
    return {"build": built - started, "simulate": done - built, "spikes": int(sum(r.get("n_events") for r in recorders))}


def prepared(args: argparse.Namespace):
    """The atlas and the worker's circuit, in the representation and at the size asked for."""
    atlas, _ = load(args.root)
    circuit = atlas[args.circuit]
    if args.representation == "default":  # before scaling: the default representation runs every neuron
        from compare_representations import default_representation

        circuit = default_representation(circuit)
    return atlas, scaled(circuit, args.neurons)


def in_process_worker(args: argparse.Namespace) -> None:
    """Each kind in turn, ``args.repeats`` rounds, in this one process: the run CPU of each (build, run, recording).
    A first round, not counted, pays what only a process's first run pays (NEST's first network, first imports)."""
    from drive_atlas.sim.compiler import import_nest

    atlas, circuit = prepared(args)
    inputs = input_schedules(circuit, atlas, args.duration * 1000)
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    nest = import_nest()
    for _ in range(args.repeats + 1):
        for kind in KINDS:
            nest.ResetKernel()  # the last kind's network is torn down here, not in the next kind's time
            gc.collect()
            started = time.process_time()
            run_kind(kind, atlas, circuit, args, inputs)
            cpu[kind].append(time.process_time() - started)
    print(json.dumps({kind: times[1:] for kind, times in cpu.items()}))


def in_process_table(atlas, args: argparse.Namespace) -> None:
    """Per circuit, the least run CPU of each kind and the paired medians of the two ratios (module docstring)."""
    print(f"{'circuit':<18}{'N':>7}" + "".join(f"{kind + ' s':>18}" for kind in KINDS) + f"{'off ratio':>11}{'on ratio':>10}")
    for circuit in atlas:
        if args.only and circuit.id not in args.only:
            continue
        with tempfile.TemporaryDirectory() as scratch:
            cmd = worker_command("in-process", circuit.id, args.neurons, args, Path(scratch) / "currents.json")
            cpu = json.loads(subprocess.run(cmd + ["--repeats", str(args.repeats)], capture_output=True, text=True,
                                            check=True).stdout.strip().splitlines()[-1])
        rounds = [{kind: {"cpu_run": cpu[kind][i]} for kind in KINDS} for i in range(args.repeats)]
        size = sum(p.size for p in scaled(circuit, args.neurons).populations)
        print(f"{circuit.id:<18}{size:>7}" + "".join(f"{min(cpu[kind]):>18.3f}" for kind in KINDS)
              + f"{paired_ratio(rounds, 'atlas-nomod'):>11.3f}{paired_ratio(rounds, 'atlas'):>10.3f}", flush=True)


def run_kind(kind: str, atlas, circuit, args: argparse.Namespace, inputs: dict) -> dict:
    """One run of ``kind``; the atlas with modulation writes its currents to ``args.currents``, which plain+currents
    replays (so the atlas runs before it)."""
    duration = args.duration * 1000
    if kind.startswith("plain"):
        replay = json.loads(args.currents.read_text()) if kind == "plain+currents" else None
        return run_plain(circuit, duration, args.threads, replay, inputs)
    return run_atlas(atlas, circuit, duration, args.threads, modulation=kind == "atlas",
                     currents_out=args.currents if kind == "atlas" else None)


def worker(args: argparse.Namespace) -> None:
    atlas, circuit = prepared(args)
    started, cpu_started = time.perf_counter(), time.process_time()
    out = run_kind(args.worker, atlas, circuit, args, input_schedules(circuit, atlas, args.duration * 1000))
    out["wall"] = time.perf_counter() - started
    out["cpu_run"] = time.process_time() - cpu_started  # import nest, build, simulate, recording: what the two ways differ in
    usage = resource.getrusage(resource.RUSAGE_SELF)
    out["peak_mb"] = usage.ru_maxrss / 1024
    out["cpu"] = usage.ru_utime + usage.ru_stime  # whole process; on a shared machine CPU time is steadier than wall
    print(json.dumps(out))


# the yardstick of each kind's target: the atlas without modulation against plain, with it against plain+currents
YARDSTICK = {"atlas-nomod": "plain", "atlas": "plain+currents"}


def paired_ratio(runs: list[dict[str, dict]], kind: str) -> float:
    """The median over repeats of ``kind``'s run CPU over its yardstick's in the same repeat: each pair ran back to
    back, so a slow spell of the machine (about +-8% between runs of 1-3 CPU s here) moves both."""
    return statistics.median(run[kind]["cpu_run"] / run[YARDSTICK[kind]]["cpu_run"] for run in runs)


def worker_command(kind: str, circuit_id: str, neurons: int, args: argparse.Namespace, currents: Path) -> list[str]:
    """This script as a worker of ``kind`` for one circuit."""
    return [sys.executable, __file__, "--worker", kind, "--circuit", circuit_id, "--neurons", str(neurons), "--duration",
            str(args.duration), "--threads", str(args.threads), "--currents", str(currents), "--representation",
            args.representation] + (["--root", str(args.root)] if args.root else [])


def measure(kind: str, circuit_id: str, neurons: int, args: argparse.Namespace, currents: Path) -> dict:
    cmd = worker_command(kind, circuit_id, neurons, args, currents)
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neurons", type=int, default=10_000, help="scale each circuit to about N neurons (0: its own size)")
    parser.add_argument("--large", action="store_true", help="also run at 10^5 neurons")
    parser.add_argument("--duration", type=float, default=10.0, help="biological seconds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs of each kind, interleaved; the lowest run CPU is reported, and each ratio's median over "
                             "the repeats, taken repeat by repeat")
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--representation", choices=("file", "default"), default="file",
                        help="the circuit's own resolution and background (file) or 0.1 ms with per-target Poisson (default)")
    parser.add_argument("--only", nargs="*", default=None, help="circuit ids (default: all)")
    parser.add_argument("--in-process", action="store_true",
                        help="run the four kinds in turn in one process per circuit (no start-up or import in the ratios)")
    parser.add_argument("--worker", choices=KINDS + ("in-process",), help=argparse.SUPPRESS)
    parser.add_argument("--circuit", help=argparse.SUPPRESS)
    parser.add_argument("--currents", type=Path, help=argparse.SUPPRESS)  # the atlas run's currents, for plain+currents
    args = parser.parse_args()
    if args.worker:
        in_process_worker(args) if args.worker == "in-process" else worker(args)
        return
    atlas, source = load(args.root)
    if source == "fixture":
        args.root = FIXTURE
    if args.in_process:
        if args.large:
            parser.error("--large runs one process per kind; use --neurons 100000 with --in-process")
        print(f"{source} circuits, {args.duration:g} s biological, {args.threads} thread(s), {args.representation} "
              f"representation, {args.repeats} rounds in one process per circuit (run CPU: build, run, recording)")
        in_process_table(atlas, args)
        return
    sizes = [args.neurons] + ([100_000] if args.large else [])
    print(f"{source} circuits, {args.duration:g} s biological, {args.threads} thread(s), {args.representation} representation")
    header = (f"{'circuit':<14}{'N':>8}{'run':>16}{'build s':>9}{'sim s':>8}{'wall s':>8}{'RT factor':>10}{'cpu s':>8}{'peak MB':>9}"
              f"{'spikes':>10}{'/ plain':>9}{'/ plain+currents':>17}{'cpu / plain':>12}{'cpu / plain+currents':>21}"
              f"{'run cpu s':>10}{'run cpu / plain':>16}{'run cpu / plain+currents':>25}{'paired median':>14}")
    print(header)
    for circuit in atlas:
        if args.only and circuit.id not in args.only:
            continue
        for n in sizes:
            with tempfile.TemporaryDirectory() as scratch:
                runs = [{kind: measure(kind, circuit.id, n, args, Path(scratch) / "currents.json") for kind in KINDS}
                        for _ in range(args.repeats)]  # interleaved, so a slow spell of the machine hits every kind
                rows = {kind: min((run[kind] for run in runs), key=lambda r: r["cpu_run"]) for kind in KINDS}
            for kind, r in rows.items():
                ratio = f"{r['wall'] / rows['plain']['wall']:.2f}" if kind != "plain" else ""
                replayed = f"{r['wall'] / rows['plain+currents']['wall']:.2f}" if kind == "atlas" else ""
                cpu_ratio = f"{r['cpu'] / rows['plain']['cpu']:.2f}" if kind != "plain" else ""
                cpu_replayed = f"{r['cpu'] / rows['plain+currents']['cpu']:.2f}" if kind == "atlas" else ""
                run_ratio = f"{r['cpu_run'] / rows['plain']['cpu_run']:.2f}" if kind != "plain" else ""
                run_replayed = f"{r['cpu_run'] / rows['plain+currents']['cpu_run']:.2f}" if kind == "atlas" else ""
                paired = f"{paired_ratio(runs, kind):.2f}" if kind in YARDSTICK else ""
                size = sum(p.size for p in scaled(circuit, n).populations)  # the neurons that run
                print(f"{circuit.id:<14}{size:>8}{kind:>16}{r['build']:>9.2f}{r['simulate']:>8.2f}{r['wall']:>8.2f}"
                      f"{r['simulate'] / args.duration:>10.2f}{r['cpu']:>8.2f}{r['peak_mb']:>9.0f}{r['spikes']:>10}{ratio:>9}{replayed:>17}"
                      f"{cpu_ratio:>12}{cpu_replayed:>21}{r['cpu_run']:>10.2f}{run_ratio:>16}{run_replayed:>25}{paired:>14}",
                      flush=True)


if __name__ == "__main__":
    main()
