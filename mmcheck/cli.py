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


def load(path: Path, report: Callable[[UserError], None] = report_error) -> Litmus | None:
    """Parse one file, reporting a user's mistake on stderr (None then)."""
    try:
        return parse_file(path)
    except UserError as err:
        report(err)
        return None
    except RecursionError:
        report(UserError("the test is too deeply nested to read", None, str(path)))
        return None


def run_one(test: Litmus, model: str | None, options: Options,
            report: Callable[[UserError], None] = report_error) -> Result | None:
    try:
        return check(test, resolve_model(test, model), options)
    except UserError as err:
        report(err if err.path else err.with_path(test.path))
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
def progress_line(name: str, enabled: bool = True
                  ) -> Iterator[Callable[[Stats], None] | None]:
    """On a terminal, a live line for long searches (nodes, executions so far)."""
    if not enabled or not sys.stderr.isatty():
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
        "compile": "mmcheck.commands.compile_cmd",
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


def parse_models(value: str | None) -> list[str] | None:
    """``--model``: one model, a comma list (``sc,lkmm,x86tso,armv8``) or ``all``."""
    if value is None:
        return None
    if value.strip() == "all":
        return ["all"]
    names = [v.strip() for v in value.split(",") if v.strip()]
    for n in names:
        if n not in MODEL_NAMES:
            raise click.BadParameter(
                f"{n!r} is not one of {', '.join(repr(m) for m in MODEL_NAMES)} (or a comma "
                "list of them, or all)",
                param_hint="'--model'")
    return list(dict.fromkeys(names))


def models_for(test: Litmus, models: list[str]) -> list[str]:
    """The models of a list that fit a test (``all``: every model that fits it)."""
    from mmcheck.check import compiles_to, default_model
    from mmcheck.models import get_model

    if models == ["all"]:
        models = list(MODEL_NAMES)
    out = []
    for name in models:
        m = get_model(name)
        if m is not None and (test.arch in m.arches or compiles_to(test, name)):
            out.append(name)
    if not out and models == list(MODEL_NAMES):
        out = [default_model(test)]
    return out


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--model",
    "-m",
    default=None,
    help="Memory model: one of " + ", ".join(MODEL_NAMES) + ", a comma list of them, or all "
    "(every model that fits each test). Default: from the test's architecture (x86tso for "
    "X86/X86_64, armv8 for AArch64, lkmm for C). A C test runs under x86tso and armv8 "
    "compiled through the mappings (see mmcheck compile).",
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
@guarded
def run(paths: tuple[str, ...], model: str | None, fmt: str, stats: bool,
        timeout: float | None, max_executions: int | None, atomics: str = "lse",
        variants: tuple[str, ...] = ()) -> int:
    """Check litmus tests (files or directories) and print the outcome of each."""
    from mmcheck.compile.codegen import Options as Target

    models = parse_models(model)
    target = Target(atomics, frozenset(variants))
    status = EXIT_OK
    results: list[Result] = []
    files = list(collect(paths))
    if not files:
        click.echo("no .litmus files found", err=True)
        return EXIT_BAD_INPUT
    if models is not None and (len(models) > 1 or models == ["all"]):
        return run_matrix(files, models, fmt, stats, timeout, max_executions, target)
    single = models[0] if models else None
    if fmt != "table" and len(files) >= PARALLEL_MIN_FILES and jobs() > 1:
        return run_parallel(files, single, fmt, stats, timeout, max_executions, target)
    for path in files:
        code, result, out = run_file(path, single, fmt, stats, timeout, max_executions,
                                     progress=True, target=target)
        replay(out)
        status = max(status, code)
        if result is not None and fmt == "table":
            results.append(result)
    if fmt == "table":
        from rich.console import Console

        from mmcheck.report.table import results_table

        width = None if sys.stdout.isatty() else 160
        Console(width=width).print(results_table(results, stats=stats))
    return status


def run_matrix(files: list[Path], models: list[str], fmt: str, stats: bool,
               timeout: float | None, max_executions: int | None, target: Any) -> int:
    """``run`` under several models: each test under each model that fits it."""
    status = EXIT_OK
    names: list[str] = []
    cells: dict[tuple[str, str], Result] = {}
    columns: list[str] = []
    for path in files:
        errors: Output = []

        def report(err: UserError, errors: Output = errors) -> None:
            errors.append((err.render() + "\n", True))

        test = load(path, report)
        replay(errors)
        if test is None:
            status = EXIT_BAD_INPUT
            continue
        fits = models_for(test, models)
        names.append(test.name)
        for m in fits:
            if m not in columns:
                columns.append(m)
            code, result, out = run_file(path, m, fmt if fmt != "table" else "none", stats,
                                         timeout, max_executions, progress=True,
                                         target=target, test=test)
            replay(out)
            status = max(status, code)
            if result is not None:
                cells[(test.name, m)] = result
    if fmt == "table":
        from rich.console import Console

        from mmcheck.report.table import matrix_table

        preferred = ("sc", "lkmm", "x86tso", "armv8")
        order = [m for m in preferred if m in columns] + \
            [m for m in columns if m not in preferred]
        width = None if sys.stdout.isatty() else 160
        Console(width=width).print(matrix_table(names, order, cells))
    return status


