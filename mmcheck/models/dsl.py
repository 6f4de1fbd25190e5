"""A small relation-algebra language for axiomatic models, as a plain AST.

A model is a list of named checks over expressions built from base relations
(``po``, ``rf``, ``co``, ``addr``...) and base event sets (``R``, ``W``, tags).
Only ``rf`` and ``co`` change while executions are searched; every subterm that
does not mention them is computed once per combination of thread paths.
"""

from __future__ import annotations

from mmcheck.record import Record

DYNAMIC_BASES = frozenset({"rf", "co"})

# -- event sets ------------------------------------------------------------------


class SetExpr(Record):
    __slots__ = ()

    def __or__(self, other: SetExpr) -> SetExpr:
        return SUnion((self, other))

    def __and__(self, other: SetExpr) -> SetExpr:
        return SInter(self, other)

    def __sub__(self, other: SetExpr) -> SetExpr:
        return SDiff(self, other)


class SBase(SetExpr):
    """A base set: ``R``, ``W``, ``M``, ``F``, ``IW`` or an event tag (``A``, ``DMB.ISH``)."""

    __slots__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name


class SUnion(SetExpr):
    __slots__ = ("args",)

    args: tuple[SetExpr, ...]

    def __init__(self, args: tuple[SetExpr, ...]) -> None:
        self.args = args


class SInter(SetExpr):
    __slots__ = ("left", "right")

    left: SetExpr
    right: SetExpr

    def __init__(self, left: SetExpr, right: SetExpr) -> None:
        self.left = left
        self.right = right


class SDiff(SetExpr):
    __slots__ = ("left", "right")

    left: SetExpr
    right: SetExpr

    def __init__(self, left: SetExpr, right: SetExpr) -> None:
        self.left = left
        self.right = right


class Domain(SetExpr):
    __slots__ = ("rel",)

    rel: Expr

    def __init__(self, rel: Expr) -> None:
        self.rel = rel


class Range(SetExpr):
    __slots__ = ("rel",)

    rel: Expr

    def __init__(self, rel: Expr) -> None:
        self.rel = rel


# -- relations ----------------------------------------------------------------------


class Expr(Record):
    __slots__ = ()

    def __or__(self, other: Expr) -> Expr:
        return Union((self, other))

    def __and__(self, other: Expr) -> Expr:
        return Inter(self, other)

    def __sub__(self, other: Expr) -> Expr:
        return Diff(self, other)

    def __rshift__(self, other: Expr) -> Expr:
        """``a >> b`` is sequence ``a ; b``."""
        return Seq((self, other))


class Base(Expr):
    """A base relation of the execution (``po``, ``rf``, ``co``, ``loc``, ``addr``...)."""

    __slots__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name


class Named(Expr):
    """A definition with its published name (``ppo``, ``bob``): shown in explanations."""

    __slots__ = ("name", "body")

    name: str
    body: Expr

    def __init__(self, name: str, body: Expr) -> None:
        self.name = name
        self.body = body


class Union(Expr):
    __slots__ = ("args",)

    args: tuple[Expr, ...]

    def __init__(self, args: tuple[Expr, ...]) -> None:
        self.args = args


class Inter(Expr):
    __slots__ = ("left", "right")

    left: Expr
    right: Expr

    def __init__(self, left: Expr, right: Expr) -> None:
        self.left = left
        self.right = right


class Diff(Expr):
    __slots__ = ("left", "right")

    left: Expr
    right: Expr

    def __init__(self, left: Expr, right: Expr) -> None:
        self.left = left
        self.right = right


class Seq(Expr):
    __slots__ = ("args",)

    args: tuple[Expr, ...]

    def __init__(self, args: tuple[Expr, ...]) -> None:
        self.args = args


class Inverse(Expr):
    __slots__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg


class Plus(Expr):
    __slots__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg


class Star(Expr):
    __slots__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg


class Opt(Expr):
    __slots__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg


class Ident(Expr):
    """``[S]``."""

    __slots__ = ("set",)

    set: SetExpr

    def __init__(self, set: SetExpr) -> None:
        self.set = set


class Product(Expr):
    """``S * T``."""

    __slots__ = ("left", "right")

    left: SetExpr
    right: SetExpr

    def __init__(self, left: SetExpr, right: SetExpr) -> None:
        self.left = left
        self.right = right


class Check(Record):
    """A named constraint: ``acyclic``, ``irreflexive`` or ``empty``."""

    __slots__ = ("kind", "expr", "name")

    kind: str
    expr: Expr
    name: str

    def __init__(self, kind: str, expr: Expr, name: str) -> None:
        self.kind = kind
        self.expr = expr
        self.name = name


class Model(Record):
    __slots__ = ("name", "title", "checks", "arches")

    name: str
    title: str
    checks: tuple[Check, ...]
    arches: tuple[str, ...]

    def __init__(
        self,
        name: str,
        title: str,
        checks: tuple[Check, ...],
        arches: tuple[str, ...],
    ) -> None:
        self.name = name
        self.title = title
        self.checks = checks
        self.arches = arches


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


# Keyed by id, holding the expression itself so that its id cannot be reused while the
# entry exists (expressions built on the fly would otherwise alias dead ones).
_DYN_CACHE: dict[int, tuple[Expr | SetExpr, bool]] = {}


def _dyn(e: Expr | SetExpr) -> bool:
    key = id(e)
    hit = _DYN_CACHE.get(key)
    if hit is not None and hit[0] is e:
        return hit[1]
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
    _DYN_CACHE[key] = (e, r)
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
