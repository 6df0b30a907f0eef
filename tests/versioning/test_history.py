"""Loading circuits at released versions and git revisions; verifying recorded (id, version, hash) triples."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from drive_atlas.atlas import Atlas
from drive_atlas.atlas.history import HistoryError, history_of, verify
from drive_atlas.cli import main

from ..conftest import REPO
from .conftest import FIXTURES, HUNGER, AtlasRepo, bump

V110 = bump(HUNGER, "1.1.0").replace("size: 100\n    background", "size: 150\n    background").replace("title: Fixture hunger circuit", "title: Hunger v1.1")


@pytest.fixture
def two_releases(repo: AtlasRepo) -> tuple[AtlasRepo, str, str]:
    """hunger@1.0.0 and hunger@1.1.0 committed; returns the repo, the 1.0.0 commit and the 1.0.0 hash."""
    first = repo.git("rev-parse", "HEAD")
    old_hash = repo.load().entries["hunger"].content_hash
    repo.write(V110)
    repo.commit("hunger 1.1.0")
    return repo, first, old_hash


def test_released_version_loads_from_history(two_releases: tuple[AtlasRepo, str, str]) -> None:
    repo, first, old_hash = two_releases
    atlas = repo.load()
    entry = atlas.at("hunger@1.0.0")
    assert entry.commit == first and entry.content_hash == old_hash
    assert entry.circuit.title == "Fixture hunger circuit" and entry.circuit.populations[0].size == 100
    assert atlas["hunger@1.0.0"].version == "1.0.0"
    current = atlas.at("hunger@1.1.0")
    assert current.commit is None and current is atlas.entries["hunger"]


def test_git_revision_and_moved_file(two_releases: tuple[AtlasRepo, str, str]) -> None:
    repo, first, old_hash = two_releases
    repo.git("mv", "circuits/hunger", "circuits/feeding")
    repo.commit("move to feeding")
    atlas = repo.load()
    assert atlas.at("hunger@main~2").content_hash == old_hash
    assert atlas.at("hunger@1.0.0").commit == first  # found across the folder move
    assert history_of(repo.root, "hunger", None).versions() == ["1.1.0", "1.0.0"]


def test_unknown_versions_and_revisions_fail_clearly(two_releases: tuple[AtlasRepo, str, str]) -> None:
    atlas = two_releases[0].load()
    with pytest.raises(KeyError, match=r"no version 9.9.9 of 'hunger' in the git history \(versions: 1.1.0, 1.0.0\)"):
        atlas.at("hunger@9.9.9")
    with pytest.raises(HistoryError, match="unknown git revision 'nope'"):
        atlas.at("hunger@nope")


def test_verify_recorded_triples(two_releases: tuple[AtlasRepo, str, str]) -> None:
    repo, first, old_hash = two_releases
    atlas = repo.load()
    assert verify(atlas, "hunger", "1.0.0", old_hash).commit == first
    assert verify(atlas, "hunger", "1.1.0", atlas.entries["hunger"].content_hash).ok
    tampered = verify(atlas, "hunger", "1.0.0", "sha256:" + "0" * 64)
    assert not tampered.ok and "changed without a version bump" in tampered.message
    assert not verify(atlas, "hunger", "3.0.0", old_hash).ok


def test_outside_git_only_the_working_tree_is_known(tmp_path: Path) -> None:
    root = tmp_path / "atlas"
    shutil.copytree(FIXTURES / "atlas", root)
    shutil.copy(REPO / "data" / "regions.csv", root / "data" / "regions.csv")
    (root / "circuits" / "hunger").mkdir(parents=True)
    (root / "circuits" / "hunger" / "hunger.yaml").write_text(HUNGER)
    atlas = Atlas.load(root)
    assert atlas["hunger@1.0.0"].id == "hunger"
    with pytest.raises(HistoryError, match="not inside a git repository"):
        atlas.at("hunger@0.9.0")


def test_cli_diff_between_versions_revisions_and_files(two_releases: tuple[AtlasRepo, str, str]) -> None:
    repo = two_releases[0]
    runner = CliRunner()
    root = ["--root", str(repo.root)]
    text = runner.invoke(main, ["diff", "hunger@1.0.0", "hunger@1.1.0", *root])
    assert text.exit_code == 0, text.output
    assert "hunger@1.0.0 -> hunger@1.1.0" in text.output and "~ populations.agrp.size: 100 -> 150  [patch]" in text.output
    by_rev = runner.invoke(main, ["diff", "main~1:circuits/hunger/hunger.yaml", str(repo.circuit_path()), "--format", "json", *root])
    assert by_rev.exit_code == 0, by_rev.output
    assert '"level": "patch"' in by_rev.output
    usage = runner.invoke(main, ["diff", "hunger", *root])
    assert usage.exit_code == 2 and "give two circuits A B, or --base REV" in usage.output


COMBO = """schema_version: 1
id: combo
version: "1.0.0"
title: Hunger with an extra reader
drive: hunger
species: Mus musculus
status: draft
changelog:
  - version: "1.0.0"
    date: 2026-01-02
    changes: First version.
includes: ["hunger@1.0.0"]
populations:
  - id: reader
    name: A reader of PVH
    region: LHA
    transmitter: glutamate
    size: 20
    evidence: [{kind: model_assumption, note: fixture}]
projections:
  - id: pvh_to_reader
    source: hunger.pvh
    target: reader
    sign: excitatory
    weight: 10 pA
    delay: 1.5 ms
    connection: {rule: fixed_indegree, indegree: 5}
    evidence: [{kind: model_assumption, note: fixture}]
"""


def test_an_old_composite_version_loads_with_its_pinned_includes(two_releases: tuple[AtlasRepo, str, str]) -> None:
    """combo@1.0.0 pins hunger@1.0.0 (itself only in history); both come back, flattened into a runnable circuit."""
    repo, _, _ = two_releases
    repo.write(COMBO, "combo", "hunger")
    first = repo.commit("combo 1.0.0")
    repo.write(bump(COMBO, "1.1.0").replace("size: 20", "size: 30"), "combo", "hunger")
    repo.commit("combo 1.1.0")
    atlas = repo.load()
    assert atlas.errors == []
    old = atlas.at("combo@1.0.0")
    assert old.commit == first and old.circuit.populations[0].size == 20
    runnable = atlas["combo@1.0.0"]
    sizes = {p.id: p.size for p in runnable.populations}
    assert sizes["hunger.agrp"] == 100 and sizes["reader"] == 20  # hunger as it was at 1.0.0 (1.1.0 has 150)
    assert verify(atlas, "combo", "1.0.0", old.content_hash).ok
