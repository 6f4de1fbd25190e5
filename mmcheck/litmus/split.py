"""Split a litmus file into sections, each with its source position.

Only the program cells differ by architecture; everything here is generic.
"""

from __future__ import annotations

import bisect
import re

from mmcheck.errors import Span, UserError
from mmcheck.litmus.header import NO_COMMENTS_IN_PROGRAM, check_header
from mmcheck.record import Record


class Chunk(Record):
    """A piece of source text and the offset where it starts."""

    __slots__ = ("text", "offset")

    text: str
    offset: int

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.offset = offset


class Sections(Record):
    __slots__ = (
        "source", "arch", "arch_chunk", "name", "description", "info", "init", "thread_header",
        "rows", "locations", "filter", "condition", "quantifier",
    )

    source: str
    arch: str
    arch_chunk: Chunk
    name: str
    description: str
    info: tuple[tuple[str, str], ...]
    init: Chunk | None
    thread_header: tuple[Chunk, ...]
    rows: tuple[tuple[Chunk, ...], ...]  # each row's cells, in column order
    locations: Chunk | None
    filter: Chunk | None
    condition: Chunk | None
    quantifier: str

    def __init__(
        self,
        source: str,
        arch: str,
        arch_chunk: Chunk,
        name: str,
        description: str,
        info: tuple[tuple[str, str], ...],
        init: Chunk | None,
        thread_header: tuple[Chunk, ...],
        rows: tuple[tuple[Chunk, ...], ...],
        locations: Chunk | None,
        filter: Chunk | None,
        condition: Chunk | None,
        quantifier: str,
    ) -> None:
        self.source = source
        self.arch = arch
        self.arch_chunk = arch_chunk
        self.name = name
        self.description = description
        self.info = info
        self.init = init
        self.thread_header = thread_header
        self.rows = rows
        self.locations = locations
        self.filter = filter
        self.condition = condition
        self.quantifier = quantifier


class Source:
    """Text with comments blanked out, and offset -> line/col conversion."""

    def __init__(self, text: str, keep: tuple[int, int] | None = None) -> None:
        self.original = text
        starts = self.line_starts = [0]
        i = text.find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = text.find("\n", i + 1)
        if keep is None:
            self.text, open_at = blank_comments(text)
        else:  # the program of a C test: '(*' there is C (herd7 keeps it too)
            a, b = keep
            head, open_at = blank_comments(text[:a])
            tail, open_tail = blank_comments(text[b:])
            if open_at < 0 and open_tail >= 0:
                open_at = b + open_tail
            self.text = head + text[a:b] + tail
        if open_at >= 0:
            raise self.error("unterminated comment '(*'", open_at, 2)

    def span(self, offset: int, length: int = 1) -> Span:
        i = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[i]
        lines = self.__dict__.get("lines")
        if lines is None:
            lines = self.__dict__["lines"] = self.original.split("\n")
        return Span(i + 1, offset - start + 1, lines[i], max(1, length))

    def error(self, message: str, offset: int, length: int = 1) -> UserError:
        return UserError(message, self.span(offset, length))


_COMMENT_TOKENS = re.compile(r'"|\(\*|\*\)')


def blank_comments(text: str) -> tuple[str, int]:
    """Replace OCaml-style ``(* ... *)`` comments (nested) by spaces, keeping newlines.

    Also returns the offset of an unterminated comment's opening, or -1.
    """
    if "(*" not in text:
        return text, -1
    pieces: list[str] = []
    depth = 0
    start = -1  # where the outermost open comment began
    in_string = False
    kept = 0  # text before this offset is already in pieces
    for m in _COMMENT_TOKENS.finditer(text):
        tok, at = m.group(), m.start()
        if depth == 0 and tok == '"':
            in_string = not in_string
        elif in_string:
            continue
        elif tok == "(*":
            if depth == 0:
                start = at
                pieces.append(text[kept:at])
                kept = at
            depth += 1
        elif tok == "*)" and depth:
            depth -= 1
            if depth == 0:
                pieces.append(blank(text[kept:m.end()]))
                kept = m.end()
    if depth:
        pieces.append(blank(text[kept:]))
    else:
        pieces.append(text[kept:])
    return "".join(pieces), (start if depth else -1)


