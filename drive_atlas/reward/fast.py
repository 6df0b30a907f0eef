"""The fast backend: a surrogate of the circuit's drive fitted from NEST at export time (numpy only).

Model, per readout channel c (a readout population's filtered rate f_c):

    f_c <- f*_c(s, e) + (f_c - f*_c(s, e)) * exp(-dt / tau)

where f*(s, e) is the steady-state rate tabulated over a grid of the body states s and
event corners e in {0, 1}, interpolated multilinearly, and tau is one response time
constant fitted to the live circuit. The drive applies the circuit's own readout
formula to f (clip(sum_c w_c (f_c - low_c) / (high_c - low_c), 0, 1)), so saturation
is exact; reward follows the circuit's rule (drive reduction D(t) - D(t+dt), plus
the dopamine rule on the steady rate of its population when the circuit has one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .function import RewardFunction
from .interface import InterfaceMaps


class FastRewardFunction(RewardFunction):
    """Tabulated steady states + first-order relaxation; vectorised over environments."""

    def __init__(self, maps: InterfaceMaps, readout: Mapping[str, Any], axes: Sequence[np.ndarray], steady: np.ndarray,
                 tau: float) -> None:
        super().__init__(maps)
        self.readout, self.tau = readout, float(tau)
        self.axes = [np.asarray(a, dtype=float) for a in axes]
        self.steady = np.asarray(steady, dtype=float)
        index = {p: i for i, p in enumerate(readout["channels"])}
        self._channel = np.array([index[r["population"]] for r in readout["readouts"]], dtype=int)
        self._low = np.array([r["low"] for r in readout["readouts"]], dtype=float)
        self._gain = np.array([r["weight"] / (r["high"] - r["low"]) for r in readout["readouts"]], dtype=float)
        dopamine = readout["reward"]["dopamine"]
        self._dopamine = None if dopamine is None else (index[dopamine["population"]], dopamine["baseline"],
                                                        dopamine["scale"] / readout["reward"]["dopamine_weight"])
        self._rates = np.zeros((0, self.steady.shape[-1]))
        grid = self.steady.shape[:-1]
        self._flat = self.steady.reshape(-1, self.steady.shape[-1])
        self._strides = [int(np.prod(grid[j + 1:])) for j in range(len(grid))]
        self._corners = np.array([sum(c * s for c, s in zip(corner, self._strides)) for corner in np.ndindex(*(2,) * len(grid))], dtype=int)

    def steady_rates(self, values: Mapping[str, np.ndarray]) -> np.ndarray:
        """Steady-state channel rates (n, channels) at the given variables, multilinear in every dimension."""
        coords = [np.asarray(values[v], dtype=float) for v in self.maps.state_ids + self.maps.event_ids]
        n = len(coords[0])
        base, weights = np.zeros(n, dtype=int), np.ones((n, 1))
        for axis, stride, x in zip(self.axes, self._strides, coords):
            x = np.minimum(np.maximum(x, axis[0]), axis[-1])
            i = np.minimum(np.searchsorted(axis, x, side="right") - 1, len(axis) - 2)
            f = (x - axis[i]) / (axis[i + 1] - axis[i])
            base += i * stride
            weights = (weights[:, :, None] * np.stack([1.0 - f, f], axis=1)[:, None, :]).reshape(n, -1)
        corners = self._flat[base[:, None] + self._corners[None, :]]  # (n, 2^d, channels)
        return np.einsum("nk,nkc->nc", weights, corners)

    def drive_of(self, rates: np.ndarray) -> np.ndarray:
        """The circuit's readout formula on filtered channel rates (n, channels)."""
        return np.minimum(np.maximum(((rates[:, self._channel] - self._low) * self._gain).sum(axis=1), 0.0), 1.0)

    def _resize(self, n: int) -> None:
        self._rates = np.zeros((n, self.steady.shape[-1]))

    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        self._rates[mask] = self.steady_rates({k: v[mask] for k, v in values.items()})
        self.drive[mask] = self.drive_of(self._rates[mask])

    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        target = self.steady_rates(values)
        self._rates = target + (self._rates - target) * np.exp(-dt / self.tau)
        previous, self.drive = self.drive, self.drive_of(self._rates)
        reward = previous - self.drive if self.readout["reward"]["drive_reduction"] else np.zeros(self.n)
        if self._dopamine is not None:
            channel, baseline, scale = self._dopamine
            reward = reward + (target[:, channel] - baseline) / scale
        return reward
