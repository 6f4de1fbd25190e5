"""``make bench``: how mmcheck's cost grows, and ms/test over the conformance corpora.

For each family (see families.py) n rises until one test takes over 10 s (or a cap);
each row runs one whole ``mmcheck run`` process and reports consistent executions,
search nodes, wall seconds, microseconds of search per consistent execution and the
process's peak memory.  Then one ``mmcheck run`` over each conformance directory,
the median of three runs, in ms/test.
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
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import families  # noqa: E402

# mmcheck run in a fresh interpreter (isolated: the installed package, not the source
# tree), which reports its own peak memory: VmHWM starts afresh at exec, whereas
# ru_maxrss would inherit this process's size at fork.
_WRAPPER = """
import os, sys
sys.argv[0] = "mmcheck"
try:
    from mmcheck.cli import main
    main()
finally:
    try:
        with open("/proc/self/status") as f:
            hwm = next((ln.split()[1] for ln in f if ln.startswith("VmHWM:")), "0")
    except OSError:
        hwm = "0"
    with open(os.environ["MMCHECK_BENCH_PEAK"], "w") as f:
        f.write(hwm)
"""
MMCHECK = [sys.executable, "-I", "-c", _WRAPPER]


def run_process(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KiB, and stdout of one mmcheck process."""
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as peak:
        env = dict(os.environ, MMCHECK_BENCH_PEAK=peak.name)
        start = time.perf_counter()
        subprocess.run(MMCHECK + args, stdout=out, stderr=subprocess.DEVNULL, env=env,
                       check=False)
        wall = time.perf_counter() - start
        out.seek(0)
        text = peak.read().strip()
        return wall, int(text) if text.isdigit() else 0, out.read().decode()


def family_rows(name: str, make: Callable[[int], str], ns: list[int], limit: float,
                timeout: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for n in ns:
            path = Path(tmp) / f"{name}-{n}.litmus"
            path.write_text(make(n))
            wall, rss, out = run_process(
                ["run", "--format", "json", "--timeout", str(timeout), str(path)]
            )
            try:
                d = json.loads(out.splitlines()[0])
            except (IndexError, json.JSONDecodeError):
                print(f"{name:18s} {n:3d}  (no result)")
                break
            if d.get("status") != "ok":
                print(f"{name:18s} {n:3d}  {d.get('status')}: {d.get('reason')}  {wall:8.2f} s")
                break
            st = d["stats"]
            cons = st["consistent"]
            us = 1000 * d["time_ms"] / max(cons, 1)
            print(
                f"{name:18s} {n:3d} {d['observation']:9s} {d['positive']:>6d}/{d['negative']:<7d}"
                f" {cons:9d} {st['nodes']:9d} {wall:8.2f} {us:10.1f} {rss / 1024:8.1f}"
            )
            if wall > limit:
                break


def corpus_rows(shared: Path, repeat: int) -> None:
    dirs = ["x86-catalogue", "x86_64-catalogue", "x86-diy", "aarch64-catalogue", "aarch64-diy",
            "c-lkmm"]
    print()
    print(f"{'corpus':22s} {'tests':>6s} {'ms/test (median of ' + str(repeat) + ')':>24s}")
    for d in dirs:
        path = shared / d
        if not path.is_dir():
            continue
        n = len(list(path.glob("*.litmus")))
        times = []
        for _ in range(repeat):
            wall, _, _ = run_process(["run", "--format", "json", str(path)])
            times.append(wall)
        print(f"{d:22s} {n:6d} {1000 * statistics.median(times) / n:24.2f}")
    for d, model in C_CORPORA:
        path = shared / d
        if not path.is_dir():
            continue
        n = len(list(path.glob("*.litmus")))
        times = []
        for _ in range(repeat):
            wall, _, _ = run_process(["run", "--format", "json", "--model", model, str(path)])
            times.append(wall)
        label = f"{d} ({model})"
        print(f"{label:22s} {n:6d} {1000 * statistics.median(times) / n:24.2f}")


# C corpora and the model each is timed under (C tests need the model named until the
# default, lkmm, is built in).
C_CORPORA = [("c-lkmm", "sc")]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared/conformance"))
    ap.add_argument("--limit", type=float, default=10.0, help="stop a family past this (s)")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-corpus", action="store_true")
    args = ap.parse_args()
    print(
        f"{'family':18s} {'n':>3s} {'observ.':9s} {'pos/neg':>14s} {'consistent':>9s}"
        f" {'nodes':>9s} {'wall s':>8s} {'us/cons.':>10s} {'peak MB':>8s}"
    )
    sizes = [2, 3, 4, 5, 6, 7, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64]
    fams: list[tuple[str, Callable[[int], str], list[int]]] = [
        ("2+2W X86", lambda n: families.two_plus_two_w(n, "X86"), sizes),
        ("2+2W AArch64", lambda n: families.two_plus_two_w(n, "AArch64"), sizes),
        ("SB ring X86", lambda n: families.sb_ring(n, "X86"), list(range(2, 21))),
        ("SB ring AArch64", lambda n: families.sb_ring(n, "AArch64"), list(range(2, 21))),
        ("CoStorm AArch64", families.costorm, [1, 2, 3, 4]),
        # RCU rings (LKMM): at least as many grace periods as readers (forbidden), and
        # fewer grace periods than readers (allowed).
        ("RCU chain Never", lambda n: families.rcu_chain(n, (n + 1) // 2), list(range(2, 13))),
        ("RCU chain Sometimes", lambda n: families.rcu_chain(n, (n - 1) // 2),
         list(range(3, 13))),
    ]
    for name, make, ns in fams:
        family_rows(name, make, ns, args.limit, args.timeout)
    if not args.no_corpus:
        if args.shared.is_dir():
            corpus_rows(args.shared, args.repeat)
        else:
            print(f"\nno conformance corpus at {args.shared}: corpus timings skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
