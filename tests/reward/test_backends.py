"""Fast surrogate vs live NEST circuit: agreement on held-out trajectories, and the sign of drive reduction."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.reward import load_reward_function
from drive_atlas.reward.export import Export

MEAL = [({"energy": 0.1}, {"eating": 0.0})] * 2 + [({"energy": 0.1}, {"eating": 1.0})] * 6


def test_fast_backend_agrees_with_live_on_held_out_trajectory(exported: Export) -> None:
    fidelity = exported.manifest.fidelity
    assert fidelity.drive_r >= fidelity.threshold  # measured at export on a fresh seed, not the calibration runs
    assert fidelity.reward_r >= 0.6 and fidelity.drive_rmse < 0.1


def test_eating_when_hungry_is_rewarded_fast(module_path) -> None:
    fn = load_reward_function(module_path)
    fn.reset({"energy": 0.1})
    hungry = fn.drive_level
    rewards = [fn.step(s, e, dt=0.25) for s, e in MEAL]
    # before the meal the drive moves only as a fresh network settles (the slow state), so the wait pays next to
    # nothing; up to hunger 2.0.2 the drive sat at its clip at energy 0.1 and the wait paid exactly 0
    assert hungry > 0.5 and sum(rewards[2:]) > 0.2 and abs(sum(rewards[:2])) < 0.01 * sum(rewards[2:])


@pytest.mark.parametrize("threads", [1, 2])
def test_eating_when_hungry_is_rewarded_live(module_path, atlas, threads: int) -> None:
    fn = load_reward_function(module_path, backend="nest", atlas=atlas, threads=threads)
    fn.reset({"energy": 0.1})
    rewards = [fn.step(s, e, dt=0.25) for s, e in MEAL]
    assert sum(rewards[2:]) > 0.2
    assert fn.stepper.network.nest.local_num_threads == threads


def test_batched_steps_match_single_steps(module_path) -> None:
    single, batch = load_reward_function(module_path), load_reward_function(module_path)
    energies = np.array([0.05, 0.4, 0.9])
    batch.reset_batch(3, {"energy": energies})
    expected = []
    for e in energies:
        single.reset({"energy": e})
        expected.append(single.step({"energy": e - 0.05}, {"eating": 1.0}, dt=0.25))
    got = batch.step_batch({"energy": energies - 0.05}, {"eating": np.ones(3)}, dt=0.25)
    assert np.allclose(got, expected)
