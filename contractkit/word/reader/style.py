"""Effective formatting as Word resolves it: styles and their chains, toggles, theme colours, shading.

A run's look comes from the document defaults, the table style, the paragraph style and its
`basedOn` chain, the character style and its chain, and the run's own properties, in that order
(ECMA-376 Part 1, 17.7.2). For toggle properties (`vanish`, `strike`, `dstrike`, ...) Word combines
the style levels by exclusive OR (17.7.3); a reader that gets this wrong can be fooled either way,
so where any style level switches such a property on and the run does not switch it off, the text
is treated as hidden or struck. Colours are resolved through the theme, shading through its pattern;
whether the result can be read is visibility's question.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from contractkit.word.reader.package import W

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
SYMBOL_FONTS = frozenset(
    {"symbol", "wingdings", "wingdings 2", "wingdings 3", "webdings", "marlett", "zapf dingbats", "zapfdingbats",
     "ms outlook", "bookshelf symbol 7", "ms reference specialty", "mt extra"}
)  # fmt: skip
TOGGLES = ("vanish", "strike", "dstrike")
_HIGHLIGHT = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF", "red": "FF0000",
    "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
    "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080", "lightGray": "C0C0C0",
}  # fmt: skip
_THEME_KEYS = {
    "dark1": "dk1", "light1": "lt1", "dark2": "dk2", "light2": "lt2", "accent1": "accent1", "accent2": "accent2",
    "accent3": "accent3", "accent4": "accent4", "accent5": "accent5", "accent6": "accent6", "hyperlink": "hlink",
    "followedHyperlink": "folHlink",
}  # fmt: skip
_MAPPED = {"background1": "bg1", "text1": "t1", "background2": "bg2", "text2": "t2"}
_MAPPED_DEFAULT = {"bg1": "light1", "t1": "dark1", "bg2": "light2", "t2": "dark2"}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_VAL = w("val")


def on(el: etree._Element | None) -> bool | None:
    """An ST_OnOff element: None when absent, else its value (no attribute means on)."""
    if el is None:
        return None
    return (el.get(_VAL) or "true").lower() not in ("0", "false", "off", "none")


def number(value: str | None, default: float = 0.0) -> float:
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


# ----------------------------------------------------------------------------- colours


def luminance(rgb: str) -> float:
    """WCAG relative luminance of an RRGGBB colour."""
    out = 0.0
    for weight, i in ((0.2126, 0), (0.7152, 2), (0.0722, 4)):
        c = int(rgb[i : i + 2], 16) / 255
        out += weight * (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _hex(value: str | None) -> str | None:
    if not value or len(value) != 6:
        return None
    try:
        int(value, 16)
    except ValueError:
        return None
    return value.upper()


def _tinted(rgb: str, tint: str | None, shade: str | None) -> str:
    """Apply Word's themeTint (towards white) and themeShade (towards black) to a theme colour."""
    channels = [int(rgb[i : i + 2], 16) for i in (0, 2, 4)]
    if tint and _hex("0000" + tint):
        t = int(tint, 16) / 255
        channels = [round(c * t + 255 * (1 - t)) for c in channels]
    if shade and _hex("0000" + shade):
        s = int(shade, 16) / 255
        channels = [round(c * s) for c in channels]
    return "".join(f"{c:02X}" for c in channels)


