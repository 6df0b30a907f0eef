"""Circuit semantics in one place: what validate reports is what the simulator refuses, for a composite too."""

from __future__ import annotations

from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.sim import ProtocolError, Timeline
from drive_atlas.spec import SpecValidationError
from drive_atlas.spec.circuit import Lesion
from drive_atlas.spec.semantics import NotRunnableError, RunnableCircuit, require_runnable, runnable

COMPOSITE = "hunger_pain"
FIRST_EVENTS = "    events:\n"


def _composite_with(atlas: Atlas, tmp_path: Path, events: list[str], interface: str = "") -> Path:
    """hunger_pain's file with extra events in its first protocol (and an interface), in a scratch folder."""
    text = atlas.entries[COMPOSITE].path.read_text(encoding="utf-8")
    if interface:  # replace the composite's own interface section with the given one
        start = text.index("\ninterface:\n") + 1
        end = next((i for i in range(start + 1, len(text)) if text[i - 1] == "\n" and text[i].isalpha()), len(text))
        text = text[:start] + text[end:]
    at = text.index(FIRST_EVENTS) + len(FIRST_EVENTS)
    text = text[:at] + "".join(f"      - {e}\n" for e in events) + text[at:] + interface
    path = tmp_path / f"{COMPOSITE}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(path: Path, fragment: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if fragment in line)


def test_events_on_parts_that_do_not_exist_are_located_errors(atlas: Atlas, tmp_path: Path) -> None:
    interface = ("interface:\n  states:\n    - {id: energy, low: 0, high: 1, initial: 0.5,"
                 " maps: [{input: hunger.glucose, at_low: 1 nM, at_high: 0 nM}]}\n"
                 "  events:\n    - {id: meal, maps: [{input: thirst.water, at_low: 0 Hz, at_high: 10 Hz}]}\n")
    path = _composite_with(atlas, tmp_path, ["{type: lesion, population: hunger.nope}",
                                            "{type: input, input: thirst.nope, level: 1 nM}",
                                            "{type: drug, ligand: npy, concentration: 1 nM, sites: [pain.nope]}"], interface)
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    found = {(e.line, e.path): e.message for e in info.value.errors}
    expected = {
        ("population: hunger.nope", ".events[0].population"): "unknown population 'hunger.nope'",
        ("input: thirst.nope", ".events[1].input"): "unknown input 'thirst.nope'",
        ("sites: [pain.nope]", ".events[2].sites[0]"): "unknown population 'pain.nope'",
        ("hunger.glucose", "interface.states[0].maps[0].input"): "unknown input 'hunger.glucose'",
        ("thirst.water", "interface.events[0].maps[0].input"): "unknown input 'thirst.water'",
    }
    for (fragment, field), message in expected.items():
        line = _line_of(path, fragment)
        hits = [m for (ln, p), m in found.items() if ln == line and p.endswith(field)]
        assert hits and message in hits[0], f"{fragment}: {found}"
    assert all(e.column >= 1 and e.file.endswith(path.name) for e in info.value.errors)


def test_a_lesion_with_until_fails_validate_exactly_as_it_fails_a_run(atlas: Atlas, tmp_path: Path) -> None:
    """Defect: a lesion with ``until`` passed validate and CI, then was refused at run time."""
    event = "{type: lesion, population: hunger.agrp, at: 1 s, until: 2 s}"
    path = _composite_with(atlas, tmp_path, [event])
    with pytest.raises(SpecValidationError) as info:
        atlas.validate_file(path)
    [error] = [e for e in info.value.errors if e.path.endswith("until")]
    assert error.line == _line_of(path, event)
    lesion = Lesion.model_validate({"type": "lesion", "population": "hunger.agrp", "at": "1 s", "until": "2 s"})
    with pytest.raises(ProtocolError) as refused:
        Timeline.build(atlas[COMPOSITE], atlas.ligands, None, [lesion])
    assert error.message in str(refused.value)


def test_a_composite_as_written_is_not_runnable_until_flattened(atlas: Atlas) -> None:
    written = atlas.entries[COMPOSITE].circuit
    with pytest.raises(NotRunnableError, match="hunger_pain includes hunger@.*flatten"):
        runnable(written)
    flat = atlas.runnable(written)
    assert isinstance(flat, RunnableCircuit) and flat == atlas[COMPOSITE]
    assert {"hunger.agrp", "pain.pbn_cgrp"} <= {p.id for p in flat.populations}


def test_a_circuit_naming_populations_it_lacks_is_not_runnable(mini) -> None:
    broken = mini.model_copy(update={"populations": mini.populations[:1]})  # a copy skips validation
    for check in (runnable, require_runnable):
        with pytest.raises(NotRunnableError, match="does not define: pvh"):
            check(broken)
