"""``mmcheck run``: output formats, exit codes, and errors that never stop a batch."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from mmcheck.cli import main

WriteLitmus = Callable[[str, "str | bytes"], Path]

SB = """\
X86 SB
"Fre PodWR Fre PodWR"
{
}
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists
(0:EAX=0 /\\ 1:EAX=0)
"""

# herd7 7.57's output for SB under x86tso.cat, without its Time and Hash lines.
SB_HERD = """\
Test SB Allowed
States 4
0:EAX=0; 1:EAX=0;
0:EAX=0; 1:EAX=1;
0:EAX=1; 1:EAX=0;
0:EAX=1; 1:EAX=1;
Ok
Witnesses
Positive: 1 Negative: 3
Condition exists (0:EAX=0 /\\ 1:EAX=0)
Observation SB Sometimes 1 3
"""

SB_SC_HERD = """\
Test SB Allowed
States 3
0:EAX=0; 1:EAX=1;
0:EAX=1; 1:EAX=0;
0:EAX=1; 1:EAX=1;
No
Witnesses
Positive: 0 Negative: 3
Condition exists (0:EAX=0 /\\ 1:EAX=0)
Observation SB Never 0 3
"""

MP = """\
X86 MP
{ }
 P0         | P1          ;
 MOV [x],$1 | MOV EAX,[y] ;
 MOV [y],$1 | MOV EBX,[x] ;
~exists (1:EAX=1 /\\ 1:EBX=0)
"""

BAD = """\
X86 BAD
{ }
 P0          | P1          ;
 MOV [x],$1  | MOVE [y],$1 ;
exists (x=1)
"""

BROKEN_CONDITION = """\
X86 BROKEN
{ }
 P0          ;
 MOV [x],$1  ;
exists (x=1 /\\ )
"""

ARRAY = """\
X86_64 ARR
{ uint64_t %r = x; }
 P0            ;
 movq $1,(x)   ;
