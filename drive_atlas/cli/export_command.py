"""``drive-atlas export``: a circuit's drive module as a reward-module file for RL agents."""

from __future__ import annotations

import warnings
from pathlib import Path

import click

from .common import OutputPath, console, err_console, load_atlas, root_option
from .progress import progress_bar


@click.command("export")
@click.argument("ref")
@click.option("--out", type=OutputPath(), required=True, help="The module file to write.")
@click.option("--grid", default=None, type=click.IntRange(2),
              help="Grid points per state variable [default: 6 for one body state, 4 for two, 3 for three or more].")
@click.option("--seeds", default=2, show_default=True, type=click.IntRange(1), help="Networks averaged per grid point.")
@click.option("--duration", default=2.0, show_default=True, type=click.FloatRange(min=0.5), help="Seconds simulated per grid point.")
@click.option("--corner-hold", default=8.0, show_default=True, type=click.FloatRange(min=0.5),
              help="Seconds each corner of the grid is held (rest first) before the staircase: what the slow state is fitted on. "
                   "A seed's corner holds total at most 32 s: with many variables each corner is held for less.")
@click.option("--check", default=10.0, show_default=True, type=click.FloatRange(min=1.0), help="Seconds of held-out trajectory for the fidelity check.")
@click.option("--force", is_flag=True, help="Write the module even if its fidelity to the live circuit is below the threshold.")
@root_option
def export_command(ref: str, out: Path, grid: int | None, seeds: int, duration: float, corner_hold: float, check: float,
                   force: bool, root: Path | None) -> None:
    """Calibrate REF (ID or ID@VERSION) in NEST and write its reward module to --out."""
    from ..reward import CalibrationSettings, FidelityError, export_reward_module

    atlas = load_atlas(root)
    settings = CalibrationSettings(grid=grid, seeds=seeds, hold=duration, corner_hold=corner_hold, check_duration=check)
    with warnings.catch_warnings(record=True) as caught, progress_bar(f"exporting {ref}") as update:
        warnings.simplefilter("always")
        try:
            manifest = export_reward_module(ref, out, atlas=atlas, settings=settings,
                                            progress=lambda done, total, what: update(round(done, 2), total, what),
                                            force=force).manifest
        except FidelityError as exc:
            raise click.ClickException(str(exc)) from None
        except (KeyError, ValueError) as exc:
            raise click.ClickException(str(exc.args[0] if exc.args else exc)) from None
    for warning in caught:
        err_console.print(f"[yellow]warning:[/yellow] {warning.message}", highlight=False)
    fid, record = manifest.fidelity, manifest.circuit
    console.print(f"wrote {out}: {record.id}@{record.version} "
                  f"({record.content_hash[:19]}...), tau {manifest.surrogate.tau_s:.3f} s, "
                  f"fidelity drive r={_num(fid.drive_r)} rmse={_num(fid.drive_rmse)}, "
                  f"reward r={_num(fid.reward_r)} rmse={_num(fid.reward_rmse)}", highlight=False)


def _num(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
