"""Evaluation of cat expressions (the interpreter's expression half)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mmcheck.cat import values as v
from mmcheck.cat.ast import Node
from mmcheck.cat.values import EMPTY, Ev, RegLevel

if TYPE_CHECKING:
    from mmcheck.cat.interp import Env, Interpreter


def evaluate(it: Interpreter, e: Node, env: Env) -> Any:
    from mmcheck.cat.interp import CatError, _TryFailed, error

    k, a, pos = e.kind, e.args, e.pos
    if k == "var":
        name = a[0]
        if name in env:
            return env[name]
        err = error(pos, f"unbound name {name!r}", len(name))
        if it.try_depth:
            raise _TryFailed(err)
        raise err
    if k == "zero":
        return EMPTY
    if k == "universe":
        return Ev("set", v.UNIVERSE)
    if k == "tag":
        return v.TagV(a[0])
    if k == "set":
        items = tuple(evaluate(it, x, env) for x in a)
        from mmcheck.cat.choice import ElemV

        if len(items) == 1 and isinstance(items[0], ElemV):
            return Ev("set", items[0].placeholder)
        if items and all(isinstance(x, Ev) and x.kind == "set" for x in items):
            raise error(pos, "unsupported: a set literal of events")
        return EMPTY if not items else v.SetV(items)
    if k == "tuple":
        return v.TupleV(tuple(evaluate(it, x, env) for x in a))
    if k == "toid":
        val = evaluate(it, a[0], env)
        if isinstance(val, RegLevel):
            return val
        return Ev("rel", v.r_ident(it.as_set(val, a[0].pos)))
    if k == "op1":
        return _op1(it, a[0], evaluate(it, a[1], env), a[1])
    if k == "op2":
        return _op2(it, e, evaluate(it, a[1], env), evaluate(it, a[2], env))
    if k == "app":
        f = evaluate(it, a[0], env)
        arg = evaluate(it, a[1], env)
        return apply(it, f, arg, e)
    if k == "bind":
        local = dict(env)
        vals = [(p, evaluate(it, x, env)) for p, x in a[0]]
        for p, val in vals:
            it.bind(p, val, local, pos)
        return evaluate(it, a[1], local)
    if k == "bindrec":
        local = it.letrec(a[0], env, pos)
        return evaluate(it, a[1], local)
    if k == "fun":
        return v.Closure(a[0], a[1], env, a[2])
    if k == "try":
        it.try_depth += 1
        try:
            return evaluate(it, a[0], env)
        except _TryFailed:
            pass
        except CatError as exc:
            if not exc.message.startswith(("unbound", "type error")):
                raise
        finally:
            it.try_depth -= 1
        return evaluate(it, a[1], env)
    if k == "if":
        return evaluate(it, a[1] if _cond(it, a[0], env) else a[2], env)
    if k == "match":
        val = evaluate(it, a[0], env)
        if not isinstance(val, v.TagV):
            raise error(pos, "unsupported: 'match' on something other than a tag")
        for tag, branch in a[1]:
            if tag == val.name:
                return evaluate(it, branch, env)
        if a[2] is not None:
            return evaluate(it, a[2], env)
        raise error(pos, f"no case for tag {val.name!r}")
    if k == "matchset":
        val = evaluate(it, a[0], env)
        empty_branch, (x, rest, branch) = a[1], a[2]
        if isinstance(val, Ev) and val.expr is None:
            return evaluate(it, empty_branch, env)
        if isinstance(val, v.SetV):
            if not val.items:
                return evaluate(it, empty_branch, env)
            local = dict(env)
            if x is not None:
                local[x] = val.items[0]
            if rest is not None:
                local[rest] = v.SetV(val.items[1:]) if len(val.items) > 1 else EMPTY
            return evaluate(it, branch, local)
        from mmcheck.cat.interp import NeedsTest

        msg = ("unsupported: matching on the elements of an event set or relation "
               "(its contents depend on the test)")
        if it.present is None:
            raise NeedsTest(msg, error(pos, msg).span, pos.path)
        raise error(pos, msg)
    raise error(pos, f"unsupported: the {k!r} expression")  # pragma: no cover


def apply(it: Interpreter, f: Any, arg: Any, e: Node) -> Any:
    return apply_at(it, f, arg, e.pos)


def apply_at(it: Interpreter, f: Any, arg: Any, pos: Any) -> Any:
    from mmcheck.cat.interp import error

    if isinstance(f, v.Builtin):
        return f.fn(arg, pos)
    if isinstance(f, v.Closure):
        local = dict(f.env)
        it.bind(f.params, arg, local, pos)
        return evaluate(it, f.body, local)
    if isinstance(f, RegLevel):
        return f
    raise error(pos, "type error: applying something that is not a function")


def _cond(it: Interpreter, c: Node, env: Env) -> bool:
    from mmcheck.cat.interp import error

    if c.kind == "variant":
        return it.variant(c.args[0])
    left = evaluate(it, c.args[0], env)
    right = evaluate(it, c.args[1], env)
    if c.kind == "eq" and isinstance(left, v.TagV) and isinstance(right, v.TagV):
        return left == right
    if c.kind == "in" and isinstance(right, v.SetV):
        return any(left == x for x in right.items)
    if isinstance(left, Ev) and isinstance(right, Ev) and left.expr is None \
            and right.expr is None:
        return True
    raise error(c.pos, "unsupported: a condition on the events of a test")


def _taint(*vals: Any) -> RegLevel | None:
    for x in vals:
        if isinstance(x, RegLevel):
            return x
    return None


def _is_empty(x: Any) -> bool:
    return isinstance(x, Ev) and x.expr is None or isinstance(x, v.SetV) and not x.items


def _op1(it: Interpreter, op: str, val: Any, node: Node) -> Any:
    if isinstance(val, RegLevel):
        return val
    if op == "~":
        if isinstance(val, Ev) and val.kind == "set":
            return Ev("set", v.s_comp(val.expr))
        if isinstance(val, Ev) and val.kind == "empty":
            return Ev("set", v.UNIVERSE)
        return Ev("rel", v.r_comp(it.as_rel(val, node.pos)))
    if isinstance(val, Ev) and val.kind == "set":
        from mmcheck.cat.interp import error

        raise error(node.pos, f"type error: {op!r} applies to a relation, not an event set")
    r = it.as_rel(val, node.pos)
    fn = {"*": v.r_star, "+": v.r_plus, "?": v.r_opt, "^-1": v.r_inverse}[op]
    return Ev("rel", fn(r))


def _op2(it: Interpreter, e: Node, left: Any, right: Any) -> Any:
    from mmcheck.cat.interp import error

    op = e.args[0]
    lpos, rpos = e.args[1].pos, e.args[2].pos
    if op == "++":
        from mmcheck.cat.choice import PairV

        if isinstance(left, PairV) and _is_empty(right):
            return Ev("rel", left.placeholder)  # a pair made a relation
        if isinstance(right, v.SetV):
            return v.SetV((left,) + right.items)
        if _is_empty(right):
            return v.SetV((left,))
        raise error(e.pos, "unsupported: '++' on events")
    if op == "*":
        if _is_empty(left) or _is_empty(right):
            return Ev("rel", None)
        t = _taint(left, right)
        if t is not None:
            return t
        return Ev("rel", v.r_product(it.as_set(left, lpos), it.as_set(right, rpos)))
    if op == ";":
        if _is_empty(left) or _is_empty(right):
            return Ev("rel", None)
        t = _taint(left, right)
        if t is not None:
            return t
        return Ev("rel", v.r_seq(it.as_rel(left, lpos), it.as_rel(right, rpos)))
    # | & \ work on two sets or two relations.
    if op == "&" and (_is_empty(left) or _is_empty(right)):
        return EMPTY
    if op == "\\" and _is_empty(left):
        return EMPTY
    if op in ("|", "\\") and _is_empty(right) and not isinstance(left, v.SetV):
        return left
    if op == "|" and _is_empty(left) and not isinstance(right, v.SetV):
        return right
    if op == "|" and isinstance(left, v.SetV) and _is_empty(right):
        return left
    if op == "|" and isinstance(right, v.SetV) and _is_empty(left):
        return right
    t = _taint(left, right)
    if t is not None:
        return t
    if isinstance(left, v.SetV) and isinstance(right, v.SetV) and op == "|":
        return v.SetV(left.items + tuple(x for x in right.items if x not in left.items))
    is_set = (isinstance(left, Ev) and left.kind == "set") or \
             (isinstance(right, Ev) and right.kind == "set")
    is_rel = (isinstance(left, Ev) and left.kind == "rel") or \
             (isinstance(right, Ev) and right.kind == "rel")
    if is_set and is_rel:
        raise error(e.pos, f"type error: {op!r} between an event set and a relation")
    if is_set:
        ls, rs = it.as_set(left, lpos), it.as_set(right, rpos)
        fn = {"|": v.s_union, "&": v.s_inter, "\\": v.s_diff}[op]
        return Ev("set", fn(ls, rs))
    lr, rr = it.as_rel(left, lpos), it.as_rel(right, rpos)
    fnr = {"|": v.r_union, "&": v.r_inter, "\\": v.r_diff}[op]
    return Ev("rel", fnr(lr, rr))
