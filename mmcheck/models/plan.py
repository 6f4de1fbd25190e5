"""A model's checks compiled into closures over the current rf and co.

Terms that do not mention rf or co are computed once per combination of thread
paths (statics.py); the rest is a tree of closures evaluated at search nodes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from operator import and_, invert, or_

from mmcheck import TYPE_CHECKING
from mmcheck.models.dsl import (
    Base,
    Check,
    Diff,
    DifferentValues,
    Domain,
    Expr,
    FinalWrites,
    Ident,
    Inter,
    Inverse,
    Named,
    Opt,
    Plus,
    Product,
    Range,
    Rec,
    SDiff,
    Seq,
    SetExpr,
    SInter,
    Star,
    SUnion,
    Union,
    Var,
    free_vars,
    mentions_dynamic,
)
from mmcheck.models.statics import rel_fn, set_fn
from mmcheck.models.vacuous import Cond, Vacuity
from mmcheck.relation import (
    Relation,
    closure_rows,
    is_acyclic_rows,
    seq_rows,
    seq_rows_sparse,
)

if TYPE_CHECKING:
    from mmcheck.models.evaluate import Evaluator

Rows = list[int] | tuple[int, ...]
Fn = Callable[["Context"], Rows]


class Context:
    """Per combination of thread paths: the static terms' values and the current rf/co."""

    __slots__ = ("n", "consts", "rf", "co", "gen", "memo", "ev", "env", "store", "active",
                 "vacuous")

    def __init__(self, ev: Evaluator, plan: Plan) -> None:
        self.ev = ev
        self.store = ev.store
        self.n = ev.n
        # Static terms are computed on first use: a search that stops early, or whose
        # first check fails, never pays for the terms of the checks it did not reach.
        self.consts: list[Rows | None] = [None] * len(plan.static_terms)
        self.rf: Rows = (0,) * ev.n
        self.co: Rows = (0,) * ev.n
        self.gen = 0
        self.memo: list[tuple[int, Rows]] = [(-1, ())] * plan.n_memo
        self.env: dict[str, Rows] = {}  # recursive variables during a fixpoint
        # Per plan (or view): its checks that this combination's static values do not
        # prove to hold (vacuous.py); per check: whether they do.
        self.active: dict[int, list[tuple[Check, Callable[[Context], bool]]]] = {}
        self.vacuous: dict[int, bool] = {}


_views = itertools.count()
DEAD = -2  # a memo slot's node number for a term proven empty in this combination


