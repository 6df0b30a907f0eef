"""Form edits change the YAML text and keep its comments; saving metadata; search; limits."""

from __future__ import annotations

import datetime
from pathlib import Path

import diskcache
import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.authoring import EditError, set_new_version, validate_text
from drive_atlas.web import yamledit
from drive_atlas.web.limits import Limits, SimulationSlots
from drive_atlas.web.pages.edit import unified_patch
from drive_atlas.web.search import circuit_rows

from ..conftest import FIXTURE_ROOT as FIXTURE_ATLAS

MINI = FIXTURE_ATLAS / "circuits" / "mini" / "mini.yaml"


def _validate(text: str) -> list[str]:
    atlas = Atlas.load(FIXTURE_ATLAS)
    return [str(e) for e in validate_text(text, MINI, atlas.context_for)[1]]


def test_form_edits_keep_comments_and_validate() -> None:
    text = MINI.read_text()
    new = yamledit.set_population_size(text, "agrp", 150)
    new = yamledit.set_projection_field(new, "agrp_to_pvh", "weight", "25 pA")
    new = yamledit.set_receptor_gain(new, "pvh", "Npy1r", "120 pA")
    assert new.splitlines()[0] == text.splitlines()[0] and new.startswith("# A small")
    assert "size: 150" in new and "weight: 25 pA" in new and "gain: 120 pA" in new
    assert _validate(new) == []


def test_add_and_remove_projection() -> None:
    fields = {"id": "agrp_to_agrp", "source": "agrp", "target": "agrp", "sign": "inhibitory", "weight": "5 pA", "delay": "1 ms",
              "connection": {"rule": "fixed_indegree", "indegree": 3}}
    added = yamledit.add_projection(MINI.read_text(), fields, "collateral inhibition, assumed")
    assert _validate(added) == [] and "agrp_to_agrp" in added
    with pytest.raises(EditError, match="already exists"):
        yamledit.add_projection(added, fields, "again")
    with pytest.raises(EditError, match="note"):
        yamledit.add_projection(MINI.read_text(), fields, " ")
    assert "agrp_to_agrp" not in yamledit.remove_projection(added, "agrp_to_agrp")


def test_edits_report_what_is_missing() -> None:
    with pytest.raises(EditError, match="no population 'nope'"):
        yamledit.set_population_size(MINI.read_text(), "nope", 3)
    with pytest.raises(EditError, match="syntax"):
        yamledit.set_population_size("a: [", "agrp", 3)


def test_new_version_puts_its_changelog_entry_first() -> None:
    new = set_new_version(MINI.read_text(), "1.1.0", "stronger inhibition", datetime.date(2026, 3, 1))
    assert 'version: "1.1.0"' in new
    assert new.index("1.1.0") < new.index('"1.0.0"')
    assert _validate(new) == []
    with pytest.raises(EditError, match="changelog"):
        set_new_version(MINI.read_text(), "1.2.0", "")


def test_invalid_text_reports_errors_at_their_lines() -> None:
    text = MINI.read_text().replace("size: 100", "size: -5")
    line = text.splitlines().index("    size: -5") + 1
    errors = validate_text(text, MINI, Atlas.load(FIXTURE_ATLAS).context_for)[1]
    assert any(e.line == line and "size" in e.path for e in errors)


def test_patch_names_the_file_relative_to_the_root() -> None:
    patch = unified_patch(FIXTURE_ATLAS, MINI, "a\n", "b\n")
    assert patch.startswith("--- a/circuits/mini/mini.yaml\n+++ b/circuits/mini/mini.yaml\n")


def test_search_by_receptor_region_and_marker() -> None:
    atlas = Atlas.load(FIXTURE_ATLAS)
    assert [r["id"] for r in circuit_rows(atlas, "npy1r")] == ["mini"]
    assert circuit_rows(atlas, "npy1r", "region") == []
    assert circuit_rows(atlas, "ARH", "region")[0]["matched"] == "region:ARH"
    assert circuit_rows(atlas, "Oxtr") == []


def test_limits_explain_themselves(tmp_path: Path) -> None:
    limits = Limits(max_population_size=100, max_duration_ms=1000, max_concurrent_simulations=1)
    assert "agrp (500)" in limits.check_run({"agrp": 500}, 500)
    assert "limit of 1 s" in limits.check_run({"agrp": 5}, 5000)
    assert limits.check_run({"agrp": 5}, 500) is None
    slots = SimulationSlots(diskcache.Cache(str(tmp_path)), 1)
    assert slots.acquire(pid=1)  # pid 1 is alive
    assert not slots.acquire(pid=2)
    slots.release(pid=1)
    assert slots.acquire(pid=2)


def test_slots_of_dead_processes_are_freed(tmp_path: Path) -> None:
    slots = SimulationSlots(diskcache.Cache(str(tmp_path)), 1)
    assert slots.acquire(pid=2**22 + 12345)  # no such process
    assert slots.acquire(pid=1)


def test_a_composite_validates_against_the_circuits_it_includes(atlas: Atlas) -> None:
    """The editor checks a composite's references to included parts (hunger.agrp) as the loader does."""
    entry = next(e for e in atlas.entries.values() if e.circuit.includes)
    text = entry.path.read_text()
    assert validate_text(text, entry.path, atlas.context_for)[1] == []
    source = f"source: {entry.circuit.projections[0].source}"
    broken = text.replace(source, "source: hunger.no_such_population", 1)
    errors = validate_text(broken, entry.path, atlas.context_for)[1]
    assert [e.path for e in errors] == ["projections[0].source"] and "no_such_population" in errors[0].message
