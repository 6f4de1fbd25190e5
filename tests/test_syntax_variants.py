"""Metamorphic test: every conformance test rewritten into equivalent spellings that
herd7 7.57 reads (``P0:`` registers, a ';' after the init block, comments, CRLF, tabs and
spaces) gets the same answer as the original.  Plus the variants the corpus lacks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from mmcheck.check import Options, check, resolve_model
from mmcheck.errors import UserError
from mmcheck.litmus.parse import parse_text
from tests.syntax_variants import variant_a, variant_b

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
DIRS = ("x86-catalogue", "x86_64-catalogue", "x86_64-instructions", "x86-diy",
        "aarch64-catalogue", "aarch64-diy", "aarch64-instructions")


def answer(text: str, path: str) -> tuple[Any, ...]:
    try:
        test = parse_text(text, path)
        r = check(test, resolve_model(test, None), Options(timeout=60.0))
    except UserError as err:
        return ("error", err.render().splitlines()[0])
    reason = r.unsupported
    if reason is not None:  # the position moves with the rewrite; the reason must not
        reason = re.sub(r"line \d+, column \d+|'[^']*'", "", reason)
    return (reason, r.incomplete, r.observation, r.positive, r.negative, tuple(r.states))


def _tests() -> list[Any]:
    if not CORPUS.is_dir():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))]
    return [pytest.param(d, id=d) for d in DIRS if (CORPUS / d).is_dir()]


@pytest.mark.parametrize("directory", _tests())
def test_variants_agree(directory: str) -> None:
    differ = []
    files = sorted((CORPUS / directory).glob("*.litmus"))
    if directory.endswith("-diy"):  # generated families of a few shapes: a quarter of each
        files = files[::4]
    for f in files:
        text = f.read_text()
        base = answer(text, str(f))
        assert base[0] != "error", base
        for rewrite in (variant_a, variant_b):
            got = answer(rewrite(text), str(f))
            if got != base:
                differ.append(f"{f.name} {rewrite.__name__}: {str(got)[:160]}")
    assert not differ, "\n".join(differ[:20])


SB = """X86 SB
"Store buffering"
{ x=0; y=0; }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""


def _answer(text: str) -> tuple[Any, ...]:
    out = answer(text, "t.litmus")
    assert out[0] is None, out
    return out


@pytest.mark.parametrize("rewrite", [
    lambda t: t.replace("0:EAX=0 /\\ 1:EAX=0", "P0:EAX=0 /\\ P1:EAX=0"),
    lambda t: t.replace("{ x=0; y=0; }", "{ x=0; y=0; };"),
    lambda t: t.replace("{ x=0; y=0; }", "{ int x=0; int y=0; }"),
    lambda t: t.replace("{ x=0; y=0; }", "{ [x]=0; [y]=0; }"),
    lambda t: t.replace("{ x=0; y=0; }", "{ x; y; }"),
    lambda t: t.replace("{ x=0; y=0; }", "{ }"),
    lambda t: t.replace("{ x=0; y=0; }", "{ 0:EAX=0; P1:EAX=0; }"),
    lambda t: t.replace("X86 SB", "X86 SB (sb) \"the doc\";"),
    lambda t: t.replace('"Store buffering"', "Cycle=Fre PodWR Fre PodWR\nPrefetch=0:x=F,0:y=T\n"
                        "Com=Fr Fr\nOrig=PodWR Fre PodWR Fre\nHash=4b1e\n"),
    lambda t: t.replace("exists", "final"),
    lambda t: t.replace("0:EAX=0", "0:EAX==0"),
    lambda t: t + "<< 0:EAX = 1 >>\n",
    lambda t: t.replace("exists", "locations [x; 0:EAX;]\nexists"),
    lambda t: t.replace("exists", "filter (0:EAX=0 \\/ 0:EAX=1)\nexists"),
    lambda t: t.replace("\n", "\r\n"),
    lambda t: t.replace(" ", "\t"),
    lambda t: "(* lead *)".join(t.split("\n", 1)).replace(";\n", "; (* c (* nested *) *)\n"),
    lambda t: t.replace("exists (", "exists ( (* in the condition *) "),
    lambda t: "(* before the header *)\n" + t,
], ids=["P0:", "};", "int x=0", "[x]=0", "x;", "{}", "init registers", "texname/doc",
        "metadata", "final", "==", "<< >>", "locations", "filter", "CRLF", "tabs",
        "comments", "comment in condition", "comment before the header"])
def test_single_variant(rewrite: Any) -> None:
    base = _answer(SB)
    got = _answer(rewrite(SB))
    if "filter" in rewrite(SB) or "locations" in rewrite(SB):
        assert got[2:5] == base[2:5]  # the listed locations change the states shown
    else:
        assert got == base


def test_not_exists_and_forall() -> None:
    assert _answer(SB.replace("exists", "~exists"))[2] == "Sometimes"
    assert _answer(SB.replace("exists", "~ exists"))[2] == "Sometimes"
    assert _answer(SB.replace("exists (0:EAX=0 /\\ 1:EAX=0)",
                              "forall (0:EAX=0 \\/ 0:EAX=1)"))[2] == "Always"


@pytest.mark.parametrize("arch,word", [("PPC", "PPC tests"), ("RISCV", "RISC-V tests"),
                                       ("FOO", "unknown architecture")])
def test_other_architectures_refused_at_header(arch: str, word: str) -> None:
    text = f"{arch} T\n{{ x=0; }}\nP0(int *x) {{ int r0 = READ_ONCE(*x); }}\nexists (0:r0=1)\n"
    with pytest.raises(UserError) as info:
        parse_text(text, "t.litmus")
    err = info.value
    assert word in err.message
    assert err.span is not None and (err.span.line, err.span.col) == (1, 1)


def test_c_program_keeps_its_stars_and_loses_its_comments() -> None:
    """In a C test '(*x)' is C (herd7 does not skip comments in the program); comments in
    the init block and the condition are still comments."""
    from mmcheck.litmus.split import Source, _program_region

    text = ("C T\n{ int y=1; (* init *) }\nP0(int *x) {\n r0 = READ_ONCE(*x);\n}\n"
            "exists (0:r0=1) (* cond *)\n")
    out = Source(text, _program_region(text)).text
    assert "READ_ONCE(*x)" in out
    assert "(* init *)" not in out and "(* cond *)" not in out
    assert len(out) == len(text)
