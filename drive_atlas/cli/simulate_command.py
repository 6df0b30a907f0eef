"""``drive-atlas simulate``: run a circuit under a protocol with a progress bar; save neo, HTML, CSV."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .common import SEED, Duration, OutputPath, console, err_console, load_atlas, print_json, print_table, root_option

@click.command("simulate")
@click.argument("circuit_id")
@click.option("--protocol", "protocol", default=None, help="A protocol named in the circuit (default: none, baseline inputs).")
@click.option("--duration", "total_ms", type=Duration(), default=None,
              help="Biological time: 20, 20s, 500ms, at most 60min (default: the protocol's).")
@click.option("--seed", default=1, show_default=True, type=SEED)
@click.option("--threads", default=1, show_default=True, type=click.IntRange(1))
@click.option("--chunk", default=100.0, show_default=True, type=click.FloatRange(min=0.1), help="Modulation update interval (ms).")
@click.option("--record-neurons", default=None, type=click.IntRange(1), help="Record spikes of at most N neurons per population.")
@click.option("--out", type=OutputPath((".nix", ".pkl", ".pickle")), default=None, help="neo file: .nix or .pkl.")
@click.option("--plot", type=OutputPath((".html",)), default=None, help="Interactive HTML figure.")
@click.option("--csv", "csv_dir", type=OutputPath(folder=True), default=None, help="Folder for tidy CSV tables.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@root_option
def simulate_command(circuit_id: str, protocol: str | None, total_ms: float | None, seed: int, threads: int, chunk: float,
                     record_neurons: int | None, out: Path | None, plot: Path | None, csv_dir: Path | None, fmt: str,
                     root: Path | None) -> None:
    """Simulate CIRCUIT_ID in NEST under a protocol; print a summary, optionally save the results."""
    from ..drive.run import simulate
    from ..sim import CompileError, ProtocolError

    atlas = load_atlas(root)
    try:
        circuit = atlas[circuit_id]
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    expected = total_ms or (circuit.protocols[protocol].duration if protocol in circuit.protocols else 1000.0)
    started = time.perf_counter()
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed:.1f}/{task.total:.1f} s"),
                  TimeElapsedColumn(), TimeRemainingColumn(), console=err_console, transient=fmt == "json") as bar:
        task = bar.add_task(f"{circuit.id} / {protocol or 'baseline'}", total=expected / 1000.0)

        def progress(done_ms: float, of_ms: float) -> None:
            bar.update(task, completed=done_ms / 1000.0, total=of_ms / 1000.0)

        try:
            result = simulate(circuit, protocol, atlas=atlas, duration=total_ms, seed=seed,
                              threads=threads, chunk=chunk, record_neurons=record_neurons, progress=progress)
        except (ProtocolError, CompileError) as exc:
            err_console.print(str(exc), markup=False, highlight=False)
            sys.exit(1)
    summary = {**result.summary(), "wall_seconds": round(time.perf_counter() - started, 3)}
    try:
        written = _write(result, out, plot, csv_dir)
    except OSError as exc:  # checked when parsed; this is the file system changing since
        raise click.ClickException(f"cannot write the results: {exc}") from None
    summary["files"] = written
    if fmt == "json":
        print_json(summary)
        return
    print_table(f"{summary['circuit']} / {summary['protocol']}", ["population", "mean rate (Hz)"],
                [[p, f"{r:.2f}"] for p, r in summary["mean_rate_hz"].items()])
    console.print(f"mean drive {summary['mean_drive']}  total reward {summary['total_reward']}  "
                  f"simulated {summary['simulated_seconds']:g} s in {summary['wall_seconds']:.2f} s wall "
                  f"(build {summary['build_seconds']:.2f} s, run {summary['simulate_seconds']:.2f} s)")
    for path in written:
        console.print(f"wrote {path}")


def _write(result: Any, out: Path | None, plot: Path | None, csv_dir: Path | None) -> list[str]:
    written = []
    if out:
        written.append(str(result.save(out)))
    if plot:
        from ..drive.figures import write_figure

        written.append(str(write_figure(result, plot)))
    if csv_dir:
        written += [str(p) for p in result.to_csv(csv_dir)]
    return written
