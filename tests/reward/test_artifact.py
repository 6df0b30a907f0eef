"""Export -> file -> load: same rewards; damaged, edited or oversized files refused with the file and problem named."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest

from drive_atlas.reward import RewardModuleError, load_reward_function
from drive_atlas.reward.artifact import ARRAYS, CIRCUIT, MANIFEST, MAX_MANIFEST, digest, manifest_digest, read_artifact
from drive_atlas.reward.export import Export
from drive_atlas.reward.manifest import Manifest

TRAJECTORY = [({"energy": e}, {"eating": float(k % 7 < 3)}) for k, e in enumerate(np.linspace(0.1, 0.9, 30))]


def _rewards(fn) -> list[float]:
    fn.reset(*TRAJECTORY[0])
    return [fn.step(s, e, dt=0.25) for s, e in TRAJECTORY]


def test_manifest_records_provenance_and_fidelity(exported: Export, atlas) -> None:
    m = exported.manifest
    assert m.circuit.id == "hunger" and m.circuit.content_hash == atlas.entry("hunger").content_hash
    assert m.nest_version.startswith("3.") and m.surrogate.tau_s > 0
    assert m.fidelity.threshold == 0.8 and m.fidelity.forced == (not m.fidelity.passed)


def test_manifest_holds_the_circuit_sections_as_they_are(exported: Export, atlas) -> None:
    raw = json.loads(_read(exported.path, MANIFEST))
    circuit = atlas["hunger"]
    assert raw["readout"] == circuit.readout.model_dump(mode="json")  # quantities keep their units: "2 Hz", "500 ms"
    assert raw["interface"] == circuit.interface.model_dump(mode="json")


def test_round_trip_gives_the_same_rewards(exported: Export) -> None:
    assert np.array_equal(_rewards(exported.reward_fn), _rewards(load_reward_function(exported.path)))


def _rewrite(src: Path, dst: Path, **replace: bytes | None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", compression=zipfile.ZIP_DEFLATED) as zout:
        for name in zin.namelist():
            data = replace.pop(name, zin.read(name))
            if data is not None:
                zout.writestr(name, data)
        for name, data in replace.items():  # new members
            zout.writestr(name, data)
    return dst


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as z:
        return z.read(name)


def _manifest(path: Path) -> dict:
    return json.loads(_read(path, MANIFEST))


def _signed(raw: dict) -> bytes:
    """The manifest as a careful forger writes it: with its content digest recomputed."""
    raw["content_sha256"] = manifest_digest(Manifest.model_validate(raw))
    return json.dumps(raw).encode()


def _refused(path: Path, match: str) -> None:
    with pytest.raises(RewardModuleError, match=match) as info:
        load_reward_function(path)
    assert str(path) in str(info.value)


def test_truncated_file_is_refused(module_path: Path, tmp_path: Path) -> None:
    bad = tmp_path / "truncated.drive"
    bad.write_bytes(module_path.read_bytes()[: module_path.stat().st_size // 2])
    _refused(bad, "truncated.drive: not a readable zip")


def test_edited_yaml_is_refused(module_path: Path, tmp_path: Path) -> None:
    text = _read(module_path, CIRCUIT).decode().replace("weight: 30 pA", "weight: 31 pA", 1)
    _refused(_rewrite(module_path, tmp_path / "edited.drive", **{CIRCUIT: text.encode()}), "modified after export")
    raw = _manifest(module_path)
    raw["circuit"]["yaml_sha256"] = digest(text.encode())  # a careful forger also fixes the digests
    _refused(_rewrite(module_path, tmp_path / "forged.drive", **{CIRCUIT: text.encode(), MANIFEST: _signed(raw)}), "content hash")


def test_negated_readout_weight_is_refused(module_path: Path, tmp_path: Path) -> None:
    raw = _manifest(module_path)
    raw["readout"]["readouts"][0]["weight"] *= -1
    _refused(_rewrite(module_path, tmp_path / "negated.drive", **{MANIFEST: json.dumps(raw).encode()}), "modified after export")
    _refused(_rewrite(module_path, tmp_path / "forged.drive", **{MANIFEST: _signed(raw)}), "readout differs")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999", "-0.5", "0"])
def test_non_physical_surrogate_tau_is_refused(module_path: Path, tmp_path: Path, value: str) -> None:
    text = _read(module_path, MANIFEST).decode()
    tau = json.dumps(_manifest(module_path)["surrogate"]["tau_s"])
    edited = text.replace(f'"tau_s": {tau}', f'"tau_s": {value}')
    assert edited != text
    _refused(_rewrite(module_path, tmp_path / "tau.drive", **{MANIFEST: edited.encode()}), "manifest.json")


def test_edited_steady_rates_are_refused(module_path: Path, tmp_path: Path) -> None:
    rates = np.frombuffer(_read(module_path, ARRAYS + "steady_rates"), dtype="<f8").copy()
    rates[0] += 5.0
    _refused(_rewrite(module_path, tmp_path / "rates.drive", **{ARRAYS + "steady_rates": rates.tobytes()}), "'steady_rates' was modified")
    _refused(_rewrite(module_path, tmp_path / "short.drive", **{ARRAYS + "steady_rates": rates[:-1].tobytes()}), "steady_rates")


def test_missing_array_is_refused(module_path: Path, tmp_path: Path) -> None:
    _refused(_rewrite(module_path, tmp_path / "noarray.drive", **{ARRAYS + "steady_rates": None}), "do not match the manifest")


def test_extra_and_oversized_members_are_refused_without_reading_them(module_path: Path, tmp_path: Path) -> None:
    _refused(_rewrite(module_path, tmp_path / "extra.drive", **{"payload.bin": bytes(1 << 20)}), "unexpected or repeated members")
    padded = _read(module_path, MANIFEST) + b" " * MAX_MANIFEST  # still valid JSON, but past the cap
    _refused(_rewrite(module_path, tmp_path / "big.drive", **{MANIFEST: padded}), "larger than the limit")


def test_wrong_format_version_is_refused(module_path: Path, tmp_path: Path) -> None:
    raw = _manifest(module_path)
    raw["format_version"] = 99
    _refused(_rewrite(module_path, tmp_path / "future.drive", **{MANIFEST: json.dumps(raw).encode()}), "format version 99 is not supported")


def test_every_byte_flip_is_refused_or_harmless(module_path: Path, tmp_path: Path) -> None:
    """A seeded sample of single-byte flips: each loads identically or raises RewardModuleError, nothing else."""
    original, expected = module_path.read_bytes(), _rewards(load_reward_function(module_path))
    rng = np.random.default_rng(17)
    bad, refused, same = tmp_path / "flipped.drive", 0, 0
    for position in rng.choice(len(original), size=min(300, len(original)), replace=False):
        data = bytearray(original)
        data[position] ^= int(rng.integers(1, 256))
        bad.write_bytes(bytes(data))
        try:
            fn = load_reward_function(bad)
        except RewardModuleError as exc:
            assert str(bad) in str(exc)
            refused += 1
            continue
        assert _rewards(fn) == expected, f"flip at byte {position} changed the rewards"
        same += 1
    assert refused > 0 and refused + same == min(300, len(original))


def test_a_module_written_before_a_defaulted_manifest_field_existed_still_loads(module_path: Path, tmp_path: Path) -> None:
    """Defect: the content digest was checked on the manifest as this version dumps it, so a field added later with a
    default (``aversive_tau_s``) made every older module fail as 'modified after export'. It is checked as written."""
    raw = _manifest(module_path)
    raw["surrogate"].pop("aversive_tau_s")
    raw["content_sha256"] = manifest_digest(raw)  # the older writer's digest: over the fields it knew
    older = _rewrite(module_path, tmp_path / "older.drive", **{MANIFEST: json.dumps(raw).encode()})
    assert read_artifact(older).manifest.surrogate.aversive_tau_s is None
    function = load_reward_function(older)
    function.reset({"energy": 0.5})
    assert np.isfinite(function.step(state={"energy": 0.5}, events={}, dt=0.1))


def test_an_added_manifest_field_is_still_caught_by_the_digest(module_path: Path, tmp_path: Path) -> None:
    raw = _manifest(module_path)
    raw["surrogate"]["dopamine_tau_s"] = 123.0
    _refused(_rewrite(module_path, tmp_path / "edited.drive", **{MANIFEST: json.dumps(raw).encode()}),
             "manifest.json was modified after export")
