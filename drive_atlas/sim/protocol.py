"""Protocol timelines: a circuit's named protocol plus extra events, checked before anything runs.

A timeline answers one question for the simulation loop: what does the protocol
impose at time t (input levels, drug concentrations, optogenetic light,
lesions)? Every event is validated against the circuit and the ligand catalog
first, so a typo fails in milliseconds with the event and field named instead
of after a long network build.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..spec.catalog import Ligand
from ..spec.circuit import Drug, Event, Lesion, Optogenetics, ProtocolSpec, SetInput
from ..spec.errors import DriveAtlasError
from ..spec.semantics import RunnableCircuit, Scope, event_problems, require_runnable, resolution


class ProtocolError(DriveAtlasError, ValueError):
    """A protocol that cannot run on this circuit; the message names every bad event and field."""


@dataclass(frozen=True)
class TimedEvent:
    """An event with a label saying where it came from, for error messages and annotations."""

    event: Event
    origin: str

    def active(self, t: float) -> bool:
        """Events act on [at, until); without ``until`` they last to the end of the run."""
        return self.event.at <= t and (self.event.until is None or t < self.event.until)

    def label(self) -> str:
        ev = self.event
        if isinstance(ev, SetInput):
            return f"input {ev.input} = {ev.level}"
        if isinstance(ev, Drug):
            sites = f" at {', '.join(ev.sites)}" if ev.sites else ""
            return f"drug {ev.ligand} {ev.concentration}{sites}"
        if isinstance(ev, Optogenetics):
            return f"optogenetics {ev.mode} {ev.population}"
        return f"lesion {ev.population}"


@dataclass(frozen=True)
class DrugDose:
    ligand: str
    concentration: float  # nM
    sites: tuple[str, ...]  # empty: everywhere


@dataclass(frozen=True)
class Timeline:
    """The validated events of one run, in the order given (later events win for the same input)."""

    name: str
    duration: float  # ms
    events: tuple[TimedEvent, ...]
    baselines: Mapping[str, float]  # input id -> baseline level (nM or Hz)

    @classmethod
    def build(
        cls,
        circuit: RunnableCircuit,
        ligands: Mapping[str, Ligand],
        protocol: str | ProtocolSpec | None = None,
        events: Iterable[Event] = (),
        duration: float | None = None,
    ) -> Timeline:
        """A named protocol (or a ProtocolSpec, or none) plus extra events; raise ProtocolError on any bad event."""
        require_runnable(circuit)  # an unflattened composite would report its parts' inputs as unknown
        if isinstance(protocol, str):
            if protocol not in circuit.protocols:
                known = ", ".join(sorted(circuit.protocols)) or "none"
                raise ProtocolError(f"circuit {circuit.id!r} has no protocol {protocol!r} (known: {known})")
            name, spec = protocol, circuit.protocols[protocol]
        else:
            name, spec = ("custom" if protocol else "none"), protocol or ProtocolSpec()
        timed = [TimedEvent(e, f"protocol {name!r} event {i}") for i, e in enumerate(spec.events)]
        timed += [TimedEvent(e, f"extra event {i}") for i, e in enumerate(events)]
        scope = Scope.of(circuit, ligands)
        problems = [f"{t.origin} ({t.event.type}): field {where[0]!r}: {message}"
                    for t in timed for where, message in event_problems(t.event, scope)]
        if problems:
            raise ProtocolError("invalid protocol:\n  " + "\n  ".join(problems))
        total = spec.duration if duration is None else duration
        step = resolution(circuit)
        if not total >= step:
            raise ProtocolError(f"duration must be at least one simulation step of {step:g} ms (got {total:g} ms)")
        baselines = {i.id: i.baseline.value for i in circuit.inputs}
        return cls(name, float(total), tuple(timed), baselines)

    def change_times(self) -> list[float]:
        """Times inside the run at which something switches on or off."""
        times = {t for e in self.events for t in (e.event.at, e.event.until) if t is not None}
        return sorted(t for t in times if 0 < t < self.duration)

    def input_level(self, input_id: str, t: float) -> float:
        """The level of an input at t: the last active event that sets it, else its baseline."""
        level = self.baselines[input_id]
        for e in self.events:
            if isinstance(e.event, SetInput) and e.event.input == input_id and e.active(t):
                level = e.event.level.value
        return level

    def drugs(self, t: float) -> list[DrugDose]:
        """Active drug applications at t; several applications of one ligand add up."""
        return [
            DrugDose(e.event.ligand, e.event.concentration.value, tuple(e.event.sites))
            for e in self.events
            if isinstance(e.event, Drug) and e.active(t)
        ]

    def optogenetics(self) -> list[tuple[int, Optogenetics]]:
        """(index, event) of every optogenetic event, so devices can be made for them before the run."""
        return [(i, e.event) for i, e in enumerate(self.events) if isinstance(e.event, Optogenetics)]

    def lesions(self, t: float) -> set[str]:
        return {e.event.population for e in self.events if isinstance(e.event, Lesion) and e.active(t)}
