"""The composite's real export (hunger_pain, the suite's dearest: 3,550 neurons over 108 grid points) is faithful to
the live circuit: the same check as test_exports.py's for the single circuits (real_exports.py), in a file of its own
so that the single circuits' exports can run on the other xdist worker (``make test`` hands out whole files). Behaviour
assays played through the modules, the composite's included: test_exports.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from drive_atlas.reward.export import Export

from .real_exports import COMPOSITE, assert_faithful


@pytest.mark.slow
@pytest.mark.parametrize("ref", [COMPOSITE])
def test_real_export_is_faithful_to_the_live_circuit(real_export: Callable[[str], Export], ref: str) -> None:
    """Default calibration (one staircase network): written without force, so drive and reward correlations reach 0.8."""
    assert_faithful(real_export(ref))

