"""``load_reward_function``: a checked reward module as a RewardFunction, fast (numpy) or live (NEST)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from ..drive.kernel import ReadoutKernel
from .artifact import Artifact, RewardModuleError, read_artifact
from .fast import FastRewardFunction, SlowTable
from .function import RewardFunction
from .interface import InterfaceMaps

if TYPE_CHECKING:
    from ..atlas import Atlas
    from ..spec.circuit import Circuit


def fast_from_artifact(artifact: Artifact) -> FastRewardFunction:
    """The surrogate, after checking its arrays fit the interface and readout the manifest declares."""
    manifest, arrays, path = artifact.manifest, artifact.arrays, artifact.path
    maps = InterfaceMaps.of(manifest.interface)
    variables = maps.state_ids + maps.event_ids
    if manifest.surrogate.variables != variables:
        raise RewardModuleError(path, f"surrogate variables {manifest.surrogate.variables} do not match the interface {variables}")
    axes = []
    for variable in maps.states + maps.events:
        axis = arrays.get(f"axis_{variable.id}")
        if axis is None or axis.ndim != 1 or len(axis) < 2 or not (np.diff(axis) > 0).all():
            raise RewardModuleError(path, f"array 'axis_{variable.id}' is missing or not an increasing grid of at least 2 points")
        if (axis[0], axis[-1]) != (variable.low, variable.high):
            raise RewardModuleError(path, f"array 'axis_{variable.id}' spans [{axis[0]}, {axis[-1]}], the interface "
                                          f"[{variable.low}, {variable.high}]")
        axes.append(axis)
    expected = tuple(len(a) for a in axes) + (len(ReadoutKernel(manifest.readout).channels),)
    steady = arrays.get("steady_rates")
    if steady is None or steady.shape != expected:
        raise RewardModuleError(path, f"array 'steady_rates' should have shape {expected}, "
                                      f"found {None if steady is None else steady.shape}")
    if (steady < 0).any():
        raise RewardModuleError(path, "array 'steady_rates' holds negative rates")
    return FastRewardFunction(maps, manifest.readout, axes, steady, manifest.surrogate.tau_s, manifest.surrogate.dopamine_tau_s,
                              manifest.surrogate.aversive_tau_s, slow=_slow_table(artifact, len(axes), expected[-1]))


def _slow_table(artifact: Artifact, variables: int, channels: int) -> SlowTable | None:
    """The surrogate's hidden slow state, when its manifest declares one, after checking its arrays' shapes."""
    surrogate, arrays, path = artifact.manifest.surrogate, artifact.arrays, artifact.path
    if surrogate.slow_tau_s is None and surrogate.dopamine_slow_tau_s is None:
        return None
    corners, start = arrays.get("slow_rates"), arrays.get("slow_start")
    for name, array, shape in (("slow_rates", corners, (2,) * variables + (channels,)), ("slow_start", start, (channels,))):
        if array is None or array.shape != shape:
            raise RewardModuleError(path, f"array {name!r} should have shape {shape}, found {None if array is None else array.shape}")
    return SlowTable(corners, start, surrogate.slow_tau_s, surrogate.dopamine_slow_tau_s, artifact.manifest.calibration.settle)


def embedded_circuit(artifact: Artifact, atlas: Atlas | None = None) -> Circuit:
    """The circuit the module was exported from, validated against the installed atlas (ligands, receptors, regions,
    the parts a composite includes) and runnable."""
    from ..atlas import Atlas
    from ..spec import circuit_from_document, parse_yaml_text

    atlas = atlas or Atlas.load()
    try:
        doc = parse_yaml_text(artifact.circuit_yaml, Path("circuit.yaml"))
        return atlas.runnable(circuit_from_document(doc, atlas.context_for(doc)))
    except Exception as exc:  # noqa: BLE001  (validation against this atlas: its errors, or an include it lacks)
        raise RewardModuleError(artifact.path, f"the embedded circuit does not validate against the installed atlas:\n{exc}") from None


def live_from_artifact(artifact: Artifact, atlas: Atlas | None = None, seed: int = 1, threads: int = 1) -> RewardFunction:
    """The live backend on the embedded circuit, validated against the installed catalog (ligands, receptors, regions).

    ``threads`` are NEST's threads; a seed gives the same spikes only with the same thread count.
    """
    from ..atlas import Atlas
    from .live import LiveRewardFunction

    atlas = atlas or Atlas.load()
    circuit = embedded_circuit(artifact, atlas)
    calibration = artifact.manifest.calibration
    return LiveRewardFunction(circuit, atlas, seed=seed, dt=calibration.dt, settle=calibration.settle, threads=threads)


def load_reward_function(path: str | Path, backend: Literal["fast", "nest"] = "fast", *, atlas: Atlas | None = None,
                         seed: int = 1, threads: int = 1) -> RewardFunction:
    """Open a reward module; ``fast`` needs only numpy at run time, ``nest`` runs the circuit live."""
    artifact = read_artifact(path)
    if backend == "fast":
        return fast_from_artifact(artifact)
    if backend == "nest":
        return live_from_artifact(artifact, atlas, seed, threads)
    raise ValueError(f"unknown backend {backend!r}: use 'fast' or 'nest'")
