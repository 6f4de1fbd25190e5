"""A small relation-algebra language for axiomatic models, as a plain AST.

A model is a list of named checks over expressions built from base relations
(``po``, ``rf``, ``co``, ``addr``...) and base event sets (``R``, ``W``, tags).
Only ``rf`` and ``co`` change while executions are searched; every subterm that
does not mention them is computed once per combination of thread paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DYNAMIC_BASES = frozenset({"rf", "co"})

# -- event sets ------------------------------------------------------------------


@dataclass(frozen=True)
class SetExpr:
    def __or__(self, other: SetExpr) -> SetExpr:
        return SUnion((self, other))

    def __and__(self, other: SetExpr) -> SetExpr:
        return SInter(self, other)

    def __sub__(self, other: SetExpr) -> SetExpr:
        return SDiff(self, other)


@dataclass(frozen=True)
class SBase(SetExpr):
    """A base set: ``R``, ``W``, ``M``, ``F``, ``IW`` or an event tag (``A``, ``DMB.ISH``)."""

    name: str


@dataclass(frozen=True)
class SUnion(SetExpr):
    args: tuple[SetExpr, ...]


@dataclass(frozen=True)
class SInter(SetExpr):
    left: SetExpr
    right: SetExpr


@dataclass(frozen=True)
class SDiff(SetExpr):
    left: SetExpr
    right: SetExpr


@dataclass(frozen=True)
class Domain(SetExpr):
    rel: Expr


@dataclass(frozen=True)
class Range(SetExpr):
    rel: Expr


# -- relations ----------------------------------------------------------------------


@dataclass(frozen=True)
class Expr:
    def __or__(self, other: Expr) -> Expr:
        return Union((self, other))

    def __and__(self, other: Expr) -> Expr:
        return Inter(self, other)

    def __sub__(self, other: Expr) -> Expr:
        return Diff(self, other)

    def __rshift__(self, other: Expr) -> Expr:
        """``a >> b`` is sequence ``a ; b``."""
        return Seq((self, other))


@dataclass(frozen=True)
class Base(Expr):
    """A base relation of the execution (``po``, ``rf``, ``co``, ``loc``, ``addr``...)."""

    name: str


@dataclass(frozen=True)
class Named(Expr):
    """A definition with its published name (``ppo``, ``bob``): shown in explanations."""

    name: str
    body: Expr = field(compare=False)


@dataclass(frozen=True)
class Union(Expr):
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Inter(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Diff(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Seq(Expr):
    args: tuple[Expr, ...]


@dataclass(frozen=True)
class Inverse(Expr):
    arg: Expr


@dataclass(frozen=True)
class Plus(Expr):
    arg: Expr


@dataclass(frozen=True)
class Star(Expr):
    arg: Expr


@dataclass(frozen=True)
class Opt(Expr):
    arg: Expr


@dataclass(frozen=True)
class Ident(Expr):
    """``[S]``."""

    set: SetExpr


@dataclass(frozen=True)
class Product(Expr):
    """``S * T``."""

    left: SetExpr
    right: SetExpr


@dataclass(frozen=True)
class Check:
    """A named constraint: ``acyclic``, ``irreflexive`` or ``empty``."""

    kind: str
    expr: Expr
    name: str


@dataclass(frozen=True)
class Model:
    name: str
    title: str
    checks: tuple[Check, ...]
    arches: tuple[str, ...]


# -- helpers for writing models ------------------------------------------------------

R, W, M, F, IW = SBase("R"), SBase("W"), SBase("M"), SBase("F"), SBase("IW")


def tag(name: str) -> SetExpr:
    return SBase(name)


def ident(s: SetExpr) -> Expr:
    return Ident(s)


def seq(*args: Expr) -> Expr:
    return Seq(tuple(args))


def union(*args: Expr) -> Expr:
    return Union(tuple(args))


def restrict(left: SetExpr, rel: Expr, right: SetExpr) -> Expr:
    """``[left] ; rel ; [right]``."""
    return Seq((Ident(left), rel, Ident(right)))


def named(name: str, body: Expr) -> Named:
    return Named(name, body)


po = Base("po")
rf = Base("rf")
co = Base("co")
loc = Base("loc")
int_ = Base("int")
ext = Base("ext")
rmw = Base("rmw")
addr = Base("addr")
data = Base("data")
ctrl = Base("ctrl")

fr = named("fr", Seq((Inverse(rf), co)))
po_loc = named("po-loc", Inter(po, loc))
rfe = named("rfe", Inter(rf, ext))
rfi = named("rfi", Inter(rf, int_))
coe = named("coe", Inter(co, ext))
coi = named("coi", Inter(co, int_))
fre = named("fre", Inter(fr, ext))
fri = named("fri", Inter(fr, int_))
com = named("com", Union((rf, co, fr)))


def mentions_dynamic(e: Expr | SetExpr) -> bool:
    return _dyn(e)


_DYN_CACHE: dict[int, bool] = {}


def _dyn(e: Expr | SetExpr) -> bool:
    key = id(e)
    hit = _DYN_CACHE.get(key)
    if hit is not None:
        return hit
    if isinstance(e, Base):
        r = e.name in DYNAMIC_BASES
    elif isinstance(e, SBase):
        r = False
    elif isinstance(e, Named):
        r = _dyn(e.body)
    elif isinstance(e, (Union, Seq, SUnion)):
        r = any(_dyn(a) for a in e.args)
    elif isinstance(e, (Inter, Diff, Product, SInter, SDiff)):
        r = _dyn(e.left) or _dyn(e.right)
    elif isinstance(e, (Inverse, Plus, Star, Opt)):
        r = _dyn(e.arg)
    elif isinstance(e, Ident):
        r = _dyn(e.set)
    elif isinstance(e, (Domain, Range)):
        r = _dyn(e.rel)
    else:  # pragma: no cover
        raise TypeError(e)
    _DYN_CACHE[key] = r
    return r


def is_monotone(e: Expr | SetExpr) -> bool:
    """True when growing rf/co can only grow ``e`` (no dynamic term under a difference)."""
    if isinstance(e, (Base, SBase)):
        return True
    if isinstance(e, Named):
        return is_monotone(e.body)
    if isinstance(e, (Union, Seq, SUnion)):
        return all(is_monotone(a) for a in e.args)
    if isinstance(e, (Inter, Product, SInter)):
        return is_monotone(e.left) and is_monotone(e.right)
    if isinstance(e, (Diff, SDiff)):
        return is_monotone(e.left) and not _dyn(e.right)
    if isinstance(e, (Inverse, Plus, Star, Opt)):
        return is_monotone(e.arg)
    if isinstance(e, Ident):
        return is_monotone(e.set)
    if isinstance(e, (Domain, Range)):
        return is_monotone(e.rel)
    raise TypeError(e)  # pragma: no cover
