"""Physical quantities written as ``"<number> <unit>"`` strings in circuit files: the one place they are read.

A closed table of units (rather than a general unit parser) keeps YAML values
from ever being evaluated and lets an error list exactly what is accepted.
Every quantity is converted to one canonical unit per dimension, the unit NEST
or the modulation model works in, and checked against its physical range there:
finite, of the right sign, and below a ceiling past which NEST or memory would
fail. The models hold floats in canonical units (or a :class:`Level`), and a
python-mode ``model_dump`` keeps them so: only a JSON dump writes unit strings,
so no unit string reaches arithmetic.

The regular expression that reads a quantity is the one the JSON Schema
publishes, so an editor and the validator agree on what a quantity looks like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

# dimension -> (canonical unit, {unit: factor to canonical})
DIMENSIONS: dict[str, tuple[str, dict[str, float]]] = {
    "time": ("ms", {"us": 1e-3, "ms": 1.0, "s": 1e3, "min": 60e3, "h": 3600e3}),
    "rate": ("Hz", {"Hz": 1.0, "kHz": 1e3}),
    "current": ("pA", {"fA": 1e-3, "pA": 1.0, "nA": 1e3}),
    "conductance": ("nS", {"pS": 1e-3, "nS": 1.0, "uS": 1e3}),
    "voltage": ("mV", {"uV": 1e-3, "mV": 1.0, "V": 1e3}),
    "concentration": ("nM", {"pM": 1e-3, "nM": 1.0, "uM": 1e3, "mM": 1e6}),
}
# The largest magnitude each dimension may have, in its canonical unit: a day of simulated time,
# rates no neuron or generator reaches, currents and conductances far past any synapse, molar ligand.
CEILING: dict[str, float] = {
    "time": 86_400_000.0, "rate": 1e6, "current": 1e6, "conductance": 1e6, "voltage": 1e4, "concentration": 1e9,
}
MAX_QUANTITY_CHARS = 64
Sign = Literal["any", "non_negative", "positive"]

_MANTISSA = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_EXPONENT = r"(?:[eE][-+]?[0-9]+)?"
_LEAD: dict[str, str] = {"any": r"[-+]?", "non_negative": r"\+?", "positive": r"\+?(?=[0-9.]*[1-9])"}
_READ = re.compile(rf"([-+]?{_MANTISSA}{_EXPONENT}) *([A-Za-z]+)")


def quantity_pattern(dimensions: tuple[str, ...], sign: Sign = "any") -> str:
    """The regular expression (Python and ECMA-262 alike) a quantity of ``dimensions`` and ``sign`` must match."""
    return rf"^{_LEAD[sign]}{_MANTISSA}{_EXPONENT} *({'|'.join(_allowed_units(dimensions))})$"


def parse_quantity(value: Any, dimensions: tuple[str, ...], sign: Sign = "any") -> float:
    """Return ``value`` in the canonical unit of whichever of ``dimensions`` its unit has, within its range."""
    if isinstance(value, bool) or not isinstance(value, str):
        allowed = _allowed_units(dimensions)
        raise ValueError(f"expected a quantity with a unit, such as '1.5 {allowed[0]}' (units: {', '.join(allowed)})")
    if len(value) > MAX_QUANTITY_CHARS:
        raise ValueError(f"a quantity is at most {MAX_QUANTITY_CHARS} characters")
    match = _READ.fullmatch(value)
    if not match:
        raise ValueError(f"cannot read {value!r} as '<number> <unit>'")
    text, unit = match.group(1), match.group(2)
    for dim in dimensions:
        factors = DIMENSIONS[dim][1]
        if unit in factors:
            return _in_range(float(text) * factors[unit], text, dim, sign)
    raise ValueError(f"unit {unit!r} is not a unit of {' or '.join(dimensions)} (use one of: {', '.join(_allowed_units(dimensions))})")


class SignError(ValueError):
    """A quantity of the wrong sign: the one range error a field may explain in its own words."""


def _in_range(number: float, text: str, dimension: str, sign: Sign) -> float:
    canonical, ceiling = DIMENSIONS[dimension][0], CEILING[dimension]
    if not math.isfinite(number) or abs(number) > ceiling:
        raise ValueError(f"a {dimension} must be finite and at most {ceiling:g} {canonical} in size")
    if sign == "non_negative" and text.startswith("-"):
        raise SignError(f"a {dimension} here must not be negative")
    if sign == "positive" and (number <= 0 or text.startswith("-")):
        raise SignError(f"a {dimension} here must be positive")
    return number


def _allowed_units(dimensions: tuple[str, ...]) -> list[str]:
    return [u for d in dimensions for u in DIMENSIONS[d][1]]


def quantity(*dimensions: str, sign: Sign = "any", hint: str | None = None) -> Any:
    """A float field written with a unit, held in the canonical unit of ``dimensions[0]``.

    ``hint`` replaces the generic message when the sign is wrong (say, where
    the sign of a magnitude belongs in another field).
    """
    canonical = DIMENSIONS[dimensions[0]][0]
    units = "|".join(_allowed_units(dimensions))

    def read(value: Any) -> float:
        try:
            return parse_quantity(value, dimensions, sign)
        except SignError:
            if hint:
                raise ValueError(hint) from None
            raise

    ranged = {"any": "", "non_negative": "non-negative ", "positive": "positive "}[sign]
    return Annotated[
        float,
        BeforeValidator(read),
        PlainSerializer(lambda x: f"{x:.12g} {canonical}", return_type=str, when_used="json"),  # python dumps stay floats
        WithJsonSchema({"type": "string", "maxLength": MAX_QUANTITY_CHARS, "pattern": quantity_pattern(dimensions, sign),
                        "description": f"a {ranged}{' or '.join(dimensions)} with its unit ({units})"}),
    ]


def quantity_default(text: str, *dimensions: str) -> Any:
    """A field default written as the file would write it: the model holds its value, the schema shows the text."""
    return Field(default=parse_quantity(text, dimensions), json_schema_extra={"default": text})


Duration = quantity("time", sign="positive")          # canonical ms
TimePoint = quantity("time", sign="non_negative")     # canonical ms, from the start of a run
Rate = quantity("rate", sign="positive")              # canonical Hz
RateFloor = quantity("rate", sign="non_negative")     # canonical Hz; a rate that may be zero
Current = quantity("current")                         # canonical pA, either sign
Concentration = quantity("concentration", sign="non_negative")  # canonical nM


@dataclass(frozen=True)
class Level:
    """A value that is a concentration (ligand inputs) or a rate (Poisson inputs)."""

    value: float
    dimension: Literal["concentration", "rate"]

    def __str__(self) -> str:
        return f"{self.value:.12g} {DIMENSIONS[self.dimension][0]}"


def _parse_level(value: Any) -> Level:
    if isinstance(value, Level):
        return value
    unit = unit_of(value) or ""
    dimension: Literal["concentration", "rate"] = "rate" if unit in DIMENSIONS["rate"][1] else "concentration"
    if unit not in DIMENSIONS["rate"][1] and unit not in DIMENSIONS["concentration"][1]:
        raise ValueError("expected a concentration such as '1 nM' or a rate such as '20 Hz'")
    return Level(parse_quantity(value, (dimension,), "non_negative"), dimension)


LevelQuantity = Annotated[
    Level,
    BeforeValidator(_parse_level),
    PlainSerializer(str, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "maxLength": MAX_QUANTITY_CHARS, "pattern": quantity_pattern(("concentration", "rate"), "non_negative"),
                    "description": "a non-negative concentration (pM, nM, uM, mM) or rate (Hz, kHz)"}),
]


def unit_of(value: Any) -> str | None:
    """The unit a quantity string is written in, or None if it is not one."""
    match = _READ.fullmatch(value) if isinstance(value, str) else None
    return match.group(2) if match else None


def weight_dimension(value: str) -> str:
    """Which dimension a weight string was written in ('current' or 'conductance')."""
    return "conductance" if unit_of(value) in DIMENSIONS["conductance"][1] else "current"


def parse_duration(text: str, bare_unit: str = "s") -> float:
    """A positive duration in ms as typed on a command line: '20' (in ``bare_unit``), '20s', '500 ms', '2min'."""
    value = text.strip()
    if re.fullmatch(rf"\+?{_MANTISSA}{_EXPONENT}", value):
        value = f"{value} {bare_unit}"
    return parse_quantity(value, ("time",), "positive")
