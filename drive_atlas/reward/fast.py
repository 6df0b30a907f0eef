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

Because every channel relaxes with the same tau and the readout is linear before its
clip, the filtered linear readout L = sum_c w_c (f_c - low_c) / (high_c - low_c)
relaxes exactly like the rates do. The backend therefore tabulates L* (and the
dopamine rate) once at load and keeps one number per environment (two with a dopamine rule): the same result
as filtering every channel, at a fraction of the cost per step.
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


LINE_MAX = 2000  # environments; past about this many np.interp's per-value search costs more than its fewer calls save


class FastRewardFunction(RewardFunction):
    """Tabulated steady states + first-order relaxation; vectorised over environments."""

    def __init__(self, maps: InterfaceMaps, readout: ReadoutSpec, axes: Sequence[np.ndarray], steady: np.ndarray,
                 tau: float, dopamine_tau: float | None = None) -> None:
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
        line = len(self.axes) <= 2 and len(self.maps.states) == 1 and all(np.array_equal(a, [0.0, 1.0]) for a in self.axes[1:])
        self._table = _CellPolynomials(self.axes, grids)
        self._line = _LineTable(self.axes, grids) if line else None
        self._variables = self.maps.state_ids + self.maps.event_ids  # in axis order
        self._level = np.zeros(0)  # the filtered linear readout L per environment
        self._dopamine = np.zeros(0)  # the dopamine reward rate per environment, relaxing like a rate
        self._columns = len(columns)
        self._scale: tuple[float, np.ndarray] = (0.0, np.ones(len(columns)))  # (dt, per-column scale) of the last step
        self._decays: list[float] = []
        self._integral = (0.0, 0.0)

    def drive_of(self, rates: np.ndarray) -> np.ndarray:
        """The circuit's readout formula on filtered channel rates (n, channels)."""
        return self.kernel.drive(rates)

    def step_batch(self, states: Values, events: Values | None = None, dt: float = 0.1) -> np.ndarray:
        """As RewardFunction.step_batch. The common case (every variable given as a float array of the current
        size, all finite) skips the general argument handling; anything else takes the general path and its errors."""
        events = events or {}
        n = self.n
        if len(states) + len(events) == len(self._variables) and dt > 0 and n:
            values = []
            for name in self._variables:
                x = states.get(name) if name in states else events.get(name)
                if type(x) is not np.ndarray or x.shape != (n,) or x.dtype != np.float64:
                    break
                values.append(x)
            else:
                targets = self._table_for(n).at(values, finite=True, scale=self._scales(dt))
                if targets is not None:
                    return self._relax(targets, dt)
        return super().step_batch(states, events, dt)

    def _resize(self, n: int) -> None:
        self._level, self._dopamine = np.zeros(n), np.zeros(n)

    def _table_for(self, n: int) -> _LineTable | _CellPolynomials:
        """``np.interp`` costs fewer calls, the cell table less per environment: the line table up to LINE_MAX."""
        return self._line if self._line is not None and n <= LINE_MAX else self._table

    def _reset(self, mask: np.ndarray, values: dict[str, np.ndarray]) -> None:
        targets = self._table_for(self.n).at([values[v] for v in self._variables])  # all n: the workspace keeps its size
        self._level[mask] = targets[0][mask]
        self.drive[mask] = unit(self._level[mask])
        if self._columns > 1:
            self._dopamine[mask] = targets[1][mask]

    def _advance(self, values: dict[str, np.ndarray], dt: float) -> np.ndarray:
        return self._relax(self._table_for(self.n).at([values[v] for v in self._variables], scale=self._scales(dt)), dt)

    def _scales(self, dt: float) -> np.ndarray:
        """Per column, what one step multiplies the table by: 1 - exp(-dt / tau) (the column's time constant)."""
        if self._scale[0] != dt:
            decays = [math.exp(-dt / self.tau)] + [math.exp(-dt / self.dopamine_tau)] * (self._columns - 1)
            self._scale = (dt, np.array([1.0 - d for d in decays]))
            self._decays = decays
            d = decays[-1]  # the dopamine rate integrated over the step: scaled target * a + previous rate * b
            self._integral = (dt / (1.0 - d) - self.dopamine_tau, self.dopamine_tau * (1.0 - d))
        return self._scale[1]

    def _relax(self, targets: Sequence[np.ndarray], dt: float) -> np.ndarray:
        """Every tracked rate x <- x exp(-dt/tau) + x* (1 - exp(-dt/tau)) (targets come scaled); the drive from L;
        the reward: drive reduction plus the dopamine rate integrated exactly over the step."""
        level = self._level  # in place
        level *= self._decays[0]
        level += targets[0]
        previous, self.drive = self.drive, unit(level)
        reward = self.kernel.reduction(previous, self.drive)
        if self._columns > 1:
            a, b = self._integral
            dopamine, target = self._dopamine, targets[1]
            reward += dopamine * b
            dopamine *= self._decays[1]
            dopamine += target
            target *= a
            reward += target
        return reward


