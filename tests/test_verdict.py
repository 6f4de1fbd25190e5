"""The verdict search (mmcheck.verdict) agrees with exact enumeration.

Over the conformance corpora, over generated tests, and on the bench families at
sizes exact mode can count: same verdict (some execution satisfies the
proposition) and same Ok/No, under every model that fits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mmcheck import thin_air
from mmcheck.check import Options, check, prepare
from mmcheck.errors import UserError
from mmcheck.litmus.parse import parse_file, parse_text

sys.path.insert(0, str(Path(__file__).parent / "bench"))
import families  # noqa: E402

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance"
CORPORA = ["x86-catalogue", "x86_64-catalogue", "x86_64-instructions", "x86-diy",
           "aarch64-catalogue", "aarch64-instructions", "aarch64-diy"]


def models_for(arch: str) -> list[str]:
    return ["sc", "x86tso"] if arch.startswith("X86") else ["sc", "armv8"]


def agree(text_or_test: object, model: str) -> None:
    test = text_or_test if not isinstance(text_or_test, str) else parse_text(text_or_test)
    exact = check(test, model)  # type: ignore[arg-type]
    fast = check(test, model, Options(verdict=True))  # type: ignore[arg-type]
    assert fast.status == exact.status
    if exact.status != "ok":
        return
    # Where data could flow round the locations and the model does not rule out values
    # out of thin air, each execution is looked at for one: the full search answers.
    from mmcheck.check import resolve_model

    full = not resolve_model(test, model).no_thin_air and \
        thin_air.possible(prepare(test)[1])  # type: ignore[arg-type]
    assert exact.exact and fast.exact == full
    assert (fast.verdict, fast.ok) == (exact.verdict, exact.ok), test.name  # type: ignore
    assert fast.observation == (exact.observation if fast.exact else
                                "Never" if exact.positive == 0 else "Sometimes")
    # What the search found is among the real final states.
    assert set(fast.states) <= set(exact.states)


@pytest.mark.parametrize("corpus", CORPORA)
def test_corpus_verdicts_agree(corpus: str) -> None:
    path = CORPUS / corpus
    if not path.is_dir():
        pytest.skip(f"no conformance corpus at {path}")
    for p in sorted(path.glob("*.litmus")):
        try:
            test = parse_file(p)
        except UserError:
            continue
        for m in models_for(test.arch):
            agree(test, m)


FAMILIES = [
    *(families.costorm(k) for k in (1, 2, 3)),
    *(families.costorm(k, cyclic=True) for k in (1, 2, 3)),
    *(families.sb_ring(k, a) for k in (2, 3, 5) for a in ("X86", "AArch64")),
    *(families.two_plus_two_w(n, a) for n in (1, 2, 4) for a in ("X86", "AArch64")),
    *(families.write_storm(n) for n in (1, 2, 3)),
    # A write storm whose condition can hold.
    families.write_storm(2).replace("[x]=16 /\\ [y]=16", "[x]=2 /\\ [y]=17"),
]


@pytest.mark.parametrize("text", FAMILIES, ids=lambda t: t.split("\n")[0])
def test_family_verdicts_agree(text: str) -> None:
    test = parse_text(text)
    for m in models_for(test.arch):
        agree(test, m)


def test_cyclic_costorm_is_forbidden_and_own_reads_allowed() -> None:
    for k in (4, 5):
        cyc = check(parse_text(families.costorm(k, cyclic=True)), "armv8", Options(verdict=True))
        own = check(parse_text(families.costorm(k)), "armv8", Options(verdict=True))
        assert (cyc.verdict, own.verdict) == ("Forbidden", "Allowed")


def test_a_wide_normal_form_is_searched_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """``exists`` over six flag reads (three threads under nested locks, none can see a
    raised flag): one search for the whole proposition, not six, each nearly as large;
    the same verdict either way."""
    import mmcheck.verdict as verdict

    test = parse_text(families.nested_locks(3), "nested.litmus")
    assert len(verdict.dnf(test.condition.prop) or []) == 6 > verdict.MAX_SPLIT
    whole = check(test, "lkmm", Options(verdict=True))
    monkeypatch.setattr(verdict, "MAX_SPLIT", 64)
    split = check(test, "lkmm", Options(verdict=True))
    assert whole.verdict == split.verdict == check(test, "lkmm").verdict == "Forbidden"
    assert whole.stats.nodes * 2 < split.stats.nodes  # 254 against 984
    for model in ("lkmm", "sc"):
        agree(test, model)


# -- generated tests ------------------------------------------------------------------

LOCS = ["x", "y"]


@st.composite
def programs(draw: st.DrawFn, arch: str) -> str:
    k = draw(st.integers(2, 3))
    cols: list[list[str]] = []
    regs: list[list[str]] = []
    for _ in range(k):
        col: list[str] = []
        mine: list[str] = []
        for _ in range(draw(st.integers(1, 3))):
            kind = draw(st.sampled_from(["st", "st", "ld", "ld", "fence"]))
            loc = draw(st.sampled_from(LOCS))
            v = draw(st.integers(1, 2))
            if arch == "X86":
                if kind == "st":
                    col.append(f"MOV [{loc}],${v}")
                elif kind == "ld":
                    reg = ["EAX", "EBX", "ECX"][len(mine)]
                    mine.append(reg)
                    col.append(f"MOV {reg},[{loc}]")
                else:
                    col.append("MFENCE")
            else:
                base = "X5" if loc == "x" else "X6"
                if kind == "st":
                    op = draw(st.sampled_from(["STR", "STLR"]))
                    col += [f"MOV W0,#{v}", f"{op} W0,[{base}]"]
                elif kind == "ld":
                    reg = ["W1", "W2", "W3"][len(mine)]
                    mine.append("X" + reg[1:])
                    op = draw(st.sampled_from(["LDR", "LDAR"]))
                    col.append(f"{op} {reg},[{base}]")
                else:
                    col.append(draw(st.sampled_from(["DMB ISH", "DMB ISHST", "DMB ISHLD"])))
        cols.append(col)
        regs.append(mine)
    atoms: list[str] = []
    for i, mine in enumerate(regs):
        atoms += [f"{i}:{r}={v}" for r in mine for v in (0, 1, 2)]
    atoms += [f"[{loc}]={v}" for loc in LOCS for v in (0, 1, 2)]

    def prop(depth: int) -> str:
        if depth == 0 or draw(st.booleans()):
            return draw(st.sampled_from(atoms))
        op = draw(st.sampled_from([" /\\ ", " /\\ ", " \\/ ", "not", " => "]))
        if op == "not":
            return f"not ({prop(depth - 1)})"
        return f"({prop(depth - 1)}{op}{prop(depth - 1)})"

    quant = draw(st.sampled_from(["exists", "exists", "~exists", "forall"]))
    cond = f"{quant} ({prop(3)})"
    if arch == "X86":
        init = "{ }"
    else:
        init = "{ " + " ".join(f"{i}:X5=x; {i}:X6=y;" for i in range(k)) + " }"
    rows = max(len(c) for c in cols)
    lines = [" " + " | ".join(f"P{i}" for i in range(k)) + " ;"]
    for r in range(rows):
        lines.append(" " + " | ".join(c[r] if r < len(c) else "" for c in cols) + " ;")
    return f"{arch} gen\n{init}\n" + "\n".join(lines) + f"\n{cond}\n"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["X86", "AArch64"]).flatmap(programs))
def test_generated_verdicts_agree(text: str) -> None:
    test = parse_text(text)
    for m in models_for(test.arch):
        agree(test, m)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["X86", "AArch64"]).flatmap(programs), st.integers(2, 3),
       st.sampled_from([" /\\ ", " \\/ "]))
def test_generated_symmetric_threads_agree(text: str, copies: int, join: str) -> None:
    """Tests whose threads are copies of one (the symmetry reduction applies): the
    condition is one thread's proposition for every copy, joined."""
    lines = text.splitlines()
    rows = [row.strip().rstrip(";").split("|") for row in lines[3:-1]]
    first = [r[0].strip() for r in rows]
    table = [" " + " | ".join(f"P{i}" for i in range(copies)) + " ;"]
    table += [" " + " | ".join([c] * copies) + " ;" for c in first if c]
    init = "{ }" if "X5" not in lines[1] else \
        "{ " + " ".join(f"{i}:X5=x; {i}:X6=y;" for i in range(copies)) + " }"
    quant, _, prop = lines[-1].partition(" ")
    if any(f"{i}:" in prop for i in (1, 2)):
        return  # the proposition names a thread that is not copied
    cond = quant + " (" + join.join(prop.replace("0:", f"{i}:") for i in range(copies)) + ")"
    new = "\n".join([lines[0], init, *table, cond]) + "\n"
    test = parse_text(new)
    for m in models_for(test.arch):
        agree(test, m)


