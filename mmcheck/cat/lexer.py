"""Tokens of herd's cat language, with their positions.

Names may contain ``.``, ``-`` and digits after the first letter (``po-loc``,
``DMB.ISH``) and end in a quote; ``'x`` is a tag; comments are ``(* ... *)``
(nested), ``//`` and ``#`` to the end of the line.
"""

from __future__ import annotations

import re

from mmcheck.errors import Span, UserError

KEYWORDS = frozenset({
    "let", "rec", "and", "when", "acyclic", "irreflexive", "show", "unshow", "empty",
    "subset", "as", "fun", "in", "undefined_unless", "flag", "assert", "include", "variant",
    "begin", "end", "procedure", "call", "enum", "debug", "match", "with", "forall", "from",
    "do", "try", "if", "then", "else", "catdep", "instructions", "default", "not",
})

_NAME = r"_?[A-Za-z][A-Za-z0-9_.\-]*'?"
_TOKEN = re.compile(
    r"(?P<ws>[ \t\r]+)|(?P<nl>\n)|(?P<line>(?://|#)[^\n]*)|(?P<open>\(\*)"
    r"|(?P<str>\"[^\"]*\")|(?P<tag>'" + _NAME + r")|(?P<name>" + _NAME + r")"
    r"|(?P<op>\|\||&&|\+\+|->|-1|[()\[\]{}_0|&*~+^\\?=;,])"
)


class Token:
    __slots__ = ("kind", "text", "line", "col")

    def __init__(self, kind: str, text: str, line: int, col: int) -> None:
        self.kind = kind  # "name", "kw", "tag", "str", "op", "eof"
        self.text = text
        self.line = line
        self.col = col

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.line}:{self.col})"


def span_at(source: str, line: int, col: int, length: int = 1) -> Span:
    lines = source.splitlines()
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    return Span(line, col, text, max(1, length))


def tokenize(source: str, path: str) -> list[Token]:
    out: list[Token] = []
    pos, line, line_start = 0, 1, 0
    n = len(source)
    while pos < n:
        m = _TOKEN.match(source, pos)
        col = pos - line_start + 1
        if m is None:
            raise UserError(f"unexpected character {source[pos]!r}",
                            span_at(source, line, col), path)
        kind = m.lastgroup
        text = m.group()
        if kind == "nl":
            line += 1
            line_start = m.end()
        elif kind == "open":
            depth, p = 1, m.end()
            while depth and p < n:
                if source.startswith("(*", p):
                    depth, p = depth + 1, p + 2
                elif source.startswith("*)", p):
                    depth, p = depth - 1, p + 2
                else:
                    if source[p] == "\n":
                        line += 1
                        line_start = p + 1
                    p += 1
            if depth:
                raise UserError("unterminated comment", span_at(source, line, col, 2), path)
            pos = p
            continue
        elif kind == "str":
            out.append(Token("str", text[1:-1], line, col))
            line += text.count("\n")
        elif kind == "tag":
            out.append(Token("tag", text[1:], line, col))
        elif kind == "name":
            out.append(Token("kw" if text in KEYWORDS else "name", text, line, col))
        elif kind == "op":
            out.append(Token("op", text, line, col))
        pos = m.end()
    out.append(Token("eof", "", line, pos - line_start + 1))
    return out
