"""The two back ends: AArch64 (herd's AArch64 dialect) and x86-64 (herd's X86_64 dialect,
AT&T syntax).  Each says how registers are named, how an expression or a branch is
written, and how a location is addressed."""

from __future__ import annotations

from mmcheck.compile.codegen import Gen, Opnd
from mmcheck.compile.ir import Expr, Local, Var
from mmcheck.errors import Unsupported

_A64_ALU = {"+": "ADD", "-": "SUB", "&": "AND", "|": "ORR", "^": "EOR", "*": "MUL",
            "<<": "LSL", ">>": "ASR"}
# The condition under which a comparison fails: where ``if`` branches to its else.
_A64_FALSE = {"==": "NE", "!=": "EQ", "<": "GE", "<=": "GT", ">": "LE", ">=": "LT"}
_A64_TRUE = {"==": "EQ", "!=": "NE", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE"}


class AArch64Gen(Gen):
    """Locals ``rN`` live in ``XN`` (``WN`` for an int); addresses in registers set by the
    init block (``0:X5=x``)."""

    arch = "AArch64"

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.addr_regs: dict[str, int] = {}

    def reg_count(self) -> int:
        return 29  # X0..X28: X29/X30 are the frame pointer and link register

    def reg_text(self, n: int, wide: bool) -> str:
        return f"{'X' if wide else 'W'}{n}"

    def reg_canon(self, n: int) -> str:
        return f"X{n}"

    def imm(self, v: int) -> Opnd:
        return Opnd(f"#{v}", imm=v)

    def address_reg(self, var: str) -> str:
        if var not in self.addr_regs:
            n = self.fresh_number()
            self.addr_regs[var] = n
            self.init.append((f"X{n}", var))
        return f"X{self.addr_regs[var]}"

    def mem(self, addr: Expr) -> str:
        if isinstance(addr, Var):
            return self.address_reg(addr.name)
        if isinstance(addr, Local):
            return f"X{self.local_regs.get(addr.name, -1)}" if addr.name in self.local_regs \
                else self.local(addr.name).text.replace("W", "X")
        reg = self.value(addr)
        if reg.reg is None:
            raise Unsupported("an address that is a constant")
        return reg.reg

    def value(self, e: Expr) -> Opnd:
        if isinstance(e, Var):
            return Opnd(self.address_reg(e.name), self.address_reg(e.name))
        return super().value(e)

    def address_into(self, var: str, dst: Opnd) -> None:
        self.emit(f"MOV {dst.text},{self.address_reg(var)}")

    def mov(self, dst: Opnd, src: Opnd) -> None:
        if src.text != dst.text:
            self.emit(f"MOV {dst.text},{_same_width(src, dst)}")

    def alu(self, op: str, dst: Opnd, a: Opnd, b: Opnd) -> None:
        if op not in _A64_ALU:
            raise Unsupported(f"operator '{op}' on AArch64")
        if op == "*" and b.reg is None:
            b = self._in_reg(b)
        self.emit(f"{_A64_ALU[op]} {dst.text},{_same_width(a, dst)},{_same_width(b, dst)}")

    def _in_reg(self, v: Opnd) -> Opnd:
        r = self.fresh()
        self.mov(r, v)
        return r

    def branch_false(self, op: str, a: Opnd, b: Opnd, label: str) -> None:
        self.emit(f"CMP {a.text},{_same_width(b, a)}")
        self.emit(f"B.{_A64_FALSE[op]} {label}")

    def compare_value(self, op: str, dst: Opnd, a: Opnd, b: Opnd) -> None:
        self.emit(f"CMP {a.text},{_same_width(b, a)}")
        self.emit(f"CSET {dst.text},{_A64_TRUE[op]}")

    def branch_zero(self, a: Opnd, label: str, if_zero: bool) -> None:
        self.emit(f"{'CBZ' if if_zero else 'CBNZ'} {a.text},{label}")

    def jump(self, label: str) -> None:
        self.emit(f"B {label}")

    def plain_load(self, dst: Opnd, addr: Expr) -> None:
        self.emit(f"LDR {dst.text},[{self.mem(addr)}]")

    def plain_store(self, addr: Expr, val: Expr) -> None:
        v = self.reg_value(val)
        self.emit(f"STR {v.text},[{self.mem(addr)}]")


def _same_width(src: Opnd, dst: Opnd) -> str:
    """A register operand in the destination's width (``W3`` beside a ``W`` destination)."""
    if src.reg is None:
        return src.text
    wide = dst.text.startswith("X")
    return ("X" if wide else "W") + src.text[1:]


# -- x86-64 ------------------------------------------------------------------------------

X64_REGS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12",
            "r13", "r14", "r15")
