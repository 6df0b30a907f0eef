"""The fast backend's aversive channel against the rule written out with brute-force integration (no NEST)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from drive_atlas.drive.kernel import ReadoutKernel
from drive_atlas.reward.calibrate import Trace, _point, fit_surrogate, surrogate_axes
from drive_atlas.reward.fast import FastRewardFunction
from drive_atlas.reward.interface import InterfaceMaps, Variable
from drive_atlas.spec.circuit import ReadoutSpec

MAPS = InterfaceMaps((Variable("energy", 0.0, 1.0, 0.5),), (Variable("eating", 0.0, 1.0, 0.0),))
AXES = [np.linspace(0.0, 1.0, 6), np.array([0.0, 1.0])]


def _readout(dopamine: bool) -> ReadoutSpec:
    reward: dict = {"drive_reduction": True, "aversive": {"population": "c", "baseline": "6 Hz", "scale": "10 Hz", "weight": 0.8}}
    if dopamine:
        reward |= {"dopamine": {"population": "da", "baseline": "4 Hz", "scale": "6 Hz"}, "dopamine_weight": 0.5}
    return ReadoutSpec.model_validate({
        "readouts": [{"population": "a", "weight": 0.7, "low": "2 Hz", "high": "12 Hz"},
                     {"population": "c", "weight": 0.5, "low": "3 Hz", "high": "20 Hz"}],
        "reward": reward, "evidence": [{"kind": "model_assumption", "note": "test"}]})


def _rectified(start: float, target: float, tau: float, dt: float) -> float:
    """-0.8 / 10 Hz times max(0, x - 6 Hz) integrated by the midpoint rule on 20000 substeps."""
    t = (np.arange(20000) + 0.5) * dt / 20000
    x = target + (start - target) * np.exp(-t / tau)
    return float(-0.08 * np.maximum(x - 6.0, 0.0).sum() * dt / 20000)


@pytest.mark.parametrize("dopamine", [False, True], ids=["aversive", "dopamine and aversive"])
def test_fast_aversive_term_equals_the_rule_on_a_tabulated_trajectory(dopamine: bool) -> None:
    """The aversive rate relaxes with its own time constant; the rectified term is its exact integral over the step;
    the drive reduction and dopamine terms are unchanged by it."""
    rng = np.random.default_rng(3)
    steady = rng.uniform(0.0, 14.0, size=(6, 2, 3))  # channels a, c, da (c crosses its 6 Hz baseline across the grid)
    readout = _readout(dopamine)
    if not dopamine:
        steady = steady[..., :2]
    tau, aversive_tau, dt, steps = 0.4, 1.3, 0.2, 60
    energy, eating = rng.uniform(0.0, 1.0, steps + 1), (rng.uniform(size=steps + 1) < 0.4).astype(float)
    fast = FastRewardFunction(MAPS, readout, AXES, steady, tau, dopamine_tau=0.7, aversive_tau=aversive_tau)
    without = FastRewardFunction(MAPS, readout.model_copy(update={"reward": readout.reward.model_copy(update={"aversive": None})}),
                                 AXES, steady, tau, dopamine_tau=0.7)

    def rate_c(e: float, k: float) -> float:
        low, high = (np.interp(e, AXES[0], steady[:, j, 1]) for j in (0, 1))
        return low + k * (high - low)

    for fn in (fast, without):
        fn.reset({"energy": energy[0]}, {"eating": eating[0]})
    c = rate_c(energy[0], eating[0])
    for k in range(1, steps + 1):
        target = rate_c(energy[k], eating[k])
        expected = without.step({"energy": energy[k]}, {"eating": eating[k]}, dt) + _rectified(c, target, aversive_tau, dt)
        assert fast.step({"energy": energy[k]}, {"eating": eating[k]}, dt) == pytest.approx(expected, rel=1e-6, abs=1e-9)
        assert fast.drive_level == pytest.approx(without.drive_level)
        c = target + (c - target) * np.exp(-dt / aversive_tau)


def test_calibration_fits_the_aversive_population_with_its_own_time_constant() -> None:
    """An aversive population outside the drive's readouts gets its own tabulated filtered rate and time constant
    (synthetic staircases, as in test_calibrate: what is tested is the fit, not the network)."""
    readout = ReadoutSpec.model_validate({
        "readouts": [{"population": "a", "low": "2 Hz", "high": "12 Hz"}],
        "reward": {"aversive": {"population": "c", "baseline": "6 Hz", "scale": "10 Hz"}},
        "evidence": [{"kind": "model_assumption", "note": "test"}]})
    axes = surrogate_axes(MAPS, 4)
    points = list(itertools.product(*axes))
    truth = np.array([[2.0 + 10.0 * s, 3.0 + 12.0 * e * (1.0 - s)] for s, e in points])  # a, c (Hz)
    kernel, rng, dt, runs = ReadoutKernel(readout), np.random.default_rng(0), 0.25, []
    for _ in range(2):
        visits = np.repeat(rng.permutation(len(points)), 8)
        filtered = np.stack([_series(truth[visits, j], truth[visits[0], j], tau, dt) for j, tau in enumerate((0.5, 2.0))], 1)
        trace = Trace(kernel.drive(filtered), np.zeros(len(visits)), truth[visits], filtered)
        runs.append(([_point(MAPS, points[i]) for i in visits], visits, trace))
    fit = fit_surrogate(MAPS, readout, axes, runs, dt)
    assert fit.tau == pytest.approx(0.5, rel=0.1) and fit.aversive_tau == pytest.approx(2.0, rel=0.1)
    assert np.abs(fit.steady.reshape(-1, 2) - truth).max() < 1.0


def _series(targets: np.ndarray, start: float, tau: float, dt: float) -> np.ndarray:
    out, x = [], start
    for target in targets:
        x = target + (x - target) * np.exp(-dt / tau)
        out.append(x)
    return np.array(out)


def test_environments_crossing_the_baseline_in_the_same_step_each_get_their_own_term() -> None:
    """The compiled step sets aside the environments whose aversive rate crosses its baseline within the step and
    adds their term after the loop: in a batch where many cross at once, each environment's reward equals the same
    environment stepped alone."""
    rng = np.random.default_rng(4)
    steady = rng.uniform(0.0, 14.0, size=(6, 2, 3))
    readout, n, steps, dt = _readout(True), 200, 30, 0.5
    energy, eating = rng.uniform(0.0, 1.0, (steps + 1, n)), (rng.uniform(size=(steps + 1, n)) < 0.5).astype(float)
    batch = FastRewardFunction(MAPS, readout, AXES, steady, 0.4, dopamine_tau=0.7, aversive_tau=0.4)
    alone = [FastRewardFunction(MAPS, readout, AXES, steady, 0.4, dopamine_tau=0.7, aversive_tau=0.4) for _ in range(n)]
    batch.reset_batch(n, {"energy": energy[0]})
    for k, fn in enumerate(alone):
        fn.reset({"energy": energy[0, k]})
    crossed = 0
    for t in range(1, steps + 1):
        start = batch._tracked[-1].copy()
        got = batch.step_batch({"energy": energy[t]}, {"eating": eating[t]}, dt)
        crossed += int(((start - 6.0) * (batch._tracked[-1] - 6.0) < 0.0).sum())
        want = [fn.step({"energy": energy[t, k]}, {"eating": eating[t, k]}, dt) for k, fn in enumerate(alone)]
        assert np.allclose(got, want, rtol=0.0, atol=1e-12)
    assert crossed > steps * n // 20  # many environments cross in the same step
