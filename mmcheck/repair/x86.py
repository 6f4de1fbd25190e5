"""x86 strengthenings: the only reordering x86-TSO allows is a store with a later load,
undone by an MFENCE between them or by making the store an XCHG (a locked instruction).

Costs: XCHG 6 (a locked store; compilers prefer it to MOV + MFENCE for a sequentially
consistent store), MFENCE 8 (drains the store buffer: the dearest).
"""

from __future__ import annotations

import re

from mmcheck.repair.rewriters import Role, Variant

COST_XCHG, COST_MFENCE = 6, 8

_FRESH32 = ("ECX", "EDX", "ESI", "EDI", "EBX", "EAX")


class IntelRewriter:
    """Intel syntax (``X86``): ``MOV [x],$1``."""

    def registers(self, text: str) -> set[str]:
        from mmcheck.semantics.x86 import INTEL

        return {r for w in re.findall(r"[A-Za-z]\w*", text) if (r := INTEL.canon_reg(w))}

    def strengthen(self, text: str, role: Role, used: set[str]) -> list[Variant]:
        if not (role.position == "first" and role.dir == "W" and role.other == "R"):
            return []
        m = re.fullmatch(r"\s*MOV(\s+)\[\s*([A-Za-z_]\w*)\s*\]\s*,\s*(\$?-?\w+)\s*",
                         text, re.IGNORECASE)
        if m is None:
            return []
        fresh = next((r for r in _FRESH32 if r not in used), None)
        if fresh is None:
            return []
        sep, loc, src = m.group(1), m.group(2), m.group(3)
        return [Variant((f"MOV{sep}{fresh},{src}", f"XCHG{sep}[{loc}],{fresh}"),
                        COST_XCHG, "locked store")]

    def fences(self, first: str, second: str) -> list[Variant]:
        return [Variant(("MFENCE",), COST_MFENCE, "fence")]


class AttRewriter(IntelRewriter):
    """AT&T syntax (``X86_64``): only the fence (``mfence``)."""

    def registers(self, text: str) -> set[str]:
        from mmcheck.semantics.x86 import ATT

        return {r for w in re.findall(r"%?[A-Za-z]\w*", text) if (r := ATT.canon_reg(w))}

    def strengthen(self, text: str, role: Role, used: set[str]) -> list[Variant]:
        return []

    def fences(self, first: str, second: str) -> list[Variant]:
        return [Variant(("mfence",), COST_MFENCE, "fence")]


INTEL = IntelRewriter()
ATT = AttRewriter()
