"""The C -> assembly mappings, on hand-built programs (independent of the C parser).

Each compiled test is parsed back by mmcheck's own AArch64/X86_64 front end and checked,
so a mapping bug shows as a wrong verdict.
"""

from __future__ import annotations

import pytest

from mmcheck.check import check
from mmcheck.compile.codegen import Options
from mmcheck.compile.emit import compile_program
from mmcheck.compile.ir import Assign, Bin, Call, Const, Deref, Do, If, Local, Program, Thread, Var
from mmcheck.errors import Unsupported
from mmcheck.litmus.ast import And, Atom, Condition, Reg
from mmcheck.litmus.parse import parse_text


def verdict(prog: Program, arch: str, atomics: str = "lse") -> str:
    text = compile_program(prog, arch, Options(atomics))
    test = parse_text(text, f"{prog.name}.litmus")
    result = check(test)
    assert result.status == "ok", result.unsupported
    return "Allowed" if result.positive else "Forbidden"


def sb(first: Call, second: str = "atomic_load_explicit") -> Program:
    """SB: each thread does ``first`` on its own variable, then a relaxed load."""
    threads = []
    for i, (a, b) in enumerate((("x", "y"), ("y", "x"))):
        call = Call(first.name, tuple(Var(a) if arg == Var("_") else arg for arg in first.args))
        load = Call(second, (Var(b), Var("memory_order_relaxed")))
        threads.append(Thread(i, f"P{i}", (
            Assign("r0", call, f"r0 = {first.name}({a}, 1);"),
            Assign("r1", load, f"r1 = {second}({b}, memory_order_relaxed);"),
        )))
    cond = Condition("exists", And((Atom(Reg(0, "r1"), 0), Atom(Reg(1, "r1"), 0))))
    return Program("SB+rmw", "", "", (), ("x", "y"), frozenset(), tuple(threads), cond)


SC_ADD = Call("atomic_fetch_add_explicit", (Var("_"), Const(1), Var("memory_order_seq_cst")))


def test_c11_seq_cst_rmw_then_relaxed_load_llsc_allowed_lse_forbidden() -> None:
    # MAPPINGS.md section 0.2: LDAXR/STLXR (no DMB) lets the later load pass; LDADDAL not.
    assert verdict(sb(SC_ADD), "AArch64", "llsc") == "Allowed"
    assert verdict(sb(SC_ADD), "AArch64", "lse") == "Forbidden"


def test_qemu_seq_cst_rmw_is_c11s() -> None:
    rmw = Call("qatomic_xchg", (Var("_"), Const(1)))
    assert verdict(sb(rmw), "AArch64", "llsc") == "Allowed"
    assert verdict(sb(rmw), "AArch64", "lse") == "Forbidden"


def test_kernel_full_rmw_is_a_full_barrier_on_both_arm64_flavours() -> None:
    for name in ("xchg", "atomic_xchg"):
        rmw = Call(name, (Var("_"), Const(1)))
        assert verdict(sb(rmw), "AArch64", "llsc") == "Forbidden"
        assert verdict(sb(rmw), "AArch64", "lse") == "Forbidden"
    rmw = Call("atomic_fetch_add", (Const(1), Var("_")))
    assert verdict(sb(rmw), "AArch64", "llsc") == "Forbidden"
    assert verdict(sb(rmw), "AArch64", "lse") == "Forbidden"


def test_xchg_relaxed_is_a_full_barrier_on_x86_but_not_on_arm64() -> None:
    rmw = Call("xchg_relaxed", (Var("_"), Const(1)))
    assert verdict(sb(rmw), "X86_64") == "Forbidden"
    assert verdict(sb(rmw), "AArch64", "lse") == "Allowed"
    assert verdict(sb(rmw), "AArch64", "llsc") == "Allowed"


def test_kernel_llsc_full_rmw_has_release_exclusive_and_dmb() -> None:
    text = compile_program(sb(Call("xchg", (Var("_"), Const(1)))), "AArch64", Options("llsc"))
    assert "LDXR W0,[X" in text and "STLXR" in text and "DMB ISH" in text
    assert "filter (0:X" in text  # the status register must be 0
    text = compile_program(sb(Call("xchg", (Var("_"), Const(1)))), "AArch64", Options("lse"))
    assert "SWPAL" in text and "DMB" not in text


def test_void_kernel_atomic_is_noret_stadd_with_lse() -> None:
    prog = sb(Call("atomic_add", (Const(1), Var("_"))))
    prog = Program(prog.name, "", "", (), prog.variables, frozenset(), tuple(
        Thread(t.index, t.name, (Do(t.body[0].expr, "atomic_add(1, x);"), t.body[1]))
        for t in prog.threads), prog.condition)
    assert "STADD" in compile_program(prog, "AArch64", Options("lse"))
    assert verdict(prog, "AArch64", "lse") == "Allowed"  # relaxed: no ordering
    assert verdict(prog, "X86_64") == "Forbidden"  # LOCK ADD


