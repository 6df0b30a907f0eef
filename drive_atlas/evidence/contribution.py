"""The audit on contribution: what ``drive-atlas check`` reports about the parts a change adds or alters.

Every new or changed population, receptor annotation, projection and ligand action is audited and listed. One the data
contradict is refused (an error) unless its evidence says why, that is, one of its model_assumption notes names
the data source it disagrees with (HypoMap, Allen or GtoPdb), so a disagreement is argued, never unnoticed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..atlas import Atlas
from ..atlas.history import HistoryError, git
from ..spec import Circuit, SpecValidationError, parse_yaml_text
from ..spec.units import parse_quantity
from ..versioning.rules import Finding, changed_since
from .audit import Verdict, audit_circuit, audit_ligands
from .data import ReferenceData


def _population_keys(circuit: Circuit | None) -> dict[str, Any]:
    if circuit is None:
        return {}
    return {f"{circuit.id}/{p.id}": (p.region, tuple(p.markers), p.transmitter) for p in circuit.populations}


def _receptor_keys(circuit: Circuit | None) -> dict[str, Any]:
    if circuit is None:
        return {}
    return {f"{circuit.id}/{p.id}:{r.receptor}": (r.gain, r.effect) for p in circuit.populations for r in p.receptors}


def _projection_keys(circuit: Circuit | None) -> dict[str, Any]:
    if circuit is None:
        return {}
    return {f"{circuit.id}/{p.id}": (p.source, p.target, p.sign) for p in circuit.projections}


def changed_parts(old: Circuit | None, new: Circuit) -> set[str]:
    """Populations, receptor annotations and projections of ``new`` that ``old`` lacks or has with other values."""
    out = set()
    for keys in (_population_keys, _receptor_keys, _projection_keys):
        before, after = keys(old), keys(new)
        out |= {k for k, v in after.items() if before.get(k) != v}
    return out


def _actions_at(atlas: Atlas, commit: str) -> dict[str, Any]:
    """The catalog's ligand actions at a commit, read as plain YAML: part name -> (action, efficacy, potency)."""
    top = Path(git(atlas.root, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    folder = (atlas.root.resolve() / "neuropeptides").relative_to(top).as_posix()
    names = git(top, "ls-tree", "--name-only", f"{commit}:{folder}").decode().split()
    actions: dict[str, Any] = {}
    for name in names:
        if not name.endswith(".yaml") or name == "receptors.yaml":
            continue
        try:
            data = parse_yaml_text(git(top, "show", f"{commit}:{folder}/{name}").decode("utf-8"), Path(folder) / name).data
        except (HistoryError, SpecValidationError, UnicodeDecodeError):
            continue
        if not isinstance(data, dict):
            continue
        for action in data.get("actions") or []:
            if isinstance(action, dict):
                actions[f"{data.get('id')}>{action.get('receptor')}"] = (
                    action.get("action"), str(action.get("efficacy")), str(action.get("potency")))
    return actions


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _potency(text: str) -> float | None:
    try:
        return parse_quantity(text, ("concentration",))
    except ValueError:
        return None


def changed_actions(atlas: Atlas, commit: str) -> set[str]:
    """Ligand actions added since ``commit`` or whose action, efficacy or potency changed."""
    before = _actions_at(atlas, commit)
    now = {f"{lig.id}>{a.receptor}": a for lig in atlas.ligands.values() for a in lig.actions}
    changed = set()
    for part, action in now.items():
        old = before.get(part)
        if old is None or old[0] != action.action or _number(old[1]) != action.efficacy or _potency(old[2]) != action.potency:
            changed.add(part)
    return changed


def audit_since(atlas: Atlas, base: str) -> list[Finding]:
    """Findings for the parts changed since ``base`` (its merge base with HEAD): circuits and the catalog."""
    try:
        ref = ReferenceData.load(atlas.root / "data")
    except SpecValidationError as exc:
        return [Finding("notice", "data", f"no audit: {exc.errors[0].message}")]
    commit, changes, _ = changed_since(atlas, base)
    verdicts: list[Verdict] = []
    for change in changes:
        if change.new is None:
            continue
        old, new = (change.old.circuit if change.old else None), change.new.circuit
        parts = changed_parts(old, new)
        verdicts += [v for v in audit_circuit(new, atlas, ref) if v.part in parts]
    try:
        parts = changed_actions(atlas, commit)
    except HistoryError as exc:
        return [_finding(v) for v in verdicts] + [Finding("notice", "neuropeptides", f"ligand actions not audited: {exc}")]
    verdicts += [v for v in audit_ligands(atlas, ref) if v.part in parts]
    return [_finding(v) for v in verdicts]


def _finding(verdict: Verdict) -> Finding:
    refused = verdict.status == "contradicted" and "explained" not in verdict.data
    message = f"audit {verdict.status.replace('_', ' ')}: {verdict.reason}"
    if refused:
        message += ("; the data contradict this new or changed part: fix it, or say why in its evidence "
                    "(a model_assumption note naming the data source)")
    return Finding("error" if refused else "notice", verdict.part, message)
