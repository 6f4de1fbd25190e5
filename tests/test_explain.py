"""mmcheck explain: the failing check, a cycle whose every edge is in the relation it names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmcheck.check import resolve_model
from mmcheck.cli import main
from mmcheck.explain import (
    ExecutionRelations,
    analyse,
    leaf_parts,
    render_explanation,
    steps_in_named,
)
from mmcheck.litmus.parse import parse_text
from mmcheck.models.dsl import Plus

GOLDEN = Path(__file__).parent / "golden"

X86 = {
    "SB": """X86 SB
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
""",
    "SB+mfences": """X86 SB+mfences
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MFENCE      | MFENCE      ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
""",
    "MP": """X86 MP
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[y] ;
 MOV [y],$1  | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0)
""",
    "LB": """X86 LB
{ }
 P0          | P1          ;
 MOV EAX,[x] | MOV EAX,[y] ;
 MOV [y],$1  | MOV [x],$1  ;
exists (0:EAX=1 /\\ 1:EAX=1)
""",
    "2+2W": """X86 2+2W
{ }
 P0          | P1          ;
 MOV [x],$2  | MOV [y],$2  ;
 MOV [y],$1  | MOV [x],$1  ;
exists ([x]=2 /\\ [y]=2)
""",
    "SB+xchgs": """X86 SB+xchgs
{ 0:EAX=1; 1:EAX=1; }
 P0           | P1           ;
 XCHG [x],EAX | XCHG [y],EAX ;
 MOV EBX,[y]  | MOV EBX,[x]  ;
exists (0:EBX=0 /\\ 1:EBX=0)
""",
    "CoRR": """X86 CoRR
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[x] ;
             | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0)
""",
}

# (test, model) -> the check expected to forbid the outcome, or None when allowed
CASES = [
    ("SB", "x86tso", None),
    ("SB", "sc", "sc"),
    ("SB+mfences", "x86tso", "tso"),
    ("SB+xchgs", "x86tso", "tso"),
    ("MP", "x86tso", "tso"),
    ("MP", "sc", "sc"),
    ("LB", "x86tso", "tso"),
    ("LB", "sc", "sc"),
    ("2+2W", "x86tso", "tso"),
    ("2+2W", "sc", "sc"),
    ("CoRR", "x86tso", "sc-per-location"),
]


def explained(name: str, model: str | None, text: str | None = None) -> tuple[str, object]:
    test = parse_text(text or X86[name], f"{name}.litmus")
    m = resolve_model(test, model)
    return render_explanation(analyse(test, m)), analyse(test, m)


def check_cycles(name: str, model_name: str | None, expected: str | None,
                 text: str | None = None) -> None:
    test = parse_text(text or X86[name], f"{name}.litmus")
    model = resolve_model(test, model_name)
    ex = analyse(test, model)
    text_out = render_explanation(ex)
    if expected is None:
        assert ex.result.verdict == "Allowed"
        assert ex.reaching, "an allowed outcome has a witness"
        if model.name != "sc" and ex.sc_blame is not None:
            from mmcheck.models.sc import SC

            w = ex.reaching[0]
            assert ex.sc_blame.check == "sc"
            _assert_cycle(ex.sc_blame.steps)
            assert steps_in_named(w, ex.sc_blame.steps, SC)
            assert "SC forbids this execution" in text_out
        return
    assert ex.result.verdict == "Forbidden"
    assert ex.blames, "a forbidden reachable outcome is blamed on a check"
    assert [c for c, _ in ex.counts] == [expected]
    assert f"fails {expected} (" in text_out
    for x, b in ex.blames:
        assert b.check == expected
        assert x.failed_check == expected
        _assert_cycle(b.steps)
        assert steps_in_named(x, b.steps, model), b
        rels = ExecutionRelations(x)
        failing = [c for c in model.checks if c.name == b.check and not rels.holds(c)]
        assert failing
        check = failing[0]
        # Every edge is in the check's relation (or, for irreflexive r+, in r).
        body = check.expr
        parts = leaf_parts(body.arg if isinstance(body, Plus) else body)
        for s in b.steps:
            assert any((s.src, s.dst) in rels.value(p) for p in parts), s
        assert f"{expected}: " in text_out


def _assert_cycle(steps: tuple[object, ...]) -> None:
    assert steps
    for s, t in zip(steps, steps[1:] + steps[:1], strict=True):
        assert s.dst == t.src  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "model", "expected"), CASES)
def test_cycle_edges_are_in_the_named_relations(name: str, model: str,
                                                 expected: str | None) -> None:
    check_cycles(name, model, expected)


def test_allowed_outcome_shows_the_reordering() -> None:
    out, _ = explained("SB", "x86tso")
    assert "x86tso allows it because it does not order these program-order edges" in out
    assert "a: W x=1 -po-> b: R y=0   (W->R reordered)" in out


def test_unreachable_outcome() -> None:
    text = X86["MP"].replace("1:EAX=1 /\\ 1:EBX=0", "1:EAX=7")
    out, _ = explained("MP", "x86tso", text)
    assert "no candidate execution reaches it" in out


AARCH64 = {
    "MP+dmb+addr": ("""AArch64 MP+dmb.sy+addr
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1                   ;
 MOV W0,#1   | LDR W0,[X1]          ;
 STR W0,[X1] | EOR W2,W0,W0         ;
 DMB SY      | LDR W4,[X3,W2,SXTW]  ;
 MOV W2,#1   |                      ;
 STR W2,[X3] |                      ;
