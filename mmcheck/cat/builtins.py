"""What a cat model finds before its first line: herd's built-in sets and relations,
as mmcheck computes them for one architecture.

herd7 defines many event classes for features outside mmcheck's scope (virtual memory,
memory tagging, instruction fetch, cache maintenance, exceptions).  No test mmcheck
accepts produces such events, so for those tests the classes are empty; they are
bound to the empty set here, and a model's parts about them fold away.  Register
events and instruction internals (``rf-reg``, ``iico_data``...) are not built by
mmcheck: they are :class:`RegLevel` values, which may only vanish (under an empty
factor) or define the dependencies mmcheck computes itself (``catdep`` models).
"""

from __future__ import annotations

from typing import Any

from mmcheck.cat.values import EMPTY, ID, UNIVERSE, Ev, RegLevel
from mmcheck.models import dsl as d

# Tags each architecture's semantics put on events (fence kinds, orderings).
_BARRIER_OPTS = ("SY", "ISH", "OSH", "LD", "ISHLD", "OSHLD", "ST", "ISHST", "OSHST",
                 "NSH", "NSHLD", "NSHST")
ARCH_TAGS: dict[str, frozenset[str]] = {
    "AArch64": frozenset({"A", "Q", "L", "X", "NoRet", "ISB"}
                         | {f"{k}.{o}" for k in ("DMB", "DSB") for o in _BARRIER_OPTS}),
    "X86": frozenset({"A", "X", "MFENCE", "LFENCE", "SFENCE"}),
    "X86_64": frozenset({"A", "X", "MFENCE", "LFENCE", "SFENCE"}),
    # C under the LKMM: the lock events and atomics' classes (the bell's enums add the
    # access and fence tags).
    "C": frozenset({"LKR", "LKW", "UL", "RU", "RL", "LF", "RMW", "Noreturn"}),
}

# herd7's event classes for features mmcheck's tests never have: empty sets.
EMPTY_CLASSES = frozenset({
    # virtual memory and faults
    "PTE", "PTEV", "PTEINV", "AF", "DB", "MMU", "FAULT", "Translation", "AccessFlag",
    "Permission", "TLBI", "TLBInXS", "PTEXS", "TLBIIS", "HU", "PA", "TTDV", "TTDINV",
    "PTENormal", "PTEDevice", "PTENon-shareable", "PTEInner-shareable",
    "PTEOuter-shareable", "PTEInner-non-cacheable", "PTEInner-write-through",
    "PTEInner-write-back", "PTEOuter-non-cacheable", "PTEOuter-write-through",
    "PTEOuter-write-back", "PTEDevice-GRE", "PTEDevice-nGRE", "PTEDevice-nGnRE",
    "PTEDevice-nGnRnE", "NExp", "SPEC", "SPURIOUS", "EXC-ENTRY", "EXC-RET", "ERET", "SVC",
    "UDF", "TagCheck", "T", "Instr", "Restricted-CMODX", "DC.CVAU", "DC.CIVAC", "IC",
    "IC.IALLU", "IC.IALLUIS", "IC.IVAU", "DC", "GIC", "Normal", "Device", "Mixed",
    "TTD", "Tag",
})

# Empty relations for the same reason.
EMPTY_RELATIONS = frozenset({"inv-domain", "tr-ib", "same-oa", "po-va-loc"})

# Register-level primitives.
REG_LEVEL = frozenset({"rf-reg", "iico_data", "iico_ctrl", "same-instance", "same-instr",
                       "Rreg", "Wreg", "DATA", "NDATA", "BCC", "PRED", "B", "depend",
                       "success", "equiv-spec", "same-static", "tst"})

# The dependency names a ``catdep`` model defines from register-level primitives,
# computed by mmcheck itself as herd's aarch64deps.cat defines them.
_PICK = d.Union((d.Base("pick-addr"), d.Base("pick-data"), d.Base("pick-ctrl")))
NATIVE_DEPS: dict[str, d.Expr] = {
    "addr": d.Base("addr"),
    "data": d.Base("data"),
    "ctrl": d.Base("ctrl"),
    "pick-addr-dep": d.Base("pick-addr"),
    "pick-data-dep": d.Base("pick-data"),
    "pick-ctrl-dep": d.Base("pick-ctrl"),
    # pick-dep, and pick-basic-dep where the model uses it (before lob ; [W]): every
    # dependency through a conditional select, the pick chains mmcheck records.
    "pick-dep": _PICK,
    "pick-basic-dep": _PICK,
}

