"""The header line ``ARCH NAME``: a test mmcheck does not read is refused here, as such.

The check runs on the raw text, before anything else is read, so that a test in another
language is named for what it is (a C test is not refused for a ``(*`` that is a
dereference).  Whether an architecture is read is decided by
``mmcheck.litmus.dialects.dialect_for``: registering a dialect there makes its tests
readable.
"""

from __future__ import annotations

import re

from mmcheck.errors import Span, UserError
from mmcheck.litmus.dialects import ARCHES, dialect_for

# The architectures herd7 7.57 reads (lib/Archs.ml), as its headers spell them.
HERD_ARCHES = {
    "AArch64": "AArch64", "ARM": "ARM", "MIPS": "MIPS", "PPC": "PPC", "X86": "X86",
    "RISCV": "RISC-V", "RISC-V": "RISC-V", "X86_64": "X86_64", "C": "C", "CPP": "C++",
    "C++": "C++", "LISA": "LISA", "Bell": "LISA", "JAVA": "Java", "Java": "Java",
    "ASL": "ASL",
}
# Languages in which herd7 does not skip OCaml comments in the program: '(*' is C.
NO_COMMENTS_IN_PROGRAM = frozenset({"C", "CPP", "C++"})

_FIRST = re.compile(r"\s*(\S+)")
_LEADING_COMMENT = re.compile(r"\s*\(\*(?:[^*]|\*(?!\)))*\*\)")


def check_header(text: str) -> None:
    """Refuse, at its header, a test whose architecture mmcheck does not read."""
    start = 0
    while (lead := _LEADING_COMMENT.match(text, start)) is not None:
        start = lead.end()  # comments before the header (mmcheck has always read them)
    m = _FIRST.match(text, start)
    if m is None:
        return  # empty: split() says so
    arch = m.group(1)
    if dialect_for(arch) is not None:
        return
    k = m.start(1)
    line_start = text.rfind("\n", 0, k) + 1
    line_end = text.find("\n", k)
    line = text[line_start: line_end if line_end >= 0 else len(text)].rstrip("\r")
    span = Span(text.count("\n", 0, k) + 1, k - line_start + 1, line, len(arch))
    reads = ", ".join(ARCHES)
    known = HERD_ARCHES.get(arch)
    if known is not None:
        raise UserError(f"{known} tests are not read by mmcheck (it reads {reads})", span)
    raise UserError(f"unknown architecture {arch!r} (mmcheck reads {reads})", span)
