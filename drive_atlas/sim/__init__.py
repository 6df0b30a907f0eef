"""Simulation: a circuit and a protocol -> NEST network -> recorded activity and slow signalling.

NEST is imported only when a network is built, so importing this package (and
``drive_atlas``) stays fast for spec work. Knows nothing of drive, reward or UIs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol as _Protocol

from ..spec.catalog import Ligand, Receptor
from ..spec.circuit import Event, ProtocolSpec
from ..spec.semantics import NotRunnableError, RunnableCircuit, require_runnable
from .compiler import CompileError
from .engine import Progress, RunOptions, chunk_ms, run, run_shared, shared_duration
from .protocol import ProtocolError, Timeline
from .recording import Recording, load_block, rates_table, save_block, spike_rates_table

__all__ = ["CompileError", "NotRunnableError", "Progress", "ProtocolError", "Recording", "RunOptions", "Timeline", "chunk_ms",
           "load_block", "rates_table", "run_circuit", "run_circuits", "save_block", "shared_duration", "spike_rates_table"]


class Catalog(_Protocol):
    """Anything holding the ligand and receptor catalog, such as an Atlas."""

    ligands: dict[str, Ligand]
    receptors: dict[str, Receptor]


def run_circuit(
    circuit: RunnableCircuit,
    catalog: Catalog,
    protocol: str | ProtocolSpec | Timeline | None = None,
    *,
    events: Iterable[Event] = (),
    duration: float | None = None,
    options: RunOptions = RunOptions(),
    progress: Progress | None = None,
) -> Recording:
    """Validate the protocol (before building anything), then build and run the circuit; durations in ms.

    Only a RunnableCircuit runs (``atlas[id]``): a composite must come flattened with what it includes.
    """
    circuit = require_runnable(circuit)
    timeline = protocol if isinstance(protocol, Timeline) else Timeline.build(circuit, catalog.ligands, protocol, events, duration)
    return run(circuit, timeline, catalog.ligands, catalog.receptors, options, progress)


def run_circuits(
    circuit: RunnableCircuit,
    catalog: Catalog,
    runs: Sequence[tuple[str | ProtocolSpec | None, Iterable[Event], float | None]],
    options: RunOptions = RunOptions(),
) -> list[Recording]:
    """What :func:`run_circuit` records for each ``(protocol, events, duration)``, spike for spike, with what the runs
    share simulated once (:func:`~drive_atlas.sim.engine.run_shared`); every protocol is validated before any build."""
    circuit = require_runnable(circuit)
    timelines = [Timeline.build(circuit, catalog.ligands, protocol, events, duration) for protocol, events, duration in runs]
    return run_shared(circuit, timelines, catalog.ligands, catalog.receptors, options)
