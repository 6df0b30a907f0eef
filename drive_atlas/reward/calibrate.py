"""Fitting the fast surrogate from the live circuit, and measuring how faithful it is.

Calibration runs the live backend through a staircase per seed: every grid point
(body states on an evenly spaced grid, events off and on) held for ``hold`` seconds,
in a random order. The steady-state channel rates at a point are the mean rates over
the second half of its hold, averaged over seeds. The response time constant is then
the one (on a log grid) for which the surrogate, replaying the same staircases, best
matches the live drive. Fidelity is measured on held-out trajectories (fresh seeds,
random smooth states and on/off event bouts, as an agent produces them).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ..drive.kernel import ReadoutKernel
from ..sim import Catalog
from ..spec.circuit import Circuit, ReadoutSpec
from .fast import FastRewardFunction
from .function import RewardFunction
from .interface import InterfaceMaps
from .live import LiveRewardFunction

Schedule = list[tuple[dict[str, float], dict[str, float]]]  # per step: (states, events)
TAUS = np.geomspace(0.05, 10.0, 60)  # s, candidate response time constants


@dataclass(frozen=True)
class CalibrationSettings:
    grid: int = 6  # points per state variable
    seeds: int = 2  # independent networks for the staircase
    hold: float = 2.0  # s per grid point
    dt: float = 0.25  # s per live step
    settle: float = 1.0  # s run at the first state before recording
    check_duration: float = 10.0  # s per held-out trajectory
    check_trajectories: int = 1
    threshold: float = 0.8  # minimum Pearson r of drive and reward before export warns
    seed: int = 1

    def simulated_seconds(self, points: int) -> float:
        return self.seeds * (self.settle + points * self.hold) + self.check_trajectories * (self.settle + self.check_duration)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Calibration:
    axes: list[np.ndarray]  # one per state then per event
    steady: np.ndarray  # grid shape + (channels,), Hz
    tau: float  # s
    fit_rmse: float  # drive RMSE of the surrogate on the calibration staircases
    dopamine_tau: float | None = None  # s, the dopamine rate's own response time constant (circuits with a dopamine rule)


def surrogate_axes(maps: InterfaceMaps, grid: int) -> list[np.ndarray]:
    if grid < 2:
        raise ValueError("the grid needs at least 2 points per state variable")
    states = [np.linspace(s.low, s.high, grid) for s in maps.states]
    return states + [np.array([0.0, 1.0]) for _ in maps.events]


def _point(maps: InterfaceMaps, coords: tuple[float, ...]) -> tuple[dict[str, float], dict[str, float]]:
    n = len(maps.state_ids)
    return dict(zip(maps.state_ids, coords[:n])), dict(zip(maps.event_ids, coords[n:]))


def run_schedule(fn: RewardFunction, schedule: Schedule, dt: float, tick: Callable[[float], None] = lambda s: None
                 ) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """Reset at the first entry, then step through all; (drive per step, reward per step, live channel rates per step)."""
    fn.reset(*schedule[0])
    drives, rewards, rates = [], [], []
    for states, events in schedule:
        rewards.append(fn.step(states, events, dt))
        drives.append(fn.drive_level)
        rates.append(np.array(getattr(fn, "rates", ())))
        tick(dt)
    return np.array(drives), np.array(rewards), rates


def calibrate(circuit: Circuit, catalog: Catalog, maps: InterfaceMaps, readout: ReadoutSpec,
              settings: CalibrationSettings, tick: Callable[[float], None] = lambda s: None) -> Calibration:
    """Tabulate steady-state channel rates over the grid with NEST, then fit the response time constant."""
    axes = surrogate_axes(maps, settings.grid)
    points = list(itertools.product(*axes))
    shape = tuple(len(a) for a in axes)
    hold = max(2, int(round(settings.hold / settings.dt)))
    rng = np.random.default_rng(settings.seed)
    sums = np.zeros((len(points), len(ReadoutKernel(readout).channels)))
    runs = []
    for k in range(settings.seeds):
        order = rng.permutation(len(points))
        schedule = [_point(maps, points[i]) for i in order for _ in range(hold)]
        live = LiveRewardFunction(circuit, catalog, seed=settings.seed + k, settle=settings.settle, dt=settings.dt)
        tick(settings.settle)
        drives, rewards, rates = run_schedule(live, schedule, settings.dt, tick)
        per_point = np.array(rates).reshape(len(points), hold, -1)
        sums[order] += per_point[:, hold // 2:].mean(axis=1)
        runs.append((schedule, drives, rewards))
    steady = (sums / settings.seeds).reshape(shape + (-1,))

    def error(signal: int, tau: float, dopamine_tau: float | None = None) -> float:
        fast = [run_schedule(FastRewardFunction(maps, readout, axes, steady, tau, dopamine_tau), s, settings.dt) for s, *_ in runs]
        return float(sum(np.sum((f[signal] - run[1 + signal]) ** 2) for f, run in zip(fast, runs)))

    errors = [error(0, tau) for tau in TAUS]
    best = float(TAUS[int(np.argmin(errors))])
    rmse = float(np.sqrt(min(errors) / sum(len(d) for _, d, _ in runs)))
    dopamine_tau = None
    if readout.reward.dopamine is not None:  # dopamine may answer more slowly (through slow signalling) than the drive
        dopamine_tau = float(TAUS[int(np.argmin([error(1, best, t) for t in TAUS]))])
    return Calibration(axes, steady, best, rmse, dopamine_tau)


def held_out_schedule(maps: InterfaceMaps, duration: float, dt: float, rng: np.random.Generator) -> Schedule:
    """States wander smoothly across their range (reflected random walk); events come in on/off bouts (~2 s on, ~3 s off)."""
    steps = max(2, int(round(duration / dt)))
    spans = {s.id: (s.low, s.high) for s in maps.states}
    state = {k: rng.uniform(lo, hi) for k, (lo, hi) in spans.items()}
    events = {e: 0.0 for e in maps.event_ids}
    schedule: Schedule = []
    for _ in range(steps):
        for k, (lo, hi) in spans.items():
            x = state[k] + rng.normal(0.0, 0.25 * (hi - lo) * np.sqrt(dt))
            state[k] = _reflect(x, lo, hi)
        for e in events:
            switch = dt / (2.0 if events[e] else 3.0)
            events[e] = 1.0 - events[e] if rng.random() < switch else events[e]
        schedule.append((dict(state), dict(events)))
    return schedule


def _reflect(x: float, lo: float, hi: float) -> float:
    """Fold x back into [lo, hi] as a mirror would."""
    span = hi - lo
    y = (x - lo) % (2 * span)
    return float(lo + (y if y <= span else 2 * span - y))


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    if np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def fidelity(circuit: Circuit, catalog: Catalog, fast: FastRewardFunction, settings: CalibrationSettings,
             tick: Callable[[float], None] = lambda s: None) -> dict[str, Any]:
    """Pearson r and RMSE of drive and reward, surrogate vs live, pooled over held-out trajectories (fresh seeds)."""
    rng = np.random.default_rng(settings.seed + 1000)
    pooled: dict[str, list[np.ndarray]] = {"drive_live": [], "drive_fast": [], "reward_live": [], "reward_fast": []}
    for k in range(settings.check_trajectories):
        schedule = held_out_schedule(fast.maps, settings.check_duration, settings.dt, rng)
        live = LiveRewardFunction(circuit, catalog, seed=settings.seed + 1000 + k, settle=settings.settle, dt=settings.dt)
        tick(settings.settle)
        for name, fn, t in (("live", live, tick), ("fast", fast, lambda s: None)):
            drives, rewards, _ = run_schedule(fn, schedule, settings.dt, t)
            pooled[f"drive_{name}"].append(drives)
            pooled[f"reward_{name}"].append(rewards)
    out: dict[str, Any] = {}
    for signal in ("drive", "reward"):
        live_values, fast_values = np.concatenate(pooled[f"{signal}_live"]), np.concatenate(pooled[f"{signal}_fast"])
        out[f"{signal}_r"] = _pearson(live_values, fast_values)
        out[f"{signal}_rmse"] = float(np.sqrt(np.mean((live_values - fast_values) ** 2)))
    worst = min((out[k] if out[k] is not None else -1.0) for k in ("drive_r", "reward_r"))
    out.update(threshold=settings.threshold, passed=worst >= settings.threshold, trajectories=settings.check_trajectories,
               duration_s=settings.check_duration, dt_s=settings.dt)
    return out
