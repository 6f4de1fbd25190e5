"""Property tests for the relation algebra (mmcheck.relation).

Each law is checked against random relations over small universes; the cycle
finder is compared with networkx, which is independent of our bitset code.
"""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from mmcheck.relation import Relation, bits, set_of

MAX_N = 7


@st.composite
def relations(draw: st.DrawFn, n: int | None = None) -> Relation:
    if n is None:
        n = draw(st.integers(min_value=0, max_value=MAX_N))
    rows = draw(st.lists(st.integers(0, (1 << n) - 1), min_size=n, max_size=n))
    return Relation(n, rows)


@st.composite
def same_size(draw: st.DrawFn, k: int) -> tuple[Relation, ...]:
    n = draw(st.integers(min_value=0, max_value=MAX_N))
    return tuple(draw(relations(n)) for _ in range(k))


@st.composite
def relation_and_set(draw: st.DrawFn) -> tuple[Relation, int]:
    r = draw(relations())
    s = draw(st.integers(0, (1 << r.n) - 1)) if r.n else 0
    return r, s


def as_set(r: Relation) -> set[tuple[int, int]]:
    return set(r.pairs())


def naive_seq(a: Relation, b: Relation) -> set[tuple[int, int]]:
    return {(x, z) for (x, y) in a.pairs() for (y2, z) in b.pairs() if y == y2}


def naive_plus(r: Relation) -> set[tuple[int, int]]:
    out = as_set(r)
    while True:
        more = out | {(x, z) for (x, y) in out for (y2, z) in out if y == y2}
        if more == out:
            return out
        out = more


def graph(r: Relation) -> nx.DiGraph[int]:
    g: nx.DiGraph[int] = nx.DiGraph()
    g.add_nodes_from(range(r.n))
    g.add_edges_from(r.pairs())
    return g


def ident(n: int) -> Relation:
    return Relation.identity(n)


# -- construction and inspection ---------------------------------------------------


@given(st.sets(st.integers(0, 60)))
def test_bits_and_set_of_roundtrip(items: set[int]) -> None:
    assert list(bits(set_of(items))) == sorted(items)


@given(relations())
def test_from_pairs_roundtrip(r: Relation) -> None:
    assert Relation.from_pairs(r.n, r.pairs()) == r
    assert len(r) == len(as_set(r))
    assert r.is_empty() == (len(r) == 0)
    assert all(p in r for p in r.pairs())


@given(relation_and_set())
def test_identity_product_restrict(rs: tuple[Relation, int]) -> None:
    r, s = rs
    n = r.n
    idn = Relation.identity(n, s)
    assert as_set(idn) == {(i, i) for i in bits(s)}
    assert as_set(Relation.product(n, s, s)) == {(a, b) for a in bits(s) for b in bits(s)}
    # [S] ; r ; [S] == restrict
    assert idn.seq(r).seq(idn) == r.restrict(s, s)


@given(relations())
def test_domain_and_range(r: Relation) -> None:
    assert set(bits(r.domain())) == {a for a, _ in r.pairs()}
    assert set(bits(r.range())) == {b for _, b in r.pairs()}


# -- algebraic laws ---------------------------------------------------------------------


@given(same_size(3))
def test_seq_is_associative(rs: tuple[Relation, Relation, Relation]) -> None:
    a, b, c = rs
    assert a.seq(b).seq(c) == a.seq(b.seq(c))


@given(same_size(2))
def test_seq_matches_definition(rs: tuple[Relation, Relation]) -> None:
    a, b = rs
    assert as_set(a.seq(b)) == naive_seq(a, b)


@given(same_size(3))
def test_seq_distributes_over_union(rs: tuple[Relation, Relation, Relation]) -> None:
    a, b, c = rs
    assert a.seq(b | c) == a.seq(b) | a.seq(c)
    assert (a | b).seq(c) == a.seq(c) | b.seq(c)


@given(relations())
def test_identity_is_neutral_for_seq(r: Relation) -> None:
    assert ident(r.n).seq(r) == r
    assert r.seq(ident(r.n)) == r
    empty = Relation.empty(r.n)
    assert r.seq(empty) == empty == empty.seq(r)


