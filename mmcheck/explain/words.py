"""Explanations in words: events named by letters, edges and checks described, whole
explanations rendered."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from mmcheck.events import FENCE, READ, WRITE, Event
from mmcheck.execution import Execution
from mmcheck.litmus.ast import show_condition
from mmcheck.models.dsl import (
    Model,
)

if TYPE_CHECKING:
    from mmcheck.explain import Explanation
from mmcheck.explain.cycles import Blame, Step
from mmcheck.explain.relations import show_expr

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
