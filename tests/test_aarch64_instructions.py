"""AArch64 instruction-level features: arrays, typed values, calls, tests without a
condition, and out-of-scope features reported as unsupported (never as errors)."""

from __future__ import annotations

import pytest

from mmcheck.check import check
from mmcheck.execution import show_state
from mmcheck.litmus.ast import Mem, Sym, show_condition
from mmcheck.litmus.parse import parse_text


def run(text: str) -> tuple[str, list[str], int, int]:
    res = check(parse_text(text))
    assert res.unsupported is None, res.unsupported
    return res.observation, [show_state(s) for s in res.states], res.positive, res.negative


def test_array_cells_are_locations() -> None:
    obs, states, pos, neg = run(
        "AArch64 T\n{ 0:X2=a; int64_t a[3] = {5,6}; }\n P0 ;\n"
        " LDR X0,[X2,#8] ;\n ADD X2,X2,#16 ;\n STR X0,[X2] ;\n"
        "forall (0:X0=6 /\\ a[0]=5 /\\ a[2]=6)\n")
    assert (obs, pos, neg) == ("Always", 1, 0)
    assert states == ["0:X0=6; a[0]=5; a[2]=6;"]


def test_int_array_cells_are_four_bytes_and_whole_array_value() -> None:
    obs, states, _, _ = run(
        "AArch64 T\n{ int b[2]={1,2}; 0:X1=b; }\n P0 ;\n"
        " LDR W0,[X1],#4 ;\n STR W0,[X1] ;\nforall b={1,1}\n")
    assert obs == "Always"
    assert states == ["b={1,1};"]


def test_mixed_size_array_access_is_unsupported() -> None:
    res = check(parse_text(
        "AArch64 T\n{ int b[2]; 0:X1=b; }\n P0 ;\n LDR X0,[X1] ;\nexists (0:X0=0)\n"))
    assert res.unsupported is not None and "mixed-size" in res.unsupported


def test_offset_from_a_scalar_is_unsupported() -> None:
    res = check(parse_text(
        "AArch64 T\n{ 0:X1=x; }\n P0 ;\n LDR W0,[X1,#4] ;\nexists (0:X0=0)\n"))
    assert res.unsupported is not None and "scalar location x" in res.unsupported


def test_pairs() -> None:
    obs, _, _, _ = run(
        "AArch64 T\n{ uint64_t t[2]; 0:X0=t; }\n P0 ;\n MOV X1,#1 ;\n MOV X2,#2 ;\n"
        " STP X1,X2,[X0] ;\n LDP X4,X3,[X0] ;\nforall (0:X3=2 /\\ 0:X4=1 /\\ t[1]=2)\n")
    assert obs == "Always"


def test_condition_constants_follow_the_register_type() -> None:
    test = parse_text(
        "AArch64 T\n{ int32_t 0:X1; }\n P0 ;\n MOV W1,#-1 ;\nforall (0:X1=0xffffffff)\n")
    assert show_condition(test.condition) == "forall (0:X1=4294967295)"
    obs, states, _, _ = run(test.source)
    assert obs == "Always" and states == ["0:X1=-1;"]


def test_hex_constants_are_signed_64_bit() -> None:
    test = parse_text(
        "AArch64 T\n{ uint64_t 0:X1; }\n P0 ;\n MOVN X1,#0 ;\n"
        "forall (0:X1=0xffffffffffffffff)\n")
    assert show_condition(test.condition) == "forall (0:X1=-1)"
    assert run(test.source)[:2] == ("Always", ["0:X1=18446744073709551615;"])


def test_typed_memory_initial_value_is_truncated() -> None:
    obs, states, _, _ = run("AArch64 T\n{ int8_t x = 258; }\n P0 ;\n NOP ;\nexists (x=2)\n")
    assert (obs, states) == ("Always", ["[x]=2;"])


def test_locations_only_means_forall_true() -> None:
    test = parse_text("AArch64 T\n{ }\n P0 ;\n MOV W0,#3 ;\nlocations [0:X0;]\n")
    assert show_condition(test.condition) == "forall (true)"
    assert run(test.source)[:2] == ("Always", ["0:X0=3;"])


