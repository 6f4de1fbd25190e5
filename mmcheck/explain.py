"""Why an outcome is forbidden or allowed, as labelled cycles over one execution.

The model's expressions are evaluated again on a finished ``Execution`` (a plain
evaluator of its own, away from the search's hot path), and each edge of a cycle
is labelled with the finest *named* relation that contains it: ``ghb`` is split
into ``ppo``, ``rfe``, ``fr``...; ``ob`` into ``bob``, ``dob``, ``rfe``...  A
named relation whose body is not itself a union of named relations (``bob``,
``ppo``, ``fr``) is a leaf and labels the edge.  ``rf``, ``co`` and ``fr`` leaves
are refined to their external/internal parts (``rfe``, ``fri``...).

Nothing here prints; ``render_*`` functions return text.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from mmcheck.events import FENCE, READ, WRITE, Event, event_sets, structural_rows
from mmcheck.execution import Execution, Result
from mmcheck.litmus.ast import Litmus, show_condition
from mmcheck.models.dsl import (
    Base,
    Check,
    Diff,
    DifferentValues,
    Domain,
    Expr,
    FinalWrites,
    Ident,
    Inter,
    Inverse,
    Model,
    Named,
    Opt,
    Plus,
    Product,
    Range,
    Rec,
    SBase,
    SDiff,
    Seq,
    SetExpr,
    SInter,
    Star,
    SUnion,
    Union,
    Var,
    coe,
    coi,
    fre,
    fri,
    rfe,
    rfi,
)
from mmcheck.models.evaluate import Evaluator
from mmcheck.relation import Relation, bits

# -- evaluating a model on a finished execution ----------------------------------------


class ExecutionRelations(Evaluator):
    """Model expressions evaluated on one finished Execution (memoised per expression)."""

    def __init__(self, x: Execution) -> None:
        self.x = x
        n = len(x.events)
        evs = x.events
        base: dict[str, Relation] = {
            "po": Relation.from_pairs(n, x.po),
            "rmw": Relation.from_pairs(n, x.rmw),
            "addr": Relation.from_pairs(n, x.addr),
            "data": Relation.from_pairs(n, x.data),
            "ctrl": Relation.from_pairs(n, x.ctrl),
            "id": Relation.identity(n),
        }
        # The pick chains extend the dependency chains (MODELS.md).
        for dep, picks in (("addr", x.pick_addr), ("data", x.pick_data), ("ctrl", x.pick_ctrl)):
            base[f"pick-{dep}"] = base[dep] | Relation.from_pairs(n, picks)
        amo = [(r, w) for r, w in x.rmw if evs[r].instr == evs[w].instr]
        base["amo"] = Relation.from_pairs(n, amo)
        base["lxsx"] = base["rmw"] - base["amo"]
        for name in ("loc", "int", "ext"):
            base[name] = Relation(n, structural_rows(evs, name))

        def static(name: str) -> Relation:
            rel = base.get(name)
            if rel is None:
                raise ValueError(f"no relation {name!r} on an execution")
            return rel

        super().__init__(n, event_sets(evs), static)
        self.set_dynamic(Relation.from_pairs(n, x.rf), Relation.from_pairs(n, x.co))


# -- naming the parts of a relation -----------------------------------------------------

REFINED = {"rf": (rfe, rfi), "co": (coe, coi), "fr": (fre, fri)}


def show_set(s: SetExpr) -> str:
    if isinstance(s, SBase):
        return s.name
    if isinstance(s, SUnion):
        return "(" + " | ".join(show_set(a) for a in s.args) + ")"
    if isinstance(s, SInter):
        return f"({show_set(s.left)} & {show_set(s.right)})"
    if isinstance(s, SDiff):
        return f"({show_set(s.left)} \\ {show_set(s.right)})"
    if isinstance(s, Domain):
        return f"domain({show_expr(s.rel)})"
    if isinstance(s, Range):
        return f"range({show_expr(s.rel)})"
    if isinstance(s, FinalWrites):
        return f"FW({show_set(s.among)})"
    raise TypeError(s)  # pragma: no cover


def show_expr(e: Expr) -> str:
    """Relation-algebra text for an expression; named parts by their names."""
    if isinstance(e, (Base, Named)):
        return e.name
    if isinstance(e, Union):
        return "(" + " | ".join(show_expr(a) for a in e.args) + ")"
    if isinstance(e, Seq):
        return "(" + " ; ".join(show_expr(a) for a in e.args) + ")"
    if isinstance(e, Inter):
        return f"({show_expr(e.left)} & {show_expr(e.right)})"
    if isinstance(e, Diff):
        return f"({show_expr(e.left)} \\ {show_expr(e.right)})"
    if isinstance(e, Inverse):
        return f"{show_expr(e.arg)}^-1"
    if isinstance(e, Plus):
        return f"{show_expr(e.arg)}+"
    if isinstance(e, Star):
        return f"{show_expr(e.arg)}*"
    if isinstance(e, Opt):
        return f"{show_expr(e.arg)}?"
    if isinstance(e, Ident):
        return f"[{show_set(e.set)}]"
    if isinstance(e, Product):
        return f"{show_set(e.left)} * {show_set(e.right)}"
    if isinstance(e, (Rec, Var)):
        return e.name
    if isinstance(e, DifferentValues):
        return f"different-values({show_expr(e.rel)})"
    raise TypeError(e)  # pragma: no cover


def _flatten(e: Expr, top: bool) -> list[Expr]:
    """Parts whose union has the same transitive closure as ``e``."""
    if isinstance(e, Union):
        return [p for a in e.args for p in _flatten(a, False)]
    if isinstance(e, Plus):
        return _flatten(e.arg, False)
    if isinstance(e, Seq) and _restriction(e) is not None:
        # [S] ; (a | b) ; [T] is [S] ; a ; [T] | [S] ; b ; [T]: each part keeps the bounds.
        left, mid, right = e.args
        return [Seq((left, p, right)) for p in _flatten(mid, True)]
    if isinstance(e, Named) and top and isinstance(e.body, Seq) and \
            _restriction(e.body) is None:
        return [e]  # a sequence with a name of its own (the LKMM's pb, rb): one part
    if isinstance(e, Named) and (top or _composite(e)):
        return _flatten(e.body, False)
    return [e]


def _restriction(e: Seq) -> Expr | None:
    """The middle of ``[S] ; r ; [T]``, else None."""
    if len(e.args) == 3 and isinstance(e.args[0], Ident) and isinstance(e.args[2], Ident) \
            and not isinstance(e.args[1], Ident):
        return e.args[1]
    return None


def _part_name(e: Expr) -> Expr:
    """The relation a part is named by: ``[S] ; r ; [T]`` and ``r & s``, ``r \\ s`` by
    ``r`` (the finest named relation that orders the edge)."""
    while True:
        if isinstance(e, Seq) and _restriction(e) is not None:
            e = e.args[1]
        elif isinstance(e, (Inter, Diff)) and isinstance(e.left, (Named, Base, Seq, Inter, Diff)):
            e = e.left
        else:
            return e


def _composite(e: Named) -> bool:
    """A named union of named relations (``ghb``, ``ob``, ``com``): split it."""
    if not isinstance(e.body, (Union, Plus)):
        return False
    return all(isinstance(p, (Named, Base)) for p in _flatten(e.body, False))


def leaf_parts(e: Expr) -> list[Expr]:
    """The named leaves of a check's relation, in the model's order, without repeats."""
    seen: list[Expr] = []
    for p in _flatten(e, True):
        if not any(p is q for q in seen):
            seen.append(p)
    return seen


def named_relations(model: Model) -> dict[str, Expr]:
    """Every name an explanation may put on an edge, with its expression."""
    out: dict[str, Expr] = {}

    def walk(e: Expr | SetExpr) -> None:
        if isinstance(e, Named):
            out.setdefault(e.name, e)
            walk(e.body)
        elif isinstance(e, Base):
            out.setdefault(e.name, e)
        elif isinstance(e, (Union, Seq, SUnion)):
            for a in e.args:
                walk(a)
        elif isinstance(e, (Inter, Diff, Product, SInter, SDiff)):
            walk(e.left)
            walk(e.right)
        elif isinstance(e, (Inverse, Plus, Star, Opt)):
            walk(e.arg)
        elif isinstance(e, Ident):
            walk(e.set)
        elif isinstance(e, (Domain, Range)):
            walk(e.rel)

    for c in model.checks:
        walk(c.expr)
    for pair in REFINED.values():
        for r in pair:
            out.setdefault(r.name, r)
    return out


# -- cycles with labelled edges -----------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One edge of an explanation: ``src -rel-> dst``."""

    src: int
    rel: str
    dst: int


