"""The search on tests with many lock operations: the locks' coherence orders are
chosen before the accesses inside the critical sections, an RMW's read just before its
write is placed, and a check left to the leaves prunes once it rejects most candidates
(``mmcheck.enumerate.Pruning``).  None of these may change an answer."""

from __future__ import annotations

import pytest

import mmcheck.enumerate as enumerate_
from mmcheck.check import Options, check
from mmcheck.execution import Result
from mmcheck.litmus.parse import parse_text

THREAD = """
P{k}(spinlock_t *outer, spinlock_t *inner, int *busy0, int *busy1)
{{
	int r0;

	{outer_lock}
	spin_lock(inner);
	WRITE_ONCE(*{mine}, 1);
	r0 = READ_ONCE(*{theirs});
	WRITE_ONCE(*{mine}, 0);
	spin_unlock(inner);
	{outer_unlock}
}}
"""


def nested_locks() -> str:
    """Three threads in one inner critical section, two of them inside an outer one
    too: each raises a flag, reads the other flag, lowers its own."""
    threads = []
    for k in range(3):
        outer = k > 0
        threads.append(THREAD.format(
            k=k, mine="busy0" if k == 0 else "busy1", theirs="busy1" if k == 0 else "busy0",
            outer_lock="spin_lock(outer);" if outer else "",
            outer_unlock="spin_unlock(outer);" if outer else ""))
    return ("C nested-locks\n\n{\n}\n" + "".join(threads)
            + "\nexists (0:r0=1 \\/ 1:r0=1 \\/ 2:r0=1)\n")


@pytest.fixture(scope="module")
def test_text() -> str:
    return nested_locks()


@pytest.fixture(scope="module")
def full(test_text: str) -> Result:
    """The full search under lkmm, with the default pruning."""
    return check(parse_text(test_text, "nested.litmus"), "lkmm")


def test_nested_locks_give_herd7s_answer(full: Result) -> None:
    # herd7 7.57 with the kernel's linux-kernel.cfg: Never 0 6, one state.
    result = full
    assert (result.verdict, result.positive, result.negative) == ("Forbidden", 0, 6)
    assert [dict((str(k), v) for k, v in s) for s in result.states] == [
        {"0:r0": 0, "1:r0": 0, "2:r0": 0}]
    # The locks are ordered first (181 nodes; 4,860 with the flags' reads chosen
    # before the locks, in the locations' alphabetical order), and each lock read is
    # chosen before its write is placed, so atomicity prunes the write's other places
    # at once (over 70,000 nodes placing every lock write before any lock read).
    assert result.stats.nodes < 1_000


def test_lock_locations_are_decided_first(test_text: str) -> None:
    from mmcheck.check import prepare
    from mmcheck.combinations import Combination, combinations, locations_of, shapes_of

    test = parse_text(test_text, "nested.litmus")
    _, traces = prepare(test)
    init = locations_of(test)
    shapes = next(iter(combinations([shapes_of(ts) for ts in traces], init)))
    combo = Combination(shapes, init)
    assert combo.locs == ["busy0", "busy1", "inner", "outer"]
    assert enumerate_.rmw_locations_first(combo, enumerate_.rmw_reads(combo)) == [
        "inner", "outer", "busy0", "busy1"]


def test_the_verdict_search_places_lock_reads_with_their_writes(test_text: str) -> None:
    result = check(parse_text(test_text, "nested.litmus"), "lkmm", Options(verdict=True))
    assert result.verdict == "Forbidden"
    # 526 nodes; 6,704 with the locks ordered after the flags, over 80,000 with the
    # lock reads chosen first.
    assert result.stats.nodes < 2_000


def test_promoting_a_leaf_check_changes_the_work_not_the_answer(
        test_text: str, full: Result, monkeypatch: pytest.MonkeyPatch) -> None:
    test = parse_text(test_text, "nested.litmus")
    promoted = full
    monkeypatch.setattr(enumerate_, "PROMOTE_AFTER", 10**9)
    leaves_only = check(test, "lkmm")
    assert (promoted.positive, promoted.negative, promoted.states) == \
        (leaves_only.positive, leaves_only.negative, leaves_only.states)
    # happens-before rejects most candidates here: once it prunes, far fewer are built.
    assert promoted.stats.candidates * 10 < leaves_only.stats.candidates


def test_verdicts_agree_with_the_full_search(test_text: str, full: Result) -> None:
    test = parse_text(test_text, "nested.litmus")
    assert check(test, "lkmm", Options(verdict=True)).verdict == full.verdict
    assert check(test, "sc", Options(verdict=True)).verdict == check(test, "sc").verdict
