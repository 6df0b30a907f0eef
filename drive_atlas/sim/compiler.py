"""Circuit -> NEST network, plus the handful of devices the simulation loop steers between chunks.

What is built, per population:

* the neurons (model and parameters exactly as specified; NEST defaults otherwise);
* one Poisson generator for its background input, as the circuit represents it
  (:func:`background_input`: by default rate and weight as written, one draw per
  target per step; or thinned, with the mean difference as a constant current);
* one ``dc_generator`` whose amplitude is the sum of the modulatory current and any
  optogenetic silencing current, set between chunks (a device, not neuron
  parameters, which measured far slower per chunk and which NEST warns against changing mid-run);
* where its spikes are counted as the loop goes (every population unless the caller names the
  ``counted`` ones), a spike counter: one ``iaf_psc_delta`` neuron that never fires, with huge
  membrane time constant and threshold, to which every neuron of the population
  connects with weight 1 mV, so its V_m is the population's spike count. Reading
  one V_m per population per chunk costs microseconds, unlike pulling spike
  events out of a recorder. It connects with NEST's minimum delay, so counts
  lag the spikes by that delay (at most a few ms);
* a ``spike_recorder`` for all neurons (or the first ``record_neurons``), read once at the end.

Per Poisson input, one ``poisson_generator`` per target (its weight), rate switched by
the protocol; per optogenetic activation event, one ``poisson_generator`` (its rate,
weight) switched on and off. A lesion freezes the population's neurons
(NEST's ``frozen``): they are no longer updated, so they neither fire nor
release, which removes their output entirely and for good.

Projection weights are signed here: inhibitory projections get negative weights
(NEST routes negative weights to the inhibitory synapse of conductance models).
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..spec.circuit import BackgroundEvents, Optogenetics, Population, Projection
from ..spec.errors import DriveAtlasError
from ..spec.semantics import (
    SIMULATION_STEP, RunnableCircuit, delay_problem, neurons, poisson_inputs, population_scale, require_runnable, resolution,
    scale_problem, sign_factor,
)

DEFAULT_DEVICE_DELAY = 1.0  # ms, used when no projection is shorter
_COUNTER = {"E_L": 0.0, "V_m": 0.0, "V_reset": 0.0, "V_th": 1e300, "V_min": -1e300, "tau_m": 1e300, "C_m": 1.0, "t_ref": 0.0}


class CompileError(DriveAtlasError, ValueError):
    """The circuit cannot be expressed as a NEST network as written."""


def import_nest() -> Any:
    """Import NEST quietly, on first use only, so the rest of the package stays NEST-free."""
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.WARNING
    return nest


@dataclass
class Network:
    """The built network and the devices the simulation loop steers."""

    nest: Any
    populations: dict[str, Any]  # id -> NodeCollection
    sizes: np.ndarray
    counters: Any  # one spike counter per counted population, or None
    counted: np.ndarray  # the counted populations' indices, in population order
    currents: dict[int, Any]  # population index -> its dc_generator, for populations a current can reach
    generators: Any  # those dc_generators, in the same order, as one NodeCollection
    recorders: dict[str, Any]
    inputs: dict[str, Any]  # Poisson input id -> its generators
    optogenetics: dict[int, Any]  # timeline event index -> generator
    projections: dict[str, tuple[Any, Any]]  # id -> (sources, targets)
    resolution: float = SIMULATION_STEP  # ms
    _amplitudes: np.ndarray = field(init=False)
    _rates: dict[str, float] = field(default_factory=dict)
    _lit: set[int] = field(default_factory=set)
    _frozen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._amplitudes = np.zeros(len(self.populations))

    def spike_counts(self) -> np.ndarray:
        """Spikes emitted so far per population (lagging by the minimum delay); 0 for a population without a counter.
        Asked for as a list of keys, which PyNEST answers about a quarter faster than for one key (102 against 138 us
        for ten nodes)."""
        counts = np.zeros(len(self.sizes))
        if self.counters is not None:
            counts[self.counted] = np.rint(np.asarray(self.counters.get(["V_m"])["V_m"], dtype=float).reshape(-1))
        return counts

    def counts_at(self, spikes: dict[str, tuple[np.ndarray, np.ndarray]], ticks: Sequence[int]) -> np.ndarray:
        """(len(ticks), populations): what ``spike_counts`` reads at each tick (in steps of the resolution), from
        ``spikes`` (every neuron's): a spike of step s (stamped at its end, or inside it by a precise-timing model)
        reaches its counter, and so its count, at s plus the minimum delay, the counters' delay."""
        lag = self.min_delay_ticks()
        stops = np.asarray(ticks)
        return np.column_stack([np.searchsorted(_step_of(spikes[pid][0], self.resolution) + lag, stops, side="right")
                                for pid in self.populations]).astype(float)

    def min_delay_ticks(self) -> int:
        """NEST's minimum delay in steps: the length of the slices NEST advances every neuron by between deliveries."""
        return round(self.nest.min_delay / self.resolution)

    def set_currents(self, amplitudes: np.ndarray) -> None:
        """Set dc amplitudes (pA) when any changed, all generators in one call: PyNEST's per-call cost (about 40 us)
        outweighs the per-generator one, so eight generators set one by one took 338 us, in one call 52."""
        changed = np.flatnonzero(np.abs(amplitudes - self._amplitudes) > 1e-9)
        if not len(changed):
            return
        missing = [int(i) for i in changed if int(i) not in self.currents]
        if missing:
            raise CompileError(f"population {list(self.populations)[missing[0]]!r} was built without a current input, "
                               "as it expresses no receptor and no event silences it")
        self._amplitudes[changed] = amplitudes[changed]
        self.generators.set([{"amplitude": float(self._amplitudes[i])} for i in self.currents])

    def set_input_rate(self, input_id: str, rate: float) -> None:
        if self._rates.get(input_id) != rate:
            self.inputs[input_id].set(rate=float(rate))
            self._rates[input_id] = rate

    def set_light(self, active: set[int], rates: dict[int, float]) -> None:
        """Switch optogenetic generators so that exactly the ``active`` event indices are on."""
        for index in active ^ self._lit:
            self.optogenetics[index].set(rate=rates[index] if index in active else 0.0)
        self._lit = set(active)

    def relabel_light(self, indices: dict[int, int]) -> None:
        """Key the optogenetic generators by another timeline's event indices (its events in the same order)."""
        self.optogenetics = {indices[i]: generator for i, generator in self.optogenetics.items()}
        self._lit = {indices[i] for i in self._lit}

    def lesion(self, populations: set[str]) -> None:
        for pid in populations - self._frozen:
            self.populations[pid].set(frozen=True)
        self._frozen |= populations

    def connections(self, projection_id: str) -> int:
        sources, targets = self.projections[projection_id]
        return len(self.nest.GetConnections(source=sources, target=targets))

    def spikes(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """All recorded spikes per population: (times in ms, neuron index within the population)."""
        out = {}
        for pid, recorder in self.recorders.items():
            events = recorder.get("events")
            first = self.populations[pid][0].global_id
            order = np.argsort(events["times"], kind="stable")
            out[pid] = (np.asarray(events["times"], dtype=float)[order], np.asarray(events["senders"], dtype=int)[order] - first)
        return out


def _step_of(times: np.ndarray, resolution: float) -> np.ndarray:
    """The step each spike belongs to: the step ending at or after its time (precise-timing models stamp spikes
    inside their step; rounding first keeps a time on a step's end on that step)."""
    return np.ceil(np.round(times / resolution, 6))


def compile_circuit(
    circuit: RunnableCircuit,
    *,
    seed: int = 1,
    threads: int = 1,
    optogenetics: Sequence[tuple[int, Optogenetics]] = (),
    record_neurons: int | None = None,
    modulation: bool = True,
    counted: Collection[str] | None = None,
) -> Network:
    """Reset NEST and build the circuit; ``record_neurons`` caps the neurons recorded per population (None: all).

    Without ``modulation`` no receptor current can arise, so only silenced populations get a current device.
    Only the ``counted`` populations (None: every one) get a live spike counter; the others' counts can come from
    their recorded spikes afterwards (``Network.counts_at``).
    """
    _check(require_runnable(circuit))
    nest = import_nest()
    nest.ResetKernel()
    nest.set(resolution=resolution(circuit), local_num_threads=threads, rng_seed=seed)
    defaults = {p.neuron.model: nest.GetDefaults(p.neuron.model) for p in circuit.populations}
    backgrounds = {p.id: background_input(p, defaults[p.neuron.model]) for p in circuit.populations if p.background}
    pops = {p.id: nest.Create(p.neuron.model, neurons(circuit, p), params=neuron_params(p, backgrounds.get(p.id), defaults[p.neuron.model]))
            for p in circuit.populations}
    projections = {pr.id: _connect(nest, pops, pr) for pr in circuit.projections}
    delay = min([pr.delay for pr in circuit.projections] + [DEFAULT_DEVICE_DELAY])
    device = {"delay": delay}

    for pid, bg in backgrounds.items():
        gen = nest.Create(bg.generator, params={"rate": bg.rate})
        nest.Connect(gen, pops[pid], syn_spec={"weight": bg.weight, **device})
    targets = _current_targets(circuit, optogenetics, modulation)
    generators = nest.Create("dc_generator", len(targets), params={"amplitude": 0.0}) if targets else nest.NodeCollection([])
    currents = {i: generators[k] for k, i in enumerate(targets)}
    for i, pid in targets.items():
        nest.Connect(currents[i], pops[pid], syn_spec=device)

    inputs = {}
    for inp in poisson_inputs(circuit):
        gens = nest.Create("poisson_generator", len(inp.targets), params={"rate": inp.baseline.value})
        for gen, target in zip(gens, inp.targets):
            nest.Connect(gen, pops[target.population], syn_spec={"weight": target.weight, **device})
        inputs[inp.id] = gens
    light = {}
    for index, ev in optogenetics:
        if ev.mode == "activate":
            light[index] = nest.Create("poisson_generator", params={"rate": 0.0})
            nest.Connect(light[index], pops[ev.population], syn_spec={"weight": ev.weight, **device})

    counted_index = np.array([i for i, pid in enumerate(pops) if counted is None or pid in counted], dtype=int)
    counters = nest.Create("iaf_psc_delta", len(counted_index), params=_COUNTER) if len(counted_index) else None
    counter_of = {list(pops)[i]: counters[k] for k, i in enumerate(counted_index)}
    recorders = {}
    for pid, nodes in pops.items():
        if pid in counter_of:
            nest.Connect(nodes, counter_of[pid], syn_spec={"weight": 1.0, "delay": nest.min_delay})
        recorders[pid] = nest.Create("spike_recorder")
        nest.Connect(nodes if record_neurons is None else nodes[: min(record_neurons, len(nodes))], recorders[pid])
    sizes = np.array([len(pops[p.id]) for p in circuit.populations], dtype=float)
    return Network(nest, pops, sizes, counters, counted_index, currents, generators, recorders, inputs, light, projections,
                   resolution(circuit))


@dataclass(frozen=True)
class BackgroundInput:
    """What one population's background becomes in NEST: a generator, its rate and weight, and a constant current."""

    generator: str
    rate: float  # Hz
    weight: float  # pA or nS
    current: float  # pA added to the neurons' I_e


THINNABLE = {"iaf_psc_exp": "tau_syn_ex"}  # models with exponential current-based PSCs -> the excitatory time constant


def background_input(population: Population, defaults: dict[str, Any]) -> BackgroundInput:
    """The population's background as NEST devices (``defaults``: its model's NEST defaults).

    Thinning by k keeps the input current's mean (rate*w*tau_syn) and variance
    (rate*w^2*tau_syn/2): rate/k spikes of weight w*sqrt(k), plus the lost mean as a current.
    """
    bg = population.background
    assert bg is not None
    events = bg.events or BackgroundEvents()
    k = events.thinning
    if k == 1:
        return BackgroundInput(events.generator, bg.rate, bg.weight, 0.0)
    model = population.neuron.model
    if model not in THINNABLE or bg.weight <= 0:
        raise CompileError(f"population {population.id!r}: background.events.thinning needs an excitatory background "
                           f"onto a current-based exponential-synapse model ({', '.join(THINNABLE)}), not {model!r}")
    tau = population.neuron.params.get(THINNABLE[model], defaults[THINNABLE[model]])
    mean_lost = bg.rate / 1000.0 * bg.weight * tau * (1.0 - 1.0 / math.sqrt(k))  # pA: (1/ms)*pA*ms
    return BackgroundInput(events.generator, bg.rate / k, bg.weight * math.sqrt(k), mean_lost)


def neuron_params(population: Population, background: BackgroundInput | None, defaults: dict[str, Any]) -> dict[str, float]:
    """The neurons' parameters as specified, plus the constant part of a thinned background in I_e."""
    params = dict(population.neuron.params)
    if background is not None and background.current:
        params["I_e"] = params.get("I_e", defaults.get("I_e", 0.0)) + background.current
    return params


def _current_targets(circuit: RunnableCircuit, optogenetics: Sequence[tuple[int, Optogenetics]], modulation: bool) -> dict[int, str]:
    """The populations (index -> id) a slow current can reach.

    A dc_generator costs every target neuron a current event per time step, so only
    populations that an event silences, or (with modulation) that express a receptor, get one.
    """
    silenced = {ev.population for _, ev in optogenetics if ev.mode == "silence"}
    return {i: p.id for i, p in enumerate(circuit.populations) if (modulation and p.receptors) or p.id in silenced}


def _connect(nest: Any, pops: dict[str, Any], pr: Projection) -> tuple[Any, Any]:
    conn = pr.connection.model_dump()
    syn = {"synapse_model": pr.synapse, "weight": sign_factor(pr.sign) * pr.weight, "delay": pr.delay}
    nest.Connect(pops[pr.source], pops[pr.target], conn, syn)
    return pops[pr.source], pops[pr.target]


def _check(circuit: RunnableCircuit) -> None:
    """Problems NEST would report obscurely, stated in the circuit's own terms (the type guarantees every population exists)."""
    sizes = {p.id: neurons(circuit, p) for p in circuit.populations}
    problems = [f"projection {pr.id!r}: one_to_one needs equal sizes ({sizes[pr.source]} vs {sizes[pr.target]})"
                for pr in circuit.projections if pr.connection.rule == "one_to_one" and sizes[pr.source] != sizes[pr.target]]
    step = resolution(circuit)
    problems += [f"projection {pr.id!r}: {problem}" for pr in circuit.projections if (problem := delay_problem(pr.delay, step))]
    problems += [problem for pr in circuit.projections if (problem := scale_problem(pr, population_scale(circuit)))]
    if problems:
        raise CompileError("cannot compile circuit:\n  " + "\n  ".join(problems))
