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


class Step(MemorySteps, AluSteps, ControlSteps):
    """One AArch64 instruction, ready to run."""

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
            if isinstance(flags, Unequal) and op[2:] not in ("EQ", "NE"):
                raise self.unsupported("ordering two different instructions (only = and != "
                                       "are known)")
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
        if op in ("LDP", "STP", "LDPSW", "LDNP", "STNP", "LDIAPP", "STILP"):
            self.pair(st, op)
            return None
        if op in ("LDXP", "LDAXP"):
            self.load_exclusive_pair(st, op == "LDAXP")
            return None
        if op in ("STXP", "STLXP"):
            self.store_exclusive_pair(st, op == "STLXP")
            return None
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
