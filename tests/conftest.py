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
NEST_FIXTURES = {"exported", "module_path", "short_modules", "real_export", "recording", "result"}
# Test modules that run NEST in their bodies.
NEST_MODULES = {"test_network.py", "test_curated_smoke.py", "test_protocol.py", "test_runner.py", "test_curated_assays.py",
                "test_sweeps.py"}


# `make test` runs pytest-xdist with `--dist loadfile --no-loadscope-reorder`: each test file runs whole on one worker
# (its module-scoped fixtures are built once; session-scoped exports are shared through tests/reward/conftest.py), and
# files are handed out in collection order as workers free up. So the dearest files are collected first: a long file
# started last would leave one worker running it while the other idles. CPU seconds on the 2-core machine: the curated
# battery about 1,000 (on its own Dask cluster, one worker per core), the composite's real export about 200-280 (one
# test, so it starts first on the other worker), test_exports about 190 (7 real exports and the short modules),
# test_agents about 30-100 (the short modules if it asks first), every other file under 30.
DEAREST_FIRST = ("tests/assays/test_curated_assays.py", "tests/reward/test_exports_composite.py", "tests/reward/test_exports.py",
                 "tests/reward/test_agents.py")


def _rank(item: pytest.Item) -> int:
    path = item.nodeid.split("::")[0]
    return DEAREST_FIRST.index(path) if path in DEAREST_FIRST else len(DEAREST_FIRST)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=_rank)  # stable: the collection order within each rank is kept
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
