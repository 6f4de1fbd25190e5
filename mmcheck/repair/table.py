"""Patching a test's thread table: replace an instruction, insert a row after one.

Only the rows a change touches are rewritten; each keeps its columns' widths where the
new text fits, so a repair's diff shows just the changed lines.  Line numbers are those
of the original file.
"""

from __future__ import annotations

from collections.abc import Iterable

from mmcheck.errors import Unsupported
from mmcheck.record import Record


class Edit(Record):
    """Thread ``thread``'s instruction on line ``line``: replaced by ``text``
    (``insert`` False), or ``text`` inserted in a new row after that line."""

    __slots__ = ("thread", "line", "text", "insert", "old", "col")

    thread: int
    line: int
    text: str
    insert: bool
    old: str  # the instruction replaced (without its label); "" for an insertion
    col: int  # C: the column (1-based) where ``old`` starts; 0 in a thread table

    def __init__(self, thread: int, line: int, text: str, insert: bool, old: str = "",
                 col: int = 0) -> None:
        self.col = col
        self.thread = thread
        self.line = line
        self.text = text
        self.insert = insert
        self.old = old


def _cells(line: str, nthreads: int, number: int) -> tuple[list[str], str]:
    """A table row's cells (with their spaces) and what follows the last one."""
    semi = line.rfind(";")
    if semi < 0:
        raise Unsupported(f"line {number} is not a thread-table row ending in ';'")
    cells = line[:semi].split("|")
    if len(cells) != nthreads:
        raise Unsupported(f"line {number} holds more than one thread-table row; "
                          "fix edits tables with one row per line")
    return cells, line[semi:]


def _put(cell: str, text: str, last: bool) -> str:
    """``cell`` (a column with its spaces) holding ``text`` instead, width kept if it fits."""
    lead = len(cell) - len(cell.lstrip()) if cell.strip() else min(len(cell), 1)
    room = len(cell) - lead - len(text)
    return cell[:lead] + text + " " * max(1 if not last or cell.endswith(" ") else 0, room)


def apply_code(source: str, edits: Iterable[Edit]) -> tuple[str, list[tuple[int, bool]]]:
    """Code written as statements (C): a primitive replaced in place, at its column; an
    inserted statement on a line of its own after the line, indented like it.  Returns
    what ``apply`` returns."""
    lines = source.split("\n")
    replace: dict[int, list[Edit]] = {}
    insert: dict[int, list[str]] = {}
    for e in edits:
        if e.insert:
            insert.setdefault(e.line, []).append(e.text)
        else:
            replace.setdefault(e.line, []).append(e)
    out: list[str] = []
    origin: list[tuple[int, bool]] = [(0, False)]
    for number, line in enumerate(lines, start=1):
        for e in sorted(replace.get(number, []), key=lambda e: -e.col):
            k = e.col - 1
            if line[k:k + len(e.old)] != e.old:
                raise Unsupported(f"line {number}: {e.old!r} not found at column {e.col}")
            line = line[:k] + e.text + line[k + len(e.old):]
        out.append(line)
        origin.append((number, False))
        indent = line[:len(line) - len(line.lstrip())]
        for text in insert.get(number, []):
            out.append(indent + text)
            origin.append((number, True))
    return "\n".join(out), origin


def apply(source: str, nthreads: int, edits: Iterable[Edit]
          ) -> tuple[str, list[tuple[int, bool]]]:
    """The patched text, and for each of its lines (1-based, index 0 unused) the
    original line it comes from and whether it was inserted after that line."""
    lines = source.split("\n")
    replace: dict[int, dict[int, Edit]] = {}
    insert: dict[int, list[dict[int, str]]] = {}
    for e in edits:
        if e.insert:
            rows = insert.setdefault(e.line, [])
            for row in rows:
                if e.thread not in row:
                    row[e.thread] = e.text
                    break
            else:
                rows.append({e.thread: e.text})
        else:
            replace.setdefault(e.line, {})[e.thread] = e
    out: list[str] = []
    origin: list[tuple[int, bool]] = [(0, False)]
    for number, line in enumerate(lines, start=1):
        if number in replace or number in insert:
            cells, tail = _cells(line, nthreads, number)
        if number in replace:
            new = list(cells)
            for t, e in replace[number].items():
                body = cells[t].strip()
                k = body.rfind(e.old)
                if k < 0:
                    raise Unsupported(f"line {number}: {e.old!r} not found in P{t}'s cell")
                body = body[:k] + e.text + body[k + len(e.old):]
                new[t] = _put(cells[t], body, t == nthreads - 1)
            line = "|".join(new) + tail
        out.append(line)
        origin.append((number, False))
        for row in insert.get(number, []):
            new = [_put(c, row[t], t == nthreads - 1) if t in row else " " * len(c)
                   for t, c in enumerate(cells)]
            out.append("|".join(new) + ";")
            origin.append((number, True))
    return "\n".join(out), origin
