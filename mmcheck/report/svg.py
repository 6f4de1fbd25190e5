"""SVG drawn by mmcheck itself from a ``Picture`` (see ``layout``): no system binary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from mmcheck.report.layout import (
    CHAR_W,
    MARGIN,
    Edge,
    Node,
    Picture,
    colour,
    legend_entries,
)

FONT = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace"
LEGEND_ROW = 22
Point = tuple[float, float]


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _clip(n: Node, towards: Point) -> Point:
    """Where the line from the centre of ``n`` towards a point leaves its box."""
    dx, dy = towards[0] - n.x, towards[1] - n.y
    if dx == 0 and dy == 0:
        return n.x, n.y
    sx = (n.w / 2 + 3) / abs(dx) if dx else math.inf
    sy = (n.h / 2 + 3) / abs(dy) if dy else math.inf
    t = min(sx, sy)
    return n.x + dx * t, n.y + dy * t


def _bends(p: Picture) -> list[float]:
    """A sideways offset per edge so edges between the same two events do not overlap."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, e in enumerate(p.edges):
        groups.setdefault((min(e.src, e.dst), max(e.src, e.dst)), []).append(i)
    out = [0.0] * len(p.edges)
    for (lo, hi), idx in groups.items():
        a, b = p.node(lo), p.node(hi)
        same_col = a.thread == b.thread and not a.init
        gap = abs(round((b.y - a.y) / 84)) if same_col else 0
        for k, i in enumerate(idx):
            e = p.edges[i]
            sign = 1.0 if e.src == lo else -1.0  # offsets are relative to lo -> hi
            if same_col and gap > 1:
                off = 34.0 + 16 * gap + 26 * k
            elif same_col:
                off = 0.0 if k == 0 and e.kind == "po" else 30.0 + 26 * k
            elif len(idx) == 1:
                off = 0.0
            else:
                off = (k - (len(idx) - 1) / 2) * 34
            if same_col and a.x > p.width / 2:
                off = -off  # arcs bulge away from the middle of the picture
            out[i] = off * sign
    return out


def _geometry(p: Picture, e: Edge, bend: float) -> tuple[Point, Point, Point, Point]:
    """Start, control point, end, and label position of an edge's quadratic curve."""
    a, b = p.node(e.src), p.node(e.dst)
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    nx_, ny_ = -dy / length, dx / length
    c = (mx + nx_ * bend * 2, my + ny_ * bend * 2)
    start, end = _clip(a, c), _clip(b, c)
    # Labels of edges between columns sit nearer their source, so that crossing
    # edges (rf one way, fr the other) keep their labels apart.
    tries = (0.5, 0.35, 0.65) if abs(dx) < 1 else (0.32, 0.22, 0.45, 0.6, 0.7)
    for t in tries:
        u = 1 - t
        lx = u * u * start[0] + 2 * u * t * c[0] + t * t * end[0]
        ly = u * u * start[1] + 2 * u * t * c[1] + t * t * end[1]
        if not any(abs(lx - n.x) < n.w / 2 + 12 and abs(ly - n.y) < n.h / 2 + 6
                   for n in p.nodes):
            break
    if bend == 0 and abs(dx) < 1:
        lx += 16
    return start, c, end, (lx, ly)


def _hits(p: Picture, e: Edge, g: tuple[Point, Point, Point, Point]) -> bool:
    """Does the curve pass through an event box other than its own two?"""
    (x0, y0), (cx, cy), (x1, y1), _ = g
    others = [n for n in p.nodes if n.id not in (e.src, e.dst)]
    for k in range(1, 24):
        t = k / 24
        u = 1 - t
        x = u * u * x0 + 2 * u * t * cx + t * t * x1
        y = u * u * y0 + 2 * u * t * cy + t * t * y1
        for n in others:
            if abs(x - n.x) < n.w / 2 + 4 and abs(y - n.y) < n.h / 2 + 4:
                return True
    return False


def _avoid(p: Picture, e: Edge, bend: float) -> tuple[Point, Point, Point, Point]:
    """The edge's curve, bent further when it would cross another event."""
    g = _geometry(p, e, bend)
    if not _hits(p, e, g):
        return g
    for extra in (22, -22, 44, -44, 66, -66, 90, -90):
        g2 = _geometry(p, e, bend + extra)
        if not _hits(p, e, g2):
            return g2
    return g


def _marker_id(prefix: str, kind: str) -> str:
    return f"{prefix}-ah-{kind.replace('.', '_').replace('-', '_')}"


def render_picture(p: Picture, prefix: str = "g", standalone: bool = True) -> str:
    """One picture as an ``<svg>`` element (with the XML prolog when standalone)."""
    body, height = _picture_body(p, prefix)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    # Inline in HTML the namespace is implied: the page then names no URL at all.
    ns = ' xmlns="http://www.w3.org/2000/svg"' if standalone else ""
    return (
        f'{head}<svg{ns} width="{_fmt(p.width)}" '
        f'height="{_fmt(height)}" viewBox="0 0 {_fmt(p.width)} {_fmt(height)}" '
        f'font-family="{escape(FONT)}" font-size="13" role="img">\n'
        f"<title>{escape(p.title)}</title>\n{body}</svg>\n"
    )


