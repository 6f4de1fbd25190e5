"""Run a cat file's instructions into a model of the DSL (checks and flags).

Evaluation is symbolic: event sets and relations become DSL expressions, which the
search evaluates on every execution as it does for the built-in models; everything
else (functions, tags, tuples, variants, includes) is run here, once per model and
architecture.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mmcheck.cat import values as v
from mmcheck.cat.ast import Node, Pos
from mmcheck.cat.builtins import NATIVE_DEPS, base_env, native_co
from mmcheck.cat.lexer import span_at
from mmcheck.cat.parser import CatFile
from mmcheck.cat.values import EMPTY, Ev, RegLevel
from mmcheck.errors import UserError
from mmcheck.models import dsl as d

Env = dict[str, Any]


class CatError(UserError):
    pass


class NeedsTest(CatError):
    """The model inspects the events of a test (``match`` on an event set): it must be
    specialised to the tags the test's events carry."""


class _TryFailed(Exception):
    """An evaluation error that ``try ... with`` may catch."""

    def __init__(self, error: CatError) -> None:
        super().__init__(error.message)
        self.error = error


def error(pos: Pos, message: str, length: int = 1) -> CatError:
    return CatError(message, span_at(pos.source, pos.line, pos.col, length), pos.path)


_EMPTY_REL = d.Ident(d.SUnion(()))


class CatFlag:
    """``flag ~empty e as name``: raised when ``e`` is non-empty on a consistent execution."""

    __slots__ = ("name", "kind", "expr")

    def __init__(self, name: str, kind: str, expr: d.Expr) -> None:
        self.name = name
        self.kind = kind
        self.expr = expr


