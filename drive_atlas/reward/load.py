"""``load_reward_function``: a checked reward module as a RewardFunction, fast (numpy) or live (NEST)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from .artifact import Artifact, RewardModuleError, read_artifact
from .fast import FastRewardFunction
from .function import RewardFunction
from .interface import InterfaceMaps

if TYPE_CHECKING:
    from ..atlas import Atlas


def fast_from_artifact(artifact: Artifact) -> FastRewardFunction:
    """The surrogate, after checking its arrays fit the interface and readout the manifest declares."""
    manifest, arrays = artifact.manifest, artifact.arrays
    maps = InterfaceMaps(manifest["interface"])
    variables = maps.state_ids + maps.event_ids
    if manifest["surrogate"].get("variables") != variables:
        raise RewardModuleError(artifact.path, f"surrogate variables {manifest['surrogate'].get('variables')} do not match the interface {variables}")
    axes = []
    for v in variables:
        axis = arrays.get(f"axis_{v}")
        if axis is None or axis.ndim != 1 or len(axis) < 2:
            raise RewardModuleError(artifact.path, f"array 'axis_{v}' is missing or not a grid of at least 2 points")
        axes.append(axis)
    expected = tuple(len(a) for a in axes) + (len(manifest["readout"]["channels"]),)
    steady = arrays.get("steady_rates")
    if steady is None or steady.shape != expected:
        raise RewardModuleError(artifact.path, f"array 'steady_rates' should have shape {expected}, "
                                               f"found {None if steady is None else steady.shape}")
    return FastRewardFunction(maps, manifest["readout"], axes, steady, manifest["surrogate"]["tau_s"])


def live_from_artifact(artifact: Artifact, atlas: Atlas | None = None, seed: int = 1, threads: int = 1) -> RewardFunction:
    """The live backend on the embedded circuit, validated against the installed catalog (ligands, receptors, regions).

    ``threads`` are NEST's threads; a seed gives the same spikes only with the same thread count.
    """
    from ..atlas import Atlas
    from ..spec import SpecValidationError, circuit_from_document, parse_yaml_text
    from .live import LiveRewardFunction

    atlas = atlas or Atlas.load()
    try:
        circuit = circuit_from_document(parse_yaml_text(artifact.circuit_yaml, Path("circuit.yaml")), atlas.context())
    except SpecValidationError as exc:
        raise RewardModuleError(artifact.path, f"the embedded circuit does not validate against the installed atlas:\n{exc}") from None
    return LiveRewardFunction(atlas.runnable(circuit), atlas, seed=seed, dt=artifact.manifest["calibration"]["dt"],
                              settle=artifact.manifest["calibration"]["settle"], threads=threads)


def load_reward_function(path: str | Path, backend: Literal["fast", "nest"] = "fast", *, atlas: Atlas | None = None,
                         seed: int = 1, threads: int = 1) -> RewardFunction:
    """Open a reward module; ``fast`` needs only numpy at run time, ``nest`` runs the circuit live."""
    artifact = read_artifact(path)
    if backend == "fast":
        return fast_from_artifact(artifact)
    if backend == "nest":
        return live_from_artifact(artifact, atlas, seed, threads)
    raise ValueError(f"unknown backend {backend!r}: use 'fast' or 'nest'")
