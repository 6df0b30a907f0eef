"""Every curated circuit exports, composites included; the reward does not depend on the step size; export refuses
an unfaithful surrogate unless forced. Short calibrations here; the real exports' fidelity, and their behaviour
assays played through the module, are the slow tests (one real export per circuit, shared by both). The composite's
real export, the suite's dearest, and its checks are in test_exports_composite.py, so that another worker can take
it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from drive_atlas.assays.module import ModuleAssayRun
from drive_atlas.reward import FidelityError, FidelityWarning, load_reward_function
from drive_atlas.reward.export import Export, export_reward_module

from .conftest import SHORT
from .real_exports import (COMPOSITE, INTERFACES, assert_faithful, assert_interface, assert_module_passes, assert_step_size_free,
                           behaviour_assay_params)
from .recorded import load_rest

@pytest.mark.parametrize("ref", ["pain", "social_reward"])  # the composite's: test_exports_composite.py
def test_circuit_exports_with_its_interface(short_modules: dict[str, Path], ref: str) -> None:
    assert_interface(short_modules[ref], ref)


@pytest.mark.parametrize("ref", ["social_reward"])  # the composite's: test_exports_composite.py
def test_total_reward_does_not_depend_on_the_step_size(short_modules: dict[str, Path], ref: str) -> None:
    """The same 8 s trajectory stepped at 0.05 s and at 0.2 s earns the same total reward (within 5%)."""
    assert_step_size_free(short_modules[ref])


def test_export_refuses_an_unfaithful_surrogate_unless_forced(atlas, tmp_path: Path) -> None:
    strict = replace(SHORT, threshold=0.999999)  # unreachable, whatever the holds: the short ones suffice
    out = tmp_path / "pain.drive"
    with pytest.raises(FidelityError, match="not written"):
        export_reward_module("pain", out, atlas=atlas, settings=strict)
    assert not out.exists()
    with pytest.warns(FidelityWarning, match="forced"):
        forced = export_reward_module("pain", out, atlas=atlas, settings=strict, force=True)
    assert out.exists() and forced.manifest.fidelity.forced and not forced.manifest.fidelity.passed


def test_export_checks_the_output_place_before_calibrating(atlas, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ValueError, match="cannot write the module"):
        export_reward_module("pain", blocker / "pain.drive", atlas=atlas, settings=SHORT)


CURATED = sorted([*INTERFACES, "thirst", "threat", "thermoregulation", "parental_care"])
SINGLE = [ref for ref in CURATED if ref != COMPOSITE]  # the composite's: test_exports_composite.py


@pytest.mark.slow
@pytest.mark.parametrize("ref", SINGLE)
def test_real_export_is_faithful_to_the_live_circuit(real_export: Callable[[str], Export], ref: str) -> None:
    """Default calibration: written without force, so drive and reward correlations reach the 0.8 threshold."""
    assert_faithful(real_export(ref))


@pytest.mark.slow
def test_social_module_rests_like_the_live_circuit(real_export: Callable[[str], Export], atlas) -> None:
    """A fresh network held alone for a minute (recorded live runs at isolation 0 and 1): its VTA dopamine starts
    near 3 Hz and climbs with slowly cleared oxytocin to its resting rate, the same at either isolation. The module's
    resting reward follows it over the minute (before its slow state it paid its late level from the first step and
    more when isolated: +213 and +315 over the minute, against the live +142 and +138, with the dopamine term at
    weight 1 and baseline 3 Hz)."""
    data = load_rest(atlas, "social_reward")
    fn = load_reward_function(real_export("social_reward").path)
    totals = []
    for run in data["runs"]:
        fn.reset(run["state"])
        rewards = np.array([fn.step(run["state"], {}, data["dt"]) for _ in run["reward"]])
        live = np.array(run["reward"])
        assert rewards.sum() == pytest.approx(live.sum(), rel=0.2)
        totals.append((rewards.sum(), live.sum()))
    (alone_fast, alone_live), (isolated_fast, isolated_live) = totals
    # rest pays (about) no more when isolated, as live (weight 1, before the slow state: +102 more over the minute, live -5)
    assert abs((isolated_fast - alone_fast) - (isolated_live - alone_live)) < 0.2 * abs(alone_live)


SOCIAL_FRESH_START_GAP = (
    "A fresh network's first 5 s at isolation 1: live -0.132 (its drive still climbing, 0.66 to 0.80, as the "
    "isolation input builds, paid as negative drive reduction), module +0.053 (it starts at its table's level for "
    "isolation 1, with no fresh network's start-up); off by 0.185 against 0.18 (6 x the dopamine weight). 0.173 "
    "before the module's steady state at rest was pinned to the live rest hold (reward/calibrate.py); at isolation 0 "
    "off by 0.020.")


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=SOCIAL_FRESH_START_GAP)
def test_social_module_follows_a_fresh_networks_first_seconds(real_export: Callable[[str], Export], atlas) -> None:
    """The first 5 s of each recorded rest minute: the module's reward within 6 x the dopamine weight of the live one
    (weight 1: off by 16-25 before the module had a slow state)."""
    data = load_rest(atlas, "social_reward")
    weight = atlas["social_reward"].readout.reward.dopamine_weight
    fn = load_reward_function(real_export("social_reward").path)
    for run in data["runs"]:
        fn.reset(run["state"])
        rewards = np.array([fn.step(run["state"], {}, data["dt"]) for _ in run["reward"][:20]])
        assert abs(rewards.sum() - sum(run["reward"][:20])) < 6.0 * weight, run["state"]


@pytest.mark.slow
def test_pain_module_rests_like_the_live_circuit_and_pays_nothing_for_the_analgesic_at_rest(
        real_export: Callable[[str], Export], atlas) -> None:
    """Held without heat for a minute (the recorded live run at noxious 0: drive 0.009 over the first 5 s of a fresh
    network, then 0.00003), the module rests within 0.005 of the live drive, so a dose at rest is not paid as relief.
    pain 1.2.2's module rested at 0.007-0.010 (its fit traded the rest against the lingering drive after heat; now
    pinned to the rest hold) and a dose at rest paid +0.007; before the rest point was held from a fresh network, the
    table's resting drive kept the lingering drive after heat (0.12)."""
    data = load_rest(atlas, "pain")
    run = next(r for r in data["runs"] if r["state"]["noxious"] == 0.0)
    fn = load_reward_function(real_export("pain").path)
    fn.reset(run["state"])
    drives = []
    for _ in run["drive"]:
        fn.step(run["state"], {}, data["dt"])
        drives.append(fn.drive_level)
    assert np.mean(drives) == pytest.approx(np.mean(run["drive"]), abs=0.005)
    at_rest = sum(fn.step(run["state"], {"analgesic": 1.0}, dt=0.5) for _ in range(6))  # a 3 s dose after a minute
    assert at_rest <= 0.001


