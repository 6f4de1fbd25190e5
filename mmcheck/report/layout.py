"""An execution as a picture: nodes in thread columns, labelled edges, a legend.

The layout is mmcheck's own (no Graphviz needed): one column per thread, events in
program order top to bottom, the initial writes in a row above.  ``po`` and ``co``
are drawn after transitive reduction (networkx), ``fr`` only to the next write in
coherence order; the edges of a blamed cycle are highlighted and carry the name of
the relation that orders them (``ppo``, ``bob``, ``rfe``...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import networkx as nx

from mmcheck.execution import Execution
from mmcheck.explain import (
    Blame,
    Explanation,
    blame_named,
    event_text,
    first_failure,
    letters,
    show_steps,
)
from mmcheck.models.sc import SC
from mmcheck.report.geometry import (
    Box,
    Curve,
    Point,
    bezier,
    crossings,
    curve_length,
    deviation,
    distance,
    grow,
    hull,
    inside,
    overlap,
    samples,
    tangent,
)

COL_W = 200
ROW_H = 84
NODE_H = 28
MARGIN = 24
CHAR_W = 7.8  # of the 13px monospace font
LABEL_CHAR_W = 7.3  # of the 12px edge labels
LABEL_H = 15.0
CAPTION_CHAR_W = 7.6  # of the 12.5px caption
TITLE_CHAR_W = 9.1  # of the 15px bold title
TITLE_Y = MARGIN + 6  # baseline of the title

BASE_COLOURS = {
    "po": "#4d4d4d",
    "rf": "#d62728",
    "co": "#1f5fbf",
    "fr": "#e07000",
    "rmw": "#8e44ad",
    "addr": "#2e8b57",
    "data": "#2e8b57",
    "ctrl": "#2e8b57",
}
MODEL_COLOURS = {
    "ppo": "#0f8f8f",
    "mfence": "#b8860b",
    "implied": "#b8860b",
    "bob": "#c2185b",
    "dob": "#2e7d32",
    "aob": "#6a1b9a",
    "lws": "#5d4037",
    "pob": "#00838f",
    "po-loc": "#4d4d4d",
}
FALLBACK_COLOUR = "#0f8f8f"

DESCRIPTIONS = {
    "po": "program order",
    "rf": "reads-from",
    "co": "coherence order",
    "fr": "from-reads (read before a later write)",
    "rmw": "atomic read-modify-write",
    "addr": "address dependency",
    "data": "data dependency",
    "ctrl": "control dependency",
    "ppo": "preserved program order",
    "mfence": "ordered by MFENCE",
    "implied": "ordered by a locked instruction",
    "bob": "barrier-ordered-before",
    "dob": "dependency-ordered-before",
    "aob": "atomic-ordered-before",
    "lws": "local write successor",
    "pob": "pick-ordered-before",
    "po-loc": "program order, same location",
}


def base_kind(rel: str) -> str:
    """``rfe``/``rfi`` draw as ``rf``, ``fre`` as ``fr``, ``coe`` as ``co``."""
    if rel in ("rf", "rfe", "rfi"):
        return "rf"
    if rel in ("co", "coe", "coi"):
        return "co"
    if rel in ("fr", "fre", "fri"):
        return "fr"
    return rel


def colour(kind: str) -> str:
    return BASE_COLOURS.get(kind) or MODEL_COLOURS.get(kind) or FALLBACK_COLOUR


@dataclass(frozen=True)
class Node:
    id: int
    text: str
    thread: int
    x: float  # centre
    y: float
    w: float
    h: float = NODE_H

    @property
    def init(self) -> bool:
        return self.thread < 0


@dataclass(frozen=True)
class Edge:
    src: int
    dst: int
    kind: str  # po, rf, co, fr, rmw, addr, data, ctrl, or a model relation (ppo, bob...)
    label: str
    highlight: bool = False


@dataclass(frozen=True)
class Route:
    """Where an edge is drawn: a cubic curve, and the centre of its label."""

    start: Point
    c1: Point
    c2: Point
    end: Point
    label: Point

    @property
    def curve(self) -> Curve:
        return self.start, self.c1, self.c2, self.end


@dataclass(frozen=True)
class Picture:
    title: str
    caption: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    threads: tuple[tuple[int, float], ...]  # thread number, column centre x
    thread_y: float  # where the column headers go
    width: float
    height: float  # of the drawing, without the caption and legend

    cycle_note: str = "the cycle the check forbids"
    routes: tuple[Route, ...] = ()  # one per edge, once ``fit`` has run

    def caption_lines(self) -> list[str]:
        """The caption, wrapped to the picture's width: broken before arrows
        (``-rfe-> d: R x=1`` stays on one line), and between words only when one
        such step is itself too long."""
        if not self.caption:
            return []
        room = max(20, int((self.width - 2 * MARGIN) / CAPTION_CHAR_W))
        indent = "    "
        steps: list[str] = []
        for word in self.caption.split(" "):
            if steps and not (word.startswith("-") and word.endswith("->")):
                steps[-1] += " " + word
            else:
                steps.append(word)
        lines: list[str] = []
        for step in steps:
            if lines and len(lines[-1]) + 1 + len(step) <= room:
                lines[-1] += " " + step
                continue
            line = indent if lines else ""
            for word in step.split(" "):
                if line.strip() and len(line) + 1 + len(word) > room:
                    lines.append(line)
                    line = indent
                line += word if not line.strip() else " " + word
            lines.append(line)
        return lines

    @property
    def has_cycle(self) -> bool:
        return any(e.highlight for e in self.edges)

    def node(self, i: int) -> Node:
        for n in self.nodes:
            if n.id == i:
                return n
        raise KeyError(i)


def _reduced(pairs: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    g: nx.DiGraph[int] = nx.DiGraph()
    g.add_edges_from(pairs)
    if not nx.is_directed_acyclic_graph(g):
        return sorted(pairs)
    return sorted(nx.transitive_reduction(g).edges())


def execution_edges(x: Execution, blame: Blame | None = None) -> list[Edge]:
    """The edges to draw: reduced po and co, rf, fr to the next write, deps, the cycle."""
    edges: list[Edge] = []
    for a, b in _reduced(x.po):
        edges.append(Edge(a, b, "po", "po"))
    for a, b in x.rmw:
        edges.append(Edge(a, b, "rmw", "rmw"))
    for kind, pairs in (("addr", x.addr), ("data", x.data), ("ctrl", x.ctrl)):
        for a, b in _reduced(pairs) if kind == "ctrl" else sorted(pairs):
            edges.append(Edge(a, b, kind, kind))
    for a, b in sorted(x.rf):
        edges.append(Edge(a, b, "rf", "rf"))
    co_next: dict[int, int] = {}
    for a, b in _reduced(x.co):
        edges.append(Edge(a, b, "co", "co"))
        co_next[a] = b
    for w, r in sorted(x.rf):
        if w in co_next:
            edges.append(Edge(r, co_next[w], "fr", "fr"))
    if blame is None:
        return edges
    steps = list(blame.steps) + list(blame.also)
    for s in steps:
        kind = base_kind(s.rel)
        for i, e in enumerate(edges):
            if (e.src, e.dst, e.kind) == (s.src, s.dst, kind):
                edges[i] = Edge(e.src, e.dst, e.kind, s.rel, True)
                break
        else:
            edges.append(Edge(s.src, s.dst, kind, s.rel, True))
    return edges


def layout(x: Execution, title: str, caption: str = "", blame: Blame | None = None,
           cycle_note: str = "the cycle the check forbids") -> Picture:
    """Place the events of ``x``: thread columns, init writes in a row above."""
    names = letters(x)
    inits = [e for e in x.events if e.is_init]
    threads = sorted({e.thread for e in x.events if not e.is_init})
    col = {t: i for i, t in enumerate(threads)}
    texts = {e.id: event_text(e, names.get(e.id), compact=True) for e in x.events}
    widest = max((len(t) for t in texts.values()), default=4)
    col_w = max(COL_W, widest * CHAR_W + 80)
    columns = max(len(threads), 1)
    width = max(columns * col_w, len(inits) * (widest * CHAR_W + 30)) + 2 * MARGIN
    top = MARGIN + 30  # room for the title
    nodes: list[Node] = []
    init_y = top + NODE_H / 2
    if inits:
        step = (width - 2 * MARGIN) / len(inits)
        for i, e in enumerate(inits):
            nodes.append(Node(e.id, texts[e.id], -1, MARGIN + step * (i + 0.5), init_y,
                              len(texts[e.id]) * CHAR_W + 16))
    first_y = init_y + ROW_H if inits else top + 30
    thread_y = first_y - NODE_H / 2 - 14
    left = (width - columns * col_w) / 2
    rows = 0
    for e in x.events:
        if e.is_init:
            continue
        cx = left + col_w * (col[e.thread] + 0.5)
        nodes.append(Node(e.id, texts[e.id], e.thread, cx, first_y + e.index * ROW_H,
                          len(texts[e.id]) * CHAR_W + 16))
        rows = max(rows, e.index + 1)
    height = first_y + max(rows - 1, 0) * ROW_H + NODE_H / 2 + MARGIN
    if blame is not None and not caption:
        caption = f"{blame.check}: {show_steps(x, blame.steps, names)}"
    heads = tuple((t, left + col_w * (col[t] + 0.5)) for t in threads)
    return fit(Picture(title, caption, tuple(nodes), tuple(execution_edges(x, blame)), heads,
                       thread_y, width, height, cycle_note))


# -- routing edges and placing their labels ---------------------------------------------------


def _node_box(n: Node, pad: float = 0.0) -> Box:
    return (n.x - n.w / 2 - pad, n.y - n.h / 2 - pad, n.x + n.w / 2 + pad, n.y + n.h / 2 + pad)


def label_size(text: str) -> tuple[float, float]:
    return len(text) * LABEL_CHAR_W + 6, LABEL_H


def header_box(t: int, x: float, thread_y: float) -> Box:
    """The ``P0`` column header, drawn right-aligned just left of the column centre."""
    w = len(f"P{t}") * CHAR_W
    return (x - 10 - w, thread_y - 5, x - 10, thread_y + 11)


def _clip(n: Node, towards: Point) -> Point:
    """Where the line from the centre of ``n`` towards a point leaves its box."""
    dx, dy = towards[0] - n.x, towards[1] - n.y
    if dx == 0 and dy == 0:
        return n.x, n.y
    sx = (n.w / 2 + 3) / abs(dx) if dx else math.inf
    sy = (n.h / 2 + 3) / abs(dy) if dy else math.inf
    t = min(sx, sy)
    return n.x + dx * t, n.y + dy * t


def _same_column(a: Node, b: Node) -> bool:
    return a.thread == b.thread and not a.init


def _bends(p: Picture) -> list[float]:
    """A sideways offset per edge (the distance of the curve's apex from the straight
    line), so that edges between the same two events do not overlap, and arcs within a
    column clear the events they pass."""
    groups: dict[tuple[int, int], list[int]] = {}
    for i, e in enumerate(p.edges):
        groups.setdefault((min(e.src, e.dst), max(e.src, e.dst)), []).append(i)
    middle = sum(x for _, x in p.threads) / len(p.threads) if p.threads else p.width / 2
    out = [0.0] * len(p.edges)
    for (lo, hi), idx in groups.items():
        a, b = p.node(lo), p.node(hi)
        same_col = _same_column(a, b)
        between = [n for n in p.nodes if same_col and n.thread == a.thread
                   and min(a.y, b.y) < n.y < max(a.y, b.y)]
        clear = max((n.w / 2 for n in between), default=0.0) + 18
        for k, i in enumerate(idx):
            e = p.edges[i]
            sign = 1.0 if e.src == lo else -1.0  # offsets are relative to lo -> hi
            if same_col and between:
                off = clear + 14 * (len(between) - 1) + 26 * k
            elif same_col:
                off = 0.0 if k == 0 and e.kind == "po" else 30.0 + 26 * k
            elif len(idx) == 1:
                off = 0.0
            else:
                off = (k - (len(idx) - 1) / 2) * 34
            if same_col and a.x > middle + 1:
                off = -off  # arcs bulge away from the middle of the picture
            out[i] = off * sign
    return out


def _curve(p: Picture, e: Edge, bend: float) -> Curve:
    """An edge bent sideways by ``bend`` (the distance of its apex from the straight
    line), as the cubic form of a quadratic curve."""
    a, b = p.node(e.src), p.node(e.dst)
    mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
    dx, dy = b.x - a.x, b.y - a.y
    length = math.hypot(dx, dy) or 1.0
    c = (mx - dy / length * bend * 2, my + dx / length * bend * 2)
    start, end = _clip(a, c), _clip(b, c)
    return (start, (start[0] + (c[0] - start[0]) * 2 / 3, start[1] + (c[1] - start[1]) * 2 / 3),
            (end[0] + (c[0] - end[0]) * 2 / 3, end[1] + (c[1] - end[1]) * 2 / 3), end)


def _detour(p: Picture, e: Edge, x: float) -> Curve:
    """An edge that leaves its source sideways, runs down (or up) at about ``x`` and
    enters its target sideways: for long edges that a simple bend cannot keep off the
    events in between."""
    a, b = p.node(e.src), p.node(e.dst)
    c1, c2 = (x, a.y), (x, b.y)
    return _clip(a, c1), c1, c2, _clip(b, c2)


def _hits(p: Picture, e: Edge, g: Curve) -> bool:
    """Does the curve pass through an event box other than its own two?"""
    boxes = [_node_box(n, 4) for n in p.nodes if n.id not in (e.src, e.dst)]
    return any(inside(pt, b) for pt in samples(g)[1:-1] for b in boxes)


def _route(p: Picture, bends: Sequence[float]) -> list[Curve]:
    """Every edge's curve.  An edge that would cross another event is bent further, or
    else sent round: of the curves that cross no event, the one that strays least and
    crosses the fewest other edges."""
    geo = [_curve(p, e, bends[i]) for i, e in enumerate(p.edges)]
    middle = sum(x for _, x in p.threads) / len(p.threads) if p.threads else p.width / 2
    xs = [x for _, x in p.threads]
    for i, e in enumerate(p.edges):
        a = p.node(e.src)
        inner = bool(xs) and min(xs) + 1 < a.x < max(xs) - 1
        if bends[i] and inner and _same_column(a, p.node(e.dst)):
            # An arc in an inner column may bulge either way: the way it crosses less.
            others = [samples(g, 16) for k, g in enumerate(geo) if k != i]
            sides = [g for g in (geo[i], _curve(p, e, -bends[i])) if not _hits(p, e, g)]
            if sides:
                geo[i] = min(sides, key=lambda g: _route_cost(g, others, middle))
        if not _hits(p, e, geo[i]):
            continue
        others = [samples(g, 16) for k, g in enumerate(geo) if k != i]
        bent = [_curve(p, e, bends[i] + extra) for extra in (22, 44, 66, 90, 120, 150)
                for extra in (extra, -extra)]
        clear = [g for g in bent if not _hits(p, e, g)]
        if not clear:
            a, b = p.node(e.src), p.node(e.dst)
            for d in (50, 80, 110, 140, 170, 200, 240):
                clear.append(_detour(p, e, max(a.x + a.w / 2, b.x + b.w / 2) + d))
                clear.append(_detour(p, e, min(a.x - a.w / 2, b.x - b.w / 2) - d))
            clear = [g for g in clear if not _hits(p, e, g)]
        if clear:
            geo[i] = min(clear, key=lambda g: _route_cost(g, others, middle))
    return geo


def _route_cost(g: Curve, others: Sequence[Sequence[Point]], middle: float) -> float:
    """How far a curve strays, how many other edges it crosses, and a little more when it
    bends towards the middle of the picture, where the edges between columns run."""
    chord = (g[0][0] + g[3][0]) / 2
    inward = (bezier(g, 0.5)[0] - chord) * (middle - chord) > 0
    pts = samples(g, 16)
    return deviation(g) + (10 if inward else 0) + 30 * sum(crossings(pts, o) for o in others)


def _place_label(p: Picture, e: Edge, g: Curve,
                 curves: Sequence[list[Point]], own: int, taken: Sequence[Box],
                 fixed: Sequence[Box]) -> Point:
    """The centre of an edge's label: on or beside its curve, off every event box, header
    and label already placed, and preferably off other curves (greedy; cheapest wins)."""
    w, h = label_size(e.label)
    hulls = [hull(pts) for pts in curves]
    start, end = g[0], g[3]
    vertical = all(abs(start[0] - q[0]) < 1 for q in g)
    chord = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    best: tuple[float, Point] | None = None
    for t in (0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8):
        px, py = bezier(g, t)
        tx, ty = tangent(g, t)
        norm = math.hypot(tx, ty) or 1.0
        nx_, ny_ = -ty / norm, tx / norm
        # The preferred side: outside an arc, right of a straight vertical line.
        bulge = (px - chord[0]) * nx_ + (py - chord[1]) * ny_
        outward = 1.0 if bulge > 1 else -1.0 if bulge < -1 else (1.0 if nx_ >= 0 else -1.0)
        for side in (0.0, outward, -outward):
            gap = abs(nx_) * w / 2 + abs(ny_) * h / 2 + 4
            lx, ly = px + nx_ * gap * side, py + ny_ * gap * side
            box = (lx - w / 2, ly - h / 2, lx + w / 2, ly + h / 2)
            cost = abs(t - 0.5) * 20
            if side == 0.0:
                cost += 6 if vertical else 0
            else:
                cost += 2 if side == outward else 5
            cost += 1000 * sum(overlap(box, b) for b in fixed)
            cost += 600 * sum(overlap(box, b) for b in taken)
            near = grow(box, 8)
            cost += 40 * sum(overlap(near, b) for b in taken)
            reach = grow(box, 9)
            for k, pts in enumerate(curves):
                if k != own and overlap(reach, hulls[k]):
                    d = min((distance(q, box) for q in pts if inside(q, reach)), default=9)
                    cost += 30 if d < 2 else 10 if d < 9 else 0
            if best is None or cost < best[0]:
                best = (cost, (lx, ly))
    assert best is not None
    return best[1]


def _title_width(p: Picture) -> float:
    return len(p.title) * TITLE_CHAR_W


def fit(p: Picture) -> Picture:
    """Route every edge, place its label, then size the canvas to what is drawn: every
    box, curve, label and header, the title and the legend's longest entry, plus the
    margin (the drawing is centred in it)."""
    bends = _bends(p)
    geo = _route(p, bends)
    curves = [samples(g, max(30, int(curve_length(g) / 5))) for g in geo]
    fixed = [_node_box(n, 4) for n in p.nodes]
    fixed += [header_box(t, x, p.thread_y) for t, x in p.threads]
    labels: list[Point | None] = [None] * len(p.edges)
    taken: list[Box] = []
    order = sorted(range(len(p.edges)), key=lambda i: (not p.edges[i].highlight, i))
    for i in order:
        pt = _place_label(p, p.edges[i], geo[i], curves, i, taken, fixed)
        w, h = label_size(p.edges[i].label)
        taken.append((pt[0] - w / 2 - 2, pt[1] - h / 2 - 1, pt[0] + w / 2 + 2, pt[1] + h / 2 + 1))
        labels[i] = pt
    boxes = [_node_box(n) for n in p.nodes] + taken
    boxes += [header_box(t, x, p.thread_y) for t, x in p.threads]
    boxes += [grow(hull(pts), 5) for pts in curves]  # with the stroke and arrowhead
    left = min(b[0] for b in boxes)
    right = max(b[2] for b in boxes)
    top = min(b[1] for b in boxes)
    bottom = max(b[3] for b in boxes)
    legend = max((38 + (len(k) + 1 + len(w)) * LABEL_CHAR_W for k, w, _ in legend_entries(p)),
                 default=0.0)
    width = max(right - left, _title_width(p), legend) + 2 * MARGIN
    dx = (width - (right - left)) / 2 - left
    dy = max(0.0, TITLE_Y + 12 - top)  # keep clear of the title
    height = max(p.height, bottom + MARGIN) + dy

    def mv(q: Point) -> Point:
        return q[0] + dx, q[1] + dy

    routes = tuple(Route(mv(g[0]), mv(g[1]), mv(g[2]), mv(g[3]), mv(lab or g[1]))
                   for g, lab in zip(geo, labels, strict=True))
    nodes = tuple(replace(n, x=n.x + dx, y=n.y + dy) for n in p.nodes)
    heads = tuple((t, x + dx) for t, x in p.threads)
    return replace(p, nodes=nodes, threads=heads, thread_y=p.thread_y + dy, width=width,
                   height=height, routes=routes)


def legend_entries(p: Picture) -> list[tuple[str, str, bool]]:
    """(kind, description, highlighted) for each kind drawn, in a fixed order."""
    order = ["po", "rf", "co", "fr", "rmw", "addr", "data", "ctrl"]
    kinds: list[str] = []
    for k in order:
        if any(e.kind == k for e in p.edges):
            kinds.append(k)
    for e in p.edges:
        if e.kind not in kinds:
            kinds.append(e.kind)
    out = [(k, DESCRIPTIONS.get(k, "model relation"), False) for k in kinds]
    if p.has_cycle:
        out.append(("cycle", f"thick: {p.cycle_note}", True))
    return out


def pictures(ex: Explanation, which: str | None = None, limit: int = 3
             ) -> tuple[list[Picture], str]:
    """The executions to draw for ``which`` (witness, forbidden, all; None: by verdict),
    and a note saying what was drawn or why nothing was."""
    r = ex.result
    if which is None:
        which = "witness" if r.verdict == "Allowed" else "forbidden"
    out: list[Picture] = []
    notes: list[str] = []
    if which in ("witness", "all"):
        wits = [w for w in r.witnesses if w.satisfies]
        if ex.reaching and r.verdict == "Allowed":
            wits = list(ex.reaching)
        for i, w in enumerate(wits[:limit]):
            sc = first_failure(w, SC) if r.model != "sc" else None
            caption = ""
            if sc is not None:
                caption = (f"SC cycle ({r.model} allows it): "
                           f"{show_steps(w, sc.steps, letters(w))}")
            title = f"{r.name} · {r.model} · witness {i + 1} of {len(wits)}"
            out.append(layout(w, title, caption, sc, "the cycle SC forbids"))
        notes.append(f"{len(wits)} witness execution(s) reach the outcome"
                     if wits else "no consistent execution reaches the outcome")
    if which in ("forbidden", "all"):
        rej = [x for x in r.rejected if x.satisfies]
        firsts = [x for x, _ in ex.blames]
        rej = firsts + [x for x in rej if not any(x is f for f in firsts)]
        for x in rej[: max(limit, len(firsts))]:
            name = x.failed_check or "?"
            b = next((b for y, b in ex.blames if y is x), None) or blame_named(x, ex.model, name)
            out.append(layout(x, f"{r.name} · {r.model} · rejected by {name}", "", b))
        notes.append(f"{len(rej)} candidate execution(s) reaching the outcome are rejected"
                     if rej else "no candidate execution reaching the outcome is rejected")
    return out, "; ".join(notes)
