"""Behaviour assays: script a circuit's agent interface over time and judge its drive or reward over seeds.

A script (states and events held over time windows) becomes input events through
the interface's own maps (:mod:`drive_atlas.reward.interface`), so the live circuit
sees exactly the input levels an agent's body would give it; each script then runs
with ``simulate`` like any protocol, and the verdict follows the same 95% CI rule as
every other assay (:mod:`drive_atlas.assays.statistics`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from ..drive import simulate
from ..reward.interface import InterfaceMaps, interface_of
from ..sim import Catalog
from ..spec.circuit import BehaviourAssay, BehaviourMeasure, Circuit, Event, Measure, ProtocolSpec, Script, SetInput
from ..spec.units import Level
from .measures import measure_value
from .runner import DEFAULT_SEEDS, AssayResult, AssayRun
from .statistics import judge


def script_times(script: Script, duration: float) -> list[float]:
    """The times (ms) at which what the script holds may change, from 0 up to ``duration``."""
    cuts = {0.0} | {t for s in script.steps for t in (s.at, s.until) if t is not None}
    return sorted(t for t in cuts if t < duration)


def held_at(script: Script, maps: InterfaceMaps, t: float) -> tuple[dict[str, float], dict[str, float]]:
    """(states, events) the script holds at time t (ms); later steps win, variables it does not hold are left out."""
    held = {s.variable: s.value for s in script.steps if s.at <= t and (s.until is None or t < s.until)}
    states = set(maps.state_ids)
    return {v: x for v, x in held.items() if v in states}, {v: x for v, x in held.items() if v not in states}


def script_protocol(circuit: Circuit, script: Script, duration: float) -> ProtocolSpec:
    """The script as a protocol: piecewise-constant input levels from the interface maps, then the script's events."""
    maps = InterfaceMaps.of(interface_of(circuit))
    assert circuit.interface is not None  # interface_of refuses a circuit without one
    variables = circuit.interface.states + circuit.interface.events
    dimension = {m.input: m.at_low.dimension for v in variables for m in v.maps}
    times = script_times(script, duration)
    events: list[Event] = []
    for k, start in enumerate(times):
        end = times[k + 1] if k + 1 < len(times) else None
        levels = maps.levels(*held_at(script, maps, start))
        events += [SetInput(type="input", input=i, level=Level(float(x), dimension[i]), at=f"{start} ms",
                            until=None if end is None else f"{end} ms")
                   for i, x in levels.items()]
    return ProtocolSpec(description=script.description, duration=f"{duration} ms", events=events + list(script.events))


def behaviour_value(measure: BehaviourMeasure, tables: dict[str, pd.DataFrame]) -> float:
    """Total reward or mean drive (as the other assays measure them), or the drive's slope in 1/s."""
    if measure.kind != "drive_slope":
        return measure_value(Measure.model_construct(kind=measure.kind, window=measure.window), tables)
    drive = tables["drive"]
    rows = drive[(drive["time"] >= measure.window[0]) & (drive["time"] < measure.window[1])]
    if len(rows) < 2:
        return float("nan")
    return float(np.polyfit(rows["time"].to_numpy(dtype=float) / 1000.0, rows["drive"].to_numpy(dtype=float), 1)[0])


def run_behaviour_assays(
    circuit: Circuit,
    catalog: Catalog,
    assays: Iterable[BehaviourAssay] | None = None,
    *,
    seeds: Iterable[int] = DEFAULT_SEEDS,
    **simulate_options: Any,
) -> AssayRun:
    """Run ``assays`` (default: all of the circuit's behaviour assays) on the live circuit, one simulation per script and seed."""
    assays = list(circuit.behaviour_assays if assays is None else assays)
    seeds = tuple(seeds)
    tables: dict[tuple[str, int], dict[str, pd.DataFrame]] = {}  # a script shared by assays runs once per seed

    def run_script(script: Script, duration: float, seed: int) -> dict[str, pd.DataFrame]:
        protocol = script_protocol(circuit, script, duration)
        key = (protocol.model_dump_json(), seed)
        if key not in tables:
            tables[key] = simulate(circuit, protocol, atlas=catalog, seed=seed, **simulate_options).tables()
        return tables[key]

    run = AssayRun()
    for assay in assays:
        values = {name: np.array([behaviour_value(assay.measure, run_script(script, assay.duration, seed)) for seed in seeds])
                  for name, script in assay.scripts.items()}
        run.results.append(AssayResult(circuit.id, assay, seeds, values, judge(assay.expect, values)))
    return run
