"""A recursive-descent parser for herd's cat language (models and bell files).

Operator precedence, lowest first: ``|``, ``++``, ``;``, ``\\``, ``&``, cartesian
``*``, then prefix ``~`` and the postfix ``*``, ``+``, ``?``, ``^-1``; application
(``f x``, ``f(x, y)``) binds tightest.  ``|``, ``++``, ``;`` and ``&`` group to the
right, ``\\`` to the left.
"""

from __future__ import annotations

from typing import Any

from mmcheck.cat.ast import Node, Pos
from mmcheck.cat.lexer import Token, span_at, tokenize
from mmcheck.errors import UserError

_BINARY = {"|": (1, "right"), "++": (2, "right"), ";": (3, "right"), "\\": (4, "left"),
           "&": (5, "right"), "*": (6, "left")}
_OPERAND_START_OPS = frozenset({"(", "[", "{", "_", "0", "~"})


class CatFile:
    """A parsed cat (or bell) file: its title, whether it says ``catdep``, its instructions."""

    __slots__ = ("path", "title", "catdep", "body")

    def __init__(self, path: str, title: str, catdep: bool, body: list[Node]) -> None:
        self.path = path
        self.title = title
        self.catdep = catdep
        self.body = body


def parse_cat(source: str, path: str) -> CatFile:
    return _Parser(source, path).file()


