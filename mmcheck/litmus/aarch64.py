"""AArch64 instruction syntax (herd7's dialect): one instruction text to a small AST.

``mmcheck.semantics.aarch64`` runs the AST.  Errors point at the offending token:
an unknown mnemonic, a bad register, a malformed operand.
"""

from __future__ import annotations

import re

from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.litmus.ast import Sym
from mmcheck.record import Record

# -- registers ------------------------------------------------------------------

_GPR = re.compile(r"(?i)([WX])(\d+)$")


def canon_reg(name: str) -> str | None:
    """``W3``/``X3``/``x3`` -> ``X3``; ``XZR``/``WZR`` -> ``XZR``; ``SP``/``WSP`` -> ``SP``."""
    n = name.strip()
    m = _GPR.match(n)
    if m:
        k = int(m.group(2))
        return f"X{k}" if k <= 30 else None
    up = n.upper()
    if up in ("XZR", "WZR"):
        return "XZR"
    if up in ("SP", "WSP"):
        return "SP"
    return None


def reg_width(name: str) -> int:
    up = name.strip().upper()
    return 32 if up.startswith("W") else 64


# -- AST -------------------------------------------------------------------------


class RegOp(Record):
    __slots__ = ("name", "width", "col")

    name: str  # canonical: X0..X30, XZR, SP
    width: int  # 32 or 64
    col: int  # offset of the token in the instruction text

    def __init__(self, name: str, width: int, col: int) -> None:
        self.name = name
        self.width = width
        self.col = col


class Imm(Record):
    __slots__ = ("value", "col")

    value: int | Sym
    col: int

    def __init__(self, value: int | Sym, col: int) -> None:
        self.value = value
        self.col = col


class ShiftOp(Record):
    """``LSL #2``, ``SXTW``, ``UXTW #2``: a modifier of the previous operand."""

    __slots__ = ("kind", "amount", "col")

    kind: str  # LSL LSR ASR ROR UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX
    amount: int
    col: int

    def __init__(self, kind: str, amount: int, col: int) -> None:
        self.kind = kind
        self.amount = amount
        self.col = col


class MemOp(Record):
    """``[Xn]``, ``[Xn,#8]``, ``[Xn,Xm]``, ``[Xn,Wm,SXTW #2]``, ``[Xn,#8]!``, ``[Xn],#8``."""

    __slots__ = ("base", "offset", "ext", "mode", "col")

    base: RegOp
    offset: RegOp | Imm | None
    ext: ShiftOp | None
    mode: str  # "off" | "pre" | "post"
    col: int

    def __init__(
        self,
        base: RegOp,
        offset: RegOp | Imm | None,
        ext: ShiftOp | None,
        mode: str,
        col: int,
    ) -> None:
        self.base = base
        self.offset = offset
        self.ext = ext
        self.mode = mode
        self.col = col


class LabelOp(Record):
    __slots__ = ("name", "col")

    name: str
    col: int

    def __init__(self, name: str, col: int) -> None:
        self.name = name
        self.col = col


class WordOp(Record):
    """A bare word: a condition (EQ), a barrier option (ISH), a system register."""

    __slots__ = ("word", "col")

    word: str
    col: int

    def __init__(self, word: str, col: int) -> None:
        self.word = word
        self.col = col


Operand = RegOp | Imm | ShiftOp | MemOp | LabelOp | WordOp


class A64Instr(Record):
    __slots__ = ("op", "args", "text", "span", "op_col")

    op: str  # upper-case mnemonic, ``B.EQ`` kept whole
    args: tuple[Operand, ...]
    text: str
    span: Span
    op_col: int

    def __init__(
        self,
        op: str,
        args: tuple[Operand, ...],
        text: str,
        span: Span,
        op_col: int = 0,
    ) -> None:
        self.op = op
        self.args = args
        self.text = text
        self.span = span
        self.op_col = op_col

    def at(self, col: int, length: int = 1) -> Span:
        """The span of the token at ``col`` in the instruction text."""
        return Span(self.span.line, self.span.col + col, self.span.text, max(1, length))