class Plan:
    """A model's checks compiled once into closures over a Context.

    Maximal subterms that do not mention rf or co become numbered static terms,
    evaluated once per combination; the rest is a tree of closures.  Named
    dynamic subterms shared between checks (``fr``, ``obs``) are memoised per
    search node.
    """

    def __init__(self, checks: list[Check]) -> None:
        self.static_terms: list[Expr] = []
        self._static_index: dict[Expr, int] = {}
        self.n_memo = 0
        self._memo_fns: dict[int, Fn] = {}
        self._vacuity = Vacuity(self)
        self.checks = [(c, self._check(c)) for c in checks]
        # Per check: a condition on the static values proving it holds (its term empty).
        self._holds: dict[int, Cond | None] = {id(c): self._vacuity.rel(c.expr) for c in checks}
        self._key = next(_views)

    def subset(self, checks: list[Check]) -> Plan:
        """A view running only ``checks``, sharing this plan's terms and memo slots."""
        view = Plan.__new__(Plan)
        view.__dict__.update(self.__dict__)
        view.checks = [(c, f) for c, f in self.checks if any(c is x for x in checks)]
        view._key = next(_views)
        return view

    def active(self, ctx: Context) -> list[tuple[Check, Callable[[Context], bool]]]:
        """The checks that may fail in this combination: not proven to hold from its
        static values."""
        hit = ctx.active.get(self._key)
        if hit is None:
            hit = ctx.active[self._key] = [(c, t) for c, t in self.checks
                                           if not self._proven(ctx, c)]
        return hit

    def _proven(self, ctx: Context, c: Check) -> bool:
        v = ctx.vacuous.get(id(c))
        if v is None:
            cond = self._holds[id(c)]
            v = ctx.vacuous[id(c)] = cond is not None and cond(ctx)
        return v

    def first_failure(self, ctx: Context, rf: Rows, co: Rows) -> Check | None:
        ctx.rf = rf
        ctx.co = co
        ctx.gen += 1
        checks = ctx.active.get(self._key)
        if checks is None:
            checks = self.active(ctx)
        for c, test in checks:
            if not test(ctx):
                return c
        return None

    # -- compilation ---------------------------------------------------------------------

    def _const(self, e: Expr) -> Fn:
        k = self._static_index.get(e)
        if k is None:
            k = len(self.static_terms)
            self.static_terms.append(e)
            self._static_index[e] = k
        fn = rel_fn(e)

        def const(ctx: Context) -> Rows:
            rows = ctx.consts[k]
            if rows is None:
                rows = ctx.consts[k] = fn(ctx.store)
            return rows

        return const

    def _check(self, c: Check) -> Callable[[Context], bool]:
        e = c.expr
        kind = c.kind
        while isinstance(e, Named):
            e = e.body
        if kind == "irreflexive" and isinstance(e, Plus):
            kind, e = "acyclic", e.arg
        while kind == "acyclic" and isinstance(e, (Plus, Named)):
            e = e.body if isinstance(e, Named) else e.arg
        f = self._compile(e)
        if kind == "acyclic":
            return lambda ctx: is_acyclic_rows(f(ctx))
        if kind == "irreflexive":
            return lambda ctx: not any((row >> i) & 1 for i, row in enumerate(f(ctx)))
        return lambda ctx: not any(f(ctx))

    def _compile(self, e: Expr) -> Fn:
        if not mentions_dynamic(e):
            return self._const(e)
        if isinstance(e, Named) and free_vars(e):
            return self._compile(e.body)  # changes during a fixpoint: not memoised
        if isinstance(e, Named):
            key = id(e)
            hit = self._memo_fns.get(key)
            if hit is not None:
                return hit
            memo = self._memoised(self._compile(e.body), self._vacuity.rel(e))
            self._memo_fns[key] = memo
            return memo
        if getattr(self, "_in_rec", 0) and not free_vars(e):
            # Inside a fixpoint, a term that does not mention the recursive variable
            # keeps its value from one iteration to the next: computed once per node.
            return self._memoised(self._raw(e), self._vacuity.rel(e))
        return self._raw(e)

    def _memoised(self, body: Fn, empty: Cond | None) -> Fn:
        """``body`` computed once per search node; never, in a combination where
        ``empty`` proves it empty."""
        slot = self.n_memo
        self.n_memo += 1

        def memo(ctx: Context) -> Rows:
            gen, rows = ctx.memo[slot]
            if gen != ctx.gen:
                if gen == DEAD:
                    return rows
                if gen == -1 and empty is not None and empty(ctx):
                    rows = (0,) * ctx.n
                    ctx.memo[slot] = (DEAD, rows)
                    return rows
                rows = body(ctx)
                ctx.memo[slot] = (ctx.gen, rows)
            return rows

        return memo

    def _raw(self, e: Expr) -> Fn:
        if isinstance(e, Var):
            name = e.name
            return lambda ctx: ctx.env[name]
        if isinstance(e, Rec):
            return self._rec(e)
        if isinstance(e, Base):
            if e.name == "rf":
                return lambda ctx: ctx.rf
            if e.name == "co":
                return lambda ctx: ctx.co
            raise TypeError(e)  # pragma: no cover - static bases never get here
        if isinstance(e, Union):
            statics = [a for a in e.args if not mentions_dynamic(a)]
            dyn = [self._compile(a) for a in e.args if mentions_dynamic(a)]
            const = None
            if statics:
                const = self._const(statics[0] if len(statics) == 1 else Union(tuple(statics)))

            first, rest = (const, dyn) if const is not None else (dyn[0], dyn[1:])

            def union(ctx: Context) -> Rows:
                rows = first(ctx)
                for g in rest:
                    other = g(ctx)
                    if not any(other):
                        continue
                    if not any(rows):
                        rows = other
                        continue
                    rows = list(map(or_, rows, other))
                return rows

            return union
        if isinstance(e, Inter):
            lf, rg = self._compile(e.left), self._compile(e.right)

            def inter(ctx: Context) -> Rows:
                left = lf(ctx)
                if not any(left):  # empty: the other side need not be computed
                    return left
                return list(map(and_, left, rg(ctx)))

            return inter
        if isinstance(e, Diff):
            lf, rg = self._compile(e.left), self._compile(e.right)

            def diff(ctx: Context) -> Rows:
                left = lf(ctx)
                if not any(left):
                    return left
                return list(map(and_, left, map(invert, rg(ctx))))

            return diff
        if isinstance(e, Seq):
            return self._seq(e.args)
        if isinstance(e, Inverse):
            f = self._compile(e.arg)

            def inverse(ctx: Context) -> Rows:
                rows = [0] * ctx.n
                for a, row in enumerate(f(ctx)):
                    bit = 1 << a
                    while row:
                        low = row & -row
                        rows[low.bit_length() - 1] |= bit
                        row ^= low
                return rows

            return inverse
        if isinstance(e, Plus):
            f = self._compile(e.arg)

            def plus(ctx: Context) -> Rows:
                rows = f(ctx)
                return closure_rows(rows) if any(rows) else rows

            return plus
        if isinstance(e, Star):
            f = self._compile(e.arg)
            return lambda ctx: [r | (1 << i) for i, r in enumerate(closure_rows(f(ctx)))]
        if isinstance(e, Opt):
            f = self._compile(e.arg)
            return lambda ctx: [r | (1 << i) for i, r in enumerate(f(ctx))]

        if isinstance(e, Ident):
            sf = self._set(e.set)

            def ident(ctx: Context) -> Rows:
                mask = sf(ctx)
                return [(1 << i) if (mask >> i) & 1 else 0 for i in range(ctx.n)]

            return ident
        if isinstance(e, Product):
            lf_, rg_ = self._set(e.left), self._set(e.right)

            def product(ctx: Context) -> Rows:
                mask, right = lf_(ctx), rg_(ctx)
                return [right if (mask >> i) & 1 else 0 for i in range(ctx.n)]

            return product

        if isinstance(e, DifferentValues):
            inner = self._compile(e.rel)

            def different(ctx: Context) -> Rows:
                rows = inner(ctx)
                if not any(rows):
                    return rows
                ctx.ev.set_dynamic(Relation(ctx.n, ctx.rf), Relation(ctx.n, ctx.co))
                return ctx.ev._different_values(Relation(ctx.n, rows)).rows

            return different

        # Anything else: evaluated on the current rf and co.
        def fallback(ctx: Context) -> Rows:
            ctx.ev.set_dynamic(Relation(ctx.n, ctx.rf), Relation(ctx.n, ctx.co))
            for name, rows in ctx.env.items():
                ctx.ev.env[name] = Relation(ctx.n, rows)
            return ctx.ev.value(e).rows

        return fallback

    def _set(self, e: SetExpr) -> Callable[[Context], int]:
        """A set expression compiled like relations: static ones once per combination."""
        if not mentions_dynamic(e):
            fn = set_fn(e)
            return lambda ctx: fn(ctx.store)
        if isinstance(e, SUnion):
            fs = [self._set(a) for a in e.args]

            def sunion(ctx: Context) -> int:
                v = 0
                for f in fs:
                    v |= f(ctx)
                return v

            return sunion
        if isinstance(e, (SInter, SDiff)):
            lf, rg = self._set(e.left), self._set(e.right)
            inter = isinstance(e, SInter)

            def combine(ctx: Context) -> int:
                left = lf(ctx)
                if not left:
                    return 0
                return left & rg(ctx) if inter else left & ~rg(ctx)

            return combine
        if isinstance(e, Domain):
            rf_ = self._compile(e.rel)

            def domain(ctx: Context) -> int:
                v = 0
                for i, row in enumerate(rf_(ctx)):
                    if row:
                        v |= 1 << i
                return v

            return domain
        if isinstance(e, Range):
            rg_ = self._compile(e.rel)

            def range_(ctx: Context) -> int:
                v = 0
                for row in rg_(ctx):
                    v |= row
                return v

            return range_
        if isinstance(e, FinalWrites):
            af = self._set(e.among)

            def final(ctx: Context) -> int:
                sets = ctx.ev.sets
                among = af(ctx) & sets.get("W", 0) & ~sets.get("IW", 0)
                out, m = 0, among
                while m:
                    low = m & -m
                    if not ctx.co[low.bit_length() - 1] & among:
                        out |= low
                    m ^= low
                return out

            return final
        raise TypeError(e)  # pragma: no cover

    def _rec(self, e: Rec) -> Fn:
        self._in_rec = getattr(self, "_in_rec", 0) + 1
        try:
            body = self._compile(_hoist(e.body))
        finally:
            self._in_rec -= 1
        name = e.name

        def rec(ctx: Context) -> Rows:
            saved = ctx.env.get(name)
            cur: list[int] = [0] * ctx.n
            while True:
                ctx.env[name] = cur
                nxt = list(body(ctx))
                if nxt == cur:
                    break
                cur = nxt
            if saved is None:
                del ctx.env[name]
            else:
                ctx.env[name] = saved
            return cur

        return rec

    def _seq(self, args: tuple[Expr, ...]) -> Fn:
        # Group maximal runs of static factors into one static term each; a run of
        # [S] factors alone is a filter on the rows or columns (no composition).
        # A later factor r? or r* is applied as rows | rows ; r (rows | rows ; r+): the
        # identity part costs nothing, and a sparse r is cheap to compose with.
        parts: list[tuple[int, Callable[[Context], object]]] = []
        statics: list[tuple[int, Callable[[Context], object]]] = []
        run: list[Expr] = []

        def flush() -> None:
            if not run:
                return
            part: tuple[int, Callable[[Context], object]]
            if all(isinstance(a, Ident) for a in run):
                sets = [a.set for a in run if isinstance(a, Ident)]
                part = (_FILTER, self._set(sets[0] if len(sets) == 1 else _meet(sets)))
            else:
                part = (_REL, self._const(run[0] if len(run) == 1 else Seq(tuple(run))))
            parts.append(part)
            statics.append(part)
            run.clear()

        for i, a in enumerate(args):
            if mentions_dynamic(a):
                flush()
                if i > 0 and isinstance(a, (Opt, Star)) and mentions_dynamic(a.arg):
                    parts.append((_REFL, self._compile(
                        a.arg if isinstance(a, Opt) else Plus(a.arg))))
                else:
                    parts.append((_REL, self._compile(a)))
            else:
                run.append(a)
        flush()

        def seq(ctx: Context) -> Rows:
            for kind, f in statics:  # an empty static factor empties the sequence
                v = f(ctx)
                if not v or (kind == _REL and not any(v)):  # type: ignore[arg-type]
                    return (0,) * ctx.n
            rows: Rows | None = None
            left = -1  # a leading filter, applied to the first relation's rows
            for kind, f in parts:
                if kind == _FILTER:
                    mask: int = f(ctx)  # type: ignore[assignment]
                    if rows is None:
                        left &= mask
                    else:
                        rows = [r & mask for r in rows]
                    continue
                rel: Rows = f(ctx)  # type: ignore[assignment]
                if rows is None:
                    if kind == _REFL:  # after a filter: [S] ; r? is [S] | [S] ; r
                        rows = _identity(ctx.n, left)
                    elif left == -1:
                        rows = rel
                        continue
                    else:
                        rows = [r if (left >> i) & 1 else 0 for i, r in enumerate(rel)]
                        continue
                if not any(rows):  # empty so far: so is the whole sequence
                    return rows
                if kind == _REFL:
                    if any(rel):
                        more = seq_rows_sparse(rows, rel)
                        rows = list(map(or_, rows, more))
                else:
                    rows = seq_rows(rows, rel)
            if rows is None:
                return _identity(ctx.n, left)
            return rows

        return seq


