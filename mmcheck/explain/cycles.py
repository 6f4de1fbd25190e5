"""Cycles with labelled edges: the check an execution fails, each edge named by the finest
named relation that holds it."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from mmcheck.execution import Execution
from mmcheck.explain.relations import (
    REFINED,
    ExecutionRelations,
    _composite,
    _part_name,
    leaf_parts,
    show_expr,
)
from mmcheck.models.dsl import (
    Base,
    Check,
    Diff,
    Expr,
    Ident,
    Inter,
    Model,
    Named,
    Opt,
    Plus,
    Seq,
    Star,
    Union,
)
from mmcheck.relation import Relation, bits

# -- cycles with labelled edges -----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One edge of an explanation: ``src -rel-> dst``."""

    src: int
    rel: str
    dst: int


@dataclass(frozen=True)
class Blame:
    """Why one execution fails one check.

    For ``acyclic`` and ``irreflexive`` checks, ``steps`` is a cycle.  For ``empty``
    checks, ``steps`` and ``also`` are two paths between the same two events.
    """

    check: str
    kind: str
    relation: str  # the check's relation, as text (``ghb``, ``(po | com)``)
    steps: tuple[Step, ...]
    also: tuple[Step, ...] = ()


def _label(rels: ExecutionRelations, part: Expr, a: int, b: int) -> str:
    name = show_expr(_part_name(part))
    refined = REFINED.get(name)
    if refined is not None:
        for r in refined:
            if (a, b) in rels.value(r):
                return r.name
    return name


def _label_edge(rels: ExecutionRelations, parts: Sequence[Expr], a: int, b: int) -> str:
    for p in parts:
        if (a, b) in rels.value(p):
            return _label(rels, p, a, b)
    raise ValueError(f"edge {a}->{b} is in none of the parts")  # pragma: no cover


def _unfold(rels: ExecutionRelations, parts: Sequence[Expr], a: int, b: int) -> list[Step]:
    """One edge of a cycle: its label, or the steps of an unfolded sequence (pb...)."""
    for p in parts:
        named = _part_name(p)
        if isinstance(named, Named) and named.name in UNFOLDED and (a, b) in rels.value(p):
            return explain_path(rels, named, a, b)
    return [Step(a, _label_edge(rels, parts, a, b), b)]


def shortest_cycle(rows: Sequence[int]) -> list[int] | None:
    """A shortest cycle, started at its lowest event; None if acyclic.

    >>> shortest_cycle([0b10, 0b101, 0b0])
    [0, 1]
    """
    best: list[int] | None = None
    for start in range(len(rows)):
        path = _bfs(rows, start, start, start)
        if path is not None and (best is None or len(path) < len(best)):
            best = path
    return best


def _bfs(rows: Sequence[int], a: int, b: int, lowest: int = 0) -> list[int] | None:
    """A shortest path a -> ... -> b of at least one edge, through events >= lowest,
    as the list of events before b."""
    prev: dict[int, int] = {}
    queue: deque[int] = deque([a])
    seen = {a}
    while queue:
        u = queue.popleft()
        for v in bits(rows[u]):
            if v < lowest:
                continue
            if v == b:
                path = [u]
                while path[-1] != a:
                    path.append(prev[path[-1]])
                return list(reversed(path))
            if v not in seen:
                seen.add(v)
                prev[v] = u
                queue.append(v)
    return None


# Named sequences an explanation unfolds into their steps: the LKMM's orders built by
# composition (pb is prop, then a strong fence, then hb*; prop is an overwrite, then
# cumulative fences, then an rfe...).
UNFOLDED = frozenset({"pb", "rb", "prop", "cumul-fence", "rcu-fence", "rcu-link"})


