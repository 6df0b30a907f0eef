"""Run assays: each condition over several seeds, shared conditions simulated once.

A condition runs only as far as its measure windows reach, and conditions that
impose the same events at the same seed share one simulation even when their names
or durations differ: the one that needs the most runs, and the others read that
run's prefix, which is exactly what their own run would record
(:meth:`~drive_atlas.sim.Recording.prefix`); every measure reads its window alone.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..drive import SimulationResult
from ..sim import Catalog, RunOptions, Timeline, chunk_ms, run_circuits, shared_duration
from ..spec.circuit import Assay, BehaviourAssay, BehaviourMeasure, Circuit, Event, Measure, ProtocolSpec
from ..spec.semantics import resolution
from .behaviour import script_protocol
from .measures import measure_value
from .statistics import Verdict, confidence_interval, judge

DEFAULT_SEEDS = (1, 2, 3, 4, 5)
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class AssayResult:
    circuit: str
    assay: Assay | BehaviourAssay
    seeds: tuple[int, ...]
    values: dict[str, np.ndarray]   # condition -> per-seed measure
    verdict: Verdict

    @property
    def status(self) -> str:
        """pass / fail, or for a recorded known gap: xfail (still failing) / xpass (now passing)."""
        if self.assay.expected_failure:
            return "xpass" if self.verdict.passed else "xfail"
        return "pass" if self.verdict.passed else "fail"

    @property
    def ok(self) -> bool:
        return self.status in {"pass", "xfail", "xpass"}

    def as_dict(self) -> dict[str, Any]:
        return {
            "circuit": self.circuit, "assay": self.assay.id, "citation": self.assay.citation,
            "phenomenon": self.assay.phenomenon, "measure": self.assay.measure.kind,
            "conditions": {c: {"mean": float(v.mean()), "ci95": _ci(v), "per_seed": v.tolist()} for c, v in self.values.items()},
            "effect": self.verdict.effect, "effect_ci95": [[i.mean, i.low, i.high] for i in self.verdict.intervals],
            "expectation": self.verdict.statement, "status": self.status, "seeds": list(self.seeds),
            "expected_failure": self.assay.expected_failure,
        }


def _ci(values: np.ndarray) -> list[float]:
    ci = confidence_interval(values)
    return [ci.low, ci.high]


@dataclass
class AssayRun:
    """All results of one call; ``table`` for humans and pandas, ``to_json`` for machines."""

    results: list[AssayResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "circuit": r.circuit, "assay": r.assay.id, "citation": ", ".join(r.assay.citation),
            "measured": "; ".join(f"{c}: {str(confidence_interval(v))}" for c, v in r.values.items()),
            "effect (95% CI)": ", ".join(str(i) for i in r.verdict.intervals),
            "expectation": r.verdict.statement, "status": r.status,
        } for r in self.results])

    def to_json(self) -> str:
        return json.dumps([r.as_dict() for r in self.results], indent=2)

    def summary(self, content_hash: str) -> dict[str, Any]:
        """Verdicts per assay for the content they were computed on (kept for the web app)."""
        return {"content_hash": content_hash, "passed": sum(r.ok for r in self.results), "total": len(self.results),
                "assays": {r.assay.id: r.status for r in self.results}}


ConditionKey = tuple[str, str, int, float]  # protocol (a name, or a scripted protocol as JSON), events (JSON), seed, duration
AnyAssay = Assay | BehaviourAssay


@dataclass(frozen=True)
class Condition:
    """What one condition of an assay simulates: a named protocol plus events, or a behaviour script's protocol."""

    protocol: str | ProtocolSpec
    events: tuple[Event, ...]
    duration: float

    @property
    def name(self) -> str:
        return self.protocol if isinstance(self.protocol, str) else (self.protocol.description or "script")

    def key(self, seed: int) -> ConditionKey:
        protocol = self.protocol if isinstance(self.protocol, str) else self.protocol.model_dump_json()
        events = json.dumps([e.model_dump(mode="json") for e in self.events], sort_keys=True)
        return protocol, events, seed, self.duration


