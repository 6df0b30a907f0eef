"""Running a policy on fixed episodes and recording what it did, for the metrics (one module reads the drive throughout)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from ..function import RewardFunction
from ..wrappers import DriveRewardWrapper, StateFn

Policy = Callable[[np.ndarray, np.random.Generator], int]
Options = Callable[[int], dict[str, Any] | None]  # evaluation episode index -> reset options (None: the env's own)
EVAL_SEED_OFFSET = 10_000  # evaluation episodes never reuse a training episode's seed


@dataclass(frozen=True)
class Step:
    """One step: the info before it (body state, drive), the action, and the info after it."""

    before: dict[str, Any]
    action: int
    after: dict[str, Any]


@dataclass(frozen=True)
class Episode:
    steps: list[Step]
    terminated: bool


def random_policy(actions: int) -> Policy:
    """Uniformly random actions: the floor every learned policy is compared with."""
    return lambda obs, rng: int(rng.integers(actions))


def rollout(env_id: str, policy: Policy, module: RewardFunction, state_fn: StateFn, dt: float, episodes: int, seed: int,
            options: Options = lambda i: None) -> list[Episode]:
    """Run ``policy`` for ``episodes`` seeded episodes; the module's drive is in every step's info whatever the policy."""
    env = DriveRewardWrapper(gym.make(env_id), module, state_fn, dt=dt)
    rng, out = np.random.default_rng(seed), []
    for i in range(episodes):
        obs, info = env.reset(seed=EVAL_SEED_OFFSET + seed + i, options=options(i))
        steps, done, terminated = [], False, False
        while not done:
            action = policy(obs, rng)
            obs, _, terminated, truncated, after = env.step(action)
            steps.append(Step(info, action, after))
            info, done = after, terminated or truncated
        out.append(Episode(steps, terminated))
    env.close()
    return out
