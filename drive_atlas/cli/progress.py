"""One progress bar style for every long CLI job."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .common import err_console


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[float, float, str], None]]:
    """Yield ``update(done, total, description)``; the bar draws on stderr so JSON on stdout stays clean."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=False) as bar:
        task = bar.add_task(label, total=None)

        def update(done: float, total: float, description: str) -> None:
            bar.update(task, completed=done, total=total, description=description)

        yield update
