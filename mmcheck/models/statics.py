"""Terms that do not depend on rf/co, compiled once per process into closures.

Each closure computes its term from a ``Store`` (one per combination of thread
paths: the base relations and sets, and the values computed so far), so a term
shared by several checks, flags or plans is computed once per combination, and
no evaluation dispatches on the expression's type or asks what it mentions.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import and_, invert, or_

from mmcheck.models.dsl import (
    Base,
    Diff,
    Domain,
    Expr,
    Ident,
    Inter,
    Inverse,
    Named,
    Opt,
    Plus,
    Product,
    Range,
    Rec,
    SBase,
    SDiff,
    Seq,
    SetExpr,
    SInter,
    Star,
    SUnion,
    Union,
    Var,
    free_vars,
)
from mmcheck.relation import Relation, closure_rows, seq_rows

Rows = list[int] | tuple[int, ...]


class Store:
    """One combination's static values: base relations and sets, and computed terms."""

    __slots__ = ("n", "sets", "base", "vals", "env")

    def __init__(self, n: int, sets: dict[str, int], base: Callable[[str], Relation]) -> None:
        self.n = n
        self.sets = sets
        self.base = base
        self.vals: dict[int, Rows | int] = {}  # by term slot
        self.env: dict[str, Rows] = {}  # recursive variables during a fixpoint


RelFn = Callable[[Store], Rows]
SetFn = Callable[[Store], int]

# Keyed by id, holding the expression so that its id is not reused while the entry lives.
_REL: dict[int, tuple[Expr, RelFn]] = {}
_SET: dict[int, tuple[SetExpr, SetFn]] = {}
_slots = [0]


def _slot() -> int:
    _slots[0] += 1
    return _slots[0]


def rel_fn(e: Expr) -> RelFn:
    """The compiled form of a relation term that does not mention rf or co."""
    hit = _REL.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    if isinstance(e, Named):
        f = rel_fn(e.body)
    else:
        raw = _rel(e)
        f = raw if free_vars(e) or isinstance(e, Var) else _cached(raw)
    _REL[id(e)] = (e, f)
    return f


def set_fn(e: SetExpr) -> SetFn:
    """The compiled form of a set term that does not mention rf or co."""
    hit = _SET.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    if isinstance(e, SBase):
        name = e.name

        def sbase(st: Store) -> int:
            return st.sets.get(name, 0)

        f: SetFn = sbase
    else:
        raw = _set(e)
        f = raw if free_vars(e) else _cached_set(raw)
    _SET[id(e)] = (e, f)
    return f


def _cached(raw: RelFn) -> RelFn:
    k = _slot()

    def cached(st: Store) -> Rows:
        v = st.vals.get(k)
        if v is None:
            v = st.vals[k] = raw(st)
        return v  # type: ignore[return-value]

    return cached


def _cached_set(raw: SetFn) -> SetFn:
    k = _slot()

    def cached(st: Store) -> int:
        v = st.vals.get(k)
        if v is None:
            v = st.vals[k] = raw(st)
        return v  # type: ignore[return-value]

    return cached


