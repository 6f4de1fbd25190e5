"""AArch64 semantics: instructions to events, tags and dependencies, as herd7 7.57 does.

One module per family: ``values`` (arithmetic, tables), ``base`` (operands, registers,
addresses), ``control`` (branches), ``memory`` (loads, stores, atomics), ``alu`` (data
processing), ``step`` (dispatch) and ``dialect`` (compiling a thread).

Tags: ``A`` (LDAR, LDAXR, acquire atomics), ``Q`` (LDAPR), ``L`` (STLR, STLXR, release
atomics), ``X`` (exclusives and atomics), ``NoRet`` (an atomic whose result goes to the
zero register); fences ``DMB.ISH``, ``DMB.ISHLD``, ``DSB.SY``, ``ISB``...

Dependencies follow ``aarch64deps.cat``: values carry the reads they flow from through
registers, through the read->write flow of an atomic and through memory (a load reading
its own thread's latest store to the location inherits that store's dependencies, which
the runner does).  A store-exclusive's status register carries none.  ``pick``
dependencies also flow through the condition of a conditional select and through the
comparison of a compare-and-swap.

herd counts a successful and a failed store-exclusive as separate executions, and runs
every CAS twice (its two intra-instruction dataflow variants): both are choices here,
so the counts match.
"""

from mmcheck.semantics.aarch64.dialect import AARCH64, AArch64Dialect, show_typed
from mmcheck.semantics.aarch64.step import Step

__all__ = ["AARCH64", "AArch64Dialect", "Step", "show_typed"]
