"""The primitives the compiler knows: what each one is, before any machine is chosen.

Three families, as MAPPINGS.md lists them:

- ``linux``: the kernel's primitives, with the names and argument orders of the kernel's
  ``tools/memory-model/linux-kernel.def``;
- ``qemu``: QEMU's ``qatomic_*`` (``include/qemu/atomic.h``) and its own barriers;
- ``c11``: ``<stdatomic.h>`` (``atomic_load_explicit(p, memory_order_acquire)``...).

Each primitive is a ``Prim``: its kind (load, store, fence, rmw), its ordering in its
family's words, the RMW's operation and what it returns, and the roles of its arguments:
``l`` an lvalue location (``READ_ONCE(*x)``), ``p`` a pointer to the location
(``smp_load_acquire(x)``), ``v`` a value, ``o`` a C11 memory order.  The mapping modules
turn a ``Prim`` into instructions.

C11's ``atomic_fetch_add(p, v)``... (the seq_cst forms without ``_explicit``) share their
names with the kernel's ``atomic_fetch_add(v, p)``: the names are the kernel's, as in
herd7's LKMM; C11 code writes the ``_explicit`` forms.

``smp_mb``, ``smp_rmb``, ``smp_wmb`` and ``barrier`` are spelled the same in the kernel
and in QEMU: in a thread that uses QEMU's primitives they take QEMU's meaning
(``QEMU_BARRIERS``), elsewhere the kernel's.
"""

from __future__ import annotations

from mmcheck.record import Record


class Prim(Record):
    __slots__ = ("name", "family", "kind", "order", "op", "ret", "args", "reason")

    name: str
    family: str  # linux, qemu, c11
    kind: str  # load, store, fence, rmw, unsupported
    order: str  # family's ordering: once, acquire, full, sc, rlx...; "" for C11 (argument)
    op: str  # rmw: xchg, cas, add, sub, and, or, xor, andnot; fence: its name
    ret: str  # rmw: none, old, new, eq0 (== 0), lt0 (< 0)
    args: str  # argument roles: l, p, v, o
    reason: str  # why a primitive has no instruction sequence (kind "unsupported")

    def __init__(self, name: str, family: str, kind: str, order: str = "", op: str = "",
                 ret: str = "", args: str = "", reason: str = "") -> None:
        self.name = name
        self.family = family
        self.kind = kind
        self.order = order
        self.op = op
        self.ret = ret
        self.args = args
        self.reason = reason


PRIMS: dict[str, Prim] = {}


def _add(p: Prim) -> None:
    PRIMS[p.name] = p


# -- the kernel ------------------------------------------------------------------------

for _name, _args, _order in (
    ("READ_ONCE", "l", "once"), ("rcu_dereference", "l", "once"),
    ("atomic_read", "p", "once"), ("smp_load_acquire", "p", "acquire"),
    ("atomic_read_acquire", "p", "acquire"),
):
    _add(Prim(_name, "linux", "load", _order, args=_args))
for _name, _args, _order in (
    ("WRITE_ONCE", "lv", "once"), ("atomic_set", "pv", "once"),
    ("smp_store_release", "pv", "release"), ("atomic_set_release", "pv", "release"),
    ("rcu_assign_pointer", "lv", "release"), ("smp_store_mb", "lv", "mb"),
):
    _add(Prim(_name, "linux", "store", _order, args=_args))
for _name in ("smp_mb", "smp_rmb", "smp_wmb", "smp_mb__before_atomic", "smp_mb__after_atomic",
              "smp_mb__after_spinlock", "smp_mb__after_unlock_lock", "barrier"):
    _add(Prim(_name, "linux", "fence", op=_name))

_SUFFIXES = (("", "full"), ("_relaxed", "relaxed"), ("_acquire", "acquire"),
             ("_release", "release"))