@dataclass(frozen=True)
class Blame:
    """Why one execution fails one check.

    For ``acyclic`` and ``irreflexive`` checks, ``steps`` is a cycle.  For ``empty``
    checks, ``steps`` and ``also`` are two paths between the same two events.
    """

    check: str
    kind: str
    relation: str  # the check's relation, as text (``ghb``, ``(po | com)``)
    steps: tuple[Step, ...]
    also: tuple[Step, ...] = ()


def _label(rels: ExecutionRelations, part: Expr, a: int, b: int) -> str:
    name = show_expr(_part_name(part))
    refined = REFINED.get(name)
    if refined is not None:
        for r in refined:
            if (a, b) in rels.value(r):
                return r.name
    return name


def _label_edge(rels: ExecutionRelations, parts: Sequence[Expr], a: int, b: int) -> str:
    for p in parts:
        if (a, b) in rels.value(p):
            return _label(rels, p, a, b)
    raise ValueError(f"edge {a}->{b} is in none of the parts")  # pragma: no cover


def _unfold(rels: ExecutionRelations, parts: Sequence[Expr], a: int, b: int) -> list[Step]:
    """One edge of a cycle: its label, or the steps of an unfolded sequence (pb...)."""
    for p in parts:
        named = _part_name(p)
        if isinstance(named, Named) and named.name in UNFOLDED and (a, b) in rels.value(p):
            return explain_path(rels, named, a, b)
    return [Step(a, _label_edge(rels, parts, a, b), b)]


