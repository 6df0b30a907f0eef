"""The reward-module file: one zip holding manifest.json, the circuit YAML and the surrogate's arrays.

Members: ``manifest.json`` (a :class:`~drive_atlas.reward.manifest.Manifest`),
``circuit.yaml`` (the exported circuit's file, byte for byte) and one
``arrays/<name>`` per array (raw little-endian float64; shape and digest in the
manifest). The manifest carries a SHA-256 of its own canonical form, and through it
of the YAML and every array (their digests are in it), so any change is detected.
This is an integrity check, not a signature: it has no key, so it catches damage
and edits, and the manifest's readout and interface are also compared with the
embedded circuit's own sections.

Reading is bounded and checks everything before anything is used: no member is
decompressed beyond its size cap, members the format does not have are refused,
and every failure is a :class:`RewardModuleError` naming the file and the problem.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import ValidationError

from ..spec.errors import DriveAtlasError
from ..spec.hashing import canonical_dumps
from .manifest import FORMAT, FORMAT_VERSION, ArrayRecord, Manifest

MANIFEST, CIRCUIT, ARRAYS = "manifest.json", "circuit.yaml", "arrays/"
MAX_MANIFEST, MAX_CIRCUIT, MAX_ARRAYS = 1 << 20, 4 << 20, 256 << 20  # bytes, decompressed
DTYPE = np.dtype("<f8")


class RewardModuleError(DriveAtlasError):
    """A reward-module file that cannot be used; the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path, self.problem = str(path), problem


@dataclass(frozen=True)
class Artifact:
    """A checked reward module: its manifest, the circuit YAML it was exported from, and its arrays."""

    path: Path
    manifest: Manifest
    circuit_yaml: str
    arrays: dict[str, np.ndarray]


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def manifest_digest(manifest: Manifest | dict[str, Any]) -> str:
    """The digest of everything in the manifest but the digest itself.

    A manifest read back is checked as written (its JSON object), not as this version's model dumps it: a field
    added later with a default would otherwise make every older module look modified.
    """
    data = manifest.model_dump(mode="json") if isinstance(manifest, Manifest) else manifest
    unsigned = {**data, "content_sha256": "sha256:" + "0" * 64}
    return digest(canonical_dumps(unsigned).encode("utf-8"))


def write_artifact(path: str | Path, manifest: Manifest, circuit_yaml: str, arrays: dict[str, np.ndarray]) -> Path:
    """Write the zip atomically; fill in the YAML's and arrays' digests and the manifest's own."""
    path = Path(path)
    raw = {name: np.ascontiguousarray(a, dtype=DTYPE) for name, a in arrays.items()}
    yaml_bytes = circuit_yaml.encode("utf-8")
    manifest = manifest.model_copy(update={
        "circuit": manifest.circuit.model_copy(update={"yaml_sha256": digest(yaml_bytes)}),
        "arrays": {name: ArrayRecord(shape=list(a.shape), sha256=digest(a.tobytes())) for name, a in raw.items()},
    })
    manifest = manifest.model_copy(update={"content_sha256": manifest_digest(manifest)})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream, zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(MANIFEST, json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True))
            archive.writestr(CIRCUIT, yaml_bytes)
            for name, a in raw.items():
                archive.writestr(ARRAYS + name, a.tobytes())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_artifact(path: str | Path) -> Artifact:
    """Open and check a reward module; raise RewardModuleError on any problem."""
    path = Path(path)
    if not path.is_file():
        raise RewardModuleError(path, "no such file")
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # noqa: BLE001  (untrusted bytes: zipfile's errors are not a closed set)
        raise RewardModuleError(path, f"not a readable zip file (truncated or corrupted?): {exc}") from None
    with archive:
        names = [info.filename for info in archive.infolist()]
        unexpected = [n for n in names if n not in (MANIFEST, CIRCUIT) and not n.startswith(ARRAYS)]
        if unexpected or len(set(names)) != len(names):
            raise RewardModuleError(path, f"unexpected or repeated members {sorted(set(unexpected) or names)}; not a reward module")
        missing = [m for m in (MANIFEST, CIRCUIT) if m not in names]
        if missing:
            raise RewardModuleError(path, f"missing {', '.join(missing)}; not a complete reward module")
        manifest = _manifest(path, _member(path, archive, MANIFEST, MAX_MANIFEST))
        stored = sorted(n[len(ARRAYS):] for n in names if n.startswith(ARRAYS))
        if stored != sorted(manifest.arrays):
            raise RewardModuleError(path, f"arrays {stored} do not match the manifest's {sorted(manifest.arrays)}")
        sizes = {name: math.prod(record.shape) * DTYPE.itemsize for name, record in manifest.arrays.items()}
        if sum(sizes.values()) > MAX_ARRAYS:
            raise RewardModuleError(path, f"arrays of {sum(sizes.values())} bytes exceed the limit of {MAX_ARRAYS}")
        yaml_bytes = _member(path, archive, CIRCUIT, MAX_CIRCUIT)
        arrays = {name: _array(path, name, manifest.arrays[name], _member(path, archive, ARRAYS + name, size))
                  for name, size in sizes.items()}
    if digest(yaml_bytes) != manifest.circuit.yaml_sha256:
        raise RewardModuleError(path, f"{CIRCUIT} was modified after export (its digest differs from the manifest's)")
    try:
        circuit_yaml = yaml_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RewardModuleError(path, f"{CIRCUIT} is not UTF-8: {exc}") from None
    _check_circuit(path, manifest, circuit_yaml)
    return Artifact(path, manifest, circuit_yaml, arrays)


