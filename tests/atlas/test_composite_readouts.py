"""A composite's readout is derived from its parts' readouts (``readout: {combine: ...}``), never copied.

Defect: hunger_pain held a hand copy of hunger 1.2.0's readout (AgRP 2-15 Hz, PVH MC4R 7-17 Hz, hunger's PBN CGRP
as a drive term) while it included hunger@2.0.0, whose readout reads AgRP and PVH MC4R only and pays PBN CGRP
activity as an aversive reward term.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.spec import Circuit, SpecValidationError
from drive_atlas.spec.circuit import CombinedReadout, ReadoutSpec
from drive_atlas.spec.composition import CompositionError, composed_readout
from drive_atlas.spec.semantics import NotRunnableError, runnable
from drive_atlas.versioning import diff_circuits

COMBINED = ["hunger_pain", "hunger_thirst", "hunger_threat", "hunger_social"]


def _channels(readout: ReadoutSpec) -> dict[str, tuple[float, float, float]]:
    return {r.population: (r.weight, r.low, r.high) for r in readout.readouts}


def test_hunger_pain_reads_hunger_and_pain_at_their_pinned_versions(atlas: Atlas) -> None:
    """Each part's channels behind its id at half weight, and hunger's aversive PBN CGRP term at half weight."""
    readout = atlas["hunger_pain"].readout
    written = atlas.entry("hunger_pain").circuit
    expected: dict[str, tuple[float, float, float]] = {}
    for pin in written.includes:
        part = atlas.at(pin).circuit
        expected.update({f"{part.id}.{p}": (0.5 * w, lo, hi) for p, (w, lo, hi) in _channels(part.readout).items()})
    assert _channels(readout) == expected
    assert "hunger.pbn_cgrp" not in _channels(readout)
    hunger = atlas.at("hunger@2.0.0").circuit.readout.reward.aversive
    aversive = readout.reward.aversive
    assert aversive is not None and aversive.population == "hunger.pbn_cgrp"
    assert (aversive.baseline, aversive.scale, aversive.weight) == (hunger.baseline, hunger.scale, 0.5 * hunger.weight)
    assert readout.tau == min(atlas.at(pin).circuit.readout.tau for pin in written.includes)


@pytest.mark.parametrize("composite_id", COMBINED)
def test_a_combined_readout_follows_its_parts(atlas: Atlas, composite_id: str) -> None:
    """Written as ``combine``; what runs is the readout composed from the parts the composite pins, terms included."""
    written = atlas.entry(composite_id).circuit
    assert isinstance(written.readout, CombinedReadout)
    flat = atlas[composite_id].readout
    assert isinstance(flat, ReadoutSpec)
    for name, weight in written.readout.combine.items():
        part = next(atlas.at(pin).circuit for pin in written.includes if pin.startswith(f"{name}@")).readout
        for r in part.readouts:
            assert _channels(flat)[f"{name}.{r.population}"] == (weight * r.weight, r.low, r.high)
        if part.reward.dopamine is not None:
            assert flat.reward.dopamine.population == f"{name}.{part.reward.dopamine.population}"
            assert flat.reward.dopamine_weight == weight * part.reward.dopamine_weight
        assert flat.reward.drive_reduction == part.reward.drive_reduction


def test_hunger_aggression_keeps_its_own_readout(atlas: Atlas) -> None:
    """It reads parental_care's VMHvl Esr1 neurons (aggression), not parental_care's readout (care): written out."""
    written = atlas.entry("hunger_aggression").circuit
    assert isinstance(written.readout, ReadoutSpec)
    assert atlas["hunger_aggression"].readout == written.readout


def _parts(atlas: Atlas, composite_id: str) -> list[Circuit]:
    return atlas.parts_of(atlas.entry(composite_id).circuit)


def test_weights_scale_every_term_and_tau_may_be_given(atlas: Atlas) -> None:
    written = atlas.entry("hunger_social").circuit
    own = written.readout.model_copy(update={"combine": {"social_reward": 0.25}, "tau": 200.0})
    parts = _parts(atlas, "hunger_social")
    readout = composed_readout(written.model_copy(update={"readout": own}), parts)
    part = next(p for p in parts if p.id == "social_reward").readout  # the release the composite pins
    assert readout.tau == 200.0
    assert readout.reward.dopamine_weight == 0.25 * part.reward.dopamine_weight
    assert [r.weight for r in readout.readouts] == [0.25 * r.weight for r in part.readouts]
    assert readout.evidence[-len(own.evidence):] == own.evidence  # the parts' evidence first, then why this combination


def test_two_aversive_terms_are_refused_not_summed(atlas: Atlas) -> None:
    """A readout holds one aversive term; combining two parts that each carry one is an error, not a silent drop."""
    hunger = atlas.at("hunger@2.0.0").circuit
    twin = hunger.model_copy(update={"id": "hunger_twin"})
    written = atlas.entry("hunger_pain").circuit
    composite = written.model_copy(update={"readout": written.readout.model_copy(update={"combine": {"hunger": 0.5, "hunger_twin": 0.5}})})
    with pytest.raises(CompositionError, match="hunger and hunger_twin both have a aversive reward term"):
        composed_readout(composite, [hunger, twin])


def test_a_combined_readout_cannot_run_unflattened(atlas: Atlas) -> None:
    written = atlas.entry("hunger_pain").circuit
    single = written.model_copy(update={"includes": [], "populations": atlas["hunger_pain"].populations})
    with pytest.raises(NotRunnableError, match="readout"):
        runnable(single)


def _variant(atlas: Atlas, tmp_path: Path, old: str, new: str) -> Circuit:
    text = atlas.entry("hunger_pain").path.read_text(encoding="utf-8")
    old, new = f"\nreadout:\n  {old}\n", f"\nreadout:\n  {new}\n"  # the section, not the changelog's words
    assert old in text
    draft = tmp_path / "hunger_pain.yaml"
    draft.write_text(text.replace(old, new, 1), encoding="utf-8")
    return atlas.validate_file(draft)


def test_the_diff_rates_a_combined_readout_by_what_it_derives(atlas: Atlas, tmp_path: Path) -> None:
    """Dropping a part drops its channels (major, as removing written-out readouts is); a weight is a patch."""
    written = atlas.entry("hunger_pain").circuit
    dropped = _variant(atlas, tmp_path, "combine: {hunger: 0.5, pain: 0.5}", "combine: {pain: 0.5}")
    d = diff_circuits(written, dropped, atlas.parts_of)
    assert d.level == "major" and "readout.readouts.hunger.agrp" in {c.path for c in d.changes}
    heavier = _variant(atlas, tmp_path, "combine: {hunger: 0.5, pain: 0.5}", "combine: {hunger: 0.6, pain: 0.5}")
    d = diff_circuits(written, heavier, atlas.parts_of)
    assert d.level == "patch"
    assert {c.path for c in d.changes} >= {"readout.readouts.hunger.agrp.weight", "readout.reward.aversive.weight"}


def test_writing_out_the_derived_readout_is_no_readout_change(atlas: Atlas) -> None:
    """The same readout written out or combined compares equal (only the form differs)."""
    written = atlas.entry("hunger_threat").circuit
    explicit = written.model_copy(update={"readout": atlas["hunger_threat"].readout})
    d = diff_circuits(explicit, written, atlas.parts_of)
    assert not [c for c in d.changes if c.section == "readout"]


def test_a_broken_written_out_readout_is_still_located_at_its_field(atlas: Atlas, tmp_path: Path) -> None:
    """The readout's two forms are a union: its errors must not name the union's tags."""
    text = atlas.entry("hunger_aggression").path.read_text(encoding="utf-8")
    draft = tmp_path / "hunger_aggression.yaml"
    draft.write_text(text.replace("weight: 1.0, low: 3 Hz, high: 50 Hz", "weight: 1.0, low: 3 Hz, high: 2 Hz", 1), encoding="utf-8")
    with pytest.raises(SpecValidationError) as caught:
        atlas.validate_file(draft)
    [error] = [e for e in caught.value.errors if "'high' must be above 'low'" in e.message]
    assert error.path == "readout.readouts[0]" and error.line > 1


def test_a_module_of_a_combining_composite_agrees_with_its_embedded_file(atlas: Atlas) -> None:
    """Defect: a module's check compared the embedded file's readout with the manifest's as written, so a composite
    whose readout says ``combine`` could not load; the manifest's derived readout must read only combined parts."""
    from drive_atlas.reward.artifact import _readout_agrees

    written = atlas.entry("hunger_pain").circuit.readout
    derived = atlas["hunger_pain"].readout
    assert _readout_agrees(written, derived)
    stray = derived.model_copy(update={"readouts": derived.readouts + [derived.readouts[0].model_copy(update={"population": "thirst.sfo_thirst"})]})
    assert not _readout_agrees(written, stray)
    assert not _readout_agrees(atlas["hunger_aggression"].readout, derived)
