"""Code generation shared by the back ends: statements, conditions, register allocation,
and the filling of a mapping's instruction templates.

A mapping gives each primitive a list of templates such as ``"LDAR {d},[{p}]"``.  The
names in braces are filled here:

- ``{p}`` the address register (AArch64) or memory operand (x86) of the location;
- ``{v}`` the value operand, ``{o}`` and ``{n}`` the old and new values of a
  compare-and-swap, always in registers;
- ``{vi}`` the value as an immediate if it is a constant, else its register;
- ``{d}`` the register that receives the result (the C local, or a scratch register);
- ``{t}``, ``{t2}``, ``{t3}`` scratch registers; ``{s}`` a store-exclusive status
  register, which the compiled test's ``filter`` requires to be 0 (the retry loop
  assumed to succeed, MAPPINGS.md section 9);
- ``{L}`` a fresh label (``{L}:`` on its own is a label cell).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mmcheck.compile.ir import (
    Assign,
    Bin,
    Call,
    Const,
    Deref,
    Do,
    Expr,
    If,
    Local,
    Stmt,
    Store,
    Thread,
    Unary,
    Var,
)
from mmcheck.compile.options import Options as Options
from mmcheck.compile.prims import ORDERS, Prim, lookup
from mmcheck.errors import Span, Unsupported
from mmcheck.record import Record


class Opnd(Record):
    """An operand as the back end prints it: a register (``W3``, ``%ebx``) or an
    immediate (``#1``, ``$1``)."""

    __slots__ = ("text", "reg", "imm")

    text: str
    reg: str | None  # canonical register name for the condition (X3, rbx)
    imm: int | None

    def __init__(self, text: str, reg: str | None = None, imm: int | None = None) -> None:
        self.text = text
        self.reg = reg
        self.imm = imm


# A mapping: (generator, primitive, C11 order or the family's) -> templates.
Mapping = Callable[["Gen", Prim, str], list[str]]


class Gen:
    """One thread's code: cells (instructions, labels, comments), registers, init."""

    arch = ""
    always_wide = False  # every value in a 64-bit register (x86: herd7 keeps -1 as -1 there)
    comment_open, comment_close = "(*", "*)"

    def __init__(self, thread: Thread, options: Options, pointer_vars: frozenset[str],
                 mappings: dict[str, Mapping]) -> None:
        self.thread = thread
        self.options = options
        self.pointer_vars = pointer_vars
        self.mappings = mappings
        self.cells: list[str] = []
        self.init: list[tuple[str, str]] = []  # register -> address of a variable
        self.status: list[str] = []  # status registers that must end 0
        self.local_regs: dict[str, int] = {}
        self.used: set[int] = set()
        self.labels = 0
        self.qemu = any(c.name.startswith("qatomic_") or c.name.endswith("_rmw")
                        for s in thread.body for c in _stmt_calls(s))
        self.used_prims: set[str] = set()

    # -- arch-specific pieces (overridden) --------------------------------------------

    def reg_count(self) -> int:
        raise NotImplementedError

    def reg_text(self, n: int, wide: bool) -> str:
        raise NotImplementedError

    def reg_canon(self, n: int) -> str:
        raise NotImplementedError

    def imm(self, v: int) -> Opnd:
        raise NotImplementedError

    def mov(self, dst: Opnd, src: Opnd) -> None:
        raise NotImplementedError

    def alu(self, op: str, dst: Opnd, a: Opnd, b: Opnd) -> None:
        raise NotImplementedError

    def branch_false(self, op: str, a: Opnd, b: Opnd, label: str) -> None:
        """Branch to ``label`` unless ``a op b`` (a comparison)."""
        raise NotImplementedError

    def branch_zero(self, a: Opnd, label: str, if_zero: bool) -> None:
        raise NotImplementedError

    def jump(self, label: str) -> None:
        raise NotImplementedError

    def mem(self, addr: Expr) -> str:
        """The ``{p}`` text for a location given by its address."""
        raise NotImplementedError

    def plain_load(self, dst: Opnd, addr: Expr) -> None:
        raise NotImplementedError

    def plain_store(self, addr: Expr, val: Expr) -> None:
        raise NotImplementedError

    def compare_value(self, op: str, dst: Opnd, a: Opnd, b: Opnd) -> None:
        raise Unsupported(f"a comparison used as a value ({op}) on {self.arch}")

    # -- registers ------------------------------------------------------------------

    def reserve_locals(self, names: list[str]) -> None:
        """Locals named ``rN`` keep the number N where the machine has it."""
        for name in names:
            m = re.fullmatch(r"r(\d+)", name)
            if m and int(m.group(1)) < self.reg_count() and int(m.group(1)) not in self.used \
                    and self.free_ok(int(m.group(1))):
                self.local_regs[name] = int(m.group(1))
                self.used.add(int(m.group(1)))
        for name in names:
            if name not in self.local_regs:
                self.local_regs[name] = self.fresh_number()

    def free_ok(self, n: int) -> bool:
        return True

    def fresh_number(self) -> int:
        for n in range(self.reg_count()):
            if n not in self.used and self.free_ok(n):
                self.used.add(n)
                return n
        raise Unsupported(f"thread {self.thread.name} needs more registers than {self.arch} has")

    def fresh(self, wide: bool = False) -> Opnd:
        n = self.fresh_number()
        return Opnd(self.reg_text(n, wide), self.reg_canon(n))

    def local(self, name: str) -> Opnd:
        if name not in self.local_regs:
            self.local_regs[name] = self.fresh_number()
        n = self.local_regs[name]
        return Opnd(self.reg_text(n, name in self.thread.pointer_locals), self.reg_canon(n))

    def label(self, kind: str) -> str:
        self.labels += 1
        return f"L{self.thread.index}{kind}{self.labels}"

    def emit(self, text: str) -> None:
        self.cells.append(text)

    def comment(self, text: str) -> None:
        text = " ".join(text.split())
        text = text.replace("(*", "( *").replace("*)", "* )")
        self.cells.append(f"{self.comment_open} {text} {self.comment_close}")

    # -- statements -----------------------------------------------------------------

    def statements(self, body: tuple[Stmt, ...]) -> None:
        for s in body:
            self.statement(s)

    def statement(self, s: Stmt) -> None:
        if isinstance(s, If):
            self.comment(s.text)
            orelse = self.label("else") if s.orelse else None
            end = self.label("end")
            self.condition(s.cond, orelse or end)
            self.statements(s.then)
            if orelse is not None:
                self.jump(end)
                self.emit(f"{orelse}:")
                self.comment("else")
                self.statements(s.orelse)
            self.emit(f"{end}:")
            return
        self.comment(s.text)
        if isinstance(s, Assign):
            self.into(s.expr, self.local(s.local))
        elif isinstance(s, Store):
            self.plain_store(s.target, s.expr)
        elif isinstance(s, Do):
            if isinstance(s.expr, Call):
                self.call(s.expr, None)
            else:
                self.value(s.expr)

    def condition(self, e: Expr, false_label: str) -> None:
        """Code that falls through when ``e`` holds and branches to ``false_label``
        when it does not: a real compare-and-branch, so a control dependency."""
        if isinstance(e, Unary) and e.op == "!":
            true_label = self.label("then")
            self.condition(e.arg, true_label)
            self.jump(false_label)
            self.emit(f"{true_label}:")
            return
        if isinstance(e, Bin) and e.op == "&&":
            self.condition(e.left, false_label)
            self.condition(e.right, false_label)
            return
        if isinstance(e, Bin) and e.op == "||":
            right = self.label("or")
            true_label = self.label("then")
            self.condition(e.left, right)
            self.jump(true_label)
            self.emit(f"{right}:")
            self.condition(e.right, false_label)
            self.emit(f"{true_label}:")
            return
        if isinstance(e, Bin) and e.op in ("==", "!=", "<", "<=", ">", ">="):
            a = self.reg_value(e.left)
            b = self.value(e.right)
            self.branch_false(e.op, a, b, false_label)
            return
        self.branch_zero(self.reg_value(e), false_label, if_zero=True)

    # -- expressions ----------------------------------------------------------------

    def value(self, e: Expr) -> Opnd:
        """An operand holding ``e`` (an immediate for a constant)."""
        if isinstance(e, Const):
            return self.imm(e.value)
        if isinstance(e, Local):
            return self.local(e.name)
        dst = self.fresh(wide=self.is_pointer(e))
        self.into(e, dst)
        return dst

    def reg_value(self, e: Expr) -> Opnd:
        v = self.value(e)
        if v.reg is not None:
            return v
        dst = self.fresh()
        self.mov(dst, v)
        return dst

    def is_pointer(self, e: Expr) -> bool:
        if isinstance(e, Var):
            return True
        if isinstance(e, Local):
            return e.name in self.thread.pointer_locals
        if isinstance(e, Deref):
            return isinstance(e.arg, Var) and e.arg.name in self.pointer_vars
        if isinstance(e, Call):
            p = lookup(e.name, self.qemu)
            if p is not None and p.kind == "load" and e.args:
                loc = e.args[0].arg if p.args[0] == "l" and isinstance(e.args[0], Deref) \
                    else e.args[0]
                return isinstance(loc, Var) and loc.name in self.pointer_vars
        return False

    def into(self, e: Expr, dst: Opnd) -> None:
        if isinstance(e, Call):
            self.call(e, dst)
        elif isinstance(e, Const | Local):
            self.mov(dst, self.value(e))
        elif isinstance(e, Var):
            self.address_into(e.name, dst)
        elif isinstance(e, Deref):
            self.plain_load(dst, e.arg)
        elif isinstance(e, Bin):
            if e.op in ("==", "!=", "<", "<=", ">", ">="):
                self.compare_value(e.op, dst, self.reg_value(e.left), self.value(e.right))
            elif e.op in ("&&", "||"):
                raise Unsupported(f"'{e.op}' used as a value (only in an if's condition)")
            else:
                self.alu(e.op, dst, self.reg_value(e.left), self.value(e.right))
        elif isinstance(e, Unary):
            if e.op == "-":
                self.alu("-", dst, self.reg_value(Const(0)), self.value(e.arg))
            elif e.op == "~":
                self.alu("^", dst, self.reg_value(e.arg), self.imm(-1))
            elif e.op == "!":
                self.compare_value("==", dst, self.reg_value(e.arg), self.imm(0))
            else:
                raise Unsupported(f"operator '{e.op}'")

    def address_into(self, var: str, dst: Opnd) -> None:
        raise Unsupported(f"the address of {var} as a value on {self.arch}")

    # -- primitives ------------------------------------------------------------------

    def call(self, c: Call, dst: Opnd | None) -> None:
        p = lookup(c.name, self.qemu)
        if p is None:
            raise Unsupported(f"primitive {c.name} has no mapping", c.span)
        if p.kind == "unsupported":
            raise Unsupported(f"{c.name}: {p.reason}", c.span)
        if len(c.args) != len(p.args):
            raise Unsupported(f"{c.name} takes {len(p.args)} arguments, found {len(c.args)}",
                              c.span)
        self.used_prims.add(c.name)
        fields: dict[str, str] = {}
        order = p.order
        values: list[Expr] = []
        loc: Expr | None = None
        for role, arg in zip(p.args, c.args, strict=True):
            if role == "l":
                if not isinstance(arg, Deref):
                    raise Unsupported(f"{c.name} takes an lvalue such as *x", c.span)
                loc = arg.arg
            elif role == "p":
                loc = arg.arg if isinstance(arg, Unary) and arg.op == "&" else arg
            elif role == "o":
                if not isinstance(arg, Var) or arg.name not in ORDERS:
                    raise Unsupported(f"{c.name}: the memory order must be a memory_order_* "
                                      "constant", c.span)
                order = ORDERS[arg.name]
            else:
                values.append(arg)
        if p.kind == "rmw" and not values and p.op in ("add", "sub"):
            values.append(Const(1))  # atomic_inc(p), qatomic_dec(p)...: by one
        if loc is not None:
            fields["p"] = self.mem(loc)
        mapping = self.mappings.get(p.family)
        if mapping is None:
            raise Unsupported(f"no {p.family} mapping on {self.arch}", c.span)
        try:
            templates = mapping(self, p, order)
        except Unsupported as exc:
            raise Unsupported(f"{c.name}: {exc.message}", c.span) from None
        text = "\n".join(templates)
        if p.op == "cas":
            fields["o"] = self.reg_value(values[0]).text
            fields["n"] = self.reg_value(values[1]).text
        elif values:
            v = self.value(values[0])
            fields["vi"] = v.text
            if "{v}" in text:
                fields["v"] = self.reg_value(values[0]).text if v.reg is None else v.text
            if v.imm is not None:
                fields["k"] = str(v.imm)
                fields["nk"] = str(-v.imm)
        wide = self.always_wide or (loc is not None and self.is_pointer(Deref(loc)))
        fields["sz"] = "q" if wide else "l"
        fields["ax"] = "rax" if wide else "eax"
        if "{d}" in text:
            fields["d"] = (dst or self.fresh(wide)).text
        elif dst is not None and p.kind in ("load", "rmw"):
            raise Unsupported(f"{c.name} returns no value here", c.span)
        for name in ("t", "t2", "t3"):
            if "{" + name + "}" in text:
                fields[name] = self.fresh(wide).text
        if "{s}" in text:
            s = self.fresh()
            fields["s"] = s.text
            assert s.reg is not None
            self.status.append(s.reg)
        if "{L}" in text:
            fields["L"] = self.label("fail")
        for t in templates:
            self.emit(_fill(t, fields, c))


def _fill(template: str, fields: dict[str, str], c: Call) -> str:
    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        if key not in fields:
            raise Unsupported(f"{c.name}: this form needs an operand ({key}) it lacks", c.span)
        return fields[key]

    return re.sub(r"\{(\w+)\}", sub, template)


def _stmt_calls(s: Stmt) -> list[Call]:
    from mmcheck.compile.ir import stmt_calls

    return stmt_calls(s)


def span_of(s: Stmt) -> Span | None:
    return s.span
