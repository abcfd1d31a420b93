"""Just enough of a PDF font to place its glyphs: how a string splits into codes, each code's
advance width, its text (from the ToUnicode map or the encoding), and the font's height.

Used by paint to find where each character is drawn. A hostile font may lie about any of
these; the rendered-page cross-check (pdf.ocr) is what catches a font whose text and
glyphs disagree. Every table read here is bounded.
"""

from __future__ import annotations

import codecs
import math
import re
from dataclasses import dataclass, field
from typing import Any

MAX_MAP_ENTRIES = 65536  # codes in one ToUnicode or encoding CMap
_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|(\[)|(\])|(begin\w+|end\w+)|(\d+)")
_BASE_ENCODINGS = {"/WinAnsiEncoding": "cp1252", "/MacRomanEncoding": "mac_roman", "/PDFDocEncoding": "latin-1"}
_UNI_NAME = re.compile(r"^(?:uni([0-9A-F]{4})|u([0-9A-F]{4,6}))$")


@dataclass
class Font:
    """One font resource, reduced to what placing and naming its glyphs needs."""

    two_byte: bool = False
    widths: dict[int, float] = field(default_factory=dict)  # code (or CID) -> width in text space per 1 pt
    default_width: float = 0.5
    to_unicode: dict[int, str] = field(default_factory=dict)
    encoding: dict[int, str] = field(default_factory=dict)
    codespace: tuple[tuple[int, int, int], ...] = ()  # (bytes, low, high) of an embedded CMap
    cids: dict[int, int] = field(default_factory=dict)  # code -> CID from an embedded CMap
    ascent: float = 0.8
    descent: float = -0.2
    type3_blank: frozenset[int] = frozenset()  # Type3 codes whose glyph procedure paints nothing
    codec: str = "cp1252"

    def codes(self, raw: bytes) -> list[tuple[int, bool]]:
        """Character codes in a shown string, each with whether it is a single-byte code 32 (word space)."""
        if self.codespace:
            return self._by_codespace(raw)
        if self.two_byte:
            return [(int.from_bytes(raw[i : i + 2], "big"), False) for i in range(0, len(raw) - 1, 2)]
        return [(b, b == 32) for b in raw]

    def _by_codespace(self, raw: bytes) -> list[tuple[int, bool]]:
        out, i = [], 0
        while i < len(raw):
            for size, low, high in self.codespace:
                code = int.from_bytes(raw[i : i + size], "big")
                if i + size <= len(raw) and low <= code <= high:
                    out.append((code, size == 1 and code == 32))
                    i += size
                    break
            else:
                out.append((raw[i], raw[i] == 32))
                i += 1
        return out

    def width(self, code: int) -> float:
        return self.widths.get(self.cids.get(code, code), self.default_width)

    def text(self, code: int) -> str:
        if code in self.to_unicode:
            return self.to_unicode[code]
        if code in self.encoding:
            return self.encoding[code]
        if self.two_byte or code > 255:
            return "\ufffd"
        return bytes([code]).decode(self.codec, errors="replace")


def load_font(font: Any) -> Font:
    """A Font from a pypdf font dictionary (already resolved); unknown parts fall back to defaults."""
    subtype = font.get("/Subtype")
    result = Font()
    if subtype == "/Type0":
        _type0(font, result)
    else:
        _simple(font, result)
    if subtype == "/Type3":
        _type3(font, result)
    unicode = _stream(font.get("/ToUnicode"))
    if unicode is not None:
        result.to_unicode = parse_cmap(unicode).unicode
    return result


def _type0(font: Any, result: Font) -> None:
    result.two_byte = True
    encoding = _resolve(font.get("/Encoding"))
    embedded = _stream(encoding)
    if embedded is not None:
        cmap = parse_cmap(embedded)
        result.codespace = tuple(sorted(cmap.codespace)) or ((2, 0, 0xFFFF),)
        result.cids = cmap.cids
    descendants = _resolve(font.get("/DescendantFonts"))
    cid_font = _resolve(descendants[0]) if isinstance(descendants, list) and descendants else {}
    result.default_width = _number(cid_font.get("/DW"), 1000) / 1000
    result.widths = _cid_widths(_resolve(cid_font.get("/W")))
    _descriptor(_resolve(cid_font.get("/FontDescriptor")), result)