def blank(chunk: str) -> str:
    """Spaces in place of everything but newlines."""
    return "\n".join(" " * len(line) for line in chunk.split("\n"))


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_KEYWORDS = re.compile(r"^[ \t]*(~[ \t]*exists|exists|forall|final|locations|filter)\b", re.M)
# After the test name on the header line herd7 reads '(texname)', a "doc" string and ';'.
_HEADER_TAIL = re.compile(r'\s*(?:\((?P<tex>[^()\n]*)\))?\s*(?:"(?P<doc>[^"]*)")?\s*;?\s*')
_STRAY = re.compile(r"(?:[ \t]*\n(?:[^\n|;{}]*\n)*?)?\s*\{")
_SEPARATORS = re.compile(r"[|;{}]")
_SPACE = re.compile(r"\s*")
_INFO = re.compile(r"^[ \t]*([A-Za-z][\w.\-]*)[ \t]*=(.*)$")


def split(text: str) -> tuple[Sections, Source]:
    """Cut ``text`` into header, init, thread table, locations, filter and condition."""
    junk = _BINARY.search(text)
    if junk is not None:
        k = junk.start()
        lineno = text.count("\n", 0, k) + 1
        col = k - (text.rfind("\n", 0, k) + 1) + 1
        # The line itself is not echoed: it would put control bytes on the terminal.
        raise UserError(
            f"not a text file: binary byte 0x{ord(junk.group()):02x}",
            Span(lineno, col, "", 1),
        )
    check_header(text)
    # herd7's lexers take '\r' for a blank: CRLF files read as LF ones, offsets unchanged.
    clean = text.replace("\r", " ") if "\r" in text else text
    first = clean.split(None, 1)
    keep = None
    if first and first[0] in NO_COMMENTS_IN_PROGRAM:
        keep = _program_region(clean)
    src = Source(clean, keep)
    t = src.text
    pos = 0
    n = len(t)

    # Header: the first non-blank line, "ARCH NAME".
    m = _SPACE.match(t, pos)
    assert m is not None
    pos = m.end()
    if pos >= n:
        raise UserError("empty litmus file: expected a header 'ARCH NAME'", Span(1, 1, "", 1))
    eol = t.find("\n", pos)
    eol = n if eol < 0 else eol
    header = t[pos:eol]
    parts = header.split()
    if len(parts) < 2:
        raise src.error("header must be 'ARCH NAME'", pos, max(1, len(header.strip())))
    arch = parts[0]
    arch_chunk = Chunk(arch, pos)
    name = parts[1]
    description = ""
    name_end = pos + header.index(name, len(arch)) + len(name)
    tail = _HEADER_TAIL.match(t, name_end)
    if tail is not None and tail.group("doc") is not None:
        description = tail.group("doc")
        pos = max(eol, tail.end())
    else:
        pos = eol

    info: list[tuple[str, str]] = []
    # Between header and init block: quoted description and key=value lines.
    while True:
        m = _SPACE.match(t, pos)
        assert m is not None
        pos = m.end()
        if pos >= n:
            break
        if t[pos] == '"':
            close = t.find('"', pos + 1)
            if close < 0:
                raise src.error("unterminated description string", pos)
            description = t[pos + 1 : close]
            pos = close + 1
            continue
        if t[pos] == "{":
            break
        eol = t.find("\n", pos)
        eol = n if eol < 0 else eol
        line = t[pos:eol]
        mi = _INFO.match(line)
        if mi and "|" not in line and ";" not in line:
            info.append((mi.group(1), mi.group(2).strip()))
            pos = eol
            continue
        if not _SEPARATORS.search(line) and _STRAY.match(t, eol):
            pos = eol  # a stray line before the init block: herd7 skips it too
            continue
        break

    init: Chunk | None = None
    if pos < n and t[pos] == "{":
        close = _matching_brace(t, pos)
        if close < 0:
            raise src.error("init block '{' is never closed", pos)
        init = Chunk(t[pos + 1 : close], pos + 1)
        pos = close + 1
    elif pos < n:
        raise src.error("expected the init block '{ ... }'", pos)
    else:
        last = len(t.rstrip())
        raise UserError(
            "truncated test: the file ends before the init block '{ ... }' and the threads",
            src.span(max(0, last - 1)),
        )

    # Program: up to the first keyword line.
    km = _KEYWORDS.search(t, pos)
    prog_end = km.start() if km else n
    header_cells, rows = split_program(src, pos, prog_end)

    locations: Chunk | None = None
    filt: Chunk | None = None
    condition: Chunk | None = None
    quantifier = ""
    while km is not None:
        kw = "".join(km.group(1).split())
        body_start = km.end()
        nxt = _KEYWORDS.search(t, body_start)
        body_end = nxt.start() if nxt else n
        chunk = Chunk(t[body_start:body_end], body_start)
        if kw == "locations":
            locations = chunk
        elif kw == "filter":
            filt = chunk
        else:
            # herd7 ends the condition at '<<' (a block of scope annotations it reads
            # for GPU architectures only) and reads 'final P' as 'exists P'.
            cut = chunk.text.find("<<")
            if cut >= 0:
                chunk = Chunk(chunk.text[:cut], chunk.offset)
            if kw == "final":
                kw = "exists"
            if condition is not None:
                raise src.error("a second final condition", km.start(1), len(km.group(1)))
            quantifier = kw
            condition = chunk
        km = nxt
    return (
        Sections(
            source=text,
            arch=arch,
            arch_chunk=arch_chunk,
            name=name,
            description=description,
            info=tuple(info),
            init=init,
            thread_header=header_cells,
            rows=rows,
            locations=locations,
            filter=filt,
            condition=condition,
            quantifier=quantifier,
        ),
        src,
    )