def _rel(e: Expr) -> RelFn:
    if isinstance(e, Base):
        name = e.name
        return lambda st: st.base(name).rows
    if isinstance(e, Union):
        fs = [rel_fn(a) for a in e.args]
        first, rest = fs[0], fs[1:]

        def union(st: Store) -> Rows:
            rows = first(st)
            for f in rest:
                other = f(st)
                if not any(other):
                    continue
                if not any(rows):
                    rows = other
                    continue
                rows = list(map(or_, rows, other))
            return rows

        return union
    if isinstance(e, (Inter, Diff)):
        lf, rg = rel_fn(e.left), rel_fn(e.right)
        if isinstance(e, Inter):

            def inter(st: Store) -> Rows:
                left = lf(st)
                if not any(left):
                    return left
                return list(map(and_, left, rg(st)))

            return inter

        def diff(st: Store) -> Rows:
            left = lf(st)
            if not any(left):
                return left
            right = rg(st)
            if not any(right):
                return left
            return list(map(and_, left, map(invert, right)))

        return diff
    if isinstance(e, Seq):
        return _seq(e.args)
    if isinstance(e, Inverse):
        f = rel_fn(e.arg)

        def inverse(st: Store) -> Rows:
            rows = [0] * st.n
            for a, row in enumerate(f(st)):
                bit = 1 << a
                while row:
                    low = row & -row
                    rows[low.bit_length() - 1] |= bit
                    row ^= low
            return rows

        return inverse
    if isinstance(e, Plus):
        f = rel_fn(e.arg)
        return lambda st: closure_rows(f(st))
    if isinstance(e, Star):
        f = rel_fn(e.arg)
        return lambda st: [r | (1 << i) for i, r in enumerate(closure_rows(f(st)))]
    if isinstance(e, Opt):
        f = rel_fn(e.arg)
        return lambda st: [r | (1 << i) for i, r in enumerate(f(st))]
    if isinstance(e, Ident):
        sf = set_fn(e.set)

        def ident(st: Store) -> Rows:
            mask = sf(st)
            return [(1 << i) if (mask >> i) & 1 else 0 for i in range(st.n)]

        return ident
    if isinstance(e, Product):
        lf_, rg_ = set_fn(e.left), set_fn(e.right)

        def product(st: Store) -> Rows:
            mask, right = lf_(st), rg_(st)
            return [right if (mask >> i) & 1 else 0 for i in range(st.n)]

        return product
    if isinstance(e, Var):
        name = e.name
        return lambda st: st.env[name]
    if isinstance(e, Rec):
        return _rec(e)
    raise TypeError(e)  # pragma: no cover - dynamic terms are not compiled here


def _rec(e: Rec) -> RelFn:
    body = rel_fn(e.body)
    name = e.name

    def rec(st: Store) -> Rows:
        saved = st.env.get(name)
        cur: Rows = [0] * st.n
        while True:
            st.env[name] = cur
            nxt = list(body(st))
            if nxt == cur:
                break
            cur = nxt
        if saved is None:
            del st.env[name]
        else:
            st.env[name] = saved
        return cur

    return rec


def _seq(args: tuple[Expr, ...]) -> RelFn:
    """A sequence, with ``[S]`` factors applied as row/column filters."""
    factors: list[tuple[bool, Callable[[Store], object]]] = []
    for a in args:
        if isinstance(a, Ident):
            factors.append((True, set_fn(a.set)))
        else:
            factors.append((False, rel_fn(a)))
    filters = [f for is_set, f in factors if is_set]

    def seq(st: Store) -> Rows:
        for f in filters:  # an empty [S] anywhere empties the sequence
            if not f(st):
                return (0,) * st.n
        rows: Rows | None = None
        pending_left = -1  # a leading [S] filter
        for is_set, f in factors:
            if is_set:
                s: int = f(st)  # type: ignore[assignment]
                if rows is None:
                    pending_left &= s
                else:
                    rows = [r & s for r in rows]
                continue
            rel: Rows = f(st)  # type: ignore[assignment]
            if rows is None:
                if pending_left == -1:
                    rows = rel
                else:
                    rows = [r if (pending_left >> i) & 1 else 0 for i, r in enumerate(rel)]
            else:
                rows = seq_rows(rows, rel)
        if rows is None:
            full = pending_left if pending_left != -1 else (1 << st.n) - 1
            return [(1 << i) if (full >> i) & 1 else 0 for i in range(st.n)]
        return rows

    return seq


def _set(e: SetExpr) -> SetFn:
    if isinstance(e, SUnion):
        fs = [set_fn(a) for a in e.args]

        def sunion(st: Store) -> int:
            v = 0
            for f in fs:
                v |= f(st)
            return v

        return sunion
    if isinstance(e, SInter):
        lf, rg = set_fn(e.left), set_fn(e.right)
        return lambda st: lf(st) & rg(st)
    if isinstance(e, SDiff):
        lf, rg = set_fn(e.left), set_fn(e.right)
        return lambda st: lf(st) & ~rg(st)
    if isinstance(e, Domain):
        f = rel_fn(e.rel)

        def domain(st: Store) -> int:
            v = 0
            for i, row in enumerate(f(st)):
                if row:
                    v |= 1 << i
            return v

        return domain
    if isinstance(e, Range):
        f = rel_fn(e.rel)

        def range_(st: Store) -> int:
            v = 0
            for row in f(st):
                v |= row
            return v

        return range_
    raise TypeError(e)  # pragma: no cover - dynamic sets are not compiled here
