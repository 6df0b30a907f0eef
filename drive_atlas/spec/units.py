"""Physical quantities written as ``"<number> <unit>"`` strings in circuit files.

A closed table of units (rather than a general unit parser) keeps YAML values
from ever being evaluated and lets an error list exactly what is accepted.
Every quantity is converted to one canonical unit per dimension, the unit NEST
or the modulation model works in.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

# dimension -> (canonical unit, {unit: factor to canonical})
DIMENSIONS: dict[str, tuple[str, dict[str, float]]] = {
    "time": ("ms", {"us": 1e-3, "ms": 1.0, "s": 1e3, "min": 60e3, "h": 3600e3}),
    "rate": ("Hz", {"Hz": 1.0, "kHz": 1e3}),
    "current": ("pA", {"fA": 1e-3, "pA": 1.0, "nA": 1e3}),
    "conductance": ("nS", {"pS": 1e-3, "nS": 1.0, "uS": 1e3}),
    "voltage": ("mV", {"uV": 1e-3, "mV": 1.0, "V": 1e3}),
    "concentration": ("nM", {"pM": 1e-3, "nM": 1.0, "uM": 1e3, "mM": 1e6}),
}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-z]+)\s*$")


def parse_quantity(value: Any, dimensions: tuple[str, ...]) -> float:
    """Return ``value`` in the canonical unit of whichever of ``dimensions`` its unit has."""
    if isinstance(value, bool) or not isinstance(value, str):
        allowed = _allowed_units(dimensions)
        raise ValueError(f"expected a quantity with a unit, such as '1.5 {allowed[0]}' (units: {', '.join(allowed)})")
    match = _QUANTITY.match(value)
    if not match:
        raise ValueError(f"cannot read {value!r} as '<number> <unit>'")
    number, unit = float(match.group(1)), match.group(2)
    for dim in dimensions:
        factors = DIMENSIONS[dim][1]
        if unit in factors:
            return number * factors[unit]
    raise ValueError(f"unit {unit!r} is not a unit of {' or '.join(dimensions)} (use one of: {', '.join(_allowed_units(dimensions))})")


def _allowed_units(dimensions: tuple[str, ...]) -> list[str]:
    return [u for d in dimensions for u in DIMENSIONS[d][1]]


def _quantity_type(*dimensions: str) -> Any:
    canonical = DIMENSIONS[dimensions[0]][0]
    units = "|".join(_allowed_units(dimensions))
    return Annotated[
        float,
        BeforeValidator(lambda v: parse_quantity(v, dimensions)),
        PlainSerializer(lambda x: f"{x:.12g} {canonical}", return_type=str),
        WithJsonSchema({"type": "string", "pattern": rf"^\s*[-+]?[0-9.eE+-]+\s*({units})\s*$",
                        "description": f"a {' or '.join(dimensions)} with its unit ({units})"}),
    ]


Time = _quantity_type("time")            # canonical ms
Rate = _quantity_type("rate")            # canonical Hz
Current = _quantity_type("current")      # canonical pA
Concentration = _quantity_type("concentration")  # canonical nM
SynapticWeight = _quantity_type("current", "conductance")  # pA (current-based) or nS (conductance-based)


def weight_dimension(value: str) -> str:
    """Which dimension a weight string was written in ('current' or 'conductance')."""
    match = _QUANTITY.match(value) if isinstance(value, str) else None
    unit = match.group(2) if match else ""
    return "conductance" if unit in DIMENSIONS["conductance"][1] else "current"
