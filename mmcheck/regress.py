"""Expectations vs results: the verdicts a test library promises, checked and promoted.

Each directory of litmus tests may hold an ``expectations.txt``::

    # test        model=Verdict ...
    SB            sc=Forbidden  x86tso=Allowed
    MP            sc=Forbidden  x86tso=Forbidden   # message passing

``TEST`` is the stem of a ``.litmus`` file in the same directory; a verdict is
``Allowed`` when some execution the model allows satisfies the condition's
proposition (``Result.verdict``), ``Forbidden`` otherwise.  ``#`` starts a comment,
blank lines are ignored, columns are aligned with spaces.

Nothing here prints: the command in ``mmcheck.commands.check_cmd`` does that.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mmcheck.check import Options, check
from mmcheck.errors import Span, UserError
from mmcheck.execution import Result, show_state
from mmcheck.litmus.ast import Litmus, Loc, Value, eval_prop, prop_atoms, show_condition, show_prop
from mmcheck.litmus.dialects import dialect_for

FILENAME = "expectations.txt"
MODELS = ("sc", "x86tso", "armv8", "lkmm")
VERDICTS = ("Allowed", "Forbidden")
HEADER = (
    "# mmcheck expectations: TEST  model=Verdict ...  (see `mmcheck check --help`)\n"
)

# Outcome statuses.
PASSED, FAILED, ERROR, MISSING = "passed", "failed", "error", "missing"

_TOKEN = re.compile(r"\S+")


# -- the file ------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One ``model=Verdict`` of a test line."""

    model: str
    verdict: str
    span: Span


@dataclass(frozen=True)
class Line:
    """One line of an expectations file, as written (``test`` is None for blank/comment)."""

    number: int
    text: str
    test: str | None = None
    entries: tuple[Entry, ...] = ()
    comment: str = ""  # a trailing ``# ...``, kept by --update
    span: Span | None = None  # of the test name


@dataclass(frozen=True)
class Expectations:
    """A parsed expectations file; ``errors`` are the user's mistakes found in it."""

    path: str
    lines: tuple[Line, ...] = ()
    errors: tuple[UserError, ...] = ()
    exists: bool = True

    def tests(self) -> dict[str, Line]:
        """The test lines by test name (the first, when a test is given twice)."""
        out: dict[str, Line] = {}
        for line in self.lines:
            if line.test is not None and line.test not in out:
                out[line.test] = line
        return out


def parse_expectations(text: str, path: str = "<input>") -> Expectations:
    """Read an expectations file, collecting every mistake rather than stopping at one.

    >>> e = parse_expectations("SB  sc=Forbidden  x86tso=Allowed  # store buffering\\n")
    >>> [(x.model, x.verdict) for x in e.tests()["SB"].entries], e.errors
    ([('sc', 'Forbidden'), ('x86tso', 'Allowed')], ())
    """
    lines: list[Line] = []
    errors: list[UserError] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        body, hash_, rest = raw.partition("#")
        comment = hash_ + rest
        tokens = list(_TOKEN.finditer(body))
        if not tokens:
            lines.append(Line(number, raw))
            continue
        span = functools.partial(_span, number, raw)
        name_m = tokens[0]
        test = name_m.group()
        name_span = span(name_m)
        if "=" in test:
            errors.append(UserError(f"expected a test name before {test!r}", name_span, path))
            lines.append(Line(number, raw))
            continue
        if test in seen:
            errors.append(
                UserError(f"test {test!r} already has a line (line {seen[test]})", name_span, path)
            )
            lines.append(Line(number, raw))
            continue
        seen[test] = number
        entries: list[Entry] = []
        for m in tokens[1:]:
            model, eq, verdict = m.group().partition("=")
            if not eq or not model or not verdict:
                errors.append(
                    UserError(f"expected model=Verdict, found {m.group()!r}", span(m), path)
                )
            elif model not in MODELS:
                errors.append(
                    UserError(
                        f"unknown model {model!r} (known: {', '.join(MODELS)})",
                        span(m, 0, len(model)),
                        path,
                    )
                )
            elif verdict not in VERDICTS:
                hint = next((v for v in VERDICTS if v.lower() == verdict.lower()), None)
                more = f"; did you mean {hint!r}?" if hint else ""
                errors.append(
                    UserError(
                        f"unknown verdict {verdict!r} (expected Allowed or Forbidden){more}",
                        span(m, len(model) + 1),
                        path,
                    )
                )
            elif any(e.model == model for e in entries):
                errors.append(
                    UserError(f"model {model!r} given twice for test {test!r}", span(m), path)
                )
            else:
                entries.append(Entry(model, verdict, span(m)))
        if len(tokens) == 1:
            errors.append(
                UserError(f"no model=Verdict for test {test!r}", name_span, path)
            )
        lines.append(Line(number, raw, test, tuple(entries), comment.strip(), name_span))
    return Expectations(path, tuple(lines), tuple(errors))