exists (x=1)
"""


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), prog_name="mmcheck", catch_exceptions=False)


def assert_no_traceback(r: Result) -> None:
    assert "Traceback" not in r.output
    assert "internal error" not in r.output


# -- herd format ---------------------------------------------------------------------------


def test_herd_output_for_sb_matches_herd7(write_litmus: WriteLitmus) -> None:
    path = write_litmus("SB.litmus", SB)
    r = invoke("run", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout == SB_HERD
    assert r.stderr == ""


def test_herd_output_for_sb_under_sc(write_litmus: WriteLitmus) -> None:
    path = write_litmus("SB.litmus", SB)
    r = invoke("run", "--model", "sc", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout == SB_SC_HERD


def test_herd_output_for_not_exists(write_litmus: WriteLitmus) -> None:
    path = write_litmus("MP.litmus", MP)
    r = invoke("run", "-m", "x86tso", str(path))
    assert r.exit_code == 0, r.output
    assert r.stdout == (
        "Test MP Forbidden\n"
        "States 3\n"
        "1:EAX=0; 1:EBX=0;\n"
        "1:EAX=0; 1:EBX=1;\n"
        "1:EAX=1; 1:EBX=1;\n"
        "Ok\n"
        "Witnesses\n"
        "Positive: 3 Negative: 0\n"
        "Condition ~exists (1:EAX=1 /\\ 1:EBX=0)\n"
        "Observation MP Never 0 3\n"
    )


def test_stats_line(write_litmus: WriteLitmus) -> None:
    r = invoke("run", "--stats", str(write_litmus("SB.litmus", SB)))
    assert r.exit_code == 0
    assert r.stdout.startswith(SB_HERD)
    assert r.stdout[len(SB_HERD):].startswith("Stats SB combinations=")


# -- json and table ---------------------------------------------------------------------------


def test_json_emits_one_object_per_line(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("SB.litmus", SB)
    mp = write_litmus("MP.litmus", MP)
    r = invoke("run", "--format", "json", str(sb), str(mp))
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert len(lines) == 2
    objs = [json.loads(line) for line in lines]
    assert [o["test"] for o in objs] == ["SB", "MP"]
    sbj = objs[0]
    assert sbj["path"] == str(sb)
    assert (sbj["arch"], sbj["model"], sbj["status"]) == ("X86", "x86tso", "ok")
    assert (sbj["verdict"], sbj["observation"], sbj["positive"], sbj["negative"]) == (
        "Allowed", "Sometimes", 1, 3)
    assert sbj["ok"] is True and sbj["kind"] == "Allowed"
    assert sbj["condition"] == "exists (0:EAX=0 /\\ 1:EAX=0)"
    assert {"0:EAX": "0", "1:EAX": "0"} in sbj["states"] and len(sbj["states"]) == 4
    assert objs[1]["verdict"] == "Forbidden" and objs[1]["kind"] == "Forbidden"


def test_json_with_a_bad_file_keeps_stdout_parseable(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("SB.litmus", SB)
    bad = write_litmus("bad.litmus", BAD)
    r = invoke("run", "--format", "json", str(bad), str(sb))
    assert r.exit_code == 3
    assert [json.loads(line)["test"] for line in r.stdout.splitlines()] == ["SB"]
    assert f"{bad}:4:16: unknown X86 instruction 'MOVE'" in r.stderr


def test_table_format(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("SB.litmus", SB)
    mp = write_litmus("MP.litmus", MP)
    r = invoke("run", "--format", "table", str(sb), str(mp))
    assert r.exit_code == 0, r.output
    rows = [line for line in r.stdout.splitlines() if "SB" in line or "MP" in line]
    assert len(rows) == 2
    assert "x86tso" in rows[0] and "Allowed" in rows[0] and "Sometimes" in rows[0]
    assert "1/3" in rows[0]
    assert "Forbidden" in rows[1] and "Never" in rows[1]
    assert "\x1b[" not in r.stdout  # not a terminal: no colour codes


# -- one bad test never stops a batch -----------------------------------------------------------


def test_batch_with_a_malformed_file(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("SB.litmus", SB)
    bad = write_litmus("bad.litmus", BAD)
    mp = write_litmus("MP.litmus", MP)
    r = invoke("run", str(sb), str(bad), str(mp))
    assert r.exit_code == 3
    assert "Test SB Allowed" in r.stdout and "Test MP Forbidden" in r.stdout
    assert r.stdout.startswith(SB_HERD)
    assert r.stderr == (
        f"{bad}:4:16: unknown X86 instruction 'MOVE'\n"
        "     MOV [x],$1  | MOVE [y],$1 ;\n"
        "                   ^^^^\n"
    )
    assert_no_traceback(r)


@pytest.mark.parametrize(
    ("name", "content", "where"),
    [
        ("broken.litmus", BROKEN_CONDITION, ":5:"),
        ("empty.litmus", "", ":1:1:"),
        ("junk.litmus", b"\x7fELF\x02\x01\x01\x00\x00\x00", ":1:1:"),
        ("latin1.litmus", SB.replace("Fre PodWR", "caf\u00e9").encode("latin-1"), ":2:5:"),
        ("noarch.litmus", SB.replace("X86 SB", "PPC SB"), ":1:1:"),
    ],
)
def test_each_kind_of_bad_input_in_a_batch(
    write_litmus: WriteLitmus, name: str, content: str | bytes, where: str
) -> None:
    sb = write_litmus("SB.litmus", SB)
    bad = write_litmus(name, content)
    r = invoke("run", str(bad), str(sb))
    assert r.exit_code == 3
    assert r.stdout == SB_HERD
    assert r.stderr.startswith(f"{bad}{where}"), r.stderr
    assert_no_traceback(r)


def test_directory_batch(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("a-SB.litmus", SB)
    write_litmus("b-bad.litmus", BAD)
    write_litmus("c-MP.litmus", MP)
    write_litmus("notes.txt", "not a test")
    r = invoke("run", "--format", "json", str(sb.parent))
    assert r.exit_code == 3
    assert [json.loads(line)["test"] for line in r.stdout.splitlines()] == ["SB", "MP"]
    assert "b-bad.litmus:4:16:" in r.stderr


def test_unsupported_test_is_reported_not_guessed(write_litmus: WriteLitmus) -> None:
    arr = write_litmus("ARR.litmus", ARRAY)
    sb = write_litmus("SB.litmus", SB)
    r = invoke("run", str(arr), str(sb))
    assert r.exit_code == 3
    assert r.stdout.startswith("Test ARR Unsupported\nReason symbolic registers")
    assert r.stdout.endswith(SB_HERD)
    assert f"{arr}: unsupported: symbolic registers" in r.stderr


def test_empty_directory(tmp_path: Path) -> None:
    r = invoke("run", str(tmp_path))
    assert r.exit_code == 3
    assert "no .litmus files found" in r.stderr


# -- models ---------------------------------------------------------------------------------------


def test_model_that_does_not_fit_the_architecture(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("SB.litmus", SB)
    r = invoke("run", "--model", "armv8", str(sb))
    assert r.exit_code == 3
    assert r.stdout == ""
    header = SB.splitlines()[0]
    assert r.stderr == (
        f"{sb}:1:1: model 'armv8' does not fit an X86 test (use one of: sc, x86tso)\n"
        f"    {header}\n"
        "    ^^^\n"
    )
    assert_no_traceback(r)


def test_unknown_model_is_a_usage_error(write_litmus: WriteLitmus) -> None:
    sb = write_litmus("SB.litmus", SB)
    r = invoke("run", "--model", "power", str(sb))
    assert r.exit_code == 2
    assert "Invalid value for '--model'" in r.stderr
    assert "'power' is neither a built-in model (sc, x86tso, armv8" in r.stderr
    assert r.stdout == ""


# -- usage mistakes exit 2 -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run"], "Missing argument 'PATHS...'"),
        (["run", "--format", "xml", "SB.litmus"], "Invalid value for '--format'"),
        (["run", "--frobnicate", "SB.litmus"], "No such option"),
        (["run", "nonexistent.litmus"], "does not exist"),
        (["run", "--timeout", "0", "SB.litmus"], "Invalid value for '--timeout'"),
        (["run", "--max-executions", "zero", "SB.litmus"], "Invalid value for '--max-executions'"),
        (["launch"], "No such command 'launch'"),
    ],
)
def test_usage_mistakes_exit_2(
    write_litmus: WriteLitmus, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    sb = write_litmus("SB.litmus", SB)
    monkeypatch.chdir(sb.parent)
    r = invoke(*args)
    assert r.exit_code == 2
    assert message in r.stderr
    assert r.stdout == ""


# -- the installed command ----------------------------------------------------------------------


def test_installed_command(write_litmus: WriteLitmus) -> None:
    """The console script end to end: real streams, real exit code, no traceback."""
    exe = Path(sys.executable).with_name("mmcheck")
    if not exe.exists():
        pytest.skip("the mmcheck console script is not installed next to this Python")
    cmd = [str(exe)]
    sb = write_litmus("SB.litmus", SB)
    bad = write_litmus("bad.litmus", BAD)
    p = subprocess.run([*cmd, "run", str(sb), str(bad)], capture_output=True, text=True,
                       timeout=60, check=False)
    assert p.returncode == 3
    assert p.stdout == SB_HERD
    assert p.stderr.startswith(f"{bad}:4:16: unknown X86 instruction 'MOVE'\n")
    assert "Traceback" not in p.stderr


def test_files_found_as_pathlib_finds_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    """``run`` finds a directory's tests without pathlib: the same files, written and
    ordered as ``sorted(Path(d).rglob("*.litmus"))`` gives them (hidden files, a
    directory named like a test, a link to a file kept; a link to a directory not
    followed; ``a/b`` before ``a-b``, component by component)."""
    import os

    from mmcheck.commands.run_cmd import _pure, litmus_files

    for p in ("", ".", "./", "a//b/", "/", "//", "///x", "//x/y", "./a/./b", "a/../b"):
        assert _pure(p) == str(Path(p))
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a-b").mkdir()
    (tmp_path / "dir.litmus").mkdir()
    for f in ("a/b/y.litmus", "a-b/x.litmus", ".h.litmus", "z.litmus", "a/notes.txt"):
        (tmp_path / f).write_text("")
    os.symlink(tmp_path / "a", tmp_path / "link")
    os.symlink(tmp_path / "a" / "b" / "y.litmus", tmp_path / "ln.litmus")
    monkeypatch.chdir(tmp_path)
    for top in (str(tmp_path), f"{tmp_path}//a/.", ".", "./a/", "z.litmus"):
        want = [str(p) for p in sorted(Path(top).rglob("*.litmus"))] \
            if Path(top).is_dir() else [str(Path(top))]
        assert litmus_files((top,)) == want
    assert "link/b/y.litmus" not in litmus_files((".",))