def _simple(font: Any, result: Font) -> None:
    first = int(_number(font.get("/FirstChar"), 0))
    widths = _resolve(font.get("/Widths"))
    if isinstance(widths, list):
        for code, width in enumerate(widths[:256], start=first):
            result.widths[code] = _number(width, 0) / 1000
    descriptor = _resolve(font.get("/FontDescriptor"))
    result.default_width = _number(descriptor.get("/MissingWidth"), 500) / 1000 if descriptor else 0.5
    _descriptor(descriptor, result)
    encoding = _resolve(font.get("/Encoding"))
    base = encoding.get("/BaseEncoding") if isinstance(encoding, dict) else encoding
    result.codec = _BASE_ENCODINGS.get(str(base), "cp1252")
    if isinstance(encoding, dict):
        result.encoding = _differences(_resolve(encoding.get("/Differences")))


def _type3(font: Any, result: Font) -> None:
    matrix = _resolve(font.get("/FontMatrix"))
    scale = _number(matrix[0], 0.001) if isinstance(matrix, list) and matrix else 0.001
    result.widths = {code: width * 1000 * scale for code, width in result.widths.items()}
    procs = _resolve(font.get("/CharProcs"))
    names = {name: code for code, name in _glyph_names(_resolve(font.get("/Encoding"))).items()}
    blank = set()
    for name, code in names.items():
        proc = _stream(procs.get(name)) if isinstance(procs, dict) else None
        if proc is None or not re.search(rb"(?<![A-Za-z])(f\*?|F|B\*?|b\*?|S|s|Do|sh|BI|Tj|TJ)(?![A-Za-z])", proc):
            blank.add(code)
    result.type3_blank = frozenset(blank)


def _descriptor(descriptor: Any, result: Font) -> None:
    """Ascent and descent, clamped: the glyph boxes we compute must not be moved by a lying descriptor."""
    if not isinstance(descriptor, dict) or _number(descriptor.get("/Ascent"), 0) <= 0:
        return  # LibreOffice writes Ascent 0 and Descent 0: keep the defaults
    result.ascent = min(max(_number(descriptor.get("/Ascent"), 800) / 1000, 0.5), 1.2)
    result.descent = min(max(_number(descriptor.get("/Descent"), -200) / 1000, -0.5), 0.0)


def _cid_widths(array: Any) -> dict[int, float]:
    """The /W array of a CIDFont: `c [w1 w2 ...]` and `c_first c_last w` entries."""
    out: dict[int, float] = {}
    if not isinstance(array, list):
        return out
    i = 0
    while i < len(array) and len(out) <= MAX_MAP_ENTRIES:
        first, nxt = _resolve(array[i]), _resolve(array[i + 1]) if i + 1 < len(array) else None
        if isinstance(nxt, list):
            out.update({int(_number(first, 0)) + k: _number(w, 0) / 1000 for k, w in enumerate(nxt[:MAX_MAP_ENTRIES])})
            i += 2
        elif i + 2 < len(array):
            low, high = int(_number(first, 0)), int(_number(nxt, 0))
            width = _number(array[i + 2], 0) / 1000
            out.update(dict.fromkeys(range(low, min(high, low + MAX_MAP_ENTRIES) + 1), width))
            i += 3
        else:
            break
    return out


def _glyph_names(encoding: Any) -> dict[int, str]:
    if not isinstance(encoding, dict):
        return {}
    differences = _resolve(encoding.get("/Differences"))
    out: dict[int, str] = {}
    code = 0
    for entry in differences if isinstance(differences, list) else []:
        item = _resolve(entry)
        if isinstance(item, int | float):
            code = int(item)
        elif code < 256:
            out[code] = str(item)
            code += 1
    return out


def _differences(differences: Any) -> dict[int, str]:
    names = _glyph_names({"/Differences": differences})
    return {code: text for code, name in names.items() if (text := glyph_text(name[1:]))}


def glyph_text(name: str) -> str:
    """The text of a glyph name: uniXXXX, uXXXX[XX], a single character, or Adobe's glyph list."""
    named = _UNI_NAME.match(name)
    if named:
        value = int(named.group(1) or named.group(2), 16)
        return chr(value) if value < 0x110000 and not 0xD800 <= value < 0xE000 else ""
    if len(name) == 1:
        return name
    try:
        from pypdf._codecs import adobe_glyphs  # Adobe Glyph List as data; absent in other pypdf versions
    except ImportError:  # pragma: no cover - depends on the pypdf release
        return ""
    return str(adobe_glyphs.get("/" + name, ""))


