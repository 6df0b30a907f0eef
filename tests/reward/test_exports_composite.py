"""The composite's real export (hunger_pain, the suite's dearest: 3,550 neurons over 108 grid points): faithful to the
live circuit, its interface (its parts' and its own), run live on the flattened circuit, and a reward that does not
depend on the step size. The same checks as test_exports.py's (real_exports.py), in a file of its own so that the
single circuits' exports can run on the other xdist worker (``make test`` hands out whole files). Behaviour assays
played through the modules, the composite's included: test_exports.py.

The interface, live and step-size checks read the real export, which this file makes anyway: they used a short export
of their own before (a 2-point grid, 55 biological seconds of the 3,550-neuron network), and what they check holds for
any export of the composite."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from drive_atlas.reward import load_reward_function
from drive_atlas.reward.export import Export

from .real_exports import COMPOSITE, assert_faithful, assert_interface, assert_step_size_free

pytestmark = pytest.mark.slow  # every test reads the composite's real export (minutes of NEST)


@pytest.mark.parametrize("ref", [COMPOSITE])
def test_real_export_is_faithful_to_the_live_circuit(real_export: Callable[[str], Export], ref: str) -> None:
    """Default calibration (one staircase network): written without force, so drive and reward correlations reach 0.8."""
    assert_faithful(real_export(ref))



@pytest.mark.parametrize("ref", [COMPOSITE])
def test_circuit_exports_with_its_interface(real_export: Callable[[str], Export], ref: str) -> None:
    assert_interface(real_export(ref).path, ref)


def test_composite_module_runs_live_on_the_flattened_circuit(real_export: Callable[[str], Export], atlas) -> None:
    fn = load_reward_function(real_export(COMPOSITE).path, backend="nest", atlas=atlas)
    fn.reset({"energy": 0.2, "noxious": 0.8})
    assert np.isfinite(fn.step({"energy": 0.2, "noxious": 0.8}, {"analgesic": 1.0}, dt=0.25))


@pytest.mark.parametrize("ref", [COMPOSITE])
def test_total_reward_does_not_depend_on_the_step_size(real_export: Callable[[str], Export], ref: str) -> None:
    """The same 8 s trajectory stepped at 0.05 s and at 0.2 s earns the same total reward (within 5%)."""
    assert_step_size_free(real_export(ref).path)
