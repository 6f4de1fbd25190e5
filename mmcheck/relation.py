"""Binary relations over a small dense universe of events, as int bitsets.

A relation over ``n`` events is a tuple of ``n`` ints: bit ``b`` of ``rows[a]``
is set when ``a -> b``.  Event sets are plain ints.  This is the checker's hot
path, so every operation is a short loop over rows.

>>> r = Relation.from_pairs(3, [(0, 1), (1, 2)])
>>> sorted(r.plus().pairs())
[(0, 1), (0, 2), (1, 2)]
>>> r.cycle() is None
True
>>> Relation.from_pairs(3, [(0, 1), (1, 0)]).cycle()
[0, 1]
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def bits(mask: int) -> Iterator[int]:
    """The indices of the set bits of ``mask``, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def set_of(items: Iterable[int]) -> int:
    """The bitset holding ``items``."""
    mask = 0
    for i in items:
        mask |= 1 << i
    return mask


class Relation:
    """An immutable relation; operators build new relations."""

    __slots__ = ("n", "rows")

    def __init__(self, n: int, rows: Iterable[int]) -> None:
        self.n = n
        self.rows: tuple[int, ...] = tuple(rows)

    # -- construction -------------------------------------------------------

    @staticmethod
    def empty(n: int) -> Relation:
        return Relation(n, (0,) * n)

    @staticmethod
    def from_pairs(n: int, pairs: Iterable[tuple[int, int]]) -> Relation:
        rows = [0] * n
        for a, b in pairs:
            rows[a] |= 1 << b
        return Relation(n, rows)

    @staticmethod
    def identity(n: int, on: int | None = None) -> Relation:
        """``[S]``: identity restricted to the set ``on`` (all events if None)."""
        full = (1 << n) - 1 if on is None else on
        return Relation(n, ((1 << i) if (full >> i) & 1 else 0 for i in range(n)))

    @staticmethod
    def product(n: int, left: int, right: int) -> Relation:
        """``S x T``."""
        return Relation(n, (right if (left >> i) & 1 else 0 for i in range(n)))

    # -- inspection ---------------------------------------------------------

    def pairs(self) -> Iterator[tuple[int, int]]:
        for a, row in enumerate(self.rows):
            for b in bits(row):
                yield a, b

    def __contains__(self, pair: tuple[int, int]) -> bool:
        a, b = pair
        return bool((self.rows[a] >> b) & 1)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Relation) and self.n == other.n and self.rows == other.rows

    def __hash__(self) -> int:
        return hash(self.rows)

    def __repr__(self) -> str:
        return f"Relation({self.n}, {sorted(self.pairs())})"

    def __len__(self) -> int:
        return sum(row.bit_count() for row in self.rows)

    def is_empty(self) -> bool:
        return not any(self.rows)

    def domain(self) -> int:
        mask = 0
        for a, row in enumerate(self.rows):
            if row:
                mask |= 1 << a
        return mask

    def range(self) -> int:
        mask = 0
        for row in self.rows:
            mask |= row
        return mask

    # -- algebra ------------------------------------------------------------

    def __or__(self, other: Relation) -> Relation:
        return Relation(self.n, [a | b for a, b in zip(self.rows, other.rows, strict=True)])

    def __and__(self, other: Relation) -> Relation:
        return Relation(self.n, [a & b for a, b in zip(self.rows, other.rows, strict=True)])

    def __sub__(self, other: Relation) -> Relation:
        return Relation(self.n, [a & ~b for a, b in zip(self.rows, other.rows, strict=True)])

    def seq(self, other: Relation) -> Relation:
        """``self ; other``."""
        return Relation(self.n, seq_rows(self.rows, other.rows))

    def inverse(self) -> Relation:
        rows = [0] * self.n
        for a, row in enumerate(self.rows):
            bit = 1 << a
            for b in bits(row):
                rows[b] |= bit
        return Relation(self.n, rows)

    def plus(self) -> Relation:
        """Transitive closure ``r+``."""
        return Relation(self.n, closure_rows(self.rows))

    def star(self) -> Relation:
        """Reflexive-transitive closure ``r*``."""
        rows = closure_rows(self.rows)
        return Relation(self.n, [row | (1 << i) for i, row in enumerate(rows)])

    def opt(self) -> Relation:
        """``r?``."""
        return Relation(self.n, [row | (1 << i) for i, row in enumerate(self.rows)])

    def restrict(self, left: int, right: int) -> Relation:
        """``[left] ; r ; [right]``."""
        return Relation(
            self.n, [(row & right) if (left >> i) & 1 else 0 for i, row in enumerate(self.rows)]
        )

    # -- checks -------------------------------------------------------------

    def is_irreflexive(self) -> bool:
        return not any((row >> i) & 1 for i, row in enumerate(self.rows))

    def reflexive_point(self) -> int | None:
        for i, row in enumerate(self.rows):
            if (row >> i) & 1:
                return i
        return None

    def is_acyclic(self) -> bool:
        return is_acyclic_rows(self.rows)

    def cycle(self) -> list[int] | None:
        """A cycle ``[e0, e1, ..., ek]`` (edge ek -> e0 closes it), or None if acyclic."""
        return find_cycle(self.rows)


