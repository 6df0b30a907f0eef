"""The reward-module file: one zip holding manifest.json, the circuit YAML and the surrogate's arrays.

Reading checks everything before anything is used and refuses a file with a
:class:`RewardModuleError` naming the file and the problem: not a zip or truncated,
a member failing its CRC, a missing member, an unknown format or format version,
an embedded YAML whose bytes or content hash differ from the manifest's record,
missing arrays or arrays of the wrong shape.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from ..spec.errors import DriveAtlasError

FORMAT = "drive-atlas-reward-module"
FORMAT_VERSION = 1
MANIFEST, CIRCUIT, ARRAYS = "manifest.json", "circuit.yaml", "calibration.npz"


class RewardModuleError(DriveAtlasError):
    """A reward-module file that cannot be used; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = str(path), problem


@dataclass(frozen=True)
class Artifact:
    """A checked reward module: its manifest, the circuit YAML it was exported from, and its arrays."""

    path: Path
    manifest: dict[str, Any]
    circuit_yaml: str
    arrays: dict[str, np.ndarray]


def yaml_digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_artifact(path: str | Path, manifest: dict[str, Any], circuit_yaml: str, arrays: dict[str, np.ndarray]) -> Path:
    """Write the zip; the manifest records the format, the YAML's digest and every array's shape."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest,
                "arrays": {k: list(np.shape(v)) for k, v in arrays.items()}}
    manifest["circuit"] = {**manifest["circuit"], "yaml_sha256": yaml_digest(circuit_yaml)}
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, sort_keys=True))
        archive.writestr(CIRCUIT, circuit_yaml)
        archive.writestr(ARRAYS, buffer.getvalue())
    return path


def read_artifact(path: str | Path) -> Artifact:
    """Open and check a reward module; raise RewardModuleError on any problem."""
    path = Path(path)
    if not path.is_file():
        raise RewardModuleError(path, "no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
            if bad is not None:
                raise RewardModuleError(path, f"member {bad!r} is corrupted (CRC mismatch)")
            names = set(archive.namelist())
            missing = [m for m in (MANIFEST, CIRCUIT, ARRAYS) if m not in names]
            if missing:
                raise RewardModuleError(path, f"missing {', '.join(missing)}; not a complete reward module")
            manifest_bytes, yaml_bytes, array_bytes = (archive.read(m) for m in (MANIFEST, CIRCUIT, ARRAYS))
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise RewardModuleError(path, f"not a readable zip file (truncated or corrupted?): {exc}") from None
    manifest = _manifest(path, manifest_bytes)
    circuit_yaml = yaml_bytes.decode("utf-8")
    _check_circuit(path, manifest, circuit_yaml)
    return Artifact(path, manifest, circuit_yaml, _arrays(path, manifest, array_bytes))


def _manifest(path: Path, data: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RewardModuleError(path, f"{MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RewardModuleError(path, f"{MANIFEST} does not describe a {FORMAT}")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise RewardModuleError(path, f"format version {manifest.get('format_version')!r} is not supported "
                                      f"(this drive-atlas reads version {FORMAT_VERSION}); export the module again")
    for key in ("circuit", "interface", "readout", "surrogate", "arrays"):
        if key not in manifest:
            raise RewardModuleError(path, f"{MANIFEST} has no {key!r} section")
    return manifest


def _check_circuit(path: Path, manifest: dict[str, Any], text: str) -> None:
    """The embedded YAML must be byte-identical to what was exported and hash to the recorded content hash."""
    from ..spec import Circuit, SpecValidationError, content_hash, parse_yaml_text, validate_document

    record = manifest["circuit"]
    if yaml_digest(text) != record.get("yaml_sha256"):
        raise RewardModuleError(path, f"{CIRCUIT} was modified after export (its digest differs from the manifest's)")
    try:
        circuit = validate_document(parse_yaml_text(text, Path(CIRCUIT)), Circuit)
    except SpecValidationError as exc:
        raise RewardModuleError(path, f"{CIRCUIT} is not a valid circuit: {exc}") from None
    if content_hash(circuit) != record.get("content_hash"):
        raise RewardModuleError(path, f"content hash of {CIRCUIT} ({content_hash(circuit)}) differs from the recorded "
                                      f"{record.get('content_hash')}")
    if (circuit.id, circuit.version) != (record.get("id"), record.get("version")):
        raise RewardModuleError(path, f"{CIRCUIT} is {circuit.id}@{circuit.version}, the manifest says {record.get('id')}@{record.get('version')}")


def _arrays(path: Path, manifest: dict[str, Any], data: bytes) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:
        raise RewardModuleError(path, f"{ARRAYS} cannot be read: {exc}") from None
    for name, shape in manifest["arrays"].items():
        if name not in arrays:
            raise RewardModuleError(path, f"array {name!r} is missing from {ARRAYS}")
        if list(arrays[name].shape) != list(shape):
            raise RewardModuleError(path, f"array {name!r} has shape {arrays[name].shape}, the manifest says {tuple(shape)}")
    return arrays
