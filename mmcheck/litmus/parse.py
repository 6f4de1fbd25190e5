"""Parse a split litmus file: init block, locations, filter and final condition.

The thread cells are kept as text with spans; the dialect of the test's
architecture compiles them (see ``mmcheck.litmus.dialects``).
"""

from __future__ import annotations

import re
from pathlib import Path

from mmcheck.errors import Span, UserError
from mmcheck.litmus.ast import (
    And,
    Atom,
    Cell,
    Condition,
    Implies,
    Litmus,
    Loc,
    Mem,
    Not,
    Or,
    Prop,
    Reg,
    Sym,
    Value,
)
from mmcheck.litmus.dialects import Dialect, dialect_for
from mmcheck.litmus.split import Chunk, Source, split

_TYPE_NAMES = {
    "int", "char", "short", "long", "unsigned", "signed",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
    "uint64_t", "intptr_t", "uintptr_t", "atomic_int", "_Atomic", "volatile", "const",
    "int128_t", "uint128_t",
}
_NUMBER = re.compile(r"[+-]?(0x[0-9a-fA-F]+|\d+)")
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def parse_file(path: str | Path) -> Litmus:
    """Read and parse one litmus file; errors carry ``path``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read: {exc.strerror}", None, str(path)) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        k = exc.start
        ctrl = re.search(rb"[\x00-\x08\x0e-\x1f\x7f]", data[:k])
        if ctrl is not None:  # point at the first binary byte, not the first non-UTF-8 one
            k = ctrl.start()
            message = f"not a text file: binary byte 0x{data[k]:02x}"
        else:
            message = f"not UTF-8 text: byte 0x{data[k]:02x} (save the file as UTF-8)"
        line = data.count(b"\n", 0, k) + 1
        col = k - (data.rfind(b"\n", 0, k) + 1) + 1
        raise UserError(
            message,
            Span(line, col, "", 1),
            str(path),
        ) from exc
    try:
        return parse_text(text, str(path))
    except UserError as err:
        raise err.with_path(str(path)) from None


def parse_text(text: str, path: str = "<input>") -> Litmus:
    sec, src = split(text)
    dialect = dialect_for(sec.arch)
    if dialect is None:
        raise src.error(
            f"unknown architecture {sec.arch!r} (supported: X86, X86_64, AArch64)",
            sec.arch_chunk.offset,
            len(sec.arch),
        )
    nthreads = len(sec.thread_header)
    unsupported: list[str] = []
    init, types = (
        parse_init(sec.init, src, dialect, nthreads, unsupported) if sec.init else ((), ())
    )
    threads: list[list[Cell]] = [[] for _ in range(nthreads)]
    for row in sec.rows:
        for k, chunk in enumerate(row):
            if chunk.text.strip():
                lead = len(chunk.text) - len(chunk.text.lstrip())
                threads[k].append(Cell(chunk.text.strip(), src.span(chunk.offset + lead)))
    locations: tuple[Loc, ...] = ()
    if sec.locations is not None:
        locations = parse_locations(sec.locations, src, dialect, nthreads)
    filt = None
    if sec.filter is not None:
        filt = CondParser(sec.filter, src, dialect, nthreads).parse_all()
    if sec.condition is None:
        raise UserError(
            "truncated test: no final condition (exists, ~exists or forall)",
            src.span(max(0, len(text.rstrip()) - 1)),
        )
    prop = CondParser(sec.condition, src, dialect, nthreads).parse_all()
    return Litmus(
        arch=sec.arch,
        name=sec.name,
        path=path,
        description=sec.description,
        info=sec.info,
        init=init,
        types=types,
        threads=tuple(tuple(c) for c in threads),
        thread_names=tuple(c.text.strip() for c in sec.thread_header),
        locations=locations,
        filter=filt,
        condition=Condition(sec.quantifier, prop),
        source=text,
        condition_span=src.span(sec.condition.offset),
        unsupported=unsupported[0] if unsupported else None,
    )


def _parse_value(text: str) -> Value | None:
    t = text.strip()
    if _NUMBER.fullmatch(t):
        return int(t, 16) if "0x" in t else int(t, 10)
    if _NAME.fullmatch(t):
        return Sym(t)
    return None


def _parse_loc(
    text: str, dialect: Dialect, nthreads: int, src: Source, offset: int
) -> Loc:
    t = text.strip()
    m = re.fullmatch(r"(\d+)\s*:\s*([A-Za-z_][\w]*)", t)
    if m:
        thread = int(m.group(1))
        if thread >= nthreads:
            raise src.error(
                f"thread {thread} does not exist (the test has {nthreads}: "
                f"{', '.join(f'P{k}' for k in range(nthreads))})",
                offset,
                len(m.group(1)),
            )
        reg = dialect.canon_reg(m.group(2))
        if reg is None:
            name = m.group(2)
            at = offset + (len(text) - len(text.lstrip())) + m.start(2)
            raise src.error(f"{name!r} is not an {dialect.arch} register", at, len(name))
        return Reg(thread, reg)
    m = re.fullmatch(r"\[\s*([A-Za-z_][\w]*)\s*\]", t)
    if m:
        return Mem(m.group(1))
    if _NAME.fullmatch(t) and "." not in t:
        return Mem(t)
    raise src.error(f"expected a location or a register, found {t!r}", offset, max(1, len(t)))


def parse_init(
    chunk: Chunk, src: Source, dialect: Dialect, nthreads: int, unsupported: list[str]
) -> tuple[tuple[tuple[Loc, Value], ...], tuple[tuple[Loc, str], ...]]:
    entries: list[tuple[Loc, Value]] = []
    types: list[tuple[Loc, str]] = []
    pos = 0
    text = chunk.text
    for piece in _split_init(text):
        start = pos
        pos += len(piece) + 1
        if not piece.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        off = chunk.offset + start + lead
        body = piece.strip()
        lhs, eq, rhs = body.partition("=")
        words = lhs.split()
        # Strip leading type names ("uint64_t 0:X0", "int x", "unsigned long y").
        tname = []
        while len(words) > 1 and (words[0] in _TYPE_NAMES or words[0].endswith("*")):
            tname.append(words.pop(0))
        loc_text = " ".join(words)
        if not eq and not tname and len(words) > 1:
            raise src.error(
                f"expected 'location=value' in the init block, found {body!r}", off, len(body)
            )
        if re.search(r"\[\s*\d+\s*\]$", loc_text) or "{" in rhs:
            span = src.span(off)
            unsupported.append(f"arrays ({body!r}, line {span.line}, column {span.col})")
            continue
        loc_at = 0
        for w in tname:  # skip the type words to find where the location starts
            loc_at = lhs.index(w, loc_at) + len(w)
        if words:
            loc_at = lhs.index(words[0], loc_at)
        loc = _parse_loc(loc_text, dialect, nthreads, src, off + loc_at)
        if tname:
            types.append((loc, " ".join(tname)))
        if not eq:
            if not tname:
                raise src.error(f"expected '=' in init entry {body!r}", off, len(body))
            entries.append((loc, 0))
            continue
        value = _parse_value(rhs)
        if value is None and not rhs.strip():
            raise src.error(f"missing initial value after '=' in {body!r}", off + len(lhs), 1)
        if value is None:
            roff = off + len(lhs) + 1 + (len(rhs) - len(rhs.lstrip()))
            raise src.error(f"bad initial value {rhs.strip()!r}", roff, max(1, len(rhs.strip())))
        entries.append((loc, value))
    return tuple(entries), tuple(types)


def _split_init(text: str) -> list[str]:
    """Split init entries on ';' outside braces (array initialisers)."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == ";" and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return out


