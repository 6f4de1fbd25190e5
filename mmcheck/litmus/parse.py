"""Parse a split litmus file: init block, locations, filter and final condition.

The thread cells are kept as text with spans; the dialect of the test's
architecture compiles them (see ``mmcheck.litmus.dialects``).
"""

from __future__ import annotations

import re

from mmcheck import TYPE_CHECKING
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
from mmcheck.litmus.split import Chunk, Sections, Source, split

if TYPE_CHECKING:
    from os import PathLike

_TYPE_NAMES = {
    "int", "char", "short", "long", "unsigned", "signed",
    "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t", "uint32_t",
    "uint64_t", "intptr_t", "uintptr_t", "atomic_int", "_Atomic", "volatile", "const",
    "int128_t", "uint128_t",
}
_NUMBER = re.compile(r"[+-]?(0x[0-9a-fA-F]+|\d+)")
_NAME = re.compile(r"[A-Za-z_][\w.]*")


def parse_file(path: str | PathLike[str]) -> Litmus:
    """Read and parse one litmus file; errors carry ``path``."""
    try:
        with open(path, "rb") as f:
            data = f.read()
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
    """Parse litmus source; a UserError names ``path`` (unless it is ``<input>``)."""
    try:
        return _parse_text(text, path)
    except UserError as err:
        if err.path or path == "<input>":
            raise
        raise err.with_path(path) from None


def _parse_text(text: str, path: str) -> Litmus:
    from mmcheck.litmus.c import is_c_header, parse_c

    if is_c_header(text):
        return parse_c(text, path)
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
    for chunk in (sec.init, sec.locations, sec.filter, sec.condition):
        if chunk is not None and not unsupported:
            _out_of_scope(chunk, src, unsupported, dialect, chunk is sec.init)
    if unsupported:
        return _unsupported_test(sec, src, text, path, unsupported[0])
    arrays: dict[str, tuple[str, int]] = {}
    init, types = (
        parse_init(sec.init, src, dialect, nthreads, unsupported, arrays)
        if sec.init else ((), ())
    )
    threads: list[list[Cell]] = [[] for _ in range(nthreads)]
    for row in sec.rows:
        for k, chunk in enumerate(row):
            if chunk.text.strip():
                lead = len(chunk.text) - len(chunk.text.lstrip())
                threads[k].append(Cell(chunk.text.strip(), src.span(chunk.offset + lead)))
    locations: tuple[Loc, ...] = ()
    if sec.locations is not None:
        locations = parse_locations(sec.locations, src, dialect, nthreads, arrays)
    filt = None
    typing = _Typing(dict(types), arrays, dialect)
    if sec.filter is not None:
        filt = typing.prop(CondParser(sec.filter, src, dialect, nthreads, arrays).parse_all())
    quantifier = sec.quantifier
    if sec.condition is None:
        if sec.locations is None:
            raise UserError(
                "truncated test: no final condition (exists, ~exists or forall)",
                src.span(max(0, len(text.rstrip()) - 1)),
            )
        # Only 'locations': herd7 lists the final states under 'forall (true)'.
        prop: Prop = And(())
        quantifier = "forall"
        condition_span = src.span(sec.locations.offset)
    else:
        prop = CondParser(sec.condition, src, dialect, nthreads, arrays).parse_all()
        prop = typing.prop(prop)
        condition_span = src.span(sec.condition.offset)
    return Litmus(
        arch=sec.arch,
        name=litmus_name(sec.name),
        path=path,
        description=sec.description,
        info=sec.info,
        init=init,
        types=types,
        threads=tuple(tuple(c) for c in threads),
        thread_names=tuple(c.text.strip() for c in sec.thread_header),
        locations=locations,
        filter=filt,
        condition=Condition(quantifier, prop),
        source=text,
        condition_span=condition_span,
        unsupported=unsupported[0] if unsupported else None,
        arrays=tuple((name, ty, n) for name, (ty, n) in arrays.items()),
    )


def _unsupported_test(sec: Sections, src: Source, text: str, path: str, reason: str
                      ) -> Litmus:
    """A well-formed test using a feature out of mmcheck's scope: kept, marked unsupported."""
    quantifier = sec.quantifier or "forall"
    at = sec.condition or sec.locations
    return Litmus(
        arch=sec.arch,
        name=litmus_name(sec.name),
        path=path,
        description=sec.description,
        info=sec.info,
        init=(),
        types=(),
        threads=tuple(() for _ in sec.thread_header),
        thread_names=tuple(c.text.strip() for c in sec.thread_header),
        locations=(),
        filter=None,
        condition=Condition(quantifier, And(())),
        source=text,
        condition_span=src.span(at.offset) if at is not None else None,
        unsupported=reason,
    )


