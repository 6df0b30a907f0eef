"""Fitting the fast surrogate from the live circuit, and measuring how faithful it is.

Calibration runs the live backend, per seed, from a freshly built network: the rest point
(the interface's initial state, events off) and then every other corner of the grid, each held
``corner_hold`` seconds, then a staircase: every grid point (body states on an evenly spaced
grid, events off and on) held for ``hold`` seconds, in a random order. The surrogate is then
the one that best replays those runs. It has two states per signal (the drive's linear readout
and, for a dopamine rule, the dopamine rate): a fast one relaxing with one time constant toward a
per-point target (tabulated over the grid), and a hidden slow one relaxing with its own time
constant toward a target multilinear in the variables (tabulated at the grid's corners), which
starts where a freshly built network starts. For each pair of candidate time constants (log
grids) the targets are the least-squares fit (kept >= 0) to the live series; the pair kept is
the one whose fit best reproduces the live drive's part levels (each part's readout before its
clip: a composite's drive clips each part on its own, so the fit must get each part right, not only
their sum; then, for a dopamine rule, the live dopamine rate); a slow state is kept only when it
explains the series materially better than a
single time constant. The readout channels are fitted to the readout's filtered rates (what the
drive reads), the dopamine channel to its raw rate (what the reward reads), an aversive
rule's population to its filtered rate (what its rectified term reads), each with its own
time constants. The aversive term has no slow share (its rectified integral over a sum of two
relaxations has no closed form the fast step could use): its population is fitted with one.
The corner holds of a seed share a budget (``corner_budget``): an interface of many variables
holds each of its 2^variables corners for less, so a composite's export does not grow by
minutes per seed.

Why a fit and not the mean rate late in each hold: a channel slower than the hold never reaches
its steady state within it, and its late-hold mean then depends on the points visited before.
Why a slow state: slowly cleared signalling (oxytocin and neurokinin B clear over about 20 s in
social_reward) is a state of the network, not of the point it is at. A single time constant fitted
to short random holds tabulated it as if it were steady (social_reward: VTA dopamine about 14 Hz
without contact from the first step, where a fresh network starts near 3 Hz and climbs over a
minute; pain: the lingering drive after heat as a resting drive of 0.12), and a table cannot show
the drive's drift under a held state (neurokinin B building up under isolation). The long holds
at the corners, the rest point first, are what let the slow state be told from the history of the
staircase. Its limits: one slow time constant per signal, targets multilinear between corners,
and a slow share that only adds (>= 0).
The readout's steady state at the rest point is not left to the least squares: it is pinned to the live level over
the second half of the rest hold (a fresh network settled at rest; ``rest_level``). The drive reads each part's level
through a clip at the readout's lower bounds, which are the resting rates, so at rest the level sits at the clip and
the sign of a small fit error decides whether the module has a resting drive at all: pain 1.2.2's fit traded its rest
against the lingering drive after heat in the staircase (fast level -0.050 plus a slow share of +0.057) and rested
at drive 0.007-0.010 where the live circuit rests at 0.0001, so an analgesic at rest paid as relief. Only the
readout is pinned: the dopamine rate is read without a clip, and a fresh network's VTA dopamine (social_reward) is
still climbing at the end of the rest hold.
Fidelity is measured on held-out trajectories (fresh seeds, random smooth states and
on/off event bouts, as an agent produces them).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy.optimize import nnls

from ..drive.kernel import ReadoutKernel
from ..sim import Catalog
from ..spec.circuit import Circuit, ReadoutSpec
from .fast import FastRewardFunction, SlowTable
from .function import RewardFunction
from .interface import InterfaceMaps
from .live import LiveRewardFunction

Schedule = list[tuple[dict[str, float], dict[str, float]]]  # per step: (states, events)
TAUS = np.geomspace(0.05, 60.0, 70)  # s, candidate response time constants (oxytocin clears over tens of seconds)
SLOW_TAUS = np.geomspace(4.0, 120.0, 8)  # s, candidate time constants of the slow state (slowly cleared peptides)
# A slow state is kept only when it leaves at most SLOW_GAIN of the squared error a single time constant does, and cuts
# it by more than SLOW_FLOOR of the signal's variance (so a near-exact single fit does not take one for a tiny gain).
# A calibration choice. The floor was 1e-3: it rejected hunger's slow share (PVH MC4R activity builds and decays over
# seconds; the slow state cut the drive's squared error by 25%, 3.8e-4 of its variance, which AgRP's swing with energy
# dominates), and without it the fitted resting drive at energy 0.8 was 0.060 where the live circuit's is 0.
SLOW_GAIN, SLOW_FLOOR = 0.8, 1e-4
SLOW_SMOOTH = 0.001  # weight per recorded step of the squared difference between neighbouring corners' slow targets


GRID_BUDGET = 24  # state-grid points a default calibration aims at, per combination of events


def default_grid(states: int) -> int:
    """Points per state variable when none is chosen: 6 for one state, 4 for two, 3 for three or more.

    The table has grid**states points (times 2 per event), each held in NEST, so a fixed grid of 6 made a
    three-state composite's export 36 times as long as a single drive's; the budget keeps it within about 5x.
    """
    return max(3, min(6, int(GRID_BUDGET ** (1.0 / max(states, 1)) + 1e-9)))


@dataclass(frozen=True)
class CalibrationSettings:
    grid: int | None = None  # points per state variable (and its rest value); None: default_grid of the state count
    seeds: int = 2  # independent networks for the staircase
    hold: float = 2.0  # s per grid point
    corner_hold: float = 8.0  # s per corner of the grid, held first after rest (the slow state's targets are its corners)
    corner_budget: float = 32.0  # s per seed that all corner holds share at most (``corner_seconds``)
    dt: float = 0.25  # s per live step
    settle: float = 1.0  # s run at the first state before recording
    check_duration: float = 10.0  # s per held-out trajectory
    check_trajectories: int = 1
    threshold: float = 0.8  # minimum Pearson r of drive and reward before export warns
    seed: int = 1

    def simulated_seconds(self, points: int, corners: int = 0) -> float:
        return (self.seeds * (self.settle + points * self.hold + corners * self.corner_seconds(corners))
                + self.check_trajectories * (self.settle + self.check_duration))

    def corner_seconds(self, corners: int) -> float:
        """Seconds each of ``corners`` grid corners is held: ``corner_hold``, cut so a seed's corner holds total at
        most ``corner_budget``. A calibration choice: a composite's 2^variables corners would otherwise add minutes
        per seed (32 corners x 8 s for hunger_pain), and the slow state is fitted on the staircase too."""
        return min(self.corner_hold, self.corner_budget / corners) if corners else 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def grid_for(self, states: int) -> int:
        """Points per state variable for an interface of ``states`` body states."""
        return self.grid if self.grid is not None else default_grid(states)


@dataclass
class Calibration:
    axes: list[np.ndarray]  # one per state then per event
    steady: np.ndarray  # grid shape + (channels,), Hz
    tau: float  # s
    fit_rmse: float  # RMS error of the fitted part levels (the drive before its clips; summed over parts) on the staircases
    dopamine_tau: float | None = None  # s, the dopamine rate's own response time constant (circuits with a dopamine rule)
    aversive_tau: float | None = None  # s, the aversive population's filtered rate's own time constant (an aversive rule)
    slow_tau: float | None = None  # s, the drive's slow state's time constant (None: no slow state)
    dopamine_slow_tau: float | None = None  # s, the dopamine rate's slow state's time constant
    slow: np.ndarray | None = None  # (2,) * variables + (channels,), Hz: the slow state's targets at the grid's corners
    slow_start: np.ndarray | None = None  # (channels,), Hz: the slow state of a freshly built network


def surrogate_axes(maps: InterfaceMaps, grid: int) -> list[np.ndarray]:
    """Per state, ``grid`` evenly spaced points and its rest value (its ``initial``) when that is not one of them; per
    event, off and on.

    Why the rest value: a module spends most of its time near rest, and an assay or an agent reads its resting drive
    there. Between two knots the table is linear in the rates, but the drive near rest is not (a thermoneutral zone
    between two saturating skin inputs; a readout clipped at 0), so interpolating it overstated thermoregulation's
    resting drive (0.053 at thermoneutrality 0.5, between knots 0.4 and 0.6, where the live drive is about 0)."""
    if grid < 2:
        raise ValueError("the grid needs at least 2 points per state variable")
    states = []
    for s in maps.states:
        points = np.linspace(s.low, s.high, grid)
        states.append(points if np.isclose(points, s.initial).any() else np.sort(np.r_[points, s.initial]))
    return states + [np.array([0.0, 1.0]) for _ in maps.events]


def grid_size(maps: InterfaceMaps, grid: int) -> int:
    """The number of points of the surrogate's table (every state's points times every event's two)."""
    return int(np.prod([len(a) for a in surrogate_axes(maps, grid)]))


