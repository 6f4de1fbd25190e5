"""What the search combines: each thread's traces, grouped into shapes, and their
combinations.

1. Each thread runs along every path with every value its reads may return (the values
   each location can hold are found by a fixed point), giving its traces.
2. Traces that differ only in the values their reads return form one shape; combinations
   of shapes, one per thread, are formed, dropping those where a read returns a value
   that no chosen write (nor the initial state) provides.  A combination holds the
   events and the relations that do not depend on rf and co.

``mmcheck.enumerate`` searches rf and co for each combination.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

from mmcheck.errors import Unsupported
from mmcheck.events import READ, WRITE, Event, Trace, event_sets, structural_rows
from mmcheck.execution import value_key
from mmcheck.litmus.ast import Litmus, Mem, Sym, Value
from mmcheck.models.evaluate import Evaluator
from mmcheck.relation import Relation
from mmcheck.semantics.runner import Program, thread_traces, unknown_writes

MAX_FIXPOINT_ROUNDS = 16

def locations_of(test: Litmus) -> dict[str, Value]:
    """Every memory location the test names, with its initial value."""
    init: dict[str, Value] = {}
    for loc, val in test.init:
        if isinstance(loc, Mem):
            init[loc.name] = val
        if isinstance(val, Sym):
            init.setdefault(val.name, 0)
    return init


def value_sets(
    programs: Sequence[Program], init: dict[str, Value]
) -> tuple[dict[str, list[Value]], list[list[Trace]]]:
    """The values each location can hold, and each thread's traces under them."""
    values: dict[str, set[Value]] = {loc: {v} for loc, v in init.items()}
    # Besides the initial values, those of writes that a branch no known value takes
    # reaches: herd7 takes both sides of a branch on a read (see ``unknown_writes``).
    for p in programs:
        if p.__dict__.get("decides", True):
            for loc, v in unknown_writes(p):
                values.setdefault(loc, {0}).add(v)

    # The values only grow between rounds, so each round sorts each location's once.
    in_order: dict[str, list[Value]] = {}

    def oracle(loc: str) -> list[Value]:
        hit = in_order.get(loc)
        if hit is None:
            if loc not in values:
                values[loc] = {0}
            hit = in_order[loc] = sorted(values[loc], key=value_key)
        return hit

    # A thread's traces depend only on the values of the locations it reads: a thread
    # none of whose locations gained a value keeps its traces from the last round.
    kept: list[tuple[dict[str, frozenset[Value]], list[Trace]] | None] = [None] * len(programs)

    def traces_of(i: int, p: Program) -> list[Trace]:
        hit = kept[i]
        if hit is not None and all(values.get(loc, {0}) == vs for loc, vs in hit[0].items()):
            return hit[1]
        asked: dict[str, frozenset[Value]] = {}

        def ask(loc: str) -> list[Value]:
            out = oracle(loc)
            if loc not in asked:
                asked[loc] = frozenset(out)
            return out

        p.__dict__.pop("partial_writes", None)  # set again by a path with a bad address
        ts = thread_traces(p, ask)
        kept[i] = (asked, ts)
        return ts

    for rnd in range(MAX_FIXPOINT_ROUNDS):
        in_order.clear()
        before = {k: set(v) for k, v in values.items()}
        traces = [traces_of(i, p) for i, p in enumerate(programs)]
        for p in programs:
            for loc, v in p.__dict__.get("partial_writes", ()):
                values.setdefault(loc, {0}).add(v)
        for ts in traces:
            for tr in ts:
                for ev in tr.events:
                    if ev.dir == WRITE and ev.loc is not None and ev.value is not None:
                        values.setdefault(ev.loc, {0}).add(ev.value)
        if values == before:
            return {k: sorted(v, key=value_key) for k, v in values.items()}, traces
        # A value a write can really hold is derived from the initial values through
        # a chain of distinct writes of one execution (an atomic add reading another's
        # result...), so chains longer than the writes of an execution add nothing:
        # these traces, computed from every value up to that length, are complete.
        writes = sum(max((sum(1 for ev in tr.events if ev.dir == WRITE) for tr in ts),
                         default=0) for ts in traces)
        writes += sum(len(p.__dict__.get("partial_writes", ())) for p in programs)
        if rnd >= writes:
            return {k: sorted(v, key=value_key) for k, v in before.items()}, traces
    raise Unsupported(
        "the values written do not settle (a read feeds a write through unbounded arithmetic)"
    )


