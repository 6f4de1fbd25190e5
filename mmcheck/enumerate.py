"""Candidate executions, searched with pruning.

1. Each thread runs along every path with every value its reads may return
   (the values each location can hold are found by a fixed point), giving its
   traces.
2. Combinations of traces are formed, dropping those where a read returns a
   value that no chosen write (nor the initial state) provides.
3. For each combination, rf and co are built one choice at a time: a write's
   place in coherence order, or a read's source.  After every choice the model's
   monotone checks run on the partial execution, and a failure abandons the
   whole subtree.  Each complete (rf, co) that passes every check is one
   consistent execution, as herd7 counts them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from mmcheck.errors import Incomplete, Unsupported
from mmcheck.events import FENCE, READ, WRITE, Event, Trace
from mmcheck.execution import Execution, Stats, loc_key, value_key
from mmcheck.litmus.ast import Litmus, Loc, Mem, Reg, Sym, Value, eval_prop
from mmcheck.models.dsl import Check, Model, is_monotone
from mmcheck.models.evaluate import Context, Evaluator, Plan, plan_for
from mmcheck.relation import Relation
from mmcheck.semantics.runner import Program, thread_traces

MAX_FIXPOINT_ROUNDS = 16


@dataclass
class Limits:
    timeout: float | None = None  # seconds
    max_executions: int | None = None
    progress: Callable[[Stats], None] | None = None  # called every few thousand nodes
    deadline: float = field(default=0.0, init=False)


@dataclass
class Leaf:
    """What the search reports for each complete candidate."""

    state: tuple[tuple[Loc, Value], ...]
    satisfies: bool


def _vkey(v: Value) -> tuple[int, int, str]:
    return value_key(v)


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

    def oracle(loc: str) -> list[Value]:
        if loc not in values:
            values[loc] = {0}
        return sorted(values[loc], key=_vkey)

    for _ in range(MAX_FIXPOINT_ROUNDS):
        before = {k: set(v) for k, v in values.items()}
        traces = [thread_traces(p, oracle) for p in programs]
        for ts in traces:
            for tr in ts:
                for ev in tr.events:
                    if ev.dir == WRITE and ev.loc is not None and ev.value is not None:
                        values.setdefault(ev.loc, {0}).add(ev.value)
        if values == before:
            return {k: sorted(v, key=_vkey) for k, v in values.items()}, traces
    raise Unsupported(
        "the values written do not settle (a read feeds a write through unbounded arithmetic)"
    )


def combinations(
    traces: list[list[Trace]], init: dict[str, Value]
) -> Iterator[tuple[Trace, ...]]:
    """Combinations of one trace per thread where every read value has a possible source."""
    needs: list[list[frozenset[tuple[str, Value]]]] = []
    provides: list[list[frozenset[tuple[str, Value]]]] = []
    for ts in traces:
        nd, pv = [], []
        for tr in ts:
            n = set()
            p = set()
            for ev in tr.events:
                if ev.loc is None:
                    continue
                if ev.dir == READ and init.get(ev.loc, 0) != ev.value:
                    n.add((ev.loc, ev.value))
                elif ev.dir == WRITE:
                    p.add((ev.loc, ev.value))
            nd.append(frozenset(n))
            pv.append(frozenset(p))
        needs.append(nd)
        provides.append(pv)
    k = len(traces)
    # What threads i.. may still provide, whatever trace they take.
    later: list[frozenset[tuple[str, Value]]] = [frozenset()] * (k + 1)
    for i in range(k - 1, -1, -1):
        acc: set[tuple[str, Value]] = set(later[i + 1])
        for p in provides[i]:
            acc |= p
        later[i] = frozenset(acc)

    chosen: list[Trace] = []

    def rec(i: int, need: frozenset[tuple[str, Value]], have: frozenset[tuple[str, Value]]
            ) -> Iterator[tuple[Trace, ...]]:
        if i == k:
            if need <= have:
                yield tuple(chosen)
            return
        for j, tr in enumerate(traces[i]):
            n2 = need | needs[i][j]
            h2 = have | provides[i][j]
            if not n2 <= (h2 | later[i + 1]):
                continue
            chosen.append(tr)
            yield from rec(i + 1, n2, h2)
            chosen.pop()

    yield from rec(0, frozenset(), frozenset())


class Combination:
    """The events and static relations of one combination of traces."""

    def __init__(self, traces: tuple[Trace, ...], init: dict[str, Value]) -> None:
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
                          te.instr, te.pc)
                )
        self.events = events
        self.n = n = len(events)
        sets: dict[str, int] = {"R": 0, "W": 0, "F": 0, "M": 0, "IW": (1 << len(self.locs)) - 1}
        for ev in events:
            bit = 1 << ev.id
            sets[ev.dir] = sets.get(ev.dir, 0) | bit
            if ev.dir != FENCE:
                sets["M"] |= bit
            for t in ev.tags:
                sets[t] = sets.get(t, 0) | bit
        self.sets = sets
        self._static: dict[str, Relation] = {}
        self.evaluator = Evaluator(n, sets, self.static)

    def static(self, name: str) -> Relation:
        rel = self._static.get(name)
        if rel is None:
            rel = self._compute_static(name)
            self._static[name] = rel
        return rel

    def _dep_rel(self, attr: str) -> Relation:
        rows = [0] * self.n
        for tr, base in zip(self.traces, self.base, strict=True):
            for j, te in enumerate(tr.events):
                mask = getattr(te, attr)
                while mask:
                    low = mask & -mask
                    src = low.bit_length() - 1
                    rows[base + src] |= 1 << (base + j)
                    mask ^= low
        return Relation(self.n, rows)

    def _compute_static(self, name: str) -> Relation:
        n = self.n
        ev = self.events
        if name == "po":
            rows = [0] * n
            for tr, base in zip(self.traces, self.base, strict=True):
                m = len(tr.events)
                for j in range(m):
                    row = 0
                    for k in range(j + 1, m):
                        if tr.events[k].instr != tr.events[j].instr:
                            row |= 1 << (base + k)
                    rows[base + j] = row
            return Relation(n, rows)
        if name == "loc":
            by_loc: dict[str, int] = {}
            for e in ev:
                if e.loc is not None:
                    by_loc[e.loc] = by_loc.get(e.loc, 0) | (1 << e.id)
            return Relation(n, [by_loc.get(e.loc, 0) if e.loc is not None else 0 for e in ev])
        if name in ("int", "ext"):
            by_thread: dict[int, int] = {}
            for e in ev:
                by_thread[e.thread] = by_thread.get(e.thread, 0) | (1 << e.id)
            full = (1 << n) - 1
            if name == "int":
                return Relation(n, [by_thread[e.thread] if e.thread >= 0 else 0 for e in ev])
            return Relation(
                n, [full & ~by_thread[e.thread] if e.thread >= 0 else full & ~(1 << e.id)
                    for e in ev]
            )
        if name == "id":
            return Relation.identity(n)
        if name in ("addr", "data", "ctrl"):
            return self._dep_rel(name)
        if name in ("pick-addr", "pick-data", "pick-ctrl"):
            return self._dep_rel(name.replace("-", "_"))
        if name in ("rmw", "amo", "lxsx"):
            pairs = []
            for tr, base in zip(self.traces, self.base, strict=True):
                for r, w in tr.rmw:
                    same = tr.events[r].instr == tr.events[w].instr
                    if name == "rmw" or (name == "amo") == same:
                        pairs.append((base + r, base + w))
            return Relation.from_pairs(n, pairs)
        raise Unsupported(f"the model uses a relation {name!r} that mmcheck does not compute")


@dataclass
class SearchOutcome:
    leaves: list[Leaf]
    witnesses: list[Execution]
    rejected: list[Execution]


_MODEL_PLANS: dict[int, tuple[Plan, Plan, Plan]] = {}


def _plans(model: Model) -> tuple[Plan, Plan, Plan]:
    """All checks, the monotone ones (run after every choice), the rest (at the leaves).

    One plan holds every check so that static terms are shared; the two subsets
    index into the same per-combination context.
    """
    hit = _MODEL_PLANS.get(id(model))
    if hit is None:
        monotone = [c for c in model.checks if is_monotone(c.expr)]
        others = [c for c in model.checks if not is_monotone(c.expr)]
        plan_all = plan_for(list(model.checks))
        hit = (plan_all, plan_all.subset(monotone), plan_all.subset(others))
        _MODEL_PLANS[id(model)] = hit
    return hit


def explore(
    test: Litmus,
    programs: Sequence[Program],
    model: Model,
    *,
    stats: Stats,
    limits: Limits | None = None,
    on_leaf: Callable[[Combination, list[list[int]], dict[int, int], bool], None],
    rejected: Callable[[Combination, list[list[int]], dict[int, int], Check, list[int]], None]
    | None = None,
) -> None:
    """Run the search; ``on_leaf`` gets each consistent execution's co orders and rf map.

    When ``rejected`` is given, the search does not prune: every complete candidate
    is checked and those failing a check are passed to it with the check and its
    witness (used to draw forbidden executions).
    """
    init = locations_of(test)
    _, traces = value_sets(programs, init)
    prune = rejected is None
    plan_all, plan_monotone, plan_leaf = _plans(model)
    tick = 0

    for combo_traces in combinations(traces, init):
        stats.combinations += 1
        combo = Combination(combo_traces, init)
        ev = combo.events
        n = combo.n
        writes: dict[str, list[int]] = {loc: [i] for i, loc in enumerate(combo.locs)}
        reads: dict[str, list[int]] = {loc: [] for loc in combo.locs}
        for e in ev[len(combo.locs):]:
            if e.loc is None:
                continue
            if e.dir == WRITE:
                writes[e.loc].append(e.id)
            elif e.dir == READ:
                reads[e.loc].append(e.id)
        steps: list[tuple[str, int, str]] = []
        for loc in combo.locs:
            for w in writes[loc][1:]:
                steps.append(("W", w, loc))
            for r in reads[loc]:
                steps.append(("R", r, loc))
        order: dict[str, list[int]] = {loc: [writes[loc][0]] for loc in combo.locs}
        co_rows = [0] * n
        rf_rows = [0] * n
        rf_of: dict[int, int] = {}
        evaluator = combo.evaluator
        ctx = Context(evaluator, plan_all)

        def run_checks(which: Plan) -> Check | None:
            return which.first_failure(ctx, rf_rows, co_rows)

        def dfs(k: int) -> None:
            nonlocal tick
            tick += 1
            if limits is not None and not tick & 1023:
                if limits.deadline and time.monotonic() > limits.deadline:
                    raise Incomplete(f"timed out after {limits.timeout:g} s")
                if limits.progress is not None and not tick & 8191:
                    limits.progress(stats)
            if k == len(steps):
                stats.candidates += 1
                failed = run_checks(plan_leaf if (steps and prune) else plan_all)
                if failed is None:
                    stats.consistent += 1
                    if limits is not None and limits.max_executions is not None and \
                            stats.consistent > limits.max_executions:
                        raise Incomplete(
                            f"more than {limits.max_executions} consistent executions"
                        )
                    on_leaf(combo, [order[loc] for loc in combo.locs], rf_of, True)
                elif rejected is not None:
                    evaluator.set_dynamic(Relation(n, rf_rows), Relation(n, co_rows))
                    wit = evaluator.witness(failed) or []
                    rejected(combo, [order[loc] for loc in combo.locs], rf_of, failed, wit)
                return
            kind, e, loc = steps[k]
            stats.nodes += 1
            if kind == "W":
                seq_ = order[loc]
                thread = ev[e].thread
                lo = 1
                for pos in range(len(seq_) - 1, 0, -1):
                    if ev[seq_[pos]].thread == thread:
                        lo = pos + 1
                        break
                bit = 1 << e
                for pos in range(lo, len(seq_) + 1):
                    seq_.insert(pos, e)
                    after = 0
                    for b in seq_[pos + 1:]:
                        after |= 1 << b
                    co_rows[e] = after
                    for b in seq_[:pos]:
                        co_rows[b] |= bit
                    if not prune or run_checks(plan_monotone) is None:
                        dfs(k + 1)
                    else:
                        stats.pruned += 1
                    for b in seq_[:pos]:
                        co_rows[b] &= ~bit
                    co_rows[e] = 0
                    seq_.pop(pos)
            else:
                r = ev[e]
                val = r.value
                for w in writes[loc]:
                    we = ev[w]
                    if we.value != val:
                        continue
                    if we.thread == r.thread and w > e:
                        continue  # a read never sees a po-later write of its own thread
                    rf_rows[w] |= 1 << e
                    rf_of[e] = w
                    if not prune or run_checks(plan_monotone) is None:
                        dfs(k + 1)
                    else:
                        stats.pruned += 1
                    rf_rows[w] &= ~(1 << e)
                    del rf_of[e]

        dfs(0)


def final_state(
    test: Litmus,
    combo: Combination,
    orders: list[list[int]],
    observed: Sequence[Loc],
) -> tuple[tuple[Loc, Value], ...]:
    """The values of the observed registers and locations at the end."""
    last = {loc: combo.events[o[-1]].value for loc, o in zip(combo.locs, orders, strict=True)}
    regs: dict[tuple[int, str], Value] = {}
    for tr in combo.traces:
        for name, v in tr.regs:
            regs[(tr.thread, name)] = v
    init_regs = {(loc.thread, loc.name): v for loc, v in test.init if isinstance(loc, Reg)}
    out: list[tuple[Loc, Value]] = []
    for loc in observed:
        if isinstance(loc, Reg):
            key = (loc.thread, loc.name)
            v = regs.get(key, init_regs.get(key, 0))
        else:
            v = last.get(loc.name, 0)
            if v is None:
                v = 0
        out.append((loc, v))
    return tuple(out)


def observed_locations(test: Litmus) -> list[Loc]:
    """Registers and locations shown in final states: the condition's and ``locations``."""
    from mmcheck.litmus.ast import prop_atoms

    seen: dict[Loc, None] = {}
    for loc in test.locations:
        seen[loc] = None
    for atom in prop_atoms(test.condition.prop):
        seen[atom.loc] = None
    if test.filter is not None:
        pass
    return sorted(seen, key=loc_key)


def satisfies(test: Litmus, state: dict[Loc, Value]) -> bool:
    return eval_prop(test.condition.prop, state)