for _sfx, _order in _SUFFIXES:
    for _base in ("xchg", "atomic_xchg"):
        _add(Prim(_base + _sfx, "linux", "rmw", _order, "xchg", "old", "pv"))
    for _base in ("cmpxchg", "atomic_cmpxchg"):
        _add(Prim(_base + _sfx, "linux", "rmw", _order, "cas", "old", "pvv"))
    for _op in ("add", "sub"):
        _add(Prim(f"atomic_{_op}_return{_sfx}", "linux", "rmw", _order, _op, "new", "vp"))
    for _op, _real in (("inc", "add"), ("dec", "sub")):
        _add(Prim(f"atomic_{_op}_return{_sfx}", "linux", "rmw", _order, _real, "new", "p"))
        _add(Prim(f"atomic_fetch_{_op}{_sfx}", "linux", "rmw", _order, _real, "old", "p"))
    for _op in ("add", "sub", "and", "or", "xor", "andnot"):
        _add(Prim(f"atomic_fetch_{_op}{_sfx}", "linux", "rmw", _order, _op, "old", "vp"))
    _add(Prim(f"atomic_add_negative{_sfx}", "linux", "rmw", _order, "add", "lt0", "vp"))
for _op in ("add", "sub", "and", "or", "xor", "andnot"):
    _add(Prim(f"atomic_{_op}", "linux", "rmw", "relaxed", _op, "none", "vp"))
_add(Prim("atomic_inc", "linux", "rmw", "relaxed", "add", "none", "p"))
_add(Prim("atomic_dec", "linux", "rmw", "relaxed", "sub", "none", "p"))
_add(Prim("atomic_sub_and_test", "linux", "rmw", "full", "sub", "eq0", "vp"))
_add(Prim("atomic_dec_and_test", "linux", "rmw", "full", "sub", "eq0", "p"))
_add(Prim("atomic_inc_and_test", "linux", "rmw", "full", "add", "eq0", "p"))

_LOCKS = ("a lock has no single instruction sequence: spin_lock is a loop on a lock word "
          "(x86 queued spinlocks, arm64 LSE or LL/SC), which a litmus test cannot unroll "
          "faithfully; use --model lkmm or sc")
_RCU = ("RCU has no instruction sequence: rcu_read_lock is a preemption-count update and "
        "synchronize_rcu waits for a grace period in the scheduler; use --model lkmm or sc")
for _name in ("spin_lock", "spin_unlock", "spin_trylock", "spin_is_locked"):
    _add(Prim(_name, "linux", "unsupported", reason=_LOCKS))
for _name in ("rcu_read_lock", "rcu_read_unlock", "synchronize_rcu",
              "synchronize_rcu_expedited"):
    _add(Prim(_name, "linux", "unsupported", reason=_RCU))
for _name in ("srcu_read_lock", "srcu_read_unlock", "synchronize_srcu",
              "synchronize_srcu_expedited", "srcu_down_read", "srcu_up_read"):
    _add(Prim(_name, "linux", "unsupported", reason=_RCU.replace("RCU", "SRCU", 1)))
_add(Prim("atomic_add_unless", "linux", "unsupported",
          reason="atomic_add_unless compiles to a cmpxchg retry loop, which a litmus test "
          "cannot unroll faithfully; use --model lkmm or sc"))

# -- QEMU ------------------------------------------------------------------------------

for _name, _order in (("qatomic_read", "rlx"), ("qatomic_rcu_read", "rlx"),
                      ("qatomic_load_acquire", "acq"), ("qatomic_mb_read", "acq")):
    _add(Prim(_name, "qemu", "load", _order, args="p"))
for _name, _order in (("qatomic_set", "rlx"), ("qatomic_store_release", "rel"),
                      ("qatomic_rcu_set", "rel"), ("qatomic_set_mb", "set_mb"),
                      ("qatomic_mb_set", "set_mb")):
    _add(Prim(_name, "qemu", "store", _order, args="pv"))
