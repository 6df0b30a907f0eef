"""``drive-atlas sweep`` and ``drive-atlas robustness``: many simulations or assay runs on Dask."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from .common import Duration, OutputPath, console, err_console, format_option, load_atlas, print_json, print_table, root_option
from .progress import progress_bar

_cluster_options = [
    click.option("--workers", type=click.IntRange(1), default=os.cpu_count() or 1, show_default=True,
                 help="Worker processes of the local Dask cluster (one NEST kernel each)."),
    click.option("--threads-per-worker", type=click.IntRange(1), default=1, show_default=True,
                 help="NEST threads per simulation; each worker runs one task at a time."),
    click.option("--scheduler", default=None,
                 help="Address of an existing Dask scheduler (tcp://host:8786) instead of a local cluster."),
    root_option,
    format_option,
]


def cluster_options(command: Any) -> Any:
    for option in reversed(_cluster_options):
        command = option(command)
    return command


def _circuit(atlas: Any, circuit_id: str) -> Any:
    try:
        return atlas[circuit_id]
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None


@click.command("sweep")
@click.argument("circuit_id")
@click.option("--param", "params", multiple=True, required=True,
              help="PATH=VALUES, repeatable: a,b,c | lo..hi:n | -20%..+20%:9 | 1..10 (e.g. seed=1..10).")
@click.option("--assays", is_flag=True, help="Run the circuit's assays per point (a swept seed becomes the assays' seeds).")
@click.option("--seeds", type=click.IntRange(1, 100), default=5, show_default=True,
              help="With --assays and no seed parameter: seeds 1..N.")
@click.option("--protocol", default=None, help="Protocol for plain simulations (default: none, baseline inputs).")
@click.option("--duration", "duration_ms", type=Duration(), default=None,
              help="Biological time per simulation: 20, 20s, 500ms (not with --assays).")
@click.option("--out", type=OutputPath((".parquet",)), default=Path("sweep.parquet"), show_default=True,
              help="Parquet table; finished tasks wait in OUT.parts/ and a rerun resumes.")
@cluster_options
def sweep_command(circuit_id: str, params: tuple[str, ...], assays: bool, seeds: int, protocol: str | None, duration_ms: float | None,
                  out: Path, workers: int, threads_per_worker: int, scheduler: str | None, root: Path | None, fmt: str) -> None:
    """Run CIRCUIT_ID over a grid of parameter values on Dask; one row per point in a Parquet table."""
    from ..sweeps import ParameterError, TaskOptions, grid, parse_parameter, run_sweep

    if assays and duration_ms:
        raise click.ClickException("--duration applies to plain simulations; assays run for their own durations")
    atlas = load_atlas(root)
    circuit = _circuit(atlas, circuit_id)
    if protocol and protocol not in circuit.protocols:
        raise click.ClickException(f"circuit {circuit.id!r} has no protocol {protocol!r} (known: {', '.join(circuit.protocols)})")
    try:
        points = grid([parse_parameter(p, circuit) for p in params])
    except ParameterError as exc:
        raise click.ClickException(str(exc)) from None
    options = TaskOptions(assays=assays, protocol=protocol, duration=duration_ms,
                          assay_seeds=tuple(range(1, seeds + 1)), threads=threads_per_worker)
    with progress_bar(f"{circuit.id}: sweep") as update:
        outcome = run_sweep(circuit, atlas, points, out, options, scheduler=scheduler, workers=workers, progress=update)
    report = {"out": str(outcome.out), "tasks": len(outcome.table), "computed": outcome.computed, "reused": outcome.reused,
              "failed": outcome.failed}
    if fmt == "json":
        print_json(report)
        return
    failures = outcome.table[outcome.table["status"] != "ok"]
    if len(failures):
        print_table("failed tasks", ["key", "error"],
                    [[key, str(error).splitlines()[-1]] for key, error in zip(failures["key"], failures["error"])])
    console.print(f"{report['tasks']} tasks ({report['computed']} computed, {report['reused']} reused, "
                  f"{report['failed']} failed) -> {report['out']}")


@click.command("robustness")
@click.argument("circuit_id")
@click.option("--fraction", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=0.2, show_default=True,
              help="Relative band: every parameter is scaled by a factor in [1-f, 1+f].")
@click.option("--samples", type=click.IntRange(2), default=64, show_default=True)
@click.option("--params", "paths", multiple=True,
              help="Parameter paths to perturb (repeatable). Default: projection weights, receptor gains, background rates.")
@click.option("--seeds", type=click.IntRange(1, 100), default=3, show_default=True, help="Assay seeds 1..N per sample.")
@click.option("--design", type=click.Choice(["lhs", "sobol"]), default="lhs", show_default=True)
@click.option("--sample-seed", type=click.IntRange(0, 2**63 - 1), default=0, show_default=True, help="Seed of the sample design.")
@click.option("--out", type=OutputPath((".parquet",)), default=None,
              help="Parquet table of samples. Default: <root>/.drive-atlas-cache/robustness/<id>.parquet.")
@cluster_options
def robustness_command(circuit_id: str, fraction: float, samples: int, paths: tuple[str, ...], seeds: int, design: str,
                       sample_seed: int, out: Path | None, workers: int, threads_per_worker: int, scheduler: str | None,
                       root: Path | None, fmt: str) -> None:
    """How much of the parameter space around CIRCUIT_ID's curated values keeps its assays passing.

    The summary JSON goes to <root>/.drive-atlas-cache/robustness/<id>.json, where the web app reads it.
    """
    from ..sweeps import ParameterError, TaskOptions, check_paths, robustness, summary_path, write_summary

    atlas = load_atlas(root)
    circuit = _circuit(atlas, circuit_id)
    try:
        check_paths(circuit, paths)
    except ParameterError as exc:
        raise click.ClickException(str(exc)) from None
    summary_file = summary_path(atlas.root, circuit.id)
    out = out or summary_file.with_suffix(".parquet")
    with progress_bar(f"{circuit.id}: robustness") as update:
        try:
            report = robustness(circuit, atlas, out, fraction=fraction, samples=samples, paths=paths or None,
                                seeds=range(1, seeds + 1), design=design, sample_seed=sample_seed,
                                options=TaskOptions(assays=True, threads=threads_per_worker),
                                scheduler=scheduler, workers=workers, progress=update)
        except (ParameterError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
    write_summary(report.summary, summary_file)
    if fmt == "json":
        print_json(report.summary)
        return
    rows = []
    for assay in report.summary["assays"]:
        top = [s for s in assay["sensitivity"] if s["point_biserial"] is not None][:3]
        rows.append([assay["assay"], assay["curated_status"], f"{assay['passed']}/{assay['evaluated']}",
                     "; ".join(f"{s['parameter']} ({s['point_biserial']:+.2f})" for s in top) or "-"])
    print_table(f"{circuit.id}: ±{fraction:.0%}, {samples} samples, seeds 1..{seeds}",
                ["assay", "curated", "passing", "depends most on (point-biserial r)"], rows)
    if report.summary["failed_samples"]:
        err_console.print(f"{report.summary['failed_samples']} sample(s) failed to run; see {out}")
    console.print(f"summary -> {summary_file}\nsamples -> {out}")
