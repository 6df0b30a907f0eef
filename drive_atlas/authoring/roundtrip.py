"""Edits to a circuit's YAML text that keep its comments, order and quoting (ruamel round-trip).

Every tool that changes a circuit file (the web editor, ``migrate``, a new
version's changelog entry) edits the text the researcher wrote, not a model dump
of it, so a curated file's comments and layout survive.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..spec import Circuit, SpecContext, SpecError, SpecValidationError, YamlDocument, circuit_from_document, parse_yaml_text
from ..spec.common import SEMVER_PATTERN
from ..spec.errors import DriveAtlasError


ContextFor = Callable[[YamlDocument], SpecContext]  # Atlas.context_for: what a text may refer to


class EditError(DriveAtlasError, ValueError):
    """An edit that cannot be applied to the text as it stands (the message says why)."""


def round_trip_yaml() -> YAML:
    """The one ruamel configuration for writing circuit files: quotes kept, long lines never re-wrapped."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def load(text: str) -> CommentedMap:
    """The round-trip document of ``text``; :class:`EditError` unless it is YAML with a mapping on top."""
    try:
        doc = round_trip_yaml().load(io.StringIO(text))
    except YAMLError as exc:
        raise EditError(f"fix the YAML syntax first: {exc}") from None
    if not isinstance(doc, CommentedMap):
        raise EditError("the file must be a mapping at the top level")
    return doc


def dump(doc: CommentedMap) -> str:
    out = io.StringIO()
    round_trip_yaml().dump(doc, out)
    return out.getvalue()


def edit_text(text: str, change: Callable[[CommentedMap], None]) -> str:
    """Apply ``change`` to the round-trip document parsed from ``text`` and return the new text."""
    doc = load(text)
    change(doc)
    return dump(doc)


def validate_text(text: str, path: Path, context_for: ContextFor) -> tuple[Circuit | None, list[SpecError]]:
    """Validate text as the circuit file ``path``: the circuit, or every located error.

    ``context_for`` (``Atlas.context_for``) gives each text its context, so a composite is
    checked against the circuits it includes at the versions it pins.
    """
    try:
        doc = parse_yaml_text(text, path)
        return circuit_from_document(doc, context_for(doc)), []
    except SpecValidationError as exc:
        return None, exc.errors


def set_new_version(text: str, version: str, changes: str, today: datetime.date | None = None) -> str:
    """Set ``version`` and put its changelog entry first (newest first); an entry already written for it is kept."""
    if not re.match(SEMVER_PATTERN, version or ""):
        raise EditError(f"the new version must be MAJOR.MINOR.PATCH, such as 1.2.0 (got {version!r})")

    def change(doc: CommentedMap) -> None:
        doc["version"] = DoubleQuotedScalarString(version)
        changelog = doc.setdefault("changelog", CommentedSeq())
        existing = next((e for e in changelog if isinstance(e, dict) and str(e.get("version")) == version), None)
        if existing is not None:
            if changes.strip():
                existing["changes"] = changes.strip()
            return
        if not changes.strip():
            raise EditError("write a changelog entry saying what changed")
        changelog.insert(0, CommentedMap(version=DoubleQuotedScalarString(version), date=today or datetime.date.today(),
                                         changes=changes.strip()))

    return edit_text(text, change)
