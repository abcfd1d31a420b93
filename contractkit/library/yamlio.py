"""Safe YAML in, with a line number for every field; round-trip YAML out for files people edit.

Reading goes through `yamlread.Reader`, which never builds a Python object from a tag, never
expands an alias and keeps plain scalars as the text written; see its docstring for the limits.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import RoundTripConstructor

from contractkit import __version__
from contractkit.errors import Issue, ValidationFailed
from contractkit.library.yamlread import CONTROL_CHARS, Reader, format_loc

__all__ = ["CONTROL_CHARS", "Document", "dump", "format_loc", "load", "parse", "round_trip", "strings"]
# Part of every cache key: an entry parsed (and checked) by another version of contractkit is not used.
_CACHE_VERSION = f"contractkit {__version__} yaml cache 1\n".encode()
Loc = Sequence[str | int]


class _Constructor(RoundTripConstructor):
    """Round-trip construction with dates left as text: the tree is only read for line numbers and
    edited as text, and an impossible date such as 2030-02-30 must not crash it."""


_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_str)


def round_trip() -> YAML:
    """A YAML instance that keeps comments, key order and quoting when a file is written back."""
    yaml = YAML(typ="rt")
    yaml.Constructor = _Constructor
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class Document:
    """A parsed YAML file: its plain data, the line of every node, and (built on demand, for
    editing) the round-trip tree that keeps comments and layout."""

    def __init__(self, data: Any, name: str, text: str, lines: dict[tuple[str | int, ...], int] | None = None) -> None:
        self.data = data
        self.name = name
        self.text = text
        self._lines = lines
        self._tree: Any = None

    @property
    def tree(self) -> Any:
        """The round-trip tree, for editing. Built only from text the guarded reader has accepted,
        so that the round-trip loader never meets an alias."""
        if self._tree is None:
            _ = self.lines
            self._tree = round_trip().load(io.StringIO(self.text))
        return self._tree

    @property
    def lines(self) -> dict[tuple[str | int, ...], int]:
        if self._lines is None:
            reader = Reader(self.name)
            reader.read(self.text)
            self._lines = reader.lines
        return self._lines

    def line_of(self, loc: Loc) -> int | None:
        """1-based line of the deepest node on `loc` that exists in the file."""
        key = tuple(loc)
        while key and key not in self.lines:
            key = key[:-1]
        return self.lines.get(key, 1 if self.text else None)

    def issue(self, loc: Loc, message: str, **extra: Any) -> Issue:
        return Issue(message, file=self.name, line=self.line_of(loc), field=format_loc(loc), **extra)

    def plain(self) -> Any:
        """The file as plain dicts, lists and scalars, ready for a schema."""
        return _plain(self.data)


def parse(text: str, name: str) -> Document:
    """Parse YAML text into plain data, refusing tags, aliases, control characters and the rest
    (see `yamlread`), with every problem located."""
    raw = [
        Issue(
            f"contains control character U+{ord(m.group()):04X}",
            file=name,
            line=text.count("\n", 0, m.start()) + 1,
            hint="remove it; Word cannot open a document containing it",
        )
        for m in CONTROL_CHARS.finditer(text)
    ]
    if raw:
        raise ValidationFailed(raw)
    reader = Reader(name)
    data = reader.read(text)
    return Document(data, name, text, reader.lines)


def load(path: Path, name: str | None = None) -> Document:
    """Read and parse a YAML file; non-UTF-8 bytes are reported with their line."""
    label = name or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed([Issue(f"cannot read file: {exc.strerror}", file=label)]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ValidationFailed(
            [
                Issue(
                    f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                    file=label,
                    line=line,
                    hint="save the file as UTF-8",
                )
            ]
        ) from None
    return parse(text, label)


def load_cached(path: Path, name: str, cache: Path | None) -> Document:
    """`load`, keeping the parsed data as JSON in `cache` under a digest of the file's bytes: a large
    file that rarely changes (the exclusivity rules) is read in a fraction of the parse time. An
    entry is only ever the parse of exactly those bytes; one that cannot be read or written is
    ignored."""
    if cache is None:
        return load(path, name)
    try:
        raw = path.read_bytes()
    except OSError:
        return load(path, name)  # reports the error
    entry = cache / f"yaml-{hashlib.sha256(_CACHE_VERSION + raw).hexdigest()}.json"
    with contextlib.suppress(OSError, ValueError):
        return Document(json.loads(entry.read_text(encoding="utf-8")), name, raw.decode("utf-8"))
    doc = load(path, name)
    with contextlib.suppress(OSError, TypeError, ValueError):
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(doc.plain()), encoding="utf-8")
        partial.replace(entry)
    return doc


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def strings(node: Any, loc: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string value in plain data, with where it is."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*loc, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, (*loc, index))
    elif isinstance(node, str):
        yield loc, node


def dump(tree: Any) -> str:
    """Serialise a round-trip tree back to text, keeping comments and order."""
    buffer = io.StringIO()
    round_trip().dump(tree, buffer)
    return buffer.getvalue()
