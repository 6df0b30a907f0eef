"""The one interface every reward backend offers: reset, step, step_batch, and the current drive levels.

Backends keep per-environment state (n environments, n >= 1) and implement two
hooks: ``_reset`` (start the masked environments afresh at given body states) and
``_advance`` (move every environment on by dt and return its reward). Times are
seconds of biological time; state and event values are plain floats or arrays.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .interface import InterfaceMaps, Values


class RewardFunction(ABC):
    """A drive module as an agent sees it: body state and events in, drive and reward out."""

    def __init__(self, maps: InterfaceMaps) -> None:
        self.maps = maps
        self.drive = np.zeros(0)  # current drive level per environment, in [0, 1]
        self.n = 0

    @property
    def state_ids(self) -> list[str]:
        return self.maps.state_ids

    @property
    def event_ids(self) -> list[str]:
        return self.maps.event_ids

    @property
    def drive_level(self) -> float:
        """The drive of a single environment (after ``reset``/``step``)."""
        return float(self.drive[0])

    def reset(self, state: Values | None = None, events: Values | None = None) -> None:
        """Start one environment afresh at ``state`` (default: the interface's initial values), drive at steady state."""
        self.reset_batch(1, state, events)

    def reset_batch(self, n: int, states: Values | None = None, events: Values | None = None, mask: Any = None) -> None:
        """Start afresh the environments where ``mask`` is true (all when None or when n changes)."""
        values = _finite({k: _column(v, n) for k, v in self.maps.values(states or {}, events).items()})
        if mask is None or n != self.n:
            self._resize(n)
            self.n, self.drive = n, np.zeros(n)
            mask = np.ones(n, dtype=bool)
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self._reset(mask, values)

    def step(self, state: Values, events: Values | None = None, dt: float = 0.1) -> float:
        """Advance one environment by dt seconds with the body in ``state`` and ``events`` happening; return the reward."""
        return float(self.step_batch({k: [v] for k, v in state.items()}, {k: [v] for k, v in (events or {}).items()}, dt)[0])

    def step_batch(self, states: Values, events: Values | None = None, dt: float = 0.1) -> np.ndarray:
        """Advance n environments at once (arrays of shape (n,)); return their rewards, shape (n,)."""
        raw = self.maps.values(states, events)
        n = max((np.size(v) for v in raw.values()), default=1)
        if n != self.n:
            self.reset_batch(n, states)
        if dt <= 0:
            raise ValueError(f"dt must be positive (got {dt})")
        return self._advance(_finite({k: _column(v, n) for k, v in raw.items()}), float(dt))

    def _resize(self, n: int) -> None:
        """Allocate per-environment state for n environments (override when the backend has any)."""

    @abstractmethod
    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Set the masked environments' state and ``self.drive`` to the steady state at ``values``."""

    @abstractmethod
    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        """Move all environments on by dt seconds under ``values``; update ``self.drive``; return rewards."""


def _finite(values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The values, unless one is NaN or infinite: that would otherwise surface as a bad table index or a NaN reward."""
    for name, value in values.items():
        if math.isfinite(value.sum()):  # one cheap call per step; a sum of huge finite values falls through to the exact check
            continue
        bad = np.flatnonzero(~np.isfinite(value))
        if len(bad):
            raise ValueError(f"{name} must be a finite number; got {value[bad[0]]} for environment {bad[0]}"
                             + (f" and {len(bad) - 1} more" if len(bad) > 1 else ""))
    return values


def _column(value: np.ndarray, n: int) -> np.ndarray:
    """A variable as a float array of shape (n,); scalars are spread over the environments."""
    value = np.asarray(value, dtype=float)
    return value if value.shape == (n,) else np.broadcast_to(value, (n,)).copy()
