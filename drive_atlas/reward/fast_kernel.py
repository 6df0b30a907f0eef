"""The fast backend's step as one compiled loop over environments (numba, cached on disk).

Why compiled: per environment a step is a few dozen floating-point operations (find the grid cell,
interpolate, relax, clip, reward). Written as whole-array numpy calls that is ten or more calls per
step, and below about 10^4 environments a call costs more than its arithmetic: at 10^3 environments
``np.interp``'s search alone cost as much as a closed-form reward's whole step. One loop is one call.

Only arithmetic lives here. The rules stay in ``drive.kernel.ReadoutKernel``: the backend tabulates its
parts' levels, its dopamine rate and the aversive population's rate over the grid at load (pre-scaled
per column by 1 - exp(-dt / tau));
these loops interpolate those tables (multilinear, values clipped to the grid), relax the tracked
values towards them (and a slow state's shares towards theirs), form the drive as the kernel's ``combine``
does (each part's level clipped to [0, its share], summed, clipped to [0, 1] when the shares add up past 1)
and form the reward: drive reduction, plus the dopamine rate integrated exactly over the step,
plus the aversive term (the kernel's ``aversive_step`` for one environment). tests/reward/test_fast.py
checks every step against the readout kernel applied channel by channel.

Measured traps (bench_reward.py): with one or two axes to interpolate, one loop per column and task beats one fused
loop over the environments (the simple loops vectorise; a fused one, tried again with the slow state in
it, ran 1.4-1.6x slower at 10^3 environments); with three (hunger_pain's states, its events given as 0 or 1),
one loop over the environments wins (``_advance_fused``), which weighs each cell's eight corners once and holds
their places as tuples (hunger_pain at 10^3 environments 30 -> 23.7 us; reading each row through ``_at``, its corners'
places from an array, 30; the weights in an array, 29), with the aversive term after it in its own loop (``_aversive``,
shared with the loops per column: inside the fused loop it cost 8 us, after it 4). Four or five axes (events between
their points) take the same loop, the axes past the third folded over those sums (``_read``; hunger_pain 94-102 ->
61 us, by the loops per column 121-129; hunger_threat's four, 35 us, by the loops per column 72-75); six or more,
the loops per column. The choice counts the axes
interpolated, not the variables: hunger_threat's
two states and two events, the events given as 0 or 1, take the loops per column (at 10^3 environments 1.82 ->
1.26x the closed form).
The aversive term's test for a crossing of its baseline within the step is as unpredictable as the
environments, and as a branch it cost more than the rest of that loop; it is kept without one (the
crossing environments are noted and integrated after the loop, with one logarithm and no expm1, which
cost more again). That loop vectorises (``_aversive``, which both paths call): it clips with a select (numba's ``max``
kept it scalar), notes only each environment's starting rate and whether it crossed (noting u0, u1 and the
integral as well, it ran about twice as long), and a pass of its own lists the crossing environments, whose
u0, u1 and integral are formed again with the same arithmetic. hunger at 10^3 environments, stage by stage:
the aversive term about 6.5 -> 4.6 us, most of it now the logarithms (about 7 ns each; 28% of the
environments cross in a step).

Events are read at their points: a trailing axis of two points whose every value this step is one of them (an
event given as 0 or 1, as agents give them) is not interpolated along; its point's index goes into each cell's
corner (``_interpolated``). hunger_pain's two events leave 8 of its 32 corners per row: its step at 10^3
environments went from 67 to 29 us (events between their points: 72 and 66 us; since the fused loop weighs its
first three axes once, 21.5 and 61 us).

Compiled at the first call in a fresh install (seconds per number of variables; hunger_pain's five about 15 s, the
fused loop once per number of axes past the third: none, one, two) and cached beside this
file (``cache=True``): later processes load the machine code in a fraction of a second.

Layout: ``values`` is a tuple of the interface's variables in axis order, each a C-contiguous float64
array of n environments. ``grid`` (axes, 2, most points) holds per axis its increasing points and the
inverse width of each cell (padded); ``counts`` each axis's number of points; ``table`` (columns, grid
points in C order) the tabulated columns: first each part's level L_p (one row unless the readout is a
composite's), then the dopamine reward rate when the rule has one, then the aversive population's filtered
rate when the rule has one, then with a slow state its shares of each L_p and of the dopamine rate (unscaled), on
the same grid: a slow share's target is multilinear between the corners of the whole grid (``fast._SlowState``),
so tabulated at every grid point and interpolated cell by cell it is the same function, read with the same cell
and weights as the fast rows (reading it between the grid's 2^d corners took a pass of its own per step to place
each value across its whole axis, and in the fused loop a second set of weights: hunger_pain at 10^3 environments
24 -> 21.5 us).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, typeof, types

# ``relax``, the step's constants, by index: the decay exp(-dt / tau) of L; 1.0 when drive reduction is rewarded;
# 1.0 with a dopamine rule (table row 1), its rate's decay, and the weights of its exact integral over the step,
# previous rate * BEFORE + scaled target * AFTER; 1.0 with an aversive rule (the last fast row), its rate's decay, the
# factor 1 / (1 - decay) that unscales its target, and the step, time constant, 1 - decay, baseline and gain of
# the kernel's ``aversive_step``; 1.0 with a slow state, the decay of its share of L and of its share of the
# dopamine rate, and tau (1 - decay) of the latter (the weight of its exact integral); the number of parts of the
# readout (rows of L) and 1.0 when their shares add up past 1 (the summed drive is clipped); past RELAX_SIZE, each
# part's share (the ceiling of its level).
(DECAY, REDUCTION, DOPAMINE, DOPAMINE_DECAY, BEFORE, AFTER, AVERSIVE, AVERSIVE_DECAY, UNSCALE, DT, AVERSIVE_TAU, WHOLE,
 BASELINE, GAIN, SLOW, SLOW_DECAY, SLOW_DOPAMINE_DECAY, SLOW_BEFORE, PARTS, CAPPED, RELAX_SIZE) = range(21)
# ``index``, the step's integer workspace (unsigned: indexing with it skips the negative-index check), by row: each
# environment's cell (its lower corner), the crossing environments listed, and 1 where an environment's aversive rate
# crossed its baseline
CORNER, PENDING, CROSSED, INDEX_ROWS = range(4)


@njit(cache=True)
def _finite(values: tuple[np.ndarray, ...], axes: int) -> bool:
    """Whether every value of the first ``axes`` variables is finite (checked before a step changes anything); the
    others lie on their axis's points (``_interpolated``), so are, and reading them again cost a pass each."""
    for j in range(axes):
        x, bad = values[j], False
        for i in range(len(x)):
            bad |= not np.isfinite(x[i])
        if bad:
            return False
    return True


