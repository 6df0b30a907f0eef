"""Drive Atlas: an executable atlas of the circuits that compute innate drives.

Layers, lowest first: ``spec`` (YAML models) < ``atlas`` (loading, versions) <
``sim`` (NEST) < ``drive`` (drive and reward) < ``assays`` / ``reward`` < ``cli``.
"""

__version__ = "0.1.0"

from . import _checkout  # noqa: E402
from .spec.errors import DriveAtlasError  # noqa: E402 - the one base of the project's errors

_checkout.install()

__all__ = ["DriveAtlasError", "__version__"]


def __getattr__(name: str):  # noqa: ANN202 - lazy, so `import drive_atlas` stays fast and NEST-free
    if name in {"simulate", "SimulationResult"}:
        from .drive import run

        return getattr(run, name)
    raise AttributeError(f"module 'drive_atlas' has no attribute {name!r}")
