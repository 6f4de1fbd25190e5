"""The litmus test as parsed: header, init, thread code, condition, with source spans."""

from __future__ import annotations

from dataclasses import dataclass, field

from mmcheck.errors import Span

# -- locations and values ----------------------------------------------------


@dataclass(frozen=True, order=True)
class Reg:
    """A thread's register, by its canonical name (``0:EAX``, ``1:rax``, ``0:X2``)."""

    thread: int
    name: str

    def __str__(self) -> str:
        return f"{self.thread}:{self.name}"


@dataclass(frozen=True, order=True)
class Mem:
    """A shared memory location (``[x]``), an array cell ``x[1]`` or a whole array ``x``.

    herd7 prints a scalar location in brackets and array cells and whole arrays bare.
    """

    name: str
    array: bool = False  # the whole array ``name`` (its value is ``{v0,v1,...}``)

    def __str__(self) -> str:
        if self.array or "[" in self.name:
            return self.name
        return f"[{self.name}]"


Loc = Reg | Mem


@dataclass(frozen=True, order=True)
class Sym:
    """A symbolic value: the address of a location, e.g. ``0:X1=x``, possibly ``offset``
    bytes into it (an array cell); also the printed value of a whole array, ``{1,2}``."""

    name: str
    offset: int = 0

    def __str__(self) -> str:
        if self.offset:
            return f"{self.name}+{self.offset}" if self.offset > 0 else \
                f"{self.name}{self.offset}"
        return self.name


Value = int | Sym


def show_value(v: Value) -> str:
    return str(v)


# -- condition ---------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    loc: Loc
    value: Value  # as written (and printed)
    span: Span | None = field(default=None, compare=False)
    # The value compared with the final state, when the location's type changes it
    # (``0:X22=0xFAA99887`` on an ``int32_t`` register matches -89548665).
    key: Value | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Not:
    arg: Prop


@dataclass(frozen=True)
class And:
    args: tuple[Prop, ...]


@dataclass(frozen=True)
class Or:
    args: tuple[Prop, ...]


@dataclass(frozen=True)
class Implies:
    left: Prop
    right: Prop


Prop = Atom | Not | And | Or | Implies


@dataclass(frozen=True)
class Condition:
    quantifier: str  # "exists", "~exists" or "forall"
    prop: Prop

    @property
    def kind(self) -> str:
        """herd7's name for the test's kind, from the quantifier."""
        return {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}[
            self.quantifier
        ]


def prop_atoms(p: Prop) -> list[Atom]:
    if isinstance(p, Atom):
        return [p]
    if isinstance(p, Not):
        return prop_atoms(p.arg)
    if isinstance(p, Implies):
        return prop_atoms(p.left) + prop_atoms(p.right)
    out: list[Atom] = []
    for a in p.args:
        out.extend(prop_atoms(a))
    return out


def eval_prop(p: Prop, state: dict[Loc, Value]) -> bool:
    if isinstance(p, Atom):
        return state.get(p.loc, 0) == (p.value if p.key is None else p.key)
    if isinstance(p, Not):
        return not eval_prop(p.arg, state)
    if isinstance(p, And):
        return all(eval_prop(a, state) for a in p.args)
    if isinstance(p, Or):
        return any(eval_prop(a, state) for a in p.args)
    return (not eval_prop(p.left, state)) or eval_prop(p.right, state)


_TOP, _AND, _OR, _IMPLIES = range(4)


def _paren(above: int, here: int) -> bool:
    if above == _TOP:
        return False
    if above == _IMPLIES:
        return here != _IMPLIES
    if above == _AND:
        return here != _AND
    return here == _IMPLIES  # above is OR


def show_prop(p: Prop, above: int = _TOP) -> str:
    """herd7's printing of a proposition (minimal parentheses, ``not (...)``)."""
    if isinstance(p, Atom):
        return f"{p.loc}={show_value(p.value)}"
    if isinstance(p, Not):
        return f"not ({show_prop(p.arg)})"
    if isinstance(p, And):
        if not p.args:
            return "true"
        s = " /\\ ".join(show_prop(a, _AND) for a in p.args)
        return f"({s})" if _paren(above, _AND) else s
    if isinstance(p, Or):
        if not p.args:
            return "false"
        s = " \\/ ".join(show_prop(a, _OR) for a in p.args)
        return f"({s})" if _paren(above, _OR) else s
    s = f"{show_prop(p.left, _IMPLIES)} => {show_prop(p.right, _IMPLIES)}"
    return f"({s})" if _paren(above, _IMPLIES) else s


def show_condition(c: Condition) -> str:
    return f"{c.quantifier} ({show_prop(c.prop)})"


# -- the whole test -----------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One instruction cell of the thread table: its text and where it starts."""

    text: str
    span: Span


@dataclass(frozen=True)
class Litmus:
    arch: str
    name: str
    path: str
    description: str
    info: tuple[tuple[str, str], ...]
    init: tuple[tuple[Loc, Value], ...]
    types: tuple[tuple[Loc, str], ...]
    threads: tuple[tuple[Cell, ...], ...]  # per thread, its instruction cells in order
    thread_names: tuple[str, ...]
    locations: tuple[Loc, ...]
    filter: Prop | None
    condition: Condition
    source: str
    condition_span: Span | None = None
    unsupported: str | None = None  # a feature mmcheck reads but does not model
    # Arrays: name, element type, number of cells (cells are locations ``x[0]``...).
    arrays: tuple[tuple[str, str, int], ...] = ()
