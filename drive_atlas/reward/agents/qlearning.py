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
    """A Q table over the cells ``discretise`` maps observations to; ties between best actions broken at random.

    With ``double``, double Q-learning (van Hasselt 2010, Advances in Neural Information Processing Systems 23):
    two tables, each update to one of them (at random) valued by the other at the action it ranks best, and actions
    chosen on their mean (``q``). Plain Q-learning values a move by the largest of the next cell's noisy estimates,
    which overvalues moves into rarely visited cells by more than the few percent that separate eating from waiting
    when hungry at the food (a modelling choice).
    """

    shape: tuple[int, ...]
    actions: int
    discretise: Discretise
    alpha: float = 0.1
    gamma: float = 0.95
    double: bool = False
    seed: int = 0  # which table a double update goes to
    q: np.ndarray = field(init=False)
    tables: np.ndarray = field(init=False)  # double: the two tables, q their mean

    def __post_init__(self) -> None:
        self.q = np.zeros(self.shape + (self.actions,))
        self.tables = np.zeros((2,) + self.q.shape) if self.double else self.q[np.newaxis]
        self._rng = np.random.default_rng(self.seed)

    def act(self, obs: np.ndarray, rng: np.random.Generator, epsilon: float = 0.0) -> int:
        if rng.random() < epsilon:
            return int(rng.integers(self.actions))
        values = self.q[self.discretise(obs)]
        return int(rng.choice(np.flatnonzero(values == values.max())))

    def learn(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        s, s2 = self.discretise(obs), self.discretise(next_obs)
        cell = s + (action,)
        if not self.double:
            target = reward + (0.0 if terminated else self.gamma * self.q[s2].max())
            self.q[cell] += self.alpha * (target - self.q[cell])
            return
        k = int(self._rng.integers(2))
        table, other = self.tables[k], self.tables[1 - k]
        target = reward + (0.0 if terminated else self.gamma * other[s2][int(np.argmax(table[s2]))])
        step = self.alpha * (target - table[cell])
        table[cell] += step
        self.q[cell] += step / 2


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