def test_calls_and_returns() -> None:
    obs, states, _, _ = run(
        "AArch64 T\n{ }\n P0 ;\n MOV W0,#1 ;\n BL Linc ;\n ADR X1,Linc ;\n BLR X1 ;\n"
        " B Lend ;\nLinc: ;\n ADD W0,W0,#1 ;\n RET ;\nLend: ;\nforall (0:X0=3)\n")
    assert obs == "Always" and states == ["0:X0=3;"]


def test_bl_leaves_the_return_label_in_x30() -> None:
    assert run("AArch64 T\n{ }\n P0 ;\n BL L0 ;\nL0: ;\nlocations [0:X30;]\n")[1] == \
        ["0:X30=0:L0;"]


def test_relative_branch() -> None:
    assert run("AArch64 T\n{ }\n P0 ;\n B .+8 ;\n MOV W0,#1 ;\n MOV W1,#1 ;\n"
               "forall (0:X0=0 /\\ 0:X1=1)\n")[0] == "Always"


def test_out_of_scope_features_are_unsupported_with_a_position() -> None:
    cases = {
        "{ 0:X0=x:red; }": "memory tags",
        "{ 0:SPSR_EL1=x; }": "system registers",
    }
    for init, word in cases.items():
        test = parse_text(f"AArch64 T\n{init}\n P0 ;\n NOP ;\nexists (0:X0=0)\n")
        assert test.unsupported is not None and word in test.unsupported, test.unsupported
        assert "line 2, column" in test.unsupported


def test_cell_and_array_printing() -> None:
    assert str(Mem("x[1]")) == "x[1]" and str(Mem("x", True)) == "x"
    assert str(Mem("x")) == "[x]" and str(Sym("x", 4)) == "x+4"


def test_pointer_in_the_init_block() -> None:
    """'int *p = &x': p holds the address of x; loading it and then through it reads x."""
    obs, states, _, _ = run(
        "AArch64 T\n{ int x=2; int *p=&x; 0:X2=p; }\n P0 ;\n LDR X3,[X2] ;\n"
        " LDR W0,[X3] ;\nforall (0:X0=2 /\\ 0:X3=x)\n")
    assert obs == "Always"


def test_access_at_an_integer_address_drops_the_execution() -> None:
    obs, states, _, _ = run("AArch64 T\n{ [x]=2; 0:X0=x; }\n P0 ;\n LDR X1,[X0] ;\n"
                            " LDR X2,[X1] ;\nlocations [0:X1;]\n")
    assert states == []


def test_casp_swaps_both_cells_or_neither() -> None:
    text = ("AArch64 T\n{ int x[2]; 0:X4=x; }\n P0 ;\n MOV W0,#0 ;\n MOV W1,#{b} ;\n"
            " MOV W2,#5 ;\n MOV W3,#6 ;\n CASP W0,W1,W2,W3,[X4] ;\nlocations [x;]\n")
    assert run(text.replace("{b}", "0"))[1] == ["x={5,6};"]
    assert run(text.replace("{b}", "1"))[1] == ["x={0,0};"]


def test_ldiapp_reads_in_order() -> None:
    """The first read of LDIAPP is ordered before the second (MP with STLR: forbidden)."""
    text = ("AArch64 T\n{ int64_t x[2]; 0:X2=x; 1:X2=x; }\n P0 | P1 ;\n"
            " MOV X0,#1 | LDIAPP X0,X1,[X2] ;\n STR X0,[X2,#8] | ;\n MOV X1,#1 | ;\n"
            " STLR X1,[X2] | ;\nexists (1:X0=1 /\\ 1:X1=0)\n")
    assert run(text)[0] == "Never"
    assert run(text.replace("LDIAPP", "LDP   "))[0] == "Sometimes"


def test_symbolic_registers_are_allocated_per_thread() -> None:
    """'%r' in the code gets a free register; its init value comes with it."""
    obs, states, _, _ = run("AArch64 T\n{ uint64_t %ptr = x; [x]=3; }\n P0 ;\n"
                            " LDR X0,[X%ptr] ;\n MOV X1,%ptr ;\nforall (0:X0=3 /\\ 0:X1=x)\n")
    assert obs == "Always"


