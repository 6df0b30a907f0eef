"""Random mutations of valid circuits never crash the loader: they validate, with physical values, or give located errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import yaml

from drive_atlas.atlas import Atlas
from drive_atlas.spec import SpecValidationError, circuit_from_document, parse_yaml_text

from .mutants import SOURCES, invalid_values, mutant

SEEDED_CASES = 300  # benchmarks/fuzz_spec.py runs the same mutator at scale
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True), st.text(max_size=12),
    st.sampled_from(["1 nM", "-5 pA", "20 ms", "1e9 Hz", "agrp", "ARH", "Ghsr", "1.0.0", "x.y", ""]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _mutate(data: Any, path: tuple, action: str, value: Any) -> Any:
    if not path:
        return value if action == "replace" else data
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    if action == "delete":
        del parent[key]
    elif action == "replace":
        parent[key] = value
    elif action == "rename" and isinstance(parent, dict):
        parent[f"{key}_x"] = parent.pop(key)
    elif action == "duplicate" and isinstance(parent, list):
        parent.append(parent[key])
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def _check(atlas: Atlas, text: str, name: str) -> None:
    try:
        doc = parse_yaml_text(text, Path(name))
        circuit = circuit_from_document(doc, atlas.context())
    except SpecValidationError as exc:
        assert exc.errors
        assert all(e.line >= 1 and e.column >= 1 and e.message for e in exc.errors)
    else:
        assert not invalid_values(circuit)


def test_seeded_mutants_give_located_errors_or_physical_circuits(atlas: Atlas, tmp_path: Path) -> None:
    """Byte-level mutants (bad bytes, alias bombs, deep nesting, odd numbers) read from files as the CLI reads them."""
    outcomes = {"error": 0, "valid": 0}
    for index in range(SEEDED_CASES):
        name, data = mutant(index)
        path = tmp_path / name
        path.write_bytes(data)
        try:
            circuit = atlas.validate_file(path)
        except SpecValidationError as exc:
            assert exc.errors and all(e.line >= 1 and e.column >= 1 and e.message for e in exc.errors), index
            outcomes["error"] += 1
        else:
            assert not invalid_values(circuit), (index, invalid_values(circuit))
            outcomes["valid"] += 1
    assert outcomes["error"] > SEEDED_CASES // 2 and outcomes["valid"] > 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_structural_mutations_never_crash(atlas: Atlas, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(SOURCES))
    tree = parse_yaml_text(source.read_text(), source).data
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(tree)))
        action = data.draw(st.sampled_from(["delete", "replace", "rename", "duplicate"]))
        try:
            tree = _mutate(tree, path, action, data.draw(VALUES))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    _check(atlas, _dump(tree), source.name)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_text_mutations_never_crash(atlas: Atlas, data: st.DataObject) -> None:
    source = data.draw(st.sampled_from(SOURCES))
    text = source.read_text()
    position = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 20))
    insert = data.draw(st.text(alphabet=":-[]{}&*!|>'\"%@`# \n\tabc01", max_size=6))
    _check(atlas, text[:position] + insert + text[position + cut:], source.name)
