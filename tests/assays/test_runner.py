"""The assay runner on the simulator's fixture circuit: real NEST, a few short runs."""

from __future__ import annotations

import numpy as np
import pytest

from drive_atlas.assays import run_assays
from drive_atlas.atlas import Atlas
from drive_atlas.spec.circuit import Assay


SEEDS = (1, 2, 3)


def _assay(expect: dict, measure: dict | None = None) -> Assay:
    return Assay.model_validate({
        "id": "ghrelin_raises_agrp", "citation": ["cowley2003"], "phenomenon": "ghrelin excites AgRP neurons",
        "duration": "2 s",
        "conditions": {"fed": {"protocol": "baseline"}, "fasted": {"protocol": "fasted"}},
        "measure": measure or {"kind": "mean_rate", "population": "agrp", "window": ["0.5 s", "2 s"]},
        "expect": expect,
    })


def test_true_expectation_passes_and_false_one_fails(mini_atlas: Atlas) -> None:
    circuit = mini_atlas["mini"]
    true = _assay({"kind": "increase", "conditions": ["fasted", "fed"]})
    false = _assay({"kind": "decrease", "conditions": ["fasted", "fed"]}).model_copy(update={"id": "wrong_way"})
    calls: list[int] = []
    run = run_assays(circuit, mini_atlas, [true, false], seeds=SEEDS, progress=lambda done, total, _: calls.append(total))
    by_id = {r.assay.id: r for r in run.results}
    assert by_id["ghrelin_raises_agrp"].status == "pass"
    assert by_id["wrong_way"].status == "fail"
    assert not run.ok
    # two conditions x three seeds, shared between the two assays: simulated once each
    assert set(calls) == {6}
    table = run.table()
    assert list(table["status"]) == ["pass", "fail"]


def test_results_are_reproducible_for_a_fixed_seed_list(mini_atlas: Atlas) -> None:
    assay = _assay({"kind": "ratio_at_least", "conditions": ["fasted", "fed"], "value": 1.0})
    first = run_assays(mini_atlas["mini"], mini_atlas, [assay], seeds=(4, 5)).results[0]
    again = run_assays(mini_atlas["mini"], mini_atlas, [assay], seeds=(4, 5)).results[0]
    for condition in first.values:
        np.testing.assert_array_equal(first.values[condition], again.values[condition])


def test_expected_failure_is_reported_as_a_known_gap(mini_atlas: Atlas) -> None:
    gap = _assay({"kind": "decrease", "conditions": ["fasted", "fed"]}).model_copy(update={"expected_failure": "known gap"})
    result = run_assays(mini_atlas["mini"], mini_atlas, [gap], seeds=(1, 2)).results[0]
    assert result.status == "xfail" and result.ok


def _recordings_equal(a, b) -> None:
    for name in ("times", "rates", "concentrations", "activation", "occupancy", "currents"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.spikes.keys() == b.spikes.keys()
    for pid, (times, neurons) in b.spikes.items():
        np.testing.assert_array_equal(a.spikes[pid][0], times, err_msg=pid)
        np.testing.assert_array_equal(a.spikes[pid][1], neurons, err_msg=pid)
    assert a.epochs == b.epochs and a.duration == b.duration


@pytest.mark.parametrize("protocol", ["food_cue", "agrp_lesion"])  # an event running past the prefix; one starting at its end
def test_a_runs_prefix_is_spike_for_spike_a_run_of_that_duration(mini_atlas: Atlas, protocol: str) -> None:
    from drive_atlas.sim import RunOptions, run_circuit

    mini = mini_atlas["mini"]
    long = run_circuit(mini, mini_atlas, protocol, duration=2000.0, options=RunOptions(seed=7))
    short = run_circuit(mini, mini_atlas, protocol, duration=1000.0, options=RunOptions(seed=7))
    assert sum(len(t) for t, _ in short.spikes.values()) > 100
    _recordings_equal(long.prefix(1000.0), short)
    with pytest.raises(ValueError, match="chunk"):
        long.prefix(1050.0)


def test_shared_runs_give_each_condition_what_its_own_run_gives(mini_atlas: Atlas) -> None:
    """Runs stop at the chunk where the measure windows end, shorter conditions read a longer run's prefix, and
    conditions of the same events under other names share it; every measure equals the one from the condition's own
    fresh run of its whole duration (as the runner did before)."""
    from drive_atlas.assays.measures import measure_value
    from drive_atlas.assays.runner import conditions_of, measure_id, plan_jobs, plan_simulations
    from drive_atlas.drive import simulate

    mini = mini_atlas["mini"]
    long = Assay.model_validate({
        "id": "step_latency", "citation": ["cowley2003"], "phenomenon": "AgRP neurons follow a ghrelin step",
        "duration": "2 s",
        "conditions": {"fed": {"protocol": "baseline"}, "fasted": {"protocol": "fasted"}, "step": {"protocol": "ghrelin_step"}},
        "measure": {"kind": "latency", "population": "agrp", "change": "rise", "window": ["1 s", "1.55 s"]},
        "expect": {"kind": "increase", "conditions": ["step", "fed"]},
    })
    short = Assay.model_validate({
        "id": "short", "citation": ["cowley2003"], "phenomenon": "the same, read over the first second",
        "duration": "1 s",
        "conditions": {"fasted": {"protocol": "fasted"}, "fasted_by_event": {
            "protocol": "baseline", "events": [{"type": "input", "input": "ghrelin", "level": "5 nM", "at": "0 s"}]}},
        "measure": {"kind": "drive", "window": ["0.2 s", "0.75 s"]},
        "expect": {"kind": "no_change", "conditions": ["fasted", "fasted_by_event"], "value": 0.5},
    })
    seeds = (1, 2)
    jobs = plan_jobs(mini, [long, short], seeds)
    simulations = plan_simulations(mini, jobs)
    assert (len(jobs), len(simulations)) == (10, 6)  # fasted 1 s and 2 s and the renamed fasted share a run per seed
    assert {s.duration for s in simulations} == {1600.0}  # windows end at 1.55 s: the last 0.4 s is never read
    run = {r.assay.id: r for r in run_assays(mini, mini_atlas, [long, short], seeds=seeds).results}
    for assay in (long, short):
        for name, condition in conditions_of(mini, assay).items():
            fresh = [measure_value(assay.measure, simulate(mini, condition.protocol, atlas=mini_atlas, events=condition.events,
                                                            duration=condition.duration, seed=s).tables()) for s in seeds]
            np.testing.assert_array_equal(run[assay.id].values[name], fresh, err_msg=f"{assay.id}/{name}")
    assert measure_id(long.measure) != measure_id(short.measure)
