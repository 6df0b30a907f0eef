"""Contribution workflow: semantic diff, versioning rules, scaffolding and schema migrations.

Sits above the atlas (it reads circuits, catalogs and git history) and below the authoring service,
which writes circuit files and passes in what lives higher up (the assay runner).
"""

from .diff import Change, CircuitDiff, diff_circuits
from .rules import ChangedCircuit, CheckReport, Finding, changed_since, check_against, check_change

__all__ = [
    "Change", "ChangedCircuit", "CheckReport", "CircuitDiff", "Finding", "changed_since", "check_against", "check_change", "diff_circuits",
]
