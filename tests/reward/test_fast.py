"""The fast backend's arithmetic against the model its docstring states, written out channel by channel (no NEST)."""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable

import numpy as np
import pytest

from drive_atlas.drive.kernel import ReadoutKernel
from drive_atlas.reward.fast import FastRewardFunction, SlowTable
from drive_atlas.reward.interface import InterfaceMaps, Variable
from drive_atlas.spec.circuit import ReadoutSpec

ENERGY = Variable("energy", 0.0, 1.0, 0.5)
DAMAGE = Variable("damage", 0.0, 2.0, 0.0)
EATING = Variable("eating", 0.0, 1.0, 0.0)
MAPS = InterfaceMaps((ENERGY, DAMAGE), (EATING,))
READOUT = ReadoutSpec.model_validate({
    "readouts": [{"population": "a", "weight": 0.7, "low": "2 Hz", "high": "12 Hz"},
                 {"population": "b", "weight": -0.4, "low": "1 Hz", "high": "9 Hz"}],
    "reward": {"drive_reduction": True, "dopamine_weight": 0.5, "dopamine": {"population": "da", "baseline": "4 Hz", "scale": "6 Hz"},
               "aversive": {"population": "b", "baseline": "8 Hz", "scale": "10 Hz", "weight": 0.8}},
    "evidence": [{"kind": "model_assumption", "note": "test"}]})  # channels a, b, da; b read by the drive and the aversive term
PLAIN = READOUT.model_copy(update={"reward": READOUT.reward.model_copy(update={"dopamine": None, "aversive": None})})
# A composite's: two parts, each clipped to [0, its share] before the sum (shares adding past 1: the sum is clipped too).
PARTS = ReadoutSpec.model_validate({
    "readouts": [{"population": "h.a", "weight": 0.5, "low": "2 Hz", "high": "6 Hz"},
                 {"population": "p.b", "weight": -0.3, "low": "1 Hz", "high": "9 Hz"},
                 {"population": "p.c", "weight": 0.8, "low": "0 Hz", "high": "12 Hz"}],
    "parts": {"h": 0.5, "p": 0.8},
    "reward": {"drive_reduction": True, "dopamine_weight": 0.5,
               "dopamine": {"population": "p.c", "baseline": "4 Hz", "scale": "6 Hz"},
               "aversive": {"population": "h.a", "baseline": "8 Hz", "scale": "10 Hz", "weight": 0.8}},
    "evidence": [{"kind": "model_assumption", "note": "test"}]})
DOPAMINE_ALONE = READOUT.model_copy(update={"reward": READOUT.reward.model_copy(update={"aversive": None})})
# hunger_pain's: two parts and an aversive term, no dopamine
PARTS_AVERSIVE = PARTS.model_copy(update={"reward": PARTS.reward.model_copy(update={"dopamine": None})})
READOUTS = {"dopamine and aversive": READOUT, "drive reduction alone": PLAIN, "two parts": PARTS,
            "dopamine alone": DOPAMINE_ALONE, "two parts and an aversive term": PARTS_AVERSIVE}
AXES = [np.linspace(0.0, 1.0, 5), np.array([0.0, 0.3, 1.1, 2.0]), np.array([0.0, 1.0])]  # even, uneven, an event
# The curated circuits' shape: one body state (on an evenly spaced grid not starting at 0) and one event.
ONE_STATE = (InterfaceMaps((Variable("energy", 0.2, 1.0, 0.5),), (EATING,)),
             [np.linspace(0.2, 1.0, 6), np.array([0.0, 1.0])])
