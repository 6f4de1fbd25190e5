"""``mmcheck compile``: a C litmus test as the AArch64 or x86-64 test its mappings give."""

from __future__ import annotations

from pathlib import Path

import click

from mmcheck.cli import EXIT_BAD_INPUT, EXIT_OK, guarded, load

ARCH_CHOICES = ("AArch64", "X86", "X86_64")

atomics_option = click.option(
    "--atomics", type=click.Choice(["lse", "llsc"]), default="lse", show_default=True,
    help="arm64 atomics: lse (FEAT_LSE: SWPAL, CASAL, LDADDAL, STADD...) or llsc "
    "(LDXR ... STLXR, with DMB ISH for the kernel's fully ordered RMWs).")
variant_option = click.option(
    "--variant", "variants", type=click.Choice(["lto", "rcpc"]), multiple=True,
    help="lto: the kernel's READ_ONCE as LDAPR (CONFIG_LTO=y); rcpc: C11 and QEMU acquire "
    "loads as LDAPR (FEAT_LRCPC). Repeatable.")


def target_options(atomics: str, variants: tuple[str, ...]) -> object:
    from mmcheck.compile.codegen import Options

    return Options(atomics, frozenset(variants))


@click.command(name="compile")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--arch", type=click.Choice(ARCH_CHOICES), required=True,
              help="AArch64, or X86 (x86-64, written in herd's X86_64 dialect).")
@atomics_option
@variant_option
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None,
              help="Write the compiled test here (default: standard output).")
@guarded
def compile(path: str, arch: str, atomics: str, variants: tuple[str, ...],  # noqa: A001
            output: str | None) -> int:
    """Compile a C litmus test to an AArch64 or x86-64 litmus test, through the kernel's,
    QEMU's and C11's mappings: the instructions real builds emit, one comment per C
    statement, the same condition with each local renamed to its register."""
    from mmcheck.compile import compile_test
    from mmcheck.compile.codegen import Options
    from mmcheck.errors import Unsupported

    if arch != "AArch64":
        ctx = click.get_current_context()
        given = [f"--{name}" for name in ("atomics", "variant")
                 if ctx.get_parameter_source("variants" if name == "variant" else name)
                 == click.core.ParameterSource.COMMANDLINE]
        if given:
            verb = "choose" if len(given) > 1 else "chooses"
            click.echo(f"note: {' and '.join(given)} {verb} arm64 instructions; ignored for "
                       f"--arch {arch}", err=True)
    test = load(Path(path))
    if test is None:
        return EXIT_BAD_INPUT
    if test.arch != "C":
        click.echo(f"{path}: not a C test (it is {test.arch}): nothing to compile", err=True)
        return EXIT_BAD_INPUT
    try:
        text = compile_test(test, arch, Options(atomics, frozenset(variants)))
    except Unsupported as exc:
        from mmcheck.compile import unsupported_reason

        click.echo(f"{path}: unsupported: {unsupported_reason(exc)}", err=True)
        return EXIT_BAD_INPUT
    if output is None:
        click.echo(text, nl=False)
    else:
        from mmcheck.atomic_write import write_output

        if not write_output(Path(output), text):
            return EXIT_BAD_INPUT
    return EXIT_OK
