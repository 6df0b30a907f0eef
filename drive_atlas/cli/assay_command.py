"""``drive-atlas test``: run circuits' assays and report pass/fail with confidence intervals.

The simulations behind the assays (each condition at each seed, run once however
many assays share it) are spread over a Dask cluster: a local one of single-threaded
worker processes by default (all cores), or ``--scheduler ADDRESS`` for a real one.
Each simulation's measured values are cached under the atlas root, keyed by the
circuit's content hash, the condition, the seed, the engine and the project's version,
so a rerun recomputes only what changed (``--no-cache`` recomputes everything).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..assays import AssayRun, assay_report
from ..assays.cache import ResultCache
from ..atlas.cache import CACHE_DIR, summary_path, write_summary
from .common import console, format_option, load_atlas, print_table, root_option
from .progress import progress_bar

if TYPE_CHECKING:
    from ..atlas import Atlas


@click.command("test")
@click.argument("circuit_ids", nargs=-1)
@click.option("--seeds", type=click.IntRange(1, 100), default=5, show_default=True, help="Seeds 1..N per condition.")
@click.option("--assay", "assay_ids", multiple=True, help="Only these assays (repeatable).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report with a plot per assay.")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True, help="NEST threads per simulation.")
@click.option("--workers", type=click.IntRange(1), default=os.cpu_count() or 1, show_default=True,
              help="Worker processes of the local cluster (one simulation each at a time).")
@click.option("--scheduler", default=None, help="Address of an existing Dask scheduler (tcp://host:8786) instead of a local cluster.")
@click.option("--no-cache", "no_cache", is_flag=True, help="Recompute every simulation (the cache is still refreshed).")
@click.option("--module", "module", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Run the behaviour assays of this exported drive module's circuit on the module (fast backend) instead.")
@root_option
@format_option
def assay_command(circuit_ids: tuple[str, ...], seeds: int, assay_ids: tuple[str, ...], report: Path | None,
                  threads: int, workers: int, scheduler: str | None, no_cache: bool, module: Path | None,
                  root: Path | None, fmt: str) -> None:
    """Run the assays of the given circuits (default: all), behaviour assays included. Exit 1 if any assay fails."""
    from ..sweeps.battery import run_battery

    atlas = load_atlas(root)
    if module is not None:
        _module_assays(module, atlas, fmt)
    ids = circuit_ids or tuple(atlas.entries)
    unknown = [i for i in ids if i not in atlas.entries]
    if unknown:
        raise click.ClickException(f"unknown circuit(s): {', '.join(unknown)} (known: {', '.join(atlas.entries)})")
    every = {i: [*atlas[i].assays, *atlas[i].behaviour_assays] for i in ids}
    missing = set(assay_ids) - {a.id for i in ids for a in every[i]}
    if missing:
        raise click.ClickException(f"unknown assay(s): {', '.join(sorted(missing))}")
    selection = [(atlas[i], [a for a in every[i] if not assay_ids or a.id in assay_ids]) for i in ids]
    cache = ResultCache(Path(atlas.root) / CACHE_DIR / "assay-runs")
    with progress_bar("assays") as update:
        outcome = run_battery(selection, atlas, range(1, seeds + 1), _NoRead(cache) if no_cache else cache,
                              threads=threads, scheduler=scheduler, workers=workers, progress=update)
    total = AssayRun()
    for circuit_id in ids:
        run = outcome.runs[circuit_id]
        total.results.extend(run.results)
        if not assay_ids:  # a full run of the circuit's assays: keep its verdicts for the web app
            write_summary(summary_path(atlas.root, "assays", circuit_id), run.summary(atlas.entries[circuit_id].content_hash))
    if fmt == "json":
        click.echo(total.to_json())
    else:
        table = total.table()
        print_table("Assays", list(table.columns), table.values.tolist())
        console.print(f"{sum(r.status == 'pass' for r in total.results)} passed, {sum(r.status == 'fail' for r in total.results)} failed, "
                      f"{sum(r.status == 'xfail' for r in total.results)} known gaps; "
                      f"{outcome.computed} conditions computed in {outcome.simulations} simulations, "
                      f"{outcome.reused} reused from the cache")
    if report:
        assay_report(total, report)
    sys.exit(0 if total.ok else 1)


def _module_assays(path: Path, atlas: Atlas, fmt: str) -> None:
    """Behaviour assays played through a module (deterministic: one run each); exit 1 if any fails."""
    from ..assays.module import run_module_behaviour_assays
    from ..reward.artifact import RewardModuleError

    try:
        outcome = run_module_behaviour_assays(path, atlas=atlas)
    except RewardModuleError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        click.echo(outcome.run.to_json())
    else:
        table = outcome.run.table()
        print_table(f"Behaviour assays on {path.name} (fast backend, deterministic: one run each)", list(table.columns),
                    table.values.tolist())
        for assay_id, reason in outcome.skipped.items():
            console.print(f"skipped {assay_id}: {reason}", highlight=False)
    sys.exit(0 if outcome.run.ok else 1)


class _NoRead(ResultCache):
    """A cache that never answers but still records (``--no-cache``)."""

    def __init__(self, cache: ResultCache) -> None:
        super().__init__(cache.directory)

    def get(self, key: str) -> dict[str, float] | None:
        return None
