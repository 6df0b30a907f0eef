"""Safe, bounded YAML reading that remembers where every value came from.

PyYAML's C-accelerated safe loader composes the document into nodes that carry
their line and column; we build plain dicts, lists and scalars from them and
keep a map from each value's path to its position, which is what lets every
error name its place. Only YAML's standard scalar types are ever constructed:
a ``!!python/...`` tag is an error, never code.

Any input is read in bounded time and memory: only regular files, at most
``MAX_FILE_BYTES``; nesting deeper than ``MAX_DEPTH`` is refused before the
document is composed; and aliases are expanded against a budget of
``MAX_NODES`` values, so a few hundred bytes of nested aliases (an "alias
bomb") stop at a located error instead of filling memory.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import SpecError, SpecValidationError, display_path

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 64
MAX_NODES = 50_000  # the largest curated file has about 2,000
Loc = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_PLAIN_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_MERGE_TAG = "tag:yaml.org,2002:merge"
# Characters YAML 1.1 allows in a stream (its "printable" set); the first other one is reported where it is.
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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


class _Limit(Exception):
    """A bound on the document was exceeded at ``mark``."""

    def __init__(self, message: str, mark: Any) -> None:
        super().__init__(message)
        self.mark = mark


class _Builder:
    """Builds plain Python values from composed nodes, recording positions and refusing duplicate keys.

    Every value built counts against ``MAX_NODES``, an alias each time it is
    expanded, which bounds the work however the aliases nest.
    """

    def __init__(self, loader: Any) -> None:
        self.loader = loader
        self.positions: dict[Loc, tuple[int, int]] = {}
        self.budget = MAX_NODES

    def build(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _Limit(f"the document expands to more than {MAX_NODES} values (nested aliases?); refusing to build it", node.start_mark)
        if depth > MAX_DEPTH:
            raise _Limit(f"values nest more than {MAX_DEPTH} levels deep (through aliases); refusing to build them", node.start_mark)
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _PLAIN_COLLECTION_TAGS:
            raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag {node.tag!r}", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, loc, depth)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                self.positions[loc + (index,)] = _position(item.start_mark)
                items.append(self.build(item, loc + (index,), depth + 1))
            return items
        try:
            return self.loader.construct_object(node, deep=True)
        except (ValueError, OverflowError) as exc:  # an impossible date, an integer of thousands of digits
            raise _Limit(f"cannot read the value {node.value[:40]!r}: {exc}", node.start_mark) from None

    def _mapping(self, node: yaml.MappingNode, loc: Loc, depth: int) -> dict[Any, Any]:
        merged: dict[Any, Any] = {}
        own: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:  # YAML merge key (<<): its keys come first, the mapping's own win
                for source in reversed(self._merge_sources(value_node)):
                    merged.update(self.build(source, loc, depth + 1))
                continue
            key = self.build(key_node, loc + ("<key>",), depth + 1)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain scalar", key_node.start_mark)
            if key in own:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, f"found duplicate key {key!r}", key_node.start_mark)
            self.positions[loc + (key,)] = _position(key_node.start_mark)
            own[key] = self.build(value_node, loc + (key,), depth + 1)
        merged.update(own)
        return merged

    def _merge_sources(self, node: yaml.Node) -> list[yaml.MappingNode]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        if not all(isinstance(s, yaml.MappingNode) for s in sources):
            raise yaml.constructor.ConstructorError(None, None, "a merge key (<<) takes a mapping or a list of mappings", node.start_mark)
        return sources


def _position(mark: Any) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` in ``text``."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1


def _check_shape(text: str) -> None:
    """Walk the event stream once, refusing too many values or too deep a nesting before anything is composed."""
    loader = _Loader(text)
    depth = nodes = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.CollectionStartEvent)):
                nodes += 1
                if nodes > MAX_NODES:
                    raise _Limit(f"the document has more than {MAX_NODES} values; refusing to read it", event.start_mark)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _Limit(f"values nest more than {MAX_DEPTH} levels deep; refusing to read them", event.start_mark)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def parse_yaml_text(text: str, path: Path) -> YamlDocument:
    """Parse text as YAML; any problem becomes a SpecValidationError at its line and column."""
    name = display_path(path)

    def fail(line: int, col: int, message: str) -> SpecValidationError:
        return SpecValidationError([SpecError(name, line, col, "", message)])

    if len(text) > MAX_FILE_BYTES or len(text.encode("utf-8", errors="surrogatepass")) > MAX_FILE_BYTES:
        raise fail(1, 1, f"file is larger than {MAX_FILE_BYTES} bytes; refusing to read it")
    if bad := _NOT_PRINTABLE.search(text):
        raise fail(*_line_col(text, bad.start()), f"character U+{ord(bad.group()):04X} is not allowed in YAML (a control character or an unpaired surrogate)")
    node = None
    builder: _Builder | None = None
    try:
        _check_shape(text)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            builder = _Builder(loader)
            data = builder.build(node, ()) if node is not None else {}
        finally:
            loader.dispose()
    except _Limit as exc:
        raise fail(*_position(exc.mark), str(exc)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = _position(mark) if mark else (1, 1)
        problem = " ".join(p for p in (exc.context, exc.problem) if p) or str(exc)
        if exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem += f" (the construct began at line {exc.context_mark.line + 1})"
        raise fail(line, col, f"YAML syntax error: {problem}") from None
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError, MemoryError) as exc:
        raise fail(1, 1, f"YAML error: {exc}") from None
    return YamlDocument(path=path, data=data, text=text, positions=builder.positions if builder and node is not None else {})


def read_yaml(path: Path) -> YamlDocument:
    """Read and parse a YAML file: only a regular file, at most MAX_FILE_BYTES, UTF-8, each refusal located."""
    name = display_path(path)

    def fail(line: int, col: int, message: str) -> SpecValidationError:
        return SpecValidationError([SpecError(name, line, col, "", message)])

    try:  # non-blocking, so that opening a FIFO returns at once; fstat then tells what it is
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise fail(1, 1, f"cannot read file: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise fail(1, 1, "not a regular file (a directory, device, FIFO or socket); refusing to read it")
        if info.st_size > MAX_FILE_BYTES:
            raise fail(1, 1, f"file is {info.st_size} bytes, more than the limit of {MAX_FILE_BYTES}; refusing to read it")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise fail(1, 1, f"cannot read file: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise fail(1, 1, f"file is more than the limit of {MAX_FILE_BYTES} bytes; refusing to read it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        prefix = raw[:exc.start].decode("utf-8", errors="replace")
        line, col = _line_col(prefix, len(prefix))
        raise fail(line, col, f"file is not UTF-8 text: byte 0x{raw[exc.start]:02x} {exc.reason}") from None
    return parse_yaml_text(text, path)
