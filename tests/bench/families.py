"""Litmus families whose candidate count explodes while consistent executions stay few.

- 2+2W-n: P0 stores 1..n to x then n+1 to y; P1 stores 1..n to y then n+1 to x;
  ``exists ([x]=n /\\ [y]=n)``.
- CoStorm-k (AArch64): k threads on x; thread i stores 2i+1 then 2i+2, then loads x
  twice; the condition names each thread's first load: its own last write, or
  (``cyclic``) the next thread's, which needs a cyclic coherence order.
- Storm-n (AArch64): two threads each store 1..n to x then 17 to y;
  ``exists ([x]=16 /\\ [y]=16)`` (nothing writes 16 to y).
- SB-k: a ring of k threads; thread i stores 1 to x_i then loads x_(i+1 mod k);
  ``exists`` every load read 0.
- RCU-chain-k-g (C, LKMM): a ring of k threads in the style of the kernel's
  ``C-RW-G+RW-R+...`` tests; thread i reads x_i then writes x_(i+1 mod k); g of them
  (spread round the ring) are grace-period threads with ``synchronize_rcu()`` between
  the two accesses, the others readers with both accesses in one ``rcu_read_lock()``
  section.  ``exists`` every read saw 1: forbidden when g is at least the number of
  readers (the RCU guarantee), allowed otherwise.
"""

from __future__ import annotations


def _table(arch: str, columns: list[list[str]]) -> str:
    rows = max(len(c) for c in columns)
    widths = [max([len(f"P{i}")] + [len(s) for s in c]) for i, c in enumerate(columns)]
    lines = [" " + " | ".join(f"P{i}".ljust(widths[i]) for i in range(len(columns))) + " ;"]
    for r in range(rows):
        cells = [(c[r] if r < len(c) else "").ljust(widths[i]) for i, c in enumerate(columns)]
        lines.append(" " + " | ".join(cells) + " ;")
    return "\n".join(lines)


def two_plus_two_w(n: int, arch: str) -> str:
    name = f"2+2W-{n}"
    cols: list[list[str]] = []
    if arch == "X86":
        for a, b in (("x", "y"), ("y", "x")):
            cols.append([f"MOV [{a}],${v}" for v in range(1, n + 1)] + [f"MOV [{b}],${n + 1}"])
        init = "{ }"
    else:
        init = "{ 0:X1=x; 0:X2=y; 1:X1=y; 1:X2=x; }"
        for _ in range(2):
            col = []
            for v in range(1, n + 1):
                col += [f"MOV W0,#{v}", "STR W0,[X1]"]
            col += [f"MOV W0,#{n + 1}", "STR W0,[X2]"]
            cols.append(col)
    return f"{arch} {name}\n{init}\n{_table(arch, cols)}\nexists ([x]={n} /\\ [y]={n})\n"


def costorm(k: int, cyclic: bool = False) -> str:
    init = "{ " + " ".join(f"{i}:X1=x;" for i in range(k)) + " }"
    cols = []
    for i in range(k):
        cols.append([
            f"MOV W0,#{2 * i + 1}", "STR W0,[X1]", f"MOV W0,#{2 * i + 2}", "STR W0,[X1]",
            "LDR W2,[X1]", "LDR W3,[X1]",
        ])
    reads = [(i + 1) % k if cyclic else i for i in range(k)]
    cond = " /\\ ".join(f"{i}:X2={2 * j + 2}" for i, j in enumerate(reads))
    name = f"CoStorm{'+cyclic' if cyclic else ''}-{k}"
    return f"AArch64 {name}\n{init}\n{_table('AArch64', cols)}\nexists ({cond})\n"


def sb_ring(k: int, arch: str) -> str:
    cols = []
    if arch == "X86":
        init = "{ }"
        for i in range(k):
            cols.append([f"MOV [x{i}],$1", f"MOV EAX,[x{(i + 1) % k}]"])
        cond = " /\\ ".join(f"{i}:EAX=0" for i in range(k))
    else:
        init = "{ " + " ".join(f"{i}:X1=x{i}; {i}:X3=x{(i + 1) % k};" for i in range(k)) + " }"
        for _ in range(k):
            cols.append(["MOV W0,#1", "STR W0,[X1]", "LDR W2,[X3]"])
        cond = " /\\ ".join(f"{i}:X2=0" for i in range(k))
    return f"{arch} SB-{k}\n{init}\n{_table(arch, cols)}\nexists ({cond})\n"


def rcu_chain(k: int, gps: int) -> str:
    """The RCU ring of ``k`` threads, ``gps`` of them grace periods (see the module doc)."""
    grace = {round(j * k / gps) for j in range(gps)} if gps else set()
    kinds = "".join("G" if i in grace else "R" for i in range(k))
    name = f"RCU-chain-{k}-{len(grace)}"
    threads = []
    for i in range(k):
        a, b = f"x{i}", f"x{(i + 1) % k}"
        if kinds[i] == "G":
            body = [f"r0 = READ_ONCE(*{a});", "synchronize_rcu();", f"WRITE_ONCE(*{b}, 1);"]
        else:
            body = ["rcu_read_lock();", f"r0 = READ_ONCE(*{a});", f"WRITE_ONCE(*{b}, 1);",
                    "rcu_read_unlock();"]
        params = ", ".join(f"int *{v}" for v in sorted({a, b}))
        threads.append(f"P{i}({params})\n{{\n\tint r0;\n\n\t" + "\n\t".join(body) + "\n}\n")
    cond = " /\\ ".join(f"{i}:r0=1" for i in range(k))
    return (f"C {name}\n\n(* {kinds}: G synchronize_rcu(), R a read-side critical section *)\n\n"
            "{}\n\n" + "\n".join(threads) + f"\nexists ({cond})\n")


def write_storm(n: int) -> str:
    init = "{ 0:X1=x; 0:X2=y; 1:X1=x; 1:X2=y; }"
    cols = []
    for _ in range(2):
        col = []
        for v in range(1, n + 1):
            col += [f"MOV W0,#{v}", "STR W0,[X1]"]
        col += ["MOV W0,#17", "STR W0,[X2]"]
        cols.append(col)
    return f"AArch64 Storm-{n}\n{init}\n{_table('AArch64', cols)}\nexists ([x]=16 /\\ [y]=16)\n"


def nested_locks(k: int) -> str:
    """``k`` threads in one inner critical section, all but the first inside an outer
    one too: each raises its flag, reads the others', and lowers it (Never)."""
    threads = []
    for i in range(k):
        body = ["spin_lock(inner);", f"WRITE_ONCE(*busy{i}, 1);"]
        body += [f"r{j} = READ_ONCE(*busy{j});" for j in range(k) if j != i]
        body += [f"WRITE_ONCE(*busy{i}, 0);", "spin_unlock(inner);"]
        if i > 0:
            body = ["spin_lock(outer);", *body, "spin_unlock(outer);"]
        params = ", ".join(["spinlock_t *outer", "spinlock_t *inner",
                            *(f"int *busy{j}" for j in range(k))])
        regs = " ".join(f"int r{j};" for j in range(k) if j != i)
        threads.append(f"P{i}({params})\n{{\n\t{regs}\n\n\t" + "\n\t".join(body)
                       + "\n}\n")
    cond = " \\/ ".join(f"{i}:r{j}=1" for i in range(k) for j in range(k) if j != i)
    return f"C nested-locks-{k}\n\n{{}}\n\n" + "\n".join(threads) + f"\nexists ({cond})\n"
