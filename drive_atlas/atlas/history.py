"""Circuits as they were in the repository's git history.

Results and exported reward modules record ``id@version`` and a content hash;
history is what lets an old record be checked and its circuit loaded again, so
``git`` (run as a subprocess, no extra dependency) is the store of released versions.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from ..spec import (
    Circuit, SpecContext, SpecError, SpecValidationError, YamlDocument, circuit_from_document, content_hash, parse_yaml_text,
)
from ..spec.common import SEMVER_PATTERN
from ..spec.loader import validate_document
from ..spec.errors import DriveAtlasError

if TYPE_CHECKING:
    from . import Atlas

GIT_TIMEOUT = 60
# What a committed file is validated against, per document (a composite's depends on what it includes; ``Atlas.context_for``);
# None: its structure only.
Context = Callable[[YamlDocument], SpecContext] | None


class HistoryError(DriveAtlasError):
    """git is missing, the atlas is not in a repository, or a revision does not exist."""


@dataclass(frozen=True)
class Revision:
    """One circuit file as committed: which commit, where, what it says and its hash."""

    commit: str
    path: Path
    circuit: Circuit
    content_hash: str


@dataclass
class CircuitHistory:
    """Every readable committed revision of one circuit, newest first."""

    circuit_id: str
    revisions: list[Revision]
    unreadable: list[SpecError] = field(default_factory=list)

    def versions(self) -> list[str]:
        return list(dict.fromkeys(r.circuit.version for r in self.revisions))

    def matching(self, version: str) -> list[Revision]:
        return [r for r in self.revisions if r.circuit.version == version]

    def find(self, version: str) -> Revision:
        """The newest commit carrying ``version``."""
        found = self.matching(version)
        if not found:
            known = ", ".join(self.versions()) or "none"
            skipped = f"; {len(self.unreadable)} committed revision(s) could not be read" if self.unreadable else ""
            raise KeyError(f"no version {version} of {self.circuit_id!r} in the git history (versions: {known}{skipped})")
        return found[0]


def is_version(text: str) -> bool:
    return re.match(SEMVER_PATTERN, text) is not None


def git(root: Path, *args: str, stdin: bytes | None = None) -> bytes:
    """Run git in ``root``; any failure becomes a HistoryError carrying git's own message."""
    try:
        done = subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise HistoryError("git is not installed; circuit history needs it") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise HistoryError(f"git {args[0]} failed: {message[-1] if message else 'exit ' + str(done.returncode)}")
    return done.stdout


def commit_of(root: Path, rev: str) -> str:
    """The commit a revision names; options are refused so a revision cannot smuggle flags into git."""
    if not rev or rev.startswith("-"):
        raise HistoryError(f"not a git revision: {rev!r}")
    try:
        return git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except HistoryError:
        raise HistoryError(f"unknown git revision {rev!r}") from None


def merge_base(root: Path, base: str) -> str:
    """Where the current branch left ``base``: a pull request is judged on its own changes only."""
    target = commit_of(root, base)
    try:
        return git(root, "merge-base", target, "HEAD").decode().strip()
    except HistoryError:
        return target


def _top(root: Path) -> Path:
    try:
        return Path(git(root, "rev-parse", "--show-toplevel").decode().strip()).resolve()
    except HistoryError:
        raise HistoryError(f"{root} is not inside a git repository; circuit history needs one") from None


def _circuits_dir(root: Path) -> tuple[Path, str]:
    """The repository's top folder and the atlas's ``circuits/`` relative to it (posix)."""
    top = _top(root)
    return top, (Path(root).resolve() / "circuits").relative_to(top).as_posix()


def _read_blobs(top: Path, specs: list[str]) -> list[str | None]:
    """The text of many ``commit:path`` objects in one git process (None where missing)."""
    if any("\n" in s for s in specs):
        raise HistoryError("a path or revision with a line break cannot be read from git")
    out = git(top, "cat-file", "--batch", stdin="".join(s + "\n" for s in specs).encode())
    texts: list[str | None] = []
    pos = 0
    for _ in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if header[-1] == b"missing":
            texts.append(None)
            pos = end + 1
            continue
        size = int(header[2])
        texts.append(out[end + 1:end + 1 + size].decode("utf-8", "replace"))
        pos = end + 1 + size + 1
    return texts


def parse_revision(text: str, commit: str, path: str, top: Path, ctx: Context) -> Revision:
    """Validate committed text: in the context ``ctx`` gives it, else its structure only (enough to diff and hash)."""
    doc = parse_yaml_text(text, Path(f"{commit[:12]}:{path}"))
    if ctx is None:
        circuit = validate_document(doc, Circuit)
    else:
        circuit = circuit_from_document(doc, ctx(doc))
    return Revision(commit, top / path, circuit, content_hash(circuit))


