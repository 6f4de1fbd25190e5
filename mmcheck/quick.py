"""The ``mmcheck`` entry point: a plain ``mmcheck run`` starts without click.

Importing click (and what it brings) costs more than checking a small test, and about a
fifth of a run over a directory of small tests.  A command line that is ``run`` with
files or directories and only the simple options below is run directly; any other
(another command, ``--help``, a mistake to report, ``--format table``) goes to the full
command line in ``mmcheck.cli``, which behaves the same.
"""

from __future__ import annotations

import os
import sys

MODELS = ("sc", "x86tso", "armv8", "lkmm")


def simple_run(argv: list[str]) -> dict[str, object] | None:
    """The arguments of a simple ``run`` command line, or None to use click."""
    if not argv or argv[0] != "run":
        return None
    opts: dict[str, object] = dict(models=None, fmt="herd", stats=False, timeout=None,
                                   max_executions=None, verdict=False)
    paths: list[str] = []
    args = iter(argv[1:])
    for a in args:
        if a in ("--model", "-m"):
            v = next(args, None)
            if v not in MODELS:
                return None
            opts["models"] = [v]
        elif a == "--format":
            v = next(args, None)
            if v not in ("herd", "json"):
                return None
            opts["fmt"] = v
        elif a == "--stats":
            opts["stats"] = True
        elif a == "--verdict-only":
            opts["verdict"] = True
        elif a == "--timeout":
            try:
                t = float(next(args, ""))
            except ValueError:
                return None
            if not t > 0 or t == float("inf"):
                return None
            opts["timeout"] = t
        elif a == "--max-executions":
            v = next(args, "")
            if not v.isdigit() or int(v) < 1:
                return None
            opts["max_executions"] = int(v)
        elif a.startswith("-") or not os.path.exists(a):
            return None
        else:
            paths.append(a)
    if not paths:
        return None
    opts["paths"] = tuple(paths)
    return opts


def tune_gc() -> None:
    """The collector, tuned for a checking process: the objects made so far (modules,
    classes, compiled patterns and models) live as long as the process, so it need not
    walk them again; and a check makes many small short-lived containers, so the young
    generation is collected less often (about 4% of a corpus run's CPU)."""
    import gc

    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def main() -> None:
    opts = simple_run(sys.argv[1:])
    if opts is None:
        from mmcheck.cli import main as full

        tune_gc()
        full()
        return
    from mmcheck.commands.run_cmd import EXIT_INTERNAL, run_paths

    tune_gc()

    try:
        code = run_paths(**opts)  # type: ignore[arg-type]
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
    except Exception:  # noqa: BLE001 - report our own bug, never a user's
        import traceback

        sys.stderr.write("mmcheck: internal error (this is a bug in mmcheck):\n")
        sys.stderr.write(traceback.format_exc() + "\n")
        sys.exit(EXIT_INTERNAL)
    sys.exit(code)


if __name__ == "__main__":
    main()
