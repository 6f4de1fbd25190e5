"""mmcheck fix: minimal repairs, each verified by an independent run of the checker."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mmcheck.check import Options, check, resolve_model
from mmcheck.cli import main
from mmcheck.litmus.ast import Litmus
from mmcheck.litmus.parse import parse_file, parse_text
from mmcheck.repair import FixResult, Repair, find_repairs
from mmcheck.repair.search import Change, patch
from mmcheck.repair.table import Edit, apply

LITMUS = Path(__file__).parent.parent / "litmus"
RING = LITMUS / "dirty-ring"
CLASSIC = LITMUS / "classic"


@cache
def fixed(path: Path, model: str | None = None) -> FixResult:
    test = parse_file(path)
    return find_repairs(test, resolve_model(test, model), max_repairs=0)


def verdict_of(text: str, path: str, model: str) -> tuple[str, int]:
    """An independent run: parse the text afresh and check it."""
    t = parse_text(text, path)
    r = check(t, resolve_model(t, model), Options())
    assert r.status == "ok"
    return r.verdict, r.positive + r.negative


def patched(test: Litmus, changes: tuple[Change, ...]) -> str:
    """The patched text, made again from the changes (C or a thread table)."""
    return patch(test, changes)[0]


def line_text(test: Litmus, thread: int, line: int) -> str:
    for cell in test.threads[thread]:
        if cell.span.line == line:
            return cell.text
    raise AssertionError(f"P{thread} has no cell on line {line}")


# -- the dirty ring -------------------------------------------------------------------------


def _real_fix(test: Litmus, r: Repair, thread: int, line_has: str, forms: tuple[str, ...]
              ) -> bool:
    """One change: ``thread``'s instruction whose text contains ``line_has`` made one of
    ``forms`` (a mnemonic)."""
    if len(r.changes) != 1:
        return False
    c = r.changes[0]
    return (c.thread == thread and not c.insert and line_has in c.before
            and c.after[0].split()[0] in forms)


# (test, the thread and the access the 2022 fix made acquire/release, the forms)
RING_FIXES = [
    # user-collect: QEMU's flags load made acquire
    ("stale-entry.pre-fix.AArch64", 1, "LDR W0,[X1]", ("LDAPR", "LDAR")),
    # kernel-read: the kernel's flags load made acquire (smp_load_acquire)
    ("wrong-page-reprotected.pre-fix.AArch64", 2, "LDR W0,[X1]", ("LDAPR", "LDAR")),
    # user-reset: QEMU's RESET store made release (qatomic_store_release)
    ("recycled-entry.pre-fix.AArch64", 0, "STR W4,[X1]", ("STLR",)),
]


@pytest.mark.parametrize(("name", "thread", "access", "forms"), RING_FIXES)
def test_dirty_ring_real_fix_among_the_cheapest(name: str, thread: int, access: str,
                                                forms: tuple[str, ...]) -> None:
    fr = fixed(RING / f"{name}.litmus", "armv8")
    assert fr.result.verdict == "Allowed" and fr.complete
    cheapest = fr.repairs[:3]
    assert any(_real_fix(fr.test, r, thread, access, forms) for r in cheapest), \
        [[c.describe() for c in r.changes] for r in fr.repairs]
    # the cheapest repair costs no more than the real fix
    real = [r for r in fr.repairs if _real_fix(fr.test, r, thread, access, forms)]
    assert fr.repairs[0].cost <= min(r.cost for r in real)


def test_dirty_ring_page_read_before_reset_has_no_ordering_fix() -> None:
    # SC allows the lost update: the documented rule (reset before reading the page)
    # is the fix, not an ordering.
    fr = fixed(RING / "page-read-before-reset.pre-fix.AArch64.litmus", "armv8")
    assert fr.result.verdict == "Allowed"
    assert fr.repairs == ()
    assert fr.note is not None and "SC allows" in fr.note


@pytest.mark.parametrize("path", sorted(RING.glob("*.post-fix.*.litmus")), ids=lambda p: p.stem)
def test_dirty_ring_post_fix_nothing_to_fix(path: Path) -> None:
    fr = fixed(path)
    assert fr.result.verdict == "Forbidden"
    assert fr.repairs == ()


# The same failure modes in C (the kernel side with kernel primitives, the user side with
# QEMU's): under armv8 the C test is compiled, changes are C statements, and the real fix
# is among the cheapest.
RING_C = LITMUS / "dirty-ring-c"
RING_C_FIXES = [
    ("stale-entry.pre-fix", 1, "qatomic_read(flags)", "qatomic_load_acquire(flags)"),
    ("wrong-page-reprotected.pre-fix", 2, "READ_ONCE(*flags)", "smp_load_acquire(flags)"),
    ("recycled-entry.pre-fix", 0, "qatomic_set(flags, 2)",
     "qatomic_store_release(flags, 2)"),
]


@pytest.mark.parametrize(("name", "thread", "before", "after"), RING_C_FIXES)
@pytest.mark.parametrize("model", ["armv8", "lkmm"])
def test_c_dirty_ring_real_fix_among_the_cheapest(name: str, thread: int, before: str,
                                                  after: str, model: str) -> None:
    fr = fixed(RING_C / f"{name}.litmus", model)
    assert fr.result.verdict == "Allowed"
    assert fr.repairs

    def real(r: Repair) -> bool:
        return any(c.thread == thread and c.before == before and c.after == (after,)
                   for c in r.changes)

    if model == "armv8":
        assert any(real(r) and len(r.changes) == 1 for r in fr.repairs[:3]), \
            [[c.describe() for c in r.changes] for r in fr.repairs]
    else:  # the LKMM may ask for more than the hardware does, but the fix is part of it
        assert any(real(r) for r in fr.repairs[:3])
    for r in fr.repairs:  # each repair verified anew, under the model itself
        assert verdict_of(patched(fr.test, r.changes), str(fr.test.path), model)[0] == \
            "Forbidden"


@pytest.mark.parametrize("path", sorted(RING_C.glob("*.post-fix.litmus")), ids=lambda p: p.stem)
@pytest.mark.parametrize("model", ["armv8", "x86tso", "lkmm"])
def test_c_dirty_ring_post_fix_nothing_to_fix(path: Path, model: str) -> None:
    fr = fixed(path, model)
    assert fr.result.verdict == "Forbidden"
    assert fr.repairs == ()


# -- the classic shapes: textbook repairs ------------------------------------------------------


def kinds(test: Litmus, r: Repair) -> dict[int, str]:
    """Per thread, what its one change is: the new mnemonic or the inserted fence."""
    out: dict[int, str] = {}
    for c in r.changes:
        assert c.thread not in out, "one change per thread"
        out[c.thread] = " ".join(c.after[-1].split()[:2]) if c.insert else \
            c.after[-1].split()[0]
    return out


def test_sb_x86_mfence_or_xchg_on_both_sides() -> None:
    fr = fixed(CLASSIC / "SB.X86.litmus")
    got = {tuple(sorted(kinds(fr.test, r).items())) for r in fr.repairs}
    assert got == {((0, a), (1, b)) for a in ("MFENCE", "XCHG") for b in ("MFENCE", "XCHG")}
    assert len(fr.repairs) == 4
    # XCHG is the cheaper of the two (README's cost order)
    assert kinds(fr.test, fr.repairs[0]) == {0: "XCHG", 1: "XCHG"}


WRITER = {"STLR", "DMB ISHST", "DMB ISH"}
READER = {"LDAPR", "LDAR", "DMB ISHLD", "DMB ISH"}
LOAD_STORE = {"LDAPR", "LDAR", "STLR", "DMB ISHLD", "DMB ISH"}


@pytest.mark.parametrize(("name", "per_thread"), [
    ("MP", {0: WRITER, 1: READER}),
    ("LB", {0: LOAD_STORE, 1: LOAD_STORE}),
    ("WRC", {1: LOAD_STORE, 2: READER}),
    ("IRIW", {1: READER, 3: READER}),
    ("2+2W", {0: WRITER, 1: WRITER}),
])
def test_classic_armv8_textbook_repairs(name: str, per_thread: dict[int, set[str]]) -> None:
    fr = fixed(CLASSIC / f"{name}.AArch64.litmus")
    assert fr.result.verdict == "Allowed" and fr.complete
    got = {tuple(sorted(kinds(fr.test, r).items())) for r in fr.repairs}
    threads = sorted(per_thread)
    want: set[tuple[tuple[int, str], ...]] = {()}
    for t in threads:
        want = {w + ((t, k),) for w in want for k in per_thread[t]}
    assert got == want


def test_mp_armv8_cheapest_is_release_and_acquire_pc() -> None:
    fr = fixed(CLASSIC / "MP.AArch64.litmus")
    assert kinds(fr.test, fr.repairs[0]) == {0: "STLR", 1: "LDAPR"}
    costs = [r.cost for r in fr.repairs]
    assert costs == sorted(costs)


def test_sb_armv8_needs_full_orderings() -> None:
    fr = fixed(CLASSIC / "SB.AArch64.litmus")
    # a store-load pair: a DMB ISH, or STLR then LDAR (never LDAPR, never ISHLD/ISHST)
    got = set()
    for r in fr.repairs:
        per: dict[int, set[str]] = {}
        for c in r.changes:
            per.setdefault(c.thread, set()).add(
                c.after[0] if c.insert else c.after[0].split()[0])
        got.add(tuple(sorted((t, frozenset(k)) for t, k in per.items())))
    side = {frozenset({"DMB ISH"}), frozenset({"STLR", "LDAR"})}
    assert got == {((0, a), (1, b)) for a in side for b in side}


# -- every repair verified by an independent run, and minimal ---------------------------------


ALLOWED = [p for p in sorted(LITMUS.rglob("*.litmus"))]


@pytest.mark.parametrize("path", ALLOWED, ids=lambda p: p.stem)
def test_every_repair_verified_and_minimal(path: Path) -> None:
    fr = fixed(path)
    model = fr.result.model
    if fr.result.verdict == "Forbidden":
        assert fr.repairs == ()
        return
    for r in fr.repairs:
        assert patched(fr.test, r.changes) == r.text
        assert verdict_of(r.text, str(path), model) == ("Forbidden", r.executions)
        for c in r.changes:
            rest = tuple(x for x in r.changes if x is not c)
            assert verdict_of(patched(fr.test, rest), str(path), model)[0] == "Allowed"


# -- minimality over generated allowed tests -----------------------------------------------------

ops = st.lists(st.tuples(st.sampled_from(["R", "W"]), st.sampled_from(["x", "y"])),
               min_size=2, max_size=2)


def build(threads: list[list[tuple[str, str]]]) -> str:
    rows: list[list[str]] = []
    init = []
    for t, prog in enumerate(threads):
        init.append(f"{t}:X1=x; {t}:X2=y;")
        code = []
        for k, (d, loc) in enumerate(prog):
            base = "X1" if loc == "x" else "X2"
            if d == "R":
                code.append(f"LDR W{10 + k},[{base}]")
            else:
                code.append(f"MOV W{20 + k},#{t + 1}")
                code.append(f"STR W{20 + k},[{base}]")
        rows.append(code)
    height = max(len(c) for c in rows)
    width = max(len(s) for c in rows for s in c) + 1
    lines = [" " + " | ".join(f"P{t}".ljust(width) for t in range(len(rows))) + " ;"]
    for i in range(height):
        cells = [(c[i] if i < len(c) else "").ljust(width) for c in rows]
        lines.append(" " + " | ".join(cells) + " ;")
    return "AArch64 G\n{ " + " ".join(init) + " }\n" + "\n".join(lines) + "\n"


@settings(max_examples=6, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.lists(ops, min_size=2, max_size=3), st.data())
def test_minimality_property(threads: list[list[tuple[str, str]]], data: st.DataObject) -> None:
    body = build(threads)
    regs = [f"{t}:X{10 + k}" for t, prog in enumerate(threads)
            for k, (d, _) in enumerate(prog) if d == "R"]
    where = "locations [" + "".join(f"{r};" for r in regs) + "x;y;]\n"
    probe = parse_text(body + where + "exists (x=0)\n", "gen.litmus")
    arm = check(probe, "armv8", Options())
    sc = check(probe, "sc", Options())
    weak = [s for s in arm.states if s not in set(sc.states)]
    assume(weak)
    state = data.draw(st.sampled_from(weak))
    atoms = " /\\ ".join(f"{loc}={v}" for loc, v in state)
    test = parse_text(body + f"exists ({atoms})\n", "gen.litmus")
    fr = find_repairs(test, resolve_model(test, "armv8"), max_changes=3, max_checks=60)
    assert fr.result.verdict == "Allowed"
    for r in fr.repairs:
        assert verdict_of(r.text, "gen.litmus", "armv8")[0] == "Forbidden"
        for c in r.changes:
            rest = tuple(x for x in r.changes if x is not c)
            assert verdict_of(patched(test, rest), "gen.litmus", "armv8")[0] == "Allowed"


# -- the table editor ----------------------------------------------------------------------------

TABLE = """AArch64 T
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 L0: LDR W0,[X1] | LDR W0,[X1] ;
 STR W0,[X1] |             ;
