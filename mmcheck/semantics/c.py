"""C semantics: kernel primitives to events, as herd7 7.57 builds them for the LKMM.

Each primitive means what the kernel's ``tools/memory-model/linux-kernel.def`` makes of
it, with the events herd7's C semantics generates for that definition.

Event vocabulary (tags of ``TraceEvent``/``Event``; herd's set names):

- Annotations of reads and writes: ``Once`` (READ_ONCE, WRITE_ONCE, rcu_dereference,
  atomic_read/atomic_set, relaxed RMWs), ``Acquire`` (smp_load_acquire,
  atomic_read_acquire, the read of ``*_acquire`` RMWs), ``Release`` (smp_store_release,
  rcu_assign_pointer, atomic_set_release, the write of ``*_release`` RMWs), ``Noreturn``
  (the read of a non-returning ``atomic_add``/``sub``/``inc``/``dec``/...).  Plain
  accesses (``r0 = *x``, ``*x = 1``) carry no tag.
- ``RMW``: both accesses of a read-modify-write (herd's ``R*``/``W*``), also the lone read
  of a failed ``cmpxchg`` or ``atomic_add_unless``.  Each successful RMW's read and write
  are related by ``rmw``.  Fully ordered RMWs (``xchg``, ``cmpxchg``, ``*_return``,
  ``fetch_*``, ``*_and_test``, ``add_negative``, a successful ``add_unless``) are
  ``F[Mb]; R*[Once]; W*[Once]; F[Mb]`` in one statement; their failed forms have no fences.
- Fences (direction ``F``): ``Mb``, ``Rmb``, ``Wmb``, ``Barrier``, ``Before-atomic``,
  ``After-atomic``, ``After-spinlock``, ``After-unlock-lock``, ``After-srcu-read-unlock``,
  ``Rcu-lock``, ``Rcu-unlock``, ``Sync-rcu`` (both synchronize_rcu forms).
- SRCU: ``srcu_read_lock(s)`` (and ``srcu_down_read``) is a read of the location ``s``
  tagged ``Srcu-lock`` (its value is whatever ``s`` holds, as herd7's ``__load{srcu-lock}``
  reads it); ``srcu_read_unlock(s, i)`` (``srcu_up_read``) a write of ``i`` to ``s`` tagged
  ``Srcu-unlock``, so the pair is related by ``data`` when ``i`` is the lock's result;
  ``synchronize_srcu(s)`` (and ``_expedited``) an event tagged ``Sync-srcu`` of
  direction ``F`` that has the location ``s`` (herd7's SRCU event: in ``po`` and ``loc``,
  not in ``M``; herd7 keeps it out of ``F`` too, so a model wanting herd's ``F`` takes
  ``F \\ Sync-srcu``).
- Locations: every memory event has one; ``loc`` relates events of one location, the
  initial writes (``IW``) included.
- Spinlocks, on the lock's location, whose value is 0 (free) or 1 (held):
  ``spin_lock`` is ``LKR`` (a read of 0) then ``LKW`` (a write of 1), related by ``rmw``;
  ``spin_unlock`` is ``UL`` (a write of 0); ``spin_trylock`` is ``LKR; LKW`` (returns 1)
  or ``LF`` (a read of 1, returns 0); ``spin_is_locked`` is ``RL`` (a read of 1, returns 1)
  or ``RU`` (a read of 0, returns 0).  Unlike herd7, where lock events are outside ``R``
  and ``W`` and ``lock.cat`` adds them, here they are reads and writes with values, so the
  search gives them ``rf`` and ``co`` like any access: a model wanting herd's plain
  ``R``/``W`` subtracts ``LKR | LKW | UL | LF | RL | RU``, and what ``lock.cat`` says of
  their ordering (``LKR`` is an acquire, ``UL`` a release) is for the model to add; the
  ``rf``/``co`` generation of ``lock.cat`` is not needed (the search does it, with the
  same executions as herd7: see ``tests/test_c_vs_herd.py``).
- Dependencies as herd7 computes them for C: ``addr`` and ``data`` follow values through
  locals from the reads they come from (an atomic op's or add_unless's write has ``data``
  from its own read; xchg's and cmpxchg's writes do not); ``ctrl`` goes from every read
  evaluated in an ``if``/``while`` condition, every read whose value reaches the
  condition through locals, and the ``addr`` sources of reads in the condition, to the
  events of the branches only (not to what follows the ``if``).  ``&&`` and ``||``
  (not in herd7's dialect) short-circuit: their right operand is a branch on the left.
- Program order: every statement's events follow the previous statement's; inside one
  statement the events are ordered as they happen (F; R; W; F for xchg), except that the
  two operands of a binary operator, each one event, are unordered (herd7 evaluates the
  operands in parallel).
- Loops: ``while`` is unrolled twice as herd7 does for C (its default ``-unroll 2``); a
  path needing a third iteration is dropped and the test reported as cut (``Loop``).
"""

