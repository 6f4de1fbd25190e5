"""The C litmus dialect: parsing, events, and runs under sc."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmcheck.check import check, compile_programs
from mmcheck.errors import UserError
from mmcheck.events import FENCE, READ, WRITE
from mmcheck.litmus.ast import Mem, Reg, Sym
from mmcheck.litmus.c_ast import Call, Deref, ExprStmt, Var
from mmcheck.litmus.parse import parse_text
from mmcheck.semantics.runner import thread_traces

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "conformance" / "c-lkmm"

MP = """C MP+once
"message passing"
(* Result: Never *)
{
    int x = 0;
    int *p = &x;
    atomic_t a = ATOMIC_INIT(2);
    spinlock_t s;
    y=1;
}

P0(int *x, int *y) // writer
{
    WRITE_ONCE(*x, 1);  /* data */
    smp_store_release(y, 2);
}

P1(int *x, volatile int *y)
{
    int r0;
    int r1 = smp_load_acquire(y);
    r0 = READ_ONCE(*x);
}

exists (1:r1=2 /\\ 1:r0=0)
"""


def test_parse_header_init_threads() -> None:
    t = parse_text(MP)
    assert t.arch == "C" and t.name == "MP+once" and t.description == "message passing"
    init = dict(t.init)
    assert init[Mem("x")] == 0 and init[Mem("p")] == Sym("x") and init[Mem("a")] == 2
    assert init[Mem("s")] == 0 and init[Mem("y")] == 1
    assert t.program is not None
    p0 = t.program.threads[0]
    assert [p.name for p in p0.params] == ["x", "y"]
    first = p0.body.body[0]
    assert isinstance(first, ExprStmt) and isinstance(first.expr, Call)
    assert first.expr.name == "WRITE_ONCE"
    assert first.expr.args[0] == Deref(Var("x", first.span), first.span)
    assert t.condition.quantifier == "exists"


def test_sc_run_counts() -> None:
    r = check(parse_text(MP), "sc")
    assert r.unsupported is None
    states = {tuple(sorted((str(k), str(v)) for k, v in s)) for s in r.states}
    # under SC the acquire load seeing 2 implies the write of x is seen
    assert (("1:r0", "0"), ("1:r1", "2")) not in states
    assert r.positive == 0


def _events(src: str, thread: int = 0) -> list[list[tuple[str, str | None, frozenset[str]]]]:
    t = parse_text(src)
    prog = compile_programs(t)[thread]
    traces = thread_traces(prog, lambda loc: [0, 1])
    return [[(e.dir, e.loc, e.tags) for e in tr.events] for tr in traces]


def test_xchg_has_mb_fences_and_rmw() -> None:
    src = "C t\n{}\nP0(int *x) { int r0; r0 = xchg(x, 1); }\nexists (0:r0=0)\n"
    evs = _events(src)
    assert evs[0] == [
        (FENCE, None, frozenset({"Mb"})),
        (READ, "x", frozenset({"Once", "RMW"})),
        (WRITE, "x", frozenset({"Once", "RMW"})),
        (FENCE, None, frozenset({"Mb"})),
    ]


def test_cmpxchg_failure_has_no_fences() -> None:
    src = "C t\n{}\nP0(int *x) { int r0; r0 = cmpxchg_acquire(x, 0, 1); }\nexists (0:r0=0)\n"
    evs = _events(src)
    assert [(READ, "x", frozenset({"Acquire", "RMW"})),
            (WRITE, "x", frozenset({"Once", "RMW"}))] in evs
    assert [(READ, "x", frozenset({"Once", "RMW"}))] in evs


def test_spin_lock_events() -> None:
    src = "C t\n{}\nP0(spinlock_t *s) { spin_lock(s); spin_unlock(s); }\nexists (s=0)\n"
    assert _events(src) == [[(READ, "s", frozenset({"LKR"})), (WRITE, "s", frozenset({"LKW"})),
                             (WRITE, "s", frozenset({"UL"}))]]


def test_ctrl_only_inside_branch() -> None:
    src = ("C t\n{}\nP0(int *x, int *y, int *z) { int r0; r0 = READ_ONCE(*x);\n"
           " if (r0) WRITE_ONCE(*y, 1); WRITE_ONCE(*z, 1); }\nexists (0:r0=0)\n")
    t = parse_text(src)
    prog = compile_programs(t)[0]
    traces = thread_traces(prog, lambda loc: [0, 1])
    taken = next(tr for tr in traces if len(tr.events) == 3)
    assert taken.events[1].ctrl == 1 and taken.events[2].ctrl == 0


def test_unknown_primitive_is_unsupported() -> None:
    src = "C t\n{}\nP0(int *x) { frob(x); }\nexists (x=0)\n"
    t = parse_text(src)
    assert t.unsupported is not None and "frob" in t.unsupported and "line 3" in t.unsupported


def test_syntax_error_has_position() -> None:
    src = "C t\n{}\nP0(int *x) {\n  WRITE_ONCE(*x, 1)\n}\nexists (x=0)\n"
    with pytest.raises(UserError) as e:
        parse_text(src)
    assert e.value.span is not None and e.value.span.line == 5


def test_register_and_memory_in_condition() -> None:
    t = parse_text("C t\n{}\nP0(int *x) { int r1; r1 = *x; *x = r1 + 1; }\n"
                   "exists (0:r1=0 /\\ x=1)\n")
    r = check(t, "sc")
    assert r.positive == 1 and r.negative == 0
    assert Reg(0, "r1") in {a for s in r.states for a, _ in s}


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no conformance corpus")
def test_corpus_runs_under_sc() -> None:
    for f in sorted(CORPUS.glob("*.litmus")):
        t = parse_text(f.read_text(), str(f))
        r = check(t, "sc")
        assert r.unsupported is None, (f.name, r.unsupported)
        assert r.positive + r.negative > 0, f.name


INIT_VARIANTS = """C init-variants
{
  unsigned long a = 3;
  int b=-1;
  volatile int c = 2;
  struct srcu_struct s;
  spinlock_t l;
  atomic_t v = ATOMIC_INIT(5);
  int *p = &c;
  int* q = c;
  d = 7;
  e=&d;
  0:r9 = 4;
  int f;
}
P0(unsigned long *a, int *b, volatile int *c, atomic_t *v, int **p, int *d, int **e)
{
  int r1 = READ_ONCE(*a) + READ_ONCE(*b) + READ_ONCE(*c) + atomic_read(v) + r9;
  int *r2 = READ_ONCE(*p);
  r3 = READ_ONCE(*r2);
  r5 = READ_ONCE(*e); r4 = READ_ONCE(*r5);
}
exists (0:r1=13 /\\ 0:r2=c /\\ 0:r3=2 /\\ 0:r4=7 /\\ a=3 /\\ p=c)
"""


def test_init_forms_and_pointers() -> None:
    r = check(parse_text(INIT_VARIANTS), "sc")
    assert (r.observation, r.positive, r.negative) == ("Always", 1, 0)


def test_arrays_are_unsupported_not_an_error() -> None:
    t = parse_text("C arr\n{ int x[2] = {1,2}; }\nP0(int *x) { int r0; r0 = READ_ONCE(*x); }\n"
                   "exists (0:r0=0)\n")
    assert t.unsupported is not None and t.unsupported.startswith("arrays")


def test_architecture_models_named_at_the_header() -> None:
    from mmcheck.check import resolve_model

    # A C test fits every model: x86tso and armv8 check it compiled (mmcheck.compile).
    t = parse_text(MP, "mp.litmus")
    assert resolve_model(t, "x86tso").name == "x86tso"
    assert resolve_model(t, "armv8").name == "armv8"
    sb = parse_text("X86 SB\n{}\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n"
                    "exists (x=1)\n", "sb.litmus")
    with pytest.raises(UserError) as e:
        resolve_model(sb, "lkmm")
    assert "does not fit an X86 test (use one of: sc, x86tso)" in e.value.message
    assert e.value.span is not None and e.value.span.line == 1


def test_c_style_event_labels() -> None:
    from mmcheck.events import Event
    from mmcheck.explain import event_text

    w = Event(2, 0, 0, WRITE, "x", 1, frozenset({"Once"}))
    r = Event(3, 0, 1, READ, "flags", 0, frozenset({"Acquire", "RMW"}))
    f = Event(4, 0, 2, FENCE, None, None, frozenset({"Mb"}))
    assert event_text(w, "a") == "a: W[once] x=1"
    assert event_text(r, "b") == "b: R*[acquire] flags=0"
    assert event_text(f, "c") == "c: F[mb]"


def test_kernel_result_line_is_the_lkmm_expectation(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from mmcheck.cli import main
    from mmcheck.regress import kernel_result

    t = parse_text(MP)
    assert kernel_result(t) == "Never"
    (tmp_path / "MP.litmus").write_text(MP)
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--json", str(out)])
    rows = json.loads(out.read_text())["results"]
    assert [(r["model"], r["expected"], r["expected_from"]) for r in rows] == [
        ("lkmm", "Forbidden", "Result: Never")]
    assert "Forbidden (Result: Never)" in res.stdout
    # Naming another model skips the test: its only expectation is about lkmm.
    res = CliRunner().invoke(main, ["check", "--model", "sc", str(tmp_path)])
    assert "0 passed, 0 failed" in res.stdout


def test_rcu_chains_generator() -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))
    from rcu_chains import chain, expected

    from mmcheck.regress import kernel_result

    assert [expected(k) for k in ("GR", "RR", "GRR", "GGR", "R")] == [
        "Never", "Sometimes", "Sometimes", "Never", "Sometimes"]
    name, text = chain("GRGR")
    t = parse_text(text)
    assert t.name == name == "RCU-LB+rw-g+rw-r+rw-g+rw-r"
    assert kernel_result(t) == "Never"
    r = check(t, "sc")  # a cycle: no interleaving has every read see 1
    assert (r.positive, r.negative) == (0, 15)


def test_short_circuit_right_operand_depends_on_the_left() -> None:
    src = ("C t\n{}\nP0(int *x, int *y) { int r0; int r1; r0 = READ_ONCE(*x);\n"
           " r1 = r0 && READ_ONCE(*y); }\nexists (0:r1=1)\n")
    traces = thread_traces(compile_programs(parse_text(src))[0], lambda loc: [0, 1])
    both = [tr for tr in traces if len(tr.events) == 2]
    assert both and all(tr.events[1].ctrl == 1 for tr in both)
    assert any(len(tr.events) == 1 for tr in traces)  # x=0: y is never read


_BAD_STORE = """C bad-store
{}
P0(int *x, int *y)
{
\tWRITE_ONCE(*x, 1);
\tsmp_store_release(*y, 1);
}
P1(int *x, int *y)
{
\tint r0;
\tr0 = smp_load_acquire(y);
}
exists (1:r0=1)
"""


def test_a_thread_left_with_no_execution_by_a_bad_address_is_an_error() -> None:
    # *y holds 0, so smp_store_release(*y, 1) stores through 0 on every path: the test
    # is reported at that store (as herd7 rejects it), not answered with no states.
    test = parse_text(_BAD_STORE, "bad.litmus")
    with pytest.raises(UserError) as e:
        check(test, "lkmm")
    assert e.value.span is not None and (e.value.span.line, e.value.span.col) == (6, 2)
    assert "P0" in e.value.message and "value 0" in e.value.message


def test_a_pointer_that_is_sometimes_no_address_drops_those_executions_only() -> None:
    src = """C ptr
{ int *p = 0; }
P0(int **p, int *x) { WRITE_ONCE(*p, x); }
P1(int **p) { int *r0; int r1; r0 = READ_ONCE(*p); r1 = READ_ONCE(*r0); }
exists (1:r1=0)
"""
    res = check(parse_text(src, "ptr.litmus"), "lkmm")
    assert (res.positive, res.negative) == (1, 0)


def test_constants_with_a_leading_zero_are_decimal_as_herd7_reads_them() -> None:
    """herd7's C lexer reads a run of digits as decimal: ``010`` is ten (C would say
    eight), in the code and in the init block alike; ``0x`` is hexadecimal."""
    r = check(parse_text("C T\n{ x=010; y=0x10; }\n"
                         "P0(int *x, int *y) { int r0; int r1;\n"
                         "  r0 = READ_ONCE(*x); r1 = READ_ONCE(*y); WRITE_ONCE(*x, 011); }\n"
                         "exists (0:r0=10 /\\ 0:r1=16 /\\ x=11)\n"))
    assert r.verdict == "Allowed" and r.positive == 1 and r.negative == 0
    r = check(parse_text("C T\n{}\nP0(int *x) { WRITE_ONCE(*x, 01); }\nexists (x=1)\n"))
    assert r.observation == "Always"


def test_array_cells_with_a_leading_zero_are_decimal() -> None:
    r = check(parse_text("AArch64 T\n{ int x[2] = {01,2}; 0:X1=x; }\n P0 ;\n LDR W0,[X1] ;\n"
                         "exists (0:X0=1)\n"))
    assert r.observation == "Always"


def test_writes_before_a_dropped_access_still_give_memory_its_values() -> None:
    """P1 publishes x's address in z, then reads z back and dereferences it: the path that
    reads z's initial 0 is dropped at the dereference, but its write of &x is what lets
    the other read see x (herd7: 3 states, Sometimes 1 2)."""
    r = check(parse_text(
        "C T\n{}\nP0(int *x, int *y) { WRITE_ONCE(*x, 1); smp_store_release(y, 1); }\n"
        "P1(int *x, int *y, int *z) { r1 = READ_ONCE(*y);\n"
        "  if (r1) { WRITE_ONCE(*z, x); r2 = READ_ONCE(*z); r3 = READ_ONCE(*r2); } }\n"
        "exists (1:r1=1 /\\ 1:r2=x /\\ 1:r3=0)\n"))
    assert (r.observation, r.positive, r.negative, len(r.states)) == ("Sometimes", 1, 2, 3)


def test_a_stray_line_before_the_init_block_is_skipped_as_herd7_does() -> None:
    """As in the assembly dialects: a second header-like line ('C rwsem') is skipped; a
    line with a separator there is still a mistake."""
    body = "{ x=0; }\nP0(int *x) { WRITE_ONCE(*x, 1); }\nexists (x=1)\n"
    r = check(parse_text("C JanStancek-rwsem\nC rwsem\n\n" + body))
    assert r.name == "JanStancek-rwsem" and r.observation == "Always"
    with pytest.raises(UserError, match="expected the init block"):
        parse_text("C T\nP0 ; stray\n" + body)


THIN_AIR = """C branch-thin-air
{}
P0(int *x, int *y)
{
    int r1;
    r1 = 2;
    if (READ_ONCE(*x) != 0)
        r1 = 3;
    WRITE_ONCE(*y, r1);
}
P1(int *x, int *y)
{
    int r2;
    r2 = READ_ONCE(*y);
    WRITE_ONCE(*x, r2);
}
exists (0:r1=3)
"""


def test_a_write_only_a_self_justifying_branch_reaches_counts_as_herd7_finds_it() -> None:
    """P0 writes 3 only where it read a value other than 0, and x gets 3 only by P1
    copying that write back: the value 3 is reached by no chain from the initial state,
    but herd7 takes both sides of the branch, and the LKMM does not order the write
    after the join (herd7: 2 states, Sometimes 1 3).  SC forbids the cycle."""
    test = parse_text(THIN_AIR)
    r = check(test)
    assert (r.observation, r.positive, r.negative) == ("Sometimes", 1, 3)
    assert sorted(dict(s)[Reg(0, "r1")] for s in r.states) == [2, 3]
    assert check(test, "sc").observation == "Never"


def test_a_loop_that_no_known_value_leaves_still_gives_its_later_writes() -> None:
    """x only ever holds 0 from the initial state, so the loop never ends, unless x
    holds 1: herd7 finds that (P1 copies P0's write of y back), 3 states, Sometimes 1 2."""
    r = check(parse_text(
        "C loop-thin-air\n{}\n"
        "P0(int *x, int *y) { int r1 = 0; while (READ_ONCE(*x) == 0) r1 = r1 + 1;\n"
        "  WRITE_ONCE(*y, 1); }\n"
        "P1(int *x, int *y) { int r2; r2 = READ_ONCE(*y); WRITE_ONCE(*x, r2); }\n"
        "exists (0:r1=0)\n"))
    assert (r.observation, r.positive, r.negative, len(r.states)) == ("Sometimes", 1, 2, 3)


def test_unknown_writes_are_the_writes_no_read_feeds_on_every_side() -> None:
    from mmcheck.semantics.runner import unknown_writes

    p0, p1 = compile_programs(parse_text(THIN_AIR))
    assert unknown_writes(p0) == {("y", 3)}  # the branch that a read of 0 does not take
    assert unknown_writes(p1) == set()  # P1 writes only what it read
    looping = compile_programs(parse_text(
        "C T\n{}\nP0(int *x) { while (READ_ONCE(*x) != 7) ; WRITE_ONCE(*x, 1); }\n"
        "exists (x=1)\n"))[0]
    assert unknown_writes(looping) == set() and not looping.cut  # its loop cut, unrecorded


def _copy_cycle(load: str, store: str) -> str:
    return ("C copy-cycle\n{}\n"
            f"P0(int *x, int *y) {{ int r1; r1 = {load % 'x'}; {store % ('y', 'r1')}; }}\n"
            f"P1(int *x, int *y) {{ int r1; r1 = {load % 'y'}; {store % ('x', 'r1')}; }}\n"
            "exists (~0:r1=0 \\/ ~1:r1=0)\n")


def test_a_value_out_of_thin_air_is_unsupported_where_the_model_allows_it() -> None:
    """Plain copies each way: the LKMM allows the execution where each read takes its
    value from the other's copy of it.  herd7 answers with a symbolic value (Sometimes,
    a state 0:r1=S8); mmcheck says it cannot, naming the read, in both searches.  SC and
    the LKMM with marked accesses forbid the cycle: those answers stand."""
    from mmcheck.check import Options

    plain = parse_text(_copy_cycle("*%s", "*%s = %s"))
    for opts in (Options(), Options(verdict=True)):
        r = check(plain, "lkmm", opts)
        assert r.unsupported is not None and "out of thin air" in r.unsupported
        assert "read of" in r.unsupported
    assert (check(plain, "sc").observation, check(plain, "sc").negative) == ("Never", 3)
    marked = check(parse_text(_copy_cycle("READ_ONCE(*%s)", "WRITE_ONCE(*%s, %s)")))
    assert marked.unsupported is None and marked.observation == "Never"


def test_thin_air_is_looked_for_only_where_data_can_flow_round_the_locations() -> None:
    from mmcheck import thin_air
    from mmcheck.check import prepare

    assert thin_air.possible(prepare(parse_text(_copy_cycle("*%s", "*%s = %s")))[1])
    assert not thin_air.possible(prepare(parse_text(MP))[1])
    assert not thin_air.possible(prepare(parse_text(THIN_AIR))[1])  # a branch, no data


UNSEEN_CYCLE = """C copy-cycle-unseen
{}
P0(int *a, int *b, int *x, int *y) { int r1; r1 = READ_ONCE(*x); *a = *b; WRITE_ONCE(*y, 1); }
P1(int *a, int *b, int *x, int *y) { int r1; r1 = READ_ONCE(*y); *b = *a; WRITE_ONCE(*x, 1); }
exists (0:r1=1 /\\ 1:r1=1)
"""


def test_a_copy_cycle_nothing_shows_is_counted_as_herd7_counts_it() -> None:
    """a and b copy each other in a cycle, but the final state shows neither: herd7's one
    symbolic execution is mmcheck's one with the initial value (Sometimes 4 12).  Once the
    condition looks at a, herd7 shows the symbol ([a]=S11) and mmcheck says it cannot."""
    r = check(parse_text(UNSEEN_CYCLE))
    assert (r.unsupported, r.observation, r.positive, r.negative) == (None, "Sometimes", 4, 12)
    seen = check(parse_text(UNSEEN_CYCLE.replace("1:r1=1)", "a=0)")))
    assert seen.unsupported is not None and "P0's read of b" in seen.unsupported
