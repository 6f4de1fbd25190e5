"""``mmcheck check``: CI mode.  Run a litmus library against its expectations.

Every ``.litmus`` file under PATHS (default ``litmus/``) is checked under each model
that the ``expectations.txt`` beside it names, and the verdicts are compared.

Exit codes: 0 every expectation met · 1 some verdict differs from its expectation ·
2 usage error · 3 something could not be processed (a test that does not parse, an
unsupported feature, a search stopped by --timeout, a mistake in an expectations file,
and with --strict a test with no expectations); 3 wins over 1 · 70 a bug in mmcheck.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mmcheck.atomic_write import write_text_atomic
from mmcheck.cli import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    collect,
    guarded,
    load,
    report_error,
)
from mmcheck.errors import UserError
from mmcheck.litmus.ast import Litmus
from mmcheck.models import MODEL_NAMES
from mmcheck.regress import (
    ERROR,
    FAILED,
    KERNEL_VERDICTS,
    MISSING,
    PASSED,
    Entry,
    Expectations,
    Job,
    Outcome,
    describe,
    error_outcome,
    fitting_models,
    kernel_result,
    misfit,
    read_expectations,
    run_job,
    summarise,
    to_json,
    unknown_tests,
    update_text,
)
from mmcheck.report.table import Cell, plain_table, rich_table

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from rich.console import Console

PROGRESS_AFTER = 0.5  # seconds before a progress bar appears (terminals only)

Slot = Outcome | int  # a decided outcome, or the index of a job still to run


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--model", "-m", type=click.Choice(MODEL_NAMES), default=None,
              help="Check only this model's expectations.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=1, show_default=True,
              help="Worker processes (0: one per CPU).  Results and their order do not "
              "depend on it.")
@click.option("--update", is_flag=True,
              help="Rewrite the expectations with the verdicts found (after a deliberate "
              "change): comments and order kept, columns aligned, a line added for each "
              "test that has none.")
@click.option("--strict", is_flag=True,
              help="Count a test with no expectations as an error (exit 3); otherwise it "
              "is only a warning.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), default=None,
              help="Also write a JUnit XML report: one testcase per test and model.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), default=None,
              help="Also write a JSON report (schema in the README).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Seconds per test and model before it is reported incomplete (an error).")
@click.option("--quiet", "-q", is_flag=True, help="List only what did not pass.")
@click.option("--suggest-fix", is_flag=True,
              help="For a verdict Allowed where Forbidden was expected, print its cheapest "
              "verified repair (see `mmcheck fix`), also in the JSON and JUnit reports.")
@click.option("--exact", is_flag=True,
              help="Count every execution (as `mmcheck run` does) instead of searching "
              "only for the verdict; the verdicts are the same, the search is longer.")
@guarded
def check(paths: tuple[str, ...], model: str | None, jobs: int, update: bool, strict: bool,
          junit_file: str | None, json_file: str | None, timeout: float | None,
          quiet: bool, suggest_fix: bool, exact: bool) -> int:
    """Check litmus tests against the expectations.txt beside them (CI mode).

    PATHS are .litmus files or directories searched recursively (default: litmus/).
    A test with no expectation line is a warning (an error with --strict).
    Each verdict is found by a search that stops as soon as it is known; --exact
    counts every execution instead (same verdicts).

    \b
    expectations.txt, one line per test (the .litmus file's stem):
        SB   sc=Forbidden  x86tso=Allowed    # a comment
    A verdict is Allowed when some execution the model allows satisfies the
    condition's proposition, Forbidden otherwise.  Models: sc, x86tso, armv8, lkmm.
    A C test with a kernel-style `Result: Never|Sometimes|Always` in its header
    comment is also checked against that under lkmm, unless its line names lkmm.

    Ends with `N passed, M failed` (`, K errors`).  Exit 0: all met; 1: a verdict
    differs; 3: something could not be processed (wins over 1).
    """
    if not paths:
        if not Path("litmus").is_dir():
            raise click.UsageError("no litmus/ directory here: name the tests to check")
        paths = ("litmus",)
    files = list(dict.fromkeys(collect(paths)))
    if not files:
        click.echo("no .litmus files found", err=True)
        return EXIT_BAD_INPUT

    books: dict[Path, Expectations] = {}
    file_errors: list[UserError] = []
    slots: list[Slot] = []
    todo: list[Job] = []
    for path in files:
        directory = path.parent
        if directory not in books:
            exp = read_expectations(directory)
            stems = (p.stem for p in directory.glob("*.litmus"))
            errs = [*exp.errors, *unknown_tests(exp, stems)]
            errs.sort(key=lambda e: e.span.line if e.span else 0)
            for err in errs:
                report_error(err)
            file_errors.extend(errs)
            books[directory] = exp
        slots.extend(plan(path, books[directory], model, update, strict, timeout, todo, exact))

    # In a CI log (not a terminal) keep whole test names rather than 80 columns.
    done = run_all(todo, jobs, None)
    if suggest_fix:
        done = [suggest(job, o) for job, o in zip(todo, done, strict=True)]
    outcomes = [done[s] if isinstance(s, int) else s for s in slots]
    for o in done:
        if o.status == ERROR and o.message is not None:
            click.echo(o.message, err=True)

    if not quiet or any(o.status != PASSED for o in outcomes):
        print_summary(outcomes, quiet)
    for o in outcomes:
        if o.status == FAILED:
            lines = describe(o)
            click.echo(("UPDATED " if update else "FAILED ") + "\n".join(lines))

    written = True
    if update:
        written = write_updates(books, outcomes, file_errors)
    if json_file is not None:
        text = json.dumps(to_json(outcomes, file_errors), indent=2) + "\n"
        written &= write(Path(json_file), text)
    if junit_file is not None:
        from mmcheck.report import junit

        written &= write(Path(junit_file), junit.render(outcomes, file_errors))

    summary = summarise(outcomes, len(file_errors))
    click.echo(summary.line())
    if summary.errors or not written:
        return EXIT_BAD_INPUT
    if summary.failed and not update:
        return EXIT_FAILED
    return EXIT_OK


def suggest(job: Job, o: Outcome) -> Outcome:
    """``o`` with the cheapest repair attached, when Forbidden was expected but the outcome
    is Allowed."""
    if o.status != FAILED or o.expected != "Forbidden" or o.got != "Allowed":
        return o
    import dataclasses

    from mmcheck.check import resolve_model
    from mmcheck.repair import find_repairs

    fr = find_repairs(job.test, resolve_model(job.test, job.model), timeout=job.timeout)
    if not fr.repairs:
        why = fr.unsupported or fr.note or "none of the known changes forbids it"
        return dataclasses.replace(o, fix_text=(f"  no repair found: {why}",))
    best = fr.repairs[0]
    text = [f"  cheapest repair (cost {best.cost}, verified: Forbidden, "
            f"{best.executions} executions):"]
    text.extend(f"    {c.describe()}" for c in best.changes)
    return dataclasses.replace(o, fix=best.to_json(), fix_text=tuple(text))


def make_console() -> Console:
    """The console for tables and progress (rich is loaded only when something is drawn).

    In a CI log (not a terminal) whole test names are kept rather than 80 columns."""
    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=160)


def write(path: Path, text: str) -> bool:
    """Write a report or an expectations file; a failure is reported (False then)."""
    try:
        write_text_atomic(path, text)
    except OSError as exc:
        click.echo(f"{path}: cannot write: {exc.strerror}", err=True)
        return False
    return True


def parse(path: Path) -> Litmus | UserError:
    """Parse one test; a user's mistake comes back (and is reported on stderr)."""
    mistakes: list[UserError] = []

    def keep(err: UserError) -> None:
        report_error(err)
        mistakes.append(err)

    test = load(path, keep)
    return test if test is not None else mistakes[0]


def plan(path: Path, exp: Expectations, model: str | None, update: bool, strict: bool,
         timeout: float | None, todo: list[Job], exact: bool = False) -> list[Slot]:
    """The slots of one test file, in order; the jobs to run are appended to ``todo``."""
    line = exp.tests().get(path.stem)
    entries = [] if line is None else [e for e in line.entries if model in (None, e.model)]
    if line is not None and not entries and model != "lkmm":
        return []  # every expectation of this test is about another model
    test = parse(path)
    if isinstance(test, UserError):
        message = test.render()
        if not entries:
            return [error_outcome(str(path), None, None, message)]
        return [error_outcome(str(path), e.model, e.verdict, message) for e in entries]
    slots: list[Slot] = []
    kernel = kernel_result(test) if line is None and not update else None
    if kernel is not None and "lkmm" in fitting_models(test):
        # The kernel's convention: 'Result: Never' in the header is the lkmm expectation.
        if model not in (None, "lkmm"):
            return []
        slots.append(len(todo))
        todo.append(Job(test, str(path), "lkmm", KERNEL_VERDICTS[kernel], timeout,
                        expected_from=f"Result: {kernel}"))
        return slots
    if line is None:
        if update:
            for m in fitting_models(test):
                if model in (None, m):
                    slots.append(len(todo))
                    todo.append(Job(test, str(path), m, None, timeout, exact=exact))
            return slots
        where = "" if exp.exists else " (it does not exist)"
        what = f"{path}: no expectations for {path.stem!r} in {exp.path}{where}"
        if strict:
            click.echo(f"error: {what}", err=True)
            return [error_outcome(str(path), None, None, what)]
        click.echo(f"warning: {what}; run `mmcheck check --update` to add them", err=True)
        return [error_outcome(str(path), None, None, what, status=MISSING)]
    for e in entries:
        err = misfit(test, e, exp.path)
        if err is not None:
            report_error(err)
            slots.append(error_outcome(str(path), e.model, e.verdict, err.render()))
            continue
        slots.append(len(todo))
        todo.append(Job(test, str(path), e.model, e.verdict, timeout, exact=exact))
    slots.extend(kernel_slot(test, path, line.entries, model, update, timeout, todo, exact))
    return slots


def kernel_slot(test: Litmus, path: Path, listed: Sequence[Entry], model: str | None,
                update: bool, timeout: float | None, todo: list[Job], exact: bool
                ) -> list[Slot]:
    """The lkmm slot of a test whose line names other models but whose header has a
    kernel-style ``Result:`` line (the lkmm expectation), appended to ``todo``."""
    kernel = None if update else kernel_result(test)
    if (kernel is None or model not in (None, "lkmm")
            or any(e.model == "lkmm" for e in listed) or "lkmm" not in fitting_models(test)):
        return []
    todo.append(Job(test, str(path), "lkmm", KERNEL_VERDICTS[kernel], timeout,
                    expected_from=f"Result: {kernel}", exact=exact))
    return [len(todo) - 1]


def run_all(todo: Sequence[Job], workers: int, console: Console | None = None
            ) -> list[Outcome]:
    """Run the jobs, in worker processes when ``workers`` > 1; results in job order.

    A progress bar appears on a terminal once a run has taken ``PROGRESS_AFTER`` seconds.
    """
    if not todo:
        return []
    workers = min(workers or os.cpu_count() or 1, len(todo))
    tick = progress_ticker(len(todo), console)
    try:
        if workers == 1:
            out: list[Outcome] = []
            for job in todo:
                tick(len(out), f"{Path(job.path).stem} [{job.model}]")
                out.append(run_job(job))
            return out
        import itertools
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("spawn")  # no fork from a threaded process
        # Each worker is started with SIGINT ignored, which a spawned Python keeps: the
        # terminal sends Ctrl-C to the whole process group, and only this process answers
        # it (one line, exit 130), stopping the workers.  The pool starts a worker in
        # each of the first submissions, synchronously: the window is milliseconds.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_start_worker)
            futures: list[Future[Outcome]] = [pool.submit(run_job, job)
                                              for job in todo[:workers]]
        finally:
            signal.signal(signal.SIGINT, previous)
        try:
            futures.extend(pool.submit(run_job, job) for job in todo[workers:])
            # Completions are counted by the pool's thread; this one only waits on an
            # event.  (concurrent.futures.wait takes every pending future's lock on each
            # call: a Ctrl-C landing there left some held, and the pool hung on them.)
            finished = [0]
            counter = itertools.count(1)  # next() is one step: safe from both threads
            all_done = threading.Event()

            def count(_: Future[Outcome]) -> None:
                finished[0] = n = next(counter)
                if n == len(futures):
                    all_done.set()

            for f in futures:
                f.add_done_callback(count)
            while not all_done.wait(0.2):
                tick(finished[0], "")
            return [f.result() for f in futures]
        except KeyboardInterrupt:
            _stop_workers(pool)
            raise
        finally:  # on a worker's crash, drop what has not started
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        tick(-1, "")


def _start_worker() -> None:
    """A worker's start: Ctrl-C is the parent's to answer; the collector as in the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from mmcheck.quick import tune_gc

    tune_gc()


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """End the pool's worker processes now (a test may run for minutes)."""
    processes = getattr(pool, "_processes", None) or {}
    for proc in list(processes.values()):
        proc.terminate()
    for proc in list(processes.values()):
        proc.join(timeout=5)


def progress_ticker(total: int, console: Console | None = None
                    ) -> Callable[[int, str], None]:
    """``tick(done, label)`` keeps a bar up to date once the run is long; ``tick(-1)`` ends."""
    started = time.monotonic()
    state: dict[str, Any] = {}

    def tick(done: int, label: str) -> None:
        bar = state.get("bar")
        if done < 0:
            if bar is not None:
                bar.stop()
            return
        if bar is None:
            terminal = console.is_terminal if console is not None else sys.stdout.isatty()
            if not terminal or time.monotonic() - started < PROGRESS_AFTER:
                return
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            bar = Progress(
                TextColumn("checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=console if console is not None else make_console(),
                transient=True,
            )
            bar.add_task(label, total=total)
            bar.start()
            state["bar"] = bar
        from rich.markup import escape

        bar.update(bar.task_ids[0], completed=done, description=escape(label))

    return tick


SUMMARY_COLUMNS = (("test", "left"), ("model", "left"), ("expected", "left"),
                   ("got", "left"), ("time", "right"), ("result", "left"))
SHOWN = {PASSED: ("ok", "green"), FAILED: ("FAILED", "bold red"), ERROR: ("error", "yellow"),
         MISSING: ("no expectation", "yellow")}


def summary_rows(outcomes: Sequence[Outcome], quiet: bool) -> list[list[Cell]]:
    """test, model, expected, got, time and the result, one row per test and model."""
    several = len({o.directory for o in outcomes}) > 1
    rows: list[list[Cell]] = []
    for o in outcomes:
        if quiet and o.status == PASSED:
            continue
        name = f"{o.directory}/{o.test}" if several else o.test
        got = (o.got or "-", "bold red" if o.status == FAILED else "")
        time_text = f"{o.time * 1000:.1f} ms" if o.got is not None else ""
        result, style = SHOWN[o.status]
        if o.status == MISSING and o.got is not None:
            result, style = "new", "cyan"  # --update adds it
        expected = o.expected or "-"
        if o.expected_from:
            expected += f" ({o.expected_from})"
        if o.flags:
            result += " (flag " + ", ".join(o.flags) + ")"
        rows.append([(name, ""), (o.model or "-", ""), (expected, ""), got, (time_text, ""),
                     (result, style)])
    return rows


def print_summary(outcomes: Sequence[Outcome], quiet: bool) -> None:
    """The summary table: drawn by rich at a terminal, as plain text in a log."""
    rows = summary_rows(outcomes, quiet)
    if sys.stdout.isatty():
        make_console().print(rich_table(SUMMARY_COLUMNS, rows))
    else:
        click.echo(plain_table(SUMMARY_COLUMNS, rows))


def write_updates(books: dict[Path, Expectations], outcomes: Sequence[Outcome],
                  file_errors: Sequence[UserError]) -> bool:
    """Rewrite each expectations file with the verdicts found; False if one was refused."""
    broken = {e.path for e in file_errors}
    ok = True
    for directory, exp in books.items():
        mine = [o for o in outcomes if Path(o.path).parent == directory]
        got: dict[tuple[str, str], str] = {}
        added: dict[str, list[tuple[str, str]]] = {}
        for o in mine:
            if o.model is None or o.got is None:
                continue
            if o.status in (PASSED, FAILED):
                got[o.test, o.model] = o.got
            elif o.status == MISSING:
                added.setdefault(o.test, []).append((o.model, o.got))
        changed = sum(1 for o in mine if o.status == FAILED)
        if not changed and not added:
            continue
        if exp.path in broken:
            click.echo(f"{exp.path}: not updated: fix the mistakes reported above first",
                       err=True)
            ok = False
            continue
        text = update_text(exp, got, [(t, tuple(v)) for t, v in added.items()])
        if not write(Path(exp.path), text):
            ok = False
            continue
        click.echo(f"updated {exp.path}: {changed} verdict(s) changed, "
                   f"{len(added)} test(s) added", err=True)
    return ok
