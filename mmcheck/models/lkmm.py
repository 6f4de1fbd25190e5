"""The Linux-kernel memory model (LKMM), for C litmus tests.

Read beside Alglave, Maranget, McKenney, Parri and Stern, "Frightening small
children and disconcerting grown-ups: concurrency in the Linux kernel" (ASPLOS
2018), and the kernel's tools/memory-model/Documentation/explanation.txt, as of
kernel v6.14.  The names of relations, checks and flags are the published ones:
checks ``coherence``, ``atomic``, ``happens-before``, ``propagation``, ``rcu``,
``plain-coherence`` and the lock rules; flags ``data-race``, ``mixed-accesses``,
``unmatched-rcu-lock`` and the others below.

Events carry the kernel's annotations as tags (``Once``, ``Acquire``, ``Release``,
``Noreturn``; fences ``Mb``, ``Rmb``, ``Wmb``, ``Barrier``, ``Rcu-lock``...; lock
events ``LKR``, ``LKW``, ``UL``, ``LF``, ``RL``, ``RU``).  Lock events are ordinary
reads and writes of the lock's location here: a lock read returns the unlocked
value and writes the locked one, an unlock writes the unlocked value, a failed
trylock or a true ``spin_is_locked`` reads the locked value.  The rf and co that
the search gives them are those the LKMM's lock rules derive (each unlock just
after its lock in coherence order, each lock reading its co-predecessor), so the
lock rules left to check are the static ones.
"""

from __future__ import annotations

from mmcheck.models.dsl import (
    IW,
    Base,
    Check,
    Diff,
    DifferentValues,
    Domain,
    Expr,
    F,
    FinalWrites,
    Ident,
    Inter,
    Inverse,
    M,
    Model,
    Opt,
    Product,
    R,
    Range,
    Rec,
    SetExpr,
    Star,
    SUnion,
    Union,
    Var,
    W,
    co,
    coe,
    com,
    ext,
    fencerel,
    fr,
    fre,
    int_,
    loc,
    named,
    po,
    po_loc,
    restrict,
    rf,
    rfe,
    rfi,
    seq,
    tag,
)

# -- event sets ------------------------------------------------------------------------


def _any(*names: str) -> SetExpr:
    return SUnion(tuple(tag(n) for n in names))


ALL = SUnion((M, F))  # every event


def _not(s: SetExpr) -> SetExpr:
    return ALL - s


Once, Noreturn = tag("Once"), tag("Noreturn")
Mb, Rmb, Wmb = tag("Mb"), tag("Rmb"), tag("Wmb")
Rcu_lock, Rcu_unlock, Sync_rcu = tag("Rcu-lock"), tag("Rcu-unlock"), tag("Sync-rcu")
Srcu_lock, Srcu_unlock, Sync_srcu = tag("Srcu-lock"), tag("Srcu-unlock"), tag("Sync-srcu")
Before_atomic, After_atomic = tag("Before-atomic"), tag("After-atomic")
After_spinlock, After_unlock_lock = tag("After-spinlock"), tag("After-unlock-lock")
After_srcu_read_unlock = tag("After-srcu-read-unlock")
LKR, LKW, UL, RU = tag("LKR"), tag("LKW"), tag("UL"), tag("RU")
LF = _any("LF", "RL")  # a true spin_is_locked() orders like a failed trylock

# Lock reads acquire and unlocks release.
Acquire = _any("Acquire", "LKR")
Release = _any("Release", "UL")

rmw_base = Base("rmw")
# The read and write of a lock are one read-modify-write: the lock read and the
# lock write immediately after it.
lk_rmw = named("lk-rmw", Diff(restrict(LKR, po_loc, LKW), seq(po, po)))
rmw = named("rmw", rmw_base | lk_rmw)
# Events of atomic read-modify-write operations (what smp_mb__{before,after}_atomic
# order with).
RMW = SUnion((tag("RMW"), Domain(rmw_base), Range(rmw_base)))

LOCKS = _any("LKR", "LKW", "UL", "LF", "RL", "RU")
ALL_LOCKS = SUnion((LOCKS, Srcu_lock, Srcu_unlock, Sync_srcu))
# Marked accesses: everything but plain C loads and stores.
Marked = SUnion((
    _not(M), IW, Once, Release, Acquire, Domain(rmw_base), Range(rmw_base), LOCKS,
    Srcu_lock, Srcu_unlock,
))
Plain = M - Marked
R4rmb = R - Noreturn  # the reads smp_rmb() orders