_FW = d.SDiff(d.W, d.Domain(d.Base("co")))  # the co-last write of each location


def _rel(e: d.Expr) -> Ev:
    return Ev("rel", e)


def _set(e: d.SetExpr) -> Ev:
    return Ev("set", e)


def base_env(arch: str) -> dict[str, Any]:
    """Names bound before a model's first line, for tests of ``arch``."""
    env: dict[str, Any] = {}
    for name in ("R", "W", "M", "F", "IW"):
        env[name] = _set(d.SBase(name))
    env["FW"] = _set(_FW)
    env["Exp"] = _set(d.M)
    env["EXEC"] = _set(UNIVERSE)
    env["_"] = _set(UNIVERSE)
    env["AMO"] = _set(d.SUnion((d.Domain(d.Base("amo")), d.Range(d.Base("amo")))))
    for t in sorted(ARCH_TAGS.get(arch, frozenset())):
        env[t] = _set(d.SBase(t))
    for name in EMPTY_CLASSES:
        env.setdefault(name, EMPTY)
    for name in ("po", "rf", "co", "loc", "int", "ext", "rmw", "amo", "addr", "data",
                 "ctrl"):
        env[name] = _rel(d.Base(name))
    env["id"] = _rel(ID)
    for name in ("pick-addr-dep", "pick-data-dep", "pick-ctrl-dep"):
        env[name] = _rel(NATIVE_DEPS[name])
    # Single-copy atomicity classes: without mixed sizes, each access alone, except the
    # two accesses of a single-copy-atomic pair (LDXP, STXP: the native ``sca``).
    env["si"] = env["aligned"] = _rel(d.Ident(d.M))
    env["sm"] = _rel(d.Union((d.Ident(d.M), d.Base("sca"))))
    env["same-low-order-bits"] = env["same-tag-loc"] = _rel(d.Base("loc"))
    for name in EMPTY_RELATIONS:
        env[name] = EMPTY
    # Memory events of one instruction are ordered by rmw (in the models' aob/atomic
    # rules); other intra-instruction order relates register events, not modelled.
    env["iico_order"] = EMPTY
    for name in REG_LEVEL:
        env[name] = RegLevel(name)
    if arch == "C":
        _herd_c_view(env)
    return env


# herd7's C events: lock reads and lock writes are not among the reads and writes its
# own rf and co range over; the LKMM's lock.cat builds their rf and co itself.
LOCK_READS = d.SUnion(tuple(d.SBase(t) for t in ("LKR", "LF", "RL", "RU")))
LOCK_WRITES = d.SUnion((d.SBase("LKW"), d.SBase("UL")))
NATIVE_R = d.SDiff(d.R, LOCK_READS)
NATIVE_W = d.SDiff(d.W, LOCK_WRITES)
# The writes coherence orders range over when a model generates them: all but unlocks.
CO_WRITES = d.SDiff(d.W, d.SBase("UL"))


def native_co(arch: str) -> d.Expr:
    """What ``with co from generate_cos(...)`` binds co to for tests of ``arch``."""
    if arch == "C":
        return d.Seq((d.Ident(CO_WRITES), d.Base("co"), d.Ident(CO_WRITES)))
    return d.Base("co")


def _herd_c_view(env: dict[str, Any]) -> None:
    env["R"] = _set(NATIVE_R)
    env["W"] = _set(NATIVE_W)
    env["M"] = _set(d.SUnion((NATIVE_R, NATIVE_W)))
    env["rf"] = _rel(d.Seq((d.Base("rf"), d.Ident(NATIVE_R))))
    env["co"] = _rel(d.Seq((d.Ident(NATIVE_W), d.Base("co"), d.Ident(NATIVE_W))))
    env["FW"] = _set(d.FinalWrites(NATIVE_W))
