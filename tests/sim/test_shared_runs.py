"""Runs of one circuit and seed simulated together (run_circuits): each records what its own run records.

Real NEST on the fixture circuit: runs that depart at time 0, at an event time on the
chunk grid, at one off it, by a shorter duration, by a drug (another ligand layout:
never shared) or by light (its own network; shared with a run whose light event has
another index).
"""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import TypeAdapter

from drive_atlas.sim import RunOptions, Timeline, engine, run_circuit, run_circuits
from drive_atlas.spec.circuit import Event, ProtocolSpec

from .test_network import same_spikes, spikes_of

ARRAYS = ("times", "rates", "concentrations", "activation", "occupancy", "currents")


def _light_after_input() -> ProtocolSpec:
    """agrp_activation's light, as a timeline's second event (its index differs from the protocol's)."""
    return ProtocolSpec.model_validate({"duration": "2 s", "events": [
        {"type": "input", "input": "ghrelin", "level": "5 nM", "at": "1500 ms"},
        {"type": "optogenetics", "population": "agrp", "mode": "activate", "rate": "500 Hz", "weight": "100 pA", "at": "1 s"}]})


def _runs(mini_atlas):
    ghrelin_off_grid = [{"type": "input", "input": "ghrelin", "level": "20 nM", "at": "1050 ms"}]
    blocker = [{"type": "drug", "ligand": "ghsr_antagonist", "concentration": "1 uM", "at": "1 s"}]
    return [
        ("baseline", (), None),
        ("fasted", (), None),                      # departs at 0
        ("ghrelin_step", (), None),                # departs at 1 s
        ("baseline", _events(ghrelin_off_grid), None),  # departs at 1050 ms, off the 100 ms grid
        ("ghrelin_step", (), 1500.0),              # a shorter run of a shared protocol
        ("baseline", (), 1050.0),                  # ends off the grid
        ("food_cue", (), None),
        ("agrp_lesion", (), None),
        ("ghrelin_step", _events(blocker), None),  # a drug: another ligand layout
        ("agrp_activation", (), None),             # light: another network
        (_light_after_input(), (), None),          # the same light, another event index
    ]


def _events(raw):
    return tuple(TypeAdapter(list[Event]).validate_python(raw))


def _assert_same(a, b) -> None:
    assert same_spikes(spikes_of(a), spikes_of(b))
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.ligands == b.ligands and a.epochs == b.epochs and a.duration == b.duration
    assert a.circuit is b.circuit or a.circuit == b.circuit


def test_each_shared_run_records_what_its_own_run_records(mini, mini_atlas, monkeypatch):
    runs = _runs(mini_atlas)
    forks = []
    in_child = engine._in_child
    monkeypatch.setattr(engine, "_in_child", lambda work: forks.append(1) or in_child(work))
    shared = run_circuits(mini, mini_atlas, runs, RunOptions(seed=4))
    # forks made here: baseline leads its network; fasted departs at 0, food_cue at 500 ms, the rest at 1 s (one copy,
    # which forks again); the drug runs alone; the two light runs share one network (one fork)
    assert len(forks) == 4
    for (protocol, events, duration), recording in zip(runs, shared):
        own = run_circuit(mini, mini_atlas, protocol, events=events, duration=duration, options=RunOptions(seed=4))
        _assert_same(recording, own)
    assert sum(len(t) for t, _ in shared[0].spikes.values()) > 100


def test_deferred_signalling_records_what_the_live_loop_records(mini, mini_atlas, monkeypatch):
    """Without modulation and with every neuron recorded, the loop reads no counters (none is built) and the
    signalling is worked out afterwards: every array, spike for spike and number for number, is the live loop's
    (which reads its counters at each chunk), shared runs and forks included, though NEST now runs on between the
    protocol's changes instead of stopping at every chunk."""
    runs = _runs(mini_atlas)
    deferred = RunOptions(seed=4, modulation=False)
    live = RunOptions(seed=4, modulation=False, record_neurons=max(p.size for p in mini.populations))
    assert engine.counted_populations(mini, deferred) == [] and engine.counted_populations(mini, live) is None
    stops = []
    simulate = engine._Loop.run_to
    monkeypatch.setattr(engine._Loop, "run_to", lambda loop, tick: stops.append(loop) or simulate(loop, tick))
    shared = run_circuits(mini, mini_atlas, runs, deferred)
    assert stops and all(loop.network.counters is None for loop in stops)
    assert all(len(loop.pauses) < len(loop.stops) for loop in stops)  # NEST ran on between protocol changes
    for (protocol, events, duration), recording in zip(runs, shared):
        _assert_same(recording, run_circuit(mini, mini_atlas, protocol, events=events, duration=duration, options=live))
    assert np.any(shared[2].concentrations)  # the signalling was worked out, not left at zero


