"""Building blocks shared by circuit and catalog files: ids, versions, evidence, levels."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, StringConstraints, WithJsonSchema, model_validator

from .units import DIMENSIONS, parse_quantity


class StrictModel(BaseModel):
    """Unknown fields are errors: a typo in a YAML key must not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# A population id, optionally qualified by the included circuit it comes from: ``hunger.agrp``.
QualifiedId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)?$", max_length=130)]
RefKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
GeneSymbol = Annotated[str, StringConstraints(pattern=r"^[A-Za-z][A-Za-z0-9-]*$", max_length=32)]

SEMVER_PATTERN = r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$"
SemVer = Annotated[
    str,
    BeforeValidator(lambda v: _check_semver(v)),
    WithJsonSchema({"type": "string", "pattern": SEMVER_PATTERN}),
]


def _check_semver(value: Any) -> str:
    if not isinstance(value, str) or not re.match(SEMVER_PATTERN, value):
        raise ValueError(f"version must be semantic, MAJOR.MINOR.PATCH such as '1.0.0' ; quote it in YAML")
    return value


def semver_tuple(version: str) -> tuple[int, int, int]:
    major, minor, patch = (int(x) for x in version.split("."))
    return major, minor, patch


EvidenceKind = Literal[
    "tracing",
    "optogenetic_mapping",
    "chemogenetics",
    "electrophysiology",
    "imaging",
    "pharmacology",
    "transcriptomics",
    "behaviour",
    "review",
    "model_assumption",
]


class Evidence(StrictModel):
    """One line of support: which papers, what kind of experiment, and a note."""

    kind: EvidenceKind
    refs: list[RefKey] = []
    note: str | None = None

    @model_validator(mode="after")
    def _refs_or_note(self) -> "Evidence":
        if self.kind == "model_assumption":
            if not self.note:
                raise ValueError("a model_assumption needs a note saying what was assumed and why")
        elif not self.refs:
            raise ValueError(f"evidence of kind {self.kind!r} needs at least one reference key in refs")
        return self


EvidenceList = Annotated[list[Evidence], Field(min_length=1)]


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
    try:
        return Level(parse_quantity(value, ("concentration",)), "concentration")
    except ValueError:
        pass
    try:
        return Level(parse_quantity(value, ("rate",)), "rate")
    except ValueError:
        raise ValueError(f"expected a concentration such as '1 nM' or a rate such as '20 Hz' (got {value!r})") from None


LevelQuantity = Annotated[
    Level,
    BeforeValidator(_parse_level),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "description": "a concentration (pM, nM, uM, mM) or a rate (Hz, kHz)"}),
]
