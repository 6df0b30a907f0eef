"""``drive-atlas check``: a content change needs a changelog entry and a bump of the right level."""

from __future__ import annotations

from click.testing import CliRunner

from drive_atlas.atlas import Atlas
from drive_atlas.cli import main
from drive_atlas.spec import Circuit
from drive_atlas.versioning import check_against
from drive_atlas.versioning.rules import AssayRunner, bump_level

from .conftest import HUNGER, NEW_POPULATION, AtlasRepo, bump

BIGGER = HUNGER.replace("size: 100\n    background", "size: 120\n    background")
WITH_POMC = HUNGER.replace("projections:\n", NEW_POPULATION, 1)


def no_assays(circuit: Circuit, atlas: Atlas) -> dict[str, str]:
    raise AssertionError("assays run only when a circuit becomes curated")


def errors(repo: AtlasRepo, run_assays: AssayRunner = no_assays) -> list[str]:
    report = check_against(repo.load(), "main", run_assays)
    return [f.message for f in report.findings if f.severity == "error"]


def test_unchanged_atlas_passes(repo: AtlasRepo) -> None:
    assert errors(repo) == []


def test_content_change_without_bump_fails(repo: AtlasRepo) -> None:
    repo.write(BIGGER)
    [message] = errors(repo)
    assert "without a version bump" in message and "populations.agrp.size" in message and "1.0.1" in message


def test_bump_of_the_wrong_level_fails(repo: AtlasRepo) -> None:
    repo.write(bump(WITH_POMC, "1.0.1"))
    [message] = errors(repo)
    assert "a minor change (populations.pomc) cannot ship as a patch bump: use 1.1.0" in message


def test_missing_changelog_entry_fails(repo: AtlasRepo) -> None:
    repo.write(BIGGER.replace('version: "1.0.0"\ntitle', 'version: "1.0.1"\ntitle'))
    [message] = errors(repo)
    assert "changelog has no entry for the current version 1.0.1" in message


def test_skipping_a_version_fails(repo: AtlasRepo) -> None:
    repo.write(bump(BIGGER, "1.0.2"))
    [message] = errors(repo)
    assert "not the next version" in message and "1.0.1 (patch)" in message


def test_correct_change_passes_and_over_bump_is_a_notice(repo: AtlasRepo) -> None:
    repo.write(bump(BIGGER, "1.0.1"))
    assert errors(repo) == []
    repo.write(bump(BIGGER, "2.0.0"))
    report = check_against(repo.load(), "main", no_assays)
    assert report.ok and [f.message for f in report.findings] == ["a major bump for what the diff rates a patch change"]


def test_only_changes_since_the_merge_base_count(repo: AtlasRepo) -> None:
    repo.git("checkout", "-q", "-b", "feature")
    repo.write(bump(WITH_POMC, "1.1.0"))
    repo.commit("pomc")
    repo.git("checkout", "-q", "main")
    repo.write(bump(BIGGER, "1.0.1"))
    repo.commit("bigger agrp on main")
    repo.git("checkout", "-q", "feature")
    assert errors(repo) == []  # judged against the branch point, not main's newer 1.0.1


def curated(text: str) -> str:
    return bump(text, "1.0.1").replace("status: draft\n", "status: curated\ncurators: [{name: A. Curator}]\n")


def test_curation_needs_passing_assays(repo: AtlasRepo) -> None:
    repo.write(curated(HUNGER))

    def failing(circuit: Circuit, atlas: Atlas) -> dict[str, str]:
        return {"ghrelin_excites_agrp": "fail"}

    assert errors(repo, run_assays=failing) == ["status curated needs every assay to pass; failing: ghrelin_excites_agrp"]
    assert errors(repo, run_assays=lambda circuit, atlas: {}) == []


def test_curated_without_curator_is_a_validation_error(repo: AtlasRepo) -> None:
    repo.write(bump(HUNGER, "1.0.1").replace("status: draft", "status: curated"))
    assert errors(repo) == ["curators: a curated circuit needs at least one curator"]


def test_removing_a_released_circuit_needs_deprecation_first(repo: AtlasRepo) -> None:
    repo.circuit_path().unlink()
    assert errors(repo) == ["a released circuit may be removed only after a release with status: deprecated"]


def test_bump_levels() -> None:
    assert [bump_level("1.2.3", v) for v in ("1.2.4", "1.3.0", "2.0.0", "1.3.1", "1.2.3", "0.9.0")] == ["patch", "minor", "major", None, None, None]


def test_cli_check_and_changed(repo: AtlasRepo) -> None:
    runner = CliRunner()
    repo.write(BIGGER)
    result = runner.invoke(main, ["check", "--base", "main", "--root", str(repo.root)])
    assert result.exit_code == 1 and "without a version bump" in result.output
    repo.write(bump(BIGGER, "1.0.1"))
    assert runner.invoke(main, ["check", "--base", "main", "--root", str(repo.root)]).exit_code == 0
    assert runner.invoke(main, ["changed", "--base", "main", "--root", str(repo.root)]).stdout == "hunger\n"  # stderr names the atlas
    summary = runner.invoke(main, ["diff", "--base", "main", "--format", "markdown", "--root", str(repo.root)]).stdout
    assert summary.startswith("## Circuit changes since") and "`populations.agrp.size`" in summary
    bad_rev = runner.invoke(main, ["check", "--base", "--output=x", "--root", str(repo.root)])
    assert bad_rev.exit_code == 1 and "not a git revision" in bad_rev.output
