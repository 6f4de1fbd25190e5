"""Per-dialect rewriters: which stronger forms an instruction has, which fences exist,
and what each costs.

A rewriter answers two questions about a program-order pair ``a -> b`` that a model
leaves unordered: how can the instruction of ``a`` (``first``) or of ``b``
(``second``) be strengthened so that the pair is ordered, and which fence, inserted
right after ``a``, orders it.  Costs are small integers reflecting what the change costs
on real hardware (README: "mmcheck fix"); a repair costs the sum of its changes.
A new dialect adds a module with one ``Rewriter`` and a line in ``rewriter_for``.
"""

from __future__ import annotations

from typing import Protocol

from mmcheck.record import Record


class Variant(Record):
    """One stronger form: the new instruction text(s) and the cost.

    ``texts[0]`` replaces the instruction; any further texts are inserted right after
    it (an x86 store becoming ``MOV reg,v`` then ``XCHG [x],reg``)."""

    __slots__ = ("texts", "cost", "kind", "partial")

    texts: tuple[str, ...]
    cost: int
    kind: str  # what the change is, for people: "acquire", "release", "fence"...
    partial: bool  # orders the pair only with a change on its other end too

    def __init__(self, texts: tuple[str, ...], cost: int, kind: str,
                 partial: bool = False) -> None:
        self.partial = partial
        self.texts = texts
        self.cost = cost
        self.kind = kind


class Role(Record):
    """Where an instruction's event stands in an unordered pair ``a -> b``."""

    __slots__ = ("position", "dir", "other")

    position: str  # "first" (a) or "second" (b)
    dir: str  # this event's direction, "R" or "W"
    other: str  # the other event's direction

    def __init__(self, position: str, dir: str, other: str) -> None:
        self.position = position
        self.dir = dir
        self.other = other


class Rewriter(Protocol):
    def strengthen(self, text: str, role: Role, used: set[str]) -> list[Variant]:
        """Stronger forms of the instruction ``text`` that help order the pair.
        ``used`` holds the registers its thread names (for a fresh one)."""
        ...

    def fences(self, first: str, second: str) -> list[Variant]:
        """Fences that, inserted after an event of direction ``first``, order it before
        a later event of direction ``second``."""
        ...

    def registers(self, text: str) -> set[str]:
        """The registers an instruction names (canonical names)."""
        ...


def rewriter_for(arch: str) -> Rewriter | None:
    if arch == "AArch64":
        from mmcheck.repair.aarch64 import AARCH64

        return AARCH64
    if arch in ("X86", "X86_64"):
        from mmcheck.repair.x86 import ATT, INTEL

        return INTEL if arch == "X86" else ATT
    if arch == "C":
        from mmcheck.repair.c import C

        return C
    return None
