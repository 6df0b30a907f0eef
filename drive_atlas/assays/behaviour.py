"""Behaviour assays: a script of the agent interface over time, turned into the protocol the live circuit runs.

A script (states and events held over time windows) becomes input events through
the interface's own maps (:mod:`drive_atlas.reward.interface`), so the live circuit
sees exactly the input levels an agent's body would give it. The runner
(:mod:`drive_atlas.assays.runner`) then treats each script like any other condition:
one simulation per script and seed, shared by the assays that use it, judged by the
same 95% CI rule as every other assay.
"""

from __future__ import annotations

from ..reward.interface import InterfaceMaps, interface_of
from ..spec.circuit import Circuit, Event, ProtocolSpec, Script, SetInput
from ..spec.units import Level


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
