"""The search for minimal repairs.

A node is a set of changes.  Its patched test is checked; while the condition's
outcome is still Allowed, the most telling witness (``explain.most_telling``) names the
program-order pairs that its SC cycles need and the model leaves unordered, and each
change that helps order one of them gives a child (the set plus that change).  Nodes
are taken cheapest first, so a repair is found before any dearer set that contains it.
A node whose outcome is Forbidden is a repair when removing any one of its changes makes
the outcome Allowed again (each such set is checked); otherwise the smaller set is
searched in its place.  Every repair is thus verified by a run of the checker on its
patched text, and minimal.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from mmcheck.check import Options, check, compiles_to
from mmcheck.errors import Unsupported, UserError
from mmcheck.events import FENCE, Event
from mmcheck.execution import Execution, Result
from mmcheck.explain import (
    Blame,
    Step,
    condition_events,
    instruction_sites,
    model_ordering,
    telling_cycles,
)
from mmcheck.litmus.ast import Litmus
from mmcheck.litmus.parse import parse_text
from mmcheck.models.dsl import Model
from mmcheck.record import Record
from mmcheck.relation import Relation
from mmcheck.repair.c import call_text
from mmcheck.repair.rewriters import Rewriter, Role, rewriter_for
from mmcheck.repair.table import Edit, apply, apply_code

WITNESSES = 4  # witnesses kept per check, to pick the most telling from
MAX_CHECKS = 400  # checks of patched tests per search, at most
MAX_REPAIRS = 10  # repairs listed by default (the cheapest)


class Change(Record):
    """One change to one thread: an instruction replaced, or one inserted after it."""

    __slots__ = ("thread", "line", "before", "after", "cost", "kind", "insert", "col")

    thread: int
    line: int  # the changed line in the original file (an insertion goes after it)
    before: str  # the instruction replaced ("" for an insertion)
    after: tuple[str, ...]  # the new instruction(s), in program order
    cost: int
    kind: str
    insert: bool
    col: int  # C: where ``before`` starts on its line (1-based); 0 in a thread table

    def __init__(self, thread: int, line: int, before: str, after: tuple[str, ...],
                 cost: int, kind: str, insert: bool, col: int = 0) -> None:
        self.col = col
        self.thread = thread
        self.line = line
        self.before = before
        self.after = after
        self.cost = cost
        self.kind = kind
        self.insert = insert

    def sort_key(self) -> tuple[int, int, int, bool, tuple[str, ...]]:
        return (self.thread, self.line, self.col, self.insert, self.after)

    def slots(self) -> set[tuple[int, int, bool]]:
        """What the change occupies: the instruction, the place right after it."""
        if self.insert:
            return {(self.thread, self.line, True)}
        out = {(self.thread, self.line, False)}
        if len(self.after) > 1:
            out.add((self.thread, self.line, True))
        return out

    def edits(self) -> list[Edit]:
        if self.insert:
            return [Edit(self.thread, self.line, t, True) for t in self.after]
        out = [Edit(self.thread, self.line, self.after[0], False, self.before, self.col)]
        out.extend(Edit(self.thread, self.line, t, True) for t in self.after[1:])
        return out

    def describe(self) -> str:
        if self.insert:
            return f"P{self.thread} after line {self.line}: insert {' ; '.join(self.after)}"
        return (f"P{self.thread} line {self.line}: {self.before} -> "
                f"{' ; '.join(self.after)}")

    def to_json(self) -> dict[str, object]:
        return {"thread": self.thread, "line": self.line, "before": self.before,
                "after": "\n".join(self.after)}


class Repair(Record):
    """A verified, minimal repair: its changes, cost, the patched text and its check."""

    __slots__ = ("changes", "cost", "text", "executions")

    changes: tuple[Change, ...]
    cost: int
    text: str
    executions: int  # executions of the patched test (none reaches the outcome)

    def __init__(self, changes: tuple[Change, ...], cost: int, text: str,
                 executions: int) -> None:
        self.changes = changes
        self.cost = cost
        self.text = text
        self.executions = executions

    def to_json(self) -> dict[str, object]:
        return {"cost": self.cost, "verified": True, "executions": self.executions,
                "changes": [c.to_json() for c in self.changes]}


class FixResult(Record):
    """What ``mmcheck fix`` found for one test under one model."""

    __slots__ = ("test", "result", "repairs", "complete", "checks", "note", "max_changes",
                 "unsupported")

    test: Litmus
    result: Result  # the test as it is
    repairs: tuple[Repair, ...]  # cheapest first
    complete: bool  # False when the search stopped at its limit of checks
    checks: int  # patched tests checked
    note: str | None  # why there is nothing to list, when known
    max_changes: int  # the limit searched under
    unsupported: str | None  # why the test could not be searched at all

    def __init__(self, test: Litmus, result: Result, repairs: tuple[Repair, ...] = (),
                 complete: bool = True, checks: int = 0, note: str | None = None,
                 max_changes: int = 0, unsupported: str | None = None) -> None:
        self.unsupported = unsupported
        self.test = test
        self.result = result
        self.repairs = repairs
        self.complete = complete
        self.checks = checks
        self.note = note
        self.max_changes = max_changes


Node = frozenset[Change]


def _cost(node: Iterable[Change]) -> int:
    return sum(c.cost for c in node)


def _order(node: Node) -> tuple[int, int, tuple[tuple[int, int, int, bool, tuple[str, ...]], ...]]:
    return (_cost(node), len(node), tuple(sorted(c.sort_key() for c in node)))


Telling = tuple[tuple[int, int, int], Blame, list[Step]]


def po_runs(blame: Blame) -> list[list[int]]:
    """The cycle's maximal runs of consecutive program-order steps, as event lists."""
    steps = list(blame.steps)
    if all(s.rel == "po" for s in steps):
        return [[s.src for s in steps]]
    k = next(i for i, s in enumerate(steps) if s.rel != "po")
    steps = steps[k + 1:] + steps[:k + 1]  # start after a step that is not po
    runs: list[list[int]] = []
    cur: list[int] = []
    for s in steps:
        if s.rel == "po":
            if not cur:
                cur = [s.src]
            cur.append(s.dst)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def patch(test: Litmus, changes: Iterable[Change]) -> tuple[str, list[tuple[int, bool]]]:
    """The text of ``test`` with ``changes`` made, and where each of its lines comes from
    (``table.apply``)."""
    edits = [e for c in sorted(changes, key=Change.sort_key) for e in c.edits()]
    if test.arch == "C":
        return apply_code(test.source, edits)
    return apply(test.source, len(test.threads), edits)


