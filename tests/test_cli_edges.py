"""Edge cases of the commands as a user meets them: option combinations and mixed inputs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mmcheck.cli import main

MP_ONCES = """C MP+onces
(* Result: Sometimes *)
{}
P0(int *x, int *y)
{
    WRITE_ONCE(*x, 1);
    WRITE_ONCE(*y, 1);
}
P1(int *x, int *y)
{
    int r0;
    int r1;
    r0 = READ_ONCE(*y);
    r1 = READ_ONCE(*x);
}
exists (1:r0=1 /\\ 1:r1=0)
"""


def test_result_line_is_checked_beside_other_models_expectations(tmp_path: Path) -> None:
    (tmp_path / "MP+onces.litmus").write_text(MP_ONCES)
    (tmp_path / "expectations.txt").write_text("MP+onces  sc=Forbidden\n")
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--json", str(out)])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())["results"]
    assert [(r["model"], r["expected"], r["expected_from"]) for r in rows] == [
        ("sc", "Forbidden", None), ("lkmm", "Allowed", "Result: Sometimes")]
    # --model lkmm checks the Result: line alone; another model skips it.
    res = CliRunner().invoke(main, ["check", "-m", "lkmm", str(tmp_path), "--json", str(out)])
    assert [r["model"] for r in json.loads(out.read_text())["results"]] == ["lkmm"]
    res = CliRunner().invoke(main, ["check", "-m", "x86tso", str(tmp_path)])
    assert "0 passed, 0 failed" in res.stdout
    # A wrong Result: line fails.
    (tmp_path / "MP+onces.litmus").write_text(MP_ONCES.replace("Sometimes", "Never"))
    res = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert res.exit_code == 1
    # An lkmm entry in the line wins over the header.
    (tmp_path / "expectations.txt").write_text("MP+onces  sc=Forbidden lkmm=Allowed\n")
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--json", str(out)])
    assert res.exit_code == 0, res.output
    rows = json.loads(out.read_text())["results"]
    assert [(r["model"], r["expected_from"]) for r in rows] == [("sc", None), ("lkmm", None)]


def test_fix_of_a_c_test_under_a_compiling_model_repairs_its_c(tmp_path: Path) -> None:
    t = tmp_path / "MP+onces.litmus"
    t.write_text(MP_ONCES)
    for model in ("armv8", "lkmm"):
        res = CliRunner().invoke(main, ["fix", str(t), "--model", model, "--json"])
        assert res.exit_code == 0, res.output
        out = json.loads(res.stdout)
        assert out["verdict"] == "Allowed" and out["repairs"], out
        # the changes are C statements of the test, each repair verified
        for rep in out["repairs"]:
            assert rep["verified"]
            for c in rep["changes"]:
                assert "(" in c["after"] and "LDR" not in c["after"], c


def test_model_all_is_explained_where_it_does_not_fit(tmp_path: Path) -> None:
    t = tmp_path / "MP+onces.litmus"
    t.write_text(MP_ONCES)
    res = CliRunner().invoke(main, ["run", str(t), "--model", "all,sc"])
    assert res.exit_code == 2
    assert "'all' stands alone" in res.output
    for cmd in ("explain", "fix"):
        res = CliRunner().invoke(main, [cmd, str(t), "--model", "all"])
        assert res.exit_code == 2
        assert "is for `mmcheck run`" in res.output


def test_unsupported_under_several_models_names_the_model(tmp_path: Path) -> None:
    t = tmp_path / "INC+locks.litmus"
    t.write_text("""C INC+locks
{}
P0(int *v, spinlock_t *l)
{
    int r0;
    spin_lock(l);
    r0 = READ_ONCE(*v);
    WRITE_ONCE(*v, r0 + 1);
    spin_unlock(l);
}
exists (v=2)
""")
    res = CliRunner().invoke(main, ["run", str(t), "--model", "sc,armv8", "--format", "json"])
    assert res.exit_code == 3
    assert f"{t}: unsupported under armv8: spin_lock" in res.stderr
    assert "under sc" not in res.stderr


def test_suggest_fix_on_a_compiled_c_test(tmp_path: Path) -> None:
    (tmp_path / "MP+onces.litmus").write_text(MP_ONCES)
    (tmp_path / "expectations.txt").write_text("MP+onces  armv8=Forbidden lkmm=Forbidden\n")
    res = CliRunner().invoke(main, ["check", str(tmp_path), "--suggest-fix"])
    assert res.exit_code == 1, res.output
    lkmm, armv8 = res.stdout.split("[lkmm]")[1], res.stdout.split("[armv8]")[1]
    assert "cheapest repair" in lkmm.split("FAILED")[0]
    assert "cheapest repair" in armv8.split("FAILED")[0]
    # the witness in the C test's names, not the registers of the test it compiles to
    assert "became reachable: 1:r0=1; 1:r1=0;" in armv8.split("FAILED")[0]


def test_a_cfg_naming_a_missing_model_is_blamed(tmp_path: Path) -> None:
    t = tmp_path / "MP+onces.litmus"
    t.write_text(MP_ONCES)
    cfg = tmp_path / "my.cfg"
    cfg.write_text("model nothere.cat\n")
    res = CliRunner().invoke(main, ["run", str(t), "--model", str(cfg)])
    assert res.exit_code == 3
    assert res.stderr.startswith(f"{cfg}: cannot find 'nothere.cat'")


def test_top_level_help_names_every_model() -> None:
    res = CliRunner().invoke(main, ["--help"])
    assert res.exit_code == 0
    assert "Linux-kernel memory model" in res.output and " C;" in res.output


def test_an_output_in_a_missing_directory_is_reported_not_a_traceback(tmp_path: Path) -> None:
    t = tmp_path / "MP+onces.litmus"
    t.write_text(MP_ONCES)
    gone = tmp_path / "no" / "such"
    for args, out in ((["graph", str(t), "-o"], gone / "x.svg"),
                      (["report", str(t), "-o"], gone / "r.html"),
                      (["compile", str(t), "--arch", "AArch64", "-o"], gone / "x.litmus")):
        res = CliRunner().invoke(main, [*args, str(out)])
        assert res.exit_code == 3, res.output
        assert res.stderr.startswith(f"{out}: cannot write: ")
        assert not out.exists()
    blocker = tmp_path / "file"
    blocker.write_text("")
    res = CliRunner().invoke(main, ["fix", str(t), "--write", str(blocker / "sub")])
    assert res.exit_code == 3
    assert "cannot write: " in res.stderr


def test_compile_for_x86_says_arm64_options_are_ignored(tmp_path: Path) -> None:
    t = tmp_path / "MP+onces.litmus"
    t.write_text(MP_ONCES)
    res = CliRunner().invoke(main, ["compile", str(t), "--arch", "X86", "--atomics", "llsc"])
    assert res.exit_code == 0
    assert "note: --atomics chooses arm64 instructions; ignored for --arch X86" in res.stderr
    assert res.stdout.startswith("X86_64 MP+onces")
    res = CliRunner().invoke(main, ["compile", str(t), "--arch", "X86"])
    assert res.exit_code == 0 and res.stderr == ""


def test_a_listed_model_that_does_not_fit_is_noted(tmp_path: Path) -> None:
    t = tmp_path / "SB.litmus"
    t.write_text("X86 SB\n{ x=0; y=0; }\n P0 | P1 ;\n MOV [x],$1 | MOV [y],$1 ;\n"
                 " MOV EAX,[y] | MOV EAX,[x] ;\nexists (0:EAX=0 /\\ 1:EAX=0)\n")
    res = CliRunner().invoke(main, ["run", str(t), "--model", "lkmm,sc", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert f"{t}: note: lkmm does not fit its architecture (X86); skipped" in res.stderr
    assert [json.loads(line)["model"] for line in res.stdout.splitlines()] == ["sc"]
    res = CliRunner().invoke(main, ["run", str(t), "--model", "all", "--format", "json"])
    assert "note:" not in res.stderr


def test_run_says_when_arm64_options_are_ignored(tmp_path: Path) -> None:
    t = tmp_path / "MP+onces.litmus"
    t.write_text(MP_ONCES)
    note = "note: --atomics applies to C tests under --model armv8; ignored here"
    for model in ([], ["--model", "x86tso"], ["--model", "lkmm,sc"]):
        res = CliRunner().invoke(main, ["run", str(t), "--atomics", "llsc", *model])
        assert res.exit_code == 0, res.output
        assert note in res.stderr
    for model in (["--model", "armv8"], ["--model", "all"], ["--model", "sc,armv8"]):
        res = CliRunner().invoke(main, ["run", str(t), "--atomics", "llsc", *model])
        assert res.exit_code == 0, res.output
        assert "note:" not in res.stderr


def test_herd_text_under_several_models_names_the_model_of_each_block() -> None:
    sb = Path(__file__).resolve().parents[1] / "litmus" / "classic" / "SB.X86.litmus"
    res = CliRunner().invoke(main, ["run", str(sb), "--model", "sc,x86tso"])
    lines = res.output.splitlines()
    heads = [i for i, ln in enumerate(lines) if ln.startswith("Test ")]
    assert [lines[i - 1] for i in heads] == ["Model sc", "Model x86tso"]
    assert [ln.split()[2] for ln in lines if ln.startswith("Observation")] == \
        ["Never", "Sometimes"]
    one = CliRunner().invoke(main, ["run", str(sb), "--model", "sc"])
    assert "Model" not in one.output  # one model: herd7's text as it stands
