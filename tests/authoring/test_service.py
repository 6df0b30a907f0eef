"""Saves through the authoring service: one version-bump rule with ``drive-atlas check``, and nothing lost on failure."""

from __future__ import annotations

import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

import drive_atlas.assays
from drive_atlas.authoring import (
    BumpRefused, EditError, SaveConflict, check, read_text, reference_for, save_version, store, suggested_version,
)
from drive_atlas.cli import main
from drive_atlas.spec import SpecValidationError

from ..versioning.conftest import HUNGER, NEW_POPULATION, AtlasRepo, bump

BIGGER = HUNGER.replace("size: 100\n    background", "size: 120\n    background")  # a patch change
WITH_POMC = HUNGER.replace("projections:\n", NEW_POPULATION, 1)  # a minor change
TODAY = datetime.date(2026, 2, 1)


def _save(repo: AtlasRepo, text: str, version: str, changes: str = "A change.") -> str:
    """Save ``text`` as ``version`` from the committed file, as the web editor does; the saved text."""
    atlas = repo.load()
    entry = atlas.entries["hunger"]
    _, base = read_text(entry.path)
    return save_version(entry.path, text, base, reference_for(atlas, entry), version, changes, atlas.context_for, TODAY).text


def _check(repo: AtlasRepo) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", "--base", "main", "--root", str(repo.root)])
    return result.exit_code, result.output


@pytest.mark.parametrize(("text", "version"), [(BIGGER, "1.0.5"), (BIGGER, "1.5.0"), (BIGGER, "2.0.1"), (WITH_POMC, "1.0.1")])
def test_a_version_check_refuses_is_refused_by_the_editor_too(repo: AtlasRepo, text: str, version: str) -> None:
    """Any greater version used to save (1.0.0 -> 1.5.0), then failed CI: the save now applies check's rule."""
    path = repo.circuit_path()
    before = path.read_text()
    refused_by_check = _check_text(repo, text, version)
    with pytest.raises(BumpRefused) as refused:
        _save(repo, text, version)
    assert str(refused.value) == refused_by_check
    assert path.read_text() == before


def _check_text(repo: AtlasRepo, text: str, version: str) -> str:
    """What ``drive-atlas check`` says of ``text`` at ``version`` written by hand (the file is restored after)."""
    path = repo.circuit_path()
    before = path.read_text()
    path.write_text(bump(text, version))
    code, output = _check(repo)
    path.write_text(before)
    assert code == 1, output
    return output.split(f"hunger@{version}: ", 1)[1].split("\n")[0]


@pytest.mark.parametrize(("text", "version", "notice"), [
    (BIGGER, "1.0.1", None), (WITH_POMC, "1.1.0", None), (BIGGER, "2.0.0", "a major bump for what the diff rates a patch change"),
])
def test_what_the_editor_saves_passes_check(repo: AtlasRepo, text: str, version: str, notice: str | None) -> None:
    saved = _save(repo, text, version)
    assert repo.circuit_path().read_text() == saved
    assert f'version: "{version}"' in saved and "# Fixture for the versioning tests" in saved, "comments are kept"
    code, output = _check(repo)
    assert code == 0, output
    assert (notice in output) if notice else "notice: hunger" not in output  # the audit may add a data notice


def test_saving_again_before_a_commit_keeps_the_version_check_will_compare(repo: AtlasRepo) -> None:
    """Two saves in the browser: 1.0.0 -> 1.0.1 -> 1.0.2 would fail CI, which compares with the committed 1.0.0."""
    first = _save(repo, BIGGER, "1.0.1")
    second = first.replace("gain: 150 pA", "gain: 160 pA")
    with pytest.raises(BumpRefused, match=r"1.0.0 -> 1.0.2 is not the next version"):
        _save(repo, second, "1.0.2")
    atlas = repo.load()
    assert suggested_version(reference_for(atlas, atlas.entries["hunger"]), atlas.entries["hunger"].circuit) == "1.0.1"
    _save(repo, second, "1.0.1", changes="")
    assert _check(repo)[0] == 0
    grown = repo.circuit_path().read_text().replace("projections:\n", NEW_POPULATION, 1)
    with pytest.raises(BumpRefused, match="a minor change .* cannot ship as a patch bump: use 1.1.0"):
        _save(repo, grown, "1.0.1")
    _save(repo, grown, "1.1.0")
    code, output = _check(repo)
    assert code == 0, output
    repo.commit("hunger 1.1.0")
    atlas = repo.load()
    assert suggested_version(reference_for(atlas, atlas.entries["hunger"]), atlas.entries["hunger"].circuit) == "1.1.1"


