"""Background-input candidates on unconnected neurons: CPU cost and firing rates, side by side (not a test).

N ``iaf_psc_exp`` neurons (NEST defaults) receive the curated background (4 kHz of
40 pA spikes) in each candidate representation, with an extra constant current
of -60, 0 and +60 pA (the range the slow modulation spans), for 10 s biological
each. Printed per candidate: CPU seconds per biological second (this process's
CPU time, so a busy machine inflates it less than wall time) and the three rates,
which show how faithfully the candidate reproduces the reference (first row).

    python benchmarks/bench_background.py                # N = 1,750 (the curated circuits' size)
    python benchmarks/bench_background.py --neurons 10000

Candidates: per-target ``poisson_generator`` at 0.1 and 0.5 ms; ``poisson_generator_ps``;
thinning by k (rate/k spikes of weight w*sqrt(k), the lost mean as a constant current:
the current's mean and variance are kept); and the Gaussian (diffusion) approximation:
a ``noise_generator`` into the excitatory synapse (receptor 1), its mean and standard
deviation chosen so that NEST's sampled synaptic current has the mean, variance and
step-to-step correlation of the Poisson input's (an AR(1) process with coefficient
exp(-h/tau_syn) in both cases).
"""

from __future__ import annotations

import argparse
import math
import os
import time

os.environ.setdefault("PYNEST_QUIET", "1")

RATE, WEIGHT, TAU = 4000.0, 40.0, 2.0  # Hz, pA, ms (tau_syn_ex default)
OFFSETS = (-60.0, 0.0, 60.0)  # pA
CANDIDATES = [  # (label, resolution ms, kind, k)
    ("poisson_generator, 0.1 ms (reference)", 0.1, "poisson_generator", 1),
    ("poisson_generator, 0.5 ms", 0.5, "poisson_generator", 1),
    ("poisson_generator_ps, 0.5 ms", 0.5, "poisson_generator_ps", 1),
    ("poisson_generator thinned 4x, 0.5 ms", 0.5, "poisson_generator", 4),
    ("poisson_generator_ps thinned 4x, 0.5 ms (chosen)", 0.5, "poisson_generator_ps", 4),
    ("poisson_generator_ps thinned 8x, 0.5 ms", 0.5, "poisson_generator_ps", 8),
    ("noise_generator (Gaussian), 0.5 ms", 0.5, "gaussian", 1),
    ("no background, constant mean current, 0.5 ms", 0.5, "mean", 1),
]


def run(nest, neurons: int, h: float, kind: str, k: int, offset: float, seconds: float) -> tuple[float, float]:
    """(CPU seconds, mean rate in Hz) of one simulation."""
    nest.ResetKernel()
    nest.set(resolution=h, rng_seed=1, local_num_threads=1)
    mean = RATE / 1000 * WEIGHT * TAU  # pA
    lost = mean * (1 - 1 / math.sqrt(k)) if kind.startswith("poisson") else mean if kind == "mean" else 0.0
    pop = nest.Create("iaf_psc_exp", neurons, params={"I_e": offset + lost})
    if kind.startswith("poisson"):
        gen = nest.Create(kind, params={"rate": RATE / k})
        nest.Connect(gen, pop, syn_spec={"weight": WEIGHT * math.sqrt(k), "delay": 1.0})
    elif kind == "gaussian":
        a = math.exp(-h / TAU)
        per_step = RATE / 1000 * h  # spikes per step
        gen = nest.Create("noise_generator", params={"mean": per_step * WEIGHT / (1 - a),
                                                     "std": WEIGHT * math.sqrt(per_step) / (1 - a), "dt": h})
        nest.Connect(gen, pop, syn_spec={"receptor_type": 1, "delay": 1.0})
    recorder = nest.Create("spike_recorder")
    nest.Connect(pop, recorder)
    started = time.process_time()
    nest.Simulate(seconds * 1000)
    return time.process_time() - started, recorder.n_events / neurons / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--neurons", type=int, default=1750)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    import nest

    nest.verbosity = nest.VerbosityLevel.WARNING
    print(f"| candidate ({args.neurons} neurons) | CPU s per biological s | rate at {', '.join(f'{o:+g}' for o in OFFSETS)} pA (Hz) |")
    print("|---|---|---|")
    for label, h, kind, k in CANDIDATES:
        runs = [run(nest, args.neurons, h, kind, k, offset, args.seconds) for offset in OFFSETS]
        cpu = sum(c for c, _ in runs) / len(runs) / args.seconds
        print(f"| {label} | {cpu:.3f} | {', '.join(f'{r:.2f}' for _, r in runs)} |", flush=True)


if __name__ == "__main__":
    main()
