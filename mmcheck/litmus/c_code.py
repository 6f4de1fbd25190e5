"""The code of a C litmus test's threads: tokens, statements and expressions.

``CodeParser`` reads one thread, ``(params) { body }``, with its comments already
blanked, into the ``mmcheck.litmus.c_ast`` nodes; ``mmcheck.litmus.c`` finds the threads
in a test and hands each one over.
"""

from __future__ import annotations

import re

from mmcheck.errors import Span, Unsupported
from mmcheck.litmus.c_ast import (
    PRIMITIVES,
    AddrOf,
    Assign,
    BinOp,
    Block,
    Call,
    Const,
    Decl,
    Deref,
    Expr,
    ExprStmt,
    If,
    Param,
    Stmt,
    Store,
    UnOp,
    Var,
    While,
)
from mmcheck.litmus.locations import number
from mmcheck.litmus.split import Source

# -- tokens -------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"(0[xX][0-9a-fA-F]+|\d+)"
    r"|([A-Za-z_]\w*)"
    r"|(<<|>>|==|!=|<=|>=|&&|\|\||->|\+\+|--|[-+*/%&|^~!<>=(){}\[\],;:.?])"
    r"|(\S)"
)
_KINDS = (None, "num", "name", "op", "bad")

_TYPE_WORDS = {
    "int", "long", "char", "short", "unsigned", "signed", "volatile", "const", "void",
    "_Atomic", "atomic_t", "spinlock_t", "intptr_t", "uintptr_t", "atomic_int", "mtx_t",
    "int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t",
    "uint64_t", "__int128", "__uint128", "__int128_t", "__uint128_t", "bool", "_Bool",
}
_UNSUPPORTED_STMTS = {
    "for": "'for' loops (herd7's C dialect has only 'while')",
    "do": "'do ... while' loops (herd7's C dialect has only 'while')",
    "switch": "'switch' statements",
    "return": "'return' statements",
    "goto": "'goto' statements",
    "break": "'break' statements",
    "continue": "'continue' statements",
}

# C's binary operators by precedence, loosest first.
_LEVELS: tuple[tuple[str, ...], ...] = (
    ("||",), ("&&",), ("|",), ("^",), ("&",), ("==", "!="), ("<", ">", "<=", ">="),
    ("<<", ">>"), ("+", "-"), ("*", "/", "%"),
)


_PREC = {op: level for level, ops in enumerate(_LEVELS) for op in ops}


def is_type_word(w: str) -> bool:
    return w in _TYPE_WORDS or w == "struct" or (w.endswith("_t") and w not in PRIMITIVES)


