"""Food on the far side of a noxious patch, for the hunger x pain composite module.

The world: cells 0..size-1; the animal's home side is cell 0, food is in the last cell,
and the cells between are a noxious patch (heat ``heat``), so reaching food costs pain
on the way there and back. The body: energy as in Foraging-v0 (falls by ``decay`` per
step, rises by ``gain`` per unit eaten, starvation at 0 ends the episode), but food
does not run out. What the skin reports (``noxious``) is the heat underfoot. Episodes
start at home with a random energy, so the same crossing is met hungry and sated.
The patch is acute heat, and no tissue is inflamed (the module's ``inflammation`` is 0):
Alhadeff et al. 2018 found that hunger suppresses inflammatory, not acute, pain, so here the
hungry animal crosses more than the sated one only because food is worth more to it, not
because the heat hurts it less (a modelling choice: the world has no injury that would
inflame). The environment's own reward is 0: the reward comes from a drive module.
``ForagingUnderThreatEnv`` is the same world with a predator's odour over the open ground
instead of heat, for the hunger x threat composite.

Observation: [position, energy]. Actions: 0 left, 1 right, 2 eat (at the food).
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

LEFT, RIGHT, EAT = 0, 1, 2


class CrossingEnv(gym.Env):
    """Food across a patch; ``hazard`` names what the patch does to the body, ``heat`` its level there."""

    metadata = {"render_modes": []}
    hazard = "noxious"

    def __init__(self, size: int = 5, heat: float = 0.7, decay: float = 0.01, gain: float = 0.3) -> None:
        if size < 3:
            raise ValueError(f"size must leave room for home, a patch and food (at least 3, got {size})")
        self.size, self.heat, self.decay, self.gain = size, heat, decay, gain
        self.observation_space = spaces.Box(np.zeros(2, np.float32), np.array([size - 1, 1.0], np.float32))
        self.action_space = spaces.Discrete(3)
        self.position, self.energy = 0, 1.0

    def _on_patch(self) -> bool:
        return 0 < self.position < self.size - 1

    def _obs(self) -> np.ndarray:
        return np.array([self.position, self.energy], dtype=np.float32)

    def _info(self, eating: float) -> dict[str, Any]:
        return {"energy": self.energy, self.hazard: self.heat if self._on_patch() else 0.0, "eating": eating,
                "on_patch": self._on_patch(), "at_food": self.position == self.size - 1, **self._quiet()}

    def _quiet(self) -> dict[str, float]:
        """The module's other interface variables, which nothing in this world moves."""
        return {"analgesic": 0.0, "inflammation": 0.0}

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict[str, Any]]:
        super().reset(seed=seed)
        options = options or {}
        self.position = int(options.get("position", 0))
        self.energy = float(options.get("energy", self.np_random.uniform(0.1, 1.0)))
        return self._obs(), self._info(0.0)

    def step(self, action: int) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        eating = 0.0
        if action == EAT and self.position == self.size - 1:
            self.energy = min(1.0, self.energy + self.gain)
            eating = 1.0
        elif action in (LEFT, RIGHT):
            self.position = int(np.clip(self.position + (1 if action == RIGHT else -1), 0, self.size - 1))
        self.energy = max(0.0, self.energy - self.decay)
        return self._obs(), 0.0, self.energy <= 0.0, False, self._info(eating)


class ForagingUnderThreatEnv(CrossingEnv):
    """Food across open ground that smells of a predator (``threat_proximity`` 0.7 there, 0 at home and at the food:
    a modelling choice); no looming shadow passes (the module's ``looming`` is 0)."""

    hazard = "threat_proximity"

    def _quiet(self) -> dict[str, float]:
        return {"looming": 0.0}


def threat_interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the hunger x threat composite: energy, threat proximity; eating, looming."""
    return ({"energy": info["energy"], "threat_proximity": info["threat_proximity"]},
            {"eating": info["eating"], "looming": info["looming"]})


def interoception(obs: Any, info: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """state_fn for the composite (hunger's, pain's and its own interface): energy, noxious, inflammation; eating, analgesic."""
    return ({"energy": info["energy"], "noxious": info["noxious"], "inflammation": info["inflammation"]},
            {"eating": info["eating"], "analgesic": info["analgesic"]})
