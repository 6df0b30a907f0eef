"""A seeded mutator over the curated circuit files, and a judge of what the loader made of each mutant.

Shared by the fuzz test (a few hundred cases) and ``benchmarks/fuzz_spec.py``
(a hundred thousand): mutant ``i`` of seed ``s`` is always the same bytes, so a
failure found by either is replayed by number.
"""

from __future__ import annotations

import math
import random
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "tests" / "spec" / "valid_minimal.yaml", *sorted((REPO / "circuits").glob("*/*.yaml"))]

QUANTITY = re.compile(rb"(?<=: )([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)( ?)([A-Za-z]+)")
VALUE = re.compile(rb"(?<=: )[^\n#]+")
NUMBERS = [b"-1", b"0", b"-0", b"1e999", b"1e308", b"1e-999", b"1.2.3", b"99999999999", b"-4200", b".5", b"1e6", b"nan", b"inf"]
SCALARS = [
    b".nan", b".inf", b"-.inf", b"1e999", b"1.0e999", b"10000000000000", b"-4200 Hz", b"0 ms", b"-1 ms", b"lots",
    b'"1.2"', b"1.2", b"~", b"[]", b"{}", b"!!python/object/apply:os.system [true]", b"&a x", b"*a", b"*nope",
    b"2026-13-45", b"9" * 5000, b"<<: {a: 1}", b"\"\\x00\"", b"'", b"|", b">-", b"1e999 ms", b"1e12", b"-5 pA",
    b"0 Hz", b"0 nM", b"1 nM", b"20 Hz", b"yes", b"null", b"[1, 2]", b"{rule: fixed_indegree, indegree: 1000000000000}",
]
NOISE = [b":", b"-", b"[", b"]", b"{", b"}", b"&", b"*", b"!", b"|", b">", b"'", b'"', b"%", b"@", b"`", b"#", b" ", b"\n", b"\t",
         b"\x00", b"\x01", b"\x1b", b"\x7f", b"\xff", b"\xc3", b"\xe2\x80", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\r"]


def alias_bomb(depth: int) -> bytes:
    """``depth`` levels of lists each holding nine aliases of the level below: 9**depth leaves."""
    lines = [b"bomb0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, depth + 1):
        alias = b"*a%d" % (level - 1)
        lines.append(b"bomb%d: &a%d [" % (level, level) + b", ".join([alias] * 9) + b"]")
    return b"\n".join(lines) + b"\n"


def mutant(index: int, seed: int = 0) -> tuple[str, bytes]:
    """The source file's name and the bytes of mutant ``index``."""
    rng = random.Random(f"{seed}:{index}")
    source = rng.choice(SOURCES)
    data = source.read_bytes()
    for _ in range(rng.choice([1, 1, 1, 2, 3])):
        data = _mutate_once(rng, data)
    return source.name, data


def _mutate_once(rng: random.Random, data: bytes) -> bytes:
    op = rng.random()
    at = rng.randrange(len(data) + 1) if data else 0
    if op < 0.25:  # a unit quantity gets an odd number
        found = list(QUANTITY.finditer(data))
        if found:
            m = rng.choice(found)
            return data[:m.start(1)] + rng.choice(NUMBERS) + data[m.end(1):]
    if op < 0.5:  # a value is replaced by an odd scalar
        found = list(VALUE.finditer(data))
        if found:
            m = rng.choice(found)
            return data[:m.start()] + rng.choice(SCALARS) + data[m.end():]
    if op < 0.65:  # punctuation, control characters or broken UTF-8
        return data[:at] + b"".join(rng.choice(NOISE) for _ in range(rng.randint(1, 4))) + data[at:]
    if op < 0.75:  # a span is cut
        return data[:at] + data[at + rng.randint(1, 40):]
    if op < 0.85:  # a line is duplicated or moved
        lines = data.split(b"\n")
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines.insert(j, lines[i])
        return b"\n".join(lines)
    if op < 0.9:  # a byte is flipped
        if data:
            at = min(at, len(data) - 1)
            return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1:]
        return data
    if op < 0.95:  # deep nesting
        depth = rng.choice([50, 500, 5000, 50000])
        return data[:at] + b"[" * depth + data[at:]
    return alias_bomb(rng.randint(3, 9)) + data  # an alias bomb at the top


def invalid_values(model: Any, where: str = "") -> list[str]:
    """Physically impossible values in an accepted circuit, judged independently of the model's own rules."""
    found: list[str] = []
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            value = getattr(model, name)
            found += _judge(name, value, f"{where}.{name}")
            found += invalid_values(value, f"{where}.{name}")
    elif isinstance(model, (list, tuple)):
        for i, item in enumerate(model):
            found += invalid_values(item, f"{where}[{i}]")
    elif isinstance(model, dict):
        for key, item in model.items():
            found += _judge(str(key), item, f"{where}.{key}") + invalid_values(item, f"{where}.{key}")
    return found


_POSITIVE = {"rate", "duration", "tau", "delay", "clearance_tau", "scale", "potency", "size", "indegree", "outdegree"}
_NON_NEGATIVE = {"gain", "baseline", "at", "until", "concentration", "level", "at_low", "at_high"}


def _judge(name: str, value: Any, where: str) -> list[str]:
    number = getattr(value, "value", value)  # a Level keeps its number in .value
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        return []
    if isinstance(number, float) and not math.isfinite(number):
        return [f"{where} is {number}"]
    if abs(number) > 1e9:
        return [f"{where} is {number:g}, beyond any physical range"]
    if name in _POSITIVE and number <= 0:
        return [f"{where} is {number:g}, must be positive"]
    if name in _NON_NEGATIVE and number < 0:
        return [f"{where} is {number:g}, must not be negative"]
    return []
