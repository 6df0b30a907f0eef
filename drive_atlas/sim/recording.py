"""What a run recorded, as a neo.Block (the file format) and as tidy pandas tables.

Layout of the Block (one Segment per run):

* one SpikeTrain per population holding the spikes of all its recorded neurons,
  sorted in time, with the neuron's index within the population as the array
  annotation ``neuron``. One train per population instead of one per neuron keeps
  NIX files of 10^4-10^5 neurons small and fast; ``spiketrains_per_neuron``
  expands a train when per-neuron trains are needed. Trains are annotated with
  population id, name, region, markers (comma-separated), transmitter, size (the neurons run) and
  the number of neurons recorded;
* AnalogSignals sampled once per chunk (the value applied, or the rate measured,
  during the chunk starting at each sample time): ``population_rate`` (Hz),
  ``ligand_concentration`` (stored in uM, read back in nM), ``receptor_activation`` and ``receptor_occupancy``
  (dimensionless), ``modulatory_current`` (pA), with channel labels as array
  annotations; the drive layer adds ``drive`` and ``reward``;
* an Epoch ``protocol`` with one interval per protocol event;
* Block annotations: circuit id, version, content hash, protocol, seed, threads,
  chunk, step, population scale, duration and the NEST version.

Files are written with neo's NixIO (``.nix``) or PickleIO (``.pkl``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import neo
import numpy as np
import pandas as pd
import quantities as pq

from ..spec.circuit import Circuit
from ..spec.semantics import neurons as neurons_run

nM = pq.UnitQuantity("nanomolar", pq.micromolar / 1000, symbol="nM")
# Files store concentrations in a unit quantities knows by name: a reader with neo alone
# cannot parse "nM" (it exists only once this module has defined it).
STORED_CONCENTRATION = pq.uM

RATE, CONCENTRATION, ACTIVATION, OCCUPANCY, CURRENT = (
    "population_rate", "ligand_concentration", "receptor_activation", "receptor_occupancy", "modulatory_current")
SPIKE_BIN_MS = 10.0  # bins of the spike-derived rate table


@dataclass
class Recording:
    """The raw arrays of one run, indexed by chunk (rows) and population / ligand / receptor (columns)."""

    circuit: Circuit
    annotations: dict[str, Any]
    times: np.ndarray  # (chunks,) ms, start of each chunk
    chunk: float  # ms
    duration: float  # ms
    rates: np.ndarray  # (chunks, populations) Hz
    ligands: list[str]
    concentrations: np.ndarray  # (chunks, ligands) nM
    receptors: list[tuple[str, str]]  # (population, receptor gene)
    activation: np.ndarray  # (chunks, receptors)
    occupancy: np.ndarray  # (chunks, receptors)
    currents: np.ndarray  # (chunks, populations) pA
    spikes: dict[str, tuple[np.ndarray, np.ndarray]]  # population -> (times ms, neuron index)
    recorded: dict[str, int]  # population -> neurons recorded
    epochs: list[tuple[float, float, str]]  # (start ms, stop ms, label)

    def prefix(self, duration: float) -> Recording:
        """What a run of the same network, seed and events stopped at ``duration`` records: its first chunks.

        A run up to ``duration`` never depends on what comes after it (events ahead are
        not yet active, chunks end on the same grid), so its recording is this one's
        prefix, spike for spike, when ``duration`` ends a chunk. A spike stamped at
        ``duration`` itself is kept, as a run stopped there records it.
        """
        rows = round(duration / self.chunk)
        if not 0 < duration <= self.duration or abs(rows * self.chunk - duration) > 1e-9:
            raise ValueError(f"a prefix must end a {self.chunk:g} ms chunk within the run's {self.duration:g} ms, "
                             f"not at {duration:g} ms")
        kept = {pid: (times[times <= duration], neurons[times <= duration]) for pid, (times, neurons) in self.spikes.items()}
        return replace(
            self, annotations={**self.annotations, "duration_ms": duration}, times=self.times[:rows], duration=duration,
            rates=self.rates[:rows], concentrations=self.concentrations[:rows], activation=self.activation[:rows],
            occupancy=self.occupancy[:rows], currents=self.currents[:rows], spikes=kept,
            epochs=[(start, min(stop, duration), label) for start, stop, label in self.epochs if start < duration])

    def to_block(self) -> neo.Block:
        block = neo.Block(name=f"{self.circuit.id} / {self.annotations['protocol']}", **self.annotations)
        seg = neo.Segment(name=str(self.annotations["protocol"]), index=0)
        block.segments.append(seg)
        t_stop = self.duration * pq.ms
        for pop in self.circuit.populations:
            times, neurons = self.spikes[pop.id]
            train = neo.SpikeTrain(times * pq.ms, t_stop=t_stop, name=pop.id, array_annotations={"neuron": neurons},
                                   population=pop.id, population_name=pop.name, region=pop.region,
                                   markers=",".join(pop.markers), transmitter=pop.transmitter, size=neurons_run(self.circuit, pop),
                                   recorded_neurons=self.recorded[pop.id])
            seg.spiketrains.append(train)
        pops = [p.id for p in self.circuit.populations]
        receptor_labels = {"population": [p for p, _ in self.receptors], "receptor": [r for _, r in self.receptors]}
        for name, values, units, labels in (
            (RATE, self.rates, pq.Hz, {"population": pops}),
            (CONCENTRATION, (self.concentrations * nM).rescale(STORED_CONCENTRATION).magnitude, STORED_CONCENTRATION,
             {"ligand": self.ligands}),
            (ACTIVATION, self.activation, pq.dimensionless, receptor_labels),
            (OCCUPANCY, self.occupancy, pq.dimensionless, receptor_labels),
            (CURRENT, self.currents, pq.pA, {"population": pops}),
        ):
            if values.shape[1]:
                seg.analogsignals.append(_signal(name, values, units, self.chunk, labels))
        if self.epochs:
            starts = np.array([e[0] for e in self.epochs])
            seg.epochs.append(neo.Epoch(starts * pq.ms, durations=np.array([e[1] - e[0] for e in self.epochs]) * pq.ms,
                                        labels=np.array([e[2] for e in self.epochs]), name="protocol"))
        return block


def _signal(name: str, values: np.ndarray, units: pq.Quantity, period: float, labels: dict[str, list[str]]) -> neo.AnalogSignal:
    return neo.AnalogSignal(np.asarray(values, dtype=float), units=units, sampling_period=period * pq.ms, t_start=0 * pq.ms,
                            name=name, array_annotations={k: np.array(v) for k, v in labels.items()})


def add_signal(block: neo.Block, name: str, values: np.ndarray, units: pq.Quantity, labels: dict[str, list[str]]) -> None:
    """Add a per-chunk signal on the same time base as the population rates (used by the drive layer)."""
    seg = block.segments[0]
    rate = find_signal(block, RATE)
    values = np.asarray(values, dtype=float).reshape(len(rate), -1)
    seg.analogsignals.append(_signal(name, values, units, float(rate.sampling_period.rescale(pq.ms)), labels))


def find_signal(block: neo.Block, name: str) -> neo.AnalogSignal | None:
    return next((s for s in block.segments[0].analogsignals if s.name == name), None)


def _times_ms(signal: neo.AnalogSignal) -> np.ndarray:
    return np.asarray(signal.times.rescale(pq.ms).magnitude, dtype=float)


def signal_table(block: neo.Block, name: str, value: str, units: pq.Quantity | None = None) -> pd.DataFrame:
    """A tidy table of one signal: time (ms), its channel labels, and ``value`` (in ``units`` if given); empty if absent."""
    signal = find_signal(block, name)
    if signal is None:
        return pd.DataFrame(columns=["time", value])
    times = _times_ms(signal)
    data = np.asarray((signal.rescale(units) if units is not None else signal).magnitude, dtype=float)
    n_time, n_chan = data.shape
    table = {"time": np.repeat(times, n_chan)}
    for key, labels in signal.array_annotations.items():
        table[key] = np.tile(np.asarray(labels).astype(str), n_time)
    table[value] = data.reshape(-1)
    return pd.DataFrame(table)


def rates_table(block: neo.Block) -> pd.DataFrame:
    """time (ms, chunk start), population, rate_hz."""
    return signal_table(block, RATE, "rate_hz")


def spike_rates_table(block: neo.Block, bin_ms: float = SPIKE_BIN_MS) -> pd.DataFrame:
    """time (ms, bin start), population, rate_hz: each population's rate binned finely from its recorded spikes.

    ``rates_table`` holds the rates the signalling saw, one per chunk; these resolve
    faster changes (latencies) and are per recorded neuron.
    """
    frames = []
    for train in block.segments[0].spiketrains if block.segments else []:
        edges = np.arange(0.0, float(train.t_stop.rescale(pq.ms)) + 1e-9, bin_ms)
        counts, _ = np.histogram(train.times.rescale(pq.ms).magnitude, bins=edges)
        neurons = max(int(train.annotations.get("recorded_neurons", 1)), 1)
        frames.append(pd.DataFrame({"time": edges[:-1], "population": train.annotations.get("population", train.name),
                                    "rate_hz": counts / neurons / (bin_ms / 1000.0)}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["time", "population", "rate_hz"])


def ligands_table(block: neo.Block) -> pd.DataFrame:
    """time (ms), ligand, concentration_nm (global; site-restricted drugs show in the receptor table)."""
    return signal_table(block, CONCENTRATION, "concentration_nm", nM)


def receptors_table(block: neo.Block) -> pd.DataFrame:
    """time (ms), population, receptor, activation, occupancy."""
    activation = signal_table(block, ACTIVATION, "activation")
    occupancy = signal_table(block, OCCUPANCY, "occupancy")
    if activation.empty:
        return pd.DataFrame(columns=["time", "population", "receptor", "activation", "occupancy"])
    activation["occupancy"] = occupancy["occupancy"].to_numpy()
    return activation


def spiketrains_per_neuron(train: neo.SpikeTrain) -> list[neo.SpikeTrain]:
    """Split a population's train into one train per recorded neuron (index = neuron within the population)."""
    neurons = np.asarray(train.array_annotations["neuron"], dtype=int)
    n = int(train.annotations.get("recorded_neurons", neurons.max() + 1 if len(neurons) else 0))
    return [neo.SpikeTrain(train.times[neurons == i], t_stop=train.t_stop, name=f"{train.name}[{i}]", neuron=i,
                           population=train.annotations.get("population", train.name)) for i in range(n)]


def save_block(block: neo.Block, path: str | Path) -> Path:
    """Write with NixIO (.nix) or PickleIO (.pkl / .pickle), chosen by the extension."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".nix":
        io = neo.io.NixIO(str(path), mode="ow")
        try:
            io.write_block(block)
        finally:
            io.close()
    elif path.suffix in {".pkl", ".pickle"}:
        neo.io.PickleIO(str(path)).write_block(block)
    else:
        raise ValueError(f"unknown result format {path.suffix!r}: use .nix (NIX) or .pkl (pickle)")
    return path


def load_block(path: str | Path) -> neo.Block:
    path = Path(path)
    if path.suffix == ".nix":
        io = neo.io.NixIO(str(path), mode="ro")
        try:
            return io.read_block()
        finally:
            io.close()
    if path.suffix in {".pkl", ".pickle"}:
        return neo.io.PickleIO(str(path)).read_block()
    raise ValueError(f"unknown result format {path.suffix!r}: use .nix (NIX) or .pkl (pickle)")
