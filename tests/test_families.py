"""The benchmark families: exact counts (herd7's) on sizes small enough for unit tests.

These guard the pruned search: a pruning step that dropped a consistent execution,
or kept an inconsistent one, changes these numbers.  No timing here (``make bench``).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mmcheck.check import check
from mmcheck.litmus.parse import parse_text

sys.path.insert(0, str(Path(__file__).parent / "bench"))

import families  # noqa: E402


@pytest.mark.parametrize(
    ("text", "observation", "positive", "negative"),
    [
        (families.two_plus_two_w(3, "X86"), "Never", 0, 7),
        (families.two_plus_two_w(5, "X86"), "Never", 0, 11),
        (families.two_plus_two_w(3, "AArch64"), "Sometimes", 9, 7),
        (families.two_plus_two_w(4, "AArch64"), "Sometimes", 16, 9),
        (families.costorm(2), "Sometimes", 14, 10),
        (families.sb_ring(4, "X86"), "Sometimes", 1, 15),
        (families.sb_ring(8, "AArch64"), "Sometimes", 1, 255),
    ],
    ids=["2+2W-3.X86", "2+2W-5.X86", "2+2W-3.AArch64", "2+2W-4.AArch64", "CoStorm-2",
         "SB-4.X86", "SB-8.AArch64"],
)
def test_family_counts(text: str, observation: str, positive: int, negative: int) -> None:
    result = check(parse_text(text))
    assert (result.observation, result.positive, result.negative) == (
        observation, positive, negative)
    # Output-sensitive: the search visits a few nodes per consistent execution.
    assert result.stats.nodes <= 12 * (positive + negative)


def test_sc_outcomes_are_a_subset_on_the_families() -> None:
    for text in (families.two_plus_two_w(3, "AArch64"), families.costorm(2)):
        test = parse_text(text)
        assert set(check(test, "sc").states) <= set(check(test, "armv8").states)
