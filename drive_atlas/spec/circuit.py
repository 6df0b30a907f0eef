"""The circuit specification: what one YAML file in ``circuits/`` may say.

Field-level rules live here; rules that need the rest of the atlas (regions,
ligands, references, NEST's models) live in :mod:`drive_atlas.spec.checks`.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Discriminator, Field, Tag, ValidationInfo, field_validator, model_validator

from .common import Bounded, Date, EvidenceList, GeneSymbol, Identifier, QualifiedId, RefKey, SemVer, StrictModel
from .units import (
    Concentration,
    Current,
    Duration,
    LevelQuantity,
    Rate,
    RateFloor,
    TimePoint,
    quantity,
    quantity_default,
)

SCHEMA_VERSION = 1
MAX_POPULATION_SIZE = 200_000

# A synaptic weight is a magnitude in pA (current-based models) or nS (conductance-based); its sign is stated apart.
SynapticWeight = quantity("current", "conductance", sign="positive")
ProjectionWeight = quantity("current", "conductance", sign="positive", hint="weight must be a positive magnitude; the sign comes from 'sign'")
LightWeight = quantity("current", sign="positive")  # of each light-driven spike
ReceptorGain = quantity("current", sign="non_negative", hint="gain is a magnitude; give the sign with 'effect: inhibitory' (or 'excitatory')")

FastTransmitter = Literal["glutamate", "GABA", "glycine", "acetylcholine", "none"]


# ---------------------------------------------------------------- populations


class NeuronModel(StrictModel):
    """A NEST neuron model and the parameters that differ from its defaults."""

    model: str = "iaf_psc_exp"
    params: dict[str, Bounded] = {}


class BackgroundEvents(StrictModel):
    """How the background's Poisson spikes are simulated: a representation choice, not a finding.

    ``thinning`` k > 1 sends rate/k spikes of weight w*sqrt(k) and adds the difference
    in mean synaptic current, rate*w*tau_syn*(1 - 1/sqrt(k)), as a constant current: the
    input's mean, variance and correlation time (tau_syn) are unchanged, its events are
    k times fewer and sqrt(k) times larger (current-based exponential synapses only).
    ``poisson_generator_ps`` draws each target's spike times directly, so its cost
    follows the spikes, not the time steps.
    """

    generator: Literal["poisson_generator", "poisson_generator_ps"] = "poisson_generator"
    thinning: Annotated[int, Field(ge=1, le=64)] = 1


class Background(StrictModel):
    """Unspecified synaptic input from the rest of the brain, as Poisson spikes (by default one draw per target per step)."""

    rate: Rate
    weight: SynapticWeight
    events: BackgroundEvents | None = None
    evidence: EvidenceList


class Release(StrictModel):
    """A ligand the population releases; ``gain`` is the steady-state concentration per Hz of its rate."""

    ligand: Identifier
    gain: Concentration
    evidence: EvidenceList


class ReceptorAnnotation(StrictModel):
    """A receptor the population expresses; ``gain`` is the current magnitude at full receptor activation.

    ``effect`` overrides the catalog's sign for this cell type, where the same
    receptor excites one population and inhibits another (leptin receptor on POMC
    versus AgRP neurons); the override needs its own evidence like any annotation.
    """

    receptor: GeneSymbol
    gain: ReceptorGain
    effect: Literal["excitatory", "inhibitory"] | None = None
    evidence: EvidenceList


class Population(StrictModel):
    id: Identifier
    name: str
    region: str
    markers: list[GeneSymbol] = []
    transmitter: FastTransmitter
    size: Annotated[int, Field(ge=1, le=MAX_POPULATION_SIZE)]
    neuron: NeuronModel = NeuronModel()
    background: Background | None = None
    releases: list[Release] = []
    receptors: list[ReceptorAnnotation] = []
    evidence: EvidenceList


# ---------------------------------------------------------------- projections


class FixedIndegree(StrictModel):
    rule: Literal["fixed_indegree"]
    indegree: Annotated[int, Field(ge=1, le=MAX_POPULATION_SIZE)]


class FixedOutdegree(StrictModel):
    rule: Literal["fixed_outdegree"]
    outdegree: Annotated[int, Field(ge=1, le=MAX_POPULATION_SIZE)]


class PairwiseBernoulli(StrictModel):
    rule: Literal["pairwise_bernoulli"]
    p: Annotated[float, Field(gt=0.0, le=1.0)]


class AllToAll(StrictModel):
    rule: Literal["all_to_all"]


class OneToOne(StrictModel):
    rule: Literal["one_to_one"]


ConnectionRule = Annotated[
    Union[FixedIndegree, FixedOutdegree, PairwiseBernoulli, AllToAll, OneToOne],
    Field(discriminator="rule"),
]


class Projection(StrictModel):
    """A fast synaptic projection. ``weight`` is a magnitude; the sign comes from ``sign``."""

    id: Identifier
    source: QualifiedId
    target: QualifiedId
    sign: Literal["excitatory", "inhibitory"]
    weight: ProjectionWeight
    delay: Duration
    connection: ConnectionRule
    synapse: str = "static_synapse"
    evidence: EvidenceList

    @field_validator("delay")
    @classmethod
    def _resolvable_delay(cls, delay: float) -> float:
        if delay < 0.1:
            raise ValueError("delay must be at least 0.1 ms (NEST's resolution)")
        return delay


# ---------------------------------------------------------------- inputs


class LigandInput(StrictModel):
    """An interoceptive channel that sets a circulating ligand's concentration (a hormone level)."""

    id: Identifier
    kind: Literal["ligand"]
    ligand: Identifier
    baseline: LevelQuantity
    description: str = ""
    evidence: EvidenceList


