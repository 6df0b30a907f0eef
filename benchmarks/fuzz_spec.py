"""Fuzz the circuit reader and validator with seeded mutants of the curated files (not a test).

Each mutant is written to a file and validated as ``drive-atlas validate`` would,
in a worker process with a memory limit and a per-case time limit, and counted as:

* located error: a SpecValidationError whose every error names a line, column and message;
* crash: any other exception, or the worker dying (memory exhausted, a signal);
* hang: no answer within the time limit (the worker is killed and replaced);
* accepted-invalid: the file validated, but an independent judge finds an impossible value
  (non-finite, negative where it must be positive, beyond any physical range);
* valid: the file validated and the judge finds nothing wrong.

    python benchmarks/fuzz_spec.py                      # 100,000 mutants
    python benchmarks/fuzz_spec.py --count 5000 --seed 1 --show 5
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.spec.mutants import invalid_values, mutant  # noqa: E402


def _worker(conn, seed: int, root: str, memory_bytes: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from drive_atlas.atlas import Atlas
    from drive_atlas.spec import SpecValidationError

    atlas = Atlas.load(Path(root))
    folder = Path(tempfile.mkdtemp(prefix="fuzz-spec-"))
    while True:
        index = conn.recv()
        if index is None:
            return
        name, data = mutant(index, seed)
        path = folder / name
        path.write_bytes(data)
        try:
            circuit = atlas.validate_file(path)
        except SpecValidationError as exc:
            located = bool(exc.errors) and all(e.line >= 1 and e.column >= 1 and e.message for e in exc.errors)
            at_origin = all((e.line, e.column) == (1, 1) for e in exc.errors)
            conn.send(("located error" if located else "crash", "at 1:1" if at_origin else "", str(exc)[:200]))
            continue
        except BaseException as exc:  # noqa: BLE001 - counting crashes is the point
            conn.send(("crash", "", f"{type(exc).__name__}: {str(exc)[:200]}"))
            continue
        bad = invalid_values(circuit)
        conn.send(("accepted-invalid", "", "; ".join(bad[:3])) if bad else ("valid", "", ""))


class Pool:
    """One worker at a time, replaced when it hangs or dies."""

    def __init__(self, seed: int, root: str, memory_bytes: int) -> None:
        self.args = (seed, root, memory_bytes)
        self._start()

    def _start(self) -> None:
        self.conn, child = mp.Pipe()
        self.proc = mp.Process(target=_worker, args=(child, *self.args), daemon=True)
        self.proc.start()

    def run(self, index: int, timeout: float) -> tuple[str, str, str]:
        self.conn.send(index)
        if self.conn.poll(timeout):
            try:
                return self.conn.recv()
            except EOFError:
                pass
        alive = self.proc.is_alive()
        self.proc.kill()
        self.proc.join()
        self._start()
        return ("hang", "", f"no answer in {timeout} s") if alive else ("crash", "", f"worker died ({self.proc.exitcode})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=5.0, help="seconds per mutant before it counts as a hang")
    parser.add_argument("--memory-mib", type=int, default=1024, help="address-space limit of the worker")
    parser.add_argument("--root", type=Path, default=REPO, help="atlas root whose catalog the mutants are checked against")
    parser.add_argument("--show", type=int, default=3, help="examples to print per kind of failure")
    args = parser.parse_args()

    pool = Pool(args.seed, str(args.root), args.memory_mib * 2**20)
    counts: collections.Counter[str] = collections.Counter()
    examples: dict[str, list[str]] = collections.defaultdict(list)
    start = time.perf_counter()
    for index in range(args.count):
        verdict, note, detail = pool.run(index, args.timeout)
        counts[verdict] += 1
        if note:
            counts[f"{verdict} ({note})"] += 1
        if verdict not in {"located error", "valid"} and len(examples[verdict]) < args.show:
            examples[verdict].append(f"mutant {index}: {detail}")
    elapsed = time.perf_counter() - start
    pool.conn.send(None)

    print(f"mutants tried:     {args.count}  (seed {args.seed}, {elapsed:.0f} s)")
    for verdict in ["located error", "located error (at 1:1)", "crash", "hang", "accepted-invalid", "valid"]:
        print(f"{verdict + ':':<24}{counts[verdict]}")
    for verdict, lines in examples.items():
        print(f"\n{verdict}:")
        for line in lines:
            print("  " + line.replace("\n", " | "))


if __name__ == "__main__":
    main()
