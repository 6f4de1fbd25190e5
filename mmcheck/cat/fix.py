"""Recursive definitions (``let rec x = ... and y = ...``) as least fixpoints in the DSL.

Each name is first a placeholder (``Var``; a set-valued name is read as the domain of
its placeholder), the bodies are evaluated symbolically, and then the definitions are
reduced to one recursive relation by substitution: every other name's body is put in
place of its placeholder until only one name is recursive.  That one becomes a DSL
``Rec`` (computed by iteration from the empty relation, as herd7 does); the others
are their bodies with it substituted.
"""

from __future__ import annotations

from typing import Any

from mmcheck.models import dsl as d


def substitute(e: Any, name: str, by: Any) -> Any:
    """``e`` with ``Var(name)`` replaced by ``by`` (a relation; a set ``s`` as ``[s]``)."""
    if isinstance(e, d.Var):
        return by if e.name == name else e
    if isinstance(e, (d.Base, d.SBase)) or e is None:
        return e
    if isinstance(e, d.Rec):
        return e if e.name == name else d.Rec(e.name, substitute(e.body, name, by))
    if isinstance(e, d.Named):
        return d.Named(e.name, substitute(e.body, name, by))
    if isinstance(e, (d.Union, d.Seq, d.SUnion)):
        return type(e)(tuple(substitute(a, name, by) for a in e.args))
    if isinstance(e, (d.Inter, d.Diff, d.Product, d.SInter, d.SDiff)):
        return type(e)(substitute(e.left, name, by), substitute(e.right, name, by))
    if isinstance(e, (d.Inverse, d.Plus, d.Star, d.Opt)):
        return type(e)(substitute(e.arg, name, by))
    if isinstance(e, d.Ident):
        inner = substitute(e.set, name, by)
        return d.Ident(inner)
    if isinstance(e, d.Domain):
        inner = substitute(e.rel, name, by)
        if isinstance(inner, d.Ident):
            return inner.set
        return d.Domain(inner)
    if isinstance(e, d.Range):
        inner = substitute(e.rel, name, by)
        if isinstance(inner, d.Ident):
            return inner.set
        return d.Range(inner)
    if isinstance(e, d.DifferentValues):
        return d.DifferentValues(substitute(e.rel, name, by))
    if isinstance(e, d.FinalWrites):
        return d.FinalWrites(substitute(e.among, name, by))
    raise TypeError(e)  # pragma: no cover


def mentions(e: Any, name: str, memo: dict[int, tuple[Any, bool]] | None = None) -> bool:
    """Whether ``Var(name)`` occurs free in ``e`` (shared subterms are visited once)."""
    if memo is None:
        memo = {}
    hit = memo.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    if isinstance(e, d.Var):
        r = e.name == name
    elif isinstance(e, (d.Base, d.SBase)) or e is None:
        r = False
    elif isinstance(e, d.Rec):
        r = e.name != name and mentions(e.body, name, memo)
    elif isinstance(e, d.Named):
        r = mentions(e.body, name, memo)
    elif isinstance(e, (d.Union, d.Seq, d.SUnion)):
        r = any(mentions(a, name, memo) for a in e.args)
    elif isinstance(e, (d.Inter, d.Diff, d.Product, d.SInter, d.SDiff)):
        r = mentions(e.left, name, memo) or mentions(e.right, name, memo)
    elif isinstance(e, (d.Inverse, d.Plus, d.Star, d.Opt)):
        r = mentions(e.arg, name, memo)
    elif isinstance(e, d.Ident):
        r = mentions(e.set, name, memo)
    elif isinstance(e, (d.Domain, d.Range, d.DifferentValues)):
        r = mentions(e.rel, name, memo)
    elif isinstance(e, d.FinalWrites):
        r = mentions(e.among, name, memo)
    else:
        r = False
    memo[id(e)] = (e, r)
    return r


def solve(bodies: dict[str, tuple[str, Any]]) -> dict[str, tuple[str, Any]] | None:
    """Least fixpoints of mutually recursive definitions ``name -> (kind, body)``.

    ``kind`` is "set" or "rel"; bodies mention the others as ``Var``.  None when the
    definitions do not reduce to a single recursive relation.
    """
    names = list(bodies)
    as_rel = {n: (d.Ident(b) if k == "set" and b is not None else b)
              for n, (k, b) in bodies.items()}
    # The recursive core: a relation-valued name whose body mentions itself.
    core = next((n for n in reversed(names)
                 if bodies[n][0] == "rel" and mentions(as_rel[n], n)), None)
    if core is None:
        return None
    others = [n for n in names if n != core]
    # Put every other definition into the core's body (and into each other).
    for _ in range(len(others) + 1):
        changed = False
        for n in others:
            for m in others:
                if m != n and mentions(as_rel[m], n):
                    if mentions(as_rel[n], n):
                        return None
                    as_rel[m] = substitute(as_rel[m], n, as_rel[n])
                    changed = True
        if not changed:
            break
    for n in others:
        if mentions(as_rel[n], n):
            return None
    body = as_rel[core]
    for n in others:
        body = substitute(body, n, as_rel[n])
    if any(mentions(body, n) for n in others):
        return None
    fixed = d.Rec(core, body)
    out: dict[str, tuple[str, Any]] = {}
    for n in names:
        kind = bodies[n][0]
        val = fixed if n == core else substitute(as_rel[n], core, fixed)
        if kind == "set" and isinstance(val, d.Ident):
            val = val.set
        elif kind == "set" and val is not None:
            val = d.Domain(val)
        out[n] = (kind, val)
    return out