UNEVEN_STATE = (InterfaceMaps((DAMAGE,), (EATING,)), [AXES[1], np.array([0.0, 1.0])])
# Most points bunched at one end: a cell's first guess from the mean spacing is several cells off.
SKEWED_STATE = (InterfaceMaps((DAMAGE,), ()), [np.array([0.0, 0.01, 0.02, 0.05, 1.9, 2.0])])
STATE_ONLY = (InterfaceMaps((ENERGY,), ()), [AXES[0]])
# hunger's shape: evenly spaced points and the rest value between two of them (read on the evenly spaced refinement).
RESTING = np.array([0.0, 0.2, 0.4, 0.5, 0.6, 0.8, 1.0])
RESTING_STATE = (InterfaceMaps((ENERGY,), (EATING,)), [RESTING, np.array([0.0, 1.0])])
TWO_EVENTS = (InterfaceMaps((ENERGY, DAMAGE), (EATING, Variable("resting", 0.0, 1.0, 0.0))), AXES + [np.array([0.0, 1.0])])
# hunger_pain's: three states, two events (on their points: the one loop over the environments, three axes weighed).
THREE_STATES = (InterfaceMaps((ENERGY, DAMAGE, Variable("inflammation", 0.0, 1.0, 0.0)),
                              (EATING, Variable("analgesic", 0.0, 1.0, 0.0))),
                [AXES[0], AXES[1], np.linspace(0.0, 1.0, 3), np.array([0.0, 1.0]), np.array([0.0, 1.0])])
SHAPES = {"two states and an event": (MAPS, AXES), "one state and an event": ONE_STATE,
          "three states and two events": THREE_STATES,
          "one uneven state and an event": UNEVEN_STATE, "one skewed state": SKEWED_STATE, "one state, no event": STATE_ONLY,
          "two states and two events": TWO_EVENTS, "one state holding its rest value and an event": RESTING_STATE}


def _interpolate(steady: np.ndarray, axes: list[np.ndarray], point: np.ndarray) -> np.ndarray:
    """Multilinear interpolation at one point, one axis at a time with np.interp (clipped at the ends)."""
    table = steady
    for axis, x in zip(axes, point):
        table = np.apply_along_axis(lambda column: np.interp(x, axis, column), 0, table)
    return table


def _reference(readout: ReadoutSpec, steady: np.ndarray, axes: list[np.ndarray], trajectory: np.ndarray, dt: float,
               tau: float, aversive_tau: float) -> tuple[np.ndarray, np.ndarray]:
    """Every channel filtered on its own, then the readout kernel's drive and reward rule, for one environment: the
    compiled step replicates that arithmetic, so it must equal it. The dopamine term is the kernel's rate of the
    channel's mean over the step (the rate is affine in it), the relaxing rate integrated exactly; the aversive term
    is the kernel's ``aversive_step`` on the aversive population's rate relaxing with its own time constant."""
    kernel = ReadoutKernel(readout.model_copy(update={"tau": tau * 1000.0}))  # the surrogate's fitted time constant
    rates = _interpolate(steady, axes, trajectory[0])
    column = kernel.aversive_column
    aversive = rates[column] if column is not None else 0.0
    drives, rewards = [float(kernel.drive(rates))], []
    for point in trajectory[1:]:
        target = _interpolate(steady, axes, point)
        before, rates = rates, kernel.filter_step(rates, target, dt)
        drives.append(float(kernel.drive(rates)))
        mean = target + (before - rates) * tau / dt  # each channel's mean rate over the step
        reward = kernel.reduction(np.array(drives[-2]), np.array(drives[-1])) + kernel.dopamine_rate(mean) * dt
        if column is not None:
            reward += kernel.aversive_step(np.array(aversive), np.array(target[column]), aversive_tau, dt)
            aversive = target[column] + (aversive - target[column]) * np.exp(-dt / aversive_tau)
        rewards.append(float(reward))
    return np.array(drives[1:]), np.array(rewards)


def _trajectories(rng: np.random.Generator, axes: list[np.ndarray], n: int, steps: int) -> np.ndarray:
    """Random trajectories (n, steps + 1, variables), partly beyond the grid: clipped like np.interp."""
    span = np.array([a[-1] - a[0] for a in axes])
    low, high = np.array([a[0] for a in axes]) - 0.2 * span, np.array([a[-1] for a in axes]) + 0.2 * span
    return rng.uniform(low, high, size=(n, steps + 1, len(axes)))


