"""In a source checkout, ``drive_atlas.web`` is that checkout's ``webapp/`` folder.

An installed package has ``drive_atlas/web/`` (setup.py maps ``webapp/`` there). Run from a
checkout without installing it (``PYTHONPATH=.``), or beside an editable install of another
checkout, the import system would find no web app or another tree's; this finder keeps the
library and its web app from the same tree.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path

NAME = "drive_atlas.web"
_PACKAGE = Path(__file__).resolve().parent
WEBAPP = _PACKAGE.parent / "webapp"


class CheckoutWebFinder(importlib.abc.MetaPathFinder):
    """Finds ``drive_atlas.web`` in the checkout's ``webapp/``; its submodules follow from the package path."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name != NAME:
            return None
        return importlib.util.spec_from_file_location(NAME, WEBAPP / "__init__.py", submodule_search_locations=[str(WEBAPP)])


def install() -> None:
    """Add the finder when this package runs from a checkout (webapp/ beside it, no installed web/ inside it)."""
    if (WEBAPP / "__init__.py").is_file() and not (_PACKAGE / "web").is_dir():
        if not any(isinstance(finder, CheckoutWebFinder) for finder in sys.meta_path):
            sys.meta_path.insert(0, CheckoutWebFinder())
