"""A composite's interface is the union of its parts' interfaces, with input ids behind the part's circuit id.

A composite may add a variable of its own only for an input it adds itself (hunger_aggression's intruder drives
its own medial amygdala input).
"""

from __future__ import annotations

from typing import Any

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import Circuit
from drive_atlas.spec.errors import SpecValidationError

HUNGER_COMPOSITES = ["hunger_thirst", "hunger_threat", "hunger_social", "hunger_aggression"]


def _variables(circuit: Circuit, prefix: str = "") -> dict[str, dict[str, Any]]:
    """State and event id -> its definition, with every map's input id prefixed."""
    interface = circuit.interface
    out: dict[str, dict[str, Any]] = {}
    for section in ("states", "events"):
        for var in getattr(interface, section) if interface else []:
            data = var.model_dump()
            data["maps"] = [{**m, "input": prefix + m["input"]} for m in data["maps"]]
            out[f"{section}:{var.id}"] = data
    return out


@pytest.mark.parametrize("composite_id", HUNGER_COMPOSITES)
def test_composite_interface_is_the_union_of_its_parts(atlas: Atlas, composite_id: str) -> None:
    written = atlas.entry(composite_id).circuit
    expected: dict[str, dict[str, Any]] = {}
    for pin in written.includes:
        part = atlas.at(pin).circuit
        assert part.interface is not None, f"{pin} has no interface to take part in the union"
        expected.update(_variables(part, f"{part.id}."))
    variables = _variables(written)
    own_inputs = {i.id for i in written.inputs}
    added = {k: v for k, v in variables.items() if k not in expected}
    assert {k: v for k, v in variables.items() if k in expected} == expected
    for key, var in added.items():
        assert own_inputs & {m["input"] for m in var["maps"]}, f"{key} maps none of the composite's own inputs"


@pytest.mark.parametrize("composite_id", HUNGER_COMPOSITES)
def test_composite_interface_drives_only_inputs_of_the_flattened_circuit(atlas: Atlas, composite_id: str) -> None:
    flat = atlas[composite_id]
    inputs = {i.id for i in flat.inputs}
    mapped = {m["input"] for var in _variables(flat).values() for m in var["maps"]}
    assert mapped and mapped <= inputs


@pytest.mark.parametrize("composite_id", HUNGER_COMPOSITES)
def test_a_part_variable_written_out_by_the_composite_appears_once(atlas: Atlas, composite_id: str) -> None:
    """Defect: the flattened interface held each written-out variable twice (hunger_energy and <composite>_energy),
    so the composite's behaviour assays and exports could not name ``energy``."""
    written = atlas.entry(composite_id).circuit
    flat = atlas[composite_id]
    assert _variables(flat) == _variables(written)


def test_hunger_pain_readout_combines_both_drives(atlas: Atlas) -> None:
    """The composite's one reward combines its parts' drives: every readout channel of hunger and of pain is read."""
    read = {r.population for r in atlas["hunger_pain"].readout.readouts}
    for pin in atlas.entry("hunger_pain").circuit.includes:
        part = atlas.at(pin).circuit
        assert {f"{part.id}.{r.population}" for r in part.readout.readouts} <= read, pin


def test_behaviour_assays_are_checked_against_the_composed_interface(atlas: Atlas, tmp_path) -> None:
    """Defect: validation read a composite's interface as written, so a variable the composition renames (declared
    differently here than by its part: ``hunger_energy`` and ``hunger_aggression_energy``) passed validation and
    failed only when the behaviour assay ran. Now it is a located error at validate time."""
    source = atlas.entry("hunger_aggression").path
    text = source.read_text(encoding="utf-8")
    changed = text.replace("Stored and available energy, 0 depleted", "Energy reserve, 0 depleted", 1)
    assert changed != text
    draft = tmp_path / "hunger_aggression.yaml"
    draft.write_text(changed, encoding="utf-8")
    with pytest.raises(SpecValidationError) as caught:
        atlas.validate_file(draft)
    located = [e for e in caught.value.errors if "unknown interface variable 'energy'" in str(e)]
    assert located, caught.value.errors
    assert "behaviour_assays" in str(located[0]) and "hunger_aggression_energy" in str(located[0])


def test_a_curated_composite_validates_against_its_composed_interface(atlas: Atlas) -> None:
    for composite_id in HUNGER_COMPOSITES + ["hunger_pain"]:
        atlas.validate_file(atlas.entry(composite_id).path)


def test_a_composite_missing_its_id_is_a_located_error_not_a_crash(atlas: Atlas, tmp_path) -> None:
    """Defect (found by the structural fuzzer): composing the interface of a composite whose id was missing raised
    AttributeError inside validation."""
    draft = tmp_path / "hunger_aggression.yaml"
    draft.write_text(atlas.entry("hunger_aggression").path.read_text(encoding="utf-8").replace("id: hunger_aggression\n", "", 1),
                     encoding="utf-8")
    with pytest.raises(SpecValidationError, match="missing required field 'id'"):
        atlas.validate_file(draft)