class _LineTable:
    """One body state and at most one event (every curated single circuit): ``np.interp`` per column.

    Along the state axis each column is piecewise linear; across the event's 0..1 axis it is
    linear, so a column is low(s) + e * rise(s) with e clipped to [0, 1]: two ``np.interp`` calls
    and two arithmetic calls per column, the same values as the general multilinear table.
    """

    def __init__(self, axes: Sequence[np.ndarray], columns: Sequence[np.ndarray]) -> None:
        self.points = np.asarray(axes[0], dtype=float)
        self.event = len(axes) == 2
        self.low = [np.ascontiguousarray(c[:, 0] if self.event else c) for c in columns]
        self.rise = [np.ascontiguousarray(c[:, 1] - c[:, 0]) for c in columns] if self.event else []
        self.scale: np.ndarray | None = None  # the column scale the scaled tables were made for
        self.scaled: tuple[list[np.ndarray], list[np.ndarray]] = (self.low, self.rise)
        self.clipped = np.zeros(0)

    def at(self, values: Sequence[np.ndarray], finite: bool = False, scale: np.ndarray | None = None) -> list[np.ndarray] | None:
        """Every column at the given variables, clipped to the grid, times ``scale`` per column (None: 1).

        With ``finite``, return None when a value is NaN or infinite: one dot product of the variables
        detects it (a NaN or an infinity makes it NaN or infinite, as inf * 0 is NaN); a finite overflow
        falls through to the exact check.
        """
        state = values[0]
        event = values[1] if self.event else state
        if finite and not math.isfinite(np.dot(state, event)) and not (np.isfinite(state).all() and np.isfinite(event).all()):
            return None
        low, rise = self.low, self.rise
        if scale is not None:
            if self.scale is not scale:  # the caller keeps one array per dt
                self.scale = scale
                self.scaled = ([c * k for c, k in zip(self.low, scale)], [c * k for c, k in zip(self.rise, scale)])
            low, rise = self.scaled
        columns = [np.interp(state, self.points, c) for c in low]
        if self.event:
            if len(self.clipped) != len(event):
                self.clipped = np.empty(len(event))
            clipped = np.maximum(event, 0.0, out=self.clipped)
            np.minimum(clipped, 1.0, out=clipped)
            for column, c in zip(columns, rise):
                step = np.interp(state, self.points, c)
                step *= clipped
                column += step
        return columns


class _CellPolynomials:
    """Multilinear interpolation as one multilinear polynomial per grid cell, evaluated with a few whole-array calls.

    Interpolating inside a cell is a polynomial linear in each local coordinate u_j in [0, 1];
    its 2^d coefficients per column are computed once. A step locates each value's cell
    (arithmetic for evenly spaced axes, a search otherwise), gathers the cell's coefficients
    in one ``take`` and folds one axis at a time: c0 + c1 * u_j. Two-point axes (events) have
    one cell, so they cost a clip and no search. Every call works on 1-D arrays kept in a
    workspace: at a few hundred environments the cost is the number of numpy calls.
    """

    def __init__(self, axes: Sequence[np.ndarray], columns: Sequence[np.ndarray]) -> None:
        if not axes:
            raise ValueError("a drive interface needs at least one state or event")
        coefficients = np.stack(columns, axis=-1)  # grid + (columns,)
        self.axes = [_Locator.of(a) for a in axes]
        for j, axis in enumerate(self.axes):  # append one (constant, slope) dimension per axis
            lower = np.take(coefficients, range(axis.cells), axis=j)
            upper = np.take(coefficients, np.minimum(np.arange(axis.cells) + 1, len(axis.points) - 1), axis=j)
            coefficients = np.stack([lower, upper - lower], axis=-1)
        cells = coefficients.shape[:len(axes)]
        self.strides = [int(np.prod(cells[j + 1:])) for j in range(len(axes))]
        per_cell = coefficients.reshape((-1,) + coefficients.shape[len(axes):])
        self.coefficients = np.ascontiguousarray(np.moveaxis(per_cell, 0, -1))  # column, 2, ..., 2, cell: n innermost
        self.work: _Workspace | None = None

    def at(self, values: Sequence[np.ndarray], finite: bool = False, scale: np.ndarray | None = None) -> np.ndarray | None:
        """Every column at the given variables (in axis order), clipped to the grid, times ``scale`` per column;
        shape (columns, n).

        With ``finite``, return None when a value is NaN or infinite (the caller reports it).
        The array returned is scratch space: read it before the next call.
        """
        n = len(values[0])
        if self.work is None or self.work.n != n:
            self.work = _Workspace(n, self.coefficients.shape[:-1])
        work = self.work
        coefficients = self.coefficients
        if scale is not None:
            if work.scale is not scale:  # the caller keeps one array per dt
                work.scale = scale
                work.scaled = coefficients * scale.reshape((-1,) + (1,) * (coefficients.ndim - 1))
            coefficients = work.scaled
        if finite:
            for x in values:
                if not math.isfinite(np.add.reduce(x)) and not np.isfinite(x).all():
                    return None
        located = False
        for axis, stride, x, u in zip(self.axes, self.strides, values, work.local):
            located = axis.locate(x, u, stride, work, located) or located
        if not located:
            work.cell.fill(0)
        coefficients.take(work.cell, axis=-1, out=work.folds[0], mode="clip")  # in range: no buffered check
        for u, (constant, slope, folded) in zip(reversed(work.local), work.steps):  # the last axis's 2 is innermost
            np.multiply(slope, u, out=folded)
            np.add(folded, constant, out=folded)
        return work.folds[-1]


