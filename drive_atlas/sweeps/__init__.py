"""Parameter sweeps and robustness analysis of circuits, run as independent tasks on Dask.

``params`` addresses numbers in a circuit and builds value grids or samples;
``tasks`` turns one parameter point into one simulation or one assay run;
``runner`` distributes tasks over Dask workers and keeps results on disk as they
finish; ``robustness`` samples around the curated values and ranks which
parameters the assays' verdicts depend on. Sits beside ``assays``: imports spec,
sim, drive and assays, never cli or webapp.
"""

from .params import (
    SEED, Parameter, ParameterError, apply, check_paths, curated_parameters, current_value, grid, parameter_paths,
    parse_parameter, relative_samples,
)
from .robustness import RobustnessReport, robustness, sensitivity, summary_path, write_summary
from .runner import ResultStore, SweepOutcome, dask_client, run_sweep
from .tasks import Catalog, Task, TaskOptions, make_tasks, run_task

__all__ = [
    "SEED", "Catalog", "Parameter", "ParameterError", "ResultStore", "RobustnessReport", "SweepOutcome", "Task",
    "TaskOptions", "apply", "check_paths", "curated_parameters", "current_value", "dask_client", "grid", "make_tasks",
    "parameter_paths", "parse_parameter", "relative_samples", "robustness", "run_sweep", "run_task", "sensitivity",
    "summary_path", "write_summary",
]
