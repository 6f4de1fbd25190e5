"""A model's named relations evaluated on a finished execution, and how they are shown."""

from __future__ import annotations

from mmcheck.events import event_sets, structural_rows
from mmcheck.execution import Execution
from mmcheck.models.dsl import (
    Base,
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
from mmcheck.relation import Relation

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
        for name in ("loc", "int", "ext", "sca"):
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
