"""``mmcheck run`` over many files shares them with a forked helper: same text, same order."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mmcheck import cli

SB = """\
X86 SB{i}
{{
}}
 P0          | P1          ;
 MOV [x],${i} | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists
(0:EAX=0 /\\ 1:EAX=0)
"""


def run(args: list[str], jobs: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, MMCHECK_JOBS=jobs)
    return subprocess.run([sys.executable, "-m", "mmcheck", "run", *args], env=env,
                          capture_output=True, text=True, check=False)


def untimed(out: str) -> list[str]:
    return [line.split(" time=")[0].split('"time_ms"')[0] for line in out.splitlines()]


@pytest.mark.skipif(cli.jobs() < 2, reason="needs two CPUs and fork")
@pytest.mark.parametrize("fmt", ["herd", "json"])
def test_shared_run_prints_what_one_process_prints(tmp_path: Path, fmt: str) -> None:
    for i in range(cli.PARALLEL_MIN_FILES + 5):
        (tmp_path / f"t{i:02}.litmus").write_text(SB.format(i=i + 1))
    (tmp_path / "t03.litmus").write_text("X86 broken\n{\n")  # a parse error, on stderr
    (tmp_path / "t08.litmus").write_text(SB.format(i=8).replace("MOV [x]", "XCHG [x]"))
    args = ["--format", fmt, "--stats", str(tmp_path)] if fmt == "herd" else \
        ["--format", fmt, str(tmp_path)]
    one, two = run(args, "1"), run(args, "2")
    assert one.returncode == two.returncode == cli.EXIT_BAD_INPUT
    assert one.stderr == two.stderr and one.stderr
    assert untimed(one.stdout) == untimed(two.stdout)
    assert one.stdout.count("SB") >= cli.PARALLEL_MIN_FILES


def test_jobs_env_turns_sharing_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MMCHECK_JOBS", "1")
    assert cli.jobs() == 1
