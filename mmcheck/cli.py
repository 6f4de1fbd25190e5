"""The command line: arguments in, exit codes out.  All the work is in ``mmcheck.check``.

Exit codes: 0 all ran (and matched, in CI mode) · 1 an expectation was not met ·
2 usage error · 3 some inputs could not be processed · 70 internal error.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from mmcheck import __version__
from mmcheck.check import Options, check, resolve_model
from mmcheck.errors import UserError
from mmcheck.execution import Result, Stats
from mmcheck.litmus.ast import Litmus
from mmcheck.litmus.parse import parse_file
from mmcheck.models import MODEL_NAMES

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 70


def collect(paths: tuple[str, ...]) -> Iterator[Path]:
    """The litmus files named, directories searched recursively, in a stable order."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            yield from sorted(path.rglob("*.litmus"))
        else:
            yield path


def report_error(err: UserError) -> None:
    click.echo(err.render(), err=True)


def load(path: Path) -> Litmus | None:
    """Parse one file, reporting a user's mistake on stderr (None then)."""
    try:
        return parse_file(path)
    except UserError as err:
        report_error(err)
        return None
    except RecursionError:
        report_error(UserError("the test is too deeply nested to read", None, str(path)))
        return None


def run_one(test: Litmus, model: str | None, options: Options) -> Result | None:
    try:
        return check(test, resolve_model(test, model), options)
    except UserError as err:
        report_error(err if err.path else err.with_path(test.path))
        return None


def guarded(fn: Callable[..., int]) -> Callable[..., None]:
    """Turn a command's return value into the exit code; a crash is our bug (70)."""

    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = fn(*args, **kwargs)
        except click.exceptions.Exit:
            raise
        except click.ClickException:
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # The reader went away (``mmcheck run ... | head``): stop quietly, as
            # a program killed by SIGPIPE would.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(141)
        except Exception:  # noqa: BLE001 - report our own bug, never a user's
            import traceback

            click.echo("mmcheck: internal error (this is a bug in mmcheck):", err=True)
            click.echo(traceback.format_exc(), err=True)
            sys.exit(EXIT_INTERNAL)
        sys.exit(code)

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


@contextlib.contextmanager
def progress_line(name: str) -> Iterator[Callable[[Stats], None] | None]:
    """On a terminal, a live line for long searches (nodes, executions so far)."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.status import Status

    status: list[Status] = []

    def update(stats: Stats) -> None:
        msg = (f"{name}: {stats.nodes} nodes, {stats.pruned} pruned, "
               f"{stats.consistent} consistent executions")
        if not status:
            status.append(Console(stderr=True).status(msg))
            status[0].start()
        else:
            status[0].update(msg)

    try:
        yield update
    finally:
        if status:
            status[0].stop()


class LazyGroup(click.Group):
    """Commands that live in their own modules are imported only when used."""

    lazy = {
        "check": "mmcheck.commands.check_cmd",
        "explain": "mmcheck.commands.graph_cmd",
        "graph": "mmcheck.commands.graph_cmd",
        "report": "mmcheck.commands.graph_cmd",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        import importlib

        module = importlib.import_module(self.lazy[cmd_name])
        cmd = getattr(module, cmd_name)
        assert isinstance(cmd, click.Command)
        return cmd


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mmcheck")
def main() -> None:
    """mmcheck: exhaustive memory-model checking of litmus tests (SC, x86-TSO, ARMv8)."""


model_option = click.option(
    "--model",
    "-m",
    type=click.Choice(MODEL_NAMES),
    default=None,
    help="Memory model (default: from the test's architecture: x86tso for X86/X86_64, "
    "armv8 for AArch64).",
)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@model_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["herd", "table", "json"]),
    default="herd",
    show_default=True,
    help="herd: herd7's text; table: a table for the terminal; json: one object per line.",
)
@click.option("--stats", is_flag=True, help="Show search statistics per test.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per test before it is reported incomplete.")
@click.option("--max-executions", type=click.IntRange(min=1), default=None,
              help="Stop a test after this many consistent executions (incomplete).")
@guarded
def run(paths: tuple[str, ...], model: str | None, fmt: str, stats: bool,
        timeout: float | None, max_executions: int | None) -> int:
    """Check litmus tests (files or directories) and print the outcome of each."""
    from mmcheck.report import herd

    status = EXIT_OK
    results: list[Result] = []
    files = list(collect(paths))
    if not files:
        click.echo("no .litmus files found", err=True)
        return EXIT_BAD_INPUT
    for path in files:
        test = load(path)
        if test is None:
            status = EXIT_BAD_INPUT
            continue
        with progress_line(test.name) as progress:
            options = Options(timeout=timeout, max_executions=max_executions, progress=progress)
            result = run_one(test, model, options)
        if result is None:
            status = EXIT_BAD_INPUT
            continue
        if result.status != "ok":
            status = EXIT_BAD_INPUT
            what = result.unsupported if result.unsupported is not None else result.incomplete
            click.echo(f"{path}: {result.status}: {what}", err=True)
        if fmt == "herd":
            click.echo(herd.render(result), nl=False)
            if stats:
                s = result.stats
                click.echo(
                    f"Stats {result.name} combinations={s.combinations} nodes={s.nodes} "
                    f"pruned={s.pruned} candidates={s.candidates} consistent={s.consistent} "
                    f"time={result.time * 1000:.2f}ms"
                )
        elif fmt == "json":
            from mmcheck.report import json_out

            click.echo(json_out.render(result))
        else:
            results.append(result)
    if fmt == "table":
        from rich.console import Console

        from mmcheck.report.table import results_table

        width = None if sys.stdout.isatty() else 160
        Console(width=width).print(results_table(results, stats=stats))
    return status