_X64_ALU = {"+": "add", "&": "and", "|": "or", "^": "xor", "<<": "shl"}
# A comparison's failure as herd7's X86_64 branches compute it (herd7 spells ``jg``
# ``jgt``; its ``jlt`` is left out: herd7 7.57 reads it as ZF or not SF).  ``>=`` fails
# when the operands, swapped, compare ``>``.
_X64_FALSE = {"==": "jne", "!=": "je", "<": "jge", "<=": "jgt", ">": "jle"}


class X86_64Gen(Gen):
    """Locals in ``rbx``, ``rcx``...; ``rax`` is kept for ``cmpxchg``.  Shared variables
    are addressed by name, ``(x)``."""

    arch = "X86_64"
    always_wide = True

    def reg_count(self) -> int:
        return len(X64_REGS)

    def free_ok(self, n: int) -> bool:
        return n != 0  # rax: cmpxchg's implicit operand

    def reserve_locals(self, names: list[str]) -> None:
        for name in names:
            if name not in self.local_regs:
                self.local_regs[name] = self.fresh_number()

    def reg_text(self, n: int, wide: bool) -> str:
        # 64-bit always: herd7 7.57 keeps a 32-bit register's value unmasked (movl $-1 leaves
        # -1), mmcheck zero-extends it as the hardware does; in 64 bits the two agree.
        return f"%{X64_REGS[n]}"

    def reg_canon(self, n: int) -> str:
        return X64_REGS[n]

    def imm(self, v: int) -> Opnd:
        return Opnd(f"${v}", imm=v)

    def mem(self, addr: Expr) -> str:
        if isinstance(addr, Var):
            return f"({addr.name})"
        if isinstance(addr, Local):
            n = self.local_regs.get(addr.name)
            if n is None:
                n = self.local_regs[addr.name] = self.fresh_number()
            return f"(%{X64_REGS[n]})"
        reg = self.value(addr)
        if reg.reg is None:
            raise Unsupported("an address that is a constant")
        return f"(%{reg.reg})"

    def address_reg(self, var: str) -> Opnd:
        """A register the init block sets to ``var``'s address (herd7's X86_64 has no
        address immediates)."""
        if not hasattr(self, "addr_regs"):
            self.addr_regs: dict[str, int] = {}
        if var not in self.addr_regs:
            n = self.fresh_number()
            self.addr_regs[var] = n
            self.init.append((X64_REGS[n], var))
        n = self.addr_regs[var]
        return Opnd(f"%{X64_REGS[n]}", X64_REGS[n])

    def value(self, e: Expr) -> Opnd:
        if isinstance(e, Var):
            return self.address_reg(e.name)
        return super().value(e)

    def address_into(self, var: str, dst: Opnd) -> None:
        self.mov(dst, self.address_reg(var))

    def _sz(self, o: Opnd) -> str:
        return "q" if o.text.startswith("%r") and not o.text.endswith("d") else "l"

    def mov(self, dst: Opnd, src: Opnd) -> None:
        if src.text != dst.text:
            self.emit(f"mov{self._sz(dst)} {src.text},{dst.text}")

    def alu(self, op: str, dst: Opnd, a: Opnd, b: Opnd) -> None:
        if op == "-" and b.imm is not None:
            op, b = "+", self.imm(-b.imm)
        if op not in _X64_ALU:
            raise Unsupported(f"operator '{op}' on x86 (herd7's X86_64 has no such "
                              "instruction)")
        if b.text == dst.text and a.text != dst.text:
            if op == "shl":
                raise Unsupported("a shift by a register on x86")
            a, b = b, a  # the operators above commute
        self.mov(dst, a)
        self.emit(f"{_X64_ALU[op]}{self._sz(dst)} {b.text},{dst.text}")

    def branch_false(self, op: str, a: Opnd, b: Opnd, label: str) -> None:
        if op == ">=":
            if b.reg is None:
                r = self.fresh(wide=self._sz(a) == "q")
                self.mov(r, b)
                b = r
            a, b, op = b, a, ">"
            self.emit(f"cmp{self._sz(a)} {b.text},{a.text}")
            self.emit(f"jgt {label}")
            return
        self.emit(f"cmp{self._sz(a)} {b.text},{a.text}")
        self.emit(f"{_X64_FALSE[op]} {label}")

    def branch_zero(self, a: Opnd, label: str, if_zero: bool) -> None:
        self.emit(f"cmp{self._sz(a)} $0,{a.text}")
        self.emit(f"{'je' if if_zero else 'jne'} {label}")

    def jump(self, label: str) -> None:
        self.emit(f"jmp {label}")

    def plain_load(self, dst: Opnd, addr: Expr) -> None:
        self.emit(f"mov{self._sz(dst)} {self.mem(addr)},{dst.text}")

    def plain_store(self, addr: Expr, val: Expr) -> None:
        v = self.value(val)
        self.emit(f"movq {v.text},{self.mem(addr)}")
