"""The Dash application: an app shell, a router, and one module per page.

Pages register their callbacks on the app they are given (not on Dash's global
registry), so several apps with different atlas roots can live in one process,
as the tests do.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

from dash import Dash, DiskcacheManager, Input, Output, dcc, html

from .context import WebContext
from .jobstore import job_store
from .limits import Limits
from .simulation import RunNotFound, RunRefused
from .pages import atlas as atlas_page
from .pages import circuit as circuit_page
from .pages import edit as edit_page
from .pages import ligands as ligands_page
from .pages import test as test_page
from .pages import versions as versions_page

CIRCUIT_PAGES = {"circuit": circuit_page, "edit": edit_page, "test": test_page, "versions": versions_page}


def route(ctx: WebContext, pathname: str | None) -> Any:
    """The layout for a URL: ``/``, ``/ligands``, or ``/<page>/<circuit id>``."""
    parts = [p for p in (pathname or "/").split("/") if p]
    if not parts:
        return atlas_page.layout(ctx)
    if parts == ["ligands"]:
        return ligands_page.layout(ctx)
    if len(parts) == 2 and parts[0] in CIRCUIT_PAGES:
        if ctx.entry(parts[1]) is None:
            return html.Div([html.H2("No such circuit"), html.P(f"The atlas has no valid circuit {parts[1]!r}."),
                             dcc.Link("Back to the atlas", href="/")], id="not-found")
        return CIRCUIT_PAGES[parts[0]].layout(ctx, parts[1])
    return html.Div([html.H2("Page not found"), dcc.Link("Back to the atlas", href="/")], id="not-found")


def shell(ctx: WebContext) -> html.Div:
    mode = html.Span("read-only", className="badge", id="read-only-badge") if ctx.read_only else None
    return html.Div([
        dcc.Location(id="url"),
        dcc.Store(id="drafts", storage_type="session", data={}),
        dcc.Store(id="runs", storage_type="session", data=[]),
        html.Header([dcc.Link("Drive Atlas", href="/", className="brand"), dcc.Link("Circuits", href="/"),
                     dcc.Link("Ligands", href="/ligands"), mode], className="navbar"),
        html.Main(id="page"),
    ])


def create_app(atlas_root: Path | str | None = None, read_only: bool = False, limits: Limits = Limits(),
               cache_dir: Path | str | None = None) -> Dash:
    """Build the app for an atlas root; ``read_only`` hides editing and saving.

    ``cache_dir`` holds background jobs and run results; workers that serve one app must share it
    (default: ``$DRIVE_ATLAS_WEBAPP_CACHE`` or the user's cache folder). It must be private to the
    server's user (it is created 0700; a folder owned by someone else or open to others is refused),
    and Dash's job results are kept there as JSON (jobstore), never as pickles. The atlas is loaded here so a wrong root
    fails at start-up rather than on the first request.
    """
    ctx = WebContext.create(Path(atlas_root) if atlas_root else None, read_only, limits, Path(cache_dir) if cache_dir else None)
    ctx.atlas.context()
    manager = DiskcacheManager(job_store(ctx.folder("jobs")))
    app = Dash(__name__, title="Drive Atlas", suppress_callback_exceptions=True, background_callback_manager=manager,
               update_title=None)
    app.layout = shell(ctx)

    @app.callback(Output("page", "children"), Input("url", "pathname"))
    def _route(pathname: str | None) -> Any:
        return route(ctx, pathname)

    for page in (atlas_page, ligands_page, *CIRCUIT_PAGES.values()):
        page.register(app, ctx)

    @app.server.errorhandler(RunRefused)
    def _refused(exc: RunRefused) -> tuple[str, int]:
        """A refusal that reaches Flask (a request the page would not send) is the client's error, with its reason."""
        return str(exc), 404 if isinstance(exc, RunNotFound) else 400

    return app


@functools.cache
def _server() -> Any:
    """The Flask server for gunicorn, configured from the environment (DRIVE_ATLAS_ROOT, DRIVE_ATLAS_READ_ONLY)."""
    read_only = os.environ.get("DRIVE_ATLAS_READ_ONLY", "").lower() not in ("", "0", "false")
    return create_app(read_only=read_only).server


def __getattr__(name: str) -> Any:
    """``drive_atlas.web.app:server`` builds the app on first access, so importing this module loads no atlas."""
    if name == "server":
        return _server()
    raise AttributeError(name)
