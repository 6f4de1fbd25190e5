"""From a C test (``ir.Program``) to an ordinary herd-format AArch64 or X86_64 litmus test.

The compiled test keeps the C test's name, its initial values, its condition, ``locations``
and ``filter``, with each C local renamed to the register that holds it (``1:r0`` becomes
``1:X0`` or ``1:rbx``); the header comment lists the renaming.  Each C statement's
instructions follow a comment cell quoting the statement.  A store-exclusive's status
register is added to the ``filter`` (it must be 0: the retry loop assumed to succeed).
"""

from __future__ import annotations

from mmcheck.compile import c11_arm64, c11_x86, linux_arm64, linux_x86, qemu
from mmcheck.compile.backends import AArch64Gen, X86_64Gen
from mmcheck.compile.codegen import Gen, Mapping, Options
from mmcheck.compile.ir import Assign, If, Program, Stmt
from mmcheck.litmus.ast import (
    And,
    Atom,
    Condition,
    Implies,
    Loc,
    Mem,
    Not,
    Or,
    Prop,
    Reg,
    Same,
    Sym,
    Value,
    prop_atoms,
)

ARCHES = {"AArch64": "AArch64", "X86_64": "X86_64", "X86": "X86_64"}

MAPPINGS: dict[str, dict[str, Mapping]] = {
    "AArch64": {"linux": linux_arm64.mapping, "qemu": qemu.mapping, "c11": c11_arm64.mapping},
    "X86_64": {"linux": linux_x86.mapping, "qemu": qemu.mapping, "c11": c11_x86.mapping},
}


def describe(arch: str, options: Options) -> str:
    """The mappings a compiled test was built with, in words."""
    if arch == "AArch64":
        out = [f"arm64, {'LSE' if options.atomics == 'lse' else 'LL/SC'} atomics"]
        if "lto" in options.variants:
            out.append("READ_ONCE as LDAPR (CONFIG_LTO)")
        if "rcpc" in options.variants:
            out.append("C11 acquire as LDAPR (FEAT_LRCPC)")
        return ", ".join(out)
    return "x86-64"


def compile_program(prog: Program, arch: str, options: Options | None = None) -> str:
    """The herd-format assembly test for ``prog`` on ``arch`` (raises Unsupported)."""
    opts = options or Options()
    target = ARCHES[arch]
    gens: list[Gen] = []
    for th in prog.threads:
        cls: type[Gen] = AArch64Gen if target == "AArch64" else X86_64Gen
        gen = cls(th, opts, prog.pointer_vars, MAPPINGS[target])
        gen.reserve_locals(_locals(prog, th.index))
        gen.statements(th.body)
        gens.append(gen)
    rename: dict[Loc, Loc] = {}
    for gen in gens:
        for name, n in gen.local_regs.items():
            rename[Reg(gen.thread.index, name)] = Reg(gen.thread.index, gen.reg_canon(n))
    status = [Atom(Reg(g.thread.index, r), 0) for g in gens for r in g.status]
    filt = prog.filter
    if filt is not None:
        filt = _rename(filt, rename)
    if status:
        filt = And(tuple(status) if filt is None else (filt, *status))

    lines = [f"{target} {prog.name}"]
    lines.append(f'"{prog.name} compiled by mmcheck for {describe(target, opts)}"')
    lines.append("(* Compiled by mmcheck from " + (prog.path or "a C test") + ".")
    lines.append("   Mappings: " + _mappings_used(gens, target) + ".")
    renamed = [f"{k}->{v}" for k, v in sorted(rename.items(), key=str)]
    if renamed:
        lines.append("   Registers: " + ", ".join(renamed) + ".")
    if status:
        lines.append("   The filter keeps executions whose store-exclusives succeed (the")
        lines.append("   retry loop of the C primitive, assumed to succeed).")
    lines.append("*)")
    lines.append("{")
    shared = [f"{_loc(loc)}={_val(v)};" for loc, v in prog.init if isinstance(loc, Mem)]
    known = {loc.name for loc, _ in prog.init if isinstance(loc, Mem)}
    shared = [f"{v}=0;" for v in prog.variables if v not in known] + shared
    if shared:
        lines.append(" " + " ".join(shared))
    for loc, v in prog.init:
        if isinstance(loc, Reg) and loc in rename:
            lines.append(f" {_loc(rename[loc])}={_val(v)};")
    for gen in gens:
        regs = [f"{gen.thread.index}:{r}={var};" for r, var in gen.init]
        if regs:
            lines.append(" " + " ".join(regs))
    lines.append("}")
    lines.extend(_table(prog, gens))
    if prog.locations:
        locs = "; ".join(_loc(rename.get(loc, loc)) for loc in prog.locations)
        lines.append(f"locations [{locs};]")
    if filt is not None:
        lines.append(f"filter ({_prop(filt)})")
    cond = Condition(prog.condition.quantifier, _rename(prog.condition.prop, rename))
    lines.append(f"{cond.quantifier} ({_prop(cond.prop)})")
    return "\n".join(lines) + "\n"


