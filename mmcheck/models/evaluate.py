"""Evaluate model expressions on an execution, caching what does not depend on rf/co."""

from __future__ import annotations

from collections.abc import Callable

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
    mentions_dynamic,
)
from mmcheck.models.statics import Store, rel_fn, set_fn
from mmcheck.relation import (
    Relation,
    closure_rows,
    find_cycle,
    is_acyclic_rows,
    seq_rows,
)


class Evaluator:
    """Evaluates expressions for one combination of thread paths.

    ``sets`` maps base set names to bitsets; ``static`` yields base relations on
    demand.  Call ``set_dynamic(rf, co)`` before evaluating dynamic terms.
    """

    def __init__(
        self, n: int, sets: dict[str, int], static: Callable[[str], Relation]
    ) -> None:
        self.n = n
        self.sets = sets
        self.static = static
        self.static_cache: dict[int, Relation | int] = {}
        self.dyn_cache: dict[int, Relation | int] = {}
        self.rf = Relation.empty(n)
        self.co = Relation.empty(n)
        # The values the events write (reads: None), for value-dependent terms.
        self.values: list[object] | None = None
        self.env: dict[str, Relation] = {}  # recursive variables during a fixpoint
        self.store = Store(n, sets, static)  # the static terms, compiled (statics.py)

    def set_dynamic(self, rf: Relation, co: Relation) -> None:
        self.rf = rf
        self.co = co
        self.dyn_cache = {}

    # -- sets -----------------------------------------------------------------------

    def set_value(self, e: SetExpr) -> int:
        if isinstance(e, FinalWrites):
            return self._final_writes(e)
        key = id(e)
        hit = self.static_cache.get(key)  # an expression is in one cache only
        if hit is not None:
            assert isinstance(hit, int)
            return hit
        if free_vars(e):  # changes while a fixpoint is computed: never cached
            return self._set_compute(e)
        if not mentions_dynamic(e):
            return set_fn(e)(self.store)
        hit = self.dyn_cache.get(key)
        if hit is not None:
            assert isinstance(hit, int)
            return hit
        v = self._set_compute(e)
        self.dyn_cache[key] = v
        return v

    def _set_compute(self, e: SetExpr) -> int:
        if isinstance(e, SBase):
            v = self.sets.get(e.name, 0)
        elif isinstance(e, SUnion):
            v = 0
            for a in e.args:
                v |= self.set_value(a)
        elif isinstance(e, SInter):
            v = self.set_value(e.left) & self.set_value(e.right)
        elif isinstance(e, SDiff):
            v = self.set_value(e.left) & ~self.set_value(e.right)
        elif isinstance(e, Domain):
            v = self.value(e.rel).domain()
        elif isinstance(e, Range):
            v = self.value(e.rel).range()
        else:  # pragma: no cover
            raise TypeError(e)
        return v

    # -- relations ------------------------------------------------------------------------

    def value(self, e: Expr) -> Relation:
        key = id(e)
        hit = self.static_cache.get(key)  # an expression is in one cache only
        if hit is not None:
            assert isinstance(hit, Relation)
            return hit
        if free_vars(e):  # changes while a fixpoint is computed: never cached
            return self._compute(e)
        if not mentions_dynamic(e):
            v = self.static_cache[key] = Relation(self.n, rel_fn(e)(self.store))
            return v
        hit = self.dyn_cache.get(key)
        if hit is not None:
            assert isinstance(hit, Relation)
            return hit
        v = self._compute(e)
        self.dyn_cache[key] = v
        return v

    def _compute(self, e: Expr) -> Relation:
        n = self.n
        if isinstance(e, Base):
            if e.name == "rf":
                return self.rf
            if e.name == "co":
                return self.co
            return self.static(e.name)
        if isinstance(e, Named):
            return self.value(e.body)
        if isinstance(e, Union):
            rows = list(self.value(e.args[0]).rows)
            for a in e.args[1:]:
                other = self.value(a).rows
                for i in range(n):
                    rows[i] |= other[i]
            return Relation(n, rows)
        if isinstance(e, Inter):
            return self.value(e.left) & self.value(e.right)
        if isinstance(e, Diff):
            return self.value(e.left) - self.value(e.right)
        if isinstance(e, Seq):
            return self._seq(e.args)
        if isinstance(e, Inverse):
            return self.value(e.arg).inverse()
        if isinstance(e, Plus):
            return Relation(n, closure_rows(self.value(e.arg).rows))
        if isinstance(e, Star):
            return self.value(e.arg).star()
        if isinstance(e, Opt):
            return self.value(e.arg).opt()
        if isinstance(e, Ident):
            return Relation.identity(n, self.set_value(e.set))
        if isinstance(e, Product):
            return Relation.product(n, self.set_value(e.left), self.set_value(e.right))
        if isinstance(e, Var):
            return self.env[e.name]
        if isinstance(e, Rec):
            saved = self.env.get(e.name)
            cur = Relation.empty(n)
            while True:
                self.env[e.name] = cur
                nxt = self.value(e.body)
                if nxt.rows == cur.rows:
                    break
                cur = nxt
            if saved is None:
                del self.env[e.name]
            else:
                self.env[e.name] = saved
            return cur
        if isinstance(e, DifferentValues):
            return self._different_values(self.value(e.rel))
        raise TypeError(e)  # pragma: no cover

    def _event_values(self) -> list[object]:
        """Each event's value: a write's own, a read's from the write it reads."""
        assert self.values is not None, "value-dependent term without event values"
        vals = list(self.values)
        for w, row in enumerate(self.rf.rows):
            while row:
                low = row & -row
                vals[low.bit_length() - 1] = self.values[w]
                row ^= low
        return vals

    def _different_values(self, rel: Relation) -> Relation:
        vals = self._event_values()
        rows = [0] * self.n
        for a, b in rel.pairs():
            if vals[a] != vals[b]:
                rows[a] |= 1 << b
        return Relation(self.n, rows)

    def _final_writes(self, e: FinalWrites) -> int:
        among = self.set_value(e.among) & self.sets.get("W", 0) & ~self.sets.get("IW", 0)
        out = 0
        co = self.co.rows
        m = among
        while m:
            low = m & -m
            w = low.bit_length() - 1
            if not co[w] & among:
                out |= low
            m ^= low
        return out

    def _seq(self, args: tuple[Expr, ...]) -> Relation:
        """A sequence, with ``[S]`` factors applied as row/column filters."""
        n = self.n
        for a in args:  # an empty [S] anywhere empties the sequence: skip the rest
            if isinstance(a, Ident) and not self.set_value(a.set):
                return Relation.empty(n)
        rows: list[int] | None = None
        pending_left = -1  # a leading [S] filter
        for a in args:
            if isinstance(a, Ident):
                s = self.set_value(a.set)
                if rows is None:
                    pending_left &= s
                else:
                    rows = [r & s for r in rows]
                continue
            rel = self.value(a).rows
            if rows is None:
                if pending_left == -1:
                    rows = list(rel)
                else:
                    rows = [rel[i] if (pending_left >> i) & 1 else 0 for i in range(n)]
            else:
                rows = seq_rows(rows, rel)
        if rows is None:
            full = pending_left if pending_left != -1 else (1 << n) - 1
            return Relation.identity(n, full)
        return Relation(n, rows)

    # -- checks ------------------------------------------------------------------------

    def holds(self, check: Check) -> bool:
        rel = self.value(check.expr)
        if check.kind == "acyclic":
            return is_acyclic_rows(rel.rows)
        if check.kind == "irreflexive":
            return rel.is_irreflexive()
        if check.kind == "empty":
            return rel.is_empty()
        raise ValueError(check.kind)  # pragma: no cover

    def witness(self, check: Check) -> list[int] | None:
        """Events showing why ``check`` fails: a cycle, a reflexive point, or a pair."""
        rel = self.value(check.expr)
        if check.kind == "acyclic":
            return find_cycle(rel.rows)
        if check.kind == "irreflexive":
            p = rel.reflexive_point()
            return None if p is None else [p]
        for a, b in rel.pairs():
            return [a, b]
        return None


# The compiled checks live in plan.py; imported here for the modules that use both.
from mmcheck.models.plan import Context, Plan, plan_for  # noqa: E402

__all__ = ["Context", "Evaluator", "Plan", "plan_for"]
