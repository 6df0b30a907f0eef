"""The background and resolution a circuit chooses (real NEST, small and short).

The fast representation must keep what the default one guarantees: a seed fixes
the result, and the chunked loop without modulation is one plain simulation.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from drive_atlas.sim import RunOptions, run_circuit
from drive_atlas.sim.compiler import CompileError, compile_circuit
from drive_atlas.spec.circuit import BackgroundEvents, Circuit, PairwiseBernoulli, Simulation

from .test_network import assert_chunked_equals_single, same_spikes, spikes_of

EVIDENCE = [{"kind": "model_assumption", "note": "representation chosen for speed"}]


def fast(circuit: Circuit, resolution: str = "0.5 ms", generator: str = "poisson_generator_ps", thinning: int = 4) -> Circuit:
    events = BackgroundEvents(generator=generator, thinning=thinning)
    return circuit.model_copy(update={
        "simulation": Simulation(resolution=resolution, evidence=EVIDENCE),
        "populations": [p.model_copy(update={"background": p.background.model_copy(update={"events": events})})
                        if p.background else p for p in circuit.populations],
    })


def on_whole_ms(circuit: Circuit) -> Circuit:
    """The fixture's 1.5 ms delay moved to 2 ms, so the circuit can run at 1 ms steps (as hunger's did)."""
    return circuit.model_copy(update={"projections": [pr.model_copy(update={"delay": float(math.ceil(pr.delay))})
                                                      for pr in circuit.projections]})


# the curated circuits' representations: 0.5 ms thinned 4x, and 1 ms thinned 8x (since the 1 ms step)
REPRESENTATIONS = [("0.5 ms", 4), ("1 ms", 8)]


@pytest.mark.parametrize("resolution, thinning", REPRESENTATIONS)
def test_fast_representation_chunked_equals_single_simulate(mini, mini_atlas, resolution, thinning):
    circuit = fast(on_whole_ms(mini), resolution, thinning=thinning)
    step = circuit.simulation.resolution
    chunked, network = assert_chunked_equals_single(circuit, mini_atlas, seed=5, duration=1000.0, chunk=50.0)
    assert network.nest.resolution == step
    assert chunked.annotations["resolution_ms"] == step


@pytest.mark.parametrize("resolution, thinning", REPRESENTATIONS)
def test_fast_representation_seed_fixes_the_result(mini, mini_atlas, resolution, thinning):
    circuit = fast(on_whole_ms(mini), resolution, thinning=thinning)
    a, b, c = (run_circuit(circuit, mini_atlas, "fasted", duration=500.0, options=RunOptions(seed=s)) for s in (7, 7, 8))
    assert same_spikes(spikes_of(a), spikes_of(b)) and np.array_equal(a.rates, b.rates)
    assert not same_spikes(spikes_of(a), spikes_of(c))


def test_a_curated_circuit_at_the_coarsest_step_chunks_as_one_run(atlas):
    """The curated representation itself (not the fixture's): the smallest curated circuit at the coarsest step."""
    curated = [c for c in atlas if c.status == "curated"]
    coarsest = max(c.simulation.resolution for c in curated if c.simulation)
    circuit = min((c for c in curated if c.simulation and c.simulation.resolution == coarsest),
                  key=lambda c: sum(p.size for p in c.populations))
    chunked, _ = assert_chunked_equals_single(circuit, atlas, seed=3, duration=300.0, chunk=100.0)
    assert chunked.annotations["resolution_ms"] == coarsest


def test_thinning_keeps_mean_and_variance_of_the_input_current(mini):
    pop = next(p for p in mini.populations if p.background)
    k = 4
    network = compile_circuit(fast(mini, thinning=k), seed=1)
    nodes = network.populations[pop.id]
    tau = nodes[0].get("tau_syn_ex")
    rate, weight = pop.background.rate, pop.background.weight
    nest = network.nest
    generators = nest.GetNodes({"model": "poisson_generator_ps"})
    assert len(generators) == sum(1 for p in mini.populations if p.background)
    conn = nest.GetConnections(source=generators, target=nodes[:1])
    assert len(conn) == 1
    thinned_rate, thinned_weight = nest.NodeCollection([conn.source]).get("rate"), conn.weight
    mean = thinned_rate / 1000 * thinned_weight * tau + nodes[0].get("I_e")
    assert mean == pytest.approx(rate / 1000 * weight * tau)  # pA
    assert thinned_rate * thinned_weight**2 == pytest.approx(rate * weight**2)  # variance ~ rate * w^2


def test_default_representation_is_unchanged(mini):
    network = compile_circuit(mini, seed=1)
    assert network.nest.resolution == pytest.approx(0.1)
    pop = next(p for p in mini.populations if p.background)
    assert network.populations[pop.id][0].get("I_e") == 0.0


def test_delay_off_the_resolution_grid_is_refused(mini):
    circuit = fast(mini, resolution="0.4 ms")
    with pytest.raises(CompileError, match=r"delay 1.5 ms .*simulation\.resolution"):
        compile_circuit(circuit)


def test_thinning_refuses_a_conductance_model(mini):
    circuit = fast(mini)
    pop = next(p for p in circuit.populations if p.background)
    cond = pop.model_copy(update={"neuron": pop.neuron.model_copy(update={"model": "iaf_cond_exp"})})
    circuit = circuit.model_copy(update={"populations": [cond if p.id == pop.id else p for p in circuit.populations]})
    with pytest.raises(CompileError, match="thinning"):
        compile_circuit(circuit)


def at_scale(circuit: Circuit, scale: float) -> Circuit:
    simulation = circuit.simulation or Simulation(evidence=EVIDENCE)
    return circuit.model_copy(update={"simulation": simulation.model_copy(update={"population_scale": scale})})


def test_population_scale_runs_that_fraction_of_each_population_with_every_in_degree_kept(mini):
    circuit = at_scale(mini, 0.3)
    network = compile_circuit(circuit, seed=1)
    for pop in circuit.populations:
        assert len(network.populations[pop.id]) == max(1, round(0.3 * pop.size)) < pop.size
    by_indegree = [pr for pr in circuit.projections if pr.connection.rule == "fixed_indegree"]
    assert by_indegree
    for pr in by_indegree:
        sources, targets = network.projections[pr.id]
        per_target = network.nest.GetConnections(source=sources, target=targets[:1])
        assert len(per_target) == pr.connection.indegree  # each neuron keeps its inputs
    assert network.sizes.tolist() == [len(network.populations[p.id]) for p in circuit.populations]


def test_a_scaled_run_reports_rates_per_neuron_run_and_chunks_as_one_run(mini, mini_atlas):
    circuit = at_scale(on_whole_ms(fast(mini, "1 ms", thinning=8)), 0.5)
    chunked, _ = assert_chunked_equals_single(circuit, mini_atlas, seed=4, duration=1000.0, chunk=100.0)
    assert chunked.annotations["population_scale"] == 0.5
    for i, pop in enumerate(circuit.populations):
        times, neurons = chunked.spikes[pop.id]
        run = round(0.5 * pop.size)
        assert neurons.max() < run
        assert chunked.rates[:, i].sum() * 0.1 * run == pytest.approx(len(times), abs=0.02 * len(times) + 5)
    block = chunked.to_block()
    assert [t.annotations["size"] for t in block.segments[0].spiketrains] == [round(0.5 * p.size) for p in circuit.populations]


def test_a_scale_that_would_shrink_each_neurons_inputs_is_refused(mini):
    first = mini.projections[0].model_copy(update={"connection": PairwiseBernoulli(rule="pairwise_bernoulli", p=0.1)})
    circuit = mini.model_copy(update={"projections": [first, *mini.projections[1:]]})
    compile_circuit(circuit, seed=1)  # at full size the rule is fine
    with pytest.raises(CompileError, match=rf"projection {first.id!r} connects by pairwise_bernoulli.*population_scale of 0.5"):
        compile_circuit(at_scale(circuit, 0.5))
