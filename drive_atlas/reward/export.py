"""``export_reward_module``: calibrate a circuit's fast surrogate in NEST, check it, and write the artifact.

Any curated circuit with a readout and an interface exports, composites included (their
interface is the union of their parts'). A surrogate whose drive or reward correlation
with the live circuit is below the threshold is not written unless ``force`` is given.
"""

from __future__ import annotations

import datetime
import os
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib.metadata import version
from pathlib import Path

from ..atlas import Atlas, CircuitEntry
from ..atlas.history import git
from ..spec.errors import DriveAtlasError
from .artifact import write_artifact
from .calibrate import CalibrationSettings, calibrate, fidelity, grid_size, slow_table
from .fast import FastRewardFunction
from .interface import InterfaceMaps, interface_of
from .manifest import FORMAT, FORMAT_VERSION, CalibrationRecord, CircuitRecord, Fidelity, Manifest, Surrogate

Progress = Callable[[float, float, str], None]  # (simulated seconds done, total, what is running)


@dataclass(frozen=True)
class Export:
    """What an export wrote: the manifest, and the surrogate as it was before being written (for round-trip checks)."""

    path: Path
    manifest: Manifest
    reward_fn: FastRewardFunction


class FidelityWarning(UserWarning):
    """A module was written with ``force`` although its surrogate agrees with the live circuit less than the threshold asks."""


class FidelityError(DriveAtlasError):
    """The surrogate agrees with the live circuit less than the threshold asks; nothing was written."""


def circuit_yaml(atlas: Atlas, entry: CircuitEntry) -> str:
    """The circuit file's text: from the working tree, or from git at the entry's commit."""
    if entry.commit is None:
        return entry.path.read_text(encoding="utf-8")
    top = Path(git(atlas.root, "rev-parse", "--show-toplevel").decode().strip())
    path = entry.path if entry.path.is_absolute() else top / entry.path
    return git(atlas.root, "show", f"{entry.commit}:{path.relative_to(top).as_posix()}").decode("utf-8")


def unchanged_yaml(atlas: Atlas, entry: CircuitEntry) -> str:
    """The circuit file's text, refused when it no longer hashes to the loaded circuit: a file edited after the atlas
    was read would be embedded beside a calibration of the old one, and the module would not load."""
    from ..spec import Circuit, content_hash, parse_yaml_text, validate_document

    text = circuit_yaml(atlas, entry)
    try:
        changed = content_hash(validate_document(parse_yaml_text(text, entry.path), Circuit)) != entry.content_hash
    except DriveAtlasError:
        changed = True
    if changed:
        raise DriveAtlasError(f"{entry.path}: the circuit file changed after the atlas was read ({entry.ref}); "
                              f"nothing exported: export again")
    return text


def check_writable(out: Path) -> None:
    """Refuse an output place that cannot be written, before minutes of calibration."""
    folder = out.parent
    while not folder.exists():
        folder = folder.parent
    if out.is_dir() or not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write the module to {out}: {folder} is not a writable folder")


def export_reward_module(ref: str, out: str | Path, *, atlas: Atlas | None = None,
                         settings: CalibrationSettings = CalibrationSettings(), progress: Progress | None = None,
                         force: bool = False) -> Export:
    """Export ``id`` or ``id@version`` as a reward module at ``out``.

    Raises FidelityError (and writes nothing) when the surrogate's drive or reward correlation with
    the live circuit is below ``settings.threshold``; with ``force`` it writes and warns instead.
    """
    atlas = atlas or Atlas.load()
    out = Path(out)
    check_writable(out)
    entry = atlas.entry(ref)
    circuit = entry.runnable
    if circuit.readout is None:
        raise ValueError(f"circuit {entry.ref!r} has no readout: it defines no drive to export")
    text = unchanged_yaml(atlas, entry)  # read once, now: what is embedded is what was calibrated
    maps = InterfaceMaps.of(interface_of(circuit))
    settings = replace(settings, grid=settings.grid_for(len(maps.state_ids)))  # the manifest records the grid used
    variables = maps.state_ids + maps.event_ids
    total = settings.simulated_seconds(grid_size(maps, settings.grid), 2 ** len(variables))
    done = [0.0]

    def tick(seconds: float, what: str) -> None:
        done[0] += seconds
        if progress:
            progress(min(done[0], total), total, what)

    started = time.perf_counter()
    fit = calibrate(circuit, atlas, maps, circuit.readout, settings, lambda s: tick(s, f"calibrating {entry.ref}"))
    fast = FastRewardFunction(maps, circuit.readout, fit.axes, fit.steady, fit.tau, fit.dopamine_tau, fit.aversive_tau,
                              slow=slow_table(fit, settings.settle))
    check = fidelity(circuit, atlas, fast, settings, lambda s: tick(s, "checking fidelity"))
    if not check["passed"]:
        message = (f"{entry.ref}: surrogate fidelity below {settings.threshold} (drive r={check['drive_r']}, "
                   f"reward r={check['reward_r']})")
        if not force:
            raise FidelityError(f"{message}; not written. Export with a finer grid or longer hold, use the live "
                                f"backend, or write it anyway with force (--force)")
        warnings.warn(f"{message}; written because forced", FidelityWarning, stacklevel=2)
    manifest = Manifest(
        format=FORMAT, format_version=FORMAT_VERSION,
        circuit=CircuitRecord(id=entry.circuit.id, version=entry.circuit.version, content_hash=entry.content_hash,
                              title=entry.circuit.title, yaml_sha256="sha256:" + "0" * 64),
        nest_version=version("nest-simulator"), drive_atlas_version=version("drive-atlas"),
        exported=datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        interface=interface_of(circuit), readout=circuit.readout,
        surrogate=Surrogate(kind="first_order_table", tau_s=fit.tau, dopamine_tau_s=fit.dopamine_tau,
                            aversive_tau_s=fit.aversive_tau, fit_drive_rmse=fit.fit_rmse,
                            variables=variables, slow_tau_s=fast.slow.tau if fast.slow else None,
                            dopamine_slow_tau_s=fast.slow.dopamine_tau if fast.slow else None),
        calibration=CalibrationRecord(**settings.as_dict(), wall_seconds=round(time.perf_counter() - started, 1)),
        fidelity=Fidelity(**check, forced=not check["passed"]),
        arrays={},
    )
    arrays = {"steady_rates": fit.steady, **{f"axis_{v}": a for v, a in zip(variables, fit.axes)}}
    if fast.slow is not None:
        arrays.update(slow_rates=fast.slow.corners, slow_start=fast.slow.start)
    return Export(write_artifact(out, manifest, text, arrays), manifest, fast)
