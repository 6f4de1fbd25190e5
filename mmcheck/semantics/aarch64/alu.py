"""AArch64 data-processing instructions: moves, arithmetic, flags, selects, bitfields."""

from __future__ import annotations

from mmcheck.litmus.aarch64 import (
    CONDS,
    Imm,
    Operand,
    RegOp,
    ShiftOp,
    WordOp,
)
from mmcheck.litmus.ast import Sym, Value
from mmcheck.semantics.aarch64.base import StepBase
from mmcheck.semantics.aarch64.values import (
    _INVERT,
    M32,
    M64,
    NV2_OFFSETS,
    NZCV,
    SYSREGS,
    Unequal,
    _add_flags,
    _alu,
    _bitop,
    _mask,
    _sext,
    cond_holds,
    is_instr,
)
from mmcheck.semantics.runner import ThreadState, Val


class AluSteps(StepBase):
    """Data processing: registers and flags."""

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
                return self.system_register(st, sysreg.word, d, load=True)
            f = st.get(NZCV)
            fv = f.v if isinstance(f.v, int) else 0
            self.wr(st, d, Val(fv << 28, f.deps, f.pick))
            return None
        if op == "MSR":
            sysreg, src = self.args(WordOp, RegOp)
            assert isinstance(sysreg, WordOp) and isinstance(src, RegOp)
            if sysreg.word != "NZCV":
                return self.system_register(st, sysreg.word, src, load=False)
            x = self.rd(st, src)
            if isinstance(x.v, Sym):
                raise self.unsupported("flags from an address")
            st.set(NZCV, Val((x.v >> 28) & 0xF, x.deps, x.pick))
            return None
        raise self.unsupported(f"instruction {op} is not modelled")

    def system_register(self, st: ThreadState, name: str, r: RegOp, load: bool) -> None:
        """MRS/MSR of a system register other than NZCV.  Under herd7's NV2 variant those
        with a slot in the VNCR_EL2 page are memory accesses there (an LDR or STR at
        VNCR_EL2 + the slot's offset); otherwise the system register is a register."""
        if name not in SYSREGS:
            raise self.unsupported(f"system register {name}")
        off = NV2_OFFSETS.get(name)
        if off is not None and getattr(st.program, "nv2", False):
            base = st.get("VNCR_EL2")
            addr = self.cell(st, Val(_alu("add", base.v, off, 64, self.span), base.deps,
                                     base.pick), 8, self.ins.op_col)
            if load:
                v, _ = st.read(addr, frozenset())
                self.wr(st, r, v)
            else:
                st.write(addr, self.rd(st, r), frozenset())
            return None
        if load:
            self.wr(st, r, st.get(name))
        else:
            st.set(name, self.rd(st, r))
        return None

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
                    elif is_instr(x.v) and is_instr(yv):
                        st.set(NZCV, Unequal(0, deps.deps, deps.pick))
                        self.wr(st, d, Val(0, deps.deps, deps.pick))
                        return None
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
        if isinstance(flags, Unequal) and cond not in ("EQ", "NE"):
            raise self.unsupported("ordering two different instructions (only = and != are "
                                   "known)")
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
