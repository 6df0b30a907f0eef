"""A wheel built from the repository carries its atlas and its web app, and runs from an empty folder.

Offline: the wheel is built without build isolation and installed without dependencies into a
fresh virtual environment that reuses the dependencies installed for this test run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".drive-atlas-cache",
                                    ".pytest_cache", ".hypothesis", ".ruff_cache", "node_modules")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source") / "drive-atlas"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("wheels")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--wheel-dir", str(out), str(source)])
    return next(out.glob("drive_atlas-*.whl"))


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment with the wheel; its dependencies are this run's (a .pth file, no download)."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)])
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).strip())
    deps = [p for p in sys.path if p and Path(p).is_dir() and Path(p).name in ("site-packages", "dist-packages")]
    (site / "_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    return env_dir / "bin"


def test_wheel_holds_the_atlas_and_only_the_drive_atlas_namespace(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"drive_atlas"}
    for expected in ("drive_atlas/builtin/circuits/hunger/hunger.yaml", "drive_atlas/builtin/neuropeptides/receptors.yaml",
                     "drive_atlas/builtin/data/references.yaml", "drive_atlas/builtin/schema/circuit.schema.json",
                     "drive_atlas/web/app.py", "drive_atlas/web/pages/test.py", "drive_atlas/web/assets/style.css"):
        assert expected in names


def test_list_from_an_empty_folder_uses_the_built_in_atlas(installed: Path, tmp_path: Path) -> None:
    done = subprocess.run([str(installed / "drive-atlas"), "list", "--format", "json"], cwd=tmp_path, env=_clean_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = {row["id"] for row in json.loads(done.stdout)}
    assert {"hunger", "pain"} <= ids
    assert "(built-in)" in done.stderr and str(installed.parent) in done.stderr  # the atlas inside the environment
    no_webapp = subprocess.run([str(installed / "python"), "-c", "import webapp"], cwd=tmp_path, env=_clean_env(tmp_path),
                               capture_output=True, text=True)
    assert no_webapp.returncode != 0  # nothing installed at the top level but drive_atlas


def test_serve_from_an_empty_folder_answers_http(installed: Path, tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen([str(installed / "drive-atlas"), "serve", "--port", str(port), "--read-only"], cwd=tmp_path,
                              env=_clean_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = _get_when_up(f"http://127.0.0.1:{port}/_dash-layout", server, timeout=180.0)
        assert "Drive Atlas" in page
        assert "<title>Drive Atlas</title>" in _get_when_up(f"http://127.0.0.1:{port}/", server, timeout=10.0)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "(built-in)" in output


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DRIVE_ATLAS_ROOT", "VIRTUAL_ENV")}
    return {**env, "DRIVE_ATLAS_WEBAPP_CACHE": str(tmp_path / "cache"), "PYNEST_QUIET": "1"}


def _run(cmd: list[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_when_up(url: str, server: subprocess.Popen, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}: {server.communicate()[0]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
