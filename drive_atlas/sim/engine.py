"""The chunked simulation loop: NEST runs the fast network, numpy the slow signalling in between.

Between chunks (default 100 ms) the loop reads each population's spike count,
advances ligand concentrations, recomputes receptor activations and sets every
population's current. Protocol events switch at their exact times: a chunk that
contains an event time is split there, and signals are still recorded once per
regular chunk. Each piece runs as one ``nest.Simulate`` call (NEST's own
closed-loop pattern), so devices are only changed between complete runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from importlib.metadata import version

import numpy as np

from ..spec import content_hash
from ..spec.catalog import Ligand, Receptor
from ..spec.circuit import Circuit
from ..spec.semantics import ligand_inputs, poisson_inputs
from .compiler import Network, compile_circuit, resolution
from .modulation import Modulation, ModulationState
from .protocol import Timeline
from .recording import Recording

Progress = Callable[[float, float], None]  # (simulated ms, total ms)


@dataclass(frozen=True)
class RunOptions:
    seed: int = 1
    threads: int = 1
    chunk: float = 100.0  # ms
    record_neurons: int | None = None  # per population; None records all
    modulation: bool = True  # False: no neuropeptide/hormone currents (fast network only)


def run(
    circuit: Circuit,
    timeline: Timeline,
    ligands: Mapping[str, Ligand],
    receptors: Mapping[str, Receptor],
    options: RunOptions = RunOptions(),
    progress: Progress | None = None,
) -> Recording:
    """Build the network, run it under the timeline and return what was recorded."""
    step = resolution(circuit)
    chunk = _ticks(options.chunk, step) * step
    if chunk <= 0:
        raise ValueError(f"chunk must be at least the circuit's resolution, {step:g} ms")
    started = time.perf_counter()
    network = compile_circuit(circuit, seed=options.seed, threads=options.threads,
                              optogenetics=timeline.optogenetics(), record_neurons=options.record_neurons,
                              modulation=options.modulation)
    built = time.perf_counter()
    extra = [i.ligand for i in ligand_inputs(circuit)] + [e.event.ligand for e in timeline.events if e.event.type == "drug"]
    modulation = Modulation.build(circuit.populations, ligands, receptors, extra)
    driver = _Driver(circuit, timeline, network, modulation, options.modulation)

    grid = np.arange(0, _ticks(timeline.duration, step), _ticks(chunk, step))
    stops = sorted(set(grid[1:].tolist()) | {_ticks(t, step) for t in timeline.change_times()} | {_ticks(timeline.duration, step)})
    rows: list[tuple[np.ndarray, ModulationState]] = []  # (spike counts at the chunk's end, state applied at its start)
    chunk_state = driver.apply(0.0)
    last_counts, start, grid_set, final = np.zeros(len(network.sizes)), 0, set(grid.tolist()), stops[-1]
    for stop in stops:
        dt = (stop - start) * step
        network.nest.Simulate(dt)
        counts = network.spike_counts()
        modulation.advance((counts - last_counts) / network.sizes / (dt / 1000.0), dt)
        last_counts, start = counts, stop
        at_grid = stop in grid_set or stop == final
        if at_grid:
            rows.append((counts, chunk_state))
        if stop < final:
            state = driver.apply(stop * step)
            chunk_state = state if at_grid else chunk_state
        if progress:
            progress(stop * step, timeline.duration)
    finished = time.perf_counter()

    spike_counts = np.diff(np.vstack([np.zeros(len(network.sizes))] + [c for c, _ in rows]), axis=0)
    widths = np.diff(np.append(grid, stops[-1])) * step
    annotations = {
        "circuit_id": circuit.id, "circuit_version": circuit.version, "content_hash": content_hash(circuit),
        "protocol": timeline.name, "seed": options.seed, "threads": options.threads, "chunk_ms": chunk, "resolution_ms": step,
        "duration_ms": timeline.duration, "modulation": options.modulation, "nest_version": version("nest-simulator"),
        "build_seconds": built - started, "simulate_seconds": finished - built,
    }
    states = [s for _, s in rows]
    return Recording(
        circuit=circuit, annotations=annotations, times=grid * step, chunk=chunk, duration=timeline.duration,
        rates=spike_counts / network.sizes / (widths[:, None] / 1000.0),
        ligands=modulation.ligands, concentrations=np.array([s.concentrations for s in states]).reshape(len(rows), -1),
        receptors=[(a.population, a.receptor) for a in modulation.annotations],
        activation=np.array([s.activation for s in states]).reshape(len(rows), -1),
        occupancy=np.array([s.occupancy for s in states]).reshape(len(rows), -1),
        currents=np.array([s.currents for s in states]).reshape(len(rows), -1),
        spikes=network.spikes(),
        recorded={pid: _recorded(network, pid, options) for pid in network.populations},
        epochs=[(e.event.at, min(e.event.until or timeline.duration, timeline.duration), e.label()) for e in timeline.events
                if e.event.at < timeline.duration],
    )


class Stepper:
    """One network kept alive and advanced step by step, with input levels chosen between steps (closed loop).

    For agents that set the circuit's inputs from their own state as they go: ``step``
    sets the given input levels (others stay at their baselines), runs dt with the slow
    signalling applied as in :func:`run`, and returns each population's mean rate over the step.
    """

    def __init__(self, circuit: Circuit, ligands: Mapping[str, Ligand], receptors: Mapping[str, Receptor],
                 options: RunOptions = RunOptions(record_neurons=1)) -> None:
        self.base = Timeline.build(circuit, ligands, duration=float("inf"))
        self.network = compile_circuit(circuit, seed=options.seed, threads=options.threads, record_neurons=options.record_neurons,
                                       modulation=options.modulation)
        extra = [i.ligand for i in ligand_inputs(circuit)]
        self.modulation = Modulation.build(circuit.populations, ligands, receptors, extra)
        self.driver = _Driver(circuit, self.base, self.network, self.modulation, options.modulation)
        self.populations = list(self.network.populations)
        self.time = 0.0  # ms simulated so far
        self._counts = np.zeros(len(self.network.sizes))

    def step(self, levels: Mapping[str, float], dt: float) -> np.ndarray:
        """Run dt ms with inputs at ``levels`` (input id -> nM or Hz); return rates (Hz) in population order."""
        step = self.network.resolution
        ticks = _ticks(dt, step)
        if ticks <= 0:
            raise ValueError(f"dt must be at least the circuit's resolution, {step:g} ms")
        self.driver.timeline = replace(self.base, baselines={**self.base.baselines, **levels})
        self.driver.apply(self.time)
        dt = ticks * step
        self.network.nest.Simulate(dt)
        counts = self.network.spike_counts()
        rates = (counts - self._counts) / self.network.sizes / (dt / 1000.0)
        self.modulation.advance(rates, dt)
        self._counts, self.time = counts, self.time + dt
        return rates


def _recorded(network: Network, pid: str, options: RunOptions) -> int:
    size = len(network.populations[pid])
    return size if options.record_neurons is None else min(size, options.record_neurons)


def _ticks(ms: float, step: float) -> int:
    return int(round(ms / step))


class _Driver:
    """Applies the protocol and the slow signalling to the network's devices at one moment."""

    def __init__(self, circuit: Circuit, timeline: Timeline, network: Network, modulation: Modulation, enabled: bool) -> None:
        self.timeline, self.network, self.modulation, self.enabled = timeline, network, modulation, enabled
        self.pop_index = {p.id: i for i, p in enumerate(circuit.populations)}
        self.ligand_inputs = [(i.id, modulation.ligands.index(i.ligand)) for i in ligand_inputs(circuit)]
        self.poisson_inputs = [i.id for i in poisson_inputs(circuit)]
        self.light = dict(timeline.optogenetics())

    def apply(self, t: float) -> ModulationState:
        """Set every device to what the protocol and the signalling ask for at time t; return the signalling state."""
        tl, mod = self.timeline, self.modulation
        imposed = np.zeros(len(mod.ligands))
        site = np.zeros((len(mod.populations), len(mod.ligands)))
        for input_id, j in self.ligand_inputs:
            imposed[j] += tl.input_level(input_id, t)
        for dose in tl.drugs(t):
            j = mod.ligands.index(dose.ligand)
            if dose.sites:
                site[[self.pop_index[s] for s in dose.sites], j] += dose.concentration
            else:
                imposed[j] += dose.concentration
        state = mod.state(imposed, site)
        currents = state.currents.copy() if self.enabled else np.zeros(len(mod.populations))
        active = {i for i, ev in self.light.items() if tl.events[i].active(t)}
        for i in active:
            if self.light[i].mode == "silence":
                currents[self.pop_index[self.light[i].population]] += self.light[i].current
        self.network.set_currents(currents)
        self.network.set_light({i for i in active if self.light[i].mode == "activate"},
                               {i: ev.rate for i, ev in self.light.items()})
        for input_id in self.poisson_inputs:
            self.network.set_input_rate(input_id, tl.input_level(input_id, t))
        self.network.lesion(tl.lesions(t))
        return state
