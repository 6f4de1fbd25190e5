"""A small relation-algebra language for axiomatic models, as a plain AST.

A model is a list of named checks over expressions built from base relations
(``po``, ``rf``, ``co``, ``addr``...) and base event sets (``R``, ``W``, tags).
Only ``rf`` and ``co`` change while executions are searched; every subterm that
does not mention them is computed once per combination of thread paths.
"""

from __future__ import annotations

DYNAMIC_BASES = frozenset({"rf", "co"})

# -- event sets ------------------------------------------------------------------


class SetExpr:
    __slots__ = ()

    def __init__(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}()"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return True
        return NotImplemented

    def __hash__(self) -> int:
        return hash(())

    def __or__(self, other: SetExpr) -> SetExpr:
        return SUnion((self, other))

    def __and__(self, other: SetExpr) -> SetExpr:
        return SInter(self, other)

    def __sub__(self, other: SetExpr) -> SetExpr:
        return SDiff(self, other)


class SBase(SetExpr):
    """A base set: ``R``, ``W``, ``M``, ``F``, ``IW`` or an event tag (``A``, ``DMB.ISH``)."""

    __slots__ = ("name",)
    __match_args__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, SBase):
            return (self.name,) == (other.name,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name,))


class SUnion(SetExpr):
    __slots__ = ("args",)
    __match_args__ = ("args",)

    args: tuple[SetExpr, ...]

    def __init__(self, args: tuple[SetExpr, ...]) -> None:
        self.args = args

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(args={self.args!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, SUnion):
            return (self.args,) == (other.args,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.args,))


class SInter(SetExpr):
    __slots__ = ("left", "right")
    __match_args__ = ("left", "right")

    left: SetExpr
    right: SetExpr

    def __init__(self, left: SetExpr, right: SetExpr) -> None:
        self.left = left
        self.right = right

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(left={self.left!r}, right={self.right!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, SInter):
            return (self.left, self.right) == (other.left, other.right)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.left, self.right))


class SDiff(SetExpr):
    __slots__ = ("left", "right")
    __match_args__ = ("left", "right")

    left: SetExpr
    right: SetExpr

    def __init__(self, left: SetExpr, right: SetExpr) -> None:
        self.left = left
        self.right = right

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(left={self.left!r}, right={self.right!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, SDiff):
            return (self.left, self.right) == (other.left, other.right)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.left, self.right))


class Domain(SetExpr):
    __slots__ = ("rel",)
    __match_args__ = ("rel",)

    rel: Expr

    def __init__(self, rel: Expr) -> None:
        self.rel = rel

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(rel={self.rel!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Domain):
            return (self.rel,) == (other.rel,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.rel,))


class Range(SetExpr):
    __slots__ = ("rel",)
    __match_args__ = ("rel",)

    rel: Expr

    def __init__(self, rel: Expr) -> None:
        self.rel = rel

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(rel={self.rel!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Range):
            return (self.rel,) == (other.rel,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.rel,))


# -- relations ----------------------------------------------------------------------


class Expr:
    __slots__ = ()

    def __init__(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}()"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return True
        return NotImplemented

    def __hash__(self) -> int:
        return hash(())

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
    __match_args__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(name={self.name!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Base):
            return (self.name,) == (other.name,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name,))


class Named(Expr):
    """A definition with its published name (``ppo``, ``bob``): shown in explanations."""

    __slots__ = ("name", "body")
    __match_args__ = ("name", "body")

    name: str
    body: Expr

    def __init__(self, name: str, body: Expr) -> None:
        self.name = name
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(name={self.name!r}, body={self.body!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Named):
            return (self.name,) == (other.name,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name,))


class Union(Expr):
    __slots__ = ("args",)
    __match_args__ = ("args",)

    args: tuple[Expr, ...]

    def __init__(self, args: tuple[Expr, ...]) -> None:
        self.args = args

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(args={self.args!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Union):
            return (self.args,) == (other.args,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.args,))


class Inter(Expr):
    __slots__ = ("left", "right")
    __match_args__ = ("left", "right")

    left: Expr
    right: Expr

    def __init__(self, left: Expr, right: Expr) -> None:
        self.left = left
        self.right = right

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(left={self.left!r}, right={self.right!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Inter):
            return (self.left, self.right) == (other.left, other.right)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.left, self.right))


class Diff(Expr):
    __slots__ = ("left", "right")
    __match_args__ = ("left", "right")

    left: Expr
    right: Expr

    def __init__(self, left: Expr, right: Expr) -> None:
        self.left = left
        self.right = right

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(left={self.left!r}, right={self.right!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Diff):
            return (self.left, self.right) == (other.left, other.right)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.left, self.right))


class Seq(Expr):
    __slots__ = ("args",)
    __match_args__ = ("args",)

    args: tuple[Expr, ...]

    def __init__(self, args: tuple[Expr, ...]) -> None:
        self.args = args

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(args={self.args!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Seq):
            return (self.args,) == (other.args,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.args,))


class Inverse(Expr):
    __slots__ = ("arg",)
    __match_args__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(arg={self.arg!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Inverse):
            return (self.arg,) == (other.arg,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.arg,))


class Plus(Expr):
    __slots__ = ("arg",)
    __match_args__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(arg={self.arg!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Plus):
            return (self.arg,) == (other.arg,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.arg,))


class Star(Expr):
    __slots__ = ("arg",)
    __match_args__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(arg={self.arg!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Star):
            return (self.arg,) == (other.arg,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.arg,))


class Opt(Expr):
    __slots__ = ("arg",)
    __match_args__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(arg={self.arg!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Opt):
            return (self.arg,) == (other.arg,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.arg,))


class Ident(Expr):
    """``[S]``."""

    __slots__ = ("set",)
    __match_args__ = ("set",)

    set: SetExpr

    def __init__(self, set: SetExpr) -> None:
        self.set = set

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(set={self.set!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Ident):
            return (self.set,) == (other.set,)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.set,))


class Product(Expr):
    """``S * T``."""

    __slots__ = ("left", "right")
    __match_args__ = ("left", "right")

    left: SetExpr
    right: SetExpr

    def __init__(self, left: SetExpr, right: SetExpr) -> None:
        self.left = left
        self.right = right

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}(left={self.left!r}, right={self.right!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Product):
            return (self.left, self.right) == (other.left, other.right)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.left, self.right))


class Check:
    """A named constraint: ``acyclic``, ``irreflexive`` or ``empty``."""

    __slots__ = ("kind", "expr", "name")
    __match_args__ = ("kind", "expr", "name")

    kind: str
    expr: Expr
    name: str

    def __init__(self, kind: str, expr: Expr, name: str) -> None:
        self.kind = kind
        self.expr = expr
        self.name = name

    def __repr__(self) -> str:
        return (
            f"{type(self).__qualname__}("
            f"kind={self.kind!r}, "
            f"expr={self.expr!r}, "
            f"name={self.name!r})"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Check):
            return (self.kind, self.expr, self.name) == (other.kind, other.expr, other.name)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.kind, self.expr, self.name))


class Model:
    __slots__ = ("name", "title", "checks", "arches")
    __match_args__ = ("name", "title", "checks", "arches")

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

    def __repr__(self) -> str:
        return (
            f"{type(self).__qualname__}("
            f"name={self.name!r}, "
            f"title={self.title!r}, "
            f"checks={self.checks!r}, "
            f"arches={self.arches!r})"
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__ and isinstance(other, Model):
            return (
                (self.name, self.title, self.checks, self.arches)
                == (other.name, other.title, other.checks, other.arches)
            )
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.name, self.title, self.checks, self.arches))


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
