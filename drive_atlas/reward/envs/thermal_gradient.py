"""A thermal gradient whose comfortable place moves, for the thermoregulation drive module.

The world: cells 0..size-1 with ambient temperatures evenly spaced from ``coldest`` to
``hottest`` on the module's scale (0 cold, 0.5 thermoneutral, 1 hot), all shifted by an
offset redrawn from ``offsets`` with probability ``shift`` per step (it may come back the
same; weather, day and night), so the comfortable cell moves and the agent has to read its skin. The body:
skin temperature relaxes toward the ambient temperature underfoot by ``rate`` per step.
Half the episodes are febrile throughout (the module's ``fever`` event at 1), drawn at
reset. Episodes run to their step limit; nothing dies of cold here. The environment's own
reward is 0: the reward comes from a drive module.

Observation: [position, skin temperature, fever]. Actions: 0 colder (left), 1 warmer (right), 2 stay.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

COLDER, WARMER, STAY = 0, 1, 2
OFFSETS = (-0.2, 0.0, 0.2)


class ThermalGradientEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, size: int = 5, coldest: float = 0.1, hottest: float = 0.9, rate: float = 0.3, shift: float = 0.02,
                 offsets: tuple[float, ...] = OFFSETS) -> None:
        if size < 2:
            raise ValueError(f"a gradient needs at least 2 cells (got {size})")
        self.size, self.rate, self.shift, self.offsets = size, rate, shift, offsets
        self.gradient = np.linspace(coldest, hottest, size)
        self.observation_space = spaces.Box(np.zeros(3, np.float32), np.array([size - 1, 1.0, 1.0], np.float32))
        self.action_space = spaces.Discrete(3)
        self.position, self.skin, self.offset, self.fever = 0, 0.5, 0.0, 0.0

    def ambient(self) -> float:
        return float(np.clip(self.gradient[self.position] + self.offset, 0.0, 1.0))

    def _obs(self) -> np.ndarray:
        return np.array([self.position, self.skin, self.fever], dtype=np.float32)

    def _info(self) -> dict[str, Any]:
        return {"skin_temperature": self.skin, "fever": self.fever, "ambient": self.ambient(), "offset": self.offset}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        options = options or {}
        self.position = int(options.get("position", self.np_random.integers(self.size)))
        self.offset = float(options.get("offset", self.np_random.choice(self.offsets)))
        self.skin = float(options.get("skin_temperature", self.ambient()))
        self.fever = float(options.get("fever", float(self.np_random.random() < 0.5)))
        return self._obs(), self._info()

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if action in (COLDER, WARMER):
            self.position = int(np.clip(self.position + (1 if action == WARMER else -1), 0, self.size - 1))
        if self.np_random.random() < self.shift:
            self.offset = float(self.np_random.choice(self.offsets))
        self.skin = float(np.clip(self.skin + self.rate * (self.ambient() - self.skin), 0.0, 1.0))
        return self._obs(), 0.0, False, False, self._info()


def interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the drive wrappers: skin temperature as the body state, fever as the event (single or batched)."""
    return {"skin_temperature": info["skin_temperature"]}, {"fever": info["fever"]}