class InputTarget(StrictModel):
    population: QualifiedId
    weight: SynapticWeight


class PoissonInput(StrictModel):
    """A sensory or visceral channel delivered as Poisson spikes to one or more populations."""

    id: Identifier
    kind: Literal["poisson"]
    baseline: LevelQuantity
    targets: Annotated[list[InputTarget], Field(min_length=1)]
    description: str = ""
    evidence: EvidenceList


Input = Annotated[Union[LigandInput, PoissonInput], Field(discriminator="kind")]


# ---------------------------------------------------------------- protocols


class _Timed(StrictModel):
    at: TimePoint = quantity_default("0 ms", "time")
    until: TimePoint | None = None

    @model_validator(mode="after")
    def _ordered(self) -> "_Timed":
        if self.until is not None and self.until <= self.at:
            raise ValueError("'until' must come after 'at'")
        return self


class SetInput(_Timed):
    """Set a named input to a level: a concentration for ligand inputs, a rate for Poisson inputs."""

    type: Literal["input"]
    input: QualifiedId
    level: LevelQuantity


class Drug(_Timed):
    """Apply a drug (any catalog ligand) at an effective concentration, everywhere or at some populations."""

    type: Literal["drug"]
    ligand: Identifier
    concentration: LevelQuantity
    sites: list[QualifiedId] = []


class Optogenetics(_Timed):
    """Activate a population with light-driven Poisson spikes, or silence it with a hyperpolarising current."""

    type: Literal["optogenetics"]
    population: QualifiedId
    mode: Literal["activate", "silence"]
    rate: Rate = quantity_default("20 Hz", "rate")
    weight: LightWeight = quantity_default("100 pA", "current")
    current: Current = quantity_default("-500 pA", "current")


class Lesion(_Timed):
    """Remove a population's output from the given time on."""

    type: Literal["lesion"]
    population: QualifiedId


Event = Annotated[Union[SetInput, Drug, Optogenetics, Lesion], Field(discriminator="type")]


class ProtocolSpec(StrictModel):
    description: str = ""
    duration: Duration = quantity_default("10 s", "time")
    events: list[Event] = []


# ---------------------------------------------------------------- drive and reward


class Readout(StrictModel):
    """A population whose rate maps linearly onto the drive: ``low`` -> 0, ``high`` -> 1, times ``weight``."""

    population: QualifiedId
    weight: Bounded = 1.0
    low: RateFloor
    high: RateFloor

    @model_validator(mode="after")
    def _range(self) -> "Readout":
        if self.high <= self.low:
            raise ValueError("'high' must be above 'low'")
        return self