class Theme:
    """The theme's colour scheme and the settings' mapping of background/text colours onto it."""

    def __init__(self, theme: etree._Element | None, settings: etree._Element | None) -> None:
        self.colors: dict[str, str] = {}
        scheme = theme.find(f".//{{{A}}}clrScheme") if theme is not None else None
        for child in scheme if scheme is not None else ():
            if not isinstance(child.tag, str):
                continue
            spec = next((c for c in child if isinstance(c.tag, str)), None)
            value = None if spec is None else (spec.get("val") if spec.tag.endswith("srgbClr") else spec.get("lastClr"))
            if (rgb := _hex(value)) is not None:
                self.colors[etree.QName(child).localname] = rgb
        self.fonts: dict[str, str] = {}  # "major" and "minor": the theme's Latin typefaces
        for which in ("major", "minor"):
            latin = theme.find(f".//{{{A}}}{which}Font/{{{A}}}latin") if theme is not None else None
            if latin is not None:
                self.fonts[which] = (latin.get("typeface") or "").lower()
        mapping = settings.find(w("clrSchemeMapping")) if settings is not None else None
        self.mapping = dict(_MAPPED_DEFAULT)
        for key in _MAPPED_DEFAULT:
            value = mapping.get(w(key)) if mapping is not None else None
            if value:
                self.mapping[key] = value

    def color(self, name: str | None) -> str | None:
        if not name:
            return None
        name = self.mapping.get(_MAPPED.get(name, ""), name)
        return self.colors.get(_THEME_KEYS.get(name, ""))

    def resolve(self, el: etree._Element, literal: str = "val", themed: str = "themeColor") -> str | None:
        """A colour attribute pair: the theme colour (with its tint or shade) wins over the literal; None is auto."""
        stem = themed.replace("Color", "")
        theme = self.color(el.get(w(themed)))
        if theme is not None:
            return _tinted(theme, el.get(w(f"{stem}Tint")), el.get(w(f"{stem}Shade")))
        return _hex(el.get(w(literal)))

    def shading(self, shd: etree._Element | None) -> str | None:
        """The colour a w:shd paints behind text, or None when it paints nothing."""
        if shd is None:
            return None
        pattern = shd.get(_VAL) or "clear"
        fill = self.resolve(shd, "fill", "themeFill")
        color = self.resolve(shd, "color", "themeColor") or "000000"
        if pattern == "nil":
            return None
        if pattern == "solid":
            return color
        if pattern.startswith("pct") and pattern[3:].isdigit():
            share = int(pattern[3:]) / 100
            base = fill or "FFFFFF"
            mixed = [
                round(int(base[i : i + 2], 16) * (1 - share) + int(color[i : i + 2], 16) * share) for i in (0, 2, 4)
            ]
            return "".join(f"{c:02X}" for c in mixed)
        return fill


# ----------------------------------------------------------------------------- property sets

Props = dict[str, Any]
_RUN_KEYS = {
    "vanish", "specVanish", "webHidden", "strike", "dstrike", "color", "sz", "szCs", "w", "position", "spacing",
    "highlight", "shd", "vertAlign", "cs", "rtl", "rFonts", "fitText", "eastAsianLayout",
}  # fmt: skip
_PARA_KEYS = {"shd", "framePr", "spacing", "ind", "bidi", "numPr"}


def _props(container: etree._Element | None, keys: set[str]) -> Props:
    """The children of an rPr or pPr that matter here, keyed by local name (the element itself)."""
    out: Props = {}
    if container is None:
        return out
    for child in container:
        if isinstance(child.tag, str) and child.tag.startswith(f"{{{W}}}"):
            name = child.tag[len(W) + 2 :]
            if name in keys:
                if name in out:  # the schema allows one; programs differ on which of two they obey
                    out["twice"] = child
                out[name] = child
    return out


@dataclass(frozen=True)
class Layer:
    """One level of the style hierarchy, its basedOn chain already merged (first value found wins)."""

    run: Props
    para: Props


