"""The abstract syntax of C litmus tests (herd7's C dialect), as ``mmcheck.litmus.c`` parses it.

A thread is a C function ``P0(int *x, ...) { ... }``: its parameters name the shared
locations it uses (each parameter is a local holding that location's address), its body
a block of statements.  Expressions keep kernel primitives as calls by name
(``Call("smp_load_acquire", (Var("x"),))``): the semantics (``mmcheck.semantics.c``)
gives each its LKMM meaning, and a compiler to an architecture maps each by name.

A parsed C test is a ``Litmus`` (``mmcheck.litmus.ast``) with ``arch == "C"`` whose
``program`` field holds the ``CProgram`` below; its ``init``, ``condition``,
``locations`` and ``filter`` are those of any test.

Every node carries the ``Span`` where it starts (``_compare`` leaves spans out of
equality, so two parses of the same code compare equal wherever the code sits).

Conventions:

- ``Var(name)`` reads a local (register) or a parameter; a parameter's value is the
  address of the shared location of the same name, ``Sym(name)``.
- ``Deref(e)`` is a plain load ``*e``; ``Store(e, v)`` the plain store ``*e = v``.
- ``AddrOf(name)`` is ``&x`` for a shared location ``x`` (its address, ``Sym(x)``).
- A primitive's arguments are written as in the kernel: ``READ_ONCE(*x)`` has the
  argument ``Deref(Var("x"))`` (the lvalue ``*x``), ``smp_load_acquire(x)`` the pointer
  ``Var("x")``.  ``lvalue_address`` in the semantics turns the former into the latter.
- Operators are C's, by their C spelling: ``+ - * / % & | ^ << >> == != < > <= >=
  && ||`` (``BinOp``) and ``- ! ~`` (``UnOp``).
"""

from __future__ import annotations

from mmcheck.errors import Span
from mmcheck.litmus.ast import Value
from mmcheck.record import Record

# -- the kernel's primitives --------------------------------------------------------


def _family() -> dict[str, int]:
    prims: dict[str, int] = {
        "READ_ONCE": 1, "WRITE_ONCE": 2, "smp_load_acquire": 1, "smp_store_release": 2,
        "rcu_dereference": 1, "rcu_assign_pointer": 2, "smp_store_mb": 2,
        "smp_mb": 0, "smp_rmb": 0, "smp_wmb": 0, "barrier": 0,
        "smp_mb__before_atomic": 0, "smp_mb__after_atomic": 0,
        "smp_mb__after_spinlock": 0, "smp_mb__after_unlock_lock": 0,
        "smp_mb__after_srcu_read_unlock": 0,
        "spin_lock": 1, "spin_unlock": 1, "spin_trylock": 1, "spin_is_locked": 1,
        "rcu_read_lock": 0, "rcu_read_unlock": 0, "synchronize_rcu": 0,
        "synchronize_rcu_expedited": 0,
        "srcu_read_lock": 1, "srcu_read_unlock": 2, "srcu_down_read": 1, "srcu_up_read": 2,
        "synchronize_srcu": 1, "synchronize_srcu_expedited": 1,
        "atomic_read": 1, "atomic_set": 2, "atomic_read_acquire": 1, "atomic_set_release": 2,
        "atomic_add_unless": 3, "atomic_fetch_add_unless": 3,
        "atomic_sub_and_test": 2, "atomic_dec_and_test": 1, "atomic_inc_and_test": 1,
        "atomic_add_negative": 2,
    }
    for order in ("", "_relaxed", "_acquire", "_release"):
        prims["xchg" + order] = 2
        prims["cmpxchg" + order] = 3
        prims["atomic_xchg" + order] = 2
        prims["atomic_cmpxchg" + order] = 3
        for op in ("add", "sub", "and", "or", "xor", "andnot"):
            prims[f"atomic_fetch_{op}{order}"] = 2
        for op in ("add", "sub"):
            prims[f"atomic_{op}_return{order}"] = 2
        for op in ("inc", "dec"):
            prims[f"atomic_{op}_return{order}"] = 1
            prims[f"atomic_fetch_{op}{order}"] = 1
    for op in ("add", "sub", "and", "or", "xor", "andnot"):
        prims[f"atomic_{op}"] = 2
    prims["atomic_inc"] = 1
    prims["atomic_dec"] = 1
    return prims


PRIMITIVES: dict[str, int] = _family()
"""Every kernel primitive the C dialect knows, with its number of arguments."""


def _qemu_and_c11() -> dict[str, int]:
    """QEMU's ``qatomic_*`` and C11's ``atomic_*_explicit`` (mmcheck.compile.prims), with
    their LKMM meaning in mmcheck.semantics.c_qemu."""
    from mmcheck.compile.prims import PRIMS

    return {p.name: len(p.args) for p in PRIMS.values() if p.family in ("qemu", "c11")}


PRIMITIVES.update({k: v for k, v in _qemu_and_c11().items() if k not in PRIMITIVES})

# -- expressions ---------------------------------------------------------------------


class Const(Record):
    """An integer constant."""

    __slots__ = ("value", "span")
    _compare = ("value",)

    value: Value
    span: Span

    def __init__(self, value: Value, span: Span) -> None:
        self.value = value
        self.span = span


class Var(Record):
    """A local variable (register) or a parameter, by name."""

    __slots__ = ("name", "span")
    _compare = ("name",)

    name: str
    span: Span

    def __init__(self, name: str, span: Span) -> None:
        self.name = name
        self.span = span