class Interpreter:
    """One model's run: ``load(name, pos)`` gives the parsed file an include names."""

    def __init__(self, arch: str, load: Callable[[str, Pos | None], CatFile],
                 variants: frozenset[str] = frozenset(),
                 present: frozenset[str] | None = None) -> None:
        self.arch = arch
        # When specialised to a test: the tags its events may carry (others are empty).
        self.present = present
        self.load = load
        self.variants = frozenset(x.lower() for x in variants)
        self.checks: list[d.Check] = []
        self.flags: list[CatFlag] = []
        self.catdep = False
        self.co_bound = False
        self.try_depth = 0
        self.fresh = 0
        self.choices: list[tuple[str, d.Expr, Pos]] = []  # with x from a choice of sources
        self.co0: d.Expr | None = None  # the standard library's co0, which every co contains

    def tag_set(self, name: str) -> Ev:
        if self.present is not None and name not in self.present:
            return EMPTY
        return Ev("set", d.SBase(name))

    def initial_env(self) -> Env:
        env = base_env(self.arch)
        if self.present is not None:
            for name, val in list(env.items()):
                if isinstance(val, Ev) and isinstance(val.expr, d.SBase) and \
                        val.expr.name not in ("R", "W", "M", "F", "IW"):
                    env[name] = self.tag_set(val.expr.name)
        env["domain"] = v.Builtin("domain", self._domain)
        env["range"] = v.Builtin("range", self._range)
        from mmcheck.cat.choice import builtin_cross, builtin_map

        env["mmcheck-map"] = v.Builtin("map", lambda f, pos: builtin_map(self, f, pos))
        env["mmcheck-cross"] = v.Builtin("cross", lambda s, pos: builtin_cross(self, s, pos))
        env["different-values"] = v.Builtin("different-values", self._different_values)
        env["mmcheck-coherence-orders"] = v.Builtin("coherence-orders", self._cos)
        for name in ("same-oa", "oa-changes", "at-least-one-writable"):
            env[name] = v.Builtin(name, lambda arg, pos: EMPTY)
        return env

    # -- instructions -----------------------------------------------------------------------

    def run_file(self, cat: CatFile, env: Env) -> Env:
        if cat.catdep:
            self.catdep = True
        return self.run(cat.body, env)

    def run(self, body: list[Node], env: Env) -> Env:
        for ins in body:
            env = self.instruction(ins, env)
        return env

    def instruction(self, ins: Node, env: Env) -> Env:
        k, a, pos = ins.kind, ins.args, ins.pos
        if k == "let":
            values = [(pat, self.eval(e, env)) for pat, e in a[0]]
            new = dict(env)
            for pat, val in values:
                self.bind(pat, val, new, pos, top=True)
            return new
        if k == "rec":
            return self.letrec(a[0], env, pos)
        if k == "test":
            self.test(ins, env)
            return env
        if k in ("show", "unshow", "debug"):
            return env
        if k == "include":
            cat = self.load(a[0], pos)
            return self.run_file(cat, env)
        if k == "procedure":
            name, params, body = a
            new = dict(env)
            proc = v.Procedure(name, params, body, new)
            new[name] = proc
            return new
        if k == "call":
            name, arg, as_name = a
            called = env.get(name)
            if not isinstance(called, v.Procedure):
                raise error(pos, f"{name!r} is not a procedure", len(name))
            proc = called
            local = dict(proc.env)
            self.bind(proc.params, self.eval(arg, env), local, pos)
            before = len(self.checks)
            self.run(proc.body, local)
            if as_name is not None:
                for i in range(before, len(self.checks)):
                    c = self.checks[i]
                    self.checks[i] = d.Check(c.kind, c.expr, as_name)
            return env
        if k == "forall":
            var, e, body = a
            coll = self.eval(e, env)
            if not isinstance(coll, v.SetV):
                raise error(pos, "unsupported: 'forall' over the events of a set")
            for item in coll.items:
                local = dict(env)
                local[var] = item
                self.run(body, local)
            return env
        if k == "with":
            return self.with_from(a[0], a[1], env, pos)
        if k == "ifvariant":
            return self.run(a[1] if self.variant(a[0]) else a[2], env)
        if k == "enum":
            name, tags = a
            new = dict(env)
            new[name] = v.SetV(tuple(v.TagV(t) for t in tags))
            for t in tags:
                # herd names the events carrying tag 'x by the capitalised name: X.
                cap = t[:1].upper() + t[1:]
                if not isinstance(new.get(cap), Ev):
                    new[cap] = self.tag_set(cap)
            return new
        if k == "events":
            return env  # bell declarations of which tags an instruction may carry
        raise error(pos, f"unsupported: the {k!r} instruction")  # pragma: no cover

    def bind(self, pat: Any, val: Any, env: Env, pos: Pos, top: bool = False) -> None:
        if isinstance(pat, list):
            if not isinstance(val, v.TupleV) or len(val.items) != len(pat):
                raise error(pos, f"expected a tuple of {len(pat)} values")
            for p, x in zip(pat, val.items, strict=True):
                if p is not None:
                    env[p] = x
            return
        if pat is None:
            return
        if top and self.catdep and isinstance(val, RegLevel) and pat in NATIVE_DEPS:
            val = Ev("rel", NATIVE_DEPS[pat])
        elif isinstance(val, Ev) and val.kind == "rel" and val.expr is not None and \
                not isinstance(val.expr, (d.Base, d.Named)):
            val = Ev("rel", d.Named(pat, val.expr))
        env[pat] = val

    def letrec(self, binds: list[tuple[Any, Node]], env: Env, pos: Pos) -> Env:
        names = [p for p, _ in binds]
        if any(not isinstance(p, str) for p in names):
            raise error(pos, "unsupported: a tuple pattern in 'let rec'")
        if all(e.kind == "fun" for _, e in binds):
            new = dict(env)
            for p, e in binds:
                new[p] = v.Closure(e.args[0], e.args[1], new, p)
            return new
        if len(binds) == 1:
            name, body = binds[0]
            marker = d.Base(f"\0rec{self.fresh}:{name}")
            self.fresh += 1
            local = dict(env)
            local[name] = Ev("rel", marker)
            val = self.eval(body, local)
            if isinstance(val, RegLevel):
                new = dict(env)
                new[name] = val
                return new
            if not (isinstance(val, Ev) and val.kind == "set"):
                expr = self.as_rel(val, body.pos)
                fixed = _solve(expr, marker)
                if fixed is not False:
                    new = dict(env)
                    self.bind(name, Ev("rel", fixed), new, pos)
                    return new
        return self.letrec_general(binds, env, pos)

    def letrec_general(self, binds: list[tuple[Any, Node]], env: Env, pos: Pos) -> Env:
        """Mutually recursive sets and relations, reduced to one DSL fixpoint."""
        from mmcheck.cat.fix import solve

        local = dict(env)
        for name, _ in binds:
            local[name] = Ev("poly", d.Var(name))
        bodies: dict[str, tuple[str, Any]] = {}
        for name, body in binds:
            val = self.eval(body, local)
            if isinstance(val, RegLevel):
                raise error(body.pos, f"unsupported: {val.name!r} in a recursive definition")
            if not isinstance(val, Ev):
                raise error(body.pos, "type error: a recursive definition of "
                            f"{_kind(val)}")
            expr = val.expr if val.expr is not None else _EMPTY_REL
            bodies[name] = ("set" if val.kind == "set" else "rel", expr)
        solved = solve(bodies)
        if solved is None:
            raise error(pos, "unsupported: recursive definitions that do not reduce to one "
                        "recursive relation", len("let"))
        new = dict(env)
        for name, (kind, expr) in solved.items():
            if kind == "set":
                new[name] = Ev("set", expr)
            else:
                self.bind(name, Ev("rel", expr), new, pos)
        return new

    def with_from(self, var: str, e: Node, env: Env, pos: Pos) -> Env:
        if var == "co" and e.kind == "app" and e.args[0].kind == "var" and \
                e.args[0].args[0] in ("generate_cos", "generate_orders"):
            arg = self.eval(e.args[1], env)
            if e.args[0].args[0] == "generate_orders":
                if not isinstance(arg, v.TupleV) or len(arg.items) != 2:
                    raise error(e.pos, "generate_orders takes (W, pco)")
                arg = arg.items[1]
            val: Any = v.CoOrders(self.as_rel(arg, e.pos))
        else:
            val = self.eval(e, env)
        if isinstance(val, v.CoOrders):
            if var != "co":
                raise error(pos, "unsupported: coherence orders bound to a name other than co")
            self.co_order(val.pco)
            new = dict(env)
            new["co"] = Ev("rel", native_co(self.arch))
            return new
        from mmcheck.cat.choice import SourceChoice

        if isinstance(val, SourceChoice):
            chosen = d.Inter(d.Base("rf"), val.candidates)
            self.checks.append(d.Check(
                "empty", d.Ident(d.SDiff(val.targets, d.Range(chosen))), f"{var}-sources"))
            self.choices.append((var, chosen, pos))
            new = dict(env)
            new[var] = Ev("rel", chosen)
            return new
        if isinstance(val, v.SetV) and len(val.items) == 1:
            new = dict(env)
            new[var] = val.items[0]
            return new
        if isinstance(val, v.SetV):
            raise error(pos, f"unsupported: 'with {var} from' a set of {len(val.items)} "
                        "candidates")
        raise error(pos, "unsupported: 'with ... from' something other than a set")

    def agreement(self, env: Env) -> None:
        """A model that redefines rf or co (the LKMM's lock rules) describes the
        execution with its final rf and co: the search's must be exactly those."""
        rf_val = env.get("rf")
        final_rf = rf_val.expr if isinstance(rf_val, Ev) else None
        for var, chosen, pos in self.choices:
            if final_rf is None or not _has_term(final_rf, chosen):
                raise error(pos, f"unsupported: {var!r} is chosen among sources of reads but "
                            "is not part of the model's rf")
        for name in ("rf", "co"):
            val = env.get(name)
            final = val.expr if isinstance(val, Ev) else None
            base: d.Expr = d.Base(name)
            if final is None or _strip_named(final) == base:
                continue
            if name == "co":
                base = d.Inter(base, d.Base("loc"))
            self.checks.append(d.Check("empty", d.Diff(base, final), f"search-{name}"))

    def co_order(self, pco: d.Expr | None) -> None:
        """co ranges over the coherence orders that contain ``pco`` (on writes to one place)."""
        if pco is not None and self.co0 is not None:
            # mmcheck's coherence orders always contain co0: only the rest is a constraint.
            terms = pco.args if isinstance(pco, d.Union) else (pco,)
            pco = None
            for t in terms:
                if t != self.co0:
                    pco = v.r_union(pco, t)
        if pco is None:
            return
        co = d.Base("co")
        pairs = d.Inter(d.Inter(pco, d.Base("loc")), d.Product(d.W, d.W))
        bad = d.Inter(pairs, d.Union((d.Inverse(co), v.ID)))
        self.checks.append(d.Check("empty", bad, "coherence"))

    def test(self, ins: Node, env: Env) -> None:
        ttype, neg, kind, e, name = ins.args
        pos = ins.pos
        val = self.eval(e, env)
        expr = self.as_rel(val, e.pos, allow_set=(kind == "empty"))
        label = name or (e.args[0] if e.kind == "var" else f"{kind}@{pos.line}")
        if expr is not None and isinstance(val, Ev) and val.kind == "set":
            expr = d.Ident(val.expr)
        if ttype == "flag":
            if not neg:
                raise error(pos, "unsupported: a flag on a test that is not negated")
            if expr is not None:
                self.flags.append(CatFlag(label, kind, expr))
            return
        if neg:
            raise error(pos, "unsupported: a negated check ('~') outside 'flag'")
        if ttype in ("assert", "undefined_unless"):
            if expr is not None:
                raise error(pos, f"unsupported: {ttype!r} on a relation that may be non-empty")
            return
        if expr is None:
            return  # trivially holds
        self.checks.append(d.Check(kind, expr, label))

    # -- conversions ------------------------------------------------------------------------

    def as_rel(self, val: Any, pos: Pos, allow_set: bool = False) -> Any:
        if isinstance(val, Ev) and val.kind == "poly":
            return val.expr
        if isinstance(val, Ev):
            if val.kind == "set" and not allow_set:
                raise error(pos, "type error: expected a relation, found an event set")
            return val.expr
        if isinstance(val, RegLevel):
            raise error(pos, f"unsupported: {val.name!r}, a register-level relation that "
                        "mmcheck does not build")
        if isinstance(val, v.SetV) and not val.items:
            return None
        raise error(pos, f"type error: expected a relation, found {_kind(val)}")

    def as_set(self, val: Any, pos: Pos) -> Any:
        if isinstance(val, Ev) and val.kind == "poly":
            return d.Domain(val.expr)
        if isinstance(val, Ev):
            if val.kind == "rel":
                raise error(pos, "type error: expected an event set, found a relation")
            return val.expr
        if isinstance(val, RegLevel):
            raise error(pos, f"unsupported: {val.name!r}, a register-level event class that "
                        "mmcheck does not build")
        if isinstance(val, v.SetV) and not val.items:
            return None
        raise error(pos, f"type error: expected an event set, found {_kind(val)}")

    # -- builtins ------------------------------------------------------------------------------

    def _domain(self, arg: Any, pos: Pos) -> Any:
        if isinstance(arg, RegLevel):
            return arg
        return Ev("set", v.s_domain(self.as_rel(arg, pos)))

    def _range(self, arg: Any, pos: Pos) -> Any:
        if isinstance(arg, RegLevel):
            return arg
        return Ev("set", v.s_range(self.as_rel(arg, pos)))

    def _different_values(self, arg: Any, pos: Pos) -> Any:
        r = self.as_rel(arg, pos)
        return Ev("rel", None if r is None else d.DifferentValues(r))

    def _cos(self, arg: Any, pos: Pos) -> Any:
        return v.CoOrders(self.as_rel(arg, pos))

    # -- variants --------------------------------------------------------------------------

    def variant(self, tree: Any) -> bool:
        op = tree[0]
        if op == "v":
            return str(tree[1]).lower() in self.variants
        if op == "not":
            return not self.variant(tree[1])
        if op == "and":
            return self.variant(tree[1]) and self.variant(tree[2])
        return self.variant(tree[1]) or self.variant(tree[2])

    # -- expressions ----------------------------------------------------------------------------

    def eval(self, e: Node, env: Env) -> Any:
        from mmcheck.cat.expr import evaluate

        return evaluate(self, e, env)


