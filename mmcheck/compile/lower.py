"""From a parsed C litmus test (``mmcheck.litmus.c_ast``) to the compiler's ``ir.Program``.

Thread parameters become shared variables (``ir.Var``: the address of the location of the
same name), other names locals; ``&x`` is the address of ``x``; a block's statements are
flattened.  Loops are not compiled (a loop is a retry loop herd7 would unroll, with
counts that depend on the unrolling): such a test is reported unsupported.
"""

from __future__ import annotations

from mmcheck.compile import ir
from mmcheck.compile.prims import ORDERS
from mmcheck.errors import Span, Unsupported
from mmcheck.litmus import c_ast as c
from mmcheck.litmus.ast import Litmus, Mem, Sym


def lower(test: Litmus) -> ir.Program:
    prog = test.program
    if prog is None:
        raise Unsupported(f"{test.name} is not a C test")
    variables: list[str] = []
    pointer_vars: set[str] = set()
    for loc, v in test.init:
        if isinstance(loc, Mem):
            if loc.name not in variables:
                variables.append(loc.name)
            if isinstance(v, Sym):
                pointer_vars.add(loc.name)
    for loc, ty in test.types:
        if isinstance(loc, Mem) and "*" in ty:
            pointer_vars.add(loc.name)
    threads = []
    for th in prog.threads:
        params = {p.name for p in th.params}
        for p in th.params:
            if p.name not in variables:
                variables.append(p.name)
            if p.type.count("*") >= 2:
                pointer_vars.add(p.name)
        lw = _Lowerer(params)
        body = tuple(lw.stmts(th.body))
        threads.append(ir.Thread(th.proc, f"P{th.proc}", body, frozenset(lw.pointers)))
    return ir.Program(test.name, test.path, test.description, test.init, tuple(variables),
                      frozenset(pointer_vars), tuple(threads), test.condition,
                      test.locations, test.filter)


def _text(span: Span) -> str:
    """The C statement a span starts, as written on its line."""
    line = span.text[span.col - 1:] if span.col >= 1 else span.text
    line = line.split("//")[0].split("/*")[0].strip()
    return line.rstrip("{").strip()


class _Lowerer:
    def __init__(self, params: set[str]) -> None:
        self.params = params
        self.pointers: set[str] = set()

    def stmts(self, s: c.Stmt) -> list[ir.Stmt]:
        if isinstance(s, c.Block):
            out: list[ir.Stmt] = []
            for t in s.body:
                out.extend(self.stmts(t))
            return out
        if isinstance(s, c.Decl):
            if "*" in s.type:
                self.pointers.add(s.name)
            if s.init is None:
                return []
            return [ir.Assign(s.name, self.expr(s.init), _text(s.span), s.span)]
        if isinstance(s, c.Assign):
            return [ir.Assign(s.name, self.expr(s.value), _text(s.span), s.span)]
        if isinstance(s, c.Store):
            return [ir.Store(self.expr(s.addr), self.expr(s.value), _text(s.span), s.span)]
        if isinstance(s, c.ExprStmt):
            return [ir.Do(self.expr(s.expr), _text(s.span), s.span)]
        if isinstance(s, c.If):
            orelse = tuple(self.stmts(s.orelse)) if s.orelse is not None else ()
            return [ir.If(self.expr(s.cond), tuple(self.stmts(s.then)), orelse,
                          _text(s.span), s.span)]
        raise Unsupported("loops are not compiled to assembly (a retry loop's unrolling "
                          "would decide the counts); use --model lkmm or sc", s.span)

    def expr(self, e: c.Expr) -> ir.Expr:
        if isinstance(e, c.Const):
            v = e.value
            if isinstance(v, Sym):
                return ir.Var(v.name)
            return ir.Const(v)
        if isinstance(e, c.Var):
            if e.name in self.params or e.name in ORDERS:
                return ir.Var(e.name)
            return ir.Local(e.name)
        if isinstance(e, c.AddrOf):
            return ir.Var(e.name)
        if isinstance(e, c.Deref):
            return ir.Deref(self.expr(e.addr))
        if isinstance(e, c.UnOp):
            return ir.Unary(e.op, self.expr(e.arg))
        if isinstance(e, c.BinOp):
            return ir.Bin(e.op, self.expr(e.left), self.expr(e.right))
        return ir.Call(e.name, tuple(self.expr(a) for a in e.args), e.span)
