"""tests/bench/suite.py: the generated AArch64 suite is deterministic and mmcheck runs it.

No timing assertions: tests/bench/compare_herd.py measures; this only keeps the
generator and the comparison script working.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner

from mmcheck.cli import main

BENCH = Path(__file__).parent / "bench"


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


suite = load("suite")


def contents(d: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(d.glob("*.litmus"))}


def test_deterministic(tmp_path: Path) -> None:
    a = contents(Path(suite.generate(tmp_path / "a", 40, seed=3)[0]).parent)
    b = contents(Path(suite.generate(tmp_path / "b", 40, seed=3)[0]).parent)
    c = contents(Path(suite.generate(tmp_path / "c", 40, seed=4)[0]).parent)
    assert len(a) == 40
    assert a == b
    assert a != c


def test_cli_writes_count(tmp_path: Path) -> None:
    assert suite.main([str(tmp_path), "--count", "5", "--seed", "1"]) == 0
    assert len(list(tmp_path.glob("*.litmus"))) == 5


def test_suite_covers_the_features(tmp_path: Path) -> None:
    text = "".join(contents(Path(suite.generate(tmp_path, 300)[0]).parent).values())
    cells = {c.strip() for line in text.splitlines() for c in line.rstrip(";").split("|")}
    ops = {c.split()[0] for c in cells if c}
    for op in ("LDAR", "STLR", "LDAPR", "CBNZ", "ISB", "LDXR", "STXR", "LDAXR", "STLXR",
               "SWP", "SWPAL", "LDADD", "LDADDA", "CAS", "CASL", "P3"):
        assert op in ops, op
    for cell in ("DMB ISH", "DMB ISHLD", "DMB ISHST"):
        assert cell in cells, cell
    assert any(c.endswith(",SXTW]") for c in cells)


def pick(paths: list[Path], n: int) -> list[Path]:
    """A handful of tests that between them use the main instruction kinds."""
    chosen: list[Path] = []
    for word in ("CBNZ", "STXR", "SWP", "LDADD", "CAS", "SXTW", "LDAPR", "DMB"):
        for p in paths:
            if p not in chosen and word in p.read_text().split("{", 1)[1]:
                chosen.append(p)
                break
    return chosen[:n]


def test_generated_tests_run(tmp_path: Path) -> None:
    paths = pick(suite.generate(tmp_path / "s", 60, seed=11), 8)
    assert len(paths) >= 6
    res = CliRunner().invoke(main, ["run", "--format", "json", "--timeout", "60",
                                    *map(str, paths)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines() if line.strip()]
    assert len(rows) == len(paths)
    for d in rows:
        assert d["status"] == "ok", d
        assert d["observation"] in ("Always", "Sometimes", "Never")
        assert d["positive"] + d["negative"] > 0


def test_compare_without_herd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("HERD7", raising=False)
    compare = load("compare_herd")
    suite.generate(tmp_path, 3, seed=5)
    out = tmp_path / "r.json"
    assert compare.main([str(tmp_path), "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "tests: 3" in printed and "mmcheck" in printed
    r = json.loads(out.read_text())
    assert len(r["mmcheck_obs"]) == 3
