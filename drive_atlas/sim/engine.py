"""The chunked simulation loop: NEST runs the fast network, numpy the slow signalling in between.

Between chunks (default 100 ms) the loop reads each population's spike count,
advances ligand concentrations, recomputes receptor activations and sets every
population's current. Protocol events switch at their exact times: a chunk that
contains an event time is split there, and signals are still recorded once per
regular chunk. Each piece runs as one ``nest.Simulate`` call (NEST's own
closed-loop pattern), so devices are only changed between complete runs; where
nothing is read or set between chunks (no modulation, nothing counted live) and
every stop falls on NEST's minimum-delay grid, NEST runs on from one protocol
change to the next, pausing once a second for the progress report. Only the
populations whose rates the signalling needs are counted as the loop goes; with
every neuron recorded the others' counts come from their spikes afterwards, and
where none is needed (no modulation, or no population releasing a ligand) the
signalling is worked out after the run, number for number as the chunked loop
would have (``counted_populations``).

Several runs of one circuit and seed (:func:`run_shared`) simulate what they share
once: the loop can stop at a tick and, in a forked copy of the process, go on under
another timeline that sets every device alike up to there.
"""

from __future__ import annotations

import bisect
import os
import pickle
import signal
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from importlib.metadata import version

import numpy as np

from ..spec import content_hash
from ..spec.catalog import Ligand, Receptor
from ..spec.circuit import Circuit
from ..spec.semantics import ligand_inputs, poisson_inputs, population_scale
from .compiler import Network, compile_circuit, resolution
from .modulation import Modulation, ModulationState
from .protocol import Timeline
from .recording import Recording

Progress = Callable[[float, float], None]  # (simulated ms, total ms)
PROGRESS_MS = 1000.0  # biological ms between progress reports where the loop need not stop at every chunk


@dataclass(frozen=True)
class RunOptions:
    seed: int = 1
    threads: int = 1
    chunk: float = 100.0  # ms
    record_neurons: int | None = None  # per population; None records all
    modulation: bool = True  # False: no neuropeptide/hormone currents (fast network only)


def counted_populations(circuit: Circuit, options: RunOptions) -> list[str] | None:
    """The populations whose spikes a run must count as it goes (None: every one).

    The signalling needs the rates of the populations that release a ligand, and only while it acts on the network
    (with modulation). Every other count is needed only for the recording, and with every neuron recorded the spikes
    give it afterwards, exactly as a counter would have read it (``Network.counts_at``). Where no population is
    counted, the signalling's state changes the network only at the protocol's switches, so it is worked out after
    the run; the recording is the same, number for number."""
    if options.record_neurons is not None:
        return None
    return [p.id for p in circuit.populations if p.releases] if options.modulation else []


def run(
    circuit: Circuit,
    timeline: Timeline,
    ligands: Mapping[str, Ligand],
    receptors: Mapping[str, Receptor],
    options: RunOptions = RunOptions(),
    progress: Progress | None = None,
) -> Recording:
    """Build the network, run it under the timeline and return what was recorded."""
    started = time.perf_counter()
    loop = _Loop.build(circuit, timeline, ligands, receptors, options, progress)
    loop.built = time.perf_counter() - started
    loop.run_to(loop.final)
    return loop.finish()


def run_shared(
    circuit: Circuit,
    timelines: Sequence[Timeline],
    ligands: Mapping[str, Ligand],
    receptors: Mapping[str, Receptor],
    options: RunOptions = RunOptions(),
) -> list[Recording]:
    """What :func:`run` records for each timeline (spike for spike), simulating what the timelines share once.

    Timelines that build the same network (:func:`share_key`) run as one tree: the
    network is built once, runs for as long as every device is set alike, and where
    a timeline departs, a forked copy of this process (NEST kernel, random streams,
    recorders and signalling state included) continues it; the copy returns its
    recordings and ends. Without ``fork`` (or with several NEST threads, which an
    OpenMP kernel may not survive a fork with) every timeline runs on its own.
    """
    recordings: dict[int, Recording] = {}
    for members in _networks(circuit, timelines, ligands, options):
        loop = _Loop.build(circuit, members[0][1], ligands, receptors, options)
        recordings.update(_branch(loop, members))
    return [recordings[i] for i in range(len(timelines))]


