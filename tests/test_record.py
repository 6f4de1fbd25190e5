"""Record: value semantics from the fields, as a frozen dataclass would give them."""

from __future__ import annotations

from mmcheck.litmus.ast import Atom, Mem, Reg
from mmcheck.models.dsl import Base, Named
from mmcheck.record import Record


class Point(Record):
    __slots__ = ("x", "y", "note")
    _compare = ("x", "y")

    def __init__(self, x: int, y: int, note: str = "") -> None:
        self.x = x
        self.y = y
        self.note = note


def test_equality_hash_order_and_repr_follow_the_compared_fields() -> None:
    a, b = Point(1, 2, "a"), Point(1, 2, "b")
    assert a == b and hash(a) == hash(b)
    assert Point(1, 2) < Point(1, 3) <= Point(2, 0)
    assert repr(a) == "Point(x=1, y=2, note='a')"
    assert Point.__match_args__ == ("x", "y", "note")


def test_different_classes_are_never_equal() -> None:
    assert Reg(0, "X") != Mem("X")
    assert Base("po") != Named("po", Base("po"))


def test_project_records() -> None:
    assert sorted([Reg(1, "EAX"), Reg(0, "EBX"), Reg(0, "EAX")]) == [
        Reg(0, "EAX"), Reg(0, "EBX"), Reg(1, "EAX")]
    assert {Mem("x"): 1}[Mem("x")] == 1
    # A span is not part of an atom's identity.
    assert Atom(Mem("x"), 1) == Atom(Mem("x"), 1, None)
    assert Named("ppo", Base("po")) != Named("ppo", Base("rf"))  # a name and its body
