"""Shared fixtures: the real built-in atlas, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("PYNEST_QUIET", "1")

from drive_atlas.atlas import Atlas, default_root  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
# A small self-contained atlas so simulator tests do not depend on the curated circuits.
FIXTURE_ROOT = REPO / "tests" / "sim" / "fixtures" / "atlas"


@pytest.fixture(scope="session")
def atlas() -> Atlas:
    return Atlas.load(default_root())


@pytest.fixture(scope="session")
def mini_atlas() -> Atlas:
    return Atlas.load(FIXTURE_ROOT)


@pytest.fixture(scope="session")
def mini(mini_atlas: Atlas):
    return mini_atlas["mini"]
