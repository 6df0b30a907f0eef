"""Robustness: how much of the curated parameters' neighbourhood keeps each assay passing, and why not.

Every sample scales each chosen parameter by a factor in [1 - fraction, 1 + fraction]
(Latin hypercube by default) and runs the circuit's assays over the same seeds; the
curated point itself runs too. Per assay we report the fraction of samples passing
and, per parameter, how strongly the verdict depends on it.

The summary JSON for the web app is written to ``<root>/.drive-atlas-cache/robustness/<id>.json``
(the samples table next to it as ``<id>.parquet``); see ``summary_path``.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..atlas import cache
from ..sim import Catalog as AnyCatalog
from ..spec import content_hash
from ..spec.circuit import Circuit
from .params import current_value, curated_parameters, relative_samples
from .runner import SweepOutcome, run_sweep
from .tasks import STATUS, TaskOptions

ROBUSTNESS_SEEDS = (1, 2, 3)  # fewer than a full assay run: hundreds of samples, and the design averages over them


def summary_path(root: Path, circuit_id: str) -> Path:
    """Where the web app finds a circuit's robustness summary."""
    return cache.summary_path(root, "robustness", circuit_id)


@dataclass
class RobustnessReport:
    summary: dict[str, Any]
    sweep: SweepOutcome


def sensitivity(values: np.ndarray, outcome: np.ndarray) -> float | None:
    """Pearson correlation of a parameter's sampled values with an outcome; None when either does not vary.

    With a binary outcome (pass = 1, fail = 0) this is the point-biserial correlation,
    r = (mean x | pass - mean x | fail) / sd(x) * sqrt(p (1 - p)): a difference of means
    normalised by the parameter's spread, so parameters with different units compare.
    Under a Latin hypercube the parameters are sampled independently and evenly, so r
    is not confounded by the other parameters and r^2 is the share of the verdict's
    variance explained linearly by this parameter alone, a linear estimate of its
    first-order Sobol index, from the same samples and without fitting a model. Its
    sign says which way helps: positive means larger values pass more often.
    It misses effects that are not monotonic within the band (e.g. passing only near
    the curated value), which the effect correlation beside it partly reveals.
    """
    values, outcome = np.asarray(values, dtype=float), np.asarray(outcome, dtype=float)
    keep = np.isfinite(values) & np.isfinite(outcome)
    values, outcome = values[keep], outcome[keep]
    if len(values) < 3 or np.ptp(values) == 0 or np.ptp(outcome) == 0:
        return None
    return float(np.corrcoef(values, outcome)[0, 1])


def robustness(
    circuit: Circuit,
    catalog: AnyCatalog,
    out: Path,
    *,
    fraction: float = 0.2,
    samples: int = 64,
    paths: Sequence[str] | None = None,
    seeds: Sequence[int] = ROBUSTNESS_SEEDS,
    design: str = "lhs",
    sample_seed: int = 0,
    options: TaskOptions = TaskOptions(assays=True),
    **sweep: Any,
) -> RobustnessReport:
    """Sample, run the assays per sample on Dask (``sweep``: client / scheduler / workers / progress), summarise.

    The samples table goes to ``out`` (Parquet); the summary is returned, for the caller to save.
    """
    if not circuit.assays:
        raise ValueError(f"circuit {circuit.id!r} has no assays to judge robustness by")
    paths = list(paths or curated_parameters(circuit))
    curated = {p: current_value(circuit, p) for p in paths}
    points = [curated] + relative_samples(circuit, paths, fraction, samples, design=design, seed=sample_seed)
    options = TaskOptions(**{**options.__dict__, "assays": True, "assay_seeds": tuple(seeds)})
    outcome = run_sweep(circuit, catalog, points, out, options, **sweep)
    summary = {
        "circuit": circuit.id, "version": circuit.version, "content_hash": content_hash(circuit),
        "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "fraction": fraction, "samples": samples, "design": design, "sample_seed": sample_seed, "seeds": list(seeds),
        "parameters": [{"path": p, "curated": v} for p, v in curated.items()],
        "sensitivity_measure": "point-biserial correlation between the parameter and passing (see sensitivity())",
        "failed_samples": outcome.failed, "table": str(out),
        "assays": _assays(outcome.table, paths),
    }
    return RobustnessReport(summary, outcome)


def _assays(table: pd.DataFrame, paths: list[str]) -> list[dict[str, Any]]:
    """Per assay: pass fraction over the samples that ran, the curated point's status, parameters ranked."""
    at_curated, rows = table.iloc[:1], table.iloc[1:]
    rows = rows[rows[STATUS] == "ok"]
    names = [c.removesuffix(":passed") for c in table.columns if c.startswith("assay:") and c.endswith(":passed")]
    report = []
    for name in names:
        passed = rows[f"{name}:passed"].astype(float).to_numpy()
        ranked = [{"parameter": p, "point_biserial": sensitivity(rows[p].to_numpy(), passed),
                   "effect_correlation": sensitivity(rows[p].to_numpy(), rows[f"{name}:effect"].to_numpy())} for p in paths]
        ranked.sort(key=lambda r: (-abs(r["point_biserial"] or 0.0), -abs(r["effect_correlation"] or 0.0)))
        report.append({
            "assay": name.removeprefix("assay:"), "evaluated": int(len(passed)), "passed": int(passed.sum()),
            "pass_fraction": float(passed.mean()) if len(passed) else None,
            "curated_status": at_curated[name].iloc[0] if name in at_curated and at_curated[STATUS].iloc[0] == "ok" else None,
            "sensitivity": ranked,
        })
    return report


def write_summary(summary: dict[str, Any], path: Path) -> Path:
    return cache.write_summary(Path(path), summary)
