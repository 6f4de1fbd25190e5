"""C litmus tests compiled to AArch64 and x86-64 through the mappings real code gets.

``compile_test(test, arch)`` gives the herd-format assembly test; ``compiled(test, model)``
the parsed assembly test a hardware model checks.  The mappings are one module each:
``linux_x86``, ``linux_arm64`` (LSE or LL/SC), ``qemu`` and ``c11_x86``/``c11_arm64``;
``prims`` says what each primitive is, ``codegen``/``backends`` write the instructions and
``emit`` the test.
"""

from __future__ import annotations

from mmcheck.compile.options import Options
from mmcheck.errors import Span, Unsupported
from mmcheck.litmus.ast import Litmus

# The hardware models a C test runs under by compiling it, and the architecture each needs.
MODEL_ARCH = {"x86tso": "X86_64", "armv8": "AArch64"}
VARIANTS = ("lto", "rcpc")


def compile_test(test: Litmus, arch: str, options: Options | None = None) -> str:
    """The assembly test for C test ``test`` (raises Unsupported, naming the reason)."""
    from mmcheck.compile.emit import compile_program
    from mmcheck.compile.lower import lower

    if test.unsupported is not None:
        raise Unsupported(test.unsupported)
    return compile_program(lower(test), arch, options)


def compiled(test: Litmus, model: str, options: Options | None = None) -> Litmus:
    """The compiled assembly test that ``model`` (x86tso or armv8) checks for ``test``."""
    from mmcheck.litmus.parse import parse_text

    text = compile_test(test, MODEL_ARCH[model], options)
    return parse_text(text, test.path)


def unsupported_reason(exc: Unsupported) -> str:
    span: Span | None = exc.span
    if span is not None:
        return f"{exc.message} (line {span.line}, column {span.col})"
    return exc.message
