"""Small Gymnasium environments, one per curated drive, shipped for demonstrations; importing this registers them.

Each environment's module defines ``interoception(obs, info) -> (states, events)``: its body
state in the terms of the drive module it is made for (``INTEROCEPTION`` by environment id).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gymnasium as gym

from . import companion, crossing, foraging, hot_floor
from .companion import CompanionEnv
from .crossing import CrossingEnv
from .foraging import ForagingEnv, interoception
from .hot_floor import HotFloorEnv

__all__ = ["CompanionEnv", "CrossingEnv", "ForagingEnv", "HotFloorEnv", "INTEROCEPTION", "interoception"]

# id -> (entry point, episode length, interoception, keyword arguments)
_ENVS: dict[str, tuple[str, int, Callable[[Any, dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]], dict[str, Any]]] = {
    "DriveAtlas/Foraging-v0": ("drive_atlas.reward.envs.foraging:ForagingEnv", 200, foraging.interoception, {}),
    "DriveAtlas/HotFloor-v0": ("drive_atlas.reward.envs.hot_floor:HotFloorEnv", 60, hot_floor.interoception, {}),
    "DriveAtlas/HotFloorNoAnalgesic-v0": ("drive_atlas.reward.envs.hot_floor:HotFloorEnv", 60, hot_floor.interoception,
                                          {"analgesic": False}),
    "DriveAtlas/Companion-v0": ("drive_atlas.reward.envs.companion:CompanionEnv", 150, companion.interoception, {}),
    "DriveAtlas/Crossing-v0": ("drive_atlas.reward.envs.crossing:CrossingEnv", 150, crossing.interoception, {}),
}
INTEROCEPTION = {env_id: fn for env_id, (_, _, fn, _) in _ENVS.items()}

for _id, (_entry, _steps, _, _kwargs) in _ENVS.items():
    if _id not in gym.registry:
        gym.register(_id, entry_point=_entry, max_episode_steps=_steps, kwargs=_kwargs)