def parse_locations(chunk: Chunk, src: Source, dialect: Dialect, nthreads: int) -> tuple[Loc, ...]:
    text = chunk.text
    lb = text.find("[")
    rb = text.rfind("]")
    if lb < 0 or rb < lb:
        lead = len(text) - len(text.lstrip())
        found = text.strip().split("\n")[0]
        raise src.error(
            f"expected 'locations [x; 0:EAX; ...]', found {found!r}",
            chunk.offset + (lead if text.strip() else 0),
            max(1, len(found)),
        )
    out: list[Loc] = []
    pos = lb + 1
    for piece in text[lb + 1 : rb].split(";"):
        off = chunk.offset + pos + (len(piece) - len(piece.lstrip()))
        pos += len(piece) + 1
        if piece.strip():
            out.append(_parse_loc(piece, dialect, nthreads, src, off))
    if text[rb + 1 :].strip():
        raise src.error("unexpected text after 'locations [...]'", chunk.offset + rb + 1)
    return tuple(out)


_TOKEN = re.compile(
    r"\s*(?:(?P<op>/\\|\\/|=>|~|\(|\)|!=|=)|(?P<word>\[\s*[A-Za-z_]\w*\s*\]|\d+\s*:\s*[A-Za-z_]\w*"
    r"|[+-]?0x[0-9a-fA-F]+|[+-]?\d+|[A-Za-z_][\w.]*)|(?P<bad>\S))"
)


