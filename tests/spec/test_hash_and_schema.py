"""Content hashes ignore formatting; the committed JSON Schema matches the models and the files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from drive_atlas.atlas import Atlas
from drive_atlas.spec import content_hash, parse_yaml_text
from drive_atlas.spec.schema import circuit_json_schema

from ..conftest import REPO

MINIMAL = REPO / "tests" / "spec" / "valid_minimal.yaml"


def _hash(atlas: Atlas, text: str) -> str:
    from drive_atlas.spec import circuit_from_document

    return content_hash(circuit_from_document(parse_yaml_text(text, MINIMAL), atlas.context()))


def test_formatting_key_order_and_unit_spelling_do_not_change_the_hash(atlas: Atlas) -> None:
    text = MINIMAL.read_text()
    reordered = text.replace("title: Minimal test circuit\ndrive: hunger\n", "drive: hunger\ntitle: Minimal test circuit\n")
    respelled = text.replace("delay: 1.5 ms", "delay: 0.0015 s").replace("weight: 20 pA", "weight: 0.02 nA")
    assert reordered != text and respelled != text
    assert _hash(atlas, text) == _hash(atlas, reordered) == _hash(atlas, respelled)
    assert _hash(atlas, text) != _hash(atlas, text.replace("weight: 20 pA", "weight: 21 pA"))


def test_committed_schema_is_current() -> None:
    committed = json.loads((REPO / "schema" / "circuit.schema.json").read_text())
    assert committed == circuit_json_schema(), "run: drive-atlas schema --out schema/circuit.schema.json"


def test_curated_circuits_validate_against_the_json_schema(atlas: Atlas) -> None:
    validator = jsonschema.Draft202012Validator(circuit_json_schema())
    paths = [MINIMAL] + [e.path for e in atlas.entries.values()]
    for path in paths:
        data = YAML(typ="safe").load(Path(path).read_text())  # as a plain loader gives it: dates are date objects
        errors = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(data)]
        assert not errors, f"{path}: {errors[:5]}"


def test_every_circuit_file_points_editors_at_the_schema(atlas: Atlas) -> None:
    for entry in atlas.entries.values():
        first = Path(entry.path).read_text().splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../schema/circuit.schema.json"
