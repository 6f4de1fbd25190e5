"""The Linux-kernel memory model (``lkmm``) on C tests: classic shapes with their
verdicts and counts, the model's flags, RCU, and metamorphic relations with ``sc``.

Every count below is herd7 7.57's, run with the kernel's model files (v6.14).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mmcheck.check import check
from mmcheck.litmus.parse import parse_file, parse_text
from mmcheck.models import get_model
from mmcheck.models.dsl import is_monotone
from mmcheck.report import herd

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "conformance" / "c-lkmm"
sys.path.insert(0, str(ROOT / "tests" / "bench"))

import families  # noqa: E402


def _c(name: str, threads: list[str], cond: str, init: str = "{}") -> str:
    return f"C {name}\n{init}\n" + "\n".join(threads) + f"\nexists ({cond})\n"


def _thread(i: int, params: str, body: list[str], regs: tuple[str, ...] = ()) -> str:
    decls = "".join(f"\tint {r};\n" for r in regs)
    return f"P{i}({params})\n{{\n{decls}" + "".join(f"\t{s}\n" for s in body) + "}\n"


XY = "int *x, int *y"

# name -> (source, observation, positive, negative)
SHAPES: dict[str, tuple[str, str, int, int]] = {
    "MP+o": (_c("MP+o", [
        _thread(0, XY, ["WRITE_ONCE(*x, 1);", "WRITE_ONCE(*y, 1);"]),
        _thread(1, XY, ["r0 = READ_ONCE(*y);", "r1 = READ_ONCE(*x);"], ("r0", "r1")),
    ], "1:r0=1 /\\ 1:r1=0"), "Sometimes", 1, 3),
    "MP+wmb+rmb": (_c("MP+wmb+rmb", [
        _thread(0, XY, ["WRITE_ONCE(*x, 1);", "smp_wmb();", "WRITE_ONCE(*y, 1);"]),
        _thread(1, XY, ["r0 = READ_ONCE(*y);", "smp_rmb();", "r1 = READ_ONCE(*x);"],
                ("r0", "r1")),
    ], "1:r0=1 /\\ 1:r1=0"), "Never", 0, 3),
    "MP+rel+acq": (_c("MP+rel+acq", [
        _thread(0, XY, ["WRITE_ONCE(*x, 1);", "smp_store_release(y, 1);"]),
        _thread(1, XY, ["r0 = smp_load_acquire(y);", "r1 = READ_ONCE(*x);"], ("r0", "r1")),
    ], "1:r0=1 /\\ 1:r1=0"), "Never", 0, 3),
    "SB+o": (_c("SB+o", [
        _thread(0, XY, ["WRITE_ONCE(*x, 1);", "r0 = READ_ONCE(*y);"], ("r0",)),
        _thread(1, XY, ["WRITE_ONCE(*y, 1);", "r0 = READ_ONCE(*x);"], ("r0",)),
    ], "0:r0=0 /\\ 1:r0=0"), "Sometimes", 1, 3),
    "SB+mbs": (_c("SB+mbs", [
        _thread(0, XY, ["WRITE_ONCE(*x, 1);", "smp_mb();", "r0 = READ_ONCE(*y);"], ("r0",)),
        _thread(1, XY, ["WRITE_ONCE(*y, 1);", "smp_mb();", "r0 = READ_ONCE(*x);"], ("r0",)),
    ], "0:r0=0 /\\ 1:r0=0"), "Never", 0, 3),
    "LB+ctrl+data": (_c("LB+ctrl+data", [
        _thread(0, XY, ["r0 = READ_ONCE(*x);", "if (r0)", "\tWRITE_ONCE(*y, 1);"], ("r0",)),
        _thread(1, XY, ["r0 = READ_ONCE(*y);", "WRITE_ONCE(*x, r0);"], ("r0",)),
    ], "0:r0=1 /\\ 1:r0=1"), "Never", 0, 2),
}

FIXTURES = ROOT / "tests" / "fixtures" / "lkmm"

# fixture -> (flags, observation, positive, negative)
FLAGGED: dict[str, tuple[tuple[str, ...], str, int, int]] = {
    "MP-plain": (("data-race",), "Never", 0, 3),
    "SB-plain": (("data-race",), "Sometimes", 1, 3),
    "RCU-unmatched": (("unmatched-rcu-lock", "unmatched-rcu-unlock"), "Sometimes", 1, 1),
    "SRCU-MP": ((), "Never", 0, 3),
    "lock-final": ((), "Sometimes", 1, 1),
    "mixed": (("mixed-accesses",), "Always", 1, 0),
}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_classic_shapes(name: str) -> None:
    src, obs, pos, neg = SHAPES[name]
    r = check(parse_text(src), "lkmm")
    assert (r.observation, r.positive, r.negative) == (obs, pos, neg)
    assert r.flags == ()


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_flags_as_herd7_raises_them(name: str) -> None:
    flags, obs, pos, neg = FLAGGED[name]
    r = check(parse_file(FIXTURES / f"{name}.litmus"), "lkmm")
    assert (r.observation, r.positive, r.negative) == (obs, pos, neg)
    assert r.flags == flags
    lines = herd.render(r).splitlines()
    assert [ln for ln in lines if ln.startswith("Flag ")] == [f"Flag {f}" for f in flags]


def test_rcu_guarantee_is_not_sc() -> None:
    """A read-side critical section that a grace period splits: SC (where
    synchronize_rcu() is a mere fence) allows it, the RCU guarantee forbids it."""
    test = parse_file(FIXTURES / "RCU-MP.litmus")
    lk, sc = check(test, "lkmm"), check(test, "sc")
    assert (lk.observation, lk.positive, lk.negative) == ("Never", 0, 3)
    assert (sc.observation, sc.positive, sc.negative) == ("Sometimes", 1, 3)


@pytest.mark.parametrize("k", [3, 4, 5, 6])
def test_rcu_chains(k: int) -> None:
    """At least as many grace periods as readers forbid the cycle; fewer allow it."""
    never = check(parse_text(families.rcu_chain(k, (k + 1) // 2)), "lkmm")
    assert (never.observation, never.positive, never.negative) == ("Never", 0, 2 ** k - 1)
    some = check(parse_text(families.rcu_chain(k, (k - 1) // 2)), "lkmm")
    assert (some.observation, some.positive, some.negative) == ("Sometimes", 1, 2 ** k - 1)


def test_checks_are_monotone_and_flags_named() -> None:
    """The search prunes on every lkmm check: each must be monotone in rf and co."""
    m = get_model("lkmm")
    assert m is not None
    assert [c.name for c in m.checks] == [
        "lock-nest", "nested-is-locked", "unmatched-locks", "coherence", "atomic",
        "happens-before", "propagation", "rcu", "plain-coherence",
    ]
    assert all(is_monotone(c.expr) for c in m.checks)
    names = {c.name for c in m.flags}
    assert {"data-race", "mixed-accesses", "lock-final", "multiple-srcu-matches",
            "unmatched-rcu-lock", "unmatched-rcu-unlock", "unmatched-srcu-lock",
            "unmatched-srcu-unlock", "invalid-sleep", "srcu-bad-value-match",
            "mixed-lock-accesses", "unpaired-LKW", "unpaired-LKR",
            "unmatched-unlock"} == names


RCU_PRIMITIVES = ("rcu_read_lock", "synchronize_rcu", "srcu_read_lock", "synchronize_srcu")


def _c_tests() -> list[Path]:
    """C tests of the library and the corpus, but those using RCU (no inclusion holds)."""
    paths = sorted((ROOT / "litmus").rglob("*.litmus"))
    if CORPUS.is_dir():
        paths += sorted(CORPUS.glob("*.litmus"))
    out = []
    for p in paths:
        text = p.read_text(errors="replace")
        if text.lstrip().startswith("C ") and not any(f in text for f in RCU_PRIMITIVES):
            out.append(p)
    return out


@pytest.mark.parametrize("path", _c_tests(), ids=lambda p: p.stem)
def test_sc_states_are_lkmm_states(path: Path) -> None:
    """Metamorphic: every final state SC reaches, the LKMM reaches too, except where
    RCU forbids it (a grace period is no mere fence: see test_rcu_guarantee_is_not_sc)."""
    test = parse_file(path)
    sc = check(test, "sc")
    lk = check(test, "lkmm")
    assert sc.status == lk.status == "ok"
    assert set(sc.states) <= set(lk.states)
    assert sc.positive + sc.negative <= lk.positive + lk.negative


def _blame_of(src_or_path: str | Path) -> tuple[str, list[str]]:
    from mmcheck.explain import analyse

    test = parse_file(src_or_path) if isinstance(src_or_path, Path) else parse_text(src_or_path)
    m = get_model("lkmm")
    assert m is not None
    ex = analyse(test, m)
    assert ex.blames, "a forbidden outcome is explained by a failing check"
    _, b = ex.blames[0]
    return b.check, [s.rel for s in b.steps]


@pytest.mark.parametrize(
    ("name", "check_name", "labels"),
    [
        ("SB+mbs", "propagation", ["fre", "mb", "fre", "mb"]),
        ("MP+rel+acq", "happens-before", ["ppo", "fre", "po-rel", "rfe"]),
        ("MP+wmb+rmb", "happens-before", ["ppo", "fre", "wmb", "rfe"]),
    ],
)
def test_explain_names_the_lkmm_check_and_relations(
    name: str, check_name: str, labels: list[str]
) -> None:
    got_check, got = _blame_of(SHAPES[name][0])
    assert got_check == check_name
    # the cycle may start anywhere: compare rotations
    assert any(got[i:] + got[:i] == labels for i in range(len(got))), got


def test_explain_rcu_cycle() -> None:
    check_name, labels = _blame_of(FIXTURES / "RCU-MP.litmus")
    assert check_name == "rcu"
    assert "rcu-order" in labels and "fre" in labels