def shortest_cycle(rows: Sequence[int]) -> list[int] | None:
    """A shortest cycle, started at its lowest event; None if acyclic.

    >>> shortest_cycle([0b10, 0b101, 0b0])
    [0, 1]
    """
    best: list[int] | None = None
    for start in range(len(rows)):
        path = _bfs(rows, start, start, start)
        if path is not None and (best is None or len(path) < len(best)):
            best = path
    return best


def _bfs(rows: Sequence[int], a: int, b: int, lowest: int = 0) -> list[int] | None:
    """A shortest path a -> ... -> b of at least one edge, through events >= lowest,
    as the list of events before b."""
    prev: dict[int, int] = {}
    queue: deque[int] = deque([a])
    seen = {a}
    while queue:
        u = queue.popleft()
        for v in bits(rows[u]):
            if v < lowest:
                continue
            if v == b:
                path = [u]
                while path[-1] != a:
                    path.append(prev[path[-1]])
                return list(reversed(path))
            if v not in seen:
                seen.add(v)
                prev[v] = u
                queue.append(v)
    return None


# Named sequences an explanation unfolds into their steps: the LKMM's orders built by
# composition (pb is prop, then a strong fence, then hb*; prop is an overwrite, then
# cumulative fences, then an rfe...).
UNFOLDED = frozenset({"pb", "rb", "prop", "cumul-fence", "rcu-fence", "rcu-link"})


def explain_path(rels: ExecutionRelations, e: Expr, a: int, b: int) -> list[Step]:
    """Labelled steps from ``a`` to ``b`` showing that ``(a, b)`` is in ``e``."""
    if isinstance(e, Named) and a == b and isinstance(e.body, (Star, Opt)):
        return []  # the reflexive part of r* or r?: no step
    if isinstance(e, Named) and e.name in UNFOLDED:
        unfolded = explain_path(rels, e.body, a, b)
        return unfolded if unfolded else [Step(a, e.name, b)]
    if isinstance(e, Base) or (isinstance(e, Named) and not _composite(e)):
        return [Step(a, _label(rels, e, a, b), b)]
    if isinstance(e, (Inter, Diff)) and isinstance(e.left, (Named, Base)):
        return explain_path(rels, e.left, a, b)  # ordered by the left-hand relation
    if isinstance(e, Named):
        return explain_path(rels, e.body, a, b)
    if isinstance(e, Union):
        for arg in e.args:
            if (a, b) in rels.value(arg):
                return explain_path(rels, arg, a, b)
        raise ValueError("pair not in union")  # pragma: no cover
    if isinstance(e, (Plus, Star, Opt)):
        if a == b and not isinstance(e, Plus):
            return []
        inner = rels.value(e.arg)
        if isinstance(e, Opt):
            return explain_path(rels, e.arg, a, b)
        nodes = _bfs(inner.rows, a, b)
        assert nodes is not None
        hops = list(zip(nodes, nodes[1:] + [b], strict=True))
        return [s for u, v in hops for s in explain_path(rels, e.arg, u, v)]
    if isinstance(e, Seq):
        reach = [1 << a]
        for arg in e.args:
            r = rels.value(arg)
            acc = 0
            for u in bits(reach[-1]):
                acc |= r.rows[u]
            reach.append(acc)
        steps: list[Step] = []
        cur = b
        for i in range(len(e.args) - 1, -1, -1):
            arg = e.args[i]
            r = rels.value(arg)
            cands = [u for u in bits(reach[i]) if (u, cur) in r]
            u = cur if cur in cands else cands[0]
            if not isinstance(arg, Ident):
                steps[:0] = explain_path(rels, arg, u, cur)
            cur = u
        return steps
    return [Step(a, show_expr(e), b)]


