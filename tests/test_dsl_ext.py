"""The DSL's recursive definitions, value comparisons and final writes, and which
terms the search may prune on (monotone in rf/co)."""

from __future__ import annotations

from mmcheck.models.dsl import (
    Base,
    Diff,
    DifferentValues,
    Domain,
    FinalWrites,
    Ident,
    Rec,
    Seq,
    Union,
    Var,
    W,
    co,
    free_vars,
    is_monotone,
    mentions_dynamic,
    rf,
)
from mmcheck.models.evaluate import Context, Evaluator, Plan
from mmcheck.relation import Relation

N = 5


def _evaluator(po: list[tuple[int, int]], sets: dict[str, int]) -> Evaluator:
    rels = {"po": Relation.from_pairs(N, po), "id": Relation.identity(N)}
    return Evaluator(N, sets, lambda name: rels[name])


def test_recursive_definition_is_the_least_fixpoint() -> None:
    # transitive closure of po as a least fixpoint: X = po | X ; X
    x = Var("X")
    rec = Rec("X", Union((Base("po"), Seq((x, x)))))
    ev = _evaluator([(0, 1), (1, 2), (2, 3)], {})
    got = set(ev.value(rec).pairs())
    assert got == {(a, b) for a in range(4) for b in range(4) if a < b}
    assert not mentions_dynamic(rec) and free_vars(rec) == frozenset()
    assert free_vars(rec.body) == {"X"} and mentions_dynamic(rec.body)


def test_recursive_definition_over_rf_in_a_plan() -> None:
    x = Var("X")
    rec = Rec("X", Union((rf, Seq((x, Base("po"), x)))))
    from mmcheck.models.dsl import Check

    plan = Plan([Check("empty", rec, "r")])
    ev = _evaluator([(1, 2)], {})
    ctx = Context(ev, plan)
    rf_rows = Relation.from_pairs(N, [(0, 1), (2, 3)]).rows
    ctx.rf, ctx.co, ctx.gen = rf_rows, (0,) * N, 1
    rows = plan.checks[0][1]
    assert rows(ctx) is False  # not empty
    ev.set_dynamic(Relation(N, rf_rows), Relation.empty(N))
    assert set(ev.value(rec).pairs()) == {(0, 1), (2, 3), (0, 3)}
    assert is_monotone(rec)


def test_non_monotone_terms_are_not_pruned_on() -> None:
    assert not is_monotone(Diff(Base("po"), rf))
    assert is_monotone(Diff(rf, Base("po")))
    assert not is_monotone(DifferentValues(rf))
    assert not is_monotone(Ident(FinalWrites(W)))
    # a static term is monotone whatever it contains
    assert is_monotone(Diff(Base("po"), Seq((Base("po"), Base("po")))))
    x = Var("X")
    assert is_monotone(Rec("X", Union((Base("po"), Diff(Base("po"), Seq((x, x)))))))


def test_different_values_and_final_writes() -> None:
    # events 0, 1 initial writes (x=0, y=0); 2: W x=1; 3: R x (reads 2); 4: W y=0
    sets = {"W": 0b10111, "R": 0b01000, "IW": 0b00011, "M": 0b11111}
    ev = _evaluator([(3, 4)], sets)
    ev.values = [0, 0, 1, None, 0]
    ev.set_dynamic(Relation.from_pairs(N, [(2, 3)]), Relation.from_pairs(N, [(0, 2), (1, 4)]))
    got = ev.value(DifferentValues(Union((Base("po"), rf))))
    assert set(got.pairs()) == {(3, 4)}  # the read holds 1 (from 2), the write 0; 2->3 equal
    assert ev.set_value(FinalWrites(W)) == 0b10100
    assert ev.set_value(Domain(co)) == 0b00011
