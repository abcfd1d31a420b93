"""Plane geometry for reading PDF pages: matrices, boxes, and the regions that paths fill or clip.

Matrices are PDF's six numbers (a b c d e f), applied to row vectors as the PDF specification does.
A Region is what one painting or clipping operator covers: an axis-aligned box when that is exact
(a rectangle), otherwise polygons with their fill rule, or the band a thick stroke covers.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 with x0 <= x1, y0 <= y1
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
EVERYWHERE: Box = (-math.inf, -math.inf, math.inf, math.inf)


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (m x n in the specification's notation)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def apply(m: Matrix, x: float, y: float) -> Point:
    return (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])


def translate(m: Matrix, tx: float, ty: float) -> Matrix:
    """translate(tx, ty) then m."""
    a, b, c, d, e, f = m
    return (a, b, c, d, tx * a + ty * c + e, tx * b + ty * d + f)


def bounds(points: list[Point]) -> Box:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def inside(box: Box, x: float, y: float) -> bool:
    return box[0] <= x <= box[2] and box[1] <= y <= box[3]


def intersect(one: Box, two: Box) -> Box:
    return (max(one[0], two[0]), max(one[1], two[1]), min(one[2], two[2]), min(one[3], two[3]))


def length(m: Matrix, dx: float, dy: float) -> float:
    """Length of the vector (dx, dy) after the linear part of m."""
    return math.hypot(m[0] * dx + m[2] * dy, m[1] * dx + m[3] * dy)


@dataclass(frozen=True)
class Region:
    """What one fill, stroke or clip covers; `box` always contains it."""

    box: Box
    polygons: tuple[tuple[Point, ...], ...] = ()  # empty: the box is exact
    even_odd: bool = False
    half_width: float = 0.0  # > 0: a stroke of this half width along the polygons' edges

    def contains(self, x: float, y: float) -> bool:
        if not inside(self.box, x, y):
            return False
        if not self.polygons:
            return True
        if self.half_width:
            return any(_near_edge(poly, x, y, self.half_width) for poly in self.polygons)
        winding = sum(_winding(poly, x, y) for poly in self.polygons)
        return winding % 2 == 1 if self.even_odd else winding != 0


def _winding(poly: tuple[Point, ...], x: float, y: float) -> int:
    """Winding number of a closed polygon around (x, y)."""
    total = 0
    for (x0, y0), (x1, y1) in zip(poly, poly[1:] + poly[:1], strict=True):
        if y0 <= y < y1 and (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0) > 0:
            total += 1
        elif y1 <= y < y0 and (x1 - x0) * (y - y0) - (x - x0) * (y1 - y0) < 0:
            total -= 1
    return total


def _near_edge(poly: tuple[Point, ...], x: float, y: float, reach: float) -> bool:
    for (x0, y0), (x1, y1) in itertools.pairwise(poly):
        dx, dy = x1 - x0, y1 - y0
        span = dx * dx + dy * dy
        t = 0.0 if span == 0 else max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / span))
        if math.hypot(x - (x0 + t * dx), y - (y0 + t * dy)) <= reach:
            return True
    return False


def is_axis_rectangle(poly: tuple[Point, ...]) -> bool:
    """Four corners (optionally repeated first) that make an axis-aligned rectangle."""
    corners = poly[:-1] if len(poly) == 5 and poly[0] == poly[-1] else poly
    if len(corners) != 4:
        return False
    xs, ys = {round(p[0], 3) for p in corners}, {round(p[1], 3) for p in corners}
    return len(xs) <= 2 and len(ys) <= 2


def region(polygons: list[tuple[Point, ...]], *, even_odd: bool = False, half_width: float = 0.0) -> Region | None:
    """The region of a painted or clipping path, or None when the path is empty."""
    points = [p for poly in polygons for p in poly]
    if not points:
        return None
    box = bounds(points)
    if half_width:
        box = (box[0] - half_width, box[1] - half_width, box[2] + half_width, box[3] + half_width)
        return Region(box, tuple(polygons), half_width=half_width)
    if len(polygons) == 1 and is_axis_rectangle(polygons[0]):
        return Region(box)
    return Region(box, tuple(p for p in polygons if len(p) >= 3), even_odd)


def cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: int = 4) -> list[Point]:
    """A Bezier curve flattened to `steps` segments (enough to tell inside from outside of a glyph)."""
    out = []
    for k in range(1, steps + 1):
        t = k / steps
        u = 1 - t
        out.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return out