OFF_THE_GRID = ("chunk_not_a_multiple_of_the_minimum_delay", "event_off_the_minimum_delay_grid")


@pytest.mark.parametrize("variant", ["precise_spike_times", *OFF_THE_GRID])
def test_deferred_signalling_holds_for_precise_spikes_and_any_chunk(mini, mini_atlas, variant, monkeypatch):
    """Spikes stamped inside their step (``*_ps`` models) count from the step they belong to, and a chunk or an event
    that ends inside NEST's minimum delay (1 ms here) stops the deferred loop where it stops the live one (NEST's
    spikes depend on it): such a loop pauses at every stop."""
    loops = []
    simulate = engine._Loop.run_to
    monkeypatch.setattr(engine._Loop, "run_to", lambda loop, tick: loops.append(loop) or simulate(loop, tick))
    circuit, chunk, events = mini, 100.0, ()
    if variant == "precise_spike_times":
        circuit = mini.model_copy(update={"populations": [
            p.model_copy(update={"neuron": p.neuron.model_copy(update={"model": "iaf_psc_exp_ps"})}) for p in mini.populations]})
    elif variant == "chunk_not_a_multiple_of_the_minimum_delay":
        chunk = 0.7
    else:
        events = _events([{"type": "optogenetics", "population": "agrp", "mode": "activate", "rate": "500 Hz",
                           "weight": "100 pA", "at": "600.5 ms"}])
    every = max(p.size for p in circuit.populations)
    deferred = run_circuit(circuit, mini_atlas, "ghrelin_step", events=events, duration=1200.0,
                           options=RunOptions(seed=4, chunk=chunk, modulation=False))
    live = run_circuit(circuit, mini_atlas, "ghrelin_step", events=events, duration=1200.0,
                       options=RunOptions(seed=4, chunk=chunk, modulation=False, record_neurons=every))
    _assert_same(deferred, live)
    assert (loops[0].pauses == loops[0].stops) == (variant in OFF_THE_GRID)
    times = np.concatenate([t for t, _ in live.spikes.values()])
    assert len(times) > 100
    if variant == "precise_spike_times":
        assert np.any(np.abs(times / 0.1 - np.round(times / 0.1)) > 1e-3)  # stamped between steps


def test_pausing_only_at_changes_needs_every_stop_on_the_minimum_delay_grid(mini, mini_atlas, monkeypatch):
    """Why a loop with a stop inside NEST's minimum delay keeps every stop: told that every stop is on the grid, the
    deferred loop with a 0.7 ms chunk runs on between the protocol's changes, and NEST then fires other spikes than
    the live loop, which stops every 0.7 ms."""
    monkeypatch.setattr(engine.Network, "min_delay_ticks", lambda network: 1)
    every = max(p.size for p in mini.populations)
    deferred = run_circuit(mini, mini_atlas, "ghrelin_step", duration=1200.0, options=RunOptions(seed=4, chunk=0.7, modulation=False))
    live = run_circuit(mini, mini_atlas, "ghrelin_step", duration=1200.0,
                       options=RunOptions(seed=4, chunk=0.7, modulation=False, record_neurons=every))
    assert not same_spikes(spikes_of(deferred), spikes_of(live))


def test_counting_only_the_releasing_populations_records_what_counting_all_records(mini, mini_atlas):
    """With modulation, only the populations that release a ligand are counted as the loop goes; the others' counts
    come from their spikes after the run: every array as when every population is counted."""
    runs = _runs(mini_atlas)
    releasing = [p.id for p in mini.populations if p.releases]
    assert 0 < len(releasing) < len(mini.populations)
    assert engine.counted_populations(mini, RunOptions(seed=4)) == releasing
    shared = run_circuits(mini, mini_atlas, runs, RunOptions(seed=4))
    every = RunOptions(seed=4, record_neurons=max(p.size for p in mini.populations))
    for (protocol, events, duration), recording in zip(runs, shared):
        _assert_same(recording, run_circuit(mini, mini_atlas, protocol, events=events, duration=duration, options=every))