def blame(x: Execution, check: Check, rels: ExecutionRelations | None = None) -> Blame | None:
    """Why ``x`` fails ``check`` (None when it holds): a shortest labelled cycle."""
    r = rels or ExecutionRelations(x)
    rel = r.value(check.expr)
    text = show_expr(check.expr)
    if check.kind == "empty":
        if rel.is_empty():
            return None
        a, b = next(rel.pairs())
        e = check.expr
        if isinstance(e, Inter):
            return Blame(check.name, check.kind, text, tuple(explain_path(r, e.left, a, b)),
                         tuple(explain_path(r, e.right, a, b)))
        return Blame(check.name, check.kind, text, tuple(explain_path(r, e, a, b)))
    body: Expr = check.expr
    while isinstance(body, Named) and isinstance(body.body, (Named, Plus)):
        body = body.body
    cyclic = check.kind == "acyclic" or isinstance(body, Plus)
    if cyclic:
        parts = leaf_parts(body if isinstance(body, Plus) else check.expr)
        union = Relation.empty(r.n)
        for p in parts:
            union = union | r.value(p)
        cycle = shortest_cycle(union.rows)
        if cycle is None:
            return None
        edges = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        steps = tuple(s for a, b in edges for s in _unfold(r, parts, a, b))
        return Blame(check.name, check.kind, text, steps)
    point = rel.reflexive_point()
    if point is None:
        return None
    return Blame(check.name, check.kind, text, tuple(explain_path(r, check.expr, point, point)))


def first_failure(x: Execution, model: Model) -> Blame | None:
    """The first check of ``model`` that ``x`` fails, with its cycle."""
    rels = ExecutionRelations(x)
    for c in model.checks:
        if not rels.holds(c):
            return blame(x, c, rels)
    return None


# -- naming events -------------------------------------------------------------------------


def letter(i: int) -> str:
    """a, b, ..., z, aa, ab, ...

    >>> [letter(i) for i in (0, 25, 26, 27)]
    ['a', 'z', 'aa', 'ab']
    """
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def letters(x: Execution) -> dict[int, str]:
    """herd's event names: a, b, c... for the threads' events in order; init writes none."""
    out: dict[int, str] = {}
    for ev in x.events:
        if not ev.is_init:
            out[ev.id] = letter(len(out))
    return out


SHOWN_TAGS = ("A", "Q", "L", "X", "NoRet")
# The annotations of C tests' events (see mmcheck.semantics.c), shown as herd7 spells them.
C_TAGS = frozenset({
    "Once", "Acquire", "Release", "Noreturn", "Mb", "Rmb", "Wmb", "Barrier", "Rcu-lock",
    "Rcu-unlock", "Sync-rcu", "Before-atomic", "After-atomic", "After-spinlock",
    "After-unlock-lock", "After-srcu-read-unlock", "Srcu-lock", "Srcu-unlock", "Sync-srcu",
    "LKR", "LKW", "UL", "LF", "RL", "RU",
})


