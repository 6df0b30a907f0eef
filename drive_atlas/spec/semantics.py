"""What a circuit means, in one place: event validity, signs, signalling paths, runnable circuits.

Validation (``spec.checks``), protocol timelines, the NEST compiler, the web graph
and the editor all ask these functions, so a rule cannot hold in one of them and
not in another (a lesion with ``until`` once passed validation and was refused at
run time). Knows nothing of NEST; the catalog is passed in.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import model_validator

from .catalog import Ligand, Receptor
from .circuit import (
    Circuit, Drug, Event, LigandInput, Lesion, PoissonInput, Population, Projection, ReadoutSpec, ReceptorAnnotation,
    SetInput,
)
from .errors import DriveAtlasError

SIMULATION_STEP = 0.1  # ms: the default simulation resolution; events must fall on the circuit's step grid


Sign = Literal["excitatory", "inhibitory"]
Problem = tuple[tuple[str | int, ...], str]  # (location of the field, message); checks prefix the section's location

TRANSMITTER_SIGN: dict[str, Sign] = {
    "glutamate": "excitatory",
    "acetylcholine": "excitatory",
    "GABA": "inhibitory",
    "glycine": "inhibitory",
}


# ---------------------------------------------------------------- circuit queries


def poisson_inputs(circuit: Circuit) -> list[PoissonInput]:
    return [i for i in circuit.inputs if isinstance(i, PoissonInput)]


def ligand_inputs(circuit: Circuit) -> list[LigandInput]:
    return [i for i in circuit.inputs if isinstance(i, LigandInput)]


def input_dimension(inp: LigandInput | PoissonInput) -> Literal["concentration", "rate"]:
    """A ligand input is set as a concentration, a Poisson input as a rate."""
    return "concentration" if isinstance(inp, LigandInput) else "rate"


# ---------------------------------------------------------------- signs


def transmitter_sign(transmitter: str) -> Sign | None:
    """The sign of a fast projection from a population with this transmitter; None if it has none."""
    return TRANSMITTER_SIGN.get(transmitter)


def receptor_sign(annotation: ReceptorAnnotation, receptors: Mapping[str, Receptor]) -> Sign:
    """A receptor's sign on one population: the annotation's ``effect`` if given, else the catalog's.

    The catalog's sign follows the receptor's G-protein coupling (checked in the
    catalog); the override is for cell types where the same receptor acts the
    other way (leptin receptor on AgRP versus POMC neurons).
    """
    return annotation.effect or receptors[annotation.receptor].effect


def sign_factor(sign: str) -> float:
    """+1 for an excitatory sign, -1 for an inhibitory one: how the simulator signs weights and currents."""
    return -1.0 if sign == "inhibitory" else 1.0


def action_effect(action: str, sign: Sign | None) -> str:
    """A ligand's effect on the cell: an agonist's is the receptor's sign, an inverse agonist's the opposite."""
    if sign is None or action == "antagonist":
        return "modulatory"
    if action == "inverse_agonist":
        return "inhibitory" if sign == "excitatory" else "excitatory"
    return sign


@dataclass(frozen=True)
class Signalling:
    """One slow path: ``source`` releases ``ligand``, which acts at ``receptor`` on ``target``."""

    source: str  # a population id, or ``input:<id>`` for a hormone input
    ligand: str
    receptor: str
    target: str
    action: str
    effect: str

    @property
    def id(self) -> str:
        return f"sig:{self.source}:{self.ligand}:{self.receptor}:{self.target}"


def signalling_paths(circuit: Circuit, ligands: Mapping[str, Ligand], receptors: Mapping[str, Receptor]) -> list[Signalling]:
    """Every (releasing population or hormone input, ligand, receptor, expressing population) path."""
    expressing: dict[str, list[tuple[str, ReceptorAnnotation]]] = {}
    for pop in circuit.populations:
        for annotation in pop.receptors:
            expressing.setdefault(annotation.receptor, []).append((pop.id, annotation))
    sources = [(p.id, r.ligand) for p in circuit.populations for r in p.releases]
    sources += [(f"input:{i.id}", i.ligand) for i in ligand_inputs(circuit)]
    paths = []
    for source, ligand_id in sources:
        ligand = ligands.get(ligand_id)
        for action in ligand.actions if ligand else []:
            for target, annotation in expressing.get(action.receptor, []):
                sign = receptor_sign(annotation, receptors) if annotation.effect or action.receptor in receptors else None
                paths.append(Signalling(source, ligand_id, action.receptor, target, action.action, action_effect(action.action, sign)))
    return paths


# ---------------------------------------------------------------- events


@dataclass(frozen=True)
class Scope:
    """What events may name: a circuit's populations and inputs (with a composite's parts), and the ligands."""

    circuit_id: str
    populations: frozenset[str]
    inputs: Mapping[str, str]  # input id -> the dimension its level takes
    ligands: Collection[str]
    step: float = SIMULATION_STEP  # ms: the circuit's integration step, on whose grid events must fall

    @classmethod
    def of(cls, circuit: Circuit, ligands: Collection[str], *, populations: Iterable[str] = (),
           inputs: Iterable[LigandInput | PoissonInput] = ()) -> Scope:
        """The scope of ``circuit``, plus populations and inputs it reaches from elsewhere (a composite's parts)."""
        pops = frozenset([p.id for p in getattr(circuit, "populations", [])] + list(populations))
        known = {i.id: input_dimension(i) for i in [*inputs, *getattr(circuit, "inputs", [])]}
        return cls(getattr(circuit, "id", "?"), pops, known, ligands, resolution(circuit))

    def unknown_input(self, name: str) -> str:
        return f"unknown input {name!r} (circuit {self.circuit_id!r} has: {_names(self.inputs)})"

    def unknown_population(self, name: str) -> str:
        return f"unknown population {name!r} (circuit {self.circuit_id!r} has: {_names(self.populations)})"


def _names(items: Iterable[str]) -> str:
    return ", ".join(sorted(items)) or "none"


def event_problems(event: Event, scope: Scope) -> list[Problem]:
    """Every reason this event cannot run in this scope, each located at a field of the event."""
    problems: list[Problem] = []
    if isinstance(event, SetInput):
        kind = scope.inputs.get(event.input)
        if kind is None:
            problems.append((("input",), scope.unknown_input(event.input)))
        elif event.level.dimension != kind:
            problems.append((("level",), f"input {event.input!r} takes a {kind}, not a {event.level.dimension} ({event.level})"))
    elif isinstance(event, Drug):
        if event.ligand not in scope.ligands:
            problems.append((("ligand",), f"unknown ligand {event.ligand!r} (not in the ligand catalog, neuropeptides/)"))
        if event.concentration.dimension != "concentration":
            problems.append((("concentration",), f"a drug is given as a concentration (nM, uM, ...), not {event.concentration}"))
        problems += [(("sites", s), scope.unknown_population(site)) for s, site in enumerate(event.sites) if site not in scope.populations]
    else:
        if event.population not in scope.populations:
            problems.append((("population",), scope.unknown_population(event.population)))
        if isinstance(event, Lesion) and event.until is not None:
            problems.append((("until",), "a lesion is permanent; for a reversible inactivation use optogenetics with mode: silence"))
    problems += [((name,), f"{t:g} ms is not a multiple of the simulation step ({scope.step:g} ms)")
                 for name, t in (("at", event.at), ("until", event.until)) if t is not None and not on_step_grid(t, scope.step)]
    return problems


def on_step_grid(t: float, step: float = SIMULATION_STEP) -> bool:
    """Whether a time (ms) falls on the simulation's step grid, where a run can stop to apply an event."""
    return abs(t / step - round(t / step)) < 1e-6


def delay_problem(delay: float, step: float) -> str | None:
    """Why a projection delay cannot be simulated at this step (NEST delays are whole numbers, >= 1, of steps), or None."""
    if not on_step_grid(delay, step) or delay < step:
        return f"delay {delay:g} ms is not a whole number (>= 1) of the circuit's {step:g} ms resolution (simulation.resolution)"
    return None


def resolution(circuit: Circuit) -> float:
    """The circuit's integration step (ms): its own choice (``simulation.resolution``), else the default."""
    simulation = getattr(circuit, "simulation", None)
    return simulation.resolution if simulation is not None else SIMULATION_STEP


def population_scale(circuit: Circuit) -> float:
    """The fraction of each population's neurons the circuit runs with (``simulation.population_scale``, else 1)."""
    simulation = getattr(circuit, "simulation", None)
    return simulation.population_scale if simulation is not None else 1.0


KEEPS_INPUTS_WHEN_SCALED = ("fixed_indegree", "fixed_outdegree", "one_to_one")  # in-degree kept (on average for out-degree)


def scale_problem(projection: Projection, scale: float) -> str | None:
    """Why a projection cannot run at this population scale (its neurons' inputs would shrink with it), or None."""
    rule = projection.connection.rule
    if scale == 1.0 or rule in KEEPS_INPUTS_WHEN_SCALED:
        return None
    return (f"projection {projection.id!r} connects by {rule}, so a population_scale of {scale:g} would shrink each "
            f"neuron's inputs with it; only {', '.join(KEEPS_INPUTS_WHEN_SCALED)} keep them")


def neurons(circuit: Circuit, population: Population) -> int:
    """How many neurons a population runs with: its size times the circuit's population scale, rounded (half to even),
    at least one. The written size stays the spec's (its limits, MAX_CIRCUIT_NEURONS, apply to it)."""
    scale = population_scale(circuit)
    return population.size if scale == 1.0 else max(1, round(population.size * scale))


# ---------------------------------------------------------------- runnable circuits


class NotRunnableError(DriveAtlasError, TypeError):
    """A circuit handed to the simulator that is not a RunnableCircuit (say, a composite not yet flattened)."""


class RunnableCircuit(Circuit):
    """A circuit the simulator can build: no includes, and every population it names is its own.

    The atlas makes these (``atlas[id]``, ``entry.runnable``), flattening a
    composite with the circuits it includes; simulation accepts nothing else,
    so an unflattened composite fails here, by name, not deep in NEST. Its readout is
    always written out (a composite's ``combine`` is derived when it is flattened).
    """

    readout: ReadoutSpec | None = None

    @model_validator(mode="after")
    def _closed(self) -> "RunnableCircuit":
        problem = closure_problem(self)
        if problem:
            raise ValueError(problem)
        return self


def closure_problem(circuit: Circuit) -> str | None:
    """Why the circuit cannot run on its own (it includes others, or names populations it lacks); None if it can."""
    if circuit.includes:
        return f"{circuit.id} includes {', '.join(circuit.includes)}: flatten it with what it includes first"
    if circuit.readout is not None and not isinstance(circuit.readout, ReadoutSpec):
        return f"{circuit.id}'s readout combines its parts' readouts: flatten it with what it includes first"
    missing = sorted(set(_named_populations(circuit)) - {p.id for p in circuit.populations})
    if missing:
        return f"{circuit.id} names populations it does not define: {', '.join(missing)}"
    return None


def _named_populations(circuit: Circuit) -> Iterator[str]:
    for pr in circuit.projections:
        yield from (pr.source, pr.target)
    for inp in poisson_inputs(circuit):
        yield from (t.population for t in inp.targets)
    if circuit.readout is not None:
        yield from (r.population for r in circuit.readout.readouts)
        if circuit.readout.reward.dopamine is not None:
            yield circuit.readout.reward.dopamine.population
        if circuit.readout.reward.aversive is not None:
            yield circuit.readout.reward.aversive.population


def runnable(circuit: Circuit) -> RunnableCircuit:
    """The circuit as a RunnableCircuit; raise NotRunnableError if it is a composite or names undefined populations."""
    if isinstance(circuit, RunnableCircuit):
        return require_runnable(circuit)  # model_copy(update=...) skips validation: check again
    problem = closure_problem(circuit)  # said in its own words before the field types speak
    if problem:
        raise NotRunnableError(f"circuit {circuit.id!r} cannot run as it is: {problem}")
    try:
        return RunnableCircuit.model_validate({name: getattr(circuit, name) for name in type(circuit).model_fields})
    except ValueError as exc:
        raise NotRunnableError(f"circuit {circuit.id!r} cannot run as it is: {_first_message(exc)}") from None


def require_runnable(circuit: object) -> RunnableCircuit:
    """``circuit`` itself if it is a complete RunnableCircuit; otherwise a NotRunnableError saying how to get one."""
    if isinstance(circuit, RunnableCircuit):
        problem = closure_problem(circuit)  # a few set operations: cheap next to building a network
        if problem:
            raise NotRunnableError(f"circuit {circuit.id!r} cannot run as it is: {problem}")
        return circuit
    what = f"circuit {circuit.id!r}" if isinstance(circuit, Circuit) else repr(type(circuit).__name__)
    hint = " (a composite: flatten it with Atlas.runnable)" if isinstance(circuit, Circuit) and circuit.includes else ""
    raise NotRunnableError(f"{what} is not a RunnableCircuit{hint}; take it from the atlas (atlas[id], "
                           "entry.runnable) or pass it through drive_atlas.spec.semantics.runnable")


def _first_message(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(str(e.get("msg", "")).removeprefix("Value error, ") for e in errors())
    return str(exc)
