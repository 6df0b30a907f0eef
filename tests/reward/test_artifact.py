"""Export -> file -> load: same rewards; damaged or incompatible files refused with the file and problem named."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from drive_atlas.reward import RewardModuleError, load_reward_function
from drive_atlas.reward.artifact import ARRAYS, CIRCUIT, MANIFEST, yaml_digest
from drive_atlas.reward.export import Export

TRAJECTORY = [({"energy": e}, {"eating": float(k % 7 < 3)}) for k, e in enumerate(np.linspace(0.1, 0.9, 30))]


def _rewards(fn) -> list[float]:
    fn.reset(*TRAJECTORY[0])
    return [fn.step(s, e, dt=0.25) for s, e in TRAJECTORY]


def test_manifest_records_provenance_and_fidelity(exported: Export, atlas) -> None:
    m = exported.manifest
    assert m["circuit"]["id"] == "hunger" and m["circuit"]["content_hash"] == atlas.entry("hunger").content_hash
    assert m["nest_version"].startswith("3.") and m["surrogate"]["tau_s"] > 0
    assert set(m["fidelity"]) >= {"drive_r", "drive_rmse", "reward_r", "reward_rmse", "threshold", "passed"}


def test_round_trip_gives_the_same_rewards(exported: Export) -> None:
    assert np.array_equal(_rewards(exported.reward_fn), _rewards(load_reward_function(exported.path)))


def _rewrite(src: Path, dst: Path, **replace: bytes | None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for name in zin.namelist():
            data = replace.get(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data)
    return dst


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def test_truncated_file_is_refused(module_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.drive"
    bad.write_bytes(module_path.read_bytes()[: module_path.stat().st_size // 2])
    with pytest.raises(RewardModuleError, match="truncated.drive: not a readable zip"):
        load_reward_function(bad)


def test_edited_yaml_is_refused(module_path: Path, tmp_path: Path) -> None:
    text = _read(module_path, CIRCUIT).decode().replace("weight: 30 pA", "weight: 31 pA", 1)
    with pytest.raises(RewardModuleError, match="modified after export"):
        load_reward_function(_rewrite(module_path, tmp_path / "edited.drive", **{CIRCUIT: text.encode()}))
    manifest = json.loads(_read(module_path, MANIFEST))
    manifest["circuit"]["yaml_sha256"] = yaml_digest(text)  # a careful forger also fixes the digest
    with pytest.raises(RewardModuleError, match="content hash"):
        load_reward_function(_rewrite(module_path, tmp_path / "forged.drive", **{CIRCUIT: text.encode(), MANIFEST: json.dumps(manifest).encode()}))


def test_missing_array_is_refused(module_path: Path, tmp_path: Path) -> None:
    with np.load(io.BytesIO(_read(module_path, ARRAYS))) as npz:
        kept = {k: npz[k] for k in npz.files if k != "steady_rates"}
    buffer = io.BytesIO()
    np.savez(buffer, **kept)
    with pytest.raises(RewardModuleError, match="'steady_rates' is missing"):
        load_reward_function(_rewrite(module_path, tmp_path / "noarray.drive", **{ARRAYS: buffer.getvalue()}))


def test_wrong_format_version_is_refused(module_path: Path, tmp_path: Path) -> None:
    manifest = json.loads(_read(module_path, MANIFEST))
    manifest["format_version"] = 99
    with pytest.raises(RewardModuleError, match="format version 99 is not supported"):
        load_reward_function(_rewrite(module_path, tmp_path / "future.drive", **{MANIFEST: json.dumps(manifest).encode()}))