from __future__ import annotations

from collections.abc import Callable

from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.events import FENCE, READ, WRITE, TraceEvent
from mmcheck.litmus.ast import Cell, Litmus, Reg, Sym, Value
from mmcheck.litmus.c_ast import (
    AddrOf,
    Assign,
    BinOp,
    Block,
    Call,
    Const,
    CThread,
    Decl,
    Deref,
    Expr,
    ExprStmt,
    If,
    Stmt,
    Store,
    UnOp,
    Var,
    While,
)
from mmcheck.record import Record, replace
from mmcheck.semantics.c_qemu import as_kernel, handles
from mmcheck.semantics.runner import BadAddress, Cutoff, Program, ThreadState, Val

UNROLL = 2  # herd7's default unrolling of C loops

_FENCES = {
    "smp_mb": "Mb", "smp_rmb": "Rmb", "smp_wmb": "Wmb", "barrier": "Barrier",
    "smp_mb__before_atomic": "Before-atomic", "smp_mb__after_atomic": "After-atomic",
    "smp_mb__after_spinlock": "After-spinlock",
    "smp_mb__after_unlock_lock": "After-unlock-lock",
    "smp_mb__after_srcu_read_unlock": "After-srcu-read-unlock",
    "rcu_read_lock": "Rcu-lock", "rcu_read_unlock": "Rcu-unlock",
    "synchronize_rcu": "Sync-rcu", "synchronize_rcu_expedited": "Sync-rcu",
}
# Loads: name -> (annotation, argument is an lvalue '*x' rather than a pointer 'x').
_LOADS = {
    "READ_ONCE": ("Once", True), "rcu_dereference": ("Once", True),
    "smp_load_acquire": ("Acquire", False), "atomic_read": ("Once", False),
    "atomic_read_acquire": ("Acquire", False), "srcu_read_lock": ("Srcu-lock", False),
    "srcu_down_read": ("Srcu-lock", False),
}
_STORES = {
    "WRITE_ONCE": ("Once", True), "rcu_assign_pointer": ("Release", True),
    "smp_store_release": ("Release", False), "atomic_set": ("Once", False),
    "atomic_set_release": ("Release", False), "srcu_read_unlock": ("Srcu-unlock", False),
    "srcu_up_read": ("Srcu-unlock", False), "smp_store_mb": ("Once", True),
}
_ORDERS = {"": "mb", "_relaxed": "once", "_acquire": "acquire", "_release": "release"}
_OPS: dict[str, Callable[[int, int], int]] = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "and": lambda a, b: a & b,
    "or": lambda a, b: a | b, "xor": lambda a, b: a ^ b, "andnot": lambda a, b: a & ~b,
    "inc": lambda a, b: a + 1, "dec": lambda a, b: a - 1,
}


def _split_order(name: str) -> tuple[str, str]:
    for suffix in ("_relaxed", "_acquire", "_release"):
        if name.endswith(suffix):
            return name[: -len(suffix)], _ORDERS[suffix]
    return name, "mb"


def _truth(v: Value) -> bool:
    return v != 0


def _int(v: Value, span: Span, what: str) -> int:
    if isinstance(v, int):
        return v
    raise Unsupported(f"arithmetic on the address of a location ({what} on {v})", span)


