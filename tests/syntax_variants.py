"""Rewrite a litmus test into equivalent spellings that herd7 7.57 also reads.

Used by the metamorphic test (tests/test_syntax_variants.py): every rewrite must give
the same answer as the original.
"""

from __future__ import annotations

import re

_KEYWORD_LINE = re.compile(r"^[ \t]*(~[ \t]*exists|exists|forall|locations|filter)\b", re.M)


def regions(text: str) -> tuple[str, str, str, str]:
    """(header, init body, program, constraints): the init braces are not included."""
    lb = text.index("{")
    depth = 0
    for k in range(lb, len(text)):
        if text[k] == "{":
            depth += 1
        elif text[k] == "}":
            depth -= 1
            if depth == 0:
                break
    rb = k
    m = _KEYWORD_LINE.search(text, rb)
    cut = m.start() if m else len(text)
    return text[:lb], text[lb + 1:rb], text[rb + 1:cut], text[cut:]


def _p_prefix(part: str) -> str:
    """``0:EAX`` -> ``P0:EAX`` (registers named by their thread)."""
    return re.sub(r"(?<![\w:.\"])(\d+)[ \t]*:[ \t]*(?=[A-Za-z_])", r"P\1:", part)


def _comment_init(init: str) -> str:
    return re.sub(r";", " (* entry *);", init)


def _spaces(part: str) -> str:
    part = re.sub(r"[ \t]*(?<![=!<>])=(?![=>])[ \t]*", " = ", part)
    return part.replace(" ", "\t ")


def _comment_program(prog: str) -> str:
    return re.sub(r";[ \t]*\n", "; (* row *)\n", prog)


def _comment_condition(cond: str) -> str:
    out = re.sub(r"\((?!\*)", "( (* c *) ", cond, count=1)
    return "(* the final condition *)\n" + out


def variant_a(text: str) -> str:
    """P0: registers, ';' after the init block, comments everywhere, CRLF endings."""
    head, init, prog, cond = regions(text)
    header, _, rest = head.partition("\n")
    head = header + "\n(* a comment after the header *)\n" + rest
    out = (head + "{" + _comment_init(_p_prefix(init)) + "};" + _comment_program(prog)
           + _comment_condition(_p_prefix(cond)))
    return out.replace("\n", "\r\n")


def variant_b(text: str) -> str:
    """Tabs and spaces around '=' and after ';', registers written P0: in the condition
    only, a ';' after the condition, init entries on lines of their own."""
    head, init, prog, cond = regions(text)
    init = re.sub(r";[ \t]*", ";\n\t", _spaces(init))
    cond = _spaces(_p_prefix(cond)).rstrip()
    if re.search(r"(exists|forall)", cond) and not cond.endswith(";") \
            and not cond.endswith("*)"):
        cond += ";"  # herd7 reads one ';' after the condition
    cond += "\n"
    return head + "{\n" + init + "\n}\n" + prog + cond