@pytest.mark.slow
@pytest.mark.parametrize("ref, assay", behaviour_assay_params(CURATED))
def test_real_module_passes_its_behaviour_assays(module_verdicts: Callable[[str], ModuleAssayRun], ref: str, assay: str) -> None:
    """Each behaviour assay passes on the exported module (real_exports.assert_module_passes says what else it may be).
    The composite declares none today; if it does, its module is the one test_exports_composite.py makes (shared)."""
    assert_module_passes(module_verdicts(ref), assay)


def test_cli_export_refuses_an_unwritable_output_before_calibrating(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from drive_atlas.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("")
    result = CliRunner().invoke(main, ["export", "pain", "--out", str(blocker / "pain.drive"), "--force"])
    assert result.exit_code == 2 and "cannot write" in result.output  # refused as a bad --out, before any calibration


def test_export_refuses_a_circuit_file_edited_after_the_atlas_was_read(tmp_path: Path) -> None:
    """The module embeds the file it calibrated: an edit between reading the atlas and exporting is refused before
    any calibration (it used to be embedded beside the old calibration, a module that then refused to load)."""
    import shutil

    from drive_atlas.atlas import Atlas, default_root
    from drive_atlas.spec.errors import DriveAtlasError

    for sub in ("circuits", "neuropeptides", "data"):
        shutil.copytree(default_root() / sub, tmp_path / "atlas" / sub)
    atlas = Atlas.load(tmp_path / "atlas")
    path = tmp_path / "atlas" / "circuits" / "pain" / "pain.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    with pytest.raises(DriveAtlasError, match="changed after the atlas was read"):
        export_reward_module("pain", tmp_path / "pain.drive", atlas=atlas, settings=SHORT)
    assert not (tmp_path / "pain.drive").exists()
