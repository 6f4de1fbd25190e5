"""C (Linux-kernel primitives) strengthenings, for the LKMM.

Costs follow what the primitives compile to on arm64 (docs/MAPPINGS): an acquire load
(``smp_load_acquire``: LDAR) or release store (``smp_store_release``: STLR) 2, a relaxed
RMW made ``_acquire`` or ``_release`` 2, made fully ordered 3; ``smp_rmb`` (DMB ISHLD)
and ``smp_wmb`` (DMB ISHST) 4; ``smp_mb`` (DMB ISH) 8.

QEMU's ``qatomic_read``/``qatomic_set`` become ``qatomic_load_acquire``/
``qatomic_store_release`` (LDAR/STLR on arm64, 2), and C11's relaxed
``atomic_load_explicit``/``atomic_store_explicit`` take ``memory_order_acquire``/
``memory_order_release`` (2).  The fences inserted are the kernel's ``smp_*`` barriers,
which QEMU's atomic.h also defines under those names.
"""

from __future__ import annotations

import re

from mmcheck.litmus.split import split_top_level
from mmcheck.repair.rewriters import Role, Variant

COST_ACQ, COST_REL, COST_FULL = 2, 2, 3
COST_RMB, COST_WMB, COST_MB = 4, 4, 8

_CALL = re.compile(r"\s*([A-Za-z_]\w*)\s*\((.*)\)\s*$", re.DOTALL)
# The RMWs that have _relaxed, _acquire and _release forms besides the fully ordered one.
_RMW = re.compile(r"(xchg|cmpxchg|atomic_xchg|atomic_cmpxchg|atomic_(?:fetch_)?"
                  r"(?:add|sub|inc|dec|and|or|xor|andnot)(?:_return)?)"
                  r"(_relaxed|_acquire|_release)?$")


def call_text(line: str, col: int) -> str:
    """The call starting at ``col`` (1-based) of ``line``: its name and balanced
    parentheses (the name alone when it is no call)."""
    start = col - 1
    m = re.compile(r"[A-Za-z_]\w*\s*").match(line, start)
    if m is None or m.end() >= len(line) or line[m.end()] != "(":
        return line[start:].strip()
    depth = 0
    for k in range(m.end(), len(line)):
        if line[k] == "(":
            depth += 1
        elif line[k] == ")":
            depth -= 1
            if depth == 0:
                return line[start:k + 1]
    return line[start:].strip()


def _pointer(lvalue: str) -> str:
    """``*x`` -> ``x``; any other lvalue -> ``&(lvalue)``."""
    s = lvalue.strip()
    return s[1:].strip() if s.startswith("*") else f"&({s})"


class CRewriter:
    def registers(self, text: str) -> set[str]:
        return set(re.findall(r"[A-Za-z_]\w*", text))

    def strengthen(self, text: str, role: Role, used: set[str]) -> list[Variant]:
        m = _CALL.match(text)
        if m is None:
            return []
        name, args = m.group(1), split_top_level(m.group(2))
        # The LKMM orders an acquire before what follows it and a release after what
        # precedes it, never a release before a later acquire: a store before a load is
        # ordered only by a full barrier (smp_mb, or a fully ordered RMW).
        acquire = role.dir == "R" and role.position == "first"
        release = role.dir == "W" and role.position == "second"
        full_only = role.position == "first" and role.dir == "W" and role.other == "R"
        out: list[Variant] = []
        if name == "READ_ONCE" and acquire and len(args) == 1:
            out.append(Variant((f"smp_load_acquire({_pointer(args[0])})",), COST_ACQ,
                               "acquire"))
        if name == "atomic_read" and acquire:
            out.append(Variant((f"atomic_read_acquire({m.group(2)})",), COST_ACQ, "acquire"))
        if name == "WRITE_ONCE" and release and len(args) == 2:
            out.append(Variant((f"smp_store_release({_pointer(args[0])}, {args[1]})",),
                               COST_REL, "release"))
        if name == "qatomic_read" and acquire and len(args) == 1:
            out.append(Variant((f"qatomic_load_acquire({args[0]})",), COST_ACQ, "acquire"))
        if name == "qatomic_set" and release and len(args) == 2:
            out.append(Variant((f"qatomic_store_release({args[0]}, {args[1]})",), COST_REL,
                               "release"))
        if name == "atomic_load_explicit" and acquire and len(args) == 2 and \
                args[1] in ("memory_order_relaxed", "memory_order_consume"):
            out.append(Variant((f"atomic_load_explicit({args[0]}, memory_order_acquire)",),
                               COST_ACQ, "acquire"))
        if name == "atomic_store_explicit" and release and len(args) == 3 and \
                args[2] == "memory_order_relaxed":
            out.append(Variant((f"atomic_store_explicit({args[0]}, {args[1]}, "
                                "memory_order_release)",), COST_REL, "release"))
        if name == "atomic_set" and release:
            out.append(Variant((f"atomic_set_release({m.group(2)})",), COST_REL, "release"))
        r = _RMW.fullmatch(name)
        if r is not None and (acquire or release or full_only):
            base, order = r.group(1), r.group(2) or ""
            have = {"": COST_FULL, "_relaxed": 0, "_acquire": COST_ACQ,
                    "_release": COST_REL}[order]
            options = [""] if full_only and order else []
            if acquire and order in ("_relaxed", "_release"):
                options += ["_acquire"] if order == "_relaxed" else []
                options += [""]
            if release and order in ("_relaxed", "_acquire"):
                options += ["_release"] if order == "_relaxed" else []
                options += [""]
            for suffix in dict.fromkeys(options):
                cost = {"": COST_FULL, "_acquire": COST_ACQ, "_release": COST_REL}[suffix]
                out.append(Variant((f"{base}{suffix}({m.group(2)})",), max(1, cost - have),
                                   "fully ordered" if not suffix else suffix[1:]))
        return out

    def fences(self, first: str, second: str) -> list[Variant]:
        out: list[Variant] = []
        if first == "R" and second == "R":
            out.append(Variant(("smp_rmb();",), COST_RMB, "fence"))
        if first == "W" and second == "W":
            out.append(Variant(("smp_wmb();",), COST_WMB, "fence"))
        out.append(Variant(("smp_mb();",), COST_MB, "fence"))
        return out


C = CRewriter()
