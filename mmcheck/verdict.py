"""Verdicts by a condition-directed search: is some consistent execution a witness?

Exact mode (``mmcheck.enumerate.explore``) visits every consistent execution to
count them.  A verdict needs less: whether one consistent execution satisfies a
proposition (the condition's for ``exists``/``~exists``, its negation for the
``Ok`` of ``forall``).  The proposition is put in disjunctive normal form and each
conjunction of literals is searched on its own, using what it requires before and
during the search:

- a literal on a register keeps only the thread traces whose final registers
  satisfy it, so a read's possible values (and so its sources) shrink;
- a literal on a location restricts which write can be the location's last in
  coherence order: that write is chosen first, and every other write of the
  location is ordered before it at once, so the model's checks see those edges
  from the start;
- the constrained reads and the writes they may read from are chosen first, so
  a cycle the condition forces is found after a few choices.

The search stops at the first consistent execution satisfying the proposition.
Only the model's own checks prune (the monotone ones after every choice, the rest
on complete candidates), so any model the DSL expresses is searched soundly.  A
disjunctive normal form of more than ``MAX_SPLIT`` conjunctions falls back to one search
without literal pruning that still stops at the first witness.

Threads with the same code, initial registers and a proposition that does not
change when they are swapped are symmetric: of two executions that mirror each
other only one is searched (no check can tell them apart, since checks never name
threads).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from mmcheck.combinations import (
    Combination,
    Shape,
    combinations,
    locations_of,
    shape_key,
    shapes_of,
    value_sets,
)
from mmcheck.enumerate import (
    SMALL_TREE,
    Leaf,
    Limits,
    Pruning,
    final_state,
    model_plans,
    observed_locations,
    rmw_locations_first,
    rmw_reads,
    write_steps,
)
from mmcheck.errors import Incomplete
from mmcheck.events import READ, WRITE, Trace
from mmcheck.execution import Stats
from mmcheck.litmus.ast import (
    And,
    Atom,
    Implies,
    Litmus,
    Loc,
    Mem,
    Not,
    Or,
    Prop,
    Reg,
    Same,
    Value,
    eval_prop,
)
from mmcheck.models.dsl import Model
from mmcheck.models.evaluate import Context
from mmcheck.semantics.runner import Program

MAX_CONJUNCTIONS = 64  # a larger normal form is not built
# A normal form of more conjunctions is searched whole (no literal pruning): where no
# execution satisfies the proposition, every conjunction's search runs to its end, and
# one literal prunes little, so 12 one-literal searches (a flag read under each of four
# nested locks) cost seven times one whole search; with 3 (C-ManfredSpraul-L1G2xchg)
# splitting is what answers in under a second.
MAX_SPLIT = 4

# A literal: an atom, and whether it must hold (True) or fail (False).
Literal = tuple[Atom, bool]


class Found(Exception):
    """Raised inside the search with the first witness."""

    def __init__(self, leaf: Leaf, state: tuple[tuple[Loc, Value], ...]) -> None:
        super().__init__()
        self.leaf = leaf
        self.state = state


def dnf(p: Prop, positive: bool = True, cap: int = MAX_CONJUNCTIONS
        ) -> list[list[Literal]] | None:
    """``p`` (or its negation) as a list of conjunctions of literals; None past ``cap``."""
    if isinstance(p, Atom):
        return [[(p, positive)]]
    if isinstance(p, Same):  # two locations compared: no value to direct the search
        return None
    if isinstance(p, Not):
        return dnf(p.arg, not positive, cap)
    if isinstance(p, Implies):
        return dnf(Or((Not(p.left), p.right)), positive, cap)
    conj = isinstance(p, And) == positive  # a conjunction (after pushing the negation)
    parts = []
    for a in p.args:
        d = dnf(a, positive, cap)
        if d is None:
            return None
        parts.append(d)
    if not conj:
        out = [c for d in parts for c in d]
        return out if len(out) <= cap else None
    acc: list[list[Literal]] = [[]]
    for d in parts:
        acc = [x + y for x in acc for y in d]
        if len(acc) > cap:
            return None
    return acc


def _atom_value(a: Atom) -> Value:
    return a.value if a.key is None else a.key


def _conj_key(conj: list[Literal]) -> frozenset[tuple[object, ...]]:
    return frozenset((str(a.loc), str(_atom_value(a)), pos) for a, pos in conj)


def search(
    test: Litmus,
    programs: Sequence[Program],
    model: Model,
    prop: Prop,
    *,
    stats: Stats,
    limits: Limits | None = None,
    traces: list[list[Trace]] | None = None,
) -> tuple[Leaf, tuple[tuple[Loc, Value], ...]] | None:
    """The first consistent execution whose final state satisfies ``prop`` (and the
    test's filter), with that state; None when there is none."""
    target: Prop = prop if test.filter is None else And((test.filter, prop))
    init = locations_of(test)
    if traces is None:
        _, traces = value_sets(programs, init)
    observed = list(observed_locations(test))
    for a in _atoms(target):
        if a.loc not in observed:
            observed.append(a.loc)
    init_regs = {(loc.thread, loc.name): v for loc, v in test.init if isinstance(loc, Reg)}
    conjs = dnf(target)
    if conjs is None or len(conjs) > MAX_SPLIT:
        conjs = [[]]  # too large to split: one search, the leaves decide
    else:
        seen: set[frozenset[tuple[object, ...]]] = set()
        kept = []
        for c in conjs:
            k = _conj_key(c)
            if k not in seen:
                seen.add(k)
                kept.append(c)
        conjs = kept
    symmetric = _symmetric_pairs(test, programs, traces, conjs)
    ticks = [0]
    try:
        for conj in conjs:
            _search_conjunction(test, model, traces, init, init_regs, conj, target,
                                observed, symmetric, stats, limits, ticks)
    except Found as found:
        return found.leaf, found.state
    return None


def _atoms(p: Prop) -> list[Atom]:
    from mmcheck.litmus.ast import prop_atoms

    return prop_atoms(p)


def _reg_value(tr: Trace, name: str, init_regs: dict[tuple[int, str], Value]) -> Value:
    for r, v in tr.regs:
        if r == name:
            return v
    return init_regs.get((tr.thread, name), 0)


def _search_conjunction(
    test: Litmus,
    model: Model,
    traces: list[list[Trace]],
    init: dict[str, Value],
    init_regs: dict[tuple[int, str], Value],
    conj: list[Literal],
    target: Prop,
    observed: list[Loc],
    symmetric: list[tuple[int, int]],
    stats: Stats,
    limits: Limits | None,
    ticks: list[int],
) -> None:
    reg_lits: dict[int, list[tuple[str, Value, bool]]] = {}
    loc_lits: dict[str, list[tuple[Value, bool]]] = {}
    for atom, pos in conj:
        loc = atom.loc
        if isinstance(loc, Reg):
            if not 0 <= loc.thread < len(traces):
                v = init_regs.get((loc.thread, loc.name), 0)
                if (v == _atom_value(atom)) != pos:
                    return  # a register of no thread keeps its initial value
                continue
            reg_lits.setdefault(loc.thread, []).append((loc.name, _atom_value(atom), pos))
        elif isinstance(loc, Mem) and not loc.array:
            loc_lits.setdefault(loc.name, []).append((_atom_value(atom), pos))
    shapes: list[list[Shape]] = []
    for i, ts in enumerate(traces):
        lits = reg_lits.get(i)
        if lits:
            ts = [tr for tr in ts
                  if all((_reg_value(tr, name, init_regs) == v) == pos for name, v, pos in lits)]
        if not ts:
            return
        shapes.append(shapes_of(ts))
    order_of = [{id(sh): k for k, sh in enumerate(s)} for s in shapes]

    def last_ok(loc: str, v: Value | None) -> bool:
        return all((v == want) == pos for want, pos in loc_lits.get(loc, ()))

    for combo_shapes in combinations(shapes, init):
        idx = [order_of[i][id(sh)] for i, sh in enumerate(combo_shapes)]
        if any(idx[i] > idx[j] for i, j in symmetric):
            continue  # the mirror image of a combination searched
        same = [(i, j) for i, j in symmetric if idx[i] == idx[j]
                and shape_key(combo_shapes[i].trace) == shape_key(combo_shapes[j].trace)]
        stats.combinations += 1
        combo = Combination(combo_shapes, init)
        for name in loc_lits:
            if name not in combo.locs and not last_ok(name, init.get(name, 0)):
                break
        else:
            _directed(test, combo, model, loc_lits, last_ok, target, observed, same,
                      stats, limits, ticks)


def _directed(
    test: Litmus,
    combo: Combination,
    model: Model,
    loc_lits: dict[str, list[tuple[Value, bool]]],
    last_ok: Callable[[str, Value | None], bool],
    target: Prop,
    observed: list[Loc],
    same: list[tuple[int, int]],
    stats: Stats,
    limits: Limits | None,
    ticks: list[int],
) -> None:
    """Search rf and co of one combination for a witness (raises Found)."""
    plans = model_plans(model)
    plan_all = plans.all
    ev = combo.events
    n = combo.n
    allowed: dict[int, frozenset[Value]] = {}
    for sh, base in zip(combo.shapes, combo.base, strict=True):
        for i, vals in zip(sh.reads, sh.allowed, strict=True):
            allowed[base + i] = vals
    writes: dict[str, list[int]] = {loc: [i] for i, loc in enumerate(combo.locs)}
    reads: dict[str, list[int]] = {loc: [] for loc in combo.locs}
    for e in ev[len(combo.locs):]:
        if e.loc is None:
            continue
        if e.dir == WRITE:
            writes[e.loc].append(e.id)
        elif e.dir == READ:
            reads[e.loc].append(e.id)

    # Each read's possible sources (values it may return; never a po-later own write).
    sources: dict[int, list[int]] = {}
    for loc, rs in reads.items():
        for r in rs:
            vals = allowed[r]
            src = [w for w in writes[loc] if ev[w].value in vals
                   and not (ev[w].thread == ev[r].thread and w > r)]
            if not src:
                return
            sources[r] = src
    # Each constrained location's possible last writes: those with a value the
    # conjunction allows, last of their thread's writes to it.
    lasts: dict[str, list[int]] = {}
    for loc in combo.locs:
        if loc not in loc_lits:
            continue
        ws = writes[loc]
        if len(ws) == 1:
            if not last_ok(loc, ev[ws[0]].value):
                return
            continue
        cands = [w for w in ws[1:] if last_ok(loc, ev[w].value)
                 and not any(ev[u].thread == ev[w].thread and u > w for u in ws[1:])]
        if not cands:
            return
        lasts[loc] = cands

    # Symmetric threads with the same shape: the first write to a location of the
    # lower thread comes first in coherence order.
    before: list[tuple[int, int]] = []
    for i, j in same:
        bi, bj = combo.base[i], combo.base[j]
        first = next((k for k, te in enumerate(combo.traces[i].events)
                      if te.dir == WRITE and te.loc is not None), None)
        if first is not None:
            before.append((bi + first, bj + first))

    # Steps: last writes, then the constrained reads (fewest sources first), the
    # writes they may read (and the forced ones), the other writes, the other reads.
    steps: list[tuple[str, int, str]] = []
    for loc in lasts:
        steps.append(("L", len(steps), loc))
    full = {r: len([w for w in writes[ev[r].loc or ""]
                    if not (ev[w].thread == ev[r].thread and w > r)]) for r in sources}
    # The read of an RMW (a lock's, an xchg's) is restricted by its own semantics rather
    # than by the condition: it is chosen with its location's writes (below), where
    # its atomicity prunes, not first.
    rmw_read = rmw_reads(combo)
    in_rmw = set(rmw_read.values())
    constrained = sorted((r for r in sources if len(sources[r]) < full[r]
                          and r not in in_rmw),
                         key=lambda r: (len(sources[r]), r))
    wanted: dict[int, None] = {}
    for r in constrained:
        for w in sources[r]:
            if not ev[w].is_init:
                wanted[w] = None
    steps.extend(("R", r, ev[r].loc or "") for r in constrained)
    last_set = {w for cands in lasts.values() for w in cands if len(cands) == 1}
    placed_first = [w for w in wanted if w not in last_set]
    steps.extend(("W", w, ev[w].loc or "") for w in placed_first)
    first_set = set(placed_first) | last_set
    picked = set(constrained)
    for loc in rmw_locations_first(combo, rmw_read):
        # The thread with the most writes first: each of its writes then has one place.
        per_thread: dict[int, list[int]] = {}
        for w in writes[loc][1:]:
            per_thread.setdefault(ev[w].thread, []).append(w)
        for ws in sorted(per_thread.values(), key=len, reverse=True):
            steps.extend(write_steps(combo, loc, [w for w in ws if w not in first_set],
                                     rmw_read, picked))
        # Then its other reads: with its coherence order and rf complete, the checks on
        # one location prune before the next is chosen.
        steps.extend(("R", r, loc) for r in reads[loc] if r not in picked)

    space = 1
    for loc in combo.locs:
        for k in range(2, len(writes[loc]) + 1):
            space *= k
        for r in reads[loc]:
            space *= len(sources[r])
    prune = space > SMALL_TREE
    pruning = Pruning(plans, prune)

    order: dict[str, list[int]] = {loc: [writes[loc][0]] for loc in combo.locs}
    tail: dict[str, int] = {}
    co_rows = [0] * n
    rf_rows = [0] * n
    rf_of: dict[int, int] = {}
    ctx = Context(combo.evaluator, plan_all)

    # A step with one option is not checked: the next check (or the leaf's) covers it,
    # since the monotone checks only fail more as rf and co grow.
    def ok_now(forced: bool) -> bool:
        if not prune or forced:
            return True
        if pruning.monotone.first_failure(ctx, rf_rows, co_rows) is None:
            return True
        stats.pruned += 1
        return False

    def tick() -> None:
        ticks[0] += 1
        if limits is not None and not ticks[0] & 1023:
            if limits.deadline and time.monotonic() > limits.deadline:
                raise Incomplete(f"timed out after {limits.timeout:g} s")
            if limits.progress is not None and not ticks[0] & 8191:
                limits.progress(stats)

    def leaf(unchecked: bool) -> None:
        matches = combo.concrete(rf_of)
        if not matches:
            return
        stats.candidates += len(matches)
        if steps and prune and not unchecked:
            failed = pruning.leaf.first_failure(ctx, rf_rows, co_rows)
            pruning.note(failed)
        else:
            failed = plan_all.first_failure(ctx, rf_rows, co_rows)
        if failed is not None:
            stats.pruned += 1
            return
        orders = [order[loc] for loc in combo.locs]
        for chosen in matches:
            stats.consistent += 1
            lf = Leaf(combo, [list(o) for o in orders], dict(rf_of), chosen)
            state = final_state(test, lf, observed)
            if eval_prop(target, dict(state)):
                raise Found(lf, tuple((loc, v) for loc, v in state
                                      if loc in set(observed_locations(test))))

    def dfs(k: int, unchecked: bool) -> None:
        tick()
        if k == len(steps):
            leaf(unchecked)
            return
        kind, e, loc = steps[k]
        stats.nodes += 1
        if kind == "L":
            seq_ = order[loc]
            forced = len(lasts[loc]) == 1
            for w in lasts[loc]:
                bit = 1 << w
                seq_.append(w)
                tail[loc] = w
                for u in writes[loc]:
                    if u != w:
                        co_rows[u] |= bit
                if ok_now(forced):
                    dfs(k + 1, forced)
                for u in writes[loc]:
                    if u != w:
                        co_rows[u] &= ~bit
                del tail[loc]
                seq_.pop()
            return
        if kind == "W":
            seq_ = order[loc]
            if e in seq_:  # the last write chosen by an L step
                dfs(k + 1, unchecked)
                return
            thread = ev[e].thread
            lo, hi = 1, len(seq_)
            for pos, b in enumerate(seq_):
                if ev[b].thread == thread:
                    if b < e:
                        lo = max(lo, pos + 1)
                    elif pos < hi:
                        hi = pos
                if tail.get(loc) == b and pos < hi:
                    hi = pos
            bit = 1 << e
            keep = co_rows[e]
            places = [pos for pos in range(lo, hi + 1) if _order_ok(e, pos, seq_, before)]
            forced = len(places) == 1
            for pos in places:
                seq_.insert(pos, e)
                after = 0
                for b in seq_[pos + 1:]:
                    after |= 1 << b
                co_rows[e] = keep | after
                added = [b for b in seq_[:pos] if not co_rows[b] & bit]
                for b in added:
                    co_rows[b] |= bit
                if ok_now(forced):
                    dfs(k + 1, forced)
                for b in added:
                    co_rows[b] &= ~bit
                co_rows[e] = keep
                seq_.pop(pos)
            return
        forced = len(sources[e]) == 1
        for w in sources[e]:
            rf_rows[w] |= 1 << e
            rf_of[e] = w
            if ok_now(forced):
                dfs(k + 1, forced)
            rf_rows[w] &= ~(1 << e)
            del rf_of[e]

    dfs(0, False)


def _order_ok(e: int, pos: int, seq_: list[int], before: list[tuple[int, int]]) -> bool:
    """Whether placing ``e`` at ``pos`` keeps each pair of ``before`` in order."""
    for a, b in before:
        if e == a and b in seq_ and seq_.index(b) < pos:
            return False
        if e == b and a in seq_ and seq_.index(a) >= pos:
            return False
    return True


def _symmetric_pairs(test: Litmus, programs: Sequence[Program], traces: list[list[Trace]],
                     conjs: list[list[Literal]]) -> list[tuple[int, int]]:
    """Pairs of threads (i < j) that swapping maps the test onto itself."""
    out: list[tuple[int, int]] = []
    k = len(test.threads)
    if k < 2 or k != len(traces):
        return out
    code = [tuple(c.text.strip() for c in cells) for cells in test.threads]
    regs: list[dict[str, Value]] = [{} for _ in range(k)]
    for loc, v in test.init:
        if isinstance(loc, Reg) and 0 <= loc.thread < k:
            regs[loc.thread][loc.name] = v
    key = {_conj_key(c) for c in conjs}
    used: set[int] = set()
    for i in range(k):
        for j in range(i + 1, k):
            if i in used or j in used or code[i] != code[j] or regs[i] != regs[j]:
                continue
            if len(traces[i]) != len(traces[j]) or any(
                    _trace_key(a) != _trace_key(b)
                    for a, b in zip(traces[i], traces[j], strict=True)):
                continue
            swapped = {_conj_key([(_swap(a, i, j), pos) for a, pos in c]) for c in conjs}
            if swapped != key:
                continue
            out.append((i, j))
            used.update((i, j))
    return out


def _trace_key(tr: Trace) -> tuple[object, ...]:
    return (tuple((e.dir, e.loc, e.value, e.tags, e.instr, e.pc, e.addr, e.data, e.ctrl)
                  for e in tr.events), tr.rmw, tr.regs)


def _swap(a: Atom, i: int, j: int) -> Atom:
    loc = a.loc
    if isinstance(loc, Reg) and loc.thread in (i, j):
        return Atom(Reg(j if loc.thread == i else i, loc.name), a.value, a.span, a.key)
    return a
