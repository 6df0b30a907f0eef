"""Small Gymnasium environments for the drive modules, shipped for demonstrations; importing this registers them.

Hunger (Foraging), pain (HotFloor, with and without an analgesic), social reward (Companion), thirst (Drinking),
thermoregulation (ThermalGradient) and the composites hunger x pain (Crossing) and hunger x threat
(ForagingUnderThreat); threat alone and parental care have none yet (README, Agents). The package-level
``interoception`` is Foraging-v0's (``INTEROCEPTION`` holds every environment's).

Each environment's module defines ``interoception(obs, info) -> (states, events)``: its body
state in the terms of the drive module it is made for (``INTEROCEPTION`` by environment id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym

from . import companion, crossing, drinking, foraging, hot_floor, thermal_gradient
from .companion import CompanionEnv
from .crossing import CrossingEnv, ForagingUnderThreatEnv
from .drinking import DrinkingEnv
from .foraging import ForagingEnv, interoception
from .hot_floor import HotFloorEnv
from .thermal_gradient import ThermalGradientEnv

__all__ = ["CompanionEnv", "CrossingEnv", "DrinkingEnv", "ForagingEnv", "ForagingUnderThreatEnv", "HotFloorEnv",
           "INTEROCEPTION", "ThermalGradientEnv", "interoception"]

# id -> (entry point, episode length, interoception, keyword arguments)
_ENVS: dict[str, tuple[str, int, Callable[[Any, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]], dict[str, Any]]] = {
    "DriveAtlas/Foraging-v0": ("drive_atlas.reward.envs.foraging:ForagingEnv", 200, foraging.interoception, {}),
    "DriveAtlas/HotFloor-v0": ("drive_atlas.reward.envs.hot_floor:HotFloorEnv", 60, hot_floor.interoception, {}),
    "DriveAtlas/HotFloorNoAnalgesic-v0": ("drive_atlas.reward.envs.hot_floor:HotFloorEnv", 60, hot_floor.interoception,
                                          {"analgesic": False}),
    "DriveAtlas/Companion-v0": ("drive_atlas.reward.envs.companion:CompanionEnv", 150, companion.interoception, {}),
    "DriveAtlas/Crossing-v0": ("drive_atlas.reward.envs.crossing:CrossingEnv", 150, crossing.interoception, {}),
    "DriveAtlas/ForagingUnderThreat-v0": ("drive_atlas.reward.envs.crossing:ForagingUnderThreatEnv", 150,
                                          crossing.threat_interoception, {}),
    "DriveAtlas/Drinking-v0": ("drive_atlas.reward.envs.drinking:DrinkingEnv", 200, drinking.interoception, {}),
    "DriveAtlas/ThermalGradient-v0": ("drive_atlas.reward.envs.thermal_gradient:ThermalGradientEnv", 100,
                                      thermal_gradient.interoception, {}),
}
INTEROCEPTION = {env_id: fn for env_id, (_, _, fn, _) in _ENVS.items()}

for _id, (_entry, _steps, _, _kwargs) in _ENVS.items():
    if _id not in gym.registry:
        gym.register(_id, entry_point=_entry, max_episode_steps=_steps, kwargs=_kwargs)
