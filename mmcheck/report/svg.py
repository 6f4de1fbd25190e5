"""SVG drawn by mmcheck itself from a ``Picture`` (see ``layout``): no system binary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from mmcheck.report.layout import (
    CHAR_W,
    MARGIN,
    TITLE_Y,
    Picture,
    colour,
    fit,
    legend_entries,
)

FONT = "ui-monospace, 'DejaVu Sans Mono', Menlo, Consolas, monospace"
LEGEND_ROW = 22
LEGEND_CHAR_W = 7.3  # of the 12px legend text
CAPTION_ROW = 17


def _fmt(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _marker_id(prefix: str, kind: str) -> str:
    return f"{prefix}-ah-{kind.replace('.', '_').replace('-', '_')}"


def render_picture(p: Picture, prefix: str = "g", standalone: bool = True) -> str:
    """One picture as an ``<svg>`` element (with the XML prolog when standalone)."""
    p = p if p.routes or not p.edges else fit(p)
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
        p = p if p.routes or not p.edges else fit(p)
        body, h = _picture_body(p, f"g{i}", width)
        parts.append(f'<g transform="translate(0,{_fmt(y)})">\n{body}</g>\n')
        y += h
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_fmt(width)}" height="{_fmt(y)}" '
        f'viewBox="0 0 {_fmt(width)} {_fmt(y)}" font-family="{escape(FONT)}" font-size="13">\n'
        + "".join(parts)
        + "</svg>\n"
    )


def _picture_body(p: Picture, prefix: str, canvas: float = 0.0) -> tuple[str, float]:
    """The picture's elements, and its height (with caption and legend)."""
    out: list[str] = []
    kinds = sorted({e.kind for e in p.edges})
    legend = legend_entries(p)
    captions = p.caption_lines()
    legend_top = p.height + CAPTION_ROW * len(captions) + 10
    longest = max((len(k) + len(w) + 1 for k, w, _ in legend), default=10)
    slot_w = longest * LEGEND_CHAR_W + 56
    per_row = max(1, int((p.width - 2 * MARGIN) // slot_w))
    legend_rows = math.ceil(len(legend) / per_row)
    total = legend_top + legend_rows * LEGEND_ROW + MARGIN / 2
    out.append(f'<rect width="{_fmt(max(p.width, canvas))}" height="{_fmt(total)}" '
               'fill="#ffffff"/>\n')
    out.append("<defs>\n")
    for kind in kinds:
        out.append(
            f'<marker id="{_marker_id(prefix, kind)}" viewBox="0 0 10 10" refX="9" refY="5" '
            f'markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" '
            f'orient="auto"><path d="M0,1 L10,5 L0,9 z" fill="{colour(kind)}"/></marker>\n'
        )
    out.append("</defs>\n")
    out.append(
        f'<text x="{MARGIN}" y="{TITLE_Y}" font-size="15" font-weight="bold" '
        f'fill="#222222">{escape(p.title)}</text>\n'
    )
    dim = p.has_cycle
    order = sorted(range(len(p.edges)), key=lambda i: p.edges[i].highlight)
    for i in order:
        e = p.edges[i]
        r = p.routes[i]
        (x0, y0), (ax, ay), (bx, by), (x1, y1) = r.curve
        width = 2.8 if e.highlight else 1.4
        dash = ' stroke-dasharray="5,3"' if e.kind in ("addr", "data", "ctrl") else ""
        opacity = ' stroke-opacity="0.45"' if dim and not e.highlight else ""
        out.append(
            f'<path class="edge {escape(e.kind)}" d="M{_fmt(x0)},{_fmt(y0)} '
            f'C{_fmt(ax)},{_fmt(ay)} {_fmt(bx)},{_fmt(by)} {_fmt(x1)},{_fmt(y1)}" fill="none" '
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
        lx, ly = p.routes[i].label
        weight = ' font-weight="bold"' if e.highlight else ""
        out.append(
            f'<text x="{_fmt(lx)}" y="{_fmt(ly + 4)}" text-anchor="middle" font-size="12" '
            f'fill="{colour(e.kind)}"{weight} stroke="#ffffff" stroke-width="3.5" '
            f'paint-order="stroke">{escape(e.label)}</text>\n'
        )
    for t, x in p.threads:
        out.append(
            f'<text x="{_fmt(x - 10)}" y="{_fmt(p.thread_y + 8)}" text-anchor="end" '
            f'font-weight="bold" fill="#555555" stroke="#ffffff" stroke-width="4" '
            f'paint-order="stroke">P{t}</text>\n'
        )
    for row, line in enumerate(captions):
        out.append(
            f'<text x="{MARGIN}" y="{_fmt(p.height + 10 + row * CAPTION_ROW)}" font-size="12.5" '
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