exists (1:X0=1 /\\ 1:X4=0)
""", "external"),
    "LB": ("""AArch64 LB
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 LDR W0,[X1] | LDR W0,[X1] ;
 MOV W2,#1   | MOV W2,#1   ;
 STR W2,[X3] | STR W2,[X3] ;
exists (0:X0=1 /\\ 1:X0=1)
""", None),
    "SB+dmbs": ("""AArch64 SB+dmbs
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | MOV W0,#1   ;
 STR W0,[X1] | STR W0,[X1] ;
 DMB SY      | DMB SY      ;
 LDR W2,[X3] | LDR W2,[X3] ;
exists (0:X2=0 /\\ 1:X2=0)
""", "external"),
    "LB+datas": ("""AArch64 LB+datas
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 LDR W0,[X1] | LDR W0,[X1] ;
 STR W0,[X3] | STR W0,[X3] ;
exists (0:X0=1 /\\ 1:X0=1)
""", "unreachable"),
    "2+2W+dmbs": ("""AArch64 2+2W+dmbs
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#2   | MOV W0,#2   ;
 STR W0,[X1] | STR W0,[X1] ;
 DMB SY      | DMB SY      ;
 MOV W2,#1   | MOV W2,#1   ;
 STR W2,[X3] | STR W2,[X3] ;
exists ([x]=2 /\\ [y]=2)
""", "external"),
    "CoRR": ("""AArch64 CoRR
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | LDR W2,[X1] ;
exists (1:X0=1 /\\ 1:X2=0)
""", "internal"),
    "MP+rel+acq": ("""AArch64 MP+rel+acq
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0           | P1           ;
 MOV W0,#1    | LDAR W0,[X1] ;
 STR W0,[X1]  | LDR W2,[X3]  ;
 MOV W2,#1    |              ;
 STLR W2,[X3] |              ;
exists (1:X0=1 /\\ 1:X2=0)
""", "external"),
    "MP": ("""AArch64 MP
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | LDR W2,[X3] ;
 MOV W2,#1   |             ;
 STR W2,[X3] |             ;
exists (1:X0=1 /\\ 1:X2=0)
""", None),
}


@pytest.mark.parametrize("name", sorted(AARCH64))
def test_aarch64_cycles(name: str) -> None:
    text, expected = AARCH64[name]
    if expected == "unreachable":  # the values 1 are never written: no candidate at all
        out, _ = explained(name, "armv8", text)
        assert "no candidate execution reaches it" in out
        return
    check_cycles(name, "armv8", expected, text)


# -- golden transcripts ------------------------------------------------------------------


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("MMCHECK_PROMOTE"):  # review the diff like code
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "model"), [("SB", "x86tso"), ("MP", "x86tso"),
                                             ("SB+xchgs", "x86tso"), ("2+2W", "sc")])
def test_golden_explain(name: str, model: str) -> None:
    out, _ = explained(name, model)
    golden(f"{name}.{model}.explain.txt", out)


# -- the command ---------------------------------------------------------------------------


def test_cli_explain(tmp_path: Path) -> None:
    f = tmp_path / "MP.litmus"
    f.write_text(X86["MP"])
    res = CliRunner().invoke(main, ["explain", str(f)])
    assert res.exit_code == 0, res.output
    assert "tso: a: W x=1 -ppo-> b: W y=1 -rfe-> c: R y=1 -ppo-> d: R x=0 -fre-> a" in res.output


def test_cli_explain_bad_input(tmp_path: Path) -> None:
    f = tmp_path / "bad.litmus"
    f.write_text(X86["MP"].replace("MOV [y],$1  | MOV EBX,[x]", "MOVX [y],$1 | MOV EBX,[x]"))
    res = CliRunner().invoke(main, ["explain", str(f)])
    assert res.exit_code == 3
    assert f"{f}:" in res.output
    assert "Traceback" not in res.output


def test_cli_explain_usage() -> None:
    res = CliRunner().invoke(main, ["explain"])
    assert res.exit_code == 2
    res = CliRunner().invoke(main, ["explain", "--model", "nope", "x.litmus"])
    assert res.exit_code == 2


def test_cli_explain_model_mismatch(tmp_path: Path) -> None:
    f = tmp_path / "MP.litmus"
    f.write_text(X86["MP"])
    res = CliRunner().invoke(main, ["explain", "--model", "armv8", str(f)])
    assert res.exit_code == 3
    assert "does not fit" in res.output
