"""x86-TSO (Owens, Sarkar, Sewell), as herd7's x86tso.cat states it."""

from __future__ import annotations

from mmcheck.models.dsl import (
    Check,
    M,
    Model,
    Product,
    R,
    Union,
    W,
    co,
    coe,
    com,
    fr,
    fre,
    ident,
    named,
    po,
    po_loc,
    restrict,
    rfe,
    rmw,
    seq,
    tag,
)

A = tag("A")
MFENCE = tag("MFENCE")

ppo = named("ppo", (po & Product(W, W)) | (po & Product(R, M)))
mfence = named("mfence", restrict(M, seq(po, ident(MFENCE), po), M))
po_wr = po & Product(W, R)
implied = named("implied", seq(po_wr, ident(A)) | seq(ident(A), po_wr))
ghb = named("ghb", Union((ppo, mfence, implied, rfe, fr, co)))

X86TSO = Model(
    name="x86tso",
    title="x86-TSO",
    checks=(
        Check("acyclic", Union((po_loc, com)), "sc-per-location"),
        Check("empty", rmw & seq(fre, coe), "atomic"),
        Check("acyclic", ghb, "tso"),
    ),
    arches=("X86", "X86_64"),
    no_thin_air=True,  # ppo holds every R->W and R->R pair, ghb rfe; rfi alone: uniproc
)