def _member(path: Path, archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A member's bytes, reading at most ``limit`` + 1 bytes whatever its header claims (CRC checked at its end)."""
    try:
        with archive.open(name) as stream:
            data = stream.read(limit + 1)
            if len(data) > limit:
                raise RewardModuleError(path, f"member {name!r} is larger than the limit of {limit} bytes")
    except RewardModuleError:
        raise
    except Exception as exc:  # noqa: BLE001  (zlib.error, BadZipFile, NotImplementedError, ... from damaged bytes)
        raise RewardModuleError(path, f"member {name!r} is corrupted: {type(exc).__name__}: {exc}") from None
    return data


def _manifest(path: Path, data: bytes) -> Manifest:
    def refuse_constant(name: str) -> Any:
        raise ValueError(f"{name} is not a finite number")

    def finite(text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            raise ValueError(f"{text} is not a finite number")
        return value

    try:
        raw = json.loads(data.decode("utf-8"), parse_constant=refuse_constant, parse_float=finite)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise RewardModuleError(path, f"{MANIFEST} is not valid JSON: {exc}") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise RewardModuleError(path, f"{MANIFEST} does not describe a {FORMAT}")
    if raw.get("format_version") != FORMAT_VERSION:
        raise RewardModuleError(path, f"format version {raw.get('format_version')!r} is not supported "
                                      f"(this drive-atlas reads version {FORMAT_VERSION}); export the module again")
    try:
        manifest = Manifest.model_validate(raw)
    except ValidationError as exc:
        raise RewardModuleError(path, f"{MANIFEST} is not a valid manifest:\n{exc}") from None
    if manifest_digest(raw) != manifest.content_sha256:
        raise RewardModuleError(path, f"{MANIFEST} was modified after export (its content digest does not match)")
    return manifest


def _array(path: Path, name: str, record: ArrayRecord, data: bytes) -> np.ndarray:
    if digest(data) != record.sha256:
        raise RewardModuleError(path, f"array {name!r} was modified after export (its digest differs from the manifest's)")
    if len(data) != math.prod(record.shape) * DTYPE.itemsize:
        raise RewardModuleError(path, f"array {name!r} has {len(data)} bytes, the manifest's shape {tuple(record.shape)} needs "
                                      f"{math.prod(record.shape) * DTYPE.itemsize}")
    array = np.frombuffer(data, dtype=DTYPE).reshape(record.shape)
    if not np.isfinite(array).all():
        raise RewardModuleError(path, f"array {name!r} holds NaN or infinite values")
    return array


def _readout_agrees(written: Any, derived: Any) -> bool:
    """A written-out readout must equal the manifest's. A composite's ``combine`` derives from parts the module does
    not embed (as its interface does): the manifest's channels and terms must read only the combined parts, and its
    parts must be the combined ones at their weights (a module without them clips the summed parts once, as modules
    exported before each part was clipped on its own did: export it again)."""
    from ..spec.circuit import CombinedReadout, part_of

    if not isinstance(written, CombinedReadout):
        return written == derived
    terms = [t for t in (derived.reward.dopamine, derived.reward.aversive) if t is not None]
    named = [r.population for r in derived.readouts] + [t.population for t in terms]
    return derived.parts == dict(written.combine) and all(part_of(p) in written.combine for p in named)


def _check_circuit(path: Path, manifest: Manifest, text: str) -> None:
    """The embedded YAML must validate, hash to the recorded content hash, and agree with the manifest's sections."""
    from ..spec import Circuit, SpecValidationError, content_hash, parse_yaml_text, validate_document

    record = manifest.circuit
    try:
        circuit = validate_document(parse_yaml_text(text, Path(CIRCUIT)), Circuit)
    except SpecValidationError as exc:
        raise RewardModuleError(path, f"{CIRCUIT} is not a valid circuit: {exc}") from None
    if content_hash(circuit) != record.content_hash:
        raise RewardModuleError(path, f"content hash of {CIRCUIT} ({content_hash(circuit)}) differs from the recorded "
                                      f"{record.content_hash}")
    if (circuit.id, circuit.version) != (record.id, record.version):
        raise RewardModuleError(path, f"{CIRCUIT} is {circuit.id}@{circuit.version}, the manifest says {record.id}@{record.version}")
    if not _readout_agrees(circuit.readout, manifest.readout):
        raise RewardModuleError(path, f"the manifest's readout differs from the readout of {CIRCUIT}")
    if not circuit.includes and circuit.interface != manifest.interface:
        raise RewardModuleError(path, f"the manifest's interface differs from the interface of {CIRCUIT}")
