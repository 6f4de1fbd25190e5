"""Compare mmcheck with herd7's recorded outputs (``X.litmus`` beside ``X.litmus.expected``).

Agreement is judged per test on the verdict (the ``Observation`` kind), the set of
final states (each a set of ``name=value`` entries), the Positive/Negative counts
and the ``Flag`` lines (the model's flags raised).  ``python -m mmcheck.conformance
DIR...`` prints a summary per directory and every disagreement; ``--json`` writes
the details.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mmcheck.check import Options, check, resolve_model
from mmcheck.errors import UserError
from mmcheck.execution import Result
from mmcheck.litmus.dialects import dialect_for
from mmcheck.litmus.parse import parse_file


@dataclass(frozen=True)
class HerdOutput:
    name: str
    states: frozenset[frozenset[str]]
    observation: str
    positive: int
    negative: int
    ok: bool
    flags: frozenset[str] = frozenset()


def parse_expected(text: str) -> HerdOutput:
    lines = text.splitlines()
    states: set[frozenset[str]] = set()
    name = ""
    obs = ""
    pos = neg = 0
    ok = False
    flags: set[str] = set()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("Test "):
            name = line.split()[1]
        elif line.startswith("States "):
            k = int(line.split()[1])
            for j in range(k):
                states.add(_entries(lines[i + 1 + j]))
            i += k
        elif line in ("Ok", "No") or line.startswith("Loop "):
            ok = line.split()[-1] == "Ok"
        elif line.startswith("Flag "):
            flags.add(line.split()[1])
        elif line.startswith("Observation "):
            parts = line.split()
            obs, pos, neg = parts[2], int(parts[3]), int(parts[4])
        i += 1
    return HerdOutput(name, frozenset(states), obs, pos, neg, ok, frozenset(flags))


def _entries(line: str) -> frozenset[str]:
    return frozenset(re.sub(r"\s+", "", e) for e in line.split(";") if e.strip())


def result_states(result: Result) -> frozenset[frozenset[str]]:
    return frozenset(frozenset(f"{loc}={v}" for loc, v in s) for s in result.states)


@dataclass
class Outcome:
    path: str
    status: str  # agree | disagree | unsupported | error | incomplete
    verdict: bool = False
    states: bool = False
    counts: bool = False
    detail: str = ""
    time: float = 0.0
    flags: bool = False


@dataclass
class DirSummary:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, attr: str) -> int:
        return sum(1 for o in self.outcomes if getattr(o, attr))


def compare(path: Path, model: str | None, timeout: float | None) -> Outcome:
    expected_path = Path(str(path) + ".expected")
    expected = parse_expected(expected_path.read_text())
    start = time.perf_counter()
    try:
        test = parse_file(path)
        result = check(test, resolve_model(test, model), Options(timeout=timeout))
    except UserError as err:
        return Outcome(str(path), "error", detail=err.render().splitlines()[0])
    elapsed = time.perf_counter() - start
    if result.unsupported is not None:
        return Outcome(str(path), "unsupported", detail=result.unsupported, time=elapsed)
    if result.incomplete is not None:
        return Outcome(str(path), "incomplete", detail=result.incomplete, time=elapsed)
    verdict = result.observation == expected.observation
    states = result_states(result) == expected.states
    counts = (result.positive, result.negative) == (expected.positive, expected.negative)
    flags = frozenset(result.flags) == expected.flags
    detail = ""
    if not (verdict and states and counts and flags):
        got = result_states(result)
        missing = [";".join(sorted(s)) for s in expected.states - got]
        extra = [";".join(sorted(s)) for s in got - expected.states]
        detail = (
            f"herd {expected.observation} {expected.positive} {expected.negative}, "
            f"mmcheck {result.observation} {result.positive} {result.negative}"
        )
        if missing:
            detail += f"; missing states {missing[:3]}"
        if extra:
            detail += f"; extra states {extra[:3]}"
        if not flags:
            detail += (f"; flags herd {sorted(expected.flags)}, "
                       f"mmcheck {sorted(result.flags)}")
    status = "agree" if verdict and states and counts and flags else "disagree"
    return Outcome(str(path), status, verdict, states, counts, detail, elapsed, flags)


def supported_dir(d: Path) -> bool:
    for f in sorted(d.glob("*.litmus"))[:5]:
        head = f.read_text(errors="replace").split(None, 1)
        if head and dialect_for(head[0]) is not None:
            return True
    return False


def run(dirs: list[Path], model: str | None, timeout: float | None, quiet: bool
        ) -> list[DirSummary]:
    out = []
    for d in dirs:
        summary = DirSummary(d.name)
        for f in sorted(d.glob("*.litmus")):
            if not Path(str(f) + ".expected").exists():
                continue
            summary.outcomes.append(compare(f, model, timeout))
        out.append(summary)
        print_summary(summary, quiet)
    return out


def print_summary(s: DirSummary, quiet: bool) -> None:
    n = len(s.outcomes)
    agree = sum(1 for o in s.outcomes if o.status == "agree")
    uns = sum(1 for o in s.outcomes if o.status == "unsupported")
    err = sum(1 for o in s.outcomes if o.status in ("error", "incomplete"))
    t = sum(o.time for o in s.outcomes)
    print(
        f"{s.name:22s} tests {n:5d}  agree {agree:5d}  verdict {s.count('verdict'):5d}  "
        f"states {s.count('states'):5d}  counts {s.count('counts'):5d}  "
        f"flags {s.count('flags'):5d}  unsupported {uns:4d}  "
        f"errors {err:3d}  {1000 * t / max(n, 1):7.2f} ms/test"
    )
    if quiet:
        return
    for o in s.outcomes:
        if o.status != "agree":
            print(f"  {o.status:11s} {o.path}: {o.detail}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m mmcheck.conformance", description=__doc__)
    ap.add_argument("dirs", nargs="+", type=Path)
    ap.add_argument("--model", default=None)
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--quiet", action="store_true", help="summaries only")
    ap.add_argument("--json", type=Path, default=None, help="write every outcome here")
    args = ap.parse_args(argv)
    dirs = [d for d in args.dirs if d.is_dir() and supported_dir(d)]
    summaries = run(dirs, args.model, args.timeout, args.quiet)
    if args.json:
        args.json.write_text(json.dumps(
            {s.name: [o.__dict__ for o in s.outcomes] for s in summaries}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