def _on_points(trajectories: np.ndarray, axes: list[np.ndarray], rng: np.random.Generator) -> np.ndarray:
    """The trajectories with every value on a two-point axis at one of its points, as agents give events (0 or 1):
    the compiled step reads such axes at that point instead of interpolating along them."""
    for j, axis in enumerate(axes):
        if len(axis) == 2:
            trajectories[..., j] = np.where(rng.random(trajectories.shape[:-1]) < 0.4, axis[1], axis[0])
    return trajectories


EVENT_VALUES = {"events between their points": False, "events on their points": True}


def _splitter(maps: InterfaceMaps) -> Callable[[np.ndarray], tuple[dict[str, np.ndarray], dict[str, np.ndarray]]]:
    """Points of a trajectory (environments, variables) -> the (states, events) a step takes."""
    names = maps.state_ids + maps.event_ids

    def variables(point: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        named = dict(zip(names, point.T))
        return {k: named[k] for k in maps.state_ids}, {k: named[k] for k in maps.event_ids}

    return variables


@pytest.mark.parametrize("on_points", EVENT_VALUES.values(), ids=EVENT_VALUES.keys())
@pytest.mark.parametrize("readout", READOUTS.values(), ids=READOUTS.keys())
@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
def test_one_filtered_readout_equals_filtering_every_channel(maps: InterfaceMaps, axes: list[np.ndarray],
                                                             readout: ReadoutSpec, on_points: bool) -> None:
    rng = np.random.default_rng(7)
    steady = rng.uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (len(ReadoutKernel(readout).channels),))
    n, steps, dt, tau, aversive_tau = 6, 40, 0.1, 0.35, 0.8
    trajectories = _trajectories(rng, axes, n, steps)
    if on_points:
        trajectories = _on_points(trajectories, axes, rng)
    trajectories[0, 1:5] = [a[-1] for a in axes]  # exactly on the grid's top corner
    trajectories[1, 1:5] = [a[0] for a in axes]  # and its bottom one
    fast = FastRewardFunction(maps, readout, axes, steady, tau, aversive_tau=aversive_tau)
    variables = _splitter(maps)
    fast.reset_batch(n, *variables(trajectories[:, 0]))
    got_rewards, got_drives = [], []
    for k in range(1, steps + 1):
        got_rewards.append(fast.step_batch(*variables(trajectories[:, k]), dt))
        got_drives.append(fast.drive.copy())
    for env in range(n):
        drives, rewards = _reference(readout, steady, axes, trajectories[env], dt, tau, aversive_tau)
        assert np.allclose(np.array(got_drives)[:, env], drives, rtol=0.0, atol=1e-12)
        assert np.allclose(np.array(got_rewards)[:, env], rewards, rtol=0.0, atol=1e-12)


def test_three_states_with_events_on_their_points_interpolate_along_three_axes() -> None:
    """hunger_pain's shape: events given as 0 or 1 leave three axes to interpolate, the one loop over the environments
    (``fast_kernel._advance_fused``), which the reference tests above then check; an event between its points, five."""
    from drive_atlas.reward import fast_kernel

    maps, axes = THREE_STATES
    rng = np.random.default_rng(5)
    fast = FastRewardFunction(maps, PARTS_AVERSIVE, axes, rng.uniform(0.0, 9.0, size=(5, 4, 3, 2, 2, 3)), 0.3)
    values = [x.copy() for x in _on_points(_trajectories(rng, axes, 20, 0), axes, rng)[:, 0].T]
    assert fast_kernel._interpolated(tuple(values), fast._grid, fast._counts) == 3
    values[-1][4] = 0.5
    assert fast_kernel._interpolated(tuple(values), fast._grid, fast._counts) == 5


