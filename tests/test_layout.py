"""The web app is ``drive_atlas.web``, from the same tree as the library, installed or run from a checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO


def test_a_checkout_run_without_installing_imports_its_own_web_app(tmp_path: Path) -> None:
    code = "import drive_atlas.web.pages.test as page, drive_atlas; print(page.__file__); print(drive_atlas.__file__)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    web, library = (Path(line) for line in done.stdout.splitlines())
    assert web == REPO / "webapp" / "pages" / "test.py" and library == REPO / "drive_atlas" / "__init__.py"


def test_no_module_imports_the_web_app_as_a_top_level_package() -> None:
    offenders = [str(path.relative_to(REPO)) for folder in ("drive_atlas", "webapp", "tests", "benchmarks")
                 for path in (REPO / folder).rglob("*.py")
                 if any(line.lstrip().startswith(("from webapp", "import webapp")) for line in path.read_text().splitlines())]
    assert offenders == []
