"""``make bench``: how mmcheck's cost grows, verdicts, and ms/test over the corpora.

For each family (see families.py) n rises until one test takes over 10 s (or a cap);
each row runs one whole ``mmcheck run`` process and reports consistent executions,
search nodes, wall seconds, microseconds of search per consistent execution and the
process's peak memory.  Then the verdict table: one ``mmcheck run --verdict-only``
process per case (best of --repeat), the verdict it must give, wall and CPU seconds;
and ``mmcheck check litmus/`` against ``--exact``.  Then one ``mmcheck run`` over each
conformance directory, the median of three runs, in ms/test; and, when ``HERD7`` names a
herd7 binary, the CPU time of mmcheck and herd7 side by side over each corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import families  # noqa: E402

# mmcheck in a fresh interpreter (isolated: the installed package, not the source
# tree), which reports its own peak memory: VmHWM starts afresh at exec, whereas
# ru_maxrss would inherit this process's size at fork.
_WRAPPER = """
import os, sys
sys.argv[0] = "mmcheck"
try:
    from mmcheck.quick import main  # the console script's entry point
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
LAST_CPU = 0.0


def cpu_of_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_process(args: list[str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in KiB, and stdout of one mmcheck process (its CPU
    seconds in ``LAST_CPU``)."""
    global LAST_CPU
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as peak:
        env = dict(os.environ, MMCHECK_BENCH_PEAK=peak.name)
        cpu = cpu_of_children()
        start = time.perf_counter()
        subprocess.run(MMCHECK + args, stdout=out, stderr=subprocess.DEVNULL, env=env,
                       check=False)
        wall = time.perf_counter() - start
        LAST_CPU = cpu_of_children() - cpu
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


# The verdict table: (name, text, model, the verdict it must give).
def verdict_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for k in (4, 5):
        cases.append((f"CoStorm-{k} own", families.costorm(k), "armv8", "Allowed"))
        cases.append((f"CoStorm-{k} cyclic", families.costorm(k, cyclic=True), "armv8",
                      "Forbidden"))
    for k in (12, 16, 20):
        cases.append((f"SB-{k} X86", families.sb_ring(k, "X86"), "x86tso", "Allowed"))
        cases.append((f"SB-{k} AArch64", families.sb_ring(k, "AArch64"), "armv8", "Allowed"))
        cases.append((f"SB-{k} X86 sc", families.sb_ring(k, "X86"), "sc", "Forbidden"))
    for n in (32, 64):
        cases.append((f"2+2W-{n} X86", families.two_plus_two_w(n, "X86"), "x86tso",
                      "Forbidden"))
        cases.append((f"2+2W-{n} AArch64", families.two_plus_two_w(n, "AArch64"), "armv8",
                      "Allowed"))
    for n in (8, 16):
        cases.append((f"Storm-{n}", families.write_storm(n), "armv8", "Forbidden"))
    return cases


def verdict_rows(repeat: int) -> None:
    """Each verdict by one whole ``mmcheck run --verdict-only`` process (best of repeat)."""
    print()
    print(f"{'verdict (run --verdict-only)':28s} {'model':7s} {'verdict':10s} {'correct':8s}"
          f" {'nodes':>7s} {'wall s':>7s} {'CPU s':>7s}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text, model, want in verdict_cases():
            path = Path(tmp) / (name.replace(" ", "_") + ".litmus")
            path.write_text(text)
            best, cpu, got, nodes = float("inf"), float("inf"), "?", 0
            for _ in range(repeat):
                wall, _, out = run_process(["run", "--verdict-only", "--format", "json",
                                            "--model", model, "--timeout", "60", str(path)])
                best, cpu = min(best, wall), min(cpu, LAST_CPU)
                try:
                    d = json.loads(out.splitlines()[0])
                    got, nodes = d.get("verdict", d.get("status")), d["stats"]["nodes"]
                except (IndexError, KeyError, json.JSONDecodeError):
                    got = "(no result)"
            print(f"{name:28s} {model:7s} {got:10s} {'yes' if got == want else 'NO':8s}"
                  f" {nodes:7d} {best:7.3f} {cpu:7.3f}")


def check_rows(repeat: int) -> None:
    """``mmcheck check litmus/`` against ``mmcheck check --exact litmus/`` (median)."""
    library = Path(__file__).resolve().parents[2] / "litmus"
    if not library.is_dir():
        return
    print()
    for extra in ([], ["--exact"]):
        times, cpus = [], []
        for _ in range(repeat):
            wall, _, _ = run_process(["check", "-q", *extra, str(library)])
            times.append(wall)
            cpus.append(LAST_CPU)
        label = " ".join(["mmcheck check", *extra, "litmus/"])
        print(f"{label:34s} wall {statistics.median(times):7.3f} s, CPU "
              f"{statistics.median(cpus):7.3f} s (medians of {repeat})")


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


# The corpora timed against herd7 (with HERD7 naming a herd7 binary): the model file herd7
# runs each with (None: its default for the architecture), and the directory it runs in.
HERD_CORPORA = [
    ("x86-catalogue", None), ("x86_64-catalogue", None), ("x86_64-instructions", None),
    ("x86-diy", None), ("aarch64-diy", None), ("c-lkmm", "lkmm/linux-kernel.cfg"),
]


def child_cpu(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
              ) -> float:
    """CPU seconds (user + system) of one process and the children it waited for."""
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=cwd, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime


def herd_rows(shared: Path, herd: str, repeat: int) -> None:
    """mmcheck and herd7 side by side: CPU seconds over each corpus in one process each
    (mmcheck with MMCHECK_JOBS=1), the best of ``repeat`` runs, alternating.  herd7
    runs in the model's directory, so every path it is given is absolute."""
    shared = shared.resolve()
    models = shared / "models"
    libdir = Path(herd).resolve().parents[3] / "herd" / "libdir"
    print()
    print(f"{'corpus vs herd7 (CPU s)':24s} {'tests':>6s} {'mmcheck':>8s} {'herd7':>8s}"
          f" {'ratio':>6s}")
    env = dict(os.environ, MMCHECK_JOBS="1", MMCHECK_BENCH_PEAK=os.devnull)
    for d, cfg in HERD_CORPORA:
        path = shared / d
        tests = sorted(str(t) for t in path.glob("*.litmus"))
        if not tests:
            continue
        herd_cmd = [herd]
        if libdir.is_dir():
            herd_cmd += ["-set-libdir", str(libdir)]
        cwd = None
        if cfg is not None:
            conf = models / cfg
            if not conf.is_file():
                continue
            cwd = conf.parent
            herd_cmd += ["-I", str(models / "herd-7.57"), "-conf", conf.name]
        mm, hd = float("inf"), float("inf")
        for _ in range(repeat):
            mm = min(mm, child_cpu(MMCHECK + ["run", str(path)], env=env))
            hd = min(hd, child_cpu(herd_cmd + tests, cwd=cwd))
        print(f"{d:24s} {len(tests):6d} {mm:8.2f} {hd:8.2f} {mm / max(hd, 1e-9):6.2f}")


def fix_rows(litmus: Path, repeat: int) -> None:
    """``mmcheck fix`` on every test of the project's library: seconds per test (the
    median of ``repeat`` searches, in this process: the interpreter's start is not
    counted), the slowest first."""
    from mmcheck.check import resolve_model
    from mmcheck.litmus.parse import parse_file
    from mmcheck.repair import find_repairs

    rows = []
    for path in sorted(litmus.rglob("*.litmus")):
        test = parse_file(path)
        model = resolve_model(test, None)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            fr = find_repairs(test, model)
            times.append(time.perf_counter() - start)
        rows.append((statistics.median(times), path, fr))
    rows.sort(key=lambda r: -r[0])
    print()
    print(f"{'mmcheck fix on litmus/':40s} {'verdict':9s} {'repairs':>7s} {'checks':>6s}"
          f" {'ms':>8s}")
    for t, path, fr in rows[:8]:
        print(f"{path.stem:40s} {fr.result.verdict:9s} {len(fr.repairs):7d} {fr.checks:6d}"
              f" {1000 * t:8.1f}")
    print(f"{len(rows)} tests: slowest {1000 * rows[0][0]:.1f} ms, median "
          f"{1000 * statistics.median(r[0] for r in rows):.1f} ms, total "
          f"{sum(r[0] for r in rows):.2f} s")


def cat_rows(shared: Path, repeat: int) -> None:
    """herd7's aarch64.cat and the kernel's linux-kernel.cfg through the cat interpreter,
    against the built-in armv8 and lkmm."""
    models = shared / "models"
    pairs = [
        ("aarch64-diy", "armv8", models / "herd-7.57" / "aarch64.cat"),
        ("c-lkmm", "lkmm", models / "lkmm" / "linux-kernel.cfg"),
    ]
    for corpus_name, builtin, cat in pairs:
        corpus = shared / corpus_name
        if not (cat.is_file() and corpus.is_dir()):
            print(f"\nno {cat} or {corpus}: cat model timings skipped")
            continue
        print()
        print(f"{corpus_name + ', model':22s} {'wall s (median of ' + str(repeat) + ')':>24s}")
        labels = ((builtin + " (built-in)", builtin), (cat.name, str(cat)))
        times: dict[str, list[float]] = {label: [] for label, _ in labels}
        for _ in range(repeat):  # interleaved, so that a busy machine hurts both alike
            for label, model in labels:
                wall, _, _ = run_process(["run", "--format", "json", "--model", model,
                                          str(corpus)])
                times[label].append(wall)
        medians = {label: statistics.median(ts) for label, ts in times.items()}
        for label, _ in labels:
            print(f"{label:22s} {medians[label]:24.2f}")
        ratio = medians[cat.name] / medians[builtin + " (built-in)"]
        print(f"{'ratio cat / built-in':22s} {ratio:24.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path("../shared/conformance"))
    ap.add_argument("--limit", type=float, default=10.0, help="stop a family past this (s)")
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-corpus", action="store_true")
    ap.add_argument("--no-families", action="store_true")
    ap.add_argument("--no-fix", action="store_true")
    ap.add_argument("--litmus", type=Path, default=Path(__file__).resolve().parents[2] / "litmus")
    args = ap.parse_args()
    if not args.no_fix and args.litmus.is_dir():
        fix_rows(args.litmus, args.repeat)
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
        ("RCU chain Never", lambda n: families.rcu_chain(n, (n + 1) // 2), list(range(2, 15))),
        ("RCU chain Sometimes", lambda n: families.rcu_chain(n, (n - 1) // 2),
         list(range(3, 15))),
        # Nested spinlocks (LKMM): lock operations are RMWs, and their coherence orders
        # are most of the search.
        ("nested locks", families.nested_locks, [2, 3, 4]),
    ]
    for name, make, ns in ([] if args.no_families else fams):
        family_rows(name, make, ns, args.limit, args.timeout)
    verdict_rows(args.repeat)
    check_rows(args.repeat)
    if not args.no_corpus:
        if args.shared.is_dir():
            corpus_rows(args.shared, args.repeat)
            cat_rows(args.shared, args.repeat)
            if os.environ.get("HERD7"):
                herd_rows(args.shared, os.environ["HERD7"], args.repeat)
        else:
            print(f"\nno conformance corpus at {args.shared}: corpus timings skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
