"""Behaviour assays on an exported drive module: each script played step by step through a reward function.

What an agent trains on is the module, not the live circuit, so its behaviour assays run
on it too: the script's states and events are given to ``step`` every ``dt`` seconds
(the module starts at steady state at the script's first values), the drive after each
step and the step's reward are tabulated as a simulation's are (time = step start, ms),
and the same measures (:func:`~drive_atlas.assays.measures.measure_value`) and judge
(:mod:`drive_atlas.assays.statistics`) give the verdict.

The fast backend is deterministic: one run per script is the whole distribution, so it
runs once and its verdict is exact (a zero-width interval), whatever seeds are asked for.
Measured values are rounded to ``PRECISION``: far above the float64 rounding of a few
hundred steps, far below any effect an assay claims, so that rounding noise of an exact
run (a drive slope of 1e-18 at steady state) never counts as an effect.
Seeds matter only for the live (``nest``) backend, which runs the network once per seed.
A script with protocol events (a drug, light) cannot be played through a module, whose
only inputs are its interface's states and events: such an assay is reported as skipped,
with that reason, never as passed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..reward.artifact import read_artifact
from ..reward.function import RewardFunction
from ..reward.load import embedded_circuit, load_reward_function
from ..spec.circuit import BehaviourAssay, Script
from .behaviour import held_at
from .measures import measure_value
from .runner import DEFAULT_SEEDS, AssayResult, AssayRun
from .statistics import judge

if TYPE_CHECKING:
    from ..atlas import Atlas

DT = 0.1  # s per module step, the live runs' sampling step
PRECISION = 9  # decimals kept of a measured value

Backend = Literal["fast", "nest"]


@dataclass
class ModuleAssayRun:
    """Verdicts of the assays a module can play, and the assays it cannot (id -> why)."""

    run: AssayRun = field(default_factory=AssayRun)
    skipped: dict[str, str] = field(default_factory=dict)


def play_script(fn: RewardFunction, script: Script, duration: float, dt: float = DT) -> dict[str, pd.DataFrame]:
    """Drive and reward tables (time in ms at each step's start) of ``script`` played for ``duration`` ms."""
    steps = int(round(duration / (dt * 1000.0)))
    times = np.arange(steps) * dt * 1000.0
    fn.reset(*held_at(script, fn.maps, 0.0))
    drives, rewards = np.empty(steps), np.empty(steps)
    for k, t in enumerate(times):
        rewards[k] = fn.step(*held_at(script, fn.maps, float(t)), dt=dt)
        drives[k] = fn.drive_level
    return {"drive": pd.DataFrame({"time": times, "drive": drives}),
            "reward": pd.DataFrame({"time": times, "reward": rewards})}


def unplayable(assay: BehaviourAssay) -> str | None:
    """Why a module cannot play the assay's scripts (protocol events beyond its interface), or None."""
    kinds = sorted({e.type for s in assay.scripts.values() for e in s.events})
    return f"scripts hold protocol events ({', '.join(kinds)}) a module's interface does not take" if kinds else None


def run_module_assays(fn_for_seed: Callable[[int], RewardFunction], circuit_id: str, assays: Iterable[BehaviourAssay], *,
                      seeds: Iterable[int] = (1,), dt: float = DT) -> ModuleAssayRun:
    """Judge ``assays`` on the reward functions ``fn_for_seed(seed)``, one per seed (pass one seed for a deterministic one)."""
    seeds = tuple(seeds)
    out = ModuleAssayRun()
    for assay in assays:
        reason = unplayable(assay)
        if reason:
            out.skipped[assay.id] = reason
            continue
        values = {name: np.array([round(measure_value(assay.measure, play_script(fn_for_seed(seed), script, assay.duration, dt)),
                                        PRECISION) for seed in seeds]) for name, script in assay.scripts.items()}
        out.run.results.append(AssayResult(circuit_id, assay, seeds, values, judge(assay.expect, values)))
    return out


def run_module_behaviour_assays(path: str | Path, *, backend: Backend = "fast", atlas: Atlas | None = None,
                                seeds: Iterable[int] = DEFAULT_SEEDS, dt: float = DT) -> ModuleAssayRun:
    """The behaviour assays of the circuit embedded in the module at ``path``, played through the module.

    The fast backend runs once (deterministic; ``seeds`` is ignored); ``nest`` runs the embedded circuit per seed.
    """
    artifact = read_artifact(path)
    circuit = embedded_circuit(artifact, atlas)
    if backend == "fast":
        fn = load_reward_function(path)
        return run_module_assays(lambda seed: fn, circuit.id, circuit.behaviour_assays, seeds=(1,), dt=dt)
    return run_module_assays(lambda seed: load_reward_function(path, "nest", atlas=atlas, seed=seed),
                             circuit.id, circuit.behaviour_assays, seeds=seeds, dt=dt)
