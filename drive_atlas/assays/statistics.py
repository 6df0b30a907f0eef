"""Judging an expectation on the 95% confidence interval over seeds, never on one lucky seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..spec.circuit import Expectation

RATIO_FLOOR = 1e-9


@dataclass(frozen=True)
class Interval:
    mean: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.mean:.3g} [{self.low:.3g}, {self.high:.3g}]"


@dataclass(frozen=True)
class Verdict:
    passed: bool
    effect: str          # what the CI is of: 'ratio', 'difference', 'value', 'steps'
    intervals: list[Interval]
    statement: str       # the expectation in words, with its bound


def confidence_interval(samples: np.ndarray, level: float = 0.95) -> Interval:
    """Student-t interval of the mean; a single sample gives a zero-width interval."""
    samples = np.asarray(samples, dtype=float)
    mean = float(np.mean(samples))
    if len(samples) < 2 or np.allclose(samples, mean):
        return Interval(mean, mean, mean)
    half = float(stats.t.ppf(0.5 + level / 2, len(samples) - 1) * stats.sem(samples))
    return Interval(mean, mean - half, mean + half)


def judge(expect: Expectation, values: dict[str, np.ndarray]) -> Verdict:
    """Apply an expectation to per-condition arrays of per-seed values (seeds paired by position)."""
    names = expect.conditions
    kind, bound = expect.kind, expect.value
    if kind in {"ratio_at_least", "ratio_at_most", "no_change"}:
        ci = confidence_interval(values[names[0]] / np.maximum(np.abs(values[names[1]]), RATIO_FLOOR))
        if kind == "ratio_at_least":
            return Verdict(ci.low >= bound, "ratio", [ci], f"{names[0]}/{names[1]} >= {bound:g}")
        if kind == "ratio_at_most":
            return Verdict(ci.high <= bound, "ratio", [ci], f"{names[0]}/{names[1]} <= {bound:g}")
        return Verdict(1 - bound <= ci.low and ci.high <= 1 + bound, "ratio", [ci], f"{names[0]}/{names[1]} within 1 ± {bound:g}")
    if kind in {"increase", "decrease"}:
        ci = confidence_interval(values[names[0]] - values[names[1]])
        passed = ci.low > 0 if kind == "increase" else ci.high < 0
        return Verdict(passed, "difference", [ci], f"{names[0]} - {names[1]} {'>' if kind == 'increase' else '<'} 0")
    if kind.startswith("monotonic"):
        steps = [confidence_interval(values[b] - values[a]) for a, b in zip(names, names[1:])]
        rising = kind == "monotonic_increasing"
        passed = all(s.low > 0 for s in steps) if rising else all(s.high < 0 for s in steps)
        return Verdict(passed, "steps", steps, (" < " if rising else " > ").join(names))
    ci = confidence_interval(values[names[0]])
    if kind == "at_most":
        return Verdict(ci.high <= bound, "value", [ci], f"{names[0]} <= {bound:g}")
    if kind == "at_least":
        return Verdict(ci.low >= bound, "value", [ci], f"{names[0]} >= {bound:g}")
    if kind == "within":
        return Verdict(-bound <= ci.low and ci.high <= bound, "value", [ci], f"{names[0]} within 0 ± {bound:g}")
    return Verdict(ci.high < bound, "value", [ci], f"{names[0]} < {bound:g}")