class DopamineReward(StrictModel):
    """Reward read from a dopamine population: (rate - baseline) / scale."""

    population: QualifiedId
    baseline: RateFloor
    scale: Rate


class AversiveReward(StrictModel):
    """A rectified aversive term: -weight * max(0, rate - baseline) / scale per second, on the population's filtered
    rate. Unlike drive reduction it is not paid back when the rate falls again: activity above ``baseline`` (the
    population's resting rate in the state where it should cost nothing) costs reward while it lasts."""

    population: QualifiedId
    baseline: RateFloor
    scale: Rate
    weight: Annotated[float, Field(ge=0.0, le=1e9)] = 1.0


class RewardRule(StrictModel):
    drive_reduction: bool = True
    dopamine: DopamineReward | None = None
    dopamine_weight: Bounded = 1.0
    aversive: AversiveReward | None = None


PartWeight = Annotated[float, Field(gt=0.0, le=1e9)]


def part_of(population: str) -> str | None:
    """The included circuit a composite's qualified population ('<part>.<population>') belongs to, else None."""
    part, dot, _ = population.partition(".")
    return part if dot else None


class ReadoutSpec(StrictModel):
    """How readout rates become a drive level D in [0, 1], and D becomes reward.

    ``parts`` (a composite's, as ``combine`` derives it): each part's share of the drive, by the included circuit
    each channel's population is qualified by; the channels' weights already carry their part's. Without it the
    readout is one part with share 1. The rule (``drive.kernel``): D = clip(sum_p clip(L_p, 0, w_p), 0, 1), L_p the
    weighted sum of part p's channels, i.e. the weighted sum of each part's own drive clipped to [0, 1] before it
    is summed, so one saturated part does not hide another.
    """

    readouts: Annotated[list[Readout], Field(min_length=1)]
    tau: Duration = quantity_default("500 ms", "time")
    reward: RewardRule = RewardRule()
    parts: Annotated[dict[Identifier, PartWeight], Field(min_length=1)] | None = Field(
        default=None, exclude_if=lambda parts: parts is None)  # left out, so readouts without it keep their hash
    evidence: EvidenceList

    @field_validator("parts")
    @classmethod
    def _parts_cover_channels(cls, parts: dict[str, float] | None, info: ValidationInfo) -> dict[str, float] | None:
        readouts = info.data.get("readouts")
        if parts is None or readouts is None:
            return parts
        owners = [part_of(r.population) for r in readouts]
        stray = [(j, r.population) for j, (r, owner) in enumerate(zip(readouts, owners)) if owner not in parts]
        if stray:
            j, population = stray[0]
            raise ValueError(f"readouts[{j}] {population!r} is not behind one of the parts ({', '.join(parts)}): "
                             "with 'parts', every channel is '<part>.<population>'")
        empty = [p for p in parts if p not in owners]
        if empty:
            raise ValueError(f"part {empty[0]!r} has no readout channel")
        return parts


class CombinedReadout(StrictModel):
    """A composite's readout as a weighted combination of its included parts' readouts, by part (circuit) id.

    The concrete readout is derived, never copied: :func:`drive_atlas.spec.composition.composed_readout`.
    ``tau`` left out: the shortest of the combined parts' time constants.
    """

    combine: Annotated[dict[Identifier, PartWeight], Field(min_length=1)]
    tau: Duration | None = None
    evidence: EvidenceList


def _readout_form(value: object) -> str:
    """Which readout form a file writes: ``combine`` names parts' readouts, anything else is written out."""
    if isinstance(value, CombinedReadout) or (isinstance(value, dict) and "combine" in value):
        return "combined"
    return "explicit"


# A circuit's readout as a file may write it; a runnable circuit's is always a ReadoutSpec.
AnyReadout = Annotated[Union[Annotated[ReadoutSpec, Tag("explicit")], Annotated[CombinedReadout, Tag("combined")]],
                       Discriminator(_readout_form)]


# ---------------------------------------------------------------- assays