class Search:
    def __init__(self, test: Litmus, model: Model, rewriter: Rewriter, max_changes: int,
                 max_checks: int, timeout: float | None, max_repairs: int) -> None:
        self.max_repairs = max_repairs
        self.estimate: dict[int, int] = {}  # per thread, from the last candidates
        self.test = test
        self.model = model
        self.rw = rewriter
        self.max_changes = max_changes
        self.max_checks = max_checks
        self.timeout = timeout
        self.nthreads = len(test.threads)
        self.memo: dict[Node, tuple[str, Litmus, Result] | None] = {}
        self.used: dict[int, set[str]] = {}
        for t, cells in enumerate(test.threads):
            regs: set[str] = set()
            for cell in cells:
                regs |= rewriter.registers(cell.text)
            self.used[t] = regs

    def patch(self, node: Iterable[Change]) -> tuple[str, list[tuple[int, bool]]]:
        return patch(self.test, node)

    def evaluate(self, node: Node) -> tuple[str, Litmus, Result] | None:
        """The patched text, test and result of ``node``; None when the dialect does not
        read the patched test (a form it lacks): no candidate then."""
        if node in self.memo:
            return self.memo[node]
        text, _ = self.patch(node)
        try:
            patched = parse_text(text, self.test.path)
        except UserError:
            self.memo[node] = None
            return None
        result = check(patched, self.model, Options(timeout=self.timeout,
                                                    witnesses=WITNESSES))
        self.memo[node] = (text, patched, result)
        return self.memo[node]

    def candidates(self, node: Node, patched: Litmus, result: Result) -> list[Change]:
        """Changes that help order the unordered pairs of the most telling witness's most
        telling SC cycles."""
        wits = [w for w in result.witnesses if w.satisfies]
        if not wits:
            return []
        # the most telling witness, as explain.most_telling picks it
        sites = instruction_sites(patched)
        best: tuple[tuple[tuple[int, int, int], int], Execution, list[Telling],
                    list[Relation]] | None = None
        for i, x in enumerate(wits):
            order = model_ordering(x, self.model)
            found = telling_cycles(x, self.model, condition_events(x, patched, sites), order)
            if found and (best is None or (found[0][0], i) < best[0]):
                best = ((found[0][0], i), x, found, order)
        if best is None:
            return []
        _, w, cycles, ordering = best
        cover = cycles[0][0][0]
        pairs: dict[tuple[int, int], None] = {}
        ordered: dict[tuple[int, int], None] = {}
        for key, blame, _ in cycles:
            if key[0] != cover:
                continue
            for run in po_runs(blame):
                # every pair of a run of program-order steps: a store forwarded to a
                # load (each step ordered on its own) can leave the run's ends unordered
                for i in range(len(run)):
                    for j in range(i + 1, len(run)):
                        if not any((run[i], run[j]) in o for o in ordering):
                            pairs[(run[i], run[j])] = None
                        else:
                            ordered[(run[i], run[j])] = None
        if not pairs:
            # The model orders each pair, yet not strongly enough for the cycle as a
            # whole (a barrier that does not propagate writes): stronger orderings of
            # the same pairs.
            pairs = ordered
        _, origin = self.patch(node)
        taken = {s for c in node for s in c.slots()}
        out: dict[tuple[int, int, int, bool, tuple[str, ...]], Change] = {}

        def add(c: Change) -> None:
            if not (c.slots() & taken):
                out.setdefault(c.sort_key(), c)

        never = 1 << 30
        self.estimate = {}
        for src, dst in pairs:
            a, b = w.events[src], w.events[dst]
            if a.dir == FENCE or b.dir == FENCE:
                continue
            alone, half = never, [never, never]
            for k, (ev, position, other) in enumerate(((a, "first", b.dir),
                                                       (b, "second", a.dir))):
                text, line, col = self.site(ev, sites)
                orig, inserted = origin[line]
                if inserted or (ev.thread, orig, False) in taken:
                    half[k] = 0  # this end is changed already
                    continue
                role = Role(position, ev.dir, other)
                for v in self.rw.strengthen(text, role, self.used[ev.thread]):
                    add(Change(ev.thread, orig, text, v.texts, v.cost, v.kind, False, col))
                    if v.partial:
                        half[k] = min(half[k], v.cost)
                    else:
                        alone = min(alone, v.cost)
            text, line, _ = self.site(a, sites)
            orig, inserted = origin[line]
            if not inserted:
                for v in self.rw.fences(a.dir, b.dir):
                    add(Change(a.thread, orig, "", v.texts, v.cost, v.kind, True))
                    alone = min(alone, v.cost)
            least = min(alone, half[0] + half[1])
            if least < never:
                self.estimate[a.thread] = max(self.estimate.get(a.thread, 0), least)
        return list(out.values())

    @staticmethod
    def site(ev: Event, sites: dict[tuple[int, int], tuple[str, int]]
             ) -> tuple[str, int, int]:
        """The text of an event's instruction (a C primitive's call), its line, and for C
        its column."""
        if ev.span is not None:
            return call_text(ev.span.text, ev.span.col), ev.span.line, ev.span.col
        text, line = sites[(ev.thread, ev.pc)]
        return text, line, 0

    def run(self) -> FixResult:
        empty: Node = frozenset()
        first = self.evaluate(empty)
        if first is None:
            raise Unsupported("the test cannot be read back")
        base = first[2]
        if base.status != "ok" or base.verdict == "Forbidden":
            return FixResult(self.test, base)
        heap: list[tuple[tuple[int, int, tuple[object, ...]], int, Node]] = []
        seen: set[Node] = set()
        serial = 0

        def push(node: Node, estimate: int = 0) -> None:
            # Taken by the cost plus an estimate of what the rest costs at least (a
            # change on each other thread the witness still reorders), then the cost.
            nonlocal serial
            if node in seen or len(node) > self.max_changes:
                return
            seen.add(node)
            serial += 1
            g = _cost(node)
            heapq.heappush(heap, ((g + estimate, -g, _order(node)), serial, node))

        push(empty)
        repairs: list[Repair] = []
        found: list[Node] = []
        complete = True
        stopped = False
        while heap:
            if self.max_repairs and len(repairs) >= self.max_repairs:
                stopped = True
                break
            _, _, node = heapq.heappop(heap)
            if any(r <= node for r in found):
                continue
            if len(self.memo) >= self.max_checks and node not in self.memo:
                complete = False
                break
            hit = self.evaluate(node)
            if hit is None:
                continue
            text, patched, result = hit
            if result.status != "ok":
                continue
            if result.verdict == "Forbidden":
                smaller = self.redundant(node)
                if smaller is None:
                    found.append(node)
                    changes = tuple(sorted(node, key=Change.sort_key))
                    repairs.append(Repair(changes, _cost(node), text,
                                          result.positive + result.negative))
                else:
                    push(smaller)
                continue
            if len(node) >= self.max_changes:
                continue
            cands = self.candidates(node, patched, result)
            # what the rest costs at least: per thread, its dearest unordered pair's
            # cheapest ordering (one change, or a release and an acquire)
            need = self.estimate
            rest = sum(need.values())
            for c in cands:
                push(node | {c}, rest - min(c.cost, need.get(c.thread, 0)))
        repairs.sort(key=lambda r: (r.cost, len(r.changes),
                                    tuple(c.sort_key() for c in r.changes)))
        note = None
        if stopped:
            note = f"listing stopped at {self.max_repairs} (--max-repairs); there may be more"
        elif not repairs and complete and self.model.name != "sc":
            from mmcheck.models import get_model

            sc = get_model("sc")
            if sc is not None and check(self.test, sc, Options(timeout=self.timeout)
                                        ).verdict == "Allowed":
                note = "SC allows the outcome too, so no ordering can forbid it"
        elif not repairs and complete:
            note = "SC allows the outcome, so no ordering can forbid it"
        return FixResult(self.test, base, tuple(repairs), complete, len(self.memo), note,
                         self.max_changes)

    def redundant(self, node: Node) -> Node | None:
        """A set one change smaller that also forbids the outcome, if there is one."""
        for c in sorted(node, key=Change.sort_key):
            smaller = node - {c}
            hit = self.evaluate(smaller)
            if hit is not None and (hit[2].status != "ok" or hit[2].verdict == "Forbidden"):
                return smaller
        return None