def _mappings_used(gens: list[Gen], target: str) -> str:
    from mmcheck.compile.prims import lookup

    fams = sorted({p.family for g in gens for n in g.used_prims
                   if (p := lookup(n, g.qemu)) is not None})
    names = {"linux": "the Linux kernel", "qemu": "QEMU's qatomic", "c11": "C11 stdatomic"}
    mods = {"linux": "linux_arm64" if target == "AArch64" else "linux_x86",
            "qemu": "qemu",
            "c11": "c11_arm64" if target == "AArch64" else "c11_x86"}
    if not fams:
        return "plain accesses only"
    return ", ".join(f"{names[f]} (mmcheck.compile.{mods[f]})" for f in fams)


def _locals(prog: Program, thread: int) -> list[str]:
    """The thread's locals in order of first mention: condition and locations first (so a
    local the condition reads keeps its number), then assignments."""
    out: list[str] = []

    def add(name: str) -> None:
        if name not in out:
            out.append(name)

    for a in prop_atoms(prog.condition.prop):
        if isinstance(a.loc, Reg) and a.loc.thread == thread:
            add(a.loc.name)
    for loc in prog.locations:
        if isinstance(loc, Reg) and loc.thread == thread:
            add(loc.name)
    if prog.filter is not None:
        for a in prop_atoms(prog.filter):
            if isinstance(a.loc, Reg) and a.loc.thread == thread:
                add(a.loc.name)
    for loc, _ in prog.init:
        if isinstance(loc, Reg) and loc.thread == thread:
            add(loc.name)

    def walk(body: tuple[Stmt, ...]) -> None:
        for s in body:
            if isinstance(s, Assign):
                add(s.local)
            elif isinstance(s, If):
                walk(s.then)
                walk(s.orelse)

    walk(prog.threads[thread].body)
    return out


def _table(prog: Program, gens: list[Gen]) -> list[str]:
    cols = [[g.thread.name] + g.cells for g in gens]
    height = max(len(c) for c in cols)
    widths = [max(len(x) for x in c) for c in cols]
    out = []
    for i in range(height):
        cells = [(c[i] if i < len(c) else "").ljust(w) for c, w in zip(cols, widths, strict=True)]
        out.append(" " + " | ".join(cells) + " ;")
    return out


def _loc(loc: Loc) -> str:
    if isinstance(loc, Reg):
        return f"{loc.thread}:{loc.name}"
    return loc.name


def _val(v: Value) -> str:
    return str(v)


def _rename(p: Prop, rename: dict[Loc, Loc]) -> Prop:
    if isinstance(p, Atom):
        return Atom(rename.get(p.loc, p.loc), p.value, p.span, p.key)
    if isinstance(p, Same):
        return Same(rename.get(p.left, p.left), rename.get(p.right, p.right), p.span)
    if isinstance(p, Not):
        return Not(_rename(p.arg, rename))
    if isinstance(p, And):
        return And(tuple(_rename(a, rename) for a in p.args))
    if isinstance(p, Or):
        return Or(tuple(_rename(a, rename) for a in p.args))
    return Implies(_rename(p.left, rename), _rename(p.right, rename))


def _prop(p: Prop, top: bool = True) -> str:
    if isinstance(p, Atom):
        v = p.value
        return f"{_loc(p.loc)}={v.name if isinstance(v, Sym) and not v.offset else v}"
    if isinstance(p, Same):
        return f"{_loc(p.left)}={_loc(p.right)}"
    if isinstance(p, Not):
        return f"~({_prop(p.arg)})"
    if isinstance(p, And):
        s = " /\\ ".join(_prop(a, False) for a in p.args) if p.args else "true"
    elif isinstance(p, Or):
        s = " \\/ ".join(_prop(a, False) for a in p.args) if p.args else "false"
    else:
        s = f"{_prop(p.left, False)} => {_prop(p.right, False)}"
    return s if top else f"({s})"