@given(same_size(3))
def test_union_and_intersection_laws(rs: tuple[Relation, Relation, Relation]) -> None:
    a, b, c = rs
    empty = Relation.empty(a.n)
    full = Relation.product(a.n, (1 << a.n) - 1, (1 << a.n) - 1)
    # commutative, associative, idempotent
    assert a | b == b | a and a & b == b & a
    assert (a | b) | c == a | (b | c)
    assert (a & b) & c == a & (b & c)
    assert a | a == a and a & a == a
    # distributive, absorption
    assert a & (b | c) == (a & b) | (a & c)
    assert a | (b & c) == (a | b) & (a | c)
    assert a | (a & b) == a and a & (a | b) == a
    # units
    assert a | empty == a and a & full == a and a & empty == empty
    # difference
    assert as_set(a - b) == as_set(a) - as_set(b)
    assert (a - b) | (a & b) == a
    assert as_set(a | b) == as_set(a) | as_set(b)
    assert as_set(a & b) == as_set(a) & as_set(b)


@given(same_size(2))
def test_inverse_laws(rs: tuple[Relation, Relation]) -> None:
    a, b = rs
    assert a.inverse().inverse() == a
    assert as_set(a.inverse()) == {(y, x) for x, y in a.pairs()}
    assert a.seq(b).inverse() == b.inverse().seq(a.inverse())
    assert (a | b).inverse() == a.inverse() | b.inverse()


@given(relations())
def test_plus_is_smallest_transitive_superset(r: Relation) -> None:
    p = r.plus()
    assert as_set(p) == naive_plus(r)
    assert as_set(r) <= as_set(p)
    # transitive: p ; p is inside p
    assert as_set(p.seq(p)) <= as_set(p)
    assert p.plus() == p
    # r+ = r | r ; r+
    assert p == r | r.seq(p)


@given(relations())
def test_star_is_plus_or_identity(r: Relation) -> None:
    assert r.star() == r.plus() | ident(r.n)
    assert r.opt() == r | ident(r.n)
    assert r.star().seq(r.star()) == r.star()


# -- checks and witnesses -------------------------------------------------------------------


def assert_is_cycle(r: Relation, cyc: list[int]) -> None:
    assert cyc, "a cycle has at least one event"
    assert len(set(cyc)) == len(cyc), f"{cyc} repeats an event"
    for a, b in zip(cyc, cyc[1:] + cyc[:1], strict=True):
        assert (a, b) in r, f"{cyc}: missing edge {a} -> {b} in {r}"


@settings(max_examples=300)
@given(relations())
def test_cycle_is_none_exactly_when_acyclic(r: Relation) -> None:
    acyclic = nx.is_directed_acyclic_graph(graph(r))
    cyc = r.cycle()
    assert (cyc is None) == acyclic
    assert r.is_acyclic() == acyclic
    if cyc is not None:
        assert_is_cycle(r, cyc)


@given(relations())
def test_acyclic_iff_plus_irreflexive(r: Relation) -> None:
    assert r.is_acyclic() == r.plus().is_irreflexive()


@given(relations())
def test_reflexive_point(r: Relation) -> None:
    p = r.reflexive_point()
    assert (p is None) == r.is_irreflexive()
    if p is not None:
        assert (p, p) in r
        assert r.cycle() is not None


@settings(max_examples=50)
@given(st.integers(2, 40))
def test_long_ring_cycle(n: int) -> None:
    ring = Relation.from_pairs(n, [(i, (i + 1) % n) for i in range(n)])
    cyc = ring.cycle()
    assert cyc is not None and sorted(cyc) == list(range(n))
    assert_is_cycle(ring, cyc)
    chain = Relation.from_pairs(n, [(i, i + 1) for i in range(n - 1)])
    assert chain.cycle() is None and chain.is_acyclic()


def test_self_loop_is_a_cycle() -> None:
    r = Relation.from_pairs(3, [(0, 1), (2, 2)])
    assert r.cycle() == [2]
    assert not r.is_acyclic()


def test_cycle_found_behind_acyclic_part() -> None:
    # 0 -> 1 -> 2 (dead end), 0 -> 3 -> 4 -> 3
    r = Relation.from_pairs(5, [(0, 1), (1, 2), (0, 3), (3, 4), (4, 3)])
    cyc = r.cycle()
    assert cyc is not None and sorted(cyc) == [3, 4]
    assert_is_cycle(r, cyc)


@settings(max_examples=50)
@given(st.integers(6, 40), st.booleans())
def test_acyclic_on_chains_pointing_down(n: int, ring: bool) -> None:
    # A chain against the peeling order takes one pass per event: past the first
    # passes the depth-first search decides, on what is left.
    pairs = [(i, i - 1) for i in range(1, n)] + ([(0, n - 1)] if ring else [])
    r = Relation.from_pairs(n, pairs)
    assert r.is_acyclic() == (not ring) == nx.is_directed_acyclic_graph(graph(r))
