"""Drive level and reward from rates, without NEST: synthetic rates and a recorded run of the fixture circuit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from drive_atlas.drive import drive_level, reward_signal
from drive_atlas.drive.kernel import ReadoutKernel
from drive_atlas.spec.circuit import ReadoutSpec


def readout(**reward):
    return ReadoutSpec.model_validate({
        "readouts": [{"population": "agrp", "low": "0 Hz", "high": "10 Hz"}], "tau": "100 ms",
        "reward": reward or {"drive_reduction": True}, "evidence": [{"kind": "model_assumption", "note": "test"}],
    })


def rates(agrp, da=None, dt=100.0):
    times = np.arange(len(agrp)) * dt
    rows = [pd.DataFrame({"time": times, "population": "agrp", "rate_hz": agrp})]
    if da is not None:
        rows.append(pd.DataFrame({"time": times, "population": "da", "rate_hz": da}))
    return pd.concat(rows, ignore_index=True)


def test_filter_step_is_exact_exponential():
    kernel = ReadoutKernel(readout())  # tau 100 ms
    once = kernel.filter_step(np.zeros(1), np.ones(1), 0.1)
    twice = kernel.filter_step(once, np.ones(1), 0.1)
    assert once[0] == pytest.approx(1 - np.exp(-1)) and twice[0] == pytest.approx(1 - np.exp(-2))
    assert kernel.filter_step(np.zeros(1), np.ones(1), 0.2)[0] == pytest.approx(twice[0])  # step size does not matter


def test_drive_is_normalised_filtered_and_clipped():
    d = drive_level(rates([5.0, 5.0, 12.0, 12.0, 12.0, 12.0, 12.0, 12.0]), readout())
    assert d["drive"].iloc[0] == pytest.approx(0.5)
    assert 0.5 < d["drive"].iloc[2] < 1.0  # filtered, not a jump
    assert d["drive"].iloc[-1] == 1.0  # clipped


def test_drive_reduction_reward_sums_to_the_drop():
    d = drive_level(rates([8.0, 8.0, 2.0, 2.0, 2.0, 2.0]), readout())
    r = reward_signal(rates([8.0] * 6), d, readout())
    assert r["reward"].iloc[0] == 0.0 and (r["reward"].iloc[1:] >= 0).all()
    assert r["reward"].sum() == pytest.approx(d["drive"].iloc[0] - d["drive"].iloc[-1])


def test_dopamine_rule_adds_to_drive_reduction():
    table = rates([5.0] * 4, da=[4.0, 14.0, 4.0, 4.0])
    rule = readout(drive_reduction=False, dopamine={"population": "da", "baseline": "4 Hz", "scale": "5 Hz"}, dopamine_weight=0.5)
    r = reward_signal(table, drive_level(table, rule), rule)
    assert r["reward"].tolist() == pytest.approx([0.0, 0.1, 0.0, 0.0])  # 1 per second above baseline, over a 100 ms bin
    assert (r["drive_reduction"] == 0).all()


def test_reward_does_not_depend_on_the_bin_width():
    """The same rate trajectory binned at 50 ms and at 200 ms earns the same total reward (each term a rate times dt)."""
    rule = readout(drive_reduction=True, dopamine={"population": "da", "baseline": "4 Hz", "scale": "5 Hz"}, dopamine_weight=0.5)
    totals = []
    for dt in (50.0, 200.0):
        t = np.arange(0.0, 4000.0, dt)
        agrp, da = 8.0 - 4.0 * (t > 1000), 4.0 + 10.0 * ((t >= 1000) & (t < 3000))
        table = rates(agrp, da, dt=dt)
        totals.append(reward_signal(table, drive_level(table, rule), rule)["reward"].sum())
    assert totals[0] == pytest.approx(totals[1], rel=0.05) and totals[0] > 1.0


def test_recorded_run_drive_follows_agrp_and_reward_sums_to_the_drop(recorded_result):
    """Ghrelin 0.1 -> 20 nM at 1 s excites AgRP: the readout's drive rises after the step, never outside [0, 1]."""
    drive, reward = recorded_result.drive, recorded_result.reward
    assert list(drive.columns) == ["time", "drive"] and len(drive) == 20
    before, after = drive[drive["time"] < 1000.0]["drive"].mean(), drive[drive["time"] >= 1200.0]["drive"].mean()
    assert after > before and drive["drive"].between(0.0, 1.0).all()
    assert reward["reward"].sum() == pytest.approx(drive["drive"].iloc[0] - drive["drive"].iloc[-1])


def test_recorded_run_drive_is_the_kernel_on_its_rates(recorded, recorded_result):
    again = drive_level(recorded_result.rates, recorded.circuit.readout)
    assert np.allclose(again["drive"], recorded_result.drive["drive"])
