"""``mmcheck check``: CI mode against expectations files (exit codes, reports, --update)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from mmcheck.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "check" / "x86"
# (test, model) in the order the fixtures run: files sorted, models as written.
CASES = [
    ("MP", "sc"), ("MP", "x86tso"),
    ("SB+mfences", "sc"), ("SB+mfences", "x86tso"),
    ("SB+xchgs", "sc"), ("SB+xchgs", "x86tso"),
    ("SB", "sc"), ("SB", "x86tso"),
]


@pytest.fixture
def lib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the X86 fixtures in ``x86/``, the working directory being its parent."""
    shutil.copytree(FIXTURES, tmp_path / "x86")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "x86"


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["check", *args], catch_exceptions=False)


def last_line(result: Result) -> str:
    return result.stdout.rstrip("\n").splitlines()[-1]


def set_verdict(lib: Path, test: str, model: str, old: str, new: str) -> None:
    exp = lib / "expectations.txt"
    lines = exp.read_text().splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.split() and line.split()[0] == test:
            assert f"{model}={old}" in line
            lines[i] = line.replace(f"{model}={old}", f"{model}={new}")
    exp.write_text("".join(lines))


def without_times(report: dict[str, Any]) -> dict[str, Any]:
    for r in report["results"]:
        r.pop("time_ms")
    return report


# -- exit codes ------------------------------------------------------------------


def test_all_expectations_met(lib: Path) -> None:
    result = run("x86")
    assert result.exit_code == 0, result.output
    assert last_line(result) == "8 passed, 0 failed"
    for header in ("test", "model", "expected", "got", "time"):
        assert header in result.stdout
    assert result.stderr == ""


def test_default_path_is_litmus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run()
    assert result.exit_code == 2
    assert "no litmus/ directory" in result.stderr
    shutil.copytree(FIXTURES, tmp_path / "litmus" / "x86")
    result = run()
    assert result.exit_code == 0, result.output
    assert last_line(result) == "8 passed, 0 failed"


