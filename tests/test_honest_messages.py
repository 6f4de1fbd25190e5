"""Messages that say what the matter is: a thread too long to run, a loop never left."""

from __future__ import annotations

from mmcheck.check import Options, check, resolve_model
from mmcheck.litmus.parse import parse_text


def _reason(text: str) -> str:
    test = parse_text(text, "t.litmus")
    result = check(test, resolve_model(test, None), Options())
    assert result.unsupported is not None
    return result.unsupported


def test_long_loop_free_thread_is_named_for_its_length() -> None:
    rows = "\n".join(" MOV EAX,[x] ;" for _ in range(3000))
    reason = _reason(f"X86 long\n{{ x=0; }}\n P0 ;\n{rows}\nexists (0:EAX=1)\n")
    assert "too long: 3000 instructions with no loop" in reason
    assert "loops are not unrolled" not in reason


def test_a_loop_that_never_ends_is_cut_as_herd7_cuts_it() -> None:
    text = ("AArch64 spin\n{ }\n P0 ;\n L0: MOV X1,#1 ;\n B L0 ;\n"
            "exists (0:X1=1)\n")
    test = parse_text(text, "t.litmus")
    result = check(test, resolve_model(test, None), Options())
    # herd7 cuts a loop at its unrolling bound: no execution, no message about length.
    assert result.unsupported is None
    assert (result.positive, result.negative) == (0, 0)
