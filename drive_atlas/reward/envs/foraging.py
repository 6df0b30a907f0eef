"""A small foraging world for drive-module demonstrations: walk a 1-D track to a food patch and eat.

The body: energy in [0, 1] falls by ``decay`` every step and rises by ``gain``
(capped at 1, the excess is wasted) for each food unit eaten; at 0 the animal
starves (episode ends). ``body`` and ``consume`` name the body variable and the
event in ``info`` (energy and eating here; the drinking world is this one with
water: hydration and drinking). The world: cells 0..size-1, the food patch in the last cell
holds up to ``stock_max`` units and regrows one unit with probability ``regrow``
per step, so food is scarce (about ``gain * regrow`` per step against ``decay``) and
eating when full wastes food needed later. The environment's own reward is 0: the
reward comes from a drive module (``DriveRewardWrapper``). ``info`` carries the
interoceptive state: ``energy`` and ``eating`` (1 on a step a unit was eaten), or as
``body`` and ``consume`` name them.

Observation: [position, energy, stock]. Actions: 0 left, 1 right, 2 eat.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

LEFT, RIGHT, EAT = 0, 1, 2


class ForagingEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, size: int = 5, decay: float = 0.02, gain: float = 0.3, regrow: float = 0.1, stock_max: int = 2,
                 body: str = "energy", consume: str = "eating") -> None:
        self.size, self.decay, self.gain, self.regrow, self.stock_max = size, decay, gain, regrow, stock_max
        if {body, consume} & {"stock", "at_patch"} or body == consume:
            raise ValueError(f"body and consume must be two names other than stock and at_patch (got {body!r}, {consume!r})")
        self.body, self.consume = body, consume
        self.observation_space = spaces.Box(np.zeros(3, np.float32), np.array([size - 1, 1.0, stock_max], np.float32))
        self.action_space = spaces.Discrete(3)
        self.position, self.level, self.stock = 0, 1.0, 0

    def _obs(self) -> np.ndarray:
        return np.array([self.position, self.level, self.stock], dtype=np.float32)

    def _info(self, eating: float) -> dict[str, Any]:
        return {self.body: self.level, self.consume: eating, "stock": self.stock, "at_patch": self.position == self.size - 1}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        options = options or {}
        self.position = int(options.get("position", self.np_random.integers(self.size)))
        self.level = float(options.get(self.body, self.np_random.uniform(0.1, 1.0)))
        self.stock = int(options.get("stock", self.np_random.integers(self.stock_max + 1)))
        return self._obs(), self._info(0.0)

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        eating = 0.0
        if action == EAT and self.position == self.size - 1 and self.stock > 0:
            self.stock -= 1
            self.level = min(1.0, self.level + self.gain)
            eating = 1.0
        elif action in (LEFT, RIGHT):
            self.position = int(np.clip(self.position + (1 if action == RIGHT else -1), 0, self.size - 1))
        self.level = max(0.0, self.level - self.decay)
        if self.stock < self.stock_max and self.np_random.random() < self.regrow:
            self.stock += 1
        return self._obs(), 0.0, self.level <= 0.0, False, self._info(eating)


def interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the drive wrappers: energy as the body state, eating as the event (single or batched)."""
    return {"energy": info["energy"]}, {"eating": info["eating"]}
