"""RCU chains: load-buffering cycles through grace periods and read-side critical sections.

Each thread reads the location the previous one wrote and writes the next: a ``G`` thread
(``READ_ONCE``; ``synchronize_rcu()``; ``WRITE_ONCE``) or an ``R`` thread (the same two
accesses inside ``rcu_read_lock()``/``rcu_read_unlock()``).  The LKMM forbids the cycle
exactly when it has at least one grace period and no fewer grace periods than critical
sections (the "RCU guarantee"), which each test states in its ``Result:`` line.  herd7
7.57 needs tens of seconds on a dozen threads.

    python tests/bench/rcu_chains.py OUTDIR GRGRGRGRGRGR GGGGGRRRRRRR ...
"""

from __future__ import annotations

import sys
from pathlib import Path


def expected(kinds: str) -> str:
    """The LKMM's verdict on a chain: ``Never`` or ``Sometimes``."""
    g, r = kinds.count("G"), kinds.count("R")
    return "Never" if g >= 1 and g >= r else "Sometimes"


def chain(kinds: str) -> tuple[str, str]:
    """The name and text of the chain whose threads are ``kinds`` (a string of G and R)."""
    if not kinds or set(kinds) - {"G", "R"}:
        raise ValueError(f"a chain is a string of G and R, not {kinds!r}")
    n = len(kinds)
    name = "RCU-LB+" + "+".join("rw-g" if k == "G" else "rw-r" for k in kinds)
    out = [f"C {name}", "", "(*", f" * Result: {expected(kinds)}", " *",
           f" * A load-buffering cycle of {n} threads: {kinds.count('G')} grace periods,",
           f" * {kinds.count('R')} read-side critical sections.", " *)", "", "{}", ""]
    for i, k in enumerate(kinds):
        a, b = f"x{i}", f"x{(i + 1) % n}"
        out.append(f"P{i}(int *{a}, int *{b})" if a != b else f"P{i}(int *{a})")
        out += ["{", "\tint r0;", ""]
        if k == "G":
            out += [f"\tr0 = READ_ONCE(*{a});", "\tsynchronize_rcu();", f"\tWRITE_ONCE(*{b}, 1);"]
        else:
            out += ["\trcu_read_lock();", f"\tr0 = READ_ONCE(*{a});", f"\tWRITE_ONCE(*{b}, 1);",
                    "\trcu_read_unlock();"]
        out += ["}", ""]
    out.append("exists (" + " /\\ ".join(f"{i}:r0=1" for i in range(n)) + ")")
    return name, "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
        return 2
    out = Path(argv[0])
    out.mkdir(parents=True, exist_ok=True)
    for kinds in argv[1:]:
        name, text = chain(kinds)
        (out / f"{name}.litmus").write_text(text)
        print(out / f"{name}.litmus")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
