"""Commands over the static atlas: validate, list, show, schema."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..atlas import Atlas
from ..spec import SpecError, SpecValidationError
from ..spec.schema import circuit_json_schema
from ..spec.semantics import neurons
from .common import OutputPath, console, err_console, format_option, load_atlas, print_fitted_table, print_json, print_table, root_option


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@root_option
@format_option
def validate_command(paths: tuple[Path, ...], root: Path | None, fmt: str) -> None:
    """Validate circuit files (default: the whole built-in atlas). Exit 1 on any error."""
    errors = collect_errors(paths, root)
    if fmt == "json":
        print_json([e.as_dict() for e in errors])
    else:
        for error in errors:
            err_console.print(str(error), markup=False, highlight=False)
        if errors:
            err_console.print(f"[red]{len(errors)} error(s)[/red]")
        else:
            console.print("[green]all circuits valid[/green]")
    sys.exit(1 if errors else 0)


def collect_errors(paths: tuple[Path, ...], root: Path | None) -> list[SpecError]:
    """Every problem in the given files (or the whole atlas), in file and line order."""
    try:
        atlas = Atlas.load(root, strict=not paths)
    except SpecValidationError as exc:
        return exc.errors
    errors: list[SpecError] = []
    for path in paths:
        files = sorted(path.glob("**/*.yaml")) if path.is_dir() else [path]
        for file in files:
            try:
                atlas.validate_file(file)
            except SpecValidationError as exc:
                errors.extend(exc.errors)
    return sorted(errors)


# The least useful columns of ``list`` first: they go when the terminal is too narrow for all.
LIST_DROP_ORDER = ["content_hash", "includes", "projections", "assays", "populations", "neurons", "status", "drive"]


@click.command("list")
@root_option
@format_option
def list_command(root: Path | None, fmt: str) -> None:
    """List the circuits: id, version, drive, status, sizes and content hash."""
    atlas = load_atlas(root)
    rows = [
        {
            "id": e.circuit.id, "version": e.circuit.version, "drive": e.circuit.drive, "status": e.circuit.status,
            "includes": len(e.circuit.includes),
            "populations": len(e.runnable.populations), "projections": len(e.runnable.projections),
            "neurons": sum(neurons(e.runnable, p) for p in e.runnable.populations), "assays": len(e.circuit.assays),
            "content_hash": e.content_hash,
        }
        for e in atlas.entries.values()
    ]
    if fmt == "json":
        print_json(rows)
    else:
        columns = list(rows[0]) if rows else ["id"]
        print_fitted_table("Drive Atlas", columns, [[r[c] if c != "content_hash" else r[c][:19] for c in columns] for r in rows],
                           keep={"id", "version"}, drop_order=LIST_DROP_ORDER)


@click.command("show")
@click.argument("circuit_id")
@root_option
def show_command(circuit_id: str, root: Path | None) -> None:
    """A readable summary of one circuit."""
    atlas = load_atlas(root)
    try:
        entry = atlas.entry(circuit_id)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    c = entry.circuit
    console.print(f"[bold]{c.title}[/bold]  ({c.id}@{c.version}, {c.status}, drive: {c.drive}, {c.species})")
    console.print(f"file {entry.path}  hash {entry.content_hash}")
    if c.description:
        console.print(c.description)
    print_table("Populations", ["id", "region", "markers", "transmitter", "size", "releases", "receptors"], [
        [p.id, p.region, " ".join(p.markers), p.transmitter,
         p.size if neurons(c, p) == p.size else f"{p.size} (runs {neurons(c, p)})",
         " ".join(r.ligand for r in p.releases), " ".join(r.receptor for r in p.receptors)]
        for p in c.populations
    ])
    print_table("Projections", ["id", "source", "target", "sign", "weight", "rule"], [
        [p.id, p.source, p.target, p.sign, f"{p.weight:g}", p.connection.rule] for p in c.projections
    ])
    print_table("Inputs", ["id", "kind", "acts on"], [
        [i.id, i.kind, i.ligand if i.kind == "ligand" else ", ".join(t.population for t in i.targets)] for i in c.inputs
    ])
    print_table("Protocols", ["name", "duration (ms)", "events"], [[n, f"{p.duration:g}", len(p.events)] for n, p in c.protocols.items()])
    print_table("Assays", ["id", "citation", "phenomenon"], [[a.id, ", ".join(a.citation), a.phenomenon] for a in c.assays])


@click.command("schema")
@click.option("--out", type=OutputPath((".json",)), default=None, help="Write to a file instead of stdout.")
def schema_command(out: Path | None) -> None:
    """Print the JSON Schema of a circuit file (for editor validation)."""
    text = json.dumps(circuit_json_schema(), indent=2) + "\n"
    if out:
        out.write_text(text)
    else:
        click.echo(text, nl=False)