def test_a_save_needs_a_changelog_entry_and_the_same_id(repo: AtlasRepo) -> None:
    with pytest.raises(EditError, match="changelog"):
        _save(repo, BIGGER, "1.0.1", changes=" ")
    with pytest.raises(EditError, match="the id must stay 'hunger'"):
        _save(repo, BIGGER.replace("id: hunger", "id: hunger2"), "1.0.1")
    with pytest.raises(SpecValidationError, match="size"):
        _save(repo, HUNGER.replace("size: 100\n    background", "size: -3\n    background"), "1.0.1")
    assert repo.circuit_path().read_text() == HUNGER


def test_a_save_over_a_changed_file_is_a_conflict(repo: AtlasRepo) -> None:
    atlas = repo.load()
    entry = atlas.entries["hunger"]
    _, base = read_text(entry.path)
    repo.write(BIGGER.replace('version: "1.0.0"', 'version: "1.0.0"  # edited elsewhere'))
    theirs = entry.path.read_text()
    with pytest.raises(SaveConflict, match="changed on disk"):
        save_version(entry.path, WITH_POMC, base, entry.circuit, "1.1.0", "mine", atlas.context_for, TODAY)
    assert entry.path.read_text() == theirs


def test_a_failed_save_leaves_the_old_file_intact(repo: AtlasRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store.os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        _save(repo, BIGGER, "1.0.1")
    assert repo.circuit_path().read_text() == HUNGER
    assert sorted(p.name for p in repo.circuit_path().parent.iterdir()) == ["hunger.yaml"]


def test_leftovers_are_never_circuits(repo: AtlasRepo) -> None:
    folder = repo.circuit_path().parent
    (folder / ".hunger.yaml.3fa9c1d2.tmp").write_text(BIGGER.replace("id: hunger", "id: ghost"))
    (folder / ".hunger.yaml.lock").write_text("")
    atlas = repo.load()
    assert sorted(atlas.entries) == ["hunger"] and atlas.errors == []
    result = CliRunner().invoke(main, ["list", "--format", "json", "--root", str(repo.root)])
    assert "ghost" not in result.output


def test_new_and_migrate_write_through_the_service(repo: AtlasRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["new", "thirst", "osmo", "--root", str(repo.root)]).exit_code == 0
    again = runner.invoke(main, ["new", "thirst", "osmo", "--root", str(repo.root)])
    assert again.exit_code == 1 and "already" in again.output
    assert not [p for p in (repo.root / "circuits" / "thirst").iterdir() if store.is_temporary(p)]
    (tmp_path / "old").mkdir()
    old = tmp_path / "old" / "old.yaml"
    old.write_text(HUNGER.replace("schema_version: 1\n", "").replace("size: 100\n    background", "cells: 100\n    background"))
    monkeypatch.setattr(store.os, "replace", lambda *_: (_ for _ in ()).throw(OSError(30, "Read-only file system")))
    result = runner.invoke(main, ["migrate", str(old)])
    assert result.exit_code == 1 and "not written (Read-only file system); the file is unchanged" in result.output
    assert "    cells: 100\n" in old.read_text() and [p.name for p in old.parent.iterdir()] == ["old.yaml"]


def test_check_runs_the_assays_when_a_circuit_becomes_curated(repo: AtlasRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    ran = []

    def run_assays(circuit, atlas):  # type: ignore[no-untyped-def]
        ran.append(circuit.id)
        results = [SimpleNamespace(assay=SimpleNamespace(id=a), status=s) for a, s in (("a1", "pass"), ("a2", "fail"), ("a3", "xfail"))]
        return SimpleNamespace(results=results)

    monkeypatch.setattr(drive_atlas.assays, "run_assays", run_assays)
    repo.write(bump(HUNGER, "1.0.1").replace("status: draft\n", "status: curated\ncurators: [{name: A. Curator}]\n"))
    report = check(repo.load(), "main")
    assert ran == ["hunger"]
    assert [(f.severity, f.message) for f in report.findings] == [
        ("notice", "curated with recorded known gaps (expected_failure): a3"),
        ("error", "status curated needs every assay to pass; failing: a2"),
    ]