@njit(cache=True)
def _locate(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray, axes: int, corner: np.ndarray,
            fraction: np.ndarray) -> None:
    """Every environment's cell: the flat index of its lower corner (``corner``, n), its position across the cell
    along each of the ``axes`` leading axes it interpolates along, 0 to 1 (``fraction``, d by n: those rows
    filled), after clipping each value to its axis (``_interpolated``: the other axes are read at the point each value
    lies on, its index folded into the corner). One axis at a time: taking a variable out of the tuple per environment
    would cost more than the arithmetic."""
    d = len(values)
    corner[:] = 0
    stride = 1
    for j in range(d - 1, -1, -1):
        x, points, last = values[j], grid[j, 0], counts[j] - 1
        low, high = points[0], points[last]
        per_unit = last / (high - low)
        if j >= axes:
            _cells_on_points(x, high, stride, corner)
        elif _even(points, last):
            _cells_even(x, low, high, per_unit, last, stride, corner, fraction[j])
        else:
            _cells_searched(x, points, grid[j, 1], last, stride, corner, fraction[j])
        stride *= counts[j]


@njit(cache=True)
def _interpolated(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray) -> int:
    """How many leading axes need interpolating this step: a trailing axis of two points whose every value is one of
    them (an event given as 0 or 1, as agents give them) is read at that point, which halves the corners read per
    such axis (hunger_pain's two events: 8 corners instead of 32). Exact: interpolation at a point is its value."""
    for j in range(len(values) - 1, -1, -1):
        if counts[j] != 2:
            return j + 1
        x, low, high = values[j], grid[j, 0, 0], grid[j, 0, 1]
        on = True
        for i in range(len(x)):
            on &= (x[i] == low) | (x[i] == high)
        if not on:
            return j + 1
    return 0