exists (0:X0=1)
"""


def test_table_edits_keep_other_lines_and_merge_insertions() -> None:
    text, origin = apply(TABLE, 2, [
        Edit(0, 4, "LDAR W0,[X1]", False, "LDR W0,[X1]"),
        Edit(0, 4, "DMB ISH", True),
        Edit(1, 4, "DMB ISHLD", True),
    ])
    lines = text.split("\n")
    assert lines[3] == " L0: LDAR W0,[X1] | LDR W0,[X1] ;"
    assert lines[4].split("|")[0].strip() == "DMB ISH"
    assert lines[4].split("|")[1].rstrip(" ;").strip() == "DMB ISHLD"
    assert lines[5] == " STR W0,[X1] |             ;"
    assert origin[4] == (4, False) and origin[5] == (4, True) and origin[6] == (5, False)
    parse_text(text, "t.litmus")


# -- the command line ---------------------------------------------------------------------------


def test_cli_fix_text_json_and_write(tmp_path: Path) -> None:
    src = CLASSIC / "MP.AArch64.litmus"
    res = CliRunner().invoke(main, ["fix", str(src)])
    assert res.exit_code == 0, res.output
    assert "verified: Forbidden, 3 executions" in res.output
    assert any(line.startswith("+ ") and "LDAPR W0,[X1]" in line
               for line in res.output.splitlines())
    res = CliRunner().invoke(main, ["fix", "--json", "--write", str(tmp_path / "out"),
                                    str(src)])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    assert set(doc) >= {"test", "model", "verdict", "repairs"}
    assert doc["test"] == "MP.AArch64" and doc["model"] == "armv8"
    assert doc["verdict"] == "Allowed"
    first = doc["repairs"][0]
    assert first["verified"] is True and first["cost"] == 3
    assert {tuple(sorted(c)) for c in first["changes"]} == \
        {("after", "before", "line", "thread")}
    assert {(c["thread"], c["line"], c["before"], c["after"]) for c in first["changes"]} == {
        (0, 13, "STR W2,[X3]", "STLR W2,[X3]"), (1, 10, "LDR W0,[X1]", "LDAPR W0,[X1]")}
    written = sorted((tmp_path / "out").iterdir())
    assert not [p for p in written if p.name.startswith(".")]  # no temporary file left
    assert [p.name for p in written] == sorted(
        f"MP.AArch64.fix{i}.litmus" for i in range(1, len(doc["repairs"]) + 1))
    for p in written:
        assert verdict_of(p.read_text(), str(p), "armv8")[0] == "Forbidden"


def test_cli_fix_insertion_line_is_the_line_it_goes_after() -> None:
    path = RING / "stale-entry.pre-fix.AArch64.litmus"
    res = CliRunner().invoke(main, ["fix", "--json", str(path)])
    doc = json.loads(res.output)
    fences = [c for r in doc["repairs"] for c in r["changes"] if c["before"] == ""]
    assert fences and all(c["line"] == 30 and c["after"].startswith("DMB") for c in fences)


def test_cli_fix_forbidden_and_no_repair(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["fix", "--json", str(CLASSIC / "MP+rel+acq.AArch64.litmus")])
    assert res.exit_code == 0
    assert json.loads(res.output)["repairs"] == []
    res = CliRunner().invoke(main, ["fix", str(CLASSIC / "MP+rel+acq.AArch64.litmus")])
    assert "nothing to fix" in res.output
    res = CliRunner().invoke(main, ["fix", str(RING / "page-read-before-reset.pre-fix.X86.litmus")])
    assert res.exit_code == 1
    assert "No repair" in res.output


def test_cli_fix_max_changes_limit() -> None:
    path = CLASSIC / "MP.AArch64.litmus"
    res = CliRunner().invoke(main, ["fix", "--max-changes", "1", str(path)])
    assert res.exit_code == 1
    assert "at most 1" in res.output


def test_cli_fix_bad_input(tmp_path: Path) -> None:
    bad = tmp_path / "bad.litmus"
    bad.write_text("AArch64 B\n{ }\n P0 ;\n FOO W0 ;\nexists (0:X0=0)\n")
    res = CliRunner().invoke(main, ["fix", str(bad)])
    assert res.exit_code == 3
    assert "bad.litmus:4:" in res.output


def test_explain_shows_the_kernel_thread_reordering() -> None:
    path = RING / "wrong-page-reprotected.pre-fix.AArch64.litmus"
    res = CliRunner().invoke(main, ["explain", str(path)])
    assert res.exit_code == 0
    tail = res.output.split("does not order these program-order edges:")[1]
    assert "R flags=2 -po->" in tail and "R offset=0" in tail
    assert "R flags=1 -po->" not in tail


def test_check_suggest_fix_in_text_json_and_junit(tmp_path: Path) -> None:
    import shutil
    import xml.etree.ElementTree as ET

    shutil.copy(CLASSIC / "MP.AArch64.litmus", tmp_path)
    shutil.copy(CLASSIC / "MP.X86.litmus", tmp_path)
    (tmp_path / "expectations.txt").write_text(
        "MP.AArch64 armv8=Forbidden sc=Forbidden\nMP.X86 x86tso=Forbidden\n")
    rj, rx = tmp_path / "r.json", tmp_path / "r.xml"
    res = CliRunner().invoke(main, ["check", "--suggest-fix", "--json", str(rj),
                                    "--junit", str(rx), str(tmp_path)])
    assert res.exit_code == 1
    assert "cheapest repair (cost 3, verified: Forbidden, 3 executions)" in res.output
    assert "P0 line 13: STR W2,[X3] -> STLR W2,[X3]" in res.output
    results = json.loads(rj.read_text())["results"]
    failed = [r for r in results if r["status"] == "failed"]
    assert len(failed) == 1 and failed[0]["fix"]["cost"] == 3
    assert failed[0]["fix"]["verified"] is True
    assert all("fix" not in r for r in results if r["status"] != "failed")
    failure = ET.parse(rx).getroot().find(".//failure")
    assert failure is not None and "cheapest repair" in (failure.text or "")
    # without the flag: no repair is searched
    res = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert "cheapest repair" not in res.output


# -- the rewriters --------------------------------------------------------------------------------


def test_aarch64_strengthenings() -> None:
    from mmcheck.repair.aarch64 import AARCH64
    from mmcheck.repair.rewriters import Role

    def forms(text: str, role: Role) -> dict[str, int]:
        return {v.texts[0]: v.cost for v in AARCH64.strengthen(text, role, set())}

    first_r = Role("first", "R", "R")
    assert forms("LDR W0,[X1]", first_r) == {"LDAPR W0,[X1]": 1, "LDAR W0,[X1]": 2}
    assert forms("LDR W0,[X1,#0]", first_r) == {"LDAPR W0,[X1]": 1, "LDAR W0,[X1]": 2}
    assert forms("LDR W0,[X1,#8]", first_r) == {}  # no acquire form with an offset
    assert forms("LDRB W0,[X1]", first_r) == {"LDAPRB W0,[X1]": 1, "LDARB W0,[X1]": 2}
    # after a release, only an RCsc acquire orders a load
    assert forms("LDR W0,[X1]", Role("second", "R", "W")) == {"LDAR W0,[X1]": 2}
    assert forms("LDAPR W0,[X1]", Role("second", "R", "W")) == {"LDAR W0,[X1]": 1}
    assert forms("STR W0,[X1]", Role("second", "W", "R")) == {"STLR W0,[X1]": 2}
    assert forms("STR W0,[X1]", Role("first", "W", "W")) == {}  # a release orders before it
    assert forms("LDXR W0,[X1]", first_r) == {"LDAXR W0,[X1]": 2}
    assert forms("STXR W2,W0,[X1]", Role("second", "W", "R")) == {"STLXR W2,W0,[X1]": 2}
    assert forms("SWP W0,W1,[X2]", first_r) == {"SWPA W0,W1,[X2]": 2, "SWPAL W0,W1,[X2]": 3}
    assert forms("SWPL W0,W1,[X2]", first_r) == {"SWPAL W0,W1,[X2]": 1}
    assert forms("CAS W0,W1,[X2]", Role("second", "W", "W")) == \
        {"CASL W0,W1,[X2]": 2, "CASAL W0,W1,[X2]": 3}
    assert forms("LDADDA W0,W1,[X2]", Role("second", "W", "W")) == \
        {"LDADDAL W0,W1,[X2]": 1}
    assert forms("STADD W0,[X2]", first_r) == {}  # no acquire form of a store-only atomic
    assert forms("STADD W0,[X2]", Role("second", "W", "W")) == {"STADDL W0,[X2]": 2}
    fences = [v.texts[0] for v in AARCH64.fences("R", "W")]
    assert fences == ["DMB ISHLD", "DMB ISH"]
    assert [v.texts[0] for v in AARCH64.fences("W", "W")] == ["DMB ISHST", "DMB ISH"]
    assert [v.texts[0] for v in AARCH64.fences("W", "R")] == ["DMB ISH"]


def test_x86_locked_store_uses_a_free_register() -> None:
    from mmcheck.repair.rewriters import Role
    from mmcheck.repair.x86 import INTEL

    role = Role("first", "W", "R")
    (v,) = INTEL.strengthen("MOV [x],$1", role, {"ECX", "EAX"})
    assert v.texts == ("MOV EDX,$1", "XCHG [x],EDX")
    assert INTEL.strengthen("MOV EAX,[x]", role, set()) == []
    assert INTEL.strengthen("MOV [x],$1", Role("second", "W", "W"), set()) == []


MP_SWP = """AArch64 MP+swp
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1             ;
 MOV W0,#1   | MOV W9,#2      ;
 STR W0,[X1] | SWP W9,W0,[X1] ;
 MOV W2,#1   | LDR W2,[X3]    ;
 STLR W2,[X3] |               ;
