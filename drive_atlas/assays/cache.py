"""Measured values of assay simulations kept on disk, so a battery re-runs only what changed.

One small JSON file per simulation, named by the hash of everything that fixes its
result: the circuit's content hash, the condition (protocol, extra events, duration),
the seed, the engine (NEST version, threads, chunk) and the project's version. A
changed circuit, NEST or Drive Atlas therefore never meets an old value.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib.metadata import version
from pathlib import Path
from typing import Any

from .. import __version__
from .runner import Job


def engine() -> dict[str, str]:
    """What simulates: NEST's version and the project's (part of every key)."""
    return {"nest": version("nest-simulator"), "drive_atlas": __version__}


def job_key(content_hash: str, job: Job, options: dict[str, Any]) -> str:
    payload = {"circuit": content_hash, "condition": list(job.key), "measures": sorted(m.model_dump_json() for m in job.measures),
               "options": options, "engine": engine()}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:32]


class ResultCache:
    """``<dir>/<key>.json`` -> {measure id: value}; writes are atomic, unreadable entries count as missing."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def get(self, key: str) -> dict[str, float] | None:
        try:
            values = json.loads((self.directory / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return values if isinstance(values, dict) else None

    def put(self, key: str, values: dict[str, float]) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.directory / f"{key}.json"
        temporary = final.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(values), encoding="utf-8")
        temporary.replace(final)
