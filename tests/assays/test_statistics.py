"""Verdicts use the confidence interval over seeds, not the mean of one lucky seed; measures read a recorded run."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drive_atlas.assays import confidence_interval, judge, latency
from drive_atlas.assays.measures import measure_value
from drive_atlas.spec.circuit import Expectation, Measure


def expect(kind: str, conditions: list[str], value: float | None = None) -> Expectation:
    return Expectation(kind=kind, conditions=conditions, value=value)


def test_interval_contains_mean_and_narrows_with_agreement() -> None:
    wide = confidence_interval(np.array([1.0, 3.0, 5.0]))
    narrow = confidence_interval(np.array([2.9, 3.0, 3.1]))
    assert wide.low < 3.0 < wide.high
    assert narrow.high - narrow.low < wide.high - wide.low


def test_a_noisy_effect_does_not_pass_on_its_mean() -> None:
    values = {"a": np.array([10.0, 1.0, 1.2, 0.9, 1.1]), "b": np.ones(5)}
    verdict = judge(expect("ratio_at_least", ["a", "b"], 1.5), values)
    assert verdict.intervals[0].mean > 1.5 and not verdict.passed


def test_consistent_effect_passes() -> None:
    values = {"a": np.array([3.0, 3.2, 2.9, 3.1, 3.0]), "b": np.array([1.0, 1.1, 0.9, 1.0, 1.0])}
    assert judge(expect("ratio_at_least", ["a", "b"], 2.0), values).passed
    assert judge(expect("increase", ["a", "b"]), values).passed
    assert not judge(expect("decrease", ["a", "b"]), values).passed


def test_monotonic_needs_every_step() -> None:
    values = {"x1": np.array([1.0, 1.1, 0.9]), "x2": np.array([2.0, 2.1, 1.9]), "x3": np.array([1.5, 1.6, 1.4])}
    assert not judge(expect("monotonic_increasing", ["x1", "x2", "x3"]), values).passed
    assert judge(expect("monotonic_increasing", ["x1", "x3", "x2"]), values).passed


def test_latency_finds_the_crossing_and_censors_no_change() -> None:
    times = np.arange(0.0, 4000.0, 100.0)
    falling = pd.Series(np.where(times < 2300.0, 10.0, 2.0), index=times)
    assert latency(falling, 2000.0, 4000.0, "fall", 0.5) == 300.0
    flat = pd.Series(np.full_like(times, 5.0), index=times)
    assert latency(flat, 2000.0, 4000.0, "fall", 0.5) == 2000.0


def test_rate_latency_resolves_changes_within_a_chunk() -> None:
    """A fall 230 ms after the start is read from 10 ms spike bins (trailing 50 ms mean), not the 100 ms chunks."""
    fine_times = np.arange(0.0, 4000.0, 10.0)
    fine = pd.DataFrame({"time": fine_times, "population": "agrp", "rate_hz": np.where(fine_times < 2230.0, 10.0, 2.0)})
    chunk_times = np.arange(0.0, 4000.0, 100.0)
    coarse = pd.DataFrame({"time": chunk_times, "population": "agrp", "rate_hz": np.where(chunk_times < 2200.0, 10.0, 2.6)})
    measure = Measure(kind="latency", population="agrp", change="fall", fraction=0.5, window=["2 s", "4 s"])
    value = measure_value(measure, {"rates": coarse, "spike_rates": fine})
    assert 230.0 < value <= 230.0 + 50.0


def test_measures_on_a_recorded_run(recorded_result) -> None:
    """A real run of the fixture circuit (ghrelin 20 nM from 1 s): AgRP rises, and the latency lies after the step."""
    tables = recorded_result.tables()
    before = measure_value(Measure(kind="mean_rate", population="agrp", window=["0.2 s", "1 s"]), tables)
    after = measure_value(Measure(kind="mean_rate", population="agrp", window=["1.2 s", "2 s"]), tables)
    assert after > before > 0.0
    rise = measure_value(Measure(kind="latency", population="agrp", change="rise", fraction=0.5, window=["1 s", "2 s"]), tables)
    assert 0.0 < rise < 1000.0
    peak = measure_value(Measure(kind="peak_concentration", ligand="ghrelin", window=["1 s", "2 s"]), tables)
    assert peak == pytest.approx(20.0)


def test_judge_on_recorded_windows(recorded_result) -> None:
    """Chunks of one recorded run stand in for seeds: the verdict's direction follows the data."""
    rates = recorded_result.rates
    agrp = rates[rates["population"] == "agrp"]
    values = {"before": agrp[agrp["time"] < 1000.0]["rate_hz"].to_numpy()[2:],
              "after": agrp[agrp["time"] >= 1200.0]["rate_hz"].to_numpy()}
    assert judge(expect("increase", ["after", "before"]), values).passed
    assert not judge(expect("decrease", ["after", "before"]), values).passed
