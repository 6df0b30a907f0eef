"""Drive and reward: readout rates -> drive level D(t) -> reward r(t); and ``simulate`` (sim + drive).

``readout`` is pandas/numpy only. ``simulate`` and ``SimulationResult`` are loaded on
first use, so code that only needs the drive formulas does not import neo or NEST.
"""

from __future__ import annotations

from typing import Any

from .readout import drive_level, reward_signal

__all__ = ["SimulationResult", "drive_level", "reward_signal", "simulate"]


def __getattr__(name: str) -> Any:
    if name in {"simulate", "SimulationResult"}:
        from . import run

        return getattr(run, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
