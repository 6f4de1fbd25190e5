"""Never a traceback for a user's mistake: mutated litmus files give a UserError or a result."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mmcheck.check import Options, check
from mmcheck.errors import UserError
from mmcheck.litmus.parse import parse_text

LIBRARY = Path(__file__).resolve().parents[1] / "litmus"
TEXTS = [p.read_text() for p in sorted(LIBRARY.glob("*/*.litmus"))[::4]]
ALPHABET = "{}[]();|,:=~/\\ \n$#0123456789xyzPWXRLDASTMOVEBC.-+*\"'\x00\t"

edit = st.tuples(st.sampled_from(["delete", "insert", "cut"]), st.integers(0, 10_000),
                 st.sampled_from(ALPHABET))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEXTS), st.lists(edit, min_size=1, max_size=4))
def test_mutated_tests_never_crash(text: str, edits: list[tuple[str, int, str]]) -> None:
    chars = list(text)
    for op, pos, ch in edits:
        at = pos % (len(chars) + 1)
        if op == "delete" and chars:
            del chars[min(at, len(chars) - 1)]
        elif op == "insert":
            chars.insert(at, ch)
        else:
            chars = chars[:at]
    try:
        result = check(parse_text("".join(chars), "fuzz.litmus"), None, Options(timeout=5))
    except UserError as err:
        rendered = err.render()
        assert rendered.startswith("fuzz.litmus")
        return
    assert result.status in ("ok", "unsupported", "incomplete")
