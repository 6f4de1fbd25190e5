"""Sequential consistency: every execution is an interleaving."""

from __future__ import annotations

from mmcheck.models.dsl import Check, Model, Union, coe, com, fre, po, rmw, seq

SC = Model(
    name="sc",
    title="Sequential consistency",
    checks=(
        Check("acyclic", Union((po, com)), "sc"),
        Check("empty", rmw & seq(fre, coe), "atomic"),
    ),
    arches=("X86", "X86_64", "AArch64", "C"),
)
