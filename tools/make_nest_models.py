"""Regenerate drive_atlas/spec/nest_models.json from the installed NEST.

The spec layer checks model and parameter names against this file so that
validating a circuit never needs NEST itself; a test keeps it in step with NEST.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

READ_ONLY = {"archiver_length", "elementsize", "global_id", "model_id", "post_trace", "t_spike", "thread", "thread_local_id", "vp"}
OUT = Path(__file__).resolve().parents[1] / "drive_atlas" / "spec" / "nest_models.json"


def describe_nest() -> dict[str, object]:
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest

    nest.verbosity = nest.VerbosityLevel.ERROR
    neurons: dict[str, dict[str, object]] = {}
    for name in sorted(nest.node_models):
        defaults = nest.GetDefaults(name)
        if defaults.get("element_type") != "neuron" or "rate" in name:
            continue  # spiking neurons only: rate units do not emit spikes to record
        params = sorted(
            k for k, v in defaults.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in READ_ONLY
        )
        neurons[name] = {"params": params, "weights": "conductance" if "_cond_" in name else "current"}
    return {
        "nest_version": nest.__version__,
        "neurons": neurons,
        "synapses": sorted(nest.synapse_models),
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(describe_nest(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT}")
