"""Population rates under two representations of a circuit, per protocol, over seeds (not a test).

Representations: ``default`` is what a circuit gets without ``simulation`` and
``background.events`` (0.1 ms steps, one Poisson draw per target per step);
``chosen`` is the circuit as written (its own representation); a candidate,
``--candidate resolution=1.0,thinning=16`` (options below), is the circuit as written with every
background thinned k times (precise-time generator) and the given step (``scale=0.5``: with half the
neurons in every population; what a candidate leaves out stays as written). A candidate
changes no delay unless asked (``delays=up`` rounds a delay that is not a whole
number of steps up to the next step, a modelling change the circuit must then make
itself); otherwise the compiler refuses it. For every circuit, every protocol and
seeds 1..5, both representations are run (modulation on, the protocol's own duration)
and each population's mean rate over the whole protocol is averaged over seeds. A
row passes when the second representation's mean is within 10% or 0.5 Hz
(whichever is larger) of the first's (``default`` vs ``chosen``, or ``chosen`` vs the
candidate).

    python benchmarks/compare_representations.py --out rates.csv          # all curated circuits, 2 workers
    python benchmarks/compare_representations.py hunger --seeds 2 --workers 1
    python benchmarks/compare_representations.py pain --protocols heat_morphine --workers 1   # one row first
    python benchmarks/compare_representations.py --candidate resolution=1.0,thinning=16,delays=up --out rates.csv
    python benchmarks/compare_representations.py hunger_pain --candidate scale=0.5 --out rates.csv

Runs go through the sweeps' Dask cluster; each finished run is appended to ``--out``
at once, so an interrupted comparison keeps what it measured, and a rerun with the
same ``--out`` skips the runs already there. Each row records the circuit's version, so a run of an earlier
version is neither reused for nor averaged with the current one.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYNEST_QUIET", "1")

REPRESENTATIONS = ("default", "chosen")
CANDIDATE_KEYS = {"resolution", "thinning", "delays", "scale"}
FIELDS = ["circuit", "version", "protocol", "representation", "seed", "population", "rate_hz", "simulate_seconds", "cpu_seconds"]


def default_representation(circuit):
    """The circuit as it would be without its representation choices (0.1 ms, per-target Poisson per step)."""
    populations = [p.model_copy(update={"background": p.background.model_copy(update={"events": None})}) if p.background else p
                   for p in circuit.populations]
    return circuit.model_copy(update={"simulation": None, "populations": populations})


def parse_candidate(text: str) -> dict:
    """``[resolution=1.0][,thinning=16][,thinning.PART=K...][,delays=up|MS][,scale=F]`` as a dict, refused with what
    is wrong named; what it leaves out stays as the circuit has it.

    ``thinning.PART`` thins a composite's part (populations ``PART.*``) differently, as its own file would;
    ``delays=up`` rounds each delay up to a whole number of steps, ``delays=MS`` to a whole number of MS (a part's
    delay changed in its own file, inside a composite with a finer step); ``scale=F`` runs every population with
    that fraction of its neurons (``simulation.population_scale``).
    """
    fields = dict(part.split("=", 1) if "=" in part else (part, "") for part in text.split(","))
    parts = {k.split(".", 1)[1]: v for k, v in fields.items() if k.startswith("thinning.")}
    unknown = set(fields) - CANDIDATE_KEYS - {f"thinning.{part}" for part in parts}
    if unknown or not fields.keys() & CANDIDATE_KEYS or (parts and "thinning" not in fields):
        raise argparse.ArgumentTypeError(
            f"candidate {text!r}: expected [resolution=MS][,thinning=K][,thinning.PART=K][,delays=up|MS][,scale=F]")
    try:
        step = float(fields["resolution"]) if "resolution" in fields else None
        delays, scale = fields.get("delays"), float(fields["scale"]) if "scale" in fields else None
        if delays == "up" and step is None:
            raise ValueError("delays=up needs resolution=MS")
        if scale is not None and not 0.0 < scale <= 1.0:
            raise ValueError("scale must lie in (0, 1]")
        return {"resolution": step, "thinning": int(fields["thinning"]) if "thinning" in fields else None,
                "parts": {part: int(k) for part, k in sorted(parts.items())},
                "delays": None if delays is None else step if delays == "up" else float(delays),
                "scale": scale}
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"candidate {text!r}: {exc}") from None


def candidate_label(candidate: dict) -> str:
    """The candidate's name in the CSV's representation column, e.g. ``1ms_t16`` (``_pain-t2`` for a part thinned
    otherwise, ``_delays_up`` when it rounded delays up to whole steps, ``_delays1ms`` to whole ms, ``scale0.5`` for
    half the neurons; what the candidate keeps as written is left out)."""
    parts = "".join(f"_{part}-t{k}" for part, k in candidate["parts"].items())
    grid = candidate["delays"]
    delays = "" if grid is None else "_delays_up" if grid == candidate["resolution"] else f"_delays{grid:g}ms"
    names = [f"{candidate['resolution']:g}ms" if candidate["resolution"] is not None else "",
             f"t{candidate['thinning']}{parts}" if candidate["thinning"] is not None else "",
             delays.lstrip("_"), f"scale{candidate['scale']:g}" if candidate["scale"] is not None else ""]
    return "_".join(name for name in names if name)


def candidate_representation(circuit, candidate: dict):
    """The circuit as written, with the candidate's step, every background thinned (``poisson_generator_ps``) and its
    population scale, each where the candidate gives one."""
    import math

    from drive_atlas.spec.circuit import BackgroundEvents, Simulation

    def events(population_id: str) -> BackgroundEvents:
        part = population_id.split(".", 1)[0] if "." in population_id else None
        return BackgroundEvents(generator="poisson_generator_ps", thinning=candidate["parts"].get(part, candidate["thinning"]))

    populations = circuit.populations
    if candidate["thinning"] is not None:
        populations = [p.model_copy(update={"background": p.background.model_copy(update={"events": events(p.id)})})
                       if p.background else p for p in populations]
    projections = circuit.projections
    if (grid := candidate["delays"]) is not None:  # round up to a whole number of the grid
        projections = [pr.model_copy(update={"delay": grid * math.ceil(pr.delay / grid - 1e-9)}) for pr in projections]
    simulation = circuit.simulation or Simulation(evidence=[{"kind": "model_assumption", "note": "candidate"}])
    changes = {key: candidate[name] for key, name in (("resolution", "resolution"), ("population_scale", "scale"))
               if candidate[name] is not None}
    return circuit.model_copy(update={"simulation": simulation.model_copy(update=changes), "populations": populations,
                                      "projections": projections})


def representation_of(circuit, representation: str, candidate: dict | None):
    if representation == "default":
        return default_representation(circuit)
    if representation == "chosen":
        return circuit
    assert candidate is not None and representation == candidate_label(candidate), representation
    return candidate_representation(circuit, candidate)


def run_one(circuit, catalog, protocol: str, representation: str, seed: int, candidate: dict | None = None) -> list[dict]:
    import time

    import numpy as np

    from drive_atlas.sim import RunOptions, run_circuit

    model = representation_of(circuit, representation, candidate)
    started = time.process_time()  # CPU seconds of this worker: comparable even when the machine is shared
    rec = run_circuit(model, catalog, protocol, options=RunOptions(seed=seed, record_neurons=1))
    cpu = time.process_time() - started
    widths = np.diff(np.append(rec.times, rec.duration))
    rates = np.average(rec.rates, axis=0, weights=widths)
    return [{"circuit": circuit.id, "version": circuit.version, "protocol": protocol, "representation": representation,
             "seed": seed, "population": p.id, "rate_hz": float(r), "simulate_seconds": rec.annotations["simulate_seconds"],
             "cpu_seconds": cpu} for p, r in zip(circuit.populations, rates)]


def measure(ids: list[str], seeds: int, workers: int, out: Path, protocols: list[str] | None = None,
            representations: tuple[str, ...] = REPRESENTATIONS, candidate: dict | None = None) -> None:
    from distributed import as_completed

    from drive_atlas.atlas import Atlas
    from drive_atlas.sweeps.runner import dask_client
    from drive_atlas.sweeps.tasks import Catalog

    atlas = Atlas.load()
    done = set()
    if out.exists():
        with out.open() as f:
            done = {(r["circuit"], r["version"], r["protocol"], r["representation"], int(r["seed"])) for r in csv.DictReader(f)}
    else:
        with out.open("w", newline="") as f:
            csv.DictWriter(f, FIELDS).writeheader()
    # seed by seed across every circuit, so that an interrupted comparison covers every protocol at some seeds; a run of
    # another version of the circuit is not this version's
    todo = [(cid, protocol, rep, seed) for seed in range(1, seeds + 1) for cid in ids for protocol in atlas[cid].protocols
            if not protocols or protocol in protocols for rep in representations
            if (cid, atlas[cid].version, protocol, rep, seed) not in done]
    print(f"{len(todo)} runs to do, {len(done)} already in {out}", flush=True)
    if not todo:
        return
    with dask_client(None, workers) as client:
        circuits = {cid: client.scatter(atlas[cid], broadcast=True, hash=False) for cid in ids}
        catalog = client.scatter(Catalog(dict(atlas.ligands), dict(atlas.receptors)), broadcast=True, hash=False)
        futures = [client.submit(run_one, circuits[cid], catalog, protocol, rep, seed, candidate, pure=False) for cid, protocol, rep, seed in todo]
        for n, future in enumerate(as_completed(futures), 1):
            rows = future.result()
            with out.open("a", newline="") as f:
                csv.DictWriter(f, FIELDS).writerows(rows)
            print(f"{n}/{len(todo)} {rows[0]['circuit']} {rows[0]['protocol']} {rows[0]['representation']} seed {rows[0]['seed']} "
                  f"{rows[0]['simulate_seconds']:.1f} s", flush=True)


def protocol_seconds() -> dict[tuple[str, str], float]:
    """(circuit, protocol) -> the protocol's biological duration (s) in the atlas as it is now."""
    from drive_atlas.atlas import Atlas

    return {(c.id, name): protocol.duration / 1000 for c in Atlas.load() for name, protocol in c.protocols.items()}


