"""ARMv8 (AArch64), the user-level part of the official axiomatic model.

Read beside the Arm ARM, section B2.3, and herd7's aarch64.cat.
"""

from __future__ import annotations

from mmcheck.models.dsl import (
    Base,
    Check,
    Diff,
    M,
    Model,
    Plus,
    R,
    Range,
    SUnion,
    Union,
    W,
    co,
    coe,
    fr,
    fre,
    ident,
    named,
    po,
    po_loc,
    restrict,
    rf,
    rfe,
    rfi,
    rmw,
    seq,
    tag,
)

A, Q, L, NoRet = tag("A"), tag("Q"), tag("L"), tag("NoRet")
ISB = tag("ISB")
amo = Base("amo")
addr, data, ctrl = Base("addr"), Base("data"), Base("ctrl")
pick_addr, pick_data, pick_ctrl = Base("pick-addr"), Base("pick-data"), Base("pick-ctrl")


def _tags(*names: str) -> SUnion:
    return SUnion(tuple(tag(n) for n in names))


dsb_full = _tags("DSB.SY", "DSB.ISH", "DSB.OSH")
dsb_ld = _tags("DSB.LD", "DSB.ISHLD", "DSB.OSHLD")
dsb_st = _tags("DSB.ST", "DSB.ISHST", "DSB.OSHST")
dmb_full = _tags("DMB.SY", "DMB.ISH", "DMB.OSH", "DSB.SY", "DSB.ISH", "DSB.OSH")
dmb_ld = _tags("DMB.LD", "DMB.ISHLD", "DMB.OSHLD", "DSB.LD", "DSB.ISHLD", "DSB.OSHLD")
dmb_st = _tags("DMB.ST", "DMB.ISHST", "DMB.OSHST", "DSB.ST", "DSB.ISHST", "DSB.OSHST")

ca = named("ca", fr | co)
lrs = named("lrs", restrict(W, Diff(po_loc, seq(po_loc, ident(W), po_loc)), R))
lws = named("lws", seq(po_loc, ident(W)))
# A single-copy-atomic pair (LDXP, STXP): herd7's sca-class, the other access of the pair
# (sm without the identity, which the rest of the model already covers).
sca = Base("sca")
obs = named("obs", Union((rfe, coe, fre, seq(Union((rfe, coe, fre)), sca))))
dob = named(
    "dob",
    Union((
        addr,
        data,
        seq(ctrl, ident(W)),
        seq(ctrl | seq(addr, po), ident(ISB), po, ident(R)),
        seq(addr, po, ident(W)),
        seq(addr | data, lrs),
    )),
)
aob = named("aob", rmw | seq(ident(Range(rmw)), lrs, ident(A | Q)))
bob = named(
    "bob",
    Union((
        seq(po, ident(dmb_full), po),
        seq(ident(R - NoRet), po, ident(dmb_ld), po),
        seq(ident(W), po, ident(dmb_st), po, ident(W)),
        # DSB-ob: a DSB.ST also orders writes before later reads (and a DSB.LD
        # is at least a DMB.LD).
        seq(ident(W), po, ident(dsb_st), po),
        seq(ident(Range(seq(ident(A), amo, ident(L)))), po),
        seq(ident(L), po, ident(A)),
        seq(ident(A | Q), po),
        seq(po, ident(L)),
    )),
)
pick_dep = pick_addr | pick_data
pob = named(
    "pob",
    Union((
        restrict(M, pick_dep | pick_ctrl, W),
        seq(ident(M), pick_ctrl, ident(ISB), po, ident(M)),
        seq(ident(M), pick_addr, ident(M), po, ident(ISB), po, ident(M)),
        seq(ident(M), pick_addr, ident(M), po, ident(W)),
    )),
)
lob = named("lob", Plus(Union((lws, seq(lws, sca), dob, aob, bob, pob))))
ob = named("ob", Plus(obs | lob))

# Litmus tests cannot tell shareability domains apart, so the model reads every ISH
# and OSH option as SY and flags any test that uses one (aarch64fences.cat).
domain_options = Diff(
    ident(dmb_full | dmb_ld | dmb_st),
    ident(_tags("DMB.SY", "DMB.LD", "DMB.ST", "DSB.SY", "DSB.LD", "DSB.ST")),
)

ARMV8 = Model(
    name="armv8",
    title="ARMv8 (AArch64)",
    checks=(
        Check("acyclic", Union((po_loc, ca, rf)), "internal"),
        Check("irreflexive", seq(rmw, rfi), "internal"),
        Check("irreflexive", ob, "external"),
        Check("empty", rmw & seq(fre, coe), "atomic"),
    ),
    arches=("AArch64",),
    flags=(Check("empty", domain_options, "Assuming-common-inner-shareable-domain"),),
    no_thin_air=True,  # data and (addr|data);rfi are in ob, rfe too; rfi alone: internal
)
