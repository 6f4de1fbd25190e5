"""What the compiler reads: a C litmus test's threads as a small expression/statement tree.

The C front end's AST is lowered to this (``mmcheck.compile.lower``); the mappings and the
back ends read only this.  Every node keeps the C text it comes from, for the comments
the compiled test carries.
"""

from __future__ import annotations

from mmcheck.errors import Span
from mmcheck.litmus.ast import Condition, Loc, Prop, Value
from mmcheck.record import Record

# -- expressions ---------------------------------------------------------------------


class Const(Record):
    __slots__ = ("value",)

    value: int

    def __init__(self, value: int) -> None:
        self.value = value


class Local(Record):
    """A thread's local variable (a register in the compiled test)."""

    __slots__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name


class Var(Record):
    """A shared variable named by its thread parameter: the pointer ``x`` of ``int *x``,
    i.e. the address of the location ``x``."""

    __slots__ = ("name",)

    name: str

    def __init__(self, name: str) -> None:
        self.name = name


class Deref(Record):
    """``*e``: the location whose address ``e`` is (a shared variable, or a pointer held
    in a local)."""

    __slots__ = ("arg",)

    arg: Expr

    def __init__(self, arg: Expr) -> None:
        self.arg = arg


class Bin(Record):
    """``a op b`` with C's operators: ``+ - * & | ^ == != < <= > >= && ||``."""

    __slots__ = ("op", "left", "right")

    op: str
    left: Expr
    right: Expr

    def __init__(self, op: str, left: Expr, right: Expr) -> None:
        self.op = op
        self.left = left
        self.right = right


class Unary(Record):
    """``-e``, ``~e``, ``!e``."""

    __slots__ = ("op", "arg")

    op: str
    arg: Expr

    def __init__(self, op: str, arg: Expr) -> None:
        self.op = op
        self.arg = arg


class Call(Record):
    """A primitive: ``READ_ONCE(*x)``, ``qatomic_load_acquire(&e->flags)``..."""

    __slots__ = ("name", "args", "span")
    _compare = ("name", "args")

    name: str
    args: tuple[Expr, ...]
    span: Span | None

    def __init__(self, name: str, args: tuple[Expr, ...], span: Span | None = None) -> None:
        self.name = name
        self.args = args
        self.span = span


Expr = Const | Local | Var | Deref | Bin | Unary | Call

# -- statements ----------------------------------------------------------------------


class Assign(Record):
    """``local = expr;`` (also a declaration with an initialiser)."""

    __slots__ = ("local", "expr", "text", "span")
    _compare = ("local", "expr")

    local: str
    expr: Expr
    text: str
    span: Span | None

    def __init__(self, local: str, expr: Expr, text: str, span: Span | None = None) -> None:
        self.local = local
        self.expr = expr
        self.text = text
        self.span = span


class Store(Record):
    """A plain store ``*p = expr;``."""

    __slots__ = ("target", "expr", "text", "span")
    _compare = ("target", "expr")

    target: Expr  # the address (``Var`` or a local holding a pointer)
    expr: Expr
    text: str
    span: Span | None

    def __init__(self, target: Expr, expr: Expr, text: str, span: Span | None = None) -> None:
        self.target = target
        self.expr = expr
        self.text = text
        self.span = span


class Do(Record):
    """An expression statement: ``smp_mb();``, ``atomic_inc(v);``."""

    __slots__ = ("expr", "text", "span")
    _compare = ("expr",)

    expr: Expr
    text: str
    span: Span | None

    def __init__(self, expr: Expr, text: str, span: Span | None = None) -> None:
        self.expr = expr
        self.text = text
        self.span = span


class If(Record):
    __slots__ = ("cond", "then", "orelse", "text", "span")
    _compare = ("cond", "then", "orelse")

    cond: Expr
    then: tuple[Stmt, ...]
    orelse: tuple[Stmt, ...]
    text: str  # ``if (r0 == 1)``
    span: Span | None

    def __init__(self, cond: Expr, then: tuple[Stmt, ...], orelse: tuple[Stmt, ...],
                 text: str, span: Span | None = None) -> None:
        self.cond = cond
        self.then = then
        self.orelse = orelse
        self.text = text
        self.span = span


Stmt = Assign | Store | Do | If

# -- the whole test ------------------------------------------------------------------


class Thread(Record):
    __slots__ = ("index", "name", "body", "pointer_locals")

    index: int
    name: str  # ``P0``
    body: tuple[Stmt, ...]
    pointer_locals: frozenset[str]  # locals declared with a pointer type

    def __init__(self, index: int, name: str, body: tuple[Stmt, ...],
                 pointer_locals: frozenset[str] = frozenset()) -> None:
        self.index = index
        self.name = name
        self.body = body
        self.pointer_locals = pointer_locals


class Program(Record):
    """A C litmus test ready to compile.

    ``init`` gives shared variables their initial values: an int, or the address of
    another variable (``Sym``); a thread's local may also be initialised (``Reg``).
    ``pointer_vars`` are the shared variables that hold addresses.
    """

    __slots__ = ("name", "path", "doc", "init", "variables", "pointer_vars", "threads",
                 "condition", "locations", "filter")

    name: str
    path: str
    doc: str
    init: tuple[tuple[Loc, Value], ...]
    variables: tuple[str, ...]  # every shared variable, in a stable order
    pointer_vars: frozenset[str]
    threads: tuple[Thread, ...]
    condition: Condition
    locations: tuple[Loc, ...]
    filter: Prop | None

    def __init__(self, name: str, path: str, doc: str, init: tuple[tuple[Loc, Value], ...],
                 variables: tuple[str, ...], pointer_vars: frozenset[str],
                 threads: tuple[Thread, ...], condition: Condition,
                 locations: tuple[Loc, ...] = (), filter: Prop | None = None) -> None:
        self.name = name
        self.path = path
        self.doc = doc
        self.init = init
        self.variables = variables
        self.pointer_vars = pointer_vars
        self.threads = threads
        self.condition = condition
        self.locations = locations
        self.filter = filter


def calls(e: Expr) -> list[Call]:
    """The primitive calls in an expression, innermost first."""
    out: list[Call] = []
    if isinstance(e, Call):
        for a in e.args:
            out.extend(calls(a))
        out.append(e)
    elif isinstance(e, Bin):
        out.extend(calls(e.left))
        out.extend(calls(e.right))
    elif isinstance(e, Unary | Deref):
        out.extend(calls(e.arg))
    return out


def stmt_calls(s: Stmt) -> list[Call]:
    if isinstance(s, Assign | Do):
        return calls(s.expr)
    if isinstance(s, Store):
        return calls(s.target) + calls(s.expr)
    out = calls(s.cond)
    for t in s.then + s.orelse:
        out.extend(stmt_calls(t))
    return out
