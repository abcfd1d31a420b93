"""A Word package as Word opens it: parts found through relationships, read within hard limits.

A received DOCX is hostile. Word does not look for `word/document.xml`: it follows the package
relationship of type officeDocument from `_rels/.rels`, and from the main part follows its own
relationships to styles, numbering, headers, footers, notes and comments, whatever their file
names. This module does the same, and nothing else reads a received zip. Every part read is capped
(size, compression ratio, total bytes, markup count) so that memory stays bounded, and XML is
parsed without DTDs, entities or network access.
"""

from __future__ import annotations

import io
import posixpath
import signal
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property

from lxml import etree

from contractkit.errors import CannotVerify

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
MAIN_TYPES = frozenset(
    f"application/vnd.{kind}.main+xml"
    for kind in (
        "openxmlformats-officedocument.wordprocessingml.document",
        "openxmlformats-officedocument.wordprocessingml.template",
        "ms-word.document.macroEnabled",
        "ms-word.template.macroEnabledTemplate",
    )
)


@dataclass(frozen=True)
class Limits:
    """Caps for files we did not make (see docs/security.md)."""

    max_entries: int = 1000
    max_total_bytes: int = 100 * 1024 * 1024  # declared uncompressed size of the whole zip
    max_ratio: int = 200  # compression ratio of each part read
    max_part_bytes: int = 50 * 1024 * 1024
    max_read_bytes: int = 64 * 1024 * 1024  # all parts read, together
    max_markup: int = 2_000_000  # '<' in all parts parsed: bounds the elements, so the memory
    max_seconds: float = 30.0  # the whole read and check of one document


@dataclass(frozen=True)
class Rel:
    """One relationship: its id, its type's last word (e.g. 'header'), the target part and whether it is external."""

    id: str
    type: str
    target: str
    external: bool = False


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True
)


