"""Versioning stays below the authoring service, and the service below the CLI and web app."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import drive_atlas

ALLOWED = {
    "versioning": {"spec", "atlas", "versioning"},
    "authoring": {"spec", "atlas", "versioning", "assays", "authoring"},
}


def _imports(package: str) -> set[tuple[str, str]]:
    """(file, top-level drive_atlas package) for every import in ``package``, absolute or relative, anywhere in a file."""
    found = set()
    for path in Path(drive_atlas.__file__).parent.joinpath(package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level >= 2 and node.module:
                found.add((path.name, node.module.split(".")[0]))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("drive_atlas."):
                found.add((path.name, node.module.split(".")[1]))  # type: ignore[union-attr]
            elif isinstance(node, ast.Import):
                found.update((path.name, a.name.split(".")[1]) for a in node.names if a.name.startswith("drive_atlas."))
    return found


def test_versioning_and_authoring_never_import_upper_layers() -> None:
    for package, allowed in ALLOWED.items():
        assert {(f, p) for f, p in _imports(package) if p not in allowed} == set(), package
        text = "".join(p.read_text() for p in Path(drive_atlas.__file__).parent.joinpath(package).glob("*.py"))
        assert "importlib" not in text and "webapp" not in text


def test_editing_does_not_load_the_simulator() -> None:
    code = "import sys, drive_atlas.authoring; assert 'drive_atlas.assays' not in sys.modules and 'nest' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
