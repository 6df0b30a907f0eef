"""Gymnasium's own environment checker accepts the drive-reward wrappers around a ``gym.make`` environment."""

from __future__ import annotations

import warnings

import gymnasium as gym
import numpy as np
from gymnasium.utils.env_checker import check_env

import drive_atlas.reward.envs  # noqa: F401  (registers DriveAtlas/Foraging-v0)
from drive_atlas.reward import DriveRewardVectorWrapper, DriveRewardWrapper, load_reward_function
from drive_atlas.reward.envs import interoception


def test_single_wrapper_passes_check_env(module_path) -> None:
    env = DriveRewardWrapper(gym.make("DriveAtlas/Foraging-v0"), load_reward_function(module_path), interoception, dt=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # check_env warns that a wrapped env is checked; that is the point here
        check_env(env, skip_render_check=True)
    assert env.spec is not None and env.spec.additional_wrappers[-1].name == "DriveRewardWrapper"
    rebuilt = env.spec.make()
    assert isinstance(rebuilt, DriveRewardWrapper) and rebuilt.dt == 0.5


def test_wrapper_in_every_sub_env_of_a_vector_env_passes_check_env(module_path) -> None:
    fn_path = module_path
    envs = gym.make_vec("DriveAtlas/Foraging-v0", num_envs=2, vectorization_mode="sync",
                        wrappers=[lambda e: DriveRewardWrapper(e, load_reward_function(fn_path), interoception, dt=0.5)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sub in envs.envs:
            check_env(sub, skip_render_check=True)
    obs, _ = envs.reset(seed=3)
    _, rewards, *_ = envs.step(envs.action_space.sample())
    assert envs.observation_space.contains(obs) and rewards.shape == (2,)


def test_vector_wrapper_keeps_the_vector_api(module_path) -> None:
    def make() -> gym.vector.VectorEnv:
        envs = gym.make_vec("DriveAtlas/Foraging-v0", num_envs=3, vectorization_mode="sync")
        return DriveRewardVectorWrapper(envs, load_reward_function(module_path), interoception, dt=0.5)

    runs = []
    for _ in range(2):  # seeded: the same observations and rewards each time
        env = make()
        obs, info = env.reset(seed=[1, 2, 3])
        assert env.observation_space.contains(obs) and info["drive"].shape == (3,)
        steps = [env.step(np.array([2, 0, 1])) for _ in range(5)]
        for obs, rewards, terminated, truncated, info in steps:
            assert env.observation_space.contains(obs)
            assert rewards.shape == terminated.shape == truncated.shape == (3,) and np.isfinite(rewards).all()
        runs.append(np.concatenate([s[1] for s in steps]))
        env.close()
    assert np.array_equal(runs[0], runs[1])
    assert env._saved_kwargs["dt"] == 0.5
