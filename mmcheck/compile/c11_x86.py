"""C11 ``<stdatomic.h>`` on x86-64 (the Cambridge "C/C++11 mappings to processors" table,
MAPPINGS.md section 3, [C2], [C6]).

- every load is ``MOV``; relaxed and release stores are ``MOV``;
- a seq_cst store is ``MOV ; MFENCE`` (GCC; Clang emits ``XCHG``, which gives the same
  verdicts under x86-TSO, MAPPINGS.md section 6.12);
- ``atomic_thread_fence(memory_order_seq_cst)`` is ``MFENCE`` (GCC >= 11 emits
  ``LOCK OR $0,(%rsp)``, the same fence for ordinary memory); the other fences are compiler
  barriers only;
- RMWs are locked instructions, whatever their order (``XCHG``, ``LOCK CMPXCHG``; a
  ``fetch_add`` whose result is unused is ``LOCK ADD``).  A used ``fetch_add`` is
  ``LOCK XADD``, which herd7's x86 dialects lack: reported unsupported.
"""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.compile.linux_x86 import locked_rmw
from mmcheck.compile.prims import Prim
from mmcheck.errors import Unsupported

if TYPE_CHECKING:
    from mmcheck.compile.codegen import Gen


def mapping(gen: Gen, p: Prim, order: str) -> list[str]:
    if p.kind == "load":
        if order in ("rel", "acq_rel"):
            raise Unsupported(f"a load cannot have order {order}")
        return ["mov{sz} {p},{d}"]
    if p.kind == "store":
        if order in ("con", "acq", "acq_rel"):
            raise Unsupported(f"a store cannot have order {order}")
        if order == "sc":
            return ["mov{sz} {vi},{p}", "mfence"]
        return ["mov{sz} {vi},{p}"]
    if p.kind == "fence":
        return ["mfence"] if order == "sc" else []
    if p.kind == "rmw":
        return locked_rmw(p)
    raise Unsupported(f"no x86 mapping for {p.name}")
