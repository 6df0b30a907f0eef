"""``simulate``: run a circuit under a protocol, then turn its readouts into drive and reward."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import neo
import numpy as np
import pandas as pd
import quantities as pq

from ..atlas import Atlas
from ..sim import Catalog, Progress, RunOptions, Timeline, run_circuit
from ..sim.recording import Recording, add_signal, ligands_table, load_block, rates_table, receptors_table, save_block, spike_rates_table
from ..spec.circuit import Event, ProtocolSpec
from ..spec.semantics import RunnableCircuit, require_runnable
from .readout import drive_level, reward_signal

_EMPTY_DRIVE = ["time", "drive"]
_EMPTY_REWARD = ["time", "reward", "drive_reduction", "dopamine", "aversive"]


@dataclass
class SimulationResult:
    """The neo Block (spikes and every signal, the thing to save) and tidy tables derived from it."""

    block: neo.Block
    rates: pd.DataFrame  # time (ms), population, rate_hz
    drive: pd.DataFrame  # time (ms), drive
    reward: pd.DataFrame  # time (ms), reward, drive_reduction, dopamine, aversive
    ligands: pd.DataFrame  # time (ms), ligand, concentration_nm
    receptors: pd.DataFrame  # time (ms), population, receptor, activation, occupancy

    @classmethod
    def from_block(cls, block: neo.Block) -> SimulationResult:
        """Rebuild the tables from a Block, e.g. one read back from a file."""
        return cls(block, rates_table(block), _table(block, "drive", ["drive"]), _table(block, "reward", _EMPTY_REWARD[1:]),
                   ligands_table(block), receptors_table(block))

    @classmethod
    def from_recording(cls, recording: Recording) -> SimulationResult:
        """The Block of a run with the drive and reward its circuit's readout computes from the rates."""
        block = recording.to_block()
        rates = rates_table(block)
        readout = recording.circuit.readout
        if readout is None:
            return cls(block, rates, pd.DataFrame(columns=_EMPTY_DRIVE), pd.DataFrame(columns=_EMPTY_REWARD),
                       ligands_table(block), receptors_table(block))
        drive = drive_level(rates, readout)
        reward = reward_signal(rates, drive, readout)
        add_signal(block, "drive", drive["drive"].to_numpy(), pq.dimensionless, {"component": ["drive"]})
        add_signal(block, "reward", reward[_EMPTY_REWARD[1:]].to_numpy(), pq.dimensionless, {"component": _EMPTY_REWARD[1:]})
        return cls(block, rates, drive, reward, ligands_table(block), receptors_table(block))

    @classmethod
    def load(cls, path: str | Path) -> SimulationResult:
        return cls.from_block(load_block(path))

    def save(self, path: str | Path) -> Path:
        """Write the Block: .nix (NixIO) or .pkl (PickleIO)."""
        return save_block(self.block, path)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every tidy table; ``spike_rates`` (10 ms bins from the spikes) is derived from the Block on each call."""
        return {"rates": self.rates, "spike_rates": spike_rates_table(self.block), "drive": self.drive, "reward": self.reward,
                "ligands": self.ligands, "receptors": self.receptors}

    def to_csv(self, folder: str | Path) -> list[Path]:
        return self._export(folder, "csv", lambda df, p: df.to_csv(p, index=False))

    def to_parquet(self, folder: str | Path) -> list[Path]:
        return self._export(folder, "parquet", lambda df, p: df.to_parquet(p, index=False))

    def _export(self, folder: str | Path, ext: str, write: Any) -> list[Path]:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, table in self.tables().items():
            path = folder / f"{name}.{ext}"
            write(table, path)
            paths.append(path)
        return paths

    def summary(self) -> dict[str, Any]:
        """Mean rate per population, mean drive and total reward, and the run's annotations."""
        notes = self.block.annotations
        return {
            "circuit": f"{notes['circuit_id']}@{notes['circuit_version']}", "protocol": notes["protocol"],
            "seed": int(notes["seed"]), "simulated_seconds": float(notes["duration_ms"]) / 1000.0,
            "build_seconds": round(float(notes["build_seconds"]), 3), "simulate_seconds": round(float(notes["simulate_seconds"]), 3),
            "mean_rate_hz": {p: round(float(v), 3) for p, v in self.rates.groupby("population", sort=False)["rate_hz"].mean().items()},
            "mean_drive": round(float(self.drive["drive"].mean()), 4) if len(self.drive) else None,
            "total_reward": round(float(self.reward["reward"].sum()), 4) if len(self.reward) else None,
            "mean_reward": round(float(self.reward["reward"].mean()), 6) if len(self.reward) else None,
        }


def _table(block: neo.Block, name: str, columns: list[str]) -> pd.DataFrame:
    signal = next((s for s in block.segments[0].analogsignals if s.name == name), None)
    if signal is None:
        return pd.DataFrame(columns=["time", *columns])
    data = np.asarray(signal.magnitude, dtype=float)
    labels = [str(c) for c in signal.array_annotations.get("component", columns)]
    return pd.DataFrame({"time": signal.times.rescale(pq.ms).magnitude, **{c: data[:, i] for i, c in enumerate(labels)}})


def simulate(
    circuit: RunnableCircuit | str,
    protocol: str | ProtocolSpec | Timeline | None = None,
    *,
    atlas: Catalog | None = None,
    events: Iterable[Event] = (),
    duration: float | None = None,
    seed: int = 1,
    threads: int = 1,
    chunk: float = 100.0,
    record_neurons: int | None = None,
    modulation: bool = True,
    progress: Progress | None = None,
) -> SimulationResult:
    """Simulate a runnable circuit (``atlas[id]``) or a circuit id under a protocol; times in ms.

    The catalog defaults to the built-in atlas. A circuit as written (a composite not
    flattened with what it includes) is refused with NotRunnableError before anything loads.
    """
    if not isinstance(circuit, str):
        require_runnable(circuit)
    if atlas is None or isinstance(circuit, str):
        atlas = atlas if atlas is not None else Atlas.load()
        circuit = atlas[circuit] if isinstance(circuit, str) else circuit
    options = RunOptions(seed=seed, threads=threads, chunk=chunk, record_neurons=record_neurons, modulation=modulation)
    recording = run_circuit(circuit, atlas, protocol, events=events, duration=duration, options=options, progress=progress)
    return SimulationResult.from_recording(recording)