def _binop(op: str, a: Value, b: Value, span: Span) -> Value:
    if op == "==":
        return int(a == b)
    if op == "!=":
        return int(a != b)
    if isinstance(a, Sym) or isinstance(b, Sym):
        if op in ("+", "-", "|", "^") and b == 0:
            return a
        if op == "+" and a == 0:
            return b
        if op in ("&&", "||"):
            return int(_truth(a) and _truth(b)) if op == "&&" else int(_truth(a) or _truth(b))
    x, y = _int(a, span, op), _int(b, span, op)
    match op:
        case "+":
            return x + y
        case "-":
            return x - y
        case "*":
            return x * y
        case "/" | "%":
            if y == 0:
                raise Unsupported("division by zero", span)
            q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
            return q if op == "/" else x - q * y
        case "&":
            return x & y
        case "|":
            return x | y
        case "^":
            return x ^ y
        case "<<":
            return x << y
        case ">>":
            return x >> y
        case "<":
            return int(x < y)
        case ">":
            return int(x > y)
        case "<=":
            return int(x <= y)
        case ">=":
            return int(x >= y)
        case "&&":
            return int(bool(x) and bool(y))
        case "||":
            return int(bool(x) or bool(y))
    raise Unsupported(f"operator {op!r}", span)


class _Run:
    """One path of one thread: statements evaluated on a ThreadState."""

    def __init__(self, st: ThreadState) -> None:
        self.st = st
        self.iid = 0  # the po instance of the next event
        self.at: Span | None = None  # the statement or primitive running (events' span)

    # -- events ----------------------------------------------------------------------

    def location(self, addr: Val, span: Span) -> str:
        if isinstance(addr.v, Sym) and addr.v.offset == 0 and not addr.v.name.startswith("{"):
            return addr.v.name
        if addr.deps:  # a value read from memory that is no address: no such execution
            # Kept, to be reported when the thread is left with no execution at all; the
            # path's writes so far still tell what values memory can hold (BadAddress).
            self.st.program.__dict__.setdefault("bad_access", (addr.v, span))
            raise BadAddress()
        if isinstance(addr.v, int):
            raise UserError(f"access through the value {addr.v}, which is not a location "
                            "(is the pointer a parameter of the thread?)", span)
        raise Unsupported(f"access to {addr.v}, which is not a shared location", span)

    def emit(self, dir: str, loc: str | None, value: Value | None, tags: frozenset[str],
             addr: int = 0, data: int = 0, ctrl: bool = True) -> int:
        st = self.st
        idx = len(st.events)
        st.events.append(TraceEvent(dir, loc, value, tags, self.iid, 0, addr=addr, data=data,
                                    ctrl=st.ctrl if ctrl else 0, span=self.at))
        self.iid += 1
        return idx

    def read(self, addr: Val, tags: frozenset[str], span: Span,
             accept: Callable[[Value], bool] | None = None) -> Val:
        loc = self.location(addr, span)
        self.at = span
        values = self.st.oracle(loc)
        if accept is not None:
            values = [v for v in values if accept(v)]
        v = values[self.st.choose(len(values))]
        idx = self.emit(READ, loc, v, tags, addr=addr.deps)
        return Val(v, 1 << idx)

    def write(self, addr: Val, val: Val, tags: frozenset[str], span: Span) -> int:
        loc = self.location(addr, span)
        self.at = span
        return self.emit(WRITE, loc, val.v, tags, addr=addr.deps, data=val.deps)

    def fence(self, tag: str) -> None:
        self.emit(FENCE, None, None, frozenset((tag,)))

    # -- statements ---------------------------------------------------------------------

    def stmt(self, s: Stmt, loops: int = 0) -> None:
        st = self.st
        if not isinstance(s, Block):
            self.at = s.span
        if isinstance(s, Block):
            for x in s.body:
                self.stmt(x)
            return
        if isinstance(s, Decl):
            if s.init is not None:
                st.set(s.name, self.expr(s.init))
            return
        if isinstance(s, Assign):
            st.set(s.name, self.expr(s.value))
            return
        if isinstance(s, Store):
            addr = self.expr(s.addr)
            self.write(addr, self.expr(s.value), frozenset(), s.span)
            return
        if isinstance(s, ExprStmt):
            self.expr(s.expr, statement=True)
            return
        if isinstance(s, If):
            saved = st.ctrl
            if _truth(self.cond_ctrl(s.cond)):
                self.stmt(s.then)
            elif s.orelse is not None:
                self.stmt(s.orelse)
            st.ctrl = saved
            return
        if isinstance(s, While):
            saved = st.ctrl
            count = 0
            while True:
                if not _truth(self.cond_ctrl(s.cond)):
                    break
                if count >= UNROLL:
                    raise Cutoff()
                self.stmt(s.body)
                count += 1
            st.ctrl = saved
            return
        raise UserError(f"unknown statement {s!r}", None)  # pragma: no cover

    def cond_ctrl(self, cond: Expr) -> Value:
        """Evaluate a condition (its value returned); what follows depends on it by ``ctrl``."""
        st = self.st
        mark = len(st.events)
        v = self.expr(cond)
        mask = v.deps
        for k in range(mark, len(st.events)):
            e = st.events[k]
            if e.dir == READ and "LKR" not in e.tags:
                mask |= (1 << k) | e.addr
        st.ctrl |= mask
        self._cond_mask = mask
        return v.v

    _cond_mask = 0  # the ctrl sources of the condition evaluated last

    # -- expressions ---------------------------------------------------------------------

    def expr(self, e: Expr, statement: bool = False) -> Val:
        st = self.st
        if isinstance(e, Const):
            return Val(e.value)
        if isinstance(e, Var):
            return st.get(e.name)
        if isinstance(e, AddrOf):
            return Val(Sym(e.name))
        if isinstance(e, Deref):
            return self.read(self.expr(e.addr), frozenset(), e.span)
        if isinstance(e, UnOp):
            a = self.expr(e.arg)
            if e.op == "!":
                return Val(int(not _truth(a.v)), a.deps)
            x = _int(a.v, e.span, e.op)
            return Val(-x if e.op == "-" else ~x, a.deps)
        if isinstance(e, BinOp):
            if e.op in ("&&", "||"):  # short-circuit: the right operand is a branch
                saved = st.ctrl
                left = self.cond_ctrl(e.left)
                if _truth(left) == (e.op == "||"):
                    st.ctrl = saved
                    return Val(int(e.op == "||"), self._cond_mask)
                mask = self._cond_mask
                b = self.expr(e.right)
                st.ctrl = saved
                return Val(int(_truth(b.v)), mask | b.deps)
            m0 = len(st.events)
            a = self.expr(e.left)
            m1 = len(st.events)
            b = self.expr(e.right)
            m2 = len(st.events)
            if m1 - m0 == 1 and m2 - m1 == 1:  # operands evaluated in parallel
                st.events[m1] = replace(st.events[m1], instr=st.events[m0].instr)
            return Val(_binop(e.op, a.v, b.v, e.span), a.deps | b.deps)
        return self.call(e)

    def lvalue(self, e: Expr, name: str, span: Span) -> Val:
        """The address named by a primitive's lvalue argument ``*p``."""
        if not isinstance(e, Deref):
            raise UserError(f"{name} takes an lvalue like '*x' as its first argument", span)
        return self.expr(e.addr)

    def call(self, c: Call) -> Val:
        if handles(c.name):  # QEMU's and C11's primitives: their kernel equivalents
            c = as_kernel(c)
        name, args, span = c.name, c.args, c.span
        if name in _FENCES:
            self.fence(_FENCES[name])
            return Val(0)
        if name in _LOADS:
            tag, lv = _LOADS[name]
            addr = self.lvalue(args[0], name, span) if lv else self.expr(args[0])
            return self.read(addr, frozenset((tag,)), span)
        if name in _STORES:
            tag, lv = _STORES[name]
            addr = self.lvalue(args[0], name, span) if lv else self.expr(args[0])
            self.write(addr, self.expr(args[1]), frozenset((tag,)), span)
            if name == "smp_store_mb":
                self.fence("Mb")
            return Val(0)
        if name in ("synchronize_srcu", "synchronize_srcu_expedited"):
            addr = self.expr(args[0])
            loc = self.location(addr, span)
            self.emit(FENCE, loc, None, frozenset(("Sync-srcu",)), addr=addr.deps, ctrl=False)
            return Val(0)
        if name.startswith("spin_"):
            return self.lock(name, self.expr(args[0]), span)
        base, order = _split_order(name)
        if base in ("xchg", "atomic_xchg"):
            return self.xchg(self.expr(args[0]), self.expr(args[1]), order, span)
        if base in ("cmpxchg", "atomic_cmpxchg"):
            return self.cmpxchg(args, order, span)
        if base in ("atomic_add_unless", "atomic_fetch_add_unless"):
            return self.add_unless(args, base == "atomic_add_unless", span)
        if base.endswith("_and_test") or base == "atomic_add_negative":
            op = base.removeprefix("atomic_").removesuffix("_and_test").removesuffix("_negative")
            if op in ("inc", "dec"):
                target, arg = self.expr(args[0]), Val(1)
            else:
                arg, target = self.expr(args[0]), self.expr(args[1])
            _, new = self.atomic(target, "sub" if op == "dec" else op, arg, "mb", span)
            test = (new.v == 0) if base != "atomic_add_negative" else \
                _int(new.v, span, "<") < 0
            return Val(int(test), new.deps)
        return self.atomic_family(base, args, order, span)

    def atomic_family(self, base: str, args: tuple[Expr, ...], order: str, span: Span) -> Val:
        rest = base.removeprefix("atomic_")
        fetch = rest.startswith("fetch_")
        rest = rest.removeprefix("fetch_")
        ret = rest.endswith("_return")
        op = rest.removesuffix("_return")
        if op in ("inc", "dec"):
            loc, arg = self.expr(args[0]), Val(1)
        else:
            arg, loc = self.expr(args[0]), self.expr(args[1])
        if not (fetch or ret):  # atomic_add(v, p): no value, no ordering
            r = self.read(loc, frozenset(("Noreturn", "RMW")), span)
            ridx = len(self.st.events) - 1
            w = self.write(loc, self.compute(op, r, arg, span), frozenset(("Once", "RMW")), span)
            self.st.add_rmw(ridx, w)
            return Val(0)
        old, new = self.atomic(loc, op, arg, order, span)
        return old if fetch else new

    def compute(self, op: str, r: Val, arg: Val, span: Span) -> Val:
        """The value an RMW writes: ``op`` of what it read and ``arg``."""
        if op in ("add", "inc"):
            v = _binop("+", r.v, arg.v, span)
        elif op in ("sub", "dec"):
            v = _binop("-", r.v, arg.v, span)
        else:
            v = _OPS[op](_int(r.v, span, op), _int(arg.v, span, op))
        return Val(v, r.deps | arg.deps)

    def ordered_rmw(self, loc: Val, new_of: Callable[[Val], Val], order: str, span: Span,
                    accept: Callable[[Value], bool] | None = None) -> tuple[Val, Val]:
        """A read and a write of ``loc`` related by rmw, ordered as ``order`` says: between
        two ``F[Mb]`` when fully ordered (``mb``), else an acquire read or a release write
        (or neither, ``relaxed``).  ``new_of`` gives what it writes from what it read;
        returns (read, written)."""
        if order == "mb":
            self.fence("Mb")
        rt = "Acquire" if order == "acquire" else "Once"
        wt = "Release" if order == "release" else "Once"
        r = self.read(loc, frozenset((rt, "RMW")), span, accept)
        ridx = len(self.st.events) - 1
        new = new_of(r)
        w = self.write(loc, new, frozenset((wt, "RMW")), span)
        self.st.add_rmw(ridx, w)
        if order == "mb":
            self.fence("Mb")
        return r, new

    def atomic(self, loc: Val, op: str, arg: Val, order: str, span: Span) -> tuple[Val, Val]:
        """An RMW returning (old, new), ordered as ``order`` says."""
        r, new = self.ordered_rmw(loc, lambda r: self.compute(op, r, arg, span), order, span)
        return r, Val(new.v, new.deps)

    def xchg(self, loc: Val, val: Val, order: str, span: Span) -> Val:
        return self.ordered_rmw(loc, lambda _: val, order, span)[0]

    def cmpxchg(self, args: tuple[Expr, ...], order: str, span: Span) -> Val:
        loc = self.expr(args[0])
        old = self.expr(args[1])
        new = self.expr(args[2])
        ok = self.st.choose(2) == 0
        if not ok:  # failure: a lone read of a value other than 'old', no fences
            return self.read(loc, frozenset(("Once", "RMW")), span, lambda v: v != old.v)
        return self.ordered_rmw(loc, lambda _: new, order, span, lambda v: v == old.v)[0]

    def add_unless(self, args: tuple[Expr, ...], retbool: bool, span: Span) -> Val:
        loc = self.expr(args[0])
        a = self.expr(args[1])
        u = self.expr(args[2])
        ok = self.st.choose(2) == 0
        tags = frozenset(("Once", "RMW"))
        if not ok:
            r = self.read(loc, tags, span, lambda v: v == u.v)
            return Val(0) if retbool else r
        self.fence("Mb")
        r = self.read(loc, tags, span, lambda v: v != u.v)
        ridx = len(self.st.events) - 1
        w = self.write(loc, self.compute("add", r, a, span), tags, span)
        self.st.add_rmw(ridx, w)
        self.fence("Mb")
        return Val(1) if retbool else r

    def lock(self, name: str, addr: Val, span: Span) -> Val:
        loc = self.location(addr, span)
        if name == "spin_unlock":
            self.emit(WRITE, loc, 0, frozenset(("UL",)), addr=addr.deps)
            return Val(0)
        if name == "spin_is_locked":
            held = self.st.choose(2) == 0
            self.read(addr, frozenset(("RL" if held else "RU",)), span,
                      lambda v: v == (1 if held else 0))
            return Val(int(held))
        if name == "spin_trylock" and self.st.choose(2) == 1:
            self.read(addr, frozenset(("LF",)), span, lambda v: v == 1)
            return Val(0)
        self.read(addr, frozenset(("LKR",)), span, lambda v: v == 0)
        ridx = len(self.st.events) - 1
        w = self.emit(WRITE, loc, 1, frozenset(("LKW",)), addr=addr.deps)
        self.st.add_rmw(ridx, w)
        return Val(1)


