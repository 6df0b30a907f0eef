"""The fast backend: a surrogate of the circuit's drive fitted from NEST at export time (numpy only).

Model, per readout channel c (a readout population's filtered rate f_c):

    f_c <- f*_c(s, e) + (f_c - f*_c(s, e)) * exp(-dt / tau)

where f*(s, e) is the steady-state rate tabulated over a grid of the body states s and
event corners e in {0, 1}, interpolated multilinearly, and tau is one response time
constant fitted to the live circuit. The drive applies the circuit's own readout
formula to f through the readout kernel (``drive.kernel``), so saturation is exact;
reward follows the circuit's rule (drive reduction D(t) - D(t+dt), plus the dopamine
rule's rate, which relaxes the same way with its own fitted time constant, integrated
exactly over the step).

A surrogate may also have a hidden slow state (``SlowTable``, ``_SlowState``: slowly cleared
signalling): a slow share of L and of the dopamine rate, each relaxing with its own time constant
toward a target multilinear between the grid's corners, added to the fast one. A reset starts it
where a freshly built network starts, so a held state drifts as the live circuit does. Surrogates
without one take the hot path below unchanged but for one test.

Because every channel relaxes with the same tau and the readout is linear before its
clip, the filtered linear readout L = sum_c w_c (f_c - low_c) / (high_c - low_c)
relaxes exactly like the rates do. The backend therefore tabulates L* (and the
dopamine rate) once at load and keeps one number per environment (two with a dopamine rule): the same result
as filtering every channel, at a fraction of the cost per step.

Below a few thousand environments a step costs about its number of numpy calls, so the hot path is
written for few calls. The tables come pre-multiplied by the step's relaxation factor 1 - exp(-dt / tau)
(cached per dt). With one body state and at most one event (every curated single circuit) and up
to ``LINE_MAX`` environments, a column is read with one complex ``np.interp`` (about 8 calls per step
with the finiteness check, the relaxation, the drive's clip and the reward); otherwise the multilinear
table is one polynomial per grid cell in the variables themselves, read with a clip per variable, one
index computation per gridded axis, one ``take`` and two calls per axis (about 13 calls).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..drive.kernel import ReadoutKernel, unit
from ..spec.circuit import ReadoutSpec
from .function import RewardFunction
from .interface import InterfaceMaps, Values

# np.clip's ufunc and np.interp's compiled loops, called directly: their public wrappers' argument handling costs more
# than the work at 100 environments. They are numpy internals, hence numpy's range is pinned (pyproject.toml).
from numpy._core.multiarray import interp as _interp, interp_complex as _interp_complex
from numpy._core.umath import clip as _clip

_FLOAT = np.dtype(np.float64)
LINE_MAX = 2000  # environments; past about this many np.interp's per-value search costs more than the cell table's calls


class FastRewardFunction(RewardFunction):
    """Tabulated steady states + first-order relaxation; vectorised over environments."""

    def __init__(self, maps: InterfaceMaps, readout: ReadoutSpec, axes: Sequence[np.ndarray], steady: np.ndarray,
                 tau: float, dopamine_tau: float | None = None, slow: SlowTable | None = None) -> None:
        super().__init__(maps)
        self.readout, self.kernel, self.tau = readout, ReadoutKernel(readout), float(tau)
        self.dopamine_tau = self.tau if dopamine_tau is None else float(dopamine_tau)
        self.axes = [np.asarray(a, dtype=float) for a in axes]
        steady = np.asarray(steady, dtype=float)
        rates = steady.reshape(-1, steady.shape[-1])
        columns = [self.kernel.linear(rates)]  # over the flattened grid: L*, then the dopamine reward rate when the circuit has one
        if self.kernel.dopamine_column is not None:
            columns.append(self.kernel.dopamine_rate(rates))
        grids = [c.reshape(steady.shape[:-1]) for c in columns]
        self._table = _CellPolynomials(self.axes, grids)
        line = len(self.axes) <= 2 and len(self.maps.states) == 1 and all(np.array_equal(a, [0.0, 1.0]) for a in self.axes[1:])
        self._line = _Line(self.axes, grids) if line else None
        self._states, self._events = tuple(self.maps.state_ids), tuple(self.maps.event_ids)
        self._variables = self._states + self._events  # in axis order
        self._rates = np.zeros((len(columns), 0))  # per column and environment: L, then the dopamine reward rate
        self._step: _Step | None = None  # the relaxation of the last dt
        self.slow = slow  # the hidden slow state as fitted (None: the surrogate has none)
        self._slow = None if slow is None else _SlowState(self.axes, self.kernel, slow)

    def __getstate__(self) -> dict[str, object]:
        """Copies and pickles leave out the step cache: it holds views of the rates, which a copy would not share."""
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
        """As RewardFunction.step_batch. The common case (every variable given as a float64 array of the current
        size, the same dt as the last step, all finite) skips the general argument handling; anything else takes
        the general path and its errors."""
        step = self._step
        if step is not None and dt == step.dt:
            values = step.arrays(states, events)
            if values is not None:
                return self._relax(step.lookup(values, step.table), step, values)
        return super().step_batch(states, events, dt)

    def _resize(self, n: int) -> None:
        self._rates = np.zeros((len(self._rates), n))
        self._step = None  # the table to read depends on n

    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        targets = self._table.at([values[v] for v in self._variables], self._table.coefficients)
        self._rates[:, mask] = targets[:, mask]
        self.drive[mask] = unit(self._rates[0, mask])
        if self._slow is not None:
            self.drive[mask] = unit(self._rates[0, mask] + self._slow.reset(mask, [values[v] for v in self._variables]))

    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        step = self._step
        if step is None or step.dt != dt:
            table = self._line if self._line is not None and self.n <= LINE_MAX else self._table
            step = self._step = _Step(dt, self.tau, self.dopamine_tau, table, (self._states, self._events), self._rates,
                                      self.kernel.drive_reduction)
        variables = [values[v] for v in self._variables]
        return self._relax(step.lookup(variables, step.table), step, variables)

    def _relax(self, targets: Sequence[np.ndarray], step: _Step, values: Sequence[np.ndarray]) -> np.ndarray:
        """Every tracked rate x <- x exp(-dt/tau) + x* (1 - exp(-dt/tau)) (targets come scaled); the drive from L
        (plus the slow state's share, when the surrogate has one); the reward: drive reduction plus the dopamine rate
        integrated exactly over the step."""
        previous, level = self.drive, step.level
        level *= step.decay
        level += targets[0]
        if self._slow is not None:
            return self._with_slow(previous, targets, step, values)
        self.drive = _clip(level, 0.0, 1.0)
        if step.dopamine is None:
            return previous - self.drive if step.reduction else np.zeros(self.n)
        rate, target = step.dopamine, targets[1]
        reward = rate * step.before  # the dopamine rate integrated over the step: previous rate * b + scaled target * a
        rate *= step.decays[1]
        rate += target
        reward += target * step.after
        if step.reduction:
            reward += previous
            reward -= self.drive
        return reward

    def _with_slow(self, previous: np.ndarray, targets: Sequence[np.ndarray], step: _Step, values: Sequence[np.ndarray]
                   ) -> np.ndarray:
        """The rest of ``_relax`` for a surrogate with a slow state: the drive reads the fast L plus the slow state's
        L; the reward adds the slow dopamine rate's exact integral over the step."""
        slow = self._slow
        assert slow is not None
        reward = slow.advance(values, step.dt)
        self.drive = _clip(step.level + slow.level, 0.0, 1.0)
        if step.dopamine is not None:
            rate, target = step.dopamine, targets[1]
            reward += rate * step.before
            rate *= step.decays[1]
            rate += target
            reward += target * step.after
        if step.reduction:
            reward += previous
            reward -= self.drive
        return reward


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
    environment, a slow share of the readout's linear drive L and of the dopamine reward rate, each relaxing
    toward a target multilinear in the variables with its own time constant. A reset starts it where a freshly
    built network starts and lets it relax for the settle time, so a held state shows the live circuit's slow drift.
    Kept apart from the fast table so the hot path of surrogates without one is unchanged."""

    def __init__(self, axes: Sequence[np.ndarray], kernel: ReadoutKernel, table: SlowTable) -> None:
        corners = np.asarray(table.corners, dtype=float)
        flat, zero = corners.reshape(-1, corners.shape[-1]), np.zeros((1, corners.shape[-1]))
        # the slow rates add to the fast ones: their share of L and of the dopamine rate carries no offset
        columns = [kernel.linear(flat) - kernel.linear(zero), kernel.dopamine_rate(flat) - kernel.dopamine_rate(zero)]
        start = np.asarray(table.start, dtype=float)[None, :]
        self.start = [float((kernel.linear(start) - kernel.linear(zero))[0]),
                      float((kernel.dopamine_rate(start) - kernel.dopamine_rate(zero))[0])]
        self.table = _CellPolynomials([np.array([a[0], a[-1]]) for a in axes],
                                      [c.reshape(corners.shape[:-1]) for c in columns])
        self.taus = tuple(1.0 if t is None else float(t) for t in (table.tau, table.dopamine_tau))  # no share: zeros
        self.settle = float(table.settle)
        self.level, self.dopamine = np.zeros(0), np.zeros(0)

    def __getstate__(self) -> dict[str, object]:
        """Copies own their state arrays (the table's workspace starts afresh)."""
        return {**self.__dict__, "level": self.level.copy(), "dopamine": self.dopamine.copy()}

    def reset(self, mask: np.ndarray, values: Sequence[np.ndarray]) -> np.ndarray:
        """Start the masked environments at a fresh network's level, settled at ``values``; their slow L."""
        n = len(values[0])
        if len(self.level) != n:
            self.level, self.dopamine = np.zeros(n), np.zeros(n)
        targets = self.table.at(values, self.table.coefficients)
        for x, start, target, tau in zip((self.level, self.dopamine), self.start, targets, self.taus):
            settled = math.exp(-self.settle / tau)
            x[mask] = target[mask] + (start - target[mask]) * settled
        return self.level[mask]

    def advance(self, values: Sequence[np.ndarray], dt: float) -> np.ndarray:
        """Relax both shares over dt toward their targets at ``values``; the slow dopamine rate's exact integral
        over the step (the reward it adds)."""
        target_level, target_dopamine = self.table.at(values, self.table.coefficients)
        decay = math.exp(-dt / self.taus[0])
        self.level *= decay
        self.level += target_level * (1.0 - decay)
        tau = self.taus[1]
        decay = math.exp(-dt / tau)
        reward = target_dopamine * dt + (self.dopamine - target_dopamine) * (tau * (1.0 - decay))
        self.dopamine *= decay
        self.dopamine += target_dopamine * (1.0 - decay)
        return reward


class _Step:
    """One step of dt on the backend's n environments (made afresh when n or dt changes): the table to read
    (``np.interp`` for few environments, the cell table for many), its coefficients scaled per column by 1 - decay,
    the decays exp(-dt / tau), and the dopamine rate's exact integral over the step (previous rate * ``before`` +
    scaled target * ``after``)."""

    def __init__(self, dt: float, tau: float, dopamine_tau: float, table: _Line | _CellPolynomials,
                 variables: tuple[tuple[str, ...], tuple[str, ...]], rates: np.ndarray, reduction: bool) -> None:
        self.dt, self.reduction = dt, reduction
        self.level, self.dopamine = rates[0], (rates[1] if len(rates) > 1 else None)  # views of the backend's rates
        coefficients = table.coefficients  # (..., column, point or cell)
        self.decays = [math.exp(-dt / tau)] + [math.exp(-dt / dopamine_tau)] * (coefficients.shape[-2] - 1)
        self.decay = self.decays[0]
        self.lookup, self.table = table.at, coefficients * (1.0 - np.array(self.decays))[:, None]
        d = self.decays[-1]
        self.after, self.before = dt / (1.0 - d) - dopamine_tau, dopamine_tau * (1.0 - d)
        self.states, self.events = variables
        self.shape = (rates.shape[1],)

    def arrays(self, states: Values, events: Values | None) -> list[np.ndarray] | None:
        """The variables in axis order when each is a finite float64 array of n values and no other is given;
        else None (the general path normalises them or says what is wrong)."""
        names = self.states
        if len(states) != len(names) or len(events or ()) != len(self.events):
            return None
        try:
            values = [states[names[0]]] if len(names) == 1 else [states[k] for k in names]
            for k in self.events:
                values.append(events[k])  # type: ignore[index]
        except KeyError:
            return None
        shape = self.shape
        for x in values:
            if type(x) is not np.ndarray or x.dtype is not _FLOAT or x.shape != shape:
                return None
        if len(values) <= 2 and math.isfinite(np.dot(values[0], values[-1])):  # NaN or infinite if a value is (inf * 0 is NaN)
            return values
        return values if _finite(values) else None


def _finite(values: Sequence[np.ndarray]) -> bool:
    """Whether every value is finite, in one call per two variables: a NaN or an infinity makes their dot product NaN
    or infinite (inf * 0 is NaN); a finite overflow falls through to the exact check."""
    for k in range(0, len(values), 2):
        pair = values[k:k + 2]
        if not math.isfinite(np.dot(pair[0], pair[-1])) and not all(np.isfinite(x).all() for x in pair):
            return False
    return True


class _Line:
    """One body state and at most one event (every curated single circuit): one ``np.interp`` per column.

    Along the state axis each column is piecewise linear; across the event's 0..1 axis it is
    linear, so a column is low(s) + e * rise(s) with e clipped to [0, 1]. Interpolating the complex
    table low - i rise at s and multiplying by 1 + i e gives it as the real part: one search for both.
    """

    def __init__(self, axes: Sequence[np.ndarray], columns: Sequence[np.ndarray]) -> None:
        self.points = np.asarray(axes[0], dtype=float)
        self.event = len(axes) == 2
        self.coefficients = np.array([c[:, 0] - 1j * (c[:, 1] - c[:, 0]) if self.event else c for c in columns])
        self.factor = np.ones(0, dtype=complex)  # 1 + i e per environment
        self.event_part = self.factor.imag

    def __getstate__(self) -> dict[str, object]:
        """Copies start a fresh factor (a copy of the view ``event_part`` would not share its memory)."""
        return {**self.__dict__, "factor": np.ones(0, dtype=complex), "event_part": None}

    def at(self, values: Sequence[np.ndarray], coefficients: np.ndarray) -> list[np.ndarray]:
        """Every column at the given variables, clipped to the grid, from ``coefficients`` (this table's, possibly
        scaled per column)."""
        state, points = values[0], self.points
        if not self.event:
            return [_interp(state, points, c, None, None) for c in coefficients]
        factor = self.factor
        if len(factor) != len(state):
            factor = self.factor = np.ones(len(state), dtype=complex)
            self.event_part = factor.imag
        _clip(values[1], 0.0, 1.0, out=self.event_part)
        columns = []
        for c in coefficients:
            value = _interp_complex(state, points, c, None, None)
            value *= factor
            columns.append(value.real)
        return columns


class _CellPolynomials:
    """Multilinear interpolation as one multilinear polynomial per grid cell, evaluated with a few whole-array calls.

    Inside a cell, interpolation is a polynomial linear in each variable x_j; its 2^d coefficients
    per column (in x_j itself, not in a local coordinate, so a step needs no subtraction) are computed
    once. A step clips each value to its axis, locates its cell (one multiply into an integer array
    on evenly spaced axes starting at 0, a search otherwise), gathers the cell's coefficients in one
    ``take`` and folds one axis at a time, last axis first: c0 + c1 * x_j. The coefficients are laid
    out with that axis's (c0, c1) outermost, so each fold multiplies and adds contiguous blocks of the
    same shape (numpy's fast path; broadcasting a variable across rows costs more than the arithmetic);
    a variable is clipped straight into as many rows as its fold needs. Two-point axes (events) have
    one cell, so they cost the clip alone. Every call works on arrays kept in a workspace.
    """

    def __init__(self, axes: Sequence[np.ndarray], columns: Sequence[np.ndarray]) -> None:
        if not axes:
            raise ValueError("a drive interface needs at least one state or event")
        coefficients = np.stack(columns, axis=-1)  # grid + (columns,)
        self.axes = [_Axis(np.asarray(a, dtype=float)) for a in axes]
        for j, axis in enumerate(self.axes):  # append one (constant, slope) dimension per axis, in x_j
            cells = range(axis.cells)
            top = np.minimum(np.arange(axis.cells) + 1, len(axis.points) - 1)  # past two points the top point is a cell of slope 0
            lower, upper = np.take(coefficients, cells, axis=j), np.take(coefficients, top, axis=j)
            shape = [1] * lower.ndim
            shape[j] = axis.cells
            slope = (upper - lower) / axis.widths[:axis.cells].reshape(shape)
            coefficients = np.stack([lower - slope * axis.points[:axis.cells].reshape(shape), slope], axis=-1)
        d = len(axes)
        cells = coefficients.shape[:d]
        self.strides = [int(np.prod(cells[j + 1:])) for j in range(d)]
        per_cell = coefficients.reshape((-1,) + coefficients.shape[d:])  # cell, column, (c0, c1) of axis 0, ..., of axis d-1
        order = list(range(d + 1, 1, -1)) + [1, 0]  # (c0, c1) of axis d-1, ..., of axis 0, column, cell: n innermost
        self.coefficients = np.ascontiguousarray(np.transpose(per_cell, order))
        self.work: _Workspace | None = None

    def __getstate__(self) -> dict[str, object]:
        """Copies start a fresh workspace (copies of its views would not share their memory)."""
        return {**self.__dict__, "work": None}

    def at(self, values: Sequence[np.ndarray], coefficients: np.ndarray) -> np.ndarray:
        """Every column at the given variables (in axis order), clipped to the grid, from ``coefficients`` (this
        table's, possibly scaled per column); shape (columns, n). The array returned is scratch space: read it before
        the next call."""
        n = len(values[0])
        work = self.work
        if work is None or work.n != n:
            work = self.work = _Workspace(n, self.coefficients.shape[-2], self.axes)
        located = False
        for axis, stride, x, rows, row in zip(self.axes, self.strides, values, work.clipped, work.rows):
            _clip(x, axis.low, axis.high, out=rows)
            if axis.cells > 1:
                axis.locate(row, stride, work, located)
                located = True
        coefficients.take(work.cell, axis=-1, out=work.folds[0], mode="clip")  # in range: no buffered check
        for x, (constant, slope, folded) in zip(reversed(work.clipped), work.steps):
            np.multiply(slope, x, out=folded)
            np.add(folded, constant, out=folded)
        return work.folds[-1]


class _Axis:
    """One grid axis: its range, and each value's cell."""

    def __init__(self, points: np.ndarray) -> None:
        spacing = np.diff(points)
        self.points, self.low, self.high = points, float(points[0]), float(points[-1])
        self.widths = np.append(spacing, 1.0)  # per cell; the top cell has slope 0, its width is arbitrary
        even = len(points) > 1 and np.allclose(spacing, spacing[0], rtol=1e-9, atol=0.0)
        self.per_step = 1.0 / float(spacing[0]) if even else None  # cells per unit of x when evenly spaced
        self.cells = 1 if len(points) == 2 else len(points)  # past two points the last point gets a cell of its own

    def locate(self, x: np.ndarray, stride: int, work: _Workspace, started: bool) -> None:
        """Add the cell of each clipped value x times ``stride`` to ``work.cell`` (or set it when not ``started``).

        A value on a cell boundary may land in either neighbouring cell: the polynomials agree there.
        """
        index = work.index if started or stride != 1 else work.cell
        if self.per_step is None:
            np.subtract(np.searchsorted(self.points, x, side="right"), 1, out=index)
        elif self.low == 0.0:
            np.multiply(x, self.per_step, out=index, casting="unsafe")  # x >= 0: truncation is the floor
        else:
            np.subtract(x, self.low, out=work.shifted)
            np.multiply(work.shifted, self.per_step, out=index, casting="unsafe")
        if index is work.cell:
            return
        if stride != 1:
            index *= stride
        if started:
            work.cell += index
        else:
            np.copyto(work.cell, index)


class _Workspace:
    """Scratch arrays for n environments, reused every step.

    Fresh temporaries of this size make the allocator return memory to the system and
    fault it back in on every step, which costs more than the arithmetic.
    """

    def __init__(self, n: int, columns: int, axes: Sequence[_Axis]) -> None:
        self.n, d = n, len(axes)
        self.cell, self.index = np.zeros(n, dtype=np.intp), np.empty(n, dtype=np.intp)
        self.shifted = np.empty(n)
        # before and after each fold: the gathered coefficients, then one (c0, c1) pair fewer each time, down to (columns, n)
        self.folds = [np.empty((2,) * (d - k) + (columns, n)) for k in range(d + 1)]
        self.steps = [(before[0], before[1], after) for before, after in zip(self.folds, self.folds[1:])]
        self.clipped = [np.empty((2,) * j + (columns, n)) for j in range(d)]  # axis j's values, in every row of its fold
        self.rows = [x.reshape(-1, n)[0] for x in self.clipped]
