"""The slow-signalling formulas, without NEST."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.sim.modulation import Modulation, receptor_activation


def act(c, potency, hill, efficacy, a0=0.0):
    return receptor_activation(np.array(c, float), np.array(potency, float), np.array(hill, float), np.array(efficacy, float), a0)


def test_agonist_half_activation_at_potency():
    activation, occupancy = act([2.0], [2.0], [1.0], [1.0])
    assert activation == pytest.approx(0.5) and occupancy == pytest.approx(0.5)


def test_hill_coefficient_steepens():
    low, _ = act([1.0], [2.0], [2.0], [1.0])
    assert low == pytest.approx(0.25 / 1.25)


def test_antagonist_shifts_agonist_curve_right_by_schild_factor():
    ec50, kb, b = 1.0, 10.0, 30.0
    shifted = ec50 * (1 + b / kb)  # Gaddum/Schild: the agonist needs (1 + B/K_B) times more for half activation
    activation, occupancy = act([shifted, b], [ec50, kb], [1.0, 1.0], [1.0, 0.0])
    assert activation == pytest.approx(0.5)
    assert occupancy > activation  # the antagonist occupies without activating
    alone, _ = act([shifted, 0.0], [ec50, kb], [1.0, 1.0], [1.0, 0.0])
    assert alone > 0.75


def test_inverse_agonist_lowers_activation_below_constitutive():
    a0 = 0.3
    basal, _ = act([0.0], [5.0], [1.0], [-0.5], a0)
    inverse, _ = act([500.0], [5.0], [1.0], [-0.5], a0)
    assert basal == pytest.approx(a0)
    assert inverse < 0 < a0  # saturating inverse agonist drives activation towards its efficacy (-0.5)


def test_absent_ligands_do_not_act():
    activation, occupancy = act([100.0, 100.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0])
    assert activation == pytest.approx(100 / 101) and occupancy == pytest.approx(100 / 101)


def test_release_relaxes_exactly_to_gain_times_rate(mini, mini_atlas):
    mod = Modulation.build(mini.populations, mini_atlas.ligands, mini_atlas.receptors, ["ghrelin"])
    j, tau = mod.ligands.index("npy"), mini_atlas.ligands["npy"].clearance_tau
    rates = np.array([10.0, 0.0])
    mod.advance(rates, tau)
    assert mod.released[j] == pytest.approx(10.0 * 0.02 * (1 - np.exp(-1)))
    for _ in range(50):
        mod.advance(rates, tau)
    assert mod.released[j] == pytest.approx(0.2)


def test_current_sign_follows_receptor_effect(mini, mini_atlas):
    mod = Modulation.build(mini.populations, mini_atlas.ligands, mini_atlas.receptors, ["ghrelin"])
    imposed = np.zeros(len(mod.ligands))
    imposed[mod.ligands.index("ghrelin")] = 1.0
    imposed[mod.ligands.index("npy")] = 1.0
    state = mod.state(imposed)
    agrp, pvh = mod.populations.index("agrp"), mod.populations.index("pvh")
    assert state.currents[agrp] == pytest.approx(150 * 0.5)  # Ghsr, Gq/11: depolarising
    assert state.currents[pvh] == pytest.approx(-150 * 0.5)  # Npy1r, Gi/o: hyperpolarising


def test_site_restricted_drug_acts_only_at_its_site(mini, mini_atlas):
    mod = Modulation.build(mini.populations, mini_atlas.ligands, mini_atlas.receptors, ["ghrelin"])
    site = np.zeros((len(mod.populations), len(mod.ligands)))
    site[mod.populations.index("pvh"), mod.ligands.index("npy")] = 100.0
    state = mod.state(np.zeros(len(mod.ligands)), site)
    assert state.concentrations[mod.ligands.index("npy")] == 0.0
    assert state.currents[mod.populations.index("pvh")] < -140
