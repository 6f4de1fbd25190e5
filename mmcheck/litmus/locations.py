"""Locations, values and their types: the init block and the ``locations`` line.

``parse_loc`` reads a location or a register (``x``, ``[x]``, ``1:X0``, ``x[2]``);
``parse_value`` a value (a number, a location's address, an instruction, an array's
cells); ``parse_init`` the init block, with C-style declarations and herd7's short forms.
"""

from __future__ import annotations

import re

from mmcheck.litmus.ast import (
    And,
    Atom,
    Implies,
    Loc,
    Mem,
    Not,
    Or,
    Prop,
    Reg,
    Same,
    Sym,
    Value,
)
from mmcheck.litmus.dialects import Dialect
from mmcheck.litmus.split import Chunk, Source

_TYPE_NAMES = {
    "int", "char", "short", "long", "unsigned", "signed",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
    "uint64_t", "intptr_t", "uintptr_t", "atomic_int", "_Atomic", "volatile", "const",
    "int128_t", "uint128_t",
}
_NUMBER = re.compile(r"[+-]?(0x[0-9a-fA-F]+|\d+)")
_NAME = re.compile(r"[A-Za-z_][\w.]*")


# -- typed values ----------------------------------------------------------------------

_C_TYPES = {"int8_t": (8, True), "uint8_t": (8, False), "char": (8, True),
            "int16_t": (16, True), "uint16_t": (16, False), "short": (16, True),
            "int32_t": (32, True), "uint32_t": (32, False), "int": (32, True),
            "int64_t": (64, True), "uint64_t": (64, False), "long": (64, True),
            "unsigned": (32, False), "unsigned int": (32, False),
            "unsigned long": (64, False), "intptr_t": (64, True), "uintptr_t": (64, False),
            "atomic_int": (32, True), "_Atomic int": (32, True)}


def c_type(ty: str | None) -> tuple[int, bool] | None:
    """Bits and signedness of a C type name, or None when mmcheck does not know it."""
    if ty is None:
        return None
    return _C_TYPES.get(" ".join(w for w in ty.split() if w not in ("volatile", "const")))


def as_type(v: int, ty: str | None) -> int:
    """``v`` as a value of type ``ty`` (unknown types leave it alone)."""
    t = c_type(ty)
    if t is None:
        return v
    bits, signed = t
    v &= (1 << bits) - 1
    return v - (1 << bits) if signed and v >> (bits - 1) else v


class Typing:
    """Condition constants as the location's type holds them (herd7 compares so)."""

    def __init__(self, types: dict[Loc, str], arrays: dict[str, tuple[str, int]],
                 dialect: Dialect) -> None:
        self.types = types
        self.arrays = arrays
        self.dialect = dialect

    def value(self, loc: Loc, v: Value) -> Value | None:
        if isinstance(loc, Mem) and loc.array and isinstance(v, Sym):
            elem = self.arrays[loc.name][0]
            items = [number(x) for x in v.name[1:-1].split(",") if x.strip()]
            return Sym("{" + ",".join(str(as_type(x, elem)) for x in items) + "}")
        if not isinstance(v, int):
            return None
        ty = self.types.get(loc)
        if isinstance(loc, Reg) or c_type(ty) is None:
            hook = getattr(self.dialect, "typed_value", None)
            if hook is not None:
                out = hook(v, ty)
                assert isinstance(out, int)
                return out
        return as_type(v, ty) if c_type(ty) is not None else None

    def prop(self, p: Prop) -> Prop:
        if isinstance(p, Atom):
            key = self.value(p.loc, p.value)
            return p if key is None or key == p.value else \
                Atom(p.loc, p.value, p.span, key)
        if isinstance(p, Same):
            return p
        if isinstance(p, Not):
            return Not(self.prop(p.arg))
        if isinstance(p, And):
            return And(tuple(self.prop(a) for a in p.args))
        if isinstance(p, Or):
            return Or(tuple(self.prop(a) for a in p.args))
        return Implies(self.prop(p.left), self.prop(p.right))


_INSTR = re.compile(r'instr\s*:\s*"([^"]*)"')


def instr_value(text: str) -> Sym:
    """An instruction as a value, named as herd7 prints it: ``instr:"ADD W0,W0,#1"``."""
    op, _, args = " ".join(text.split()).partition(" ")
    args = ",".join(a.strip() for a in args.split(",")) if args else ""
    return Sym(f'instr:"{op} {args}"' if args else f'instr:"{op}"')


def number(t: str) -> int:
    """A constant (``[+-]``, then ``0x`` and hexadecimal digits or decimal ones) as herd7
    reads it, in every dialect: a leading zero is not octal (``010`` is ten)."""
    return int(t, 16) if "0x" in t or "0X" in t else int(t, 10)