def conditions_of(circuit: Circuit, assay: AnyAssay) -> dict[str, Condition]:
    """An assay's conditions by name: its protocols, or its behaviour scripts through the circuit's interface."""
    if isinstance(assay, BehaviourAssay):
        return {name: Condition(script_protocol(circuit, script, assay.duration), (), assay.duration)
                for name, script in assay.scripts.items()}
    return {name: Condition(c.protocol, tuple(c.events), assay.duration) for name, c in assay.conditions.items()}


@dataclass(frozen=True)
class Job:
    """One simulation an assay battery needs, and every measure read from it (so it is never re-run)."""

    key: ConditionKey
    condition: Condition
    measures: tuple[Measure | BehaviourMeasure, ...]

    @property
    def seed(self) -> int:
        return self.key[2]

    @property
    def duration(self) -> float:
        return self.key[3]

    def label(self, circuit_id: str) -> str:
        return f"{circuit_id}: {self.condition.name} seed {self.seed}"


def measure_id(measure: Measure | BehaviourMeasure) -> str:
    return json.dumps(measure.model_dump(mode="json"), sort_keys=True)


def plan_jobs(circuit: Circuit, assays: Iterable[AnyAssay], seeds: Iterable[int]) -> list[Job]:
    """The distinct simulations behind ``assays`` (of either kind): identical conditions share one per seed."""
    seeds = tuple(seeds)
    conditions: dict[ConditionKey, Condition] = {}
    measures: dict[ConditionKey, dict[str, Measure | BehaviourMeasure]] = {}
    for assay in assays:
        for condition in conditions_of(circuit, assay).values():
            for seed in seeds:
                key = condition.key(seed)
                conditions.setdefault(key, condition)
                measures.setdefault(key, {})[measure_id(assay.measure)] = assay.measure
    return [Job(key, conditions[key], tuple(measures[key].values())) for key in conditions]


@dataclass(frozen=True)
class Simulation:
    """One run serving jobs of the same events and seed; each job reads the run's first ``reads[i]`` ms."""

    jobs: tuple[Job, ...]
    reads: tuple[float, ...]  # ms of the run each job's measures read

    @property
    def duration(self) -> float:
        return max(self.reads)

    @property
    def seed(self) -> int:
        return self.jobs[0].seed

    def label(self, circuit_id: str) -> str:
        return self.jobs[0].label(circuit_id)


def plan_simulations(circuit: Circuit, jobs: Iterable[Job], chunk: float = RunOptions.chunk) -> list[Simulation]:
    """Group ``jobs`` into the fewest, shortest runs.

    A job needs its run only up to the chunk in which its last measure window ends (a
    run never depends on what comes after, and every measure reads its window alone),
    and jobs whose protocols impose the same events at the same seed share the run of the
    one that needs the most: the others read its prefix (:meth:`~drive_atlas.sim.Recording.prefix`).
    """
    step = resolution(circuit)
    chunk = chunk_ms(chunk, step)
    groups: dict[tuple[str, int], list[tuple[Job, float]]] = {}
    for job in jobs:
        groups.setdefault((_events_key(circuit, job.condition), job.seed), []).append((job, _needed(job, chunk)))
    simulations = []
    for group in groups.values():
        group.sort(key=lambda pair: -pair[1])
        longest = group[0][1]
        fits = [pair[1] == longest or _ends_chunk(pair[1], chunk) for pair in group]
        shared = [pair for pair, fit in zip(group, fits) if fit]
        simulations.append(Simulation(tuple(j for j, _ in shared), tuple(r for _, r in shared)))
        simulations += [Simulation((job,), (read,)) for (job, read), fit in zip(group, fits) if not fit]
    return simulations


def _needed(job: Job, chunk: float) -> float:
    """How much of its run a job reads: up to the end of the chunk holding its last measure window's end."""
    end = max(measure.window[1] for measure in job.measures)
    return min(job.duration, math.ceil(end / chunk - 1e-9) * chunk)


def _ends_chunk(duration: float, chunk: float) -> bool:
    return abs(duration / chunk - round(duration / chunk)) < 1e-9


def _events_key(circuit: Circuit, condition: Condition) -> str:
    """What a condition imposes, as the timeline sees it: its protocol's events then its own (names are labels only)."""
    protocol = condition.protocol
    if isinstance(protocol, str):
        if protocol not in circuit.protocols:  # left to the run, which names the problem
            return json.dumps(["unknown protocol", protocol, condition.key(0)[1]])
        protocol = circuit.protocols[protocol]
    return json.dumps([e.model_dump(mode="json") for e in (*protocol.events, *condition.events)], sort_keys=True)


