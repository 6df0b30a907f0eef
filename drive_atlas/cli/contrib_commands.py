"""Commands for contributors: check, diff, changed, new, migrate."""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path

import click

from ..atlas import Atlas
from ..atlas.history import HistoryError, file_at
from ..authoring import FileBusy, check, migrate_file, new_circuit
from ..evidence.contribution import audit_since
from ..spec import Circuit, SpecValidationError
from ..spec.errors import DriveAtlasError
from ..versioning import CircuitDiff, changed_since, diff_circuits
from ..versioning.diff import render_markdown, render_text
from ..versioning.scaffold import ScaffoldError
from .common import console, err_console, print_json, root_option

base_option = click.option("--base", metavar="REV", help="Git revision to compare with; its merge base with HEAD is used.")


def _atlas(root: Path | None) -> Atlas:
    """The working-tree atlas; invalid circuit files are kept as errors so one broken file does not block the rest."""
    try:
        return Atlas.load(root, strict=False)
    except SpecValidationError as exc:
        raise click.ClickException(f"the atlas's reference data does not load:\n{exc}") from None


def _resolve(atlas: Atlas, operand: str) -> Circuit:
    """A file path, ``REV:path``, ``id@version``, ``id@REV`` or a plain id (the working tree)."""
    try:
        if Path(operand).is_file():
            return atlas.validate_file(Path(operand))
        if "@" in operand:
            return atlas.at(operand).circuit
        if ":" in operand:
            rev, _, path = operand.partition(":")
            return file_at(atlas.root, rev, path, atlas.context_for).circuit
        return atlas.entry(operand).circuit
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    except SpecValidationError as exc:
        raise click.ClickException(f"{operand} does not validate:\n{exc}") from None


@click.command("check")
@base_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@root_option
def check_command(base: str | None, fmt: str, root: Path | None) -> None:
    """Validate the atlas and apply the versioning rules to every circuit changed since --base. Exit 1 on any error."""
    if not base:
        raise click.UsageError("give --base REV, the revision the contribution starts from (e.g. origin/main)")
    atlas = _atlas(root)
    try:
        report = check(atlas, base)
        report.findings += audit_since(atlas, base)
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "json":
        print_json({"base": report.base, "ok": report.ok, "findings": [asdict(f) for f in report.findings]})
    else:
        for finding in report.findings:
            err_console.print(str(finding), markup=False, highlight=False)
        errors = sum(f.severity == "error" for f in report.findings)
        if errors:
            err_console.print(f"[red]{errors} error(s) against {report.base[:12]}[/red]")
        else:
            console.print(f"[green]versioning rules kept against {report.base[:12]}[/green]")
    sys.exit(0 if report.ok else 1)


@click.command("diff")
@click.argument("operands", nargs=-1, metavar="[A B]")
@base_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@root_option
def diff_command(operands: tuple[str, ...], base: str | None, fmt: str, root: Path | None) -> None:
    """Semantic diff of two circuit versions, or of every circuit changed since --base.

    A and B are ids (hunger), versions (hunger@1.0.0), git revisions (hunger@main,
    main:circuits/hunger/hunger.yaml) or file paths.
    """
    if not ((base and not operands) or (not base and len(operands) == 2)):
        raise click.UsageError("give two circuits A B, or --base REV")
    atlas = _atlas(root)
    if not base:
        d = diff_circuits(_resolve(atlas, operands[0]), _resolve(atlas, operands[1]), atlas.parts_of)
        if fmt == "json":
            print_json(d.as_dict())
        else:
            click.echo((render_markdown if fmt == "markdown" else render_text)(d), nl=False)
        return
    try:
        commit, changed, _ = changed_since(atlas, base)
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    diffs = [diff_circuits(c.old.circuit, c.new.circuit, atlas.parts_of) for c in changed if c.old and c.new]
    added = [c.new.ref for c in changed if c.new and not c.old]
    removed = [f"{c.circuit_id}@{c.old.circuit.version}" for c in changed if c.old and not c.new]
    if fmt == "json":
        print_json({"base": commit, "added": added, "removed": removed, "diffs": [d.as_dict() for d in diffs]})
    else:
        click.echo(_summary(commit, diffs, added, removed, markdown=fmt == "markdown"), nl=False)


def _summary(commit: str, diffs: list[CircuitDiff], added: list[str], removed: list[str], *, markdown: bool) -> str:
    render = render_markdown if markdown else render_text
    lines = [f"{'## ' if markdown else ''}Circuit changes since {commit[:12]}", ""]
    lines += [f"{'- ' if markdown else ''}new circuit {ref}" for ref in added]
    lines += [f"{'- ' if markdown else ''}removed circuit {ref}" for ref in removed]
    if not (diffs or added or removed):
        lines.append("No circuit changed.")
    return "\n".join(lines) + "\n" + "".join("\n" + render(d) for d in diffs)


@click.command("changed")
@base_option
@root_option
def changed_command(base: str | None, root: Path | None) -> None:
    """Ids of the circuits added or modified since --base, one per line (for running their assays in CI)."""
    if not base:
        raise click.UsageError("give --base REV")
    try:
        _, changed, _ = changed_since(_atlas(root), base)
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    for change in changed:
        if change.new is not None:
            click.echo(change.circuit_id)


@click.command("new")
@click.argument("drive")
@click.argument("circuit_id", metavar="ID")
@root_option
def new_command(drive: str, circuit_id: str, root: Path | None) -> None:
    """Scaffold circuits/DRIVE/ID.yaml (a valid draft full of TODOs) and tests/circuits/test_ID.py."""
    try:
        paths = new_circuit(_atlas(root), drive, circuit_id)
    except (ScaffoldError, FileBusy, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    for path in paths:
        console.print(f"created {path}", markup=False, highlight=False)


@click.command("migrate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def migrate_command(paths: tuple[Path, ...]) -> None:
    """Upgrade circuit files to the current schema_version in place, keeping comments. Exit 1 if any file failed."""
    failed = False
    for path in paths:
        try:
            result = migrate_file(path)
        except DriveAtlasError as exc:  # migration, validation, a concurrent change: the file is unchanged
            err_console.print(str(exc), markup=False, highlight=False)
            failed = True
            continue
        except OSError as exc:
            err_console.print(f"{path}: not written ({exc.strerror}); the file is unchanged", markup=False, highlight=False)
            failed = True
            continue
        what = "; ".join(result.changes) if result.changes else "already current"
        console.print(f"{path}: {what}", markup=False, highlight=False)
    sys.exit(1 if failed else 0)