def _span(number: int, raw: str, m: re.Match[str], start: int = 0, end: int | None = None
          ) -> Span:
    """The span of token ``m`` (or of its characters ``start:end``) on line ``number``."""
    stop = m.end() if end is None else m.start() + end
    return Span(number, m.start() + start + 1, raw, max(1, stop - m.start() - start))


def read_expectations(directory: Path) -> Expectations:
    """The expectations file of a directory (an empty one, ``exists=False``, if none)."""
    path = directory / FILENAME
    if not path.exists():
        return Expectations(str(path), exists=False)
    try:
        text = path.read_bytes().decode("utf-8")
    except OSError as exc:
        err = UserError(f"cannot read: {exc.strerror}", None, str(path))
        return Expectations(str(path), errors=(err,))
    except UnicodeDecodeError:
        err = UserError("not a text file (invalid UTF-8)", None, str(path))
        return Expectations(str(path), errors=(err,))
    return parse_expectations(text, str(path))


def unknown_tests(exp: Expectations, stems: Iterable[str]) -> list[UserError]:
    """Lines naming a test that has no ``.litmus`` file beside the expectations."""
    present = set(stems)
    return [
        UserError(
            f"no test {line.test!r} here (no {line.test}.litmus beside this file)",
            line.span,
            exp.path,
        )
        for line in exp.lines
        if line.test is not None and line.test not in present
    ]


def fitting_models(test: Litmus) -> tuple[str, ...]:
    """The models that fit a test's architecture, in the canonical order."""
    dialect = dialect_for(test.arch)
    fits = dialect.models if dialect is not None else ()
    return tuple(m for m in MODELS if m in fits)


_KERNEL_RESULT = re.compile(r"\bResult:\s*(Never|Sometimes|Always)\b")
KERNEL_VERDICTS = {"Never": "Forbidden", "Sometimes": "Allowed", "Always": "Allowed"}


def kernel_result(test: Litmus) -> str | None:
    """The ``Result: Never|Sometimes|Always`` of a kernel litmus test's header comment.

    The Linux kernel's litmus tests state their LKMM outcome so, and its
    ``checklitmus.sh`` compares it with herd7's Observation.  Only the text before the
    first thread counts (the header, its comments and the init block).
    """
    if test.arch != "C":
        return None
    head = re.split(r"(?m)^\s*(?:void\s*)?P0\s*\(", test.source, maxsplit=1)[0]
    m = _KERNEL_RESULT.search(head)
    return m.group(1) if m else None


def misfit(test: Litmus, entry: Entry, path: str) -> UserError | None:
    """An entry naming a model that does not fit the test's architecture."""
    fits = fitting_models(test)
    if entry.model in fits:
        return None
    return UserError(
        f"model {entry.model!r} does not fit {test.arch} test {test.name!r} "
        f"(use one of: {', '.join(fits)})",
        Span(entry.span.line, entry.span.col, entry.span.text, len(entry.model)),
        path,
    )


# -- running and comparing ------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One test under one model, with the verdict expected (None: no expectation yet)."""

    test: Litmus
    path: str
    model: str
    expected: str | None
    timeout: float | None = None
    max_executions: int | None = None
    # Where the expectation comes from when not expectations.txt ('Result: Never').
    expected_from: str | None = None
    exact: bool = False  # count every execution rather than search for the verdict