Window = Annotated[list[TimePoint], Field(min_length=2, max_length=2)]


class AssayCondition(StrictModel):
    protocol: Identifier
    events: list[Event] = []
    description: str = ""


class Measure(StrictModel):
    """What is measured in each condition, averaged over ``window`` unless it is a latency or peak."""

    kind: Literal["mean_rate", "drive", "reward", "concentration", "peak_concentration", "occupancy", "latency"]
    window: Window
    population: QualifiedId | None = None
    ligand: Identifier | None = None
    receptor: GeneSymbol | None = None
    signal: Literal["rate", "drive"] = "rate"
    change: Literal["rise", "fall"] = "fall"
    fraction: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.5

    @model_validator(mode="after")
    def _needs(self) -> "Measure":
        needed = {
            "mean_rate": ["population"],
            "concentration": ["ligand"],
            "peak_concentration": ["ligand"],
            "occupancy": ["population", "receptor"],
        }.get(self.kind, [])
        if self.kind == "latency" and self.signal == "rate":
            needed = ["population"]
        missing = [f for f in needed if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} measure needs {', '.join(missing)}")
        if self.window[1] <= self.window[0]:
            raise ValueError("window end must come after its start")
        return self


class Expectation(StrictModel):
    """A claim about the measure across conditions, judged on the 95% CI over seeds."""

    kind: Literal[
        "ratio_at_least",
        "ratio_at_most",
        "increase",
        "decrease",
        "no_change",
        "monotonic_increasing",
        "monotonic_decreasing",
        "below",
        "at_most",
        "at_least",
        "within",
    ]
    conditions: Annotated[list[Identifier], Field(min_length=1)]
    value: Bounded | None = None

    @model_validator(mode="after")
    def _shape(self) -> "Expectation":
        pairs = {"ratio_at_least", "ratio_at_most", "increase", "decrease", "no_change"}
        if self.kind in pairs and len(self.conditions) != 2:
            raise ValueError(f"{self.kind} compares exactly two conditions: [test, reference]")
        if self.kind.startswith("monotonic") and len(self.conditions) < 3:
            raise ValueError(f"{self.kind} needs at least three conditions in order")
        if self.kind in {"ratio_at_least", "ratio_at_most", "below", "at_most", "at_least", "within", "no_change"} and self.value is None:
            raise ValueError(f"{self.kind} needs a value")
        if self.kind in {"ratio_at_least", "ratio_at_most", "within"} and self.value is not None and self.value <= 0:
            raise ValueError(f"a {self.kind} bound must be positive")
        return self


class Assay(StrictModel):
    id: Identifier
    citation: Annotated[list[RefKey], Field(min_length=1)]
    phenomenon: str
    duration: Duration = quantity_default("10 s", "time")
    conditions: Annotated[dict[Identifier, AssayCondition], Field(min_length=1)]
    measure: Measure
    expect: Expectation
    expected_failure: str | None = None


# ---------------------------------------------------------------- behaviour assays


class ScriptStep(_Timed):
    """Hold one interface variable (a state or an event) at ``value`` over [at, until)."""

    variable: Identifier
    value: Bounded


class Script(StrictModel):
    """What the agent's body does over time: interface steps (later steps win), plus protocol events such as drugs."""

    description: str = ""
    steps: list[ScriptStep] = []
    events: list[Event] = []


class BehaviourMeasure(StrictModel):
    """Total reward, mean drive, or the drive's least-squares slope (per second) over ``window``."""

    kind: Literal["reward", "drive", "drive_slope"]
    window: Window

    @model_validator(mode="after")
    def _ordered(self) -> "BehaviourMeasure":
        if self.window[1] <= self.window[0]:
            raise ValueError("window end must come after its start")
        return self


class BehaviourAssay(StrictModel):
    """A closed-loop claim: script the circuit's interface and judge its drive or reward over seeds."""

    id: Identifier
    citation: Annotated[list[RefKey], Field(min_length=1)]
    phenomenon: str
    duration: Duration = quantity_default("8 s", "time")
    scripts: Annotated[dict[Identifier, Script], Field(min_length=1)]
    measure: BehaviourMeasure
    expect: Expectation
    expected_failure: str | None = None