exists (1:X0=1 /\\ 1:X2=0)
"""

R_RFI = """X86 R+mfence+rfi-po
{ }
 P0         | P1          ;
 MOV [x],$1 | MOV [y],$2  ;
 MFENCE     | MOV EAX,[y] ;
 MOV [y],$1 | MOV EBX,[x] ;
exists (y=2 /\\ 1:EAX=2 /\\ 1:EBX=0)
"""


def test_rmw_made_acquire() -> None:
    test = parse_text(MP_SWP, "mp-swp.litmus")
    fr = find_repairs(test, resolve_model(test, "armv8"), max_repairs=0)
    single = {r.changes[0].after[0] for r in fr.repairs if len(r.changes) == 1}
    assert {"SWPA W9,W0,[X1]", "SWPAL W9,W0,[X1]"} <= single
    assert fr.repairs[0].changes[0].after[0] in ("LDAPR W0,[X1]", "SWPA W9,W0,[X1]")


def test_store_forwarded_to_a_load_is_fenced() -> None:
    # each program-order step of the cycle is ordered on its own (a store forwarded to a
    # load, then a load), but the store and the last load are not: MFENCE or XCHG
    test = parse_text(R_RFI, "r-rfi.litmus")
    fr = find_repairs(test, resolve_model(test, "x86tso"))
    got = {(c.thread, c.after[-1].split()[0]) for r in fr.repairs for c in r.changes}
    assert got == {(1, "XCHG"), (1, "MFENCE")}


# -- C under the LKMM ----------------------------------------------------------------------------

C_MP = """C MP+onces

