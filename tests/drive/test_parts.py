"""A composite's drive is the weighted sum of its parts' own drives, each clipped to [0, 1] before the sum.

Defect: hunger_pain's readout (``combine: {hunger: 0.5, pain: 0.5}``) was one clip over every channel of both
parts, so below energy about 0.35 hunger's half alone ran past 1 and acute pain added nothing when hungry (the
module's noxious patch cost 0.000 at energy 0.25, -0.219 at 0.95); and a part whose level sat below zero offset
the other's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from drive_atlas.atlas import Atlas
from drive_atlas.drive.kernel import ReadoutKernel
from drive_atlas.reward.artifact import _readout_agrees
from drive_atlas.reward.fast import FastRewardFunction
from drive_atlas.reward.interface import InterfaceMaps, interface_of
from drive_atlas.spec import SpecValidationError, content_hash


def _part_rates(kernel: ReadoutKernel, part: ReadoutKernel, name: str, rates: np.ndarray) -> np.ndarray:
    """The composite's channel rates as the part's own kernel reads them (its channels without ``name.``)."""
    return rates[:, [kernel.channels.index(f"{name}.{c}") for c in part.channels]]


def test_the_composite_drive_is_the_weighted_sum_of_each_parts_clipped_drive(atlas: Atlas) -> None:
    """hunger_pain's derived readout, on random rates across and beyond every channel's range (parts saturated high,
    below zero, in between): D = 0.5 D_hunger + 0.5 D_pain, each part's drive from its own circuit's readout."""
    written = atlas.entry("hunger_pain").circuit
    kernel = ReadoutKernel(atlas["hunger_pain"].readout)
    rates = np.random.default_rng(0).uniform(0.0, 40.0, size=(2000, len(kernel.channels)))
    expected = np.zeros(len(rates))
    for pin in written.includes:
        part = atlas.at(pin).circuit
        own = ReadoutKernel(part.readout)
        expected += written.readout.combine[part.id] * own.drive(_part_rates(kernel, own, part.id, rates))
    assert np.allclose(kernel.drive(rates), expected, rtol=0.0, atol=1e-12)


def test_pain_still_raises_the_drive_when_hunger_is_saturated(atlas: Atlas) -> None:
    """Hunger's part saturated (AgRP far above its 7 Hz top, PVH MC4R at its floor): raising pain's channels raises
    the drive by half of pain's own drive. Under one clip of the summed channels the drive stayed at 1.0."""
    kernel = ReadoutKernel(atlas["hunger_pain"].readout)
    rest = {"hunger.agrp": 30.0, "hunger.pvh_mc4r": 4.6, "pain.lamina1": 2.3, "pain.pbn_cgrp": 3.3, "hunger.pbn_cgrp": 5.0}
    hurt = {**rest, "pain.lamina1": 11.15, "pain.pbn_cgrp": 11.65}  # pain's channels halfway up: its drive 0.5
    hungry, hungry_in_pain = (kernel.drive(np.array([[r[c] for c in kernel.channels]]))[0] for r in (rest, hurt))
    assert hungry == pytest.approx(0.5)
    assert hungry_in_pain - hungry == pytest.approx(0.25)


def test_a_single_circuit_is_one_part_and_keeps_its_file_and_hash(atlas: Atlas) -> None:
    """One part of share 1: D = clip(sum of channels, 0, 1), as before; its readout's canonical form (and so every
    single circuit's content hash) has no ``parts``; a composite's derived readout names its combine weights."""
    circuit = atlas["hunger"]
    kernel = ReadoutKernel(circuit.readout)
    rates = np.random.default_rng(1).uniform(0.0, 30.0, size=(500, len(kernel.channels)))
    linear = sum(r.weight * (rates[:, kernel.channels.index(r.population)] - r.low) / (r.high - r.low)
                 for r in circuit.readout.readouts)
    assert np.allclose(kernel.drive(rates), np.clip(linear, 0.0, 1.0), rtol=0.0, atol=1e-12)
    assert kernel.parts == [""] and "parts" not in circuit.readout.model_dump(mode="json")
    assert content_hash(circuit.readout.model_copy(update={"parts": None})) == content_hash(circuit.readout)
    assert atlas["hunger_pain"].readout.parts == {"hunger": 0.5, "pain": 0.5}
    assert atlas["hunger_threat"].readout.parts == {"hunger": 0.5, "threat": 0.5}
    assert atlas["hunger_thirst"].readout.parts == {"thirst": 1.0}


