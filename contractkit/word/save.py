"""Saving a document once: python-docx's parts, in python-docx's order, into a deterministic zip.

A draft used to be saved by python-docx (compressing every part) and then re-zipped with fixed
timestamps (compressing every part again). Here the parts are taken from the package exactly as
python-docx's own writer lays them out ([Content_Types].xml, the package relationships, then each
part and its relationships, depth first), and written once, into the same zip that the re-zip
produced, byte for byte: fixed timestamps and attributes, each entry deflated at zlib's default
level. A part seen before (the template's styles, theme and thumbnail are in every draft) is not
deflated again: deflate's output depends only on its input, so it is kept, by digest, up to a
budget. The caller keeps the parts, so the self-check can read them without unzipping.
"""

from __future__ import annotations

import hashlib
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from contractkit.errors import ContractkitError

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_DOS_TIME = FIXED_TIME[3] << 11 | FIXED_TIME[4] << 5 | FIXED_TIME[5] // 2
_DOS_DATE = (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2]
_VERSION = 20  # zip 2.0: deflate; what zipfile writes for a deflated entry without zip64
_ATTRIBUTES = 0o600 << 16  # rw------- on a Unix reader; create_system 0 (MS-DOS) as zipfile writes it
_UTF8_NAME = 0x800
# The zip records (APPNOTE 4.3.7, 4.3.12, 4.3.16) as zipfile packs them.
_LOCAL, _LOCAL_SIG = "<4s2B4HL2L2H", b"PK\x03\x04"
_CENTRAL, _CENTRAL_SIG = "<4s4B4HL2L5H2L", b"PK\x01\x02"
_END, _END_SIG = "<4s4H2LH", b"PK\x05\x06"
_LIMIT = zipfile.ZIP64_LIMIT
CACHE_BUDGET = 8 * 1024 * 1024  # deflated bytes kept for parts seen again
CACHE_MIN = 4096  # smaller parts deflate faster than they are looked up


class _Deflated:
    """Deflated parts by the digest of their bytes, least recently used out past the budget."""

    def __init__(self, budget: int) -> None:
        self.budget, self.size = budget, 0
        self.items: OrderedDict[bytes, tuple[int, bytes]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, data: bytes) -> tuple[int, bytes]:
        """(CRC-32, raw deflate stream at zlib's default level) of `data`."""
        if len(data) < CACHE_MIN:
            return _deflate(data)
        key = hashlib.sha256(data).digest()
        with self.lock:
            found = self.items.get(key)
            if found is not None:
                self.items.move_to_end(key)
                return found
        made = _deflate(data)
        with self.lock:
            if key not in self.items and len(made[1]) <= self.budget:
                self.items[key] = made
                self.size += len(made[1])
                while self.size > self.budget:
                    self.size -= len(self.items.popitem(last=False)[1][1])
        return made


def _deflate(data: bytes) -> tuple[int, bytes]:
    """What zipfile writes for a deflated entry: a raw stream at the default level, and the CRC."""
    compressor = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return zlib.crc32(data), compressor.compress(data) + compressor.flush()


DEFLATED = _Deflated(CACHE_BUDGET)


def zip_parts(parts: Sequence[tuple[str, bytes]]) -> bytes:
    """A zip of `parts` in their order, with fixed timestamps and attributes: the same bytes as
    zipfile writes for them with `ZipInfo(name, FIXED_TIME)`, deflated, mode 0600, MS-DOS system."""
    names = [name for name, _ in parts]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:  # Word refuses such a file; it means a part was added where one should have been replaced
        raise ContractkitError(f"internal error: the package would hold {', '.join(twice)} twice")
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data in parts:
        crc, deflated = DEFLATED.get(data)
        encoded, flags = _name(name)
        if len(data) * 1.05 > _LIMIT or offset > _LIMIT:
            raise ContractkitError(f"internal error: {name} is too large for a Word document")
        sizes = (crc, len(deflated), len(data), len(encoded))
        head = (_VERSION, 0, flags, zipfile.ZIP_DEFLATED, _DOS_TIME, _DOS_DATE, *sizes)
        local = struct.pack(_LOCAL, _LOCAL_SIG, *head, 0)
        chunks += [local, encoded, deflated]
        entry = struct.pack(_CENTRAL, _CENTRAL_SIG, _VERSION, 0, *head, 0, 0, 0, 0, _ATTRIBUTES, offset)
        central.append(entry + encoded)
        offset += len(local) + len(encoded) + len(deflated)
    directory = b"".join(central)
    end = struct.pack(_END, _END_SIG, 0, 0, len(parts), len(parts), len(directory), offset, 0)
    return b"".join([*chunks, directory, end])


def _name(name: str) -> tuple[bytes, int]:
    try:
        return name.encode("ascii"), 0
    except UnicodeEncodeError:
        return name.encode("utf-8"), _UTF8_NAME


class _Recorder:
    """Stands where python-docx's writer expects its zip: keeps each member's name and bytes."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, bytes]] = []

    def write(self, uri: Any, blob: bytes) -> None:
        self.parts.append((str(uri.membername), blob))


class _Kept:
    """A part whose bytes the caller already holds (the template's own styles, never changed)."""

    def __init__(self, part: Any, blob: bytes) -> None:
        self.partname, self.rels, self.content_type, self.blob = part.partname, part.rels, part.content_type, blob


def package_parts(package: Any, kept: Mapping[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    """The members python-docx's `save` would write, in its order: its own writer lays them out.
    `kept` gives the bytes of parts (by part name) that the caller knows are unchanged."""
    from docx.opc.pkgwriter import PackageWriter

    kept = kept or {}
    parts = list(package.iter_parts())
    for part in parts:
        part.before_marshal()
    out, writer = _Recorder(), cast(Any, PackageWriter)
    writer._write_content_types_stream(out, parts)
    writer._write_pkg_rels(out, package.rels)
    writer._write_parts(out, _with_kept(parts, kept))
    return out.parts


def _with_kept(parts: Iterable[Any], kept: Mapping[str, bytes]) -> list[Any]:
    return [_Kept(p, kept[p.partname]) if p.partname in kept else p for p in parts]