def render(pictures: Sequence[Picture], note: str = "") -> str:
    """Several pictures stacked in one standalone SVG document."""
    if not pictures:
        width = max(320.0, len(note) * CHAR_W + 2 * MARGIN)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="60" '
            f'viewBox="0 0 {_fmt(width)} 60" font-family="{escape(FONT)}" font-size="13">\n'
            f'<rect width="100%" height="100%" fill="#ffffff"/>\n'
            f'<text x="{MARGIN}" y="34" fill="#333333">{escape(note)}</text>\n</svg>\n'
        )
    parts: list[str] = []
    y = 0.0
    width = max(p.width for p in pictures)
    for i, p in enumerate(pictures):
        body, h = _picture_body(p, f"g{i}")
        parts.append(f'<g transform="translate(0,{_fmt(y)})">\n{body}</g>\n')
        y += h
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(y)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(y)}" font-family="{escape(FONT)}" font-size="13">\n'
        + "".join(parts)
        + "</svg>\n"
    )


def _picture_body(p: Picture, prefix: str) -> tuple[str, float]:
    out: list[str] = []
    kinds = sorted({e.kind for e in p.edges})
    legend = legend_entries(p)
    legend_top = p.height + 17 * len(p.caption_lines()) + 10
    longest = max((len(k) + len(w) + 1 for k, w, _ in legend), default=10)
    per_row = max(1, int((p.width - 2 * MARGIN) // (longest * 7.2 + 56)))
    legend_rows = math.ceil(len(legend) / per_row)
    total = legend_top + legend_rows * LEGEND_ROW + MARGIN / 2
    out.append(f'<rect width="{_fmt(p.width)}" height="{_fmt(total)}" fill="#ffffff"/>\n')
    out.append("<defs>\n")
    for kind in kinds:
        out.append(
            f'<marker id="{_marker_id(prefix, kind)}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
            f'orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{colour(kind)}"/></marker>\n'
        )
    out.append("</defs>\n")
    out.append(
        f'<text x="{MARGIN}" y="{MARGIN + 6}" font-size="15" font-weight="bold" '
        f'fill="#222222">{escape(p.title)}</text>\n'
    )
    bends = _bends(p)
    geo = [_avoid(p, e, bends[i]) for i, e in enumerate(p.edges)]
    dim = p.has_cycle
    order = sorted(range(len(p.edges)), key=lambda i: p.edges[i].highlight)
    for i in order:
        e = p.edges[i]
        (x0, y0), (cx, cy), (x1, y1), _ = geo[i]
        width = 2.8 if e.highlight else 1.4
        dash = ' stroke-dasharray="5,3"' if e.kind in ("addr", "data", "ctrl") else ""
        opacity = ' stroke-opacity="0.45"' if dim and not e.highlight else ""
        out.append(
            f'<path class="edge {escape(e.kind)}" d="M{_fmt(x0)},{_fmt(y0)} '
            f'Q{_fmt(cx)},{_fmt(cy)} {_fmt(x1)},{_fmt(y1)}" fill="none" '
            f'stroke="{colour(e.kind)}" stroke-width="{width}"{dash}{opacity} '
            f'marker-end="url(#{_marker_id(prefix, e.kind)})"/>\n'
        )
    for n in p.nodes:
        fill = "#f3f3f3" if n.init else "#ffffff"
        out.append(
            f'<rect class="event" x="{_fmt(n.x - n.w / 2)}" y="{_fmt(n.y - n.h / 2)}" '
            f'width="{_fmt(n.w)}" height="{_fmt(n.h)}" rx="6" fill="{fill}" '
            f'stroke="#333333" stroke-width="1.2"/>\n'
            f'<text x="{_fmt(n.x)}" y="{_fmt(n.y + 4.5)}" text-anchor="middle" '
            f'fill="#111111">{escape(n.text)}</text>\n'
        )
    for i in order:
        e = p.edges[i]
        lx, ly = geo[i][3]
        weight = ' font-weight="bold"' if e.highlight else ""
        anchor = "start" if abs(p.node(e.src).x - p.node(e.dst).x) < 1 else "middle"
        out.append(
            f'<text x="{_fmt(lx)}" y="{_fmt(ly + 4)}" text-anchor="{anchor}" font-size="12" '
            f'fill="{colour(e.kind)}"{weight} stroke="#ffffff" stroke-width="3.5" '
            f'paint-order="stroke">{escape(e.label)}</text>\n'
        )
    for t, x in p.threads:
        out.append(
            f'<text x="{_fmt(x - 10)}" y="{_fmt(p.thread_y + 8)}" text-anchor="end" '
            f'font-weight="bold" fill="#555555" stroke="#ffffff" stroke-width="4" '
            f'paint-order="stroke">P{t}</text>\n'
        )
    for row, line in enumerate(p.caption_lines()):
        out.append(
            f'<text x="{MARGIN}" y="{_fmt(p.height + 10 + row * 17)}" font-size="12.5" '
            f'fill="#222222" xml:space="preserve">{escape(line)}</text>\n'
        )
    col_w = (p.width - 2 * MARGIN) / per_row
    for slot, (kind, words, thick) in enumerate(legend):
        x = MARGIN + (slot % per_row) * col_w
        y = legend_top + (slot // per_row) * LEGEND_ROW + 8
        stroke = "#222222" if kind == "cycle" else colour(kind)
        out.append(
            f'<line x1="{_fmt(x)}" y1="{_fmt(y)}" x2="{_fmt(x + 30)}" y2="{_fmt(y)}" '
            f'stroke="{stroke}" stroke-width="{2.8 if thick else 1.6}"/>\n'
            f'<text x="{_fmt(x + 38)}" y="{_fmt(y + 4)}" font-size="12" fill="#333333">'
            f'<tspan font-weight="bold" fill="{stroke}">{escape(kind)}</tspan> '
            f"{escape(words)}</text>\n"
        )
    return "".join(out), total
