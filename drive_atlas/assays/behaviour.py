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


def script_protocol(circuit: Circuit, script: Script, duration: float) -> ProtocolSpec:
    """The script as a protocol: piecewise-constant input levels from the interface maps, then the script's events."""
    maps = InterfaceMaps.of(interface_of(circuit))
    assert circuit.interface is not None  # interface_of refuses a circuit without one
    variables = circuit.interface.states + circuit.interface.events
    dimension = {m.input: m.at_low.dimension for v in variables for m in v.maps}
    states = set(maps.state_ids)
    cuts = {0.0} | {t for s in script.steps for t in (s.at, s.until) if t is not None}
    times = sorted(t for t in cuts if t < duration)
    events: list[Event] = []
    for k, start in enumerate(times):
        end = times[k + 1] if k + 1 < len(times) else None
        held = {s.variable: s.value for s in script.steps if s.at <= start and (s.until is None or start < s.until)}
        levels = maps.levels({v: x for v, x in held.items() if v in states}, {v: x for v, x in held.items() if v not in states})
        events += [SetInput(type="input", input=i, level=Level(float(x), dimension[i]), at=f"{start} ms",
                            until=None if end is None else f"{end} ms")
                   for i, x in levels.items()]
    return ProtocolSpec(description=script.description, duration=f"{duration} ms", events=events + list(script.events))
