"""``mmcheck fix``: the cheapest minimal changes that forbid a test's outcome, verified."""

from __future__ import annotations

import difflib
import json
import os
import tempfile
from pathlib import Path

import click

from mmcheck.cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    guarded,
    load,
    main,
    model_option,
    report_error,
)
from mmcheck.errors import UserError
from mmcheck.litmus.ast import show_condition
from mmcheck.repair import FixResult, Repair, find_repairs


def repair_diff(path: str, original: str, r: Repair, index: int) -> str:
    """A unified diff of the test for one repair."""
    name = Path(path).name
    lines = difflib.unified_diff(
        original.splitlines(keepends=True), r.text.splitlines(keepends=True),
        fromfile=f"a/{name}", tofile=f"b/{name} (repair {index})")
    out = "".join(lines)
    return out if out.endswith("\n") else out + "\n"


def render_text(fr: FixResult) -> str:
    r = fr.result
    test = fr.test
    head = f"{test.name} under {r.model}: {show_condition(r.condition)}"
    if r.status != "ok":
        what = r.unsupported if r.unsupported is not None else r.incomplete
        return f"{head}\n{r.status}: {what}\n"
    total = r.positive + r.negative
    if r.verdict == "Allowed" and fr.unsupported is not None:
        return (f"{head}\nThe outcome is allowed; fix cannot search this test: "
                f"{fr.unsupported}\n")
    if r.verdict == "Forbidden":
        return f"{head}\nThe outcome is already forbidden ({total} executions): nothing to fix.\n"
    lines = [head, f"The outcome is allowed: {r.positive} of {total} executions reach it."]
    if not fr.repairs:
        why = fr.note or f"no set of at most {fr.max_changes} of the known changes forbids it"
        if not fr.complete:
            why += f"; the search stopped after {fr.checks} checks"
        lines.append(f"No repair found within the limits: {why}.")
        return "\n".join(lines) + "\n"
    n = len(fr.repairs)
    more = "" if fr.complete else f" (the search stopped after {fr.checks} checks)"
    if fr.note is not None:
        more = f" ({fr.note})"
    lines.append(f"{n} minimal repair{'s' if n != 1 else ''}, cheapest first{more}:")
    for i, rep in enumerate(fr.repairs, start=1):
        lines.append("")
        lines.append(f"Repair {i} (cost {rep.cost}):")
        lines.extend(f"  {c.describe()}" for c in rep.changes)
        lines.append(f"  verified: Forbidden, {rep.executions} executions")
        lines.append(repair_diff(test.path, test.source, rep, i).rstrip("\n"))
    return "\n".join(lines) + "\n"


def to_json(fr: FixResult) -> dict[str, object]:
    r = fr.result
    out: dict[str, object] = {
        "test": fr.test.name, "model": r.model,
        "verdict": r.verdict if r.status == "ok" else r.status,
        "repairs": [rep.to_json() for rep in fr.repairs],
        "complete": fr.complete,
    }
    if fr.note is not None:
        out["note"] = fr.note
    if fr.unsupported is not None and r.verdict == "Allowed":
        out["unsupported"] = fr.unsupported
    return out


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file renamed into place."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command()
@click.argument("test", type=click.Path(exists=True, dir_okay=False))
@model_option
@click.option("--max-changes", type=click.IntRange(min=1), default=4, show_default=True,
              help="Changes per repair at most.")
@click.option("--max-repairs", type=click.IntRange(min=0), default=10, show_default=True,
              help="List at most this many repairs, the cheapest (0: all).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--write", "write_dir", type=click.Path(file_okay=False), default=None,
              help="Write each patched test into this directory (TEST.fixN.litmus).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per check of a patched test before it is incomplete.")
@guarded
def fix(test: str, model: str | None, max_changes: int, max_repairs: int, as_json: bool,
        write_dir: str | None, timeout: float | None) -> int:
    """List the minimal repairs of TEST: the sets of changes (acquire/release forms,
    fences, locked stores) after which its condition's outcome is forbidden, cheapest
    first, each verified by checking the patched test."""
    from mmcheck.check import resolve_model

    parsed = load(Path(test))
    if parsed is None:
        return EXIT_BAD_INPUT
    try:
        fr = find_repairs(parsed, resolve_model(parsed, model), max_changes,
                          timeout=timeout, max_repairs=max_repairs)
    except UserError as exc:
        report_error(exc if exc.path else exc.with_path(parsed.path))
        return EXIT_BAD_INPUT
    if as_json:
        click.echo(json.dumps(to_json(fr), indent=2))
    else:
        click.echo(render_text(fr), nl=False)
    if write_dir is not None and fr.repairs:
        folder = Path(write_dir)
        stem = Path(test).name.removesuffix(".litmus")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for i, rep in enumerate(fr.repairs, start=1):
                write_atomic(folder / f"{stem}.fix{i}.litmus", rep.text)
        except OSError as exc:
            where = exc.filename or folder
            click.echo(f"{where}: cannot write: {exc.strerror or exc}", err=True)
            return EXIT_BAD_INPUT
    if fr.result.status != "ok":
        return EXIT_BAD_INPUT
    if fr.result.verdict == "Allowed" and fr.unsupported is not None:
        click.echo(f"{test}: unsupported: {fr.unsupported}", err=True)
        return EXIT_BAD_INPUT
    if fr.result.verdict == "Forbidden":
        return EXIT_OK
    return EXIT_OK if fr.repairs else EXIT_FAILED


main.add_command(fix)