@dataclass(frozen=True)
class _Locator:
    """One grid axis: each value's cell and its local coordinate in [0, 1] across the cell."""

    points: np.ndarray
    step: float | None  # the spacing when evenly spaced: arithmetic instead of a search
    widths: np.ndarray  # per cell; the top cell's is arbitrary, as x - points[-1] is 0 there

    @classmethod
    def of(cls, points: np.ndarray) -> _Locator:
        spacing = np.diff(points)
        even = len(points) > 1 and np.allclose(spacing, spacing[0], rtol=1e-9, atol=0.0)
        return cls(points, float(spacing[0]) if even else None, np.append(spacing, 1.0))

    @property
    def cells(self) -> int:
        """Cells along the axis; past two points the last point gets a cell of its own (slope 0) for the top clip."""
        return 1 if len(self.points) == 2 else len(self.points)

    def locate(self, x: np.ndarray, u: np.ndarray, stride: int, work: _Workspace, started: bool) -> bool:
        """Write x's local coordinate into u; add its cell times ``stride`` to ``work.cell`` (or set it when not
        ``started``). Return whether it wrote ``work.cell``."""
        points = self.points
        if self.step is None:
            np.maximum(x, points[0], out=u)
            np.minimum(u, points[-1], out=u)
            index = np.searchsorted(points, u, side="right") - 1
            u -= points.take(index)
            u /= self.widths.take(index)
        else:
            if points[0] != 0.0:
                x = np.subtract(x, points[0], out=u)
            if self.step != 1.0:
                x = np.multiply(x, 1.0 / self.step, out=u)
            np.maximum(x, 0.0, out=u)  # events' 0..1 axes need only this clip
            np.minimum(u, len(points) - 1.0, out=u)
            if self.cells == 1:
                return False
            index = work.index if started or stride != 1 else work.cell
            np.floor(u, out=index, casting="unsafe")
            u -= index
            if index is work.cell:
                return True
        if stride != 1:
            index *= stride
        if started:
            work.cell += index
        else:
            np.copyto(work.cell, index)
        return True


class _Workspace:
    """Scratch arrays for n environments, reused every step.

    Fresh temporaries of this size make the allocator return memory to the system and
    fault it back in on every step, which costs more than the arithmetic.
    """

    def __init__(self, n: int, shape: tuple[int, ...]) -> None:  # shape: (columns, 2, ..., 2), one 2 per axis
        self.n = n
        self.cell, self.index = np.empty(n, dtype=np.intp), np.empty(n, dtype=np.intp)
        self.scale: np.ndarray | None = None  # the column scale ``scaled`` was made for
        self.scaled = np.zeros(0)
        axes = len(shape) - 1
        self.local = [np.empty(n) for _ in range(axes)]
        self.folds = [np.empty(shape[:len(shape) - k] + (n,)) for k in range(axes + 1)]  # before and after each fold
        self.steps = [(before[..., 0, :], before[..., 1, :], after) for before, after in zip(self.folds, self.folds[1:])]
