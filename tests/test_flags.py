"""Flags: the model's warnings herd7 prints as ``Flag NAME`` lines, raised by
consistent executions and carried into herd text, JSON and ``check`` reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mmcheck.check import check
from mmcheck.litmus.parse import parse_file, parse_text
from mmcheck.report import herd, json_out

ROOT = Path(__file__).resolve().parents[1]
ISH = "Assuming-common-inner-shareable-domain"


def _mp(barrier: str) -> str:
    return (
        "AArch64 MP\n{\n0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;\n}\n"
        " P0          | P1          ;\n"
        " MOV W0,#1   | LDR W0,[X1] ;\n"
        f" STR W0,[X1] | {barrier:<11} ;\n"
        " MOV W2,#1   | LDR W2,[X3] ;\n"
        " STR W2,[X3] |             ;\n"
        "exists (1:X0=1 /\\ 1:X2=0)\n"
    )


@pytest.mark.parametrize(
    ("barrier", "flagged"),
    [
        ("DMB SY", False), ("DMB LD", False), ("DMB ST", False), ("DSB SY", False),
        ("ISB", False), ("DMB ISH", True), ("DMB ISHLD", True), ("DMB OSHST", True),
        ("DSB ISH", True), ("DSB OSH", True),
    ],
)
def test_shareability_option_raises_the_armv8_flag(barrier: str, flagged: bool) -> None:
    result = check(parse_text(_mp(barrier)), "armv8")
    assert result.flags == ((ISH,) if flagged else ())
    text = herd.render(result).splitlines()
    assert (f"Flag {ISH}" in text) == flagged
    if flagged:  # herd7 prints it after the counts, before the condition
        i = text.index(f"Flag {ISH}")
        assert text[i - 1].startswith("Positive: ") and text[i + 1].startswith("Condition ")
    assert json.loads(json_out.render(result))["flags"] == list(result.flags)


def test_other_models_raise_no_flag() -> None:
    for model in ("sc",):
        assert check(parse_text(_mp("DMB ISH")), model).flags == ()


@pytest.mark.parametrize(
    "path", sorted((ROOT / "litmus" / "dirty-ring").glob("*.AArch64.litmus")), ids=lambda p: p.stem
)
def test_dirty_ring_tests_are_flagged_as_herd7_does(path: Path) -> None:
    """Each dirty-ring test uses DMB ISH* barriers (the kernel's smp_* on arm64)."""
    test = parse_file(path)
    uses_option = any(
        o in test.source for o in ("DMB ISH", "DMB OSH", "DSB ISH", "DSB OSH")
    )
    assert check(test).flags == ((ISH,) if uses_option else ())
