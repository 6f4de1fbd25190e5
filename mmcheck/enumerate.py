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

import itertools
import time
from collections.abc import Callable, Iterator, Sequence

from mmcheck.errors import Incomplete, Unsupported
from mmcheck.events import READ, WRITE, Event, Trace, event_sets, structural_rows
from mmcheck.execution import Stats, loc_key, value_key
from mmcheck.litmus.ast import Litmus, Loc, Mem, Reg, Sym, Value
from mmcheck.models.dsl import Check, Model, is_monotone, mentions_dynamic
from mmcheck.models.evaluate import Context, Evaluator, Plan, plan_for
from mmcheck.relation import Relation
from mmcheck.semantics.runner import Program, thread_traces

MAX_FIXPOINT_ROUNDS = 16
SMALL_TREE = 256  # candidate trees this small are checked at the leaves only
MIN_SURE_LEAVES = 4  # the fewest leaves below a read worth proving the ordering checks on
RETRY_SURE_LEAVES = 16  # ... and worth trying again on below a read where that failed


class Limits:
    """``timeout`` in seconds; ``progress`` is called every few thousand nodes."""

    __slots__ = ("timeout", "max_executions", "progress", "deadline")

    def __init__(self, timeout: float | None = None, max_executions: int | None = None,
                 progress: Callable[[Stats], None] | None = None) -> None:
        self.timeout = timeout
        self.max_executions = max_executions
        self.progress = progress
        self.deadline = 0.0


def _no_flags(skip: frozenset[str]) -> frozenset[str]:
    return frozenset()


class Leaf:
    """A complete candidate: its combination, coherence orders (per location, in
    ``combo.locs`` order, the writes in co order), rf (read -> the write it reads from)
    and chosen traces.  ``flags``: the model's flags this execution raises, leaving out
    those in the given set (already raised); valid only during the on_leaf call."""

    __slots__ = ("combo", "orders", "rf_of", "traces", "flags")

    def __init__(self, combo: Combination, orders: list[list[int]], rf_of: dict[int, int],
                 traces: tuple[Trace, ...],
                 flags: Callable[[frozenset[str]], frozenset[str]] = _no_flags) -> None:
        self.combo = combo
        self.orders = orders
        self.rf_of = rf_of
        self.traces = traces
        self.flags = flags


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


def _value(v: Value | None) -> Value:
    """The value of a memory event (only fences have none)."""
    assert v is not None
    return v


def _shape_key(tr: Trace) -> tuple[object, ...]:
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
        key = _shape_key(tr)
        reads = tuple(i for i, e in enumerate(tr.events) if e.dir == READ)
        values = tuple(_value(tr.events[i].value) for i in reads)
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
                    p.add((ev.loc, _value(ev.value)))
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
            values = tuple(_value(self.events[rf_of[base + i]].value) for i in sh.reads)
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


# Keyed by id(model); the model is kept with its plans, so that its id is never reused by
# another model while the entry lives (a model built and dropped in a loop, as tests do).
_MODEL_PLANS: dict[int, tuple[Model, Plans]] = {}


class Plans:
    """A model's compiled checks, as the search runs them."""

    __slots__ = ("all", "monotone", "leaf", "leaf_mono", "leaf_rest", "flags")

    def __init__(self, model: Model) -> None:
        monotone = [c for c in model.checks if is_monotone(c.expr)
                    and (model.prune_with is None or c.name in model.prune_with)]
        others = [c for c in model.checks if not any(c is m for m in monotone)]
        self.all = plan_for(list(model.checks))
        self.monotone = self.all.subset(monotone)  # after every choice
        self.leaf = self.all.subset(others)  # at the leaves
        # The monotone checks left to the leaves, and the non-monotone ones.
        self.leaf_mono = self.all.subset([c for c in others if is_monotone(c.expr)])
        self.leaf_rest = self.all.subset([c for c in others if not is_monotone(c.expr)])
        self.flags = plan_for(list(model.flags)) if model.flags else None


def _model_plans(model: Model) -> Plans:
    entry = _MODEL_PLANS.get(id(model))
    if entry is not None and entry[0] is model:
        return entry[1]
    plans = Plans(model)
    _MODEL_PLANS[id(model)] = (model, plans)
    return plans


def _plans(model: Model) -> tuple[Plan, Plan, Plan]:
    """All checks, the monotone ones (run after every choice; those the model prunes
    with, if it names them), the rest (at the leaves).

    One plan holds every check so that static terms are shared; the two subsets
    index into the same per-combination context.
    """
    p = _model_plans(model)
    return p.all, p.monotone, p.leaf


