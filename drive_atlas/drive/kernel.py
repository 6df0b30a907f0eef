"""The readout section as numpy arithmetic: drive from rates, one filter step, and reward.

The one place the readout formula lives. ``drive.readout`` (pandas tables of a run),
the fast reward backend (tabulated steady rates) and the live reward backend (the
running NEST network) all evaluate a circuit's readout through :class:`ReadoutKernel`.

* Drive, on filtered rates f: per part p (one, of share 1, unless the readout names ``parts``: a composite's),
  its level L_p = sum_{r in p} weight_r * (f_r - low_r) / (high_r - low_r), clipped to [0, w_p]; then
  D = clip(sum_p clip(L_p, 0, w_p), 0, 1). A composite's channel weights carry their part's share w_p, so this is
  the weighted sum of each part's own drive clipped to [0, 1]: one saturated part does not hide another (the
  outer clip binds only when the shares add up past 1).
* Filter: f <- x + (f - x) * exp(-dt / tau), exact for a rate x held over dt.
* Reward, a sum of terms each a rate integrated over the step, so that a trajectory
  earns the same total whatever the step size:
  drive reduction D(t - dt) - D(t) (the time integral of -dD/dt; Keramati & Gutkin 2014),
  dopamine weight * (rate_DA - baseline) / scale per second, times dt in seconds,
  and the aversive rule's -weight * max(0, f - baseline) / scale per second on the
  population's filtered rate f, integrated exactly over the step's relaxation of f.
  Drive reduction sums to D(start) - D(end) over any window, so a transient cost is
  paid back as the drive relaxes; the rectified aversive term is not paid back.

Quantities arrive typed: the spec's models hold canonical floats (Hz, ms); times
here are seconds.
"""

from __future__ import annotations

import numpy as np

from ..spec.circuit import ReadoutSpec, part_of