def _has_term(e: d.Expr, x: d.Expr) -> bool:
    """Whether ``x`` is one of the terms of the union ``e`` (through names)."""
    if e == x:
        return True
    if isinstance(e, d.Named):
        return _has_term(e.body, x)
    if isinstance(e, d.Union):
        return any(_has_term(a, x) for a in e.args)
    return False


def _strip_named(e: d.Expr) -> d.Expr:
    while isinstance(e, d.Named):
        e = e.body
    return e


def _kind(val: Any) -> str:
    if isinstance(val, Ev):
        return {"set": "an event set", "rel": "a relation", "empty": "an empty set"}[val.kind]
    return {
        v.TagV: "a tag", v.TupleV: "a tuple", v.SetV: "a set of values",
        v.Closure: "a function", v.Builtin: "a function", v.Procedure: "a procedure",
        v.CoOrders: "coherence orders", RegLevel: "a register-level relation",
    }.get(type(val), type(val).__name__)


def _solve(expr: d.Expr | None, x: d.Expr) -> d.Expr | None | bool:
    """The least fixed point of ``X = expr`` when expr is a union of terms free of X,
    ``X;X``, ``B;X`` and ``X;C``: ``(B* ; A ; C*)+`` (or without ``+`` when no ``X;X``).
    False when expr has another shape."""
    if expr is None:
        return None
    terms = expr.args if isinstance(expr, d.Union) else (expr,)
    base: list[d.Expr] = []
    left: list[d.Expr] = []
    right: list[d.Expr] = []
    square = False
    for t in terms:
        if not _mentions(t, x):
            base.append(t)
            continue
        if not isinstance(t, d.Seq):
            if t == x:
                continue  # X | ... adds nothing to the least fixed point
            return False
        args = t.args
        if args == (x, x):
            square = True
        elif args[-1] == x and not any(_mentions(a, x) for a in args[:-1]):
            left.append(args[0] if len(args) == 2 else d.Seq(args[:-1]))
        elif args[0] == x and not any(_mentions(a, x) for a in args[1:]):
            right.append(args[1] if len(args) == 2 else d.Seq(args[1:]))
        else:
            return False
    a: d.Expr | None = None
    for t in base:
        a = v.r_union(a, t)
    if a is None:
        return None
    parts: list[d.Expr] = []
    if left:
        parts.append(d.Star(left[0] if len(left) == 1 else d.Union(tuple(left))))
    parts.append(a)
    if right:
        parts.append(d.Star(right[0] if len(right) == 1 else d.Union(tuple(right))))
    body = parts[0] if len(parts) == 1 else d.Seq(tuple(parts))
    return d.Plus(body) if square else body


def _mentions(e: Any, x: d.Expr, memo: dict[int, tuple[Any, bool]] | None = None) -> bool:
    """Whether ``x`` occurs in ``e`` (shared subterms are visited once)."""
    if memo is None:
        memo = {}
    hit = memo.get(id(e))
    if hit is not None and hit[0] is e:
        return hit[1]
    if e == x:
        r = True
    elif isinstance(e, d.Named):
        r = _mentions(e.body, x, memo)
    elif isinstance(e, (d.Union, d.Seq, d.SUnion)):
        r = any(_mentions(a, x, memo) for a in e.args)
    elif isinstance(e, (d.Inter, d.Diff, d.Product, d.SInter, d.SDiff)):
        r = _mentions(e.left, x, memo) or _mentions(e.right, x, memo)
    elif isinstance(e, (d.Inverse, d.Plus, d.Star, d.Opt)):
        r = _mentions(e.arg, x, memo)
    elif isinstance(e, d.Ident):
        r = _mentions(e.set, x, memo)
    elif isinstance(e, (d.Domain, d.Range)):
        r = _mentions(e.rel, x, memo)
    else:
        r = False
    memo[id(e)] = (e, r)
    return r
