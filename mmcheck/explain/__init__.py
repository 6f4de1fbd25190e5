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

from collections.abc import Iterable
from dataclasses import dataclass, field

from mmcheck.execution import Execution, Result
from mmcheck.explain.cycles import (
    Blame,
    Step,
    blame,
    first_failure,
    model_ordering,
    relaxed_edges,
)
from mmcheck.explain.relations import ExecutionRelations, leaf_parts, named_relations
from mmcheck.explain.witness import (
    condition_events,
    instruction_sites,
    most_telling,
    sc_cycles,
    telling_cycles,
)
from mmcheck.explain.words import event_text, letters, render_explanation, show_steps
from mmcheck.litmus.ast import Litmus
from mmcheck.models.dsl import Model
from mmcheck.record import replace

__all__ = [
    "Blame",
    "ExecutionRelations",
    "Explanation",
    "Step",
    "analyse",
    "blame",
    "blame_named",
    "condition_events",
    "event_text",
    "explain_result",
    "first_failure",
    "instruction_sites",
    "leaf_parts",
    "letters",
    "model_ordering",
    "most_telling",
    "named_relations",
    "relaxed_edges",
    "render_explanation",
    "sc_cycles",
    "show_steps",
    "steps_in_named",
    "telling_cycles",
]

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


def explain_result(result: Result, model: Model, test: Litmus | None = None) -> Explanation:
    """Build the explanation from a Result that kept witnesses and rejected candidates.

    For an allowed outcome the witness shown is the most telling one (see
    ``most_telling``); ``test`` names the events its condition is about."""
    if result.verdict == "Allowed":
        wits = tuple(w for w in result.witnesses if w.satisfies)
        if not wits:
            return Explanation(result, model)
        best = most_telling(wits, model, test)
        if best is None:
            return Explanation(result, model, wits)
        w, sc_blame, relaxed = best
        wits = (w,) + tuple(v for v in wits if v is not w)
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



def steps_in_named(x: Execution, steps: Iterable[Step], model: Model) -> bool:
    """True when every step's pair is in the relation its label names (a self-check)."""
    rels = ExecutionRelations(x)
    named = named_relations(model)
    for s in steps:
        e = named.get(s.rel)
        if e is None or (s.src, s.dst) not in rels.value(e):
            return False
    return True


WITNESSES = 32
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
    return explain_result(result, model, test)
