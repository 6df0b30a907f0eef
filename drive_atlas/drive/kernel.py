"""The readout section as numpy arithmetic: drive from rates, one filter step, and reward.

The one place the readout formula lives. ``drive.readout`` (pandas tables of a run),
the fast reward backend (tabulated steady rates) and the live reward backend (the
running NEST network) all evaluate a circuit's readout through :class:`ReadoutKernel`.

* Drive: D = clip(sum_r weight_r * (f_r - low_r) / (high_r - low_r), 0, 1) on filtered rates f.
* Filter: f <- x + (f - x) * exp(-dt / tau), exact for a rate x held over dt.
* Reward, a sum of terms each a rate integrated over the step, so that a trajectory
  earns the same total whatever the step size:
  drive reduction D(t - dt) - D(t) (the time integral of -dD/dt; Keramati & Gutkin 2014),
  and dopamine weight * (rate_DA - baseline) / scale per second, times dt in seconds.

Quantities arrive typed: the spec's models hold canonical floats (Hz, ms); times
here are seconds.
"""

from __future__ import annotations

import numpy as np

from ..spec.circuit import ReadoutSpec


class ReadoutKernel:
    """One circuit's readout; rates are arrays whose last axis is ``channels`` (Hz)."""

    def __init__(self, readout: ReadoutSpec) -> None:
        self.readout = readout
        dopamine = readout.reward.dopamine
        populations = [r.population for r in readout.readouts] + ([dopamine.population] if dopamine else [])
        self.channels: list[str] = list(dict.fromkeys(populations))
        index = {p: i for i, p in enumerate(self.channels)}
        self.columns = np.array([index[r.population] for r in readout.readouts], dtype=int)
        self.low = np.array([r.low for r in readout.readouts], dtype=float)
        self.gain = np.array([r.weight / (r.high - r.low) for r in readout.readouts], dtype=float)
        self.tau_s = readout.tau / 1000.0
        self.drive_reduction = readout.reward.drive_reduction
        self.dopamine_column = index[dopamine.population] if dopamine else None
        self.dopamine_baseline = dopamine.baseline if dopamine else 0.0
        self.dopamine_gain = readout.reward.dopamine_weight / dopamine.scale if dopamine else 0.0

    def linear(self, rates: np.ndarray) -> np.ndarray:
        """The readout before its clip: sum_r weight_r * (f_r - low_r) / (high_r - low_r)."""
        return ((np.asarray(rates, dtype=float)[..., self.columns] - self.low) * self.gain).sum(axis=-1)

    def drive(self, rates: np.ndarray) -> np.ndarray:
        """Drive level in [0, 1] from filtered rates."""
        return unit(self.linear(rates))

    def filter_step(self, filtered: np.ndarray, rates: np.ndarray, dt: float) -> np.ndarray:
        """Filtered rates after dt seconds at ``rates`` (the readout's time constant)."""
        return rates + (filtered - rates) * np.exp(-dt / self.tau_s)

    def dopamine_rate(self, rates: np.ndarray) -> np.ndarray:
        """The dopamine reward term per second (0 when the circuit has no dopamine rule)."""
        rates = np.asarray(rates, dtype=float)
        if self.dopamine_column is None:
            return np.zeros(rates.shape[:-1])
        return (rates[..., self.dopamine_column] - self.dopamine_baseline) * self.dopamine_gain

    def reduction(self, previous: np.ndarray, drive: np.ndarray) -> np.ndarray:
        """The drive-reduction term of one step (0 when the rule is off)."""
        return previous - drive if self.drive_reduction else np.zeros(np.shape(drive))

    def reward(self, previous: np.ndarray, drive: np.ndarray, rates: np.ndarray, dt: float) -> np.ndarray:
        """One step's reward: drive reduction plus the dopamine rate integrated over dt seconds."""
        return self.reduction(previous, drive) + self.dopamine_rate(rates) * dt


def unit(x: np.ndarray) -> np.ndarray:
    """Clip to [0, 1]."""
    return np.minimum(np.maximum(x, 0.0), 1.0)
