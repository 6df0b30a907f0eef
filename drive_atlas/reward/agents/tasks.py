"""One task per environment: its drive module, interoception, tabular discretisation, baseline and metrics.

``TASKS`` is keyed by environment id; ``circuit`` is the curated circuit whose exported module the
environment is made for. ``step_seconds`` is the biological time one environment step stands for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym

from .. import envs
from ..wrappers import StateFn
from . import baselines, metrics
from .baselines import Baseline
from .qlearning import Discretise, QAgent
from .rollout import Options

Table = Callable[[Any], tuple[tuple[int, ...], Discretise]]  # unwrapped env -> (Q-table state shape, obs -> cell)


def _bin(x: float, bins: int) -> int:
    return min(int(x * bins), bins - 1)


def _foraging_table(env: Any) -> tuple[tuple[int, ...], Discretise]:
    """Energy (Drinking-v0: hydration) in bins of 0.2, so hungry (< 0.4) and sated (> 0.8) are whole bins. Bins of 0.1
    left the hungry cells at the food seldom visited by an agent that keeps itself fed, and a greedy table's choice in
    each was a vote of nearly tied noisy values (eating now beats waiting a step by about 5% of a meal's value at gamma 0.95): P(eat | energy
    < 0.4) missed 0.9 in 3 seeds of 8 on hunger 2.0.1's module, in 5 with its rest pinned; pooling twice the visits
    per cell misses it in 1 of 8 (hunger 2.0.2's module and 2.1.0's alike; docs/agents_history.md)."""
    return (env.size, 5, env.stock_max + 1), lambda o: (int(o[0]), _bin(o[1], 5), int(o[2]))


def _hot_floor_table(env: Any) -> tuple[tuple[int, ...], Discretise]:
    return (env.size, 5, 2), lambda o: (int(o[0]), _bin(o[1], 5), int(o[2] > 0))


def _companion_table(env: Any) -> tuple[tuple[int, ...], Discretise]:
    return (env.size, env.size + 1, 5), lambda o: (int(o[0]), int(o[1]), _bin(o[2], 5))


def _thermal_table(env: Any) -> tuple[tuple[int, ...], Discretise]:
    return (env.size, 10, 2), lambda o: (int(o[0]), _bin(o[1], 10), int(o[2] > 0))


def _crossing_table(env: Any) -> tuple[tuple[int, ...], Discretise]:
    return (env.size, 10), lambda o: (int(o[0]), _bin(o[1], 10))


def crossing_starts(i: int) -> dict[str, Any]:
    """Evaluation starts for the crossing: at home, alternately hungry (energy 0.25) and sated (0.95)."""
    return {"position": 0, "energy": 0.25 if i % 2 == 0 else 0.95}


@dataclass(frozen=True)
class Task:
    env_id: str
    circuit: str
    table: Table
    baseline: Baseline
    metrics: metrics.Metrics
    episodes: int  # training episodes by default
    step_seconds: float = 0.5
    starts: Options = lambda i: None

    @property
    def interoception(self) -> StateFn:
        return envs.INTEROCEPTION[self.env_id]

    def tabulate(self) -> tuple[tuple[int, ...], Discretise, int]:
        """The Q table's state shape, the discretiser and the number of actions, for this environment's defaults."""
        env = gym.make(self.env_id)
        shape, discretise = self.table(env.unwrapped)
        actions = int(env.action_space.n)
        env.close()
        return shape, discretise, actions

    def agent(self) -> QAgent:
        """A fresh Q-learner for this environment's table."""
        shape, discretise, actions = self.tabulate()
        return QAgent(shape, actions, discretise)


TASKS: dict[str, Task] = {t.env_id: t for t in (
    Task("DriveAtlas/Foraging-v0", "hunger", _foraging_table, baselines.HUNGER, metrics.foraging_metrics, 3000),
    # 3000, not 1500: without pain a dose and staying lead to the same states and differ in the module's reward by little
    # (pain 1.2.1's module: 0.001; with the rest pinned, nothing at rest), which 1500 episodes left unresolved in one seed
    # of four on 1.2.1's module (it took the dose at rest); see docs/agents_history.md
    Task("DriveAtlas/HotFloor-v0", "pain", _hot_floor_table, baselines.PAIN, metrics.hot_floor_metrics, 3000),
    Task("DriveAtlas/HotFloorNoAnalgesic-v0", "pain", _hot_floor_table, baselines.PAIN, metrics.hot_floor_metrics, 1500),
    Task("DriveAtlas/Companion-v0", "social_reward", _companion_table, baselines.SOCIAL, metrics.companion_metrics, 1500),
    Task("DriveAtlas/Drinking-v0", "thirst", _foraging_table, baselines.THIRST, metrics.drinking_metrics, 3000),
    Task("DriveAtlas/ThermalGradient-v0", "thermoregulation", _thermal_table, baselines.THERMOREGULATION,
         metrics.thermal_metrics, 1500),
    Task("DriveAtlas/Crossing-v0", "hunger_pain", _crossing_table, baselines.HUNGER_PAIN, metrics.crossing_metrics, 2000,
         starts=crossing_starts),
    Task("DriveAtlas/ForagingUnderThreat-v0", "hunger_threat", _crossing_table, baselines.HUNGER_THREAT,
         metrics.crossing_metrics, 2000, starts=crossing_starts),
)}


def task_for(env_id: str) -> Task:
    """The task of a registered environment id, or an error listing the known ones."""
    if env_id not in TASKS:
        raise KeyError(f"no agent task for environment {env_id!r}; known: {sorted(TASKS)}")
    return TASKS[env_id]


