"""Safe YAML in, with a line number for every field; round-trip YAML out for files people edit.

Nothing here ever builds a Python object from a tag: the round-trip loader keeps tags as data,
and `load` refuses any tagged node.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from . import __version__
from .errors import Issue, ValidationFailed

# Part of every cache key: an entry parsed (and checked) by another version of contractkit is not used.
_CACHE_VERSION = f"contractkit {__version__} yaml cache 1\n".encode()
# XML 1.0 cannot carry these; a DOCX containing them will not open in Word.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
Loc = Sequence[str | int]


def round_trip() -> YAML:
    """A YAML instance that keeps comments, key order and quoting when a file is written back."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class Document:
    """A parsed YAML file: its plain data, and (built on demand) the round-trip tree whose line
    numbers locate errors. Most files are valid, so the slow round-trip parse is only paid when
    something must be located or edited."""

    def __init__(self, data: Any, name: str, text: str) -> None:
        self.data = data
        self.name = name
        self.text = text
        self._tree: Any = None

    @property
    def tree(self) -> Any:
        if self._tree is None:
            self._tree = round_trip().load(io.StringIO(self.text))
        return self._tree

    def line_of(self, loc: Loc) -> int | None:
        """1-based line of the deepest node on `loc` that exists in the file."""
        node, line = self.tree, 1
        for key in loc:
            if isinstance(node, CommentedMap) and key in node:
                line = node.lc.key(key)[0] + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
                line = node.lc.item(key)[0] + 1
                node = node[key]
            else:
                break
        return line

    def issue(self, loc: Loc, message: str, **extra: Any) -> Issue:
        return Issue(message, file=self.name, line=self.line_of(loc), field=format_loc(loc), **extra)

    def plain(self) -> Any:
        """The file as plain dicts, lists and scalars, ready for a schema."""
        return _plain(self.data)


def format_loc(loc: Loc) -> str:
    """('partners', 0, 'name') -> 'partners[0].name'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse(text: str, name: str) -> Document:
    """Parse YAML text, refusing tags and control characters, with every problem located."""
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
    try:
        data = _fast().load(text)
    except YAMLError:
        data = None  # re-parsed below with the round-trip loader, which says where and why
    if data is not None and not _has_control_chars(data):
        return Document(data, name, text)
    try:
        tree = round_trip().load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        raise ValidationFailed(
            [Issue(f"YAML syntax error: {problem}", file=name, line=line, hint="check indentation and quoting")]
        ) from None
    except YAMLError as exc:
        raise ValidationFailed([Issue(f"YAML error: {exc}", file=name)]) from None
    doc = Document(tree, name, text)
    doc._tree = tree
    issues = list(_unsafe_nodes(doc, tree, ()))
    if issues:
        raise ValidationFailed(issues)
    return doc


def _fast() -> YAML:
    """The C-accelerated safe loader: plain data only; any tag it does not know is an error."""
    return YAML(typ="safe", pure=False)


def _has_control_chars(node: Any) -> bool:
    if isinstance(node, dict):
        return any(_has_control_chars(k) or _has_control_chars(v) for k, v in node.items())
    if isinstance(node, list):
        return any(_has_control_chars(v) for v in node)
    return isinstance(node, str) and CONTROL_CHARS.search(node) is not None


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


def _unsafe_nodes(doc: Document, node: Any, loc: tuple[str | int, ...]) -> Iterator[Issue]:
    tag = getattr(node, "tag", None)
    tag_value = getattr(tag, "value", tag)
    if (
        isinstance(node, TaggedScalar)
        or (tag_value and not str(tag_value).startswith("tag:yaml.org,2002:"))
        or (tag_value and "python/" in str(tag_value))
    ):
        yield doc.issue(loc, f"YAML tag {tag_value} is not allowed", hint="deal and library files hold plain data only")
        return
    if isinstance(node, CommentedMap):
        for key, value in node.items():
            yield from _unsafe_nodes(doc, value, (*loc, key))
    elif isinstance(node, CommentedSeq):
        for index, value in enumerate(node):
            yield from _unsafe_nodes(doc, value, (*loc, index))
    elif isinstance(node, str) and (bad := CONTROL_CHARS.search(node)):
        yield doc.issue(
            loc,
            f"contains control character U+{ord(bad.group()):04X}",
            hint="remove it; Word cannot open a document containing it",
        )


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node


def dump(tree: Any) -> str:
    """Serialise a round-trip tree back to text, keeping comments and order."""
    buffer = io.StringIO()
    round_trip().dump(tree, buffer)
    return buffer.getvalue()
