"""x86 ``lock cmpxchg`` as herd7's X86_64Sem.ml has it (figures from herd7 7.57)."""

from __future__ import annotations

from mmcheck.check import check
from mmcheck.litmus.parse import parse_text

CX = """X86_64 cx
{ x=0; y=0; }
 P0                     | P1                     ;
 movl $1,%eax           | movl $0,%eax           ;
 movl $2,%ecx           | movl $1,%ecx           ;
 lock cmpxchgl (x),%ecx | lock cmpxchgl (x),%ecx ;
 movl (y),%ebx          | movl $1,(y)            ;
locations [0:rax; 1:rax; x;]
exists (0:rbx=0 /\\ x=2)
"""

# A failed locked cmpxchg is still a locked read: it orders P0's store before its load.
CX2 = """X86_64 cx2
{ x=0; y=0; }
 P0                     | P1            ;
 movl $1,(y)            | movl $1,(x)   ;
 movl $5,%eax           | mfence        ;
 movl $2,%ecx           | movl (y),%ebx ;
 lock cmpxchgl (x),%ecx |               ;
 movl (x),%edx          |               ;
exists (0:rdx=0 /\\ 1:rbx=0)
"""


def test_cmpxchg_success_and_failure() -> None:
    r = check(parse_text(CX, "cx.litmus"))
    assert (len(r.states), r.positive, r.negative) == (4, 1, 3)
    finals = {tuple(str(v) for _, v in s) for s in r.states}
    # P1's cmpxchg(0 -> 1) always succeeds (rax stays 0); P0's (1 -> 2) succeeds iff after.
    assert all(s[2] == "0" for s in finals)
    assert {s[0] for s in finals if s[3] == "2"} == {"1"}


def test_failed_locked_cmpxchg_is_a_fence() -> None:
    r = check(parse_text(CX2, "cx2.litmus"))
    assert (len(r.states), r.positive, r.negative) == (3, 0, 4)
