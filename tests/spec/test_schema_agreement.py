"""The JSON Schema and the validator give every file the same verdict wherever the schema can state the rule.

The schema reads a file as a plain YAML loader gives it (unquoted dates become
date objects); the validator's verdict here is its structural one (the models),
since the schema knows nothing of the atlas's regions, ligands or references.
"""

from __future__ import annotations

import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from drive_atlas.atlas import Atlas
from drive_atlas.spec import Circuit, SpecValidationError, read_yaml, validate_document
from drive_atlas.spec.schema import circuit_json_schema
from drive_atlas.spec.units import parse_quantity, quantity_pattern

from ..conftest import REPO

HERE = Path(__file__).parent
FILES = [HERE / "valid_minimal.yaml", *sorted((REPO / "circuits").glob("*/*.yaml")), *sorted((HERE / "broken").glob("*.yaml"))]
# Rules a JSON Schema cannot state, so the two verdicts may differ on these files only.
BEYOND_THE_SCHEMA = {
    "duplicate_key.yaml": "plain YAML loaders keep the last of two equal keys",
    "assay_impossible_expectation.yaml": "how many conditions an expectation compares depends on its kind",
    "infinite_weight.yaml": "a range in canonical units is not a pattern over the text (1e999 pA)",
    "nan_parameter.yaml": "JSON has no NaN, so the schema's numbers cannot exclude it",
    "readout_parts_stray_channel.yaml": "a channel's part is its population's text before the dot, matched to the parts' keys",
}


def _schema_accepts(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError:
        return False
    return jsonschema.Draft202012Validator(circuit_json_schema()).is_valid(data)


def _validator_accepts(path: Path) -> bool:
    try:
        validate_document(read_yaml(path), Circuit)
    except SpecValidationError:
        return False
    return True


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_schema_and_validator_agree(path: Path) -> None:
    if path.name in BEYOND_THE_SCHEMA:
        assert _schema_accepts(path) and not _validator_accepts(path), "this rule is now in the schema: drop the exception"
        return
    assert _schema_accepts(path) == _validator_accepts(path)


def test_every_default_is_valid_under_its_own_schema() -> None:
    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "default" in node and "$ref" not in node and "anyOf" not in node:
                jsonschema.validate(node["default"], {k: v for k, v in node.items() if k != "default"})
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(circuit_json_schema())


@pytest.mark.parametrize("sign", ["any", "non_negative", "positive"])
@pytest.mark.parametrize("text", ["5 ms", "5ms", "+5 ms", "-5 ms", "0 ms", "-0 ms", "0.0e3 s", ".5 s", "5. s", "1e-3 h",
                                  "1.2.3 ms", "5 sec", "five ms", " 5 ms", "5 ms ", "1e999 ms", "2 h"])
def test_the_schema_pattern_is_the_parser(text: str, sign: str) -> None:
    """Where the text decides (form, unit, sign), the published pattern and the parser agree."""
    matches = re.search(quantity_pattern(("time",), sign), text) is not None  # type: ignore[arg-type]
    try:
        parse_quantity(text, ("time",), sign)  # type: ignore[arg-type]
        parsed = True
    except ValueError as exc:
        parsed = False
        if "finite" in str(exc):
            return  # a range in canonical units: the validator's alone
    assert matches == parsed


def test_python_dumps_hold_numbers_and_json_dumps_units(atlas: Atlas) -> None:
    """A dumped quantity is a float in its canonical unit, never a string that arithmetic would trip on."""
    readout = atlas["social_reward"].readout
    dumped = readout.model_dump()
    dopamine = dumped["reward"]["dopamine"]
    assert isinstance(dumped["tau"], float) and isinstance(dopamine["scale"], float) and isinstance(dopamine["baseline"], float)
    assert dopamine["baseline"] - dopamine["scale"] == readout.reward.dopamine.baseline - readout.reward.dopamine.scale
    assert readout.model_dump(mode="json")["tau"].endswith(" ms")
