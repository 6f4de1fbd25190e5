"""How a C test's code is built for the hardware models (kept apart from ``codegen`` so
that ``run`` can read its options without loading the code generator)."""

from __future__ import annotations

from mmcheck.record import Record


class Options(Record):
    """How the code was built: ``atomics`` lse or llsc (arm64), ``variants`` among
    ``lto`` (the kernel's READ_ONCE as LDAPR, CONFIG_LTO=y) and ``rcpc`` (C11 and QEMU
    acquire loads as LDAPR, FEAT_LRCPC)."""

    __slots__ = ("atomics", "variants")

    atomics: str
    variants: frozenset[str]

    def __init__(self, atomics: str = "lse", variants: frozenset[str] = frozenset()) -> None:
        self.atomics = atomics
        self.variants = variants