def event_text(ev: Event, name: str | None, compact: bool = False) -> str:
    """``a: W x=1`` (``a: Wx=1`` when compact); init writes ``init: W x=0``."""
    head = f"{name}: " if name else "init: "
    c_tags = sorted(t for t in ev.tags if t in C_TAGS)
    if c_tags:  # a C test's event, labelled the way the C reads: W[once] x=1, F[mb]
        sep = "" if compact else " "
        annot = f"[{','.join(t.lower() for t in c_tags)}]"
        if ev.dir == FENCE:
            return head + "F" + annot + (f"{sep}{ev.loc}" if ev.loc else "")
        star = "*" if "RMW" in ev.tags else ""
        return f"{head}{ev.dir}{star}{annot}{sep}{ev.loc}={ev.value}"
    if ev.dir == FENCE:
        kinds = sorted(t for t in ev.tags if t != "F")
        return head + "F" + (f" {','.join(kinds)}" if kinds else "")
    sep = "" if compact else " "
    tags = [t for t in SHOWN_TAGS if t in ev.tags]
    suffix = f" [{','.join(tags)}]" if tags and not ev.is_init else ""
    return f"{head}{ev.dir}{sep}{ev.loc}={ev.value}{suffix}"


def show_steps(x: Execution, steps: Sequence[Step], names: dict[int, str],
               close: bool = True) -> str:
    """``a: W x=1 -po-> b: R y=0 -fre-> a`` (a cycle names its start again, briefly)."""
    if not steps:
        return ""
    out = [event_text(x.events[steps[0].src], names.get(steps[0].src))]
    for i, s in enumerate(steps):
        last = i == len(steps) - 1
        if last and close and s.dst == steps[0].src:
            out.append(f"-{s.rel}-> {names.get(s.dst, 'init')}")
        else:
            out.append(f"-{s.rel}-> {event_text(x.events[s.dst], names.get(s.dst))}")
    return " ".join(out)


# -- explaining a test ----------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    """What ``mmcheck explain`` says about one test under one model."""

    result: Result
    model: Model
    reaching: tuple[Execution, ...] = ()  # witnesses (allowed) or rejected (forbidden)
    blames: tuple[tuple[Execution, Blame], ...] = ()  # one per failing check (forbidden)
    counts: tuple[tuple[str, int], ...] = ()  # check name -> rejected executions
    sc_blame: Blame | None = None  # allowed: the SC cycle of the witness, if any
    relaxed: tuple[Step, ...] = field(default=())  # its po edges the model leaves unordered


def explain_result(result: Result, model: Model) -> Explanation:
    """Build the explanation from a Result that kept witnesses and rejected candidates."""
    if result.verdict == "Allowed":
        wits = tuple(w for w in result.witnesses if w.satisfies)
        if not wits:
            return Explanation(result, model)
        from mmcheck.models.sc import SC

        sc_blame = None
        relaxed: list[Step] = []
        for w in wits:
            sc_blame = first_failure(w, SC)
            if sc_blame is not None:
                relaxed = relaxed_edges(w, sc_blame, model)
                wits = (w,) + tuple(v for v in wits if v is not w)
                break
        return Explanation(result, model, wits, sc_blame=sc_blame, relaxed=tuple(relaxed))
    rejected = tuple(x for x in result.rejected if x.satisfies)
    counts: dict[str, int] = {}
    blames: list[tuple[Execution, Blame]] = []
    by_name = {c.name: c for c in model.checks}
    for x in rejected:
        name = x.failed_check or "?"
        counts[name] = counts.get(name, 0) + 1
        if counts[name] == 1 and name in by_name:
            b = blame_named(x, model, name)
            if b is not None:
                blames.append((x, b))
    order = {c.name: i for i, c in enumerate(model.checks)}
    ordered = sorted(counts.items(), key=lambda kv: order.get(kv[0], 99))
    return Explanation(result, model, rejected, tuple(blames), tuple(ordered))


def blame_named(x: Execution, model: Model, name: str) -> Blame | None:
    rels = ExecutionRelations(x)
    for c in model.checks:
        if c.name == name and not rels.holds(c):
            return blame(x, c, rels)
    return None


def relaxed_edges(x: Execution, sc_cycle: Blame, model: Model) -> list[Step]:
    """The program-order edges of an SC cycle that no check of ``model`` orders."""
    rels = ExecutionRelations(x)
    ordering = [rels.value(c.expr).plus() for c in model.checks if c.kind != "empty"]
    return [s for s in sc_cycle.steps
            if s.rel == "po" and not any((s.src, s.dst) in o for o in ordering)]


CHECK_WORDS = {"acyclic": "acyclic", "irreflexive": "irreflexive", "empty": "empty"}


def _threads(x: Execution, names: dict[int, str]) -> Iterator[str]:
    by_thread: dict[int, list[Event]] = {}
    for ev in x.events:
        if not ev.is_init:
            by_thread.setdefault(ev.thread, []).append(ev)
    for t in sorted(by_thread):
        evs = ", ".join(event_text(e, names[e.id]) for e in by_thread[t])
        yield f"  P{t}: {evs}"


