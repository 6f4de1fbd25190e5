"""x86 instruction syntax: Intel (``X86`` tests) and AT&T (``X86_64`` tests).

Both parse to the same small AST; ``mmcheck.semantics.x86`` runs it.
"""

from __future__ import annotations

import re

from mmcheck.errors import Span, UserError
from mmcheck.litmus.ast import Sym
from mmcheck.litmus.split import split_top_level
from mmcheck.record import Record

# -- registers -----------------------------------------------------------------

X86_REGS = ("EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "ESP", "EBP")

_X64_FAMILIES = {
    "rax": ("rax", "eax", "ax", "al", "ah"),
    "rbx": ("rbx", "ebx", "bx", "bl", "bh"),
    "rcx": ("rcx", "ecx", "cx", "cl", "ch"),
    "rdx": ("rdx", "edx", "dx", "dl", "dh"),
    "rsi": ("rsi", "esi", "si", "sil"),
    "rdi": ("rdi", "edi", "di", "dil"),
    "rsp": ("rsp", "esp", "sp", "spl"),
    "rbp": ("rbp", "ebp", "bp", "bpl"),
    "rip": ("rip", "eip"),
}
for _i in range(8, 16):
    _X64_FAMILIES[f"r{_i}"] = (f"r{_i}", f"r{_i}d", f"r{_i}w", f"r{_i}b")
X64_ALIAS = {alias: canon for canon, aliases in _X64_FAMILIES.items() for alias in aliases}
X64_SEGMENTS = ("cs", "ds", "ss", "es", "fs", "gs")
for _s in X64_SEGMENTS:
    X64_ALIAS[_s] = _s
_X64_WIDTH = {}
for _canon, _aliases in _X64_FAMILIES.items():
    for _a in _aliases:
        _X64_WIDTH[_a] = (
            64 if _a == _canon else 32 if _a.startswith("e") or _a.endswith("d") else 16
        )


def canon_x86(name: str) -> str | None:
    up = name.upper()
    return up if up in X86_REGS else None


def canon_x64(name: str) -> str | None:
    return X64_ALIAS.get(name.lower())


# -- AST ---------------------------------------------------------------------------


class Imm(Record):
    __slots__ = ("value",)

    value: int | Sym

    def __init__(self, value: int | Sym) -> None:
        self.value = value


class RegOp(Record):
    __slots__ = ("name", "width")

    name: str  # canonical
    width: int

    def __init__(self, name: str, width: int = 64) -> None:
        self.name = name
        self.width = width


class MemOp(Record):
    """``[x]``, ``(x)``, ``(%rax)``, ``8(%rax,%rbx,4)``: base + index*scale + disp."""

    __slots__ = ("sym", "base", "index", "scale", "disp")

    sym: str | None
    base: str | None
    index: str | None
    scale: int
    disp: int

    def __init__(
        self,
        sym: str | None,
        base: str | None,
        index: str | None,
        scale: int,
        disp: int,
    ) -> None:
        self.sym = sym
        self.base = base
        self.index = index
        self.scale = scale
        self.disp = disp


Operand = Imm | RegOp | MemOp


class X86Instr(Record):
    __slots__ = ("op", "args", "locked", "text", "span")

    op: str  # lower-case mnemonic without size suffix
    args: tuple[Operand | str, ...]  # a str is a branch label
    locked: bool
    text: str
    span: Span

    def __init__(
        self,
        op: str,
        args: tuple[Operand | str, ...],
        locked: bool,
        text: str,
        span: Span,
    ) -> None:
        self.op = op
        self.args = args
        self.locked = locked
        self.text = text
        self.span = span


# -- Intel syntax ---------------------------------------------------------------------

_INTEL_OPS = {
    "mov", "xchg", "mfence", "lfence", "sfence", "add", "sub", "xor", "or", "and",
    "cmp", "inc", "dec", "jmp", "je", "jne", "jz", "jnz", "nop", "xadd", "cmpxchg",
}
_ATT_OPS = _INTEL_OPS | {"shl", "shr", "sal", "sar", "ret", "endbr64", "nopl", "nopw", "jl", "jg",
                         "jgt", "jle", "jge", "neg", "not", "lea", "test"}
_LABEL = re.compile(r"([A-Za-z_][\w.]*)\s*:(?!\S*\()\s*")


def split_label(text: str) -> tuple[str | None, str]:
    m = _LABEL.match(text)
    if m and not re.match(r"\d", text):
        return m.group(1), text[m.end():]
    return None, text


def _error(msg: str, span: Span, text: str, at: str = "") -> UserError:
    col = span.col
    if at:
        k = text.find(at)
        if k >= 0:
            col = span.col + k
    return UserError(msg, Span(span.line, col, span.text, max(1, len(at) or 1)))


def _int(text: str) -> int | None:
    t = text.strip()
    if re.fullmatch(r"[+-]?0x[0-9a-fA-F]+", t):
        return int(t, 16)
    if re.fullmatch(r"[+-]?\d+", t):
        return int(t, 10)
    return None


def parse_intel(text: str, span: Span) -> X86Instr:
    body = text.strip()
    locked = False
    if re.match(r"(?i)lock\s+", body):
        locked = True
        body = re.sub(r"(?i)^lock\s+", "", body)
    m = re.match(r"([A-Za-z]+)\s*(.*)$", body)
    if m is None:
        raise _error(f"cannot read instruction {text!r}", span, text)
    op = m.group(1).lower()
    if op not in _INTEL_OPS:
        raise _error(f"unknown X86 instruction {m.group(1)!r}", span, text, m.group(1))
    args: list[Operand | str] = []
    for a in split_top_level(m.group(2)):
        if op in ("jmp", "je", "jne", "jz", "jnz"):
            args.append(a)
            continue
        args.append(_intel_operand(a, span, text))
    return X86Instr(op, tuple(args), locked, text, span)


def _intel_operand(a: str, span: Span, text: str) -> Operand:
    if a.startswith("$"):
        v = _int(a[1:])
        if v is None:
            name = a[1:].strip()
            if re.fullmatch(r"[A-Za-z_]\w*", name):
                return Imm(Sym(name))
            raise _error(f"bad immediate {a!r}", span, text, a)
        return Imm(v)
    if a.startswith("[") and a.endswith("]"):
        inner = a[1:-1].strip()
        if re.fullmatch(r"[A-Za-z_]\w*", inner):
            reg = canon_x86(inner)
            if reg is not None:
                return MemOp(None, reg, None, 1, 0)
            return MemOp(inner, None, None, 1, 0)
        raise _error(f"unsupported addressing mode {a!r}", span, text, a)
    reg = canon_x86(a)
    if reg is not None:
        return RegOp(reg, 32)
    v = _int(a)
    if v is not None:
        return Imm(v)
    if a.startswith("%") or a.startswith("("):
        raise _error(
            f"bad operand {a!r}: this is AT&T syntax, but an X86 test uses Intel syntax "
            "(EAX, [x], $1; or make the test X86_64)",
            span, text, a,
        )
    if re.fullmatch(r"[A-Za-z_]\w*", a):
        raise _error(
            f"unknown X86 register {a!r} (registers: {', '.join(X86_REGS)}; "
            "write a memory location as [x])",
            span, text, a,
        )
    raise _error(f"bad operand {a!r}: expected a register, [location] or $value", span, text, a)


# -- AT&T syntax --------------------------------------------------------------------

_MEM_ATT = re.compile(
    r"^(?:%(?P<seg>[a-z]s)\s*:\s*)?(?P<disp>[+-]?(?:0x[0-9a-fA-F]+|\d+))?\s*"
    r"\(\s*(?P<base>%?[A-Za-z_]\w*)?\s*(?:,\s*(?P<index>%[A-Za-z]\w*)?\s*(?:,\s*(?P<scale>\d+))?)?\s*\)$"
)


def parse_att(text: str, span: Span) -> X86Instr:
    body = text.strip()
    locked = False
    if re.match(r"(?i)lock\s+", body):
        locked = True
        body = re.sub(r"(?i)^lock\s+", "", body)
    m = re.match(r"([A-Za-z][A-Za-z0-9]*)\s*(.*)$", body)
    if m is None:
        raise _error(f"cannot read instruction {text!r}", span, text)
    word = m.group(1).lower()
    op = word
    if op not in _ATT_OPS and op[:-1] in _ATT_OPS and op[-1] in "bwlq":
        op = op[:-1]
    if op not in _ATT_OPS:
        raise _error(f"unknown X86_64 instruction {m.group(1)!r}", span, text, m.group(1))
    raw = split_top_level(m.group(2))
    args: list[Operand | str] = []
    if op.startswith("j"):
        args = list(raw)
    else:
        ops = [_att_operand(a, span, text) for a in raw]
        args = list(reversed(ops))  # AT&T is source, destination: store as Intel order
    return X86Instr(op, tuple(args), locked, text, span)


def _att_operand(a: str, span: Span, text: str) -> Operand:
    if a.startswith("$"):
        v = _int(a[1:])
        if v is None:
            name = a[1:].strip()
            if re.fullmatch(r"[A-Za-z_]\w*", name):
                return Imm(Sym(name))
            raise _error(f"bad immediate {a!r}", span, text, a)
        return Imm(v)
    if a.startswith("%") and "(" not in a:
        reg = canon_x64(a[1:])
        if reg is None:
            raise _error(f"unknown X86_64 register {a!r}", span, text, a)
        return RegOp(reg, _X64_WIDTH.get(a[1:].lower(), 64))
    m = _MEM_ATT.match(a)
    if m:
        base = m.group("base")
        disp = _int(m.group("disp") or "0") or 0
        index = m.group("index")
        scale = int(m.group("scale") or 1)
        idx = None
        if index is not None:
            idx = canon_x64(index[1:])
            if idx is None:
                raise _error(f"unknown X86_64 register {index!r}", span, text, index)
        if base is None:
            return MemOp(None, None, idx, scale, disp)
        if base.startswith("%"):
            b = canon_x64(base[1:])
            if b is None:
                raise _error(f"unknown X86_64 register {base!r}", span, text, base)
            return MemOp(None, b, idx, scale, disp)
        return MemOp(base, None, idx, scale, disp)
    v = _int(a)
    if v is not None:
        return Imm(v)
    raise _error(f"bad operand {a!r}", span, text, a)