def _point(maps: InterfaceMaps, coords: tuple[float, ...]) -> tuple[dict[str, float], dict[str, float]]:
    n = len(maps.state_ids)
    return dict(zip(maps.state_ids, coords[:n])), dict(zip(maps.event_ids, coords[n:]))


@dataclass(frozen=True)
class Trace:
    """One run through a schedule: per step the drive, the reward and (live backend) the channel rates, raw and filtered."""

    drives: np.ndarray
    rewards: np.ndarray
    rates: np.ndarray  # (steps, channels), Hz
    filtered: np.ndarray  # (steps, channels), Hz: the readout's low-pass filtered rates


def run_schedule(fn: RewardFunction, schedule: Schedule, dt: float, tick: Callable[[float], None] = lambda s: None) -> Trace:
    """Reset at the first entry, then step through all."""
    fn.reset(*schedule[0])
    drives, rewards, rates, filtered = [], [], [], []
    for states, events in schedule:
        rewards.append(fn.step(states, events, dt))
        drives.append(fn.drive_level)
        rates.append(np.array(getattr(fn, "rates", ()), dtype=float))
        filtered.append(np.array(getattr(fn, "filtered", ()), dtype=float))
        tick(dt)
    return Trace(np.array(drives), np.array(rewards), np.array(rates), np.array(filtered))