@njit(cache=True)
def _cells_on_points(x: np.ndarray, high: float, stride: int, corner: np.ndarray) -> None:
    """Cells on a two-point axis whose every value is one of its points (``_interpolated``): that point's index."""
    for i in range(len(x)):
        corner[i] += (1 if x[i] == high else 0) * stride


@njit(cache=True)
def _even(points: np.ndarray, last: int) -> bool:
    """Whether an axis's points are evenly spaced (to 1e-9 of its span; two points always are)."""
    span = points[last] - points[0]
    for k in range(1, last):
        if abs(points[k] - (points[0] + span * k / last)) > 1e-9 * span:
            return False
    return True


@njit(cache=True)
def _cells_even(x: np.ndarray, low: float, high: float, per_unit: float, last: int, stride: int, corner: np.ndarray,
                fraction: np.ndarray) -> None:
    """Cells on an evenly spaced axis, by arithmetic alone (the loop vectorises). A value on a cell boundary may
    land in either neighbouring cell: interpolation agrees there."""
    for i in range(len(x)):
        t = (min(max(x[i], low), high) - low) * per_unit
        k = min(int(t), last - 1)
        fraction[i] = t - k
        corner[i] += k * stride


@njit(cache=True)
def _cells_searched(x: np.ndarray, points: np.ndarray, inverse: np.ndarray, last: int, stride: int,
                    corner: np.ndarray, fraction: np.ndarray) -> None:
    """Cells on any increasing axis (hunger's energy axis holds its rest value 0.5 between points 0.2 apart): each
    value's cell is the number of inner points at or below it, counted one point at a time over all the values, and
    its lower point kept the same way, without a branch (the walk from a first guess it replaces branched as
    unpredictably as the values: 4.5 against 3.9 us for 1,000 values on hunger's axis, which ``fast`` now reads on
    its evenly spaced refinement). A value on an inner point takes the cell above it: interpolation agrees there."""
    low, high, n = points[0], points[last], len(x)
    cell = np.zeros(n, dtype=np.intp)
    for i in range(n):
        fraction[i] = low  # the lower point, until the fraction replaces it
    for k in range(1, last):
        point = points[k]
        for i in range(n):
            above = min(max(x[i], low), high) >= point
            cell[i] += above
            fraction[i] = point if above else fraction[i]
    for i in range(n):
        k = cell[i]
        fraction[i] = (min(max(x[i], low), high) - fraction[i]) * inverse[k]
        corner[i] += k * stride


@njit(cache=True, inline="always")
def _at(row: np.ndarray, d: int, corner: int, fraction: np.ndarray, i: int, offsets: np.ndarray, scratch: np.ndarray
        ) -> float:
    """A table column at environment i, in the cell whose lower corner is ``corner``, interpolated along the first
    ``d`` axes (``offsets``: their upper points from the lower corner): spelled out for none, one and two axes (every
    curated single circuit), folded one axis at a time past that. Callers branch on ``d`` outside their loop over
    the environments (``_column``), so each loop keeps one of these."""
    if d == 0:
        return row[corner]
    if d == 1:
        a = row[corner]
        return a + fraction[0, i] * (row[corner + offsets[1]] - a)
    if d == 2:
        up, f, step = corner + offsets[2], fraction[1, i], offsets[1]
        a, b = row[corner], row[up]
        a += f * (row[corner + step] - a)
        b += f * (row[up + step] - b)
        return a + fraction[0, i] * (b - a)
    size, f = 1 << (d - 1), fraction[d - 1, i]
    for m in range(size):  # the last axis folded as the corners are read: half the passes through scratch
        a = row[corner + offsets[2 * m]]
        scratch[m] = a + f * (row[corner + offsets[2 * m + 1]] - a)
    for j in range(d - 2, -1, -1):
        size >>= 1
        f = fraction[j, i]
        for m in range(size):
            a = scratch[2 * m]
            scratch[m] = a + f * (scratch[2 * m + 1] - a)
    return scratch[0]


