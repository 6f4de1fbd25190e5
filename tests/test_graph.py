"""mmcheck graph and report: SVG, DOT and the self-contained HTML page."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from mmcheck.check import resolve_model
from mmcheck.cli import main
from mmcheck.explain import analyse, letters
from mmcheck.litmus.parse import parse_text
from mmcheck.report import dot, html, svg
from mmcheck.report.layout import pictures

GOLDEN = Path(__file__).parent / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"

MP = """X86 MP
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV EAX,[y] ;
 MOV [y],$1  | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 1:EBX=0)
"""
SB = """X86 SB
{ }
 P0          | P1          ;
 MOV [x],$1  | MOV [y],$1  ;
 MOV EAX,[y] | MOV EAX,[x] ;
exists (0:EAX=0 /\\ 1:EAX=0)
"""
WRC = """X86 WRC+xchg
{ 1:EBX=2; }
 P0         | P1           | P2          ;
 MOV [x],$1 | MOV EAX,[x]  | MOV EAX,[y] ;
            | XCHG [y],EBX | MFENCE      ;
            |              | MOV EBX,[x] ;
exists (1:EAX=1 /\\ 2:EAX=2 /\\ 2:EBX=0)
"""


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("MMCHECK_PROMOTE"):  # review the diff like code
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")


def pics(text: str, which: str | None = None, model: str | None = None
         ) -> tuple[list[object], object]:
    test = parse_text(text, "t.litmus")
    ex = analyse(test, resolve_model(test, model), rejected=True)
    ps, _ = pictures(ex, which)
    return list(ps), ex


@pytest.mark.parametrize("text", [MP, SB, WRC])
@pytest.mark.parametrize("which", ["witness", "forbidden", "all"])
def test_svg_parses_and_labels_every_event_and_rf_edge(text: str, which: str) -> None:
    ps, ex = pics(text, which)
    for p in ps:
        doc = svg.render([p])  # type: ignore[list-item]
        root = ET.fromstring(doc)
        texts = ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]
        for n in p.nodes:  # type: ignore[attr-defined]
            assert n.text in texts
        rf_edges = [e for e in p.edges if e.kind == "rf"]  # type: ignore[attr-defined]
        paths = [q for q in root.iter(f"{SVG_NS}path") if "rf" in q.get("class", "").split()]
        assert len(paths) == len(rf_edges)
        for e in rf_edges:
            assert e.label in texts
    if which == "all":
        r = ex.result  # type: ignore[attr-defined]
        reach = [x for x in r.witnesses + r.rejected if x.satisfies]
        assert len(ps) == min(3, len([x for x in r.witnesses if x.satisfies])) + min(
            3, len([x for x in r.rejected if x.satisfies])) or not reach


def test_every_event_gets_a_letter() -> None:
    ps, ex = pics(MP)
    r = ex.result  # type: ignore[attr-defined]
    x = r.rejected[0]
    names = letters(x)
    assert [names[e.id] for e in x.events if not e.is_init] == ["a", "b", "c", "d"]
    texts = {n.text for n in ps[0].nodes}  # type: ignore[attr-defined]
    assert {"a: Wx=1", "b: Wy=1", "c: Ry=1", "d: Rx=0", "init: Wx=0"} <= texts


def test_forbidden_picture_highlights_the_cycle() -> None:
    ps, _ = pics(MP)
    (p,) = ps
    cyc = [(e.src, e.label, e.dst) for e in p.edges if e.highlight]  # type: ignore[attr-defined]
    assert sorted(lbl for _, lbl, _ in cyc) == ["fre", "ppo", "ppo", "rfe"]
    assert "rejected by tso" in p.title  # type: ignore[attr-defined]


def test_po_and_co_are_reduced() -> None:
    text = """X86 W3
{ }
 P0         | P1          ;
 MOV [x],$1 | MOV EAX,[x] ;
 MOV [x],$2 |             ;
 MOV [x],$3 |             ;
