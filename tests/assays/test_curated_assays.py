"""One test per curated assay, so a failing phenomenon names itself in CI.

Every simulation behind every curated assay, behaviour assays (closed-loop scripts
of the interface) included, runs once, spread over a local Dask cluster of one
single-threaded worker per core (the battery of ``drive-atlas test``, without its
cache: CI judges fresh runs). Each test then reads its own verdict.
"""

from __future__ import annotations

import os

import pytest

from drive_atlas.assays import DEFAULT_SEEDS, AssayResult, AssayRun
from drive_atlas.atlas import Atlas, default_root

_CIRCUITS = list(Atlas.load(default_root(), strict=False))
CURATED = [(c.id, a.id) for c in _CIRCUITS for a in c.assays] + [(c.id, a.id) for c in _CIRCUITS for a in c.behaviour_assays]


@pytest.fixture(scope="session")
def assay_runs(atlas: Atlas) -> dict[str, AssayRun]:
    from drive_atlas.sweeps.battery import run_battery

    ids = sorted({c for c, _ in CURATED})
    selection = [(atlas[i], [*atlas[i].assays, *atlas[i].behaviour_assays]) for i in ids]
    return run_battery(selection, atlas, DEFAULT_SEEDS, None, workers=os.cpu_count() or 1).runs


def _result(runs: dict[str, AssayRun], circuit_id: str, assay_id: str) -> AssayResult:
    return next(r for r in runs[circuit_id].results if r.assay.id == assay_id)


@pytest.mark.slow
@pytest.mark.parametrize(("circuit_id", "assay_id"), CURATED, ids=[f"{c}::{a}" for c, a in CURATED])
def test_curated_assay(assay_runs: dict[str, AssayRun], circuit_id: str, assay_id: str) -> None:
    result = _result(assay_runs, circuit_id, assay_id)
    detail = (f"{result.assay.phenomenon} ({', '.join(result.assay.citation)}): expected {result.verdict.statement}; "
              f"effect 95% CI {', '.join(map(str, result.verdict.intervals))}")
    if result.status == "xfail":
        pytest.xfail(f"known gap: {result.assay.expected_failure}; {detail}")
    assert result.status in {"pass", "xpass"}, detail


def test_every_curated_circuit_has_assays(atlas: Atlas) -> None:
    assert {c for c, _ in CURATED} >= {"hunger", "pain", "social_reward", "thirst", "thermoregulation", "threat", "parental_care"}
