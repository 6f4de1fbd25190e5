"""The Linux kernel's primitives on arm64 (MAPPINGS.md section 1, sources [L1]-[L6]).

``--atomics lse`` (the default: FEAT_LSE hardware, where the kernel patches its atomics to
single instructions at boot) or ``--atomics llsc`` (Armv8.0, or a kernel built without
``CONFIG_ARM64_LSE_ATOMICS``):

- a fully ordered RMW is an ``...AL`` instruction with LSE (``SWPAL``, ``CASAL``,
  ``LDADDAL``) and ``LDXR ... STLXR ; DMB ISH`` with LL/SC ("release+dmb" for the one,
  "acquire+release" for the other, arch/arm64/include/asm/cmpxchg.h);
- ``_acquire``/``_release``/``_relaxed`` forms drop the ``L``/``A`` halves and the ``DMB``;
- void atomics (``atomic_add``...) are ``STADD``, ``STCLR``, ``STSET``, ``STEOR`` with LSE
  (no-return: their read is not ordered by ``DMB ISHLD``) and a barrier-free exclusive loop
  with LL/SC;
- the LL/SC ``cmpxchg`` compares with ``EOR`` + ``CBNZ`` and branches past the
  store-exclusive and the ``DMB`` on failure, so a failed full ``cmpxchg`` is an unordered
  exclusive load.

``READ_ONCE`` is ``LDR``; with the ``lto`` variant (``CONFIG_LTO=y`` on a CPU with
FEAT_LRCPC) it is ``LDAPR`` ([L2], [L21]).  ``smp_load_acquire`` is always ``LDAR``.
The LL/SC retry loop is compiled once, its store-exclusive assumed to succeed (the
compiled test's ``filter``); the ``PRFM`` prefetch hint is left out.
"""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.compile.prims import Prim
from mmcheck.errors import Unsupported

if TYPE_CHECKING:
    from mmcheck.compile.codegen import Gen

LOADS = {"once": "LDR", "acquire": "LDAR"}
STORES = {"once": ["STR {v},[{p}]"], "release": ["STLR {v},[{p}]"],
          "mb": ["STR {v},[{p}]", "DMB ISH"]}
FENCES = {
    "smp_mb": ["DMB ISH"], "smp_rmb": ["DMB ISHLD"], "smp_wmb": ["DMB ISHST"],
    "smp_mb__before_atomic": ["DMB ISH"], "smp_mb__after_atomic": ["DMB ISH"],
    "smp_mb__after_spinlock": ["DMB ISH"], "smp_mb__after_unlock_lock": [],
    "barrier": [],
}
# LSE suffix and LL/SC load/store-exclusive per ordering.
LSE_SUFFIX = {"full": "AL", "relaxed": "", "acquire": "A", "release": "L"}
LLSC = {"full": ("LDXR", "STLXR", ["DMB ISH"]), "relaxed": ("LDXR", "STXR", []),
        "acquire": ("LDAXR", "STXR", []), "release": ("LDXR", "STLXR", [])}
# op -> (LSE instruction, operand prefix instruction or None, ALU instruction for LL/SC)
OPS = {
    "add": ("LDADD", None, "ADD"), "sub": ("LDADD", "NEG", "SUB"),
    "or": ("LDSET", None, "ORR"), "xor": ("LDEOR", None, "EOR"),
    "and": ("LDCLR", "MVN", "AND"), "andnot": ("LDCLR", None, "BIC"),
}


def mapping(gen: Gen, p: Prim, order: str) -> list[str]:
    if p.kind == "load":
        ins = LOADS[order]
        if order == "once" and "lto" in gen.options.variants:
            ins = "LDAPR"
        return [f"{ins} {{d}},[{{p}}]"]
    if p.kind == "store":
        return list(STORES[order])
    if p.kind == "fence":
        return list(FENCES[p.op])
    if p.kind == "rmw":
        return rmw(p, order, gen.options.atomics == "lse")
    raise Unsupported(f"no arm64 mapping for {p.name}")


def rmw(p: Prim, order: str, lse: bool) -> list[str]:
    if p.op == "xchg":
        if lse:
            return [f"SWP{LSE_SUFFIX[order]} {{v}},{{d}},[{{p}}]"]
        ld, st, tail = LLSC[order]
        return [f"{ld} {{d}},[{{p}}]", f"{st} {{s}},{{v}},[{{p}}]", *tail]
    if p.op == "cas":
        if lse:
            return ["MOV {d},{o}", f"CAS{LSE_SUFFIX[order]} {{d}},{{n}},[{{p}}]"]
        ld, st, tail = LLSC[order]
        return [f"{ld} {{d}},[{{p}}]", "EOR {t},{d},{o}", "CBNZ {t},{L}",
                f"{st} {{s}},{{n}},[{{p}}]", *tail, "{L}:"]
    lse_ins, pre, alu = OPS[p.op]
    if p.ret == "none":
        if lse:
            st = "ST" + lse_ins[2:]
            if pre is not None:
                return [f"{pre} {{t}},{{v}}", f"{st} {{t}},[{{p}}]"]
            return [f"{st} {{v}},[{{p}}]"]
        return ["LDXR {t},[{p}]", f"{alu} {{t2}},{{t}},{{v}}", "STXR {s},{t2},[{p}]"]
    old = "{d}" if p.ret == "old" else "{t}"
    if lse:
        seq = [f"{lse_ins}{LSE_SUFFIX[order]} {{v}},{old},[{{p}}]"]
        if pre is not None:
            seq = [f"{pre} {{t3}},{{v}}", f"{lse_ins}{LSE_SUFFIX[order]} {{t3}},{old},[{{p}}]"]
        new = "{d}" if p.ret == "new" else "{t2}"
        if p.ret != "old":
            seq.append(f"{alu} {new},{old},{{v}}")
    else:
        ld, st, tail = LLSC[order]
        new = "{d}" if p.ret == "new" else "{t2}"
        seq = [f"{ld} {old},[{{p}}]", f"{alu} {new},{old},{{v}}", f"{st} {{s}},{new},[{{p}}]",
               *tail]
    if p.ret == "eq0":
        seq += ["CMP {t2},#0", "CSET {d},EQ"]
    elif p.ret == "lt0":
        seq += ["CMP {t2},#0", "CSET {d},LT"]
    return seq
