"""The authoring service: every change to a circuit file, from the CLI or the web editor, goes through here.

A new version is judged by the rule ``drive-atlas check`` applies
(:func:`~drive_atlas.versioning.rules.bump_findings`), so a save the editor accepts
passes CI; files are edited round-trip and written by one locked, atomic
compare-and-replace (:mod:`.store`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ..atlas import Atlas, CircuitEntry
from ..atlas.history import HistoryError, file_at, git
from ..spec import Circuit, SpecValidationError, read_yaml
from ..spec.errors import DriveAtlasError
from ..versioning.diff import PartsOf, diff_circuits
from ..versioning.migrate import MigrationError, migrate_data
from ..versioning.rules import CheckReport, bump_findings, check_against, successor
from ..versioning.scaffold import ScaffoldError, scaffold
from . import roundtrip, store
from .roundtrip import EditError


class BumpRefused(DriveAtlasError):
    """The new version is not the one ``drive-atlas check`` requires for the change."""


@dataclass(frozen=True)
class Saved:
    text: str
    hash: str
    circuit: Circuit
    notices: list[str]  # what ``check`` would say without failing (an over-bump)


def reference_for(atlas: Atlas, entry: CircuitEntry) -> Circuit:
    """What a new version is judged against: the circuit as committed (git ``HEAD``), as ``check`` compares.

    Saves not yet committed are drafts of one next version, so saving twice keeps that
    version rather than stepping past what CI will compare with. Outside git, or for a
    circuit not committed yet, it is the file as it is. Like ``check``, the committed file
    is read for its structure only, so it still compares after the catalog changed.
    """
    try:
        top = Path(git(atlas.root, "rev-parse", "--show-toplevel").decode().strip()).resolve()
        committed = file_at(atlas.root, "HEAD", entry.path.resolve().relative_to(top).as_posix(), None).circuit
    except (HistoryError, KeyError, ValueError, SpecValidationError):
        return entry.circuit
    return committed if committed.id == entry.circuit.id else entry.circuit


def suggested_version(reference: Circuit, draft: Circuit, parts_of: PartsOf | None = None) -> str:
    """The version ``draft`` needs over ``reference`` by the semantic diff (a patch when nothing changed yet);
    ``parts_of`` (``Atlas.parts_of``) compares a composite's combined readout as derived."""
    level = diff_circuits(reference, draft, parts_of).level
    if draft.version != reference.version and not any(f.severity == "error" for f in bump_findings(reference, draft, parts_of)):
        return draft.version  # already a good next version: keep it
    return successor(reference.version, level or "patch")


def save_version(path: Path, text: str, base_hash: str, reference: Circuit, version: str, changes: str,
                 context_for: roundtrip.ContextFor, today: datetime.date | None = None,
                 parts_of: PartsOf | None = None) -> Saved:
    """Save ``text`` as ``version`` over the file the editor opened (hashing to ``base_hash``).

    The version is judged against ``reference`` (:func:`reference_for`) by ``check``'s rule.
    Raises :class:`EditError` (no version or changelog entry, or a renamed circuit),
    :class:`SpecValidationError`, :class:`BumpRefused` and :class:`~.store.SaveConflict`;
    in every case the file on disk is left as it was.
    """
    store.ensure_unchanged(path, base_hash)  # say so before judging a version against a file that moved on
    new_text = roundtrip.set_new_version(text, version.strip(), changes, today)
    circuit, errors = roundtrip.validate_text(new_text, path, context_for)
    if circuit is None:
        raise SpecValidationError(errors)
    if circuit.id != reference.id:
        raise EditError(f"the id must stay {reference.id!r}: a renamed circuit is a new file")
    findings = bump_findings(reference, circuit, parts_of)
    refused = [f.message for f in findings if f.severity == "error"]
    if refused:
        raise BumpRefused("; ".join(refused))
    digest = store.replace_if_unchanged(path, new_text, base_hash)
    return Saved(new_text, digest, circuit, [f.message for f in findings])


@dataclass(frozen=True)
class MigrationResult:
    path: Path
    from_version: int
    changes: list[str]


def migrate_file(path: Path) -> MigrationResult:
    """Migrate one file in place, keeping comments; an up-to-date file is left untouched."""
    path = Path(path)
    doc = read_yaml(path)  # located errors for syntax problems and oversize files
    if not isinstance(doc.data, dict) or not doc.data:  # an empty file, one holding only comments, or a list or scalar
        raise MigrationError(f"{doc.name}:1:1: the file holds no mapping; nothing to migrate")
    data = roundtrip.load(doc.text)  # again, keeping the quoting style
    try:
        start, changes = migrate_data(data)
    except MigrationError as exc:
        raise MigrationError(f"{doc.name}: {exc}") from None
    if changes:
        store.replace_if_unchanged(path, roundtrip.dump(data), store.text_hash(doc.text))
    return MigrationResult(path, start, changes)


def new_circuit(atlas: Atlas, drive: str, circuit_id: str, today: datetime.date | None = None) -> list[Path]:
    """Write a scaffolded circuit and its assay test; never overwrites a file, even one created meanwhile."""
    written: list[Path] = []
    for path, text in scaffold(atlas, drive, circuit_id, today).items():
        try:
            store.create_file(path, text)
        except FileExistsError:
            raise ScaffoldError(f"{path} already exists") from None
        written.append(path)
    return written


def failing_assays(circuit: Circuit, atlas: Atlas) -> dict[str, str]:
    """Assays that do not plainly pass, as id -> status (``fail``, or ``xfail`` for a recorded known gap)."""
    from ..assays import run_assays  # imported when run: it brings the simulator stack, which editing does not need

    return {r.assay.id: r.status for r in run_assays(circuit, atlas).results if r.status not in {"pass", "xpass"}}


def check(atlas: Atlas, base: str) -> CheckReport:
    """``drive-atlas check``: validation plus the versioning rules since ``base``, running the assays curation needs."""
    return check_against(atlas, base, failing_assays)