def describe_execution(x: Execution) -> list[str]:
    """Events per thread, which write each read saw, and the coherence order."""
    names = letters(x)
    lines = list(_threads(x, names))
    src = {r: w for w, r in x.rf}
    reads = [ev for ev in x.events if ev.dir == READ]
    if reads:
        lines.append("  reads from:")
        for ev in reads:
            w = src.get(ev.id)
            if w is None:
                what = "(no write)"
            elif x.events[w].is_init:
                what = "the initial value"
            else:
                what = event_text(x.events[w], names[w])
            lines.append(f"    {event_text(ev, names[ev.id])} <- {what}")
    lines.append("  coherence:")
    for loc, ws in coherence_orders(x):
        chain = " -> ".join(names.get(w, f"init {loc}={x.events[w].value}") for w in ws)
        lines.append(f"    {loc}: {chain}")
    return lines


def coherence_orders(x: Execution) -> list[tuple[str, list[int]]]:
    """Per location, its writes in coherence order (init first)."""
    before: dict[int, int] = {}
    for a, _ in x.co:
        before[a] = before.get(a, 0) + 1
    by_loc: dict[str, list[int]] = {}
    for ev in x.events:
        if ev.dir == WRITE and ev.loc is not None:
            by_loc.setdefault(ev.loc, []).append(ev.id)
    out = []
    for loc in sorted(by_loc):
        ws = sorted(by_loc[loc], key=lambda w: -before.get(w, 0))
        out.append((loc, ws))
    return out


def _check_text(model: Model, name: str) -> str:
    for c in model.checks:
        if c.name == name:
            return f"{CHECK_WORDS.get(c.kind, c.kind)} {show_expr(c.expr)}"
    return name


RELATION_WORDS = {
    "po": "program order",
    "po-loc": "program order, same location",
    "ppo": "preserved program order",
    "mfence": "an MFENCE between them",
    "implied": "a locked instruction between them",
    "bob": "barrier-ordered (fence, acquire or release)",
    "dob": "dependency-ordered",
    "aob": "atomic-ordered",
    "pob": "pick-ordered",
    "lws": "a later write to the same location",
    "rmw": "the two halves of one atomic",
    "addr": "address dependency",
    "data": "data dependency",
    "ctrl": "control dependency",
    # the LKMM
    "mb": "a full barrier between them",
    "rmb": "smp_rmb() between them",
    "wmb": "smp_wmb() between them",
    "gp": "a grace period between them",
    "po-rel": "a release after it",
    "acq-po": "an acquire before it",
    "po-unlock-lock-po": "an unlock then a lock between them",
    "rmw-sequence": "a chain of read-modify-writes",
    "hb": "happens before",
    "prop": "propagates before",
    "rcu-order": "a grace period ordered with a read-side critical section",
    "rcu-fence": "ordered by RCU",
    "to-r": "dependency to a read",
    "to-w": "ordered before a write",
}


def edge_words(x: Execution, s: Step, names: dict[int, str]) -> str:
    """A few words saying what one edge means."""
    a, b = x.events[s.src], x.events[s.dst]
    na, nb = names.get(s.src, f"init {a.loc}"), names.get(s.dst, f"init {b.loc}")
    if s.rel in ("rfe", "rfi", "rf"):
        return f"{nb} reads the value {na} wrote"
    if s.rel in ("fre", "fri", "fr"):
        return f"{na} reads {a.loc} before {nb} overwrites it"
    if s.rel in ("coe", "coi", "co"):
        return f"{nb} overwrites {na} in coherence order"
    words = RELATION_WORDS.get(s.rel, f"in {s.rel}")
    if a.thread == b.thread and a.thread >= 0 and s.rel not in ("po", "po-loc"):
        return f"P{a.thread}: {words}"
    if a.thread == b.thread and a.thread >= 0:
        return f"P{a.thread} {words}"
    return words


