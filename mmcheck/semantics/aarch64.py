"""AArch64 semantics: instructions to events, tags and dependencies, as herd7 7.57 does.

Tags: ``A`` (LDAR, LDAXR, acquire atomics), ``Q`` (LDAPR), ``L`` (STLR, STLXR, release
atomics), ``X`` (exclusives and atomics), ``NoRet`` (an atomic whose result goes to the
zero register); fences ``DMB.ISH``, ``DMB.ISHLD``, ``DSB.SY``, ``ISB``...

Dependencies follow ``aarch64deps.cat``: values carry the reads they flow from through
registers, through the read->write flow of an atomic and through memory (a load reading
its own thread's latest store to the location inherits that store's dependencies, which
the runner does).  A store-exclusive's status register carries none.  ``pick``
dependencies also flow through the condition of a conditional select and through the
comparison of a compare-and-swap.

herd counts a successful and a failed store-exclusive as separate executions, and runs
every CAS twice (its two intra-instruction dataflow variants): both are choices here,
so the counts match.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.litmus.aarch64 import (
    CONDS,
    A64Instr,
    Imm,
    LabelOp,
    MemOp,
    Operand,
    RegOp,
    ShiftOp,
    WordOp,
    canon_reg,
    parse_instr,
    split_label,
)
from mmcheck.litmus.ast import Cell, Litmus, Mem, Reg, Sym, Value
from mmcheck.record import Record
from mmcheck.semantics.runner import Cutoff, Program, ThreadState, Val

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


@dataclass
class Step:
    """One AArch64 instruction, ready to run."""

    ins: A64Instr
    span: Span
    text: str

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
        if len(a) != len(kinds):
            raise self.err(f"{self.ins.op} takes {len(kinds)} operand"
                           f"{'s' if len(kinds) != 1 else ''}, found {len(a)}",
                           self.ins.op_col, len(self.ins.op))
        for x, k in zip(a, kinds, strict=True):
            if not isinstance(x, k):
                raise self.err(f"unexpected operand for {self.ins.op}", x.col)
        return a

    def rd(self, st: ThreadState, r: RegOp) -> Val:
        if r.name == "XZR":
            return Val(0)
        v = st.get(r.name)
        if r.width == 32 and isinstance(v.v, int):
            return Val(v.v & M32, v.deps, v.pick)
        return v

    def wr(self, st: ThreadState, r: RegOp, v: Val) -> None:
        if r.name == "XZR":
            return
        if isinstance(v.v, int):
            v = Val(v.v & _mask(r.width), v.deps, v.pick)
        st.set(r.name, v)

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
                    "(mixed-size accesses are not modelled)", self.ins.at(col))
            return addr
        where = self.ins.at(col)
        ty, n = arr
        es = _TYPES.get(ty, (32, True))[0] // 8
        k, rem = divmod(a.offset, es)
        if rem or size != es:
            raise Unsupported(
                f"{size}-byte access at {a} in {ty} {a.name}[{n}] (mixed-size accesses "
                "are not modelled)", where)
        if not 0 <= k < n:
            raise Unsupported(f"access at {a}, outside {a.name}[{n}]", where)
        return Val(Sym(f"{a.name}[{k}]"), addr.deps, addr.pick)

    def writeback(self, st: ThreadState, m: MemOp, after: Val) -> None:
        if m.mode != "off":
            self.wr(st, m.base, after)

    # -- execution ------------------------------------------------------------------

    def execute(self, st: ThreadState) -> str | None:  # noqa: C901 - a dispatch table
        ins = self.ins
        op = ins.op
        a = ins.args
        if op == "NOP":
            self.args()
            return None
        if op in ("DMB", "DSB"):
            opt = "SY"
            if a:
                (w,) = self.args(WordOp)
                assert isinstance(w, WordOp)
                if w.word not in BARRIER_OPTS:
                    raise self.err(f"unknown barrier option {w.word!r}", w.col, len(w.word))
                opt = w.word
            st.fence(frozenset({f"{op}.{opt}"}))
            return None
        if op == "ISB":
            if a and not (isinstance(a[0], WordOp) and a[0].word == "SY" and len(a) == 1):
                raise self.err("ISB takes no operand but SY", a[0].col)
            st.fence(frozenset({"ISB"}))
            return None
        if op == "B":
            (lab,) = self.args(LabelOp)
            assert isinstance(lab, LabelOp)
            return self.jump(st, lab.name)
        if op.startswith("B."):
            (lab,) = self.args(LabelOp)
            assert isinstance(lab, LabelOp)
            flags = st.get(NZCV)
            st.branch_on(flags)
            f = flags.v if isinstance(flags.v, int) else 0
            return self.jump(st, lab.name, flags) if cond_holds(op[2:], f) else None
        if op in ("CBZ", "CBNZ"):
            r, lab = self.args(RegOp, LabelOp)
            assert isinstance(r, RegOp) and isinstance(lab, LabelOp)
            v = self.rd(st, r)
            st.branch_on(v)
            zero = v.v == 0
            return self.jump(st, lab.name, v) if zero == (op == "CBZ") else None
        if op in ("TBZ", "TBNZ"):
            r, bit, lab = self.args(RegOp, Imm, LabelOp)
            assert isinstance(r, RegOp) and isinstance(bit, Imm) and isinstance(lab, LabelOp)
            v = self.rd(st, r)
            st.branch_on(v)
            if isinstance(v.v, Sym) or not isinstance(bit.value, int):
                raise self.unsupported("testing a bit of an address")
            isz = ((v.v >> bit.value) & 1) == 0
            return self.jump(st, lab.name, v) if isz == (op == "TBZ") else None
        if op in ("BL", "BR", "BLR", "RET", "ADR"):
            return self.call(st, op)
        if op in ("LDP", "STP", "LDPSW"):
            self.pair(st, op)
            return None
        if op in ("LDNP", "STNP", "LDXP", "LDAXP", "STXP", "STLXP", "LDIAPP", "STILP"):
            raise self.unsupported(f"instruction {op} (non-temporal, exclusive, acquire or "
                                   "release pairs) is not modelled")
        if op in _LOADS:
            self.load(st, _LOADS[op])
        elif op in _STORES:
            self.store(st, _STORES[op])
        elif op in _SIZED:
            self.sized(st, *_SIZED[op])
        elif op in _STXS:
            self.store_exclusive(st, _STXS[op])
        elif (atom := _parse_atomic(op)) is not None:
            self.atomic(st, *atom)
        else:
            self.alu(st)
        return None

    def jump(self, st: ThreadState, label: str, cond: Val | None = None) -> str:
        """Take a branch.  Like herd, a backward branch is taken at most UNROLL times
        per instruction and a path that would take it again is cut, unless it is
        conditional on a value known without reading memory (fully unrolled)."""
        rel = _RELATIVE.fullmatch(label)
        if rel is not None:  # '.+8': bytes from this instruction, 4 per instruction
            delta = int(rel.group(1))
            index = st.pc + delta // 4
            if delta % 4 or not 0 <= index <= len(st.program.instrs):
                raise self.unsupported(f"branch to {label}, outside the thread's code")
            label = f"@{index}"
        target = st.program.labels[label]
        if target <= st.pc and (cond is None or cond.deps or cond.pick):
            counts = st.back_edges
            n = counts.get(st.pc, 0) + 1
            if n > UNROLL:
                raise Cutoff()
            counts[st.pc] = n
        return label

    # -- calls and code addresses -------------------------------------------------------

    def code_address(self, st: ThreadState, index: int) -> Val:
        """The address of instruction ``index`` of this thread, named by its label as
        herd7 prints it (``0:L0``)."""
        labels = st.program.labels
        name = next((lab for lab, i in labels.items() if i == index and not
                     lab.startswith("@")), f"@{index}")
        return Val(Sym(f"{st.program.thread}:{name}"))

    def call(self, st: ThreadState, op: str) -> str | None:
        """BL, BLR, BR, RET and ADR, with code addresses as symbolic values."""
        if op == "ADR":
            d, lab = self.args(RegOp, (LabelOp, WordOp))
            assert isinstance(d, RegOp)
            name = lab.name if isinstance(lab, LabelOp) else lab.word  # type: ignore[union-attr]
            if name not in st.program.labels:
                raise self.err(f"unknown label {name!r}", lab.col, len(name))
            self.wr(st, d, self.code_address(st, st.program.labels[name]))
            return None
        if op == "BL":
            (lab,) = self.args(LabelOp)
            assert isinstance(lab, LabelOp)
            st.set("X30", self.code_address(st, st.pc + 1))
            return self.jump(st, lab.name)
        if op == "RET" and not self.ins.args:
            target = st.get("X30")
        else:
            (r,) = self.args(RegOp)
            assert isinstance(r, RegOp)
            target = self.rd(st, r)
        t = target.v
        prefix = f"{st.program.thread}:"
        if not isinstance(t, Sym) or not t.name.startswith(prefix) or t.offset \
                or t.name[len(prefix):] not in st.program.labels:
            raise self.unsupported(f"branch to {t}, which is not a label of this thread")
        st.branch_on(target)
        if op == "BLR":
            st.set("X30", self.code_address(st, st.pc + 1))
        return self.jump(st, t.name[len(prefix):], target)

    # -- memory ------------------------------------------------------------------------

    def pair(self, st: ThreadState, op: str) -> None:
        """LDP, STP, LDPSW: two accesses of one instruction to consecutive cells."""
        r1, r2, m = self.args(RegOp, RegOp, MemOp)
        assert isinstance(r1, RegOp) and isinstance(r2, RegOp) and isinstance(m, MemOp)
        size = 4 if op == "LDPSW" else r1.width // 8
        access, after = self.raw_address(st, m)
        second = Val(_alu("add", access.v, size, 64, self.ins.at(m.col)), access.deps,
                     access.pick)
        addrs = (self.cell(st, access, size, m.col), self.cell(st, second, size, m.col))
        if op == "STP":
            for r, addr in zip((r1, r2), addrs, strict=True):
                st.write(addr, self.typed(st, addr, self.rd(st, r), r.width),
                         frozenset())
        else:
            vals = [st.read(addr, frozenset())[0] for addr in addrs]
            for r, v in zip((r1, r2), vals, strict=True):
                if op == "LDPSW" and isinstance(v.v, int):
                    v = Val(_sext(v.v, 32) & M64, v.deps, v.pick)
                self.wr(st, r, v)
        self.writeback(st, m, after)
        return None


    def load(self, st: ThreadState, tags: frozenset[str]) -> None:
        r, m = self.args(RegOp, MemOp)
        assert isinstance(r, RegOp) and isinstance(m, MemOp)
        addr, after = self.address(st, m, r.width // 8)
        v, idx = st.read(addr, tags)
        if "X" in tags:
            st.exclusive = (idx, st.events[idx].loc)
        self.wr(st, r, v)
        self.writeback(st, m, after)
        return None

    def sized(self, st: ThreadState, store: bool, bits: int, signed: bool) -> None:
        """Byte, halfword and sign-extending accesses (each location is accessed whole:
        herd's default, no mixed-size variant)."""
        r, m = self.args(RegOp, MemOp)
        assert isinstance(r, RegOp) and isinstance(m, MemOp)
        addr, after = self.address(st, m, bits // 8)
        if store:
            v = self.rd(st, r)
            if isinstance(v.v, int):
                v = Val(v.v & ((1 << bits) - 1), v.deps, v.pick)
            st.write(addr, self.typed(st, addr, v), frozenset())
        else:
            v, _ = st.read(addr, frozenset())
            if isinstance(v.v, int):
                x = _sext(v.v, bits) if signed else v.v & ((1 << bits) - 1)
                v = Val(x & _mask(r.width), v.deps, v.pick)
            self.wr(st, r, v)
        self.writeback(st, m, after)
        return None

    def typed(self, st: ThreadState, addr: Val, v: Val, width: int = 0) -> Val:
        """A value as the location's declared type holds it (herd prints it so); a
        location with no type is an ``int``: a W register's value is stored signed."""
        if not isinstance(v.v, int):
            return v
        ty = _TYPES.get(getattr(st.program, "mem_types", {}).get(st.location(addr), ""))
        if ty is None:
            if width == 32:
                return Val(_sext(v.v, 32), v.deps, v.pick)
            return v
        bits, signed = ty
        x = _sext(v.v, bits) if signed else v.v & ((1 << bits) - 1)
        return Val(x, v.deps, v.pick)

    def store(self, st: ThreadState, tags: frozenset[str]) -> None:
        r, m = self.args(RegOp, MemOp)
        assert isinstance(r, RegOp) and isinstance(m, MemOp)
        addr, after = self.address(st, m, r.width // 8)
        st.write(addr, self.typed(st, addr, self.rd(st, r), r.width), tags)
        self.writeback(st, m, after)
        return None

    def store_exclusive(self, st: ThreadState, tags: frozenset[str]) -> None:
        s, r, m = self.args(RegOp, RegOp, MemOp)
        assert isinstance(s, RegOp) and isinstance(r, RegOp) and isinstance(m, MemOp)
        if m.mode != "off" or m.offset is not None:
            raise self.err("a store-exclusive takes a plain [Xn] address", m.col)
        lx = st.exclusive
        addr, _ = self.address(st, m, r.width // 8)
        loc = st.location(addr)
        # Any store-exclusive clears the monitor.  With no load-exclusive of the same
        # location before it, the store fails (success would be CONSTRAINED
        # UNPREDICTABLE, which herd excludes by default); otherwise both outcomes.
        st.exclusive = None
        success = lx is not None and lx[1] == loc and st.choose(2) == 1
        if lx is None or not success:
            self.wr(st, s, Val(1))
            return None
        data = self.rd(st, r)
        idx = st.write(addr, data, tags)
        ridx, _ = lx
        if self._last_atomic_before(st, idx) == ridx:
            st.add_rmw(ridx, idx)
        self.wr(st, s, Val(0))
        return None

    @staticmethod
    def _last_atomic_before(st: ThreadState, idx: int) -> int | None:
        for i in range(idx - 1, -1, -1):
            if "X" in st.events[i].tags:
                return i
        return None

    def atomic(self, st: ThreadState, base: str, acq: bool, rel: bool, size: str) -> None:
        if size:
            raise self.unsupported("byte and halfword atomics (mixed-size accesses) are not "
                                   "modelled")
        if base == "CASP":
            raise self.unsupported("pair compare-and-swap (CASP) is not modelled")
        if base == "CAS":
            return self.cas(st, acq, rel)
        if base.startswith("ST"):
            rs, m = self.args(RegOp, MemOp)
            rt: RegOp = RegOp("XZR", rs.width, rs.col)  # type: ignore[union-attr]
            opname = _AMO_OPS["LD" + base[2:]]
        else:
            rs, rt, m = self.args(RegOp, RegOp, MemOp)  # type: ignore[assignment]
            opname = _AMO_OPS[base]
        assert isinstance(rs, RegOp) and isinstance(rt, RegOp) and isinstance(m, MemOp)
        if m.mode != "off" or m.offset is not None:
            raise self.err("an atomic takes a plain [Xn] address", m.col)
        width = rs.width
        noret = rt.name == "XZR"
        rtags = frozenset({"X", "NoRet"}) if noret else (
            frozenset({"X", "A"}) if acq else frozenset({"X"}))
        wtags = frozenset({"X", "L"}) if rel else frozenset({"X"})
        addr, _ = self.address(st, m, width // 8)
        src = self.rd(st, rs)
        old, ridx = st.read(addr, rtags)
        if isinstance(old.v, int) and width == 32:
            old = Val(old.v & M32, old.deps, old.pick)
        if opname == "swp":
            new = src
        else:
            new = Val(self._amo(opname, old.v, src.v, width), old.deps | src.deps,
                      old.pick | src.pick)
        widx = st.write(addr, new, wtags)
        st.add_rmw(ridx, widx)
        self.wr(st, rt, old)
        return None

    def _amo(self, op: str, a: Value, b: Value, width: int) -> Value:
        if op in ("add", "eor", "orr", "bic"):
            return _alu(op, a, b, width, self.span)
        if isinstance(a, Sym) or isinstance(b, Sym):
            raise self.unsupported("min/max of addresses")
        sa, sb = (_sext(a, width), _sext(b, width)) if op.startswith("s") else (a, b)
        pick_a = (sa >= sb) if op.endswith("max") else (sa <= sb)
        return a if pick_a else b

    def cas(self, st: ThreadState, acq: bool, rel: bool) -> None:
        rs, rt, m = self.args(RegOp, RegOp, MemOp)
        assert isinstance(rs, RegOp) and isinstance(rt, RegOp) and isinstance(m, MemOp)
        if m.mode != "off" or m.offset is not None:
            raise self.err("CAS takes a plain [Xn] address", m.col)
        width = rs.width
        noret = rs.name == "XZR"
        addr, _ = self.address(st, m, width // 8)
        expect = self.rd(st, rs)
        # herd runs each outcome in two variants (how Rs's new value depends on its inputs).
        variant = st.choose(2)
        # The outcome is known once the value is read; read with the success tags and
        # retag on failure (a failed CAS only reads: its read is not atomic).
        rtags_ok = frozenset({"X", "NoRet"}) if noret else (
            frozenset({"X", "A"}) if acq else frozenset({"X"}))
        old, ridx = st.read(addr, rtags_ok)
        if isinstance(old.v, int) and width == 32:
            old = Val(old.v & M32, old.deps, old.pick)
        # The comparison (herd's branch event): depends on the read and on Rs.
        br_pick = old.pick | expect.pick
        if old.v != expect.v:
            if not noret:
                st.retag(ridx, frozenset({"A"}) if acq else frozenset())
            if variant == 0:  # add_ctrl: Rs's write also depends on the comparison
                self.wr(st, rs, Val(old.v, old.deps, old.pick | br_pick))
            else:
                self.wr(st, rs, Val(old.v, old.deps, old.pick))
            return None
        new = self.rd(st, rt)
        wtags = frozenset({"X", "L"}) if rel else frozenset({"X"})
        widx = st.write(addr, Val(new.v, new.deps, new.pick | br_pick), wtags)
        st.add_rmw(ridx, widx)
        if variant == 0:  # DataFromRRs: Rs gets its own old value, under the comparison
            self.wr(st, rs, Val(old.v, expect.deps, expect.pick | br_pick))
        else:  # DataFromRx: Rs gets the value read
            self.wr(st, rs, Val(old.v, old.deps, old.pick))
        return None

    # -- registers and flags ----------------------------------------------------------

    def set_flags(self, st: ThreadState, flags: int, deps: Val) -> None:
        st.set(NZCV, Val(flags, deps.deps, deps.pick))

    def alu(self, st: ThreadState) -> None:  # noqa: C901
        ins = self.ins
        op = ins.op
        a = ins.args
        # The destination and first source, reused by the branches below (each narrows them).
        d: Operand | None
        n: Operand
        if op == "MOV":
            if len(a) != 2:
                self.args(RegOp, RegOp)
            d, s = a
            if not isinstance(d, RegOp):
                raise self.err("MOV needs a register destination", d.col)
            if isinstance(s, RegOp):
                v = self.rd(st, s) if s.name != "SP" else st.get("SP")
            elif isinstance(s, Imm):
                v = Val(s.value if isinstance(s.value, Sym) else s.value & _mask(d.width))
            else:
                raise self.err("MOV takes a register or an immediate", s.col)
            self.wr(st, d, v)
            return None
        if op in ("MOVZ", "MOVN", "MOVK"):
            d = a[0] if a else None
            if not isinstance(d, RegOp) or len(a) < 2 or not isinstance(a[1], Imm) \
                    or not isinstance(a[1].value, int):
                raise self.err(f"{op} takes a register and an immediate", ins.op_col)
            sh = a[2].amount if len(a) > 2 and isinstance(a[2], ShiftOp) else 0
            imm = (a[1].value & 0xFFFF) << sh
            if op == "MOVZ":
                v = Val(imm)
            elif op == "MOVN":
                v = Val(~imm & _mask(d.width))
            else:
                cur = self.rd(st, d)
                if isinstance(cur.v, Sym):
                    raise self.unsupported("MOVK on an address")
                v = Val((cur.v & ~(0xFFFF << sh)) | imm, cur.deps, cur.pick)
            self.wr(st, d, v)
            return None
        if op in ("ADD", "SUB", "AND", "ORR", "EOR", "BIC", "ORN", "EON", "ADDS", "SUBS",
                  "ANDS", "BICS"):
            if len(a) < 3 or not isinstance(a[0], RegOp) or not isinstance(a[1], RegOp):
                raise self.err(f"{op} takes a destination, a register and an operand",
                               ins.op_col, len(op))
            d, n = a[0], a[1]
            x = self.rd(st, n) if n.name != "SP" else st.get("SP")
            y = self.operand2(st, a[2:], d.width)
            return self._arith(st, op, d, x, y)
        if op in ("CMP", "CMN", "TST"):
            if len(a) < 2 or not isinstance(a[0], RegOp):
                raise self.err(f"{op} takes a register and an operand", ins.op_col, len(op))
            n = a[0]
            x = self.rd(st, n)
            y = self.operand2(st, a[1:], n.width)
            full = {"CMP": "SUBS", "CMN": "ADDS", "TST": "ANDS"}[op]
            return self._arith(st, full, RegOp("XZR", n.width, n.col), x, y)
        if op in ("NEG", "NEGS", "MVN"):
            if len(a) < 2 or not isinstance(a[0], RegOp):
                raise self.err(f"{op} takes a register and an operand", ins.op_col, len(op))
            d = a[0]
            y = self.operand2(st, a[1:], d.width)
            full = {"NEG": "SUB", "NEGS": "SUBS", "MVN": "ORN"}[op]
            return self._arith(st, full, d, Val(0), y)
        if op in ("LSL", "LSR", "ASR", "ROR", "MUL", "UDIV", "SDIV"):
            d, n, mm = self.args(RegOp, RegOp, (RegOp, Imm))
            assert isinstance(d, RegOp) and isinstance(n, RegOp)
            assert isinstance(mm, (RegOp, Imm))
            x = self.rd(st, n)
            y = self.rd(st, mm) if isinstance(mm, RegOp) else Val(mm.value)
            r = _alu(op.lower(), x.v, y.v, d.width, self.span)
            self.wr(st, d, Val(r, x.deps | y.deps, x.pick | y.pick))
            return None
        if op in ("MADD", "MSUB"):
            d, n, mm, ra = self.args(RegOp, RegOp, RegOp, RegOp)
            assert isinstance(d, RegOp) and isinstance(n, RegOp)
            assert isinstance(mm, RegOp) and isinstance(ra, RegOp)
            vals = [self.rd(st, r) for r in (n, mm, ra)]
            prod = _alu("mul", vals[0].v, vals[1].v, d.width, self.span)
            r = _alu("add" if op == "MADD" else "sub", vals[2].v, prod, d.width, self.span)
            self._wr_from(st, d, r, vals)
            return None
        if op in ("SXTW", "SXTB", "SXTH", "UXTB", "UXTH"):
            d, n = self.args(RegOp, RegOp)
            assert isinstance(d, RegOp) and isinstance(n, RegOp)
            x = self.rd(st, n)
            r = self.extend(x.v, ShiftOp(op, 0, n.col), d.width)
            self.wr(st, d, Val(r, x.deps, x.pick))
            return None
        if op in ("CSEL", "CSINC", "CSINV", "CSNEG"):
            d, n, mm, c = self.args(RegOp, RegOp, RegOp, WordOp)
            assert isinstance(d, RegOp) and isinstance(n, RegOp) and isinstance(mm, RegOp)
            return self._csel(st, op, d, n, mm, self._cond(c))
        if op in ("CSET", "CSETM"):
            d, c = self.args(RegOp, WordOp)
            assert isinstance(d, RegOp)
            zr = RegOp("XZR", d.width, d.col)
            return self._csel(st, "CSINC" if op == "CSET" else "CSINV", d, zr, zr,
                              _INVERT[self._cond(c)])
        if op in ("CINC", "CINV", "CNEG"):
            d, n, c = self.args(RegOp, RegOp, WordOp)
            assert isinstance(d, RegOp) and isinstance(n, RegOp)
            full = {"CINC": "CSINC", "CINV": "CSINV", "CNEG": "CSNEG"}[op]
            return self._csel(st, full, d, n, n, _INVERT[self._cond(c)])
        if op in ("UBFM", "SBFM", "UBFX", "SBFX"):
            d, n, i1, i2 = self.args(RegOp, RegOp, Imm, Imm)
            assert isinstance(d, RegOp) and isinstance(n, RegOp)
            assert isinstance(i1, Imm) and isinstance(i2, Imm)
            x = self.rd(st, n)
            if isinstance(x.v, Sym) or not isinstance(i1.value, int) \
                    or not isinstance(i2.value, int):
                raise self.unsupported("bitfield of an address")
            w = d.width
            immr, imms = i1.value, i2.value
            if op in ("UBFX", "SBFX"):  # lsb, width -> immr, imms
                immr, imms = i1.value, i1.value + i2.value - 1
            if imms >= immr:
                field = (x.v >> immr) & ((1 << (imms - immr + 1)) - 1)
                top = imms - immr
            else:
                field = (x.v & ((1 << (imms + 1)) - 1)) << (w - immr)
                top = imms + w - immr
            if op.startswith("S"):
                field = _sext(field, top + 1)
            self.wr(st, d, Val(field & _mask(w), x.deps, x.pick))
            return None
        if op in ("REV", "REV16", "REV32", "REV64", "RBIT", "ABS", "CLZ"):
            d, n = self.args(RegOp, RegOp)
            assert isinstance(d, RegOp) and isinstance(n, RegOp)
            x = self.rd(st, n)
            if isinstance(x.v, Sym):
                raise self.unsupported("bit manipulation of an address")
            self.wr(st, d, Val(_bitop(op, x.v, d.width), x.deps, x.pick))
            return None
        if op in ("SMULL", "UMULL", "SMNEGL", "UMNEGL", "SMADDL", "UMADDL", "SMSUBL",
                  "UMSUBL"):
            regs = [x for x in a if isinstance(x, RegOp)]
            if len(regs) not in (3, 4) or len(regs) != len(a):
                raise self.err(f"{op} takes registers", ins.op_col, len(op))
            vals = [self.rd(st, x) for x in regs[1:]]
            nums: list[int] = []
            for v in vals:
                if isinstance(v.v, Sym):
                    raise self.unsupported("multiplication of an address")
                nums.append(v.v)

            def ext(x: int) -> int:
                return _sext(x, 32) if op[0] == "S" else x & M32

            wide = ext(nums[0]) * ext(nums[1])
            if "NEG" in op:
                wide = -wide
            if len(nums) == 3:
                wide = nums[2] + wide if "ADD" in op else nums[2] - wide
            self._wr_from(st, regs[0], wide & M64, vals)
            return None
        if op == "MRS":
            d, sysreg = self.args(RegOp, WordOp)
            assert isinstance(d, RegOp) and isinstance(sysreg, WordOp)
            if sysreg.word != "NZCV":
                raise self.unsupported(f"system register {sysreg.word}")
            f = st.get(NZCV)
            fv = f.v if isinstance(f.v, int) else 0
            self.wr(st, d, Val(fv << 28, f.deps, f.pick))
            return None
        if op == "MSR":
            sysreg, src = self.args(WordOp, RegOp)
            assert isinstance(sysreg, WordOp) and isinstance(src, RegOp)
            if sysreg.word != "NZCV":
                raise self.unsupported(f"system register {sysreg.word}")
            x = self.rd(st, src)
            if isinstance(x.v, Sym):
                raise self.unsupported("flags from an address")
            st.set(NZCV, Val((x.v >> 28) & 0xF, x.deps, x.pick))
            return None
        raise self.unsupported(f"instruction {op} is not modelled")

    def _wr_from(self, st: ThreadState, d: RegOp, r: Value, srcs: list[Val]) -> None:
        deps = pick = 0
        for s in srcs:
            deps |= s.deps
            pick |= s.pick
        self.wr(st, d, Val(r, deps, pick))

    def _cond(self, c: Operand) -> str:
        assert isinstance(c, WordOp)
        if c.word not in CONDS or c.word in ("AL", "NV"):
            raise self.err(f"unknown condition {c.word!r}", c.col, len(c.word))
        return c.word

    def _arith(self, st: ThreadState, op: str, d: RegOp, x: Val, y: Val) -> None:
        width = d.width
        deps = Val(0, x.deps | y.deps, x.pick | y.pick)
        base = op[:-1] if op.endswith("S") and op not in ("ORRS",) and op != "BICS" else op
        if op == "BICS":
            base = "BIC"
        if op in ("ADDS", "SUBS"):
            yv = y.v
            if op == "SUBS":
                if isinstance(yv, int):
                    res, flags = _add_flags(x.v, (~yv) & _mask(width), 1, width)
                else:
                    if x.v == yv:
                        res, flags = 0, 0b0110
                    else:
                        raise self.unsupported("comparing an address with another value")
            else:
                res, flags = _add_flags(x.v, yv, 0, width)
            self.set_flags(st, flags, deps)
            self.wr(st, d, Val(res, deps.deps, deps.pick))
            return None
        r = _alu(base.lower(), x.v, y.v, width, self.span)
        if op in ("ANDS", "BICS"):
            if isinstance(r, Sym):
                raise self.unsupported("flags of an address")
            n = (r >> (width - 1)) & 1
            z = 1 if r == 0 else 0
            self.set_flags(st, (n << 3) | (z << 2), deps)
        self.wr(st, d, Val(r, deps.deps, deps.pick))
        return None

    def _csel(self, st: ThreadState, op: str, d: RegOp, n: RegOp, m: RegOp, cond: str) -> None:
        flags = st.get(NZCV)
        f = flags.v if isinstance(flags.v, int) else 0
        if cond_holds(cond, f):
            v = self.rd(st, n)
            r = v.v
        else:
            v = self.rd(st, m)
            r = v.v
            if op != "CSEL":
                if isinstance(r, Sym):
                    raise self.unsupported("arithmetic on an address")
                if op == "CSINC":
                    r = (r + 1) & _mask(d.width)
                elif op == "CSINV":
                    r = ~r & _mask(d.width)
                else:
                    r = (-r) & _mask(d.width)
        self.wr(st, d, Val(r, v.deps, v.pick | flags.pick))
        return None


# -- the dialect ------------------------------------------------------------------------


def show_typed(x: Value, ty: str | None) -> Value:
    """A register value as herd7 prints it: by the declared type, else as an ``int``
    when it fits 32 bits and as a signed 64-bit value otherwise."""
    if not isinstance(x, int):
        return x
    t = _TYPES.get(ty or "")
    if t is None:
        x &= M64
        return _sext(x, 32) if x < 1 << 32 else _sext(x, 64)
    bits, signed = t
    return _sext(x, bits) if signed else x & ((1 << bits) - 1)


def _final_regs_for(types: dict[str, str]) -> Callable[[dict[str, Val]], dict[str, Value]]:
    def final(regs: dict[str, Val]) -> dict[str, Value]:
        return {name: show_typed(v.v, types.get(name)) for name, v in regs.items()
                if name not in (NZCV, "SP")}
    return final


class AArch64Dialect(Record):
    __slots__ = ("arch", "default_model", "models", "supports_arrays")

    arch: str
    default_model: str
    models: tuple[str, ...]
    supports_arrays: bool  # array cells x[i] as locations, Sym offsets as addresses

    def __init__(
        self,
        arch: str = "AArch64",
        default_model: str = "armv8",
        models: tuple[str, ...] = ("sc", "armv8"),
        supports_arrays: bool = True,
    ) -> None:
        self.arch = arch
        self.default_model = default_model
        self.models = models
        self.supports_arrays = supports_arrays

    def canon_reg(self, name: str) -> str | None:
        return canon_reg(name)

    def typed_value(self, v: int, ty: str | None) -> int:
        """A condition constant on a register, as the register's final value is shown."""
        out = show_typed(v, ty)
        assert isinstance(out, int)
        return out

    def compile(self, test: Litmus, thread: int, cells: tuple[Cell, ...]) -> Program:
        instrs: list[Step] = []
        labels: dict[str, int] = {}
        for cell in cells:
            text = cell.text
            label, rest, col = split_label(text)
            if label is not None:
                if label in labels:
                    raise UserError(f"label {label!r} defined twice", cell.span)
                labels[label] = len(instrs)
                if not rest.strip():
                    continue
            span = Span(cell.span.line, cell.span.col + col, cell.span.text)
            ins = parse_instr(rest, span)
            instrs.append(Step(ins, span, rest))
        for step in instrs:
            for x in step.ins.args:
                if isinstance(x, LabelOp) and x.name not in labels \
                        and not _RELATIVE.fullmatch(x.name):
                    raise UserError(f"branch to unknown label {x.name!r}",
                                    step.ins.at(x.col, len(x.name)))
        for i in range(len(instrs) + 1):  # every instruction's address, for returns
            labels.setdefault(f"@{i}", i)
        init_regs: dict[str, Value] = {}
        for loc, val in test.init:
            if isinstance(loc, Reg) and loc.thread == thread:
                init_regs[loc.name] = val & M64 if isinstance(val, int) else val
        reg_types: dict[str, str] = {}
        mem_types: dict[str, str] = {}
        for loc, ty in test.types:
            if isinstance(loc, Reg) and loc.thread == thread:
                reg_types[loc.name] = ty
            elif isinstance(loc, Mem):
                mem_types[loc.name] = ty
        prog = Program(thread, list(instrs), labels, init_regs,
                       final_regs=_final_regs_for(reg_types))
        prog.mem_types = mem_types  # type: ignore[attr-defined]
        prog.arrays = {n: (ty, k) for n, ty, k in test.arrays}  # type: ignore[attr-defined]
        return prog


AARCH64 = AArch64Dialect()