@pytest.mark.parametrize("maps, axes", [RESTING_STATE, SKEWED_STATE, UNEVEN_STATE], ids=["rest value", "skewed", "uneven"])
def test_values_on_and_between_the_points_of_an_uneven_axis(maps: InterfaceMaps, axes: list[np.ndarray]) -> None:
    """An uneven axis is read on its evenly spaced refinement when it has one (the rest value's, the uneven one's)
    and else by counting the points below each value (the skewed one's): every point of it, every midpoint and the
    ends beyond it give np.interp's multilinear values; the refined table holds the fitted values at the axis's own
    points exactly."""
    rng = np.random.default_rng(5)
    steady = rng.uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (len(ReadoutKernel(PLAIN).channels),))
    axis = axes[0]
    places = np.r_[axis, (axis[1:] + axis[:-1]) / 2, axis[0] - 1.0, axis[-1] + 1.0]
    n = len(places)
    trajectories = np.empty((n, 3, len(axes)))
    trajectories[:, :, 0] = places[:, None]
    trajectories[:, :, 1:] = rng.integers(0, 2, size=(n, 1, len(axes) - 1)) if len(axes) > 1 else 0.0
    fast = FastRewardFunction(maps, PLAIN, axes, steady, 0.35)
    refined = len(fast._grid[0, 0]) > len(axis)
    assert refined == (axes is not SKEWED_STATE[1])
    if refined:  # the axis's own points are rows of the refined table, unchanged
        rows = fast._table.reshape(len(fast._table), len(fast._grid[0, 0]), -1)
        steps = np.rint((axis - axis[0]) / (axis[-1] - axis[0]) * (len(fast._grid[0, 0]) - 1)).astype(int)
        levels = fast.kernel.levels(steady.reshape(-1, steady.shape[-1])).T  # (parts, grid points)
        assert np.array_equal(rows[:len(levels), steps], levels.reshape(len(levels), len(axis), -1))
    variables = _splitter(maps)
    fast.reset_batch(n, *variables(trajectories[:, 0]))
    got = [fast.step_batch(*variables(trajectories[:, k]), 0.1) for k in (1, 2)]
    for env in range(n):
        _, rewards = _reference(PLAIN, steady, axes, trajectories[env], 0.1, 0.35, 0.35)
        assert np.allclose(np.array(got)[:, env], rewards, rtol=0.0, atol=1e-12)


def _slow_reference(readout: ReadoutSpec, steady: np.ndarray, axes: list[np.ndarray], slow: SlowTable,
                    trajectory: np.ndarray, dt: float, tau: float, aversive_tau: float) -> tuple[np.ndarray, np.ndarray]:
    """A surrogate with a slow state, written out channel by channel for one environment: every channel's fast rate
    filtered on its own (as ``_reference``) plus a slow rate per channel, relaxing toward the corners' multilinear
    target with the slow time constant (the share the drive reads) and, separately, with the dopamine one (the share
    the dopamine term reads), each started where a fresh network starts and settled for ``slow.settle`` at the first
    point. The drive is the readout formula on fast + slow rates; the reward adds the slow dopamine share's exact
    integral; the aversive term reads the fast rate alone (it has no slow share)."""
    kernel = ReadoutKernel(readout.model_copy(update={"tau": tau * 1000.0}))
    edges = [np.array([a[0], a[-1]]) for a in axes]
    rates = _interpolate(steady, axes, trajectory[0])
    column = kernel.aversive_column
    aversive = rates[column] if column is not None else 0.0
    target = _interpolate(slow.corners, edges, trajectory[0])
    level, dopamine = (target + (slow.start - target) * np.exp(-slow.settle / t) for t in (slow.tau, slow.dopamine_tau))
    zero = kernel.dopamine_rate(np.zeros_like(rates))
    drives, rewards = [float(kernel.drive(rates + level))], []
    for point in trajectory[1:]:
        fast_target, slow_target = _interpolate(steady, axes, point), _interpolate(slow.corners, edges, point)
        before, rates = rates, kernel.filter_step(rates, fast_target, dt)
        level = slow_target + (level - slow_target) * np.exp(-dt / slow.tau)
        start, dopamine = dopamine, slow_target + (dopamine - slow_target) * np.exp(-dt / slow.dopamine_tau)
        drives.append(float(kernel.drive(rates + level)))
        mean = fast_target + (before - rates) * tau / dt
        slow_mean = slow_target + (start - dopamine) * slow.dopamine_tau / dt
        reward = (kernel.reduction(np.array(drives[-2]), np.array(drives[-1])) + kernel.dopamine_rate(mean) * dt
                  + (kernel.dopamine_rate(slow_mean) - zero) * dt)
        if column is not None:
            reward += kernel.aversive_step(np.array(aversive), np.array(fast_target[column]), aversive_tau, dt)
            aversive = fast_target[column] + (aversive - fast_target[column]) * np.exp(-dt / aversive_tau)
        rewards.append(float(reward))
    return np.array(drives[1:]), np.array(rewards)


