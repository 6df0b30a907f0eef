"""The live backend: the circuit itself in NEST, advanced dt per step in closed loop with the agent.

Each step sets the circuit's inputs from the interface maps, runs dt with the slow
signalling (``drive_atlas.sim.engine.Stepper``), and turns the step's readout rates
into drive and reward with the readout kernel (``drive_atlas.drive.kernel``): one
filter step of the readout's low-pass filter, the drive formula, and the reward
terms integrated over dt. One NEST kernel per process, so this backend runs one
environment.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..drive.kernel import ReadoutKernel
from ..sim import Catalog, RunOptions
from ..sim.engine import Stepper
from ..spec.circuit import Circuit
from .function import RewardFunction
from .interface import InterfaceMaps, interface_of


class LiveRewardFunction(RewardFunction):
    """Drive and reward read from the running NEST network; ``rates`` holds the last step's channel rates (Hz), ``filtered``
    the readout's low-pass filtered rates the drive is read from."""

    def __init__(self, circuit: Circuit, catalog: Catalog, *, seed: int = 1, settle: float = 1.0, dt: float = 0.25,
                 threads: int = 1) -> None:
        super().__init__(InterfaceMaps.of(interface_of(circuit)))
        if circuit.readout is None:
            raise ValueError(f"circuit {circuit.id!r} has no readout: it defines no drive to export")
        self.circuit, self.catalog, self.seed, self.threads = circuit, catalog, seed, threads
        self.settle, self.settle_dt = settle, dt
        self.kernel = ReadoutKernel(circuit.readout)
        self.channels = self.kernel.channels
        self.stepper: Stepper | None = None
        self.rates = np.zeros(len(self.channels))
        self.filtered = np.zeros(len(self.channels))

    def _resize(self, n: int) -> None:
        if n != 1:
            raise ValueError("the live (NEST) backend runs one environment per process; use the fast backend for batches")

    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        """Build the network on first use, then run ``settle`` seconds at the state; the filter starts at its mean rates."""
        if self.stepper is None:
            options = RunOptions(seed=self.seed, threads=self.threads, record_neurons=1)
            self.stepper = Stepper(self.circuit, self.catalog.ligands, self.catalog.receptors, options)
        steps = max(1, int(round(self.settle / self.settle_dt)))
        self.filtered = np.mean([self._run(values, self.settle_dt) for _ in range(steps)], axis=0)
        self.drive = self.kernel.drive(self.filtered[None, :])

    def _run(self, values: Mapping[str, np.ndarray], dt: float) -> np.ndarray:
        assert self.stepper is not None
        levels = {k: float(v[0]) for k, v in self.maps.levels_of(values).items()}
        rates = self.stepper.step(levels, dt * 1000.0)
        self.rates = rates[[self.stepper.populations.index(p) for p in self.channels]]
        return self.rates

    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        rates, start = self._run(values, dt), self.filtered
        self.filtered = self.kernel.filter_step(start, rates, dt)
        previous, self.drive = self.drive, self.kernel.drive(self.filtered[None, :])
        return self.kernel.reward(previous, self.drive, start[None, :], rates[None, :], dt)
