"""Agreement with herd7 7.57 on the reference corpus in ../shared/conformance.

One test per litmus file: verdict, final states and Positive/Negative counts must
all agree (``mmcheck.conformance.compare``).  The corpus lives outside the
repository; without it this module is skipped at collection.  Run only these with
``pytest -m conformance``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mmcheck.conformance import compare

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"

if not CORPUS.is_dir():
    pytest.skip(f"no conformance corpus at {CORPUS}", allow_module_level=True)

X86_DIRS = ("x86-catalogue", "x86_64-catalogue", "x86-diy", "x86_64-instructions")
AARCH64_DIRS = ("aarch64-catalogue", "aarch64-diy")
C_DIRS = ("c-lkmm",)  # C tests under the Linux-kernel memory model (lkmm, their default)
# Directories where a test may also be reported unsupported (with a reason), never
# answered wrongly nor rejected as malformed.
LENIENT_DIRS = ("aarch64-instructions",)

# Tests that use a feature mmcheck reports as unsupported rather than guessing,
# with a word the reason must contain.
KNOWN_UNSUPPORTED: dict[str, str] = {
    # A path dereferences the integer a list cell holds (herd7 drops such paths).
    "c-lkmm/C-RomanPenyaev-list-rcu-rr": "not a shared location",
}

TIMEOUT = 60.0


def _params() -> list[Any]:
    params: list[Any] = []
    for d in X86_DIRS + AARCH64_DIRS + C_DIRS + LENIENT_DIRS:
        folder = CORPUS / d
        tests = sorted(f for f in folder.glob("*.litmus")
                       if Path(f"{f}.expected").exists()) if folder.is_dir() else []
        if not tests:
            params.append(pytest.param(
                None, id=f"{d}/*", marks=pytest.mark.skip(reason=f"no tests in {folder}")))
            continue
        params.extend(pytest.param(f, id=f"{d}/{f.stem}") for f in tests)
    return params


@pytest.mark.conformance
@pytest.mark.parametrize("path", _params())
def test_agrees_with_herd(path: Path) -> None:
    key = f"{path.parent.name}/{path.stem}"
    outcome = compare(path, None, TIMEOUT)
    if outcome.status == "unsupported" and key in KNOWN_UNSUPPORTED:
        assert KNOWN_UNSUPPORTED[key] in outcome.detail, outcome.detail
        return
    if outcome.status == "unsupported" and path.parent.name in LENIENT_DIRS:
        assert outcome.detail.strip(), "an unsupported test needs a reason"
        return
    assert outcome.status == "agree", f"{outcome.status}: {outcome.detail}"
    assert outcome.verdict and outcome.states and outcome.counts and outcome.flags


TEXT_DIRS = X86_DIRS + AARCH64_DIRS + C_DIRS + LENIENT_DIRS


@pytest.mark.conformance
@pytest.mark.parametrize(
    "directory", TEXT_DIRS
)
def test_herd_text_line_for_line(directory: str) -> None:
    """``--format herd`` prints herd7's text exactly, apart from its Time and Hash lines."""
    from mmcheck.check import check
    from mmcheck.litmus.parse import parse_file
    from mmcheck.report.herd import render

    differ = []
    for path in sorted((CORPUS / directory).glob("*.litmus")):
        expected = Path(f"{path}.expected").read_text().splitlines()
        expected = [ln for ln in expected if ln.strip() and not ln.startswith(("Hash=", "Time "))]
        result = check(parse_file(path))
        if result.status != "ok":
            continue  # reported unsupported; checked by test_agrees_with_herd
        if render(result).splitlines() != expected:
            differ.append(path.name)
    assert not differ, differ


@pytest.mark.conformance
def test_catalogue_verdicts_match_kinds() -> None:
    """The AArch64 catalogue's official Allowed/Forbidden/Required, from kinds.txt."""
    from mmcheck.check import check
    from mmcheck.litmus.parse import parse_file

    folder = CORPUS / "aarch64-catalogue"
    kinds = dict(
        line.split()[:2] for line in (folder / "kinds.txt").read_text().splitlines()
        if len(line.split()) >= 2
    )
    compared = 0
    for path in sorted(folder.glob("*.litmus")):
        test = parse_file(path)
        if test.name not in kinds:
            continue
        result = check(test)
        if test.condition.quantifier == "forall":
            got = "Required" if result.negative == 0 else result.verdict
        else:
            got = result.verdict
        assert got == kinds[test.name], test.name
        compared += 1
    assert compared >= 70


def _herd7() -> Path | None:
    """herd7 7.57, where MMCHECK_HERD7 names its binary."""
    import os

    env = os.environ.get("MMCHECK_HERD7")
    return Path(env) if env else None


@pytest.mark.conformance
def test_library_herd_text_matches_herd7() -> None:
    """The project's own litmus/ library, line for line (Flag lines included) against
    herd7 run now: x86tso.cat, aarch64.cat, or the kernel's LKMM files for C."""
    import subprocess

    from mmcheck.check import check
    from mmcheck.litmus.parse import parse_file
    from mmcheck.report.herd import render

    herd7 = _herd7()
    if herd7 is None:
        pytest.skip("herd7 not found (set HERD7)")
    root = Path(__file__).resolve().parents[1]
    libdir = herd7.parents[3] / "herd" / "libdir"
    lkmm = CORPUS / "models" / "lkmm"
    differ, compared = [], 0
    for path in sorted((root / "litmus").rglob("*.litmus")):
        test = parse_file(path)
        if test.arch == "C" and any(k in test.source for k in ("qatomic_", "_explicit")):
            continue  # QEMU's and C11's primitives: not in the kernel's linux-kernel.def
        if test.arch == "C":
            cmd = [str(herd7), "-I", str(CORPUS / "models" / "herd-7.57"), "-conf",
                   "linux-kernel.cfg", str(path)]
            cwd = lkmm
        else:
            cat = "aarch64.cat" if test.arch == "AArch64" else "x86tso.cat"
            cmd, cwd = [str(herd7), "-I", str(libdir), "-model", cat, str(path)], root
        out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300).stdout
        expected = [ln for ln in out.splitlines()
                    if ln.strip() and not ln.startswith(("Hash=", "Time "))]
        if render(check(test)).splitlines() != expected:
            differ.append(path.name)
        compared += 1
    assert compared and not differ, differ
