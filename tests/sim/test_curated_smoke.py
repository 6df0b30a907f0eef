"""Every curated circuit compiles and runs for 1 s (skipped while the built-in atlas does not load)."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.atlas import Atlas, default_root
from drive_atlas.sim import RunOptions, run_circuit
from drive_atlas.spec import SpecValidationError


def _curated() -> tuple[Atlas | None, list[str]]:
    try:
        atlas = Atlas.load(default_root())
    except (SpecValidationError, OSError):
        return None, []
    return atlas, [c.id for c in atlas]


ATLAS, IDS = _curated()


@pytest.mark.skipif(not IDS, reason="the built-in atlas has no valid circuits yet")
@pytest.mark.parametrize("circuit_id", IDS)
def test_curated_circuit_runs_one_second(circuit_id):
    circuit = ATLAS[circuit_id]
    protocol = next(iter(circuit.protocols), None)
    rec = run_circuit(circuit, ATLAS, protocol, duration=1000.0, options=RunOptions(record_neurons=20))
    assert rec.rates.shape == (10, len(circuit.populations)) and np.isfinite(rec.rates).all()
    assert np.isfinite(rec.currents).all()
