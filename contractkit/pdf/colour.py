"""PDF colours as sRGB, so that text can be compared with what lies beneath it.

Device and ICC-based spaces convert directly; an Indexed colour is looked up; a Separation or
DeviceN colour with no ink is paper white and one with a type-2 (exponential) tint transform is
evaluated. Anything else (patterns, PostScript tint functions, Lab) is "unknown" (None): the
verifier then says it cannot tell what is printed rather than guessing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RGB = tuple[float, float, float]
WHITE: RGB = (1.0, 1.0, 1.0)
BLACK: RGB = (0.0, 0.0, 0.0)
_MAX_DEPTH = 4


@dataclass(frozen=True)
class Space:
    """A colour space: its family, number of components and what converting it needs."""

    family: str  # gray, rgb, cmyk, indexed, separation, pattern, unknown
    components: int
    base: Space | None = None
    lookup: bytes = b""
    tint: tuple[tuple[float, ...], tuple[float, ...], float] | None = None  # type-2 function C0, C1, N
    no_ink: bool = False  # Separation /None: paints nothing

    def initial(self) -> tuple[float, ...]:
        """The colour a `cs` operator selects: black, or full tint."""
        if self.family == "cmyk":
            return (0.0, 0.0, 0.0, 1.0)
        if self.family in ("separation", "indexed"):
            return (1.0,) * self.components if self.family == "separation" else (0.0,)
        return (0.0,) * self.components


GRAY, RGB_SPACE, CMYK = Space("gray", 1), Space("rgb", 3), Space("cmyk", 4)
UNKNOWN = Space("unknown", 0)
_DEVICE = {"/DeviceGray": GRAY, "/G": GRAY, "/DeviceRGB": RGB_SPACE, "/RGB": RGB_SPACE, "/DeviceCMYK": CMYK}
_DEVICE |= {"/CMYK": CMYK, "/CalGray": GRAY, "/CalRGB": RGB_SPACE}


def space(value: Any, resources: Any, depth: int = 0) -> Space:
    """The colour space named by a `cs`/`CS` operand (a name, or an array from the resources)."""
    value = _resolve(value)
    if isinstance(value, str) and value in _DEVICE:
        return _DEVICE[value]
    if value == "/Pattern":
        return Space("pattern", 0)
    if isinstance(value, str) and depth == 0 and isinstance(resources, dict):
        named = _resolve(resources.get("/ColorSpace"))
        if isinstance(named, dict) and value in named:
            return space(named[value], resources, depth + 1)
    if isinstance(value, list) and value and depth < _MAX_DEPTH:
        return _array_space([_resolve(v) for v in value], resources, depth)
    return UNKNOWN


def _array_space(items: list[Any], resources: Any, depth: int) -> Space:
    family = items[0]
    if family in _DEVICE:
        return _DEVICE[family]
    if family == "/ICCBased" and len(items) > 1 and hasattr(items[1], "get"):
        return {1: GRAY, 3: RGB_SPACE, 4: CMYK}.get(int(items[1].get("/N", 0)), UNKNOWN)
    if family == "/Indexed" and len(items) >= 4:
        base = space(items[1], resources, depth + 1)
        return Space("indexed", 1, base, _lookup(items[3])[: 256 * 4])
    if family in ("/Separation", "/DeviceN") and len(items) >= 4:
        names = items[1] if isinstance(items[1], list) else [items[1]]
        base = space(items[2], resources, depth + 1)
        return Space("separation", len(names), base, tint=_type2(items[3]), no_ink=all(n == "/None" for n in names))
    if family == "/Pattern":
        return Space("pattern", 0)
    return UNKNOWN


def _lookup(table: Any) -> bytes:
    """The colour table of an Indexed space: a stream, or a string (pypdf may have decoded it as text)."""
    if hasattr(table, "get_data"):
        return bytes(table.get_data())
    if isinstance(table, bytes):
        return bytes(table)
    original = getattr(table, "original_bytes", None)
    return bytes(original) if isinstance(original, bytes) else str(table).encode("latin-1", errors="replace")


def _type2(function: Any) -> tuple[tuple[float, ...], tuple[float, ...], float] | None:
    function = _resolve(function)
    if not hasattr(function, "get") or function.get("/FunctionType") != 2:
        return None
    c0 = tuple(float(v) for v in function.get("/C0", [0.0]))
    c1 = tuple(float(v) for v in function.get("/C1", [1.0]))
    return c0, c1, float(function.get("/N", 1))


def to_rgb(sp: Space, values: tuple[float, ...], depth: int = 0) -> RGB | None:
    """sRGB of a colour, or None when it cannot be told."""
    if len(values) < sp.components or depth > _MAX_DEPTH:
        return None
    if sp.family in ("gray", "rgb"):
        first = _clamp(values[0])
        return (first, first, first) if sp.family == "gray" else (first, _clamp(values[1]), _clamp(values[2]))
    if sp.family == "cmyk":
        c, m, y, k = (_clamp(v) for v in values[:4])
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    if sp.family == "indexed" and sp.base is not None:
        return _indexed(sp, sp.base, values, depth)
    if sp.family == "separation":
        return _separation(sp, values, depth)
    return None


def _indexed(sp: Space, base: Space, values: tuple[float, ...], depth: int) -> RGB | None:
    n = base.components
    at = int(values[0]) * n
    chunk = sp.lookup[at : at + n]
    return to_rgb(base, tuple(b / 255 for b in chunk), depth + 1) if len(chunk) == n else None


def _separation(sp: Space, values: tuple[float, ...], depth: int) -> RGB | None:
    if sp.no_ink or all(v <= 0 for v in values[: sp.components]):
        return WHITE
    if sp.tint is None or sp.base is None or sp.components != 1:
        return None
    c0, c1, n = sp.tint
    x = _clamp(values[0]) ** n
    return to_rgb(sp.base, tuple(a + x * (b - a) for a, b in zip(c0, c1, strict=False)), depth + 1)


def luminance(rgb: RGB) -> float:
    """WCAG relative luminance."""
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(one: RGB, two: RGB) -> float:
    """WCAG contrast ratio, 1 (identical) to 21 (black on white)."""
    high, low = sorted((luminance(one), luminance(two)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(top: RGB, alpha: float, under: RGB) -> RGB:
    """`top` painted with opacity `alpha` over `under` (normal blend mode)."""
    return (
        alpha * top[0] + (1 - alpha) * under[0],
        alpha * top[1] + (1 - alpha) * under[1],
        alpha * top[2] + (1 - alpha) * under[2],
    )


def _clamp(value: float) -> float:
    return min(max(float(value), 0.0), 1.0)


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value
