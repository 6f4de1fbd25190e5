"""AArch64 under the ARMv8 model: classic shapes, SC ⊆ ARMv8, parser errors."""

from __future__ import annotations

import pytest

from mmcheck.check import check
from mmcheck.errors import UserError
from mmcheck.litmus.parse import parse_text


def _test(name: str, init: str, threads: list[list[str]], cond: str) -> str:
    rows = max(len(t) for t in threads)
    cols = [[c for c in t] + [""] * (rows - len(t)) for t in threads]
    head = " | ".join(f"P{i}" for i in range(len(threads))) + " ;"
    body = "\n".join(" | ".join(col[r] for col in cols) + " ;" for r in range(rows))
    return f"AArch64 {name}\n{{\n{init}\n}}\n{head}\n{body}\n{cond}\n"


MP_INIT = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"
TWO = "0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;"

CASES: dict[str, tuple[str, str]] = {
    "MP": (_test("MP", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Allowed"),
    "MP+dmb.sys": (_test("MP+dmb.sys", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "DMB SY", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "MP+dmb.st+dmb.ld": (_test("MP+dmb.st+dmb.ld", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "DMB ST", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "DMB LD", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "MP+rel+acq": (_test("MP+rel+acq", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
        ["LDAR W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "MP+rel+acqpc": (_test("MP+rel+acqpc", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
        ["LDAPR W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "MP+dmb.sy+addr": (_test("MP+dmb.sy+addr", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "MP+dmb.sy+ctrl": (_test("MP+dmb.sy+ctrl", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "CBNZ W0,L0", "L0:", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Allowed"),
    "MP+dmb.sy+ctrl-isb": (_test("MP+dmb.sy+ctrl-isb", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "CBNZ W0,L0", "L0:", "ISB", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "LB": (_test("LB", TWO, [
        ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"]],
        "exists (0:X0=1 /\\ 1:X0=1)"), "Allowed"),
    "LB+datas": (_test("LB+datas", TWO, [
        ["LDR W0,[X1]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "EOR W2,W0,W0", "ADD W2,W2,#1", "STR W2,[X3]"]],
        "exists (0:X0=1 /\\ 1:X0=1)"), "Forbidden"),
    "LB+ctrls": (_test("LB+ctrls", TWO, [
        ["LDR W0,[X1]", "CBNZ W0,L0", "L0:", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "CBNZ W0,L1", "L1:", "MOV W2,#1", "STR W2,[X3]"]],
        "exists (0:X0=1 /\\ 1:X0=1)"), "Forbidden"),
    "SB": (_test("SB", TWO, [
        ["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"],
        ["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"]],
        "exists (0:X2=0 /\\ 1:X2=0)"), "Allowed"),
    "SB+dmb.sys": (_test("SB+dmb.sys", TWO, [
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "LDR W2,[X3]"],
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "LDR W2,[X3]"]],
        "exists (0:X2=0 /\\ 1:X2=0)"), "Forbidden"),
    "SB+rel+acq": (_test("SB+rel+acq", TWO, [
        ["MOV W0,#1", "STLR W0,[X1]", "LDAR W2,[X3]"],
        ["MOV W0,#1", "STLR W0,[X1]", "LDAR W2,[X3]"]],
        "exists (0:X2=0 /\\ 1:X2=0)"), "Forbidden"),
    "2+2W": (_test("2+2W", TWO, [
        ["MOV W0,#2", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
        ["MOV W0,#2", "STR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"]],
        "exists ([x]=2 /\\ [y]=2)"), "Allowed"),
    "2+2W+dmb.sts": (_test("2+2W+dmb.sts", TWO, [
        ["MOV W0,#2", "STR W0,[X1]", "DMB ST", "MOV W2,#1", "STR W2,[X3]"],
        ["MOV W0,#2", "STR W0,[X1]", "DMB ST", "MOV W2,#1", "STR W2,[X3]"]],
        "exists ([x]=2 /\\ [y]=2)"), "Forbidden"),
    "IRIW+acqs": (_test("IRIW+acqs", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 3:X1=y; 3:X3=x;", [
        ["MOV W0,#1", "STR W0,[X1]"],
        ["LDAR W0,[X1]", "LDAR W2,[X3]"],
        ["MOV W0,#1", "STR W0,[X1]"],
        ["LDAR W0,[X1]", "LDAR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0)"), "Forbidden"),
    "IRIW": (_test("IRIW", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 3:X1=y; 3:X3=x;", [
        ["MOV W0,#1", "STR W0,[X1]"],
        ["LDR W0,[X1]", "LDR W2,[X3]"],
        ["MOV W0,#1", "STR W0,[X1]"],
        ["LDR W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0)"), "Allowed"),
    "WRC+addrs": (_test("WRC+addrs", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x;", [
        ["MOV W0,#1", "STR W0,[X1]"],
        ["LDR W0,[X1]", "EOR W4,W0,W0", "MOV W2,#1", "STR W2,[X3,W4,SXTW]"],
        ["LDR W0,[X1]", "EOR W4,W0,W0", "LDR W2,[X3,W4,SXTW]"]],
        "exists (1:X0=1 /\\ 2:X0=1 /\\ 2:X2=0)"), "Forbidden"),
    "WRC": (_test("WRC", "0:X1=x; 1:X1=x; 1:X3=y; 2:X1=y; 2:X3=x;", [
        ["MOV W0,#1", "STR W0,[X1]"],
        ["LDR W0,[X1]", "MOV W2,#1", "STR W2,[X3]"],
        ["LDR W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 2:X0=1 /\\ 2:X2=0)"), "Allowed"),
    "MP+dmb.sy+ldxr-stxr": (_test("MP+excl", MP_INIT + " 1:X5=z;", [
        ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "MOV W2,#1", "STR W2,[X3]"],
        ["LDAXR W0,[X1]", "STXR W6,W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X6=0 /\\ 1:X2=0)"), "Forbidden"),
    "SB+swpal": (_test("SB+swpal", TWO, [
        ["MOV W0,#1", "SWPAL W0,W4,[X1]", "LDR W2,[X3]"],
        ["MOV W0,#1", "SWPAL W0,W4,[X1]", "LDR W2,[X3]"]],
        "exists (0:X2=0 /\\ 1:X2=0)"), "Forbidden"),
    "MP+rel+ldadda": (_test("MP+rel+ldadda", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
        ["MOV W5,#1", "LDADDA W5,W0,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
    "MP+rel+stadd": (_test("MP+rel+stadd", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
        ["MOV W5,#1", "STADD W5,[X1]", "DMB LD", "LDR W2,[X3]"]],
        "exists ([y]=2 /\\ 1:X2=0)"), "Allowed"),
    "MP+rel+casa": (_test("MP+rel+casa", MP_INIT, [
        ["MOV W0,#1", "STR W0,[X1]", "MOV W2,#1", "STLR W2,[X3]"],
        ["MOV W0,#1", "MOV W4,#2", "CASA W0,W4,[X1]", "LDR W2,[X3]"]],
        "exists (1:X0=1 /\\ 1:X2=0)"), "Forbidden"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_armv8_verdict(name: str) -> None:
    text, verdict = CASES[name]
    result = check(parse_text(text, f"{name}.litmus"), "armv8")
    assert result.unsupported is None
    assert result.verdict == verdict, (name, result.states)


@pytest.mark.parametrize("name", sorted(CASES))
def test_sc_states_within_armv8(name: str) -> None:
    test = parse_text(CASES[name][0], f"{name}.litmus")
    sc = check(test, "sc")
    arm = check(test, "armv8")
    assert sc.unsupported is None and arm.unsupported is None
    assert set(sc.states) <= set(arm.states)


def test_exclusive_counts_success_and_failure() -> None:
    text = _test("X", "0:X1=x;", [["MOV W0,#1", "LDXR W2,[X1]", "STXR W3,W0,[X1]"]],
                 "exists (0:X3=0)")
    r = check(parse_text(text), "armv8")
    assert (r.positive, r.negative) == (1, 1)  # success and failure, as herd counts


def test_cas_counts_like_herd() -> None:
    text = _test("C", "0:X1=x;", [["MOV W0,#0", "MOV W2,#2", "CAS W0,W2,[X1]"]],
                 "exists ([x]=2)")
    r = check(parse_text(text), "armv8")
    assert (r.positive, r.negative) == (2, 0)  # herd runs each CAS in two variants


def test_registers_print_as_x() -> None:
    text = _test("R", "0:X1=x;", [["MOV W0,#3", "STR W0,[X1]", "LDR W5,[X1]"]],
                 "exists (0:X5=3)")
    r = check(parse_text(text), "armv8")
    assert r.verdict == "Allowed"
    assert [str(loc) for loc, _ in r.states[0]] == ["0:X5"]


@pytest.mark.parametrize("instr, col, what", [
    ("FOO W0,[X1]", 2, "unknown AArch64 instruction 'FOO'"),
    ("LDR W0,[Q1]", 10, "'Q1' is not an AArch64 register"),
    ("MOV X31,#1", 6, "'X31' is not an AArch64 register"),
    ("DMB FOO", 6, "unknown barrier option 'FOO'"),
    ("B nowhere", 4, "branch to unknown label 'nowhere'"),
])
def test_parser_errors(instr: str, col: int, what: str) -> None:
    text = f"AArch64 E\n{{\n0:X1=x;\n}}\n P0 ;\n {instr} ;\nexists (0:X0=1)\n"
    with pytest.raises(UserError) as info:
        check(parse_text(text, "e.litmus"), "armv8")
    msg = info.value.render()
    assert msg.startswith(f"e.litmus:6:{col}: {what}"), msg


def test_only_code_that_can_decide_on_a_read_is_run_with_unknown_values() -> None:
    """A branch the known values never take still gives its writes' values (herd7 takes
    both sides); code with no branch, select or compare-and-swap is not run for them.
    Under armv8 the control dependency orders the cycle, so the answer stands (herd7:
    Never 0 3)."""
    from mmcheck.check import check, compile_programs
    from mmcheck.litmus.parse import parse_text
    from mmcheck.semantics.runner import unknown_writes

    test = parse_text(
        "AArch64 LB+ctrl-thin-air\n{ 0:X1=x; 0:X3=y; 1:X1=x; 1:X3=y; }\n"
        " P0          | P1          ;\n LDR W0,[X1] | LDR W2,[X3] ;\n"
        " MOV W2,#1   | STR W2,[X1] ;\n CBZ W0,L0   |             ;\n"
        " MOV W2,#7   |             ;\n L0:         |             ;\n"
        " STR W2,[X3] |             ;\nexists (0:X0=7)\n")
    p0, p1 = compile_programs(test)
    assert (p0.decides, p1.decides) == (True, False)  # type: ignore[attr-defined]
    assert unknown_writes(p0) == {("y", 7)}
    r = check(test, "armv8")
    assert (r.observation, r.positive, r.negative) == ("Never", 0, 3)
