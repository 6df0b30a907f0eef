"""The versioning tests' atlas in a git repository, for saves judged as ``drive-atlas check`` judges them."""

from ..versioning.conftest import repo  # noqa: F401  (a fixture)
