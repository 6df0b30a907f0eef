"""Small Gymnasium environments shipped for demonstrations; importing this registers them."""

from __future__ import annotations

import gymnasium as gym

from .foraging import ForagingEnv, interoception

__all__ = ["ForagingEnv", "interoception"]

if "DriveAtlas/Foraging-v0" not in gym.registry:
    gym.register("DriveAtlas/Foraging-v0", entry_point="drive_atlas.reward.envs.foraging:ForagingEnv", max_episode_steps=200)