@dataclass(frozen=True)
class Outcome:
    """What became of one test under one model (model None: the test never got that far)."""

    test: str
    path: str
    directory: str
    model: str | None
    expected: str | None
    got: str | None
    status: str  # passed, failed, error, missing
    time: float = 0.0
    witness: str | None = None  # final state of an allowed execution satisfying the condition
    condition: str | None = None
    prop: str | None = None  # the condition's proposition, as herd prints it
    message: str | None = None
    flags: tuple[str, ...] = ()  # the model's flags the test raised (herd7's Flag lines)
    expected_from: str | None = None  # 'Result: Never' when the test's header says it
    # With ``check --suggest-fix``: the cheapest verified repair of an outcome expected
    # Forbidden but Allowed (``Repair.to_json``'s form), and its changes in words.
    fix: dict[str, object] | None = None
    fix_text: tuple[str, ...] = ()


def outcome_of(job: Job, result: Result) -> Outcome:
    """Compare one Result with its expectation."""
    test = job.test
    base = dict(
        test=Path(job.path).stem,
        path=job.path,
        directory=Path(job.path).parent.as_posix(),
        model=job.model,
        expected=job.expected,
        condition=show_condition(test.condition),
        prop=show_prop(test.condition.prop),
        time=result.time,
        flags=result.flags,
        expected_from=job.expected_from,
    )
    if result.status != "ok":
        reason = result.unsupported if result.unsupported is not None else result.incomplete
        return Outcome(**base, got=None, status=ERROR,  # type: ignore[arg-type]
                       message=f"{job.path}: {result.status}: {reason}")
    got = result.verdict
    witness = None
    if got == "Allowed":
        state = next((w.state for w in result.witnesses if w.satisfies), None)
        if state is None:  # pragma: no cover - witnesses are kept; states are the fallback
            state = next((s for s in result.states
                          if eval_prop(result.condition.prop, dict(s))), None)
        if state is not None:
            witness = show_state(_in_test_names(state, result, test))
    if job.expected is None:
        status = MISSING
    else:
        status = PASSED if got == job.expected else FAILED
    message = None
    if status == FAILED:
        message = f"{base['test']} [{job.model}]: expected {job.expected}, got {got}"
    return Outcome(**base, got=got, status=status, witness=witness,  # type: ignore[arg-type]
                   message=message)


def _in_test_names(state: Sequence[tuple[Loc, Value]], result: Result, test: Litmus
                   ) -> tuple[tuple[Loc, Value], ...]:
    """A final state of ``result`` in the names of ``test``: a C test checked under a
    hardware model is checked as the test it compiles to, whose registers stand for the C
    test's locals (the two conditions name them in the same places)."""
    if result.condition is None or result.condition == test.condition:
        return tuple(state)
    back: dict[Loc, Loc] = {}
    for mine, theirs in zip(prop_atoms(result.condition.prop),
                            prop_atoms(test.condition.prop), strict=False):
        back.setdefault(mine.loc, theirs.loc)
    return tuple((back.get(loc, loc), v) for loc, v in state)


def run_job(job: Job) -> Outcome:
    """Check one test under one model and compare (a plain function: runs in a worker)."""
    options = Options(timeout=job.timeout, max_executions=job.max_executions, witnesses=2,
                      verdict=not job.exact)
    try:
        result = check(job.test, job.model, options)
    except UserError as err:
        err = err if err.path else err.with_path(job.path)
        out = error_outcome(job.path, job.model, job.expected, err.render())
        return dataclasses.replace(out, expected_from=job.expected_from)
    return outcome_of(job, result)


def describe(o: Outcome) -> list[str]:
    """A changed verdict in words: what was expected, what came, and the outcome concerned.

    When the verdict became Allowed, the final state of an allowed execution that
    satisfies the condition; when it became Forbidden, the condition's outcome that no
    allowed execution reaches any more.
    """
    source = f" (from its '{o.expected_from}' line)" if o.expected_from else ""
    lines = [f"{o.test} [{o.model}] ({o.path}): expected {o.expected}{source}, got {o.got}"]
    if o.got == "Allowed" and o.witness is not None:
        lines.append(f"  became reachable: {o.witness}  (satisfies {o.condition})")
    elif o.got == "Forbidden":
        lines.append(
            f"  became unreachable: {o.prop}  (no execution {o.model} allows satisfies it)"
        )
    lines.extend(o.fix_text)
    return lines


def error_outcome(path: str, model: str | None, expected: str | None, message: str,
                  status: str = ERROR) -> Outcome:
    p = Path(path)
    return Outcome(test=p.stem, path=path, directory=p.parent.as_posix(), model=model,
                   expected=expected, got=None, status=status, message=message)


