"""The pipeline: a parsed test and a model in, a Result out.  Prints nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

from mmcheck import TYPE_CHECKING, thin_air
from mmcheck.combinations import locations_of, value_sets
from mmcheck.enumerate import Leaf, Limits, explore, final_state, observed_locations
from mmcheck.errors import Incomplete, Span, Unsupported, UserError
from mmcheck.events import Trace
from mmcheck.execution import Execution, Result, Stats, value_key
from mmcheck.litmus.ast import Litmus, Loc, Value, eval_prop, prop_atoms
from mmcheck.litmus.dialects import dialect_for
from mmcheck.models import get_model
from mmcheck.models.dsl import Check, Model
from mmcheck.record import Record
from mmcheck.semantics.runner import Program

if TYPE_CHECKING:
    from typing import Any


class Options(Record):
    __slots__ = (
        "timeout", "max_executions", "witnesses", "rejected", "progress", "verdict",
        "target",
    )

    timeout: float | None
    max_executions: int | None
    witnesses: int  # how many consistent executions to keep (0: none)
    rejected: int  # how many rejected candidates satisfying the condition to keep
    progress: Callable[[Stats], None] | None  # called now and then on long searches
    verdict: bool  # search for the verdict only (mmcheck.verdict), counts not computed
    target: Any  # how a C test is compiled for x86tso/armv8 (mmcheck.compile.Options)

    def __init__(
        self,
        timeout: float | None = None,
        max_executions: int | None = None,
        witnesses: int = 0,
        rejected: int = 0,
        progress: Callable[[Stats], None] | None = None,
        verdict: bool = False,
        target: Any = None,
    ) -> None:
        self.timeout = timeout
        self.max_executions = max_executions
        self.witnesses = witnesses
        self.rejected = rejected
        self.progress = progress
        self.verdict = verdict
        self.target = target


def default_model(test: Litmus) -> str:
    d = dialect_for(test.arch)
    assert d is not None
    return d.default_model


def resolve_model(test: Litmus, name: str | None) -> Model:
    """The model to run, checking that it fits the test's architecture."""
    model_name = name or default_model(test)
    if name is not None:
        from mmcheck.cat.paths import is_model_path

        if is_model_path(name):
            from mmcheck.cat.loader import model_for_test

            return model_for_test(name, test)
    model = get_model(model_name)
    if model is None:
        raise UserError(f"unknown model {model_name!r} (known: sc, x86tso, armv8, lkmm, or a "
                        ".cat or .cfg file)", None, test.path)
    if test.arch not in model.arches and not compiles_to(test, model_name):
        d = dialect_for(test.arch)
        fits = ", ".join(sorted(d.models if d is not None else {"sc", default_model(test)}))
        article = "an" if test.arch[0] in "AEIOUX" else "a"
        raise UserError(
            f"model {model_name!r} does not fit {article} {test.arch} test (use one of: {fits})",
            _header_span(test),
            test.path,
        )
    return model


def compiles_to(test: Litmus, model: str) -> bool:
    """A C test runs under a hardware model by being compiled for it (mmcheck.compile)."""
    if test.arch != "C":  # an assembly test never loads the compiler
        return False
    from mmcheck.compile import MODEL_ARCH

    return model in MODEL_ARCH


def _header_span(test: Litmus) -> Span | None:
    """Where the test names its architecture: the first non-blank line."""
    for number, line in enumerate(test.source.splitlines(), start=1):
        if line.strip():
            col = len(line) - len(line.lstrip()) + 1
            return Span(number, col, line, len(test.arch))
    return None


def compile_programs(test: Litmus) -> list[Program]:
    d = dialect_for(test.arch)
    assert d is not None
    return [d.compile(test, i, cells) for i, cells in enumerate(test.threads)]


PREPARED_KEPT = 4
_PREPARED: list[tuple[Litmus, list[Program], list[list[Trace]]]] = []


def prepare(test: Litmus) -> tuple[list[Program], list[list[Trace]]]:
    """The threads' programs and traces, which do not depend on the model: kept for the
    last few tests, since a test is usually checked under several models in a row (and a
    C test under x86tso or armv8 is checked as the assembly test it compiles to, in
    between)."""
    for t, programs, traces in _PREPARED:
        if t is test:
            return programs, traces
    programs = compile_programs(test)
    _, traces = value_sets(programs, locations_of(test))
    for program, ts in zip(programs, traces, strict=True):
        bad = program.__dict__.get("bad_access")
        if not ts and bad is not None:
            # herd7 rejects such a test ("non-symbolic memory access"), rather than
            # print an outcome of no executions.
            value, span = bad
            raise UserError(f"every execution of P{program.thread} accesses memory through "
                            f"the value {value}, which is not a location", span)
    _PREPARED[:] = [(test, programs, traces), *_PREPARED[:PREPARED_KEPT - 1]]
    return programs, traces