exists (1:EAX=2)
"""
    (p, *_), _ = pics(text)
    po = [e for e in p.edges if e.kind == "po"]  # type: ignore[attr-defined]
    co = [e for e in p.edges if e.kind == "co"]  # type: ignore[attr-defined]
    assert len(po) == 2 and len(co) == 3


def test_golden_svg_and_dot() -> None:
    ps, _ = pics(MP)
    golden("MP.x86tso.svg", svg.render(ps))  # type: ignore[arg-type]
    golden("MP.x86tso.dot", dot.render(ps, "MP"))  # type: ignore[arg-type]
    ps, _ = pics(SB)
    golden("SB.x86tso.dot", dot.render(ps, "SB"))  # type: ignore[arg-type]
    golden("SB.x86tso.svg", svg.render(ps))  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("text", [MP, SB, WRC])
def test_dot_is_accepted_by_graphviz(text: str, tmp_path: Path) -> None:
    ps, _ = pics(text, "all")
    for doc in (dot.render(ps, "t"), dot.render(ps[:1], "t"), dot.render([], "t", "none")):  # type: ignore[arg-type]
        out = subprocess.run(["dot", "-Tsvg"], input=doc, capture_output=True, text=True,
                             timeout=60, check=False)
        assert out.returncode == 0, out.stderr
        assert "Warning" not in out.stderr and "Error" not in out.stderr, out.stderr
        ET.fromstring(out.stdout)


# -- the commands -----------------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    f = tmp_path / name
    f.write_text(text)
    return f


@pytest.mark.parametrize("suffix", [".svg", ".dot", ".html"])
def test_cli_graph_formats(tmp_path: Path, suffix: str) -> None:
    f = write(tmp_path, "MP.litmus", MP)
    out = tmp_path / f"mp{suffix}"
    res = CliRunner().invoke(main, ["graph", str(f), "-o", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text()
    if suffix == ".svg":
        ET.fromstring(text)
    elif suffix == ".dot":
        assert text.startswith('digraph "MP"')
    else:
        assert text.startswith("<!DOCTYPE html>")


def test_cli_graph_which_witness_on_a_forbidden_outcome(tmp_path: Path) -> None:
    f = write(tmp_path, "MP.litmus", MP)
    out = tmp_path / "mp.svg"
    res = CliRunner().invoke(main, ["graph", str(f), "--which", "witness", "-o", str(out)])
    assert res.exit_code == 0
    assert "no consistent execution reaches the outcome" in out.read_text()


def test_cli_graph_errors(tmp_path: Path) -> None:
    f = write(tmp_path, "MP.litmus", MP)
    res = CliRunner().invoke(main, ["graph", str(f), "-o", str(tmp_path / "x.png")])
    assert res.exit_code == 2
    res = CliRunner().invoke(main, ["graph", str(f)])
    assert res.exit_code == 2
    bad = write(tmp_path, "bad.litmus", MP.replace("MOV EAX,[y]", "MOV EAX,[y"))
    res = CliRunner().invoke(main, ["graph", str(bad), "-o", str(tmp_path / "b.svg")])
    assert res.exit_code == 3
    assert re.search(rf"{re.escape(str(bad))}:\d+:\d+: ", res.output)
    assert "Traceback" not in res.output


# -- the HTML report ---------------------------------------------------------------------------

EXTERNAL = re.compile(r"(https?:)?//[a-z0-9]|<script|<link|@import|url\((?!#)|src=", re.I)


def test_report_is_self_contained(tmp_path: Path) -> None:
    d = tmp_path / "tests"
    d.mkdir()
    write(d, "MP.litmus", MP)
    write(d, "SB.litmus", SB)
    write(d, "WRC.litmus", WRC)
    write(d, "bad.litmus", SB.replace("MOV [y],$1", "MOV [y],"))
    out = tmp_path / "report.html"
    res = CliRunner().invoke(main, ["report", str(d), "-o", str(out)])
    assert res.exit_code == 3  # one test could not be read; the others are reported
    page = out.read_text()
    assert not EXTERNAL.search(page), EXTERNAL.search(page)
    assert page.count('<section class="test"') == 4
    assert page.count("<svg") >= 3
    for name in ("MP", "SB", "WRC+xchg", "bad.litmus"):
        assert name in page
    assert 'class="summary"' in page and "<th>executions</th>" in page
    assert "Forbidden" in page and "Allowed" in page
    # Every inline SVG is well-formed XML.
    for m in re.finditer(r"<svg.*?</svg>", page, re.S):
        ET.fromstring(m.group(0))


def test_report_render_directly() -> None:
    test = parse_text(SB, "SB.litmus")
    ex = analyse(test, resolve_model(test, None))
    page = html.render([html.Entry("SB.litmus", test, ex)])
    assert "tr class=\"sat\"" in page
    assert "SC forbids this execution" in page
