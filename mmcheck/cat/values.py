"""Values of the cat interpreter, and smart constructors over the model DSL.

Event sets and relations are symbolic: DSL expressions (``mmcheck.models.dsl``)
that the search evaluates on each execution.  ``None`` stands for a set or relation
known to be empty for every test mmcheck can run (a herd event class such as
``TLBI`` that no supported instruction produces); the constructors fold it away, so
that a model's parts about virtual memory or cache maintenance vanish before the
search.  Other values (tags, tuples, functions, sets of values) are concrete.
"""

from __future__ import annotations

from typing import Any

from mmcheck.models import dsl as d

# -- symbolic event sets and relations -------------------------------------------------


class Ev:
    """An event set (``kind == "set"``), a relation (``"rel"``) or the empty
    set/relation of unknown kind (``"empty"``, ``expr is None``)."""

    __slots__ = ("kind", "expr")

    def __init__(self, kind: str, expr: Any) -> None:
        self.kind = kind
        self.expr = expr

    def __repr__(self) -> str:
        return f"Ev({self.kind}, {self.expr!r})"


EMPTY = Ev("empty", None)


class RegLevel:
    """A herd primitive about register events or instruction internals, which mmcheck
    does not build (``rf-reg``, ``iico_data``...): usable only where it vanishes, or in
    the dependency definitions mmcheck computes itself."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class TagV:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TagV) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("tag", self.name))


class TupleV:
    __slots__ = ("items",)

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items


class SetV:
    """A set of values other than events (tags, relations): ``{'a, 'b}``, ``{r}``."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[Any, ...]) -> None:
        self.items = items


class Closure:
    __slots__ = ("params", "body", "env", "name")

    def __init__(self, params: Any, body: Any, env: dict[str, Any], name: str) -> None:
        self.params = params
        self.body = body
        self.env = env
        self.name = name


class Builtin:
    __slots__ = ("name", "fn")

    def __init__(self, name: str, fn: Any) -> None:
        self.name = name
        self.fn = fn


class Procedure:
    __slots__ = ("name", "params", "body", "env")

    def __init__(self, name: str, params: Any, body: Any, env: dict[str, Any]) -> None:
        self.name = name
        self.params = params
        self.body = body
        self.env = env


class CoOrders:
    """``generate_cos(pco)``: the coherence orders extending ``pco``, which the search
    enumerates itself."""

    __slots__ = ("pco",)

    def __init__(self, pco: d.Expr | None) -> None:
        self.pco = pco


# -- the universe and constructors ------------------------------------------------------

UNIVERSE: d.SetExpr = d.SUnion((d.M, d.F))
FULL: d.Expr = d.Product(UNIVERSE, UNIVERSE)
ID: d.Expr = d.Base("id")


def s_union(a: d.SetExpr | None, b: d.SetExpr | None) -> d.SetExpr | None:
    if a is None:
        return b
    if b is None:
        return a
    if a == b:
        return a
    left = a.args if isinstance(a, d.SUnion) else (a,)
    right = b.args if isinstance(b, d.SUnion) else (b,)
    return d.SUnion(left + tuple(x for x in right if x not in left))


# Base sets contained in others: R, W and IW are memory events, IW are writes.
_SUBSETS = {("R", "M"), ("W", "M"), ("IW", "M"), ("IW", "W")}


def _within(a: d.SetExpr, b: d.SetExpr) -> bool:
    if a == b or b == UNIVERSE:
        return True
    if isinstance(b, d.SUnion) and a in b.args:
        return True
    return isinstance(a, d.SBase) and isinstance(b, d.SBase) and (a.name, b.name) in _SUBSETS


def s_inter(a: d.SetExpr | None, b: d.SetExpr | None) -> d.SetExpr | None:
    if a is None or b is None:
        return None
    if _within(a, b):
        return a
    if _within(b, a):
        return b
    return d.SInter(a, b)


def s_diff(a: d.SetExpr | None, b: d.SetExpr | None) -> d.SetExpr | None:
    if a is None:
        return None
    if b is None:
        return a
    if a == b:
        return None
    return d.SDiff(a, b)


def s_comp(a: d.SetExpr | None) -> d.SetExpr | None:
    if a is None:
        return UNIVERSE
    if a == UNIVERSE:
        return None
    return d.SDiff(UNIVERSE, a)


def r_union(a: d.Expr | None, b: d.Expr | None) -> d.Expr | None:
    if a is None:
        return b
    if b is None:
        return a
    if a == b:
        return a
    left = a.args if isinstance(a, d.Union) else (a,)
    right = b.args if isinstance(b, d.Union) else (b,)
    return d.Union(left + tuple(x for x in right if x not in left))


def r_inter(a: d.Expr | None, b: d.Expr | None) -> d.Expr | None:
    if a is None or b is None:
        return None
    if a == b:
        return a
    return d.Inter(a, b)


def _strip(e: d.Expr) -> d.Expr:
    while isinstance(e, d.Named):
        e = e.body
    return e


def r_diff(a: d.Expr | None, b: d.Expr | None) -> d.Expr | None:
    if a is None:
        return None
    if b is None:
        return a
    if a == b:
        return None
    # a \ (a & s) with s static is a & ~s: keeps ``co \ coi`` monotone (it is co & ~int).
    sb = _strip(b)
    if isinstance(sb, d.Inter) and d.mentions_dynamic(a):
        for mine, other in ((sb.left, sb.right), (sb.right, sb.left)):
            if (mine == a or _strip(mine) == _strip(a)) and not d.mentions_dynamic(other):
                return d.Inter(a, d.Diff(FULL, other))
    return d.Diff(a, b)


def r_comp(a: d.Expr | None) -> d.Expr | None:
    if a is None:
        return FULL
    return d.Diff(FULL, a)


_ALL = d.Ident(UNIVERSE)


def r_seq(a: d.Expr | None, b: d.Expr | None) -> d.Expr | None:
    if a is None or b is None:
        return None
    left = a.args if isinstance(a, d.Seq) else (a,)
    right = b.args if isinstance(b, d.Seq) else (b,)
    args = tuple(x for x in left + right if x != _ALL)  # [_] filters nothing
    if not args:
        return _ALL
    return args[0] if len(args) == 1 else d.Seq(args)


def r_inverse(a: d.Expr | None) -> d.Expr | None:
    return None if a is None else d.Inverse(a)


def r_plus(a: d.Expr | None) -> d.Expr | None:
    return None if a is None else d.Plus(a)


def r_star(a: d.Expr | None) -> d.Expr | None:
    return ID if a is None else d.Star(a)


def r_opt(a: d.Expr | None) -> d.Expr | None:
    return ID if a is None else d.Opt(a)


def r_ident(s: d.SetExpr | None) -> d.Expr | None:
    return None if s is None else d.Ident(s)


def r_product(a: d.SetExpr | None, b: d.SetExpr | None) -> d.Expr | None:
    if a is None or b is None:
        return None
    return d.Product(a, b)


def s_domain(r: d.Expr | None) -> d.SetExpr | None:
    return None if r is None else d.Domain(r)


def s_range(r: d.Expr | None) -> d.SetExpr | None:
    return None if r is None else d.Range(r)
