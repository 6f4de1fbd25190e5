"""Cat models give exactly the answers of the built-in models.

herd7 7.57's own sc.cat, x86tso.cat and aarch64.cat (read from ../shared at run time,
with the files they include) against mmcheck's built-in sc, x86tso and armv8, on every
conformance corpus: the same final states, the same Positive/Negative counts, the same
unsupported tests.  The package's own .cat versions of the built-ins are held to the
same standard.  Without ../shared the herd models and corpora are skipped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mmcheck.cat.loader import LIB, load_model
from mmcheck.check import Options, check
from mmcheck.errors import UserError
from mmcheck.litmus.ast import Litmus
from mmcheck.litmus.parse import parse_file
from mmcheck.models import get_model

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "conformance"
HERD = SHARED / "models" / "herd-7.57"
OURS = LIB / "models"

X86_DIRS = ("x86-catalogue", "x86_64-catalogue", "x86-diy", "x86_64-instructions")
ARM_DIRS = ("aarch64-catalogue", "aarch64-diy", "aarch64-instructions")


def _answer(test: Litmus, model: object) -> tuple[object, ...]:
    r = check(test, model, Options(timeout=60))  # type: ignore[arg-type]
    if r.unsupported is not None:
        return ("unsupported",)
    return (r.states, r.positive, r.negative, r.flags, r.incomplete)


def _tests(d: str) -> list[Litmus]:
    out = []
    for f in sorted((SHARED / d).glob("*.litmus")):
        try:
            out.append(parse_file(f))
        except UserError:
            continue
    return out


CASES = [
    (HERD / "x86tso.cat", "x86tso", X86_DIRS),
    (HERD / "sc.cat", "sc", X86_DIRS + ARM_DIRS),
    (HERD / "aarch64.cat", "armv8", ARM_DIRS),
    (OURS / "x86tso.cat", "x86tso", X86_DIRS),
    (OURS / "sc.cat", "sc", X86_DIRS + ARM_DIRS),
    (OURS / "armv8.cat", "armv8", ARM_DIRS),
]


def _params() -> list[object]:
    out = []
    for cat, builtin, dirs in CASES:
        for d in dirs:
            ident = f"{cat.parent.name}/{cat.name}-{d}"
            marks = []
            if not (SHARED / d).is_dir() or not cat.is_file():
                marks.append(pytest.mark.skip(reason=f"no {SHARED / d} or {cat}"))
            out.append(pytest.param(cat, builtin, d, id=ident, marks=marks))
    return out


@pytest.mark.conformance
@pytest.mark.parametrize(("cat", "builtin", "directory"), _params())
def test_cat_model_answers_as_builtin(cat: Path, builtin: str, directory: str) -> None:
    reference = get_model(builtin)
    assert reference is not None
    differ = []
    n = 0
    for test in _tests(directory):
        model = load_model(str(cat), test.arch)
        n += 1
        mine, theirs = _answer(test, model), _answer(test, reference)
        if mine != theirs:
            differ.append(f"{test.name}: cat {mine[1:3]} built-in {theirs[1:3]}")
    assert n > 0
    assert not differ, f"{len(differ)} of {n} differ: {differ[:5]}"


LKMM_CFG = SHARED / "models" / "lkmm" / "linux-kernel.cfg"


def _lkmm_params() -> list[object]:
    folder = SHARED / "c-lkmm"
    files = sorted(folder.glob("*.litmus")) if folder.is_dir() else []
    if not files or not LKMM_CFG.is_file():
        return [pytest.param(None, id="c-lkmm/*", marks=pytest.mark.skip(
            reason=f"no {folder} or {LKMM_CFG}"))]
    return [pytest.param(f, id=f"c-lkmm/{f.stem}") for f in files]


@pytest.mark.conformance
@pytest.mark.parametrize("path", _lkmm_params())
def test_kernel_cfg_agrees_with_herd(path: Path) -> None:
    """The kernel's linux-kernel.cfg, with cross.cat and cos-opt.cat from our library."""
    from mmcheck.conformance import compare

    outcome = compare(path, str(LKMM_CFG), 60)
    assert outcome.status == "agree", f"{outcome.status}: {outcome.detail}"
    ref = check(parse_file(path), get_model("lkmm"))
    mine = check(parse_file(path), str(LKMM_CFG))
    assert (mine.states, mine.positive, mine.negative, mine.flags) == \
        (ref.states, ref.positive, ref.negative, ref.flags)


def test_a_cat_run_without_the_bell_its_cfg_names_says_to_use_the_cfg(tmp_path: Path) -> None:
    (tmp_path / "defs.bell").write_text('"defs"\nlet Mine = R\n')
    (tmp_path / "m.cat").write_text('"m"\nacyclic po | rf | co | [Mine];po as ok\n')
    cfg = tmp_path / "m.cfg"
    cfg.write_text("model m.cat\nbell defs.bell\n")
    with pytest.raises(UserError) as e:
        load_model(str(tmp_path / "m.cat"), "X86")
    assert "unbound name 'Mine'" in e.value.message and f"--model {cfg}" in e.value.message
    assert e.value.span is not None and e.value.span.line == 2
    assert load_model(str(cfg), "X86").checks  # the .cfg itself loads


def test_an_unbound_name_with_no_cfg_beside_is_reported_as_it_stands(tmp_path: Path) -> None:
    (tmp_path / "m.cat").write_text('"m"\nacyclic po | Nope as ok\n')
    with pytest.raises(UserError) as e:
        load_model(str(tmp_path / "m.cat"), "X86")
    assert e.value.message == "unbound name 'Nope'"
