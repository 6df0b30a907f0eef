"""Epsilon-greedy tabular Q-learning, trained on one environment with a reward module as its only reward."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import gymnasium as gym
import numpy as np

from ..function import RewardFunction
from ..wrappers import DriveRewardWrapper, StateFn

Discretise = Callable[[np.ndarray], tuple[int, ...]]


@dataclass
class QAgent:
    """A Q table over the cells ``discretise`` maps observations to; ties between best actions broken at random."""

    shape: tuple[int, ...]
    actions: int
    discretise: Discretise
    alpha: float = 0.1
    gamma: float = 0.95
    q: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.q = np.zeros(self.shape + (self.actions,))

    def act(self, obs: np.ndarray, rng: np.random.Generator, epsilon: float = 0.0) -> int:
        if rng.random() < epsilon:
            return int(rng.integers(self.actions))
        values = self.q[self.discretise(obs)]
        return int(rng.choice(np.flatnonzero(values == values.max())))

    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        s, s2 = self.discretise(obs), self.discretise(next_obs)
        target = reward + (0.0 if terminated else self.gamma * self.q[s2].max())
        self.q[s + (action,)] += self.alpha * (target - self.q[s + (action,)])


def train(agent: QAgent, env_id: str, reward_fn: RewardFunction, state_fn: StateFn, episodes: int, seed: int,
          dt: float) -> list[float]:
    """Train ``agent`` in place, epsilon decaying linearly from 1 to 0.05 over the first 80% of episodes.

    Returns each episode's total reward (the learning curve).
    """
    env = DriveRewardWrapper(gym.make(env_id), reward_fn, state_fn, dt=dt)
    rng, returns = np.random.default_rng(seed), []
    for episode in range(episodes):
        epsilon = max(0.05, 1.0 - episode / (0.8 * episodes))
        obs, _ = env.reset(seed=seed + episode)
        done, total = False, 0.0
        while not done:
            action = agent.act(obs, rng, epsilon)
            next_obs, reward, terminated, truncated, _ = env.step(action)
            reward = float(reward)
            agent.learn(obs, action, reward, next_obs, terminated)
            obs, done, total = next_obs, terminated or truncated, total + reward
        returns.append(total)
    env.close()
    return returns
