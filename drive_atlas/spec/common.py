"""Building blocks shared by circuit and catalog files: ids, versions, dates, evidence."""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, WithJsonSchema, model_validator



class StrictModel(BaseModel):
    """Unknown fields are errors: a typo in a YAML key must not pass silently; no number is infinite or NaN."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


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


ISO_DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"


def _check_date(value: Any) -> datetime.date:
    """A date as YAML writes it unquoted (a timestamp) or quoted (an ISO string); nothing else."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and re.match(ISO_DATE_PATTERN, value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"not a calendar date: {exc}") from None
    raise ValueError("expected a date such as 2026-01-31")


# The schema states no JSON type: a plain YAML 1.1 loader reads an unquoted date as a date object,
# a YAML 1.2 one (editors) as a string; both are dates, and anything of a JSON type but a string is not.
Date = Annotated[
    datetime.date,
    BeforeValidator(_check_date),
    WithJsonSchema({"not": {"type": ["number", "boolean", "null", "array", "object"]}, "pattern": ISO_DATE_PATTERN,
                    "description": "a date, YYYY-MM-DD"}),
]
# Plain numbers without a unit (weights, bounds of a body variable): finite by the model's config, bounded here.
Bounded = Annotated[float, Field(ge=-1e9, le=1e9)]
