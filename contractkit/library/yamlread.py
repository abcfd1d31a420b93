"""YAML text to plain data, one parser event at a time, refusing what a hostile file could use.

The reader never builds a Python object from a tag and never expands an alias: anchors, aliases,
merge keys, duplicate keys, unknown tags, deep nesting and oversized files are located errors,
found in one pass over the parser's events (so a "billion laughs" file costs as little as its
size). Plain scalars stay text as written (`01234567` keeps its leading zero; `2030-02-30` is a
string the schema can explain); only YAML 1.2's null forms (`~`, `null`, nothing) become None and
its booleans (`true`, `false`) True and False. The schema decides what each value means.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    NodeEvent,
    ScalarEvent,
)
from ruamel.yaml.reader import ReaderError

from contractkit.errors import Issue, ValidationFailed

# XML 1.0 cannot carry these; a DOCX containing them will not open in Word.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
MAX_CHARS = 2_000_000  # a deal file is a few kilobytes; the largest library file about 30
MAX_DEPTH = 32  # the deepest library file nests 9 levels
MAX_ISSUES = 50
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
CORE = "tag:yaml.org,2002:"
PLAIN_TAGS = frozenset({"!", *(CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))})
NO_REUSE = "deal and library files do not allow anchors (&) or aliases (*): write the value out in full"
Loc = tuple[str | int, ...]


def format_loc(loc: Sequence[str | int]) -> str:
    """('partners', 0, 'name') -> 'partners[0].name'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@dataclass
class _Frame:
    node: dict[str, Any] | list[Any]
    loc: Loc
    key: str | None = None  # a mapping's key waiting for its value
    key_line: int = 0
    seen: dict[str, int] = field(default_factory=dict)  # key -> line, to find duplicates


