"""``drive-atlas new``: a valid starting circuit and its assay test, so contributors begin from green.

The placeholder names only a region that exists and cites nothing: every part
is a ``model_assumption`` whose note says TODO, which validation accepts and a
reviewer cannot miss.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from ..atlas import Atlas
from ..spec import circuit_from_document, parse_yaml_text
from ..spec.common import Identifier
from ..spec.errors import DriveAtlasError

PREFERRED_REGION = "HY"  # the hypothalamus: most drive circuits start there

CIRCUIT_TEMPLATE = """\
# yaml-language-server: $schema=../../schema/circuit.schema.json
# Scaffolded by `drive-atlas new`. Replace every TODO and give each part cited evidence
# (see CONTRIBUTING.md). The numbers below are placeholders, not findings.
schema_version: 1
id: {circuit_id}
version: "0.1.0"
title: "TODO: title of the {circuit_id} circuit"
drive: {drive}
species: Mus musculus
status: draft
curators: []  # TODO: add yourself (name, orcid) before asking for status: curated
description: "TODO: what this circuit computes and the evidence it rests on."
changelog:
  - version: "0.1.0"
    date: {today}
    changes: Scaffolded with drive-atlas new.
populations:
  - id: todo_population
    name: "TODO: population name"
    region: {region}  # TODO: an acronym from data/regions.csv
    transmitter: glutamate
    size: 100
    evidence:
      - kind: model_assumption
        note: "TODO: placeholder population; replace with cited evidence"
projections: []
inputs: []
readout:
  readouts:
    - population: todo_population
      low: 1 Hz
      high: 20 Hz
  evidence:
    - kind: model_assumption
      note: "TODO: placeholder readout range"
protocols:
  baseline:
    description: "TODO: the reference condition the assays compare against"
    duration: 2 s
# TODO: assays: the literature phenomena this circuit must reproduce, each citing data/references.yaml keys.
assays: []
"""

TEST_TEMPLATE = '''\
"""The assays of the {circuit_id} circuit (scaffolded by drive-atlas new)."""

from __future__ import annotations

from pathlib import Path

from drive_atlas.atlas import Atlas
from drive_atlas.authoring import failing_assays

ROOT = Path(__file__).resolve().parents[2]


def test_{circuit_id}_assays_pass() -> None:
    atlas = Atlas.load(ROOT)
    statuses = failing_assays(atlas["{circuit_id}"], atlas)
    failing = [assay for assay, status in statuses.items() if status == "fail"]
    assert not failing, f"failing assays of {circuit_id}: {{failing}}"
'''


class ScaffoldError(DriveAtlasError):
    """The names are not valid identifiers, or the circuit or its test already exists."""


def scaffold(atlas: Atlas, drive: str, circuit_id: str, today: datetime.date | None = None) -> dict[Path, str]:
    """The texts of ``circuits/<drive>/<id>.yaml`` and ``tests/circuits/test_<id>.py`` under the atlas root (the authoring service writes them)."""
    for label, name in (("drive", drive), ("circuit id", circuit_id)):
        try:
            TypeAdapter(Identifier).validate_python(name)
        except ValidationError:
            raise ScaffoldError(f"{label} {name!r} must be lower case letters, digits and _, starting with a letter") from None
    if circuit_id in atlas.entries:
        raise ScaffoldError(f"circuit id {circuit_id!r} is already used by {atlas.entries[circuit_id].path}")
    circuit_path = atlas.root / "circuits" / drive / f"{circuit_id}.yaml"
    test_path = atlas.root / "tests" / "circuits" / f"test_{circuit_id}.py"
    for path in (circuit_path, test_path):
        if path.exists():
            raise ScaffoldError(f"{path} already exists")
    region = PREFERRED_REGION if PREFERRED_REGION in atlas.regions else sorted(atlas.regions)[0]
    text = CIRCUIT_TEMPLATE.format(circuit_id=circuit_id, drive=drive, region=region, today=today or datetime.date.today())
    circuit_from_document(parse_yaml_text(text, circuit_path), atlas.context())  # never hand out a file that does not validate
    return {circuit_path: text, test_path: TEST_TEMPLATE.format(circuit_id=circuit_id)}
