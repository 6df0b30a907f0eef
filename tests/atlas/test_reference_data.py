"""Broken reference data is a located error, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import SpecValidationError

from ..conftest import FIXTURE_ROOT


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "atlas"
    shutil.copytree(FIXTURE_ROOT, copy)
    return copy


def test_regions_without_acronym_column(root: Path) -> None:
    path = root / "data" / "regions.csv"
    path.write_text(path.read_text().replace("acronym,name", "acr,name", 1))
    with pytest.raises(SpecValidationError, match="missing column"):
        Atlas.load(root)


def test_short_region_row_names_its_line(root: Path) -> None:
    path = root / "data" / "regions.csv"
    path.write_text(path.read_text() + "XX,Short row\n")
    with pytest.raises(SpecValidationError) as info:
        Atlas.load(root)
    assert info.value.errors[0].line == len(path.read_text().splitlines())


def test_missing_regions_file(root: Path) -> None:
    (root / "data" / "regions.csv").unlink()
    with pytest.raises(SpecValidationError, match="cannot read file"):
        Atlas.load(root)


def test_bibliography_errors_point_at_the_entry(root: Path) -> None:
    path = root / "data" / "references.yaml"
    path.write_text(path.read_text().replace("year: 2011", "year: eleven", 1))
    with pytest.raises(SpecValidationError) as info:
        Atlas.load(root)
    error = info.value.errors[0]
    assert error.path.endswith(".year") and error.line > 1