{}

P0(int *buf, int *flag)
{
	WRITE_ONCE(*buf, 1);
	WRITE_ONCE(*flag, 1);
}

P1(int *buf, int *flag)
{
	int r0;
	int r1;

	r0 = READ_ONCE(*flag);
	r1 = READ_ONCE(*buf);
}

exists (1:r0=1 /\\ 1:r1=0)
"""

C_LB_XCHG = """C LB+xchg-relaxed

{}

P0(int *x, int *y)
{
	int r0;

	r0 = xchg_relaxed(x, 2);
	WRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
	int r1;

	r1 = READ_ONCE(*y);
	smp_mb();
	WRITE_ONCE(*x, 1);
}

exists (0:r0=1 /\\ 1:r1=1)
"""


def _c(text: str) -> FixResult:
    test = parse_text(text, "c.litmus")
    return find_repairs(test, resolve_model(test, "lkmm"), max_repairs=0)


def test_c_mp_release_and_acquire() -> None:
    fr = _c(C_MP)
    assert fr.result.verdict == "Allowed" and fr.complete
    best = fr.repairs[0]
    assert {(c.thread, c.before, c.after[0]) for c in best.changes} == {
        (0, "WRITE_ONCE(*flag, 1)", "smp_store_release(flag, 1)"),
        (1, "READ_ONCE(*flag)", "smp_load_acquire(flag)")}
    per = {tuple(sorted((c.thread, c.after[0].split("(")[0]) for c in r.changes))
           for r in fr.repairs}
    writer = {"smp_store_release", "smp_wmb", "smp_mb"}
    reader = {"smp_load_acquire", "smp_rmb", "smp_mb"}
    assert per == {((0, w), (1, r)) for w in writer for r in reader}
    for r in fr.repairs:
        assert verdict_of(r.text, "c.litmus", "lkmm") == ("Forbidden", r.executions)
        for c in r.changes:
            rest = tuple(x for x in r.changes if x is not c)
            assert verdict_of(patched_c(fr.test, rest), "c.litmus", "lkmm")[0] == "Allowed"


def patched_c(test: Litmus, changes: tuple[Change, ...]) -> str:
    return patched(test, changes)


def test_c_relaxed_rmw_made_acquire() -> None:
    fr = _c(C_LB_XCHG)
    afters = {c.after[0] for r in fr.repairs if len(r.changes) == 1 for c in r.changes}
    assert "xchg_acquire(x, 2)" in afters and "xchg(x, 2)" in afters
    assert "smp_store_release(y, 1)" in afters
    lines = fr.repairs[0].text.splitlines()
    assert "\tr0 = xchg_acquire(x, 2);" in lines or "\tsmp_store_release(y, 1);" in lines


def test_c_insertion_is_a_statement_of_its_own() -> None:
    fr = _c(C_MP)
    fenced = next(r for r in fr.repairs if all(c.insert for c in r.changes))
    lines = fr.repairs[0].text.splitlines()
    assert lines  # the cheapest is in place
    text = fenced.text.splitlines()
    assert "\tsmp_wmb();" in text or "\tsmp_mb();" in text


C_CORPUS = Path(__file__).parent.parent / ".." / "shared" / "conformance" / "c-lkmm"


@pytest.mark.skipif(not C_CORPUS.is_dir(), reason="no ../shared/conformance/c-lkmm")
@pytest.mark.parametrize("name", ["MP+poonceonces", "LB+poonceonces", "SB+poonceonces",
                                  "WRC+poonceonces+Once", "MP+pooncerelease+poacquireonce"])
def test_c_lkmm_corpus_repairs_verified(name: str) -> None:
    path = C_CORPUS / f"{name}.litmus"
    fr = fixed(path, "lkmm")
    if fr.result.verdict == "Forbidden":
        assert fr.repairs == ()
        return
    assert fr.repairs
    for r in fr.repairs:
        assert verdict_of(r.text, str(path), "lkmm")[0] == "Forbidden"


C_2_2W_WMB = """C 2+2W+wmbs

