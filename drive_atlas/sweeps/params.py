"""Parameter paths into a circuit, value ranges for them, and applying a parameter set.

A path names one number in the circuit the way a curator reads the YAML:
``projections.agrp_to_pvh.weight``, ``populations.agrp.receptors.Ghsr.gain``,
``protocols.fasted.events.0.level``; ``seed`` is the simulation seed. Paths are
checked against the circuit before any task runs, so a typo costs milliseconds,
not a cluster's worth of failed simulations.

Applying a set copies the models along the path and validates only the changed
field (pydantic's ``validate_assignment``): a negative weight raises exactly as it
would in YAML, while qualified ids of flattened composites (``hunger.agrp``),
which are not valid as written, are left alone.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel

from ..spec.circuit import Circuit, SetInput
from ..spec.errors import DriveAtlasError
from ..spec.units import unit_of

SEED = "seed"
Point = dict[str, float]  # parameter path -> value; ``seed`` included when swept

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_RANGE = re.compile(rf"^({_NUMBER})(%?)\.\.({_NUMBER})(%?)(?::(\d+))?$")
_CURATED = re.compile(r"projections\.[^.]+(\.[^.]+)?\.weight|populations\..+\.(receptors\.[^.]+\.gain|background\.rate)")


class ParameterError(DriveAtlasError, ValueError):
    """A parameter path or value range that cannot apply to this circuit; the message says which and why."""


# ---------------------------------------------------------------- which numbers a path may name


def parameter_paths(circuit: Circuit) -> list[str]:
    """Every path this circuit accepts, in circuit order (``seed`` first)."""
    paths = [SEED]
    for pop in circuit.populations:
        base = f"populations.{pop.id}"
        paths.append(f"{base}.size")
        paths += [f"{base}.neuron.params.{name}" for name in pop.neuron.params]
        if pop.background is not None:
            paths += [f"{base}.background.rate", f"{base}.background.weight"]
        paths += [f"{base}.receptors.{r.receptor}.gain" for r in pop.receptors]
    for pr in circuit.projections:
        base = f"projections.{pr.id}"
        paths += [f"{base}.weight", f"{base}.delay"]
        paths += [f"{base}.connection.{name}" for name in ("indegree", "outdegree", "p") if hasattr(pr.connection, name)]
    for name, protocol in circuit.protocols.items():
        paths += [f"protocols.{name}.events.{i}.level" for i, ev in enumerate(protocol.events) if isinstance(ev, SetInput)]
    return paths


def curated_parameters(circuit: Circuit) -> list[str]:
    """The numbers robustness perturbs by default: projection weights, receptor gains and background rates."""
    return [p for p in parameter_paths(circuit)
            if _CURATED.fullmatch(p)]


def check_paths(circuit: Circuit, paths: Iterable[str]) -> None:
    """Raise ParameterError naming every unknown path and the valid paths nearest to it."""
    valid = parameter_paths(circuit)
    problems = [f"unknown parameter path {p!r} for circuit {circuit.id!r}; valid here: {', '.join(_alternatives(p, valid))}"
                for p in paths if p not in valid]
    if problems:
        raise ParameterError("\n".join(problems))


def _alternatives(path: str, valid: Sequence[str], limit: int = 25) -> list[str]:
    """Valid paths sharing the longest prefix of segments with ``path``, or else the closest spellings."""
    parts = path.split(".")
    for depth in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:depth]) + "."
        near = [v for v in valid if v.startswith(prefix)]
        if near:
            return near[:limit]
    return difflib.get_close_matches(path, valid, n=5, cutoff=0.3) or list(valid[:limit])


# ---------------------------------------------------------------- reading and writing values


def current_value(circuit: Circuit, path: str) -> float:
    """The curated value at ``path`` in canonical units (ms, Hz, pA, nS, nM)."""
    if path == SEED:
        raise ParameterError("'seed' has no curated value; give absolute values such as seed=1..10")
    check_paths(circuit, [path])
    value = _lookup(circuit, path)
    return float(value.value if hasattr(value, "dimension") else value)


def _lookup(circuit: Circuit, path: str) -> Any:
    """The value at a valid path as the model holds it (an int for counts, a Level for input levels)."""
    node: Any = circuit
    segments = path.split(".")
    while segments:
        node, segments = _step(node, segments)
    return node


def apply(circuit: Circuit, point: Mapping[str, float]) -> Circuit:
    """A copy of the circuit with each path set to its value (``seed`` is ignored: it is not part of the circuit).

    Raises pydantic's ValidationError for a value the field refuses (e.g. a negative weight).
    """
    for path, value in point.items():
        if path != SEED:
            circuit = _set(circuit, path.split("."), value)
    return circuit


def _step(node: Any, segments: list[str]) -> tuple[Any, list[str]]:
    """One step down the path: (child, segments left)."""
    head, rest = segments[0], segments[1:]
    if isinstance(node, BaseModel):
        return getattr(node, head), rest
    if isinstance(node, dict):
        return node[head], rest
    i, rest = _index(node, segments)
    return node[i], rest


def _index(items: list[Any], segments: list[str]) -> tuple[int, list[str]]:
    """A list element by id (populations, projections; qualified ids span two segments), receptor gene, or position."""
    for width in (1, 2):
        key = ".".join(segments[:width])
        for i, item in enumerate(items):
            if getattr(item, "id", None) == key or getattr(item, "receptor", None) == key:
                return i, segments[width:]
    return int(segments[0]), segments[1:]


def _set(node: Any, segments: list[str], value: float) -> Any:
    """A copy of ``node`` with the value at ``segments`` replaced, validating the field that holds it."""
    if isinstance(node, list):
        i, rest = _index(node, segments)
        return [*node[:i], _set(node[i], rest, value), *node[i + 1:]]
    head, rest = segments[0], segments[1:]
    if isinstance(node, dict):
        return {**node, head: _set(node[head], rest, value) if rest else value}
    new = _set(getattr(node, head), rest, value) if rest else _as_written(node, head, value)
    copy = node.model_copy()
    type(node).__pydantic_validator__.validate_assignment(copy, head, new)
    return copy


def _as_written(model: BaseModel, field: str, value: float) -> Any:
    """The value as YAML would give it: with the field's canonical unit for quantities, an int for counts."""
    current = model.model_dump(mode="json", include={field})[field]
    if unit := unit_of(current):
        return f"{value:.12g} {unit}"
    if isinstance(current, int):
        return _integer(value)
    return float(value)


