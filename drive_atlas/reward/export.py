"""``export_reward_module``: calibrate a circuit's fast surrogate in NEST, check it, and write the artifact."""

from __future__ import annotations

import datetime
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from ..atlas import Atlas, CircuitEntry
from ..atlas.history import git
from .artifact import write_artifact
from .calibrate import CalibrationSettings, calibrate, fidelity, surrogate_axes
from .fast import FastRewardFunction
from .interface import InterfaceMaps, describe_interface, describe_readout

Progress = Callable[[float, float, str], None]  # (simulated seconds done, total, what is running)


@dataclass(frozen=True)
class Export:
    """What an export wrote: the manifest, and the surrogate as it was before being written (for round-trip checks)."""

    path: Path
    manifest: dict[str, Any]
    reward_fn: FastRewardFunction


class FidelityWarning(UserWarning):
    """The surrogate agrees with the live circuit less than the threshold asks."""


def circuit_yaml(atlas: Atlas, entry: CircuitEntry) -> str:
    """The circuit file's text: from the working tree, or from git at the entry's commit."""
    if entry.commit is None:
        return entry.path.read_text(encoding="utf-8")
    top = Path(git(atlas.root, "rev-parse", "--show-toplevel").decode().strip())
    path = entry.path if entry.path.is_absolute() else top / entry.path
    return git(atlas.root, "show", f"{entry.commit}:{path.relative_to(top).as_posix()}").decode("utf-8")


def export_reward_module(ref: str, out: str | Path, *, atlas: Atlas | None = None,
                         settings: CalibrationSettings = CalibrationSettings(), progress: Progress | None = None) -> Export:
    """Export ``id`` or ``id@version`` as a reward module at ``out``; warn (FidelityWarning) when the surrogate is poor."""
    atlas = atlas or Atlas.load()
    entry = atlas.entry(ref)
    if entry.circuit.includes:
        raise ValueError(f"{entry.ref} is a composite circuit; export the circuits it includes instead")
    circuit = entry.runnable
    maps, readout = InterfaceMaps(describe_interface(circuit)), describe_readout(circuit)
    total = settings.simulated_seconds(len(surrogate_axes(maps, settings.grid)[0]) ** len(maps.state_ids) * 2 ** len(maps.event_ids))
    done = [0.0]

    def tick(seconds: float, what: str) -> None:
        done[0] += seconds
        if progress:
            progress(min(done[0], total), total, what)

    started = time.perf_counter()
    fit = calibrate(circuit, atlas, maps, readout, settings, lambda s: tick(s, f"calibrating {entry.ref}"))
    fast = FastRewardFunction(maps, readout, fit.axes, fit.steady, fit.tau)
    check = fidelity(circuit, atlas, fast, settings, lambda s: tick(s, "checking fidelity"))
    if not check["passed"]:
        warnings.warn(f"{entry.ref}: surrogate fidelity below {settings.threshold} (drive r={check['drive_r']}, "
                      f"reward r={check['reward_r']}); use backend='nest' or export with a finer grid/longer hold",
                      FidelityWarning, stacklevel=2)
    variables = maps.state_ids + maps.event_ids
    manifest = {
        "circuit": {"id": circuit.id, "version": circuit.version, "content_hash": entry.content_hash, "title": circuit.title},
        "nest_version": version("nest-simulator"),
        "drive_atlas_version": version("drive-atlas"),
        "exported": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "interface": maps.spec,
        "readout": readout,
        "surrogate": {"kind": "first_order_table", "tau_s": fit.tau, "fit_drive_rmse": fit.fit_rmse, "variables": variables},
        "calibration": {**settings.as_dict(), "wall_seconds": round(time.perf_counter() - started, 1)},
        "fidelity": check,
    }
    arrays = {"steady_rates": fit.steady, **{f"axis_{v}": a for v, a in zip(variables, fit.axes)}}
    return Export(write_artifact(out, manifest, circuit_yaml(atlas, entry), arrays), manifest, fast)