@pytest.mark.parametrize("on_points", EVENT_VALUES.values(), ids=EVENT_VALUES.keys())
@pytest.mark.parametrize("readout", READOUTS.values(), ids=READOUTS.keys())
@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
def test_a_slow_state_on_the_compiled_step_equals_filtering_every_channel(maps: InterfaceMaps, axes: list[np.ndarray],
                                                                         readout: ReadoutSpec, on_points: bool) -> None:
    """The compiled step with a slow state (fast L unclipped, the slow share added before the clip and the drive
    reduction): equal to the model written out per channel, on the hot path and the general one, for every shape."""
    rng = np.random.default_rng(11)
    channels = len(ReadoutKernel(readout).channels)
    steady = rng.uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (channels,))
    slow = SlowTable(rng.uniform(0.0, 6.0, size=(2,) * len(axes) + (channels,)), rng.uniform(0.0, 3.0, size=channels),
                     5.0, 12.0, 1.0)
    n, steps, dt, tau, aversive_tau = 5, 60, 0.25, 0.35, 0.8
    trajectories = _trajectories(rng, axes, n, steps)
    if on_points:
        trajectories = _on_points(trajectories, axes, rng)
    trajectories[0, :] = [a[-1] for a in axes]  # held at a corner: the slow drift alone
    fast = FastRewardFunction(maps, readout, axes, steady, tau, tau, aversive_tau, slow=slow)
    variables = _splitter(maps)
    fast.reset_batch(n, *variables(trajectories[:, 0]))
    got_rewards, got_drives = [], []
    for k in range(1, steps + 1):
        states, events = variables(trajectories[:, k])
        if k % 7 == 0:  # lists: the general path
            states, events = {v: x.tolist() for v, x in states.items()}, {v: x.tolist() for v, x in events.items()}
        got_rewards.append(fast.step_batch(states, events, dt))
        got_drives.append(fast.drive.copy())
    for env in range(n):
        drives, rewards = _slow_reference(readout, steady, axes, slow, trajectories[env], dt, tau, aversive_tau)
        assert np.allclose(np.array(got_drives)[:, env], drives, rtol=0.0, atol=1e-12)
        assert np.allclose(np.array(got_rewards)[:, env], rewards, rtol=0.0, atol=1e-12)
    plain = FastRewardFunction(maps, readout, axes, steady, tau, tau, aversive_tau)
    plain.reset_batch(n, *variables(trajectories[:, 0]))
    without = [plain.step_batch(*variables(trajectories[:, k]), dt) for k in range(1, steps + 1)]
    assert np.abs(np.array(got_rewards) - np.array(without)).max() > 0.01  # the slow share is not a no-op


