"""Turn one simulation into the single number an assay measures."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..spec.circuit import BehaviourMeasure, Measure

BASELINE_SPAN_MS = 1000.0
LATENCY_SPAN_MS = 50.0  # a population rate for latencies: the mean over the last 50 ms of spikes


def measure_value(measure: Measure | BehaviourMeasure, tables: dict[str, pd.DataFrame]) -> float:
    """The measure for one run, from its tidy tables (rates, drive, reward, ligands, receptors)."""
    start, end = measure.window
    if measure.kind == "drive_slope":
        return drive_slope(_series(tables["drive"], "drive"), start, end)
    if measure.kind == "mean_rate":
        return _mean(_series(tables["rates"], "rate_hz", population=measure.population), start, end)
    if measure.kind == "drive":
        return _mean(_series(tables["drive"], "drive"), start, end)
    if measure.kind == "reward":
        return float(_between(_series(tables["reward"], "reward"), start, end).sum())
    if measure.kind == "concentration":
        return _mean(_series(tables["ligands"], "concentration_nm", ligand=measure.ligand), start, end)
    if measure.kind == "peak_concentration":
        return float(_between(_series(tables["ligands"], "concentration_nm", ligand=measure.ligand), start, end).max())
    if measure.kind == "occupancy":
        return _mean(_series(tables["receptors"], "occupancy", population=measure.population, receptor=measure.receptor), start, end)
    signal = (_series(tables["drive"], "drive") if measure.signal == "drive"
              else _trailing_mean(_series(tables["spike_rates"], "rate_hz", population=measure.population), LATENCY_SPAN_MS))
    return latency(signal, start, end, measure.change, measure.fraction)


def drive_slope(drive: pd.Series, start: float, end: float) -> float:
    """The least-squares slope of the drive over [start, end), per second (times in ms)."""
    values = _between(drive, start, end)
    if len(values) < 2:
        return float("nan")
    return float(np.polyfit(values.index.to_numpy(dtype=float) / 1000.0, values.to_numpy(dtype=float), 1)[0])


def latency(signal: pd.Series, start: float, end: float, change: str, fraction: float) -> float:
    """Time (ms) from ``start`` until the signal has gone ``fraction`` of the way to its new level.

    The old level is the mean over the second before ``start``; the new level the
    mean over the last fifth of the window. A change that never comes (or goes
    the wrong way) counts as the whole window: a censored latency.
    """
    before = _between(signal, start - BASELINE_SPAN_MS, start)
    window = _between(signal, start, end)
    if before.empty or window.empty:
        return end - start
    old, new = float(before.mean()), float(window[window.index >= end - (end - start) / 5].mean())
    wanted_sign = -1.0 if change == "fall" else 1.0
    if (new - old) * wanted_sign <= 0:
        return end - start
    threshold = old + fraction * (new - old)
    crossed = window[(window - threshold) * wanted_sign >= 0]
    return float(crossed.index[0] - start) if len(crossed) else end - start


def _trailing_mean(series: pd.Series, span_ms: float) -> pd.Series:
    """Each value the mean over the ``span_ms`` that end where its bin ends, indexed by that end.

    A value is then known at its time stamp (no look-ahead), so a latency read from it is
    never shorter than the change it reports.
    """
    if len(series) < 2:
        return series
    step = float(series.index[1] - series.index[0])
    means = series.rolling(max(1, round(span_ms / step))).mean()
    return pd.Series(means.to_numpy(), index=series.index + step).dropna()


def _series(table: pd.DataFrame, value: str, **selectors: Any) -> pd.Series:
    rows = table
    for column, wanted in selectors.items():
        rows = rows[rows[column] == wanted]
    return pd.Series(rows[value].to_numpy(dtype=float), index=rows["time"].to_numpy(dtype=float))


def _between(series: pd.Series, start: float, end: float) -> pd.Series:
    return series[(series.index >= start) & (series.index < end)]


def _mean(series: pd.Series, start: float, end: float) -> float:
    values = _between(series, start, end)
    return float(values.mean()) if len(values) else float("nan")