_SYMBOLIC = re.compile(r"%[A-Za-z_]\w*")
# A symbolic register as an init entry's location: '%r = x', 'uint64_t %r = x'.
_SYMBOLIC_DECL = re.compile(r"(?:^|[;{])\s*(?:[A-Za-z_]\w*\s+)*%[A-Za-z_]\w*\s*(?=[=;]|$)")
_INSTRUCTIONS = re.compile(r"\bins_t\b(?!\s*\*)|\binstr\s*:\s*\"")
_SYSREG = re.compile(r"(?i)\bP?\d+\s*:\s*(?P<name>VNCR_EL2|ELR_EL\d|SPSR_EL\d|TTBR\d_EL\d|"
                     r"[A-Z]+_EL\d)\b")
_CODE_LABEL = re.compile(r"\bP\d+\s*:\s*(?P<label>[A-Za-z_.][\w.]*)")
_POINTER = re.compile(r"(?<![\w\]])\*\s*(?:P?\d+\s*:\s*)?[A-Za-z_]\w*")

# Features of herd7's litmus language that mmcheck reads but does not model, found in
# the init block, 'locations', the filter or the condition: (pattern, what it is).
_OUT_OF_SCOPE: tuple[tuple[re.Pattern[str], str], ...] = (
    (_INSTRUCTIONS,
     "instructions as values (ins_t, instr:\"...\"; herd7 runs code that reads or writes "
     "instructions under its 'ifetch' variant)"),
    (re.compile(r"(?i)\bfault\s*\("),
     "faults in the condition (Fault(...); herd7 runs faulting tests only under its "
     "'vmsa', 'memtag' or 'fatal' variants)"),
    (re.compile(r"\b(?:PTE|PA|TTD|TLB|AF|DB|OA)\s*\("),
     "page-table entries (PTE(...); VMSA: herd7 runs them only under its 'vmsa' variant)"),
    (_SYMBOLIC, "symbolic registers ('%name')"),
    (_POINTER, "pointers ('*p')"),
    (_SYSREG,
     "system registers that neither herd7 7.57 nor mmcheck models"),
    (_CODE_LABEL, "code labels as values ('P1:L0')"),
    (re.compile(r"=\s*(?!P\d+\s*:)[A-Za-z_]\w*\s*:\s*[A-Za-z_]\w*"),
     "memory tags ('x:red'; MTE: herd7 runs them only under its 'memtag' variant)"),
)
# What each pattern above cannot match without (in lower case): most chunks hold none
# of them, and so skip that pattern's search.
_NEEDS: tuple[tuple[str, ...], ...] = (("ins_t", "instr"), ("fault",), ("(",), ("%",),
                                       ("*",), ("_el",), ("p",), (":",))


def _out_of_scope(chunk: Chunk, src: Source, found: list[str], dialect: Dialect,
                  init: bool = False) -> None:
    best: tuple[int, int, str] | None = None
    low = chunk.text.lower()
    for (pat, what), needs in zip(_OUT_OF_SCOPE, _NEEDS, strict=True):
        if not any(n in low for n in needs):
            continue
        if pat is _SYSREG and all(dialect.canon_reg(m.group("name")) is not None
                                  for m in pat.finditer(chunk.text)):
            continue  # system registers the dialect reads
        if pat is _INSTRUCTIONS and getattr(dialect, "instruction_values", False):
            continue  # instructions as values, read from code but never written there
        if init and pat is _CODE_LABEL and getattr(dialect, "code_labels", False):
            continue  # '0:X8=P1:Ldec': the dialect runs the call into that code
        if init and pat is _POINTER:
            continue  # 'int *p = &x' declares a location holding an address: read
        if pat is _SYMBOLIC and getattr(dialect, "symbolic_registers", False) \
                and chunk.text.count("%") == len(_SYMBOLIC_DECL.findall(chunk.text)):
            continue  # '%r = x' in the init block: the dialect allocates a register

        # 'P0:EAX' names a register (herd7 reads it as '0:EAX'); 'P1:L0' a code label.
        m = next((m for m in pat.finditer(chunk.text) if "label" not in pat.groupindex
                  or dialect.canon_reg(m.group("label")) is None), None)
        if m is not None and (best is None or m.start() < best[0]):
            best = (m.start(), m.end(), what)
    if best is None:
        return
    start, end, what = best
    span = src.span(chunk.offset + start, end - start)
    found.append(f"{what}: {chunk.text[start:end].strip()!r} "
                 f"(line {span.line}, column {span.col})")


