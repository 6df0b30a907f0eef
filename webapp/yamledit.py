"""The edit form's changes to a circuit's YAML text (sizes, weights, delays, gains, projections).

Built on the authoring service's round-trip edits, so a curated file's comments
and layout survive a web edit.
"""

from __future__ import annotations

import functools
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from drive_atlas.authoring import EditError, edit_text
from drive_atlas.authoring.roundtrip import load


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
        return load(text)
    except EditError:
        return None


def items(doc: CommentedMap | None, section: str) -> list[CommentedMap]:
    """The entries of ``populations`` or ``projections`` that have an id."""
    found = (doc or {}).get(section) or []
    return [item for item in found if isinstance(item, dict) and "id" in item] if isinstance(found, list) else []