def render_blame(x: Execution, b: Blame) -> list[str]:
    names = letters(x)
    if b.kind == "empty":
        lines = [f"  {b.check}: {show_steps(x, b.steps, names, close=False)}"]
        if b.also:
            lines.append(f"  {' ' * len(b.check)}  and {show_steps(x, b.also, names, False)}")
        return lines
    lines = [f"  {b.check}: {show_steps(x, b.steps, names)}"]
    lines.append("  edge by edge:")
    width = max(len(event_text(x.events[s.src], names.get(s.src))) for s in b.steps)
    for s in b.steps:
        src = event_text(x.events[s.src], names.get(s.src)).ljust(width)
        arrow = f"-{s.rel}->"
        dst = event_text(x.events[s.dst], names.get(s.dst)).ljust(width)
        lines.append(f"    {src}  {arrow:<10} {dst}  {edge_words(x, s, names)}")
    return lines


def render_explanation(ex: Explanation) -> str:
    r = ex.result
    head = f"{r.name} under {r.model}: {show_condition(r.condition)}"
    if r.status != "ok":
        what = r.unsupported if r.unsupported is not None else r.incomplete
        return f"{head}\n{r.status}: {what}\n"
    lines: list[str] = []
    total = r.positive + r.negative
    if r.verdict == "Allowed":
        lines.append(f"{head}")
        lines.append(f"The outcome is allowed: {r.positive} of {total} executions reach it.")
        if not ex.reaching:
            return "\n".join(lines) + "\n"
        w = ex.reaching[0]
        lines.append("")
        lines.append("A witness execution:")
        lines.extend(describe_execution(w))
        lines.append("")
        if ex.sc_blame is None:
            lines.append("SC allows this execution too: no reordering is needed.")
        else:
            lines.append("SC forbids this execution; its cycle:")
            lines.extend(render_blame(w, ex.sc_blame))
            if ex.relaxed and r.model != "sc":
                names = letters(w)
                lines.append("")
                lines.append(f"{r.model} allows it because it does not order these "
                             "program-order edges:")
                for s in ex.relaxed:
                    ea, eb = w.events[s.src], w.events[s.dst]
                    lines.append(f"  {show_steps(w, [s], names, close=False)}"
                                 f"   ({ea.dir}->{eb.dir} reordered)")
            elif r.model != "sc":
                lines.append("")
                lines.append(f"{r.model} orders each edge of it on its own, yet allows "
                             "the cycle as a whole.")
        return "\n".join(lines) + "\n"
    lines.append(head)
    if not ex.reaching:
        lines.append("The outcome is forbidden: no candidate execution reaches it "
                     "(no combination of writes produces these values).")
        return "\n".join(lines) + "\n"
    n = len(ex.reaching)
    if len(ex.counts) == 1:
        name = ex.counts[0][0]
        lines.append(f"The outcome is forbidden: every candidate execution reaching it "
                     f"({n}) fails {name} ({_check_text(ex.model, name)}).")
    else:
        parts = ", ".join(f"{c} rejects {k}" for c, k in ex.counts)
        lines.append(f"The outcome is forbidden: of the {n} candidate executions reaching it, "
                     f"{parts}.")
    for x, b in ex.blames:
        lines.append("")
        lines.append(f"A candidate execution that fails {b.check} "
                     f"({_check_text(ex.model, b.check)}):")
        lines.extend(describe_execution(x))
        lines.append("")
        lines.append("The cycle:" if b.kind != "empty" else "The violation:")
        lines.extend(render_blame(x, b))
    return "\n".join(lines) + "\n"


def steps_in_named(x: Execution, steps: Iterable[Step], model: Model) -> bool:
    """True when every step's pair is in the relation its label names (a self-check)."""
    rels = ExecutionRelations(x)
    named = named_relations(model)
    for s in steps:
        e = named.get(s.rel)
        if e is None or (s.src, s.dst) not in rels.value(e):
            return False
    return True


WITNESSES = 8
REJECTED = 500


def analyse(test: Litmus, model: Model, timeout: float | None = None,
            rejected: bool | None = None) -> Explanation:
    """Check ``test`` and keep what an explanation needs.

    Witnesses are always kept; rejected candidates reaching the condition's outcome are
    searched for (a second, unpruned search) when the outcome is forbidden, or always when
    ``rejected`` is True.
    """
    from mmcheck.check import Options, check

    result = check(test, model, Options(timeout=timeout, witnesses=WITNESSES))
    want = rejected if rejected is not None else result.verdict == "Forbidden"
    if want and result.status == "ok":
        more = check(test, model, Options(timeout=timeout, rejected=REJECTED))
        if more.status == "ok":
            result = replace(result, rejected=more.rejected)
    return explain_result(result, model)