class Styles:
    """The document's styles part, theme and font table, resolved per level and cached."""

    def __init__(
        self,
        styles: etree._Element | None,
        theme: Theme,
        fonts: etree._Element | None = None,
    ) -> None:
        self.theme = theme
        self.by_id: dict[str, etree._Element] = {}
        self.defaults: dict[str, str] = {}
        self.names: dict[str, str] = {}
        root = styles if styles is not None else etree.Element(w("styles"))
        for style in root.iterchildren(w("style")):
            sid, kind = style.get(w("styleId"), ""), style.get(w("type"), "paragraph")
            self.by_id.setdefault(sid, style)
            name = style.find(w("name"))
            self.names[sid] = name.get(_VAL, "") if name is not None else sid
            if (style.get(w("default")) or "").lower() in ("1", "true", "on"):
                self.defaults.setdefault(kind, sid)
        base = root.find(w("docDefaults"))
        self.doc_defaults = Layer(
            _props(base.find(f"{w('rPrDefault')}/{w('rPr')}") if base is not None else None, _RUN_KEYS),
            _props(base.find(f"{w('pPrDefault')}/{w('pPr')}") if base is not None else None, _PARA_KEYS),
        )
        self.symbol_fonts = set(SYMBOL_FONTS)
        self.embedded: list[str] = []
        # What the stories work out from these styles alone, kept for every story read with them (and,
        # for the styles a draft's self-check shares, for every draft): a paragraph style's layers
        # (story._Base) and a run's look (runs._Runs._look).
        self.bases: dict[tuple[str | None, str], Any] = {}
        self.looks: dict[tuple[object, ...], list[tuple[str, str]]] = {}
        for font in fonts.iterchildren(w("font")) if fonts is not None else ():
            font_name = (font.get(w("name")) or "").lower()
            charset = font.find(w("charset"))
            if charset is not None and (charset.get(_VAL) or "").upper() == "02":
                self.symbol_fonts.add(font_name)
            if any(
                font.find(w(tag)) is not None for tag in ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic")
            ):
                self.embedded.append(font.get(w("name")) or "?")

    def name(self, style_id: str) -> str:
        return self.names.get(style_id, style_id)

    def paragraph_style(self, style_id: str | None) -> str:
        """The style a paragraph takes: its own if the document defines it, else the default one."""
        if style_id and style_id in self.by_id:
            return style_id
        return self.defaults.get("paragraph", "")

    @lru_cache(maxsize=512)  # noqa: B019 - one Styles per document read
    def layer(self, style_id: str) -> Layer:
        """A style with its basedOn chain merged, base first (cycles and absurd depths cut)."""
        chain: list[etree._Element] = []
        seen: set[str] = set()
        current: str | None = style_id
        while current and current not in seen and current in self.by_id and len(chain) < 32:
            seen.add(current)
            style = self.by_id[current]
            chain.append(style)
            based = style.find(w("basedOn"))
            current = based.get(_VAL) if based is not None else None
        run: Props = {}
        para: Props = {}
        for style in reversed(chain):
            run.update(_props(style.find(w("rPr")), _RUN_KEYS))
            para.update(_props(style.find(w("pPr")), _PARA_KEYS))
        return Layer(run, para)

    def conditional(self, style_id: str) -> Iterator[tuple[str, Layer, str | None]]:
        """Each conditional format of a table style (first row, banded rows...) with its own shading."""
        style = self.by_id.get(style_id)
        for part in style.iterchildren(w("tblStylePr")) if style is not None else ():
            shading = self.theme.shading(part.find(f"{w('tcPr')}/{w('shd')}"))
            yield (
                part.get(w("type"), "?"),
                Layer(_props(part.find(w("rPr")), _RUN_KEYS), _props(part.find(w("pPr")), _PARA_KEYS)),
                shading,
            )

    def table_shading(self, style_id: str | None) -> str | None:
        """The cell shading a table style gives every cell."""
        style = self.by_id.get(style_id or "")
        if style is None:
            return None
        return self.theme.shading(style.find(f"{w('tcPr')}/{w('shd')}")) or self.theme.shading(
            style.find(f"{w('tblPr')}/{w('shd')}")
        )


@dataclass(frozen=True)
class Look:
    """What decides whether a run can be read: the properties it ends up with and where they came from."""

    run: Props  # last value wins (non-toggle properties), direct formatting included
    toggles: dict[str, str]  # toggle property -> the level that switches it on ("direct", "style 'X'", ...)


def resolve(levels: list[tuple[str, Props]], direct: Props) -> Look:
    """Merge the levels (document defaults, table, paragraph and character styles) and the run's own properties."""
    run: Props = {}
    for _where, props in levels:
        run.update(props)
    run.update(direct)
    toggles = {}
    for name in (*TOGGLES, "specVanish", "webHidden"):
        if name in direct:
            if on(direct[name]):
                toggles[name] = "direct formatting"
            continue
        for where, props in levels:
            if on(props.get(name)):
                toggles[name] = where
                break
    return Look(run, toggles)
