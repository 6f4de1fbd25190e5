"""AArch64 strengthenings: acquire and release forms, DMB fences.

Costs (cheapest first): LDAPR 1 (acquire-PC: a later access waits for the load only),
LDAR/STLR and the acquire or release form of an atomic 2, an atomic made both 3,
DMB ISHLD and DMB ISHST 4 (every earlier load, resp. store, against every later access,
resp. store), DMB ISH 8 (a full barrier: every earlier access against every later one).
"""

from __future__ import annotations

import re

from mmcheck.litmus.aarch64 import canon_reg
from mmcheck.repair.rewriters import Role, Variant

COST_LDAPR, COST_ACQ, COST_REL, COST_ACQ_REL = 1, 2, 2, 3
COST_DMB_ISHLD, COST_DMB_ISHST, COST_DMB_ISH = 4, 4, 8

_INSTR = re.compile(r"\s*([A-Za-z][A-Za-z0-9]*)(\s+)(.*?)\s*$")
# A plain base-register address: the only one the acquire/release loads and stores take.
_BASE = re.compile(r"\[\s*((?:X\d+|SP))\s*(?:,\s*#0+\s*)?\]$", re.IGNORECASE)
_ATOMIC_BASES = ("SWP", "LDADD", "LDEOR", "LDSET", "LDCLR", "LDSMAX", "LDSMIN", "LDUMAX",
                 "LDUMIN", "STADD", "STEOR", "STSET", "STCLR", "STSMAX", "STSMIN", "STUMAX",
                 "STUMIN", "CAS")


def _atomic(op: str) -> tuple[str, bool, bool, str] | None:
    """``LDADDAL`` -> ("LDADD", acquire, release, size suffix)."""
    for base in _ATOMIC_BASES:
        if not op.startswith(base) or op.startswith("CASP"):
            continue
        rest = op[len(base):]
        for suf, acq, rel in (("AL", True, True), ("A", True, False), ("L", False, True),
                              ("", False, False)):
            if rest.startswith(suf) and rest[len(suf):] in ("", "B", "H"):
                if base.startswith("ST") and acq:
                    continue
                return base, acq, rel, rest[len(suf):]
    return None


def _split(text: str) -> tuple[str, str, str] | None:
    m = _INSTR.match(text)
    if m is None:
        return None
    return m.group(1).upper(), m.group(2), m.group(3)


def _plain_address(args: str) -> str | None:
    """``W0,[X1]`` -> ``W0,[X1]``; ``W0,[X1,#0]`` -> ``W0,[X1]``; None for any other
    addressing (an offset, an index, write-back): the acquire/release forms lack it."""
    k = args.find("[")
    if k < 0:
        return None
    m = _BASE.match(args[k:].strip())
    if m is None:
        return None
    return f"{args[:k].rstrip()}[{m.group(1)}]"


class AArch64Rewriter:
    def registers(self, text: str) -> set[str]:
        return {r for w in re.findall(r"[A-Za-z]\w*", text) if (r := canon_reg(w))}

    def strengthen(self, text: str, role: Role, used: set[str]) -> list[Variant]:
        parts = _split(text)
        if parts is None:
            return []
        op, sep, args = parts
        acquire = role.dir == "R" and (role.position == "first" or role.other == "W")
        # After a release, only an RCsc acquire (not LDAPR) is ordered.
        strong_acquire = role.position == "second"
        release = role.dir == "W" and (role.position == "second" or role.other == "R")
        out: list[Variant] = []
        # A store before a load: a release then an acquire (RCsc), two changes.
        partial = role.other != role.dir and (role.dir == "W") == (role.position == "first")

        def form(mnemonic: str, operands: str, cost: int, kind: str) -> None:
            out.append(Variant((f"{mnemonic}{sep}{operands}",), cost, kind, partial))

        m = re.fullmatch(r"(LDR|LDAPR)([BH]?)", op)
        if m is not None and acquire:
            plain = _plain_address(args)
            if plain is not None:
                if m.group(1) == "LDR" and not strong_acquire:
                    form(f"LDAPR{m.group(2)}", plain, COST_LDAPR, "acquire-PC")
                form(f"LDAR{m.group(2)}", plain, COST_ACQ - (m.group(1) == "LDAPR"),
                     "acquire")
        m = re.fullmatch(r"STR([BH]?)", op)
        if m is not None and release:
            plain = _plain_address(args)
            if plain is not None:
                form(f"STLR{m.group(1)}", plain, COST_REL, "release")
        m = re.fullmatch(r"LDXR([BH]?)", op)
        if m is not None and acquire:
            form(f"LDAXR{m.group(1)}", args, COST_ACQ, "acquire")
        m = re.fullmatch(r"STXR([BH]?)", op)
        if m is not None and release:
            form(f"STLXR{m.group(1)}", args, COST_REL, "release")
        amo = _atomic(op)
        if amo is not None and (acquire or release):
            base, acq, rel, size = amo
            options = []
            if acquire and not acq and not base.startswith("ST"):
                options.append((True, rel))
                if not rel:
                    options.append((True, True))
            if release and not rel:
                options.append((acq, True))
                if not acq and not base.startswith("ST"):
                    options.append((True, True))
            strength = {(False, False): 0, (True, False): COST_ACQ, (False, True): COST_REL,
                        (True, True): COST_ACQ_REL}
            for a, r in dict.fromkeys(options):
                suffix = "AL" if a and r else "A" if a else "L"
                cost = max(1, strength[(a, r)] - strength[(acq, rel)])
                form(f"{base}{suffix}{size}", args, cost,
                     "acquire-release" if a and r else "acquire" if a else "release")
        return out

    def fences(self, first: str, second: str) -> list[Variant]:
        out: list[Variant] = []
        if first == "R":
            out.append(Variant(("DMB ISHLD",), COST_DMB_ISHLD, "fence"))
        elif second == "W":
            out.append(Variant(("DMB ISHST",), COST_DMB_ISHST, "fence"))
        out.append(Variant(("DMB ISH",), COST_DMB_ISH, "fence"))
        return out


AARCH64 = AArch64Rewriter()