class _Parser:
    def __init__(self, source: str, path: str) -> None:
        self.source = source
        self.path = path
        self.toks = tokenize(source, path)
        self.i = 0

    # -- token helpers ---------------------------------------------------------------

    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def at(self, kind: str, text: str | None = None, tok: Token | None = None) -> bool:
        t = tok or self.tok
        return t.kind == kind and (text is None or t.text == text)

    def at_op(self, text: str) -> bool:
        return self.tok.kind == "op" and self.tok.text == text

    def at_kw(self, text: str) -> bool:
        return self.tok.kind == "kw" and self.tok.text == text

    def next(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def pos(self, t: Token | None = None) -> Pos:
        t = t or self.tok
        return Pos(self.path, t.line, t.col, self.source)

    def error(self, message: str, t: Token | None = None) -> UserError:
        t = t or self.tok
        return UserError(message, span_at(self.source, t.line, t.col, len(t.text) or 1),
                         self.path)

    def expect_op(self, text: str) -> Token:
        if not self.at_op(text):
            raise self.error(f"expected {text!r}, found {self._show(self.tok)}")
        return self.next()

    def expect_kw(self, text: str) -> Token:
        if not self.at_kw(text):
            raise self.error(f"expected {text!r}, found {self._show(self.tok)}")
        return self.next()

    def name(self) -> str:
        if self.tok.kind != "name":
            raise self.error(f"expected a name, found {self._show(self.tok)}")
        return self.next().text

    @staticmethod
    def _show(t: Token) -> str:
        return "end of file" if t.kind == "eof" else repr(t.text)

    # -- file and instructions ------------------------------------------------------------

    def file(self) -> CatFile:
        title = ""
        if self.tok.kind == "name":
            title = self.next().text
            if self.tok.kind in ("name", "str"):
                title = self.next().text
        elif self.tok.kind == "str":
            title = self.next().text
        catdep = False
        if self.at_kw("catdep"):
            self.next()
            catdep = True
        body = self.instructions(top=True)
        if self.tok.kind != "eof":
            raise self.error(f"unexpected {self._show(self.tok)}")
        return CatFile(self.path, title, catdep, body)

    def instructions(self, top: bool = False) -> list[Node]:
        out: list[Node] = []
        while True:
            ins = self.instruction(top)
            if ins is None:
                return out
            out.append(ins)

    def instruction(self, top: bool) -> Node | None:
        t = self.tok
        p = self.pos()
        if t.kind == "kw":
            k = t.text
            if k == "let":
                self.next()
                if self.at_kw("rec"):
                    self.next()
                    binds = self.bindings()
                    if self.at_kw("when"):
                        raise self.error("'let rec ... when' is not supported")
                    if self.at_kw("in"):
                        self.next()
                    return Node("rec", (binds,), p)
                binds = self.bindings()
                if self.at_kw("in"):
                    self.next()
                return Node("let", (binds,), p)
            if k in ("acyclic", "irreflexive", "empty", "flag", "assert", "undefined_unless"):
                return self.test()
            if k == "show" or k == "unshow":
                self.next()
                e = self.exp()
                names: list[Any] = [e]
                if k == "show" and self.at_kw("as"):
                    self.next()
                    names = [e, self.name()]
                return Node(k, tuple(names), p)
            if k == "include":
                self.next()
                if self.tok.kind != "str":
                    raise self.error("expected a file name in quotes after 'include'")
                return Node("include", (self.next().text,), p)
            if k == "procedure":
                self.next()
                if self.at_kw("rec"):
                    self.next()
                name = self.name()
                params = self.params()
                self.expect_op("=")
                body = self.instructions()
                self.expect_kw("end")
                return Node("procedure", (name, params, body), p)
            if k == "call":
                self.next()
                name = self.name()
                arg = self.simple()
                as_name = None
                if self.at_kw("as"):
                    self.next()
                    as_name = self.name()
                return Node("call", (name, arg, as_name), p)
            if k == "debug":
                self.next()
                return Node("debug", (self.exp(),), p)
            if k == "forall":
                self.next()
                var = self.name()
                self.expect_kw("in")
                e = self.exp()
                self.expect_kw("do")
                body = self.instructions()
                self.expect_kw("end")
                return Node("forall", (var, e, body), p)
            if k == "with":
                self.next()
                var = self.name()
                self.expect_kw("from")
                return Node("with", (var, self.exp()), p)
            if k == "if":
                self.next()
                v = self.variant()
                then = self.instructions()
                other: list[Node] = []
                if self.at_kw("else"):
                    self.next()
                    other = self.instructions()
                self.expect_kw("end")
                return Node("ifvariant", (v, then, other), p)
            if k == "enum" and top:
                self.next()
                name = self.name()
                self.expect_op("=")
                if self.at_op("||"):
                    self.next()
                tags = [self.tag_name()]
                while self.at_op("||"):
                    self.next()
                    tags.append(self.tag_name())
                return Node("enum", (name, tags), p)
            if k in ("instructions", "default"):
                self.next()
                name = self.name()
                self.expect_op("[")
                items = self.args("]")
                self.expect_op("]")
                return Node("events", (name, items, k == "default"), p)
            if k == "match":
                raise self.error("a 'match' instruction is not supported")
        if t.kind == "op" and t.text == "~":
            return self.test()
        return None

    def tag_name(self) -> str:
        if self.tok.kind != "tag":
            raise self.error(f"expected a tag ('name), found {self._show(self.tok)}")
        return self.next().text

    def test(self) -> Node:
        p = self.pos()
        ttype = "check"
        if self.tok.kind == "kw" and self.tok.text in ("flag", "assert", "undefined_unless"):
            ttype = self.next().text
        neg = False
        if self.at_op("~"):
            self.next()
            neg = True
        if not (self.tok.kind == "kw" and self.tok.text in ("acyclic", "irreflexive", "empty")):
            raise self.error("expected 'acyclic', 'irreflexive' or 'empty'")
        kind = self.next().text
        e = self.exp()
        name = None
        if self.at_kw("as"):
            self.next()
            name = self.name()
        return Node("test", (ttype, neg, kind, e, name), p)

    def bindings(self) -> list[tuple[Any, Node]]:
        out = [self.binding()]
        while self.at_kw("and"):
            self.next()
            out.append(self.binding())
        return out

    def binding(self) -> tuple[Any, Node]:
        p = self.pos()
        if self.at_op("("):
            pat = self.params()
            self.expect_op("=")
            return pat, self.exp()
        first = self.pat0()
        if self.at_op(","):
            names = [first]
            while self.at_op(","):
                self.next()
                names.append(self.pat0())
            self.expect_op("=")
            return names, self.exp()
        if self.at_op("="):
            self.next()
            return first, self.exp()
        if first is None:
            raise self.error("expected '='")
        # A function: ``f x = e`` or ``f(x, y) = e``.
        params = self.params()
        self.expect_op("=")
        body = self.exp()
        return first, Node("fun", (params, body, first), p)

    def pat0(self) -> str | None:
        if self.at_op("_"):
            self.next()
            return None
        return self.name()

    def params(self) -> Any:
        if self.at_op("("):
            self.next()
            names: list[str | None] = []
            if not self.at_op(")"):
                names.append(self.pat0())
                while self.at_op(","):
                    self.next()
                    names.append(self.pat0())
            self.expect_op(")")
            return names[0] if len(names) == 1 else names
        return self.pat0()

    # -- variants and conditions ------------------------------------------------------------

    def variant(self) -> Any:
        left = self.variant_and()
        while self.at_op("||"):
            self.next()
            left = ("or", left, self.variant_and())
        return left

    def variant_and(self) -> Any:
        left = self.variant_atom()
        while self.at_op("&&"):
            self.next()
            left = ("and", left, self.variant_atom())
        return left

    def variant_atom(self) -> Any:
        if self.at_kw("not"):
            self.next()
            return ("not", self.variant_atom())
        if self.at_kw("variant"):
            self.next()
        if self.tok.kind == "str":
            return ("v", self.next().text)
        if self.at_op("("):
            self.next()
            v = self.variant()
            self.expect_op(")")
            return v
        raise self.error("expected a variant name in quotes")

    def cond(self) -> Node:
        p = self.pos()
        if self.tok.kind == "str" or self.at_kw("not") or self.at_kw("variant"):
            return Node("variant", (self.variant(),), p)
        left = self.exp()
        if self.at_op("="):
            self.next()
            return Node("eq", (left, self.exp()), p)
        if self.at_kw("subset"):
            self.next()
            return Node("subset", (left, self.exp()), p)
        if self.at_kw("in"):
            self.next()
            return Node("in", (left, self.exp()), p)
        raise self.error("expected '=', 'subset' or 'in' in a condition")

    # -- expressions ---------------------------------------------------------------------------

    def exp(self) -> Node:
        p = self.pos()
        if self.at_kw("let"):
            self.next()
            rec = False
            if self.at_kw("rec"):
                self.next()
                rec = True
            binds = self.bindings()
            self.expect_kw("in")
            return Node("bindrec" if rec else "bind", (binds, self.exp()), p)
        if self.at_kw("fun"):
            self.next()
            params = self.params()
            self.expect_op("->")
            return Node("fun", (params, self.exp(), "*fun*"), p)
        if self.at_kw("try"):
            self.next()
            e = self.exp()
            self.expect_kw("with")
            return Node("try", (e, self.exp()), p)
        if self.at_kw("if"):
            self.next()
            c = self.cond()
            self.expect_kw("then")
            a = self.exp()
            self.expect_kw("else")
            return Node("if", (c, a, self.exp()), p)
        if self.at_kw("match"):
            return self.match()
        e = self.base(0)
        if self.at_op(","):
            items = [e]
            while self.at_op(","):
                self.next()
                items.append(self.base(0))
            return Node("tuple", tuple(items), p)
        return e

    def match(self) -> Node:
        p = self.pos()
        self.expect_kw("match")
        e = self.exp()
        self.expect_kw("with")
        if self.at_op("||"):
            self.next()
        if self.at_op("{") or (self.tok.kind == "name" or self.at_op("_")) and \
                self.peek().kind == "op" and self.peek().text in ("++", "|"):
            empty: Node | None = None
            elt: Any = None
            for _ in range(2):
                if self.at_op("{"):
                    self.next()
                    self.expect_op("}")
                    self.expect_op("->")
                    empty = self.exp()
                else:
                    x = self.pat0()
                    if self.at_op("|"):
                        raise self.error("a 'x | y ++ z' set pattern is not supported")
                    self.expect_op("++")
                    rest = self.pat0()
                    self.expect_op("->")
                    elt = (x, rest, self.exp())
                if empty is None or elt is None:
                    self.expect_op("||")
            self.expect_kw("end")
            return Node("matchset", (e, empty, elt), p)
        clauses: list[tuple[str, Node]] = []
        default: Node | None = None
        while True:
            if self.at_op("_"):
                self.next()
                self.expect_op("->")
                default = self.exp()
                break
            tag = self.tag_name()
            self.expect_op("->")
            clauses.append((tag, self.exp()))
            if not self.at_op("||"):
                break
            self.next()
        self.expect_kw("end")
        return Node("match", (e, clauses, default), p)

    def base(self, min_prec: int) -> Node:
        left = self.unary()
        while self.tok.kind == "op" and self.tok.text in _BINARY:
            op = self.tok.text
            prec, assoc = _BINARY[op]
            if prec < min_prec:
                break
            t = self.next()
            right = self.base(prec if assoc == "right" else prec + 1)
            left = Node("op2", (op, left, right), self.pos(t))
        return left

    def unary(self) -> Node:
        if self.at_op("~"):
            p = self.pos()
            self.next()
            return Node("op1", ("~", self.unary()), p)
        e = self.app()
        while self.tok.kind == "op":
            t = self.tok
            if t.text == "*" and not self._operand_start(self.peek()):
                self.next()
                e = Node("op1", ("*", e), self.pos(t))
            elif t.text == "+":
                self.next()
                e = Node("op1", ("+", e), self.pos(t))
            elif t.text == "?":
                self.next()
                e = Node("op1", ("?", e), self.pos(t))
            elif t.text == "^":
                self.next()
                self.expect_op("-1")
                e = Node("op1", ("^-1", e), self.pos(t))
            else:
                break
        return e

    @staticmethod
    def _operand_start(t: Token) -> bool:
        if t.kind in ("name", "tag"):
            return True
        if t.kind == "kw":
            return t.text == "begin"
        return t.kind == "op" and t.text in _OPERAND_START_OPS

    def _arg_start(self) -> bool:
        t = self.tok
        if t.kind in ("name", "tag"):
            return True
        if t.kind == "kw":
            return t.text == "begin"
        return t.kind == "op" and t.text in ("(", "[", "{", "_", "0")

    def app(self) -> Node:
        if self.tok.kind == "name":
            t = self.next()
            e = Node("var", (t.text,), self.pos(t))
            while self._arg_start():
                p = self.pos()
                e = Node("app", (e, self.simple()), p)
            return e
        return self.simple()

    def simple(self) -> Node:
        t = self.tok
        p = self.pos()
        if t.kind == "name":
            self.next()
            return Node("var", (t.text,), p)
        if t.kind == "tag":
            self.next()
            return Node("tag", (t.text,), p)
        if t.kind == "kw" and t.text == "begin":
            self.next()
            e = self.exp()
            self.expect_kw("end")
            return e
        if t.kind == "op":
            if t.text == "0":
                self.next()
                return Node("zero", (), p)
            if t.text == "_":
                self.next()
                return Node("universe", (), p)
            if t.text == "{":
                self.next()
                items = self.args("}")
                self.expect_op("}")
                return Node("set", tuple(items), p)
            if t.text == "[":
                self.next()
                e = self.exp()
                self.expect_op("]")
                return Node("toid", (e,), p)
            if t.text == "(":
                self.next()
                if self.at_op(")"):
                    self.next()
                    return Node("tuple", (), p)
                e = self.exp()
                self.expect_op(")")
                return e
        raise self.error(f"expected an expression, found {self._show(t)}")

    def args(self, close: str) -> list[Node]:
        items: list[Node] = []
        if self.at_op(close):
            return items
        items.append(self.base(0))
        while self.at_op(","):
            self.next()
            items.append(self.base(0))
        return items