@njit(cache=True, inline="always")
def _column(row: np.ndarray, d: int, corner: np.ndarray, fraction: np.ndarray, offsets: np.ndarray,
            scratch: np.ndarray, out: np.ndarray) -> None:
    """``_at`` for every environment, with the branch on the number of interpolated axes outside the loop."""
    if d == 0:
        for i in range(len(corner)):
            out[i] = _at(row, 0, corner[i], fraction, i, offsets, scratch)
    elif d == 1:
        for i in range(len(corner)):
            out[i] = _at(row, 1, corner[i], fraction, i, offsets, scratch)
    elif d == 2:
        for i in range(len(corner)):
            out[i] = _at(row, 2, corner[i], fraction, i, offsets, scratch)
    else:
        for i in range(len(corner)):
            out[i] = _at(row, d, corner[i], fraction, i, offsets, scratch)


@njit(cache=True)
def _offsets(counts: np.ndarray, axes: int) -> np.ndarray:
    """The flat index of each of a cell's 2^axes corners along the first ``axes`` axes from its lower one; bit
    axes-1-j of a corner's number: the upper point on axis j."""
    stride = 1
    for j in range(len(counts) - 1, axes - 1, -1):
        stride *= counts[j]
    offsets = np.zeros(1 << axes, dtype=np.uintp)
    for m in range(1 << axes):
        step = stride
        for j in range(axes - 1, -1, -1):
            if m >> (axes - 1 - j) & 1:
                offsets[m] += step
            step *= counts[j]
    return offsets