class Reader:
    """Builds plain data from parser events, with the line of every node and every problem found."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.issues: list[Issue] = []
        self.lines: dict[Loc, int] = {}
        self.root: Any = None
        self._stack: list[_Frame] = []
        self._documents = 0
        self._problem_lines: set[int] = set()

    def read(self, text: str) -> Any:
        if len(text) > MAX_CHARS:
            self._fatal(None, (), f"is {len(text):,} characters long; contractkit reads files up to {MAX_CHARS:,}")
        try:
            for event in YAML(typ="safe", pure=False).parse(text):
                self._event(event)
        except MarkedYAMLError as exc:
            raise ValidationFailed([*self.issues, self._syntax(exc, text)]) from None
        except ReaderError as exc:  # a character YAML cannot hold at all, e.g. DEL or a C1 control
            line = text.count("\n", 0, exc.position) + 1
            issue = Issue(
                f"contains control character U+{exc.character:04X}",
                file=self.name,
                line=line,
                field=self._field_on(line, text.split("\n")[line - 1]),
                hint="remove it; it is invisible, and a YAML file cannot hold it",
            )
            raise ValidationFailed([*self.issues, issue]) from None
        except YAMLError as exc:
            raise ValidationFailed([*self.issues, Issue(f"YAML error: {exc}", file=self.name)]) from None
        if self.issues:
            raise ValidationFailed(self.issues)
        return self.root

    # ----------------------------------------------------------------------------- events

    def _event(self, event: Event) -> None:
        if isinstance(event, DocumentStartEvent):
            self._documents += 1
            if self._documents > 1:
                self._fatal(event, (), "a second YAML document starts here ('---'); a file holds one document")
        elif isinstance(event, NodeEvent):
            self._node(event)
        elif isinstance(event, CollectionEndEvent):
            self._stack.pop()

    def _node(self, event: NodeEvent) -> None:
        line = event.start_mark.line + 1
        if self._stack and isinstance(self._stack[-1].node, dict) and self._stack[-1].key is None:
            self._key(event, line)
            return
        loc = self._loc()
        if event.anchor is not None:
            self._add(loc, line, f"'&{event.anchor}' marks this value for reuse (a YAML anchor)", hint=NO_REUSE)
        if isinstance(event, AliasEvent):
            self._add(loc, line, f"'*{event.anchor}' repeats a value from elsewhere (a YAML alias)", hint=NO_REUSE)
            self._place(None, line)
            return
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in PLAIN_TAGS:
            self._add(loc, line, f"YAML tag {tag} is not allowed", hint="deal and library files hold plain data only")
        if isinstance(event, ScalarEvent):
            self._place(self._scalar(event, loc, line), line)
        elif isinstance(event, CollectionStartEvent):
            if len(self._stack) >= MAX_DEPTH:
                self._fatal(event, loc[:2], f"nested more than {MAX_DEPTH} levels deep", hint="a deal file needs 4")
            node: dict[str, Any] | list[Any] = {} if isinstance(event, MappingStartEvent) else []
            self._place(node, line)
            self._stack.append(_Frame(node, loc))

    def _key(self, event: NodeEvent, line: int) -> None:
        frame = self._stack[-1]
        if not isinstance(event, ScalarEvent):
            self._fatal(event, frame.loc, "a field name must be a plain word, not a list, group or alias")
        assert isinstance(event, ScalarEvent)
        key = str(event.value)
        loc = (*frame.loc, key)
        plain = not event.style
        if plain and key == "<<":
            self._add(frame.loc, line, "merge key '<<' is not allowed", hint="write the fields out in full")
        elif key in frame.seen:
            self._add(loc, line, f"'{key}' is given twice here (first on line {frame.seen[key]})", hint="keep one")
        if event.anchor is not None:
            self._add(loc, line, f"'&{event.anchor}' marks this name for reuse (a YAML anchor)", hint=NO_REUSE)
        self._control(key, loc, line)
        frame.seen.setdefault(key, line)
        frame.key, frame.key_line = key, line

    def _scalar(self, event: ScalarEvent, loc: Loc, line: int) -> str | bool | None:
        value = str(event.value)
        plain = not event.style and event.tag in (None, "!")
        if event.tag == CORE + "null" or (plain and value in NULLS):
            return None
        if (plain or event.tag == CORE + "bool") and value in BOOLS:
            return BOOLS[value]
        self._control(value, loc, line)
        return value

    def _control(self, value: str, loc: Loc, line: int) -> None:
        bad = CONTROL_CHARS.search(value)
        if bad:
            self._add(
                loc,
                line,
                f"contains control character U+{ord(bad.group()):04X}",
                hint="remove it; Word cannot open a document containing it",
            )

    def _place(self, value: Any, line: int) -> None:
        if not self._stack:
            self.root = value
            self.lines[()] = line
            return
        frame = self._stack[-1]
        if isinstance(frame.node, list):
            loc = (*frame.loc, len(frame.node))
            frame.node.append(value)
        else:
            assert frame.key is not None
            loc = (*frame.loc, frame.key)
            frame.node[frame.key] = value
            line, frame.key = frame.key_line, None
        self.lines.setdefault(loc, line)

    def _loc(self) -> Loc:
        if not self._stack:
            return ()
        frame = self._stack[-1]
        if isinstance(frame.node, list):
            return (*frame.loc, len(frame.node))
        return (*frame.loc, frame.key) if frame.key is not None else frame.loc

    # ----------------------------------------------------------------------------- problems

    def _add(self, loc: Loc, line: int | None, message: str, *, hint: str | None = None) -> None:
        if line in self._problem_lines:
            return  # the first problem on a line is enough: an alias under a merge key is one mistake
        if line is not None:
            self._problem_lines.add(line)
        self.issues.append(Issue(message, file=self.name, line=line, field=format_loc(loc) or None, hint=hint))
        if len(self.issues) >= MAX_ISSUES:
            self._fatal(None, (), f"more than {MAX_ISSUES} problems; fix these first")

    def _fatal(self, event: Event | None, loc: Loc, message: str, *, hint: str | None = None) -> None:
        line = event.start_mark.line + 1 if event is not None else None
        issue = Issue(message, file=self.name, line=line, field=format_loc(loc) or None, hint=hint)
        raise ValidationFailed([*self.issues, issue])

    def _syntax(self, exc: MarkedYAMLError, text: str) -> Issue:
        problem = (exc.problem or exc.context or "invalid YAML").strip()
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark is not None and any(p in problem for p in _AT_CONTEXT):
            mark = exc.context_mark
        line = mark.line + 1 if mark is not None else None
        lines = text.rstrip("\n").split("\n")
        if line and line > len(lines):  # libyaml gave up at the end of the file
            line = len(lines)
        source = lines[line - 1] if line and 0 < line <= len(lines) else ""
        what, hint = explain(problem, source, mark.column if mark is not None else 0)
        return Issue(
            f"YAML syntax error: {what}", file=self.name, line=line, field=self._field_on(line, source), hint=hint
        )

    def _field_on(self, line: int | None, source: str) -> str | None:
        """The field whose line the parser stopped on: the pending key, else the name the line starts with."""
        frame = self._stack[-1] if self._stack else None
        if frame is None:
            return None
        if isinstance(frame.node, list):
            return format_loc(frame.loc) or None
        if frame.key is not None and frame.key_line == line:
            return format_loc((*frame.loc, frame.key))
        named = re.match(r"\s*([A-Za-z_][\w-]*):(\s|$)", source)
        return format_loc((*frame.loc, named.group(1))) if named else None


# Problems that libyaml reports where it gave up (often the next line); where it started is clearer.
_AT_CONTEXT = (
    "could not find expected ':'",
    "found unexpected end of stream",
    "did not find expected ','",
    "did not find expected node content",
)
_TAB = ("a tab character", "indent with spaces, not tabs")
QUOTE_HINT = 'put the whole value in quotes, e.g. title: "Sepsis: early detection"'


def explain(problem: str, line: str, column: int) -> tuple[str, str]:
    """A parser's complaint, in words a lawyer can act on, and what to do about it."""
    special = _special(problem, line, column)
    if special:
        return special
    for needle, words, hint in _SYNTAX:
        if needle in problem:
            return words, hint
    return f"the file cannot be read here ({problem})", "check the indentation and quoting of this line"


