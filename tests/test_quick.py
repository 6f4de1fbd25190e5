"""``mmcheck.quick``: a simple ``mmcheck run`` skips click and prints exactly the same."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from mmcheck.quick import simple_run

LIB = Path(__file__).resolve().parents[1] / "litmus" / "classic"
SB = str(LIB / "SB.X86.litmus")
MP = str(LIB / "MP.AArch64.litmus")


def test_simple_command_lines_are_recognised() -> None:
    opts = simple_run(["run", "--model", "sc", "--format", "json", "--stats", "--timeout",
                       "2.5", "--max-executions", "9", "--verdict-only", SB, MP])
    assert opts == dict(models=["sc"], fmt="json", stats=True, timeout=2.5, max_executions=9,
                        verdict=True, paths=(SB, MP))


def test_directories_are_run_directly() -> None:
    opts = simple_run(["run", str(LIB), SB])
    assert opts is not None and opts["paths"] == (str(LIB), SB)


@pytest.mark.parametrize("argv", [
    [], ["check"], ["run"], ["run", "--help"], ["run", "--model", "tso", SB],
    ["run", "--format", "table", SB], ["run", "--timeout", "0", SB],
    ["run", "--timeout", "x", SB], ["run", "--max-executions", "0", SB],
    ["run", "--model=sc", SB], ["run", "no-such-file.litmus"], ["run", "--", SB],
])
def test_anything_else_goes_to_click(argv: list[str]) -> None:
    assert simple_run(argv) is None


def run(entry: str, *args: str) -> subprocess.CompletedProcess[str]:
    code = f"import sys; sys.argv[0] = 'mmcheck'; from {entry} import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          check=False)


@pytest.mark.parametrize("args", [
    ["run", SB, MP],
    ["run", "--verdict-only", "--stats", SB],
    ["run", "--format", "json", "--model", "sc", MP],
    ["run", "--model", "armv8", SB],  # a model that does not fit: an error, exit 3
    ["run", "--format", "json", str(LIB)],  # a directory: shared between two processes
    ["run", "--model", "sc", str(LIB.parent / "lkmm")],  # C tests
    ["run", "--model", "armv8", str(LIB.parent / "dirty-ring-c")],  # C compiled for arm64
])
def test_same_output_and_exit_code_as_click(args: list[str], tmp_path: Path) -> None:
    quick, full = run("mmcheck.quick", *args), run("mmcheck.cli", *args)
    assert quick.returncode == full.returncode
    times = re.compile(r'"time_ms": [0-9.]+|time=[0-9.]+ms')
    assert times.sub("", quick.stdout) == times.sub("", full.stdout)
    assert quick.stderr == full.stderr


def test_a_user_mistake_in_a_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.litmus"
    bad.write_text("X86 bad\n{ }\n P0 ;\n FOO ;\nexists (0:EAX=1)\n")
    quick, full = run("mmcheck.quick", "run", str(bad)), run("mmcheck.cli", "run", str(bad))
    assert quick.returncode == full.returncode == 3
    assert quick.stderr == full.stderr and quick.stderr


def fresh_run(argv: list[str], report: str) -> subprocess.CompletedProcess[str]:
    """``mmcheck ARGV`` through the console script's entry point in a fresh interpreter,
    then ``report`` (Python that writes what it finds to stderr)."""
    code = (
        "import gc, sys\n"
        f"sys.argv = ['mmcheck', *{argv!r}]\n"
        "from mmcheck.quick import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n" + report
    )
    return subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                          check=False)


def test_a_run_imports_none_of_the_slow_modules() -> None:
    """click, rich, typing and dataclasses cost milliseconds at every start: a simple run of
    an X86, an AArch64 and a C test (parse, check, herd text) loads none of them."""
    c_test = str(LIB.parent / "lkmm" / "MP+release+acquire.litmus")
    proc = fresh_run(["run", SB, MP, c_test], (
        "slow = [m for m in ('click', 'rich', 'typing', 'dataclasses') if m in sys.modules]\n"
        "sys.stderr.write('SLOW=' + ','.join(slow))\n"))
    assert proc.stdout.count("Observation") == 3
    assert proc.stderr.strip().endswith("SLOW=")


def test_the_entry_point_tunes_the_collector() -> None:
    """What the process has imported is frozen out of the collector's walks, and young
    objects are collected less often than Python's default of every 700 allocations."""
    proc = fresh_run(["run", SB], "sys.stderr.write(f'GC={gc.get_threshold()[0]} "
                                  "{gc.get_freeze_count() > 1000}')\n")
    assert "Observation" in proc.stdout
    assert proc.stderr.strip().endswith("GC=10000 True")
