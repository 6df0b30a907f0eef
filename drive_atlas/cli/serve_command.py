"""``drive-atlas serve``: the web app on this machine (the one place the library reaches up to ``drive_atlas.web``)."""

from __future__ import annotations

from pathlib import Path

import click

from ..spec import SpecValidationError
from .common import root_option


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on; keep 127.0.0.1 unless behind a proxy.")
@click.option("--port", default=8050, show_default=True, type=click.IntRange(1, 65535))
@click.option("--read-only", is_flag=True, help="Browse and simulate only: no editing or saving.")
@click.option("--max-duration", type=click.FloatRange(min=0.1), default=60.0, show_default=True, help="Longest run, simulated seconds.")
@click.option("--max-population", type=click.IntRange(min=1), default=20_000, show_default=True, help="Largest population in a run.")
@click.option("--max-concurrent", type=click.IntRange(min=1), default=2, show_default=True, help="Simulations running at once.")
@click.option("--max-events", type=click.IntRange(min=0), default=100, show_default=True, help="Events (protocol and extra) in a run.")
@click.option("--max-wall", type=click.FloatRange(min=1.0), default=600.0, show_default=True,
              help="Wall-clock seconds a run or assay battery may take; then it is stopped and its slot freed.")
@root_option
def serve_command(host: str, port: int, read_only: bool, max_duration: float, max_population: int, max_concurrent: int,
                  max_events: int, max_wall: float, root: Path | None) -> None:
    """Open the atlas in the browser: browse, edit and test circuits (http://HOST:PORT)."""
    from drive_atlas.web import Limits, create_app

    limits = Limits(max_population_size=max_population, max_duration_ms=max_duration * 1000.0, max_concurrent_simulations=max_concurrent,
                    max_events=max_events, max_wall_seconds=max_wall)
    try:
        app = create_app(root, read_only=read_only, limits=limits)
    except (OSError, SpecValidationError) as exc:
        raise click.ClickException(f"cannot open the atlas: {exc}") from None
    click.echo(f"Drive Atlas on http://{host}:{port}/{' (read-only)' if read_only else ''}; Ctrl+C stops it")
    app.run(host=host, port=port, debug=False)