def shared_duration(circuit: Circuit, timelines: Sequence[Timeline], ligands: Mapping[str, Ligand],
                    options: RunOptions = RunOptions()) -> float:
    """The biological ms :func:`run_shared` simulates for ``timelines`` (the sum of their durations, less what they share)."""
    step = resolution(circuit)
    chunk = chunk_ms(options.chunk, step)

    def tree(members: list[tuple[int, Timeline]], start: int) -> int:
        departures = _departures(members, step, chunk)
        return _ticks(members[0][1].duration, step) - start + sum(tree(group, point) for point, group in departures.items())

    return sum(tree(members, 0) for members in _networks(circuit, timelines, ligands, options)) * step


def _networks(circuit: Circuit, timelines: Sequence[Timeline], ligands: Mapping[str, Ligand],
              options: RunOptions) -> list[list[tuple[int, Timeline]]]:
    """The timelines (with their positions) grouped by the network and signalling layout they run on."""
    groups: dict[object, list[tuple[int, Timeline]]] = {}
    for i, timeline in enumerate(timelines):
        groups.setdefault(share_key(circuit, timeline, ligands) if _can_fork(options) else i, []).append((i, timeline))
    return list(groups.values())


def _departures(members: list[tuple[int, Timeline]], step: float, chunk: float) -> dict[int, list[tuple[int, Timeline]]]:
    """The members after the first, by the tick where each departs from it (in order of that tick)."""
    departures: dict[int, list[tuple[int, Timeline]]] = {}
    for member in members[1:]:
        departures.setdefault(fork_point(members[0][1], member[1], step, chunk), []).append(member)
    return dict(sorted(departures.items()))


def share_key(circuit: Circuit, timeline: Timeline, ligands: Mapping[str, Ligand]) -> tuple[object, ...]:
    """What must be equal for two timelines to share a run's start: the network built (its optogenetic devices, in
    order) and the signalling's ligands (so every array the loop computes on has the same layout)."""
    light = tuple((ev.mode, ev.population, ev.weight if ev.mode == "activate" else None) for _, ev in timeline.optogenetics())
    return light, tuple(_ligands(circuit, timeline))


def fork_point(a: Timeline, b: Timeline, step: float, chunk: float) -> int:
    """The tick up to which runs under ``a`` and ``b`` do exactly the same (a run's state just before it sets its
    devices at that tick): the same pieces simulated, the same devices set after each."""
    stops_a, stops_b = _stops(a, step, chunk), _stops(b, step, chunk)
    if _imposed(a, 0.0) != _imposed(b, 0.0):
        return 0
    point, common, last = 0, set(stops_a) & set(stops_b), min(stops_a[-1], stops_b[-1])
    for stop in sorted(set(stops_a) | set(stops_b)):
        if stop >= last or stop not in common:
            return point
        if _imposed(a, stop * step) != _imposed(b, stop * step):
            return stop
        point = stop
    return point


def _imposed(timeline: Timeline, t: float) -> tuple[object, ...]:
    """Everything :meth:`_Driver.apply` sets from the timeline at t (the signalling state aside)."""
    light = [(k, ev.mode, ev.population, ev.rate, ev.current) for k, (i, ev) in enumerate(timeline.optogenetics())
             if timeline.events[i].active(t)]
    return ([timeline.input_level(i, t) for i in timeline.baselines], timeline.drugs(t), light, sorted(timeline.lesions(t)))


def _ligands(circuit: Circuit, timeline: Timeline) -> list[str]:
    """The ligands a run's signalling tracks beyond those released: hormone inputs, then the timeline's drugs."""
    return [i.ligand for i in ligand_inputs(circuit)] + [e.event.ligand for e in timeline.events if e.event.type == "drug"]


def _stops(timeline: Timeline, step: float, chunk: float) -> list[int]:
    """The ticks at which the loop stops: chunk ends, event times and the end."""
    grid = np.arange(0, _ticks(timeline.duration, step), _ticks(chunk, step))
    return sorted(set(grid[1:].tolist()) | {_ticks(t, step) for t in timeline.change_times()} | {_ticks(timeline.duration, step)})


def _can_fork(options: RunOptions) -> bool:
    return hasattr(os, "fork") and options.threads == 1


def _branch(loop: _Loop, members: list[tuple[int, Timeline]]) -> dict[int, Recording]:
    """Run ``members`` (the loop follows the first; every one agrees with it so far) to their ends."""
    out: dict[int, Recording] = {}
    for point, group in _departures(members, loop.step, loop.chunk).items():
        loop.run_to(point)
        out.update({i: replace(r, circuit=loop.circuit) for i, r in _in_child(partial(_follow_and_branch, loop, group)).items()})
    loop.run_to(loop.final)
    out[members[0][0]] = loop.finish()
    return out