def test_verdict_became_allowed(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    result = run("x86")
    assert result.exit_code == 1
    assert last_line(result) == "7 passed, 1 failed"
    assert "FAILED SB [x86tso] (x86/SB.litmus): expected Forbidden, got Allowed" in result.stdout
    assert "became reachable: 0:EAX=0; 1:EAX=0;" in result.stdout


def test_verdict_became_forbidden(lib: Path) -> None:
    set_verdict(lib, "MP", "sc", "Forbidden", "Allowed")
    result = run("x86")
    assert result.exit_code == 1
    assert "FAILED MP [sc] (x86/MP.litmus): expected Allowed, got Forbidden" in result.stdout
    assert "became unreachable: 1:EAX=1 /\\ 1:EBX=0" in result.stdout


def test_unparsable_test_is_an_error_and_the_rest_still_runs(lib: Path) -> None:
    (lib / "BAD.litmus").write_text("X86 BAD\n{ }\n P0 ;\n FOO EAX ;\nexists (0:EAX=0)\n")
    with (lib / "expectations.txt").open("a") as f:
        f.write("BAD  sc=Forbidden\n")
    result = run("x86")
    assert result.exit_code == 3
    assert last_line(result) == "8 passed, 0 failed, 1 errors"
    assert "x86/BAD.litmus:4:2: unknown X86 instruction 'FOO'" in result.stderr


def test_unknown_architecture_is_an_error(lib: Path) -> None:
    (lib / "ODD.litmus").write_text("PDP11 ODD\n{ }\n P0 ;\n NOP ;\nexists (0:r0=0)\n")
    with (lib / "expectations.txt").open("a") as f:
        f.write("ODD  sc=Forbidden\n")
    result = run("x86")
    assert result.exit_code == 3
    assert "unknown architecture 'PDP11'" in result.stderr


def test_unsupported_feature_is_an_error(lib: Path) -> None:
    (lib / "ARR.litmus").write_text(
        "X86 ARR\n{ int a[2] = {0,0}; }\n P0 ;\n MOV [x],$1 ;\nexists (0:EAX=0)\n"
    )
    with (lib / "expectations.txt").open("a") as f:
        f.write("ARR  sc=Forbidden\n")
    result = run("x86", "--json", "out.json")
    assert result.exit_code == 3
    assert "x86/ARR.litmus: unsupported: arrays" in result.stderr
    row = json.loads(Path("out.json").read_text())["results"][0]
    assert (row["test"], row["status"], row["got"]) == ("ARR", "error", None)
    assert "unsupported: arrays" in row["message"]


def test_failure_and_error_together_exit_3(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    (lib / "BAD.litmus").write_text("X86 BAD\n{ }\n P0 ;\n FOO EAX ;\nexists (0:EAX=0)\n")
    with (lib / "expectations.txt").open("a") as f:
        f.write("BAD  sc=Forbidden\n")
    result = run("x86")
    assert result.exit_code == 3
    assert last_line(result) == "7 passed, 1 failed, 1 errors"


def test_mistakes_in_expectations_are_errors(lib: Path) -> None:
    with (lib / "expectations.txt").open("a") as f:
        f.write("Ghost  sc=Allowed\nSB  sc=Forbidden\nMP+x  sc=maybe\n")
    result = run("x86")
    assert result.exit_code == 3
    err = result.stderr
    assert "x86/expectations.txt:10:1: no test 'Ghost' here" in err
    assert "x86/expectations.txt:11:1: test 'SB' already has a line (line 5)" in err
    assert "x86/expectations.txt:12:10: unknown verdict 'maybe'" in err
    assert "x86/expectations.txt:12:1: no test 'MP+x' here" in err
    assert last_line(result) == "8 passed, 0 failed, 4 errors"


def test_model_that_does_not_fit_the_architecture(lib: Path) -> None:
    exp = lib / "expectations.txt"
    exp.write_text(exp.read_text().replace("MP            sc=Forbidden", "MP  armv8=Allowed"))
    result = run("x86")
    assert result.exit_code == 3
    assert "model 'armv8' does not fit X86 test 'MP' (use one of: sc, x86tso)" in result.stderr


def test_missing_expectations_warn_unless_strict(lib: Path) -> None:
    shutil.copy(lib / "SB.litmus", lib / "SB2.litmus")
    result = run("x86")
    assert result.exit_code == 0
    assert "warning: x86/SB2.litmus: no expectations for 'SB2'" in result.stderr
    assert last_line(result) == "8 passed, 0 failed"
    result = run("x86", "--strict")
    assert result.exit_code == 3
    assert "error: x86/SB2.litmus: no expectations for 'SB2'" in result.stderr
    assert last_line(result) == "8 passed, 0 failed, 1 errors"


def test_no_expectations_file_at_all(lib: Path) -> None:
    (lib / "expectations.txt").unlink()
    result = run("x86", "--strict")
    assert result.exit_code == 3
    assert last_line(result) == "0 passed, 0 failed, 4 errors"


def test_model_option_restricts(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    result = run("x86", "--model", "sc")
    assert result.exit_code == 0
    assert last_line(result) == "4 passed, 0 failed"
    result = run("x86", "-m", "x86tso")
    assert result.exit_code == 1
    assert last_line(result) == "3 passed, 1 failed"


def test_single_file(lib: Path) -> None:
    result = run("x86/SB.litmus")
    assert result.exit_code == 0
    assert last_line(result) == "2 passed, 0 failed"


# -- reports -----------------------------------------------------------------------


def test_junit_one_testcase_per_test_and_model(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    result = run("x86", "--junit", "out.xml")
    assert result.exit_code == 1
    root = ET.parse("out.xml").getroot()
    cases = root.findall(".//testcase")
    assert [(c.get("name")) for c in cases] == [f"{t} [{m}]" for t, m in CASES]
    assert {c.get("classname") for c in cases} == {"x86"}
    failures = [(c.get("name"), c.find("failure")) for c in cases if c.find("failure") is not None]
    assert len(failures) == 1
    name, failure = failures[0]
    assert name == "SB [x86tso]"
    assert failure is not None
    assert failure.get("message") == "expected Forbidden, got Allowed"
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("8", "1", "0")


def test_junit_reports_errors(lib: Path) -> None:
    (lib / "BAD.litmus").write_text("X86 BAD\n{ }\n P0 ;\n FOO EAX ;\nexists (0:EAX=0)\n")
    with (lib / "expectations.txt").open("a") as f:
        f.write("BAD  sc=Forbidden  x86tso=Forbidden\nGhost sc=Allowed\n")
    run("x86", "--junit", "out.xml")
    root = ET.parse("out.xml").getroot()
    errors = [c.get("name") for c in root.iter("testcase") if c.find("error") is not None]
    assert errors == ["BAD [sc]", "BAD [x86tso]", "expectations.txt"]


def test_json_schema(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    result = run("x86", "--json", "out.json")
    assert result.exit_code == 1
    report = json.loads(Path("out.json").read_text())
    assert report["version"] == 1
    assert report["summary"] == {
        "total": 8, "passed": 7, "failed": 1, "errors": 0, "missing": 0,
    }
    assert report["expectation_errors"] == []
    rows = report["results"]
    assert [(r["test"], r["model"]) for r in rows] == CASES
    keys = {"test", "path", "directory", "model", "expected", "got", "status", "time_ms",
            "witness", "condition", "message", "flags", "expected_from"}
    for r in rows:
        assert set(r) == keys
        assert isinstance(r["time_ms"], float | int) and r["time_ms"] >= 0
        assert r["status"] in ("passed", "failed")
        assert r["path"] == f"x86/{r['test']}.litmus"
    sb = rows[CASES.index(("SB", "x86tso"))]
    assert (sb["expected"], sb["got"], sb["status"]) == ("Forbidden", "Allowed", "failed")
    assert sb["witness"] == "0:EAX=0; 1:EAX=0;"
    assert sb["message"] == "SB [x86tso]: expected Forbidden, got Allowed"
    mp = rows[0]
    assert (mp["got"], mp["witness"], mp["status"]) == ("Forbidden", None, "passed")


def test_unwritable_report_is_an_error(lib: Path) -> None:
    result = run("x86", "--json", "no/such/dir/out.json")
    assert result.exit_code == 3
    assert "no/such/dir/out.json: cannot write" in result.stderr


def test_jobs_give_the_same_results_in_the_same_order(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    (lib / "BAD.litmus").write_text("X86 BAD\n{ }\n P0 ;\n FOO EAX ;\nexists (0:EAX=0)\n")
    with (lib / "expectations.txt").open("a") as f:
        f.write("BAD  sc=Forbidden\n")
    serial = run("x86", "--json", "serial.json", "--junit", "serial.xml")
    parallel = run("x86", "--jobs", "3", "--json", "parallel.json", "--junit", "parallel.xml")
    assert serial.exit_code == parallel.exit_code == 3
    assert last_line(serial) == last_line(parallel) == "7 passed, 1 failed, 1 errors"
    assert without_times(json.loads(Path("serial.json").read_text())) == without_times(
        json.loads(Path("parallel.json").read_text())
    )

    def cases(path: str) -> list[tuple[str | None, str | None]]:
        return [(c.get("name"), c.get("classname")) for c in ET.parse(path).iter("testcase")]

    assert cases("serial.xml") == cases("parallel.xml")
    assert serial.stderr == parallel.stderr


# -- --update ------------------------------------------------------------------------


def test_update_rewrites_a_weakened_file(lib: Path) -> None:
    exp = lib / "expectations.txt"
    original = exp.read_text()
    # Weakened by hand: a verdict flipped, a test line dropped, columns out of line.
    weakened = (
        original.replace("SB+mfences    sc=Forbidden  x86tso=Forbidden\n", "")
        .replace("x86tso=Allowed ", "x86tso=Forbidden")
        .replace("MP            sc=Forbidden", "MP sc=Forbidden")
    )
    exp.write_text(weakened)
    before = run("x86")
    assert before.exit_code == 1
    assert "warning: x86/SB+mfences.litmus: no expectations" in before.stderr

    result = run("x86", "--update")
    assert result.exit_code == 0, result.output
    assert "updated x86/expectations.txt: 1 verdict(s) changed, 1 test(s) added" in result.stderr
    assert exp.read_text() == (
        "# Expected verdicts of the X86 fixtures: TEST  model=Verdict ...\n"
        "# Allowed: some execution the model allows satisfies the condition.\n"
        "\n"
        "# store buffering\n"
        "SB          sc=Forbidden  x86tso=Allowed    # the x86-TSO relaxation\n"
        "SB+xchgs    sc=Forbidden  x86tso=Forbidden  # locked instructions fence\n"
        "\n"
        "MP          sc=Forbidden  x86tso=Forbidden\n"
        "SB+mfences  sc=Forbidden  x86tso=Forbidden\n"
    )
    after = run("x86", "--strict")
    assert after.exit_code == 0
    assert last_line(after) == "8 passed, 0 failed"


def test_update_with_model_touches_only_that_model(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    set_verdict(lib, "MP", "sc", "Forbidden", "Allowed")
    result = run("x86", "--update", "--model", "sc")
    assert result.exit_code == 0
    text = (lib / "expectations.txt").read_text()
    assert "MP          sc=Forbidden  x86tso=Forbidden" in text
    assert "SB          sc=Forbidden  x86tso=Forbidden" in text


def test_update_refuses_a_file_with_mistakes(lib: Path) -> None:
    set_verdict(lib, "SB", "x86tso", "Allowed", "Forbidden")
    exp = lib / "expectations.txt"
    with exp.open("a") as f:
        f.write("Ghost  sc=Allowed\n")
    before = exp.read_text()
    result = run("x86", "--update")
    assert result.exit_code == 3
    assert "not updated" in result.stderr
    assert exp.read_text() == before


# -- the real program --------------------------------------------------------------


def test_subprocess_exit_code_and_parallel_run(lib: Path) -> None:
    set_verdict(lib, "MP", "x86tso", "Forbidden", "Allowed")
    proc = subprocess.run(
        [sys.executable, "-c", "from mmcheck.cli import main; main()", "check", "x86", "-j", "2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.splitlines()[-1] == "7 passed, 1 failed"
    assert "FAILED MP [x86tso] (x86/MP.litmus): expected Allowed, got Forbidden" in proc.stdout
