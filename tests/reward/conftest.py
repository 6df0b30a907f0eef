"""One coarse hunger module exported per test session (real NEST, about 30-40 s), shared by the reward tests."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.reward.calibrate import CalibrationSettings
from drive_atlas.reward.export import Export, export_reward_module

COARSE = CalibrationSettings(grid=3, seeds=1, hold=1.0, settle=0.5, check_duration=4.0)


@pytest.fixture(scope="session")
def exported(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> Export:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the coarse test grid may sit near the fidelity threshold; tests check the numbers
        return export_reward_module("hunger", tmp_path_factory.mktemp("module") / "hunger-1.0.0.drive", atlas=atlas,
                                    settings=COARSE, force=True)


@pytest.fixture(scope="session")
def module_path(exported: Export) -> Path:
    return exported.path
