"""``mmcheck graph`` and ``mmcheck report``: pictures."""

from __future__ import annotations

from pathlib import Path

import click

from mmcheck.atomic_write import write_output
from mmcheck.cli import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    collect,
    guarded,
    load,
    main,
    model_option,
    report_error,
)
from mmcheck.errors import UserError
from mmcheck.explain import Explanation, analyse
from mmcheck.litmus.ast import Litmus

SUFFIXES = (".svg", ".dot", ".html")

timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Seconds per search before the test is reported incomplete.")


def _output_path(ctx: click.Context, param: click.Parameter, value: str) -> Path:
    path = Path(value)
    if path.suffix.lower() not in SUFFIXES:
        raise click.BadParameter(
            f"{value!r}: the suffix picks the format, one of {', '.join(SUFFIXES)}")
    return path


def _explain(test: Litmus, model: str | None, timeout: float | None,
             rejected: bool | None = None) -> Explanation | UserError:
    """Check one test for an explanation; a user's mistake is reported and returned."""
    from mmcheck.check import resolve_model

    try:
        m = resolve_model(test, model)
        return analyse(test, m, timeout, rejected)
    except UserError as exc:
        err = exc if exc.path else exc.with_path(test.path)
        report_error(err)
        return err


def _status_note(ex: Explanation) -> str | None:
    r = ex.result
    if r.status == "ok":
        return None
    what = r.unsupported if r.unsupported is not None else r.incomplete
    return f"{r.path}: {r.status}: {what}"


@click.command()
@click.argument("test", type=click.Path(exists=True, dir_okay=False))
@model_option
@click.option("--which", type=click.Choice(["witness", "forbidden", "all"]), default=None,
              help="witness: consistent executions reaching the condition's outcome; "
              "forbidden: candidates reaching it that the model rejects, with the "
              "violated check's cycle; all: both.  Default: witness when the outcome "
              "is allowed, forbidden when it is not.")
@click.option("-o", "--output", required=True, callback=_output_path,
              type=click.Path(dir_okay=False),
              help="Where to write the picture; the suffix (.svg, .dot, .html) picks the format.")
@click.option("--limit", type=click.IntRange(min=1), default=3, show_default=True,
              help="Draw at most this many executions of each kind.")
@timeout_option
@guarded
def graph(test: str, model: str | None, which: str | None, output: Path, limit: int,
          timeout: float | None) -> int:
    """Draw the executions of TEST that reach its condition's outcome."""
    from mmcheck.report import dot, html, svg
    from mmcheck.report.layout import pictures

    parsed = load(Path(test))
    if parsed is None:
        return EXIT_BAD_INPUT
    ex = _explain(parsed, model, timeout, True if which in ("forbidden", "all") else None)
    if isinstance(ex, UserError):
        return EXIT_BAD_INPUT
    bad = _status_note(ex)
    if bad is not None:
        click.echo(bad, err=True)
        return EXIT_BAD_INPUT
    suffix = output.suffix.lower()
    if suffix == ".html":
        text = html.render([html.Entry(test, parsed, ex)], title=f"mmcheck: {parsed.name}",
                           limit=limit)
        note = ""
    else:
        pics, note = pictures(ex, which, limit)
        if suffix == ".svg":
            text = svg.render(pics, note)
        else:
            text = dot.render(pics, parsed.name, note)
        if not pics:
            click.echo(f"{test}: {note}; the picture says so", err=True)
    if not write_output(output, text):
        return EXIT_BAD_INPUT
    return EXIT_OK


def _read_error(path: Path) -> str:
    """The rendered error for a test that could not be read (for the page)."""
    from mmcheck.litmus.parse import parse_file

    try:
        parse_file(path)
    except UserError as err:
        return (err if err.path else err.with_path(str(path))).render()
    except RecursionError:
        return f"{path}: the test is too deeply nested to read"
    return f"{path}: could not be read"


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@model_option
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
@click.option("--limit", type=click.IntRange(min=1), default=2, show_default=True,
              help="Pictures per test at most.")
@timeout_option
@guarded
def report(paths: tuple[str, ...], model: str | None, output: str, limit: int,
           timeout: float | None) -> int:
    """Write one self-contained HTML page about the litmus tests in PATHS."""
    from mmcheck.report import html

    files = list(collect(paths))
    if not files:
        click.echo("no .litmus files found", err=True)
        return EXIT_BAD_INPUT
    status = EXIT_OK
    entries: list[html.Entry] = []
    for path in files:
        parsed = load(path)
        if parsed is None:
            entries.append(html.Entry(str(path), error=_read_error(path)))
            status = EXIT_BAD_INPUT
            continue
        ex = _explain(parsed, model, timeout)
        if isinstance(ex, UserError):
            entries.append(html.Entry(str(path), parsed, error=ex.render()))
            status = EXIT_BAD_INPUT
            continue
        bad = _status_note(ex)
        if bad is not None:
            click.echo(bad, err=True)
            status = EXIT_BAD_INPUT
        entries.append(html.Entry(str(path), parsed, ex))
    if not write_output(output, html.render(entries, limit=limit)):
        return EXIT_BAD_INPUT
    return status


# Registered by mmcheck.cli; registering here too keeps the commands available when this
# module is imported first.
for _cmd in (graph, report):
    main.add_command(_cmd)
