"""The reward tests' exports are made once per run and settings, whichever xdist worker asks first (conftest)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from . import conftest
from .conftest import SHORT, shared_export


class _WorkerTemp:
    """A worker's base temporary folder inside the run's folder, as pytest-xdist lays them out."""

    def __init__(self, run: Path, worker: str) -> None:
        self.base = run / f"popen-{worker}"

    def getbasetemp(self) -> Path:
        self.base.mkdir(parents=True, exist_ok=True)
        return self.base


def test_an_export_is_made_once_per_run_and_settings(atlas, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = []

    def export(ref: str, out: Path, *, atlas, settings, force: bool) -> tuple[str, int, str]:
        made.append(ref)
        out.write_text("module", encoding="utf-8")
        return ref, settings.seed, out.name

    monkeypatch.setattr(conftest, "export_reward_module", export)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw0")
    first = shared_export("pain", SHORT, atlas, _WorkerTemp(tmp_path, "gw0"), force=True)
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert shared_export("pain", SHORT, atlas, _WorkerTemp(tmp_path, "gw1"), force=True) == first  # loaded, not made
    other = shared_export("pain", replace(SHORT, seed=2), atlas, _WorkerTemp(tmp_path, "gw1"), force=True)
    unforced = shared_export("pain", SHORT, atlas, _WorkerTemp(tmp_path, "gw1"), force=False)
    assert made == ["pain"] * 3 and other[1] == 2 and len({first[2], other[2], unforced[2]}) == 3
    assert (tmp_path / "shared-exports" / first[2]).read_text(encoding="utf-8") == "module"
