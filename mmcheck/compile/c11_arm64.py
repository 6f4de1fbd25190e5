"""C11 ``<stdatomic.h>`` on AArch64, per Arm's C/C++ Atomics ABI for AArch64 ([C1]) and
MAPPINGS.md section 3.

- loads: relaxed ``LDR``; consume and acquire ``LDAR`` (``LDAPR`` with the ``rcpc``
  variant, FEAT_LRCPC, as GCC >= 13.1 and LLVM >= 16 emit it); seq_cst always ``LDAR``;
- stores: relaxed ``STR``; release and seq_cst ``STLR``;
- fences: acquire ``DMB ISHLD``; release, acq_rel and seq_cst ``DMB ISH``;
- RMWs: with LSE one instruction, ``A`` when the order acquires and ``L`` when it
  releases (seq_cst = acq_rel: ``SWPAL``, ``LDADDAL``, ``CASAL``), and never with the zero
  register as destination, even when the result is unused (the ABI's rule); with LL/SC
  ``LD{A}XR ... ST{L}XR`` and **no** trailing ``DMB``: unlike the kernel's, a seq_cst RMW
  does not order a later relaxed load;
- compare-and-swap with LL/SC: ``LD{A}XR ; CMP ; B.NE fail ; ST{L}XR``.
"""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.compile.linux_arm64 import OPS
from mmcheck.compile.prims import Prim
from mmcheck.errors import Unsupported

if TYPE_CHECKING:
    from mmcheck.compile.codegen import Gen

LOADS = {"rlx": "LDR", "con": "LDAR", "acq": "LDAR", "sc": "LDAR"}
STORES = {"rlx": "STR", "rel": "STLR", "sc": "STLR"}
FENCES = {"rlx": [], "con": ["DMB ISHLD"], "acq": ["DMB ISHLD"], "rel": ["DMB ISH"],
          "acq_rel": ["DMB ISH"], "sc": ["DMB ISH"]}
ACQUIRES = {"con", "acq", "acq_rel", "sc"}
RELEASES = {"rel", "acq_rel", "sc"}


def suffix(order: str) -> str:
    return ("A" if order in ACQUIRES else "") + ("L" if order in RELEASES else "")


def exclusives(order: str) -> tuple[str, str]:
    return ("LDAXR" if order in ACQUIRES else "LDXR",
            "STLXR" if order in RELEASES else "STXR")


def mapping(gen: Gen, p: Prim, order: str) -> list[str]:
    if p.kind == "load":
        if order not in LOADS:
            raise Unsupported(f"a load cannot have order {order}")
        ins = LOADS[order]
        if order in ("con", "acq") and "rcpc" in gen.options.variants:
            ins = "LDAPR"
        return [f"{ins} {{d}},[{{p}}]"]
    if p.kind == "store":
        if order not in STORES:
            raise Unsupported(f"a store cannot have order {order}")
        return [f"{STORES[order]} {{v}},[{{p}}]"]
    if p.kind == "fence":
        return list(FENCES[order])
    if p.kind == "rmw":
        return rmw(p, order, gen.options.atomics == "lse")
    raise Unsupported(f"no AArch64 mapping for {p.name}")


def rmw(p: Prim, order: str, lse: bool) -> list[str]:
    ld, st = exclusives(order)
    if p.op == "xchg":
        if lse:
            return [f"SWP{suffix(order)} {{v}},{{d}},[{{p}}]"]
        return [f"{ld} {{d}},[{{p}}]", f"{st} {{s}},{{v}},[{{p}}]"]
    if p.op == "cas":
        if lse:
            return ["MOV {d},{o}", f"CAS{suffix(order)} {{d}},{{n}},[{{p}}]"]
        return [f"{ld} {{d}},[{{p}}]", "CMP {d},{o}", "B.NE {L}",
                f"{st} {{s}},{{n}},[{{p}}]", "{L}:"]
    lse_ins, pre, alu = OPS[p.op]
    old = "{d}" if p.ret == "old" else "{t}"
    new = "{d}" if p.ret == "new" else "{t2}"
    if lse:
        if pre is not None:
            seq = [f"{pre} {{t3}},{{v}}", f"{lse_ins}{suffix(order)} {{t3}},{old},[{{p}}]"]
        else:
            seq = [f"{lse_ins}{suffix(order)} {{v}},{old},[{{p}}]"]
        if p.ret == "new":
            seq.append(f"{alu} {new},{old},{{v}}")
        return seq
    return [f"{ld} {old},[{{p}}]", f"{alu} {new},{old},{{v}}", f"{st} {{s}},{new},[{{p}}]"]