def test_without_releasing_populations_nothing_is_counted_live(mini, mini_atlas, monkeypatch):
    """No population releases a ligand: the signalling's state changes only where the protocol switches, so even
    with modulation on no counter is built or read, and the run records what the counting loop records."""
    silent = mini.model_copy(update={"populations": [p.model_copy(update={"releases": []}) for p in mini.populations]})
    assert engine.counted_populations(silent, RunOptions()) == []
    calls = []
    network_of = engine.compile_circuit
    monkeypatch.setattr(engine, "compile_circuit", lambda *a, **k: calls.append(network_of(*a, **k)) or calls[-1])
    runs = [("ghrelin_step", (), None), ("baseline", _events([{"type": "drug", "ligand": "npy", "concentration": "50 nM",
                                                               "sites": ["pvh"], "at": "500 ms"}]), 1500.0)]
    every = RunOptions(seed=4, record_neurons=max(p.size for p in silent.populations))
    for protocol, events, duration in runs:
        deferred = run_circuit(silent, mini_atlas, protocol, events=events, duration=duration, options=RunOptions(seed=4))
        assert calls[-1].counters is None
        _assert_same(deferred, run_circuit(silent, mini_atlas, protocol, events=events, duration=duration, options=every))
        assert np.any(deferred.currents)  # the modulation acted (a hormone input or a drug), applied at its switch


def test_shared_runs_are_fixed_by_the_seed(mini, mini_atlas):
    runs = _runs(mini_atlas)[:4]
    a, b, c = (run_circuits(mini, mini_atlas, runs, RunOptions(seed=s)) for s in (6, 6, 7))
    for x, y in zip(a, b):
        _assert_same(x, y)
    assert not same_spikes(spikes_of(a[2]), spikes_of(c[2]))


def test_fork_point_is_where_the_devices_first_differ(mini, mini_atlas):
    step = 0.1  # the fixture's resolution

    def timeline(protocol, events=(), duration=None):
        return Timeline.build(mini, mini_atlas.ligands, protocol, events, duration)

    baseline = timeline("baseline")
    assert engine.fork_point(baseline, timeline("fasted"), step, 100.0) == 0
    assert engine.fork_point(baseline, timeline("ghrelin_step"), step, 100.0) == 10_000
    off_grid = timeline("baseline", _events([{"type": "input", "input": "ghrelin", "level": "20 nM", "at": "1050 ms"}]))
    assert engine.fork_point(baseline, off_grid, step, 100.0) == 10_000  # the last stop both make before 1050 ms
    assert engine.fork_point(baseline, timeline("baseline", duration=1050.0), step, 100.0) == 10_000
    assert engine.fork_point(baseline, timeline("baseline", duration=1500.0), step, 100.0) == 14_000


def test_an_error_in_a_forked_run_reaches_the_caller(mini, mini_atlas, monkeypatch):
    follow = engine._Loop.follow

    def failing(self, timeline):
        if getattr(self, "timeline", None) is not None:
            raise ValueError("departing run failed")
        follow(self, timeline)

    monkeypatch.setattr(engine._Loop, "follow", failing)
    with pytest.raises(ValueError, match="departing run failed"):
        run_circuits(mini, mini_atlas, [("baseline", (), 500.0), ("ghrelin_step", (), 1500.0)], RunOptions(seed=1))


def test_without_fork_every_run_is_its_own(mini, mini_atlas, monkeypatch):
    runs = _runs(mini_atlas)[:3]
    forked = run_circuits(mini, mini_atlas, runs, RunOptions(seed=2))
    monkeypatch.setattr(engine, "_can_fork", lambda options: False)
    for a, b in zip(forked, run_circuits(mini, mini_atlas, runs, RunOptions(seed=2))):
        _assert_same(a, b)


def test_shared_duration_counts_what_runs_share_once(mini, mini_atlas):
    timelines = [Timeline.build(mini, mini_atlas.ligands, p) for p in ("baseline", "ghrelin_step", "fasted", "agrp_activation")]
    # baseline 2 s; ghrelin_step departs at 1 s (1 s more); fasted at 0 (2 s); agrp_activation builds its own (2 s)
    assert engine.shared_duration(mini, timelines, mini_atlas.ligands) == pytest.approx(7000.0)