def parse_value(text: str, arrays: dict[str, tuple[str, int]] | None = None) -> Value | None:
    t = text.strip()
    m = _INSTR.fullmatch(t)
    if m is not None:
        return instr_value(m.group(1))
    if t in ("NOP", "nop"):  # herd7 reads NOP as the instruction
        return instr_value("NOP")
    if _NUMBER.fullmatch(t):
        v = number(t)
        if "0x" in t and 1 << 63 <= v < 1 << 64:
            v -= 1 << 64  # herd7 reads constants as 64-bit signed integers
        return v
    if _NAME.fullmatch(t):
        return Sym(t)
    m = _CELL.fullmatch(t)
    if m and arrays is not None and m.group(1) in arrays:
        # herd7 reads 'x[k]' as a value as the address k bytes into x.
        return Sym(m.group(1), int(m.group(2)))
    m = _BRACED.fullmatch(t)
    if m and arrays is not None:
        items = [x.strip() for x in m.group(1).split(",") if x.strip()]
        if all(_NUMBER.fullmatch(x) for x in items):
            return Sym("{" + ",".join(str(number(x)) for x in items) + "}")
    return None


_CELL = re.compile(r"([A-Za-z_]\w*)\s*\[\s*(\d+)\s*\]")
_TYPE_T = re.compile(r"[A-Za-z_]\w*_t")
_LABEL_VALUE = re.compile(r"P(\d+)\s*:\s*([A-Za-z_.][\w.]*)")
_BRACED = re.compile(r"\{([^{}]*)\}")
_SYMBOLIC_REG = re.compile(r"%[A-Za-z_]\w*")
_THREAD_REG = re.compile(r"P?(\d+)\s*:\s*([A-Za-z_][\w]*)")
_BRACKETED = re.compile(r"\[\s*([A-Za-z_][\w]*)\s*\]")


def parse_loc(
    text: str, dialect: Dialect, nthreads: int, src: Source, offset: int,
    arrays: dict[str, tuple[str, int]] | None = None,
) -> Loc:
    t = text.strip()
    if t.startswith("%") and getattr(dialect, "symbolic_registers", False) \
            and _SYMBOLIC_REG.fullmatch(t):
        return Reg(-1, t)  # a symbolic register: its thread is where the code uses it
    m = _THREAD_REG.fullmatch(t)
    if m:
        thread = int(m.group(1))
        if thread >= nthreads:
            raise src.error(
                f"thread {thread} does not exist (the test has {nthreads}: "
                f"{', '.join(f'P{k}' for k in range(nthreads))})",
                offset,
                len(m.group(1)),
            )
        reg = dialect.canon_reg(m.group(2))
        if reg is None:
            name = m.group(2)
            at = offset + (len(text) - len(text.lstrip())) + m.start(2)
            raise src.error(f"{name!r} is not an {dialect.arch} register", at, len(name))
        return Reg(thread, reg)
    arrays = arrays or {}
    m = _CELL.fullmatch(t)
    if m:
        name, k = m.group(1), int(m.group(2))
        if name not in arrays:
            raise src.error(f"{name!r} is not an array", offset, max(1, len(t)))
        if k >= arrays[name][1]:
            raise src.error(f"index {k} is out of the bounds of {name}[{arrays[name][1]}]",
                            offset, max(1, len(t)))
        return Mem(f"{name}[{k}]")
    m = _BRACKETED.fullmatch(t)
    if m:
        return Mem(m.group(1), m.group(1) in arrays)
    if _NAME.fullmatch(t) and "." not in t:
        return Mem(t, t in arrays)
    raise src.error(f"expected a location or a register, found {t!r}", offset, max(1, len(t)))


