"""Events of one thread's run, and the thread traces the semantics produce."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from mmcheck import TYPE_CHECKING
from mmcheck.errors import Span
from mmcheck.litmus.ast import Value
from mmcheck.record import Record

if TYPE_CHECKING:
    from mmcheck.semantics.runner import Val

READ, WRITE, FENCE = "R", "W", "F"


class Event(Record):
    """One memory or fence event of an execution.

    ``id`` is dense: the initial writes come first, then each thread's events in
    program order.  ``thread`` is -1 for the initial writes.  ``span`` is not part of
    the event's identity.
    """

    __slots__ = ("id", "thread", "index", "dir", "loc", "value", "tags", "instr", "pc",
                 "span")
    _compare = ("id", "thread", "index", "dir", "loc", "value", "tags", "instr", "pc")

    id: int
    thread: int
    index: int
    dir: str
    loc: str | None
    value: Value | None
    tags: frozenset[str]
    instr: int
    pc: int
    span: Span | None

    def __init__(self, id: int, thread: int, index: int, dir: str, loc: str | None,
                 value: Value | None, tags: frozenset[str], instr: int = -1, pc: int = -1,
                 span: Span | None = None) -> None:
        self.id = id
        self.thread = thread
        self.index = index
        self.dir = dir
        self.loc = loc
        self.value = value
        self.tags = tags
        self.instr = instr
        self.pc = pc
        self.span = span

    def with_value(self, value: Value | None) -> Event:
        return Event(self.id, self.thread, self.index, self.dir, self.loc, value, self.tags,
                     self.instr, self.pc, self.span)

    @property
    def is_init(self) -> bool:
        return self.thread < 0

    def label(self) -> str:
        """herd-style text: ``Wx=1``, ``Ry=0``, ``F[DMB.ISH]``."""
        if self.dir == FENCE:
            names = sorted(t for t in self.tags if t not in {"F"})
            return "F" + (f"[{','.join(names)}]" if names else "")
        return f"{self.dir}{self.loc}={self.value}"


class TraceEvent(Record):
    """An event of one thread's run, before it gets its global id.

    Dependencies are bitsets over the indices of this thread's earlier events.
    ``span``: where the event comes from, when the instruction index does not say it
    (a C statement's primitive); not part of the event's identity.
    """

    __slots__ = ("dir", "loc", "value", "tags", "instr", "pc", "addr", "data", "ctrl",
                 "pick_addr", "pick_data", "pick_ctrl", "span")
    _compare = ("dir", "loc", "value", "tags", "instr", "pc", "addr", "data", "ctrl",
                "pick_addr", "pick_data", "pick_ctrl")

    dir: str
    loc: str | None
    value: Value | None
    tags: frozenset[str]
    instr: int  # dynamic instruction count: events of one instruction share it
    pc: int  # static instruction index in the thread's code
    addr: int
    data: int
    ctrl: int
    pick_addr: int
    pick_data: int
    pick_ctrl: int
    span: Span | None

    def __init__(self, dir: str, loc: str | None, value: Value | None, tags: frozenset[str],
                 instr: int, pc: int, addr: int = 0, data: int = 0, ctrl: int = 0,
                 pick_addr: int = 0, pick_data: int = 0, pick_ctrl: int = 0,
                 span: Span | None = None) -> None:
        self.dir = dir
        self.loc = loc
        self.value = value
        self.tags = tags
        self.instr = instr
        self.pc = pc
        self.addr = addr
        self.data = data
        self.ctrl = ctrl
        self.pick_addr = pick_addr
        self.pick_data = pick_data
        self.pick_ctrl = pick_ctrl
        self.span = span


class Trace(Record):
    """One control-flow path of one thread with one choice of read values.  ``flows``:
    the final registers as the thread left them, each value with the reads it depends
    on (``Val``: ``deps`` and ``pick``, local masks), where the dialect keeps them."""

    __slots__ = ("thread", "events", "rmw", "regs", "flows")
    _compare = ("thread", "events", "rmw", "regs")

    thread: int
    events: tuple[TraceEvent, ...]
    rmw: tuple[tuple[int, int], ...]  # (read index, write index), local
    regs: tuple[tuple[str, Value], ...]  # final register values
    flows: Mapping[str, Val]

    def __init__(
        self,
        thread: int,
        events: tuple[TraceEvent, ...],
        rmw: tuple[tuple[int, int], ...],
        regs: tuple[tuple[str, Value], ...],
        flows: Mapping[str, Val] | None = None,
    ) -> None:
        self.thread = thread
        self.events = events
        self.rmw = rmw
        self.regs = regs
        self.flows = flows if flows is not None else {}


def event_sets(events: Sequence[Event]) -> dict[str, int]:
    """The base event sets of an execution as bitsets: ``R``, ``W``, ``F``, ``M``, ``IW``
    (the initial writes) and one set per tag (``A``, ``L``, ``DMB.ISH``...)."""
    sets: dict[str, int] = {READ: 0, WRITE: 0, FENCE: 0, "M": 0, "IW": 0}
    for e in events:
        bit = 1 << e.id
        sets[e.dir] |= bit
        if e.dir != FENCE:
            sets["M"] |= bit
        if e.is_init:
            sets["IW"] |= bit
        for t in e.tags:
            sets[t] = sets.get(t, 0) | bit
    return sets


def structural_rows(events: Sequence[Event], name: str) -> list[int]:
    """Rows of ``loc`` (same location), ``int`` (same thread) or ``ext`` (different
    threads; the initial writes belong to no thread) or ``sca`` (the other accesses of a
    single-copy-atomic pair: one instruction's accesses tagged ``SCA``)."""
    n = len(events)
    if name == "sca":
        groups: dict[tuple[int, int], int] = {}
        for e in events:
            if "SCA" in e.tags:
                key = (e.thread, e.instr)
                groups[key] = groups.get(key, 0) | (1 << e.id)
        return [groups[(e.thread, e.instr)] & ~(1 << e.id) if "SCA" in e.tags else 0
                for e in events]
    if name == "loc":
        by_loc: dict[str, int] = {}
        for e in events:
            if e.loc is not None:
                by_loc[e.loc] = by_loc.get(e.loc, 0) | (1 << e.id)
        return [by_loc[e.loc] if e.loc is not None else 0 for e in events]
    by_thread: dict[int, int] = {}
    for e in events:
        by_thread[e.thread] = by_thread.get(e.thread, 0) | (1 << e.id)
    if name == "int":
        return [by_thread[e.thread] if e.thread >= 0 else 0 for e in events]
    full = (1 << n) - 1
    return [full & ~(by_thread[e.thread] if e.thread >= 0 else 1 << e.id) for e in events]
