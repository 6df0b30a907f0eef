"""Per-seed comparison reports summarised over seeds: each measure's mean, least and most, per policy."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Spread:
    """A measure over seeds; ``missing`` counts seeds where it had nothing to condition on (None)."""

    mean: float
    low: float
    high: float
    missing: int = 0

    def __str__(self) -> str:
        text = f"{self.mean:.3g}" if self.low == self.high else f"{self.mean:.3g} [{self.low:.3g}, {self.high:.3g}]"
        return text + (f" ({self.missing} seeds none)" if self.missing else "")


def spread(values: Sequence[float | None]) -> Spread | None:
    """The spread of one measure's per-seed values; None when no seed has one."""
    present = [float(v) for v in values if v is not None]
    if not present:
        return None
    return Spread(float(np.mean(present)), min(present), max(present), len(values) - len(present))


def summarise(reports: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Spread | None]]:
    """policy -> measure -> spread over the reports (one per seed, as ``reward.train.compare`` writes them)."""
    if not reports:
        raise ValueError("no reports to summarise")
    policies = reports[0]["results"]
    return {policy: {measure: spread([r["results"][policy].get(measure) for r in reports])
                     for measure in policies[policy]}
            for policy in policies}