def run_simulation(circuit: Circuit, catalog: Catalog, simulation: Simulation,
                   **run_options: Any) -> dict[ConditionKey, dict[str, float]]:
    """Simulate once; each job's measures by :func:`measure_id`, read from the run's prefix it needs (the same values
    as a run of the job's whole condition)."""
    return run_simulations(circuit, catalog, [simulation], **run_options)


def run_simulations(circuit: Circuit, catalog: Catalog, simulations: Sequence[Simulation],
                    **run_options: Any) -> dict[ConditionKey, dict[str, float]]:
    """:func:`run_simulation` of each, those of one seed together, so what their runs share is simulated once
    (:func:`~drive_atlas.sim.run_circuits`: the same values, spike for spike)."""
    values = {}
    for seed, group in by_seed(simulations).items():
        recordings = run_circuits(circuit, catalog, _runs(group), RunOptions(seed=seed, **run_options))
        for simulation, recording in zip(group, recordings):
            for job, read in zip(simulation.jobs, simulation.reads):
                part = recording if read == recording.duration else recording.prefix(read)
                tables = SimulationResult.from_recording(part).tables()
                values[job.key] = {measure_id(m): measure_value(m, tables) for m in job.measures}
    return values


def by_seed(simulations: Iterable[Simulation]) -> dict[int, list[Simulation]]:
    """The simulations of each seed, in their order: the runs that may share a network."""
    groups: dict[int, list[Simulation]] = {}
    for simulation in simulations:
        groups.setdefault(simulation.seed, []).append(simulation)
    return groups


def simulated_ms(circuit: Circuit, catalog: Catalog, simulations: Sequence[Simulation]) -> float:
    """The biological ms :func:`run_simulations` simulates for ``simulations`` (all of one seed), shared time once."""
    timelines = [Timeline.build(circuit, catalog.ligands, *run) for run in _runs(simulations)]
    return shared_duration(circuit, timelines, catalog.ligands)


def _runs(simulations: Iterable[Simulation]) -> list[tuple[str | ProtocolSpec, tuple[Event, ...], float]]:
    return [(s.jobs[0].condition.protocol, s.jobs[0].condition.events, s.duration) for s in simulations]


def judge_assays(circuit: Circuit, assays: Iterable[AnyAssay], seeds: Iterable[int],
                 values: dict[ConditionKey, dict[str, float]]) -> AssayRun:
    """Verdicts from the measured values of every job (``values``: job key -> measure id -> value)."""
    seeds = tuple(seeds)
    run = AssayRun()
    for assay in assays:
        mid = measure_id(assay.measure)
        per_condition = {name: np.array([values[condition.key(s)][mid] for s in seeds])
                         for name, condition in conditions_of(circuit, assay).items()}
        run.results.append(AssayResult(circuit.id, assay, seeds, per_condition, judge(assay.expect, per_condition)))
    return run


def run_assays(
    circuit: Circuit,
    catalog: Catalog,
    assays: Iterable[AnyAssay] | None = None,
    *,
    seeds: Iterable[int] = DEFAULT_SEEDS,
    progress: ProgressCallback | None = None,
    **simulate_options: Any,
) -> AssayRun:
    """Run ``assays`` (default: all of the circuit's, behaviour assays included) in this process, one simulation per
    distinct condition and seed (:func:`plan_simulations`); ``simulate_options``: threads, chunk, record_neurons, modulation."""
    assays = list([*circuit.assays, *circuit.behaviour_assays] if assays is None else assays)
    seeds = tuple(seeds)
    simulations = plan_simulations(circuit, plan_jobs(circuit, assays, seeds), simulate_options.get("chunk", RunOptions.chunk))
    values: dict[ConditionKey, dict[str, float]] = {}
    seeds_done = 0
    for seed, mine in by_seed(simulations).items():
        if progress:
            progress(seeds_done, len(simulations), f"{circuit.id}: seed {seed}")
        values.update(run_simulations(circuit, catalog, mine, **simulate_options))
        seeds_done += len(mine)
    if progress:
        progress(len(simulations), len(simulations), f"{circuit.id}: done")
    return judge_assays(circuit, assays, seeds, values)