# -- the command line -------------------------------------------------------------------

LIBRARY = Path(__file__).resolve().parents[1] / "litmus"


def test_run_verdict_only_herd_text_and_json() -> None:
    from click.testing import CliRunner

    from mmcheck.cli import main

    sb = str(LIBRARY / "classic" / "SB.X86.litmus")
    mp = str(LIBRARY / "classic" / "MP.X86.litmus")
    out = CliRunner().invoke(main, ["run", "--verdict-only", sb, mp]).output
    assert out == (
        "Test SB.X86 Allowed\nStates 1\n0:EAX=0; 1:EAX=0;\nOk\nWitnesses\n"
        "Positive: 1 Negative: 0\nCondition exists (0:EAX=0 /\\ 1:EAX=0)\n"
        "Observation SB.X86 Sometimes 1 0\n"
        "Test MP.X86 Allowed\nStates 0\nNo\nWitnesses\nPositive: 0 Negative: 0\n"
        "Condition exists (1:EAX=1 /\\ 1:EBX=0)\nObservation MP.X86 Never 0 0\n"
    )
    res = CliRunner().invoke(main, ["run", "--verdict-only", "--format", "json", sb])
    d = json.loads(res.output)
    assert (d["verdict"], d["observation"], d["positive"], d["negative"]) == \
        ("Allowed", "Sometimes", None, None)
    exact = json.loads(CliRunner().invoke(main, ["run", "--format", "json", sb]).output)
    assert (exact["positive"], exact["negative"]) == (1, 3)