def test_resetting_some_environments_leaves_the_others_running() -> None:
    steady = np.random.default_rng(3).uniform(0.0, 20.0, size=(5, 4, 2, 3))
    fast = FastRewardFunction(MAPS, READOUT, AXES, steady, 0.5)
    fast.reset_batch(3, {"energy": np.array([0.1, 0.5, 0.9])})
    fast.step_batch({"energy": np.array([0.9, 0.9, 0.9])}, {"eating": np.ones(3)}, 0.2)
    before = fast.drive.copy()
    fast.reset_batch(3, {"energy": np.array([0.3, 0.3, 0.3])}, mask=np.array([False, True, False]))
    assert fast.drive[[0, 2]] == pytest.approx(before[[0, 2]])
    fresh = FastRewardFunction(MAPS, READOUT, AXES, steady, 0.5)
    fresh.reset({"energy": 0.3})
    assert fast.drive[1] == pytest.approx(fresh.drive_level)


def test_batch_size_and_dt_changes_leave_each_environment_alone() -> None:
    """One state and an event: 64 environments and the same 64 plus one give the same rewards, also when dt changes
    between steps (each change rescales the tables)."""
    maps, axes = ONE_STATE
    steady = np.random.default_rng(5).uniform(0.0, 20.0, size=(6, 2, 3))
    line, cells = FastRewardFunction(maps, READOUT, axes, steady, 0.4), FastRewardFunction(maps, READOUT, axes, steady, 0.4)
    rng = np.random.default_rng(6)
    energy = rng.uniform(0.0, 1.2, size=(20, 65))
    eating = rng.uniform(-0.2, 1.2, size=(20, 65))
    line.reset_batch(64, {"energy": energy[0, :64]})
    cells.reset_batch(65, {"energy": energy[0]})
    for k in range(1, 20):
        dt = 0.1 + 0.05 * (k % 3)
        got = line.step_batch({"energy": energy[k, :64]}, {"eating": eating[k, :64]}, dt)
        want = cells.step_batch({"energy": energy[k]}, {"eating": eating[k]}, dt)
        assert np.allclose(got, want[:64], rtol=0.0, atol=1e-12) and np.allclose(line.drive, cells.drive[:64], rtol=0.0, atol=1e-12)


def _twins(maps: InterfaceMaps, axes: list[np.ndarray], seed: int, n: int) -> tuple[FastRewardFunction, FastRewardFunction]:
    """Two fast backends of one random table, each reset to n environments at 0.5: one path against another."""
    steady = np.random.default_rng(seed).uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (3,))
    twins = tuple(FastRewardFunction(maps, READOUT, axes, steady, 0.3) for _ in range(2))
    for fn in twins:
        fn.reset_batch(n, {k: np.full(n, 0.5) for k in maps.state_ids})
    return twins


@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
def test_arrays_and_other_inputs_give_the_same_rewards(maps: InterfaceMaps, axes: list[np.ndarray]) -> None:
    """The hot path (float64 arrays of the current size, contiguous or not, same dt) and the general one (lists,
    other dtypes and byte orders, a new dt) compute the same step."""
    arrays, others = _twins(maps, axes, seed=8, n=4)
    rng = np.random.default_rng(9)
    for k in range(12):
        states = {s: rng.uniform(-0.5, 2.5, 4) for s in maps.state_ids}
        events = {e: rng.uniform(-0.5, 1.5, 4) for e in maps.event_ids}
        convert = [list, lambda x: x.astype(np.float32).astype(np.float64).tolist(), lambda x: x.astype(">f8")][k % 3]
        states = {s: convert(v) if k % 2 else v for s, v in states.items()}
        strided = {s: np.repeat(np.asarray(v, dtype=float), 2)[::2] for s, v in states.items()}  # a view, not contiguous
        got = arrays.step_batch(strided if k % 2 else states, events, 0.2)
        want = others.step_batch(states, {e: convert(v) for e, v in events.items()}, 0.2 if k % 4 else 0.2 + 1e-12)
        assert np.allclose(got, want, atol=1e-9) and np.allclose(arrays.drive, others.drive, atol=1e-9)


