"""Run mmcheck (and, when given, herd7) on a directory of litmus tests; compare and time.

    python tests/bench/compare_herd.py DIR [--herd PATH] [--repeat R] [--herd-mode batch|per-test]

mmcheck runs as one ``mmcheck run --format json DIR`` process.  herd7 runs only when
``--herd PATH`` (or the HERD7 environment variable) names a binary: by default as one
process over all the tests (``--herd-mode batch``), or one process per test.  Both tools
are timed in the same conditions: with ``--repeat R`` they run R times each, alternating
which goes first, and the figures are the minimum over the repetitions (the median is
printed too).  Wall seconds are measured around each process; CPU seconds (user + sys
of the child) are printed beside them, which a loaded machine disturbs less.

For every test the Observation line (kind, positive and negative counts) of the two
tools is compared.  Printed: tests, agreement, each tool's total seconds, the
speed-up, the slowest 5 tests of each tool (mmcheck's ``time_ms``, herd7's ``Time``
line) and every disagreement.  Exit status 1 when a test disagrees or is missing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

Obs = tuple[str, int, int]


@dataclass
class Run:
    wall: float
    cpu: float
    obs: dict[str, Obs] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)  # per-test seconds
    notes: dict[str, str] = field(default_factory=dict)  # per-test non-ok status


def timed(cmd: list[str]) -> tuple[float, float, str, str]:
    """Wall seconds, child CPU seconds, stdout and stderr of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err)
        _, st, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(st)
        wall = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        return (wall, usage.ru_utime + usage.ru_stime,
                out.read().decode(errors="replace"), err.read().decode(errors="replace"))


def run_mmcheck(mmcheck: list[str], tests: list[Path], root: Path,
                timeout: float | None) -> Run:
    cmd = mmcheck + ["run", "--format", "json"]
    if timeout:
        cmd += ["--timeout", str(timeout)]
    wall, cpu, out, err = timed(cmd + [str(root)])
    run = Run(wall, cpu)
    names = {t.stem for t in tests}
    for line in out.splitlines():
        try:
            d = json.loads(line)
        except json.JSONDecodeError:
            continue
        name = d.get("test") or Path(d.get("path", "")).stem
        if name not in names:
            continue
        run.times[name] = d.get("time_ms", 0.0) / 1000
        if d.get("status") != "ok":
            run.notes[name] = f"{d.get('status')}: {d.get('reason', '')}"
            continue
        run.obs[name] = (d["observation"], int(d["positive"]), int(d["negative"]))
    if not run.obs and err.strip():
        print(f"mmcheck failed:\n{err[-2000:]}", file=sys.stderr)
    return run


def parse_herd(out: str, run: Run) -> None:
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] == "Observation":
            run.obs[parts[1]] = (parts[2], int(parts[3]), int(parts[4]))
        elif len(parts) == 3 and parts[0] == "Time":
            try:
                run.times[parts[1]] = float(parts[2])
            except ValueError:
                pass


def herd_names(tests: list[Path]) -> dict[str, str]:
    """File stem -> the name on the test's first line (what herd7 prints)."""
    names = {}
    for t in tests:
        first = t.read_text().split("\n", 1)[0].split()
        names[t.stem] = first[1] if len(first) > 1 else t.stem
    return names


def run_herd(herd: str, cat: str, tests: list[Path], mode: str,
             timeout: float | None) -> Run:
    base = [herd, "-model", cat]
    if timeout:
        base += ["-timeout", str(timeout)]
    if mode == "batch":
        wall, cpu, out, err = timed(base + [str(t) for t in tests])
        run = Run(wall, cpu)
        parse_herd(out, run)
    else:
        run = Run(0.0, 0.0)
        for t in tests:
            wall, cpu, out, err = timed(base + [str(t)])
            run.wall += wall
            run.cpu += cpu
            parse_herd(out, run)
    # herd7 names tests by their first line; map them back to file stems.
    back = {v: k for k, v in herd_names(tests).items()}
    run.obs = {back.get(k, k): v for k, v in run.obs.items()}
    run.times = {back.get(k, k): v for k, v in run.times.items()}
    return run


def slowest(times: dict[str, float], n: int = 5) -> list[tuple[str, float]]:
    return sorted(times.items(), key=lambda kv: -kv[1])[:n]