class _ThreadCode(Record):
    """A whole C thread as the runner's one instruction."""

    __slots__ = ("thread", "span", "text")

    thread: CThread
    span: Span
    text: str

    def __init__(self, thread: CThread, span: Span, text: str) -> None:
        self.thread = thread
        self.span = span
        self.text = text

    def execute(self, st: ThreadState) -> str | None:
        _Run(st).stmt(self.thread.body)
        return None


class CDialect(Record):
    __slots__ = ("arch", "default_model", "models")

    arch: str
    default_model: str
    models: tuple[str, ...]

    def __init__(self, arch: str, default_model: str, models: tuple[str, ...]) -> None:
        self.arch = arch
        self.default_model = default_model
        self.models = models

    def canon_reg(self, name: str) -> str | None:
        return name if name.isidentifier() else None

    def compile(self, test: Litmus, thread: int, cells: tuple[Cell, ...]) -> Program:
        assert test.program is not None
        th = test.program.threads[thread]
        init_regs: dict[str, Value] = {p.name: Sym(p.name) for p in th.params}
        for loc, val in test.init:
            if isinstance(loc, Reg) and loc.thread == thread:
                init_regs[loc.name] = val
        return Program(thread, [_ThreadCode(th, th.span, f"P{thread}")], {}, init_regs)


C_DIALECT = CDialect("C", "lkmm", ("sc", "lkmm", "x86tso", "armv8"))
