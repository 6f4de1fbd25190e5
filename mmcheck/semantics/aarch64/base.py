"""AArch64 steps: operand decoding, registers and addresses shared by every family."""

from __future__ import annotations

from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.litmus.aarch64 import (
    A64Instr,
    Imm,
    MemOp,
    Operand,
    RegOp,
    ShiftOp,
)
from mmcheck.litmus.ast import Sym, Value
from mmcheck.semantics.aarch64.values import (
    _TYPES,
    M32,
    M64,
    _alu,
    _mask,
    _sext,
)
from mmcheck.semantics.runner import ZERO, ThreadState, Val


class StepBase:
    """One AArch64 instruction, ready to run: operands, registers, addresses.
    ``scope``: "k:" for thread k's code run by another thread (a call into it)."""

    def __init__(self, ins: A64Instr, span: Span, text: str, scope: str = "") -> None:
        self.ins = ins
        self.span = span
        self.text = text
        self.scope = scope

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.text.strip()!r})"

    # -- helpers ------------------------------------------------------------------

    def err(self, msg: str, col: int | None = None, length: int = 1) -> UserError:
        if col is None:
            return UserError(msg, self.span)
        return UserError(msg, self.ins.at(col, length))

    def unsupported(self, msg: str) -> Unsupported:
        return Unsupported(f"{msg}: {self.text.strip()!r}", self.ins.at(self.ins.op_col,
                                                                          len(self.ins.op)))

    def args(self, *kinds: type | tuple[type, ...]) -> tuple[Operand, ...]:
        a = self.ins.args
        if self.__dict__.get("_checked") == kinds:  # the operands never change
            return a
        if len(a) != len(kinds):
            raise self.err(f"{self.ins.op} takes {len(kinds)} operand"
                           f"{'s' if len(kinds) != 1 else ''}, found {len(a)}",
                           self.ins.op_col, len(self.ins.op))
        for x, k in zip(a, kinds, strict=True):
            if not isinstance(x, k):
                raise self.err(f"unexpected operand for {self.ins.op}", x.col)
        self.__dict__["_checked"] = kinds
        return a

    def rd(self, st: ThreadState, r: RegOp) -> Val:
        name = r.name
        if name == "XZR":
            return Val(0)
        v = st.regs.get(name, ZERO)
        if r.width == 32:
            x = v.v
            if isinstance(x, int) and x & M32 != x:
                return type(v)(x & M32, v.deps, v.pick)
        return v

    def wr(self, st: ThreadState, r: RegOp, v: Val) -> None:
        name = r.name
        if name == "XZR":
            return
        x = v.v
        if isinstance(x, int):
            m = M64 if r.width == 64 else M32
            if x & m != x:
                v = type(v)(x & m, v.deps, v.pick)
        st.regs[name] = v

    def operand2(self, st: ThreadState, args: tuple[Operand, ...], width: int) -> Val:
        """The flexible second operand: ``#imm``, ``#imm, LSL #12``, ``Rm{, shift #n}``."""
        if not args:
            raise self.err(f"{self.ins.op}: missing operand", self.ins.op_col)
        x = args[0]
        shift = args[1] if len(args) > 1 else None
        if len(args) > 2:
            raise self.err("too many operands", args[2].col)
        if shift is not None and not isinstance(shift, ShiftOp):
            raise self.err("expected a shift", shift.col)
        if isinstance(x, Imm):
            v = x.value
            if shift is not None and isinstance(v, int):
                v = v << shift.amount
            if isinstance(v, int):
                v &= _mask(width)
            return Val(v)
        if isinstance(x, RegOp):
            val = self.rd(st, x)
            if shift is not None:
                return Val(self.extend(val.v, shift, width), val.deps, val.pick)
            return val
        raise self.err("expected a register or an immediate", x.col)

    def extend(self, v: Value, sh: ShiftOp, width: int) -> Value:
        if isinstance(v, Sym):
            if sh.amount == 0 and sh.kind in ("LSL", "UXTX", "SXTX"):
                return v
            raise Unsupported("shifting the address of a location", self.ins.at(sh.col))
        kind = sh.kind
        if kind in ("LSL", "LSR", "ASR", "ROR"):
            return _alu(kind.lower(), v, sh.amount, width, self.span)
        bits = {"B": 8, "H": 16, "W": 32, "X": 64}[kind[3]]
        if kind.startswith("S"):
            x = _sext(v, bits)
        else:
            x = v & ((1 << bits) - 1)
        return (x << sh.amount) & _mask(width)

    def address(self, st: ThreadState, m: MemOp, size: int) -> tuple[Val, Val]:
        """The accessed location (``size`` bytes) and the base register's value after
        writeback."""
        access, after = self.raw_address(st, m)
        return self.cell(st, access, size, m.col), after

    def raw_address(self, st: ThreadState, m: MemOp) -> tuple[Val, Val]:
        """The access address and the value the base register holds after writeback."""
        base = self.rd(st, m.base) if m.base.name != "SP" else st.get("SP")
        off: Val = Val(0)
        if isinstance(m.offset, Imm):
            off = Val(m.offset.value)
        elif isinstance(m.offset, RegOp):
            iv = self.rd(st, m.offset)
            if m.ext is not None:
                off = Val(self.extend(iv.v, m.ext, 64), iv.deps, iv.pick)
            elif m.offset.width == 32:
                raise self.err("a W register offset needs an extension (SXTW, UXTW)",
                               m.offset.col)
            else:
                off = iv
        if off.v == 0 and isinstance(base.v, Sym):  # the common case: [Xn], no offset
            total = Val(base.v, base.deps | off.deps, base.pick | off.pick)
        else:
            total = Val(_alu("add", base.v, off.v, 64, self.ins.at(m.col)),
                        base.deps | off.deps, base.pick | off.pick)
        if m.mode == "off":
            return total, base
        if m.mode == "pre":
            return total, total
        return base, total  # post-index: the access is at the base

    def cell(self, st: ThreadState, addr: Val, size: int, col: int) -> Val:
        """The location an access of ``size`` bytes at ``addr`` touches: a scalar
        location, or the cell of an array (``x+8`` in ``int64_t x[2]`` is ``x[1]``)."""
        a = addr.v
        if not isinstance(a, Sym):
            return addr  # the runner reports an access to a plain number
        if ":" in a.name:
            raise Unsupported(f"access to code at {a} (instructions as data)",
                              self.ins.at(col))
        arrays: dict[str, tuple[str, int]] = getattr(st.program, "arrays", {})
        arr = arrays.get(a.name)
        if arr is None:
            if a.offset:
                raise Unsupported(
                    f"access at {a}, {a.offset} bytes from the scalar location {a.name} "
                    "(mixed-size accesses are not modelled; herd7 runs them under its 'mixed' "
                    "variant)", self.ins.at(col))
            return addr
        where = self.ins.at(col)
        ty, n = arr
        es = _TYPES.get(ty, (32, True))[0] // 8
        k, rem = divmod(a.offset, es)
        if rem or size != es:
            raise Unsupported(
                f"{size}-byte access at {a} in {ty} {a.name}[{n}] (mixed-size accesses "
                "are not modelled; herd7 runs them under its 'mixed' variant)", where)
        if not 0 <= k < n:
            raise Unsupported(f"access at {a}, outside {a.name}[{n}]", where)
        return Val(Sym(f"{a.name}[{k}]"), addr.deps, addr.pick)

    def writeback(self, st: ThreadState, m: MemOp, after: Val) -> None:
        if m.mode != "off":
            self.wr(st, m.base, after)