def parse_init(
    chunk: Chunk, src: Source, dialect: Dialect, nthreads: int, unsupported: list[str],
    arrays: dict[str, tuple[str, int]] | None = None,
) -> tuple[tuple[tuple[Loc, Value], ...], tuple[tuple[Loc, str], ...]]:
    """The init block's entries and declared types.

    An array ``int x[2] = {1,2}`` becomes its cells ``x[0]``, ``x[1]`` (each a location,
    with the element type), recorded in ``arrays``.  Memory values are converted to the
    declared type, as herd7 stores them (``int8_t x = 257`` holds 1).
    """
    if arrays is None:
        arrays = {}
    entries: list[tuple[Loc, Value]] = []
    types: list[tuple[Loc, str]] = []
    pos = 0
    text = chunk.text
    for piece in _split_init(text):
        start = pos
        pos += len(piece) + 1
        if not piece.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        off = chunk.offset + start + lead
        body = piece.strip()
        lhs, eq, rhs = body.partition("=")
        # A pointer: 'int *p = &x', 'int* p', '*p = x' (herd7: a location holding an
        # address, typed as a pointer to the type).
        pointer = "*" in lhs
        lhs = lhs.replace("*", " ")
        words = lhs.split()
        # Strip leading type names ("uint64_t 0:X0", "int x", "unsigned long y"); herd7
        # takes any 'name_t' word before the location as a type (even 'unit64_t').
        tname = []
        while len(words) > 1 and (words[0] in _TYPE_NAMES or words[0].endswith("*")
                                  or _TYPE_T.fullmatch(words[0])):
            tname.append(words.pop(0))
        loc_text = " ".join(words)
        if not eq and not tname and len(words) > 1:
            raise src.error(
                f"expected 'location=value' in the init block, found {body!r}", off, len(body)
            )
        loc_at = 0
        for w in tname:  # skip the type words to find where the location starts
            loc_at = lhs.index(w, loc_at) + len(w)
        if words:
            loc_at = lhs.index(words[0], loc_at)
        ty = (" ".join(tname) + (" *" if pointer else "")).strip()
        if pointer:
            tname.append("*")
        am = _CELL.fullmatch(loc_text)
        if am is not None and not getattr(dialect, "supports_arrays", False):
            span = src.span(off)
            unsupported.append(f"arrays ({body!r}, line {span.line}, column {span.col})")
            continue
        if am is not None:
            _init_array(am.group(1), int(am.group(2)), ty or "int", rhs if eq else "",
                        src, off + loc_at, entries, types, arrays)
            continue
        loc = parse_loc(loc_text, dialect, nthreads, src, off + loc_at, arrays)
        if tname:
            types.append((loc, ty))
        if not eq:  # 'int x;' or 'x;': herd7 initialises it to 0
            entries.append((loc, 0))
            continue
        if rhs.lstrip().startswith("&") and isinstance(loc, Reg | Mem):
            rhs = rhs.replace("&", " ", 1)  # 'int *p = &x': herd7 reads the '&' as a no-op
        value = parse_value(rhs, arrays)
        lab = _LABEL_VALUE.fullmatch(rhs.strip())
        if lab is not None and getattr(dialect, "code_labels", False) \
                and dialect.canon_reg(lab.group(2)) is None and int(lab.group(1)) < nthreads:
            value = Sym(f"{int(lab.group(1))}:{lab.group(2)}")  # a code address
        if value is None and not rhs.strip():
            raise src.error(f"missing initial value after '=' in {body!r}", off + len(lhs), 1)
        if value is None or (isinstance(value, Sym) and value.name.startswith("{")):
            roff = off + len(lhs) + 1 + (len(rhs) - len(rhs.lstrip()))
            raise src.error(f"bad initial value {rhs.strip()!r}", roff, max(1, len(rhs.strip())))
        if isinstance(loc, Mem) and isinstance(value, int):
            value = as_type(value, ty or None)
        entries.append((loc, value))
    return tuple(entries), tuple(types)


def _init_array(
    name: str, size: int, ty: str, rhs: str, src: Source, off: int,
    entries: list[tuple[Loc, Value]], types: list[tuple[Loc, str]],
    arrays: dict[str, tuple[str, int]],
) -> None:
    if size <= 0:
        raise src.error(f"array {name} must have at least one cell", off, len(name))
    values: list[int] = []
    if rhs.strip():
        m = re.fullmatch(r"\s*\{([^{}]*)\}\s*", rhs)
        if m is None:
            raise src.error(f"expected '{{v0,v1,...}}' to initialise the array {name}",
                            off, len(name))
        for item in m.group(1).split(","):
            if not item.strip():
                continue
            if not _NUMBER.fullmatch(item.strip()):
                raise src.error(f"bad array value {item.strip()!r}", off, len(name))
            values.append(number(item.strip()))
        if len(values) > size:
            raise src.error(f"{len(values)} values for the {size} cells of {name}",
                            off, len(name))
    arrays[name] = (ty, size)
    for k in range(size):
        cell = Mem(f"{name}[{k}]")
        entries.append((cell, as_type(values[k], ty) if k < len(values) else 0))
        types.append((cell, ty))


def _split_init(text: str) -> list[str]:
    """Split init entries on ';' outside braces (array initialisers)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == ";" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def parse_locations(
    chunk: Chunk, src: Source, dialect: Dialect, nthreads: int,
    arrays: dict[str, tuple[str, int]] | None = None,
) -> tuple[Loc, ...]:
    text = chunk.text
    lb = text.find("[")
    rb = text.rfind("]")
    if lb < 0 or rb < lb:
        lead = len(text) - len(text.lstrip())
        found = text.strip().split("\n")[0]
        raise src.error(
            f"expected 'locations [x; 0:EAX; ...]', found {found!r}",
            chunk.offset + (lead if text.strip() else 0),
            max(1, len(found)),
        )
    out: list[Loc] = []
    pos = lb + 1
    for piece in text[lb + 1 : rb].split(";"):
        off = chunk.offset + pos + (len(piece) - len(piece.lstrip()))
        pos += len(piece) + 1
        # herd7 reads a type after a location ('0:X2 ins_t', 'x int*'): dropped here.
        piece = re.sub(r"\s+(?:[A-Za-z_]\w*_t|int|char|short|long)\s*\*?\s*$", "", piece)
        if piece.strip():
            out.append(parse_loc(piece, dialect, nthreads, src, off, arrays))
    if text[rb + 1 :].strip() not in ("", ";"):  # herd7 reads 'locations [...];'
        raise src.error("unexpected text after 'locations [...]'", chunk.offset + rb + 1)
    return tuple(out)
