"""Shared fixtures: the real built-in atlas, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYNEST_QUIET", "1")

from drive_atlas.atlas import Atlas, default_root  # noqa: E402

from .fixtures.recordings import ATLAS_ROOT, RECORDINGS, load_recording  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# A small self-contained atlas so simulator tests do not depend on the curated circuits.
FIXTURE_ROOT = ATLAS_ROOT


# Fixtures whose set-up runs NEST (unless they are built on the recorded run): a test that uses one,
# directly or through other fixtures, is marked ``nest`` (select with -m nest / -m "not nest").
NEST_FIXTURES = {"exported", "module_path", "short_modules", "recording", "result"}
# Test modules that run NEST in their bodies.
NEST_MODULES = {"test_network.py", "test_curated_smoke.py", "test_protocol.py", "test_runner.py", "test_curated_assays.py",
                "test_sweeps.py"}


# With pytest-xdist (`make test` runs `-n auto --dist loadfile`) each test file runs whole on one worker, so its
# module-scoped fixtures are built once (session-scoped ones once per worker that needs them). The longest file (the
# curated battery, on its own Dask cluster) is collected first, so one worker starts it at once while the other runs
# the rest.
FIRST_MODULES = ("test_curated_assays.py",)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.path.name not in FIRST_MODULES)  # stable: the order within each group is kept
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        uses = set(info.names_closure) if info else set()
        if item.path.name in NEST_MODULES or (uses & NEST_FIXTURES and "recorded" not in uses):
            item.add_marker(pytest.mark.nest)


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    return Atlas.load(default_root())


@pytest.fixture(scope="session")
def mini_atlas() -> Atlas:
    return Atlas.load(FIXTURE_ROOT)


@pytest.fixture(scope="session")
def mini(mini_atlas: Atlas):
    return mini_atlas["mini"]


@pytest.fixture(scope="session")
def recorded(mini):
    """A real NEST run of the fixture circuit (protocol ghrelin_step, ghrelin 0.1 -> 20 nM at 1 s), loaded without NEST."""
    return load_recording(RECORDINGS / "mini_ghrelin_step", mini)


@pytest.fixture(scope="session")
def recorded_result(recorded):
    """The recorded run's Block, tables, drive and reward (``drive_atlas.simulate``'s result, without NEST)."""
    from drive_atlas.drive.run import SimulationResult

    return SimulationResult.from_recording(recorded)
