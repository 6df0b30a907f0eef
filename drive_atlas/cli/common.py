"""Shared CLI plumbing: loading the atlas once, printing tables and JSON, located errors, and the parameter
types for seeds, durations and output paths, checked when parsed: a bad value is a clean usage error before
any work starts (an export's minutes of calibration, a long simulation), never a traceback afterwards."""

from __future__ import annotations

import json
import re
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from ..atlas import Atlas
from ..atlas.roots import find_root, is_atlas_root
from ..spec.semantics import SIMULATION_STEP as RESOLUTION
from ..spec import SpecValidationError

console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def _resolve_root(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """Find the atlas as git finds a repository and say which one, on stderr, so output stays parseable."""
    if value is not None and not is_atlas_root(value):
        raise click.BadParameter(f"{str(value)!r} is not an atlas: it holds no circuits/ and neuropeptides/ folders")
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
    table = Table(title=title, caption=f"hidden to fit the terminal:\n{', '.join(hidden)}" if hidden else None)
    for column in shown:
        table.add_column(column, no_wrap=column in keep, min_width=widths[column] if column in keep else None)
    for row in cells:
        table.add_row(*(row[columns.index(c)] for c in shown))
    console.print(table)


MAX_SEED = 2**32 - 1  # NEST's rng_seed range is 1 .. 2^32 - 1
MAX_DURATION_MS = 3_600_000.0  # one hour of biological time per run: longer runs belong in a sweep of shorter ones
SEED = click.IntRange(1, MAX_SEED)

_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(ms|s|min)?\s*$")
_SCALE = {"ms": 1.0, "s": 1000.0, "min": 60000.0, None: 1000.0}


def parse_duration(text: str) -> float:
    """'20', '20s', '500ms', '2min' -> milliseconds (a bare number is seconds), between NEST's step and one hour."""
    match = _DURATION.match(text)
    if not match:
        raise click.BadParameter(f"cannot read {text!r} as a duration such as 20, 20s, 500ms or 2min")
    ms = float(match.group(1)) * _SCALE[match.group(2)]
    if not RESOLUTION <= ms <= MAX_DURATION_MS:
        raise click.BadParameter(f"{text!r} is outside {RESOLUTION:g} ms (one simulation step) .. {MAX_DURATION_MS / 60000:g} min")
    return ms


class Duration(click.ParamType):
    """A biological duration; the value is milliseconds."""

    name = "duration"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> float:
        if isinstance(value, float):
            return value
        try:
            return parse_duration(str(value))
        except click.BadParameter as exc:
            self.fail(exc.message, param, ctx)


class OutputPath(click.ParamType):
    """A file (or with ``folder``, a folder) to write: known extension, and a place that can be written, checked now."""

    name = "path"

    def __init__(self, extensions: Iterable[str] = (), folder: bool = False) -> None:
        self.extensions = tuple(extensions)
        self.folder = folder

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        path = Path(str(value)).expanduser()
        if self.extensions and path.suffix.lower() not in self.extensions:
            self.fail(f"{str(path)!r} has an unknown extension: use {' or '.join(self.extensions)}", param, ctx)
        if path.exists() and path.is_dir() != self.folder:
            self.fail(f"{str(path)!r} is {'a file, not a folder' if self.folder else 'a folder, not a file'}", param, ctx)
        problem = writable_problem(path)
        if problem:
            self.fail(f"cannot write {str(path)!r}: {problem}", param, ctx)
        return path


def writable_problem(path: Path) -> str | None:
    """Why nothing can be written at ``path`` (its missing folders included), or None; probes with a temporary file."""
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        return f"{ancestor} is a file, not a folder"
    try:
        with tempfile.NamedTemporaryFile(dir=ancestor, prefix=".drive-atlas-write-check-"):
            pass
    except OSError as exc:
        return f"{ancestor} is not writable ({exc.strerror or exc})"
    if path.exists() and not path.is_dir():
        try:
            with path.open("ab"):
                pass
        except OSError as exc:
            return f"the file is not writable ({exc.strerror or exc})"
    return None
