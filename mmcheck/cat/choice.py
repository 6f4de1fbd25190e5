"""``map`` over a test's events, ``cross``, and ``with x from`` a choice of sources.

herd's LKMM (lock.cat) gives each lock read outside herd's own rf a source by
enumeration: for every event ``e`` of a set ``S``, the single edges of a relation
``r(e)`` into ``e`` are the candidates, and ``with x from cross(map (fun e -> map
pair-to-relation r(e)) S)`` runs the rest of the model once per choice of one edge per
event.  mmcheck's search already gives every read one source, so here the choice is
read off the search's rf: ``x = rf & U`` where ``U`` is ``r`` over all of ``S``, with
the check that every event of ``S`` has its source among its candidates.  This is
exact when ``x`` becomes part of the model's final rf, which the search's rf must
equal (the interpreter checks both).

Over a set whose elements are known (a set of tags or relations), ``map`` and
``cross`` compute as usual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mmcheck.cat import values as v
from mmcheck.cat.values import EMPTY, Ev
from mmcheck.models import dsl as d

if TYPE_CHECKING:
    from mmcheck.cat.ast import Pos
    from mmcheck.cat.interp import Interpreter


class ElemV:
    """One event of a symbolic set, inside ``map``: ``{e}`` is the set ``placeholder``."""

    __slots__ = ("placeholder",)

    def __init__(self, placeholder: d.SetExpr) -> None:
        self.placeholder = placeholder


class PairV:
    """One pair of a symbolic relation, inside ``map``: ``p ++ 0`` is ``placeholder``."""

    __slots__ = ("placeholder",)

    def __init__(self, placeholder: d.Expr) -> None:
        self.placeholder = placeholder


class Family:
    """``map f S`` over the events (``kind == "set"``) or pairs (``"rel"``) of a
    symbolic ``S``: ``body`` is ``f`` of the placeholder element."""

    __slots__ = ("kind", "over", "placeholder", "body")

    def __init__(self, kind: str, over: Any, placeholder: Any, body: Any) -> None:
        self.kind = kind
        self.over = over
        self.placeholder = placeholder
        self.body = body


class SourceChoice:
    """One source per event of ``targets``, among the edges of ``candidates``."""

    __slots__ = ("candidates", "targets")

    def __init__(self, candidates: d.Expr, targets: d.SetExpr) -> None:
        self.candidates = candidates
        self.targets = targets


def builtin_map(it: Interpreter, f: Any, pos: Pos) -> Any:
    from mmcheck.cat.expr import apply_at

    def over(s: Any, pos2: Pos) -> Any:
        if isinstance(s, v.SetV):
            return v.SetV(tuple(apply_at(it, f, x, pos2) for x in s.items))
        if isinstance(s, Ev) and s.expr is None:
            return EMPTY
        if isinstance(s, Ev) and s.kind == "set":
            ph: Any = d.SBase(f"\0elem{it.fresh}")
            it.fresh += 1
            return Family("set", s.expr, ph, apply_at(it, f, ElemV(ph), pos2))
        if isinstance(s, Ev) and s.kind == "rel":
            ph = d.Base(f"\0pair{it.fresh}")
            it.fresh += 1
            return Family("rel", s.expr, ph, apply_at(it, f, PairV(ph), pos2))
        from mmcheck.cat.interp import error

        raise error(pos2, "unsupported: 'map' over this value")

    return v.Builtin("map", over)


def builtin_cross(it: Interpreter, arg: Any, pos: Pos) -> Any:
    from mmcheck.cat.interp import error

    if isinstance(arg, Ev) and arg.expr is None:
        return v.SetV((EMPTY,))
    if isinstance(arg, v.SetV):
        out: list[Any] = [EMPTY]
        for s in arg.items:
            if isinstance(s, Ev) and s.expr is None:
                return EMPTY
            if not isinstance(s, v.SetV):
                raise error(pos, "unsupported: 'cross' over a set of symbolic sets")
            out = [_union(it, acc, r, pos) for acc in out for r in s.items]
        return v.SetV(tuple(out))
    if isinstance(arg, Family) and arg.kind == "set":
        inner = arg.body
        if isinstance(inner, Ev) and inner.expr is None:
            # No event of the set has a candidate: no choice unless the set is empty.
            return _no_candidates(arg)
        if isinstance(inner, Family) and inner.kind == "rel" and \
                isinstance(inner.body, Ev) and inner.body.expr == inner.placeholder and \
                pointwise(inner.over, arg.placeholder):
            cand = replace_set(inner.over, arg.placeholder, arg.over)
            if cand is None:
                return _no_candidates(arg)
            return SourceChoice(cand, arg.over)
    raise error(pos, "unsupported: 'cross' of something other than a choice of one edge "
                "per event")


def _no_candidates(fam: Family) -> SourceChoice:
    empty_rel = d.Ident(d.SUnion(()))
    return SourceChoice(empty_rel, fam.over)


def _union(it: Interpreter, a: Any, b: Any, pos: Pos) -> Any:
    ra = it.as_rel(a, pos)
    rb = it.as_rel(b, pos)
    return Ev("rel", v.r_union(ra, rb))


def replace_set(e: Any, ph: d.SetExpr, by: d.SetExpr) -> Any:
    """``e`` with the placeholder set ``ph`` replaced by ``by``."""
    if e is None:
        return None
    if e == ph:
        return by
    if isinstance(e, (d.Base, d.SBase, d.Var)):
        return e
    if isinstance(e, d.Named):
        return d.Named(e.name, replace_set(e.body, ph, by))
    if isinstance(e, d.Rec):
        return d.Rec(e.name, replace_set(e.body, ph, by))
    if isinstance(e, (d.Union, d.Seq, d.SUnion)):
        return type(e)(tuple(replace_set(a, ph, by) for a in e.args))
    if isinstance(e, (d.Inter, d.Diff, d.Product, d.SInter, d.SDiff)):
        return type(e)(replace_set(e.left, ph, by), replace_set(e.right, ph, by))
    if isinstance(e, (d.Inverse, d.Plus, d.Star, d.Opt)):
        return type(e)(replace_set(e.arg, ph, by))
    if isinstance(e, d.Ident):
        return d.Ident(replace_set(e.set, ph, by))
    if isinstance(e, (d.Domain, d.Range, d.DifferentValues)):
        return type(e)(replace_set(e.rel, ph, by))
    if isinstance(e, d.FinalWrites):
        return d.FinalWrites(replace_set(e.among, ph, by))
    raise TypeError(e)  # pragma: no cover


def pointwise(cand: d.Expr, ph: d.SetExpr) -> bool:
    """Whether the placeholder occurs only as the right side of products (``X * {e}``),
    so that ``r`` over all of S, cut at one target, is that target's ``r(e)``."""
    def ok(e: Any, right_of_product: bool) -> bool:
        if e == ph:
            return right_of_product
        if isinstance(e, (d.Base, d.SBase, d.Var)) or e is None:
            return True
        if isinstance(e, d.Product):
            return ok(e.left, False) and ok(e.right, True)
        if isinstance(e, d.Named):
            return ok(e.body, False)
        if isinstance(e, (d.Union, d.SUnion)):
            return all(ok(a, right_of_product) for a in e.args)
        if isinstance(e, d.Inter):
            return ok(e.left, False) and ok(e.right, False)
        if isinstance(e, d.Diff):
            return ok(e.left, False) and not _mentions_set(e.right, ph)
        return not _mentions_set(e, ph)
    return ok(cand, False)


def _mentions_set(e: Any, ph: d.SetExpr) -> bool:
    return bool(replace_set(e, ph, d.SUnion(())) != e)