# -- mnemonics -------------------------------------------------------------------

_SIZES = ("", "B", "H")
_LDST = {"LDR", "STR", "LDUR", "STUR", "LDRSW", "LDRSB", "LDRSH", "LDURSW", "LDURSB",
         "LDURSH", "LDAR", "LDAPR", "LDAPUR", "STLR", "STLUR", "LDXR", "LDAXR", "STXR",
         "STLXR", "LDP", "STP", "LDNP", "STNP", "LDXP", "LDAXP", "STXP", "STLXP", "LDPSW",
         "LDIAPP", "STILP", "LDLAR", "STLLR"}
_ATOMIC_OPS = ("SWP", "LDADD", "LDEOR", "LDSET", "LDCLR", "LDSMAX", "LDSMIN", "LDUMAX",
               "LDUMIN", "STADD", "STEOR", "STSET", "STCLR", "STSMAX", "STSMIN", "STUMAX",
               "STUMIN", "CAS", "CASP")
_ALU = {"MOV", "MOVZ", "MOVN", "MOVK", "MVN", "ADD", "ADDS", "SUB", "SUBS", "AND", "ANDS",
        "ORR", "ORN", "EOR", "EON", "BIC", "BICS", "CMP", "CMN", "TST", "NEG", "NEGS",
        "CSEL", "CSINC", "CSINV", "CSNEG", "CSET", "CSETM", "CINC", "CINV", "CNEG",
        "LSL", "LSR", "ASR", "ROR", "MUL", "SXTW", "SXTB", "SXTH", "UXTB", "UXTH",
        "ADR", "ABS", "UBFM", "SBFM", "UBFX", "SBFX", "REV", "REV16", "REV32", "REV64",
        "RBIT", "MADD", "MSUB", "SMADDL", "SMSUBL", "UMADDL", "UMSUBL", "SMULL", "UMULL",
        "SMNEGL", "UMNEGL", "UDIV", "SDIV", "CLZ", "CCMP", "CCMN", "ADC", "SBC"}
_CONTROL = {"B", "BL", "BR", "BLR", "RET", "CBZ", "CBNZ", "TBZ", "TBNZ", "NOP", "DMB",
            "DSB", "ISB", "UDF", "MSR", "MRS", "SVC", "HINT", "ERET", "HLT", "BRK"}
CONDS = ("EQ", "NE", "CS", "HS", "CC", "LO", "MI", "PL", "VS", "VC", "HI", "LS", "GE",
         "LT", "GT", "LE", "AL", "NV")


def known_mnemonic(op: str) -> bool:
    if op in _LDST or op in _ALU or op in _CONTROL:
        return True
    if op.startswith("B.") and op[2:] in CONDS:
        return True
    base = op
    for suf in ("AL", "A", "L", ""):
        for sz in _SIZES:
            if base.endswith(suf + sz) and base[: len(base) - len(suf + sz)] in _ATOMIC_OPS:
                return True
    for sz in ("B", "H"):
        if base.endswith(sz) and base[:-1] in _LDST:
            return True
    return False


# -- parsing ------------------------------------------------------------------------

_NUM = re.compile(r"[+-]?(?:0x[0-9a-fA-F]+|\d+)$")
_NAME = re.compile(r"[A-Za-z_][\w.]*$")
_DOT_NAME = re.compile(r"\.[A-Za-z_][\w.]*$")
_GLUED_SHIFT = re.compile(r"(?i)(LSL|LSR|ASR|ROR|[US]XT[BHWX])\s*(#.*)$")
_SHIFTS = {"LSL", "LSR", "ASR", "ROR", "UXTB", "UXTH", "UXTW", "UXTX", "SXTB", "SXTH",
           "SXTW", "SXTX"}