def explore(
    test: Litmus,
    programs: Sequence[Program],
    model: Model,
    *,
    stats: Stats,
    limits: Limits | None = None,
    on_leaf: Callable[[Leaf], None],
    rejected: Callable[[Leaf, Check, list[int]], None] | None = None,
    traces: list[list[Trace]] | None = None,
) -> None:
    """Run the search; ``on_leaf`` gets each consistent execution's co orders and rf map.

    ``traces`` are the threads' traces when already known (``value_sets``).

    When ``rejected`` is given, the search does not prune: every complete candidate
    is checked and those failing a check are passed to it with the check and its
    witness (used to draw forbidden executions).
    """
    init = locations_of(test)
    if traces is None:
        _, traces = value_sets(programs, init)
    shapes = [shapes_of(ts) for ts in traces]
    ticks = [0]  # search nodes so far, for the time limit and progress

    for combo_shapes in combinations(shapes, init):
        stats.combinations += 1
        combo = Combination(combo_shapes, init)
        _search(combo, model, stats, limits, on_leaf, rejected, ticks)


def _search(
    combo: Combination,
    model: Model,
    stats: Stats,
    limits: Limits | None,
    on_leaf: Callable[[Leaf], None],
    rejected: Callable[[Leaf, Check, list[int]], None] | None,
    ticks: list[int],
) -> None:
    """Search rf and co for one combination of shapes."""
    prune = rejected is None
    prove = prune  # prove the ordering checks on subtrees (below), even on a small tree
    plans = _model_plans(model)
    plan_all, plan_monotone, plan_leaf = plans.all, plans.monotone, plans.leaf
    leaf_mono, leaf_rest, flag_plan = plans.leaf_mono, plans.leaf_rest, plans.flags
    allowed: dict[int, frozenset[Value]] = {}
    for sh, base in zip(combo.shapes, combo.base, strict=True):
        for i, vals in zip(sh.reads, sh.allowed, strict=True):
            allowed[base + i] = vals
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
    # First the writes whose place is forced: for each location, those of the thread
    # with the most writes to it (in program order, each goes after the last); then
    # the other writes of each location, one choice each, then its reads.
    steps: list[tuple[str, int, str]] = []
    later: dict[str, list[int]] = {}
    for loc in combo.locs:
        per_thread: dict[int, list[int]] = {}
        for w in writes[loc][1:]:
            per_thread.setdefault(ev[w].thread, []).append(w)
        main = max(per_thread.values(), key=len, default=[])
        steps.extend(("W", w, loc) for w in main)
        later[loc] = [w for w in writes[loc][1:] if w not in main]
    for loc in combo.locs:
        steps.extend(("W", w, loc) for w in later[loc])
        steps.extend(("R", r, loc) for r in reads[loc])
    # Pruning pays when the tree is large; on a small one, checking each complete
    # candidate once is cheaper than checking every node on the way to it.
    space = 1
    for loc in combo.locs:
        for k in range(2, len(writes[loc]) + 1):
            space *= k
        space *= len(writes[loc]) ** len(reads[loc])
    if space <= SMALL_TREE:
        prune = False
    order: dict[str, list[int]] = {loc: [writes[loc][0]] for loc in combo.locs}
    co_rows = [0] * n
    rf_rows = [0] * n
    rf_of: dict[int, int] = {}
    evaluator = combo.evaluator
    ctx = Context(evaluator, plan_all)
    # Where the last run of reads begins: from there on only rf is still to choose.
    # Giving each remaining read every source it may have over-approximates rf (and
    # fr) in every completion; when the monotone leaf checks pass on that, they pass on
    # every completion, and the subtree's leaves run only the others.
    reads_from = len(steps)
    while reads_from > 0 and steps[reads_from - 1][0] == "R":
        reads_from -= 1
    sources: dict[int, list[int]] = {}
    for _, r_, loc_ in steps[reads_from:]:
        sources[r_] = [w for w in writes[loc_] if ev[w].value in allowed[r_]
                       and not (ev[w].thread == ev[r_].thread and w > r_)]

    # How many leaves the last run of reads has below each of its steps (at most).
    leaves_below = [0] * (len(steps) + 1)
    leaves_below[len(steps)] = 1
    for k_ in range(len(steps) - 1, reads_from - 1, -1):
        leaves_below[k_] = leaves_below[k_ + 1] * len(sources[steps[k_][1]])

    def subtree_passes(k: int) -> bool:
        over = list(rf_rows)
        for _, r_, _ in steps[k:]:
            bit = 1 << r_
            for w in sources[r_]:
                over[w] |= bit
        return leaf_mono.first_failure(ctx, over, co_rows) is None

    flag_ctx = Context(evaluator, flag_plan) if flag_plan is not None else None

    def run_checks(which: Plan) -> Check | None:
        return which.first_failure(ctx, rf_rows, co_rows)

    # Flags that do not depend on rf/co are evaluated once, at the first leaf.
    static_flags: list[str] | None = None
    dynamic_flags: list[tuple[str, Callable[[Context], bool]]] = []  # set at the first leaf

    def leaf_flags(skip: frozenset[str]) -> frozenset[str]:
        """The flags the current complete execution raises (those not in ``skip``)."""
        nonlocal static_flags
        if flag_plan is None or flag_ctx is None:
            return frozenset()
        flag_ctx.rf = rf_rows
        flag_ctx.co = co_rows
        flag_ctx.gen += 1
        if static_flags is None:
            active = flag_plan.active(flag_ctx)
            static_flags = [c.name for c, test in active
                            if not mentions_dynamic(c.expr) and not test(flag_ctx)]
            dynamic_flags[:] = [(c.name, test) for c, test in active
                                if mentions_dynamic(c.expr)]
        raised = [name for name in static_flags if name not in skip]
        for name, test in dynamic_flags:
            if name not in skip and not test(flag_ctx):
                raised.append(name)
        return frozenset(raised)

    # A step with one option is not checked: the next check covers it (the monotone
    # checks only fail more as rf and co grow), and a leaf reached without a check
    # since then runs every check.  ``sure``: the ordering checks left to the leaves
    # are known to hold on the whole subtree.
    def dfs(k: int, unchecked: bool, sure: bool | None = False) -> None:
        ticks[0] += 1
        if limits is not None and not ticks[0] & 1023:
            if limits.deadline and time.monotonic() > limits.deadline:
                raise Incomplete(f"timed out after {limits.timeout:g} s")
            if limits.progress is not None and not ticks[0] & 8191:
                limits.progress(stats)
        if k == len(steps):
            matches = combo.concrete(rf_of)
            if not matches:
                return  # these read values take another path: not this shape's
            stats.candidates += len(matches)
            if sure:  # the ordering checks hold; the pruning ones were left to here
                failed = run_checks(plan_monotone) or run_checks(leaf_rest)
            else:
                failed = run_checks(plan_leaf if (steps and prune and not unchecked)
                                    else plan_all)
            if failed is not None and rejected is None:
                stats.pruned += 1
            orders = [order[loc] for loc in combo.locs]
            if failed is None:
                stats.consistent += len(matches)
                if limits is not None and limits.max_executions is not None and \
                        stats.consistent > limits.max_executions:
                    raise Incomplete(
                        f"more than {limits.max_executions} consistent executions"
                    )
                for chosen in matches:
                    on_leaf(Leaf(combo, orders, rf_of, chosen, leaf_flags))
            elif rejected is not None:
                evaluator.set_dynamic(Relation(n, rf_rows), Relation(n, co_rows))
                wit = evaluator.witness(failed) or []
                for chosen in matches:
                    rejected(Leaf(combo, orders, rf_of, chosen), failed, wit)
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
            forced = lo == len(seq_)
            for pos in range(lo, len(seq_) + 1):
                seq_.insert(pos, e)
                after = 0
                for b in seq_[pos + 1:]:
                    after |= 1 << b
                co_rows[e] = after
                for b in seq_[:pos]:
                    co_rows[b] |= bit
                if not prune or forced or run_checks(plan_monotone) is None:
                    dfs(k + 1, prune and forced)
                else:
                    stats.pruned += 1
                for b in seq_[:pos]:
                    co_rows[b] &= ~bit
                co_rows[e] = 0
                seq_.pop(pos)
        else:
            if prove and not sure and leaf_mono.checks and k >= reads_from and \
                    leaves_below[k] >= (MIN_SURE_LEAVES if sure is False else RETRY_SURE_LEAVES):
                # Once the over-approximation fails, its subsets below mostly do too:
                # it is tried again only where a pass would spare many leaves (a cycle
                # that needs every read to take one source fails only along that path).
                sure = True if subtree_passes(k) else None
            r = ev[e]
            vals = allowed[e]
            # a read never sees a po-later write of its own thread
            srcs = [w for w in writes[loc] if ev[w].value in vals
                    and not (ev[w].thread == r.thread and w > e)]
            forced = len(srcs) == 1
            for w in srcs:
                rf_rows[w] |= 1 << e
                rf_of[e] = w
                if not prune or sure or forced or run_checks(plan_monotone) is None:
                    dfs(k + 1, prune and forced, sure)
                else:
                    stats.pruned += 1
                rf_rows[w] &= ~(1 << e)
                del rf_of[e]

    dfs(0, False)


def final_state(
    test: Litmus, leaf: Leaf, observed: Sequence[Loc]
) -> tuple[tuple[Loc, Value], ...]:
    """The values of the observed registers and locations at the end."""
    combo = leaf.combo
    last = {loc: combo.events[o[-1]].value for loc, o in zip(combo.locs, leaf.orders, strict=True)}
    regs: dict[tuple[int, str], Value] = {}
    for tr in leaf.traces:
        for name, v in tr.regs:
            regs[(tr.thread, name)] = v
    init_regs = {(loc.thread, loc.name): v for loc, v in test.init if isinstance(loc, Reg)}
    out: list[tuple[Loc, Value]] = []
    for loc in observed:
        if isinstance(loc, Reg):
            key = (loc.thread, loc.name)
            v = regs.get(key, init_regs.get(key, 0))
        elif loc.array:  # a whole array: its cells' values, printed as herd7 does
            size = next((k for name, _, k in test.arrays if name == loc.name), 0)
            v = Sym("{" + ",".join(str(last.get(f"{loc.name}[{i}]", 0)) for i in range(size))
                    + "}")
        else:
            v = _value(last.get(loc.name, 0))
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
    return sorted(seen, key=loc_key)