def table(out: Path, before: str = "default", after: str = "chosen", circuits: list[str] | None = None,
          min_seeds: int = 1) -> bool:
    """Print the before/after table (markdown) and a per-circuit summary; True when every row with both passes.

    Only rows where both representations hold at least ``min_seeds`` seeds count (the
    averages are over each side's own seeds).
    """
    import pandas as pd

    data = pd.read_csv(out, dtype={"version": str})
    data = data[data["representation"].isin([before, after]) & (data["circuit"].isin(circuits) if circuits else True)]
    index = ["circuit", "version", "protocol", "population"]
    mean = data.pivot_table(index=index, columns="representation", values="rate_hz", aggfunc="mean")
    seeds = data.pivot_table(index=index, columns="representation", values="seed", aggfunc="nunique")
    if before not in mean or after not in mean:
        print(f"no run of both {before} and {after} in {out}")
        return False
    keep = (seeds[[before, after]].min(axis=1) >= min_seeds).reindex(mean.index, fill_value=False)
    mean = mean[keep][[before, after]].dropna()
    ok_all = True
    summary: dict[tuple[str, str], list] = {}
    print(f"| circuit | version | protocol | population | seeds | {before} Hz | {after} Hz | difference | tolerance | within |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (cid, version, protocol, pop), row in mean.iterrows():
        tolerance = max(0.1 * row[before], 0.5)
        diff = row[after] - row[before]
        ok = abs(diff) <= tolerance
        ok_all &= ok
        n = int(seeds.loc[(cid, version, protocol, pop), [before, after]].min())
        worst = summary.setdefault((cid, version), [0, 0.0, "", n])
        worst[0] += 1
        worst[3] = min(worst[3], n)
        if abs(diff) / tolerance > worst[1]:
            worst[1:3] = abs(diff) / tolerance, f"{protocol}/{pop} {row[before]:.2f} -> {row[after]:.2f} Hz"
        print(f"| {cid} | {version} | {protocol} | {pop} | {n} | {row[before]:.2f} | {row[after]:.2f} | {diff:+.2f} | {tolerance:.2f} | {'yes' if ok else '**no**'} |")
    runs = data.drop_duplicates(["circuit", "version", "protocol", "representation", "seed"])
    paired = runs.pivot_table(index=["circuit", "version", "protocol", "seed"], columns="representation", values="cpu_seconds").dropna()
    print(f"\nrows: {len(mean)}, all within tolerance: {ok_all}")
    durations = protocol_seconds()
    print(f"\n| circuit | version | rows | seeds (at least) | largest abs. difference / tolerance | where | "
          f"CPU s per biological s, {before} -> {after} (medians) | {before}/{after} CPU per run (median) |")
    print("|---|---|---|---|---|---|---|---|")
    for (cid, version), (rows, worst, where, n) in summary.items():
        pairs = paired.loc[(cid, version)] if (cid, version) in paired.index.droplevel([2, 3]) else None
        speed = per_second = ""
        if pairs is not None and len(pairs):
            speed = f"{(pairs[before] / pairs[after]).median():.2f}x"
            seconds = [durations.get((cid, protocol)) for protocol, _ in pairs.index]
            if all(seconds):
                per_second = " -> ".join(f"{(pairs[rep] / seconds).median():.3f}" for rep in (before, after))
        print(f"| {cid} | {version} | {rows} | {n} | {worst:.2f} | {where} | {per_second} | {speed} |")
    if len(paired):
        ratio = paired[before] / paired[after]
        print(f"\nCPU seconds per run over {len(paired)} paired runs: {before} {paired[before].median():.1f}, {after} "
              f"{paired[after].median():.1f} (medians); {before}/{after} per pair: median {ratio.median():.2f}x, "
              f"min {ratio.min():.2f}x, max {ratio.max():.2f}x")
    return ok_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("circuits", nargs="*", help="circuit ids (default: every curated circuit)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("representation_rates.csv"))
    parser.add_argument("--protocols", nargs="*", default=None, help="only these protocols (default: every protocol)")
    parser.add_argument("--candidate", type=parse_candidate, default=None,
                        help="compare the circuit as written (chosen) with this candidate: [resolution=MS][,thinning=K][,delays=up][,scale=F]")
    parser.add_argument("--representations", nargs="*", default=None,
                        help="only these of the two compared representations (e.g. chosen, after a circuit changed its own)")
    parser.add_argument("--swap", action="store_true",
                        help="table: the candidate is the previous representation (a circuit that already moved to its new one)")
    parser.add_argument("--min-seeds", type=int, default=1, help="table: only rows with at least this many seeds on both sides")
    parser.add_argument("--table-only", action="store_true", help="print the table from --out without running anything")
    args = parser.parse_args()
    pair = ("chosen", candidate_label(args.candidate)) if args.candidate else REPRESENTATIONS
    if args.swap:
        pair = pair[::-1]
    if args.representations and not set(args.representations) <= set(pair):
        parser.error(f"--representations: choose from {', '.join(pair)}")
    if not args.table_only:
        from drive_atlas.atlas import Atlas

        atlas = Atlas.load()
        ids = args.circuits or [c.id for c in atlas if c.status == "curated"]
        measure(ids, args.seeds, args.workers, args.out, args.protocols, tuple(args.representations or pair), args.candidate)
    sys.exit(0 if table(args.out, *pair, circuits=args.circuits or None, min_seeds=args.min_seeds) else 1)


if __name__ == "__main__":
    main()
