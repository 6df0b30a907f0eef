"""The benchmark network in Brian2 or in PyNN on NEST, for bench_scale.py.

Run by an interpreter that has the simulator (it needs no Drive Atlas):

    python other_simulators.py brian2 NETWORK.json
    python other_simulators.py pynn NETWORK.json

NETWORK.json (written by bench_scale.py) holds the scaled circuit as plain numbers, in the
circuit's own representation: the resolution, populations (size, NEST iaf_psc_exp
parameters with a thinned background's mean current already in I_e, the background's
Poisson rate and weight as NEST receives them, i.e. after thinning) and fixed in-degree
projections (signed weight in pA, delay in ms). The model is NEST's iaf_psc_exp (PyNN's
IF_curr_exp): exponential synaptic currents, excitatory and inhibitory, at the circuit's
resolution, multapses allowed as in NEST.

* Brian2 (cython runtime): background input is a PoissonInput (one binomial draw per
  neuron and step; 100 sources at rate/100, so the count per step is Poisson to within
  0.05%): the same per-target Poisson counts per step that NEST's poisson_generator or
  poisson_generator_ps deliver to a grid-based neuron such as iaf_psc_exp.
* PyNN: background input is one SpikeSourcePoisson per neuron, connected one to one.

The run is split in two halves; for Brian2 the first includes code generation and
compilation. Prints one JSON line: build, first_half, second_half, spikes, peak_mb.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np

IAF_PSC_EXP = {"C_m": 250.0, "tau_m": 10.0, "t_ref": 2.0, "E_L": -70.0, "V_th": -55.0, "V_reset": -70.0,
               "tau_syn_ex": 2.0, "tau_syn_in": 2.0, "I_e": 0.0}  # NEST 3.10 defaults (pF, ms, mV, pA)
EQUATIONS = """
dv/dt = -(v - E_L) / tau_m + (I_ex + I_in + I_e) / C_m : volt (unless refractory)
dI_ex/dt = -I_ex / tau_syn_ex : amp
dI_in/dt = -I_in / tau_syn_in : amp
"""
BACKGROUND_SOURCES = 100


def build_brian2(network: dict):  # type: ignore[no-untyped-def]
    """The NeuronGroups, inputs, synapses and spike monitors in a Brian2 Network; returns run(ms) and a spike count."""
    import brian2 as b2

    b2.prefs.codegen.target = "cython"
    b2.BrianLogger.log_level_error()
    b2.defaultclock.dt = network["resolution_ms"] * b2.ms
    rng = np.random.default_rng(network["seed"])
    b2.seed(network["seed"])
    groups, objects = {}, []
    units = {"C_m": b2.pF, "tau_m": b2.ms, "t_ref": b2.ms, "E_L": b2.mV, "V_th": b2.mV, "V_reset": b2.mV,
             "tau_syn_ex": b2.ms, "tau_syn_in": b2.ms, "I_e": b2.pA}
    for pop in network["populations"]:
        p = {**IAF_PSC_EXP, **pop["params"]}
        namespace = {k: v * units[k] for k, v in p.items() if k != "t_ref"}
        group = b2.NeuronGroup(pop["size"], EQUATIONS, threshold="v > V_th", reset="v = V_reset",
                               refractory=p["t_ref"] * b2.ms, method="exact", namespace=namespace, name=f"pop_{pop['id']}")
        group.v = p["E_L"] * b2.mV
        groups[pop["id"]] = group
        objects += [group, b2.SpikeMonitor(group)]
        if pop["background_rate"]:
            objects.append(b2.PoissonInput(group, "I_ex", BACKGROUND_SOURCES, pop["background_rate"] / BACKGROUND_SOURCES * b2.Hz,
                                           weight=pop["background_weight"] * b2.pA))
    for k, pr in enumerate(network["projections"]):
        source, target = groups[pr["source"]], groups[pr["target"]]
        current = "I_ex" if pr["weight"] > 0 else "I_in"
        synapses = b2.Synapses(source, target, on_pre=f"{current}_post += {pr['weight']} * pA", delay=pr["delay"] * b2.ms, name=f"proj_{k}")
        sources = rng.integers(0, len(source), size=(len(target), pr["indegree"]))  # fixed in-degree, multapses allowed as in NEST
        synapses.connect(i=sources.reshape(-1), j=np.repeat(np.arange(len(target)), pr["indegree"]))
        objects.append(synapses)
    net = b2.Network(*objects)
    monitors = [o for o in objects if isinstance(o, b2.SpikeMonitor)]
    return lambda ms: net.run(ms * b2.ms), lambda: int(sum(m.num_spikes for m in monitors))


def build_pynn(network: dict):  # type: ignore[no-untyped-def]
    """The populations, Poisson sources and projections in PyNN on NEST; returns run(ms) and a spike count."""
    import pyNN.nest as sim

    step = network["resolution_ms"]
    sim.setup(timestep=step, min_delay=step, rng_seed=network["seed"])
    rng = sim.NumpyRNG(seed=network["seed"])
    pops = {}
    for pop in network["populations"]:
        p = {**IAF_PSC_EXP, **pop["params"]}
        cell = sim.IF_curr_exp(cm=p["C_m"] / 1000.0, tau_m=p["tau_m"], tau_refrac=p["t_ref"], v_rest=p["E_L"], v_thresh=p["V_th"],
                               v_reset=p["V_reset"], tau_syn_E=p["tau_syn_ex"], tau_syn_I=p["tau_syn_in"], i_offset=p["I_e"] / 1000.0)
        pops[pop["id"]] = group = sim.Population(pop["size"], cell, initial_values={"v": p["E_L"]}, label=pop["id"])
        group.record("spikes")
        if pop["background_rate"]:
            sources = sim.Population(pop["size"], sim.SpikeSourcePoisson(rate=pop["background_rate"]))
            sim.Projection(sources, group, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=pop["background_weight"] / 1000.0, delay=1.0), receptor_type="excitatory")
    for pr in network["projections"]:
        sim.Projection(pops[pr["source"]], pops[pr["target"]], sim.FixedNumberPreConnector(pr["indegree"], with_replacement=True, rng=rng),
                       sim.StaticSynapse(weight=pr["weight"] / 1000.0, delay=pr["delay"]),  # PyNN-NEST: inhibitory current weights negative
                       receptor_type="excitatory" if pr["weight"] > 0 else "inhibitory")

    def spikes() -> int:
        return int(sum(sum(len(t) for t in g.get_data("spikes", clear=False).segments[0].spiketrains) for g in pops.values()))

    return sim.run, spikes


BUILDERS = {"brian2": build_brian2, "pynn": build_pynn}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("simulator", choices=sorted(BUILDERS))
    parser.add_argument("network", type=argparse.FileType())
    args = parser.parse_args()
    network = json.load(args.network)
    started = time.perf_counter()
    run, spikes = BUILDERS[args.simulator](network)
    built = time.perf_counter()
    run(network["duration_ms"] / 2)  # Brian2 generates and compiles code here (cached for later processes)
    first = time.perf_counter()
    run(network["duration_ms"] / 2)
    done = time.perf_counter()
    print(json.dumps({"build": built - started, "first_half": first - built, "second_half": done - first, "spikes": spikes(),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
