"""Each broken circuit file names, in '# expect: LINE MESSAGE' comments, the errors it must produce."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import SpecValidationError

HERE = Path(__file__).parent
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
EXPECT = re.compile(r"^# expect: (\d+) (.*)$")


def expectations(path: Path) -> list[tuple[int, str]]:
    found = [EXPECT.match(line) for line in path.read_text().splitlines()]
    return [(int(m.group(1)), m.group(2).strip()) for m in found if m]


def test_the_minimal_circuit_is_valid(atlas: Atlas) -> None:
    circuit = atlas.validate_file(HERE / "valid_minimal.yaml")
    assert [p.id for p in circuit.populations] == ["agrp", "pvh"]
    assert circuit.projections[0].weight == 20.0


def test_corpus_is_not_empty() -> None:
    assert len(BROKEN) >= 20
    assert all(expectations(p) for p in BROKEN)


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_file_reports_expected_errors(atlas: Atlas, path: Path) -> None:
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    errors = info.value.errors
    assert all(e.file.endswith(path.name) for e in errors)
    for line, message in expectations(path):
        matching = [e for e in errors if e.line == line and message in e.message]
        assert matching, f"expected an error at line {line} containing {message!r}; got:\n" + "\n".join(map(str, errors))


def test_all_errors_are_reported_at_once(atlas: Atlas) -> None:
    """A structural error does not hide the cross-reference errors elsewhere in the file."""
    errors = {(e.line, e.path) for e in _errors(atlas, HERE / "broken" / "multiple_errors.yaml")}
    assert len(errors) >= 3


def _errors(atlas: Atlas, path: Path) -> list:
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    return info.value.errors
