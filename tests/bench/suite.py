"""A deterministic generator of AArch64 litmus tests "of the kind found in public suites".

    python tests/bench/suite.py OUTDIR [--count N] [--seed S]

writes N tests (default 300) named ``B000-<shape>.litmus`` ... into OUTDIR.  The same
count and seed always give byte-identical files.

Each test is a diy-style cycle: a ring of 2-4 threads (mostly 4), each thread holding
one or two accesses of the cycle.  Between threads the cycle crosses a communication
edge on one location (Rfe: W->R, Fre: R->W, Coe: W->W); inside a two-access thread it
takes a program-order edge to the next location, so a test touches 2-4 locations.
Shapes: MP, SB, LB, S, R, 2+2W, WRC, ISA2, RWC, WWC, IRIW, their 4-thread chain
extensions, and random rings.

Each program-order edge is plain, a barrier (DMB ISH/ISHLD/ISHST, DMB SY/LD/ST), an
address dependency (``EOR W9,Wn,Wn`` + ``LDR Wm,[Xk,W9,SXTW]``, or ``ADD Xt,Xk,W9,SXTW``
when the target takes only ``[Xn]``), a data dependency (EOR + ADD into the stored
value) or a control dependency (``CBNZ Wn,LCn`` + label, optionally followed by ISB).
Each read is LDR, LDAR or LDAPR; each write is STR, STLR, an exclusive pair
(LDXR/LDAXR + STXR/STLXR, no retry loop), or an atomic SWP/LDADD/CAS in its plain,
A, L and AL forms.

Values follow diy's scheme: on each location the writes of the cycle store 1, 2, ...
in cycle (= coherence) order, a read is expected to see the latest preceding write of
the cycle (0 when none), and a location written twice or more has its last value in
the final condition.  An LDADD adds 1, so it stores k when it reads k-1; a CAS
compares with k-1 and stores k.  The ``exists`` clause names every read, the final
value of every location written twice, and (sometimes) the status register of a
store-exclusive or the old value of an atomic.
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

LOCS = ["x", "y", "z", "a"]

# Named shapes: a ring of threads, each the directions of its one or two accesses.
SHAPES: dict[str, list[str]] = {
    # 2 threads
    "MP": ["WW", "RR"],
    "SB": ["WR", "WR"],
    "LB": ["RW", "RW"],
    "S": ["WW", "RW"],
    "R": ["WW", "WR"],
    "2+2W": ["WW", "WW"],
    # 3 threads
    "WRC": ["W", "RW", "RR"],
    "RWC": ["W", "RR", "WR"],
    "WWC": ["W", "RW", "WR"],
    "ISA2": ["WW", "RW", "RR"],
    "3.SB": ["WR", "WR", "WR"],
    "3.LB": ["RW", "RW", "RW"],
    "3.2W": ["WW", "WW", "WW"],
    "Z6.0": ["WW", "RW", "WR"],
    # 4 threads
    "IRIW": ["W", "RR", "W", "RR"],
    "IRRWIW": ["W", "RR", "W", "RW"],
    "IRWIW": ["W", "RW", "W", "RW"],
    "4.MP": ["WW", "RW", "RW", "RR"],
    "4.SB": ["WR", "WR", "WR", "WR"],
    "4.LB": ["RW", "RW", "RW", "RW"],
    "4.2W": ["WW", "WW", "WW", "WW"],
    "W+RWC": ["WW", "RR", "WR"],
    "WRC+2": ["W", "RW", "RW", "RR"],
    "ISA2+W": ["WW", "RW", "RW", "WR"],
    "R+SB": ["WW", "WR", "WR", "WR"],
    "MP+LB": ["WW", "RW", "RW", "RR"],
    "IRIW+W": ["W", "RR", "WW", "RR"],
}

THREADS_WEIGHT = {2: 0.15, 3: 0.20, 4: 0.65}


def random_ring(rng: random.Random, n: int) -> list[str]:
    """A random ring of n threads with 2..min(n,4) two-access threads, no R->R crossing."""
    while True:
        ring = []
        for _ in range(n):
            if rng.random() < 0.8:
                ring.append(rng.choice(["RR", "RW", "WR", "WW"]))
            else:
                ring.append("W" if rng.random() < 0.85 else "R")
        pairs = sum(len(t) == 2 for t in ring)
        if not 2 <= pairs <= 4:
            continue
        if any(ring[i][-1] == "R" and ring[(i + 1) % n][0] == "R" for i in range(n)):
            continue
        return ring


@dataclass
class Event:
    tid: int
    idx: int  # 0 or 1 inside its thread
    dir: str
    loc: str = ""
    value: int = 0  # W: value stored; R: value expected


@dataclass
class ThreadCode:
    tid: int
    lines: list[str] = field(default_factory=list)
    init: dict[str, str] = field(default_factory=dict)  # "X3" -> "x"
    addr: dict[str, int] = field(default_factory=dict)
    nreg: int = 0

    def reg(self) -> int:
        r = self.nreg
        self.nreg += 1
        return r

    def addr_reg(self, loc: str) -> int:
        if loc not in self.addr:
            r = self.reg()
            self.addr[loc] = r
            self.init[f"X{r}"] = loc
        return self.addr[loc]


def weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    total = sum(w for _, w in options)
    pick = rng.random() * total
    for name, w in options:
        pick -= w
        if pick < 0:
            return name
    return options[-1][0]


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.labels = 0
        self.cond: list[str] = []
        self.tags: list[str] = []
        # Exclusive pairs and atomics multiply herd7's work (and each store-exclusive
        # doubles the executions); public suites rarely have more than two or three.
        self.rmw_budget = 2 if rng.random() < 0.6 else 3

    # -- one access ---------------------------------------------------------------

    def address(self, th: ThreadCode, loc: str, dep: int | None, simple: bool) -> str:
        """The address operand for loc; with dep a register whose value is 0 (a dependency)."""
        a = th.addr_reg(loc)
        if dep is None:
            return f"[X{a}]"
        if not simple:
            return f"[X{a},W{dep},SXTW]"
        t = th.reg()
        th.lines.append(f"ADD X{t},X{a},W{dep},SXTW")
        return f"[X{t}]"

    def read(self, th: ThreadCode, ev: Event, dep_addr: int | None) -> int:
        kind = weighted(self.rng, [("LDR", 4), ("LDAR", 2), ("LDAPR", 1.5)])
        r = th.reg()
        th.lines.append(f"{kind} W{r},{self.address(th, ev.loc, dep_addr, kind != 'LDR')}")
        self.cond.append(f"{th.tid}:X{r}={ev.value}")
        self.tags.append(kind)
        return r

    def value_reg(self, th: ThreadCode, k: int, dep_data: int | None) -> int:
        v = th.reg()
        if dep_data is None:
            th.lines.append(f"MOV W{v},#{k}")
        else:
            th.lines.append(f"EOR W{v},W{dep_data},W{dep_data}")
            th.lines.append(f"ADD W{v},W{v},#{k}")
        return v

    def write(self, th: ThreadCode, ev: Event, dep_addr: int | None,
              dep_data: int | None) -> int | None:
        """Emit the write; return a register holding a value read (RMWs) or None."""
        rng = self.rng
        opts = [("STR", 4.0), ("STLR", 2.0)]
        if self.rmw_budget > 0:
            opts += [("EXCL", 2.2), ("SWP", 1.0), ("LDADD", 1.0), ("CAS", 1.0)]
        kind = weighted(rng, opts)
        if kind not in ("STR", "STLR"):
            self.rmw_budget -= 1
        k = ev.value
        if kind in ("STR", "STLR"):
            v = self.value_reg(th, k, dep_data)
            th.lines.append(f"{kind} W{v},{self.address(th, ev.loc, dep_addr, kind != 'STR')}")
            self.tags.append(kind)
            return None
        if kind == "EXCL":
            ld = rng.choice(["LDXR", "LDXR", "LDAXR"])
            st = rng.choice(["STXR", "STXR", "STLXR"])
            v = self.value_reg(th, k, dep_data)
            m = self.address(th, ev.loc, dep_addr, True)
            o = th.reg()
            s = th.reg()
            th.lines.append(f"{ld} W{o},{m}")
            th.lines.append(f"{st} W{s},W{v},{m}")
            if rng.random() < 0.7:
                self.cond.append(f"{th.tid}:X{s}=0")
            self.tags.append(f"{ld}/{st}")
            return o
        suffix = rng.choice(["", "", "A", "L", "AL"])
        op = kind + suffix
        m = self.address(th, ev.loc, dep_addr, True)
        if kind == "SWP":
            v = self.value_reg(th, k, dep_data)
            o = th.reg()
            th.lines.append(f"{op} W{v},W{o},{m}")
        elif kind == "LDADD":
            v = self.value_reg(th, 1, dep_data)
            o = th.reg()
            th.lines.append(f"{op} W{v},W{o},{m}")
        else:  # CAS: compare with k-1, store k; the compare register gets the old value
            o = th.reg()
            th.lines.append(f"MOV W{o},#{k - 1}")
            v = self.value_reg(th, k, dep_data)
            th.lines.append(f"{op} W{o},W{v},{m}")
        if kind == "CAS" or rng.random() < 0.4:
            self.cond.append(f"{th.tid}:X{o}={k - 1}")
        self.tags.append(op)
        return o

    def access(self, th: ThreadCode, ev: Event, dep_addr: int | None = None,
               dep_data: int | None = None) -> int | None:
        if ev.dir == "R":
            return self.read(th, ev, dep_addr)
        return self.write(th, ev, dep_addr, dep_data)

    # -- one thread ---------------------------------------------------------------

    def thread(self, tid: int, evs: list[Event]) -> ThreadCode:
        th = ThreadCode(tid)
        if len(evs) == 1:
            self.access(th, evs[0])
            return th
        e0, e1 = evs
        r0 = self.access(th, e0)
        opts: list[tuple[str, float]] = [("po", 2), ("DMB ISH", 1.5), ("DMB SY", 0.7)]
        if e0.dir == "R":
            opts += [("DMB ISHLD", 1), ("DMB LD", 0.3)]
        if e0.dir == "W" and e1.dir == "W":
            opts += [("DMB ISHST", 1), ("DMB ST", 0.3)]
        if r0 is not None:
            opts += [("addr", 2), ("ctrl", 1.2), ("ctrlisb", 0.8 if e1.dir == "R" else 0.3)]
            if e1.dir == "W":
                opts += [("data", 1.5)]
        edge = weighted(self.rng, opts)
        self.tags.append(edge.replace(" ", "."))
        dep_addr = dep_data = None
        if edge.startswith("DMB"):
            th.lines.append(edge)
        elif edge in ("addr", "data"):
            d = th.reg()
            th.lines.append(f"EOR W{d},W{r0},W{r0}")
            if edge == "addr":
                dep_addr = d
            else:
                dep_data = d
        elif edge.startswith("ctrl"):
            lab = f"LC{self.labels:02d}"
            self.labels += 1
            th.lines.append(f"CBNZ W{r0},{lab}")
            th.lines.append(f"{lab}:")
            if edge == "ctrlisb":
                th.lines.append("ISB")
        if dep_data is not None and e1.dir == "W":
            self.access(th, e1, dep_data=dep_data)
        else:
            self.access(th, e1, dep_addr=dep_addr)
        return th


def make_test(rng: random.Random, index: int) -> tuple[str, str]:
    """One test: (file name, text)."""
    nthreads = int(weighted(rng, [(str(n), w) for n, w in THREADS_WEIGHT.items()]))
    named = [s for s, ring in SHAPES.items() if len(ring) == nthreads]
    if rng.random() < 0.7:
        shape = rng.choice(named)
        ring = list(SHAPES[shape])
    else:
        shape = f"Ring{nthreads}"
        ring = random_ring(rng, nthreads)
    # Rotate so that thread 0 has two accesses, then lay the cycle's events out.
    rot = rng.choice([i for i, t in enumerate(ring) if len(t) == 2])
    ring = ring[rot:] + ring[:rot]
    npairs = sum(len(t) == 2 for t in ring)
    evs: list[list[Event]] = []
    cur = 0
    for tid, dirs in enumerate(ring):
        row = [Event(tid, 0, dirs[0], LOCS[cur % npairs])]
        if len(dirs) == 2:
            cur += 1
            row.append(Event(tid, 1, dirs[1], LOCS[cur % npairs]))
        evs.append(row)
    # Cycle order starting at thread 0's second access: chains of com edges per location.
    order = [evs[0][1]] + [e for row in evs[1:] for e in row] + [evs[0][0]]
    final: dict[str, int] = {}
    chain: list[Event] = []
    for i, e in enumerate(order):
        chain.append(e)
        if e.idx == 0 and len(evs[e.tid]) == 2 or i == len(order) - 1:
            last = 0
            writes = 0
            for c in chain:
                if c.dir == "W":
                    writes += 1
                    last = c.value = writes
                else:
                    c.value = last
            if writes >= 2:
                final[chain[0].loc] = last
            chain = []
    b = Builder(rng)
    codes = [b.thread(tid, row) for tid, row in enumerate(evs)]
    cond = b.cond + [f"[{loc}]={v}" for loc, v in sorted(final.items())]
    name = f"B{index:03d}-{shape}"
    return f"{name}.litmus", render(name, ring, codes, cond, b.tags)


def render(name: str, ring: list[str], codes: list[ThreadCode], cond: list[str],
           tags: list[str]) -> str:
    out = [f"AArch64 {name}", '"' + " ".join(ring) + " : " + " ".join(tags) + '"', "{"]
    for th in codes:
        out.append(" ".join(f"{th.tid}:{r}={loc};" for r, loc in th.init.items()))
    out.append("}")
    cols = [[f"P{th.tid}"] + th.lines for th in codes]
    rows = max(len(c) for c in cols)
    widths = [max(len(s) for s in c) for c in cols]
    for r in range(rows):
        cells = [(c[r] if r < len(c) else "").ljust(widths[i]) for i, c in enumerate(cols)]
        out.append(" " + " | ".join(cells) + " ;")
    out.append("exists (" + " /\\ ".join(cond) + ")")
    return "\n".join(out) + "\n"


def generate(outdir: Path, count: int = 300, seed: int = 7) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths = []
    for i in range(count):
        fname, text = make_test(rng, i)
        p = outdir / fname
        p.write_text(text)
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    paths = generate(args.outdir, args.count, args.seed)
    print(f"wrote {len(paths)} tests to {args.outdir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