class CondParser:
    """Recursive descent over ``/\\``, ``\\/``, ``=>``, ``~``/``not``, parentheses."""

    def __init__(self, chunk: Chunk, src: Source, dialect: Dialect, nthreads: int) -> None:
        self.src = src
        self.dialect = dialect
        self.nthreads = nthreads
        self.toks: list[tuple[str, str, int]] = []
        pos = 0
        text = chunk.text
        if text.rstrip().endswith(";"):  # herd accepts a ';' after the condition
            text = text.rstrip()[:-1]
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if m is None:  # only trailing blanks remain
                break
            if m.end() == pos:
                break
            off = chunk.offset + m.start(m.lastgroup or 0)
            kind = m.lastgroup or ""
            if kind == "bad":
                bad = m.group("bad")
                hint = {"&": " (write /\\ for 'and')", "|": " (write \\/ for 'or')",
                        "!": " (write ~ or 'not' for negation)"}.get(bad, "")
                raise src.error(f"unexpected {bad!r} in the condition{hint}", off)
            self.toks.append((kind, m.group(kind), off))
            pos = m.end()
            if not text[pos:].strip():
                break
        self.i = 0
        self.end_offset = chunk.offset + len(text.rstrip())

    def peek(self) -> tuple[str, str, int] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def next(self) -> tuple[str, str, int]:
        t = self.peek()
        if t is None:
            raise self.src.error("the condition ends too early", max(0, self.end_offset - 1))
        self.i += 1
        return t

    def parse_all(self) -> Prop:
        if not self.toks:
            raise self.src.error(
                "empty condition: expected a proposition like (x=1)", max(0, self.end_offset - 1)
            )
        p = self.implies()
        t = self.peek()
        if t is not None:
            raise self.src.error(f"unexpected {t[1]!r} in the condition", t[2], len(t[1]))
        return p

    def implies(self) -> Prop:
        left = self.disj()
        t = self.peek()
        if t and t[1] == "=>":
            self.next()
            return Implies(left, self.implies())
        return left

    def disj(self) -> Prop:
        args = [self.conj()]
        while (t := self.peek()) and t[1] == "\\/":
            self.next()
            args.append(self.conj())
        return args[0] if len(args) == 1 else Or(tuple(args))

    def conj(self) -> Prop:
        args = [self.unary()]
        while (t := self.peek()) and t[1] == "/\\":
            self.next()
            args.append(self.unary())
        return args[0] if len(args) == 1 else And(tuple(args))

    def unary(self) -> Prop:
        kind, text, off = self.next()
        if text in ("~", "not"):
            return Not(self.unary())
        if text == "(":
            p = self.implies()
            if self.peek() is None:
                raise self.src.error("'(' is never closed: expected ')'", off)
            k2, t2, o2 = self.next()
            if t2 != ")":
                raise self.src.error(f"expected ')' but found {t2!r}", o2, len(t2))
            return p
        if text == "true":
            return And(())
        if text == "false":
            return Or(())
        if kind != "word":
            raise self.src.error(f"expected an atom like 'x=1' or '0:EAX=1', found {text!r}", off, len(text))
        loc = _parse_loc(text, self.dialect, self.nthreads, self.src, off)
        k2, op, o2 = self.next()
        if op not in ("=", "!="):
            raise self.src.error(f"expected '=' after {text!r}", o2, len(op))
        k3, vtext, o3 = self.next()
        value = _parse_value(vtext) if k3 == "word" else None
        if value is None or (isinstance(value, Sym) and vtext in ("true", "false", "not")):
            raise self.src.error(f"expected a value, found {vtext!r}", o3, len(vtext))
        atom = Atom(loc, value, self.src.span(off, o3 + len(vtext) - off))
        return Not(atom) if op == "!=" else atom