def _integer(value: float) -> int:
    return int(round(value))


# ---------------------------------------------------------------- value ranges


@dataclass(frozen=True)
class Parameter:
    """One swept path and the values it takes, resolved against the circuit (relative ranges made absolute)."""

    path: str
    values: tuple[float, ...]


def parse_parameter(text: str, circuit: Circuit) -> Parameter:
    """``PATH=VALUES``: ``a,b,c``; ``lo..hi:n`` (linear); ``-20%..+20%:9`` (relative to curated); ``1..10`` (integers)."""
    path, sep, spec = text.partition("=")
    path, spec = path.strip(), spec.replace(" ", "")
    if not sep or not path or not spec:
        raise ParameterError(f"cannot read {text!r}: expected PATH=VALUES, such as projections.x.weight=-20%..+20%:9")
    check_paths(circuit, [path])
    values = _values(spec, lambda: current_value(circuit, path), text)
    if path == SEED or _is_integer(circuit, path):
        values = list(dict.fromkeys(_integer(v) for v in values))
    return Parameter(path, tuple(values))


def _values(spec: str, curated: Any, text: str) -> list[float]:
    match = _RANGE.match(spec)
    if match:
        lo, lo_pct, hi, hi_pct, count = match.groups()
        if bool(lo_pct) != bool(hi_pct):
            raise ParameterError(f"{text!r}: both ends of a range are relative (%) or neither is")
        if count is None:
            if lo_pct or not (_is_int_text(lo) and _is_int_text(hi)):
                raise ParameterError(f"{text!r}: a range without ':n' must be integers such as 1..10; use lo..hi:n")
            return [float(v) for v in range(int(lo), int(hi) + 1)]
        if int(count) < 1:
            raise ParameterError(f"{text!r}: ':n' must be at least 1")
        values = np.linspace(float(lo), float(hi), int(count)) if int(count) > 1 else np.array([float(lo)])
        return [_relative(v, curated) for v in values] if lo_pct else values.tolist()
    try:
        return [_relative(float(item[:-1]), curated) if item.endswith("%") else float(item) for item in spec.split(",")]
    except ValueError:
        raise ParameterError(f"cannot read the values in {text!r}: use a,b,c or lo..hi:n or -20%..+20%:9 or 1..10") from None


def _relative(percent: float, curated: Any) -> float:
    return float(curated() * (1.0 + percent / 100.0))


def _is_int_text(text: str) -> bool:
    return re.fullmatch(r"[-+]?\d+", text) is not None


def _is_integer(circuit: Circuit, path: str) -> bool:
    return isinstance(_lookup(circuit, path), int)


def grid(parameters: Sequence[Parameter]) -> list[Point]:
    """Every combination of the parameters' values (the first parameter varies slowest)."""
    paths = [p.path for p in parameters]
    return [dict(zip(paths, combo)) for combo in itertools.product(*(p.values for p in parameters))]


def relative_samples(circuit: Circuit, paths: Sequence[str], fraction: float, samples: int, *,
                     design: str = "lhs", seed: int = 0) -> list[Point]:
    """``samples`` points with every path scaled by a factor in [1 - fraction, 1 + fraction].

    Latin hypercube (default) stratifies every parameter on its own, which is what a
    per-parameter sensitivity needs; Sobol sequences fill the box more evenly
    (best with a power of two of samples).
    """
    from scipy.stats import qmc

    check_paths(circuit, paths)
    if SEED in paths:
        raise ParameterError("'seed' cannot be perturbed; robustness runs every sample over the same seeds")
    if not 0 < fraction < 1:
        raise ParameterError(f"fraction must lie in (0, 1), got {fraction}")
    engine = qmc.LatinHypercube(d=len(paths), rng=seed) if design == "lhs" else qmc.Sobol(d=len(paths), rng=seed)
    unit = engine.random(samples)
    curated = np.array([current_value(circuit, p) for p in paths])
    values = curated * (1.0 - fraction + 2.0 * fraction * unit)
    integer = [_is_integer(circuit, p) for p in paths]
    return [{p: (_integer(v) if is_int else float(v)) for p, v, is_int in zip(paths, row, integer)} for row in values]
