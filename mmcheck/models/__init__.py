"""The memory models mmcheck knows, by name."""

from __future__ import annotations

from mmcheck.models.dsl import Model


def get_model(name: str) -> Model | None:
    if name == "sc":
        from mmcheck.models.sc import SC

        return SC
    if name == "x86tso":
        from mmcheck.models.x86tso import X86TSO

        return X86TSO
    if name == "armv8":
        from mmcheck.models.armv8 import ARMV8

        return ARMV8
    if name == "lkmm":
        from mmcheck.models.lkmm import LKMM

        return LKMM
    return None


MODEL_NAMES = ("sc", "x86tso", "armv8", "lkmm")
