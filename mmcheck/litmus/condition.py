"""The final condition and the filter: ``exists``/``~exists``/``forall`` propositions
over ``/\\``, ``\\/``, ``=>``, ``~`` and parentheses, as herd7 reads them."""

from __future__ import annotations

import re

from mmcheck.errors import Unsupported
from mmcheck.litmus.ast import And, Atom, Implies, Mem, Not, Or, Prop, Same, Sym
from mmcheck.litmus.dialects import Dialect
from mmcheck.litmus.locations import parse_loc, parse_value
from mmcheck.litmus.split import Chunk, Source

# A location where a value belongs ("0:r1=0:r4", "x=[y]"): herd7 compares the two.
_LOCATION = re.compile(r"P?\d+\s*:\s*[A-Za-z_]\w*|\[\s*[A-Za-z_]\w*\s*\]")

_TOKEN = re.compile(
    r"\s*(?:(?P<op>/\\|\\/|=>|~|\(|\)|!=|<>|==|=)"
    r"|(?P<word>instr\s*:\s*\"[^\"]*\"|\[\s*[A-Za-z_]\w*\s*\]|P?\d+\s*:\s*[A-Za-z_]\w*"
    r"|[A-Za-z_]\w*\s*\[\s*\d+\s*\]|\{[-+\w\s,]*\}"
    r"|[+-]?0x[0-9a-fA-F]+|[+-]?\d+|[A-Za-z_][\w.]*)|(?P<bad>\S))"
)


class CondParser:
    """Recursive descent over ``/\\``, ``\\/``, ``=>``, ``~``/``not``, parentheses."""

    def __init__(self, chunk: Chunk, src: Source, dialect: Dialect, nthreads: int,
                 arrays: dict[str, tuple[str, int]] | None = None) -> None:
        self.src = src
        self.arrays = arrays or {}
        self.dialect = dialect
        self.nthreads = nthreads
        self.toks: list[tuple[str, str, int]] = []
        pos = 0
        text = chunk.text
        if text.rstrip().endswith(";"):  # herd accepts a ';' after the condition
            text = text.rstrip()[:-1]
        last = len(text.rstrip())
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
            if pos >= last:  # only blanks remain
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
            raise self.src.error(
                f"expected an atom like 'x=1' or '0:EAX=1', found {text!r}", off, len(text)
            )
        loc = parse_loc(text, self.dialect, self.nthreads, self.src, off, self.arrays)
        k2, op, o2 = self.next()
        if op not in ("=", "==", "!=", "<>"):
            raise self.src.error(f"expected '=' after {text!r}", o2, len(op))
        k3, vtext, o3 = self.next()
        if k3 == "word" and _LOCATION.fullmatch(vtext):
            right = parse_loc(vtext, self.dialect, self.nthreads, self.src, o3, self.arrays)
            if isinstance(loc, Mem) and loc.array or isinstance(right, Mem) and right.array:
                raise Unsupported(f"comparing a whole array in a condition ({text}={vtext})",
                                  self.src.span(off, o3 + len(vtext) - off))
            same = Same(loc, right, self.src.span(off, o3 + len(vtext) - off))
            return Not(same) if op in ("!=", "<>") else same
        value = parse_value(vtext, self.arrays) if k3 == "word" else None
        if value is None or (isinstance(value, Sym) and vtext in ("true", "false", "not")):
            raise self.src.error(f"expected a value, found {vtext!r}", o3, len(vtext))
        whole = isinstance(value, Sym) and value.name.startswith("{")
        if whole != (isinstance(loc, Mem) and loc.array):
            raise self.src.error(
                f"{'an array value' if whole else 'a single value'} for "
                f"{'the scalar ' if whole else 'the whole array '}{loc}", o3, len(vtext))
        atom = Atom(loc, value, self.src.span(off, o3 + len(vtext) - off))
        return Not(atom) if op in ("!=", "<>") else atom
