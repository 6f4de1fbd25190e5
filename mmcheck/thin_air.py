"""Values out of thin air: an execution in which a read's value flows back into itself,
through data dependencies (a read to a write it feeds) and rf (a write to a read of it).

Such a value comes from nowhere: herd7 leaves it symbolic (``S8`` in a final state, a
value that equals no constant), or drops the execution where its equations cannot be
solved.  mmcheck gives every read a concrete value, so where the model allows such an
execution and herd7's answer would show the symbol (or lack the execution), its verdict,
states or counts would differ from herd7's: the test is then reported as unsupported,
naming the read.  Most models forbid these cycles (a data
dependency orders the read before the write); the LKMM allows them between plain
accesses.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from mmcheck import TYPE_CHECKING
from mmcheck.errors import Unsupported
from mmcheck.events import READ, WRITE, Trace
from mmcheck.litmus.ast import Loc, Reg
from mmcheck.relation import bits

if TYPE_CHECKING:
    from typing import TypeVar

    from mmcheck.enumerate import Leaf

    N = TypeVar("N")


def possible(traces: Sequence[Sequence[Trace]]) -> bool:
    """Whether some execution could hold such a cycle: the locations, linked from a
    read's to a write's where the write's value depends on the read by data, form a
    cycle (a test-wide view, so that most tests never look at an execution)."""
    edges: dict[str, set[str]] = {}
    for ts in traces:
        for tr in ts:
            evs = tr.events
            for ev in evs:
                if ev.dir == WRITE and ev.data and ev.loc is not None:
                    for i in bits(ev.data):
                        src = evs[i]
                        if src.dir == READ and src.loc is not None:
                            edges.setdefault(src.loc, set()).add(ev.loc)
    return any(loc in _reachable(edges, edges[loc]) for loc in edges)


def cycle(leaf: Leaf) -> tuple[list[int], dict[int, list[int]]]:
    """The reads of this execution whose value flows back into themselves, and each
    read's successors: the reads of the writes its value feeds."""
    combo = leaf.combo
    rf_of = leaf.rf_of
    data = combo.static("data").rows
    readers: dict[int, list[int]] = {}
    for r, w in rf_of.items():
        readers.setdefault(w, []).append(r)
    succ: dict[int, list[int]] = {}
    for r in rf_of:
        nxt = [r2 for w in bits(data[r]) for r2 in readers.get(w, ())]
        if nxt:
            succ[r] = nxt
    return [r for r in succ if r in _reachable(succ, succ[r])], succ


def check_leaf(leaf: Leaf, watched: Sequence[Loc]) -> None:
    """Raise Unsupported if in this execution a read's value flows back into itself and
    herd7's answer would show it.

    herd7 unifies a cycle of plain copies into one symbol: one execution, its value seen
    nowhere else.  mmcheck gives the cycle each value its locations can hold; the
    answers agree where that is only the locations' initial value and nothing the final
    state shows (``watched``), no address, branch, choice or read-modify-write depends on
    it.  Anything else (an operation on the value: herd7 drops an execution whose
    equations it cannot solve) is unsupported."""
    on_cycle, succ = cycle(leaf)
    if not on_cycle:
        return
    tainted = _reachable(succ, on_cycle)
    first = leaf.combo.events[min(on_cycle)]
    if not _harmless(leaf, tainted, watched):
        raise Unsupported(
            f"an execution the model allows takes a value out of thin air: P{first.thread}'s "
            f"read of {first.loc} gets its value from itself, through data dependencies and "
            "rf (herd7 leaves such a value symbolic, which mmcheck does not model)",
            first.span)


def _reachable(succ: Mapping[N, Collection[N]], starts: Collection[N]) -> set[N]:
    """``starts`` and every node reachable from them."""
    seen = set(starts)
    todo = list(seen)
    while todo:
        for nxt in succ.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _harmless(leaf: Leaf, tainted: set[int], watched: Sequence[Loc]) -> bool:
    combo, rf_of = leaf.combo, leaf.rf_of
    events = combo.events
    init = {e.loc: e.value for e in events if e.thread == -1}
    data = combo.static("data").rows
    others = [combo.static(name).rows for name in
              ("addr", "ctrl", "pick-addr", "pick-data", "pick-ctrl", "rmw")]
    fed = 0
    for r in tainted:
        value = events[rf_of[r]].value
        if value != init.get(events[r].loc, 0) or any(rows[r] for rows in others):
            return False
        for w in bits(data[r]):
            ev = events[w]
            tr = combo.traces[ev.thread]
            if ev.value != value or tr.events[ev.index].data.bit_count() != 1:
                return False  # not a plain copy
        fed |= data[r]
    last = {loc: o[-1] for loc, o in zip(combo.locs, leaf.orders, strict=True)}
    for loc in watched:
        if isinstance(loc, Reg):
            if _reg_tainted(leaf, loc, tainted):
                return False
        elif any(fed >> w & 1 for name, w in last.items()
                 if name == loc.name or name.startswith(loc.name + "[")):
            return False
    return True


def _reg_tainted(leaf: Leaf, reg: Reg, tainted: set[int]) -> bool:
    """Whether the final value of ``reg`` flows from one of the ``tainted`` reads."""
    tr = leaf.traces[reg.thread]
    if all(name != reg.name for name, _ in tr.regs):
        return False  # the thread never set it: its initial value
    val = tr.flows.get(reg.name)
    if val is None:  # the dialect names it otherwise: any tainted read of the thread may
        return any(leaf.combo.events[r].thread == reg.thread for r in tainted)
    base = leaf.combo.base[reg.thread]
    return any(base + i in tainted for i in bits(val.deps | val.pick))
