"""C tests compiled through the mappings: the command, the CLI's identity between
``run --model armv8`` and ``run`` on the compiled file, the dirty-ring library against its
hand-written assembly, and the LKMM's soundness for the kernel's mappings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmcheck.check import Options, check
from mmcheck.cli import main
from mmcheck.compile import compile_test, compiled
from mmcheck.compile.codegen import Options as Target
from mmcheck.errors import Unsupported
from mmcheck.litmus.ast import Litmus
from mmcheck.litmus.parse import parse_file

ROOT = Path(__file__).resolve().parent.parent
C_RING = ROOT / "litmus" / "dirty-ring-c"
ASM_RING = ROOT / "litmus" / "dirty-ring"
C_LKMM = ROOT.parent / "shared" / "conformance" / "c-lkmm"
RING_TESTS = sorted(C_RING.glob("*.litmus"))


def invoke(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.stdout, r.stderr


def verdict(test: Litmus, model: str, atomics: str = "lse") -> str | None:
    r = check(test, model, Options(target=Target(atomics)))
    if r.status != "ok":
        return None
    return "Allowed" if r.positive else "Forbidden"


@pytest.mark.parametrize("path", RING_TESTS, ids=lambda p: p.stem)
def test_run_armv8_on_c_equals_run_on_compiled(path: Path, tmp_path: Path) -> None:
    for arch, model in (("AArch64", "armv8"), ("X86", "x86tso")):
        out = tmp_path / f"{path.stem}.{arch}.litmus"
        code, _, err = invoke("compile", str(path), "--arch", arch, "-o", str(out))
        assert code == 0, err
        code1, direct, _ = invoke("run", str(path), "--model", model)
        code2, via_file, _ = invoke("run", str(out))
        assert (code1, code2) == (0, 0)
        assert direct == via_file
        assert "Observation" in direct


@pytest.mark.parametrize("path", RING_TESTS, ids=lambda p: p.stem)
def test_c_dirty_ring_matches_the_assembly_library(path: Path) -> None:
    test = parse_file(path)
    for arch, model in (("AArch64", "armv8"), ("X86", "x86tso")):
        asm = ASM_RING / f"{path.stem}.{arch}.litmus"
        if not asm.exists():
            continue
        hand = verdict(parse_file(asm), model)
        assert hand is not None
        assert verdict(test, model, "lse") == hand, (path.stem, model)
        if model == "armv8":
            assert verdict(test, model, "llsc") == hand, (path.stem, "llsc")


def test_compile_writes_atomically_and_keeps_the_condition(tmp_path: Path) -> None:
    src = C_RING / "stale-entry.pre-fix.litmus"
    out = tmp_path / "out.litmus"
    out.write_text("old")
    code, stdout, _ = invoke("compile", str(src), "--arch", "AArch64", "-o", str(out))
    assert code == 0 and stdout == ""
    text = out.read_text()
    assert text.startswith("AArch64 stale-entry.pre-fix\n")
    assert "exists (1:X0=1 /\\ 1:X2=0)" in text
    assert "(* r0 = qatomic_read(flags); *)" in text
    assert "1:r0->1:X0" in text
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left behind
    code, stdout, _ = invoke("compile", str(src), "--arch", "X86")
    assert code == 0 and stdout.startswith("X86_64 stale-entry.pre-fix\n")


def test_compile_reports_unsupported_with_the_reason(tmp_path: Path) -> None:
    src = tmp_path / "lock.litmus"
    src.write_text("C lock\n{}\nP0(spinlock_t *s, int *x)\n{\n\tspin_lock(s);\n"
                   "\tWRITE_ONCE(*x, 1);\n\tspin_unlock(s);\n}\nexists (x=1)\n")
    code, _, err = invoke("compile", str(src), "--arch", "AArch64")
    assert code == 3
    assert "unsupported: spin_lock: a lock has no single instruction sequence" in err
    code, out, err = invoke("run", str(src), "--model", "armv8")
    assert code == 3 and "unsupported" in err


def test_matrix_table_has_one_column_per_model() -> None:
    code, out, _ = invoke("run", str(C_RING), "--model", "all", "--format", "table")
    assert code == 0
    header = next(line for line in out.splitlines() if "test" in line)
    cols = [c.strip() for c in header.strip("┃ ").split("┃")]
    assert cols == ["test", "sc", "lkmm", "x86tso", "armv8"]
    row = next(line for line in out.splitlines() if "stale-entry.pre-fix" in line)
    assert row.split("│")[2:6] == [" Forbidden ", " Allowed   ", " Forbidden ", " Allowed   "]


def test_control_dependency_survives_compilation() -> None:
    test = parse_file(C_LKMM / "C-LB+o-cge-o+o-cge-o.litmus") if C_LKMM.exists() else None
    if test is None:
        pytest.skip("no c-lkmm corpus")
    text = compile_test(test, "AArch64")
    assert "B.LT" in text  # if (r1 >= 0): a real compare-and-branch
    assert verdict(test, "armv8") == "Forbidden"


# -- soundness: the LKMM forbids only what the kernel's mappings forbid on hardware --------

KERNEL_ONLY = ("qatomic_", "_explicit", "atomic_load(", "atomic_store(", "atomic_exchange(")


def _kernel_tests() -> list[Path]:
    # The library's kernel-primitive tests and c-lkmm (the C dirty ring mixes in QEMU's).
    paths = sorted(C_LKMM.glob("*.litmus")) if C_LKMM.exists() else []
    paths += sorted((ROOT / "litmus").glob("lkmm/*.litmus"))
    return [p for p in paths if not any(k in p.read_text() for k in KERNEL_ONLY)]


@pytest.mark.skipif(not C_LKMM.exists(), reason="no c-lkmm corpus at ../shared")
def test_lkmm_is_sound_for_the_kernels_mappings() -> None:
    checked = 0
    for path in _kernel_tests():
        test = parse_file(path)
        if verdict(test, "lkmm") != "Forbidden":
            continue
        for model, atomics in (("x86tso", "lse"), ("armv8", "lse"), ("armv8", "llsc")):
            try:
                compiled(test, model, Target(atomics))
            except Unsupported:
                continue  # locks, RCU, add_unless: no instruction sequence
            assert verdict(test, model, atomics) == "Forbidden", (path.name, model, atomics)
            checked += 1
    assert checked >= 60


# -- herd7 itself, when MMCHECK_HERD7 names a binary ---------------------------------------

HERD7 = os.environ.get("MMCHECK_HERD7")


@pytest.mark.skipif(not HERD7, reason="MMCHECK_HERD7 does not name a herd7 binary")
@pytest.mark.parametrize("path", RING_TESTS, ids=lambda p: p.stem)
def test_herd7_agrees_on_the_compiled_tests(path: Path, tmp_path: Path) -> None:
    assert HERD7 is not None
    libdir = Path(HERD7).resolve().parents[3] / "herd" / "libdir"
    for arch, model, atomics in (("AArch64", "armv8", "lse"), ("AArch64", "armv8", "llsc"),
                                 ("X86", "x86tso", "lse")):
        out = tmp_path / f"{path.stem}.{arch}.{atomics}.litmus"
        code, _, err = invoke("compile", str(path), "--arch", arch, "--atomics", atomics,
                              "-o", str(out))
        assert code == 0, err
        cmd = [HERD7, "-I", str(libdir)]
        if arch == "AArch64":
            cmd += ["-model", "aarch64.cat"]
        herd = subprocess.run([*cmd, str(out)], capture_output=True, text=True, check=True)
        theirs = [ln for ln in herd.stdout.splitlines()
                  if ln and not ln.startswith(("Time", "Hash"))]
        _, ours, _ = invoke("run", str(path), "--model", model, "--atomics", atomics)
        assert [ln for ln in ours.splitlines() if ln] == theirs
