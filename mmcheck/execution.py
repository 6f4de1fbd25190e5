"""Executions and results: what the search finds and what reports show."""

from __future__ import annotations

import re

from mmcheck.events import Event
from mmcheck.litmus.ast import Condition, Loc, Mem, Reg, Sym, Value
from mmcheck.record import Record

Pairs = tuple[tuple[int, int], ...]


class Execution(Record):
    """One candidate execution: events, the communication relations, its final state."""

    __slots__ = (
        "events", "po", "rf", "co", "rmw", "addr", "data", "ctrl", "state", "satisfies",
        "consistent", "failed_check", "cycle", "pick_addr", "pick_data", "pick_ctrl",
    )

    events: tuple[Event, ...]
    po: Pairs
    rf: Pairs
    co: Pairs  # transitive: every pair of same-location writes in coherence order
    rmw: Pairs
    addr: Pairs
    data: Pairs
    ctrl: Pairs
    state: tuple[tuple[Loc, Value], ...]
    satisfies: bool
    consistent: bool
    failed_check: str | None  # for a rejected candidate: the first check it fails
    cycle: tuple[int, ...] | None
    pick_addr: Pairs
    pick_data: Pairs
    pick_ctrl: Pairs

    def __init__(
        self,
        events: tuple[Event, ...],
        po: Pairs,
        rf: Pairs,
        co: Pairs,
        rmw: Pairs,
        addr: Pairs = (),
        data: Pairs = (),
        ctrl: Pairs = (),
        state: tuple[tuple[Loc, Value], ...] = (),
        satisfies: bool = False,
        consistent: bool = True,
        failed_check: str | None = None,
        cycle: tuple[int, ...] | None = None,
        pick_addr: Pairs = (),
        pick_data: Pairs = (),
        pick_ctrl: Pairs = (),
    ) -> None:
        self.events = events
        self.po = po
        self.rf = rf
        self.co = co
        self.rmw = rmw
        self.addr = addr
        self.data = data
        self.ctrl = ctrl
        self.state = state
        self.satisfies = satisfies
        self.consistent = consistent
        self.failed_check = failed_check
        self.cycle = cycle
        self.pick_addr = pick_addr
        self.pick_data = pick_data
        self.pick_ctrl = pick_ctrl


class Stats(Record):
    """What a search did (counts that grow as it runs)."""

    __slots__ = ("combinations", "nodes", "pruned", "consistent", "candidates")

    combinations: int  # combinations of thread paths tried
    nodes: int  # search nodes (one rf or co choice each)
    pruned: int  # subtrees abandoned because a check failed
    consistent: int
    candidates: int  # complete candidate executions checked at the leaves

    def __init__(self, combinations: int = 0, nodes: int = 0, pruned: int = 0,
                 consistent: int = 0, candidates: int = 0) -> None:
        self.combinations = combinations
        self.nodes = nodes
        self.pruned = pruned
        self.consistent = consistent
        self.candidates = candidates


class Result(Record):
    """The outcome of checking one test under one model.

    ``loop``: some path was cut at the loop-unrolling bound.  ``flags``: the model's
    flags raised by some consistent execution, sorted as herd7 prints them.  ``exact``
    is False for a verdict search: positive/negative then count the executions found
    before the search stopped (at most one each), not every execution.
    """

    __slots__ = ("name", "path", "arch", "model", "condition", "states", "positive",
                 "negative", "witnesses", "rejected", "stats", "time", "unsupported",
                 "incomplete", "loop", "flags", "exact")

    name: str
    path: str
    arch: str
    model: str
    condition: Condition
    states: tuple[tuple[tuple[Loc, Value], ...], ...]
    positive: int
    negative: int
    witnesses: tuple[Execution, ...]
    rejected: tuple[Execution, ...]
    stats: Stats
    time: float
    unsupported: str | None
    incomplete: str | None
    loop: bool
    flags: tuple[str, ...]
    exact: bool

    def __init__(self, name: str, path: str, arch: str, model: str, condition: Condition,
                 states: tuple[tuple[tuple[Loc, Value], ...], ...] = (), positive: int = 0,
                 negative: int = 0, witnesses: tuple[Execution, ...] = (),
                 rejected: tuple[Execution, ...] = (), stats: Stats | None = None,
                 time: float = 0.0, unsupported: str | None = None,
                 incomplete: str | None = None, loop: bool = False,
                 flags: tuple[str, ...] = (), exact: bool = True) -> None:
        self.name = name
        self.path = path
        self.arch = arch
        self.model = model
        self.condition = condition
        self.states = states
        self.positive = positive
        self.negative = negative
        self.witnesses = witnesses
        self.rejected = rejected
        self.stats = stats if stats is not None else Stats()
        self.time = time
        self.unsupported = unsupported
        self.incomplete = incomplete
        self.loop = loop
        self.flags = flags
        self.exact = exact

    @property
    def observation(self) -> str:
        if not self.exact:  # some execution satisfies the proposition, or none
            return "Sometimes" if self.positive else "Never"
        if self.positive == 0:
            return "Never"
        if self.negative == 0:
            return "Always"
        return "Sometimes"

    @property
    def ok(self) -> bool:
        """herd7's ``Ok``/``No``: the condition is validated."""
        q = self.condition.quantifier
        if q == "exists":
            return self.positive > 0
        if q == "~exists":
            return self.positive == 0
        return self.negative == 0

    @property
    def verdict(self) -> str:
        """``Allowed`` when some execution satisfies the condition's proposition."""
        return "Allowed" if self.positive > 0 else "Forbidden"

    @property
    def witness_counts(self) -> tuple[int, int]:
        """herd7's ``Positive:``/``Negative:`` line (swapped for ``~exists``)."""
        if self.condition.quantifier == "~exists":
            return self.negative, self.positive
        return self.positive, self.negative

    @property
    def status(self) -> str:
        if self.unsupported is not None:
            return "unsupported"
        if self.incomplete is not None:
            return "incomplete"
        return "ok"


def _natural(s: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))


def loc_key(loc: Loc) -> tuple[object, ...]:
    if isinstance(loc, Reg):
        # herd7 lists the zero register before the numbered ones.
        zero = loc.name in ("XZR", "WZR")
        return (0, loc.thread, not zero, _natural(loc.name))
    assert isinstance(loc, Mem)
    # herd7 lists locations (whole arrays included) before array cells such as u[0].
    return (2 if "[" in loc.name else 1, _natural(loc.name))


def value_key(v: Value) -> tuple[int, int, str]:
    if isinstance(v, Sym):
        return (1, 0, v.name)
    return (0, v, "")


def show_state(state: tuple[tuple[Loc, Value], ...]) -> str:
    return " ".join(f"{loc}={v};" for loc, v in state)