def opt(e: Expr) -> Expr:
    return Opt(e)


def star(e: Expr) -> Expr:
    return Star(e)


def ident(s: SetExpr) -> Expr:
    return Ident(s)


def inter(a: Expr, b: Expr) -> Expr:
    return Inter(a, b)


# -- read-side critical sections -----------------------------------------------------
# rcu-rscs pairs each rcu_read_lock() with its rcu_read_unlock(), innermost first:
# a lock and a later unlock with no unmatched lock or unlock between them.

_matched = Var("rcu-rscs")
_unmatched_locks = Rcu_lock - Domain(_matched)
_unmatched_unlocks = Rcu_unlock - Range(_matched)
_unmatched = _unmatched_locks | _unmatched_unlocks
_unmatched_po = restrict(_unmatched, po, _unmatched)
rcu_rscs = named(
    "rcu-rscs",
    Rec("rcu-rscs", _matched | Diff(
        restrict(_unmatched_locks, po, _unmatched_unlocks), seq(_unmatched_po, _unmatched_po)
    )),
)

# srcu_read_lock() returns a value that srcu_read_unlock() is given back: they match
# when that value flows from one to the other (through data and rf), on the same
# srcu_struct.
data_base = Base("data")
carry_srcu_data = star(seq(data_base, ident(_not(Srcu_unlock)), rf))
srcu_rscs = named(
    "srcu-rscs",
    inter(seq(ident(Srcu_lock), carry_srcu_data, data_base, ident(Srcu_unlock)), loc),
)

# -- dependencies, carried through plain accesses ------------------------------------------

carry_dep = named("carry-dep", star(seq(data_base, ident(_not(Srcu_unlock)), rfi)))
addr = named("addr", seq(carry_dep, Base("addr")))
data = named("data", seq(carry_dep, data_base))
ctrl = named("ctrl", seq(carry_dep, Base("ctrl")))

# -- basic relations: release, acquire, fences ---------------------------------------

acq_po = named("acq-po", restrict(Acquire, po, M))
po_rel = named("po-rel", restrict(M, po, Release))
po_unlock_lock_po = named(
    "po-unlock-lock-po", seq(po, ident(UL), po | rf, ident(LKR), po)
)
rmb = named("rmb", restrict(R4rmb, fencerel(Rmb), R4rmb))
wmb = named("wmb", restrict(W, fencerel(Wmb), W))
mb = named("mb", Union((
    restrict(M, fencerel(Mb), M),
    seq(ident(M), fencerel(Before_atomic), ident(RMW), opt(po), ident(M)),
    seq(ident(M), opt(po), ident(RMW), fencerel(After_atomic), ident(M)),
    seq(ident(M), opt(po), ident(LKW), fencerel(After_spinlock), ident(M)),
    seq(ident(M), po_unlock_lock_po, ident(After_unlock_lock), po, ident(M)),
    seq(ident(M), opt(po), ident(Srcu_unlock), fencerel(After_srcu_read_unlock), ident(M)),
)))
gp = named("gp", seq(po, ident(Sync_rcu | Sync_srcu), opt(po)))
strong_fence0 = named("strong-fence", mb | gp)
nonrw_fence = named("nonrw-fence", Union((strong_fence0, po_rel, acq_po)))
fence0 = named("fence", Union((nonrw_fence, wmb, rmb)))
# Compiler barriers: what keeps plain accesses in place (for mixed-accesses).
barrier = named("barrier", Union((
    fencerel(SUnion((
        tag("Barrier"), Rmb, Wmb, Mb, Sync_rcu, Sync_srcu, Before_atomic, After_atomic,
        Acquire, Release, Rcu_lock, Rcu_unlock, Srcu_lock, Srcu_unlock,
    ))),
    seq(po, ident(Release)),
    seq(ident(Acquire), po),
)))

# -- preserved program order ----------------------------------------------------------

dep = addr | data
rwdep = named("rwdep", seq(dep | ctrl, ident(W)))
overwrite = named("overwrite", co | fr)
to_w = named("to-w", Union((
    rwdep, inter(overwrite, int_), seq(addr, ident(Plain), wmb),
)))
to_r = named("to-r", seq(addr, ident(R)) | seq(dep, ident(Marked), rfi))
ppo = named("ppo", Union((to_r, to_w, inter(fence0, int_), inter(po_unlock_lock_po, int_))))

# -- propagation and happens-before -------------------------------------------------------