def explain_path(rels: ExecutionRelations, e: Expr, a: int, b: int) -> list[Step]:
    """Labelled steps from ``a`` to ``b`` showing that ``(a, b)`` is in ``e``."""
    if isinstance(e, Named) and a == b and isinstance(e.body, (Star, Opt)):
        return []  # the reflexive part of r* or r?: no step
    if isinstance(e, Named) and e.name in UNFOLDED:
        unfolded = explain_path(rels, e.body, a, b)
        return unfolded if unfolded else [Step(a, e.name, b)]
    if isinstance(e, Base) or (isinstance(e, Named) and not _composite(e)):
        return [Step(a, _label(rels, e, a, b), b)]
    if isinstance(e, (Inter, Diff)) and isinstance(e.left, (Named, Base)):
        return explain_path(rels, e.left, a, b)  # ordered by the left-hand relation
    if isinstance(e, Named):
        return explain_path(rels, e.body, a, b)
    if isinstance(e, Union):
        for arg in e.args:
            if (a, b) in rels.value(arg):
                return explain_path(rels, arg, a, b)
        raise ValueError("pair not in union")  # pragma: no cover
    if isinstance(e, (Plus, Star, Opt)):
        if a == b and not isinstance(e, Plus):
            return []
        inner = rels.value(e.arg)
        if isinstance(e, Opt):
            return explain_path(rels, e.arg, a, b)
        nodes = _bfs(inner.rows, a, b)
        assert nodes is not None
        hops = list(zip(nodes, nodes[1:] + [b], strict=True))
        return [s for u, v in hops for s in explain_path(rels, e.arg, u, v)]
    if isinstance(e, Seq):
        reach = [1 << a]
        for arg in e.args:
            r = rels.value(arg)
            acc = 0
            for u in bits(reach[-1]):
                acc |= r.rows[u]
            reach.append(acc)
        steps: list[Step] = []
        cur = b
        for i in range(len(e.args) - 1, -1, -1):
            arg = e.args[i]
            r = rels.value(arg)
            cands = [u for u in bits(reach[i]) if (u, cur) in r]
            u = cur if cur in cands else cands[0]
            if not isinstance(arg, Ident):
                steps[:0] = explain_path(rels, arg, u, cur)
            cur = u
        return steps
    return [Step(a, show_expr(e), b)]


def blame(x: Execution, check: Check, rels: ExecutionRelations | None = None) -> Blame | None:
    """Why ``x`` fails ``check`` (None when it holds): a shortest labelled cycle."""
    r = rels or ExecutionRelations(x)
    rel = r.value(check.expr)
    text = show_expr(check.expr)
    if check.kind == "empty":
        if rel.is_empty():
            return None
        a, b = next(rel.pairs())
        e = check.expr
        if isinstance(e, Inter):
            return Blame(check.name, check.kind, text, tuple(explain_path(r, e.left, a, b)),
                         tuple(explain_path(r, e.right, a, b)))
        return Blame(check.name, check.kind, text, tuple(explain_path(r, e, a, b)))
    body: Expr = check.expr
    while isinstance(body, Named) and isinstance(body.body, (Named, Plus)):
        body = body.body
    cyclic = check.kind == "acyclic" or isinstance(body, Plus)
    if cyclic:
        parts = leaf_parts(body if isinstance(body, Plus) else check.expr)
        union = Relation.empty(r.n)
        for p in parts:
            union = union | r.value(p)
        cycle = shortest_cycle(union.rows)
        if cycle is None:
            return None
        edges = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        steps = tuple(s for a, b in edges for s in _unfold(r, parts, a, b))
        return Blame(check.name, check.kind, text, steps)
    point = rel.reflexive_point()
    if point is None:
        return None
    return Blame(check.name, check.kind, text, tuple(explain_path(r, check.expr, point, point)))


def first_failure(x: Execution, model: Model) -> Blame | None:
    """The first check of ``model`` that ``x`` fails, with its cycle."""
    rels = ExecutionRelations(x)
    for c in model.checks:
        if not rels.holds(c):
            return blame(x, c, rels)
    return None



def relaxed_edges(x: Execution, sc_cycle: Blame, model: Model,
                  ordering: list[Relation] | None = None) -> list[Step]:
    """The program-order edges of an SC cycle that no check of ``model`` orders
    (``ordering``: the checks' relations, closed, when already known)."""
    if ordering is None:
        ordering = model_ordering(x, model)
    return [s for s in sc_cycle.steps
            if s.rel == "po" and not any((s.src, s.dst) in o for o in ordering)]


def model_ordering(x: Execution, model: Model) -> list[Relation]:
    """The transitive closures of the relations of ``model``'s cyclic checks on ``x``."""
    rels = ExecutionRelations(x)
    return [rels.value(c.expr).plus() for c in model.checks if c.kind != "empty"]
