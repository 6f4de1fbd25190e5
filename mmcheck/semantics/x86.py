"""x86 semantics: instructions to events, for the X86 and X86_64 dialects.

Locked instructions (``XCHG`` with memory, ``LOCK``-prefixed read-modify-writes)
tag their read and write ``A`` (atomic) and ``X``, and relate them by ``rmw``.
Fences are events tagged ``MFENCE``, ``LFENCE`` or ``SFENCE``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.litmus.ast import Cell, Litmus, Reg, Sym, Value
from mmcheck.litmus.locations import c_type
from mmcheck.litmus.x86 import (
    Imm,
    MemOp,
    Operand,
    RegOp,
    X86Instr,
    canon_x64,
    canon_x86,
    parse_att,
    parse_intel,
    split_label,
)
from mmcheck.record import Record
from mmcheck.semantics.runner import Program, ThreadState, Val

ATOMIC = frozenset({"A", "X"})
FLAGS = "%flags"


def _mask(width: int, v: int) -> int:
    if width >= 64:
        return v
    m = (1 << width) - 1
    return v & m


def _arith(op: str, a: Value, b: Value, span: Span) -> Value:
    if isinstance(a, Sym) or isinstance(b, Sym):
        if op in ("add", "sub", "or", "xor") and b == 0:
            return a
        if op == "add" and a == 0:
            return b
        raise Unsupported(f"arithmetic on the address of a location ({op})", span)
    match op:
        case "add":
            return a + b
        case "sub":
            return a - b
        case "xor":
            return a ^ b
        case "or":
            return a | b
        case "and":
            return a & b
        case "shl" | "sal":
            return a << b
        case "shr" | "sar":
            return a >> b
    raise Unsupported(f"operation {op}", span)


def _compare(a: Value, b: Value) -> int:
    if isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    return 0 if a == b else 1


class Step:
    """One x86 instruction, ready to run."""

    def __init__(self, ins: X86Instr, span: Span, text: str) -> None:
        self.ins = ins
        self.span = span
        self.text = text

    def __repr__(self) -> str:
        return f"Step({self.text.strip()!r})"

    # -- operand access ---------------------------------------------------------

    def address(self, st: ThreadState, m: MemOp) -> Val:
        deps = Val(0)
        addr: Value = Sym(m.sym) if m.sym else 0
        if m.base is not None:
            b = st.get(m.base)
            addr = b.v
            deps = deps.with_deps(b)
        off = m.disp
        if m.index is not None:
            i = st.get(m.index)
            deps = deps.with_deps(i)
            if not isinstance(i.v, int):
                raise Unsupported("an address used as an index", self.span)
            off += i.v * m.scale
        if isinstance(addr, Sym):
            arrays: dict[str, tuple[str, int]] = getattr(st.program, "arrays", {})
            if addr.name in arrays:
                return Val(self.cell(addr.name, off + addr.offset, arrays[addr.name]),
                           deps.deps, deps.pick)
            if off:
                raise Unsupported(
                    f"access at offset {off} from {addr.name} (mixed-size accesses are not "
                    "modelled)",
                    self.span,
                )
        elif off:
            addr = addr + off
        return Val(addr, deps.deps, deps.pick)

    def cell(self, name: str, off: int, array: tuple[str, int]) -> Sym:
        """The cell ``off`` bytes into the array ``name`` (``t+8`` in ``int64_t t[2]``
        is ``t[1]``)."""
        ty, n = array
        bits = (c_type(ty) or (32, True))[0]
        k, rem = divmod(off, bits // 8)
        if rem or not 0 <= k < n:
            raise Unsupported(f"access at offset {off} in {ty} {name}[{n}] (outside its "
                              "cells or across them: mixed-size accesses are not modelled)",
                              self.span)
        return Sym(f"{name}[{k}]")

    def value(self, st: ThreadState, o: Operand | str, tags: frozenset[str] = frozenset()) -> Val:
        if isinstance(o, Imm):
            return Val(o.value)
        if isinstance(o, RegOp):
            return st.get(o.name)
        if isinstance(o, MemOp):
            v, _ = st.read(self.address(st, o), tags)
            return v
        raise UserError(f"expected an operand, found label {o!r}", self.span)

    def store(self, st: ThreadState, o: Operand | str, v: Val,
              tags: frozenset[str] = frozenset()) -> None:
        if isinstance(o, RegOp):
            if isinstance(v.v, int):
                v = Val(_mask(o.width, v.v), v.deps, v.pick)
            st.set(o.name, v)
        elif isinstance(o, MemOp):
            st.write(self.address(st, o), v, tags)
        else:
            raise UserError("cannot write to an immediate", self.span)

    # -- execution ------------------------------------------------------------------

    def execute(self, st: ThreadState) -> str | None:
        ins = self.ins
        op, args = ins.op, ins.args
        if op in ("nop", "endbr64", "nopl", "nopw"):
            return None
        if op in ("mfence", "lfence", "sfence"):
            self._arity(0)
            st.fence(frozenset({op.upper()}))
            return None
        if op == "ret":
            return "%end"
        if op == "jmp":
            self._arity(1)
            return str(args[0])
        if op in ("je", "jz", "jne", "jnz", "jl", "jg", "jgt", "jle", "jge"):
            self._arity(1)
            flags = st.get(FLAGS)
            st.branch_on(flags)
            c = flags.v if isinstance(flags.v, int) else 1
            taken = {
                "je": c == 0, "jz": c == 0, "jne": c != 0, "jnz": c != 0,
                "jl": c < 0, "jg": c > 0, "jgt": c > 0, "jle": c <= 0, "jge": c >= 0,
            }[op]
            return str(args[0]) if taken else None
        if op == "mov":
            self._arity(2)
            dst, src = args
            if isinstance(dst, MemOp) and isinstance(src, MemOp):
                raise UserError("mov cannot take two memory operands", self.span)
            self.store(st, dst, self.value(st, src))
            return None
        if op == "xchg":
            self._arity(2)
            a, b = args
            if isinstance(a, RegOp) and isinstance(b, RegOp):
                va, vb = st.get(a.name), st.get(b.name)
                st.set(a.name, vb)
                st.set(b.name, va)
                return None
            mem, reg = (a, b) if isinstance(a, MemOp) else (b, a)
            if not isinstance(mem, MemOp) or not isinstance(reg, RegOp):
                raise UserError("xchg takes a register and a register or memory operand",
                                self.span)
            addr = self.address(st, mem)
            old, ridx = st.read(addr, ATOMIC)
            widx = st.write(addr, st.get(reg.name), ATOMIC)
            st.add_rmw(ridx, widx)
            self.store(st, reg, old)
            return None
        if op in ("add", "sub", "xor", "or", "and", "shl", "shr", "sal", "sar"):
            self._arity(2)
            dst, src = args
            self._update(st, dst, lambda a: _arith(op, a.v, self.value(st, src).v, self.span),
                         src)
            return None
        if op in ("inc", "dec"):
            self._arity(1)
            step = "add" if op == "inc" else "sub"
            self._update(st, args[0], lambda a: _arith(step, a.v, 1, self.span), None)
            return None
        if op == "cmpxchg":
            self._cmpxchg(st)
            return None
        if op in ("cmp", "test"):
            self._arity(2)
            a, b = args
            va, vb = self.value(st, a), self.value(st, b)
            if op == "cmp":
                res = Val(_compare(va.v, vb.v), va.deps | vb.deps, va.pick | vb.pick)
            else:
                r = _arith("and", va.v, vb.v, self.span)
                res = Val(_compare(r, 0), va.deps | vb.deps, va.pick | vb.pick)
            st.set(FLAGS, res)
            return None
        raise Unsupported(f"instruction {op!r} has no semantics yet", self.span)

    def _cmpxchg(self, st: ThreadState) -> None:
        """``cmpxchg`` as herd7's X86_64Sem.ml has it: read the destination, compare it with
        the accumulator (ZF); if equal write the source there, else load it into the
        accumulator.  With ``lock`` the read (and the write, when it happens) are atomic and
        related by ``rmw``; a failed locked ``cmpxchg`` is a lone atomic read."""
        self._arity(2)
        dst, src = self.ins.args
        if isinstance(src, MemOp):  # herd7's X86_64 writes ``cmpxchgl (x),%ecx``
            dst, src = src, dst
        if not isinstance(dst, MemOp) or not isinstance(src, RegOp):
            raise UserError("cmpxchg takes a memory destination and a register", self.span)
        acc = "EAX" if src.name.isupper() else "rax"
        tags = ATOMIC if self.ins.locked else frozenset()
        addr = self.address(st, dst)
        old, ridx = st.read(addr, tags)
        expected = st.get(acc)
        equal = old.v == expected.v
        st.set(FLAGS, Val(0 if equal else 1, old.deps | expected.deps, old.pick | expected.pick))
        if equal:
            widx = st.write(addr, st.get(src.name), tags)
            if self.ins.locked:
                st.add_rmw(ridx, widx)
        else:
            st.set(acc, old)

    def _update(self, st: ThreadState, dst: Operand | str, f: Callable[[Val], Value],
                src: Operand | str | None) -> None:
        srcval = self.value(st, src) if src is not None and not isinstance(src, MemOp) else None
        if isinstance(dst, MemOp):
            tags = ATOMIC if self.ins.locked else frozenset()
            addr = self.address(st, dst)
            old, ridx = st.read(addr, tags)
            new = Val(f(old), old.deps | (srcval.deps if srcval else 0),
                      old.pick | (srcval.pick if srcval else 0))
            widx = st.write(addr, new, tags)
            if self.ins.locked:
                st.add_rmw(ridx, widx)
            return
        if self.ins.locked:
            raise UserError("LOCK needs a memory destination", self.span)
        cur = self.value(st, dst)
        new = Val(f(cur), cur.deps | (srcval.deps if srcval else 0),
                  cur.pick | (srcval.pick if srcval else 0))
        self.store(st, dst, new)

    def _arity(self, n: int) -> None:
        if len(self.ins.args) != n:
            raise UserError(
                f"{self.ins.op} takes {n} operand{'s' if n != 1 else ''}, "
                f"found {len(self.ins.args)}",
                self.span,
            )


class X86Dialect(Record):
    __slots__ = ("arch", "default_model", "models", "att")

    supports_arrays = True  # array cells t[i] as locations, read through t+offset

    arch: str
    default_model: str
    models: tuple[str, ...]
    att: bool

    def __init__(self, arch: str, default_model: str, models: tuple[str, ...], att: bool) -> None:
        self.arch = arch
        self.default_model = default_model
        self.models = models
        self.att = att

    def canon_reg(self, name: str) -> str | None:
        return canon_x64(name) if self.att else canon_x86(name)

    def compile(self, test: Litmus, thread: int, cells: tuple[Cell, ...]) -> Program:
        instrs: list[Step] = []
        labels: dict[str, int] = {}
        for cell in cells:
            label, rest = split_label(cell.text)
            if label is not None:
                if label in labels:
                    raise UserError(f"label {label!r} defined twice", cell.span)
                labels[label] = len(instrs)
                if not rest.strip():
                    continue
            span = cell.span
            if label is not None:
                span = Span(span.line, span.col + len(cell.text) - len(rest), span.text)
            ins = parse_att(rest, span) if self.att else parse_intel(rest, span)
            instrs.append(Step(ins, span, rest))
        labels["%end"] = len(instrs)
        for step in instrs:
            if step.ins.op.startswith("j"):
                target = str(step.ins.args[0]) if step.ins.args else ""
                if target not in labels:
                    raise UserError(f"branch to unknown label {target!r}", step.span)
        init_regs: dict[str, Value] = {}
        for loc, val in test.init:
            if isinstance(loc, Reg) and loc.thread == thread:
                init_regs[loc.name] = val
        prog = Program(thread, list(instrs), labels, init_regs)
        # Whether a read's value can decide anything (a jump, a move or set on a
        # condition, a compare-and-exchange): if not, no value unknown to it changes
        # what it writes.
        prog.decides = any(_DECIDES.search(i.text) for i in instrs)  # type: ignore[attr-defined]
        prog.arrays = {n: (ty, k) for n, ty, k in test.arrays}  # type: ignore[attr-defined]
        return prog


_DECIDES = re.compile(r"\b(?:J\w+|CMOV\w*|SET\w+|CMPXCHG\w*|LOOP\w*)\b", re.IGNORECASE)

INTEL = X86Dialect("X86", "x86tso", ("sc", "x86tso"), att=False)
ATT = X86Dialect("X86_64", "x86tso", ("sc", "x86tso"), att=True)