def test_control_dependency_is_a_compare_and_branch() -> None:
    # LB with ctrl deps: if (READ_ONCE(*a)) WRITE_ONCE(*b, 1);
    threads = []
    for i, (a, b) in enumerate((("x", "y"), ("y", "x"))):
        cond = Call("READ_ONCE", (Deref(Var(a)),))
        store = Do(Call("WRITE_ONCE", (Deref(Var(b)), Const(1))), f"WRITE_ONCE(*{b}, 1);")
        threads.append(Thread(i, f"P{i}", (
            Assign("r0", cond, f"r0 = READ_ONCE(*{a});"),
            If(Local("r0"), (store,), (), "if (r0)"),
        )))
    cond = Condition("exists", And((Atom(Reg(0, "r0"), 1), Atom(Reg(1, "r0"), 1))))
    prog = Program("LB+ctrls", "", "", (), ("x", "y"), frozenset(), tuple(threads), cond)
    text = compile_program(prog, "AArch64")
    assert "CBZ W0," in text
    assert verdict(prog, "AArch64") == "Forbidden"
    # Without the branch (both stores unconditional) LB is allowed on ARMv8.
    plain = Program("LB", "", "", (), ("x", "y"), frozenset(), tuple(
        Thread(t.index, t.name, (t.body[0], t.body[1].then[0])) for t in threads), cond)
    assert verdict(plain, "AArch64") == "Allowed"


def test_relational_conditions_on_x86() -> None:
    for op, val, taken in ((">=", 1, True), (">=", 2, False), ("<", 2, True), ("<", 1, False),
                           (">", 0, True), ("<=", 0, False), ("==", 1, True), ("!=", 1, False)):
        body = (Assign("r0", Call("READ_ONCE", (Deref(Var("x")),)), "r0 = READ_ONCE(*x);"),
                If(Bin(op, Local("r0"), Const(val)),
                   (Assign("r1", Const(7), "r1 = 7;"),), (), f"if (r0 {op} {val})"))
        cond = Condition("exists", Atom(Reg(0, "r1"), 7))
        prog = Program("T", "", "", ((Reg(0, "r0"), 0),), ("x",), frozenset(),
                       (Thread(0, "P0", body), Thread(1, "P1", (
                           Do(Call("WRITE_ONCE", (Deref(Var("x")), Const(1))), "w"),))), cond)
        prog = Program("T", "", "", (), ("x",), frozenset(), prog.threads,
                       Condition("exists", And((Atom(Reg(0, "r0"), 1), Atom(Reg(0, "r1"), 7)))))
        for arch in ("X86_64", "AArch64"):
            assert verdict(prog, arch) == ("Allowed" if taken else "Forbidden"), (op, val, arch)


def test_x86_has_no_xadd_in_herd() -> None:
    with pytest.raises(Unsupported, match="XADD"):
        compile_program(sb(Call("atomic_fetch_add", (Const(1), Var("_")))), "X86_64")


def test_locks_are_unsupported_on_hardware() -> None:
    body = (Do(Call("spin_lock", (Var("s"),)), "spin_lock(s);"),)
    prog = Program("L", "", "", (), ("s",), frozenset(), (Thread(0, "P0", body),),
                   Condition("exists", Atom(Reg(0, "r0"), 0)))
    with pytest.raises(Unsupported, match="lock"):
        compile_program(prog, "AArch64")


MP_ONCE = """C MP+wmb+once
{}
P0(int *x, int *y)
{
	WRITE_ONCE(*x, 1);
	smp_wmb();
	WRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
	int r0;
	int r1;
	r0 = READ_ONCE(*y);
	r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""

SB_C11 = """C SB+sc-store+acquire-load
{}
P0(int *x, int *y)
{
	int r0;
	atomic_store_explicit(x, 1, memory_order_seq_cst);
	r0 = atomic_load_explicit(y, memory_order_acquire);
}
P1(int *x, int *y)
{
	int r0;
	atomic_store_explicit(y, 1, memory_order_seq_cst);
	r0 = atomic_load_explicit(x, memory_order_acquire);
}
exists (0:r0=0 /\\ 1:r0=0)
"""


def c_verdict(src: str, variants: frozenset[str] = frozenset()) -> str:
    from mmcheck.compile import compiled

    test = compiled(parse_text(src, "t.litmus"), "armv8", Options("lse", variants))
    r = check(test)
    assert r.status == "ok"
    return "Allowed" if r.positive else "Forbidden"


def test_lto_read_once_is_ldapr_and_orders_later_loads() -> None:
    # MAPPINGS.md section 5: LDAPR flag; LDR data forbids MP where a plain LDR allows it.
    assert c_verdict(MP_ONCE) == "Allowed"
    assert c_verdict(MP_ONCE, frozenset({"lto"})) == "Forbidden"


def test_rcpc_acquire_does_not_wait_for_an_earlier_release() -> None:
    # STLR then LDAR (RCsc) forbids SB; STLR then LDAPR (RCpc) allows it.
    assert c_verdict(SB_C11) == "Forbidden"
    assert c_verdict(SB_C11, frozenset({"rcpc"})) == "Allowed"