def _special(problem: str, line: str, column: int) -> tuple[str, str] | None:
    """Complaints whose cause shows in the line itself."""
    if "mapping values are not allowed" in problem:
        if re.fullmatch(r"\s*(-\s+)?[^\s:#'\"][^:#]*", line[:column]):
            return "this line is indented further than the field above it", "line it up with the field above"
        return "a colon followed by a space inside a value", QUOTE_HINT
    if "cannot start any token" in problem or "alphabetic or numeric character" in problem:
        char = line[column : column + 1] if "token" in problem else "*"
        if char == "\t":
            return _TAB
        return f"a value cannot start with {char!r}", QUOTE_HINT
    if "did not find expected key" in problem and re.match(r"\s*(-\s+)?[\w-]+:\s+[\[{\"']", line):
        return "text follows a value that starts with [, { or a quotation mark", QUOTE_HINT
    return None


_SYNTAX = [
    ("tab character", *_TAB),
    ("unexpected end of stream", "a quotation mark is opened but never closed", "close the quotes, or remove them"),
    (
        "unknown escape character",
        "a backslash inside double quotes starts an unknown escape",
        "use single quotes, or write \\\\ for a backslash",
    ),
    (
        "expected ',' or ']'",
        "a value starting with [ is read as a list, and the list is not closed",
        'put the whole value in quotes, e.g. name: "[to be confirmed]"',
    ),
    (
        "expected ',' or '}'",
        "a value starting with { is read as a group, and the group is not closed",
        "put the whole value in quotes",
    ),
    (
        "did not find expected key",
        "this line does not line up with the fields around it",
        "indent each field of a group by the same number of spaces",
    ),
    ("expected '-' indicator", "this line does not line up with the list items above it", "line it up"),
    (
        "could not find expected ':'",
        "a line that is not 'field: value'",
        "write the field name, a colon and a space, then the value; indent text that continues a value",
    ),
    (
        "block sequence entries are not allowed",
        "a list item ('- ...') on the same line as its field name",
        "start the list on the next line, indented",
    ),
    ("expected <document start>", "a line starting with % or text after the end of the document", "remove it"),
    (
        "did not find expected node content",
        "a value is missing, or a [ or { is not closed",
        "give the value, close the bracket, or put the value in quotes",
    ),
    ("expected <block end>", "this line does not line up with the fields around it", "fix its indentation"),
]