def corner_weights(axes: list[np.ndarray], coords: list[tuple[float, ...]]) -> np.ndarray:
    """Per point (rows), the multilinear weights of the grid's 2^d corners (columns, in ``itertools.product`` order):
    the slow state's table is its corners, interpolated."""
    lows, spans = np.array([a[0] for a in axes]), np.array([a[-1] - a[0] for a in axes])
    u = (np.asarray(coords, dtype=float) - lows) / spans
    weights = np.ones((len(u), 1))
    for j in range(len(axes)):
        weights = (weights[:, :, None] * np.stack([1.0 - u[:, j], u[:, j]], axis=-1)[:, None, :]).reshape(len(u), -1)
    return weights


@dataclass(frozen=True)
class Rest:
    """The rest point's index and the live series' level there once a fresh network has settled (per column)."""

    point: int
    level: np.ndarray


REST_WEIGHT = 100.0  # the pinned rest's weight against one recorded step's: in effect a constraint


def rest_level(visits: list[np.ndarray], series: list[np.ndarray], rest: int) -> np.ndarray:
    """The live series' level at rest (per column): the mean over the second half of each run's first hold, at
    ``rest`` from a fresh network (its first half lets the network settle)."""
    held = []
    for sequence, x in zip(visits, series):
        steps = int(np.argmax(sequence != rest)) if (sequence != rest).any() else len(sequence)
        held.append(x[steps // 2:steps])
    if not sum(len(h) for h in held):
        raise ValueError("no run starts with a hold at the rest point: its level cannot be pinned")
    return np.concatenate(held).mean(axis=0)


@dataclass(frozen=True)
class SlowBasis:
    """The slow state of a fit: each point's corner weights, its time constant and the unrecorded settle steps at the
    first point, during which it leaves its start (the level of a freshly built network)."""

    weights: np.ndarray  # (points, corners)
    tau: float  # s
    settle_steps: int
    events: int = 0  # the last ``events`` variables are events: their corners are not smoothed


def relaxation_fit(visits: list[np.ndarray], observed: list[np.ndarray], points: int, dt: float, tau: float,
                   slow: SlowBasis | None = None, rest: Rest | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Per grid point, the targets x* (points, columns) with which x <- x* + (x - x*) exp(-dt / tau), starting at the
    first point's target (settled, as a reset leaves it), best reproduces the ``observed`` series (steps, columns) of
    each run (``visits``: the point index per step), in least squares with x* >= 0; and the series it reproduces (all
    runs' steps, columns). With ``rest``, the steady state at its point (the fast target plus, with a slow state, the
    slow one there) is held to its level (a row weighted ``REST_WEIGHT`` times a recorded step's).

    With a ``slow`` basis, x is the sum of that fast state and a slow one, s <- s* + (s - s*) exp(-dt / tau_slow),
    whose targets s* are multilinear in the variables (fitted at the grid's corners, >= 0: added excitation) and whose
    start is one level shared by all runs (a fresh network's, >= 0); the third value returned is then the slow corners and
    start (corners + 1, columns), else None."""
    decay = np.exp(-dt / tau)
    corners = 0 if slow is None else slow.weights.shape[1]
    width = points + (corners + 1 if slow is not None else 0)
    rows = []
    for sequence in visits:
        row = np.zeros(width)
        row[sequence[0]] = 1.0  # the fast state starts settled at the first point, as a reset leaves it
        if slow is not None:
            slow_decay = np.exp(-dt / slow.tau)
            slow_row = np.zeros(width)
            slow_row[-1] = 1.0
            for _ in range(slow.settle_steps):  # the unrecorded settle at the first point
                slow_row = slow_row * slow_decay
                slow_row[points:-1] += (1.0 - slow_decay) * slow.weights[sequence[0]]
        for point in sequence:  # each step's value as a combination of the targets visited and the start
            row = row * decay
            row[point] += 1.0 - decay
            if slow is not None:
                slow_row = slow_row * slow_decay
                slow_row[points:-1] += (1.0 - slow_decay) * slow.weights[point]
                rows.append(row + slow_row)
            else:
                rows.append(row)
    design, series = np.array(rows), np.concatenate(observed)
    pinned, pinned_series = np.zeros((0, width)), np.zeros((0, series.shape[1]))
    if rest is not None:  # the steady state at rest (the fast target there plus the slow one) is the live rest level
        pinned = np.zeros((1, width))
        pinned[0, rest.point] = 1.0
        if slow is not None:
            pinned[0, points:-1] = slow.weights[rest.point]
        weight = REST_WEIGHT * np.sqrt(len(design))
        pinned, pinned_series = pinned * weight, rest.level[None, :] * weight
    if slow is None:
        augmented, padded = np.vstack([design, pinned]), np.vstack([series, pinned_series])
        solution = np.stack([nnls(augmented, padded[:, c], maxiter=50 * design.shape[1])[0]
                             for c in range(series.shape[1])], axis=-1)
        return solution[:points], design @ solution, None
    # the slow targets' differences between neighbouring corners are penalised (weighted per recorded step), so what the
    # runs cannot tell apart is shared by the corners rather than traded against the fast table
    pairs = [(i, k) for i in range(corners) for k in range(corners)
             if i < k and bin(i ^ k).count("1") == 1 and (i ^ k) >= 1 << slow.events]  # neighbours along a body state
    penalty = np.zeros((len(pairs), width))
    for n, (i, k) in enumerate(pairs):
        penalty[n, points + i], penalty[n, points + k] = 1.0, -1.0
    augmented = np.vstack([design, penalty * np.sqrt(SLOW_SMOOTH * len(design)), pinned])
    padded = np.vstack([series, np.zeros((len(pairs), series.shape[1])), pinned_series])
    solution = np.stack([nnls(augmented, padded[:, c], maxiter=50 * width)[0] for c in range(series.shape[1])], axis=-1)
    return solution[:points], design @ solution, solution[points:]


def calibrate(circuit: Circuit, catalog: Catalog, maps: InterfaceMaps, readout: ReadoutSpec,
              settings: CalibrationSettings, tick: Callable[[float], None] = lambda s: None) -> Calibration:
    """Run the staircases in NEST, then fit the table and the time constants to them."""
    axes = surrogate_axes(maps, settings.grid_for(len(maps.states)))
    points = list(itertools.product(*axes))
    rest = points.index(tuple(a[np.argmin(np.abs(a - v))] for a, v in zip(axes, [s.initial for s in maps.states] + [0.0] * len(maps.events))))
    corners = [points.index(c) for c in itertools.product(*[(a[0], a[-1]) for a in axes]) if points.index(c) != rest]
    hold = max(2, int(round(settings.hold / settings.dt)))
    corner_hold = max(2, int(round(settings.corner_seconds(len(corners) + 1) / settings.dt)))  # the rest point too
    rng = np.random.default_rng(settings.seed)
    runs = []
    for k in range(settings.seeds):
        order = rng.permutation(len(points))
        visits = np.r_[np.repeat([rest, *rng.permutation(corners)], corner_hold), np.repeat(order, hold)]
        schedule = [_point(maps, points[i]) for i in visits]
        live = LiveRewardFunction(circuit, catalog, seed=settings.seed + k, settle=settings.settle, dt=settings.dt)
        tick(settings.settle)
        runs.append((schedule, visits, run_schedule(live, schedule, settings.dt, tick)))
    return fit_surrogate(maps, readout, axes, runs, settings.dt, settings.settle, rest=rest)


def fit_surrogate(maps: InterfaceMaps, readout: ReadoutSpec, axes: list[np.ndarray],
                  runs: list[tuple[Schedule, np.ndarray, Trace]], dt: float, settle: float = 0.0,
                  rest: int | None = None) -> Calibration:
    """The table, slow state and time constants that best reproduce the live ``runs`` (schedule, grid point index per
    step, live trace): per signal, the pair of time constants (fast, slow) whose least-squares fit leaves the smallest
    error, the drive's on its linear readout of the filtered rates, the dopamine rule's on the raw dopamine rate.
    ``settle``: the seconds each live run spent at its first point before recording; ``rest``: the rest point, which
    every run holds first from a fresh network (the readout's steady state there is pinned to that hold's level)."""
    kernel = ReadoutKernel(readout)
    shape = tuple(len(a) for a in axes)
    count = int(np.prod(shape))
    visits = [v for _, v, _ in runs]
    drive_columns = sorted(set(kernel.columns.tolist()))
    steady = np.zeros((count, len(kernel.channels)))
    slow = np.zeros((2 ** len(axes) + 1, len(kernel.channels)))  # the corners, then the start
    weights = corner_weights(axes, list(itertools.product(*axes)))
    settle_steps = int(round(settle / dt)) if settle > 0 else 0
    # a slow state slower than half a run would be a drift the runs cannot tell from its targets: not a candidate
    slow_taus = SLOW_TAUS[SLOW_TAUS <= 0.5 * dt * min(len(v) for v in visits)]

    def best(series: list[np.ndarray], signal: Callable[[np.ndarray], np.ndarray], slow_state: bool = True,
             pin: Rest | None = None) -> tuple[Fit, float]:
        """The best fit of the series and the RMS error of ``signal`` it leaves (``slow_state``: whether a slow
        state is a candidate; ``pin``: the steady state the fit must have at rest)."""
        target = signal(np.concatenate(series))

        def error(fit: tuple[np.ndarray, np.ndarray, np.ndarray | None]) -> float:  # per step, summed over columns
            return float(np.mean(np.sum((signal(fit[1]) - target).reshape(len(target), -1) ** 2, axis=-1)))

        single = min(((error(f := relaxation_fit(visits, series, count, dt, tau, rest=pin)), tau, None, f) for tau in TAUS),
                     key=lambda f: f[0])
        basis = lambda slow_tau: SlowBasis(weights, slow_tau, settle_steps, len(maps.events))  # noqa: E731
        double = min(((error(f := relaxation_fit(visits, series, count, dt, tau, basis(slow_tau), pin)),
                       tau, slow_tau, f) for slow_tau in slow_taus[:len(slow_taus) * slow_state] for tau in TAUS[::2]
                      if tau * 4.0 <= slow_tau),
                     key=lambda f: f[0], default=single)
        gain = single[0] - double[0]
        spread = np.var(target.reshape(len(target), -1), axis=0).sum()  # summed over columns, as the error is
        mse, tau, slow_tau, fit = double if gain > (1.0 - SLOW_GAIN) * single[0] and gain > SLOW_FLOOR * spread else single
        return Fit(tau, slow_tau, fit[0], fit[2]), float(np.sqrt(mse))

    readout_series = [t.filtered[:, drive_columns] for *_, t in runs]
    pin = None if rest is None else Rest(rest, rest_level(visits, readout_series, rest))
    drive, rmse = best(readout_series, lambda x: levels(kernel, drive_columns, x), pin=pin)
    steady[:, drive_columns] = drive.targets
    if drive.slow is not None:
        slow[:, drive_columns] = drive.slow
    dopamine = None
    if kernel.dopamine_column is not None:  # dopamine may answer more slowly (through slow signalling) than the drive
        column = kernel.dopamine_column
        dopamine, _ = best([t.rates[:, [column]] for *_, t in runs], lambda x: x[:, 0])
        if column not in drive_columns:  # one population read both ways keeps the drive's table, with its own time constants
            steady[:, [column]] = dopamine.targets
            if dopamine.slow is not None:
                slow[:, [column]] = dopamine.slow
    aversive_tau = None
    if kernel.aversive_column is not None:  # the same way, on the filtered rate the aversive term reads (no slow share)
        column = kernel.aversive_column
        aversive, _ = best([t.filtered[:, [column]] for *_, t in runs], lambda x: x[:, 0], slow_state=False)
        aversive_tau = aversive.tau
        if column not in drive_columns:
            steady[:, [column]] = aversive.targets
    return Calibration(axes, steady.reshape(shape + (-1,)), drive.tau, rmse,
                       dopamine_tau=None if dopamine is None else dopamine.tau, aversive_tau=aversive_tau,
                       slow_tau=drive.slow_tau, dopamine_slow_tau=None if dopamine is None else dopamine.slow_tau,
                       slow=slow[:-1].reshape((2,) * len(axes) + (-1,)), slow_start=slow[-1])


@dataclass(frozen=True)
class Fit:
    """One signal's fit: fast time constant, slow one (None: no slow state), per-point targets, slow corners and start."""

    tau: float
    slow_tau: float | None
    targets: np.ndarray
    slow: np.ndarray | None


def levels(kernel: ReadoutKernel, drive_columns: list[int], columns: np.ndarray) -> np.ndarray:
    """Each part's level, the readout before its clips (steps, parts), from the drive columns."""
    full = np.zeros((len(columns), len(kernel.channels)))
    full[:, drive_columns] = columns
    return kernel.levels(full)


def slow_table(fit: Calibration, settle: float) -> SlowTable | None:
    """The fitted slow state as the fast backend takes it (None when neither signal has one)."""
    if fit.slow is None or fit.slow_start is None or (fit.slow_tau is None and fit.dopamine_slow_tau is None):
        return None
    return SlowTable(fit.slow, fit.slow_start, fit.slow_tau, fit.dopamine_slow_tau, settle)


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
            trace = run_schedule(fn, schedule, settings.dt, t)
            pooled[f"drive_{name}"].append(trace.drives)
            pooled[f"reward_{name}"].append(trace.rewards)
    out: dict[str, Any] = {}
    for signal in ("drive", "reward"):
        live_values, fast_values = np.concatenate(pooled[f"{signal}_live"]), np.concatenate(pooled[f"{signal}_fast"])
        out[f"{signal}_r"] = _pearson(live_values, fast_values)
        out[f"{signal}_rmse"] = float(np.sqrt(np.mean((live_values - fast_values) ** 2)))
    worst = min((out[k] if out[k] is not None else -1.0) for k in ("drive_r", "reward_r"))
    out.update(threshold=settings.threshold, passed=worst >= settings.threshold, trajectories=settings.check_trajectories,
               duration_s=settings.check_duration, dt_s=settings.dt)
    return out
