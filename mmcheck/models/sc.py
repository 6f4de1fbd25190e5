"""Sequential consistency: every execution is an interleaving."""

from __future__ import annotations

from mmcheck.models.dsl import Base, Check, Model, Union, coe, com, fre, po, rmw, seq

# The other access of a single-copy-atomic pair (LDXP, STXP): a communication with one
# half of the pair is one with the whole.
sca = Base("sca")

SC = Model(
    name="sc",
    title="Sequential consistency",
    checks=(
        Check("acyclic", Union((po, com)), "sc"),
        Check("empty", rmw & seq(fre, coe), "atomic"),
        # herd7's sc.cat orders communications through sm (the single-copy-atomic class):
        # the same order, with a pair's two accesses as one.
        Check("acyclic", Union((po, com, seq(com, sca))), "sc-pairs"),
    ),
    arches=("X86", "X86_64", "AArch64", "C"),
    no_thin_air=True,  # data is in po, rf in com
)
