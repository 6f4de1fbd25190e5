"""The AArch64 dialect: a thread's cells compiled to a runnable program."""

from __future__ import annotations

import re
from collections.abc import Callable

from mmcheck.errors import Span, UserError
from mmcheck.litmus.aarch64 import (
    LabelOp,
    canon_reg,
    parse_instr,
    split_label,
)
from mmcheck.litmus.ast import Cell, Litmus, Mem, Reg, Sym, Value
from mmcheck.litmus.locations import instr_value
from mmcheck.record import Record
from mmcheck.semantics.aarch64.step import Step
from mmcheck.semantics.aarch64.values import (
    _RELATIVE,
    _TYPES,
    M64,
    NZCV,
    SYSREGS,
    _sext,
)
from mmcheck.semantics.runner import Program, ThreadState, Val


def show_typed(x: Value, ty: str | None) -> Value:
    """A register value as herd7 prints it: by the declared type, else as an ``int``
    when it fits 32 bits and as a signed 64-bit value otherwise."""
    if not isinstance(x, int):
        return x
    t = _TYPES.get(ty or "")
    if t is None:
        x &= M64
        return _sext(x, 32) if x < 1 << 32 else _sext(x, 64)
    bits, signed = t
    return _sext(x, bits) if signed else x & ((1 << bits) - 1)


def _final_regs_for(types: dict[str, str]) -> Callable[[dict[str, Val]], dict[str, Value]]:
    def final(regs: dict[str, Val]) -> dict[str, Value]:
        return {name: show_typed(v.v, types.get(name)) for name, v in regs.items()
                if name not in (NZCV, "SP")}
    return final


_DECIDES = re.compile(r"\b(?:B(?:\.\w+)?|BL|BR|BLR|RET|CBN?Z|TBN?Z|CS\w*|CC\w*|CAS\w*|"
                      r"CIN[CV]|CNEG)\b", re.IGNORECASE)
_WRITES = re.compile(r"\b(?:ST\w*|SWP\w*|CAS\w*|LD(?:ADD|CLR|EOR|SET|[SU]MAX|[SU]MIN)\w*)\b",
                     re.IGNORECASE)


def _decides(instrs: list[Step], labels: dict[str, int]) -> bool:
    """Whether a read's value can decide anything (a branch, a select, a compare-and-
    swap) in code that writes: if not, no value unknown to it changes its writes.  A
    branch to the next instruction (diy's control dependency) decides nothing."""
    if not any(_WRITES.search(i.text) for i in instrs):
        return False
    for k, ins in enumerate(instrs):
        if _DECIDES.search(ins.text) is None:
            continue
        target = _TARGET.search(ins.text)
        if target is None or labels.get(target.group(1)) != k + 1 \
                or not _BRANCH.match(ins.text):
            return True
    return False


_BRANCH = re.compile(r"\s*(?:B\.\w+|CBN?Z|TBN?Z)\s", re.IGNORECASE)
_TARGET = re.compile(r"([A-Za-z_.$][\w.$]*)\s*$")
_SYMBOL_USE = re.compile(r"(?<!\w)([XW]?)%([A-Za-z_]\w*)")
_GPR = re.compile(r"\b[XW](\d+)\b")


def _use(m: re.Match[str], symbols: dict[str, str]) -> str:
    reg = symbols.get("%" + m.group(2))
    if reg is None:
        return m.group(0)
    return (m.group(1) or "X") + reg[1:]


class _End(Step):
    """The end of a thread's own code when other threads' code follows it."""

    def execute(self, st: ThreadState) -> str | None:
        return "@end"


def _end() -> _End:
    span = Span(1, 1, "")
    return _End(parse_instr("NOP", span), span, "")


def _calls_across(test: Litmus) -> bool:
    return any(isinstance(v, Sym) and ":" in v.name and isinstance(loc, Reg)
               for loc, v in test.init)


def _parse_cells(cells: tuple[Cell, ...], scope: str, instrs: list[Step],
                 labels: dict[str, int]) -> None:
    """Parse one thread's cells onto ``instrs``; its labels are prefixed by ``scope``."""
    first = len(instrs)
    for cell in cells:
        text = cell.text
        label, rest, col = split_label(text)
        if label is not None:
            if scope + label in labels:
                raise UserError(f"label {label!r} defined twice", cell.span)
            labels[scope + label] = len(instrs)
            if not rest.strip():
                continue
        span = Span(cell.span.line, cell.span.col + col, cell.span.text)
        ins = parse_instr(rest, span)
        instrs.append(Step(ins, span, rest, scope))
    for step in instrs[first:]:
        for x in step.ins.args:
            if isinstance(x, LabelOp) and scope + x.name not in labels \
                    and not _RELATIVE.fullmatch(x.name):
                raise UserError(f"branch to unknown label {x.name!r}",
                                step.ins.at(x.col, len(x.name)))


def code_image(test: Litmus) -> dict[str, str]:
    """Each labelled instruction of the test as a value, named as herd7 prints it: the
    text with labels turned into offsets (``B L1`` one instruction on is ``B .+4``)."""
    out: dict[str, str] = {}
    for k, cells in enumerate(test.threads):
        rows: list[str] = []
        labels: dict[str, int] = {}
        marks: list[tuple[str, int]] = []
        for cell in cells:
            label, rest, _ = split_label(cell.text)
            if label is not None:
                labels[label] = len(rows)
                marks.append((label, len(rows)))
            if rest.strip():
                rows.append(rest)
        for label, i in marks:
            if i >= len(rows):
                continue
            op, _, args = " ".join(rows[i].split()).partition(" ")
            parts = [a.strip() for a in args.split(",")] if args else []
            parts = [f".{4 * (labels[a] - i):+d}" if a in labels else a for a in parts]
            out[f"{k}:{label}"] = instr_value(f"{op} {','.join(parts)}").name
    return out


