"""What a PDF page draws: each character with its box, colour and visibility, and each shape or image.

A small interpreter of the page's content stream (operators parsed by pypdf) that follows the
graphics state (q/Q, cm, colours and their spaces, opacity, clipping), the text state (font,
size, spacing, rendering mode, matrices), optional content (layers switched off), Form XObjects
(their own resources and matrix, nesting bounded) and images. inspect judges the result.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from contractkit.errors import CannotVerify
from contractkit.pdf.colour import RGB, UNKNOWN, Space, space, to_rgb
from contractkit.pdf.fonts import Font, load_font
from contractkit.pdf.geometry import (
    IDENTITY,
    Box,
    Matrix,
    Point,
    Region,
    apply,
    bounds,
    cubic,
    length,
    multiply,
    region,
)
from contractkit.pdf.marks import Drawing, GraphicsState, Paint
from contractkit.pdf.textops import TextOperators

MAX_DEPTH = 8  # Form XObjects inside Form XObjects
MAX_OPERATIONS = 1_000_000  # per page, counting each run of a Form XObject again
THICK_STROKE = 2.5  # pt: a stroked line at least this wide can hide text; thinner lines are rules and borders
_PAINT_FILL = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_PAINT_STROKE = {b"S", b"s", b"B", b"B*", b"b", b"b*"}
_PAINT_END = _PAINT_FILL | _PAINT_STROKE | {b"n"}
_NORMAL_BLEND = {"/Normal", "/Compatible"}


class Painter:
    """Runs content streams of one document; `page()` returns what one page draws."""

    def __init__(self, reader: Any, hidden_layers: set[tuple[int, int]]) -> None:
        self.reader = reader
        self.hidden_layers = hidden_layers
        self.fonts: dict[Any, Font] = {}
        self.streams: dict[Any, list[tuple[Any, bytes]]] = {}

    def page(self, page: Any) -> Drawing:
        from pypdf.generic import ContentStream

        run = _Run(self, Drawing())
        contents = page.get_contents()  # a ContentStream (the page's streams joined), parsed on first use
        if contents is not None:
            operations = contents.operations if isinstance(contents, ContentStream) else []
            run.execute(operations, _resolve(page.get("/Resources")) or {}, 0)
        return run.drawing

    def font(self, resources: Any, name: Any) -> Font | None:
        fonts = _resolve(resources.get("/Font")) if isinstance(resources, dict) else None
        if not isinstance(fonts, dict) or name not in fonts:
            return None
        key = _key(fonts.raw_get(name)) if hasattr(fonts, "raw_get") else name
        if key not in self.fonts:
            self.fonts[key] = load_font(_resolve(fonts[name]))
        return self.fonts[key]

    def operations(self, xobject: Any, ref: Any) -> list[tuple[Any, bytes]]:
        from pypdf.generic import ContentStream

        key = _key(ref)
        if key not in self.streams:
            self.streams[key] = ContentStream(xobject, self.reader).operations
        return self.streams[key]

    def layer_hidden(self, oc: Any) -> bool:
        """Whether an optional content group (or membership dictionary) is switched off by default."""
        oc = _resolve(oc)
        if not isinstance(oc, dict):
            return False
        if oc.get("/Type") == "/OCMD":
            if "/VE" in oc:
                return True  # visibility expressions are not evaluated: treated as hidden, so reported
            groups = _resolve(oc.get("/OCGs"))
            groups = groups if isinstance(groups, list) else [groups]
            states = [self._group_off(g) for g in groups if g is not None]
            policy = oc.get("/P", "/AnyOn")
            return _policy_hides(policy, states)
        return self._group_off(oc)

    def _group_off(self, group: Any) -> bool:
        ref = getattr(group, "indirect_reference", None) or group
        return _key(ref) in self.hidden_layers


def _policy_hides(policy: Any, off: list[bool]) -> bool:
    if not off:
        return False
    if policy == "/AllOn":
        return any(off)
    if policy == "/AnyOff":
        return not any(off)
    if policy == "/AllOff":
        return not all(off)
    return all(off)  # /AnyOn


class _Run(TextOperators):
    """The state of interpreting one page."""

    def __init__(self, painter: Painter, drawing: Drawing) -> None:
        self.painter = painter
        self.drawing = drawing
        self.state = GraphicsState()
        self.stack: list[GraphicsState] = []
        self.tm: Matrix = IDENTITY
        self.tlm: Matrix = IDENTITY
        self.path: list[list[Point]] = []
        self.pending_clip: bool | None = None  # even-odd flag of a W/W* awaiting the painting operator
        self.text_clip: list[Box] = []
        self.marked: list[bool] = []
        self.order = 0
        self.count = 0
        self.resources: Any = {}

    # ------------------------------------------------------------------ dispatch

    def execute(self, operations: list[tuple[Any, bytes]], resources: Any, depth: int) -> None:
        outer, self.resources = self.resources, resources
        for operands, operator in operations:
            self.count += 1
            if self.count > MAX_OPERATIONS:
                raise CannotVerify(f"a page draws more than {MAX_OPERATIONS} operations: too complex to inspect")
            handler = _HANDLERS.get(operator)
            if handler is not None:
                try:
                    handler(self, list(operands) if isinstance(operands, list) else [operands], depth)
                except (TypeError, ValueError, IndexError, ZeroDivisionError, OverflowError):
                    continue  # a malformed operator is skipped, as viewers do
        self.resources = outer

    @property
    def hidden_content(self) -> bool:
        return any(self.marked)

    def load_font(self, name: Any) -> Font | None:
        return self.painter.font(self.resources, name)

    # ------------------------------------------------------------------ graphics state

    def op_q(self, ops: list[Any], depth: int) -> None:
        self.stack.append(replace(self.state))

    def op_Q(self, ops: list[Any], depth: int) -> None:
        if self.stack:
            self.state = self.stack.pop()

    def op_cm(self, ops: list[Any], depth: int) -> None:
        self.state.ctm = multiply(_matrix(ops), self.state.ctm)

    def op_w(self, ops: list[Any], depth: int) -> None:
        self.state.line_width = float(ops[0])

    def op_gs(self, ops: list[Any], depth: int) -> None:
        states = _resolve(self.resources.get("/ExtGState")) if isinstance(self.resources, dict) else None
        params = _resolve(states.get(ops[0])) if isinstance(states, dict) else None
        if not isinstance(params, dict):
            return
        st = self.state
        st.fill_alpha = _unit(params.get("/ca"), st.fill_alpha)
        st.stroke_alpha = _unit(params.get("/CA"), st.stroke_alpha)
        st.line_width = float(params.get("/LW", st.line_width))
        if "/SMask" in params or "/BM" in params:
            mode = _resolve(params.get("/BM", "/Normal"))
            mode = _resolve(mode[0]) if isinstance(mode, list) and mode else mode
            st.soft_mask = _resolve(params.get("/SMask", "/None")) != "/None" or mode not in _NORMAL_BLEND
        font = _resolve(params.get("/Font"))
        if isinstance(font, list) and len(font) == 2:
            st.font, st.size = load_font(_resolve(font[0])), float(font[1])

    def _colour(self, ops: list[Any], stroke: bool, sp: Space | None = None) -> None:
        values = tuple(float(v) for v in ops if isinstance(v, int | float))
        if sp is None:
            sp = self.state.stroke_space if stroke else self.state.fill_space
            if sp.family == "pattern" or any(not isinstance(v, int | float) for v in ops):
                sp = replace(UNKNOWN, family="pattern")
        if stroke:
            self.state.stroke_space, self.state.stroke = sp, values
        else:
            self.state.fill_space, self.state.fill = sp, values

    def op_cs(self, ops: list[Any], depth: int) -> None:
        sp = space(ops[0], self.resources)
        self._colour(list(sp.initial()), False, sp)

    def op_CS(self, ops: list[Any], depth: int) -> None:
        sp = space(ops[0], self.resources)
        self._colour(list(sp.initial()), True, sp)

    def op_sc(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, False)

    def op_SC(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, True)

    op_scn, op_SCN = op_sc, op_SC  # the same, and a pattern name is also allowed (then: unknown colour)

    def op_g(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, False, space("/DeviceGray", None))

    def op_G(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, True, space("/DeviceGray", None))

    def op_rg(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, False, space("/DeviceRGB", None))

    def op_RG(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, True, space("/DeviceRGB", None))

    def op_k(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, False, space("/DeviceCMYK", None))

    def op_K(self, ops: list[Any], depth: int) -> None:
        self._colour(ops, True, space("/DeviceCMYK", None))

    # ------------------------------------------------------------------ paths

    def op_m(self, ops: list[Any], depth: int) -> None:
        self.path.append([apply(self.state.ctm, float(ops[0]), float(ops[1]))])

    def op_l(self, ops: list[Any], depth: int) -> None:
        self._current().append(apply(self.state.ctm, float(ops[0]), float(ops[1])))

    def op_c(self, ops: list[Any], depth: int) -> None:
        sub = self._current()
        ctm = self.state.ctm
        p1, p2, p3 = (apply(ctm, float(ops[i]), float(ops[i + 1])) for i in (0, 2, 4))
        sub.extend(cubic(sub[-1], p1, p2, p3))

    def op_v(self, ops: list[Any], depth: int) -> None:
        sub = self._current()
        ctm = self.state.ctm
        p2, p3 = (apply(ctm, float(ops[i]), float(ops[i + 1])) for i in (0, 2))
        sub.extend(cubic(sub[-1], sub[-1], p2, p3))

    def op_y(self, ops: list[Any], depth: int) -> None:
        sub = self._current()
        ctm = self.state.ctm
        p1, p3 = (apply(ctm, float(ops[i]), float(ops[i + 1])) for i in (0, 2))
        sub.extend(cubic(sub[-1], p1, p3, p3))

    def op_h(self, ops: list[Any], depth: int) -> None:
        if self.path and self.path[-1]:
            self.path[-1].append(self.path[-1][0])

    def op_re(self, ops: list[Any], depth: int) -> None:
        x, y, w, h = (float(v) for v in ops[:4])
        ctm = self.state.ctm
        corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
        self.path.append([apply(ctm, *c) for c in corners])

    def _current(self) -> list[Point]:
        if not self.path:
            self.path.append([apply(self.state.ctm, 0.0, 0.0)])
        return self.path[-1]

    def op_W(self, ops: list[Any], depth: int) -> None:
        self.pending_clip = False

    def op_Wstar(self, ops: list[Any], depth: int) -> None:
        self.pending_clip = True

    def paint(self, operator: bytes) -> None:
        st = self.state
        polygons = [tuple(sub) for sub in self.path if sub]
        if operator in _PAINT_FILL and not self.hidden_content and not st.fill_space.no_ink:
            area = region(polygons, even_odd=operator.endswith(b"*"))
            if area is not None:
                self._add_paint(area, to_rgb(st.fill_space, st.fill), st.fill_alpha, "a filled shape")
        if operator in _PAINT_STROKE and not self.hidden_content and not st.stroke_space.no_ink:
            width = length(st.ctm, st.line_width, 0) if st.line_width else 0.0
            if width >= THICK_STROKE:
                band = region(polygons, half_width=width / 2)
                if band is not None:
                    self._add_paint(band, to_rgb(st.stroke_space, st.stroke), st.stroke_alpha, "a thick line")
        if self.pending_clip is not None:
            clip = region(polygons, even_odd=self.pending_clip)
            st.clip = (*st.clip, clip if clip is not None else Region((0.0, 0.0, 0.0, 0.0)))
        self.pending_clip = None
        self.path = []

    def _add_paint(self, area: Region, colour: RGB | None, alpha: float, what: str) -> None:
        self.order += 1
        self.drawing.paints.append(Paint(area, colour, alpha, self.order, what, self.state.clip))

    def op_sh(self, ops: list[Any], depth: int) -> None:
        if not self.hidden_content:
            everywhere = Region((-1e9, -1e9, 1e9, 1e9))
            self._add_paint(everywhere, None, self.state.fill_alpha, "a shading")

    def op_inline_image(self, ops: list[Any], depth: int) -> None:
        self._image({})

    def _image(self, image: Any) -> None:
        if self.hidden_content:
            return
        st = self.state
        corners = [apply(st.ctm, x, y) for x, y in ((0, 0), (1, 0), (1, 1), (0, 1))]
        colour = to_rgb(st.fill_space, st.fill) if image.get("/ImageMask") else None
        self._add_paint(region([tuple(corners)]) or Region(bounds(corners)), colour, st.fill_alpha, "an image")

    def op_Do(self, ops: list[Any], depth: int) -> None:
        xobjects = _resolve(self.resources.get("/XObject")) if isinstance(self.resources, dict) else None
        if not isinstance(xobjects, dict) or ops[0] not in xobjects:
            return
        ref = xobjects.raw_get(ops[0]) if hasattr(xobjects, "raw_get") else ops[0]
        xobject = _resolve(xobjects[ops[0]])
        subtype = xobject.get("/Subtype")
        if subtype == "/Image":
            self._image(xobject)
        elif subtype == "/Form":
            self._form(xobject, ref, depth)

    def _form(self, xobject: Any, ref: Any, depth: int) -> None:
        if depth >= MAX_DEPTH:
            raise CannotVerify(f"Form XObjects are nested more than {MAX_DEPTH} deep: too complex to inspect")
        self.op_q([], depth)
        st = self.state
        st.ctm = multiply(_matrix(xobject.get("/Matrix", IDENTITY)), st.ctm)
        box = _resolve(xobject.get("/BBox"))
        if isinstance(box, list) and len(box) == 4:
            x0, y0, x1, y1 = (float(v) for v in box)
            corners = tuple(apply(st.ctm, x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)))
            st.clip = (*st.clip, region([corners]) or Region(bounds(list(corners))))
        self.marked.append(self.painter.layer_hidden(xobject.get("/OC")))
        resources = _resolve(xobject.get("/Resources")) or self.resources
        saved_tm, saved_tlm = self.tm, self.tlm
        self.execute(self.painter.operations(xobject, ref), resources, depth + 1)
        self.tm, self.tlm = saved_tm, saved_tlm
        self.marked.pop()
        self.op_Q([], depth)

    # ------------------------------------------------------------------ marked content (layers)

    def op_BMC(self, ops: list[Any], depth: int) -> None:
        self.marked.append(False)

    def op_BDC(self, ops: list[Any], depth: int) -> None:
        hidden = False
        if ops and ops[0] == "/OC" and len(ops) > 1:
            props = ops[1]
            if isinstance(props, str):
                named = _resolve(self.resources.get("/Properties")) if isinstance(self.resources, dict) else None
                props = named.get(props) if isinstance(named, dict) else None
            hidden = self.painter.layer_hidden(props)
        self.marked.append(hidden)

    def op_EMC(self, ops: list[Any], depth: int) -> None:
        if self.marked:
            self.marked.pop()


def _handlers() -> dict[bytes, Any]:
    names = {b"W*": "op_Wstar", b"T*": "op_Tstar", b"'": "op_quote", b'"': "op_dquote"}
    names[b"INLINE IMAGE"] = "op_inline_image"
    table: dict[bytes, Any] = {}
    for attr in dir(_Run):
        if attr.startswith("op_") and attr not in names.values():
            table[attr[3:].encode()] = getattr(_Run, attr)
    table.update({op: getattr(_Run, attr) for op, attr in names.items()})
    for op in _PAINT_END:
        table[op] = lambda run, ops, depth, op=op: run.paint(op)
    return table


def _matrix(values: Any) -> Matrix:
    a, b, c, d, e, f = (float(_resolve(v)) for v in list(values)[:6])
    return (a, b, c, d, e, f)


def _unit(value: Any, default: float) -> float:
    value = _resolve(value)
    return min(max(float(value), 0.0), 1.0) if isinstance(value, int | float) else default


def _key(ref: Any) -> Any:
    if hasattr(ref, "idnum"):
        return (ref.idnum, ref.generation)
    return id(ref)


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


_HANDLERS = _handlers()