def _err(msg: str, span: Span, col: int, length: int = 1) -> UserError:
    return UserError(msg, Span(span.line, span.col + col, span.text, max(1, length)))


def _split_args(s: str, start: int) -> list[tuple[str, int]]:
    """Split on commas outside brackets; each piece with its column (stripped)."""
    out: list[tuple[str, int]] = []
    depth = 0
    cur_start = start
    cur = ""
    for i, ch in enumerate(s):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append((cur, cur_start))
            cur = ""
            cur_start = start + i + 1
        else:
            cur += ch
    out.append((cur, cur_start))
    res = []
    for text, col in out:
        lead = len(text) - len(text.lstrip())
        res.append((text.strip(), col + lead))
    if len(res) == 1 and not res[0][0]:
        return []
    return res


def _int(text: str) -> int | None:
    t = text.strip()
    if not _NUM.match(t):
        return None
    return int(t, 16) if "x" in t.lower() else int(t, 10)


# Parsed instructions by text: the same instructions recur across tests and threads, and
# an instruction's operands (columns relative to its text) do not depend on where it is.
_PARSED: dict[str, tuple[str, tuple[Operand, ...], int]] = {}


def parse_instr(text: str, span: Span) -> A64Instr:
    """Parse one instruction (no label)."""
    hit = _PARSED.get(text)
    if hit is not None:
        return A64Instr(hit[0], hit[1], text, span, hit[2])
    ins = _parse_instr(text, span)
    if len(_PARSED) < 8192:
        _PARSED[text] = (ins.op, ins.args, ins.op_col)
    return ins


def _parse_instr(text: str, span: Span) -> A64Instr:
    m = re.match(r"\s*([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z]+)?)", text)
    if m is None:
        raise _err(f"cannot read instruction {text.strip()!r}", span, 0,
                   len(text.strip()) or 1)
    word = m.group(1)
    op = word.upper()
    op_col = m.start(1)
    if not known_mnemonic(op):
        raise _err(f"unknown AArch64 instruction {word!r}", span, op_col, len(word))
    rest = text[m.end():]
    pieces = _split_args(rest, m.end())
    args: list[Operand] = []
    is_branch = op in ("B", "BL", "CBZ", "CBNZ", "TBZ", "TBNZ", "ADR") or op.startswith("B.")
    for k, (piece, col) in enumerate(pieces):
        if not piece:
            raise _err("missing operand", span, col)
        if is_branch and k == len(pieces) - 1 and not piece.startswith("#"):
            rel = re.fullmatch(r"\.\s*([+-])\s*(\d+)", piece)
            if rel is not None:  # '.+8': relative to this instruction, in bytes
                args.append(LabelOp(f".{rel.group(1)}{rel.group(2)}", col))
                continue
            if canon_reg(piece) is None and (_NAME.match(piece) or _DOT_NAME.match(piece)):
                args.append(LabelOp(piece, col))
                continue
        args.append(_operand(piece, col, span, args))
    # post-index: "[Xn],#8" -> one memory operand
    merged: list[Operand] = []
    for a in args:
        if isinstance(a, Imm) and merged and isinstance(merged[-1], MemOp) \
                and merged[-1].mode == "off" and merged[-1].offset is None:
            mo = merged[-1]
            merged[-1] = MemOp(mo.base, a, None, "post", mo.col)
            continue
        merged.append(a)
    return A64Instr(op, tuple(merged), text, span, op_col)


def _reg(piece: str, col: int, span: Span) -> RegOp:
    name = canon_reg(piece)
    if name is None and re.fullmatch(r"(?i)C(?:\d+|SP|ZR)", piece):
        raise Unsupported(f"Morello capability register {piece!r} (herd7 runs Morello "
                          "code only under its 'morello' variant)",
                          Span(span.line, span.col + col, span.text, len(piece)))
    if name is None:
        raise _err(f"{piece!r} is not an AArch64 register", span, col, len(piece))
    return RegOp(name, reg_width(piece), col)


