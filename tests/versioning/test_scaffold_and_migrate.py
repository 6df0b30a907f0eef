"""``drive-atlas new`` writes a circuit that validates; ``drive-atlas migrate`` upgrades old files keeping comments."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drive_atlas.atlas import Atlas
from drive_atlas.cli import main
from drive_atlas.authoring import migrate_file, new_circuit
from drive_atlas.spec import SCHEMA_VERSION
from drive_atlas.versioning.migrate import MigrationError
from drive_atlas.versioning.scaffold import ScaffoldError

from ..conftest import REPO
from .conftest import AtlasRepo

OLD = REPO / "tests" / "fixtures" / "migrate"


def test_new_circuit_validates_and_marks_its_placeholders(repo: AtlasRepo) -> None:
    result = CliRunner().invoke(main, ["new", "thirst", "osmo", "--root", str(repo.root)])
    assert result.exit_code == 0, result.output
    path = repo.root / "circuits" / "thirst" / "osmo.yaml"
    lines = path.read_text().splitlines()
    assert lines[0] == "# yaml-language-server: $schema=../../schema/circuit.schema.json"
    assert "status: draft" in lines and sum("TODO" in line for line in lines) >= 5
    circuit = Atlas.load(repo.root)["osmo"]  # strict: the whole atlas still validates
    assert (circuit.drive, circuit.version, circuit.populations[0].region) == ("thirst", "0.1.0", "HY")
    test_file = repo.root / "tests" / "circuits" / "test_osmo.py"
    compile(test_file.read_text(), str(test_file), "exec")
    assert "from drive_atlas.authoring import failing_assays" in test_file.read_text()


def test_new_refuses_existing_ids_and_bad_names(repo: AtlasRepo) -> None:
    atlas = repo.load()
    with pytest.raises(ScaffoldError, match="already used"):
        new_circuit(atlas, "hunger", "hunger")
    with pytest.raises(ScaffoldError, match="circuit id 'Bad-Id' must be lower case"):
        new_circuit(atlas, "hunger", "Bad-Id")


def test_migrate_upgrades_old_files_and_they_validate(repo: AtlasRepo) -> None:
    paths = []
    for old in sorted(OLD.glob("*.yaml")):
        path = repo.root / "circuits" / "old" / old.name
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(old, path)
        paths.append(path)
    result = CliRunner().invoke(main, ["migrate", *map(str, paths)])
    assert result.exit_code == 0, result.output
    assert "drive_readout -> readout; populations[0].cells -> size; populations[1].cells -> size; schema_version 0 -> 1" in result.output
    atlas = Atlas.load(repo.root)
    assert atlas["hunger_v0"].readout is not None and [p.size for p in atlas["hunger_v0"].populations] == [100, 80]
    assert atlas["pain_v0"].populations[0].size == 40
    text = paths[0].read_text()
    assert text.startswith("# A circuit file from before schema_version existed")
    assert any(line.startswith("    size: 100 ") and line.endswith("# about a tenth of the real population") for line in text.splitlines())
    assert "\nreadout:        # renamed to readout in schema 1\n" in text and "# The drive is read from AgRP activity.\n" in text
    assert 'version: "1.0.0"' in text and f"\nschema_version: {SCHEMA_VERSION}\n" in text
    assert sorted(p.name for p in paths[0].parent.iterdir()) == ["hunger_v0.yaml", "pain_v0.yaml"]  # no temp files left
    again = migrate_file(paths[0])
    assert again.changes == [] and paths[0].read_text() == text


def test_migrate_refuses_ambiguous_or_future_files(tmp_path: Path) -> None:
    both = tmp_path / "both.yaml"
    both.write_text((OLD / "hunger_v0.yaml").read_text().replace("    cells: 100", "    cells: 100\n    size: 100"))
    with pytest.raises(MigrationError, match=r"populations\[0\]. has both 'cells' and 'size'"):
        migrate_file(both)
    future = tmp_path / "future.yaml"
    future.write_text("schema_version: 99\nid: x\n")
    with pytest.raises(MigrationError, match="schema_version 99 is not one this drive-atlas knows"):
        migrate_file(future)
    assert future.read_text() == "schema_version: 99\nid: x\n"
