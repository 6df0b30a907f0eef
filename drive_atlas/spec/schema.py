"""The JSON Schema of circuit files, for editors (yaml-language-server) and tooling."""

from __future__ import annotations

from typing import Any

from .circuit import Circuit


def circuit_json_schema() -> dict[str, Any]:
    schema = Circuit.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Drive Atlas circuit"
    return schema