# -- typed values ----------------------------------------------------------------------

_C_TYPES = {"int8_t": (8, True), "uint8_t": (8, False), "char": (8, True),
            "int16_t": (16, True), "uint16_t": (16, False), "short": (16, True),
            "int32_t": (32, True), "uint32_t": (32, False), "int": (32, True),
            "int64_t": (64, True), "uint64_t": (64, False), "long": (64, True),
            "unsigned": (32, False), "unsigned int": (32, False),
            "unsigned long": (64, False), "intptr_t": (64, True), "uintptr_t": (64, False),
            "atomic_int": (32, True), "_Atomic int": (32, True)}


def c_type(ty: str | None) -> tuple[int, bool] | None:
    """Bits and signedness of a C type name, or None when mmcheck does not know it."""
    if ty is None:
        return None
    return _C_TYPES.get(" ".join(w for w in ty.split() if w not in ("volatile", "const")))


def as_type(v: int, ty: str | None) -> int:
    """``v`` as a value of type ``ty`` (unknown types leave it alone)."""
    t = c_type(ty)
    if t is None:
        return v
    bits, signed = t
    v &= (1 << bits) - 1
    return v - (1 << bits) if signed and v >> (bits - 1) else v


class _Typing:
    """Condition constants as the location's type holds them (herd7 compares so)."""

    def __init__(self, types: dict[Loc, str], arrays: dict[str, tuple[str, int]],
                 dialect: Dialect) -> None:
        self.types = types
        self.arrays = arrays
        self.dialect = dialect

    def value(self, loc: Loc, v: Value) -> Value | None:
        if isinstance(loc, Mem) and loc.array and isinstance(v, Sym):
            elem = self.arrays[loc.name][0]
            items = [int(x, 0) for x in v.name[1:-1].split(",") if x.strip()]
            return Sym("{" + ",".join(str(as_type(x, elem)) for x in items) + "}")
        if not isinstance(v, int):
            return None
        ty = self.types.get(loc)
        if isinstance(loc, Reg) or c_type(ty) is None:
            hook = getattr(self.dialect, "typed_value", None)
            if hook is not None:
                out = hook(v, ty)
                assert isinstance(out, int)
                return out
        return as_type(v, ty) if c_type(ty) is not None else None

    def prop(self, p: Prop) -> Prop:
        if isinstance(p, Atom):
            key = self.value(p.loc, p.value)
            return p if key is None or key == p.value else \
                Atom(p.loc, p.value, p.span, key)
        if isinstance(p, Not):
            return Not(self.prop(p.arg))
        if isinstance(p, And):
            return And(tuple(self.prop(a) for a in p.args))
        if isinstance(p, Or):
            return Or(tuple(self.prop(a) for a in p.args))
        return Implies(self.prop(p.left), self.prop(p.right))


def litmus_name(header_name: str) -> str:
    """The test's name: herd7 drops a ``.litmus`` suffix written in the header."""
    return header_name.removesuffix(".litmus")


_INSTR = re.compile(r'instr\s*:\s*"([^"]*)"')


def instr_value(text: str) -> Sym:
    """An instruction as a value, named as herd7 prints it: ``instr:"ADD W0,W0,#1"``."""
    op, _, args = " ".join(text.split()).partition(" ")
    args = ",".join(a.strip() for a in args.split(",")) if args else ""
    return Sym(f'instr:"{op} {args}"' if args else f'instr:"{op}"')


def _parse_value(text: str, arrays: dict[str, tuple[str, int]] | None = None) -> Value | None:
    t = text.strip()
    m = _INSTR.fullmatch(t)
    if m is not None:
        return instr_value(m.group(1))
    if t in ("NOP", "nop"):  # herd7 reads NOP as the instruction
        return instr_value("NOP")
    if _NUMBER.fullmatch(t):
        v = int(t, 16) if "0x" in t else int(t, 10)
        if "0x" in t and 1 << 63 <= v < 1 << 64:
            v -= 1 << 64  # herd7 reads constants as 64-bit signed integers
        return v
    if _NAME.fullmatch(t):
        return Sym(t)
    m = _CELL.fullmatch(t)
    if m and arrays is not None and m.group(1) in arrays:
        # herd7 reads 'x[k]' as a value as the address k bytes into x.
        return Sym(m.group(1), int(m.group(2)))
    m = _BRACED.fullmatch(t)
    if m and arrays is not None:
        items = [x.strip() for x in m.group(1).split(",") if x.strip()]
        if all(_NUMBER.fullmatch(x) for x in items):
            return Sym("{" + ",".join(str(int(x, 0)) for x in items) + "}")
    return None


