"""Safe YAML reading that remembers where every value came from.

PyYAML's C-accelerated safe loader composes the document into nodes that carry
their line and column; we build plain dicts, lists and scalars from them and
keep a map from each value's path to its position, which is what lets every
error name its place. Only YAML's standard scalar types are ever constructed:
a ``!!python/...`` tag is an error, never code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecValidationError, display_path

MAX_FILE_BYTES = 1_000_000
Loc = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


@dataclass
class YamlDocument:
    """The parsed content of a YAML file plus the position (1-based line, column) of each value."""

    path: Path
    data: Any
    text: str
    positions: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return display_path(self.path)

    def position(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the deepest node along ``loc`` that exists."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.positions:
                return self.positions[loc[:end]]
        return 1, 1

    def error(self, loc: Loc, message: str) -> SpecError:
        line, col = self.position(loc)
        return SpecError(self.name, line, col, format_loc(loc), message)


def format_loc(loc: Loc) -> str:
    """``('populations', 2, 'size')`` -> ``populations[2].size``."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


class _Builder:
    """Builds plain Python values from composed nodes, recording positions and refusing duplicate keys."""

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.positions: dict[Loc, tuple[int, int]] = {}

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_COLLECTION_TAGS:
            raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            self.loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.build(key_node, loc + ("<key>",))
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain scalar", key_node.start_mark)
                if key in out:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark)
                self.positions[loc + (key,)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                out[key] = self.build(value_node, loc + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[loc + (index,)] = (item.start_mark.line + 1, item.start_mark.column + 1)
                items.append(self.build(item, loc + (index,)))
            return items
        return self.loader.construct_object(node, deep=True)


def parse_yaml_text(text: str, path: Path) -> YamlDocument:
    """Parse text as YAML; a syntax error becomes a SpecValidationError at its line."""
    name = display_path(path)
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"file is larger than {MAX_FILE_BYTES} bytes; refusing to read it")])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        builder = _Builder(loader)
        data = builder.build(node, ()) if node is not None else {}
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" (the construct began at line {exc.context_mark.line + 1})"
        raise SpecValidationError([SpecError(name, line, col, "", f"YAML syntax error: {problem}")]) from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()
    return YamlDocument(path=path, data=data, text=text, positions=builder.positions if node is not None else {})


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a YAML file, refusing oversize or unreadable files with a clear error."""
    name = display_path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"cannot read file: {exc.strerror}")]) from None
    if size > MAX_FILE_BYTES:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"file is {size} bytes, more than the limit of {MAX_FILE_BYTES}; refusing to read it")])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"file is not UTF-8 text: {exc.reason}")]) from None
    return parse_yaml_text(text, path)