@njit(cache=True)
def lookup(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Every column of ``table`` at every environment's values (columns, n)."""
    d, n = len(values), len(values[0])
    out = np.empty((len(table), n))
    axes = _interpolated(values, grid, counts)
    _lookup(values, grid, counts, axes, table, np.empty(n, dtype=np.uintp), np.empty((d, n)), out)
    return out


@njit(cache=True)
def _lookup(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray, axes: int, table: np.ndarray,
            corner: np.ndarray, fraction: np.ndarray, out: np.ndarray) -> None:
    """``lookup`` into ``out`` (columns, n) interpolating along the ``axes`` leading axes (``_interpolated``), with
    ``_locate``'s arrays given (a step passes rows of its workspace)."""
    _locate(values, grid, counts, axes, corner, fraction)
    offsets, scratch = _offsets(counts, axes), np.empty(1 << axes)
    for c in range(len(table)):
        _column(table[c], axes, corner, fraction, offsets, scratch, out[c])


@njit(cache=True, inline="always")
def _clip(x: float, share: float) -> float:
    """min(max(x, 0.0), share) as numba's min and max give it for finite values (-0.0 kept), as selects: a loop
    clipping so vectorises further (the level loop ran 0.80 against 0.67 us at 1,000 environments)."""
    x = 0.0 if x < 0.0 else x
    return share if share < x else x


@njit(cache=True, inline="always")
def _crossing(u0: float, u1: float, whole: float, tau: float) -> float:
    """The integral of max(0, u) over a step in which u crossed 0 (``whole``: the integral of u). u relaxes
    monotonically from u0 toward u1 and crosses 0 at t_c = tau ln((u0 - u1) / -u1); the integral of u up to t_c is
    u1 t_c + (u0 - u1) tau (1 - exp(-t_c / tau)) = u1 t_c + tau u0, since exp(-t_c / tau) = -u1 / (u0 - u1): one
    logarithm, no exponential."""
    part = u1 * (tau * math.log((u0 - u1) / -u1)) + tau * u0
    return part if u0 > 0.0 else whole - part


@njit(cache=True)
def _aversive(rate: np.ndarray, goal: np.ndarray, starts: np.ndarray, crossed: np.ndarray, pending: np.ndarray,
              relax: np.ndarray, reward: np.ndarray) -> None:
    """The aversive term of every environment, subtracted from ``reward``: the kernel's ``aversive_step``, the
    integral of max(0, u(t)) over the step, u the aversive rate (``rate``, moved on in place toward ``goal``, its
    scaled target) minus the baseline. ``starts``, ``crossed`` and ``pending`` are workspace rows."""
    n = len(rate)
    aversive_decay, unscale = relax[AVERSIVE_DECAY], relax[UNSCALE]
    dt, tau, whole, baseline, gain = relax[DT], relax[AVERSIVE_TAU], relax[WHOLE], relax[BASELINE], relax[GAIN]
    for i in range(n):
        start = rate[i]
        starts[i] = start
        rate[i] = start * aversive_decay + goal[i]
        u0, u1 = start - baseline, goal[i] * unscale - baseline
        integral = u1 * dt + (u0 - u1) * tau * whole  # of u over the step
        # when u changes sign within the step its term comes after the loop, which has no branch (the changes of
        # sign are as unpredictable as the environments) and vectorises (the module's docstring)
        crossing = u0 * (u1 + (u0 - u1) * aversive_decay) < 0.0
        crossed[i] = crossing
        reward[i] -= gain * (0.0 if crossing or integral < 0.0 else integral)
    count = 0
    for i in range(n):  # the crossing environments listed, without a branch
        pending[count] = i
        count += crossed[i]
    for k in range(count):  # their u0, u1 and integral again, as the loop formed them
        i = pending[k]
        u0, u1 = starts[i] - baseline, goal[i] * unscale - baseline
        reward[i] -= gain * _crossing(u0, u1, u1 * dt + (u0 - u1) * tau * whole, tau)


@njit(cache=True)
def _slow_targets(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray, rows: np.ndarray,
                  out: np.ndarray) -> None:
    """A slow state's targets (its share of each part's L, of the dopamine rate) at every environment's values, into
    ``out`` (rows, n), for one or two variables (``advance``): multilinear between the grid's 2^d corners (read from
    ``rows``, tabulated on the grid, at its first and last points), each value's place across its whole axis: one
    loop per row with no memory read but the values, which vectorises. Read from the grid like the fast rows instead
    (two more gathered columns), social_reward's step at 10^4 environments cost 0.75 -> 1.13x the closed form,
    hunger's 1.55 -> 1.68x."""
    d, n = len(values), len(values[0])
    first, second = values[0], values[d - 1]  # the second only read with two variables
    low, high = grid[0, 0, 0], grid[0, 0, counts[0] - 1]
    bottom, top = grid[d - 1, 0, 0], grid[d - 1, 0, counts[d - 1] - 1]
    span, width = 1.0 / (high - low), 1.0 / (top - bottom)
    last = counts[d - 1] - 1  # the last point's place along the last axis (the first axis's stride with two)
    for c in range(len(rows)):
        row, column = rows[c], out[c]
        if d == 1:
            a, b = row[0], row[last]
            for i in range(n):
                column[i] = a + (min(max(first[i], low), high) - low) * span * (b - a)
        else:
            top_row = (counts[0] - 1) * counts[1]
            c00, c01, c10, c11 = row[0], row[last], row[top_row], row[top_row + last]
            for i in range(n):
                f = (min(max(second[i], bottom), top) - bottom) * width
                a, b = c00 + f * (c01 - c00), c10 + f * (c11 - c10)
                column[i] = a + (min(max(first[i], low), high) - low) * span * (b - a)


@njit(cache=True)
def advance(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray, table: np.ndarray, relax: np.ndarray,
            tracked: np.ndarray, previous: np.ndarray, drive: np.ndarray, reward: np.ndarray, work: np.ndarray,
            index: np.ndarray) -> bool:
    """One step of every environment, or nothing and False when a value is not finite.

    ``table`` rows: the fast columns (each part's L, the dopamine rate, the aversive rate; pre-scaled per column by
    1 - decay) and, with a slow state, its share of each part's L and of the dopamine rate on the same grid
    (unscaled). ``relax`` holds the step's constants (see its indices above). ``tracked`` (rows, n) holds what
    the fast columns track, then the slow shares, and moves on in place; ``previous`` is the drive before the step;
    ``drive`` and ``reward`` are written. ``work`` (``workspace`` rows, n) and ``index`` (``INDEX_ROWS``, n) hold the
    step's intermediate values, overwritten by each step: allocating them on every step cost about 0.1 us each.
    """
    d = len(values)
    # events given as 0 or 1 read at their points; three to five axes left to interpolate: one loop over the
    # environments
    axes = _interpolated(values, grid, counts)
    if 3 <= axes <= 5:
        return _advance_fused(values, grid, counts, table, relax, tracked, previous, drive, reward, work, index, axes)
    if not _finite(values, axes):
        return False
    n = len(drive)
    dopamine, aversive, slow = relax[DOPAMINE] != 0.0, relax[AVERSIVE] != 0.0, relax[SLOW] != 0.0
    parts = int(relax[PARTS])
    fast = parts + dopamine + aversive  # fast rows; the slow ones follow
    used = fast + (parts + dopamine) * slow  # the fast rows, then the slow shares' rows when there is a slow state
    target, shares, fraction, starts = work[:fast], work[fast:used], work[-d:], work[-d - 1]
    # a loop per column: fused with the ones below, slower
    if slow and d <= 2:  # the slow shares vectorised from the grid's corners (``_slow_targets``: gathered, dearer)
        _lookup(values, grid, counts, axes, table[:fast], index[CORNER], fraction, target)
        _slow_targets(values, grid, counts, table[fast:used], shares)
    else:
        _lookup(values, grid, counts, axes, table[:used], index[CORNER], fraction, work[:used])
    decay, slow_decay = relax[DECAY], relax[SLOW_DECAY]
    for p in range(parts):  # each part's level, clipped to [0, its share], summed into the drive
        level, goal, share = tracked[p], target[p], relax[RELAX_SIZE + p]
        if slow:
            slow_level, slow_goal = tracked[fast + p], shares[p]
            for i in range(n):
                s = slow_level[i] * slow_decay + slow_goal[i] * (1.0 - slow_decay)
                slow_level[i] = s
                x = level[i] * decay + goal[i]
                level[i] = x
                x = _clip(x + s, share)
                drive[i] = x if p == 0 else drive[i] + x
        else:
            for i in range(n):
                x = level[i] * decay + goal[i]
                level[i] = x
                x = _clip(x, share)
                drive[i] = x if p == 0 else drive[i] + x
    if relax[CAPPED] != 0.0:
        for i in range(n):
            drive[i] = min(drive[i], 1.0)
    if relax[REDUCTION] != 0.0:
        for i in range(n):
            reward[i] = previous[i] - drive[i]
    else:
        reward[:] = 0.0
    if dopamine:
        rate, dopamine_decay, before, after = tracked[parts], relax[DOPAMINE_DECAY], relax[BEFORE], relax[AFTER]
        for i in range(n):
            reward[i] += rate[i] * before + target[parts, i] * after
            rate[i] = rate[i] * dopamine_decay + target[parts, i]
        if slow:  # the slow dopamine share's exact integral over the step
            shares_rate, dt = tracked[fast + parts], relax[DT]
            slow_decay, slow_before = relax[SLOW_DOPAMINE_DECAY], relax[SLOW_BEFORE]
            for i in range(n):
                t = shares[parts, i]
                reward[i] += t * dt + (shares_rate[i] - t) * slow_before
                shares_rate[i] = shares_rate[i] * slow_decay + t * (1.0 - slow_decay)
    if aversive:
        _aversive(tracked[fast - 1], target[fast - 1], starts, index[CROSSED], index[PENDING], relax, reward)
    return True


def compiled_advance(d: int):  # noqa: ANN201 - numba's entry point has no type to name
    """``advance``'s machine code for d variables, as an entry point that takes the arguments without numba's typing
    of them on every call (about 0.5 us of a step: eleven arguments, one a tuple). It checks nothing: its caller passes
    exactly these types (``fast._Step``: the variables as ``_Step.arrays`` checks them, C-contiguous float64 vectors;
    the rest its own arrays), or the wrong machine code reads them."""
    vector, matrix = typeof(np.empty(1)), typeof(np.empty((1, 1)))
    grid, counts = typeof(np.empty((1, 1, 1))), typeof(np.empty(1, dtype=np.intp))
    index = typeof(np.empty((1, 1), dtype=np.uintp))
    return advance.compile((types.UniTuple(vector, d), grid, counts, matrix, vector, matrix, vector, vector, vector,
                            matrix, index))


def workspace(d: int, rows: int) -> int:
    """The rows of ``advance``'s ``work`` for d variables and a table of ``rows`` rows: the fast targets and the slow
    ones (at most the table's rows; the fused loop uses the first two for the aversive rate's target and start), then
    one for each environment's aversive start, then the d rows of each value's place in its cell (``_locate``)."""
    return rows + 1 + d


@njit(cache=True)
def _advance_fused(values: tuple[np.ndarray, ...], grid: np.ndarray, counts: np.ndarray, table: np.ndarray,
                   relax: np.ndarray, tracked: np.ndarray, previous: np.ndarray, drive: np.ndarray, reward: np.ndarray,
                   work: np.ndarray, index: np.ndarray, axes: int) -> bool:
    """``advance`` for three to five interpolated axes (``_interpolated``: the others read at their points), as one
    loop over the environments: each weighs its cell's eight corners along the first three axes once and reads every
    row with those weights (``_fused``), then the aversive term follows in a loop of its own (``_aversive``, as
    ``advance`` forms it)."""
    d = len(values)
    if not _finite(values, axes):
        return False
    corner, fraction = index[CORNER], work[-d:]
    _locate(values, grid, counts, axes, corner, fraction)
    offsets, goal = _offsets(counts, axes), work[0]  # goal: the aversive rate's scaled target (a free row here)
    # the axes past the third as a tuple whose length numba knows, so the loop over their corners is unrolled (or gone)
    if axes == 3:
        _fused(values[3:3], corner, fraction, offsets, table, relax, tracked, previous, drive, reward, goal)
    elif axes == 4:
        _fused(values[3:4], corner, fraction, offsets, table, relax, tracked, previous, drive, reward, goal)
    else:
        _fused(values[3:5], corner, fraction, offsets, table, relax, tracked, previous, drive, reward, goal)
    if relax[AVERSIVE] != 0.0:
        parts, dopamine = int(relax[PARTS]), relax[DOPAMINE] != 0.0
        _aversive(tracked[parts + dopamine], goal, work[1], index[CROSSED], index[PENDING], relax, reward)
    return True


@njit(cache=True, inline="always")
def _weights(fraction: np.ndarray, i: int) -> tuple[float, float, float, float, float, float, float, float]:
    """Environment i's weight on each of its cell's eight corners (numbered as ``_offsets`` numbers them)."""
    f0, f1, f2 = fraction[0, i], fraction[1, i], fraction[2, i]
    g0, g1, g2 = 1.0 - f0, 1.0 - f1, 1.0 - f2
    a, b, c, e = g0 * g1, g0 * f1, f0 * g1, f0 * f1
    return a * g2, a * f2, b * g2, b * f2, c * g2, c * f2, e * g2, e * f2


@njit(cache=True, inline="always")
def _weighed(row: np.ndarray, c: int, offsets: tuple, w: tuple) -> float:
    """A table column in the cell whose lower corner is ``c``: its eight corners (``offsets`` from it) weighed."""
    return (w[0] * row[c] + w[1] * row[c + offsets[1]] + w[2] * row[c + offsets[2]] + w[3] * row[c + offsets[3]]
            + w[4] * row[c + offsets[4]] + w[5] * row[c + offsets[5]] + w[6] * row[c + offsets[6]]
            + w[7] * row[c + offsets[7]])


@njit(cache=True, inline="always")
def _read(row: np.ndarray, c: int, offsets: tuple, w: tuple, extra: int, tail: np.ndarray, tail_weights: np.ndarray
          ) -> float:
    """A table column in the cell whose lower corner is ``c``: along the first three axes its eight corners weighed
    (``_weighed``), and along the ``extra`` axes past them (events between their points) those sums at each of their
    corners (``tail``: their places; ``tail_weights``: this environment's weights on them). ``extra`` is known
    when the loop is compiled, so with none this is ``_weighed`` alone."""
    if extra == 0:
        return _weighed(row, c, offsets, w)
    total = 0.0
    for t in range(1 << extra):
        total += tail_weights[t] * _weighed(row, c + tail[t], offsets, w)
    return total


@njit(cache=True, inline="always")
def _tail_weights(fraction: np.ndarray, i: int, extra: int, out: np.ndarray) -> None:
    """Environment i's weights on the corners of the ``extra`` axes past the third (numbered as ``_offsets`` numbers
    them: the earlier axis the higher bit)."""
    out[0] = 1.0
    size = 1
    for j in range(3, 3 + extra):
        f = fraction[j, i]
        for m in range(size - 1, -1, -1):
            w = out[m]
            out[2 * m + 1] = w * f
            out[2 * m] = w - w * f
        size *= 2


@njit(cache=True)
def _fused(tail_values: tuple[np.ndarray, ...], corner: np.ndarray, fraction: np.ndarray, offsets: np.ndarray,
           table: np.ndarray, relax: np.ndarray, tracked: np.ndarray, previous: np.ndarray, drive: np.ndarray,
           reward: np.ndarray, goal: np.ndarray) -> None:
    """``_advance_fused``'s loop over the environments: the drive, its reduction, the dopamine rate's exact integral
    and the aversive rate's target (into ``goal``). Each environment's eight weights along the first three axes are
    formed once and shared by every row, fast and slow, and those corners' places are held as a tuple, not read from
    an array: 30 -> 23.7 us per step of 10^3 hunger_pain environments against reading each row through ``_at`` (the
    weights in an array, 29). ``tail_values``: the interpolated axes past the third (read only for their number:
    none with events given as 0 or 1; with hunger_pain's two between their points, 32 corners instead of 8, whose
    tail places and weights come from arrays: about 2.6x the step)."""
    n, extra = len(drive), len(tail_values)
    dopamine, aversive, slow = relax[DOPAMINE] != 0.0, relax[AVERSIVE] != 0.0, relax[SLOW] != 0.0
    decay, reduction, dt = relax[DECAY], relax[REDUCTION], relax[DT]
    dopamine_decay, before, after = relax[DOPAMINE_DECAY], relax[BEFORE], relax[AFTER]
    slow_decay, slow_dopamine_decay, slow_before = relax[SLOW_DECAY], relax[SLOW_DOPAMINE_DECAY], relax[SLOW_BEFORE]
    parts, capped = int(relax[PARTS]), relax[CAPPED] != 0.0
    fast = parts + dopamine + aversive  # fast rows; the slow ones follow
    last = len(table) - 1
    rate_row, aversive_row, slow_rate = table[min(parts, last)], table[min(fast - 1, last)], table[last]
    rate, slow_dopamine = tracked[min(parts, last)], tracked[last]
    # the first part's rows bound once (every single circuit has one part: an inner loop over parts cost it ~15%)
    linear, level, share = table[0], tracked[0], relax[RELAX_SIZE]
    slow_linear, slow_level = table[min(fast, last)], tracked[min(fast, last)]
    lead = 1 << extra  # the first three axes' corners: every lead-th place; the places before lead, the tail's
    o = (offsets[0], offsets[lead], offsets[2 * lead], offsets[3 * lead], offsets[4 * lead], offsets[5 * lead],
         offsets[6 * lead], offsets[7 * lead])
    tail, tail_weights = offsets[:lead], np.ones(lead)
    for i in range(n):
        c, w = corner[i], _weights(fraction, i)
        if extra:
            _tail_weights(fraction, i, extra, tail_weights)
        # the drive: each part's level (fast, plus its slow share), clipped to [0, its share], summed
        y = level[i] * decay + _read(linear, c, o, w, extra, tail, tail_weights)
        level[i] = y
        if slow:
            s = slow_level[i] * slow_decay + _read(slow_linear, c, o, w, extra, tail, tail_weights) * (
                1.0 - slow_decay)
            slow_level[i] = s
            y += s
        x = _clip(y, share)
        for p in range(1, parts):
            y = tracked[p, i] * decay + _read(table[p], c, o, w, extra, tail, tail_weights)
            tracked[p, i] = y
            if slow:
                s = (tracked[fast + p, i] * slow_decay
                     + _read(table[fast + p], c, o, w, extra, tail, tail_weights) * (1.0 - slow_decay))
                tracked[fast + p, i] = s
                y += s
            x += _clip(y, relax[RELAX_SIZE + p])
        if capped:
            x = min(x, 1.0)
        r = 0.0
        if dopamine:  # the dopamine rate's exact integral over the step
            target = _read(rate_row, c, o, w, extra, tail, tail_weights)
            r = rate[i] * before + target * after
            rate[i] = rate[i] * dopamine_decay + target
            if slow:  # and its slow share's
                t = _read(slow_rate, c, o, w, extra, tail, tail_weights)
                r += t * dt + (slow_dopamine[i] - t) * slow_before
                slow_dopamine[i] = slow_dopamine[i] * slow_dopamine_decay + t * (1.0 - slow_dopamine_decay)
        if aversive:
            goal[i] = _read(aversive_row, c, o, w, extra, tail, tail_weights)
        drive[i] = x
        if reduction != 0.0:
            r = r + previous[i] - x
        reward[i] = r
