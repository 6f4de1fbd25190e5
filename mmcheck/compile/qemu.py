"""QEMU's ``qatomic_*`` (include/qemu/atomic.h) on x86-64 and AArch64 (MAPPINGS.md
section 2, sources [Q1]-[Q3]).

QEMU's header is written on the C11 builtins (``#error "Expecting C11 atomic ops"``), so
its accesses compile as C11 ones do (``mmcheck.compile.c11_x86``, ``c11_arm64``):
``qatomic_read``/``qatomic_set`` relaxed, ``qatomic_load_acquire`` acquire,
``qatomic_store_release`` and ``qatomic_rcu_set`` release, and every RMW
(``qatomic_xchg``, ``qatomic_cmpxchg``, ``qatomic_fetch_add``...) seq_cst, which on AArch64
LL/SC is ``LDAXR ... STLXR`` with no ``DMB``.  Only the barriers are QEMU's own:

| QEMU | x86-64 | AArch64 |
|---|---|---|
| ``smp_mb()`` | ``MFENCE`` | ``DMB ISH`` |
| ``smp_wmb()`` (a C11 release fence) | nothing | ``DMB ISH`` (not ``ISHST``) |
| ``smp_rmb()`` (a C11 acquire fence) | nothing | ``DMB ISHLD`` |
| ``smp_mb__before_rmw()``/``after_rmw()`` | nothing | ``DMB ISH`` |
| ``qatomic_set_mb(p, v)`` | ``XCHG`` | ``STLR ; DMB ISH`` |
| ``barrier()``, ``smp_read_barrier_depends()`` | nothing | nothing |
"""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.compile import c11_arm64, c11_x86
from mmcheck.compile.prims import Prim

if TYPE_CHECKING:
    from mmcheck.compile.codegen import Gen

FENCES = {
    "X86_64": {"smp_mb": ["mfence"], "smp_wmb": [], "smp_rmb": [],
               "smp_mb__before_rmw": [], "smp_mb__after_rmw": [], "barrier": [],
               "smp_read_barrier_depends": []},
    "AArch64": {"smp_mb": ["DMB ISH"], "smp_wmb": ["DMB ISH"], "smp_rmb": ["DMB ISHLD"],
                "smp_mb__before_rmw": ["DMB ISH"], "smp_mb__after_rmw": ["DMB ISH"],
                "barrier": [], "smp_read_barrier_depends": []},
}
SET_MB = {"X86_64": ["mov{sz} {v},{t}", "xchg{sz} {t},{p}"],
          "AArch64": ["STLR {v},[{p}]", "DMB ISH"]}


def mapping(gen: Gen, p: Prim, order: str) -> list[str]:
    if p.kind == "fence":
        return list(FENCES[gen.arch][p.op])
    if p.kind == "store" and order == "set_mb":
        return list(SET_MB[gen.arch])
    if gen.arch == "X86_64":
        return c11_x86.mapping(gen, p, order)
    return c11_arm64.mapping(gen, p, order)