def test_check_default_and_exact_agree() -> None:
    from click.testing import CliRunner

    from mmcheck.commands.check_cmd import check as check_cmd

    for extra in ([], ["--exact"]):
        res = CliRunner().invoke(check_cmd, ["-q", *extra, str(LIBRARY)])
        assert res.exit_code == 0, res.output
        assert res.output.strip().splitlines()[-1].endswith(" passed, 0 failed")


def _copy_ring(arch: str, k: int, via_rfi: bool) -> str:
    """k threads, each copying one location into the next (a data dependency); with
    ``via_rfi`` each copy goes through a write and read-back of a location of its own."""
    locs = [f"x{i}" for i in range(k)]
    if arch == "X86":
        rows = [[f"MOV EAX,[{locs[i]}]", *([f"MOV [t{i}],EAX", f"MOV EBX,[t{i}]",
                                             f"MOV [{locs[(i + 1) % k]}],EBX"] if via_rfi
                                            else [f"MOV [{locs[(i + 1) % k]}],EAX"])]
                for i in range(k)]
        init = ""
    else:
        rows = [["LDR W0,[X1]", *(["STR W0,[X3]", "LDR W4,[X3]", "EOR W5,W4,W4",
                                   "ADD W6,W4,W5", "STR W6,[X2]"] if via_rfi
                                  else ["STR W0,[X2]"])] for i in range(k)]
        init = " ".join(f"{i}:X1={locs[i]}; {i}:X2={locs[(i + 1) % k]}; {i}:X3=t{i};"
                        for i in range(k))
    depth = max(len(r) for r in rows)
    table = [" | ".join(f"P{i}" for i in range(k)) + " ;"]
    table += [" | ".join(r[j] if j < len(r) else "" for r in rows) + " ;" for j in range(depth)]
    cond = " /\\ ".join(f"{x}=0" for x in locs)
    return f"{arch} ring\n{{ {init} }}\n" + "\n".join(table) + f"\nexists ({cond})\n"


@pytest.mark.parametrize("via_rfi", [False, True])
@pytest.mark.parametrize(("arch", "model"), [("X86", "x86tso"), ("X86", "sc"),
                                             ("AArch64", "armv8"), ("AArch64", "sc")])
def test_models_that_claim_no_thin_air_allow_no_data_and_rf_cycle(
        arch: str, model: str, via_rfi: bool) -> None:
    """The claim that lets the directed search skip looking for values out of thin air:
    on copy rings, whose candidates include every rf, no execution the model allows has
    a value flowing back into its own read.  Under the LKMM, whose plain accesses allow
    it, the ring of plain copies does have one (tests/test_c_dialect.py)."""
    from mmcheck.check import resolve_model
    from mmcheck.enumerate import explore
    from mmcheck.execution import Stats

    test = parse_text(_copy_ring(arch, 3, via_rfi))
    m = resolve_model(test, model)
    assert m.no_thin_air
    programs, traces = prepare(test)
    assert thin_air.possible(traces)  # the shape is there
    seen = []

    def on_leaf(leaf: object) -> None:
        seen.append(thin_air.cycle(leaf)[0])  # type: ignore[arg-type]

    explore(test, programs, m, stats=Stats(), on_leaf=on_leaf, traces=traces)
    assert seen and not any(seen)
    # A model with no checks allows the cycles: the claim is the model's.
    from mmcheck.models.dsl import Model

    seen.clear()
    explore(test, programs, Model("none", "none", (), (arch,)), stats=Stats(),
            on_leaf=on_leaf, traces=traces)
    assert any(seen)
    fast = check(test, model, Options(verdict=True))
    assert not fast.exact and fast.verdict == check(test, model).verdict
