"""The Linux kernel's primitives on x86-64 (MAPPINGS.md sections 1 and 6, sources [L7]-[L10],
[L15]).

- ``READ_ONCE``/``WRITE_ONCE``, ``smp_load_acquire``/``smp_store_release``: a plain
  ``MOV`` (x86-TSO already gives acquire and release; the kernel adds a compiler barrier);
- ``smp_rmb``, ``smp_wmb``, ``smp_mb__before_atomic``/``__after_atomic``, ``barrier``:
  no instruction;
- ``smp_mb``: ``LOCK ADDL $0,-4(%rsp)``, a locked add to a stack slot no other thread
  touches, which is a full fence exactly as ``MFENCE`` is for ordinary memory: compiled
  as ``mfence``;
- ``smp_store_mb``: ``XCHG``;
- every RMW is a locked instruction whatever its ordering suffix: x86 defines only the
  fully ordered forms and ``_relaxed``/``_acquire``/``_release`` fall back to them
  (include/linux/atomic/atomic-arch-fallback.h), so ``xchg_relaxed`` is ``XCHG``, a full
  barrier;
- ``xchg`` ``XCHG``; ``cmpxchg`` ``LOCK CMPXCHG`` (herd7's X86_64 dialect writes its
  memory operand first, ``lock cmpxchgl (x),%ecx``); void ``atomic_add``/``sub``/``inc``/
  ``dec``/``xor`` ``LOCK ADD``/``INC``/``DEC``/``XOR``.

herd7's x86 dialects have no ``XADD``, and their ``LOCK`` prefix takes only ``ADD``,
``XOR``, ``INC``, ``DEC``, ``XCHG`` and ``CMPXCHG``: ``atomic_add_return``,
``atomic_fetch_*``, ``atomic_and``/``or``/``andnot`` and the ``*_and_test`` forms are
reported unsupported on x86 rather than compiled to something the kernel does not emit.
"""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.compile.prims import Prim
from mmcheck.errors import Unsupported

if TYPE_CHECKING:
    from mmcheck.compile.codegen import Gen

FENCES = {"smp_mb": ["mfence"], "smp_rmb": [], "smp_wmb": [], "smp_mb__before_atomic": [],
          "smp_mb__after_atomic": [], "smp_mb__after_spinlock": [],
          "smp_mb__after_unlock_lock": [], "barrier": []}
NO_XADD = ("LOCK XADD (or a LOCK CMPXCHG loop) has no form in herd7's x86 dialects")


def mapping(gen: Gen, p: Prim, order: str) -> list[str]:
    if p.kind == "load":
        return ["mov{sz} {p},{d}"]
    if p.kind == "store":
        if order == "mb":
            return ["mov{sz} {v},{t}", "xchg{sz} {t},{p}"]
        return ["mov{sz} {vi},{p}"]
    if p.kind == "fence":
        return list(FENCES[p.op])
    if p.kind == "rmw":
        return locked_rmw(p)
    raise Unsupported(f"no x86 mapping for {p.name}")


def locked_rmw(p: Prim) -> list[str]:
    """The locked instruction for an RMW, as the kernel and compilers emit it on x86."""
    if p.op == "xchg":
        return ["mov{sz} {v},{d}", "xchg{sz} {d},{p}"]
    if p.op == "cas":
        return ["mov{sz} {o},%{ax}", "lock cmpxchg{sz} {p},{n}", "mov{sz} %{ax},{d}"]
    if p.ret != "none":
        raise Unsupported(NO_XADD)
    if p.op == "add":
        return ["lock add{sz} {vi},{p}"]
    if p.op == "sub":
        return ["lock add{sz} ${nk},{p}"]
    if p.op == "xor":
        return ["lock xor{sz} {vi},{p}"]
    raise Unsupported(f"LOCK {p.op.upper()} has no form in herd7's x86 dialects")