# ---------------------------------------------------------------- agent interface


class InputMap(StrictModel):
    """Maps a body variable x onto an input: ``linear`` from low..high, or ``saturating`` x^n/(x^n+k^n)."""

    input: QualifiedId
    kind: Literal["linear", "saturating"] = "linear"
    at_low: LevelQuantity
    at_high: LevelQuantity
    half: Annotated[float, Field(gt=0.0, le=1e9)] = 0.5
    hill: Annotated[float, Field(gt=0.0, le=8.0)] = 1.0


class StateVariable(StrictModel):
    """A body state in [low, high]; the bounds are required, as the maps and the reward scale with them."""

    id: Identifier
    description: str = ""
    low: Bounded
    high: Bounded
    initial: Bounded
    maps: Annotated[list[InputMap], Field(min_length=1)]

    @model_validator(mode="after")
    def _range(self) -> "StateVariable":
        if self.high <= self.low:
            raise ValueError("'high' must be above 'low'")
        if not self.low <= self.initial <= self.high:
            raise ValueError("'initial' must lie within [low, high]")
        return self


class EventVariable(StrictModel):
    id: Identifier
    description: str = ""
    maps: Annotated[list[InputMap], Field(min_length=1)]


class Interface(StrictModel):
    """The agent-facing side of a drive module: body states and events in, drive and reward out."""

    states: list[StateVariable] = []
    events: list[EventVariable] = []


# ---------------------------------------------------------------- the circuit


class Curator(StrictModel):
    name: str
    orcid: Annotated[str, Field(pattern=r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")] | None = None


class ChangelogEntry(StrictModel):
    version: SemVer
    date: Date
    changes: str


class Simulation(StrictModel):
    """How the network is integrated: a representation choice, versioned with the circuit.

    ``iaf_psc_exp`` and the other exact-integration models are exact between steps, but
    every spike (sent or received) is forced to the step grid and a per-target Poisson
    background is drawn per step; a coarser step is cheaper in proportion. Every
    projection delay must be a whole number of steps (checked when the network is built).

    ``population_scale`` runs every population with that fraction of its neurons (rounded, half to
    even; at least one). Only rules that keep each neuron's inputs may be scaled (fixed in-degree and
    one-to-one; fixed out-degree keeps them on average), so each neuron keeps their number, weights
    and background and mean rates are kept to first order; what changes is the sharing of inputs
    (in-degree over source size), hence correlations and the noise of population rates. Measured
    against the full size before a curated circuit chooses it.
    """

    resolution: Duration = quantity_default("0.1 ms", "time")
    population_scale: Annotated[float, Field(gt=0.0, le=1.0)] = Field(
        default=1.0, exclude_if=lambda scale: scale == 1.0)  # left out at full size, so circuits without it keep their hash
    evidence: EvidenceList

    @field_validator("resolution")
    @classmethod
    def _step(cls, resolution: float) -> float:
        if not 0.0 < resolution <= 1.0:
            raise ValueError("resolution must lie in (0, 1] ms")
        if abs(resolution * 1000 - round(resolution * 1000)) > 1e-6:
            raise ValueError("resolution must be a whole number of microseconds")
        return resolution


class Circuit(StrictModel):
    schema_version: Literal[1] = SCHEMA_VERSION
    id: Identifier
    version: SemVer
    title: str
    drive: Identifier
    species: Literal["Mus musculus"]
    status: Literal["draft", "curated", "deprecated"]
    curators: list[Curator] = []
    description: str = ""
    changelog: Annotated[list[ChangelogEntry], Field(min_length=1)]
    includes: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*@(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")]] = []
    populations: list[Population] = []
    projections: list[Projection] = []
    inputs: list[Input] = []
    readout: AnyReadout | None = None
    protocols: dict[Identifier, ProtocolSpec] = {}
    assays: list[Assay] = []
    interface: Interface | None = None
    behaviour_assays: list[BehaviourAssay] = []
    simulation: Simulation | None = None  # None: 0.1 ms
