"""Safe loading: nothing in a YAML file is executed; oversize input is refused with a clear message."""

from __future__ import annotations

from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import SpecValidationError, read_yaml
from drive_atlas.spec.yamlio import MAX_FILE_BYTES

from ..conftest import REPO

MINIMAL = REPO / "tests" / "spec" / "valid_minimal.yaml"


def test_python_tags_are_not_executed(atlas: Atlas, tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    path = tmp_path / "evil.yaml"
    path.write_text(MINIMAL.read_text().replace(
        "title: Minimal test circuit", f"title: !!python/object/apply:os.system ['touch {marker}']"))
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    assert not marker.exists()
    assert "could not determine a constructor" in info.value.errors[0].message


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    with pytest.raises(SpecValidationError, match="refusing to read it"):
        read_yaml(path)


def test_too_many_neurons_in_total_is_refused(atlas: Atlas, tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(MINIMAL.read_text().replace("size: 50", "size: 200000"))
    big = path.read_text()
    for n in range(2, 7):  # six populations of 200,000 neurons
        big = big.replace("projections:", f"""  - id: extra{n}
    name: filler
    region: PVH
    transmitter: glutamate
    size: 200000
    evidence: [{{kind: model_assumption, note: size test}}]
projections:""", 1)
    path.write_text(big)
    with pytest.raises(SpecValidationError, match="more than the limit"):
        atlas.validate_file(path)


def test_empty_file_reports_missing_fields(atlas: Atlas, tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("")
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    assert {"id", "version", "title"} <= {e.path for e in info.value.errors}


def test_a_list_at_the_top_is_a_clear_error(atlas: Atlas, tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    with pytest.raises(SpecValidationError, match="expected a mapping"):
        atlas.validate_file(path)