class Shape:
    """Traces of one thread that differ only in the values their reads return.

    The search picks each read's source write and so its value; the shape maps
    the values of its reads (in program order) back to the concrete trace, which
    holds the final registers.  Traces whose path, writes or dependencies depend
    on a read value fall into different shapes.

    ``trace``: a representative; ``reads``: local indices of the read events;
    ``allowed``: per read, the values it may return here; ``by_values``: the traces
    per values of the reads (several traces may share the same values, a choice that
    changes nothing but registers, or nothing at all: each is a distinct execution, as
    herd7 counts).
    """

    __slots__ = ("trace", "reads", "allowed", "by_values")

    def __init__(self, trace: Trace, reads: tuple[int, ...],
                 allowed: tuple[frozenset[Value], ...],
                 by_values: dict[tuple[Value, ...], list[Trace]]) -> None:
        self.trace = trace
        self.reads = reads
        self.allowed = allowed
        self.by_values = by_values


def memory_value(v: Value | None) -> Value:
    """The value of a memory event (only fences have none)."""
    assert v is not None
    return v


def shape_key(tr: Trace) -> tuple[object, ...]:
    return (
        tuple(
            (e.dir, e.loc, e.tags, e.instr, e.pc, None if e.dir == READ else e.value,
             e.addr, e.data, e.ctrl, e.pick_addr, e.pick_data, e.pick_ctrl)
            for e in tr.events
        ),
        tr.rmw,
    )


def shapes_of(traces: list[Trace]) -> list[Shape]:
    groups: dict[tuple[object, ...], Shape] = {}
    for tr in traces:
        key = shape_key(tr)
        reads = tuple(i for i, e in enumerate(tr.events) if e.dir == READ)
        values = tuple(memory_value(tr.events[i].value) for i in reads)
        sh = groups.get(key)
        if sh is None:
            sh = groups[key] = Shape(tr, reads, tuple(frozenset() for _ in reads), {})
        sh.by_values.setdefault(values, []).append(tr)
        sh.allowed = tuple(a | {v} for a, v in zip(sh.allowed, values, strict=True))
    return list(groups.values())


Need = tuple[str, frozenset[Value]]


def combinations(
    shapes: list[list[Shape]], init: dict[str, Value]
) -> Iterator[tuple[Shape, ...]]:
    """Combinations of one shape per thread where every read has a possible source."""
    needs: list[list[tuple[Need, ...]]] = []
    provides: list[list[frozenset[tuple[str, Value]]]] = []
    for ts in shapes:
        nd, pv = [], []
        for sh in ts:
            n: list[Need] = []
            p: set[tuple[str, Value]] = set()
            for k, i in enumerate(sh.reads):
                loc = sh.trace.events[i].loc
                assert loc is not None
                if init.get(loc, 0) not in sh.allowed[k]:
                    n.append((loc, sh.allowed[k]))
            for ev in sh.trace.events:
                if ev.dir == WRITE and ev.loc is not None:
                    p.add((ev.loc, memory_value(ev.value)))
            nd.append(tuple(n))
            pv.append(frozenset(p))
        needs.append(nd)
        provides.append(pv)
    k = len(shapes)
    # What threads i.. may still provide, whatever shape they take.
    later: list[frozenset[tuple[str, Value]]] = [frozenset()] * (k + 1)
    for i in range(k - 1, -1, -1):
        acc: set[tuple[str, Value]] = set(later[i + 1])
        for prov in provides[i]:
            acc |= prov
        later[i] = frozenset(acc)

    def met(need: Need, have: frozenset[tuple[str, Value]]) -> bool:
        loc, vals = need
        return any((loc, v) in have for v in vals)

    chosen: list[Shape] = []

    def rec(i: int, pending: tuple[Need, ...], have: frozenset[tuple[str, Value]]
            ) -> Iterator[tuple[Shape, ...]]:
        if i == k:
            if all(met(nd, have) for nd in pending):
                yield tuple(chosen)
            return
        for j, sh in enumerate(shapes[i]):
            h2 = have | provides[i][j]
            reach = h2 | later[i + 1]
            p2 = pending + needs[i][j]
            if not all(met(nd, reach) for nd in p2):
                continue
            chosen.append(sh)
            yield from rec(i + 1, p2, h2)
            chosen.pop()

    yield from rec(0, (), frozenset())


