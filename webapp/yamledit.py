"""Edits to a circuit's YAML text that keep its comments, order and quoting (ruamel round-trip).

The edit form and the save action change the text the researcher is editing, not
a model dump of it, so a curated file's comments and layout survive a web edit.
"""

from __future__ import annotations

import datetime
import functools
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from drive_atlas.spec import (
    Circuit, SpecContext, SpecError, SpecValidationError, YamlDocument, circuit_from_document, parse_yaml_text,
)
from drive_atlas.spec.common import SEMVER_PATTERN, semver_tuple
from drive_atlas.spec.errors import DriveAtlasError


class EditError(DriveAtlasError, ValueError):
    """An edit that cannot be applied to the text as it stands (the message says why)."""


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def validate_text(text: str, path: Path, context_for: Callable[[YamlDocument], SpecContext]) -> tuple[Circuit | None, list[SpecError]]:
    """Validate editor text as the circuit file ``path``: the circuit, or every located error.

    ``context_for`` (``Atlas.context_for``) gives each text its context, so a composite is
    checked against the circuits it includes at the versions it pins.
    """
    try:
        doc = parse_yaml_text(text, path)
        return circuit_from_document(doc, context_for(doc)), []
    except SpecValidationError as exc:
        return None, exc.errors


def edit_text(text: str, change: Callable[[CommentedMap], None]) -> str:
    """Apply ``change`` to the round-trip document parsed from ``text`` and return the new text."""
    yaml = _yaml()
    try:
        doc = yaml.load(io.StringIO(text))
    except YAMLError as exc:
        raise EditError(f"fix the YAML syntax first: {exc}") from None
    if not isinstance(doc, CommentedMap):
        raise EditError("the file must be a mapping at the top level")
    change(doc)
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def _find(doc: CommentedMap, section: str, item_id: str) -> CommentedMap:
    for item in items(doc, section):
        if item.get("id") == item_id:
            return item
    raise EditError(f"no {section[:-1]} {item_id!r} in the text")


def set_population_size(text: str, population: str, size: int) -> str:
    return edit_text(text, lambda doc: _find(doc, "populations", population).__setitem__("size", int(size)))


def set_projection_field(text: str, projection: str, field: str, value: str) -> str:
    """Set a projection's ``weight`` or ``delay`` (a quantity such as ``25 pA`` or ``2 ms``)."""
    if field not in {"weight", "delay"}:
        raise EditError(f"the form edits weight or delay, not {field!r}")
    return edit_text(text, lambda doc: _find(doc, "projections", projection).__setitem__(field, _scalar(value)))


def set_receptor_gain(text: str, population: str, receptor: str, gain: str) -> str:
    def change(doc: CommentedMap) -> None:
        for annotation in _find(doc, "populations", population).get("receptors") or []:
            if annotation.get("receptor") == receptor:
                annotation["gain"] = _scalar(gain)
                return
        raise EditError(f"population {population!r} has no receptor {receptor!r}")

    return edit_text(text, change)


def remove_projection(text: str, projection: str) -> str:
    def change(doc: CommentedMap) -> None:
        doc["projections"].remove(_find(doc, "projections", projection))

    return edit_text(text, change)


def add_projection(text: str, fields: dict[str, Any], note: str) -> str:
    """Append a projection built from the form's fields, labelled as a modelling assumption with ``note``."""
    if not note.strip():
        raise EditError("say why the projection is added: a new projection's evidence needs a note (or edit the YAML to cite papers)")

    def change(doc: CommentedMap) -> None:
        if any(p.get("id") == fields["id"] for p in items(doc, "projections")):
            raise EditError(f"a projection {fields['id']!r} already exists")
        projection = CommentedMap((k, _scalar(v) if isinstance(v, str) else v) for k, v in fields.items())
        projection["evidence"] = _flow([CommentedMap(kind="model_assumption", note=note.strip())])
        doc.setdefault("projections", CommentedSeq()).append(projection)

    return edit_text(text, change)


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


def check_version_bump(old: str, new: str) -> str | None:
    """Why ``new`` cannot follow ``old`` (None when it is a greater semantic version)."""
    try:
        if semver_tuple(new) > semver_tuple(old):
            return None
    except ValueError:
        return f"the new version must be MAJOR.MINOR.PATCH (got {new!r})"
    return f"the new version {new} must be greater than the saved version {old}"


def next_patch(version: str) -> str:
    major, minor, patch = semver_tuple(version)
    return f"{major}.{minor}.{patch + 1}"


def _scalar(value: str) -> Any:
    value = str(value).strip()
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        return value


def _flow(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


@functools.lru_cache(maxsize=8)
def read_document(text: str) -> CommentedMap | None:
    """The round-trip document for reading form values (never to edit: it is shared), or None if the text is not a mapping.

    Cached because the form's option and prefill callbacks all read the same text, and a
    round-trip parse of a curated circuit costs a few hundred milliseconds.
    """
    try:
        doc = _yaml().load(io.StringIO(text))
    except YAMLError:
        return None
    return doc if isinstance(doc, CommentedMap) else None


def items(doc: CommentedMap | None, section: str) -> list[CommentedMap]:
    """The entries of ``populations`` or ``projections`` that have an id."""
    found = (doc or {}).get(section) or []
    return [item for item in found if isinstance(item, dict) and "id" in item] if isinstance(found, list) else []
