"""Modules exported once per test run (real NEST), shared by the reward tests: one coarse hunger module and short
pain and social_reward modules (2-point grids, not meant to be faithful); test_exports adds each curated
circuit at the default calibration (fixtures real_export and module_verdicts; their checks in real_exports.py).

Every export goes through ``shared_export``: under pytest-xdist the workers share one folder per run, so a module is
calibrated once whichever worker asks first, and a worker that asks for it meanwhile waits for it instead of
simulating it again (the calibrations are the suite's dearest work after the assay battery)."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import pickle
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from drive_atlas.assays.module import ModuleAssayRun, run_module_behaviour_assays
from drive_atlas.atlas import Atlas
from drive_atlas.reward.calibrate import CalibrationSettings
from drive_atlas.reward.export import Export, FidelityWarning, export_reward_module

COARSE = CalibrationSettings(grid=3, seeds=1, hold=1.0, corner_hold=2.0, settle=0.5, check_duration=4.0)
SHORT = CalibrationSettings(grid=2, seeds=1, hold=0.5, corner_hold=1.0, settle=0.5, check_duration=2.0)


def shared_export(ref: str, settings: CalibrationSettings, atlas: Atlas, tmp_path_factory: pytest.TempPathFactory, *,
                  force: bool) -> Export:
    """``export_reward_module(ref, settings, force)``, made once per test run and circuit content: the first caller
    exports under a file lock and pickles the Export (its surrogate as it was before being written, for the round-trip
    checks) next to the module; later callers, on any worker, load it. A failed export is not kept (each caller
    sees it fail)."""
    base = tmp_path_factory.getbasetemp()  # under xdist, one per worker inside one folder per run
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "shared-exports"
    folder.mkdir(parents=True, exist_ok=True)
    key = json.dumps([atlas.entry(ref).content_hash, settings.as_dict(), force], sort_keys=True)
    stem = f"{ref}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    saved = folder / f"{stem}.pickle"
    with open(folder / f"{stem}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if saved.exists():
            return pickle.loads(saved.read_bytes())
        done = export_reward_module(ref, folder / f"{stem}.drive", atlas=atlas, settings=settings, force=force)
        partial = saved.with_suffix(".partial")
        partial.write_bytes(pickle.dumps(done))
        partial.replace(saved)
        return done


@pytest.fixture(scope="session")
def exported(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> Export:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the coarse test grid may sit near the fidelity threshold; tests check the numbers
        return shared_export("hunger", COARSE, atlas, tmp_path_factory, force=True)


@pytest.fixture(scope="session")
def module_path(exported: Export) -> Path:
    return exported.path


@pytest.fixture(scope="session")
def short_modules(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FidelityWarning)  # a 2-point grid is not meant to be faithful
        return {ref: shared_export(ref, SHORT, atlas, tmp_path_factory, force=True).path
                for ref in ("pain", "social_reward")}  # the composite: real_export's (made anyway, and dearer to shorten)


@pytest.fixture(scope="module")
def real_export(atlas: Atlas, tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Export]:
    """Each curated circuit exported once per run at the default calibration (real_exports.settings_for), without
    force, on first use."""
    from .real_exports import settings_for

    def export(ref: str) -> Export:
        return shared_export(ref, settings_for(ref), atlas, tmp_path_factory, force=False)

    return export


@pytest.fixture(scope="module")
def module_verdicts(real_export: Callable[[str], Export], atlas: Atlas) -> Callable[[str], ModuleAssayRun]:
    """Each real module's behaviour assays, played once through it (fast backend: deterministic)."""
    done: dict[str, ModuleAssayRun] = {}

    def verdicts(ref: str) -> ModuleAssayRun:
        if ref not in done:
            done[ref] = run_module_behaviour_assays(real_export(ref).path, atlas=atlas)
        return done[ref]

    return verdicts
