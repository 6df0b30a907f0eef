"""Gymnasium integration: the single and vector wrappers and autoreset (trained agents: test_agents.py)."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

import drive_atlas.reward.envs  # noqa: F401  (registers DriveAtlas/Foraging-v0)
from drive_atlas.reward import DriveRewardVectorWrapper, DriveRewardWrapper, load_reward_function
from drive_atlas.reward.envs import interoception


def test_wrapper_replaces_or_adds_reward(module_path) -> None:
    env = DriveRewardWrapper(gym.make("DriveAtlas/Foraging-v0"), load_reward_function(module_path), interoception, dt=0.5)
    obs, info = env.reset(seed=1)
    assert 0.0 <= info["drive"] <= 1.0
    _, reward, _, _, info = env.step(0)
    assert reward == info["drive_reward"] and "drive" in info
    with pytest.raises(ValueError):
        DriveRewardWrapper(gym.make("DriveAtlas/Foraging-v0"), load_reward_function(module_path), interoception, mode="multiply")


def test_vector_wrapper_resets_finished_envs_only(module_path) -> None:
    envs = gym.vector.SyncVectorEnv([lambda n=n: gym.make("DriveAtlas/Foraging-v0", max_episode_steps=n) for n in (3, 50)])
    fn = load_reward_function(module_path)
    env = DriveRewardVectorWrapper(envs, fn, interoception, dt=0.5)
    env.reset(seed=[1, 2])
    for _ in range(3):
        _, rewards, _, truncated, _ = env.step(np.array([2, 2]))
    assert truncated.tolist() == [True, False]
    _, rewards, _, _, info = env.step(np.array([2, 2]))  # env 0 autoresets here
    assert rewards[0] == 0.0
    fresh = load_reward_function(module_path)
    fresh.reset({"energy": info["energy"][0]})
    assert info["drive"][0] == pytest.approx(fresh.drive_level)

