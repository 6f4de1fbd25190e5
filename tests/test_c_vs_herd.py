"""C events as herd7 builds them: same executions under probe models, and under sc.

The probes are small models of our own, written both as a cat file for herd7 (with the
kernel's ``linux-kernel.bell`` for the annotation sets and its dependencies through
``rfi``, and ``lock.cat`` for spinlocks) and in mmcheck's DSL.  Agreement on states and
counts under them means the two tools build the same events, tags, program order,
``rmw``, ``addr``/``data``/``ctrl`` and paths for each test; the LKMM built on top can then
only differ by its own axioms.  herd7 is only run where MMCHECK_HERD7 names its binary;
the test skips elsewhere.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from mmcheck.check import check
from mmcheck.execution import Result, show_state
from mmcheck.litmus.parse import parse_file
from mmcheck.models.dsl import (
    Check,
    Expr,
    Model,
    R,
    SBase,
    SDiff,
    SetExpr,
    Star,
    SUnion,
    Union,
    W,
    addr,
    co,
    coe,
    com,
    ctrl,
    data,
    fr,
    fre,
    ident,
    po,
    po_loc,
    restrict,
    rfe,
    rfi,
    rmw,
    seq,
    tag,
)
from mmcheck.report.herd import render

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared" / "conformance"
LKMM_FILES = SHARED / "models" / "lkmm"
HERD = Path(os.environ.get("MMCHECK_HERD7", "") or "/nonexistent/herd7")
HERD_LIB = SHARED / "models" / "herd-7.57"

pytestmark = pytest.mark.skipif(
    not (HERD.is_file() and LKMM_FILES.is_dir()), reason="no herd7 or no LKMM files"
)

FILES = sorted((SHARED / "c-lkmm").glob("*.litmus")) + sorted((ROOT / "litmus" / "lkmm").glob(
    "*.litmus"))

_CHECKS = """
let com = rf | co | fr
acyclic po-loc | com as uniproc
empty rmw & (fre;coe) as atomic
let fencerel(S) = (po & (_ * S)) ; po
"""
PROBE_CAT = '"probe"\ninclude "{inc}"\n' + _CHECKS + """
let ppo = addr | data | ctrl | (po ; [Release]) | ([Acquire] ; po) | fencerel(Mb)
  | ([W];fencerel(Wmb);[W]) | ([R];fencerel(Rmb);[R]) | ([RMW] ; po) | (po ; [Noreturn])
  | fencerel(Rcu-lock) | fencerel(Sync-rcu) | fencerel(Before-atomic) | fencerel(Sync-srcu)
  | ([Srcu-lock] ; po)
acyclic ppo | rfe | co | fr as probe
"""


def _probe(locks: bool) -> Model:
    t = tag
    everything: SetExpr = SUnion((R, W, SBase("F")))
    carry = Star(seq(data, ident(SDiff(everything, t("Srcu-unlock"))), rfi))

    def fencerel(s: SetExpr) -> Expr:
        return seq(po, ident(s), po)

    acq = t("Acquire") | t("LKR") if locks else t("Acquire")
    rel = t("Release") | t("UL") if locks else t("Release")
    ppo = Union((
        seq(carry, addr), seq(carry, data), seq(carry, ctrl),
        seq(po, ident(rel)), seq(ident(acq), po), fencerel(t("Mb")),
        restrict(W, fencerel(t("Wmb")), W), restrict(R, fencerel(t("Rmb")), R),
        seq(ident(t("RMW")), po), seq(po, ident(t("Noreturn"))), fencerel(t("Rcu-lock")),
        fencerel(t("Sync-rcu")), fencerel(t("Before-atomic")), fencerel(t("Sync-srcu")),
        seq(ident(t("Srcu-lock")), po),
    ))
    return Model(name="probe", title="probe", checks=(
        Check("acyclic", Union((po_loc, com)), "uniproc"),
        Check("empty", rmw & seq(fre, coe), "atomic"),
        Check("acyclic", Union((ppo, rfe, co, fr)), "probe"),
    ), arches=("C",))


def _herd_text(test: Path, *args: str) -> str:
    return subprocess.run(
        [str(HERD), "-I", str(HERD_LIB), "-I", str(LKMM_FILES), "-macros",
         str(LKMM_FILES / "linux-kernel.def"), *args, str(test.resolve())],
        capture_output=True, text=True, cwd=LKMM_FILES, timeout=120, check=False,
    ).stdout


def _herd(test: Path, *args: str) -> tuple[str, list[str]]:
    out = _herd_text(test, *args)
    obs = next((line for line in out.splitlines() if line.startswith("Observation")), "")
    states = [line for line in out.splitlines() if line[:1].isdigit() or line[:1] == "["]
    return obs, _norm(states)


def _norm(states: list[str]) -> list[str]:
    return sorted(";".join(sorted(p.strip() for p in s.split(";") if p.strip()))
                  for s in states)


def _ours(r: Result) -> tuple[str, list[str]]:
    obs = f"Observation {r.name} {r.observation} {r.positive} {r.negative}"
    return obs, _norm([show_state(s) for s in r.states])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_same_executions_as_herd7_under_a_probe(path: Path) -> None:
    locks = "spin_" in path.read_text()
    with tempfile.TemporaryDirectory() as tmp:
        cat = Path(tmp) / "probe.cat"
        cat.write_text(PROBE_CAT.format(inc="lock.cat" if locks else "cos.cat"))
        want = _herd(path, "-bell", str(LKMM_FILES / "linux-kernel.bell"), "-model", str(cat))
    assert want[0], "herd7 gave no result"
    assert _ours(check(parse_file(path), _probe(locks))) == want


@pytest.mark.parametrize("path", [p for p in FILES if "spin_" not in p.read_text()],
                         ids=lambda p: p.name)
def test_sc_agrees_with_herd7_sc_cat(path: Path) -> None:
    """Without spinlocks (herd7's sc.cat knows nothing of them): herd7's text, line for line."""
    text = _herd_text(path, "-model", str(HERD_LIB / "sc.cat"))
    want = [line for line in text.splitlines()
            if line and not line.startswith(("Time ", "Hash="))]
    assert want, "herd7 gave no result"
    got = render(check(parse_file(path), "sc")).splitlines()
    # line for line, the state lines compared as sets of 'name=value' entries
    assert [_norm([g])[0] for g in got] == [_norm([w])[0] for w in want]
