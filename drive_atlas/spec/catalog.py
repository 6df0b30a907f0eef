"""The ligand and receptor catalog (``neuropeptides/``): what each signal binds and does.

Circuits name catalog entries and never redefine them, so a receptor's coupling
or a peptide's potency is stated once, with its evidence, for the whole atlas.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .common import EvidenceList, GeneSymbol, Identifier, StrictModel
from .units import Duration, quantity

Potency = quantity("concentration", sign="positive")

Coupling = Literal["Gs", "Gi/o", "Gq/11", "G12/13"]
COUPLING_EFFECT: dict[str, str] = {"Gs": "excitatory", "Gq/11": "excitatory", "Gi/o": "inhibitory"}


class Receptor(StrictModel):
    """A receptor by its mouse gene symbol, its main G-protein coupling and the effect on the cell."""

    gene: GeneSymbol
    name: str
    coupling: Coupling
    effect: Literal["excitatory", "inhibitory"]
    constitutive_activity: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    evidence: EvidenceList

    @model_validator(mode="after")
    def _effect_fits_coupling(self) -> "Receptor":
        expected = COUPLING_EFFECT.get(self.coupling)
        if expected and expected != self.effect:
            raise ValueError(f"a {self.coupling}-coupled receptor is {expected} here, not {self.effect}")
        return self


class ReceptorCatalog(StrictModel):
    receptors: list[Receptor]


Action = Literal["agonist", "partial_agonist", "antagonist", "inverse_agonist"]


class ReceptorAction(StrictModel):
    """How a ligand acts at one receptor.

    ``efficacy`` is 1 for a full agonist, between 0 and 1 for a partial agonist,
    0 for a neutral antagonist and negative for an inverse agonist (which lowers
    the receptor's constitutive activity). ``potency`` is the EC50 of an agonist
    or the dissociation constant of an antagonist.
    """

    receptor: GeneSymbol
    action: Action
    efficacy: Annotated[float, Field(ge=-1.0, le=1.0)]
    potency: Potency
    hill: Annotated[float, Field(gt=0.0, le=4.0)] = 1.0
    evidence: EvidenceList

    @model_validator(mode="after")
    def _efficacy_fits_action(self) -> "ReceptorAction":
        ok = {
            "agonist": self.efficacy > 0,
            "partial_agonist": 0 < self.efficacy < 1,
            "antagonist": self.efficacy == 0,
            "inverse_agonist": self.efficacy < 0,
        }[self.action]
        if not ok:
            raise ValueError(f"efficacy {self.efficacy} does not fit action {self.action!r}")
        return self


class Ligand(StrictModel):
    """A neuropeptide, hormone, monoamine, lipid mediator or drug, with its receptor actions and clearance."""

    id: Identifier
    name: str
    kind: Literal["neuropeptide", "hormone", "monoamine", "lipid_mediator", "drug"]
    gene: GeneSymbol | None = None
    description: str = ""
    clearance_tau: Duration
    actions: Annotated[list[ReceptorAction], Field(min_length=1)]
    evidence: EvidenceList
