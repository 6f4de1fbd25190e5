"""Parse a litmus file: split it (``split.py``), then read its init block and
``locations`` line (``locations.py``), its filter and final condition
(``condition.py``), and mark the features out of mmcheck's scope.

The thread cells are kept as text with spans; the dialect of the test's
architecture compiles them (see ``mmcheck.litmus.dialects``).
"""

from __future__ import annotations

import re

from mmcheck import TYPE_CHECKING
from mmcheck.errors import Span, Unsupported, UserError
from mmcheck.litmus.ast import (
    And,
    Cell,
    Condition,
    Litmus,
    Loc,
    Prop,
)
from mmcheck.litmus.condition import CondParser
from mmcheck.litmus.dialects import Dialect, dialect_for
from mmcheck.litmus.locations import Typing, parse_init, parse_locations
from mmcheck.litmus.split import Chunk, Sections, Source, split

if TYPE_CHECKING:
    from os import PathLike



def parse_file(path: str | PathLike[str]) -> Litmus:
    """Read and parse one litmus file; errors carry ``path``."""
    try:
        with open(path, "rb", buffering=0) as f:  # read whole: no buffer, no tty check
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


_C_HEADER = re.compile(r"\s*C\s")


def is_c_header(text: str) -> bool:
    """Whether the test's header names the C dialect (``C NAME``)."""
    return _C_HEADER.match(text) is not None


def _parse_text(text: str, path: str) -> Litmus:
    if is_c_header(text):  # the C parser is imported for C tests only
        from mmcheck.litmus.c import parse_c

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
    typing = Typing(dict(types), arrays, dialect)
    try:
        if sec.filter is not None:
            filt = typing.prop(CondParser(sec.filter, src, dialect, nthreads, arrays).parse_all())
        if sec.condition is not None:
            prop: Prop = typing.prop(
                CondParser(sec.condition, src, dialect, nthreads, arrays).parse_all())
    except Unsupported as exc:
        return _unsupported_test(sec, src, text, path, exc.reason())
    quantifier = sec.quantifier
    if sec.condition is None:
        # No final condition: herd7 lists the final states under 'forall (true)'.
        prop = And(())
        quantifier = "forall"
        condition_span = src.span(sec.locations.offset if sec.locations is not None
                                  else max(0, len(text.rstrip()) - 1))
    else:
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


def litmus_name(header_name: str) -> str:
    """The test's name: herd7 drops a ``.litmus`` suffix written in the header."""
    return header_name.removesuffix(".litmus")