def _parse_all(top: Path, pairs: list[tuple[str, str]], ctx: Context) -> tuple[list[Revision], list[SpecError]]:
    revisions, errors = [], []
    for (commit, path), text in zip(pairs, _read_blobs(top, [f"{c}:{p}" for c, p in pairs])):
        if text is None:
            continue
        try:
            revisions.append(parse_revision(text, commit, path, top, ctx))
        except SpecValidationError as exc:
            errors.extend(exc.errors)
    return revisions, errors


def history_of(root: Path, circuit_id: str, ctx: Context) -> CircuitHistory:
    """Every committed revision of ``circuits/<drive>/<id>.yaml`` reachable from HEAD, in any drive folder."""
    top, circuits = _circuits_dir(root)
    log = git(top, "log", "--no-renames", "--diff-filter=AM", "--format=%x00%H", "--name-only",
              "--", f":(glob){circuits}/*/{circuit_id}.yaml").decode()
    pairs = []
    for chunk in log.split("\x00")[1:]:
        commit, *paths = chunk.split()
        pairs.extend((commit, p) for p in paths)
    revisions, errors = _parse_all(top, pairs, ctx)
    return CircuitHistory(circuit_id, [r for r in revisions if r.circuit.id == circuit_id], errors)


def circuits_at(root: Path, rev: str, ctx: Context) -> tuple[dict[str, Revision], list[SpecError]]:
    """All circuits in the tree of a revision, by id, and the problems of files that could not be read."""
    top, circuits = _circuits_dir(root)
    commit = commit_of(top, rev)
    names = git(top, "ls-tree", "-r", "--name-only", commit, "--", circuits).decode().splitlines()
    pairs = [(commit, n) for n in names if PurePosixPath(n).suffix == ".yaml" and len(PurePosixPath(n).relative_to(circuits).parts) == 2]
    revisions, errors = _parse_all(top, pairs, ctx)
    return {r.circuit.id: r for r in revisions}, errors


def revision_of(root: Path, circuit_id: str, when: str, ctx: Context) -> Revision:
    """``when`` is a released version (searched in history) or a git revision (the file in that tree)."""
    if is_version(when):
        return history_of(root, circuit_id, ctx).find(when)
    found, errors = circuits_at(root, when, ctx)
    if circuit_id not in found:
        detail = f" ({len(errors)} file(s) there could not be read: {errors[0]})" if errors else ""
        raise KeyError(f"no circuit {circuit_id!r} at git revision {when!r}{detail}")
    return found[circuit_id]


def file_at(root: Path, rev: str, path: str, ctx: Context) -> Revision:
    """The circuit at ``path`` (relative to the repository's top, as git writes it) in revision ``rev``."""
    top = _top(root)
    commit = commit_of(top, rev)
    path = PurePosixPath(path).as_posix()
    text = _read_blobs(top, [f"{commit}:{path}"])[0]
    if text is None:
        raise KeyError(f"no file {path!r} at git revision {rev!r}")
    return parse_revision(text, commit, path, top, ctx)


@dataclass(frozen=True)
class Provenance:
    """Whether a recorded ``(id, version, content hash)`` is a version this atlas knows, and where it lives."""

    ok: bool
    message: str
    commit: str | None = None  # None: the working tree


def verify(atlas: Atlas, circuit_id: str, version: str, recorded_hash: str) -> Provenance:
    """Check a triple recorded by a result or an exported module against the working tree and git history."""
    ref = f"{circuit_id}@{version}"
    current = atlas.entries.get(circuit_id)
    if current is not None and current.circuit.version == version and current.content_hash == recorded_hash:
        return Provenance(True, f"{ref} is the current version ({current.path})")
    try:
        candidates = history_of(atlas.root, circuit_id, atlas.context_for).matching(version)
    except HistoryError as exc:
        return Provenance(False, f"{ref} is not the current version and the history cannot be read: {exc}")
    for revision in candidates:
        if revision.content_hash == recorded_hash:
            return Provenance(True, f"{ref} matches commit {revision.commit[:12]}", revision.commit)
    if candidates or (current is not None and current.circuit.version == version):
        return Provenance(False, f"{ref} exists but its content hash differs from the recorded {recorded_hash}: the circuit was changed without a version bump")
    return Provenance(False, f"{ref} is unknown: no such version in the working tree or the git history")
