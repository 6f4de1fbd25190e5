"""The plain-text tables drawn for logs are the tables rich draws, character for character."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from mmcheck.commands import check_cmd
from mmcheck.regress import FAILED, MISSING, PASSED, Outcome
from mmcheck.report.table import Cell, plain_table, rich_table


def drawn_by_rich(columns: list[tuple[str, str]], rows: list[list[Cell]]) -> str:
    out = io.StringIO()
    Console(width=2000, file=out).print(rich_table(columns, rows))
    return out.getvalue().rstrip("\n")


# Text as it appears in cells: names, verdicts, times, flags (with brackets, which are
# rich markup in a plain string but not in a cell), and wide characters.
TEXT = st.text(alphabet="abcXYZ019.-+/[]()_ —é漢", max_size=12).map(str.strip)
JUSTIFY = st.sampled_from(["left", "right"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(TEXT.filter(bool), JUSTIFY), min_size=1, max_size=5).flatmap(
    lambda cols: st.tuples(st.just(cols), st.lists(
        st.lists(st.tuples(TEXT, st.sampled_from(["", "green", "bold red"])),
                 min_size=len(cols), max_size=len(cols)), max_size=6))))
def test_plain_table_is_what_rich_draws(table: tuple[list[tuple[str, str]], list[list[Cell]]]
                                       ) -> None:
    columns, rows = table
    assert plain_table(columns, rows) == drawn_by_rich(columns, rows)


def outcome(test: str, model: str, status: str, got: str | None, expected: str | None
            ) -> Outcome:
    return Outcome(path=f"x86/{test}.litmus", directory="x86", test=test, model=model,
                   expected=expected, got=got, status=status, time=0.0012)


OUTCOMES = [
    outcome("SB", "x86tso", PASSED, "Allowed", "Allowed"),
    outcome("MP[1]", "sc", FAILED, "Allowed", "Forbidden"),
    outcome("New", "sc", MISSING, "Forbidden", None),
]


@pytest.mark.parametrize("terminal", [False, True])
def test_summary_the_same_at_a_terminal_and_in_a_log(
        terminal: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: terminal)
    if terminal:  # rich, without colours, so that the text can be compared
        monkeypatch.setattr(check_cmd, "make_console", lambda: Console(width=2000,
                                                                      color_system=None))
    check_cmd.print_summary(OUTCOMES, quiet=False)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split("┃")[1:-1] == [" test  ", " model  ", " expected  ", " got       ",
                                          "   time ", " result "]
    assert [ln.split("│")[1:-1] for ln in lines[3:6]] == [
        [" SB    ", " x86tso ", " Allowed   ", " Allowed   ", " 1.2 ms ", " ok     "],
        [" MP[1] ", " sc     ", " Forbidden ", " Allowed   ", " 1.2 ms ", " FAILED "],
        [" New   ", " sc     ", " -         ", " Forbidden ", " 1.2 ms ", " new    "],
    ]


def test_quiet_summary_keeps_only_what_did_not_pass() -> None:
    rows = check_cmd.summary_rows(OUTCOMES, quiet=True)
    assert [r[0][0] for r in rows] == ["MP[1]", "New"]
