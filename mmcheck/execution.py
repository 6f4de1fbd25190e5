"""Executions and results: what the search finds and what reports show."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mmcheck.events import Event
from mmcheck.litmus.ast import Condition, Loc, Mem, Reg, Sym, Value

Pairs = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Execution:
    """One candidate execution: events, the communication relations, its final state."""

    events: tuple[Event, ...]
    po: Pairs
    rf: Pairs
    co: Pairs  # transitive: every pair of same-location writes in coherence order
    rmw: Pairs
    addr: Pairs = ()
    data: Pairs = ()
    ctrl: Pairs = ()
    state: tuple[tuple[Loc, Value], ...] = ()
    satisfies: bool = False
    consistent: bool = True
    failed_check: str | None = None  # for a rejected candidate: the first check it fails
    cycle: tuple[int, ...] | None = None
    # The pick chains (MODELS.md, pob): dependency chains extended through choices.
    pick_addr: Pairs = ()
    pick_data: Pairs = ()
    pick_ctrl: Pairs = ()


@dataclass
class Stats:
    combinations: int = 0  # combinations of thread paths tried
    nodes: int = 0  # search nodes (one rf or co choice each)
    pruned: int = 0  # subtrees abandoned because a check failed
    consistent: int = 0
    candidates: int = 0  # complete candidate executions checked at the leaves


@dataclass(frozen=True)
class Result:
    """The outcome of checking one test under one model."""

    name: str
    path: str
    arch: str
    model: str
    condition: Condition
    states: tuple[tuple[tuple[Loc, Value], ...], ...] = ()
    positive: int = 0
    negative: int = 0
    witnesses: tuple[Execution, ...] = ()
    rejected: tuple[Execution, ...] = ()
    stats: Stats = field(default_factory=Stats)
    time: float = 0.0
    unsupported: str | None = None
    incomplete: str | None = None

    @property
    def observation(self) -> str:
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
    return (1, _natural(loc.name))


def value_key(v: Value) -> tuple[int, int, str]:
    if isinstance(v, Sym):
        return (1, 0, v.name)
    return (0, v, "")


def show_state(state: tuple[tuple[Loc, Value], ...]) -> str:
    return " ".join(f"{loc}={v};" for loc, v in state)
