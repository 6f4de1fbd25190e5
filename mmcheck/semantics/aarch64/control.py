"""AArch64 branches, calls and code addresses."""

from __future__ import annotations

from mmcheck.litmus.aarch64 import (
    LabelOp,
    RegOp,
    WordOp,
)
from mmcheck.litmus.ast import Sym
from mmcheck.semantics.aarch64.base import StepBase
from mmcheck.semantics.aarch64.values import (
    _RELATIVE,
    UNROLL,
)
from mmcheck.semantics.runner import BadAddress, Chosen, Cutoff, ThreadState, Val


class ControlSteps(StepBase):
    """Branches (with herd's unrolling bound), calls and code addresses."""

    def jump(self, st: ThreadState, label: str, cond: Val | None = None,
             scoped: bool = True) -> str:
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
        elif scoped:
            label = self.scope + label
        target = st.program.labels[label]
        if target <= st.pc and (cond is None or cond.deps or cond.pick
                                or isinstance(cond, Chosen)):
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
        if ":" in name:  # a label of another thread's code, already 'k:L'
            return Val(Sym(name))
        return Val(Sym(f"{st.program.thread}:{name}"))

    def call(self, st: ThreadState, op: str) -> str | None:
        """BL, BLR, BR, RET and ADR, with code addresses as symbolic values."""
        if op == "ADR":
            d, lab = self.args(RegOp, (LabelOp, WordOp))
            assert isinstance(d, RegOp)
            name = lab.name if isinstance(lab, LabelOp) else lab.word  # type: ignore[union-attr]
            if self.scope + name not in st.program.labels:
                raise self.err(f"unknown label {name!r}", lab.col, len(name))
            self.wr(st, d, self.code_address(st, st.program.labels[self.scope + name]))
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
        if op == "RET" and t == 0 and getattr(st.program, "telechat", False):
            return f"@{len(st.program.instrs)}"  # the end of the thread
        prefix = f"{st.program.thread}:"
        key = None
        if isinstance(t, Sym) and not t.offset:
            if t.name.startswith(prefix) and t.name[len(prefix):] in st.program.labels:
                key = t.name[len(prefix):]
            elif t.name in st.program.labels:  # into another thread's code: 'k:L'
                key = t.name
        if key is None and isinstance(t, int) and getattr(st.program, "drop_bad_addresses",
                                                          False):
            raise BadAddress()  # a jump to a plain number: dropped as an access there is
        if key is None:
            raise self.unsupported(f"branch to {t}, which is not a label of the test's code")
        st.branch_on(target)
        if op == "BLR":
            st.set("X30", self.code_address(st, st.pc + 1))
        return self.jump(st, key, target, scoped=False)
