"""Shared fixtures: the real built-in atlas, loaded once per test session."""

from __future__ import annotations

import importlib.abc
import importlib.util
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("PYNEST_QUIET", "1")

import drive_atlas  # noqa: E402
from drive_atlas.atlas import Atlas, default_root  # noqa: E402

from .fixtures.recordings import ATLAS_ROOT, RECORDINGS, load_recording  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


class _CheckoutWeb(importlib.abc.MetaPathFinder):
    """``drive_atlas.web`` is this checkout's webapp/ folder, as an install maps it (setup.py).

    Tests run from a checkout that is not the installed one (PYTHONPATH=.) would otherwise import
    another checkout's web app, or none.
    """

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name != "drive_atlas.web":
            return None
        return importlib.util.spec_from_file_location(name, REPO / "webapp" / "__init__.py",
                                                      submodule_search_locations=[str(REPO / "webapp")])


if Path(drive_atlas.__file__).resolve().parent == REPO / "drive_atlas":
    sys.meta_path.insert(0, _CheckoutWeb())
# A small self-contained atlas so simulator tests do not depend on the curated circuits.
FIXTURE_ROOT = ATLAS_ROOT


# Fixtures whose set-up runs NEST (unless they are built on the recorded run): a test that uses one,
# directly or through other fixtures, is marked ``nest`` (select with -m nest / -m "not nest").
NEST_FIXTURES = {"exported", "module_path", "recording", "result"}
# Test modules that run NEST in their bodies.
NEST_MODULES = {"test_network.py", "test_curated_smoke.py", "test_protocol.py", "test_runner.py", "test_curated_assays.py",
                "test_sweeps.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
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
