"""Modules exported once per test session (real NEST), shared by the reward tests: one coarse hunger module
(about 30-40 s) and short pain, social_reward and hunger_pain modules (2-point grids, not meant to be faithful)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.reward.calibrate import CalibrationSettings
from drive_atlas.reward.export import Export, FidelityWarning, export_reward_module

COARSE = CalibrationSettings(grid=3, seeds=1, hold=1.0, corner_hold=2.0, settle=0.5, check_duration=4.0)
SHORT = CalibrationSettings(grid=2, seeds=1, hold=0.5, corner_hold=1.0, settle=0.5, check_duration=2.0)


@pytest.fixture(scope="session")
def exported(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> Export:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the coarse test grid may sit near the fidelity threshold; tests check the numbers
        return export_reward_module("hunger", tmp_path_factory.mktemp("module") / "hunger-1.0.0.drive", atlas=atlas,
                                    settings=COARSE, force=True)


@pytest.fixture(scope="session")
def module_path(exported: Export) -> Path:
    return exported.path


@pytest.fixture(scope="session")
def short_modules(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("short")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FidelityWarning)  # a 2-point grid is not meant to be faithful
        return {ref: export_reward_module(ref, folder / f"{ref}.drive", atlas=atlas, settings=SHORT, force=True).path
                for ref in ("pain", "social_reward", "hunger_pain")}
