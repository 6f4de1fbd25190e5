"""AArch64 values: constants, arithmetic on values that may be addresses, flags,
and the tables of load, store and atomic mnemonics."""

from __future__ import annotations

import functools
import re

from mmcheck.errors import Span, Unsupported
from mmcheck.litmus.ast import Sym, Value
from mmcheck.semantics.runner import Val

M64 = (1 << 64) - 1
M32 = (1 << 32) - 1
NZCV = "NZCV"
UNROLL = 2  # herd7's default -unroll for AArch64

_RELATIVE = re.compile(r"\.([+-]\d+)")
BARRIER_OPTS = {"SY", "ISH", "ISHLD", "ISHST", "LD", "ST", "OSH", "OSHLD", "OSHST", "NSH",
                "NSHLD", "NSHST"}


def _mask(width: int) -> int:
    return M64 if width == 64 else M32


def _sext(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


# -- arithmetic on values that may be addresses -----------------------------------------


def _alu(op: str, a: Value, b: Value, width: int, where: Span) -> Value:
    m64 = M64
    if isinstance(a, Sym) or isinstance(b, Sym):
        if op in ("add", "orr", "eor", "sub") and b == 0:
            return a
        if op in ("add", "orr", "eor") and a == 0:
            return b
        if op in ("sub", "eor") and a == b:
            return 0
        if op in ("add", "sub") and isinstance(a, Sym) and isinstance(b, int) \
                and ":" not in a.name and not a.name.startswith("{"):
            k = _sext(b & m64, 64)  # an offset: x+8, x-4 (as 64-bit two's complement)
            return Sym(a.name, a.offset + (k if op == "add" else -k))
        if op == "add" and isinstance(b, Sym) and isinstance(a, int) and ":" not in b.name \
                and not b.name.startswith("{"):
            return Sym(b.name, b.offset + _sext(a & m64, 64))
        if op == "sub" and isinstance(a, Sym) and isinstance(b, Sym) and a.name == b.name:
            return (a.offset - b.offset) & _mask(width)
        raise Unsupported(f"arithmetic on the address of a location ({op})", where)
    m = _mask(width)
    a &= m
    b &= m
    match op:
        case "add":
            return (a + b) & m
        case "sub":
            return (a - b) & m
        case "and":
            return a & b
        case "orr":
            return a | b
        case "eor":
            return a ^ b
        case "bic":
            return a & ~b & m
        case "orn":
            return (a | ~b) & m
        case "eon":
            # herd7 7.57 computes EON as EOR (A265: 'EON X1,X0,X0' leaves 0, not -1);
            # mmcheck agrees with herd7 here rather than with the Arm ARM.
            return a ^ b
        case "mul":
            return (a * b) & m
        case "lsl":
            return (a << (b % width)) & m
        case "lsr":
            return a >> (b % width)
        case "asr":
            return (_sext(a, width) >> (b % width)) & m
        case "ror":
            s = b % width
            return ((a >> s) | (a << (width - s))) & m
        case "udiv":
            return 0 if b == 0 else a // b
        case "sdiv":
            sa, sb = _sext(a, width), _sext(b, width)
            if sb == 0:
                return 0
            q = abs(sa) // abs(sb)
            return (q if (sa < 0) == (sb < 0) else -q) & m
    raise Unsupported(f"operation {op}", where)


def _add_flags(a: Value, b: Value, carry: int, width: int) -> tuple[Value, int]:
    """AddWithCarry: result and NZCV (N=8, Z=4, C=2, V=1)."""
    if isinstance(a, Sym) or isinstance(b, Sym):
        if isinstance(a, Sym) and b == 0 and carry == 0:
            return a, 0
        raise Unsupported("arithmetic with flags on the address of a location")
    m = _mask(width)
    ua, ub = a & m, b & m
    usum = ua + ub + carry
    ssum = _sext(ua, width) + _sext(ub, width) + carry
    res = usum & m
    n = res >> (width - 1)
    z = 1 if res == 0 else 0
    c = 1 if usum != res else 0
    v = 1 if _sext(res, width) != ssum else 0
    return res, (n << 3) | (z << 2) | (c << 1) | v


def _bitop(op: str, v: int, width: int) -> int:
    m = _mask(width)
    v &= m
    nbytes = width // 8
    if op == "RBIT":
        return int(format(v, f"0{width}b")[::-1], 2)
    if op == "ABS":
        return abs(_sext(v, width)) & m
    if op == "CLZ":
        return width - v.bit_length()
    chunk = {"REV16": 2, "REV32": 4, "REV64": 8, "REV": nbytes}[op]
    data = v.to_bytes(nbytes, "little")
    out = b"".join(data[i:i + chunk][::-1] for i in range(0, nbytes, chunk))
    return int.from_bytes(out, "little")


def cond_holds(cond: str, flags: int) -> bool:
    n, z, c, v = (flags >> 3) & 1, (flags >> 2) & 1, (flags >> 1) & 1, flags & 1
    base = cond[:2]
    r = {
        "EQ": z == 1, "NE": z == 0, "CS": c == 1, "HS": c == 1, "CC": c == 0, "LO": c == 0,
        "MI": n == 1, "PL": n == 0, "VS": v == 1, "VC": v == 0,
        "HI": c == 1 and z == 0, "LS": not (c == 1 and z == 0),
        "GE": n == v, "LT": n != v, "GT": z == 0 and n == v, "LE": not (z == 0 and n == v),
        "AL": True, "NV": True,
    }[base]
    return r


_INVERT = {"EQ": "NE", "NE": "EQ", "CS": "CC", "HS": "LO", "CC": "CS", "LO": "HS",
           "MI": "PL", "PL": "MI", "VS": "VC", "VC": "VS", "HI": "LS", "LS": "HI",
           "GE": "LT", "LT": "GE", "GT": "LE", "LE": "GT"}


@functools.cache
def _parse_atomic(op: str) -> tuple[str, bool, bool, str] | None:
    """``LDADDAL`` -> ("LDADD", acquire, release, size suffix)."""
    for base in ("SWP", "LDADD", "LDEOR", "LDSET", "LDCLR", "LDSMAX", "LDSMIN", "LDUMAX",
                 "LDUMIN", "STADD", "STEOR", "STSET", "STCLR", "STSMAX", "STSMIN", "STUMAX",
                 "STUMIN", "CASP", "CAS"):
        if not op.startswith(base):
            continue
        rest = op[len(base):]
        for suf, acq, rel in (("AL", True, True), ("A", True, False), ("L", False, True),
                              ("", False, False)):
            if rest.startswith(suf) and rest[len(suf):] in ("", "B", "H"):
                if base.startswith("ST") and acq:
                    continue
                return base, acq, rel, rest[len(suf):]
    return None


_LOADS = {"LDR": frozenset(), "LDUR": frozenset(), "LDAR": frozenset({"A"}),
          "LDAPR": frozenset({"Q"}), "LDAPUR": frozenset({"Q"}),
          "LDXR": frozenset({"X"}), "LDAXR": frozenset({"X", "A"})}
_STORES = {"STR": frozenset(), "STUR": frozenset(), "STLR": frozenset({"L"}),
           "STLUR": frozenset({"L"})}
_SIZED = {}  # mnemonic -> (store, bits, sign-extending)
for _p, _st in (("LDR", False), ("LDUR", False), ("STR", True), ("STUR", True)):
    _SIZED[_p + "B"] = (_st, 8, False)
    _SIZED[_p + "H"] = (_st, 16, False)
for _p in ("LDR", "LDUR"):
    _SIZED[_p + "SB"] = (False, 8, True)
    _SIZED[_p + "SH"] = (False, 16, True)
    _SIZED[_p + "SW"] = (False, 32, True)
_TYPES = {"int8_t": (8, True), "uint8_t": (8, False), "char": (8, True),
          "int16_t": (16, True), "uint16_t": (16, False), "short": (16, True),
          "int32_t": (32, True), "uint32_t": (32, False), "int": (32, True),
          "int64_t": (64, True), "uint64_t": (64, False), "long": (64, True),
          "unsigned": (32, False), "unsigned int": (32, False),
          "unsigned long": (64, False), "intptr_t": (64, True), "uintptr_t": (64, False)}
_STXS = {"STXR": frozenset({"X"}), "STLXR": frozenset({"X", "L"})}
_AMO_OPS = {"SWP": "swp", "LDADD": "add", "LDEOR": "eor", "LDSET": "orr", "LDCLR": "bic",
            "LDSMAX": "smax", "LDSMIN": "smin", "LDUMAX": "umax", "LDUMIN": "umin"}

# The system registers herd7 7.57 reads (lib/AArch64Base.ml) and, under its NV2 variant,
# the byte offsets of those that live in the page VNCR_EL2 points to.
SYSREGS = frozenset({"CTR_EL0", "DCIZ_EL0", "MDCCSR_EL0", "DBGDTR_EL0", "DBGDTRRX_EL0",
                     "DBGDTRTX_EL0", "ELR_EL1", "ESR_EL1", "TFSR_ELx", "VNCR_EL2"})
NV2_OFFSETS = {"VNCR_EL2": 0xB0, "ESR_EL1": 0x138, "ELR_EL1": 0x230}


class Unequal(Val):
    """Flags of comparing two different symbolic values (instructions): only EQ and NE
    have an answer."""

    __slots__ = ()


def is_instr(v: Value) -> bool:
    return isinstance(v, Sym) and v.name.startswith('instr:"')
