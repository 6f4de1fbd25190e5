"""AArch64 memory instructions: loads, stores, pairs, exclusives and atomics."""

from __future__ import annotations

from mmcheck.litmus.aarch64 import (
    MemOp,
    RegOp,
)
from mmcheck.litmus.ast import Sym, Value
from mmcheck.semantics.aarch64.base import StepBase
from mmcheck.semantics.aarch64.values import (
    _AMO_OPS,
    _TYPES,
    M32,
    M64,
    _alu,
    _mask,
    _sext,
)
from mmcheck.semantics.runner import Chosen, ThreadState, Val


class MemorySteps(StepBase):
    """Loads, stores, pairs, exclusives, atomics and compare-and-swap."""

    def pair(self, st: ThreadState, op: str) -> None:
        """LDP, STP, LDPSW, LDNP, STNP, LDIAPP, STILP: two accesses of one instruction to
        consecutive cells.  The non-temporal hint changes nothing in herd7's default
        model; LDIAPP reads acquire-PC and STILP writes release, the first access
        ordered before the second (herd7's ``seq_mem``, here the two accesses are two
        steps in program order)."""
        r1, r2, m = self.args(RegOp, RegOp, MemOp)
        assert isinstance(r1, RegOp) and isinstance(r2, RegOp) and isinstance(m, MemOp)
        size = 4 if op == "LDPSW" else r1.width // 8
        access, after = self.raw_address(st, m)
        second = Val(_alu("add", access.v, size, 64, self.ins.at(m.col)), access.deps,
                     access.pick)
        addrs = (self.cell(st, access, size, m.col), self.cell(st, second, size, m.col))
        ordered = op in ("LDIAPP", "STILP")
        tags = frozenset({"Q"}) if op == "LDIAPP" else (
            frozenset({"L"}) if op == "STILP" else frozenset())
        if op in ("STP", "STNP", "STILP"):
            pairs = list(zip((r1, r2), addrs, strict=True))
            if op == "STILP" and m.mode != "off":
                pairs.reverse()  # with writeback herd7 writes the upper cell first
            for k, (r, addr) in enumerate(pairs):
                if k and ordered:
                    st.step += 1
                st.write(addr, self.typed(st, addr, self.rd(st, r), r.width), tags)
        else:
            vals = []
            for k, addr in enumerate(addrs):
                if k and ordered:
                    st.step += 1
                vals.append(st.read(addr, tags)[0])
            for r, v in zip((r1, r2), vals, strict=True):
                if op == "LDPSW" and isinstance(v.v, int):
                    v = Val(_sext(v.v, 32) & M64, v.deps, v.pick)
                self.wr(st, r, v)
        self.writeback(st, m, after)
        return None


    def _pair_cells(self, st: ThreadState, m: MemOp, size: int) -> tuple[Val, Val]:
        if m.mode != "off" or m.offset is not None:
            raise self.err("an exclusive pair takes a plain [Xn] address", m.col)
        access, _ = self.raw_address(st, m)
        second = Val(_alu("add", access.v, size, 64, self.ins.at(m.col)), access.deps,
                     access.pick)
        return self.cell(st, access, size, m.col), self.cell(st, second, size, m.col)

    def load_exclusive_pair(self, st: ThreadState, acquire: bool) -> None:
        """LDXP, LDAXP: two exclusive reads of consecutive cells, one single-copy-atomic
        unit (tagged ``SCA``: the model's sca-class); the monitor is on the first."""
        r1, r2, m = self.args(RegOp, RegOp, MemOp)
        assert isinstance(r1, RegOp) and isinstance(r2, RegOp) and isinstance(m, MemOp)
        a1, a2 = self._pair_cells(st, m, r1.width // 8)
        tags = frozenset({"X", "A", "SCA"}) if acquire else frozenset({"X", "SCA"})
        v1, i1 = st.read(a1, tags)
        v2, i2 = st.read(a2, tags)
        st.exclusive = (i1, st.events[i1].loc)
        st.__dict__["exclusive_pair"] = (i1, i2)
        self.wr(st, r1, v1)
        self.wr(st, r2, v2)

    def store_exclusive_pair(self, st: ThreadState, release: bool) -> None:
        """STXP, STLXP: both writes (one single-copy-atomic unit) or neither, after a
        load-exclusive pair of the same address; each write pairs with its cell's read."""
        s, r1, r2, m = self.args(RegOp, RegOp, RegOp, MemOp)
        assert isinstance(s, RegOp) and isinstance(r1, RegOp) and isinstance(r2, RegOp)
        assert isinstance(m, MemOp)
        addrs = self._pair_cells(st, m, r1.width // 8)
        lx = st.exclusive
        pair = st.__dict__.pop("exclusive_pair", None)
        st.exclusive = None
        success = lx is not None and lx[1] == st.location(addrs[0]) and st.choose(2) == 1
        if lx is None or not success:
            self.wr(st, s, Chosen(1) if lx is not None else Val(1))
            return
        tags = frozenset({"X", "L", "SCA"}) if release else frozenset({"X", "SCA"})
        widx = [st.write(addr, self.rd(st, r), tags)
                for r, addr in zip((r1, r2), addrs, strict=True)]
        if pair is not None and pair[0] == lx[0]:
            for ridx, w in zip(pair, widx, strict=True):
                st.add_rmw(ridx, w)
        self.wr(st, s, Chosen(0))

    def load(self, st: ThreadState, tags: frozenset[str]) -> None:
        r, m = self.args(RegOp, MemOp)
        assert isinstance(r, RegOp) and isinstance(m, MemOp)
        access, after = self.raw_address(st, m)
        code: dict[str, str] = getattr(st.program, "code_image", {})
        if isinstance(access.v, Sym) and not access.v.offset and access.v.name in code:
            # Loading an instruction of the test's code (which nothing writes): its value.
            self.wr(st, r, Val(Sym(code[access.v.name]), access.deps, access.pick))
            self.writeback(st, m, after)
            return None
        addr = self.cell(st, access, r.width // 8, m.col)
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
            self.wr(st, s, Chosen(1) if lx is not None else Val(1))
            return None
        data = self.rd(st, r)
        idx = st.write(addr, data, tags)
        ridx, _ = lx
        if self._last_atomic_before(st, idx) == ridx:
            st.add_rmw(ridx, idx)
        self.wr(st, s, Chosen(0))
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
            return self.casp(st, acq, rel)
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

    def casp(self, st: ThreadState, acq: bool, rel: bool) -> None:
        """CASP Rs,Rs+1,Rt,Rt+1,[Xn]: CAS on two consecutive cells at once (two reads and,
        when both match, two writes, each write paired with its cell's read), run in
        herd7's two dataflow variants as CAS is."""
        rs1, rs2, rt1, rt2, m = self.args(RegOp, RegOp, RegOp, RegOp, MemOp)
        assert isinstance(rs1, RegOp) and isinstance(rs2, RegOp) and isinstance(m, MemOp)
        assert isinstance(rt1, RegOp) and isinstance(rt2, RegOp)
        if m.mode != "off" or m.offset is not None:
            raise self.err("CASP takes a plain [Xn] address", m.col)
        width = rs1.width
        size = width // 8
        access, _ = self.raw_address(st, m)
        second = Val(_alu("add", access.v, size, 64, self.ins.at(m.col)), access.deps,
                     access.pick)
        addrs = (self.cell(st, access, size, m.col), self.cell(st, second, size, m.col))
        expects = (self.rd(st, rs1), self.rd(st, rs2))
        variant = st.choose(2)
        rtags_ok = frozenset({"X", "A"}) if acq else frozenset({"X"})
        olds: list[Val] = []
        ridxs: list[int] = []
        for addr in addrs:
            old, ridx = st.read(addr, rtags_ok)
            if isinstance(old.v, int) and width == 32:
                old = Val(old.v & M32, old.deps, old.pick)
            olds.append(old)
            ridxs.append(ridx)
        br_pick = 0
        for v in (*olds, *expects):
            br_pick |= v.pick
        if any(o.v != e.v for o, e in zip(olds, expects, strict=True)):
            for ridx in ridxs:
                st.retag(ridx, frozenset({"A"}) if acq else frozenset())
            for r, old in zip((rs1, rs2), olds, strict=True):
                extra = br_pick if variant == 0 else 0
                self.wr(st, r, Val(old.v, old.deps, old.pick | extra))
            return None
        wtags = frozenset({"X", "L"}) if rel else frozenset({"X"})
        for addr, rt, ridx in zip(addrs, (rt1, rt2), ridxs, strict=True):
            new = self.rd(st, rt)
            widx = st.write(addr, Val(new.v, new.deps, new.pick | br_pick), wtags)
            st.add_rmw(ridx, widx)
        for r, old, e in zip((rs1, rs2), olds, expects, strict=True):
            if variant == 0:
                self.wr(st, r, Val(old.v, e.deps, e.pick | br_pick))
            else:
                self.wr(st, r, Val(old.v, old.deps, old.pick))
        return None
