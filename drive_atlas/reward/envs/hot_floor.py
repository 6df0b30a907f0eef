"""A hot floor with a cool refuge and an optional analgesic, for the pain drive module.

The world: cells 0..size-1; the first cells are a hot floor (heat 0.9, then 0.6), the
rest are cool. The body: tissue damage in [0, 1] rises by ``burn * heat`` each step on
the floor and heals by ``heal`` per step. What the skin reports (the module's
``noxious`` state) is the heat underfoot plus the damage, capped at 1: injured tissue
keeps nociceptors firing after the heat is gone (a modelling choice standing for
inflammatory pain). The analgesic (action 3, when ``analgesic`` is on) stays on board
for ``duration`` steps; it changes what is felt, not the damage. Episodes start at a
random cell with random damage, so an agent meets pain both on and off the floor.
The environment's own reward is 0: the reward comes from a drive module.

Observation: [position, damage, analgesic steps left / duration]. Actions: 0 left, 1 right,
2 stay, 3 take the analgesic (stay where one is; HotFloorNoAnalgesic-v0 has none, the action then just stays).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

LEFT, RIGHT, STAY, ANALGESIC = 0, 1, 2, 3
HEAT = (0.9, 0.6)  # the hot floor, from cell 0


class HotFloorEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, size: int = 5, burn: float = 0.2, heal: float = 0.03, duration: int = 6, analgesic: bool = True) -> None:
        if size <= len(HEAT):
            raise ValueError(f"size must leave at least one cool cell past the {len(HEAT)} hot ones (got {size})")
        self.size, self.burn, self.heal, self.duration, self.analgesic = size, burn, heal, duration, analgesic
        self.heat = np.array(HEAT + (0.0,) * (size - len(HEAT)))
        self.observation_space = spaces.Box(np.zeros(3, np.float32), np.array([size - 1, 1.0, 1.0], np.float32))
        self.action_space = spaces.Discrete(4)
        self.position, self.damage, self.on_board = 0, 0.0, 0

    def _obs(self) -> np.ndarray:
        return np.array([self.position, self.damage, self.on_board / self.duration], dtype=np.float32)

    def _info(self, took: bool) -> dict[str, Any]:
        heat = float(self.heat[self.position])
        return {"noxious": min(1.0, heat + self.damage), "analgesic": float(self.on_board > 0), "damage": self.damage,
                "heat": heat, "on_floor": heat > 0, "took_analgesic": took}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        options = options or {}
        self.position = int(options.get("position", self.np_random.integers(self.size)))
        self.damage = float(options.get("damage", self.np_random.uniform(0.0, 0.8)))
        self.on_board = 0
        return self._obs(), self._info(False)

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        took = action == ANALGESIC and self.analgesic
        self.on_board = max(0, self.on_board - 1)
        if took:
            self.on_board = self.duration
        elif action in (LEFT, RIGHT):
            self.position = int(np.clip(self.position + (1 if action == RIGHT else -1), 0, self.size - 1))
        heat = self.heat[self.position]
        self.damage = float(np.clip(self.damage + self.burn * heat - (self.heal if heat == 0 else 0.0), 0.0, 1.0))
        return self._obs(), 0.0, False, False, self._info(took)


def interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the pain module: what the skin reports (noxious) as the state, the analgesic on board as the event."""
    return {"noxious": info["noxious"]}, {"analgesic": info["analgesic"]}
