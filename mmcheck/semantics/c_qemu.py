"""QEMU's ``qatomic_*`` and C11's ``atomic_*_explicit`` under the LKMM (and SC).

Under the Linux-kernel memory model these primitives take their kernel equivalents, as
QEMU's ``docs/devel/atomics.rst`` compares them (MAPPINGS.md section 2): ``qatomic_read``
is ``READ_ONCE``, ``qatomic_load_acquire`` ``smp_load_acquire``, ``qatomic_store_release``
``smp_store_release``, ``qatomic_set_mb`` ``smp_store_mb``, and every QEMU RMW (seq_cst in
C11 terms: "all RMW operations enforce sequential consistency") the kernel's fully ordered
one (``qatomic_fetch_add(p, v)`` is ``atomic_fetch_add(v, p)``, a void ``qatomic_inc(p)``
``atomic_fetch_inc(p)``).  That is the LKMM's reading of QEMU's intent: on AArch64 LL/SC a
QEMU seq_cst RMW is weaker than the kernel's (no trailing ``DMB``), which ``--model armv8
--atomics llsc`` shows.

C11 accesses are given a kernel equivalent only where one is exact: relaxed, acquire
(consume) and release loads, stores, exchanges and fetch-ops, and the seq_cst fence
(``smp_mb``).  seq_cst accesses have none (C11's total order S is not the LKMM's): they are
reported unsupported under ``lkmm``; ``--model x86tso|armv8`` compiles them.
"""

from __future__ import annotations

from mmcheck.errors import Unsupported
from mmcheck.litmus.c_ast import Call, Deref, Expr, Var

_QEMU = {
    "qatomic_read": ("READ_ONCE", "*"), "qatomic_rcu_read": ("rcu_dereference", "*"),
    "qatomic_set": ("WRITE_ONCE", "*v"), "qatomic_rcu_set": ("rcu_assign_pointer", "*v"),
    "qatomic_load_acquire": ("smp_load_acquire", "p"),
    "qatomic_mb_read": ("smp_load_acquire", "p"),
    "qatomic_store_release": ("smp_store_release", "pv"),
    "qatomic_set_mb": ("smp_store_mb", "*v"), "qatomic_mb_set": ("smp_store_mb", "*v"),
    "qatomic_xchg": ("xchg", "pv"), "qatomic_cmpxchg": ("cmpxchg", "pvv"),
    "qatomic_fetch_inc": ("atomic_fetch_inc", "p"),
    "qatomic_fetch_dec": ("atomic_fetch_dec", "p"),
    "qatomic_inc_fetch": ("atomic_inc_return", "p"),
    "qatomic_dec_fetch": ("atomic_dec_return", "p"),
    "qatomic_inc": ("atomic_fetch_inc", "p"), "qatomic_dec": ("atomic_fetch_dec", "p"),
    "qatomic_add_fetch": ("atomic_add_return", "vp"),
    "qatomic_sub_fetch": ("atomic_sub_return", "vp"),
    "smp_mb__before_rmw": ("smp_mb__before_atomic", ""),
    "smp_mb__after_rmw": ("smp_mb__after_atomic", ""),
    "smp_read_barrier_depends": ("barrier", ""),
}
for _op in ("add", "sub", "and", "or", "xor"):
    _QEMU[f"qatomic_fetch_{_op}"] = (f"atomic_fetch_{_op}", "vp")
    _QEMU[f"qatomic_{_op}"] = (f"atomic_fetch_{_op}", "vp")

_SUFFIX = {"rlx": "_relaxed", "acq": "_acquire", "con": "_acquire", "rel": "_release"}
_ORDERS = {"memory_order_relaxed": "rlx", "memory_order_consume": "con",
           "memory_order_acquire": "acq", "memory_order_release": "rel",
           "memory_order_acq_rel": "acq_rel", "memory_order_seq_cst": "sc"}


def handles(name: str) -> bool:
    return name in _QEMU or name.startswith("atomic_") and (
        name.endswith("_explicit") or name in ("atomic_load", "atomic_store", "atomic_exchange",
                                              "atomic_thread_fence"))


def as_kernel(c: Call) -> Call:
    """The kernel primitive that gives ``c`` its LKMM meaning (raises Unsupported)."""
    if c.name in _QEMU:
        kname, shape = _QEMU[c.name]
        return Call(kname, _reorder(c, shape), c.span)
    return _c11(c)


def _reorder(c: Call, shape: str) -> tuple[Expr, ...]:
    """QEMU's (pointer, value...) arguments in the kernel primitive's order: ``*`` the
    lvalue ``*p``, ``p`` the pointer, ``v`` the values in order; ``vp`` value first."""
    if not shape:
        return ()
    p, rest = c.args[0], c.args[1:]
    if shape == "vp":
        return (*rest, p)
    first: Expr = Deref(p, p.span) if shape[0] == "*" else p
    return (first, *rest)


def _order(c: Call, e: Expr) -> str:
    if isinstance(e, Var) and e.name in _ORDERS:
        return _ORDERS[e.name]
    raise Unsupported(f"{c.name}: the memory order must be a memory_order_* constant", c.span)


def _c11(c: Call) -> Call:
    name, args = c.name, c.args
    if name in ("atomic_load", "atomic_store", "atomic_exchange"):
        order = "sc"
    elif name == "atomic_thread_fence":
        if _order(c, args[0]) == "sc":
            return Call("smp_mb", (), c.span)
        order = _order(c, args[0])
    else:
        order = _order(c, args[-1])
        args = args[:-1]
    base = name.removesuffix("_explicit")
    none = Unsupported(f"{name} with memory_order {order} has no exact kernel equivalent "
                       "under the LKMM; run it with --model x86tso or armv8", c.span)
    if base == "atomic_load":
        if order == "rlx":
            return Call("READ_ONCE", (Deref(args[0], args[0].span),), c.span)
        if order in ("acq", "con"):
            return Call("smp_load_acquire", (args[0],), c.span)
        raise none
    if base == "atomic_store":
        if order == "rlx":
            return Call("WRITE_ONCE", (Deref(args[0], args[0].span), args[1]), c.span)
        if order == "rel":
            return Call("smp_store_release", args, c.span)
        raise none
    if order not in _SUFFIX:
        raise none
    if base == "atomic_exchange":
        return Call("xchg" + _SUFFIX[order], args, c.span)
    if base.startswith("atomic_fetch_"):
        return Call(base + _SUFFIX[order], (args[1], args[0]), c.span)
    raise none
