"""The command line: arguments in, exit codes out.  All the work is in ``mmcheck.check``.

Exit codes: 0 all ran (and matched, in CI mode) · 1 an expectation was not met ·
2 usage error · 3 some inputs could not be processed · 70 internal error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import click

from mmcheck import __version__
from mmcheck.cat.options import MODEL, cat_path_option
from mmcheck.commands.run_cmd import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_USAGE,
    PARALLEL_MIN_FILES,
    collect,
    jobs,
    load,
    progress_line,
    report_error,
    run_one,
    run_paths,
)
from mmcheck.models import MODEL_NAMES

# Re-exported: the other commands (and tests) use them from here.
__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_USAGE",
    "PARALLEL_MIN_FILES",
    "collect",
    "jobs",
    "load",
    "progress_line",
    "report_error",
    "run_one",
    "run_paths",
    "guarded",
    "main",
]


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


class LazyGroup(click.Group):
    """Commands that live in their own modules are imported only when used."""

    lazy = {
        "check": "mmcheck.commands.check_cmd",
        "compile": "mmcheck.commands.compile_cmd",
        "explain": "mmcheck.commands.explain_cmd",
        "fix": "mmcheck.commands.fix_cmd",
        "graph": "mmcheck.commands.graph_cmd",
        "report": "mmcheck.commands.graph_cmd",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def invoke(self, ctx: click.Context) -> Any:
        """Ctrl-C while a command is being found and set up: the same one line and 130 as
        within a command (click would say 'Aborted!' and exit 1)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

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
    """mmcheck: exhaustive memory-model checking of litmus tests (X86, AArch64 and C;
    SC, x86-TSO, ARMv8, the Linux-kernel memory model, and models in herd's cat language)."""


_model_option = click.option(
    "--model",
    "-m",
    type=MODEL,
    default=None,
    help="Memory model: sc, x86tso, armv8, lkmm, or a .cat model or herd .cfg file "
    "(default: from the test's architecture: x86tso for X86/X86_64, armv8 for AArch64, lkmm "
    "for C).",
)


def model_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return cat_path_option(_model_option(fn))


def parse_models(value: str | None) -> list[str] | None:
    """``run --model``: one model, a comma list (``sc,lkmm,x86tso,armv8``) or ``all``; a
    model is a built-in's name or a .cat or .cfg file."""
    if value is None:
        return None
    if value.strip() == "all":
        return ["all"]
    names = [v.strip() for v in value.split(",") if v.strip()]
    if not names:
        raise click.BadParameter("no model named", param_hint="'--model'")
    if "all" in names:
        raise click.BadParameter("'all' stands alone: it cannot be listed with other models",
                                 param_hint="'--model'")
    try:
        return list(dict.fromkeys(MODEL.convert(n, None, None) for n in names))
    except click.BadParameter as err:
        raise click.BadParameter(err.message, param_hint="'--model'") from None


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--model",
    "-m",
    default=None,
    help="Memory model: one of " + ", ".join(MODEL_NAMES) + " or a .cat or .cfg file, a comma "
    "list of them, or all (every built-in model that fits each test). Default: from the "
    "test's architecture (x86tso for X86/X86_64, armv8 for AArch64, lkmm for C). A C test "
    "runs under x86tso and armv8 compiled through the mappings (see mmcheck compile).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["herd", "table", "json"]),
    default="herd",
    show_default=True,
    help="herd: herd7's text; table: a table for the terminal (with several models: one row "
    "per test, one column per model); json: one object per line.",
)
@click.option("--stats", is_flag=True, help="Show search statistics per test.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per test before it is reported incomplete.")
@click.option("--max-executions", type=click.IntRange(min=1), default=None,
              help="Stop a test after this many consistent executions (incomplete).")
@click.option("--atomics", type=click.Choice(["lse", "llsc"]), default="lse",
              show_default=True,
              help="A C test under armv8: arm64 atomics as LSE instructions or LL/SC loops.")
@click.option("--variant", "variants", type=click.Choice(["lto", "rcpc"]), multiple=True,
              help="A C test under armv8: lto (READ_ONCE as LDAPR), rcpc (C11/QEMU acquire "
              "as LDAPR). Repeatable.")
@click.option("--verdict-only", "verdict", is_flag=True,
              help="Search only for the verdict, stopping as soon as it is known; execution "
              "counts are not computed (see the README).")
@cat_path_option
@guarded
def run(paths: tuple[str, ...], model: str | None, fmt: str, stats: bool,
        timeout: float | None, max_executions: int | None, atomics: str = "lse",
        variants: tuple[str, ...] = (), verdict: bool = False) -> int:
    """Check litmus tests (files or directories) and print the outcome of each."""
    from mmcheck.compile.options import Options as Target

    models = parse_models(model)
    if models is None or (models != ["all"] and "armv8" not in models):
        ctx = click.get_current_context()
        given = [f"--{name}" for name, param in (("atomics", "atomics"),
                                                 ("variant", "variants"))
                 if ctx.get_parameter_source(param) == click.core.ParameterSource.COMMANDLINE]
        if given:
            click.echo(f"note: {' and '.join(given)} {'apply' if len(given) > 1 else 'applies'}"
                       " to C tests under --model armv8; ignored here", err=True)
    target = Target(atomics, frozenset(variants))
    return run_paths(paths, models, fmt, stats, timeout, max_executions, verdict, target)

