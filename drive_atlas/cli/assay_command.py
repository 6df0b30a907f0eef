"""``drive-atlas test``: run circuits' assays and report pass/fail with confidence intervals."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..assays import AssayRun, assay_report, run_assays
from ..atlas.cache import summary_path, write_summary
from .common import console, format_option, load_atlas, print_table, root_option
from .progress import progress_bar


@click.command("test")
@click.argument("circuit_ids", nargs=-1)
@click.option("--seeds", type=click.IntRange(1, 100), default=5, show_default=True, help="Seeds 1..N per condition.")
@click.option("--assay", "assay_ids", multiple=True, help="Only these assays (repeatable).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write an HTML report with a plot per assay.")
@click.option("--threads", type=click.IntRange(1, 64), default=1, show_default=True)
@root_option
@format_option
def assay_command(circuit_ids: tuple[str, ...], seeds: int, assay_ids: tuple[str, ...], report: Path | None,
                  threads: int, root: Path | None, fmt: str) -> None:
    """Run the assays of the given circuits (default: all). Exit 1 if any assay fails."""
    atlas = load_atlas(root)
    ids = circuit_ids or tuple(atlas.entries)
    unknown = [i for i in ids if i not in atlas.entries]
    if unknown:
        raise click.ClickException(f"unknown circuit(s): {', '.join(unknown)} (known: {', '.join(atlas.entries)})")
    missing = set(assay_ids) - {a.id for i in ids for a in atlas[i].assays}
    if missing:
        raise click.ClickException(f"unknown assay(s): {', '.join(sorted(missing))}")
    total = AssayRun()
    with progress_bar("assays") as update:
        for circuit_id in ids:
            circuit = atlas[circuit_id]
            chosen = [a for a in circuit.assays if not assay_ids or a.id in assay_ids]
            run = run_assays(circuit, atlas, chosen, seeds=range(1, seeds + 1), threads=threads, progress=update)
            total.results.extend(run.results)
            if not assay_ids:  # a full run of the circuit's assays: keep its verdicts for the web app
                write_summary(summary_path(atlas.root, "assays", circuit_id), run.summary(atlas.entries[circuit_id].content_hash))
    if fmt == "json":
        click.echo(total.to_json())
    else:
        table = total.table()
        print_table("Assays", list(table.columns), table.values.tolist())
        console.print(f"{sum(r.status == 'pass' for r in total.results)} passed, {sum(r.status == 'fail' for r in total.results)} failed, "
                      f"{sum(r.status == 'xfail' for r in total.results)} known gaps")
    if report:
        assay_report(total, report)
    sys.exit(0 if total.ok else 1)
