"""Parse herd7's C litmus dialect: ``C NAME``, init block, ``P0(int *x) { ... }`` threads.

The layout of a C test::

    C NAME
    "an optional doc string"  (* and OCaml comments *)
    { int x = 1; int *p = &x; atomic_t a = ATOMIC_INIT(0); spinlock_t s; y=2; 0:r1=3; }
    P0(int *x, spinlock_t *s) { int r0; r0 = READ_ONCE(*x); ... }   // C comments here
    locations [x; 0:r0]   filter (...)   exists (0:r0=1 /\\ x=2)

``(* *)`` comments are comments outside the threads only: inside a thread ``(*x)`` is
C.  The threads are parsed (by ``mmcheck.litmus.c_code``) into ``mmcheck.litmus.c_ast``;
the condition, ``locations`` and ``filter`` as for the assembly dialects.  A call of
anything but a known kernel primitive (``c_ast``'s ``PRIMITIVES``) marks the test
unsupported, naming it and where.
"""

from __future__ import annotations

import re

from mmcheck.errors import Unsupported
from mmcheck.litmus.ast import And, Cell, Condition, Litmus, Loc, Mem, Prop, Reg, Sym, Value
from mmcheck.litmus.c_ast import (
    Block,
    CProgram,
    CThread,
)
from mmcheck.litmus.c_code import CodeParser, is_type_word
from mmcheck.litmus.locations import number
from mmcheck.litmus.split import (
    _SEPARATORS,
    _STRAY,
    Chunk,
    Source,
    _matching_brace,
    blank,
    blank_comments,
)

# -- source positions -------------------------------------------------------------------


_C_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def _blank_c_comments(text: str, start: int, end: int, src: Source) -> str:
    """``text[start:end]`` with ``//`` and ``/* */`` comments blanked (newlines kept)."""
    piece = text[start:end]
    if "/" not in piece:
        return piece
    out = []
    pos = 0
    for m in _C_COMMENT.finditer(piece):
        out.append(piece[pos:m.start()])
        out.append(blank(m.group()))
        pos = m.end()
    rest = piece[pos:]
    if "/*" in rest:
        raise src.error("unterminated comment '/*'", start + pos + rest.index("/*"), 2)
    out.append(rest)
    return "".join(out)


# -- the whole test ----------------------------------------------------------------------

_KEYWORD = re.compile(r"(~\s*exists|exists|forall|locations|filter)\b")
_THREAD = re.compile(r"(?:void\s*\*?\s*)?P(\d+)\s*(?=\()")
_INFO = re.compile(r"[ \t]*([A-Za-z][\w.\-]*)[ \t]*=([^\n]*)")
_SPACE = re.compile(r"\s*")


def parse_c(text: str, path: str) -> Litmus:
    """Parse a C litmus test (raises UserError with a position)."""
    from mmcheck.litmus.condition import CondParser
    from mmcheck.litmus.dialects import dialect_for
    from mmcheck.litmus.locations import Typing, parse_locations
    from mmcheck.litmus.parse import litmus_name

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
        m = _SPACE.match(blanked, pos)
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
        eol = blanked.find("\n", pos)
        eol = n if eol < 0 else eol
        if not _SEPARATORS.search(blanked, pos, eol) and _STRAY.match(blanked, eol):
            pos = eol  # a stray line before the init block: herd7 skips it, as in split.py
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
        p = CodeParser(code, tm.end(), raw)
        try:
            params = p.params()
            body = p.block()
            extra_tok = p.peek()
            if extra_tok is not None:
                raise raw.error(f"unexpected {extra_tok[1]!r} after the thread", extra_tok[2])
        except Unsupported as exc:
            unsupported = unsupported or exc.reason()
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
        unsupported = unsupported or exc.reason()
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
    typing = Typing(dict(types), arrays, dialect)
    km2 = _KEYWORD.search(blanked, keyword_at) if keyword_at < n else None
    while km2 is not None:
        kw = "".join(km2.group(1).split())
        body_start = km2.end()
        nxt = _KEYWORD.search(blanked, body_start)
        body_end = nxt.start() if nxt else n
        chunk = Chunk(blanked[body_start:body_end], body_start)
        if kw == "locations":
            locations = parse_locations(chunk, src, dialect, nthreads, arrays)
        elif kw == "filter":
            try:
                filt = typing.prop(CondParser(chunk, src, dialect, nthreads, arrays).parse_all())
            except Unsupported as exc:
                unsupported = unsupported or exc.reason()
        else:
            if condition is not None:
                raise src.error("a second final condition", km2.start(1), len(km2.group(1)))
            quantifier = kw
            condition = chunk
        km2 = nxt
    if condition is None:  # herd7 lists the final states under 'forall (true)'
        prop: Prop = And(())
        quantifier = "forall"
        cond_span = src.span(keyword_at if locations else max(0, len(text.rstrip()) - 1))
    else:
        try:
            prop = typing.prop(CondParser(condition, src, dialect, nthreads, arrays).parse_all())
        except Unsupported as exc:
            prop, unsupported = And(()), unsupported or exc.reason()
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
        loc_text = "".join(m.group("loc").split())
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
            if is_type_word(loc_text) or loc_text in ("struct",):
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
            from mmcheck.litmus.locations import as_type

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
        return number(t)
    m = re.fullmatch(r"&?\s*([A-Za-z_]\w*)", t)
    if m:
        return Sym(m.group(1))
    return None
