"""AArch64 instruction dispatch: one instruction to its family."""

from __future__ import annotations

from mmcheck.litmus.aarch64 import (
    Imm,
    LabelOp,
    RegOp,
    WordOp,
)
from mmcheck.litmus.ast import Sym
from mmcheck.semantics.aarch64.alu import AluSteps
from mmcheck.semantics.aarch64.control import ControlSteps
from mmcheck.semantics.aarch64.memory import MemorySteps
from mmcheck.semantics.aarch64.values import (
    _LOADS,
    _SIZED,
    _STORES,
    _STXS,
    BARRIER_OPTS,
    NZCV,
    Unequal,
    _parse_atomic,
    cond_holds,
)
from mmcheck.semantics.runner import ThreadState

# What each mnemonic is, worked out once: the dispatch below tests a mnemonic against
# every family in turn, and most instructions (MOV, LDR, STR) come last in that order.
(_NOP, _BARRIER, _ISB, _B, _BCOND, _CB, _TB, _CALL, _PAIR, _LDXP, _STXP, _LOAD, _STORE,
 _SIZE, _STX, _ATOMIC, _ALU) = range(17)
_KIND: dict[str, int] = {}


def _kind(op: str) -> int:
    if op == "NOP":
        return _NOP
    if op in ("DMB", "DSB"):
        return _BARRIER
    if op == "ISB":
        return _ISB
    if op == "B":
        return _B
    if op.startswith("B."):
        return _BCOND
    if op in ("CBZ", "CBNZ"):
        return _CB
    if op in ("TBZ", "TBNZ"):
        return _TB
    if op in ("BL", "BR", "BLR", "RET", "ADR"):
        return _CALL
    if op in ("LDP", "STP", "LDPSW", "LDNP", "STNP", "LDIAPP", "STILP"):
        return _PAIR
    if op in ("LDXP", "LDAXP"):
        return _LDXP
    if op in ("STXP", "STLXP"):
        return _STXP
    if op in _LOADS:
        return _LOAD
    if op in _STORES:
        return _STORE
    if op in _SIZED:
        return _SIZE
    if op in _STXS:
        return _STX
    if _parse_atomic(op) is not None:
        return _ATOMIC
    return _ALU


class Step(MemorySteps, AluSteps, ControlSteps):
    """One AArch64 instruction, ready to run."""

    def execute(self, st: ThreadState) -> str | None:  # noqa: C901 - a dispatch table
        ins = self.ins
        op = ins.op
        kind = _KIND.get(op)
        if kind is None:
            kind = _KIND[op] = _kind(op)
        if kind == _ALU:
            self.alu(st)
            return None
        if kind == _LOAD:
            self.load(st, _LOADS[op])
            return None
        if kind == _STORE:
            self.store(st, _STORES[op])
            return None
        a = ins.args
        if kind == _NOP:
            self.args()
            return None
        if kind == _BARRIER:
            opt = "SY"
            if a:
                (w,) = self.args(WordOp)
                assert isinstance(w, WordOp)
                if w.word not in BARRIER_OPTS:
                    raise self.err(f"unknown barrier option {w.word!r}", w.col, len(w.word))
                opt = w.word
            st.fence(frozenset({f"{op}.{opt}"}))
            return None
        if kind == _ISB:
            if a and not (isinstance(a[0], WordOp) and a[0].word == "SY" and len(a) == 1):
                raise self.err("ISB takes no operand but SY", a[0].col)
            st.fence(frozenset({"ISB"}))
            return None
        if kind == _B:
            (lab,) = self.args(LabelOp)
            assert isinstance(lab, LabelOp)
            return self.jump(st, lab.name)
        if kind == _BCOND:
            (lab,) = self.args(LabelOp)
            assert isinstance(lab, LabelOp)
            flags = st.get(NZCV)
            st.branch_on(flags)
            f = flags.v if isinstance(flags.v, int) else 0
            if isinstance(flags, Unequal) and op[2:] not in ("EQ", "NE"):
                raise self.unsupported("ordering two different instructions (only = and != "
                                       "are known)")
            return self.jump(st, lab.name, flags) if cond_holds(op[2:], f) else None
        if kind == _CB:
            r, lab = self.args(RegOp, LabelOp)
            assert isinstance(r, RegOp) and isinstance(lab, LabelOp)
            v = self.rd(st, r)
            st.branch_on(v)
            zero = v.v == 0
            return self.jump(st, lab.name, v) if zero == (op == "CBZ") else None
        if kind == _TB:
            r, bit, lab = self.args(RegOp, Imm, LabelOp)
            assert isinstance(r, RegOp) and isinstance(bit, Imm) and isinstance(lab, LabelOp)
            v = self.rd(st, r)
            st.branch_on(v)
            if isinstance(v.v, Sym) or not isinstance(bit.value, int):
                raise self.unsupported("testing a bit of an address")
            isz = ((v.v >> bit.value) & 1) == 0
            return self.jump(st, lab.name, v) if isz == (op == "TBZ") else None
        if kind == _CALL:
            return self.call(st, op)
        if kind == _PAIR:
            self.pair(st, op)
        elif kind == _LDXP:
            self.load_exclusive_pair(st, op == "LDAXP")
        elif kind == _STXP:
            self.store_exclusive_pair(st, op == "STLXP")
        elif kind == _SIZE:
            self.sized(st, *_SIZED[op])
        elif kind == _STX:
            self.store_exclusive(st, _STXS[op])
        else:
            atom = _parse_atomic(op)
            assert atom is not None
            self.atomic(st, *atom)
        return None
