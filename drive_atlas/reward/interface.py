"""The agent-facing interface of a drive module: body states and events -> circuit input levels (numpy only).

Built from the circuit's typed ``interface`` section (``spec.circuit.Interface``), whose
quantities are already canonical floats (nM for ligands, Hz for Poisson inputs). Maps:

* linear: x clipped to [low, high] goes linearly from ``at_low`` to ``at_high``;
* saturating: at_low + (at_high - at_low) * x^n / (x^n + half^n), x clipped at 0.

Contributions of several maps to the same input add up (each map's ``at_low`` is
its own offset, so two maps onto one input both count); inputs no map touches
stay at their baseline. Events are variables in [0, 1] (0 absent, 1 full).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from ..spec.circuit import Circuit, Interface

Values = Mapping[str, Any]  # variable id -> float or array


@dataclass(frozen=True)
class Map:
    input: str
    kind: str
    at_low: float
    at_high: float
    half: float
    hill: float

    def value(self, x: np.ndarray, low: float, high: float) -> np.ndarray:
        """This map's contribution to its input for variable values x."""
        span = self.at_high - self.at_low
        if self.kind == "linear":
            return self.at_low + span * (np.clip(x, low, high) - low) / (high - low)
        xn = np.maximum(x, 0.0) ** self.hill
        return self.at_low + span * xn / (xn + self.half ** self.hill)


@dataclass(frozen=True)
class Variable:
    """One state or event: its range, initial value and the maps it drives."""

    id: str
    low: float
    high: float
    initial: float
    maps: tuple[Map, ...] = ()


def interface_of(circuit: Circuit) -> Interface:
    """The circuit's interface section, refusing a circuit without one."""
    if circuit.interface is None or not (circuit.interface.states or circuit.interface.events):
        raise ValueError(f"circuit {circuit.id!r} has no interface (states/events) to export a drive module from")
    return circuit.interface


@dataclass(frozen=True)
class InterfaceMaps:
    """Evaluates an interface's maps; states then events, in the order the section lists them."""

    states: tuple[Variable, ...]
    events: tuple[Variable, ...]

    @classmethod
    def of(cls, interface: Interface) -> InterfaceMaps:
        def maps(items: Any) -> tuple[Map, ...]:
            return tuple(Map(m.input, m.kind, m.at_low.value, m.at_high.value, m.half, m.hill) for m in items)

        return cls(tuple(Variable(s.id, s.low, s.high, s.initial, maps(s.maps)) for s in interface.states),
                   tuple(Variable(e.id, 0.0, 1.0, 0.0, maps(e.maps)) for e in interface.events))

    @property
    def state_ids(self) -> list[str]:
        return [s.id for s in self.states]

    @property
    def event_ids(self) -> list[str]:
        return [e.id for e in self.events]

    @property
    def mapped_inputs(self) -> list[str]:
        return list(dict.fromkeys(m.input for v in self.states + self.events for m in v.maps))

    def initial_state(self) -> dict[str, float]:
        return {s.id: float(s.initial) for s in self.states}

    def values(self, states: Values, events: Values | None = None) -> dict[str, np.ndarray]:
        """Every interface variable as an array; missing states take their initial value, missing events 0."""
        events = events or {}
        unknown = [k for k in states if k not in self._state_set] + [k for k in events if k not in self._event_set]
        if unknown:
            raise KeyError(f"unknown interface variable(s) {sorted(unknown)} (states: {self.state_ids}, events: {self.event_ids})")
        out = {s.id: np.asarray(states.get(s.id, s.initial), dtype=float) for s in self.states}
        out.update({e.id: np.asarray(events.get(e.id, 0.0), dtype=float) for e in self.events})
        return out

    @cached_property
    def _state_set(self) -> frozenset[str]:
        return frozenset(self.state_ids)

    @cached_property
    def _event_set(self) -> frozenset[str]:
        return frozenset(self.event_ids)

    def levels(self, states: Values, events: Values | None = None) -> dict[str, np.ndarray]:
        """Input id -> level (nM or Hz, never negative) for every input the interface maps."""
        return self.levels_of(self.values(states, events))

    def levels_of(self, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """As ``levels``, from a complete set of variables as returned by ``values``."""
        total: dict[str, np.ndarray] = {}
        for var in self.states + self.events:
            for m in var.maps:
                contribution = m.value(values[var.id], var.low, var.high)
                total[m.input] = total[m.input] + contribution if m.input in total else contribution
        return {k: np.maximum(v, 0.0) for k, v in total.items()}
