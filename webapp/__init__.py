"""Drive Atlas in the browser: browse, edit and test circuits (Dash). Imports drive_atlas; never imported by it."""

from .app import create_app
from .limits import Limits

__all__ = ["Limits", "create_app"]
