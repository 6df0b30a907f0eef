"""Errors that point at a place in a file: the currency of every validator."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path


class DriveAtlasError(Exception):
    """Base of every error the project raises on purpose: callers catch one type, users see its message."""


@dataclass(frozen=True, order=True)
class SpecError:
    """One problem in one file, at a line and column (1-based), at a field path."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class SpecValidationError(DriveAtlasError):
    """All the problems found in one or more files, raised together."""

    def __init__(self, errors: list[SpecError]):
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def display_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it, else absolute."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