def safe_xml(data: bytes) -> etree._Element:
    """Parse XML from an untrusted file: no DTD, no entities, no network."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise CannotVerify("the document contains a DTD or entity declarations, which are refused")
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CannotVerify(f"malformed XML: {exc}") from None


@dataclass
class Package:
    """The parts of a DOCX zip, looked up by part name (case-insensitively, as OPC requires).

    `data` is the zip's bytes, or the parts themselves by name, as contractkit's own writer
    (word.save) makes them before zipping: a draft's self-check reads those without unzipping,
    under the same limits and with the same parser."""

    data: bytes | Mapping[str, bytes]
    limits: Limits = field(default_factory=Limits)
    _read: int = 0
    _markup: int = 0
    _xml: dict[str, etree._Element] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.infos: dict[str, zipfile.ZipInfo] = {}
        self.members: dict[str, bytes] = {}
        if isinstance(self.data, Mapping):
            for name, data in self.data.items():
                if name.lower() in self.members:
                    raise CannotVerify(f"the package holds the part {name} twice: refused")
                self.members[name.lower()] = data
            return
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(self.data))
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise CannotVerify(f"not a DOCX file (not a readable zip: {exc})") from None
        if len(infos) > self.limits.max_entries:
            raise CannotVerify(f"zip has {len(infos)} entries (limit {self.limits.max_entries})")
        total = sum(i.file_size for i in infos)
        if total > self.limits.max_total_bytes:
            raise CannotVerify(f"zip expands to {total} bytes (limit {self.limits.max_total_bytes})")
        for info in infos:
            self._ratio(info)
            key = info.filename.lower()
            if key in self.infos:  # Word and this reader might pick different copies
                raise CannotVerify(f"the zip holds the part {info.filename} twice: refused")
            self.infos[key] = info

    def _ratio(self, info: zipfile.ZipInfo) -> None:
        if info.compress_size and info.file_size / info.compress_size > self.limits.max_ratio:
            raise CannotVerify(
                f"{info.filename} is compressed {info.file_size // info.compress_size}:1 "
                f"(limit {self.limits.max_ratio}:1): a zip bomb?"
            )

    def has(self, name: str) -> bool:
        return name.lower() in self.infos or name.lower() in self.members

    def read(self, name: str) -> bytes:
        """The bytes of one part, refusing bombs and parts over the limits."""
        limits = self.limits
        data = self.members.get(name.lower())
        if data is None:
            data = self._unzip(name)
        elif len(data) > limits.max_part_bytes:
            raise CannotVerify(f"{name} is {len(data)} bytes (limit {limits.max_part_bytes})")
        self._read += len(data)
        if self._read > limits.max_read_bytes:
            raise CannotVerify(f"the parts to read exceed {limits.max_read_bytes} bytes together")
        return data

    def _unzip(self, name: str) -> bytes:
        info = self.infos.get(name.lower())
        if info is None:
            raise CannotVerify(f"the package refers to {name}, which it does not contain")
        limits = self.limits
        if info.file_size > limits.max_part_bytes:
            raise CannotVerify(f"{info.filename} is {info.file_size} bytes (limit {limits.max_part_bytes})")
        try:
            with self.archive.open(info) as handle:
                data = handle.read(limits.max_part_bytes + 1)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise CannotVerify(f"{info.filename} cannot be read: {exc}") from None
        if len(data) > limits.max_part_bytes:
            raise CannotVerify(f"{info.filename} is larger than it declares (limit {limits.max_part_bytes} bytes)")
        return data

    def xml(self, name: str) -> etree._Element:
        """One part parsed (once), with the markup cap that bounds the memory the trees take."""
        key = name.lower()
        if key not in self._xml:
            data = self.read(name)
            self._markup += data.count(b"<")
            if self._markup > self.limits.max_markup:
                raise CannotVerify(f"the document has more than {self.limits.max_markup} XML elements: refused")
            self._xml[key] = safe_xml(data)
        return self._xml[key]

    def rels(self, source: str) -> list[Rel]:
        """The relationships of a part ('' for the package itself), with targets resolved to part names."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if not self.has(rels_name):
            return []
        out = []
        for rel in self.xml(rels_name).iter(f"{{{_REL_NS}}}Relationship"):
            kind = (rel.get("Type") or "").rstrip("/").rsplit("/", 1)[-1]
            target = rel.get("Target") or ""
            external = rel.get("TargetMode") == "External"
            if not external:
                target = _resolve(folder, target)
            out.append(Rel(rel.get("Id") or "", kind, target, external))
        return out

    def related(self, source: str, *kinds: str) -> list[Rel]:
        """The internal relationships of `source` of the given types, in the order the package lists them."""
        return [r for r in self.rels(source) if r.type in kinds and not r.external]

    @cached_property
    def main(self) -> str:
        """The main document part, as `_rels/.rels` names it (never by file name)."""
        mains = self.related("", "officeDocument")
        if not mains:
            raise CannotVerify("not a Word document (no main document part in _rels/.rels)")
        if len({m.target.lower() for m in mains}) > 1:
            raise CannotVerify("the package names more than one main document part: refused")
        name = mains[0].target
        kind = self.content_type(name)
        if kind not in MAIN_TYPES:
            raise CannotVerify(f"the main part {name} is not a Word document ({kind or 'no content type'})")
        root = self.xml(name)
        if etree.QName(root).namespace != W:
            raise CannotVerify("the document uses a namespace this reader does not know (Strict Open XML?)")
        return name

    def content_type(self, name: str) -> str | None:
        """The content type [Content_Types].xml gives a part: its override, else its extension's default."""
        if not self.has("[Content_Types].xml"):
            return None
        root = self.xml("[Content_Types].xml")
        wanted = "/" + name.lower()
        for item in root.iter(f"{{{_CT_NS}}}Override"):
            if (item.get("PartName") or "").lower() == wanted:
                return item.get("ContentType")
        extension = name.rsplit(".", 1)[-1].lower()
        for item in root.iter(f"{{{_CT_NS}}}Default"):
            if (item.get("Extension") or "").lower() == extension:
                return item.get("ContentType")
        return None


def _resolve(folder: str, target: str) -> str:
    """A relationship target as a part name: relative to the source's folder, or absolute from the root."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(folder, target)).lstrip("/")


class _Timeout(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` on the way can swallow it."""


@contextmanager
def deadline(seconds: float, message: str) -> Iterator[None]:
    """A hard time limit (SIGALRM, main thread only) that turns into CannotVerify(message)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _Timeout

    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, expire)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Timeout:
        raise CannotVerify(message) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # an alarm set by the caller keeps running
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 0.001))
