"""Parse herd7's C litmus dialect: ``C NAME``, init block, ``P0(int *x) { ... }`` threads.

The layout of a C test::

    C NAME
    "an optional doc string"  (* and OCaml comments *)
    { int x = 1; int *p = &x; atomic_t a = ATOMIC_INIT(0); spinlock_t s; y=2; 0:r1=3; }
    P0(int *x, spinlock_t *s) { int r0; r0 = READ_ONCE(*x); ... }   // C comments here
    locations [x; 0:r0]   filter (...)   exists (0:r0=1 /\\ x=2)

``(* *)`` comments are comments outside the threads only: inside a thread ``(*x)`` is
C.  The threads are parsed into ``mmcheck.litmus.c_ast``; the condition, ``locations``
and ``filter`` as for the assembly dialects.  A call of anything but a known kernel
primitive (``c_ast``'s ``PRIMITIVES``) marks the test unsupported, naming it and where.
"""

from __future__ import annotations

import re

from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.litmus.ast import And, Cell, Condition, Litmus, Loc, Mem, Prop, Reg, Sym, Value
from mmcheck.litmus.c_ast import (
    PRIMITIVES,
    AddrOf,
    Assign,
    BinOp,
    Block,
    Call,
    Const,
    CProgram,
    CThread,
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
from mmcheck.litmus.split import Chunk, Source, _matching_brace, blank_comments

# -- source positions -------------------------------------------------------------------


_C_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def _blank_c_comments(text: str, start: int, end: int, src: Source) -> str:
    """``text[start:end]`` with ``//`` and ``/* */`` comments blanked."""
    piece = text[start:end]
    open_at = piece.find("/*")
    out = []
    pos = 0
    for m in _C_COMMENT.finditer(piece):
        out.append(piece[pos:m.start()])
        out.append(re.sub(r"[^\n]", " ", m.group()))
        pos = m.end()
    rest = piece[pos:]
    if "/*" in rest:
        open_at = pos + rest.index("/*")
        raise src.error("unterminated comment '/*'", start + open_at, 2)
    out.append(rest)
    del open_at
    return "".join(out)


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


def _is_type_word(w: str) -> bool:
    return w in _TYPE_WORDS or w == "struct" or (w.endswith("_t") and w not in PRIMITIVES)


class _Parser:
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
        return t is not None and t[0] == "name" and _is_type_word(t[1])

    def type_words(self) -> str:
        """Type words up to the declared name (stars stay with the declarator)."""
        words: list[str] = []
        while self.at_type():
            w = self.next()[1]
            words.append(w)
            if w == "struct":
                words.append(self.name("a struct name")[0])
        while self.at("("):  # herd's parenthesised types, '(int) volatile'
            break
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
            return Const(int(text, 0), self.span(off, len(text)))
        if kind == "op" and text == "*":
            return Deref(self.unary(), self.span(off))
        if kind == "op" and text == "&":
            name, noff = self.name("a shared variable after '&'")
            return AddrOf(name, self.span(off, noff + len(name) - off))
        if kind == "op" and text == "-":
            t = self.peek()
            if t is not None and t[0] == "num" and t[2] == off + 1:
                self.next()
                return Const(-int(t[1], 0), self.span(off, len(t[1]) + 1))
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

# -- the whole test ----------------------------------------------------------------------

_KEYWORD = re.compile(r"(~\s*exists|exists|forall|locations|filter)\b")
_THREAD = re.compile(r"(?:void\s*\*?\s*)?P(\d+)\s*(?=\()")
_INFO = re.compile(r"[ \t]*([A-Za-z][\w.\-]*)[ \t]*=([^\n]*)")


def is_c_header(text: str) -> bool:
    """Whether the test's header names the C dialect (``C NAME``)."""
    m = re.match(r"\s*C\s", text)
    return m is not None


def parse_c(text: str, path: str) -> Litmus:
    """Parse a C litmus test (raises UserError with a position)."""
    from mmcheck.litmus.dialects import dialect_for
    from mmcheck.litmus.parse import CondParser, _Typing, litmus_name, parse_locations

    dialect = dialect_for("C")
    assert dialect is not None
    raw = Source(text.replace("(*", "( "))  # positions only
    raw.original = text
    n = len(text)
    m = re.match(r"\s*", text)
    assert m is not None
    pos = m.end()
    eol = text.find("\n", pos)
    eol = n if eol < 0 else eol
    parts = text[pos:eol].split()
    if len(parts) < 2:
        raise raw.error("header must be 'C NAME'", pos, max(1, len(text[pos:eol].strip())))
    name = parts[1]
    header_end = eol

    # Everything outside the threads may hold (* *) comments.
    outside, open_at = blank_comments(text[header_end:])
    blanked = text[:header_end] + outside
    # Find the init block's braces in the blanked text.
    description = ""
    info: list[tuple[str, str]] = []
    pos = header_end
    while True:
        m = re.compile(r"\s*").match(blanked, pos)
        assert m is not None
        pos = m.end()
        if pos >= n:
            break
        if blanked[pos] == '"':
            close = blanked.find('"', pos + 1)
            if close < 0:
                raise raw.error("unterminated doc string", pos)
            description = blanked[pos + 1:close]
            pos = close + 1
            continue
        if blanked[pos] == "{":
            break
        mi = _INFO.match(blanked, pos)
        if mi is not None:
            info.append((mi.group(1), mi.group(2).strip()))
            pos = mi.end()
            continue
        if open_at >= 0 and pos >= header_end + open_at:
            raise raw.error("unterminated comment '(*'", header_end + open_at, 2)
        raise raw.error("expected the init block '{ ... }'", pos)
    if pos >= n:
        if open_at >= 0:
            raise raw.error("unterminated comment '(*'", header_end + open_at, 2)
        raise raw.error("truncated test: the file ends before the init block '{ ... }'",
                        max(0, len(text.rstrip()) - 1))
    init_open = pos
    init_close = _matching_brace(blanked, init_open)
    if init_close < 0:
        raise raw.error("init block '{' is never closed", init_open)
    init_text = _blank_c_comments(blanked, init_open + 1, init_close, raw)

    # Threads: from the init block to the first condition keyword outside a thread body.
    threads: list[CThread] = []
    unsupported: str | None = None
    pos = init_close + 1
    keyword_at = n
    while True:
        pos = _skip_between(text, pos, raw)
        if pos >= n:
            break
        if _KEYWORD.match(text, pos) is not None:
            keyword_at = pos
            break
        tm = _THREAD.match(text, pos)
        if tm is None:
            word = re.match(r"\S+", text[pos:])
            w = word.group() if word else text[pos]
            raise raw.error(f"expected a thread 'P{len(threads)}(...) {{ ... }}' or the final "
                            f"condition, found {w[:20]!r}", pos, len(w[:20]))
        proc = int(tm.group(1))
        if proc != len(threads):
            raise raw.error(f"threads must be P0, P1, ... in order; found P{proc}",
                            tm.start(1) - 1, len(tm.group(1)) + 1)
        lb = text.find("{", tm.end())
        rp = text.find(")", tm.end())
        if lb < 0 or rp < 0 or rp > lb:
            raise raw.error(f"expected 'P{proc}(...) {{ ... }}'", pos, len(tm.group()))
        rb = _matching_brace_c(text, lb, raw)
        code = _blank_c_comments(text, tm.end(), rb + 1, raw)
        p = _Parser(code, tm.end(), raw)
        try:
            params = p.params()
            body = p.block()
            extra_tok = p.peek()
            if extra_tok is not None:
                raise raw.error(f"unexpected {extra_tok[1]!r} after the thread", extra_tok[2])
        except Unsupported as exc:
            if unsupported is None:
                at = exc.span
                where = f" (line {at.line}, column {at.col})" if at else ""
                unsupported = exc.message + where
            params, body = (), Block((), raw.span(lb))
        threads.append(CThread(proc, params, body, raw.span(pos, len(tm.group()))))
        pos = rb + 1
    tail, tail_open = blank_comments(text[keyword_at:])
    if tail_open >= 0:
        raise raw.error("unterminated comment '(*'", keyword_at + tail_open, 2)
    if not threads:
        raise raw.error("no threads: expected 'P0(...) { ... }'", min(pos, max(0, n - 1)))
    blanked = text[:keyword_at] + tail
    src = raw
    nthreads = len(threads)

    arrays: dict[str, tuple[str, int]] = {}
    try:
        init, types = _parse_init(init_text, init_open + 1, src, dialect, nthreads)
    except Unsupported as exc:
        init, types = (), ()
        if unsupported is None:
            at = exc.span
            unsupported = exc.message + (f" (line {at.line}, column {at.col})" if at else "")
    # Every thread parameter names a shared location (0 unless the init block says).
    declared = {loc.name for loc, _ in init if isinstance(loc, Mem)}
    extra: list[tuple[Loc, Value]] = []
    for th in threads:
        for prm in th.params:
            if prm.name not in declared:
                declared.add(prm.name)
                extra.append((Mem(prm.name), 0))
    init = init + tuple(extra)

    # locations / filter / condition
    locations: tuple[Loc, ...] = ()
    filt: Prop | None = None
    condition: Chunk | None = None
    quantifier = ""
    typing = _Typing(dict(types), arrays, dialect)
    km2 = _KEYWORD.search(blanked, keyword_at) if keyword_at < n else None
    while km2 is not None:
        kw = re.sub(r"\s+", "", km2.group(1))
        body_start = km2.end()
        nxt = _KEYWORD.search(blanked, body_start)
        body_end = nxt.start() if nxt else n
        chunk = Chunk(blanked[body_start:body_end], body_start)
        if kw == "locations":
            locations = parse_locations(chunk, src, dialect, nthreads, arrays)
        elif kw == "filter":
            filt = typing.prop(CondParser(chunk, src, dialect, nthreads, arrays).parse_all())
        else:
            if condition is not None:
                raise src.error("a second final condition", km2.start(1), len(km2.group(1)))
            quantifier = kw
            condition = chunk
        km2 = nxt
    if condition is None:
        if not locations:
            raise UserError("truncated test: no final condition (exists, ~exists or forall)",
                            src.span(max(0, len(text.rstrip()) - 1)))
        prop: Prop = And(())
        quantifier = "forall"
        cond_span = src.span(keyword_at)
    else:
        prop = typing.prop(CondParser(condition, src, dialect, nthreads, arrays).parse_all())
        cond_span = src.span(condition.offset)
    program = CProgram(tuple(threads))
    return Litmus(
        arch="C",
        name=litmus_name(name),
        path=path,
        description=description,
        info=tuple(info),
        init=init,
        types=types,
        threads=tuple((th_cell(th),) for th in threads),
        thread_names=tuple(f"P{k}" for k in range(nthreads)),
        locations=locations,
        filter=filt,
        condition=Condition(quantifier, prop),
        source=text,
        condition_span=cond_span,
        unsupported=unsupported,
        program=program,
    )


def _skip_between(text: str, pos: int, src: Source) -> int:
    """Skip blanks and comments of all three kinds between threads."""
    n = len(text)
    while pos < n:
        m = re.compile(r"\s+").match(text, pos)
        if m is not None:
            pos = m.end()
            continue
        if text.startswith("//", pos) or text.startswith("/*", pos):
            cm = _C_COMMENT.match(text, pos)
            if cm is None:
                raise src.error("unterminated comment '/*'", pos, 2)
        elif text.startswith("(*", pos):
            k = _comment_end(text, pos)
            if k < 0:
                raise src.error("unterminated comment '(*'", pos, 2)
            pos = k
            continue
        else:
            return pos
        pos = cm.end()
    return pos


def _comment_end(text: str, pos: int) -> int:
    """The end of the (nested) OCaml comment opening at ``pos``."""
    depth = 0
    k = pos
    while k < len(text):
        if text.startswith("(*", k):
            depth += 1
            k += 2
            continue
        if text.startswith("*)", k):
            depth -= 1
            k += 2
            if depth == 0:
                return k
            continue
        k += 1
    return -1


def th_cell(th: CThread) -> Cell:
    return Cell(f"P{th.proc}", th.span)


def _matching_brace_c(text: str, start: int, src: Source) -> int:
    """The '}' closing the '{' at ``start``, skipping C comments."""
    depth = 0
    k = start
    n = len(text)
    while k < n:
        c = text[k]
        if c == "/" and text.startswith("//", k):
            e = text.find("\n", k)
            k = n if e < 0 else e
            continue
        if c == "/" and text.startswith("/*", k):
            e = text.find("*/", k + 2)
            if e < 0:
                raise src.error("unterminated comment '/*'", k, 2)
            k = e + 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return k
        k += 1
    raise src.error("'{' is never closed: expected '}'", start)


# -- the init block ------------------------------------------------------------------------

_INIT_ENTRY = re.compile(
    r"\s*(?P<type>(?:(?:struct\s+\w+|[A-Za-z_]\w*)\s*\**\s+)*?)"
    r"(?P<stars>\**)\s*(?P<loc>\d+\s*:\s*[A-Za-z_]\w*|[A-Za-z_]\w*)\s*"
    r"(?:=\s*(?P<value>.*?))?\s*$",
    re.S,
)


def _parse_init(
    text: str, offset: int, src: Source, dialect: object, nthreads: int
) -> tuple[tuple[tuple[Loc, Value], ...], tuple[tuple[Loc, str], ...]]:
    """``int x = 1; int *p = &x; atomic_t a = ATOMIC_INIT(0); spinlock_t s; y=2; 0:r1=3;``."""
    entries: list[tuple[Loc, Value]] = []
    types: list[tuple[Loc, str]] = []
    pos = 0
    for piece in _split_init(text):
        start = offset + pos
        pos += len(piece) + 1
        body = piece.strip()
        if not body:
            continue
        lead = len(piece) - len(piece.lstrip())
        at = start + lead
        m = _INIT_ENTRY.fullmatch(piece)
        if m is None or "[" in body:
            if "[" in body:
                raise Unsupported(f"arrays ({body!r})", src.span(at, len(body)))
            raise src.error(f"expected a declaration like 'int x = 1' in the init block, "
                            f"found {body!r}", at, len(body))
        ty = " ".join(m.group("type").split())
        if m.group("stars"):
            ty = (ty + " " + m.group("stars")).strip()
        loc_text = re.sub(r"\s+", "", m.group("loc"))
        loc_at = offset + pos - len(piece) - 1 + m.start("loc")
        rm = re.fullmatch(r"(\d+):(\w+)", loc_text)
        loc: Loc
        if rm is not None:
            thread = int(rm.group(1))
            if thread >= nthreads:
                raise src.error(f"thread {thread} does not exist (the test has {nthreads})",
                                loc_at, len(loc_text))
            loc = Reg(thread, rm.group(2))
        else:
            if _is_type_word(loc_text) or loc_text in ("struct",):
                raise src.error(f"expected a variable name after the type in {body!r}",
                                at, len(body))
            loc = Mem(loc_text)
        if ty:
            types.append((loc, ty))
        vtext = m.group("value")
        if vtext is None:
            entries.append((loc, 0))
            continue
        v = _init_value(vtext.strip())
        if v is None:
            voff = offset + pos - len(piece) - 1 + m.start("value")
            raise src.error(f"bad initial value {vtext.strip()!r}", voff,
                            max(1, len(vtext.strip())))
        if isinstance(loc, Mem) and isinstance(v, int) and "*" not in ty:
            from mmcheck.litmus.parse import as_type

            v = as_type(v, ty or None)
        entries.append((loc, v))
    return tuple(entries), tuple(types)


def _split_init(text: str) -> list[str]:
    """Init entries: split on ';' outside braces."""
    out, depth, start = [], 0, 0
    for k, ch in enumerate(text):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ";" and depth == 0:
            out.append(text[start:k])
            start = k + 1
    out.append(text[start:])
    return out


def _init_value(t: str) -> Value | None:
    m = re.fullmatch(r"ATOMIC_INIT\s*\(\s*(.*?)\s*\)", t)
    if m:
        t = m.group(1)
    if re.fullmatch(r"[+-]?(0[xX][0-9a-fA-F]+|\d+)", t):
        return int(t, 0)
    m = re.fullmatch(r"&?\s*([A-Za-z_]\w*)", t)
    if m:
        return Sym(m.group(1))
    return None


def c_syntax_error(text: str, path: str) -> UserError | None:  # pragma: no cover - helper
    try:
        parse_c(text, path)
    except UserError as err:
        return err
    return None