def check(test: Litmus, model: Model | str | None = None, options: Options | None = None
          ) -> Result:
    """Every execution of ``test`` that ``model`` allows, summarised as a Result.

    Raises UserError for a malformed test; an unsupported feature or a search cut
    short by a limit is reported in the Result, never guessed.
    """
    opts = options or Options()
    m = model if isinstance(model, Model) else resolve_model(test, model)
    start = time.perf_counter()
    stats = Stats()
    base = dict(name=test.name, path=test.path, arch=test.arch, model=m.name,
                condition=test.condition)
    if test.unsupported is not None:
        return Result(**base, unsupported=test.unsupported, stats=stats)  # type: ignore[arg-type]
    model_unsupported = getattr(m, "unsupported", None)  # a cat model's, for this test
    if model_unsupported is not None:
        return Result(**base, unsupported=model_unsupported, stats=stats)  # type: ignore[arg-type]
    if compiles_to(test, m.name):
        from mmcheck.compile import compiled

        try:
            asm = compiled(test, m.name, opts.target)
        except Unsupported as exc:
            return Result(**base, unsupported=_reason(exc), stats=stats)  # type: ignore[arg-type]
        return check(asm, m, opts)
    try:
        programs, traces = prepare(test)
    except UserError as err:
        raise (err if err.path else err.with_path(test.path)) from None
    except Unsupported as exc:
        return Result(**base, unsupported=_reason(exc), stats=stats)  # type: ignore[arg-type]

    # A test where a value could flow back into the read it came from is searched in
    # full, each execution looked at (``mmcheck.thin_air``), unless the model forbids it.
    thin = not m.no_thin_air and thin_air.possible(traces)
    if opts.verdict and not thin:
        return _check_verdict(test, programs, traces, m, opts, base, start)
    observed = observed_locations(test)
    filter_locs: list[Loc] = []
    if test.filter is not None:
        filter_locs = sorted({a.loc for a in prop_atoms(test.filter)}, key=str)
    watched = [*observed, *filter_locs]
    counts: dict[tuple[tuple[Loc, Value], ...], list[int]] = {}
    witnesses: list[Execution] = []
    rejected_list: list[Execution] = []
    flags: set[str] = set()
    limits = Limits(opts.timeout, opts.max_executions, opts.progress)
    if opts.timeout:
        limits.deadline = time.monotonic() + opts.timeout

    def on_leaf(leaf: Leaf) -> None:
        if test.filter is not None:
            fstate = dict(final_state(test, leaf, filter_locs))
            if not eval_prop(test.filter, fstate):
                return
        if thin:
            thin_air.check_leaf(leaf, watched)
        flags.update(leaf.flags(frozenset(flags)))
        state = final_state(test, leaf, observed)
        sat = eval_prop(test.condition.prop, dict(state))
        entry = counts.setdefault(state, [0, 0])
        entry[0 if sat else 1] += 1
        if opts.witnesses and len(witnesses) < opts.witnesses and (sat or not witnesses):
            witnesses.append(_execution(leaf, state, sat))

    def on_rejected(leaf: Leaf, failed: Check, wit: list[int]) -> None:
        if len(rejected_list) >= opts.rejected:
            return
        state = final_state(test, leaf, observed)
        sat = eval_prop(test.condition.prop, dict(state))
        if sat:
            rejected_list.append(_execution(leaf, state, sat, failed, wit))

    try:
        explore(test, programs, m, stats=stats, limits=limits, on_leaf=on_leaf, traces=traces)
        if opts.rejected:
            explore(test, programs, m, stats=Stats(), limits=limits,
                    on_leaf=lambda leaf: None, rejected=on_rejected, traces=traces)
    except UserError as err:
        raise (err if err.path else err.with_path(test.path)) from None
    except Unsupported as exc:
        return Result(**base, unsupported=_reason(exc), stats=stats,  # type: ignore[arg-type]
                      time=time.perf_counter() - start)
    except Incomplete as exc:
        return Result(**base, incomplete=str(exc), stats=stats,  # type: ignore[arg-type]
                      time=time.perf_counter() - start)
    positive = sum(c[0] for c in counts.values())
    negative = sum(c[1] for c in counts.values())
    states = tuple(sorted(counts, key=lambda s: tuple(value_key(v) for _, v in s)))
    return Result(
        **base,  # type: ignore[arg-type]
        states=states,
        positive=positive,
        negative=negative,
        witnesses=tuple(witnesses),
        rejected=tuple(rejected_list),
        stats=stats,
        time=time.perf_counter() - start,
        loop=any(p.cut for p in programs),
        flags=tuple(sorted(flags)),
    )