def test_call_into_another_threads_code() -> None:
    """'0:X8=P1:Ldec': P0 runs P1's code at Ldec and returns (herd7's inter-thread calls)."""
    obs, states, _, _ = run(
        "AArch64 T\n{ 0:X8=P1:Ldec; }\n P0 | P1 ;\n MOV W9,#4 | MOV W9,#7 ;\n"
        " BLR X8 | B Lone ;\n MOV W0,W9 |Ldec: ;\n | SUB W9,W9,#1 ;\n | RET ;\n"
        " |Lone: ;\nforall (0:X0=3 /\\ 1:X9=7)\n")
    assert obs == "Always"


def test_code_address_through_memory() -> None:
    """'ins_t *y': y holds a code address; a thread stores one, loads it and jumps there
    (a path that would jump to the initial 0 is dropped, as herd7 drops it)."""
    obs, states, _, _ = run(
        "AArch64 T\n{ ins_t *y; 0:X4=y; }\n P0 ;\n ADR X5,L1 ;\n STR X5,[X4] ;\n"
        " LDR X3,[X4] ;\n BR X3 ;\n MOV W0,#1 ;\nL1: ;\n MOV W1,#1 ;\n"
        "forall (0:X0=0 /\\ 0:X1=1)\n")
    assert obs == "Always"


def test_store_exclusive_retry_loop_is_unrolled() -> None:
    """A LDXR/STXR retry loop: its branch is on a chosen status, unrolled twice (herd7)."""
    res = check(parse_text("AArch64 T\n{ int x=1; 0:X0=x; }\n P0 ;\nL0: ;\n LDXR W1,[X0] ;\n"
                           " MOV W3,#2 ;\n STXR W4,W3,[X0] ;\n CBNZ W4,L0 ;\nforall (x=2)\n"))
    assert res.unsupported is None
    assert (res.observation, res.positive, res.negative) == ("Always", 3, 0)


def test_nv2_system_registers_live_in_the_vncr_page() -> None:
    """Under Variant=NV2, MSR ELR_EL1 is a store at VNCR_EL2+0x230 (herd7's NV2)."""
    text = ("AArch64 T\nVariant=NV2\n{ uint64_t nv[100]; 0:VNCR_EL2=nv; 0:X1=nv; }\n P0 ;\n"
            " MOV X0,#1 ;\n MSR ELR_EL1,X0 ;\n LDR X2,[X1,#560] ;\n MRS X3,ELR_EL1 ;\n"
            "forall (0:X2=1 /\\ 0:X3=1)\n")
    assert run(text)[0] == "Always"
    assert run(text.replace("Variant=NV2\n", ""))[1] == ["0:X2=0; 0:X3=1;"]


def test_instructions_as_values() -> None:
    """Loading from a code label gives the instruction, labels as offsets (herd7's text);
    two different instructions compare unequal."""
    text = ("AArch64 T\n{ 0:X0=instr:\"B .+4\"; ins_t 0:X2; }\n P0 ;\nL0: ;\n B L1 ;\nL1: ;\n"
            " ADR X1,L0 ;\n LDR W2,[X1] ;\n CMP W0,W2 ;\n CSET W4,EQ ;\n"
            "locations [0:X2; 0:X4;]\n")
    assert run(text)[1] == ['0:X2=instr:"B .+4"; 0:X4=1;']
    other = text.replace('instr:\"B .+4\"', "NOP")
    assert run(other)[1] == ['0:X2=instr:"B .+4"; 0:X4=0;']
    with pytest.raises(AssertionError, match="ordering two different instructions"):
        run(other.replace("CSET W4,EQ", "CSET W4,GT"))


def test_exclusive_pairs_are_single_copy_atomic() -> None:
    """LDXP/STXP: a pair is read and written as one unit (no torn read of the other
    thread's pair), and two successful pairs do not both read the initial values."""
    text = ("AArch64 T\n{ uint64_t t[2]; 0:X2=t; 1:X2=t; uint64_t 0:X3; uint64_t 0:X4; }\n"
            " P0 | P1 ;\n MOV X0,#1 | MOV X0,#3 ;\n MOV X1,#2 | MOV X1,#4 ;\n"
            " LDXP X3,X4,[X2] | LDXP X3,X4,[X2] ;\n STXP W9,X0,X1,[X2] | STXP W9,X0,X1,[X2] ;\n"
            "locations [0:X3; 0:X4;]\n")
    states = run(text)[1]
    assert set(states) == {"0:X3=0; 0:X4=0;", "0:X3=3; 0:X4=4;"}
