"""Semantic diff of two circuit versions: what was added, removed or changed, and how much it breaks.

Circuits are compared as their canonical JSON (units normalised, so ``20 pA``
and ``0.02 nA`` are equal), with lists of named things matched by name so a
reordering is not a change. Each change carries the semver level it needs; the
bump check (:mod:`.rules`) and the web app read the same structure.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from ..spec import Circuit, DriveAtlasError, content_hash
from ..spec.circuit import CombinedReadout
from ..spec.common import semver_tuple
from ..spec.composition import composed_readout

Level = Literal["patch", "minor", "major"]
LEVELS: tuple[Level, ...] = ("patch", "minor", "major")
Kind = Literal["added", "removed", "changed"]
FieldPath = tuple[str, ...]  # a location in the canonical JSON: ("populations", "agrp", "size")
PartsOf = Callable[[Circuit], list[Circuit]]  # the circuits a composite includes, at its pinned versions

# Lists whose items are matched by a key field; a pattern has "*" where a matched item's key goes.
KEYED_LISTS: dict[FieldPath, str] = {
    ("populations",): "id",
    ("populations", "*", "receptors"): "receptor",
    ("populations", "*", "releases"): "ligand",
    ("projections",): "id",
    ("inputs",): "id",
    ("inputs", "*", "targets"): "population",
    ("readout", "readouts"): "population",
    ("assays",): "id",
    ("interface", "states"): "id",
    ("interface", "events"): "id",
    ("interface", "states", "*", "maps"): "input",
    ("interface", "events", "*", "maps"): "input",
    ("curators",): "name",
    ("changelog",): "version",
}
NAMED_MAPS: set[FieldPath] = {("protocols",), ("includes",)}
# Values compared whole: their parts mean nothing on their own (a connection rule and its parameter).
LEAVES: set[str] = {"evidence", "connection", "events", "markers", "citation", "window", "conditions"}
SECTIONS = ("metadata", "includes", "populations", "projections", "inputs", "readout", "protocols", "assays", "interface", "curators", "changelog")

# The level rules; CONTRIBUTING.md ("Versioning rules") states them in prose.
BOOKKEEPING: set[FieldPath] = {("version",), ("schema_version",)}
MAJOR_FIELDS: set[FieldPath] = {("id",), ("drive",), ("inputs", "*", "kind"), ("readout", "reward", "drive_reduction")}
# Removing or renaming one of these breaks an exported reward module or a composite that includes the circuit.
BREAKING_WHEN_REMOVED: set[FieldPath] = {
    ("populations", "*"), ("inputs", "*"), ("includes", "*"), ("readout",), ("readout", "readouts", "*"),
    ("readout", "reward", "dopamine"), ("readout", "reward", "aversive"), ("interface",), ("interface", "states", "*"),
    ("interface", "events", "*"),
}
STRUCTURAL_SECTIONS = {"populations", "projections", "inputs", "readout", "protocols", "assays", "interface"}
STRUCTURAL_FIELDS: set[FieldPath] = {
    ("projections", "*", "source"), ("projections", "*", "target"), ("projections", "*", "sign"),
    ("populations", "*", "transmitter"), ("inputs", "*", "ligand"),
}


@dataclass(frozen=True)
class Change:
    """One difference. ``level`` is None for bookkeeping that a bump itself causes (version, its changelog entry)."""

    section: str
    path: str
    kind: Kind
    old: Any
    new: Any
    level: Level | None


@dataclass(frozen=True)
class CircuitDiff:
    old_ref: str
    new_ref: str
    old_hash: str
    new_hash: str
    changes: tuple[Change, ...]

    @property
    def level(self) -> Level | None:
        """The bump the changes need: the highest level among them."""
        levels = [c.level for c in self.changes if c.level is not None]
        return max(levels, key=LEVELS.index) if levels else None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "level": self.level}


def diff_circuits(old: Circuit, new: Circuit, parts_of: PartsOf | None = None) -> CircuitDiff:
    """Every semantic difference from ``old`` to ``new``, in section order.

    With ``parts_of`` (``Atlas.parts_of``), a composite's ``combine`` readout is compared as the readout it derives
    from its parts, so a changed channel rates as one whether it was written out or combined; without it (or when a
    part cannot be read), as written.
    """
    raw = _compare(_canonical(old, parts_of), _canonical(new, parts_of), (), ())
    changes = [Change(_section(p), ".".join(p), kind, o, n, _level(pattern, p, kind, o, n, new.version)) for p, pattern, kind, o, n in raw]
    changes.sort(key=lambda c: SECTIONS.index(c.section))
    return CircuitDiff(f"{old.id}@{old.version}", f"{new.id}@{new.version}", content_hash(old), content_hash(new), tuple(changes))


def _canonical(circuit: Circuit, parts_of: PartsOf | None) -> dict[str, Any]:
    data = circuit.model_dump(mode="json")
    data["includes"] = dict(ref.split("@") for ref in data["includes"])
    if parts_of is not None and isinstance(circuit.readout, CombinedReadout):
        try:
            data["readout"] = composed_readout(circuit, parts_of(circuit)).model_dump(mode="json")
        except (DriveAtlasError, KeyError):
            pass  # a part that cannot be read: compare the readout as written
    return data


def _keyed(items: list[Any], key: str) -> dict[str, Any] | None:
    """A list as a dict by key field, or None when keys are missing or repeat (then it is compared whole)."""
    keys = [i.get(key) if isinstance(i, dict) else None for i in items]
    if None in keys or len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items))


Raw = tuple[FieldPath, FieldPath, Kind, Any, Any]


def _compare(old: Any, new: Any, path: FieldPath, pattern: FieldPath) -> list[Raw]:
    """(path, pattern, kind, old, new) for every difference, recursing into mappings and keyed lists."""
    if old == new:
        return []
    if old is None or new is None:
        return [(path, pattern, "added" if old is None else "removed", old, new)]
    key = KEYED_LISTS.get(pattern)
    if key and isinstance(old, list) and isinstance(new, list):
        old_map, new_map = _keyed(old, key), _keyed(new, key)
        if old_map is not None and new_map is not None:
            return _compare_maps(old_map, new_map, path, pattern + ("*",))
    if isinstance(old, dict) and isinstance(new, dict) and (not path or path[-1] not in LEAVES):
        return _compare_maps(old, new, path, pattern + ("*",) if pattern in NAMED_MAPS else None, pattern)
    return [(path, pattern, "changed", old, new)]


def _compare_maps(old: dict[str, Any], new: dict[str, Any], path: FieldPath, item: FieldPath | None, fields: FieldPath = ()) -> list[Raw]:
    """Named items (``item`` pattern) are added or removed whole; model fields are compared one by one."""
    out: list[Raw] = []
    for k in list(old) + [k for k in new if k not in old]:
        here, pattern = path + (str(k),), item or fields + (str(k),)
        if item is not None and k not in new:
            out.append((here, pattern, "removed", old[k], None))
        elif item is not None and k not in old:
            out.append((here, pattern, "added", None, new[k]))
        else:
            out.extend(_compare(old.get(k), new.get(k), here, pattern))
    return out


def _section(path: FieldPath) -> str:
    return path[0] if path and path[0] in SECTIONS else "metadata"


def _level(pattern: FieldPath, path: FieldPath, kind: Kind, old: Any, new: Any, new_version: str) -> Level | None:
    """How much a change breaks users; None for what a bump itself changes (version, its changelog entry)."""
    if pattern in BOOKKEEPING or (pattern == ("changelog", "*") and kind == "added" and path[1] == new_version):
        return None
    if pattern in MAJOR_FIELDS or (kind == "removed" and pattern in BREAKING_WHEN_REMOVED):
        return "major"
    if pattern == ("includes", "*"):
        return "minor" if kind == "added" else _version_step(old, new)
    whole_item = pattern[-1:] == ("*",) or pattern in BREAKING_WHEN_REMOVED
    if (kind != "changed" and whole_item and pattern[0] in STRUCTURAL_SECTIONS) or pattern in STRUCTURAL_FIELDS:
        return "minor"
    return "patch"


def _version_step(old: str, new: str) -> Level:
    a, b = semver_tuple(old), semver_tuple(new)
    return "major" if a[0] != b[0] else "minor" if a[1] != b[1] else "patch"


# ---------------------------------------------------------------- rendering

SYMBOL = {"added": "+", "removed": "-", "changed": "~"}


def _short(value: Any, limit: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _describe(c: Change) -> str:
    if c.kind == "added":
        return f"{c.path}: {_short(c.new)}"
    if c.kind == "removed":
        return f"{c.path}: {_short(c.old)}"
    return f"{c.path}: {_short(c.old)} -> {_short(c.new)}"


def _headline(d: CircuitDiff) -> str:
    if not d.changes:
        return f"{d.old_ref} -> {d.new_ref}: no semantic change"
    return f"{d.old_ref} -> {d.new_ref}: {len(d.changes)} change(s), needs a {d.level or 'no'} bump"


def render_text(d: CircuitDiff) -> str:
    lines = [_headline(d), f"  {d.old_hash} -> {d.new_hash}"]
    section = None
    for c in d.changes:
        if c.section != section:
            section = c.section
            lines.append(section)
        lines.append(f"  {SYMBOL[c.kind]} {_describe(c)}" + (f"  [{c.level}]" if c.level else ""))
    return "\n".join(lines) + "\n"


def _cell(value: Any) -> str:
    return "" if value is None else "`" + _short(value, 80).replace("|", "\\|").replace("`", "'") + "`"


def render_markdown(d: CircuitDiff) -> str:
    lines = [f"### {_headline(d)}", "", f"`{d.old_hash}` → `{d.new_hash}`", ""]
    if d.changes:
        lines += ["| section | change | what | old | new | level |", "|---|---|---|---|---|---|"]
        lines += [f"| {c.section} | {c.kind} | `{c.path}` | {_cell(c.old)} | {_cell(c.new)} | {c.level or ''} |" for c in d.changes]
    return "\n".join(lines) + "\n"
