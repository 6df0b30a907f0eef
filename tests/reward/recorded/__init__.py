"""Live (NEST) runs of a curated circuit's reward at rest, recorded once for the module fidelity tests.

A fresh network held at a body state for a minute, events off: per step the live drive and reward. The file
names the circuit's content hash; loading refuses a recording of another version. Re-record after changing
the circuit (about a minute of NEST per state):

    python -m tests.reward.recorded social_reward
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from drive_atlas.atlas import Atlas
from drive_atlas.spec import content_hash

HERE = Path(__file__).parent
SECONDS, DT, SEED = 60.0, 0.25, 7


def load_rest(atlas: Atlas, ref: str) -> dict:
    """The recorded rest runs of ``ref``: {"dt", "runs": [{"state": {...}, "drive": [...], "reward": [...]}]}."""
    data = json.loads((HERE / f"{ref}_rest.json").read_text(encoding="utf-8"))
    if data["content_hash"] != content_hash(atlas.entry(ref).runnable):
        raise ValueError(f"{ref}_rest.json recorded another version of {ref}: re-record with python -m tests.reward.recorded {ref}")
    return data


def record_rest(ref: str) -> None:
    """Hold a fresh network at the low and the high end of the first body state for SECONDS, and write the runs."""
    from drive_atlas.reward.calibrate import run_schedule
    from drive_atlas.reward.interface import InterfaceMaps, interface_of
    from drive_atlas.reward.live import LiveRewardFunction

    atlas = Atlas.load()
    circuit = atlas.entry(ref).runnable
    maps = InterfaceMaps.of(interface_of(circuit))
    runs = []
    for value in (maps.states[0].low, maps.states[0].high):
        state = {**maps.initial_state(), maps.states[0].id: value}
        schedule = [(state, {e: 0.0 for e in maps.event_ids})] * int(SECONDS / DT)
        trace = run_schedule(LiveRewardFunction(circuit, atlas, seed=SEED, settle=1.0, dt=DT), schedule, DT)
        runs.append({"state": state, "drive": np.round(trace.drives, 5).tolist(), "reward": np.round(trace.rewards, 5).tolist()})
    out = {"circuit": ref, "version": circuit.version, "content_hash": content_hash(circuit), "seed": SEED, "dt": DT,
           "settle": 1.0, "runs": runs}
    (HERE / f"{ref}_rest.json").write_text(json.dumps(out) + "\n", encoding="utf-8")
