"""Content hashes of circuit versions, independent of formatting, key order and unit spelling."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def canonical_json(model: BaseModel) -> str:
    """The canonical form: validated values in canonical units, keys sorted, no whitespace."""
    return canonical_dumps(model.model_dump(mode="json"))


def canonical_dumps(data: Any) -> str:
    """JSON data in canonical form: keys sorted, no whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(model: BaseModel) -> str:
    return "sha256:" + hashlib.sha256(canonical_json(model).encode("utf-8")).hexdigest()
