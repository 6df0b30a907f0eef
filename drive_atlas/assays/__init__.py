"""Assays: in-silico experiments that test circuits against phenomena reported in the literature.

Each assay runs two or more conditions over several seeds and passes only when
its expectation holds for the 95% confidence interval of the effect.
"""

from .measures import latency, measure_value
from .report import assay_report
from .runner import DEFAULT_SEEDS, AssayResult, AssayRun, run_assays
from .statistics import Interval, Verdict, confidence_interval, judge

__all__ = ["DEFAULT_SEEDS", "AssayResult", "AssayRun", "Interval", "Verdict", "assay_report", "confidence_interval",
           "judge", "latency", "measure_value", "run_assays"]
