"""The closed-form homeostatic reward of Keramati & Gutkin 2014 (eLife 3:e04811), as a RewardFunction.

Drive D(H) = (sum_i |H*_i - H_i|^n)^(1/m) over the internal states H with setpoints
H*; reward r = D(H_t) - D(H_t+dt). With n = m = 2 this is the Euclidean distance
to the setpoint. Events play no part. A baseline to compare the circuit's drive with.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .function import RewardFunction
from .interface import InterfaceMaps, Values, Variable


def homeostatic_drive(states: np.ndarray, setpoints: np.ndarray, n: float = 2.0, m: float = 2.0) -> np.ndarray:
    """D(H) for states of shape (..., variables)."""
    return (np.abs(setpoints - states) ** n).sum(axis=-1) ** (1.0 / m)


class HomeostaticReward(RewardFunction):
    """Keramati-Gutkin drive reduction on the raw body states (no circuit)."""

    def __init__(self, setpoints: Mapping[str, float], n: float = 2.0, m: float = 2.0, initial: Mapping[str, float] | None = None) -> None:
        initial = initial or {}
        super().__init__(InterfaceMaps(tuple(Variable(k, 0.0, 1.0, initial.get(k, v)) for k, v in setpoints.items()), ()))
        self.setpoints = np.array(list(setpoints.values()), dtype=float)
        self.exponents = (n, m)

    def reset_batch(self, n: int, states: Values | None = None, events: Values | None = None, mask: Any = None) -> None:
        """As RewardFunction.reset_batch; events are accepted and ignored (the closed form has none)."""
        super().reset_batch(n, states, None, mask)

    def step_batch(self, states: Values, events: Values | None = None, dt: float = 0.1) -> np.ndarray:
        """As RewardFunction.step_batch; events are accepted and ignored."""
        return super().step_batch(states, None, dt)

    def _drive(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        return homeostatic_drive(np.stack([values[k] for k in self.state_ids], axis=-1), self.setpoints, *self.exponents)

    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        self.drive[mask] = self._drive(values)[mask]

    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        previous, self.drive = self.drive, self._drive(values)
        return previous - self.drive
