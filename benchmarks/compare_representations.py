"""Population rates under a circuit's chosen representation vs the default one, per protocol, over seeds (not a test).

The default representation is the one a circuit gets without ``simulation`` and
``background.events``: 0.1 ms steps and one Poisson draw per target per step. For
every curated circuit, every protocol and seeds 1..5, both are run (modulation on,
the protocol's own duration) and each population's mean rate over the whole
protocol is averaged over seeds. A row passes when the chosen representation's mean
is within 10% or 0.5 Hz (whichever is larger) of the default's.

    python benchmarks/compare_representations.py --out rates.csv          # all curated circuits, 2 workers
    python benchmarks/compare_representations.py hunger --seeds 2 --workers 1
    python benchmarks/compare_representations.py pain --protocols heat_morphine --workers 1   # one row first

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
FIELDS = ["circuit", "version", "protocol", "representation", "seed", "population", "rate_hz", "simulate_seconds", "cpu_seconds"]


def default_representation(circuit):
    """The circuit as it would be without its representation choices (0.1 ms, per-target Poisson per step)."""
    populations = [p.model_copy(update={"background": p.background.model_copy(update={"events": None})}) if p.background else p
                   for p in circuit.populations]
    return circuit.model_copy(update={"simulation": None, "populations": populations})


def run_one(circuit, catalog, protocol: str, representation: str, seed: int) -> list[dict]:
    import time

    import numpy as np

    from drive_atlas.sim import RunOptions, run_circuit

    model = default_representation(circuit) if representation == "default" else circuit
    started = time.process_time()  # CPU seconds of this worker: comparable even when the machine is shared
    rec = run_circuit(model, catalog, protocol, options=RunOptions(seed=seed, record_neurons=1))
    cpu = time.process_time() - started
    widths = np.diff(np.append(rec.times, rec.duration))
    rates = np.average(rec.rates, axis=0, weights=widths)
    return [{"circuit": circuit.id, "version": circuit.version, "protocol": protocol, "representation": representation,
             "seed": seed, "population": p.id, "rate_hz": float(r), "simulate_seconds": rec.annotations["simulate_seconds"],
             "cpu_seconds": cpu} for p, r in zip(circuit.populations, rates)]


def measure(ids: list[str], seeds: int, workers: int, out: Path, protocols: list[str] | None = None,
            representations: tuple[str, ...] = REPRESENTATIONS) -> None:
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
        futures = [client.submit(run_one, circuits[cid], catalog, protocol, rep, seed, pure=False) for cid, protocol, rep, seed in todo]
        for n, future in enumerate(as_completed(futures), 1):
            rows = future.result()
            with out.open("a", newline="") as f:
                csv.DictWriter(f, FIELDS).writerows(rows)
            print(f"{n}/{len(todo)} {rows[0]['circuit']} {rows[0]['protocol']} {rows[0]['representation']} seed {rows[0]['seed']} "
                  f"{rows[0]['simulate_seconds']:.1f} s", flush=True)


def table(out: Path) -> bool:
    """Print the before/after table (markdown); True when every row with both representations passes."""
    import pandas as pd

    data = pd.read_csv(out, dtype={"version": str})
    index = ["circuit", "version", "protocol", "population"]
    mean = data.pivot_table(index=index, columns="representation", values="rate_hz", aggfunc="mean")
    seeds = data.pivot_table(index=index, columns="representation", values="seed", aggfunc="nunique")
    mean = mean.dropna()
    ok_all = True
    print("| circuit | version | protocol | population | seeds | default Hz | chosen Hz | difference | tolerance | within |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (cid, version, protocol, pop), row in mean.iterrows():
        tolerance = max(0.1 * row["default"], 0.5)
        diff = row["chosen"] - row["default"]
        ok = abs(diff) <= tolerance
        ok_all &= ok
        n = int(seeds.loc[(cid, version, protocol, pop)].min())
        print(f"| {cid} | {version} | {protocol} | {pop} | {n} | {row['default']:.2f} | {row['chosen']:.2f} | {diff:+.2f} | {tolerance:.2f} | {'yes' if ok else '**no**'} |")
    runs = data.drop_duplicates(["circuit", "version", "protocol", "representation", "seed"])
    paired = runs.pivot_table(index=["circuit", "version", "protocol", "seed"], columns="representation", values="cpu_seconds").dropna()
    print(f"\nrows: {len(mean)}, all within tolerance: {ok_all}")
    if len(paired):
        ratio = paired["default"] / paired["chosen"]
        print(f"CPU seconds per run over {len(paired)} paired runs: default {paired['default'].median():.1f}, chosen "
              f"{paired['chosen'].median():.1f} (medians); default/chosen per pair: median {ratio.median():.1f}x, "
              f"min {ratio.min():.1f}x, max {ratio.max():.1f}x")
    return ok_all


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("circuits", nargs="*", help="circuit ids (default: every curated circuit)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=Path("representation_rates.csv"))
    parser.add_argument("--protocols", nargs="*", default=None, help="only these protocols (default: every protocol)")
    parser.add_argument("--representations", nargs="*", choices=REPRESENTATIONS, default=list(REPRESENTATIONS),
                        help="only these representations (e.g. chosen, after a circuit changed its own)")
    parser.add_argument("--table-only", action="store_true", help="print the table from --out without running anything")
    args = parser.parse_args()
    if not args.table_only:
        from drive_atlas.atlas import Atlas

        atlas = Atlas.load()
        ids = args.circuits or [c.id for c in atlas if c.status == "curated"]
        measure(ids, args.seeds, args.workers, args.out, args.protocols, tuple(args.representations))
    sys.exit(0 if table(args.out) else 1)


if __name__ == "__main__":
    main()
