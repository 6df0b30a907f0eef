"""Slow signalling by neuropeptides and hormones, advanced between simulation chunks (numpy only).

Peptides and hormones act by volume transmission over hundreds of milliseconds
to minutes, far slower than spikes, so their state is advanced between NEST
chunks rather than inside NEST:

* released ligands: dc/dt = (sum_pop gain_pop * rate_pop - c) / clearance_tau, integrated
  exactly over a chunk with the chunk's mean rate held constant;
* hormone inputs and drugs: the protocol sets the concentration directly;
* receptor activation (operational model with competing ligands): with
  x_i = (c_i / potency_i) ** hill_i over every ligand acting at the receptor,
  activation = (a0 + sum_i efficacy_i * x_i) / (1 + sum_i x_i), a0 the
  receptor's constitutive activity; occupancy = sum_i x_i / (1 + sum_i x_i);
* current into a population = sum over its receptor annotations of
  gain * activation * (+1 excitatory, -1 inhibitory). The current is relative
  to zero activation, so a constitutively active receptor contributes a tonic
  current even without ligand, and an inverse agonist lowers it.

NEST-free, so every formula here is unit-testable without building a network.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..spec.catalog import Ligand, Receptor
from ..spec.circuit import Population
from ..spec.semantics import receptor_sign, sign_factor


def receptor_activation(
    concentrations: np.ndarray, potency: np.ndarray, hill: np.ndarray, efficacy: np.ndarray, constitutive: float | np.ndarray = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """(activation, occupancy) of receptors; the last axis runs over competing ligands (zeros where absent)."""
    acts = potency > 0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _activation(concentrations, np.where(acts, potency, 1.0), acts, hill, efficacy, constitutive)


def _activation(concentrations: np.ndarray, divisor: np.ndarray, acts: np.ndarray, hill: np.ndarray, efficacy: np.ndarray,
                constitutive: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The operational model with the potencies prepared once (``divisor``: the potency where ``acts``, else 1), so
    the simulation loop, which evaluates it every chunk, does not redo that work."""
    c = np.maximum(np.asarray(concentrations, dtype=float), 0.0)
    x = np.where(acts, (c / divisor) ** hill, 0.0)  # 0 where the ligand does not act, whatever its hill
    total = x.sum(axis=-1)
    activation = (constitutive + (efficacy * x).sum(axis=-1)) / (1.0 + total)
    return activation, total / (1.0 + total)


@dataclass(frozen=True)
class Annotation:
    """One receptor expressed by one population, as the simulator sees it."""

    population: str
    receptor: str
    gain: float  # pA at full activation
    sign: float  # +1 excitatory, -1 inhibitory
    constitutive: float


@dataclass
class ModulationState:
    """What the slow signalling looks like at one moment: inputs to the recording and to NEST."""

    concentrations: np.ndarray  # (ligands,) nM, global (without site-restricted drugs)
    activation: np.ndarray  # (annotations,)
    occupancy: np.ndarray  # (annotations,)
    currents: np.ndarray  # (populations,) pA


@dataclass
class Modulation:
    """Ligand concentrations and receptor activations of one circuit, advanced chunk by chunk."""

    populations: list[str]
    ligands: list[str]
    annotations: list[Annotation]
    release: np.ndarray  # (populations, ligands) nM per Hz at steady state
    clearance: np.ndarray  # (ligands,) ms
    potency: np.ndarray  # (annotations, ligands) nM; 0 where the ligand does not act
    hill: np.ndarray  # (annotations, ligands)
    efficacy: np.ndarray  # (annotations, ligands)
    released: np.ndarray = field(init=False)  # (ligands,) nM, the state

    def __post_init__(self) -> None:
        self.released = np.zeros(len(self.ligands))
        self._pop_of = np.array([self.populations.index(a.population) for a in self.annotations], dtype=int)
        self._acts = self.potency > 0
        self._divisor = np.where(self._acts, self.potency, 1.0)
        self._constitutive = np.array([a.constitutive for a in self.annotations], dtype=float)
        self._signed_gain = np.array([a.gain * a.sign for a in self.annotations], dtype=float)

    @classmethod
    def build(
        cls,
        populations: Sequence[Population],
        ligands: Mapping[str, Ligand],
        receptors: Mapping[str, Receptor],
        extra_ligands: Iterable[str] = (),
    ) -> Modulation:
        """The ligands that can be present (released, hormone inputs, drugs) and every receptor annotation."""
        names = list(dict.fromkeys([r.ligand for p in populations for r in p.releases] + list(extra_ligands)))
        pop_ids = [p.id for p in populations]
        release = np.zeros((len(pop_ids), len(names)))
        for i, p in enumerate(populations):
            for r in p.releases:
                release[i, names.index(r.ligand)] += r.gain
        annotations = [
            Annotation(p.id, a.receptor, a.gain, sign_factor(receptor_sign(a, receptors)),
                       receptors[a.receptor].constitutive_activity)
            for p in populations for a in p.receptors
        ]
        shape = (len(annotations), len(names))
        potency, hill, efficacy = np.zeros(shape), np.ones(shape), np.zeros(shape)
        for j, name in enumerate(names):
            for action in ligands[name].actions:
                for k, ann in enumerate(annotations):
                    if ann.receptor == action.receptor:
                        potency[k, j], hill[k, j], efficacy[k, j] = action.potency, action.hill, action.efficacy
        clearance = np.array([ligands[n].clearance_tau for n in names], dtype=float)
        return cls(pop_ids, names, annotations, release, clearance, potency, hill, efficacy)

    def advance(self, rates: np.ndarray, dt: float) -> None:
        """Integrate released concentrations over dt ms with the populations' mean rates (Hz) held constant."""
        steady = np.asarray(rates, dtype=float) @ self.release
        self.released = steady + (self.released - steady) * np.exp(-dt / self.clearance)

    def state(self, imposed: np.ndarray, site_imposed: np.ndarray | None = None) -> ModulationState:
        """Activations and currents given protocol-set concentrations: global (ligands,) and per site (populations, ligands)."""
        concentrations = self.released + imposed
        local = np.broadcast_to(concentrations, (len(self.populations), len(self.ligands)))
        if site_imposed is not None:
            local = local + site_imposed
        activation, occupancy = _activation(local[self._pop_of], self._divisor, self._acts, self.hill, self.efficacy,
                                            self._constitutive)
        drive = self._signed_gain * activation
        currents = np.bincount(self._pop_of, weights=drive, minlength=len(self.populations)) if len(drive) else np.zeros(len(self.populations))
        return ModulationState(concentrations, activation, occupancy, currents)
