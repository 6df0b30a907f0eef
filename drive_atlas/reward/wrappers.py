"""Gymnasium 1.x wrappers that reward an agent by a drive module, from its interoceptive state.

``state_fn(obs, info) -> (states, events)`` says where the body state lives in the
environment (the module knows nothing of observations). ``mode="replace"`` gives the
agent only the module's reward; ``"add"`` adds it to the environment's. Drive
levels and the module's reward go into ``info`` ("drive", "drive_reward").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv, VectorWrapper

from .function import RewardFunction
from .interface import Values

StateFn = Callable[[Any, dict[str, Any]], tuple[Values, Values]]
Mode = Literal["replace", "add"]


def _check_mode(mode: str) -> None:
    if mode not in ("replace", "add"):
        raise ValueError(f"mode must be 'replace' or 'add' (got {mode!r})")


class DriveRewardWrapper(gym.Wrapper, gym.utils.RecordConstructorArgs):
    """One environment; ``dt`` is the biological time (s) one environment step stands for.

    Records its constructor arguments so that ``env.spec`` can rebuild it (Gymnasium's
    ``check_env`` and ``spec.make`` need that around any ``gym.make`` environment).
    """

    def __init__(self, env: gym.Env, reward_fn: RewardFunction, state_fn: StateFn, mode: Mode = "replace", dt: float = 0.1) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, reward_fn=reward_fn, state_fn=state_fn, mode=mode, dt=dt)
        gym.Wrapper.__init__(self, env)
        _check_mode(mode)
        self.reward_fn, self.state_fn, self.mode, self.dt = reward_fn, state_fn, mode, dt

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        self.reward_fn.reset(*self.state_fn(obs, info))
        return obs, {**info, "drive": self.reward_fn.drive_level}

    def step(self, action: Any) -> tuple[Any, SupportsFloat, bool, bool, dict[str, Any]]:
        obs, reward, terminated, truncated, info = self.env.step(action)
        drive_reward = self.reward_fn.step(*self.state_fn(obs, info), dt=self.dt)
        total = drive_reward if self.mode == "replace" else float(reward) + drive_reward
        return obs, total, terminated, truncated, {**info, "drive": self.reward_fn.drive_level, "drive_reward": drive_reward}


class DriveRewardVectorWrapper(VectorWrapper, gym.utils.RecordConstructorArgs):
    """Vectorised environments, one surrogate state per sub-environment, stepped together with ``step_batch``.

    Under next-step autoreset (Gymnasium's default) the step after an episode ends
    returns each finished sub-environment's reset observation; there the module is
    reset for just those sub-environments and their reward is 0. ``state_fn`` gets the
    batched observation and info and returns arrays of shape (num_envs,).
    """

    def __init__(self, env: VectorEnv, reward_fn: RewardFunction, state_fn: StateFn, mode: Mode = "replace", dt: float = 0.1) -> None:
        gym.utils.RecordConstructorArgs.__init__(self, reward_fn=reward_fn, state_fn=state_fn, mode=mode, dt=dt)
        VectorWrapper.__init__(self, env)
        _check_mode(mode)
        autoreset = env.metadata.get("autoreset_mode", AutoresetMode.NEXT_STEP)
        if autoreset != AutoresetMode.NEXT_STEP:
            raise ValueError(f"DriveRewardVectorWrapper supports next-step autoreset only (the env uses {autoreset})")
        self.reward_fn, self.state_fn, self.mode, self.dt = reward_fn, state_fn, mode, dt
        self._restarting = np.zeros(self.num_envs, dtype=bool)

    def reset(self, *, seed: int | list[int] | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        obs, info = self.env.reset(seed=seed, options=options)
        self.reward_fn.reset_batch(self.num_envs, *self.state_fn(obs, info))
        self._restarting[:] = False
        return obs, {**info, "drive": self.reward_fn.drive.copy()}

    def step(self, actions: Any) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        obs, rewards, terminations, truncations, info = self.env.step(actions)
        states, events = self.state_fn(obs, info)
        restarted = self._restarting.copy()
        drive_rewards = self.reward_fn.step_batch(states, events, self.dt)
        if restarted.any():
            self.reward_fn.reset_batch(self.num_envs, states, events, mask=restarted)
            drive_rewards[restarted] = 0.0
        self._restarting = np.logical_or(terminations, truncations)
        total = drive_rewards if self.mode == "replace" else np.asarray(rewards, dtype=float) + drive_rewards
        return obs, total, terminations, truncations, {**info, "drive": self.reward_fn.drive.copy(), "drive_reward": drive_rewards}
