"""Graphviz DOT text for executions, written by mmcheck itself (for Graphviz users)."""

from __future__ import annotations

from collections.abc import Sequence

from mmcheck.report.layout import Picture, colour


def _q(s: str) -> str:
    """A DOT double-quoted string."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _cluster(p: Picture, k: int, indent: str) -> list[str]:
    pre = f"x{k}_"
    lines: list[str] = []
    inits = [n for n in p.nodes if n.init]
    if inits:
        lines.append(f"{indent}{{ rank=same;")
        for n in inits:
            lines.append(f"{indent}  {pre}e{n.id} [label={_q(n.text)}, style=\"rounded,filled\", "
                         f"fillcolor=\"#f3f3f3\"];")
        lines.append(f"{indent}}}")
    for t, _ in p.threads:
        evs = [n for n in p.nodes if n.thread == t]
        lines.append(f"{indent}subgraph cluster_{pre}P{t} {{")
        lines.append(f"{indent}  label={_q(f'P{t}')}; color=\"#bbbbbb\"; style=rounded;")
        for n in evs:
            lines.append(f"{indent}  {pre}e{n.id} [label={_q(n.text)}];")
        lines.append(f"{indent}}}")
        if inits and evs:
            for n in inits:
                lines.append(f"{indent}{pre}e{n.id} -> {pre}e{evs[0].id} [style=invis];")
    for e in p.edges:
        attrs = [f"label={_q(e.label)}", f"color={_q(colour(e.kind))}",
                 f"fontcolor={_q(colour(e.kind))}"]
        if e.kind != "po":
            attrs.append("constraint=false")
        if e.kind in ("addr", "data", "ctrl"):
            attrs.append("style=dashed")
        if e.highlight:
            attrs.append("penwidth=2.8")
        lines.append(f"{indent}{pre}e{e.src} -> {pre}e{e.dst} [{', '.join(attrs)}];")
    if p.caption:
        lines.append(f"{indent}label={_q(p.title + chr(10) + p.caption)}; labelloc=b;")
    else:
        lines.append(f"{indent}label={_q(p.title)}; labelloc=b;")
    return lines


def render(pictures: Sequence[Picture], name: str = "execution", note: str = "") -> str:
    """One ``digraph``; several executions become side-by-side clusters."""
    lines = [f"digraph {_q(name)} {{",
             "  rankdir=TB; newrank=true; nodesep=0.6; ranksep=0.55;",
             "  node [shape=box, style=rounded, fontname=\"monospace\", fontsize=12];",
             "  edge [fontname=\"monospace\", fontsize=10, arrowsize=0.7];"]
    if not pictures:
        lines.append(f"  note [shape=plaintext, label={_q(note or 'nothing to draw')}];")
    elif len(pictures) == 1:
        lines.extend(_cluster(pictures[0], 0, "  "))
    else:
        for k, p in enumerate(pictures):
            lines.append(f"  subgraph cluster_x{k} {{")
            lines.extend(_cluster(p, k, "    "))
            lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"
