"""Expectations files: parsing, mistakes with positions, promotion (mmcheck.regress)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mmcheck.errors import UserError
from mmcheck.litmus.parse import parse_file
from mmcheck.regress import (
    FAILED,
    MISSING,
    PASSED,
    Job,
    Outcome,
    describe,
    fitting_models,
    misfit,
    parse_expectations,
    read_expectations,
    run_job,
    summarise,
    unknown_tests,
    update_text,
)

FIXTURES = Path(__file__).parent / "fixtures" / "check" / "x86"


def rendered(errors: tuple[UserError, ...] | list[UserError]) -> list[str]:
    return [e.render().splitlines()[0] for e in errors]


def test_parse_entries_comments_and_blank_lines() -> None:
    text = (
        "# header\n"
        "\n"
        "SB   sc=Forbidden  x86tso=Allowed   # relaxed\n"
        "  MP sc=Forbidden\tx86tso=Forbidden\n"
    )
    exp = parse_expectations(text, "e.txt")
    assert exp.errors == ()
    tests = exp.tests()
    assert list(tests) == ["SB", "MP"]
    assert [(e.model, e.verdict) for e in tests["SB"].entries] == [
        ("sc", "Forbidden"),
        ("x86tso", "Allowed"),
    ]
    assert tests["SB"].comment == "# relaxed"
    assert tests["MP"].span is not None and tests["MP"].span.col == 3
    assert len(exp.lines) == 4


def test_mistakes_are_reported_with_line_and_column() -> None:
    text = (
        "SB  sc=Forbidden  arm=Allowed\n"
        "MP  sc=allowed\n"
        "SB  sc=Forbidden\n"
        "LB  x86tso\n"
        "R\n"
        "S   sc=Allowed sc=Forbidden\n"
    )
    exp = parse_expectations(text, "dir/expectations.txt")
    assert rendered(exp.errors) == [
        "dir/expectations.txt:1:19: unknown model 'arm' (known: sc, x86tso, armv8, lkmm)",
        "dir/expectations.txt:2:8: unknown verdict 'allowed' (expected Allowed or Forbidden);"
        " did you mean 'Allowed'?",
        "dir/expectations.txt:3:1: test 'SB' already has a line (line 1)",
        "dir/expectations.txt:4:5: expected model=Verdict, found 'x86tso'",
        "dir/expectations.txt:5:1: no model=Verdict for test 'R'",
        "dir/expectations.txt:6:16: model 'sc' given twice for test 'S'",
    ]
    # The good parts of a line still count; the first line of a test wins.
    assert [(e.model, e.verdict) for e in exp.tests()["SB"].entries] == [("sc", "Forbidden")]
    caret = exp.errors[0].render().splitlines()
    assert caret[1:] == ["    SB  sc=Forbidden  arm=Allowed", "                      ^^^"]


def test_lines_naming_tests_without_a_file() -> None:
    exp = parse_expectations("SB sc=Forbidden\nGhost sc=Allowed\n", "e.txt")
    assert rendered(unknown_tests(exp, ["SB"])) == [
        "e.txt:2:1: no test 'Ghost' here (no Ghost.litmus beside this file)"
    ]


def test_read_missing_file(tmp_path: Path) -> None:
    exp = read_expectations(tmp_path)
    assert not exp.exists and exp.lines == () and exp.errors == ()


def test_read_fixture_file_is_clean() -> None:
    exp = read_expectations(FIXTURES)
    assert exp.errors == ()
    stems = [p.stem for p in FIXTURES.glob("*.litmus")]
    assert unknown_tests(exp, stems) == []
    assert set(exp.tests()) == set(stems)


def test_fitting_models_and_misfits() -> None:
    sb = parse_file(FIXTURES / "SB.litmus")
    assert fitting_models(sb) == ("sc", "x86tso")
    exp = parse_expectations("SB  sc=Forbidden  armv8=Allowed\n", "e.txt")
    sc, armv8 = exp.tests()["SB"].entries
    assert misfit(sb, sc, "e.txt") is None
    err = misfit(sb, armv8, "e.txt")
    assert err is not None
    assert err.render().splitlines()[0] == (
        "e.txt:1:19: model 'armv8' does not fit X86 test 'SB' (use one of: sc, x86tso)"
    )


@pytest.mark.parametrize(
    ("model", "expected", "status", "got"),
    [
        ("sc", "Forbidden", PASSED, "Forbidden"),
        ("x86tso", "Allowed", PASSED, "Allowed"),
        ("x86tso", "Forbidden", FAILED, "Allowed"),
        ("sc", None, MISSING, "Forbidden"),
    ],
)
def test_run_job_compares(model: str, expected: str | None, status: str, got: str) -> None:
    path = FIXTURES / "SB.litmus"
    out = run_job(Job(parse_file(path), str(path), model, expected))
    assert (out.status, out.got, out.model, out.expected) == (status, got, model, expected)
    assert out.test == "SB"
    if got == "Allowed":
        assert out.witness == "0:EAX=0; 1:EAX=0;"
    else:
        assert out.witness is None


def test_describe_names_both_directions() -> None:
    path = FIXTURES / "SB.litmus"
    test = parse_file(path)
    up = run_job(Job(test, str(path), "x86tso", "Forbidden"))
    assert describe(up) == [
        f"SB [x86tso] ({path}): expected Forbidden, got Allowed",
        "  became reachable: 0:EAX=0; 1:EAX=0;  (satisfies exists (0:EAX=0 /\\ 1:EAX=0))",
    ]
    down = run_job(Job(test, str(path), "sc", "Allowed"))
    assert describe(down) == [
        f"SB [sc] ({path}): expected Allowed, got Forbidden",
        "  became unreachable: 0:EAX=0 /\\ 1:EAX=0  (no execution sc allows satisfies it)",
    ]


def test_summary_line() -> None:
    def o(status: str) -> Outcome:
        return Outcome("T", "T.litmus", ".", "sc", None, None, status)

    assert summarise([o(PASSED), o(PASSED), o(FAILED)]).line() == "2 passed, 1 failed"
    assert summarise([o(PASSED), o("error")], file_errors=2).line() == (
        "1 passed, 0 failed, 3 errors"
    )


def test_update_keeps_comments_order_and_aligns() -> None:
    text = (
        "# X86 tests\n"
        "\n"
        "SB sc=Forbidden x86tso=Forbidden # was wrong\n"
        "   MP     sc=Forbidden   x86tso=Forbidden\n"
        "# the end\n"
    )
    exp = parse_expectations(text)
    new = update_text(
        exp,
        {("SB", "x86tso"): "Allowed", ("SB", "sc"): "Forbidden"},
        [("SB+mfences", (("sc", "Forbidden"), ("x86tso", "Forbidden")))],
    )
    assert new == (
        "# X86 tests\n"
        "\n"
        "SB          sc=Forbidden  x86tso=Allowed  # was wrong\n"
        "MP          sc=Forbidden  x86tso=Forbidden\n"
        "# the end\n"
        "SB+mfences  sc=Forbidden  x86tso=Forbidden\n"
    )
    # Promoting again changes nothing.
    assert update_text(parse_expectations(new), {}) == new


def test_update_creates_a_new_file_with_a_header() -> None:
    exp = read_expectations(Path("/nonexistent-directory"))
    new = update_text(exp, {}, [("SB", (("sc", "Forbidden"), ("x86tso", "Allowed")))])
    first, second = new.splitlines()
    assert first.startswith("# mmcheck expectations")
    assert second == "SB  sc=Forbidden  x86tso=Allowed"
    assert parse_expectations(new).errors == ()