class AddrOf(Record):
    """``&name``: the address of the shared location ``name``."""

    __slots__ = ("name", "span")
    _compare = ("name",)

    name: str
    span: Span

    def __init__(self, name: str, span: Span) -> None:
        self.name = name
        self.span = span


class Deref(Record):
    """``*addr``: a plain (unmarked) load, or an lvalue when a primitive's argument."""

    __slots__ = ("addr", "span")
    _compare = ("addr",)

    addr: Expr
    span: Span

    def __init__(self, addr: Expr, span: Span) -> None:
        self.addr = addr
        self.span = span


class UnOp(Record):
    """A unary operator: ``-``, ``!`` or ``~``."""

    __slots__ = ("op", "arg", "span")
    _compare = ("op", "arg")

    op: str
    arg: Expr
    span: Span

    def __init__(self, op: str, arg: Expr, span: Span) -> None:
        self.op = op
        self.arg = arg
        self.span = span


class BinOp(Record):
    """A binary operator, by its C spelling (``+``, ``==``, ``&&``...)."""

    __slots__ = ("op", "left", "right", "span")
    _compare = ("op", "left", "right")

    op: str
    left: Expr
    right: Expr
    span: Span

    def __init__(self, op: str, left: Expr, right: Expr, span: Span) -> None:
        self.op = op
        self.left = left
        self.right = right
        self.span = span


class Call(Record):
    """A call of a kernel primitive (``READ_ONCE``, ``xchg_acquire``, ``spin_lock``...)."""

    __slots__ = ("name", "args", "span")
    _compare = ("name", "args")

    name: str
    args: tuple[Expr, ...]
    span: Span

    def __init__(self, name: str, args: tuple[Expr, ...], span: Span) -> None:
        self.name = name
        self.args = args
        self.span = span


Expr = Const | Var | AddrOf | Deref | UnOp | BinOp | Call

# -- statements ----------------------------------------------------------------------


class Decl(Record):
    """A local declaration ``int r0;`` or ``int r0 = e;`` (``init`` is then ``e``)."""

    __slots__ = ("type", "name", "init", "span")
    _compare = ("type", "name", "init")

    type: str
    name: str
    init: Expr | None
    span: Span

    def __init__(self, type: str, name: str, init: Expr | None, span: Span) -> None:
        self.type = type
        self.name = name
        self.init = init
        self.span = span


class Assign(Record):
    """``name = e;``: an assignment to a local."""

    __slots__ = ("name", "value", "span")
    _compare = ("name", "value")

    name: str
    value: Expr
    span: Span

    def __init__(self, name: str, value: Expr, span: Span) -> None:
        self.name = name
        self.value = value
        self.span = span


class Store(Record):
    """``*addr = e;``: a plain store."""

    __slots__ = ("addr", "value", "span")
    _compare = ("addr", "value")

    addr: Expr
    value: Expr
    span: Span

    def __init__(self, addr: Expr, value: Expr, span: Span) -> None:
        self.addr = addr
        self.value = value
        self.span = span


class ExprStmt(Record):
    """An expression evaluated for its effects: ``smp_mb();``, ``WRITE_ONCE(*x, 1);``."""

    __slots__ = ("expr", "span")
    _compare = ("expr",)

    expr: Expr
    span: Span

    def __init__(self, expr: Expr, span: Span) -> None:
        self.expr = expr
        self.span = span


class If(Record):
    """``if (cond) then [else orelse]``."""

    __slots__ = ("cond", "then", "orelse", "span")
    _compare = ("cond", "then", "orelse")

    cond: Expr
    then: Stmt
    orelse: Stmt | None
    span: Span

    def __init__(self, cond: Expr, then: Stmt, orelse: Stmt | None, span: Span) -> None:
        self.cond = cond
        self.then = then
        self.orelse = orelse
        self.span = span


class While(Record):
    """``while (cond) body``: unrolled as herd7 unrolls it (see the semantics)."""

    __slots__ = ("cond", "body", "span")
    _compare = ("cond", "body")

    cond: Expr
    body: Stmt
    span: Span

    def __init__(self, cond: Expr, body: Stmt, span: Span) -> None:
        self.cond = cond
        self.body = body
        self.span = span


class Block(Record):
    """``{ s1 s2 ... }``."""

    __slots__ = ("body", "span")
    _compare = ("body",)

    body: tuple[Stmt, ...]
    span: Span

    def __init__(self, body: tuple[Stmt, ...], span: Span) -> None:
        self.body = body
        self.span = span


Stmt = Decl | Assign | Store | ExprStmt | If | While | Block

# -- threads -------------------------------------------------------------------------


class Param(Record):
    """A thread parameter ``int *x``: the type as written and the name."""

    __slots__ = ("type", "name", "span")
    _compare = ("type", "name")

    type: str
    name: str
    span: Span

    def __init__(self, type: str, name: str, span: Span) -> None:
        self.type = type
        self.name = name
        self.span = span


class CThread(Record):
    """One thread ``Pn(params) { body }``."""

    __slots__ = ("proc", "params", "body", "span")
    _compare = ("proc", "params", "body")

    proc: int
    params: tuple[Param, ...]
    body: Block
    span: Span

    def __init__(self, proc: int, params: tuple[Param, ...], body: Block, span: Span) -> None:
        self.proc = proc
        self.params = params
        self.body = body
        self.span = span


class CProgram(Record):
    """The threads of a C test, in order (``threads[k].proc == k``)."""

    __slots__ = ("threads",)

    threads: tuple[CThread, ...]

    def __init__(self, threads: tuple[CThread, ...]) -> None:
        self.threads = threads
