"""Drive level and reward from readout population rates (pure pandas/numpy).

Drive: D(t) = clip(sum_r weight_r * (rate_r(t) - low_r) / (high_r - low_r), 0, 1), with
each readout rate first low-pass filtered with time constant ``readout.tau``
(exact exponential update per sample; the filter starts at the first sample so
there is no artificial onset transient).

Reward, the sum of the enabled rules:

* drive reduction (Keramati & Gutkin 2014): r = D(t - dt) - D(t), stamped at t,
  the sample where the reduction is observed (0 at the first sample), so the
  summed reward over a run is D(start) - D(end) whatever the chunk size;
* dopamine: (rate_DA(t) - baseline) / scale * dopamine_weight, on the unfiltered
  binned rate, since dopamine reward signals are phasic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..spec.circuit import ReadoutSpec


def _series(rates: pd.DataFrame, population: str) -> tuple[np.ndarray, np.ndarray]:
    rows = rates[rates["population"] == population].sort_values("time")
    if rows.empty:
        raise KeyError(f"no rates recorded for readout population {population!r}")
    return rows["time"].to_numpy(dtype=float), rows["rate_hz"].to_numpy(dtype=float)


def low_pass(times: np.ndarray, values: np.ndarray, tau: float) -> np.ndarray:
    """First-order low-pass filter (time constant tau, same units as times) of a sampled signal."""
    out = np.empty_like(values, dtype=float)
    if len(values) == 0:
        return out
    out[0] = values[0]
    decay = np.exp(-np.diff(times) / tau)
    for k in range(1, len(values)):
        out[k] = values[k] + (out[k - 1] - values[k]) * decay[k - 1]
    return out


def drive_level(rates: pd.DataFrame, readout: ReadoutSpec) -> pd.DataFrame:
    """time, drive (0..1), from a tidy rates table (time, population, rate_hz)."""
    total, times = None, None
    for r in readout.readouts:
        times, rate = _series(rates, r.population)
        term = r.weight * (low_pass(times, rate, readout.tau) - r.low) / (r.high - r.low)
        total = term if total is None else total + term
    return pd.DataFrame({"time": times, "drive": np.clip(total, 0.0, 1.0)})


def reward_signal(rates: pd.DataFrame, drive: pd.DataFrame, readout: ReadoutSpec) -> pd.DataFrame:
    """time, reward and its components (drive_reduction, dopamine; 0 when a rule is off)."""
    level = drive["drive"].to_numpy(dtype=float)
    reduction = np.zeros_like(level)
    if readout.reward.drive_reduction and len(level):
        reduction[1:] = level[:-1] - level[1:]
    dopamine = np.zeros_like(level)
    rule = readout.reward.dopamine
    if rule is not None:
        _, rate = _series(rates, rule.population)
        dopamine = (rate - rule.baseline) / rule.scale * readout.reward.dopamine_weight
    return pd.DataFrame({"time": drive["time"].to_numpy(), "reward": reduction + dopamine,
                         "drive_reduction": reduction, "dopamine": dopamine})