_CELL = re.compile(r"([A-Za-z_]\w*)\s*\[\s*(\d+)\s*\]")
_TYPE_T = re.compile(r"[A-Za-z_]\w*_t")
_LABEL_VALUE = re.compile(r"P(\d+)\s*:\s*([A-Za-z_.][\w.]*)")
_BRACED = re.compile(r"\{([^{}]*)\}")
_SYMBOLIC_REG = re.compile(r"%[A-Za-z_]\w*")
_THREAD_REG = re.compile(r"P?(\d+)\s*:\s*([A-Za-z_][\w]*)")
_BRACKETED = re.compile(r"\[\s*([A-Za-z_][\w]*)\s*\]")


def _parse_loc(
    text: str, dialect: Dialect, nthreads: int, src: Source, offset: int,
    arrays: dict[str, tuple[str, int]] | None = None,
) -> Loc:
    t = text.strip()
    if t.startswith("%") and getattr(dialect, "symbolic_registers", False) \
            and _SYMBOLIC_REG.fullmatch(t):
        return Reg(-1, t)  # a symbolic register: its thread is where the code uses it
    m = _THREAD_REG.fullmatch(t)
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
    arrays = arrays or {}
    m = _CELL.fullmatch(t)
    if m:
        name, k = m.group(1), int(m.group(2))
        if name not in arrays:
            raise src.error(f"{name!r} is not an array", offset, max(1, len(t)))
        if k >= arrays[name][1]:
            raise src.error(f"index {k} is out of the bounds of {name}[{arrays[name][1]}]",
                            offset, max(1, len(t)))
        return Mem(f"{name}[{k}]")
    m = _BRACKETED.fullmatch(t)
    if m:
        return Mem(m.group(1), m.group(1) in arrays)
    if _NAME.fullmatch(t) and "." not in t:
        return Mem(t, t in arrays)
    raise src.error(f"expected a location or a register, found {t!r}", offset, max(1, len(t)))


def parse_init(
    chunk: Chunk, src: Source, dialect: Dialect, nthreads: int, unsupported: list[str],
    arrays: dict[str, tuple[str, int]] | None = None,
) -> tuple[tuple[tuple[Loc, Value], ...], tuple[tuple[Loc, str], ...]]:
    """The init block's entries and declared types.

    An array ``int x[2] = {1,2}`` becomes its cells ``x[0]``, ``x[1]`` (each a location,
    with the element type), recorded in ``arrays``.  Memory values are converted to the
    declared type, as herd7 stores them (``int8_t x = 257`` holds 1).
    """
    if arrays is None:
        arrays = {}
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
        # A pointer: 'int *p = &x', 'int* p', '*p = x' (herd7: a location holding an
        # address, typed as a pointer to the type).
        pointer = "*" in lhs
        lhs = lhs.replace("*", " ")
        words = lhs.split()
        # Strip leading type names ("uint64_t 0:X0", "int x", "unsigned long y"); herd7
        # takes any 'name_t' word before the location as a type (even 'unit64_t').
        tname = []
        while len(words) > 1 and (words[0] in _TYPE_NAMES or words[0].endswith("*")
                                  or _TYPE_T.fullmatch(words[0])):
            tname.append(words.pop(0))
        loc_text = " ".join(words)
        if not eq and not tname and len(words) > 1:
            raise src.error(
                f"expected 'location=value' in the init block, found {body!r}", off, len(body)
            )
        loc_at = 0
        for w in tname:  # skip the type words to find where the location starts
            loc_at = lhs.index(w, loc_at) + len(w)
        if words:
            loc_at = lhs.index(words[0], loc_at)
        ty = (" ".join(tname) + (" *" if pointer else "")).strip()
        if pointer:
            tname.append("*")
        am = _CELL.fullmatch(loc_text)
        if am is not None and not getattr(dialect, "supports_arrays", False):
            span = src.span(off)
            unsupported.append(f"arrays ({body!r}, line {span.line}, column {span.col})")
            continue
        if am is not None:
            _init_array(am.group(1), int(am.group(2)), ty or "int", rhs if eq else "",
                        src, off + loc_at, entries, types, arrays)
            continue
        loc = _parse_loc(loc_text, dialect, nthreads, src, off + loc_at, arrays)
        if tname:
            types.append((loc, ty))
        if not eq:  # 'int x;' or 'x;': herd7 initialises it to 0
            entries.append((loc, 0))
            continue
        if rhs.lstrip().startswith("&") and isinstance(loc, Reg | Mem):
            rhs = rhs.replace("&", " ", 1)  # 'int *p = &x': herd7 reads the '&' as a no-op
        value = _parse_value(rhs, arrays)
        lab = _LABEL_VALUE.fullmatch(rhs.strip())
        if lab is not None and getattr(dialect, "code_labels", False) \
                and dialect.canon_reg(lab.group(2)) is None and int(lab.group(1)) < nthreads:
            value = Sym(f"{int(lab.group(1))}:{lab.group(2)}")  # a code address
        if value is None and not rhs.strip():
            raise src.error(f"missing initial value after '=' in {body!r}", off + len(lhs), 1)
        if value is None or (isinstance(value, Sym) and value.name.startswith("{")):
            roff = off + len(lhs) + 1 + (len(rhs) - len(rhs.lstrip()))
            raise src.error(f"bad initial value {rhs.strip()!r}", roff, max(1, len(rhs.strip())))
        if isinstance(loc, Mem) and isinstance(value, int):
            value = as_type(value, ty or None)
        entries.append((loc, value))
    return tuple(entries), tuple(types)