class ReadoutKernel:
    """One circuit's readout; rates are arrays whose last axis is ``channels`` (Hz)."""

    def __init__(self, readout: ReadoutSpec) -> None:
        self.readout = readout
        dopamine = readout.reward.dopamine
        aversive = readout.reward.aversive
        populations = [r.population for r in readout.readouts] + ([dopamine.population] if dopamine else [])
        populations += [aversive.population] if aversive else []
        self.channels: list[str] = list(dict.fromkeys(populations))
        index = {p: i for i, p in enumerate(self.channels)}
        self.columns = np.array([index[r.population] for r in readout.readouts], dtype=int)
        self.low = np.array([r.low for r in readout.readouts], dtype=float)
        self.gain = np.array([r.weight / (r.high - r.low) for r in readout.readouts], dtype=float)
        parts = readout.parts or {"": 1.0}
        self.parts: list[str] = list(parts)
        self.shares = np.array(list(parts.values()), dtype=float)  # each part's ceiling w_p
        owner = [part_of(r.population) if readout.parts else "" for r in readout.readouts]
        self._membership = np.array([[o == p for p in self.parts] for o in owner], dtype=float)  # (readouts, parts)
        self.capped = bool(self.shares.sum() > 1.0)  # whether the sum of the parts needs the outer clip
        self.tau_s = readout.tau / 1000.0
        self.drive_reduction = readout.reward.drive_reduction
        self.dopamine_column = index[dopamine.population] if dopamine else None
        self.dopamine_baseline = dopamine.baseline if dopamine else 0.0
        self.dopamine_gain = readout.reward.dopamine_weight / dopamine.scale if dopamine else 0.0
        self.aversive_column = index[aversive.population] if aversive else None
        self.aversive_baseline = aversive.baseline if aversive else 0.0
        self.aversive_gain = aversive.weight / aversive.scale if aversive else 0.0

    def levels(self, rates: np.ndarray) -> np.ndarray:
        """Each part's level before its clip, L_p = sum_{r in p} weight_r * (f_r - low_r) / (high_r - low_r), as the
        last axis (parts): linear in the rates, so it relaxes as they do."""
        return ((np.asarray(rates, dtype=float)[..., self.columns] - self.low) * self.gain) @ self._membership

    def combine(self, levels: np.ndarray) -> np.ndarray:
        """The drive from the parts' levels (last axis): each clipped to [0, its share], summed, clipped to [0, 1]."""
        return unit(np.minimum(np.maximum(np.asarray(levels, dtype=float), 0.0), self.shares).sum(axis=-1))

    def drive(self, rates: np.ndarray) -> np.ndarray:
        """Drive level in [0, 1] from filtered rates."""
        return self.combine(self.levels(rates))

    def filter_step(self, filtered: np.ndarray, rates: np.ndarray, dt: float) -> np.ndarray:
        """Filtered rates after dt seconds at ``rates`` (the readout's time constant)."""
        return rates + (filtered - rates) * np.exp(-dt / self.tau_s)

    def dopamine_rate(self, rates: np.ndarray) -> np.ndarray:
        """The dopamine reward term per second (0 when the circuit has no dopamine rule)."""
        rates = np.asarray(rates, dtype=float)
        if self.dopamine_column is None:
            return np.zeros(rates.shape[:-1])
        return (rates[..., self.dopamine_column] - self.dopamine_baseline) * self.dopamine_gain

    def aversive_rate(self, filtered: np.ndarray) -> np.ndarray:
        """The aversive reward term per second at filtered rates (0 when the circuit has no aversive rule)."""
        filtered = np.asarray(filtered, dtype=float)
        if self.aversive_column is None:
            return np.zeros(filtered.shape[:-1])
        return -self.aversive_gain * np.maximum(filtered[..., self.aversive_column] - self.aversive_baseline, 0.0)

    def aversive_step(self, start: np.ndarray, target: np.ndarray, tau: float, dt: float) -> np.ndarray:
        """The aversive term over dt seconds while the aversive population's rate relaxes from ``start`` toward
        ``target`` (Hz, arrays of its rate alone) with time constant ``tau`` seconds, x(t) = target + (start - target)
        exp(-t / tau): -gain times the exact integral of max(0, x(t) - baseline). x(t) is monotonic, so it crosses
        the baseline at most once, at t_c = tau ln((u0 - u*) / -u*) (u: x minus the baseline); the integral of
        u(t) from 0 to t is u* t + (u0 - u*) tau (1 - exp(-t / tau))."""
        if self.aversive_column is None:
            return np.zeros(np.shape(target))
        u0 = np.asarray(start, dtype=float) - self.aversive_baseline
        u1 = np.asarray(target, dtype=float) - self.aversive_baseline

        def integral(t: np.ndarray | float) -> np.ndarray:
            return u1 * t + (u0 - u1) * tau * -np.expm1(-np.divide(t, tau))

        whole = integral(dt)
        crossing = u0 * u1 < 0.0
        with np.errstate(divide="ignore", invalid="ignore"):
            t_c = np.minimum(tau * np.log(np.where(crossing, (u0 - u1) / np.where(crossing, -u1, 1.0), 1.0)), dt)
        part = integral(t_c)
        above = np.where(crossing, np.where(u0 > 0.0, part, whole - part), np.where(u0 + u1 > 0.0, whole, 0.0))
        return -self.aversive_gain * above

    def reduction(self, previous: np.ndarray, drive: np.ndarray) -> np.ndarray:
        """The drive-reduction term of one step (0 when the rule is off)."""
        return previous - drive if self.drive_reduction else np.zeros(np.shape(drive))

    def reward(self, previous: np.ndarray, drive: np.ndarray, start: np.ndarray, rates: np.ndarray, dt: float
               ) -> np.ndarray:
        """One step's reward: drive reduction, plus the dopamine rate integrated over dt seconds, plus the aversive
        term over the filter's relaxation from the filtered rates at the step's ``start`` toward ``rates`` (held
        over the step)."""
        reward = self.reduction(previous, drive) + self.dopamine_rate(rates) * dt
        if self.aversive_column is not None:
            column = self.aversive_column
            reward = reward + self.aversive_step(start[..., column], rates[..., column], self.tau_s, dt)
        return reward


def unit(x: np.ndarray) -> np.ndarray:
    """Clip to [0, 1]."""
    return np.minimum(np.maximum(x, 0.0), 1.0)