def test_the_fast_backend_clips_each_part_of_the_real_composite(atlas: Atlas) -> None:
    """hunger_pain's interface and derived readout over a random table: at every grid point the fast backend's drive
    is the kernel's per-part drive of the tabulated rates, so a saturated hunger part leaves pain visible."""
    circuit = atlas["hunger_pain"]
    maps, kernel = InterfaceMaps.of(interface_of(circuit)), ReadoutKernel(circuit.readout)
    axes = [np.array([0.0, 0.5, 1.0])] * len(maps.states) + [np.array([0.0, 1.0])] * len(maps.events)
    steady = np.random.default_rng(2).uniform(0.0, 30.0, size=tuple(len(a) for a in axes) + (len(kernel.channels),))
    fast = FastRewardFunction(maps, circuit.readout, axes, steady, 0.3)
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, len(axes))
    names = maps.state_ids + maps.event_ids
    columns = {k: np.ascontiguousarray(grid[:, j]) for j, k in enumerate(names)}
    fast.reset_batch(len(grid), {k: columns[k] for k in maps.state_ids}, {k: columns[k] for k in maps.event_ids})
    for _ in range(40):  # held: relaxes onto the table (tau 0.3 s, 0.25 s steps), through the compiled step
        fast.step_batch({k: columns[k] for k in maps.state_ids}, {k: columns[k] for k in maps.event_ids}, 0.25)
    assert np.allclose(fast.drive, kernel.drive(steady.reshape(-1, len(kernel.channels))), rtol=0.0, atol=1e-9)
    summed = np.clip(kernel.levels(steady.reshape(-1, len(kernel.channels))).sum(axis=-1), 0.0, 1.0)
    assert np.abs(fast.drive - summed).max() > 0.1  # the table reaches where the two rules differ


def test_written_parts_must_cover_the_channels_located(atlas: Atlas, tmp_path: Path) -> None:
    """A written-out readout may say ``parts``; a channel outside them is an error at the field, with its line."""
    text = atlas.entry("hunger_aggression").path.read_text(encoding="utf-8")
    marker = "\nreadout:\n  readouts:\n"
    assert marker in text
    for parts, message in (("{hunger: 1.0}", "readouts[0] 'parental_care.vmhvl_esr1' is not behind one of the parts"),
                           ("{parental_care: 0.5, hunger: 0.5}", "part 'hunger' has no readout channel")):
        draft = tmp_path / "hunger_aggression.yaml"
        draft.write_text(text.replace(marker, f"\nreadout:\n  parts: {parts}\n  readouts:\n", 1), encoding="utf-8")
        with pytest.raises(SpecValidationError) as caught:
            atlas.validate_file(draft)
        [error] = [e for e in caught.value.errors if message in e.message]
        assert error.path == "readout.parts" and error.line == text[:text.index(marker)].count("\n") + 3
    draft.write_text(text.replace(marker, "\nreadout:\n  parts: {parental_care: 0.5}\n  readouts:\n", 1), encoding="utf-8")
    assert atlas.validate_file(draft).readout.parts == {"parental_care": 0.5}


def test_a_composite_module_without_its_parts_is_refused(atlas: Atlas) -> None:
    """A module exported before each part was clipped on its own has a manifest readout without parts: its fast
    backend would clip the summed parts once while its circuit now means otherwise, so it does not load."""
    written = atlas.entry("hunger_pain").circuit.readout
    derived = atlas["hunger_pain"].readout
    assert _readout_agrees(written, derived)
    assert not _readout_agrees(written, derived.model_copy(update={"parts": None}))
    assert not _readout_agrees(written, derived.model_copy(update={"parts": {"hunger": 0.6, "pain": 0.5}}))
