"""Drive level and reward of a recorded run, from its tidy rates table (pandas around the readout kernel).

The arithmetic is :class:`~drive_atlas.drive.kernel.ReadoutKernel`'s: each readout
rate is low-pass filtered with ``readout.tau`` (exact exponential update per sample,
starting at the first sample so there is no artificial onset transient); drive is
the readout formula on the filtered rates. Reward at a sample covers the bin that
ends there: the drive reduction D(t - dt) - D(t) (0 at the first sample, so the
summed reward over a run is D(start) - D(end)) plus the dopamine rule's rate on the
unfiltered binned rate (dopamine reward signals are phasic), times the bin width in
seconds, plus the aversive rule's rectified term over each bin's relaxation of the
filtered rate (a sustained state, read like the drive).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..spec.circuit import ReadoutSpec
from .kernel import ReadoutKernel


def _matrix(rates: pd.DataFrame, channels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(times in ms, rates of shape (times, channels)) for the given populations."""
    series = []
    times = None
    for population in channels:
        rows = rates[rates["population"] == population].sort_values("time")
        if rows.empty:
            raise KeyError(f"no rates recorded for readout population {population!r}")
        times = rows["time"].to_numpy(dtype=float) if times is None else times
        series.append(rows["rate_hz"].to_numpy(dtype=float))
    assert times is not None
    return times, np.stack(series, axis=-1)


def _widths(times: np.ndarray) -> np.ndarray:
    """Each sample's bin width in seconds (bins evenly spaced: the first is as wide as the next)."""
    if len(times) < 2:
        return np.zeros(len(times))
    steps = np.diff(times) / 1000.0
    return np.concatenate([steps[:1], steps])


def drive_level(rates: pd.DataFrame, readout: ReadoutSpec) -> pd.DataFrame:
    """time, drive (0..1), from a tidy rates table (time, population, rate_hz)."""
    kernel = ReadoutKernel(readout)
    times, matrix = _matrix(rates, kernel.channels)
    return pd.DataFrame({"time": times, "drive": kernel.drive(_filtered(kernel, times, matrix))})


def _filtered(kernel: ReadoutKernel, times: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """The readout's low-pass filtered rates, starting at the first sample (no onset transient)."""
    filtered = np.empty_like(matrix)
    if len(times):
        filtered[0] = matrix[0]
    for k in range(1, len(times)):  # the kernel's filter step, sample by sample (ms -> s)
        filtered[k] = kernel.filter_step(filtered[k - 1], matrix[k], (times[k] - times[k - 1]) / 1000.0)
    return filtered


def reward_signal(rates: pd.DataFrame, drive: pd.DataFrame, readout: ReadoutSpec) -> pd.DataFrame:
    """time, reward and its components (drive_reduction, dopamine, aversive; 0 when a rule is off)."""
    kernel = ReadoutKernel(readout)
    level = drive["drive"].to_numpy(dtype=float)
    times = drive["time"].to_numpy(dtype=float)
    previous = np.concatenate([level[:1], level[:-1]])
    reduction = kernel.reduction(previous, level)
    dopamine, aversive = np.zeros_like(level), np.zeros_like(level)
    if kernel.dopamine_column is not None:
        _, raw = _matrix(rates, kernel.channels)
        dopamine = kernel.dopamine_rate(raw) * _widths(times)
    if kernel.aversive_column is not None and len(times) > 1:  # 0 at the first sample, like the drive reduction
        _, raw = _matrix(rates, kernel.channels)
        column = raw[:, kernel.aversive_column]
        start = _filtered(kernel, times, raw)[:-1, kernel.aversive_column]
        aversive[1:] = kernel.aversive_step(start, column[1:], kernel.tau_s, np.diff(times) / 1000.0)
    return pd.DataFrame({"time": times, "reward": reduction + dopamine + aversive, "drive_reduction": reduction,
                         "dopamine": dopamine, "aversive": aversive})