@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
def test_read_only_and_offset_arrays_take_the_compiled_step_as_the_others_do(maps: InterfaceMaps, axes: list[np.ndarray]
                                                                             ) -> None:
    """The hot path calls the compiled step's machine code for C-contiguous float64 vectors without numba's typing of
    each call: read-only arrays and views into a larger buffer (which numba would type apart from a plain array) go
    through it and give the steps a plain array gives, on every environment."""
    plain, other = _twins(maps, axes, seed=16, n=5)
    rng = np.random.default_rng(17)
    for k in range(10):
        values = {v: rng.uniform(-0.5, 2.5, 5) for v in maps.state_ids + maps.event_ids}
        given = {}
        for v, x in values.items():
            if k % 2:
                y = x.copy()
                y.setflags(write=False)
            else:
                y = np.concatenate([[9.0], x])[1:]  # a view one element into its buffer
            given[v] = y
        want = plain.step_batch({s: values[s] for s in maps.state_ids}, {e: values[e] for e in maps.event_ids}, 0.2)
        got = other.step_batch({s: given[s] for s in maps.state_ids}, {e: given[e] for e in maps.event_ids}, 0.2)
        assert np.array_equal(got, want) and np.array_equal(other.drive, plain.drive)


@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
def test_single_steps_equal_a_batch_of_one(maps: InterfaceMaps, axes: list[np.ndarray]) -> None:
    steady = np.random.default_rng(11).uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (3,))
    single, batch = (FastRewardFunction(maps, READOUT, axes, steady, 0.3) for _ in range(2))
    single.reset({s: 0.5 for s in maps.state_ids})
    batch.reset_batch(1, {s: [0.5] for s in maps.state_ids})
    rng = np.random.default_rng(12)
    for k in range(8):
        state = {s: float(rng.uniform(-0.5, 2.5)) for s in maps.state_ids}
        events = {e: float(rng.uniform(-0.5, 1.5)) for e in maps.event_ids}
        got = single.step(state, events if events or k % 2 else None, 0.2)
        want = batch.step_batch({s: [v] for s, v in state.items()}, {e: [v] for e, v in events.items()}, 0.2)
        assert isinstance(got, float) and got == pytest.approx(want[0], abs=1e-12)
        assert single.drive_level == pytest.approx(batch.drive_level, abs=1e-12)
    with pytest.raises(ValueError, match=f"{maps.state_ids[0]} must be a finite number"):
        single.step({s: np.nan for s in maps.state_ids}, {e: 0.0 for e in maps.event_ids}, 0.2)
    with pytest.raises(KeyError, match="thirst"):
        single.step({"thirst": 0.5}, None, 0.2)


