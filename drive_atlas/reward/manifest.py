"""The reward module's manifest as pydantic models: the circuit's own ``Interface`` and ``ReadoutSpec``
sections as they are, plus provenance, the surrogate, calibration and fidelity records.

Validating a manifest read back from a file uses the same models that validate
circuit files, so a manifest holds nothing a circuit could not: typed quantities,
finite numbers, ranges checked.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from ..spec.circuit import Interface, ReadoutSpec
from ..spec.common import Identifier, SemVer, StrictModel

FORMAT = "drive-atlas-reward-module"
FORMAT_VERSION = 2

Finite = Annotated[float, Field(allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0.0, allow_inf_nan=False)]
NonNegative = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Digest = Annotated[str, Field(pattern=r"^sha256:[0-9a-f]{64}$")]
Correlation = Annotated[float, Field(ge=-1.0, le=1.0, allow_inf_nan=False)]


class CircuitRecord(StrictModel):
    id: Identifier
    version: SemVer
    content_hash: Digest
    title: str
    yaml_sha256: Digest


class Surrogate(StrictModel):
    kind: Literal["first_order_table"]
    tau_s: Positive
    dopamine_tau_s: Positive | None = None  # the dopamine rate's own time constant; None: tau_s
    aversive_tau_s: Positive | None = None  # the aversive population's own time constant; None: tau_s
    fit_drive_rmse: NonNegative
    variables: list[Identifier]
    slow_tau_s: Positive | None = None  # the drive's hidden slow state (arrays slow_rates, slow_start); None: none
    dopamine_slow_tau_s: Positive | None = None  # the dopamine rate's slow state; None: none


class CalibrationRecord(StrictModel):
    grid: Annotated[int, Field(ge=2)]
    seeds: Annotated[int, Field(ge=1)]
    hold: Positive
    corner_hold: NonNegative = 0.0  # s per grid corner held first (0: modules written before the slow state)
    corner_budget: NonNegative | None = None  # s per seed the corner holds share (None: modules written before it)
    dt: Positive
    settle: Positive
    check_duration: Positive
    check_trajectories: Annotated[int, Field(ge=1)]
    threshold: Correlation
    seed: int
    wall_seconds: NonNegative


class Fidelity(StrictModel):
    drive_r: Correlation | None
    drive_rmse: NonNegative
    reward_r: Correlation | None
    reward_rmse: NonNegative
    threshold: Correlation
    passed: bool
    forced: bool = False  # written although it did not pass (``--force``)
    trajectories: Annotated[int, Field(ge=1)]
    duration_s: Positive
    dt_s: Positive


class ArrayRecord(StrictModel):
    """One array, stored as raw little-endian float64 bytes in ``arrays/<name>``."""

    shape: Annotated[list[Annotated[int, Field(ge=1, le=10_000_000)]], Field(min_length=1, max_length=16)]
    sha256: Digest


class Manifest(StrictModel):
    format: Literal["drive-atlas-reward-module"]
    format_version: Literal[2]
    circuit: CircuitRecord
    nest_version: str
    drive_atlas_version: str
    exported: str
    interface: Interface
    readout: ReadoutSpec
    surrogate: Surrogate
    calibration: CalibrationRecord
    fidelity: Fidelity
    arrays: dict[Identifier, ArrayRecord]
    content_sha256: Digest = "sha256:" + "0" * 64  # over everything else in the manifest and the members; set on write
