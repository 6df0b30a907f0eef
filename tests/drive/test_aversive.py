"""The aversive reward rule: a rectified rate term that, unlike drive reduction, is not paid back (no NEST)."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.drive import drive_level, reward_signal
from drive_atlas.drive.kernel import ReadoutKernel
from drive_atlas.spec.circuit import ReadoutSpec

from .test_readout import rates

AVERSIVE = {"population": "da", "baseline": "6 Hz", "scale": "10 Hz", "weight": 0.5}  # -0.05 per second per Hz above 6 Hz


def readout(drive_reduction: bool = True) -> ReadoutSpec:
    return ReadoutSpec.model_validate({
        "readouts": [{"population": "agrp", "low": "0 Hz", "high": "10 Hz"}], "tau": "200 ms",
        "reward": {"drive_reduction": drive_reduction, "aversive": AVERSIVE},
        "evidence": [{"kind": "model_assumption", "note": "test"}],
    })


def _numeric(kernel: ReadoutKernel, start: float, target: float, tau: float, dt: float) -> float:
    """The rectified term by brute force: midpoint rule on 20000 substeps of the relaxation."""
    t = (np.arange(20000) + 0.5) * dt / 20000
    x = target + (start - target) * np.exp(-t / tau)
    return float(-kernel.aversive_gain * np.maximum(x - kernel.aversive_baseline, 0.0).sum() * dt / 20000)


def test_the_term_is_zero_at_and_below_baseline() -> None:
    kernel = ReadoutKernel(readout())
    starts, targets = np.array([6.0, 2.0, 6.0, 0.0]), np.array([6.0, 6.0, 1.0, 0.0])
    assert (kernel.aversive_step(starts, targets, 0.2, 0.25) == 0.0).all()
    assert (kernel.aversive_rate(np.array([[0.0, 6.0], [5.0, 3.0]])) == 0.0).all()
    assert kernel.aversive_rate(np.array([0.0, 16.0])) == pytest.approx(-0.5)  # 10 Hz above: weight 0.5 per scale


@pytest.mark.parametrize("start, target", [(9.0, 14.0), (14.0, 9.0), (3.0, 14.0), (14.0, 3.0), (7.0, 5.0), (1.0, 2.0)],
                         ids=["above, rising", "above, falling", "crossing up", "crossing down", "crossing late", "below"])
@pytest.mark.parametrize("dt", [0.05, 0.25, 2.0])
def test_the_step_integral_is_exact_over_the_relaxation(start: float, target: float, dt: float) -> None:
    """Including a crossing of the baseline within the step (or after it: 7 -> 5 Hz crosses 6 Hz at 0.14 s)."""
    kernel = ReadoutKernel(readout())
    got = float(kernel.aversive_step(np.array([start]), np.array([target]), 0.2, dt)[0])
    assert got == pytest.approx(_numeric(kernel, start, target, 0.2, dt), rel=1e-6, abs=1e-12)


def test_the_total_does_not_depend_on_the_bin_width() -> None:
    """The same piecewise constant trajectory binned at 50 ms and at 200 ms earns the same aversive total."""
    rule = readout(drive_reduction=False)
    totals = []
    for dt in (50.0, 200.0):
        t = np.arange(0.0, 4000.0, dt)
        table = rates(np.full(len(t), 5.0), 4.0 + 12.0 * ((t >= 1000) & (t < 2000)), dt=dt)
        totals.append(reward_signal(table, drive_level(table, rule), rule)["aversive"].sum())
    assert totals[0] == pytest.approx(totals[1], rel=0.05) and totals[0] < -0.2


def test_a_transient_above_baseline_is_not_paid_back() -> None:
    """Drive reduction over a window returning to its start sums to 0; the aversive term keeps its cost."""
    rule = readout()
    t = np.arange(0.0, 5000.0, 100.0)
    burst = (t >= 1000) & (t < 2000)
    table = rates(5.0 + 3.0 * burst, 4.0 + 12.0 * burst)
    r = reward_signal(table, drive_level(table, rule), rule)
    assert abs(r["drive_reduction"].sum()) < 1e-3  # the drive is back where it started
    assert r["aversive"].sum() < -0.3 and (r["aversive"] <= 0.0).all()
    assert r["reward"].sum() == pytest.approx(r["drive_reduction"].sum() + r["aversive"].sum())