def a_cumul(r: Expr) -> Expr:
    """A-cumulativity: a write another CPU read before the fence is ordered too."""
    return seq(opt(seq(rfe, ident(Marked))), r)


rmw_sequence = named("rmw-sequence", star(seq(rf, rmw)))
cumul_fence = named(
    "cumul-fence",
    seq(ident(Marked), Union((a_cumul(strong_fence0 | po_rel), wmb, po_unlock_lock_po)),
        ident(Marked), rmw_sequence),
)
prop = named(
    "prop",
    seq(ident(Marked), opt(inter(overwrite, ext)), star(cumul_fence), ident(Marked),
        opt(rfe), ident(Marked)),
)
hb = named(
    "hb",
    restrict(Marked, Union((ppo, rfe, inter(Diff(prop, Base("id")), int_))), Marked),
)
pb = named("pb", seq(prop, strong_fence0, star(hb), ident(Marked)))

# -- RCU -------------------------------------------------------------------------------

rcu_gp = ident(Sync_rcu)
srcu_gp = ident(Sync_srcu)
rcu_rscsi = Inverse(rcu_rscs)
srcu_rscsi = Inverse(srcu_rscs)
# rcu-link is only ever taken from a grace period or a critical section's lock (the
# ends of rcu-gp, rcu-rscsi and rcu-order): it is computed from those events alone.
RCU_ENDS = SUnion((Sync_rcu, Sync_srcu, Rcu_lock, Srcu_lock))
rcu_link = named("rcu-link", seq(ident(RCU_ENDS), opt(po), star(hb), star(pb), prop, po))
_order = Var("rcu-order")
# A sequence of grace periods and read-side critical sections joined by rcu-link,
# with at least as many grace periods as critical sections, orders like a strong
# fence (SRCU pieces only on the same srcu_struct).
rcu_order = named("rcu-order", Rec("rcu-order", Union((
    rcu_gp,
    srcu_gp,
    seq(rcu_gp, rcu_link, rcu_rscsi),
    inter(seq(srcu_gp, rcu_link, srcu_rscsi), loc),
    seq(rcu_rscsi, rcu_link, rcu_gp),
    inter(seq(srcu_rscsi, rcu_link, srcu_gp), loc),
    seq(rcu_gp, rcu_link, _order, rcu_link, rcu_rscsi),
    inter(seq(srcu_gp, rcu_link, _order, rcu_link, srcu_rscsi), loc),
    seq(rcu_rscsi, rcu_link, _order, rcu_link, rcu_gp),
    inter(seq(srcu_rscsi, rcu_link, _order, rcu_link, srcu_gp), loc),
    seq(_order, rcu_link, _order),
))))
rcu_fence = named("rcu-fence", seq(po, rcu_order, opt(po)))
# From here on, fences include the ordering RCU gives.
fence = named("fence", fence0 | rcu_fence)
strong_fence = named("strong-fence", strong_fence0 | rcu_fence)
rb = named("rb", seq(prop, rcu_fence, star(hb), star(pb), ident(Marked)))

# -- plain accesses and data races ------------------------------------------------------

mixed_accesses = named("mixed-accesses", Union((
    seq(ident(Plain & W), Diff(po_loc, barrier), ident(Marked)),
    seq(ident(Marked), Diff(po_loc, barrier), ident(Plain & W)),
)))
xbstar = named("xbstar", star(Union((hb, pb, rb))))
vis = named(
    "vis",
    seq(star(cumul_fence), opt(rfe), ident(Marked),
        seq(strong_fence, ident(Marked), xbstar) | inter(xbstar, int_)),
)
w_pre_bounded = named("w-pre-bounded", seq(ident(Marked), opt(addr | fence)))
r_pre_bounded = named("r-pre-bounded", seq(ident(Marked), opt(Union((
    addr, nonrw_fence, seq(ident(R4rmb), fencerel(Rmb), ident(_not(Noreturn))),
)))))
w_post_bounded = named("w-post-bounded", seq(opt(fence), ident(Marked), rmw_sequence))
r_post_bounded = named("r-post-bounded", seq(opt(
    nonrw_fence | seq(ident(_not(Noreturn)), fencerel(Rmb), ident(R4rmb))
), ident(Marked)))
ww_vis = named("ww-vis", Union((
    fence, seq(strong_fence, xbstar, w_pre_bounded), seq(w_post_bounded, vis, w_pre_bounded),
)))
wr_vis = named("wr-vis", Union((
    fence, seq(strong_fence, xbstar, r_pre_bounded), seq(w_post_bounded, vis, r_pre_bounded),
)))
rw_xbstar = named("rw-xbstar", fence | seq(r_post_bounded, xbstar, w_pre_bounded))
# Conflicting accesses of different CPUs, at least one of them plain.
pre_race = named(
    "pre-race", inter(ext, Product(Plain, M) | Product(M - IW, Plain))
)
wr_incoh = inter(inter(pre_race, rf), Inverse(rw_xbstar))
rw_incoh = inter(inter(pre_race, fr), Inverse(wr_vis))
ww_incoh = inter(inter(pre_race, co), Inverse(ww_vis))
ww_nonrace = inter(
    inter(ww_vis, Product(Marked, W) | rw_xbstar), Product(W, Marked) | wr_vis
)
ww_race = Diff(inter(pre_race, co), ww_nonrace)
wr_race = Diff(Diff(inter(pre_race, seq(opt(co), rf)), wr_vis), Inverse(rw_xbstar))
rw_race = Diff(inter(pre_race, fr), rw_xbstar)

