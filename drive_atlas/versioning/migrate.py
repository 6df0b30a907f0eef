"""Upgrading circuit files written for an older schema, in place, keeping comments and layout.

Each migration edits ruamel round-trip data from one ``schema_version`` to the
next, so a contributor's comments and ordering survive. Schema 0 is the format
before ``schema_version`` existed: the readout section was ``drive_readout``
and populations gave ``cells`` rather than ``size``.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from ..spec import SCHEMA_VERSION, read_yaml
from ..spec.errors import DriveAtlasError

Migration = Callable[[CommentedMap], list[str]]  # edits the data in place and says what it did


class MigrationError(DriveAtlasError):
    """The file cannot be migrated safely (unknown schema, or old and new keys both present)."""


def _rename(node: CommentedMap, old: str, new: str, where: str) -> str:
    """Rename a key in place: same position, same comments."""
    if new in node:
        raise MigrationError(f"{where} has both {old!r} and {new!r}; keep one")
    position = list(node).index(old)
    comment = node.ca.items.pop(old, None)
    node.insert(position, new, node.pop(old))
    if comment is not None:
        node.ca.items[new] = comment
    return f"{where}{old} -> {new}"


def _v0_to_v1(data: CommentedMap) -> list[str]:
    done = []
    if "drive_readout" in data:
        done.append(_rename(data, "drive_readout", "readout", ""))
    populations = data.get("populations")
    for i, population in enumerate(populations if isinstance(populations, list) else []):
        if isinstance(population, CommentedMap) and "cells" in population:
            done.append(_rename(population, "cells", "size", f"populations[{i}]."))
    return done


MIGRATIONS: dict[int, Migration] = {0: _v0_to_v1}  # key: the schema version a migration starts from


@dataclass(frozen=True)
class MigrationResult:
    path: Path
    from_version: int
    changes: list[str]


def migrate_data(data: CommentedMap) -> tuple[int, list[str]]:
    """Bring parsed data to the current schema; returns the version it started at and what changed."""
    start = data.get("schema_version", 0)
    if not isinstance(start, int) or isinstance(start, bool) or not 0 <= start <= SCHEMA_VERSION:
        raise MigrationError(f"schema_version {start!r} is not one this drive-atlas knows (0 to {SCHEMA_VERSION}); upgrade drive-atlas")
    changes: list[str] = []
    for version in range(start, SCHEMA_VERSION):
        changes += MIGRATIONS[version](data)
    if start != SCHEMA_VERSION:
        if "schema_version" in data:
            data["schema_version"] = SCHEMA_VERSION
        else:
            data.insert(0, "schema_version", SCHEMA_VERSION)
        changes.append(f"schema_version {start} -> {SCHEMA_VERSION}")
    return start, changes


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a contributor's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def migrate_file(path: Path) -> MigrationResult:
    """Migrate one file in place; an up-to-date file is left untouched."""
    doc = read_yaml(path)  # located errors for syntax problems and oversize files
    if not isinstance(doc.data, dict):
        raise MigrationError(f"{doc.name}: expected a mapping at the top of the file")
    yaml = _round_trip()
    data = yaml.load(io.StringIO(doc.text))  # again, keeping the quoting style
    if not isinstance(data, CommentedMap):  # an empty file, or one holding only comments
        raise MigrationError(f"{doc.name}:1:1: the file holds no mapping; nothing to migrate")
    try:
        start, changes = migrate_data(data)
    except MigrationError as exc:
        raise MigrationError(f"{doc.name}: {exc}") from None
    if start != SCHEMA_VERSION:
        out = io.StringIO()
        yaml.dump(data, out)
        write_atomically(path, out.getvalue())
    return MigrationResult(path, start, changes)


def write_atomically(path: Path, text: str) -> None:
    """Write beside the file and rename over it: a crash leaves the old file or the new one, never half."""
    mode = path.stat().st_mode & 0o777
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
