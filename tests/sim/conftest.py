"""A small self-contained atlas (tests/sim/fixtures/atlas) so simulator tests do not depend on curated circuits."""

from __future__ import annotations

from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas

FIXTURE_ROOT = Path(__file__).parent / "fixtures" / "atlas"


@pytest.fixture(scope="session")
def mini_atlas() -> Atlas:
    return Atlas.load(FIXTURE_ROOT)


@pytest.fixture(scope="session")
def mini(mini_atlas: Atlas):
    return mini_atlas["mini"]
