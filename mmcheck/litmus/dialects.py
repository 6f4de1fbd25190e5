"""The architectures mmcheck reads, each a parser and a semantics behind one interface."""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.litmus.ast import Cell, Litmus
from mmcheck.semantics.runner import Program

if TYPE_CHECKING:
    from typing import Protocol
else:  # the protocols here are for the type checker: plain classes at run time
    Protocol = object


class Dialect(Protocol):
    @property
    def arch(self) -> str: ...

    @property
    def default_model(self) -> str: ...

    @property
    def models(self) -> tuple[str, ...]:
        """The models that fit this architecture."""
        ...

    def canon_reg(self, name: str) -> str | None:
        """The canonical name of a register (as herd7 prints it), or None."""
        ...

    def compile(self, test: Litmus, thread: int, cells: tuple[Cell, ...]) -> Program:
        """Turn one thread's cells into a runnable program (raises UserError)."""
        ...


def dialect_for(arch: str) -> Dialect | None:
    if arch == "X86":
        from mmcheck.semantics.x86 import INTEL

        return INTEL
    if arch == "X86_64":
        from mmcheck.semantics.x86 import ATT

        return ATT
    if arch == "AArch64":
        from mmcheck.semantics.aarch64 import AARCH64

        return AARCH64
    if arch == "C":
        from mmcheck.semantics.c import C_DIALECT

        return C_DIALECT
    return None


ARCHES = ("X86", "X86_64", "AArch64", "C")