# -- lock rules (static: they depend on program order alone) --------------------------------

through_unlock = seq(po_loc, ident(UL), po_loc)
critical = named(
    "critical", Diff(restrict(LKW, po_loc, UL), seq(po_loc, ident(LKW | UL), po_loc))
)
UNMATCHED_LKW = LKW - Domain(critical)


def _nonempty_set(s: SetExpr) -> Expr:
    return Ident(s)


LKMM = Model(
    name="lkmm",
    title="Linux-kernel memory model",
    checks=(
        # An LKR always sees the lock free: nested spin_lock() calls deadlock, and
        # spin_is_locked() inside a critical section is true.
        Check("empty", Diff(restrict(LKW, po_loc, LKR), through_unlock), "lock-nest"),
        Check("empty", Diff(restrict(LKW, po_loc, RU), through_unlock), "nested-is-locked"),
        # At most one lock per location is never released.
        Check("empty", Diff(restrict(UNMATCHED_LKW, loc, UNMATCHED_LKW), Base("id")),
              "unmatched-locks"),
        Check("acyclic", po_loc | com, "coherence"),
        Check("empty", inter(rmw, seq(fre, coe)), "atomic"),
        Check("acyclic", hb, "happens-before"),
        Check("acyclic", pb, "propagation"),
        Check("irreflexive", rb, "rcu"),
        Check("empty", Union((wr_incoh, rw_incoh, ww_incoh)), "plain-coherence"),
    ),
    arches=("C",),
    # The ordering checks cost much more than coherence and rarely prune a partial
    # execution that coherence lets through: they run on complete candidates.
    prune_with=("lock-nest", "nested-is-locked", "unmatched-locks", "coherence", "atomic"),
    flags=(
        Check("empty", _nonempty_set(Rcu_lock - Domain(rcu_rscs)), "unmatched-rcu-lock"),
        Check("empty", _nonempty_set(Rcu_unlock - Range(rcu_rscs)), "unmatched-rcu-unlock"),
        Check("empty", _nonempty_set(Srcu_lock - Domain(srcu_rscs)), "unmatched-srcu-lock"),
        Check("empty", _nonempty_set(Srcu_unlock - Range(srcu_rscs)), "unmatched-srcu-unlock"),
        Check("empty", Diff(seq(srcu_rscsi, srcu_rscs), Base("id")), "multiple-srcu-matches"),
        # synchronize_srcu() sleeps: not inside an RCU read-side critical section.
        Check("empty", inter(rcu_rscs, seq(po, ident(Sync_srcu), po)), "invalid-sleep"),
        Check("empty", DifferentValues(srcu_rscs), "srcu-bad-value-match"),
        # Spinlocks and srcu_structs are accessed by their primitives only.
        Check("empty", restrict(M - IW - ALL_LOCKS, loc, ALL_LOCKS),
              "mixed-lock-accesses"),
        Check("empty", _nonempty_set(LKW - Range(lk_rmw)), "unpaired-LKW"),
        Check("empty", _nonempty_set(LKR - Domain(lk_rmw)), "unpaired-LKR"),
        Check("empty", restrict(FinalWrites(W - ALL_LOCKS), loc, ALL_LOCKS), "lock-final"),
        Check("empty", _nonempty_set(UL - Range(critical)), "unmatched-unlock"),
        Check("empty", mixed_accesses, "mixed-accesses"),
        Check("empty", Union((ww_race, wr_race, rw_race)), "data-race"),
    ),
)
