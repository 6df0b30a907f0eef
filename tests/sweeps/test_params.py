"""Parameter paths and value ranges: pure model work, no NEST."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from drive_atlas.sweeps import ParameterError, apply, check_paths, curated_parameters, grid, parse_parameter, relative_samples


def test_ranges_resolve_against_the_circuit(mini) -> None:
    assert parse_parameter("projections.agrp_to_pvh.weight=-20%..+20%:3", mini).values == (16.0, 20.0, 24.0)
    assert parse_parameter("populations.agrp.background.rate=1000..3000:3", mini).values == (1000.0, 2000.0, 3000.0)
    assert parse_parameter("seed=1..4", mini).values == (1, 2, 3, 4)
    assert parse_parameter("populations.agrp.size=-10%..+10%:3", mini).values == (90, 100, 110)
    assert parse_parameter("protocols.fasted.events.0.level=1,2.5", mini).values == (1.0, 2.5)
    assert len(grid([parse_parameter("seed=1..3", mini), parse_parameter("projections.agrp_to_pvh.delay=1,2", mini)])) == 6


def test_apply_copies_and_validates_the_changed_field(mini) -> None:
    varied = apply(mini, {"projections.agrp_to_pvh.weight": 25.0, "populations.pvh.receptors.Npy1r.gain": 99.0,
                          "protocols.fasted.events.0.level": 3.0, "projections.agrp_to_pvh.connection.indegree": 4, "seed": 7})
    assert varied.projections[0].weight == 25.0 and mini.projections[0].weight == 20.0
    assert varied.populations[1].receptors[0].gain == 99.0
    assert varied.protocols["fasted"].events[0].level.value == 3.0
    assert varied.projections[0].connection.indegree == 4
    with pytest.raises(ValidationError, match="positive magnitude"):
        apply(mini, {"projections.agrp_to_pvh.weight": -5.0})


def test_unknown_path_is_named_with_valid_alternatives(mini) -> None:
    with pytest.raises(ParameterError) as info:
        check_paths(mini, ["projections.agrp_to_pvh.wieght"])
    assert "'projections.agrp_to_pvh.wieght'" in str(info.value)
    assert "projections.agrp_to_pvh.weight" in str(info.value)
    with pytest.raises(ParameterError, match="range without ':n'"):
        parse_parameter("projections.agrp_to_pvh.weight=-20%..+20%", mini)


def test_relative_samples_stay_in_the_band(mini) -> None:
    paths = curated_parameters(mini)
    assert "projections.agrp_to_pvh.weight" in paths and "populations.agrp.background.rate" in paths
    samples = relative_samples(mini, paths, 0.2, 16, design="sobol")
    assert len(samples) == 16
    assert all(16.0 <= s["projections.agrp_to_pvh.weight"] <= 24.0 for s in samples)