@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
def test_non_finite_values_are_refused_on_the_hot_path(maps: InterfaceMaps, axes: list[np.ndarray]) -> None:
    """After a first step has prepared the hot path, a NaN or an infinity in any variable still gets an error naming
    it, and leaves the environments as they were."""
    steady = np.random.default_rng(10).uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (3,))
    fn = FastRewardFunction(maps, READOUT, axes, steady, 0.3)
    names = maps.state_ids + maps.event_ids
    fn.reset_batch(3, {s: np.full(3, 0.5) for s in maps.state_ids})

    def step(bad: str | None = None, value: float = 0.0) -> np.ndarray:
        values = {k: np.full(3, 0.5) for k in names}
        if bad is not None:
            values[bad][2] = value
        return fn.step_batch({k: values[k] for k in maps.state_ids}, {k: values[k] for k in maps.event_ids}, 0.1)

    step()
    drive = fn.drive.copy()
    for name in names:
        for value, shown in ((np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf")):
            with pytest.raises(ValueError, match=f"{name} must be a finite number; got {shown} for environment 2"):
                step(name, value)
            assert np.array_equal(fn.drive, drive)
    huge = step(names[0], 1e300)  # finite, though the dot product of the variables overflows: no error
    assert np.isfinite(huge).all()


@pytest.mark.parametrize("maps, axes", SHAPES.values(), ids=SHAPES.keys())
@pytest.mark.parametrize("with_slow", [False, True], ids=["fast state", "with a slow state"])
def test_a_copy_taken_mid_run_continues_like_the_original(maps: InterfaceMaps, axes: list[np.ndarray], with_slow: bool) -> None:
    """Copies and pickles carry the running state (a slow state's too), not the step cache; each goes on on its own."""
    steady = np.random.default_rng(13).uniform(0.0, 20.0, size=tuple(len(a) for a in axes) + (3,))
    slow = SlowTable(np.random.default_rng(15).uniform(0.0, 6.0, size=(2,) * len(axes) + (3,)), np.ones(3), 4.0, 9.0, 1.0)
    original = FastRewardFunction(maps, READOUT, axes, steady, 0.3, slow=slow if with_slow else None)
    original.reset_batch(5, {s: np.full(5, 0.4) for s in maps.state_ids})
    rng = np.random.default_rng(14)
    trajectory = [({s: rng.uniform(0.0, 1.0, 5) for s in maps.state_ids}, {e: rng.uniform(0.0, 1.0, 5) for e in maps.event_ids})
                  for _ in range(6)]
    for states, events in trajectory[:3]:
        original.step_batch(states, events, 0.1)
    copies = [copy.deepcopy(original), pickle.loads(pickle.dumps(original))]
    for states, events in trajectory[3:]:
        want = original.step_batch(states, events, 0.1)
        for fn in copies:
            assert np.array_equal(fn.step_batch(states, events, 0.1), want) and np.array_equal(fn.drive, original.drive)
    for fn in copies:
        fn.reset_batch(5, {s: np.full(5, 0.9) for s in maps.state_ids}, mask=np.array([True, False, False, False, False]))
        fn.step_batch(*trajectory[0], 0.1)
    assert copies[0].drive == pytest.approx(copies[1].drive, abs=0.0)


@pytest.mark.parametrize("where", ["every two-point axis on its points", "the last axis between its points",
                                   "every axis on its points"])
def test_an_axis_read_at_its_points_gives_what_interpolating_along_it_gives(where: str) -> None:
    """The compiled lookup reads trailing two-point axes whose values all lie on their points at those points (an
    event given as 0 or 1): the same values as interpolating along them, and only while every value lies on them."""
    from drive_atlas.reward import fast_kernel
    from drive_atlas.reward.fast import _axis

    rng = np.random.default_rng(3)
    axes = [np.linspace(0.0, 1.0, 4), np.array([0.2, 0.9]), np.array([0.0, 1.0])]
    table = rng.uniform(-5.0, 5.0, size=(3, 4 * 2 * 2))
    grid, counts = np.array([_axis(a, 4) for a in axes]), np.array([4, 2, 2], dtype=np.intp)
    n = 50
    values = [rng.uniform(-0.1, 1.1, n), np.where(rng.random(n) < 0.5, 0.9, 0.2), (rng.random(n) < 0.3).astype(float)]
    expected_axes = 1
    if where == "the last axis between its points":
        values[2][7] = 0.25
        expected_axes = 3
    elif where == "every axis on its points":
        values[0] = np.where(rng.random(n) < 0.5, 1.0, 0.0)
        axes[0], table = np.array([0.0, 1.0]), table[:, :8]
        grid, counts = np.array([_axis(a, 2) for a in axes]), np.array([2, 2, 2], dtype=np.intp)
        expected_axes = 0
    values = tuple(values)
    assert fast_kernel._interpolated(values, grid, counts) == expected_axes
    got = fast_kernel.lookup(values, grid, counts, table)
    shaped = table.reshape(3, *counts)
    for i in range(n):
        want = [_interpolate(column, axes, np.array([v[i] for v in values])) for column in shaped]
        assert np.allclose(got[:, i], want, rtol=0.0, atol=1e-12)
