"""The agent-facing interface of a drive module: body states and events -> circuit input levels (numpy only).

A module's interface is kept as plain data (the ``interface`` and ``inputs`` sections
of an artifact's manifest), so the fast backend can evaluate it without pydantic or
NEST. Maps (``InputMap`` in the circuit YAML):

* linear: x clipped to [low, high] goes linearly from ``at_low`` to ``at_high``;
* saturating: at_low + (at_high - at_low) * x^n / (x^n + half^n), x clipped at 0.

Contributions of several maps to the same input add up (each map's ``at_low`` is
its own offset, so two maps onto one input both count); inputs no map touches
stay at their baseline. Events are variables in [0, 1] (0 absent, 1 full).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ..spec.circuit import Circuit, InputMap

Values = Mapping[str, Any]  # variable id -> float or array


def describe_interface(circuit: Circuit) -> dict[str, Any]:
    """The interface and the inputs it drives as JSON-ready plain data (units: nM for ligands, Hz for Poisson)."""
    if circuit.interface is None or not (circuit.interface.states or circuit.interface.events):
        raise ValueError(f"circuit {circuit.id!r} has no interface (states/events) to export a drive module from")

    def maps(items: list[InputMap]) -> list[dict[str, Any]]:
        return [{"input": m.input, "kind": m.kind, "at_low": m.at_low.value, "at_high": m.at_high.value,
                 "half": m.half, "hill": m.hill} for m in items]

    interface = circuit.interface
    return {
        "states": [{"id": s.id, "description": s.description, "low": s.low, "high": s.high, "initial": s.initial,
                    "maps": maps(s.maps)} for s in interface.states],
        "events": [{"id": e.id, "description": e.description, "low": 0.0, "high": 1.0, "initial": 0.0,
                    "maps": maps(e.maps)} for e in interface.events],
        "baselines": {i.id: i.baseline.value for i in circuit.inputs},
    }


def describe_readout(circuit: Circuit) -> dict[str, Any]:
    """The readout and reward rule as plain data, with the populations the surrogate must track (``channels``)."""
    readout = circuit.readout
    if readout is None:
        raise ValueError(f"circuit {circuit.id!r} has no readout: it defines no drive to export")
    dopamine = readout.reward.dopamine
    channels = list(dict.fromkeys([r.population for r in readout.readouts] + ([dopamine.population] if dopamine else [])))
    return {
        "channels": channels,
        "readouts": [{"population": r.population, "weight": r.weight, "low": r.low, "high": r.high} for r in readout.readouts],
        "tau_ms": readout.tau,
        "reward": {"drive_reduction": readout.reward.drive_reduction, "dopamine_weight": readout.reward.dopamine_weight,
                   "dopamine": dopamine.model_dump() if dopamine else None},
    }


def map_value(m: Mapping[str, Any], x: np.ndarray, low: float, high: float) -> np.ndarray:
    """One map's contribution to its input for variable values x."""
    span = m["at_high"] - m["at_low"]
    if m["kind"] == "linear":
        return m["at_low"] + span * (np.clip(x, low, high) - low) / (high - low)
    xn = np.maximum(x, 0.0) ** m["hill"]
    return m["at_low"] + span * xn / (xn + m["half"] ** m["hill"])


@dataclass(frozen=True)
class InterfaceMaps:
    """Evaluates the maps of one interface description (see :func:`describe`)."""

    spec: Mapping[str, Any]

    @property
    def state_ids(self) -> list[str]:
        return [s["id"] for s in self.spec["states"]]

    @property
    def event_ids(self) -> list[str]:
        return [e["id"] for e in self.spec["events"]]

    @property
    def mapped_inputs(self) -> list[str]:
        variables = self.spec["states"] + self.spec["events"]
        return list(dict.fromkeys(m["input"] for v in variables for m in v["maps"]))

    def initial_state(self) -> dict[str, float]:
        return {s["id"]: float(s["initial"]) for s in self.spec["states"]}

    def values(self, states: Values, events: Values | None = None) -> dict[str, np.ndarray]:
        """Every interface variable as an array; missing states take their initial value, missing events 0."""
        events = events or {}
        unknown = (set(states) - set(self.state_ids)) | (set(events) - set(self.event_ids))
        if unknown:
            raise KeyError(f"unknown interface variable(s) {sorted(unknown)} (states: {self.state_ids}, events: {self.event_ids})")
        out = {s["id"]: np.asarray(states.get(s["id"], s["initial"]), dtype=float) for s in self.spec["states"]}
        out.update({e["id"]: np.asarray(events.get(e["id"], 0.0), dtype=float) for e in self.spec["events"]})
        return out

    def levels(self, states: Values, events: Values | None = None) -> dict[str, np.ndarray]:
        """Input id -> level (nM or Hz, never negative) for every input the interface maps."""
        return self.levels_of(self.values(states, events))

    def levels_of(self, values: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """As ``levels``, from a complete set of variables as returned by ``values``."""
        total: dict[str, np.ndarray] = {}
        for var in self.spec["states"] + self.spec["events"]:
            for m in var["maps"]:
                contribution = map_value(m, values[var["id"]], var["low"], var["high"])
                total[m["input"]] = total[m["input"]] + contribution if m["input"] in total else contribution
        return {k: np.maximum(v, 0.0) for k, v in total.items()}