class CodeParser:
    """Recursive descent over the tokens of ``text[start:end]`` (comments blanked)."""

    def __init__(self, code: str, base: int, src: Source) -> None:
        self.src = src
        toks: list[tuple[str, str, int]] = []
        kinds = _KINDS
        for m in _TOKEN.finditer(code):
            kind = kinds[m.lastindex or 4]
            if kind == "bad":
                raise src.error(f"unexpected character {m.group()!r}", base + m.start())
            toks.append((kind or "", m.group(), base + m.start()))
        self.toks = toks
        self.i = 0
        self.end = base + len(code)

    # -- token access -----------------------------------------------------------------

    def peek(self, k: int = 0) -> tuple[str, str, int] | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def at(self, text: str, k: int = 0) -> bool:
        j = self.i + k
        if j >= len(self.toks):
            return False
        t = self.toks[j]
        return t[1] == text and t[0] != "num"

    def next(self, what: str = "more code") -> tuple[str, str, int]:
        t = self.peek()
        if t is None:
            raise self.src.error(f"unexpected end of the thread: expected {what}",
                                 max(0, self.end - 1))
        self.i += 1
        return t

    def expect(self, text: str) -> tuple[str, str, int]:
        t = self.peek()
        if t is None:
            raise self.src.error(f"expected {text!r} but the thread ends",
                                 max(0, self.end - 1))
        if t[1] != text:
            raise self.src.error(f"expected {text!r} but found {t[1]!r}", t[2], len(t[1]))
        self.i += 1
        return t

    def span(self, off: int, length: int = 1) -> Span:
        return self.src.span(off, length)

    def name(self, what: str) -> tuple[str, int]:
        t = self.next(what)
        if t[0] != "name":
            raise self.src.error(f"expected {what} but found {t[1]!r}", t[2], len(t[1]))
        return t[1], t[2]

    # -- types ------------------------------------------------------------------------

    def at_type(self) -> bool:
        t = self.peek()
        return t is not None and t[0] == "name" and is_type_word(t[1])

    def type_words(self) -> str:
        """Type words up to the declared name (stars stay with the declarator)."""
        words: list[str] = []
        while self.at_type():
            w = self.next()[1]
            words.append(w)
            if w == "struct":
                words.append(self.name("a struct name")[0])
        return " ".join(words)

    def stars(self) -> int:
        n = 0
        while self.at("*"):
            self.next()
            n += 1
        return n

    # -- threads ----------------------------------------------------------------------

    def params(self) -> tuple[Param, ...]:
        self.expect("(")
        out: list[Param] = []
        if self.at(")"):
            self.next()
            return ()
        if self.at("void") and self.at(")", 1):
            self.next()
            self.next()
            return ()
        while True:
            t = self.peek()
            start = t[2] if t else self.end
            ty = self.type_words()
            ptr = self.stars()
            while self.at("volatile") or self.at("const"):
                ty += " " + self.next()[1]
            if not ty:
                bad = self.peek()
                if bad is not None:
                    raise self.src.error(
                        f"expected a parameter like 'int *x', found {bad[1]!r}", bad[2],
                        len(bad[1]))
            name, off = self.name("a parameter name")
            full = ty + " " + "*" * ptr if ptr else ty
            out.append(Param(full.strip(), name, self.span(start, off + len(name) - start)))
            if self.at(","):
                self.next()
                continue
            self.expect(")")
            return tuple(out)

    # -- statements --------------------------------------------------------------------

    def block(self) -> Block:
        _, _, off = self.expect("{")
        body: list[Stmt] = []
        while not self.at("}"):
            if self.peek() is None:
                raise self.src.error("'{' is never closed: expected '}'", off)
            body.extend(self.statement())
        self.next()
        return Block(tuple(body), self.span(off))

    def statement(self) -> list[Stmt]:
        t = self.peek()
        assert t is not None
        kind, text, off = t
        if text == "{" and kind == "op":
            return [self.block()]
        if text == ";" and kind == "op":
            self.next()
            return []
        if kind == "name" and text in _UNSUPPORTED_STMTS:
            raise Unsupported(f"{_UNSUPPORTED_STMTS[text]}", self.span(off, len(text)))
        if kind == "name" and text == "if":
            self.next()
            self.expect("(")
            cond = self.expr()
            self.expect(")")
            then = self.sub_statement()
            orelse = None
            if self.at("else"):
                self.next()
                orelse = self.sub_statement()
            return [If(cond, then, orelse, self.span(off, 2))]
        if kind == "name" and text == "while":
            self.next()
            self.expect("(")
            cond = self.expr()
            self.expect(")")
            body = self.sub_statement()
            return [While(cond, body, self.span(off, 5))]
        if kind == "name" and text == "else":
            raise self.src.error("'else' without an 'if'", off, 4)
        if self.at_type():
            return self.declaration()
        e = self.expr()
        if self.at("="):
            eq = self.next()
            value = self.expr()
            self.expect(";")
            if isinstance(e, Var):
                return [Assign(e.name, value, self.span(off, len(text)))]
            if isinstance(e, Deref):
                return [Store(e.addr, value, self.span(off, len(text)))]
            raise self.src.error("cannot assign to this: expected a local 'r0' or '*x'",
                                 off, max(1, eq[2] - off))
        t2 = self.peek()
        if t2 is None or t2[1] != ";":
            if t2 is None:
                raise self.src.error("expected ';' but the thread ends", max(0, self.end - 1))
            raise self.src.error(f"expected ';' but found {t2[1]!r}", t2[2], len(t2[1]))
        self.next()
        return [ExprStmt(e, self.span(off, len(text)))]

    def sub_statement(self) -> Stmt:
        """The body of an if/else/while: one statement (a declaration is a block of it)."""
        t = self.peek()
        if t is None:
            raise self.src.error("expected a statement but the thread ends",
                                 max(0, self.end - 1))
        stmts = self.statement()
        if len(stmts) == 1:
            return stmts[0]
        return Block(tuple(stmts), self.span(t[2]))

    def declaration(self) -> list[Stmt]:
        t = self.peek()
        assert t is not None
        ty = self.type_words()
        out: list[Stmt] = []
        while True:
            ptr = self.stars()
            name, off = self.name("a variable name")
            init = None
            if self.at("["):
                raise Unsupported("local arrays", self.span(off, len(name)))
            if self.at("="):
                self.next()
                init = self.expr()
            full = ty + " " + "*" * ptr if ptr else ty
            out.append(Decl(full.strip(), name, init, self.span(off, len(name))))
            if self.at(","):
                self.next()
                continue
            self.expect(";")
            return out

    # -- expressions -------------------------------------------------------------------

    def expr(self, min_prec: int = 0) -> Expr:
        """Precedence climbing over C's binary operators (all left-associative)."""
        left = self.unary()
        toks = self.toks
        while self.i < len(toks):
            kind, text, off = toks[self.i]
            prec = _PREC.get(text) if kind == "op" else None
            if prec is None or prec < min_prec:
                break
            self.i += 1
            right = self.expr(prec + 1)
            left = BinOp(text, left, right, self.span(off, len(text)))
        return left

    def unary(self) -> Expr:
        kind, text, off = self.next("an expression")
        if kind == "num":
            return Const(number(text), self.span(off, len(text)))
        if kind == "op" and text == "*":
            return Deref(self.unary(), self.span(off))
        if kind == "op" and text == "&":
            name, noff = self.name("a shared variable after '&'")
            return AddrOf(name, self.span(off, noff + len(name) - off))
        if kind == "op" and text == "-":
            t = self.peek()
            if t is not None and t[0] == "num" and t[2] == off + 1:
                self.next()
                return Const(-number(t[1]), self.span(off, len(t[1]) + 1))
            return UnOp("-", self.unary(), self.span(off))
        if kind == "op" and text in ("!", "~"):
            return UnOp(text, self.unary(), self.span(off))
        if kind == "op" and text == "(":
            if self.at_type():  # a cast: '(int) e', '(void) e', '(int *) e'
                self.type_words()
                self.stars()
                self.expect(")")
                return self.unary()
            e = self.expr()
            self.expect(")")
            return e
        if kind == "name":
            if self.at("("):
                return self.call(text, off)
            return Var(text, self.span(off, len(text)))
        raise self.src.error(f"expected an expression but found {text!r}", off, len(text))

    def call(self, name: str, off: int) -> Expr:
        self.expect("(")
        args: list[Expr] = []
        if not self.at(")"):
            while True:
                args.append(self.expr())
                if self.at(","):
                    self.next()
                    continue
                break
        self.expect(")")
        span = self.span(off, len(name))
        arity = PRIMITIVES.get(name)
        if arity is None:
            raise Unsupported(f"primitive {name!r} is not supported", span)
        if arity != len(args):
            raise self.src.error(
                f"{name} takes {arity} argument{'s' if arity != 1 else ''}, found {len(args)}",
                off, len(name))
        if name in _LVALUE_FIRST and not isinstance(args[0], Deref):
            raise self.src.error(f"{name} takes an lvalue like '*x' as its first argument",
                                 off, len(name))
        return Call(name, tuple(args), span)


# Primitives whose first argument is an lvalue '*p' (the .def passes it on as is).
_LVALUE_FIRST = frozenset({"READ_ONCE", "WRITE_ONCE", "rcu_dereference", "rcu_assign_pointer",
                           "smp_store_mb"})