def allocate_symbolic(test: Litmus, thread: int, cells: tuple[Cell, ...]) -> dict[str, str]:
    """herd7's allocation of symbolic registers (lib/symbReg.ml): the thread's ``%name``
    registers, in name order, get the lowest general registers the thread does not name
    (in its code, its init entries or the condition), the link register aside."""
    text = "\n".join(c.text for c in cells)
    names = sorted({"%" + m.group(2) for m in _SYMBOL_USE.finditer(text)})
    if not names:
        return {}
    used = {int(k) for k in _GPR.findall(_SYMBOL_USE.sub(" ", text))}
    for loc, _ in (*test.init, *test.types):
        if isinstance(loc, Reg) and loc.thread == thread and loc.name.startswith("X"):
            used.add(int(loc.name[1:]))
    free = [f"X{k}" for k in range(30) if k not in used]
    if len(free) < len(names):
        raise UserError(f"not enough registers for the symbolic registers of P{thread}",
                        cells[0].span)
    return dict(zip(names, free, strict=False))


class AArch64Dialect(Record):
    __slots__ = ("arch", "default_model", "models", "supports_arrays")

    arch: str
    default_model: str
    models: tuple[str, ...]
    supports_arrays: bool  # array cells x[i] as locations, Sym offsets as addresses

    def __init__(
        self,
        arch: str = "AArch64",
        default_model: str = "armv8",
        models: tuple[str, ...] = ("sc", "armv8"),
        supports_arrays: bool = True,
    ) -> None:
        self.arch = arch
        self.default_model = default_model
        self.models = models
        self.supports_arrays = supports_arrays

    def canon_reg(self, name: str) -> str | None:
        r = canon_reg(name)
        if r is None and name in SYSREGS:
            return name  # '0:VNCR_EL2=x': a system register's initial value
        return r

    def typed_value(self, v: int, ty: str | None) -> int:
        """A condition constant on a register, as the register's final value is shown."""
        out = show_typed(v, ty)
        assert isinstance(out, int)
        return out

    symbolic_registers = True  # '%name' registers, allocated per thread as herd7 does
    code_labels = True  # 'P1:L0' as an initial value: a call into another thread's code
    instruction_values = True  # instr:"..." values; loads from code read its instructions

    def compile(self, test: Litmus, thread: int, cells: tuple[Cell, ...]) -> Program:
        symbols = allocate_symbolic(test, thread, cells)
        if symbols:
            cells = tuple(Cell(_SYMBOL_USE.sub(lambda m: _use(m, symbols), c.text), c.span)
                          for c in cells)
        instrs: list[Step] = []
        labels: dict[str, int] = {}
        _parse_cells(cells, "", instrs, labels)
        if _calls_across(test):
            # A code label of another thread as a value ('0:X8=P1:Ldec'): that thread's
            # code follows this one's, each block closed by a step that ends the thread.
            for k, other in enumerate(test.threads):
                if k == thread:
                    continue
                instrs.append(_end())
                _parse_cells(other, f"{k}:", instrs, labels)
            instrs.append(_end())
            labels["@end"] = len(instrs)
        for i in range(len(instrs) + 1):  # every instruction's address, for returns
            labels.setdefault(f"@{i}", i)
        init_regs: dict[str, Value] = {}
        for loc, val in test.init:
            if isinstance(loc, Reg) and loc.thread == -1 and loc.name in symbols:
                loc = Reg(thread, symbols[loc.name])
            if isinstance(loc, Reg) and loc.thread == thread:
                init_regs[loc.name] = val & M64 if isinstance(val, int) else val
        reg_types: dict[str, str] = {}
        mem_types: dict[str, str] = {}
        for loc, ty in test.types:
            if isinstance(loc, Reg) and loc.thread == -1 and loc.name in symbols:
                loc = Reg(thread, symbols[loc.name])
            if isinstance(loc, Reg) and loc.thread == thread:
                reg_types[loc.name] = ty
            elif isinstance(loc, Mem):
                mem_types[loc.name] = ty
        prog = Program(thread, list(instrs), labels, init_regs,
                       final_regs=_final_regs_for(reg_types))
        prog.mem_types = mem_types  # type: ignore[attr-defined]
        # Under herd7's 'telechat' variant (compiled code) a RET with no return address
        # ends the thread.
        prog.telechat = any(k == "Variant" and "telechat" in v.lower()  # type: ignore[attr-defined]
                            for k, v in test.info)
        prog.code_image = code_image(test)  # type: ignore[attr-defined]
        prog.decides = _decides(instrs, labels)  # type: ignore[attr-defined]
        prog.nv2 = any(k == "Variant" and "nv2" in v.lower()  # type: ignore[attr-defined]
                       for k, v in test.info)
        # herd7 drops an execution that accesses memory at an integer address.
        prog.drop_bad_addresses = True  # type: ignore[attr-defined]
        prog.arrays = {n: (ty, k) for n, ty, k in test.arrays}  # type: ignore[attr-defined]
        return prog


AARCH64 = AArch64Dialect()