def _program_region(text: str) -> tuple[int, int] | None:
    """Where the thread table of a C test lies: after the init block's closing brace, up to
    the first line with a keyword (found on the raw text: its comments are not blanked)."""
    start = text.find("{")
    if start < 0:
        return None
    close = _matching_brace(text, start)
    if close < 0:
        return None
    km = _KEYWORDS.search(text, close + 1)
    return close + 1, km.start() if km else len(text)


def split_program(
    src: Source, start: int, end: int
) -> tuple[tuple[Chunk, ...], tuple[tuple[Chunk, ...], ...]]:
    """The thread table: ``;``-terminated rows of ``|``-separated cells."""
    t = src.text
    rows: list[list[Chunk]] = []
    row_start = start
    while True:
        i = t.find(";", row_start, end)
        if i < 0:
            if not t[row_start:end].strip():
                break
            raise src.error(
                "thread table row is not terminated by ';'", _first_nonblank(t, row_start, end)
            )
        cells: list[Chunk] = []
        cell_start = row_start
        while (j := t.find("|", cell_start, i)) >= 0:
            cells.append(Chunk(t[cell_start:j], cell_start))
            cell_start = j + 1
        cells.append(Chunk(t[cell_start:i], cell_start))
        rows.append(cells)
        row_start = i + 1
    # herd7 accepts one ';' before the thread names (an init block written '{...};').
    if len(rows) > 1 and len(rows[0]) == 1 and not rows[0][0].text.strip():
        rows.pop(0)
    if not rows:
        raise src.error(
            "no thread table: expected a row 'P0 | P1 ;'", min(start, max(0, len(t) - 1))
        )
    header = rows[0]
    for k, cell in enumerate(header):
        nm = cell.text.strip()
        if not re.fullmatch(r"P\d+", nm):
            off = _first_nonblank(t, cell.offset, cell.offset + len(cell.text))
            raise src.error(f"expected a thread name P{k}, found {nm!r}", off, max(1, len(nm)))
        if nm != f"P{k}":
            off = _first_nonblank(t, cell.offset, cell.offset + len(cell.text))
            raise src.error(f"threads must be named P0, P1, ... in order; found {nm}", off, len(nm))
    body = rows[1:]
    width = len(header)
    for row in body:
        if len(row) > width:
            extra = row[width]
            end = extra.offset + len(extra.text)
            at = _first_nonblank(t, extra.offset, end)
            size = len(extra.text.strip())
            if not size:  # an empty extra cell: point at the '|' that opens it
                at, size = max(extra.offset - 1, 0), 1
            raise src.error(
                f"this row has {len(row)} columns but the table has {width} threads",
                at,
                size,
            )
    return tuple(header), tuple(tuple(r) for r in body)


def _first_nonblank(t: str, start: int, end: int) -> int:
    for k in range(start, end):
        if not t[k].isspace():
            return k
    return start


def _matching_brace(t: str, start: int) -> int:
    depth = 0
    for k in range(start, len(t)):
        if t[k] == "{":
            depth += 1
        elif t[k] == "}":
            depth -= 1
            if depth == 0:
                return k
    return -1


def split_top_level(s: str) -> list[str]:
    """The comma-separated parts of ``s`` outside parentheses and brackets, stripped (an
    empty last part is dropped): an instruction's operands, a call's arguments."""
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out
