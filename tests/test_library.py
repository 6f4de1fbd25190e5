"""The bundled litmus library: its expectations hold, and weakening the fixes is caught."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmcheck.check import check
from mmcheck.cli import main
from mmcheck.litmus.parse import parse_file

LIBRARY = Path(__file__).resolve().parents[1] / "litmus"
DIRTY_RING = LIBRARY / "dirty-ring"


def run_check(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["check", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


def test_library_expectations_hold() -> None:
    code, out = run_check(str(LIBRARY))
    assert code == 0, out
    assert re.search(r"^\d+ passed, 0 failed$", out, re.M)


def test_every_library_test_has_expectations() -> None:
    code, out = run_check("--strict", str(LIBRARY))
    assert code == 0, out


def weaken(text: str) -> str:
    """Acquire loads to plain loads, release stores to plain stores."""
    text = re.sub(r"\bLDAR\b", "LDR ", text)
    return re.sub(r"\bSTLR\b", "STR ", text)


def test_weakening_the_post_fix_tests_fails_the_check(tmp_path: Path) -> None:
    lib = tmp_path / "dirty-ring"
    shutil.copytree(DIRTY_RING, lib)
    weakened = []
    for path in sorted(lib.glob("*.post-fix.AArch64.litmus")):
        text = path.read_text()
        if "LDAR" in text or "STLR" in text:
            path.write_text(weaken(text))
            weakened.append(path.name.removesuffix(".litmus"))
    assert weakened, "the post-fix AArch64 tests use acquire/release"
    code, out = run_check(str(lib))
    assert code == 1, out
    failed = re.findall(r"^FAILED (\S+) \[armv8\]", out, re.M)
    # Every weakened test whose bad outcome the fix forbids now shows it again...
    for name in ("stale-entry", "wrong-page-reprotected", "recycled-entry"):
        assert f"{name}.post-fix.AArch64" in failed, out
    assert set(failed) <= set(weakened)
    assert "expected Forbidden, got Allowed" in out
    # ...and SC, which no ordering affects, still passes.
    assert not re.search(r"^FAILED \S+ \[sc\]", out, re.M)


@pytest.mark.parametrize("path", sorted(DIRTY_RING.glob("*.litmus")), ids=lambda p: p.stem)
def test_dirty_ring_tests_describe_their_protocol_steps(path: Path) -> None:
    test = parse_file(path)
    assert test.description, "a quoted description line"
    text = path.read_text()
    for step in ("kernel-publish", "user-collect", "user-reset", "kernel-read"):
        if step in text:
            break
    else:
        pytest.fail("the comments name the protocol steps the threads play")
    result = check(test)
    assert result.status == "ok"