# What ``run`` prints for one file, in order: (text with its newline, to stderr?).
Output = list[tuple[str, bool]]

# A directory of at least this many tests is shared between two processes.
PARALLEL_MIN_FILES = 16


def jobs() -> int:
    """How many processes ``run`` may use: ``MMCHECK_JOBS`` (1 turns sharing off), else 2
    when the machine has two CPUs for us and can fork."""
    if not hasattr(os, "fork") or sys.platform == "darwin":
        return 1
    env = os.environ.get("MMCHECK_JOBS", "")
    if env.strip().isdigit():
        return min(int(env), 2)
    try:
        cpus = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cpus = os.cpu_count() or 1
    return min(cpus, 2)


def replay(out: Output) -> None:
    for text, err in out:
        click.echo(text, nl=False, err=err)


def run_file(path: Path, model: str | None, fmt: str, stats: bool, timeout: float | None,
             max_executions: int | None, progress: bool, target: Any = None,
             test: Litmus | None = None) -> tuple[int, Result | None, Output]:
    """Check one file: its exit status, its Result (None if it could not be checked) and
    the text ``run`` prints for it, not yet printed."""
    from mmcheck.report import herd

    out: Output = []

    def report(err: UserError) -> None:
        out.append((err.render() + "\n", True))

    if test is None:
        test = load(path, report)
    if test is None:
        return EXIT_BAD_INPUT, None, out
    with progress_line(test.name, enabled=progress) as bar:
        options = Options(timeout=timeout, max_executions=max_executions, progress=bar,
                          target=target)
        result = run_one(test, model, options, report)
    if result is None:
        return EXIT_BAD_INPUT, None, out
    status = EXIT_OK
    if result.status != "ok":
        status = EXIT_BAD_INPUT
        what = result.unsupported if result.unsupported is not None else result.incomplete
        out.append((f"{path}: {result.status}: {what}\n", True))
    if fmt == "herd":
        out.append((herd.render(result), False))
        if stats:
            s = result.stats
            out.append((
                f"Stats {result.name} combinations={s.combinations} nodes={s.nodes} "
                f"pruned={s.pruned} candidates={s.candidates} consistent={s.consistent} "
                f"time={result.time * 1000:.2f}ms\n", False))
    elif fmt == "json":
        from mmcheck.report import json_out

        out.append((json_out.render(result) + "\n", False))
    return status, result, out


def run_parallel(files: list[Path], model: str | None, fmt: str, stats: bool,
                 timeout: float | None, max_executions: int | None, target: Any = None
                 ) -> int:
    """``run`` over many files with a forked helper taking every other file.

    Output is printed in file order, as soon as it is known; the helper sends each
    file's exit status and text back over a pipe.  A file the helper did not report
    (it died) is checked here.  Progress lines show this process's files only.
    """
    import marshal
    import select
    import signal

    done: dict[int, tuple[int, Output]] = {}
    sys.stdout.flush()
    sys.stderr.flush()
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the helper; its coverage is not collected
        code = 0
        try:
            os.close(rfd)
            for i in range(1, len(files), 2):
                try:
                    st, _, out = run_file(files[i], model, fmt, stats, timeout,
                                          max_executions, progress=False, target=target)
                except Exception:  # noqa: BLE001 - the parent reports it, in its place
                    import traceback

                    st, out = -1, [(traceback.format_exc(), True)]
                data = marshal.dumps((i, st, out))
                view = memoryview(len(data).to_bytes(4, "little") + data)
                while view:
                    view = view[os.write(wfd, view):]
                if st == -1:
                    break
        except BaseException:  # noqa: BLE001 - interrupted or the reader went away
            code = 1
        finally:
            os._exit(code)

    os.close(wfd)
    buf = b""
    eof = False
    status = EXIT_OK
    printed = 0

    def receive(block: bool) -> None:
        nonlocal buf, eof
        while not eof and (block or select.select([rfd], [], [], 0)[0]):
            chunk = os.read(rfd, 1 << 16)
            if not chunk:
                eof = True
                break
            buf += chunk
            while len(buf) >= 4 and len(buf) >= 4 + (n := int.from_bytes(buf[:4], "little")):
                i, st, out = marshal.loads(buf[4:4 + n])
                buf = buf[4 + n:]
                done[i] = (st, [(t, e) for t, e in out])
            if block:
                return

    def emit_ready() -> None:
        nonlocal printed, status
        while printed in done:
            st, out = done.pop(printed)
            if st == -1:
                click.echo("mmcheck: internal error (this is a bug in mmcheck):", err=True)
                click.echo(out[0][0], err=True)
                sys.exit(EXIT_INTERNAL)
            replay(out)
            status = max(status, st)
            printed += 1

    try:
        for i in range(0, len(files), 2):
            st, _, out = run_file(files[i], model, fmt, stats, timeout, max_executions,
                                  progress=True, target=target)
            done[i] = (st, out)
            receive(block=False)
            emit_ready()
        while printed < len(files):
            if printed not in done:
                if not eof:
                    receive(block=True)
                    continue
                st, _, out = run_file(files[printed], model, fmt, stats, timeout,
                                      max_executions, progress=True, target=target)
                done[printed] = (st, out)
            emit_ready()
    finally:
        os.close(rfd)
        if printed < len(files):
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGTERM)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
    return status