_FILTER, _REL, _REFL = 0, 1, 2  # the parts of a compiled sequence


def _identity(n: int, mask: int) -> list[int]:
    return [(1 << i) if (mask >> i) & 1 else 0 for i in range(n)]


def _meet(sets: list[SetExpr]) -> SetExpr:
    out = sets[0]
    for s in sets[1:]:
        out = SInter(out, s)
    return out


def _hoist(e: Expr) -> Expr:
    """``e`` with the parts of its unions and the runs of its sequences that do not
    mention a recursive variable grouped together (each then computed once per node
    rather than once per iteration of the fixpoint)."""
    if not free_vars(e):
        return e
    if isinstance(e, Union):
        fixed = [a for a in e.args if not free_vars(a)]
        moving = [_hoist(a) for a in e.args if free_vars(a)]
        head = [fixed[0] if len(fixed) == 1 else Union(tuple(fixed))] if fixed else []
        return Union(tuple(head + moving))
    if isinstance(e, Seq):
        out: list[Expr] = []
        run: list[Expr] = []
        for a in e.args:
            if free_vars(a):
                if run:
                    out.append(run[0] if len(run) == 1 else Seq(tuple(run)))
                    run = []
                out.append(_hoist(a))
            else:
                run.append(a)
        if run:
            out.append(run[0] if len(run) == 1 else Seq(tuple(run)))
        return Seq(tuple(out))
    if isinstance(e, Inter):
        return Inter(_hoist(e.left), _hoist(e.right))
    return e


# Keyed by the checks' ids; the checks are kept with their plan so their ids stay theirs.
_PLANS: dict[tuple[int, ...], tuple[list[Check], Plan]] = {}


def plan_for(checks: list[Check]) -> Plan:
    """The compiled plan of these checks, built once per process."""
    key = tuple(id(c) for c in checks)
    entry = _PLANS.get(key)
    if entry is not None and all(a is b for a, b in zip(entry[0], checks, strict=True)):
        return entry[1]
    plan = Plan(checks)
    _PLANS[key] = (list(checks), plan)
    return plan
