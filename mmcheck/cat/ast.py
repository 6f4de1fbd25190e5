"""The syntax tree of a cat file: expressions and instructions, each with its position."""

from __future__ import annotations

from typing import Any


class Pos:
    """Where a node starts in its file (for errors: path:line:col and a caret)."""

    __slots__ = ("path", "line", "col", "source")

    def __init__(self, path: str, line: int, col: int, source: str) -> None:
        self.path = path
        self.line = line
        self.col = col
        self.source = source


class Node:
    """One expression or instruction: ``kind`` names it, ``args`` holds its parts.

    Expressions: ``var`` (name), ``tag`` (name), ``zero``, ``universe``, ``set`` (items),
    ``tuple`` (items), ``toid`` (e), ``op1`` (op, e), ``op2`` (op, left, right),
    ``app`` (function, argument), ``bind`` (bindings, body), ``bindrec`` (bindings, body),
    ``fun`` (params, body), ``try`` (e, default), ``if`` (cond, then, else),
    ``match`` (e, clauses, default), ``matchset`` (e, empty-branch, (x, rest, branch)).
    Conditions: ``eq``, ``subset``, ``in`` (left, right), ``variant`` (variant tree).
    Instructions: ``let`` (bindings), ``rec`` (bindings), ``test`` (type, negated, kind,
    e, name), ``show``, ``unshow``, ``include`` (file), ``procedure`` (name, params,
    body), ``call`` (name, argument, name), ``debug``, ``forall`` (var, e, body),
    ``with`` (var, e), ``ifvariant`` (variant, then, else), ``enum`` (name, tags),
    ``events`` (name, items, default).

    Parameters are either one name (``str`` or None for ``_``) or a list of them
    (a tuple pattern).
    """

    __slots__ = ("kind", "args", "pos")

    def __init__(self, kind: str, args: tuple[Any, ...], pos: Pos) -> None:
        self.kind = kind
        self.args = args
        self.pos = pos

    def __repr__(self) -> str:
        return f"{self.kind}{self.args!r}"
