"""The litmus test as parsed: header, init, thread code, condition, with source spans."""

from __future__ import annotations

from mmcheck import TYPE_CHECKING
from mmcheck.errors import Span
from mmcheck.record import Record

if TYPE_CHECKING:
    from mmcheck.litmus.c_ast import CProgram

# -- locations and values ----------------------------------------------------


class Reg(Record):
    """A thread's register, by its canonical name (``0:EAX``, ``1:rax``, ``0:X2``)."""

    __slots__ = ("thread", "name")

    thread: int
    name: str

    def __init__(self, thread: int, name: str) -> None:
        self.thread = thread
        self.name = name

    def __str__(self) -> str:
        return f"{self.thread}:{self.name}"


class Mem(Record):
    """A shared memory location (``[x]``), an array cell ``x[1]`` or a whole array ``x``.

    herd7 prints a scalar location in brackets and array cells and whole arrays bare.
    """

    __slots__ = ("name", "array")

    name: str
    array: bool  # the whole array ``name`` (its value is ``{v0,v1,...}``)

    def __init__(self, name: str, array: bool = False) -> None:
        self.name = name
        self.array = array

    def __str__(self) -> str:
        if self.array or "[" in self.name:
            return self.name
        return f"[{self.name}]"


Loc = Reg | Mem


class Sym(Record):
    """A symbolic value: the address of a location, e.g. ``0:X1=x``, possibly ``offset``
    bytes into it (an array cell); also the printed value of a whole array, ``{1,2}``."""

    __slots__ = ("name", "offset")

    name: str
    offset: int

    def __init__(self, name: str, offset: int = 0) -> None:
        self.name = name
        self.offset = offset

    def __str__(self) -> str:
        if self.offset:
            return f"{self.name}+{self.offset}" if self.offset > 0 else \
                f"{self.name}{self.offset}"
        return self.name


Value = int | Sym


def show_value(v: Value) -> str:
    return str(v)


# -- condition ---------------------------------------------------------------


class Atom(Record):
    __slots__ = ("loc", "value", "span", "key")
    _compare = ("loc", "value")

    loc: Loc
    value: Value  # as written (and printed)
    span: Span | None
    # The value compared with the final state, when the location's type changes it
    # (``0:X22=0xFAA99887`` on an ``int32_t`` register matches -89548665).
    key: Value | None

    def __init__(
        self,
        loc: Loc,
        value: Value,
        span: Span | None = None,
        key: Value | None = None,
    ) -> None:
        self.loc = loc
        self.value = value
        self.span = span
        self.key = key


class Same(Record):
    """Two locations with the same final value (herd7's ``0:r1=0:r4``)."""

    __slots__ = ("left", "right", "span")
    _compare = ("left", "right")

    left: Loc
    right: Loc
    span: Span | None

    def __init__(self, left: Loc, right: Loc, span: Span | None = None) -> None:
        self.left = left
        self.right = right
        self.span = span


class Not(Record):
    __slots__ = ("arg",)

    arg: Prop

    def __init__(self, arg: Prop) -> None:
        self.arg = arg


class And(Record):
    __slots__ = ("args",)

    args: tuple[Prop, ...]

    def __init__(self, args: tuple[Prop, ...]) -> None:
        self.args = args


class Or(Record):
    __slots__ = ("args",)

    args: tuple[Prop, ...]

    def __init__(self, args: tuple[Prop, ...]) -> None:
        self.args = args


class Implies(Record):
    __slots__ = ("left", "right")

    left: Prop
    right: Prop

    def __init__(self, left: Prop, right: Prop) -> None:
        self.left = left
        self.right = right


Prop = Atom | Same | Not | And | Or | Implies


class Condition(Record):
    __slots__ = ("quantifier", "prop")

    quantifier: str  # "exists", "~exists" or "forall"
    prop: Prop

    def __init__(self, quantifier: str, prop: Prop) -> None:
        self.quantifier = quantifier
        self.prop = prop

    @property
    def kind(self) -> str:
        """herd7's name for the test's kind, from the quantifier."""
        return {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}[
            self.quantifier
        ]


def prop_atoms(p: Prop) -> list[Atom]:
    """The atoms of ``p``; a comparison of two locations gives one per location (with the
    value 0, which says nothing)."""
    if isinstance(p, Atom):
        return [p]
    if isinstance(p, Same):
        return [Atom(p.left, 0, p.span), Atom(p.right, 0, p.span)]
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
    if isinstance(p, Same):
        return state.get(p.left, 0) == state.get(p.right, 0)
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
    if isinstance(p, Same):
        return f"{p.left}={p.right}"
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


class Cell(Record):
    """One instruction cell of the thread table: its text and where it starts."""

    __slots__ = ("text", "span")

    text: str
    span: Span

    def __init__(self, text: str, span: Span) -> None:
        self.text = text
        self.span = span


class Litmus(Record):
    """A parsed test.  ``threads``: per thread, its instruction cells in order;
    ``unsupported``: a feature mmcheck reads but does not model; ``arrays``: name,
    element type, number of cells (cells are locations ``x[0]``...); ``program``: the
    threads of a C test, parsed (``mmcheck.litmus.c_ast.CProgram``), None otherwise."""

    __slots__ = ("arch", "name", "path", "description", "info", "init", "types", "threads",
                 "thread_names", "locations", "filter", "condition", "source",
                 "condition_span", "unsupported", "arrays", "program")

    arch: str
    name: str
    path: str
    description: str
    info: tuple[tuple[str, str], ...]
    init: tuple[tuple[Loc, Value], ...]
    types: tuple[tuple[Loc, str], ...]
    threads: tuple[tuple[Cell, ...], ...]
    thread_names: tuple[str, ...]
    locations: tuple[Loc, ...]
    filter: Prop | None
    condition: Condition
    source: str
    condition_span: Span | None
    unsupported: str | None
    arrays: tuple[tuple[str, str, int], ...]
    program: CProgram | None

    def __init__(self, arch: str, name: str, path: str, description: str,
                 info: tuple[tuple[str, str], ...], init: tuple[tuple[Loc, Value], ...],
                 types: tuple[tuple[Loc, str], ...], threads: tuple[tuple[Cell, ...], ...],
                 thread_names: tuple[str, ...], locations: tuple[Loc, ...],
                 filter: Prop | None, condition: Condition, source: str,
                 condition_span: Span | None = None, unsupported: str | None = None,
                 arrays: tuple[tuple[str, str, int], ...] = (),
                 program: CProgram | None = None) -> None:
        self.arch = arch
        self.name = name
        self.path = path
        self.description = description
        self.info = info
        self.init = init
        self.types = types
        self.threads = threads
        self.thread_names = thread_names
        self.locations = locations
        self.filter = filter
        self.condition = condition
        self.source = source
        self.condition_span = condition_span
        self.unsupported = unsupported
        self.arrays = arrays
        self.program = program