_add(Prim("qatomic_xchg", "qemu", "rmw", "sc", "xchg", "old", "pv"))
_add(Prim("qatomic_cmpxchg", "qemu", "rmw", "sc", "cas", "old", "pvv"))
for _op in ("add", "sub", "and", "or", "xor"):
    _add(Prim(f"qatomic_fetch_{_op}", "qemu", "rmw", "sc", _op, "old", "pv"))
    _add(Prim(f"qatomic_{_op}_fetch", "qemu", "rmw", "sc", _op, "new", "pv"))
    _add(Prim(f"qatomic_{_op}", "qemu", "rmw", "sc", _op, "none", "pv"))
for _op, _real in (("inc", "add"), ("dec", "sub")):
    _add(Prim(f"qatomic_fetch_{_op}", "qemu", "rmw", "sc", _real, "old", "p"))
    _add(Prim(f"qatomic_{_op}_fetch", "qemu", "rmw", "sc", _real, "new", "p"))
    _add(Prim(f"qatomic_{_op}", "qemu", "rmw", "sc", _real, "none", "p"))
for _name in ("smp_mb__before_rmw", "smp_mb__after_rmw", "smp_read_barrier_depends"):
    _add(Prim(_name, "qemu", "fence", op=_name))

# The kernel's spellings, in a thread that uses QEMU's primitives.
QEMU_BARRIERS = {name: Prim(name, "qemu", "fence", op=name)
                 for name in ("smp_mb", "smp_rmb", "smp_wmb", "barrier")}

# -- C11 ---------------------------------------------------------------------------------

ORDERS = {"memory_order_relaxed": "rlx", "memory_order_consume": "con",
          "memory_order_acquire": "acq", "memory_order_release": "rel",
          "memory_order_acq_rel": "acq_rel", "memory_order_seq_cst": "sc"}

_add(Prim("atomic_load_explicit", "c11", "load", args="po"))
_add(Prim("atomic_store_explicit", "c11", "store", args="pvo"))
_add(Prim("atomic_exchange_explicit", "c11", "rmw", op="xchg", ret="old", args="pvo"))
_add(Prim("atomic_thread_fence", "c11", "fence", op="thread_fence", args="o"))
_add(Prim("atomic_load", "c11", "load", "sc", args="p"))
_add(Prim("atomic_store", "c11", "store", "sc", args="pv"))
_add(Prim("atomic_exchange", "c11", "rmw", "sc", "xchg", "old", "pv"))
for _op in ("add", "sub", "or", "xor", "and"):
    _add(Prim(f"atomic_fetch_{_op}_explicit", "c11", "rmw", op=_op, ret="old", args="pvo"))

# Under the LKMM, QEMU's primitives have these kernel equivalents (QEMU's
# docs/devel/atomics.rst compares them with the kernel's; MAPPINGS.md section 2).
QEMU_AS_KERNEL = {
    "qatomic_read": "READ_ONCE", "qatomic_set": "WRITE_ONCE",
    "qatomic_rcu_read": "rcu_dereference", "qatomic_rcu_set": "rcu_assign_pointer",
    "qatomic_load_acquire": "smp_load_acquire", "qatomic_store_release": "smp_store_release",
    "qatomic_mb_read": "smp_load_acquire", "qatomic_set_mb": "smp_store_mb",
    "qatomic_mb_set": "smp_store_mb", "qatomic_xchg": "xchg", "qatomic_cmpxchg": "cmpxchg",
    "smp_mb__before_rmw": "smp_mb__before_atomic", "smp_mb__after_rmw": "smp_mb__after_atomic",
}


def lookup(name: str, qemu_thread: bool) -> Prim | None:
    """The primitive called ``name`` in a thread (QEMU's barriers in a QEMU thread)."""
    if qemu_thread and name in QEMU_BARRIERS:
        return QEMU_BARRIERS[name]
    return PRIMS.get(name)
