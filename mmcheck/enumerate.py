"""Candidate executions, searched with pruning.

1. Each thread runs along every path with every value its reads may return
   (the values each location can hold are found by a fixed point), giving its
   traces.
2. Combinations of traces are formed, dropping those where a read returns a
   value that no chosen write (nor the initial state) provides (both in
   ``mmcheck.combinations``).
3. For each combination, rf and co are built one choice at a time: a write's
   place in coherence order, or a read's source.  After every choice the model's
   monotone checks run on the partial execution, and a failure abandons the
   whole subtree.  Each complete (rf, co) that passes every check is one
   consistent execution, as herd7 counts them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from mmcheck.combinations import (
    Combination,
    combinations,
    locations_of,
    memory_value,
    shapes_of,
    value_sets,
)
from mmcheck.errors import Incomplete
from mmcheck.events import READ, WRITE, Trace
from mmcheck.execution import Stats, loc_key
from mmcheck.litmus.ast import Litmus, Loc, Reg, Sym, Value
from mmcheck.models.dsl import Check, Model, is_monotone, mentions_dynamic
from mmcheck.models.evaluate import Context, Plan, plan_for
from mmcheck.relation import Relation
from mmcheck.semantics.runner import Program

SMALL_TREE = 256  # candidate trees this small are checked at the leaves only
MIN_SURE_LEAVES = 4  # the fewest leaves below a read worth proving the ordering checks on
RETRY_SURE_LEAVES = 16  # ... and worth trying again on below a read where that failed
PROMOTE_AFTER = 64  # candidates a leaf check must reject before it prunes (see Pruning)


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


# Keyed by id(model); the model is kept with its plans, so that its id is never reused by
# another model while the entry lives (a model built and dropped in a loop, as tests do).
_MODEL_PLANS: dict[int, tuple[Model, Plans]] = {}


class Plans:
    """A model's compiled checks, as the search runs them."""

    __slots__ = ("all", "monotone", "leaf", "leaf_mono", "leaf_rest", "flags",
                 "monotone_all", "leaf_mono_ids")

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
        # Every monotone check, as a search runs them once it prunes with all (Pruning).
        self.monotone_all = self.all.subset([c for c in model.checks if is_monotone(c.expr)])
        self.leaf_mono_ids = frozenset(id(c) for c, _ in self.leaf_mono.checks)
        self.flags = plan_for(list(model.flags)) if model.flags else None


def rmw_reads(combo: Combination) -> dict[int, int]:
    """The read of each RMW's write (by event id)."""
    return {combo.base[i] + w: combo.base[i] + r
            for i, tr in enumerate(combo.traces) for r, w in tr.rmw}


def rmw_locations_first(combo: Combination, rmw_read: dict[int, int]) -> list[str]:
    """The locations in the order the search decides them: those with read-modify-writes
    (a lock's, an xchg's) first, then the others.  Once a lock's critical sections are
    ordered (atomicity leaves few orders), the ordering checks prune the accesses inside
    them as they are chosen; the other way round, every choice of what those accesses
    read was made before any lock order could rule it out."""
    ev = combo.events
    with_rmw = {ev[w].loc for w in rmw_read}
    return sorted(combo.locs, key=lambda loc: loc not in with_rmw)


def write_steps(combo: Combination, loc: str, ws: Sequence[int], rmw_read: dict[int, int],
                chosen: set[int]) -> list[tuple[str, int, str]]:
    """The steps placing the writes ``ws`` to ``loc`` in coherence order, each RMW's
    read (unless in ``chosen``, which gains it) just before its write: with the write it
    reads known, the atomicity check prunes every place but the one right after it."""
    ev = combo.events
    steps: list[tuple[str, int, str]] = []
    for w in ws:
        r = rmw_read.get(w)
        if r is not None and r not in chosen and ev[r].loc == loc:
            steps.append(("R", r, loc))
            chosen.add(r)
        steps.append(("W", w, loc))
    return steps


def model_plans(model: Model) -> Plans:
    entry = _MODEL_PLANS.get(id(model))
    if entry is not None and entry[0] is model:
        return entry[1]
    plans = Plans(model)
    _MODEL_PLANS[id(model)] = (model, plans)
    return plans


class Pruning:
    """Which checks one search runs on partial executions (``monotone``) and which on
    complete candidates only (``leaf``).

    A model may leave monotone checks that cost much and rarely prune to the leaves
    (``Model.prune_with``).  When one of them rejects most of a search's candidates
    after all (at least PROMOTE_AFTER of them, and more than half of those checked, as
    the LKMM's happens-before does on a test with nested locks), the search runs every
    monotone check on partial executions from then on: a subtree whose partial
    execution fails one fails it at each of its leaves.  Only the work changes, never
    the answer.
    """

    __slots__ = ("plans", "monotone", "leaf", "checked", "rejected", "promoted")

    def __init__(self, plans: Plans, prune: bool) -> None:
        self.plans = plans
        self.monotone = plans.monotone
        self.leaf = plans.leaf
        self.checked = 0
        self.rejected = 0
        # Nothing to promote in a search that does not prune, or with no such check.
        self.promoted = not prune or not plans.leaf_mono_ids

    def note(self, failed: Check | None) -> None:
        """What the leaf checks said of one candidate."""
        if self.promoted:
            return
        self.checked += 1
        if failed is not None and id(failed) in self.plans.leaf_mono_ids:
            self.rejected += 1
            if self.rejected >= PROMOTE_AFTER and 2 * self.rejected > self.checked:
                self.monotone = self.plans.monotone_all
                self.leaf = self.plans.leaf_rest
                self.promoted = True


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
    plans = model_plans(model)
    plan_all = plans.all
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
    rmw_read = rmw_reads(combo)
    for loc in rmw_locations_first(combo, rmw_read):
        early: set[int] = set()
        steps.extend(write_steps(combo, loc, later[loc], rmw_read, early))
        steps.extend(("R", r, loc) for r in reads[loc] if r not in early)
    # Pruning pays when the tree is large; on a small one, checking each complete
    # candidate once is cheaper than checking every node on the way to it.
    space = 1
    for loc in combo.locs:
        for k in range(2, len(writes[loc]) + 1):
            space *= k
        space *= len(writes[loc]) ** len(reads[loc])
    if space <= SMALL_TREE:
        prune = False
    pruning = Pruning(plans, prune)
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
                failed = run_checks(pruning.monotone) or run_checks(leaf_rest)
            elif steps and prune and not unchecked:
                failed = run_checks(pruning.leaf)
                pruning.note(failed)
            else:
                failed = run_checks(plan_all)
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
                if not prune or forced or run_checks(pruning.monotone) is None:
                    dfs(k + 1, prune and forced)
                else:
                    stats.pruned += 1
                for b in seq_[:pos]:
                    co_rows[b] &= ~bit
                co_rows[e] = 0
                seq_.pop(pos)
        else:
            if prove and not sure and not pruning.promoted and leaf_mono.checks and \
                    k >= reads_from and \
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
                if not prune or sure or forced or run_checks(pruning.monotone) is None:
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
            v = memory_value(last.get(loc.name, 0))
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
