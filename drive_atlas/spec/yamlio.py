"""Safe YAML reading that remembers where every value came from.

ruamel.yaml's round-trip loader builds only plain mappings, sequences and
scalars (no object construction), and records line and column of each key and
item, which is what lets every error name its place in the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from .errors import SpecError, SpecValidationError, display_path

MAX_FILE_BYTES = 1_000_000


@dataclass
class YamlDocument:
    """The parsed content of a YAML file plus the means to find a value's position."""

    path: Path
    data: Any
    text: str

    @property
    def name(self) -> str:
        return display_path(self.path)

    def position(self, loc: tuple[str | int, ...]) -> tuple[int, int]:
        """Line and column (1-based) of the deepest node along ``loc`` that exists."""
        node, line, col = self.data, 1, 1
        for key in loc:
            if isinstance(node, CommentedMap) and key in node:
                line, col = node.lc.key(key)
                line, col = line + 1, col + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                line, col = node.lc.item(key)
                line, col = line + 1, col + 1
                node = node[key]
            else:
                break
        return line, col

    def error(self, loc: tuple[str | int, ...], message: str) -> SpecError:
        line, col = self.position(loc)
        return SpecError(self.name, line, col, format_loc(loc), message)


def format_loc(loc: tuple[str | int, ...]) -> str:
    """``('populations', 2, 'size')`` -> ``populations[2].size``."""
    out = ""
    for key in loc:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    return yaml


def parse_yaml_text(text: str, path: Path) -> YamlDocument:
    """Parse text as YAML; a syntax error becomes a SpecValidationError at its line."""
    name = display_path(path)
    if len(text.encode("utf-8", errors="replace")) > MAX_FILE_BYTES:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"file is larger than {MAX_FILE_BYTES} bytes; refusing to read it")])
    try:
        data = _yaml().load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" (the construct began at line {exc.context_mark.line + 1})"
        raise SpecValidationError([SpecError(name, line, col, "", f"YAML syntax error: {problem}")]) from None
    except YAMLError as exc:
        raise SpecValidationError([SpecError(name, 1, 1, "", f"YAML error: {exc}")]) from None
    if data is None:
        data = CommentedMap()
    return YamlDocument(path=path, data=data, text=text)


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


def to_plain(node: Any) -> Any:
    """Round-trip containers -> plain dicts and lists (for hashing and serialising)."""
    if isinstance(node, dict):
        return {str(k): to_plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_plain(v) for v in node]
    return node
