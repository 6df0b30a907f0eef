"""``drive-atlas audit``: each receptor annotation, projection and ligand action against the reference data."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..evidence import audit_atlas, summary
from ..evidence.report import markdown
from .common import console, load_atlas, print_json, print_table, root_option


@click.command("audit")
@click.argument("ids", nargs=-1)
@root_option
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table", show_default=True)
def audit_command(ids: tuple[str, ...], root: Path | None, fmt: str) -> None:
    """Audit circuits and ligands (default: all) against GtoPdb, HypoMap and the Allen connectivity models.

    Exit 1 if an ID is neither a circuit nor a ligand."""
    atlas = load_atlas(root)
    unknown = [i for i in ids if i not in atlas.entries and i not in atlas.ligands]
    if unknown:
        click.echo(f"unknown circuit or ligand id(s): {', '.join(unknown)}", err=True)
        sys.exit(1)
    verdicts = audit_atlas(atlas, list(ids))
    if fmt == "json":
        print_json({"summary": summary(verdicts), "verdicts": [v.as_dict() for v in verdicts]})
    elif fmt == "markdown":
        click.echo(markdown(verdicts))
    else:
        print_table("Audit", ["kind", "part", "verdict", "reason"], [[v.kind, v.part, v.status, v.reason] for v in verdicts])
        for kind, counts in summary(verdicts).items():
            console.print(f"{kind}: " + ", ".join(f"{n} {s}" for s, n in counts.items()))
