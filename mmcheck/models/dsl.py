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
    """A model: its checks, the architectures it fits, and its flags.

    A flag is a ``Check`` that does not reject anything: it is evaluated on each
    consistent execution, and when it fails the flag's name is reported (herd7's
    ``flag ~empty X as NAME``: the check is ``empty X``).
    """

    __slots__ = ("name", "title", "checks", "arches", "flags", "prune_with", "no_thin_air")

    name: str
    title: str
    checks: tuple[Check, ...]
    arches: tuple[str, ...]
    flags: tuple[Check, ...]
    # The checks the search runs on partial executions (None: every monotone check).
    # The others run on complete candidates only: a cheaper search when they cost
    # much and rarely prune, never a different answer.
    prune_with: tuple[str, ...] | None
    # Whether the checks forbid every cycle of data dependencies and rf (so no execution
    # they allow has a value out of thin air; see ``mmcheck.thin_air``).
    no_thin_air: bool

    def __init__(
        self,
        name: str,
        title: str,
        checks: tuple[Check, ...],
        arches: tuple[str, ...],
        flags: tuple[Check, ...] = (),
        prune_with: tuple[str, ...] | None = None,
        no_thin_air: bool = False,
    ) -> None:
        self.name = name
        self.title = title
        self.checks = checks
        self.arches = arches
        self.flags = flags
        self.prune_with = prune_with
        self.no_thin_air = no_thin_air


class Var(Expr):
    """The relation being defined by the enclosing ``Rec`` of the same name."""

    __slots__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name


class Rec(Expr):
    """A recursive definition ``let rec name = body``: the least fixpoint of ``body``.

    It is computed by iteration from the empty relation; ``body`` must be inflationary
    in ``Var(name)`` (monotone, or of the form ``name | ...``) for this to be the least
    fixpoint, as in herd7.
    """

    __slots__ = ("name", "body")

    name: str
    body: Expr

    def __init__(self, name: str, body: Expr) -> None:
        self.name = name
        self.body = body


class DifferentValues(Expr):
    """The pairs of ``rel`` whose two events hold different values (herd7's
    ``different-values``).  A read's value is the value of the write it reads from,
    so this depends on rf and is never monotone."""

    __slots__ = ("rel",)

    rel: Expr

    def __init__(self, rel: Expr) -> None:
        self.rel = rel


class FinalWrites(SetExpr):
    """The writes that are last in coherence order at their location (herd7's ``FW``),
    among the writes of ``among``; the initial writes are never final."""

    __slots__ = ("among",)

    among: SetExpr

    def __init__(self, among: SetExpr) -> None:
        self.among = among


def fencerel(s: SetExpr) -> Expr:
    """``po ; [S] ; po``: program order through an event of ``S``."""
    return Seq((Base("po"), Ident(s), Base("po")))


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
    """True when ``e`` may change with rf/co, or mentions a recursive variable bound
    outside it (its value then changes while a fixpoint is computed)."""
    return _dyn(e)


def free_vars(e: Expr | SetExpr) -> frozenset[str]:
    """The names of the ``Var`` nodes of ``e`` not bound by a ``Rec`` inside ``e``."""
    key = id(e)
    hit = _FV_CACHE.get(key)
    if hit is not None and hit[0] is e:
        return hit[1]
    if isinstance(e, Var):
        r = frozenset({e.name})
    elif isinstance(e, Rec):
        r = free_vars(e.body) - {e.name}
    elif isinstance(e, (Base, SBase)):
        r = frozenset()
    elif isinstance(e, Named):
        r = free_vars(e.body)
    elif isinstance(e, (Union, Seq, SUnion)):
        r = frozenset().union(*(free_vars(a) for a in e.args))
    elif isinstance(e, (Inter, Diff, Product, SInter, SDiff)):
        r = free_vars(e.left) | free_vars(e.right)
    elif isinstance(e, (Inverse, Plus, Star, Opt)):
        r = free_vars(e.arg)
    elif isinstance(e, Ident):
        r = free_vars(e.set)
    elif isinstance(e, (Domain, Range, DifferentValues)):
        r = free_vars(e.rel)
    elif isinstance(e, FinalWrites):
        r = free_vars(e.among)
    else:  # pragma: no cover
        raise TypeError(e)
    _FV_CACHE[key] = (e, r)
    return r


_FV_CACHE: dict[int, tuple[Expr | SetExpr, frozenset[str]]] = {}


def _rfco(e: Expr | SetExpr) -> bool:
    """True when ``e`` mentions rf or co (or a term derived from them)."""
    if isinstance(e, Var):
        return False
    if isinstance(e, Rec):
        return _rfco(e.body)
    if isinstance(e, (DifferentValues, FinalWrites)):
        return True
    if isinstance(e, Base):
        return e.name in DYNAMIC_BASES
    if isinstance(e, SBase):
        return False
    if isinstance(e, Named):
        return _rfco(e.body)
    if isinstance(e, (Union, Seq, SUnion)):
        return any(_rfco(a) for a in e.args)
    if isinstance(e, (Inter, Diff, Product, SInter, SDiff)):
        return _rfco(e.left) or _rfco(e.right)
    if isinstance(e, (Inverse, Plus, Star, Opt)):
        return _rfco(e.arg)
    if isinstance(e, Ident):
        return _rfco(e.set)
    if isinstance(e, (Domain, Range)):
        return _rfco(e.rel)
    raise TypeError(e)  # pragma: no cover


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
    elif isinstance(e, (Var, Rec, DifferentValues, FinalWrites)):
        r = _rfco(e) or bool(free_vars(e))
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
    """True when growing rf/co can only grow ``e`` (no dynamic term under a difference).

    A term that does not change with rf/co is monotone whatever it contains; a least
    fixpoint of a monotone body is monotone; a comparison of values or the final
    writes are not (a partial execution's reads hold stand-in values, and growing co
    moves the last write).
    """
    key = id(e)
    hit = _MONO_CACHE.get(key)
    if hit is not None and hit[0] is e:
        return hit[1]
    r = _monotone(e)
    _MONO_CACHE[key] = (e, r)
    return r


_MONO_CACHE: dict[int, tuple[Expr | SetExpr, bool]] = {}


def _monotone(e: Expr | SetExpr) -> bool:
    if not _dyn(e):
        return True
    if isinstance(e, (Base, SBase, Var)):
        return True
    if isinstance(e, Rec):
        return is_monotone(e.body)
    if isinstance(e, (DifferentValues, FinalWrites)):
        return False
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
