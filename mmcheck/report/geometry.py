"""Plane geometry for drawing executions: points, boxes and cubic Bézier curves."""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]
Curve = tuple[Point, Point, Point, Point]  # a cubic Bézier: start, controls, end
Box = tuple[float, float, float, float]  # left, top, right, bottom


def bezier(g: Curve, t: float) -> Point:
    u = 1 - t
    k = (u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t)
    return (sum(w * q[0] for w, q in zip(k, g, strict=True)),
            sum(w * q[1] for w, q in zip(k, g, strict=True)))


def tangent(g: Curve, t: float) -> Point:
    u = 1 - t
    k = (3 * u * u, 6 * u * t, 3 * t * t)
    d = [(g[i + 1][0] - g[i][0], g[i + 1][1] - g[i][1]) for i in range(3)]
    return (sum(w * q[0] for w, q in zip(k, d, strict=True)),
            sum(w * q[1] for w, q in zip(k, d, strict=True)))


def samples(g: Curve, n: int = 24) -> list[Point]:
    return [bezier(g, k / n) for k in range(n + 1)]


def overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def grow(b: Box, by: float) -> Box:
    return b[0] - by, b[1] - by, b[2] + by, b[3] + by


def distance(pt: Point, b: Box) -> float:
    return math.hypot(max(b[0] - pt[0], 0.0, pt[0] - b[2]), max(b[1] - pt[1], 0.0, pt[1] - b[3]))


def hull(pts: Sequence[Point]) -> Box:
    return (min(q[0] for q in pts), min(q[1] for q in pts),
            max(q[0] for q in pts), max(q[1] for q in pts))


def inside(pt: Point, b: Box) -> bool:
    return b[0] <= pt[0] <= b[2] and b[1] <= pt[1] <= b[3]


def curve_length(g: Curve) -> float:
    pts = samples(g, 16)
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:], strict=False))


def deviation(g: Curve) -> float:
    """How far the curve strays from the straight line between its ends."""
    (x0, y0), (x1, y1) = g[0], g[3]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    return max(abs((x1 - x0) * (y0 - y) - (x0 - x) * (y1 - y0)) / length
               for x, y in samples(g, 12))


def crossings(a: Sequence[Point], b: Sequence[Point]) -> int:
    """How many times two polylines cross (their shared end points aside)."""
    if not overlap(hull(a), hull(b)):
        return 0

    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    n = 0
    for p1, p2 in zip(a, a[1:], strict=False):
        lo_x, hi_x = min(p1[0], p2[0]), max(p1[0], p2[0])
        lo_y, hi_y = min(p1[1], p2[1]), max(p1[1], p2[1])
        for q1, q2 in zip(b, b[1:], strict=False):
            if (max(q1[0], q2[0]) < lo_x or min(q1[0], q2[0]) > hi_x
                    or max(q1[1], q2[1]) < lo_y or min(q1[1], q2[1]) > hi_y):
                continue
            if (side(p1, p2, q1) * side(p1, p2, q2) < 0
                    and side(q1, q2, p1) * side(q1, q2, p2) < 0):
                n += 1
    return n
