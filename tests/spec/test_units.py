"""One parser reads every quantity: circuit fields, the command line's durations and the sweep's units."""

from __future__ import annotations

import pytest

from drive_atlas.spec.units import Level, _parse_level, parse_duration, parse_quantity, unit_of


@pytest.mark.parametrize(("text", "ms"), [("20", 20_000.0), ("20s", 20_000.0), ("500 ms", 500.0), ("2min", 120_000.0), ("1.5 h", 5_400_000.0)])
def test_command_line_durations(text: str, ms: float) -> None:
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["0", "-1", "0 ms", "1e999", "2 days", "nan s", "1.2.3 s", "25 h"])
def test_impossible_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_ranges_are_checked_in_canonical_units() -> None:
    assert parse_quantity("1 nA", ("current",)) == 1000.0
    with pytest.raises(ValueError, match="at most 1e\\+06 pA"):
        parse_quantity("2000 nA", ("current",))  # 2e6 pA
    with pytest.raises(ValueError, match="must not be negative"):
        parse_quantity("-0 nM", ("concentration",), "non_negative")
    assert _parse_level("20 Hz") == Level(20.0, "rate") and _parse_level("1 uM") == Level(1000.0, "concentration")
    assert unit_of("3 Hz") == "Hz" and unit_of("three Hz") is None and unit_of(3.0) is None
