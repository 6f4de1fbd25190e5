"""The most telling witness of an allowed outcome: the one whose SC cycle shows best
which orderings the model relaxes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from mmcheck.events import READ, WRITE
from mmcheck.execution import Execution
from mmcheck.explain.cycles import (
    Blame,
    Step,
    _bfs,
    _label_edge,
    first_failure,
    model_ordering,
    relaxed_edges,
    shortest_cycle,
)
from mmcheck.explain.relations import ExecutionRelations, leaf_parts, show_expr
from mmcheck.litmus.ast import Litmus, Mem, Reg, Value, prop_atoms
from mmcheck.models.dsl import (
    Model,
)
from mmcheck.relation import Relation

# -- the most telling witness ----------------------------------------------------------------


def instruction_sites(test: Litmus) -> dict[tuple[int, int], tuple[str, int]]:
    """Per (thread, pc): the instruction's text and its line in the test's file."""
    from mmcheck.check import compile_programs

    out: dict[tuple[int, int], tuple[str, int]] = {}
    for prog in compile_programs(test):
        for pc, ins in enumerate(prog.instrs):
            out[(prog.thread, pc)] = (ins.text.strip(), ins.span.line)
    return out


_ADDRESS = re.compile(r"\[[^\]]*\]|\([^)]*\)")
_WORD = re.compile(r"%?[A-Za-z_][\w]*")


def condition_events(x: Execution, test: Litmus,
                     sites: dict[tuple[int, int], tuple[str, int]] | None = None) -> set[int]:
    """The events the condition names: for a register ``t:R``, the reads of thread t whose
    instruction names R outside its address; for a location, its writes of the value the
    condition names (or all its writes when none has it)."""
    from mmcheck.litmus.dialects import dialect_for

    dialect = dialect_for(test.arch)
    table = sites if sites is not None else instruction_sites(test)
    regs: set[tuple[int, str]] = set()
    mems: dict[str, set[Value]] = {}
    for atom in prop_atoms(test.condition.prop):
        if isinstance(atom.loc, Reg):
            regs.add((atom.loc.thread, atom.loc.name))
        elif isinstance(atom.loc, Mem):
            mems.setdefault(atom.loc.name, set()).add(atom.value)
    out: set[int] = set()
    for ev in x.events:
        if ev.is_init:
            continue
        if ev.dir == READ and dialect is not None:
            text = ev.span.text if ev.span is not None else \
                table.get((ev.thread, ev.pc), ("", 0))[0]
            names = {dialect.canon_reg(w.lstrip("%")) or dialect.canon_reg(w)
                     for w in _WORD.findall(_ADDRESS.sub(" ", text))}
            if any((ev.thread, name) in regs for name in names if name):
                out.add(ev.id)
        if ev.dir == WRITE and ev.loc in mems:
            out.add(ev.id)
    for loc, values in mems.items():
        named = [e.id for e in x.events if e.dir == WRITE and e.loc == loc and e.value in values]
        if named:
            out -= {e.id for e in x.events if e.dir == WRITE and e.loc == loc} - set(named)
    return out


def sc_cycles(x: Execution, focus: Iterable[int] = ()) -> list[Blame]:
    """SC cycles of ``x`` (``po | com``): the shortest one, and the shortest through each
    event of ``focus``, without repeats."""
    from mmcheck.models.sc import SC

    check = SC.checks[0]
    rels = ExecutionRelations(x)
    parts = leaf_parts(check.expr)
    union = Relation.empty(rels.n)
    for p in parts:
        union = union | rels.value(p)
    cycles: list[list[int]] = []
    first = shortest_cycle(union.rows)
    if first is not None:
        cycles.append(first)
    for e in sorted(set(focus)):
        path = _bfs(union.rows, e, e)
        if path is not None and all(set(path) != set(c) for c in cycles):
            cycles.append(path)
    text = show_expr(check.expr)
    out = []
    for cycle in cycles:
        edges = zip(cycle, cycle[1:] + cycle[:1], strict=True)
        steps = tuple(Step(a, _label_edge(rels, parts, a, b), b) for a, b in edges)
        out.append(Blame(check.name, check.kind, text, steps))
    return out


def telling_cycles(x: Execution, model: Model, focus: set[int],
                   ordering: list[Relation] | None = None
                   ) -> list[tuple[tuple[int, int, int], Blame, list[Step]]]:
    """The SC cycles of ``x`` with the program-order edges ``model`` leaves unordered,
    most telling first: through the most events of ``focus``, then with the fewest
    reordered edges, then the shortest."""
    out = []
    blames = sc_cycles(x, focus)
    if ordering is None:
        ordering = model_ordering(x, model) if blames else []
    for b in blames:
        relaxed = relaxed_edges(x, b, model, ordering)
        on = {s.src for s in b.steps}
        key = (-len(on & focus), len(relaxed), len(b.steps))
        out.append((key, b, relaxed))
    out.sort(key=lambda t: t[0])
    return out


def most_telling(wits: Sequence[Execution], model: Model, test: Litmus | None
                 ) -> tuple[Execution, Blame | None, list[Step]] | None:
    """The witness to show, its SC cycle and its reordered edges: among the witnesses with
    an SC cycle, the one whose best cycle (``telling_cycles``) comes first; a witness SC
    allows as well comes last (its blame, if any, is SC's atomicity check)."""
    from mmcheck.models.sc import SC

    sites = instruction_sites(test) if test is not None else None
    best: tuple[tuple[int, int, int], int] | None = None
    chosen: tuple[Execution, Blame | None, list[Step]] | None = None
    for i, w in enumerate(wits):
        focus = condition_events(w, test, sites) if test is not None else set()
        cycles = telling_cycles(w, model, focus)
        if not cycles:
            continue
        key, b, relaxed = cycles[0]
        if best is None or (key, i) < best:
            best = (key, i)
            chosen = (w, b, relaxed)
    if chosen is not None:
        return chosen
    for w in wits:
        atomic = first_failure(w, SC)
        if atomic is not None:
            return (w, atomic, relaxed_edges(w, atomic, model))
    return (wits[0], None, [])
