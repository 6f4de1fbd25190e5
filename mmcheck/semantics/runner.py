"""Run one thread's code along every path, producing its traces.

The architecture semantics turn each instruction into calls on a ThreadState:
register reads and writes, memory reads and writes, fences, branches and
nondeterministic choices.  Read values come from an oracle (the values the
location can hold), so one thread yields one trace per path and per choice of
read values.  Dependencies are carried with the values: each ``Val`` knows the
reads its value flows from.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from mmcheck import TYPE_CHECKING
from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.events import FENCE, READ, WRITE, Trace, TraceEvent
from mmcheck.litmus.ast import Sym, Value
from mmcheck.record import Record, replace

if TYPE_CHECKING:
    from typing import Protocol
else:  # the protocols here are for the type checker: plain classes at run time
    Protocol = object

MAX_STEPS = 2000


class Val(Record):
    """A value with the reads it depends on (bitsets over the thread's events).

    ``deps`` follows data flow; ``pick`` also follows choices made on a value
    (a conditional select's condition, a compare-and-swap's comparison).
    """

    __slots__ = ("v", "deps", "pick")

    v: Value
    deps: int
    pick: int

    def __init__(self, v: Value, deps: int = 0, pick: int = 0) -> None:
        self.v = v
        self.deps = deps
        self.pick = pick

    def with_deps(self, other: Val) -> Val:
        return Val(self.v, self.deps | other.deps, self.pick | other.pick)


ZERO = Val(0)


class Chosen(Val):
    """A value the execution chooses without reading memory (a store-exclusive's status):
    a loop conditional on it is unrolled to the bound, as herd7 unrolls it."""

    __slots__ = ()


class Instr(Protocol):
    span: Span
    text: str

    def execute(self, st: ThreadState) -> str | None:
        """Run the instruction; return a label to jump to, or None to fall through."""
        ...


class Program:
    """One thread's code, ready to run.  ``final_regs``: the registers reported in the
    final state by default (all that the code names); ``cut``: set when a path was cut
    at the loop-unrolling bound (herd7 then says "Loop").  A dialect may set more
    attributes (``arrays``, ``drop_bad_addresses``, ``decides``...)."""

    def __init__(self, thread: int, instrs: list[Instr], labels: dict[str, int],
                 init_regs: dict[str, Value] | None = None,
                 final_regs: Callable[[dict[str, Val]], dict[str, Value]] | None = None,
                 cut: bool = False) -> None:
        self.thread = thread
        self.instrs = instrs
        self.labels = labels
        self.init_regs: dict[str, Value] = init_regs if init_regs is not None else {}
        self.final_regs = final_regs
        self.cut = cut

    def __repr__(self) -> str:
        return f"Program(thread={self.thread}, instrs={len(self.instrs)})"


class Choice(Exception):
    """Raised internally when the oracle has no value to offer."""


class Cutoff(Choice):
    """A path that would take a loop more often than it is unrolled: it is dropped."""


class BadAddress(Choice):
    """A path that accesses memory at a plain number: herd7 drops such an execution
    (AArch64), so the path is dropped when the program says so."""


class ThreadState:
    """What an instruction sees while a thread runs along one path."""

    def __init__(
        self,
        program: Program,
        oracle: Callable[[str], Sequence[Value]],
        prefix: Sequence[int],
    ) -> None:
        self.program = program
        self.oracle = oracle
        self.prefix = prefix
        self.taken: list[int] = []
        self.branch_points: list[tuple[int, int]] = []  # (position, options)
        start = program.__dict__.get("start_regs")
        if start is None:  # the initial registers, made once per program (Vals never change)
            start = program.__dict__["start_regs"] = {r: Val(v) for r, v in
                                                     program.init_regs.items()}
        self.regs: dict[str, Val] = dict(start)
        self.events: list[TraceEvent] = []
        self.rmw: list[tuple[int, int]] = []
        self.ctrl = 0
        self.ctrl_pick = 0
        self.step = 0
        self.pc = 0
        # Per location: the latest write of this thread, and the reads it flows from.
        self.last_write_flow: dict[str, tuple[int, int]] = {}
        # Times each backward branch (by the pc of the branch) has been taken on this path.
        self.back_edges: dict[int, int] = {}
        # The exclusive monitor: (read index, location) of the last load-exclusive, if open.
        self.exclusive: tuple[int, str | None] | None = None

    # -- nondeterminism -------------------------------------------------------

    def choose(self, options: int) -> int:
        k = len(self.taken)
        if options <= 0:
            raise Choice()
        pick = self.prefix[k] if k < len(self.prefix) else 0
        if k >= len(self.prefix):
            self.branch_points.append((k, options))
        self.taken.append(pick)
        return pick

    # -- registers --------------------------------------------------------------

    def get(self, reg: str) -> Val:
        return self.regs.get(reg, ZERO)

    def set(self, reg: str, val: Val) -> None:
        self.regs[reg] = val

    # -- memory -----------------------------------------------------------------

    def location(self, addr: Val) -> str:
        if isinstance(addr.v, Sym):
            return addr.v.name
        instr = self.program.instrs[self.pc]
        if getattr(self.program, "drop_bad_addresses", False):
            raise BadAddress()
        raise Unsupported(
            f"access to address {addr.v}, which is not a location, in {instr.text.strip()!r}",
            instr.span,
        )

    def _local_cut(self) -> int:
        """The events before the current instruction's, as a mask (dependencies on
        events of the current instruction are dropped)."""
        events = self.events
        i = len(events)
        step = self.step
        while i and events[i - 1].instr == step:
            i -= 1
        return (1 << i) - 1

    def read(self, addr: Val, tags: frozenset[str] = frozenset()) -> tuple[Val, int]:
        """A memory read; returns its value and the read event's index."""
        loc = self.location(addr)
        values = self.oracle(loc)
        v = values[self.choose(len(values))]
        idx = len(self.events)
        cut = self._local_cut()
        self.events.append(
            TraceEvent(
                READ, loc, v, tags, self.step, self.pc,
                addr=addr.deps & cut, ctrl=self.ctrl,
                pick_addr=addr.pick & cut, pick_ctrl=self.ctrl_pick,
            )
        )
        flow = 1 << idx
        prior = self.last_write_flow.get(loc)
        deps = flow | (prior[0] if prior else 0)
        pick = flow | (prior[1] if prior else 0)
        return Val(v, deps, pick), idx

    def write(self, addr: Val, data: Val, tags: frozenset[str] = frozenset()) -> int:
        loc = self.location(addr)
        idx = len(self.events)
        cut = self._local_cut()
        self.events.append(
            TraceEvent(
                WRITE, loc, data.v, tags, self.step, self.pc,
                addr=addr.deps & cut, data=data.deps & cut,
                ctrl=self.ctrl,
                pick_addr=addr.pick & cut, pick_data=data.pick & cut,
                pick_ctrl=self.ctrl_pick,
            )
        )
        self.last_write_flow[loc] = (addr.deps | data.deps, addr.pick | data.pick)
        return idx

    def fence(self, tags: frozenset[str]) -> int:
        idx = len(self.events)
        self.events.append(
            TraceEvent(FENCE, None, None, tags, self.step, self.pc,
                       ctrl=self.ctrl, pick_ctrl=self.ctrl_pick)
        )
        return idx

    def add_rmw(self, read_idx: int, write_idx: int) -> None:
        self.rmw.append((read_idx, write_idx))

    def retag(self, idx: int, tags: frozenset[str]) -> None:
        self.events[idx] = replace(self.events[idx], tags=tags)

    def branch_on(self, cond: Val) -> None:
        """A conditional branch on ``cond``: every later event depends on it."""
        self.ctrl |= cond.deps
        self.ctrl_pick |= cond.pick

    # -- running -----------------------------------------------------------------

    def run(self) -> None:
        prog = self.program
        n = len(prog.instrs)
        looped = False  # a backward branch taken on this path
        while self.pc < n:
            if self.step >= MAX_STEPS:
                instr = prog.instrs[self.pc]
                if not looped:
                    raise Unsupported(
                        f"thread P{prog.thread} is too long: {n} instructions with no loop, "
                        f"more than the {MAX_STEPS} mmcheck runs in one thread", instr.span)
                raise Unsupported(
                    f"thread P{prog.thread} does not terminate within {MAX_STEPS} "
                    "instructions (loops are not unrolled)",
                    instr.span,
                )
            instr = prog.instrs[self.pc]
            target = instr.execute(self)
            self.step += 1
            if target is None:
                self.pc += 1
            else:
                if target not in prog.labels:
                    raise UserError(f"unknown label {target!r}", instr.span)
                dest = prog.labels[target]
                looped = looped or dest <= self.pc
                self.pc = dest


def _paths(program: Program, oracle: Callable[[str], Sequence[Value]],
           stops: type[Exception] | tuple[type[Exception], ...] = Choice,
           ) -> Iterator[tuple[ThreadState, Exception | None]]:
    """Each path of ``program``, each choice of read values: its state once run, and
    what stopped it early (one of ``stops``), if anything did."""
    stack: list[list[int]] = [[]]
    while stack:
        prefix = stack.pop()
        st = ThreadState(program, oracle, prefix)
        stopped: Exception | None = None
        try:
            st.run()
        except stops as exc:
            stopped = exc
        for k, options in reversed(st.branch_points):
            for alt in range(options - 1, 0, -1):
                stack.append(st.taken[:k] + [alt])
        yield st, stopped


def thread_traces(
    program: Program, oracle: Callable[[str], Sequence[Value]]
) -> list[Trace]:
    """Every trace of ``program``: each path, each choice of read values."""
    traces: list[Trace] = []
    for st, stopped in _paths(program, oracle):
        if isinstance(stopped, Cutoff):
            program.cut = True
        elif isinstance(stopped, BadAddress):
            # Its writes before the bad access still say what values memory can hold
            # (another path may read one and go elsewhere).
            partial: list[tuple[str, Value]] = program.__dict__.setdefault("partial_writes", [])
            partial.extend((ev.loc, ev.value) for ev in st.events
                           if ev.dir == WRITE and ev.loc is not None and ev.value is not None)
        if stopped is not None:
            continue
        if program.final_regs is not None:
            regs = program.final_regs(st.regs)
        else:
            regs = {r: v.v for r, v in st.regs.items()}
        traces.append(
            Trace(
                thread=program.thread,
                events=tuple(st.events),
                rmw=tuple(st.rmw),
                regs=tuple(sorted(regs.items())),
                flows=st.regs,
            )
        )
    return traces


# What reads return in ``unknown_writes``: none of the values memory can hold (no test
# computes them), so a branch on one goes the way no known value takes it.
UNKNOWN = (0x2BADF00D, 0x1DEC0DED)


def unknown_writes(program: Program) -> set[tuple[str, Value]]:
    """What ``program`` writes along each path when every read returns a value memory
    holds nowhere: the (location, value) pairs of the writes whose value no read gives.

    herd7 gives each read a symbolic value and takes both sides of a branch on it, so a
    write made only on a side that no value known to be in memory takes still adds its
    value (a self-justifying branch, "out of thin air", when only that write can justify
    it).  The values memory can hold, found by a fixed point from the initial state, miss
    such writes; these are they.  A write with no data dependency on a read may still take
    its value from one (an atomic add's): those count only where reads returning another
    unknown value give the same.  The program's record of its runs is left as it was."""
    record = ("cut", "partial_writes", "bad_access")
    kept: dict[str, object] = {k: program.__dict__[k] for k in record if k in program.__dict__}
    try:
        plain, paired = _writes_when_reads_return(program, UNKNOWN[0])
        if paired:
            paired &= _writes_when_reads_return(program, UNKNOWN[1])[1]
    finally:
        for k in record:
            program.__dict__.pop(k, None)
        program.__dict__.update(kept)
    return plain | paired


def _writes_when_reads_return(program: Program, value: int
                              ) -> tuple[set[tuple[str, Value]], set[tuple[str, Value]]]:
    """Along each path with every read returning ``value``: the (location, value) pairs
    of the writes no read feeds by data, apart from and then within read-modify-writes."""
    plain: set[tuple[str, Value]] = set()
    paired: set[tuple[str, Value]] = set()
    only = (value,)
    for st, stopped in _paths(program, lambda _: only, Exception):
        if stopped is not None and not isinstance(stopped, BadAddress):
            continue  # a loop cut, or a value the path cannot go on with
        # (at a bad address, the writes before it count)
        in_rmw = {w for _, w in st.rmw}
        for i, ev in enumerate(st.events):
            if ev.dir == WRITE and ev.loc is not None and not ev.data \
                    and ev.value is not None and ev.value != value:
                (paired if i in in_rmw else plain).add((ev.loc, ev.value))
    return plain, paired
