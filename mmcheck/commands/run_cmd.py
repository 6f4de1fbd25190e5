"""``mmcheck run``: check litmus tests and print the outcome of each.

Nothing here imports click or rich on the way to a result (rich only draws a table or
a progress line), so that a run of a few tests starts fast; ``mmcheck.cli`` defines the
command's options and ``mmcheck.quick`` runs simple command lines without click.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterator

from mmcheck import TYPE_CHECKING
from mmcheck.check import Options, check, resolve_model
from mmcheck.errors import UserError
from mmcheck.execution import Result, Stats
from mmcheck.litmus.ast import Litmus
from mmcheck.litmus.parse import parse_file

if TYPE_CHECKING:
    from os import PathLike
    from pathlib import Path
    from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3, 70


def echo(text: str, nl: bool = True, err: bool = False) -> None:
    """Write to stdout (or stderr), flushed, as ``click.echo`` does."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + ("\n" if nl else ""))
    stream.flush()


def run_paths(paths: tuple[str, ...], models: list[str] | None, fmt: str, stats: bool,
              timeout: float | None, max_executions: int | None, verdict: bool = False,
              target: Any = None) -> int:
    """``mmcheck run``: its exit status.  ``models``: None for each test's default, one
    model, several (each test under each that fits it), or ``["all"]``; ``target``: how a
    C test is compiled for x86tso and armv8 (``mmcheck.compile.codegen.Options``)."""
    status = EXIT_OK
    results: list[Result] = []
    files = litmus_files(paths)
    if not files:
        echo("no .litmus files found", err=True)
        return EXIT_BAD_INPUT
    if models is not None and (len(models) > 1 or models == ["all"]):
        return run_matrix(files, models, fmt, stats, timeout, max_executions, target,
                          verdict)
    model = models[0] if models else None
    if fmt != "table" and len(files) >= PARALLEL_MIN_FILES and jobs() > 1:
        return run_parallel(files, model, fmt, stats, timeout, max_executions, verdict,
                            target)
    for path in files:
        code, result, out = run_file(path, model, fmt, stats, timeout, max_executions,
                                     progress=True, verdict=verdict, target=target)
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


def models_for(test: Litmus, models: list[str]) -> list[str]:
    """The models of a list that fit a test (``all``: every built-in model that fits it).
    A model file is kept: whether it fits is said when the test is checked."""
    from mmcheck.cat.paths import is_model_path
    from mmcheck.check import compiles_to, default_model
    from mmcheck.models import MODEL_NAMES, get_model

    if models == ["all"]:
        models = list(MODEL_NAMES)
    out = []
    for name in models:
        if is_model_path(name):
            out.append(name)
            continue
        m = get_model(name)
        if m is not None and (test.arch in m.arches or compiles_to(test, name)):
            out.append(name)
    if not out and models == list(MODEL_NAMES):
        out = [default_model(test)]
    return out


def run_matrix(files: list[str], models: list[str], fmt: str, stats: bool,
               timeout: float | None, max_executions: int | None, target: Any,
               verdict: bool = False) -> int:
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
        if models != ["all"]:
            skipped = [m for m in models if m not in fits]
            if skipped:
                echo(f"{path}: note: {', '.join(skipped)} "
                     f"{'does' if len(skipped) == 1 else 'do'} not fit its architecture "
                     f"({test.arch}); skipped", err=True)
        names.append(test.name)
        for m in fits:
            if m not in columns:
                columns.append(m)
            code, result, out = run_file(path, m, fmt if fmt != "table" else "none", stats,
                                         timeout, max_executions, progress=True,
                                         verdict=verdict, target=target, test=test,
                                         name_model=True)
            if fmt == "herd" and result is not None:
                # herd7's text has no line naming the model: say whose block follows.
                out.insert(next((i for i, (_, err) in enumerate(out) if not err), len(out)),
                           (f"Model {m}\n", False))
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


