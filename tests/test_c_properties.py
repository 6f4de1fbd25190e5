"""C tests: mutated files never crash; renaming locals and permuting threads change nothing."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from mmcheck.check import Options, check
from mmcheck.errors import UserError
from mmcheck.execution import Result
from mmcheck.litmus.ast import Reg
from mmcheck.litmus.c import _matching_brace_c
from mmcheck.litmus.parse import parse_text
from mmcheck.litmus.split import Source

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "conformance" / "c-lkmm"
FILES = sorted((ROOT / "litmus" / "lkmm").glob("*.litmus"))
if CORPUS.is_dir():
    FILES += sorted(CORPUS.glob("*.litmus"))[::3]
TEXTS = [p.read_text() for p in FILES]
ALPHABET = "{}[]();,:=~/\\*&|^!<>+- \n\t\"'0123456789xyzrP_abcdefghijklmnopqrstuvwxyz(*)"

edit = st.tuples(st.sampled_from(["delete", "insert", "cut", "swap"]), st.integers(0, 10_000),
                 st.sampled_from(ALPHABET))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(TEXTS), st.lists(edit, min_size=1, max_size=4))
def test_mutated_c_tests_never_crash(text: str, edits: list[tuple[str, int, str]]) -> None:
    chars = list(text)
    for op, pos, ch in edits:
        at = pos % (len(chars) + 1)
        if op == "delete" and chars:
            del chars[min(at, len(chars) - 1)]
        elif op == "insert":
            chars.insert(at, ch)
        elif op == "swap" and at + 1 < len(chars):
            chars[at], chars[at + 1] = chars[at + 1], chars[at]
        else:
            chars = chars[:at]
    mutated = "".join(chars)
    try:
        result = check(parse_text(mutated, "fuzz.litmus"), "sc", Options(timeout=5))
    except UserError as err:
        rendered = err.render()
        assert rendered.startswith("fuzz.litmus")
        if err.span is not None:  # the position is inside the file
            assert 1 <= err.span.line <= mutated.count("\n") + 1
            assert err.span.col >= 1
        return
    assert result.status in ("ok", "unsupported", "incomplete")


# -- metamorphic -----------------------------------------------------------------------


def _summary(r: Result, reg_map: dict[tuple[int, str], tuple[int, str]] | None = None
             ) -> tuple[object, ...]:
    def key(loc: object) -> str:
        if isinstance(loc, Reg) and reg_map is not None:
            t, n = reg_map.get((loc.thread, loc.name), (loc.thread, loc.name))
            return f"{t}:{n}"
        return str(loc)

    states = sorted(sorted((key(k), str(v)) for k, v in s) for s in r.states)
    return (states, r.positive, r.negative, r.verdict)


def _rename_locals(text: str, suffix: str) -> tuple[str, dict[tuple[int, str], tuple[int, str]]]:
    """Every local ``rN`` becomes ``rN<suffix>`` (code, init block and condition alike)."""
    out = re.sub(r"\b(r\d+)\b", lambda m: m.group(1) + suffix, text)
    mapping: dict[tuple[int, str], tuple[int, str]] = {}
    for t, name in re.findall(r"(\d+):(r\d+)\b", text):
        mapping[(int(t), name + suffix)] = (int(t), name)
    return out, mapping


def _threads(text: str) -> list[tuple[int, int]]:
    src = Source(text.replace("(*", "( "))
    out = []
    for m in re.finditer(r"(?m)^P(\d+)\s*\(", text):
        lb = text.index("{", m.end())
        out.append((m.start(), _matching_brace_c(text, lb, src) + 1))
    return out


def _permute(text: str, perm: list[int]) -> str:
    """Thread k moves to position perm[k] (and is renamed P{perm[k]})."""
    spans = _threads(text)
    bodies = [text[a:b] for a, b in spans]
    placed = [""] * len(bodies)
    for k, body in enumerate(bodies):
        placed[perm[k]] = re.sub(r"^P\d+", f"P{perm[k]}", body)
    head = text[: spans[0][0]]
    tail = text[spans[-1][1]:]

    def renumber(s: str) -> str:
        return re.sub(r"\b(\d+):(?=[A-Za-z_])", lambda m: f"{perm[int(m.group(1))]}:", s)

    return renumber(head) + "\n\n".join(placed) + renumber(tail)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(TEXTS), st.sampled_from(["_x", "zz", "_renamed"]))
def test_renaming_locals_changes_nothing(text: str, suffix: str) -> None:
    renamed, mapping = _rename_locals(text, suffix)
    before = check(parse_text(text), "sc")
    after = check(parse_text(renamed), "sc")
    assert _summary(before) == _summary(after, mapping)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(TEXTS), st.randoms(use_true_random=False))
def test_permuting_threads_changes_nothing(text: str, rnd: object) -> None:
    import random

    assert isinstance(rnd, random.Random)
    n = len(_threads(text))
    perm = list(range(n))
    rnd.shuffle(perm)
    permuted = _permute(text, perm)
    before = check(parse_text(text), "sc")
    after = check(parse_text(permuted), "sc")
    inverse = {}
    for k in range(n):
        inverse[perm[k]] = k
    mapping = {}
    for s in after.states:
        for loc, _ in s:
            if isinstance(loc, Reg):
                mapping[(loc.thread, loc.name)] = (inverse[loc.thread], loc.name)
    assert _summary(before) == _summary(after, mapping)