{}

P0(int *x, int *y)
{
	WRITE_ONCE(*x, 2);
	smp_wmb();
	WRITE_ONCE(*y, 1);
}

P1(int *x, int *y)
{
	WRITE_ONCE(*y, 2);
	smp_wmb();
	WRITE_ONCE(*x, 1);
}

exists (x=2 /\\ y=2)
"""


def test_c_barrier_that_does_not_propagate_is_strengthened() -> None:
    # the LKMM orders each thread's two writes (smp_wmb), yet allows 2+2W: only a strong
    # fence on both sides forbids it
    fr = _c(C_2_2W_WMB)
    assert fr.result.verdict == "Allowed"
    assert fr.repairs
    best = fr.repairs[0]
    assert {(c.thread, c.after[0]) for c in best.changes} == {(0, "smp_mb();"),
                                                                (1, "smp_mb();")}
    assert verdict_of(best.text, "c.litmus", "lkmm")[0] == "Forbidden"


def test_cli_fix_table_it_cannot_edit(tmp_path: Path) -> None:
    # two rows on one line: the test runs, but fix cannot patch it (exit 3, says why)
    path = tmp_path / "two-rows.litmus"
    path.write_text("AArch64 T\n{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }\n"
                    " P0          | P1          ;\n"
                    " MOV W0,#1   | LDR W0,[X1] ; STR W0,[X1] | LDR W2,[X3] ;\n"
                    " MOV W2,#1   |             ;\n"
                    " STR W2,[X3] |             ;\n"
                    "exists (1:X0=1 /\\ 1:X2=0)\n")
    res = CliRunner().invoke(main, ["fix", str(path)])
    assert res.exit_code == 3, res.output
    assert "one row per line" in res.output


@pytest.mark.parametrize("name", ["ISA2.AArch64", "IRIW.AArch64", "MP.AArch64",
                                  "SB.X86", "S.AArch64"])
def test_the_listed_repairs_are_the_cheapest(name: str) -> None:
    # --max-repairs stops the search early; what it lists is the head of the full list
    test = parse_file(CLASSIC / f"{name}.litmus")
    some = find_repairs(test, resolve_model(test, None), max_repairs=5)
    every = fixed(CLASSIC / f"{name}.litmus")
    assert [r.cost for r in some.repairs] == [r.cost for r in every.repairs][:5]


def build_x86(threads: list[list[tuple[str, str]]]) -> str:
    rows = []
    for t, prog in enumerate(threads):
        code = []
        for k, (d, loc) in enumerate(prog):
            code.append(f"MOV {('EAX', 'EBX')[k]},[{loc}]" if d == "R" else
                        f"MOV [{loc}],${t + 1}")
        rows.append(code)
    height = max(len(c) for c in rows)
    width = max(len(s) for c in rows for s in c) + 1
    lines = [" " + " | ".join(f"P{t}".ljust(width) for t in range(len(rows))) + " ;"]
    for i in range(height):
        cells = [(c[i] if i < len(c) else "").ljust(width) for c in rows]
        lines.append(" " + " | ".join(cells) + " ;")
    return "X86 G\n{ }\n" + "\n".join(lines) + "\n"


@settings(max_examples=5, deadline=None,
          suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.lists(ops, min_size=2, max_size=3), st.data())
def test_minimality_property_x86(threads: list[list[tuple[str, str]]],
                                 data: st.DataObject) -> None:
    body = build_x86(threads)
    regs = [f"{t}:{('EAX', 'EBX')[k]}" for t, prog in enumerate(threads)
            for k, (d, _) in enumerate(prog) if d == "R"]
    where = "locations [" + "".join(f"{r};" for r in regs) + "x;y;]\n"
    probe = parse_text(body + where + "exists (x=0)\n", "gen.litmus")
    tso = check(probe, "x86tso", Options())
    sc = check(probe, "sc", Options())
    weak = [s for s in tso.states if s not in set(sc.states)]
    assume(weak)
    state = data.draw(st.sampled_from(weak))
    atoms = " /\\ ".join(f"{loc}={v}" for loc, v in state)
    test = parse_text(body + f"exists ({atoms})\n", "gen.litmus")
    fr = find_repairs(test, resolve_model(test, "x86tso"), max_changes=3, max_checks=60)
    # store buffering is all x86-TSO relaxes: a fence always helps
    assert fr.repairs or not fr.complete
    for r in fr.repairs:
        assert verdict_of(r.text, "gen.litmus", "x86tso")[0] == "Forbidden"
        for c in r.changes:
            rest = tuple(x for x in r.changes if x is not c)
            assert verdict_of(patched(test, rest), "gen.litmus", "x86tso")[0] == "Allowed"