def seq_rows(left: tuple[int, ...] | list[int], right: tuple[int, ...] | list[int]) -> list[int]:
    out = []
    for row in left:
        acc = 0
        while row:
            low = row & -row
            acc |= right[low.bit_length() - 1]
            row ^= low
        out.append(acc)
    return out


def seq_rows_sparse(left: tuple[int, ...] | list[int], right: tuple[int, ...] | list[int]
                    ) -> list[int]:
    """``seq_rows`` for a ``right`` with few non-empty rows: the others are masked out
    of each left row before its bits are walked."""
    nz = 0
    bit = 1
    for r in right:
        if r:
            nz |= bit
        bit <<= 1
    if not nz:
        return [0] * len(left)
    out = []
    for row in left:
        row &= nz
        acc = 0
        while row:
            low = row & -row
            acc |= right[low.bit_length() - 1]
            row ^= low
        out.append(acc)
    return out


def closure_rows(rows: tuple[int, ...] | list[int]) -> list[int]:
    """Warshall's algorithm on bit rows."""
    out = list(rows)
    n = len(out)
    for k in range(n):
        bit = 1 << k
        rk = out[k]
        if not rk:
            continue
        for i in range(n):
            if out[i] & bit:
                out[i] |= rk
    return out


def is_acyclic_rows(rows: tuple[int, ...] | list[int]) -> bool:
    """Peels the events with no successor left, highest first (program order points
    up, so a pass usually peels whole threads): the relation is acyclic when nothing
    is left, cyclic when a pass peels nothing.  After a few passes, the depth-first
    search finishes the rest (a long chain pointing down would take a pass an event).
    """
    left = 0
    bit = 1
    for r in rows:
        if r:
            left |= bit
        bit <<= 1
    for _ in range(4):
        before = left
        m = left
        while m:
            i = m.bit_length() - 1
            b = 1 << i
            m ^= b
            if not rows[i] & left:
                left ^= b
        if not left:
            return True
        if left == before:
            return False
    return _acyclic_dfs([r & left if (left >> i) & 1 else 0 for i, r in enumerate(rows)])


def _acyclic_dfs(rows: tuple[int, ...] | list[int]) -> bool:
    """Depth-first search with bitsets: each event is entered once, and each step
    finds an unvisited successor or a back edge with one mask operation."""
    visited = 0
    for root, root_row in enumerate(rows):
        if not root_row or (visited >> root) & 1:
            continue
        bit = 1 << root
        visited |= bit
        onstack = bit
        stack = [root]
        while stack:
            v = stack[-1]
            row = rows[v]
            if row & onstack:
                return False  # an edge back to an event on the current path
            nxt = row & ~visited
            if nxt:
                low = nxt & -nxt
                visited |= low
                onstack |= low
                stack.append(low.bit_length() - 1)
            else:
                stack.pop()
                onstack &= ~(1 << v)
    return True


def find_cycle(rows: tuple[int, ...] | list[int]) -> list[int] | None:
    """Depth-first search returning one cycle as a list of events, or None."""
    n = len(rows)
    state = [0] * n  # 0 new, 1 on stack, 2 done
    for root in range(n):
        if state[root] or not rows[root]:
            continue
        stack: list[tuple[int, Iterator[int]]] = [(root, bits(rows[root]))]
        path = [root]
        state[root] = 1
        while stack:
            node, succ = stack[-1]
            advanced = False
            for nxt in succ:
                if state[nxt] == 1:
                    return path[path.index(nxt):]
                if state[nxt] == 0:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append((nxt, bits(rows[nxt])))
                    advanced = True
                    break
            if not advanced:
                state[node] = 2
                stack.pop()
                path.pop()
    return None
