"""When a dynamic term is empty whatever rf and co are, from its static parts alone.

Most of a large model (the LKMM's locks, RCU, fences, dependencies...) is about
events a given test does not have: a sequence through ``[Sync-rcu]`` is empty when
there is no grace period, whatever the execution.  ``empty_when`` compiles a term
into a condition on a combination's static values that, when it holds, proves the
term empty on every execution of that combination (a sequence or intersection with
a part so proven, a union of such parts, a fixpoint whose body is so proven when its
variable is empty...).  The plan tests it once per combination, and then skips the
checks and memoised terms it proves empty instead of evaluating them at every node.

The conditions are sufficient, not necessary: a term they do not prove empty may
still be, and is then evaluated as usual.
"""

from __future__ import annotations

from collections.abc import Callable

from mmcheck import TYPE_CHECKING
from mmcheck.models.dsl import (
    DYNAMIC_BASES,
    Base,
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
)

if TYPE_CHECKING:
    from mmcheck.models.plan import Context, Plan

Cond = Callable[["Context"], bool]


def _always(ctx: Context) -> bool:
    return True


ALWAYS: Cond = _always  # the term is empty in every combination (a variable taken empty)


def _any(conds: list[Cond | None]) -> Cond | None:
    fs = [f for f in conds if f is not None]
    if any(f is ALWAYS for f in fs):
        return ALWAYS
    if not fs:
        return None
    if len(fs) == 1:
        return fs[0]

    def any_(ctx: Context) -> bool:
        memo = ctx.vacuous  # conditions are shared between terms: each decided once
        v = memo.get(key)
        if v is None:
            v = memo[key] = any(f(ctx) for f in fs)
        return v

    key = id(any_)
    return any_


def _all(conds: list[Cond | None]) -> Cond | None:
    if any(f is None for f in conds):
        return None
    fs = [f for f in conds if f is not ALWAYS]
    if not fs:
        return ALWAYS
    if len(fs) == 1:
        return fs[0]

    def all_(ctx: Context) -> bool:
        memo = ctx.vacuous
        v = memo.get(key)
        if v is None:
            v = memo[key] = all(f(ctx) for f in fs)  # type: ignore[misc]
        return v

    key = id(all_)
    return all_


class Vacuity:
    """Compiles the conditions of one plan (sharing its static terms' slots)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._rel: dict[tuple[int, frozenset[str]], tuple[Expr, Cond | None]] = {}
        self._set: dict[tuple[int, frozenset[str]], tuple[SetExpr, Cond | None]] = {}

    def rel(self, e: Expr, empty_vars: frozenset[str] = frozenset()) -> Cond | None:
        """A condition proving ``e`` empty (None: never proven), the variables of
        ``empty_vars`` taken as empty."""
        key = (id(e), empty_vars & free_vars(e))
        hit = self._rel.get(key)
        if hit is not None and hit[0] is e:
            return hit[1]
        r = self._rel_new(e, key[1])
        self._rel[key] = (e, r)
        return r

    def _rel_new(self, e: Expr, ev: frozenset[str]) -> Cond | None:
        # Static parts too are taken apart down to their base sets and relations: those
        # are known cheaply, where a composite one would cost its computation.
        if isinstance(e, Var):
            return ALWAYS if e.name in ev else None
        if isinstance(e, Base):
            if e.name in DYNAMIC_BASES or e.name == "id":
                return None
            name = e.name
            return lambda ctx: not any(ctx.store.base(name).rows)
        if isinstance(e, Named):
            return self.rel(e.body, ev)
        if isinstance(e, Seq):
            return _any([self.rel(a, ev) for a in e.args])
        if isinstance(e, Inter):
            return _any([self.rel(e.left, ev), self.rel(e.right, ev)])
        if isinstance(e, Union):
            return _all([self.rel(a, ev) for a in e.args])
        if isinstance(e, Diff):
            return self.rel(e.left, ev)
        if isinstance(e, (Inverse, Plus)):
            return self.rel(e.arg, ev)
        if isinstance(e, (Star, Opt)):
            return None  # holds the identity
        if isinstance(e, Ident):
            return self.set(e.set, ev)
        if isinstance(e, Product):
            return _any([self.set(e.left, ev), self.set(e.right, ev)])
        if isinstance(e, Rec):
            # Iterated from the empty relation: a body proven empty when the variable
            # is empty keeps the fixpoint empty.
            return self.rel(e.body, ev | {e.name})
        if isinstance(e, DifferentValues):
            return self.rel(e.rel, ev)
        return None  # pragma: no cover - every term is one of the above

    def set(self, e: SetExpr, empty_vars: frozenset[str]) -> Cond | None:
        key = (id(e), empty_vars & free_vars(e))
        hit = self._set.get(key)
        if hit is not None and hit[0] is e:
            return hit[1]
        r = self._set_new(e, key[1])
        self._set[key] = (e, r)
        return r

    def _set_new(self, e: SetExpr, ev: frozenset[str]) -> Cond | None:
        if isinstance(e, SBase):
            name = e.name
            return lambda ctx: not ctx.store.sets.get(name, 0)
        if isinstance(e, SUnion):
            return _all([self.set(a, ev) for a in e.args])
        if isinstance(e, SInter):
            return _any([self.set(e.left, ev), self.set(e.right, ev)])
        if isinstance(e, SDiff):
            return self.set(e.left, ev)
        if isinstance(e, (Domain, Range)):
            return self.rel(e.rel, ev)
        if isinstance(e, FinalWrites):
            return self.set(e.among, ev)
        return None  # pragma: no cover
