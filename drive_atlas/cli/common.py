"""Shared CLI plumbing: loading the atlas once, printing tables and JSON, located errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..atlas import Atlas
from ..atlas.roots import find_root
from ..spec import SpecValidationError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

def _resolve_root(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """Find the atlas as git finds a repository and say which one, on stderr, so output stays parseable."""
    root = find_root(value)
    err_console.print(root.describe(), markup=False, highlight=False)
    return root.path


root_option = click.option(
    "--root", type=click.Path(file_okay=False, path_type=Path), default=None, callback=_resolve_root,
    help="Atlas root (folder with circuits/, neuropeptides/, data/). Default: the current folder or its nearest parent "
         "holding circuits/ and neuropeptides/, then $DRIVE_ATLAS_ROOT, then the built-in atlas.",
)
format_option = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)


def load_atlas(root: Path | None) -> Atlas:
    """Load the atlas or exit 1 listing every problem with file and line."""
    try:
        return Atlas.load(root)
    except SpecValidationError as exc:
        for error in exc.errors:
            err_console.print(str(error), markup=False, highlight=False)
        err_console.print(f"[red]the atlas has {len(exc.errors)} error(s); run 'drive-atlas validate' for details[/red]")
        sys.exit(1)


def print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def print_table(title: str | None, columns: list[str], rows: list[list[Any]]) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(v) for v in row))
    console.print(table)


def print_fitted_table(title: str | None, columns: list[str], rows: list[list[Any]], keep: set[str], drop_order: list[str]) -> None:
    """A table whose ``keep`` columns always print whole; in a narrow terminal the others go, first ``drop_order``.

    Rich would otherwise shrink every column to "hung…"; a dropped column is named in the caption.
    """
    cells = [[str(v) for v in row] for row in rows]
    widths = {c: max([len(c), *(len(row[i]) for row in cells)]) for i, c in enumerate(columns)}
    shown = list(columns)
    for column in drop_order:
        if sum(widths[c] + 3 for c in shown) + 1 <= console.width:
            break
        shown.remove(column)
    hidden = [c for c in columns if c not in shown]
    table = Table(title=title, caption=f"hidden to fit the terminal: {', '.join(hidden)}" if hidden else None)
    for column in shown:
        table.add_column(column, no_wrap=column in keep, min_width=widths[column] if column in keep else None)
    for row in cells:
        table.add_row(*(row[columns.index(c)] for c in shown))
    console.print(table)
