"""A rich table for people at a terminal."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from mmcheck.execution import Result


def results_table(results: Sequence[Result], stats: bool = False) -> Table:
    table = Table(title=None, show_lines=False)
    table.add_column("test")
    table.add_column("model")
    table.add_column("verdict")
    table.add_column("observation")
    table.add_column("states", justify="right")
    table.add_column("pos/neg", justify="right")
    if stats:
        table.add_column("nodes", justify="right")
        table.add_column("pruned", justify="right")
        table.add_column("consistent", justify="right")
    table.add_column("time", justify="right")
    for r in results:
        if r.unsupported is not None or r.incomplete is not None:
            reason = r.unsupported if r.unsupported is not None else r.incomplete
            row = [r.name, r.model, f"[yellow]{r.status}[/]", str(reason), "", ""]
            if stats:
                row += [str(r.stats.nodes), str(r.stats.pruned), str(r.stats.consistent)]
            row.append(f"{r.time * 1000:.1f} ms")
            table.add_row(*row)
            continue
        colour = "red" if r.verdict == "Allowed" else "green"
        row = [
            r.name,
            r.model,
            f"[{colour}]{r.verdict}[/]",
            r.observation,
            str(len(r.states)),
            f"{r.positive}/{r.negative}" if r.exact else "-",
        ]
        if stats:
            row += [str(r.stats.nodes), str(r.stats.pruned), str(r.stats.consistent)]
        row.append(f"{r.time * 1000:.1f} ms")
        table.add_row(*row)
    return table


def matrix_table(tests: Sequence[str], models: Sequence[str],
                 cells: dict[tuple[str, str], Result]) -> Table:
    """One row per test, one column per model: each cell the verdict (``—`` where the
    model does not fit the test)."""
    table = Table(title=None, show_lines=False)
    table.add_column("test")
    for m in models:
        table.add_column(m)
    for t in tests:
        row = [t]
        for m in models:
            r = cells.get((t, m))
            if r is None:
                row.append("—")
            elif r.status != "ok":
                row.append(f"[yellow]{r.status}[/]")
            else:
                colour = "red" if r.verdict == "Allowed" else "green"
                row.append(f"[{colour}]{r.verdict}[/]")
        table.add_row(*row)
    return table