def find_repairs(test: Litmus, model: Model, max_changes: int = 4,
                 max_checks: int = MAX_CHECKS, timeout: float | None = None,
                 max_repairs: int = MAX_REPAIRS) -> FixResult:
    """The minimal repairs of ``test`` under ``model``, cheapest first (see the module);
    at most ``max_repairs`` of them (0: all)."""
    if compiles_to(test, model.name):
        # The witness is an execution of the compiled program, whose events have no place
        # in the C source; the repairs would be of instructions the user did not write.
        base = check(test, model, Options(timeout=timeout))
        return FixResult(test, base, complete=False, unsupported=(
            f"a C test runs under {model.name} compiled, and repairs are searched in the"
            f" test's own text: fix it under lkmm or sc, or compile it (mmcheck compile)"
            f" and fix the result"))
    rw = rewriter_for(test.arch)
    if rw is None:
        base = check(test, model, Options(timeout=timeout))
        return FixResult(test, base, complete=False,
                         unsupported=f"no changes are known for {test.arch} tests")
    try:
        return Search(test, model, rw, max_changes, max_checks, timeout,
                      max_repairs).run()
    except Unsupported as exc:
        base = check(test, model, Options(timeout=timeout))
        return FixResult(test, base, complete=False, unsupported=exc.message)