def _check_verdict(test: Litmus, programs: list[Program], traces: list[list[Trace]],
                   m: Model, opts: Options, base: dict[str, object], start: float) -> Result:
    """The verdict by a directed search (``mmcheck.verdict``): whether some consistent
    execution satisfies the proposition and, for ``forall``, whether one falsifies it.

    ``positive``/``negative`` count the executions found (at most one each) and
    ``states`` their final states; ``exact`` is False.
    """
    from mmcheck.litmus.ast import Not
    from mmcheck.verdict import search

    stats = Stats()
    limits = Limits(opts.timeout, opts.max_executions, opts.progress)
    if opts.timeout:
        limits.deadline = time.monotonic() + opts.timeout
    prop = test.condition.prop
    found: list[tuple[bool, tuple[tuple[Loc, Value], ...], Leaf]] = []
    try:
        hit = search(test, programs, m, prop, stats=stats, limits=limits, traces=traces)
        if hit is not None:
            found.append((True, hit[1], hit[0]))
        if test.condition.quantifier == "forall":
            miss = search(test, programs, m, Not(prop), stats=stats, limits=limits,
                          traces=traces)
            if miss is not None:
                found.append((False, miss[1], miss[0]))
    except UserError as err:
        raise (err if err.path else err.with_path(test.path)) from None
    except Unsupported as exc:
        return Result(**base, unsupported=_reason(exc), stats=stats,  # type: ignore[arg-type]
                      time=time.perf_counter() - start)
    except Incomplete as exc:
        return Result(**base, incomplete=str(exc), stats=stats,  # type: ignore[arg-type]
                      time=time.perf_counter() - start)
    states = tuple(sorted({s for _, s, _ in found},
                          key=lambda s: tuple(value_key(v) for _, v in s)))
    witnesses = tuple(_execution(leaf, state, sat) for sat, state, leaf in found)
    return Result(
        **base,  # type: ignore[arg-type]
        states=states,
        positive=sum(1 for sat, _, _ in found if sat),
        negative=sum(1 for sat, _, _ in found if not sat),
        witnesses=witnesses[:opts.witnesses] if opts.witnesses else (),
        stats=stats,
        time=time.perf_counter() - start,
        loop=any(p.cut for p in programs),
        exact=False,
    )


def _reason(exc: Unsupported) -> str:
    if exc.span is not None:
        return f"{exc.message} (line {exc.span.line}, column {exc.span.col})"
    return exc.message


def _execution(
    leaf: Leaf,
    state: tuple[tuple[Loc, Value], ...],
    sat: bool,
    failed: Check | None = None,
    cycle: list[int] | None = None,
) -> Execution:
    combo, orders, rf_of = leaf.combo, leaf.orders, leaf.rf_of
    co: list[tuple[int, int]] = []
    for o in orders:
        for i in range(len(o)):
            for j in range(i + 1, len(o)):
                co.append((o[i], o[j]))
    rf = sorted((w, r) for r, w in rf_of.items())
    evs = combo.events_for(rf_of)
    return Execution(
        events=tuple(evs),
        po=tuple(combo.static("po").pairs()),
        rf=tuple(rf),
        co=tuple(co),
        rmw=tuple(combo.static("rmw").pairs()),
        addr=tuple(combo.static("addr").pairs()),
        data=tuple(combo.static("data").pairs()),
        ctrl=tuple(combo.static("ctrl").pairs()),
        state=state,
        satisfies=sat,
        consistent=failed is None,
        failed_check=failed.name if failed else None,
        cycle=tuple(cycle) if cycle else None,
        pick_addr=tuple(combo.static("pick-addr").pairs()),
        pick_data=tuple(combo.static("pick-data").pairs()),
        pick_ctrl=tuple(combo.static("pick-ctrl").pairs()),
    )