def _follow_and_branch(loop: _Loop, members: list[tuple[int, Timeline]]) -> dict[int, Recording]:
    loop.follow(members[0][1])
    return _branch(loop, members)


def _in_child(work: Callable[[], dict[int, Recording]]) -> dict[int, Recording]:
    """``work`` in a forked copy of this process; its recordings (or its error) come back through a pipe.

    The pickle on the pipe is written by this process's own fork and read by its parent, never by anything else:
    no data from outside crosses it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the copy: never returns into the caller's stack
        status = 0
        try:
            os.close(read)
            try:
                payload = ("ok", {i: replace(r, circuit=None) for i, r in work().items()})
            except BaseException as exc:  # noqa: BLE001 - re-raised in the parent
                payload = ("error", exc if _picklable(exc) else RuntimeError(traceback.format_exc()))
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(payload, pipe, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:  # noqa: BLE001 - the parent reports a copy that sent nothing
            status = 1
        finally:
            os._exit(status)
    os.close(write)
    try:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # interrupted: the copy's work is no longer wanted
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, code = os.waitpid(pid, 0)
    if not data:
        raise RuntimeError(f"a forked simulation ended without a result (wait status {code})")
    kind, value = pickle.loads(data)
    if kind == "error":
        raise value
    return value


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return False
    return True


class _Loop:
    """The chunked loop of one run, resumable: run to a tick, then (in a forked copy) follow another timeline."""

    def __init__(self, circuit: Circuit, timeline: Timeline, network: Network, modulation: Modulation, options: RunOptions,
                 progress: Progress | None = None) -> None:
        self.circuit, self.network, self.modulation, self.options, self.progress = circuit, network, modulation, options, progress
        self.step = resolution(circuit)
        self.chunk = chunk_ms(options.chunk, self.step)
        self.rows: list[tuple[np.ndarray, ModulationState]] = []  # (spike counts at the chunk's end, state applied at its start)
        self.last_counts, self.start = np.zeros(len(network.sizes)), 0  # the signalling's last counts and tick
        self.at = 0  # the tick NEST has reached (ahead of ``start`` while the signalling is deferred)
        self.deferred = network.counters is None  # nothing counted live: the signalling waits for the end
        self.pending = True  # the devices are still to be set at ``at``
        self.chunk_state: ModulationState | None = None
        self.built, self.simulated = 0.0, 0.0
        self.follow(timeline)

    @classmethod
    def build(cls, circuit: Circuit, timeline: Timeline, ligands: Mapping[str, Ligand], receptors: Mapping[str, Receptor],
              options: RunOptions, progress: Progress | None = None) -> _Loop:
        chunk_ms(options.chunk, resolution(circuit))  # refused before anything is built
        network = compile_circuit(circuit, seed=options.seed, threads=options.threads,
                                  optogenetics=timeline.optogenetics(), record_neurons=options.record_neurons,
                                  modulation=options.modulation, counted=counted_populations(circuit, options))
        modulation = Modulation.build(circuit.populations, ligands, receptors, _ligands(circuit, timeline))
        return cls(circuit, timeline, network, modulation, options, progress)

    def follow(self, timeline: Timeline) -> None:
        """Continue under ``timeline`` (at the start, or where it departs from the one followed so far)."""
        if self.network.optogenetics and hasattr(self, "timeline"):
            before = [i for i, _ in self.timeline.optogenetics()]
            self.network.relabel_light(dict(zip(before, (i for i, _ in timeline.optogenetics()))))
        self.timeline = timeline
        self.driver = _Driver(self.circuit, timeline, self.network, self.modulation, self.options.modulation)
        self.grid = np.arange(0, _ticks(timeline.duration, self.step), _ticks(self.chunk, self.step))
        self.grid_set = set(self.grid.tolist())
        self.stops = _stops(timeline, self.step, self.chunk)
        self.final = self.stops[-1]
        self.pauses = self._pauses(timeline)

    def _pauses(self, timeline: Timeline) -> list[int]:
        """The stops at which NEST is paused (``run_to`` also pauses at the tick it is asked for).

        Every stop while the loop reads counters or sets currents there. Without modulation and with nothing counted
        live, the devices change only at the protocol's change times, so NEST pauses only there and at the first stop
        in each ``PROGRESS_MS`` (for the progress report), provided every stop falls on NEST's minimum-delay grid: a run
        paused there spikes as one that is not (each ``nest.Simulate`` call costs about 150 us), while a pause inside
        a slice changes NEST's spikes, so a loop with such a stop keeps every one."""
        if not self.deferred or self.options.modulation:
            return self.stops
        slice_ticks, every = self.network.min_delay_ticks(), _ticks(PROGRESS_MS, self.step)
        if any(stop % slice_ticks for stop in self.stops):
            return self.stops
        changes = {_ticks(t, self.step) for t in timeline.change_times()}
        return [stop for before, stop in zip([0] + self.stops, self.stops)
                if stop in changes or stop // every > before // every or stop == self.final]

    def run_to(self, tick: int) -> None:
        """Simulate every piece up to ``tick``, setting the devices after each but the last.

        With the signalling deferred nothing is read; the loop pauses where :meth:`_pauses` says."""
        todo = [stop for stop in self.pauses if self.at < stop < tick] + ([tick] if tick > self.at else [])
        if not todo:
            return
        if self.pending:
            self._apply()
        started = time.perf_counter()
        for stop in todo:
            self.network.nest.Simulate((stop - self.at) * self.step)
            self.at = stop
            if not self.deferred:
                self._signal(stop, self.network.spike_counts())
            if stop < tick:
                self._apply()
            if self.progress:
                self.progress(stop * self.step, self.timeline.duration)
        self.pending = True
        self.simulated += time.perf_counter() - started

    def _signal(self, stop: int, counts: np.ndarray) -> None:
        """Advance the signalling to ``stop`` with the piece's spike counts; record a row where a chunk ends."""
        dt = (stop - self.start) * self.step
        self.modulation.advance((counts - self.last_counts) / self.network.sizes / (dt / 1000.0), dt)
        self.last_counts, self.start = counts, stop
        if self._at_grid(stop):
            self.rows.append((counts, self.chunk_state))

    def _at_grid(self, tick: int) -> bool:
        return tick in self.grid_set or tick == self.final

    def _apply(self) -> None:
        """Set the devices at ``at``; with the signalling live, from the signalling's state there."""
        self.pending = False
        if self.at >= self.final:
            return
        # deferred: no population releases a ligand, or no current is applied, so the state there needs no spikes
        state = self.driver.state(self.at * self.step) if self.deferred else self._state()
        self.driver.apply(self.at * self.step, state)

    def _state(self) -> ModulationState:
        """The signalling's state at ``start`` (kept as the chunk's state where a chunk starts)."""
        state = self.driver.state(self.start * self.step)
        if self.start == 0 or self._at_grid(self.start):
            self.chunk_state = state
        return state

    def _replay(self) -> None:
        """The deferred signalling, worked out after the run from the recorded spikes, piece by piece as the live
        loop would have (the same counts at the same stops, so the same numbers)."""
        started = time.perf_counter()
        counts = self.network.counts_at(self.spikes, self.stops)
        self._state()
        for stop, at_stop in zip(self.stops, counts):
            self._signal(stop, at_stop)
            if stop < self.final:
                self._state()
        self.simulated += time.perf_counter() - started

    def _fill_uncounted(self) -> None:
        """Each row's counts of the populations counted for the recording only, from the recorded spikes."""
        uncounted = np.setdiff1d(np.arange(len(self.network.sizes)), self.network.counted)
        counts = self.network.counts_at(self.spikes, [stop for stop in self.stops if self._at_grid(stop)])
        for (row, _), at_stop in zip(self.rows, counts):
            row[uncounted] = at_stop[uncounted]

    def finish(self) -> Recording:
        """What the run recorded, once it has reached its end."""
        self.spikes = self.network.spikes()
        if self.deferred:
            self._replay()
        elif len(self.network.counted) < len(self.network.sizes):
            self._fill_uncounted()
        circuit, timeline, network, modulation, options, step, rows = (
            self.circuit, self.timeline, self.network, self.modulation, self.options, self.step, self.rows)
        spike_counts = np.diff(np.vstack([np.zeros(len(network.sizes))] + [c for c, _ in rows]), axis=0)
        widths = np.diff(np.append(self.grid, self.final)) * step
        annotations = {
            "circuit_id": circuit.id, "circuit_version": circuit.version, "content_hash": content_hash(circuit),
            "protocol": timeline.name, "seed": options.seed, "threads": options.threads, "chunk_ms": self.chunk,
            "resolution_ms": step, "population_scale": population_scale(circuit),
            "duration_ms": timeline.duration, "modulation": options.modulation,
            "nest_version": version("nest-simulator"), "build_seconds": self.built, "simulate_seconds": self.simulated,
        }
        states = [s for _, s in rows]
        return Recording(
            circuit=circuit, annotations=annotations, times=self.grid * step, chunk=self.chunk, duration=timeline.duration,
            rates=spike_counts / network.sizes / (widths[:, None] / 1000.0),
            ligands=modulation.ligands, concentrations=np.array([s.concentrations for s in states]).reshape(len(rows), -1),
            receptors=[(a.population, a.receptor) for a in modulation.annotations],
            activation=np.array([s.activation for s in states]).reshape(len(rows), -1),
            occupancy=np.array([s.occupancy for s in states]).reshape(len(rows), -1),
            currents=np.array([s.currents for s in states]).reshape(len(rows), -1),
            spikes=self.spikes,
            recorded={pid: _recorded(network, pid, options) for pid in network.populations},
            epochs=[(e.event.at, min(e.event.until or timeline.duration, timeline.duration), e.label())
                    for e in timeline.events if e.event.at < timeline.duration],
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
        self.modulation = Modulation.build(circuit.populations, ligands, receptors, _ligands(circuit, self.base))
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
        self.driver.apply(self.time, self.driver.state(self.time))
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


def chunk_ms(chunk: float, step: float) -> float:
    """The chunk as the loop runs it (ms): a whole number of the circuit's steps; ValueError below one step."""
    ticks = _ticks(chunk, step)
    if ticks <= 0:
        raise ValueError(f"chunk must be at least the circuit's resolution, {step:g} ms")
    return ticks * step


@dataclass(frozen=True)
class _Imposed:
    """What a timeline imposes over one stretch between its change times (it is constant there)."""

    ligands: np.ndarray  # (ligands,) nM, everywhere
    sites: np.ndarray  # (populations, ligands) nM, at the drugs' sites
    silencing: list[tuple[int, float]]  # (population index, pA) of each active silencing event
    light: set[int]  # the active activating events' indices
    input_rates: list[tuple[str, float]]  # Poisson input id -> rate
    lesions: set[str]


class _Driver:
    """Applies the protocol and the slow signalling to the network's devices at one moment."""

    def __init__(self, circuit: Circuit, timeline: Timeline, network: Network, modulation: Modulation, enabled: bool) -> None:
        self.network, self.modulation, self.enabled = network, modulation, enabled
        self.pop_index = {p.id: i for i, p in enumerate(circuit.populations)}
        self.ligand_inputs = [(i.id, modulation.ligands.index(i.ligand)) for i in ligand_inputs(circuit)]
        self.poisson_inputs = [i.id for i in poisson_inputs(circuit)]
        self.timeline = timeline

    @property
    def timeline(self) -> Timeline:
        return self._timeline

    @timeline.setter
    def timeline(self, timeline: Timeline) -> None:
        self._timeline, self._changes, self._stretches = timeline, timeline.change_times(), {}
        self.light = dict(timeline.optogenetics())
        self.light_rates = {i: ev.rate for i, ev in self.light.items()}

    def state(self, t: float) -> ModulationState:
        """The signalling's state at time t: its released ligands with what the protocol imposes there."""
        imposed = self._imposed(t)
        return self.modulation.state(imposed.ligands, imposed.sites)

    def apply(self, t: float, state: ModulationState) -> None:
        """Set every device to what the protocol and the signalling (its ``state`` at t) ask for at time t."""
        imposed = self._imposed(t)
        currents = state.currents.copy() if self.enabled else np.zeros(len(self.modulation.populations))
        for population, current in imposed.silencing:
            currents[population] += current
        self.network.set_currents(currents)
        self.network.set_light(imposed.light, self.light_rates)
        for input_id, rate in imposed.input_rates:
            self.network.set_input_rate(input_id, rate)
        self.network.lesion(imposed.lesions)

    def _imposed(self, t: float) -> _Imposed:
        """What the timeline imposes at t, worked out once per stretch between change times (the loop asks every chunk)."""
        stretch = bisect.bisect_right(self._changes, t)
        if stretch not in self._stretches:
            self._stretches[stretch] = self._work_out(t)
        return self._stretches[stretch]

    def _work_out(self, t: float) -> _Imposed:
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
        active = [i for i, ev in self.light.items() if tl.events[i].active(t)]
        return _Imposed(
            imposed, site,
            [(self.pop_index[self.light[i].population], self.light[i].current) for i in active if self.light[i].mode == "silence"],
            {i for i in active if self.light[i].mode == "activate"},
            [(input_id, tl.input_level(input_id, t)) for input_id in self.poisson_inputs],
            tl.lesions(t))