def _init_array(
    name: str, size: int, ty: str, rhs: str, src: Source, off: int,
    entries: list[tuple[Loc, Value]], types: list[tuple[Loc, str]],
    arrays: dict[str, tuple[str, int]],
) -> None:
    if size <= 0:
        raise src.error(f"array {name} must have at least one cell", off, len(name))
    values: list[int] = []
    if rhs.strip():
        m = re.fullmatch(r"\s*\{([^{}]*)\}\s*", rhs)
        if m is None:
            raise src.error(f"expected '{{v0,v1,...}}' to initialise the array {name}",
                            off, len(name))
        for item in m.group(1).split(","):
            if not item.strip():
                continue
            if not _NUMBER.fullmatch(item.strip()):
                raise src.error(f"bad array value {item.strip()!r}", off, len(name))
            values.append(int(item.strip(), 0))
        if len(values) > size:
            raise src.error(f"{len(values)} values for the {size} cells of {name}",
                            off, len(name))
    arrays[name] = (ty, size)
    for k in range(size):
        cell = Mem(f"{name}[{k}]")
        entries.append((cell, as_type(values[k], ty) if k < len(values) else 0))
        types.append((cell, ty))


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


def parse_locations(
    chunk: Chunk, src: Source, dialect: Dialect, nthreads: int,
    arrays: dict[str, tuple[str, int]] | None = None,
) -> tuple[Loc, ...]:
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
        # herd7 reads a type after a location ('0:X2 ins_t', 'x int*'): dropped here.
        piece = re.sub(r"\s+(?:[A-Za-z_]\w*_t|int|char|short|long)\s*\*?\s*$", "", piece)
        if piece.strip():
            out.append(_parse_loc(piece, dialect, nthreads, src, off, arrays))
    if text[rb + 1 :].strip() not in ("", ";"):  # herd7 reads 'locations [...];'
        raise src.error("unexpected text after 'locations [...]'", chunk.offset + rb + 1)
    return tuple(out)


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
        loc = _parse_loc(text, self.dialect, self.nthreads, self.src, off, self.arrays)
        k2, op, o2 = self.next()
        if op not in ("=", "==", "!=", "<>"):
            raise self.src.error(f"expected '=' after {text!r}", o2, len(op))
        k3, vtext, o3 = self.next()
        value = _parse_value(vtext, self.arrays) if k3 == "word" else None
        if value is None or (isinstance(value, Sym) and vtext in ("true", "false", "not")):
            raise self.src.error(f"expected a value, found {vtext!r}", o3, len(vtext))
        whole = isinstance(value, Sym) and value.name.startswith("{")
        if whole != (isinstance(loc, Mem) and loc.array):
            raise self.src.error(
                f"{'an array value' if whole else 'a single value'} for "
                f"{'the scalar ' if whole else 'the whole array '}{loc}", o3, len(vtext))
        atom = Atom(loc, value, self.src.span(off, o3 + len(vtext) - off))
        return Not(atom) if op in ("!=", "<>") else atom
