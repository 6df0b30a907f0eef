"""Turn YAML documents into validated models, reporting every problem with its place."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import SpecError, SpecValidationError
from .yamlio import YamlDocument, format_loc, read_yaml

ModelT = TypeVar("ModelT", bound=BaseModel)
DISCRIMINATORS = ("kind", "type", "rule")
FORM_TAGS = ("explicit", "combined")  # tags of unions told apart by their shape (a readout written out or combined)


def clean_loc(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Drop the union tags pydantic inserts into error locations (``inputs[0].ligand.baseline``)."""
    out: list[str | int] = []
    node = data
    for key in loc:
        if isinstance(node, dict) and (any(node.get(d) == key for d in DISCRIMINATORS) or (key in FORM_TAGS and key not in node)):
            continue
        out.append(key)
        if isinstance(node, dict):
            node = node.get(key)
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            node = None
    return tuple(out)


def _message(err: dict[str, Any], loc: tuple[str | int, ...]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "extra_forbidden":
        return f"unknown field {loc[-1]!r}" if loc else "unknown field"
    if kind == "missing":
        return f"missing required field {loc[-1]!r}" if loc else "missing required field"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"{ctx.get('discriminator', 'tag')} must be one of {ctx.get('expected_tags', '')} (got {ctx.get('tag')!r})"
    if kind == "union_tag_not_found":
        return f"missing field {err.get('ctx', {}).get('discriminator', 'kind')} that says which kind of entry this is"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if "input" in err and kind not in {"model_type", "dict_type", "list_type"} and not isinstance(err["input"], (dict, list)):
        msg = f"{msg} (got {err['input']!r})"
    return msg


def pydantic_errors(doc: YamlDocument, exc: ValidationError, prefix: tuple[str | int, ...] = ()) -> list[SpecError]:
    errors = []
    for err in exc.errors():
        raw_loc = prefix + tuple(err["loc"])
        loc = clean_loc(doc.data, raw_loc)
        field_loc = loc + ((raw_loc[-1],) if err["type"] == "missing" and loc[-1:] != raw_loc[-1:] else ())
        line, col = doc.position(loc)
        errors.append(SpecError(doc.name, line, col, format_loc(field_loc), _message(err, field_loc)))
    return errors


def validate_document(doc: YamlDocument, model: type[ModelT]) -> ModelT:
    """Validate a whole document against ``model``; raise with every error located."""
    if not isinstance(doc.data, dict):
        raise SpecValidationError([doc.error((), f"expected a mapping at the top of the file, found {type(doc.data).__name__}")])
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        raise SpecValidationError(pydantic_errors(doc, exc)) from None


def load_model(path: Path, model: type[ModelT]) -> tuple[YamlDocument, ModelT]:
    doc = read_yaml(path)
    return doc, validate_document(doc, model)


def partial_model(data: dict[str, Any], model: type[ModelT]) -> ModelT:
    """Build ``model`` from the parts of ``data`` that are valid on their own.

    Cross-reference checks then run even when some fields are broken, so one pass
    reports a file's structural and referential problems together.
    """
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name not in data:
            continue
        raw, annotation = data[name], field.annotation
        origin, args = typing.get_origin(annotation), typing.get_args(annotation)
        if origin is list and isinstance(raw, list):
            item = TypeAdapter(args[0])
            values[name] = [v for v in (_try(item, r) for r in raw) if v is not None]
        elif origin is dict and isinstance(raw, dict):
            key, item = TypeAdapter(args[0]), TypeAdapter(args[1])
            values[name] = {k: v for k, v in ((k, _try(item, r)) for k, r in raw.items()) if v is not None and _try(key, k) is not None}
        else:  # the field's own constraints (a SemVer's pattern, a size's bounds) live in its metadata, not its annotation
            value = _try(TypeAdapter(Annotated[annotation, *field.metadata] if field.metadata else annotation), raw)
            if value is not None:
                values[name] = value
    return model.model_construct(**values)


def _try(adapter: TypeAdapter[Any], raw: Any) -> Any:
    try:
        return adapter.validate_python(raw)
    except ValidationError:
        return None
