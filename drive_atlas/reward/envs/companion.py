"""A companion who comes and goes, for the social drive module.

The world: cells 0..size-1; a companion arrives at a random cell with probability
``arrive`` per step, stays put, and leaves with probability ``leave`` per step. Contact (action 3 in the
companion's cell) is a step of huddling. The body: ``isolation`` in [0, 1], time alone
scaled to ``lonely_steps``: it rises by 1/lonely_steps per step away from the companion,
holds in the companion's cell and falls by ``comfort`` per step of contact, so an animal
in company has a low isolation and one long alone a high one. The environment's
own reward is 0: the reward comes from a drive module.

Observation: [position, companion's cell (size when absent), isolation]. Actions: 0 left,
1 right, 2 stay, 3 contact.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

LEFT, RIGHT, STAY, CONTACT = 0, 1, 2, 3


class CompanionEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, size: int = 4, arrive: float = 0.08, leave: float = 0.05, lonely_steps: int = 40,
                 comfort: float = 0.25) -> None:
        self.size, self.arrive, self.leave, self.lonely_steps, self.comfort = size, arrive, leave, lonely_steps, comfort
        self.observation_space = spaces.Box(np.zeros(3, np.float32), np.array([size - 1, size, 1.0], np.float32))
        self.action_space = spaces.Discrete(4)
        self.position, self.companion, self.isolation = 0, size, 0.0

    @property
    def present(self) -> bool:
        return self.companion < self.size

    def _obs(self) -> np.ndarray:
        return np.array([self.position, self.companion, self.isolation], dtype=np.float32)

    def _info(self, contact: bool) -> dict[str, Any]:
        return {"isolation": self.isolation, "social_contact": float(contact), "present": self.present,
                "with_companion": self.position == self.companion}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        options = options or {}
        self.position = int(options.get("position", self.np_random.integers(self.size)))
        self.isolation = float(options.get("isolation", self.np_random.uniform(0.0, 1.0)))
        present = self.np_random.random() < 0.5
        self.companion = int(options.get("companion", self.np_random.integers(self.size) if present else self.size))
        return self._obs(), self._info(False)

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        contact = action == CONTACT and self.position == self.companion
        if action in (LEFT, RIGHT):
            self.position = int(np.clip(self.position + (1 if action == RIGHT else -1), 0, self.size - 1))
        change = -self.comfort if contact else 0.0 if self.position == self.companion else 1.0 / self.lonely_steps
        self.isolation = float(np.clip(self.isolation + change, 0.0, 1.0))
        if self.present and self.np_random.random() < self.leave:
            self.companion = self.size
        elif not self.present and self.np_random.random() < self.arrive:
            self.companion = int(self.np_random.integers(self.size))
        return self._obs(), 0.0, False, False, self._info(contact)


def interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the social module: isolation (time alone) as the state, contact as the event."""
    return {"isolation": info["isolation"]}, {"social_contact": info["social_contact"]}