def _imm(piece: str, col: int, span: Span) -> Imm:
    body = piece[1:].strip() if piece.startswith("#") else piece
    v = _int(body)
    if v is None:
        if _NAME.match(body):
            return Imm(Sym(body), col)
        raise _err(f"bad immediate {piece!r}", span, col, len(piece))
    return Imm(v, col)


def _operand(piece: str, col: int, span: Span, prev: list[Operand]) -> Operand:
    if piece.startswith("["):
        return _mem(piece, col, span)
    if piece.startswith("#"):
        return _imm(piece, col, span)
    words = piece.split()
    glued = _GLUED_SHIFT.match(piece)
    if glued is not None:  # 'LSL#2'
        words = [glued.group(1), glued.group(2)]
    head = words[0].upper()
    if head in _SHIFTS and (len(words) > 1 or head.startswith(("UXT", "SXT"))):
        amount = 0
        if len(words) > 1:
            amt = " ".join(words[1:])
            v = _int(amt[1:] if amt.startswith("#") else amt)
            if v is None:
                raise _err(f"bad shift amount {amt!r}", span, col + piece.find(words[1]),
                           len(amt))
            amount = v
        return ShiftOp(head, amount, col)
    if len(words) > 1:
        raise _err(f"bad operand {piece!r}", span, col, len(piece))
    if canon_reg(piece) is not None:
        return _reg(piece, col, span)
    v = _int(piece)
    if v is not None:
        return Imm(v, col)
    if _GPR.match(piece) or re.match(r"(?i)[WX]\d+$", piece):
        raise _err(f"{piece!r} is not an AArch64 register", span, col, len(piece))
    if _NAME.match(piece):
        return WordOp(piece.upper(), col)
    raise _err(f"bad operand {piece!r}", span, col, len(piece))


def _mem(piece: str, col: int, span: Span) -> MemOp:
    close = piece.find("]")
    if close < 0:
        raise _err(f"missing ']' in {piece!r}", span, col, len(piece))
    tail = piece[close + 1:].strip()
    mode = "off"
    if tail == "!":
        mode = "pre"
    elif tail:
        raise _err(f"unexpected {tail!r} after memory operand", span,
                   col + close + 1 + piece[close + 1:].find(tail[0]), len(tail))
    inner = piece[1:close]
    parts = _split_args(inner, col + 1)
    if not parts or not parts[0][0]:
        raise _err("missing base register", span, col, len(piece))
    btext, bcol = parts[0]
    base = _reg(btext, bcol, span)
    if base.width != 64:
        raise _err(f"base register {btext!r} must be an X register", span, bcol, len(btext))
    offset: RegOp | Imm | None = None
    ext: ShiftOp | None = None
    if len(parts) >= 2:
        otext, ocol = parts[1]
        if otext.startswith("#") or _int(otext) is not None:
            offset = _imm(otext, ocol, span)
        else:
            offset = _reg(otext, ocol, span)
    if len(parts) >= 3:
        etext, ecol = parts[2]
        e = _operand(etext, ecol, span, [])
        if not isinstance(e, ShiftOp):
            raise _err(f"bad extension {etext!r}", span, ecol, len(etext))
        ext = e
    if len(parts) > 3:
        t, c = parts[3]
        raise _err(f"unexpected {t!r} in memory operand", span, c, len(t))
    return MemOp(base, offset, ext, mode, col)


_LABEL = re.compile(r"\s*([A-Za-z_.][\w.]*)\s*:")


def split_label(text: str) -> tuple[str | None, str, int]:
    """``L0: MOV W0,#1`` -> ("L0", "MOV W0,#1", column of the instruction)."""
    m = _LABEL.match(text)
    if m:
        rest = text[m.end():]
        lead = len(rest) - len(rest.lstrip())
        return m.group(1), rest.strip(), m.end() + lead
    return None, text, 0