class Combination:
    """The events and static relations of one combination of shapes.

    The events of reads carry their representative's value; the search gives
    each read its real value through rf.
    """

    def __init__(self, shapes: tuple[Shape, ...], init: dict[str, Value]) -> None:
        self.shapes = shapes
        traces = tuple(sh.trace for sh in shapes)
        locs = set(init)
        for tr in traces:
            for ev in tr.events:
                if ev.loc is not None:
                    locs.add(ev.loc)
        self.locs = sorted(locs)
        events: list[Event] = []
        for i, name in enumerate(self.locs):
            events.append(Event(i, -1, i, WRITE, name, init.get(name, 0), frozenset({"IW"})))
        self.base: list[int] = []  # first global id of each thread
        self.traces = traces
        for tr in traces:
            self.base.append(len(events))
            for j, te in enumerate(tr.events):
                events.append(
                    Event(len(events), tr.thread, j, te.dir, te.loc, te.value, te.tags,
                          te.instr, te.pc, te.span)
                )
        self.events = events
        self.n = n = len(events)
        self.sets = sets = event_sets(events)
        self._static: dict[str, Relation] = {}
        self.evaluator = Evaluator(n, sets, self.static)
        self.evaluator.values = [e.value if e.dir == WRITE else None for e in events]

    def concrete(self, rf_of: dict[int, int]) -> list[tuple[Trace, ...]]:
        """The traces (one per thread) matching the read values rf gives; maybe none."""
        per_thread = []
        for sh, base in zip(self.shapes, self.base, strict=True):
            values = tuple(memory_value(self.events[rf_of[base + i]].value) for i in sh.reads)
            trs = sh.by_values.get(values)
            if trs is None:
                return []
            per_thread.append(trs)
        if all(len(t) == 1 for t in per_thread):
            return [tuple(t[0] for t in per_thread)]
        return list(itertools.product(*per_thread))

    def events_for(self, rf_of: dict[int, int]) -> tuple[Event, ...]:
        """The events with each read's value taken from the write it reads."""
        return tuple(
            e.with_value(self.events[rf_of[e.id]].value) if e.id in rf_of else e
            for e in self.events
        )

    def static(self, name: str) -> Relation:
        rel = self._static.get(name)
        if rel is None:
            rel = self._compute_static(name)
            self._static[name] = rel
        return rel

    def _dep_rels(self) -> None:
        """The six dependency relations, in one pass over the events."""
        n = self.n
        out = {attr: [0] * n for attr in _DEP_ATTRS}
        for tr, base in zip(self.traces, self.base, strict=True):
            for j, te in enumerate(tr.events):
                bit = 1 << (base + j)
                for attr in _DEP_ATTRS:
                    mask = getattr(te, attr)
                    if not mask:
                        continue
                    rows = out[attr]
                    while mask:
                        low = mask & -mask
                        rows[base + low.bit_length() - 1] |= bit
                        mask ^= low
        for attr, name in _DEP_ATTRS.items():
            self._static[name] = Relation(n, out[attr])

    def _compute_static(self, name: str) -> Relation:
        n = self.n
        ev = self.events
        if name == "po":  # the later events of the thread, but its own instruction's
            rows = [0] * n
            for tr, base in zip(self.traces, self.base, strict=True):
                after = 0  # the events after the current one
                of_instr: dict[int, int] = {}  # and those of each instruction
                for j in range(len(tr.events) - 1, -1, -1):
                    instr = tr.events[j].instr
                    same = of_instr.get(instr, 0)
                    rows[base + j] = after & ~same
                    bit = 1 << (base + j)
                    after |= bit
                    of_instr[instr] = same | bit
            return Relation(n, rows)
        if name in ("loc", "int", "ext", "sca"):
            return Relation(n, structural_rows(ev, name))
        if name == "id":
            return Relation.identity(n)
        if name in _DEP_NAMES:
            self._dep_rels()
            return self._static[name]
        if name in ("rmw", "amo", "lxsx"):
            pairs = []
            for tr, base in zip(self.traces, self.base, strict=True):
                for r, w in tr.rmw:
                    same = tr.events[r].instr == tr.events[w].instr
                    if name == "rmw" or (name == "amo") == same:
                        pairs.append((base + r, base + w))
            return Relation.from_pairs(n, pairs)
        raise Unsupported(f"the model uses a relation {name!r} that mmcheck does not compute")


_DEP_ATTRS = {"addr": "addr", "data": "data", "ctrl": "ctrl", "pick_addr": "pick-addr",
              "pick_data": "pick-data", "pick_ctrl": "pick-ctrl"}  # event field: relation
_DEP_NAMES = frozenset(_DEP_ATTRS.values())
