"""The versioning rules a contribution must keep, checked against a base revision.

``id@version`` is what results and exported reward modules record, so one
version must always mean one content: every content change bumps the version,
by the level the change needs (see :mod:`.diff`), with a changelog entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ..atlas import Atlas, CircuitEntry
from ..atlas.history import Revision, circuits_at, merge_base
from ..spec import Circuit, SpecError
from ..spec.common import semver_tuple
from .diff import LEVELS, Level, PartsOf, diff_circuits

Severity = Literal["error", "notice"]


@dataclass(frozen=True)
class Finding:
    severity: Severity
    where: str  # a circuit ref such as hunger@1.1.0, or file:line:column for a validation error
    message: str

    def __str__(self) -> str:
        return f"{self.severity}: {self.where}: {self.message}"


@dataclass(frozen=True)
class ChangedCircuit:
    """A circuit whose content differs from the base: added (no ``old``), removed (no ``new``) or modified."""

    circuit_id: str
    old: Revision | None
    new: CircuitEntry | None


@dataclass
class CheckReport:
    base: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)


# Runs a circuit's assays: id -> status for those that do not plainly pass (``fail``, or ``xfail`` for a
# recorded known gap). Assays sit above this layer, so the caller (the authoring service) passes the runner.
AssayRunner = Callable[[Circuit, Atlas], dict[str, str]]


def successor(version: str, level: Level) -> str:
    major, minor, patch = semver_tuple(version)
    return {"major": f"{major + 1}.0.0", "minor": f"{major}.{minor + 1}.0", "patch": f"{major}.{minor}.{patch + 1}"}[level]


def bump_level(old: str, new: str) -> Level | None:
    """The level of the step old -> new, or None when new is not one of old's three successors."""
    return next((level for level in LEVELS if successor(old, level) == new), None)


def check_change(old: Circuit | None, entry: CircuitEntry, atlas: Atlas, run_assays: AssayRunner) -> list[Finding]:
    """The rules for one circuit moving from ``old`` (None: a new circuit) to ``entry``, validated in ``atlas``."""
    new, ref = entry.circuit, entry.ref
    findings = []
    if new.version not in {e.version for e in new.changelog}:
        findings.append(Finding("error", ref, f"the changelog has no entry for version {new.version}"))
    if old is not None:
        findings += bump_findings(old, new, atlas.parts_of)
    if new.status == "curated" and (old is None or old.status != "curated"):
        findings += _curation_findings(ref, entry.runnable, atlas, run_assays)
    return findings


def bump_findings(old_circuit: Circuit, new_circuit: Circuit, parts_of: PartsOf | None = None) -> list[Finding]:
    """The version-bump rule: a content change needs the next version at the semantic diff's level.

    The one statement of the rule: ``drive-atlas check`` and every save (the web editor's
    included) judge a new version with it, so what saves passes CI.
    """
    d, old, new = diff_circuits(old_circuit, new_circuit, parts_of), old_circuit.version, new_circuit.version
    if d.old_hash == d.new_hash:
        return []
    required = d.level or "patch"
    why = "; ".join(c.path for c in d.changes if c.level == required)
    why = why if len(why) < 200 else why[:197] + "..."
    if old == new:
        return [Finding("error", d.new_ref, f"content changed ({why}) without a version bump: "
                        f"a {required} change, so bump to {successor(old, required)} and add a changelog entry")]
    step = bump_level(old, new)
    if step is None:
        nexts = ", ".join(f"{successor(old, level)} ({level})" for level in LEVELS)
        return [Finding("error", d.new_ref, f"{old} -> {new} is not the next version; choose one of {nexts}")]
    if LEVELS.index(step) < LEVELS.index(required):
        return [Finding("error", d.new_ref, f"a {required} change ({why}) cannot ship as a {step} bump: use {successor(old, required)}")]
    if step != required:
        return [Finding("notice", d.new_ref, f"a {step} bump for what the diff rates a {required} change")]
    return []


def _curation_findings(ref: str, runnable: Circuit, atlas: Atlas, run_assays: AssayRunner) -> list[Finding]:
    """Becoming curated needs every assay to pass (a curator is already required by validation)."""
    statuses = run_assays(runnable, atlas)
    failing = [a for a, status in statuses.items() if status == "fail"]
    gaps = [a for a, status in statuses.items() if status == "xfail"]
    findings = [Finding("notice", ref, f"curated with recorded known gaps (expected_failure): {', '.join(gaps)}")] if gaps else []
    if failing:
        findings.append(Finding("error", ref, f"status curated needs every assay to pass; failing: {', '.join(failing)}"))
    return findings


def changed_since(atlas: Atlas, base: str) -> tuple[str, list[ChangedCircuit], list[SpecError]]:
    """Circuits changed between ``base`` (its merge base with HEAD) and the working tree.

    Base files are read for their structure only, so a base circuit still diffs after the
    catalog changed under it; problems reading them come back as the third value.
    """
    commit = merge_base(atlas.root, base)
    before, unreadable = circuits_at(atlas.root, commit, None)
    changed = [
        ChangedCircuit(cid, before.get(cid), entry)
        for cid, entry in sorted(atlas.entries.items())
        if cid not in before or before[cid].content_hash != entry.content_hash
    ]
    present = {p.resolve() for p in atlas.circuit_files()}  # a file that is there but invalid is not removed
    changed += [ChangedCircuit(cid, old, None) for cid, old in sorted(before.items()) if cid not in atlas.entries and old.path.resolve() not in present]
    return commit, changed, unreadable


def check_against(atlas: Atlas, base: str, run_assays: AssayRunner) -> CheckReport:
    """Validation of the working tree plus the versioning rules for every circuit changed since ``base``.

    ``atlas`` should be loaded with ``strict=False`` so its validation errors arrive here as findings.
    """
    commit, changed, unreadable = changed_since(atlas, base)
    report = CheckReport(commit, [_located("error", e, "") for e in atlas.errors])
    report.findings += [_located("notice", e, "unreadable at the base, not compared: ") for e in unreadable]
    for change in changed:
        if change.new is not None:
            report.findings += check_change(change.old.circuit if change.old else None, change.new, atlas, run_assays)
        elif change.old is not None and change.old.circuit.status != "deprecated":
            ref = f"{change.circuit_id}@{change.old.circuit.version}"
            report.findings.append(Finding("error", ref, "a released circuit may be removed only after a release with status: deprecated"))
    return report


def _located(severity: Severity, error: SpecError, prefix: str) -> Finding:
    where = f"{error.file}:{error.line}:{error.column}"
    return Finding(severity, where, prefix + (f"{error.path}: {error.message}" if error.path else error.message))