# ----------------------------------------------------------------------------- CMaps


@dataclass
class CMap:
    unicode: dict[int, str] = field(default_factory=dict)
    cids: dict[int, int] = field(default_factory=dict)
    codespace: list[tuple[int, int, int]] = field(default_factory=list)


def parse_cmap(data: bytes) -> CMap:
    """bfchar/bfrange (text), cidchar/cidrange (CIDs) and codespace ranges of a CMap stream, bounded."""
    cmap = CMap()
    section = ""
    operands: list[Any] = []
    array: list[bytes] | None = None
    for hexa, open_, close, keyword, number in (m.groups() for m in _TOKEN.finditer(data[: 4 * 1024 * 1024])):
        if keyword:
            section = keyword.decode() if keyword.startswith(b"begin") else ""
            operands = []
        elif open_:
            array = []
        elif close and array is not None:
            operands.append(array)
            array = None
        elif hexa is not None or number:
            value: Any = bytes.fromhex(_even(hexa)) if hexa is not None else int(number)
            if array is not None:
                array.append(value)
            else:
                operands.append(value)
        if len(operands) == _ARITY.get(section, 0):
            _apply(cmap, section, operands)
            operands = []
        if len(cmap.unicode) + len(cmap.cids) > MAX_MAP_ENTRIES:
            break
    return cmap


_ARITY = {"begincodespacerange": 2, "beginbfchar": 2, "beginbfrange": 3, "begincidchar": 2, "begincidrange": 3}


def _even(hexa: bytes) -> str:
    digits = re.sub(rb"\s", b"", hexa).decode()
    return digits + "0" if len(digits) % 2 else digits


def _apply(cmap: CMap, section: str, ops: list[Any]) -> None:
    if not all(isinstance(op, bytes | int | list) for op in ops):
        return
    if section == "begincodespacerange" and isinstance(ops[0], bytes) and isinstance(ops[1], bytes):
        cmap.codespace.append((len(ops[0]), _int(ops[0]), _int(ops[1])))
    elif section == "beginbfchar" and isinstance(ops[0], bytes) and isinstance(ops[1], bytes):
        cmap.unicode[_int(ops[0])] = _utf16(ops[1])
    elif section == "beginbfrange" and isinstance(ops[0], bytes) and isinstance(ops[1], bytes):
        _bfrange(cmap, _int(ops[0]), _int(ops[1]), ops[2])
    elif section == "begincidchar" and isinstance(ops[0], bytes) and isinstance(ops[1], int):
        cmap.cids[_int(ops[0])] = ops[1]
    elif section == "begincidrange" and isinstance(ops[0], bytes) and isinstance(ops[2], int):
        low, high = _int(ops[0]), min(_int(ops[1]), _int(ops[0]) + MAX_MAP_ENTRIES)
        cmap.cids.update({code: ops[2] + code - low for code in range(low, high + 1)})


def _bfrange(cmap: CMap, low: int, high: int, target: Any) -> None:
    high = min(high, low + MAX_MAP_ENTRIES)
    if isinstance(target, list):
        targets = target[: high - low + 1]
        cmap.unicode.update({low + k: _utf16(t) for k, t in enumerate(targets) if isinstance(t, bytes)})
    elif isinstance(target, bytes) and target:
        start = _int(target)
        prefix = target[:-2] if len(target) > 2 else b""
        for code in range(low, high + 1):
            last = (start & 0xFFFF if len(target) >= 2 else start) + code - low
            cmap.unicode[code] = _utf16(prefix + (last & 0xFFFF).to_bytes(2, "big"))


def _int(raw: bytes) -> int:
    return int.from_bytes(raw, "big") if raw else 0


def _utf16(raw: bytes) -> str:
    if len(raw) == 1:
        return chr(raw[0])
    return codecs.decode(raw + b"\0" * (len(raw) % 2), "utf-16-be", errors="replace")


# ----------------------------------------------------------------------------- pypdf objects


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _stream(value: Any) -> bytes | None:
    value = _resolve(value)
    if value is None or not hasattr(value, "get_data"):
        return None
    data: bytes = value.get_data()
    return data


def _number(value: Any, default: float) -> float:
    value = _resolve(value)
    return float(value) if isinstance(value, int | float) and math.isfinite(value) else default
