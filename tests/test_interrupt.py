"""Ctrl-C and interrupted writes: one line and exit 130; a file is never half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mmcheck import atomic_write
from mmcheck.atomic_write import write_text_atomic

sys.path.insert(0, str(Path(__file__).parent / "bench"))
from families import sb_ring  # noqa: E402


def test_atomic_write_replaces(tmp_path: Path) -> None:
    target = tmp_path / "expectations.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    write_text_atomic(target, "new\n")
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["expectations.txt"]


class _Interrupt(BaseException):
    pass


@pytest.mark.parametrize("exc", [KeyboardInterrupt, OSError])
def test_interrupted_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               exc: type[BaseException]) -> None:
    target = tmp_path / "report.json"
    target.write_text("the old report\n")
    real_fsync = os.fsync

    def interrupted(fd: int) -> None:  # half the text is written when the signal comes
        real_fsync(fd)
        raise exc()

    monkeypatch.setattr(atomic_write.os, "fsync", interrupted)
    with pytest.raises(exc):
        write_text_atomic(target, "x" * 100_000)
    assert target.read_text() == "the old report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left


def test_check_update_writes_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``check --update`` goes through the atomic writer: an interrupt keeps the old file."""
    from click.testing import CliRunner

    from mmcheck.cli import main

    (tmp_path / "SB.litmus").write_text(sb_ring(2, "X86"))
    exp = tmp_path / "expectations.txt"
    exp.write_text("# old\n")
    calls: list[str] = []

    def fake(path: str | Path, text: str, encoding: str = "utf-8") -> None:
        calls.append(str(path))
        raise KeyboardInterrupt

    monkeypatch.setattr("mmcheck.commands.check_cmd.write_text_atomic", fake)
    result = CliRunner().invoke(main, ["check", "--update", str(tmp_path)])
    assert result.exit_code == 130
    assert calls == [str(exp)]
    assert exp.read_text() == "# old\n"


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or not hasattr(os, "killpg"),
                    reason="needs /proc and process groups")
def test_ctrl_c_during_parallel_check(tmp_path: Path) -> None:
    for i in range(400):
        (tmp_path / f"SB{i:03}.litmus").write_text(
            sb_ring(8, "X86").replace("SB-8", f"SB{i:03}"))
    (tmp_path / "expectations.txt").write_text("".join(
        f"SB{i:03} sc=Forbidden x86tso=Allowed\n" for i in range(400)))
    proc = subprocess.Popen(
        # --exact: each job counts every execution, so the run outlasts the wait below
        [sys.executable, "-m", "mmcheck", "check", "--exact", "--jobs", "2", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while len(_children(proc.pid)) < 2 and proc.poll() is None \
                and time.monotonic() < deadline:
            time.sleep(0.05)  # until the two workers run
        time.sleep(2.0)  # well past the pool's start, even on a loaded machine
        assert proc.poll() is None, "the check ended before it could be interrupted"
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 130, (out, err)
    assert err == "interrupted\n", err
    assert "Traceback" not in out
