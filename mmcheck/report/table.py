"""Tables: rich ones for people at a terminal, and the same drawn as plain text for logs
(where rich's layout of a long table costs more than the checks in it)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from mmcheck import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from mmcheck.execution import Result

Cell = tuple[str, str]  # the text, and the rich style it has at a terminal ("" for none)


def rich_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Cell]]) -> Table:
    """``columns``: (name, justification) pairs."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_lines=False)
    for name, justify in columns:
        table.add_column(Text(name), justify=justify)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*(Text(text, style=style) for text, style in row))
    return table


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def plain_table(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Cell]]) -> str:
    """The table as ``rich_table`` draws it on a wide console that is not a terminal (a
    heavy head, one space of padding), without styles, and no cell cut or wrapped."""
    widths = [_width(name) for name, _ in columns]
    for row in rows:
        for i, (text, _) in enumerate(row):
            widths[i] = max(widths[i], _width(text))

    def line(cells: Sequence[str], bar: str) -> str:
        out = []
        for (_, justify), w, text in zip(columns, widths, cells, strict=True):
            pad = " " * (w - _width(text))
            out.append(pad + text if justify == "right" else text + pad)
        return bar + " " + f" {bar} ".join(out) + " " + bar

    def rule(left: str, mid: str, right: str, fill: str) -> str:
        return left + mid.join(fill * (w + 2) for w in widths) + right

    lines = [rule("┏", "┳", "┓", "━"), line([name for name, _ in columns], "┃"),
             rule("┡", "╇", "┩", "━")]
    lines.extend(line([text for text, _ in row], "│") for row in rows)
    lines.append(rule("└", "┴", "┘", "─"))
    return "\n".join(lines)


def results_table(results: Sequence[Result], stats: bool = False) -> Table:
    from rich.table import Table

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
    from rich.table import Table

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
