"""Drive modules as reward functions for RL agents: export, load (fast or live backend), Gymnasium wrappers.

Light by design: importing this package, or loading a module with the fast backend,
imports neither NEST nor Gymnasium; the export, the live backend and the wrappers
are imported on first use.
"""

from __future__ import annotations

import importlib
from typing import Any

from .artifact import FORMAT_VERSION, RewardModuleError
from .function import RewardFunction
from .homeostatic import HomeostaticReward
from .load import load_reward_function

__all__ = ["FORMAT_VERSION", "CalibrationSettings", "DriveRewardVectorWrapper", "DriveRewardWrapper", "FidelityError", "FidelityWarning",
           "HomeostaticReward", "RewardFunction", "RewardModuleError", "export_reward_module", "load_reward_function"]

_LAZY = {
    "export_reward_module": "export", "FidelityWarning": "export", "FidelityError": "export", "CalibrationSettings": "calibrate",
    "DriveRewardWrapper": "wrappers", "DriveRewardVectorWrapper": "wrappers",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
