"""The cat language: parsing, errors with positions, includes, cfg files, and the
rigour of what the search may prune on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from mmcheck.cat.loader import LIB, load_model
from mmcheck.cat.parser import parse_cat
from mmcheck.check import check
from mmcheck.cli import main
from mmcheck.errors import UserError
from mmcheck.litmus.parse import parse_file
from mmcheck.models import dsl as d
from mmcheck.models import get_model

CLASSIC = Path(__file__).resolve().parents[1] / "litmus" / "classic"


def _write(tmp: Path, name: str, text: str) -> Path:
    p = tmp / name
    p.write_text(text)
    return p


def test_precedence_and_postfix() -> None:
    cat = parse_cat("T\nlet r = a | b ; c \\ d & e\nlet s = (W * W) | x* | y^-1\n", "t.cat")
    r = cat.body[0].args[0][0][1]
    assert r.kind == "op2" and r.args[0] == "|"
    seq = r.args[2]
    assert seq.args[0] == ";" and seq.args[2].args[0] == "\\"
    assert seq.args[2].args[2].args[0] == "&"
    s = cat.body[1].args[0][0][1]
    assert s.args[1].args[0] == "*" and s.kind == "op2"


def test_syntax_error_has_position_and_caret(tmp_path: Path) -> None:
    p = _write(tmp_path, "bad.cat", "M\nlet a = po |\nacyclic a\n")
    with pytest.raises(UserError) as info:
        load_model(str(p), "X86")
    text = info.value.render()
    assert text.startswith(f"{p}:3:1: expected an expression")
    assert text.splitlines()[-1].strip() == "^^^^^^^"


def test_type_error_and_unbound_name(tmp_path: Path) -> None:
    p = _write(tmp_path, "t.cat", "M\nacyclic po | W as x\n")
    with pytest.raises(UserError, match="type error"):
        load_model(str(p), "X86")
    q = _write(tmp_path, "u.cat", "M\nacyclic po | nothing\n")
    with pytest.raises(UserError) as info:
        load_model(str(q), "X86")
    assert ":2:14: unbound name 'nothing'" in info.value.render()


def test_unsupported_construct_is_named(tmp_path: Path) -> None:
    p = _write(tmp_path, "n.cat", "M\n~acyclic po as x\n")
    with pytest.raises(UserError, match="unsupported: a negated check"):
        load_model(str(p), "X86")


def test_cli_reports_model_error_exit_3(tmp_path: Path) -> None:
    p = _write(tmp_path, "bad.cat", "M\nlet = po\n")
    r = CliRunner().invoke(main, ["run", "--model", str(p), str(CLASSIC / "SB.X86.litmus")])
    assert r.exit_code == 3
    assert f"{p}:2:5:" in r.output


def test_include_search_order_and_cat_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                           ) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    _write(lib, "extra.cat", "E\nlet ghb2 = po | com\n")
    model_dir = tmp_path / "m"
    model_dir.mkdir()
    p = _write(model_dir, "sc2.cat", 'S\ninclude "cos.cat"\ninclude "extra.cat"\n'
               "let com = rf | co | fr\nacyclic ghb2 as sc\n")
    with pytest.raises(UserError, match="cannot find 'extra.cat'"):
        load_model(str(p), "X86")
    monkeypatch.setenv("MMCHECK_CAT_PATH", str(lib))
    with pytest.raises(UserError, match="unbound name 'com'"):
        load_model(str(p), "X86")  # extra.cat is read where it is included, before com
    _write(model_dir, "sc2.cat", 'S\ninclude "cos.cat"\nlet com = rf | co | fr\n'
           'include "extra.cat"\nacyclic ghb2 as sc\n')
    model = load_model(str(p), "X86")
    test = parse_file(CLASSIC / "SB.X86.litmus")
    mine, builtin = check(test, model), check(test, get_model("sc"))
    assert (mine.states, mine.positive, mine.negative) == \
        (builtin.states, builtin.positive, builtin.negative)


def test_cfg_reads_model_and_variants(tmp_path: Path) -> None:
    _write(tmp_path, "m.cat", 'M\ninclude "cos.cat"\nif "strong" acyclic po | rf | co | fr '
           "as sc\nelse acyclic po-loc | rf | co | fr as uniproc\nend\n")
    cfg = _write(tmp_path, "m.cfg", "// a configuration\nmodel m.cat\nvariant strong\n"
                 "graph columns\n")
    weak = load_model(str(tmp_path / "m.cat"), "X86")
    strong = load_model(str(cfg), "X86")
    assert [c.name for c in weak.checks if c.name not in ("ConsCo", "coherence")] == ["uniproc"]
    assert [c.name for c in strong.checks if c.name not in ("ConsCo", "coherence")] == ["sc"]
    test = parse_file(CLASSIC / "SB.X86.litmus")
    assert check(test, strong).positive == 0 and check(test, weak).positive > 0


def test_let_rec_becomes_a_closure(tmp_path: Path) -> None:
    p = _write(tmp_path, "r.cat", 'M\ninclude "cos.cat"\nlet rec hb = po | rf | hb ; hb\n'
               "acyclic hb | co | fr as sc\n")
    m = load_model(str(p), "X86")
    sc = next(c for c in m.checks if c.name == "sc")
    assert any(isinstance(x, d.Named) and isinstance(x.body, d.Plus)
               for x in sc.expr.args)  # type: ignore[attr-defined]


def test_complement_of_dynamic_relation_is_leaf_only(tmp_path: Path) -> None:
    # ~rf grows as rf shrinks: such a check may never prune the search.
    p = _write(tmp_path, "c.cat", 'M\ninclude "cos.cat"\nempty (po & ~rf) & rf as odd\n'
               "let coe2 = co \\ (co & int)\nacyclic coe2 as mono\n")
    m = load_model(str(p), "X86")
    odd = next(c for c in m.checks if c.name == "odd")
    mono = next(c for c in m.checks if c.name == "mono")
    assert not d.is_monotone(odd.expr)
    assert d.is_monotone(mono.expr)  # co \ (co & int) is co & ~int


def test_library_ships_herd_names() -> None:
    for name in ("stdlib.cat", "cos.cat", "cos-opt.cat", "cross.cat", "fences.cat"):
        assert (LIB / name).is_file()
    for name in ("sc.cat", "x86tso.cat", "armv8.cat"):
        assert (LIB / "models" / name).is_file()


@pytest.mark.parametrize("stem", ["SB.X86", "MP.AArch64", "2+2W.AArch64", "LB.AArch64"])
def test_shipped_models_agree_on_classics(stem: str) -> None:
    path = CLASSIC / f"{stem}.litmus"
    if not path.exists():
        pytest.skip(f"no {path}")
    test = parse_file(path)
    name = "x86tso" if test.arch.startswith("X86") else "armv8"
    mine = check(test, load_model(str(LIB / "models" / f"{name}.cat"), test.arch))
    ref = check(test, get_model(name))
    assert (mine.states, mine.positive, mine.negative) == (ref.states, ref.positive,
                                                          ref.negative)


def test_mutual_recursion_of_sets_and_relations(tmp_path: Path) -> None:
    # Mutually recursive definitions reduce to one fixpoint: hb is rf-and-po closed.
    p = _write(tmp_path, "m.cat", 'M\ninclude "cos.cat"\n'
               "let rec hb = po | rf | step ; hb\nand step = hb\nand reached = range(hb)\n"
               "acyclic hb | co | fr as sc\n")
    m = load_model(str(p), "X86")
    test = parse_file(CLASSIC / "SB.X86.litmus")
    mine, ref = check(test, m), check(test, get_model("sc"))
    assert (mine.states, mine.positive, mine.negative) == (ref.states, ref.positive,
                                                          ref.negative)


def test_procedures_functions_tags_and_try(tmp_path: Path) -> None:
    p = _write(tmp_path, "p.cat", 'M\ninclude "cos.cat"\n'
               "procedure consistent(r) =\n  acyclic r\nend\n"
               "let pick t = match t with 'strong -> po || _ -> po-loc end\n"
               "let twice = fun r -> r ; r\n"
               "let extra = try NOSUCHNAME with 0\n"
               "show twice(po) as pp\nunshow pp\n"
               "call consistent(pick 'strong | rf | co | fr | extra) as sc\n")
    m = load_model(str(p), "X86")
    assert [c.name for c in m.checks if c.name not in ("ConsCo", "coherence")] == ["sc"]
    test = parse_file(CLASSIC / "SB.X86.litmus")
    mine, ref = check(test, m), check(test, get_model("sc"))
    assert (mine.states, mine.positive, mine.negative) == (ref.states, ref.positive,
                                                          ref.negative)


def test_cli_cat_path_option(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    lib.mkdir()
    _write(lib, "extra.cat", "E\nlet ghb2 = po | rf | co | fr\n")
    model = _write(tmp_path, "s.cat", 'S\ninclude "cos.cat"\ninclude "extra.cat"\n'
                   "acyclic ghb2 as sc\n")
    sb = str(CLASSIC / "SB.X86.litmus")
    r = CliRunner().invoke(main, ["run", "--model", str(model), sb])
    assert r.exit_code == 3 and "cannot find 'extra.cat'" in r.output
    r = CliRunner().invoke(main, ["run", "--cat-path", str(lib), "--model", str(model), sb])
    assert r.exit_code == 0, r.output
    assert "Observation SB.X86 Never 0 3" in r.output