def collect(paths: tuple[str, ...]) -> Iterator[Path]:
    """The litmus files named, directories searched recursively, in a stable order."""
    from pathlib import Path

    return (Path(name) for name in litmus_files(paths))


def litmus_files(paths: tuple[str, ...]) -> list[str]:
    """``collect``'s files as strings, written as pathlib writes them, found without
    importing pathlib (a fifth of a small run's start-up, ``run`` does not need it).

    A directory is searched as ``Path.rglob("*.litmus")`` searches it: every entry whose
    name ends in ``.litmus``, in subdirectories too but not through a symbolic link to
    one, sorted component by component."""
    out: list[str] = []
    for p in paths:
        name = _pure(p)
        if not os.path.isdir(name):
            out.append(name)
            continue
        found: list[str] = []
        stack = [name]
        while stack:
            d = stack.pop()
            try:
                with os.scandir(d) as it:
                    entries = list(it)
            except PermissionError:
                continue
            for e in entries:
                child = e.name if d == "." else \
                    d + e.name if d.endswith("/") else f"{d}/{e.name}"
                if e.name.endswith(".litmus"):
                    found.append(child)
                try:
                    into = e.is_dir() and not e.is_symlink()
                except OSError:
                    into = False
                if into:
                    stack.append(child)
        out.extend(sorted(found, key=lambda f: f.split("/")))
    return out


def _pure(p: str) -> str:
    """``str(pathlib.PurePosixPath(p))``: repeated slashes and ``.`` parts dropped."""
    root = "//" if p.startswith("//") and not p.startswith("///") else \
        "/" if p.startswith("/") else ""
    parts = [x for x in p.split("/") if x and x != "."]
    return root + "/".join(parts) if root or parts else "."


def report_error(err: UserError) -> None:
    echo(err.render(), err=True)


def load(path: str | PathLike[str], report: Callable[[UserError], None] = report_error
         ) -> Litmus | None:
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
        echo(text, nl=False, err=err)


def run_file(path: str | PathLike[str], model: str | None, fmt: str, stats: bool,
             timeout: float | None, max_executions: int | None, progress: bool,
             verdict: bool = False, target: Any = None, test: Litmus | None = None,
             name_model: bool = False
             ) -> tuple[int, Result | None, Output]:
    """Check one file: its exit status, its Result (None if it could not be checked) and
    the text ``run`` prints for it, not yet printed.  ``name_model``: a test that could
    not be checked says under which model (``run`` under several)."""
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
                          verdict=verdict, target=target)
        result = run_one(test, model, options, report)
    if result is None:
        return EXIT_BAD_INPUT, None, out
    status = EXIT_OK
    if result.status != "ok":
        status = EXIT_BAD_INPUT
        what = result.unsupported if result.unsupported is not None else result.incomplete
        under = f" under {result.model}" if name_model else ""
        out.append((f"{path}: {result.status}{under}: {what}\n", True))
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


def run_parallel(files: list[str], model: str | None, fmt: str, stats: bool,
                 timeout: float | None, max_executions: int | None, verdict: bool = False,
                 target: Any = None) -> int:
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
                                          max_executions, progress=False, verdict=verdict,
                                          target=target)
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
                echo("mmcheck: internal error (this is a bug in mmcheck):", err=True)
                echo(out[0][0], err=True)
                sys.exit(EXIT_INTERNAL)
            replay(out)
            status = max(status, st)
            printed += 1

    try:
        for i in range(0, len(files), 2):
            st, _, out = run_file(files[i], model, fmt, stats, timeout, max_executions,
                                  progress=True, verdict=verdict, target=target)
            done[i] = (st, out)
            receive(block=False)
            emit_ready()
        while printed < len(files):
            if printed not in done:
                if not eof:
                    receive(block=True)
                    continue
                st, _, out = run_file(files[printed], model, fmt, stats, timeout,
                                      max_executions, progress=True, verdict=verdict,
                                      target=target)
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
