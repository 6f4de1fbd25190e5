"""An execution as a picture: nodes in thread columns, labelled edges, a legend.

The layout is mmcheck's own (no Graphviz needed): one column per thread, events in
program order top to bottom, the initial writes in a row above.  ``po`` and ``co``
are drawn after transitive reduction (networkx), ``fr`` only to the next write in
coherence order; the edges of a blamed cycle are highlighted and carry the name of
the relation that orders them (``ppo``, ``bob``, ``rfe``...).
"""

from __future__ import annotations

from dataclasses import dataclass

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

COL_W = 200
ROW_H = 84
NODE_H = 28
MARGIN = 24
CHAR_W = 7.8  # of the 13px monospace font

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
class Picture:
    title: str
    caption: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    threads: tuple[tuple[int, float], ...]  # thread number, column centre x
    thread_y: float  # where the column headers go
    width: float
    height: float  # of the drawing, without the legend

    cycle_note: str = "the cycle the check forbids"

    def caption_lines(self) -> list[str]:
        """The caption, broken before arrows to fit the picture's width."""
        room = max(20, int((self.width - 2 * MARGIN) / CHAR_W))
        lines: list[str] = []
        for word in self.caption.split(" "):
            if lines and len(lines[-1]) + 1 + len(word) <= room:
                lines[-1] += " " + word
            elif lines and not word.startswith("-"):
                lines[-1] += " " + word
            else:
                lines.append(word if not lines else "    " + word)
        return lines if self.caption else []

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
    col_w = max(COL_W, widest * CHAR_W + 60)
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
    return Picture(title, caption, tuple(nodes), tuple(execution_edges(x, blame)), heads,
                   thread_y, width, height, cycle_note)


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
