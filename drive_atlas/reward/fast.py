"""The fast backend: a surrogate of the circuit's drive fitted from NEST at export time (numpy, and numba for the step).

Model, per readout channel c (a readout population's filtered rate f_c):

    f_c <- f*_c(s, e) + (f_c - f*_c(s, e)) * exp(-dt / tau)

where f*(s, e) is the steady-state rate tabulated over a grid of the body states s and
event corners e in {0, 1}, interpolated multilinearly, and tau is one response time
constant fitted to the live circuit. The drive applies the circuit's own readout
formula to f through the readout kernel (``drive.kernel``), so saturation is exact;
reward follows the circuit's rule (drive reduction D(t) - D(t+dt), plus the dopamine
rule's rate, which relaxes the same way with its own fitted time constant, integrated
exactly over the step, plus the aversive rule's rectified term: the aversive
population's filtered rate is tabulated and relaxes the same way with its own fitted
time constant, and max(0, rate - baseline) is integrated over that exponential
exactly, including the instant within the step where it crosses the baseline).

Because every channel relaxes with the same tau and each part's level is linear before its
clip, the filtered level of each part of the readout, L_p = sum_{c in p} w_c (f_c - low_c) / (high_c - low_c)
(one part unless the readout is a composite's), relaxes exactly like the rates do. The backend therefore
tabulates each L*_p (and the dopamine rate, the aversive population's rate) once at load and keeps one number
per environment and tracked column: the same result as filtering every channel, at a fraction of the cost per
step. The drive is the kernel's ``combine`` of the levels: each part clipped to [0, its share], summed, clipped.

A surrogate may also have a hidden slow state (``SlowTable``, ``_SlowState``: slowly cleared
signalling): a slow share of each L_p and of the dopamine rate, each relaxing with its own time constant
toward a target multilinear between the grid's corners, added to the fast one (the aversive rate
has none: see ``calibrate``). A reset starts it where a freshly built network starts, so a held
state drifts as the live circuit does. Each part's level is its fast L_p plus its slow one.

A step is one call into compiled loops over the environments (``fast_kernel``, numba), the slow state's
included: below a few thousand environments a numpy call costs more than its arithmetic, so the whole-array
form of the same step (a dozen calls, two dozen with a slow state) cost twice to six times a closed-form
reward. The tables come pre-multiplied by the step's relaxation factor 1 - exp(-dt / tau) (cached per dt).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from ..drive.kernel import ReadoutKernel
from ..spec.circuit import ReadoutSpec
from .function import RewardFunction
from .interface import InterfaceMaps, Values

_FLOAT = np.dtype(np.float64)
_UNIT_STRIDE = (8,)  # a C-contiguous float64 vector's strides


class FastRewardFunction(RewardFunction):
    """Tabulated steady states + first-order relaxation; vectorised over environments."""

    def __init__(self, maps: InterfaceMaps, readout: ReadoutSpec, axes: Sequence[np.ndarray], steady: np.ndarray,
                 tau: float, dopamine_tau: float | None = None, aversive_tau: float | None = None,
                 slow: SlowTable | None = None) -> None:
        super().__init__(maps)
        self.readout, self.kernel, self.tau = readout, ReadoutKernel(readout), float(tau)
        self.dopamine_tau = self.tau if dopamine_tau is None else float(dopamine_tau)
        self.aversive_tau = self.tau if aversive_tau is None else float(aversive_tau)
        self.axes = [np.asarray(a, dtype=float) for a in axes]
        if not self.axes:
            raise ValueError("a drive interface needs at least one state or event")
        steady = np.asarray(steady, dtype=float)
        rates = steady.reshape(-1, steady.shape[-1])  # the grid flattened in C order
        columns = list(self.kernel.levels(rates).T)  # each part's L*_p, then the dopamine reward rate when the circuit has one
        if self.kernel.dopamine_column is not None:
            columns.append(self.kernel.dopamine_rate(rates))
        if self.kernel.aversive_column is not None:  # the aversive population's filtered rate, rectified after relaxing
            columns.append(rates[:, self.kernel.aversive_column])
        read, self._table = _evenly_spaced(self.axes, np.array(columns))  # the table as the compiled step reads it
        self._counts = np.array([len(a) for a in read], dtype=np.intp)
        self._grid = np.array([_axis(a, max(self._counts)) for a in read])  # (axes, points and inverse widths, most points)
        self._states, self._events = tuple(self.maps.state_ids), tuple(self.maps.event_ids)
        self._variables = self._states + self._events  # in axis order
        self.slow = slow  # the hidden slow state as fitted (None: the surrogate has none)
        self._slow = None if slow is None else _SlowState(self.kernel, slow, read)
        # per row and environment: each part's L_p, the dopamine reward rate, the aversive rate; then the slow shares
        # of each L_p and of the dopamine rate
        self._tracked = np.zeros((len(columns) + (len(self.kernel.parts) + 1) * (slow is not None), 0))
        self._step: _Step | None = None  # the relaxation of the last dt

    def __getstate__(self) -> dict[str, object]:
        """Copies and pickles leave out the step cache (it is rebuilt on the next step)."""
        return {**self.__dict__, "_step": None}

    def drive_of(self, rates: np.ndarray) -> np.ndarray:
        """The circuit's readout formula on filtered channel rates (n, channels)."""
        return self.kernel.drive(rates)

    def step(self, state: Values, events: Values | None = None, dt: float = 0.1) -> float:
        """As RewardFunction.step, with the values as float64 arrays of one, so a single environment takes the hot path."""
        if self.n != 1:
            return super().step(state, events, dt)
        arrays = {k: np.array((v,), dtype=float) for k, v in state.items()}
        return float(self.step_batch(arrays, {k: np.array((v,), dtype=float) for k, v in (events or {}).items()}, dt)[0])

    def step_batch(self, states: Values, events: Values | None = None, dt: float = 0.1) -> np.ndarray:
        """As RewardFunction.step_batch. The common case (every variable given as a contiguous float64 array of the
        current size, the same dt as the last step, all finite) skips the general argument handling; anything else
        takes the general path and its errors. Both call the compiled step's machine code without numba's typing of
        the arguments (``fast_kernel.compiled_advance``): ``_Step.arrays`` is what keeps any other array out of it."""
        step = self._step
        if step is not None and dt == step.dt:
            values = step.arrays(states, events)
            if values is not None:
                drive, reward = np.empty(self.n), np.empty(self.n)
                if step.advance(values, self._grid, self._counts, step.table, step.relax, self._tracked, self.drive,
                                drive, reward, step.work, step.index):
                    self.drive = drive
                    return reward
        return super().step_batch(states, events, dt)

    def _resize(self, n: int) -> None:
        self._tracked = np.zeros((len(self._tracked), n))
        self._step = None

    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        arrays, lookup = self._arrays(values), _compiled().lookup
        targets = lookup(arrays, self._grid, self._counts, self._table)
        fast, parts = len(self._table), len(self.kernel.parts)
        self._tracked[:fast, mask] = targets[:, mask]
        levels = self._tracked[:parts, mask]
        if self._slow is not None:
            slow_targets = lookup(arrays, self._grid, self._counts, self._slow.rows)
            levels = levels + self._slow.reset(mask, slow_targets, self._tracked[fast:])
        self.drive[mask] = self.kernel.combine(levels.T)

    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        step = self._step
        if step is None or step.dt != dt:
            step = self._step = _Step(dt, (self.tau, self.dopamine_tau, self.aversive_tau), self._table, self.kernel,
                                      self._slow, (self._states, self._events), self.n)
        drive, reward = np.empty(self.n), np.empty(self.n)
        if not step.advance(self._arrays(values), self._grid, self._counts, step.table, step.relax, self._tracked,
                            self.drive, drive, reward, step.work, step.index):
            raise AssertionError("the general path passed a value that is not finite")
        self.drive = drive
        return reward

    def _arrays(self, values: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
        """The variables in axis order, as the compiled loop takes them."""
        return tuple(np.ascontiguousarray(values[v], dtype=float) for v in self._variables)


class _Step:
    """One step of dt on the backend's n environments (made afresh when n or dt changes): the table scaled per
    column by 1 - decay, then the slow state's rows on the same grid (unscaled), and the constants of the relaxation
    (``fast_kernel.advance``'s ``table`` and ``relax``), its workspace (``work``, ``index``: the step's intermediate
    values, never returned), and that step's compiled code for the number of variables."""

    def __init__(self, dt: float, taus: tuple[float, float, float], table: np.ndarray, readout: ReadoutKernel,
                 slow: _SlowState | None, variables: tuple[tuple[str, ...], tuple[str, ...]], n: int) -> None:
        k = _compiled()
        self.dt, self.advance = dt, k.compiled_advance(sum(map(len, variables)))
        tau, dopamine_tau, aversive_tau = taus
        dopamine, aversive = readout.dopamine_column is not None, readout.aversive_column is not None
        decay, dopamine_decay, aversive_decay = (math.exp(-dt / t) for t in taus)
        parts = len(readout.parts)
        decays = [decay] * parts + [dopamine_decay] * dopamine + [aversive_decay] * aversive  # per table row
        rows = [table * (1.0 - np.array(decays))[:, None]]
        if slow is not None:  # its rows (parts, then dopamine) on the same grid, unscaled
            rows.append(slow.rows)
        self.table = np.concatenate(rows)
        relax = np.zeros(k.RELAX_SIZE + parts)  # then each part's share, its ceiling
        relax[k.DECAY], relax[k.REDUCTION] = decay, readout.drive_reduction
        relax[k.PARTS], relax[k.CAPPED], relax[k.RELAX_SIZE:] = parts, readout.capped, readout.shares
        relax[k.DOPAMINE], relax[k.DOPAMINE_DECAY] = dopamine, dopamine_decay
        relax[k.BEFORE], relax[k.AFTER] = dopamine_tau * (1.0 - dopamine_decay), dt / (1.0 - dopamine_decay) - dopamine_tau
        relax[k.AVERSIVE], relax[k.AVERSIVE_DECAY], relax[k.UNSCALE] = aversive, aversive_decay, 1.0 / (1.0 - aversive_decay)
        relax[k.DT], relax[k.AVERSIVE_TAU], relax[k.WHOLE] = dt, aversive_tau, -math.expm1(-dt / aversive_tau)
        relax[k.BASELINE], relax[k.GAIN] = readout.aversive_baseline, readout.aversive_gain
        if slow is not None:
            slow_decay, slow_dopamine_decay = (math.exp(-dt / t) for t in slow.taus)
            relax[k.SLOW], relax[k.SLOW_DECAY], relax[k.SLOW_DOPAMINE_DECAY] = 1.0, slow_decay, slow_dopamine_decay
            relax[k.SLOW_BEFORE] = slow.taus[1] * (1.0 - slow_dopamine_decay)
        self.relax = relax
        self.states, self.events = variables
        self.n = n
        d = len(self.states) + len(self.events)
        self.work, self.index = np.empty((k.workspace(d, len(self.table)), n)), np.empty((k.INDEX_ROWS, n), dtype=np.uintp)

    def arrays(self, states: Values, events: Values | None) -> tuple[np.ndarray, ...] | None:
        """The variables in axis order when each is a C-contiguous float64 array of n values and no other is given;
        else None (the general path normalises them or says what is wrong). Each value is checked as it is taken (no
        list of them built first, no exception caught): on every step, about 0.7 us for two variables against 1.4."""
        names, more = self.states, self.events
        if len(states) != len(names) or len(events or ()) != len(more):
            return None
        n, values = self.n, []
        for k in names:
            x = states.get(k)
            if type(x) is not np.ndarray or x.dtype is not _FLOAT or x.strides != _UNIT_STRIDE or len(x) != n:
                return None  # unit strides: a vector (and contiguous); then its length is its shape
            values.append(x)
        for k in more:
            x = events.get(k)  # type: ignore[union-attr]
            if type(x) is not np.ndarray or x.dtype is not _FLOAT or x.strides != _UNIT_STRIDE or len(x) != n:
                return None
            values.append(x)
        return tuple(values)


@dataclass(frozen=True)
class SlowTable:
    """A surrogate's slow state as fitted (``calibrate.fit_surrogate``): its targets at the grid's corners
    ((2,) * variables + (channels,), Hz, added to the fast rates), its start in a freshly built network (channels,),
    its time constants (the drive's; the dopamine rate's; None where that signal has no slow share) and the seconds a
    reset settles at the state, as the live backend's reset does."""

    corners: np.ndarray
    start: np.ndarray
    tau: float | None
    dopamine_tau: float | None
    settle: float


class _SlowState:
    """The hidden slow state of a surrogate (slowly cleared signalling such as oxytocin or neurokinin B): per
    environment, a slow share of each part's level L_p and of the dopamine reward rate, each relaxing
    toward a target multilinear in the variables (between the grid's corners) with its own time constant. Its
    table (``rows``: its targets at every point of the grid the compiled step reads, as the fast rows), time
    constants and reset live here; its per-environment values are rows of the backend's tracked state, which the
    compiled step moves on. A reset starts it where a freshly built network starts and lets it relax for the settle
    time, so a held state shows the live circuit's slow drift."""

    def __init__(self, kernel: ReadoutKernel, table: SlowTable, read: Sequence[np.ndarray]) -> None:
        corners = np.asarray(table.corners, dtype=float)
        flat, zero = corners.reshape(-1, corners.shape[-1]), np.zeros((1, corners.shape[-1]))
        # the slow rates add to the fast ones: their share of each L_p and of the dopamine rate carries no offset
        at_corners = np.array([*(kernel.levels(flat) - kernel.levels(zero)).T,
                               kernel.dopamine_rate(flat) - kernel.dopamine_rate(zero)])
        self.rows = _between_corners(at_corners, read)
        start = np.asarray(table.start, dtype=float)[None, :]
        self.start = [*(kernel.levels(start) - kernel.levels(zero))[0],
                      float((kernel.dopamine_rate(start) - kernel.dopamine_rate(zero))[0])]
        self.taus = tuple(1.0 if t is None else float(t) for t in (table.tau, table.dopamine_tau))  # no share: zeros
        self.settle = float(table.settle)

    def reset(self, mask: np.ndarray, targets: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Start the masked environments' slow shares (``rows``: each part's, then the dopamine rate's, rows of the
        tracked state, written in place) at a fresh network's level, settled toward ``targets`` (this table's rows
        at the environments' values); their slow L_p (parts, masked)."""
        taus = [self.taus[0]] * (len(rows) - 1) + [self.taus[1]]  # each part's share, then the dopamine rate's
        for x, start, target, tau in zip(rows, self.start, targets, taus):
            settled = math.exp(-self.settle / tau)
            x[mask] = target[mask] + (start - target[mask]) * settled
        return rows[:-1, mask]


def _between_corners(table: np.ndarray, read: Sequence[np.ndarray]) -> np.ndarray:
    """A table given at the grid's 2^d corners ((rows, 2^d), C order), multilinear between them, at every point of the
    grid ``read`` ((rows, points), C order): one axis at a time, each point's weights on its axis's two ends.
    Multilinear on the whole grid, it is multilinear in each cell, so the compiled step reads it as it reads the fast
    rows, with the same cell and weights (numpy here: loading a module does not import numba)."""
    shaped = table.reshape(len(table), *(2,) * len(read))
    for j, points in enumerate(read):
        t = (points - points[0]) / (points[-1] - points[0])
        weights = np.stack([1.0 - t, t], axis=1)  # (points on axis j, its two ends)
        shaped = np.moveaxis(np.tensordot(shaped, weights, axes=([j + 1], [1])), -1, j + 1)
    return shaped.reshape(len(table), -1)


def _axis(points: np.ndarray, size: int) -> np.ndarray:
    """An axis as the compiled loop reads it: its points, and the inverse width of each cell, padded to ``size``."""
    pad = size - len(points)
    return np.array([np.pad(points, (0, pad), mode="edge"), np.pad(1.0 / np.diff(points), (0, pad + 1))])


EVEN_CELLS = 64  # the most cells an unevenly spaced axis is refined to


def _evenly_spaced(axes: Sequence[np.ndarray], table: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """The axes and the table (columns, grid points in C order) with every unevenly spaced axis whose points lie on an
    evenly spaced grid of at most ``EVEN_CELLS`` cells (an axis holding its rest value: hunger's energy at 0, 0.2,
    0.4, 0.5, 0.6, 0.8 and 1) refined to that grid, the table interpolated linearly along it. Interpolation between
    the refined points is the same piecewise multilinear function, and the compiled step finds a cell on an evenly
    spaced axis by arithmetic alone: 1.2 us for 1,000 values on hunger's axis, against 4.5 for the search it
    replaced (benchmarks/README.md, bench_reward)."""
    read, shaped = [], table.reshape(len(table), *(len(a) for a in axes))
    for j, axis in enumerate(axes):
        placed = axis
        for cells in range(len(axis), EVEN_CELLS + 1 if not _even(axis) else 0):
            place = (axis - axis[0]) / (axis[-1] - axis[0]) * cells
            if np.all(np.abs(place - np.round(place)) <= 1e-9 * cells):
                placed = np.linspace(axis[0], axis[-1], cells + 1)
                placed[np.round(place).astype(int)] = axis  # the axis's own points exactly
                break
        if placed is not axis:
            low = np.clip(np.searchsorted(axis, placed, side="right") - 1, 0, len(axis) - 2)
            fraction = ((placed - axis[low]) / (axis[low + 1] - axis[low])).reshape((-1,) + (1,) * (len(axes) - 1 - j))
            below, above = np.take(shaped, low, axis=j + 1), np.take(shaped, low + 1, axis=j + 1)
            # the axis's own points keep their values exactly (fraction 0; the last point, 1)
            shaped = np.where(fraction == 1.0, above, below + fraction * (above - below))
            axis = placed
        read.append(axis)
    return read, shaped.reshape(len(table), -1)


def _even(axis: np.ndarray) -> bool:
    """Whether an axis's points are evenly spaced, as the compiled step tells (to 1e-9 of its span; two points are)."""
    span = axis[-1] - axis[0]
    return len(axis) < 3 or bool(np.all(np.abs(axis - np.linspace(axis[0], axis[-1], len(axis))) <= 1e-9 * span))


def _compiled() -> ModuleType:
    """The compiled step, imported on first use: importing numba costs about a second, which loading a module
    or importing ``drive_atlas.reward`` should not pay."""
    from . import fast_kernel

    return fast_kernel