@dataclass(frozen=True)
class Summary:
    passed: int
    failed: int
    errors: int
    missing: int

    def line(self) -> str:
        """``N passed, M failed`` (``, K errors`` when there are any)."""
        text = f"{self.passed} passed, {self.failed} failed"
        return text + (f", {self.errors} errors" if self.errors else "")


def summarise(outcomes: Sequence[Outcome], file_errors: int = 0) -> Summary:
    def count(status: str) -> int:
        return sum(1 for o in outcomes if o.status == status)

    return Summary(count(PASSED), count(FAILED), count(ERROR) + file_errors, count(MISSING))


# -- promoting ------------------------------------------------------------------


def update_text(
    exp: Expectations,
    got: Mapping[tuple[str, str], str],
    added: Sequence[tuple[str, tuple[tuple[str, str], ...]]] = (),
) -> str:
    """The expectations file rewritten with the verdicts ``got[(test, model)]``.

    Comments, blank lines and the order of lines and models are kept; test lines in
    ``added`` (test, ((model, verdict), ...)) are appended; columns are re-aligned.

    >>> e = parse_expectations("# x86\\nSB sc=Forbidden x86tso=Forbidden  # sb\\n")
    >>> print(update_text(e, {("SB", "x86tso"): "Allowed"}, [("MP", (("sc", "Forbidden"),))]),
    ...       end="")
    # x86
    SB  sc=Forbidden  x86tso=Allowed  # sb
    MP  sc=Forbidden
    """
    rows: list[tuple[str, list[str], str] | str] = []
    for line in exp.lines:
        if line.test is None:
            rows.append(line.text.rstrip())
            continue
        cells = [f"{e.model}={got.get((line.test, e.model), e.verdict)}" for e in line.entries]
        rows.append((line.test, cells, line.comment))
    if not exp.exists and added:
        rows.insert(0, HEADER.rstrip("\n"))
    for test, entries in added:
        rows.append((test, [f"{m}={v}" for m, v in entries], ""))
    return "".join(line + "\n" for line in align(rows))


def align(rows: Sequence[tuple[str, list[str], str] | str]) -> list[str]:
    """Lay out test rows in columns (two spaces apart); plain strings pass through."""
    entries = [r for r in rows if not isinstance(r, str)]
    widths: list[int] = []
    for test, cells, _ in entries:
        for k, text in enumerate([test, *cells]):
            if k == len(widths):
                widths.append(0)
            widths[k] = max(widths[k], len(text))

    def body(test: str, cells: list[str]) -> str:
        cols = [text.ljust(widths[k]) for k, text in enumerate([test, *cells])]
        return "  ".join(cols).rstrip()

    bodies = [body(t, c) for t, c, _ in entries]
    commented = zip(bodies, entries, strict=True)
    comment_col = max((len(b) for b, (_, _, cm) in commented if cm), default=0)
    out: list[str] = []
    it = iter(bodies)
    for r in rows:
        if isinstance(r, str):
            out.append(r)
            continue
        b = next(it)
        out.append(f"{b.ljust(comment_col)}  {r[2]}" if r[2] else b)
    return out


# -- the JSON report ------------------------------------------------------------

JSON_VERSION = 1


def to_json(outcomes: Sequence[Outcome], file_errors: Sequence[UserError] = ()
            ) -> dict[str, object]:
    """The ``--json`` report (schema version ``JSON_VERSION``; see the README)."""
    summary = summarise(outcomes, len(file_errors))
    return {
        "version": JSON_VERSION,
        "summary": {
            "total": len(outcomes),
            "passed": summary.passed,
            "failed": summary.failed,
            "errors": summary.errors,
            "missing": summary.missing,
        },
        "results": [
            {
                "test": o.test,
                "path": o.path,
                "directory": o.directory,
                "model": o.model,
                "expected": o.expected,
                "got": o.got,
                "status": o.status,
                "time_ms": round(o.time * 1000, 3),
                "witness": o.witness,
                "condition": o.condition,
                "message": o.message,
                "flags": list(o.flags),
                "expected_from": o.expected_from,
                **({"fix": o.fix} if o.fix is not None else {}),
            }
            for o in outcomes
        ],
        "expectation_errors": [
            {
                "path": e.path,
                "line": e.span.line if e.span else None,
                "col": e.span.col if e.span else None,
                "message": e.message,
            }
            for e in file_errors
        ],
    }