def summary(label: str, runs: list[Run]) -> tuple[float, float]:
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    print(f"{label:8s} wall s: min {min(walls):8.2f}  median {statistics.median(walls):8.2f}"
          f"   cpu s: min {min(cpus):8.2f}  median {statistics.median(cpus):8.2f}"
          f"   ({len(runs)} run{'s' if len(runs) > 1 else ''})")
    return min(walls), min(cpus)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", type=Path, help="directory of .litmus tests")
    ap.add_argument("--herd", default=os.environ.get("HERD7"),
                    help="herd7 binary (default: $HERD7; without it only mmcheck runs)")
    ap.add_argument("--cat", default="aarch64.cat", help="herd7 -model (default aarch64.cat)")
    ap.add_argument("--herd-mode", choices=["batch", "per-test"], default="batch")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each tool, alternating")
    ap.add_argument("--timeout", type=float, default=None,
                    help="seconds per test for both tools (mmcheck --timeout, herd7 -timeout)")
    ap.add_argument("--mmcheck", default=None,
                    help="mmcheck command (default: this Python's -m mmcheck)")
    ap.add_argument("--json", type=Path, default=None, help="write per-test results here")
    args = ap.parse_args(argv)

    tests = sorted(args.dir.glob("*.litmus"))
    if not tests:
        print(f"no .litmus files in {args.dir}", file=sys.stderr)
        return 2
    mmcheck = args.mmcheck.split() if args.mmcheck else [sys.executable, "-m", "mmcheck"]

    mm_runs: list[Run] = []
    herd_runs: list[Run] = []
    for rep in range(max(1, args.repeat)):
        order = ["mm", "herd"] if rep % 2 == 0 else ["herd", "mm"]
        for tool in order:
            if tool == "mm":
                mm_runs.append(run_mmcheck(mmcheck, tests, args.dir, args.timeout))
            elif args.herd:
                herd_runs.append(run_herd(args.herd, args.cat, tests, args.herd_mode,
                                          args.timeout))

    names = [t.stem for t in tests]
    mm = mm_runs[-1]
    mm_times = {n: min(r.times.get(n, float("inf")) for r in mm_runs) for n in names}
    mm_times = {n: t for n, t in mm_times.items() if t != float("inf")}

    print(f"tests: {len(tests)} in {args.dir}")
    mm_wall, mm_cpu = summary("mmcheck", mm_runs)
    if mm.notes:
        print(f"mmcheck non-ok: {len(mm.notes)}")
        for n, why in sorted(mm.notes.items()):
            print(f"  {n}: {why}")
    print("mmcheck slowest 5 (time_ms):")
    for n, t in slowest(mm_times):
        print(f"  {n:32s} {t:8.3f} s")

    result: dict[str, object] = {"tests": len(tests), "mmcheck_wall": mm_wall,
                                 "mmcheck_cpu": mm_cpu, "mmcheck_times": mm_times,
                                 "mmcheck_obs": mm.obs}
    status = 0
    if herd_runs:
        herd = herd_runs[-1]
        herd_times = {n: min(r.times.get(n, float("inf")) for r in herd_runs) for n in names}
        herd_times = {n: t for n, t in herd_times.items() if t != float("inf")}
        herd_wall, herd_cpu = summary("herd7", herd_runs)
        print("herd7 slowest 5 (Time line):")
        for n, t in slowest(herd_times):
            print(f"  {n:32s} {t:8.3f} s")
        agree, differ, missing = [], [], []
        for n in names:
            a, b = mm.obs.get(n), herd.obs.get(n)
            if a is None or b is None:
                missing.append(n)
            elif a == b:
                agree.append(n)
            else:
                differ.append(n)
        print(f"agreement: {len(agree)}/{len(tests)}  (differ {len(differ)}, "
              f"missing {len(missing)})")
        for n in differ:
            h, m = herd.obs[n], mm.obs[n]
            print(f"  DIFFER {n}: herd7 Observation {n} {h[0]} {h[1]} {h[2]}  |  "
                  f"mmcheck Observation {n} {m[0]} {m[1]} {m[2]}")
        for n in missing:
            print(f"  MISSING {n}: herd7 {herd.obs.get(n)}  mmcheck {mm.obs.get(n)}"
                  f" {mm.notes.get(n, '')}")
        print(f"total seconds (wall, min over runs): mmcheck {mm_wall:.2f}  herd7 {herd_wall:.2f}"
              f"  speed-up {herd_wall / mm_wall:.1f}x")
        print(f"total seconds (cpu,  min over runs): mmcheck {mm_cpu:.2f}  herd7 {herd_cpu:.2f}"
              f"  speed-up {herd_cpu / mm_cpu:.1f}x")
        print(f"sum of per-test times: mmcheck {sum(mm_times.values()):.2f}  "
              f"herd7 {sum(herd_times.values()):.2f}")
        result.update(herd_wall=herd_wall, herd_cpu=herd_cpu, herd_times=herd_times,
                      herd_obs=herd.obs, agree=len(agree), differ=differ, missing=missing)
        status = 1 if differ or missing else 0
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, sort_keys=True))
    return status


if __name__ == "__main__":
    sys.exit(main())
