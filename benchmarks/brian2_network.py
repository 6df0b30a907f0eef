"""The benchmark network in Brian2, for bench_scale.py (run by an interpreter that has Brian2; it needs no Drive Atlas).

    python brian2_network.py NETWORK.json [--target cython|numpy]

NETWORK.json (written by bench_scale.py) holds the scaled circuit as plain numbers:
populations (size, NEST iaf_psc_exp parameters, background Poisson rate and weight) and
fixed in-degree projections (signed weight in pA, delay in ms). The model is NEST's
iaf_psc_exp: exponential synaptic currents, excitatory and inhibitory, integrated
exactly at the same 0.1 ms resolution. Background input is Brian2's PoissonInput
(one binomial draw per neuron and step, here 100 sources at rate/100 so the count per
step is Poisson to within 0.05%). Prints one JSON line: build, simulate (first run,
code generation included, and a second run), spikes.
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


def build(network: dict, b2):  # type: ignore[no-untyped-def]
    """The NeuronGroups, inputs, synapses and spike monitors of the network, in a Brian2 Network."""
    b2.defaultclock.dt = 0.1 * b2.ms
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
    return b2.Network(*objects), [o for o in objects if isinstance(o, b2.SpikeMonitor)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("network", type=argparse.FileType())
    parser.add_argument("--target", choices=("cython", "numpy"), default="cython")
    args = parser.parse_args()
    network = json.load(args.network)
    started = time.perf_counter()
    import brian2 as b2

    b2.prefs.codegen.target = args.target
    b2.BrianLogger.log_level_error()
    net, monitors = build(network, b2)
    built = time.perf_counter()
    half = network["duration_ms"] / 2 * b2.ms
    net.run(half)  # the first run generates and compiles code (cached for later processes)
    first = time.perf_counter()
    net.run(half)
    done = time.perf_counter()
    print(json.dumps({"build": built - started, "first_half": first - built, "second_half": done - first,
                      "spikes": int(sum(m.num_spikes for m in monitors)),
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
