"""Forward mode (jvp, tangents, hvp, hessian) against reverse mode and finite differences,
on the random graphs of tests/strategies.py."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from compare import close_sum, same
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import ROWS, Graph, finite_floats, graphs, wide_floats

from autograd import (
    RULES,
    Constant,
    Notation,
    Rule,
    Value,
    grad,
    hessian,
    hvp,
    jvp,
    register,
    tangents,
    trace,
)

TAME = graphs(tame=True, max_steps=30, max_leaves=3)
DIRECTIONS = st.lists(finite_floats(-2.0, 2.0), min_size=3, max_size=3)


def as_function(graph: Graph) -> Callable[..., Value]:
    return lambda *xs: graph.build(list(xs))[-1]


@given(TAME, DIRECTIONS)
def test_jvp_equals_the_gradient_dotted_with_the_direction(graph: Graph, v: list[float]) -> None:
    v = v[: len(graph.leaves)]
    value, t = jvp(as_function(graph), graph.leaves, v)
    leaves = [Value(x) for x in graph.leaves]
    out = graph.build(leaves)[-1]
    gs = grad(out, leaves)
    reverse = math.fsum(g.data * vi for g, vi in zip(gs, v, strict=True))
    assert value == out.data
    scale = sum(abs(g.data * vi) for g, vi in zip(gs, v, strict=True))
    assert close_sum(t, reverse, 1e-12, scale), (t, reverse)


@given(TAME, DIRECTIONS)
def test_jvp_matches_central_differences_of_the_math_program(graph: Graph, v: list[float]) -> None:
    v = v[: len(graph.leaves)]
    h = 1e-6
    plus = [x + h * vi for x, vi in zip(graph.leaves, v, strict=True)]
    minus = [x - h * vi for x, vi in zip(graph.leaves, v, strict=True)]
    try:
        nodes, branches = graph.trace(graph.leaves)
        up, b_up = graph.trace(plus)
        down, b_down = graph.trace(minus)
    except (ArithmeticError, ValueError):
        assume(False)
        return
    assume(branches == b_up == b_down)  # the same smooth piece on both sides
    _, t = jvp(as_function(graph), graph.leaves, v)
    numeric = (up[-1] - down[-1]) / (2 * h)
    biggest = max(abs(n) for n in nodes)
    assert abs(t - numeric) <= 1e-4 * (1 + abs(t)) + 1e-15 * (1 + biggest) / h, (t, numeric)


@given(TAME, DIRECTIONS)
def test_hvp_equals_reverse_over_reverse(graph: Graph, v: list[float]) -> None:
    v = v[: len(graph.leaves)]
    forward = hvp(as_function(graph), graph.leaves, v)
    leaves = [Value(x) for x in graph.leaves]
    gs = grad(graph.build(leaves)[-1], leaves, create_graph=True)
    directional = sum((g * vi for g, vi in zip(gs, v, strict=True)), Value(0.0))
    reverse = [d.data for d in grad(directional, leaves)]
    for a, b in zip(forward, reverse, strict=True):
        assert close_sum(a, b, 1e-10), (forward, reverse)


@given(TAME)
def test_hessian_is_symmetric_and_its_columns_are_hvps(graph: Graph) -> None:
    f = as_function(graph)
    h = hessian(f, graph.leaves)
    n = len(graph.leaves)
    for i in range(n):
        for j in range(n):
            assert close_sum(h[i][j], h[j][i], 1e-9), h
    column = hvp(f, graph.leaves, [1.0] + [0.0] * (n - 1))
    assert [row[0] for row in h] == column


def test_hessian_of_a_known_function() -> None:
    # f = x² y + sin(x y): f_xx = 2y - y² sin(xy), f_xy = 2x + cos(xy) - xy sin(xy),
    # f_yy = -x² sin(xy)
    x, y = 0.7, -1.3
    s, c = math.sin(x * y), math.cos(x * y)
    h = hessian(lambda a, b: a * a * b + (a * b).sin(), [x, y])
    want = [[2 * y - y * y * s, 2 * x + c - x * y * s], [2 * x + c - x * y * s, -x * x * s]]
    for row, want_row in zip(h, want, strict=True):
        assert row == pytest.approx(want_row, rel=1e-13)


def test_a_registered_row_has_forward_mode_for_free() -> None:
    cube = register(
        Rule("cube3", 1, lambda x: x * x * x, lambda out, x: (3.0 * x * x,), Notation.call("c"))
    )
    try:
        assert jvp(lambda x: cube(x), [2.0], [0.5]) == (8.0, 6.0)
        assert hvp(lambda x: cube(x), [2.0], [1.0]) == [12.0]
    finally:
        del RULES["cube3"]


def test_masking_rows_pass_exact_zero_tangents() -> None:
    # relu below 0: the partial is 0, so an infinite tangent gives 0, not nan
    assert jvp(lambda x: x.relu(), [-1.0], [math.inf]) == (0.0, 0.0)
    assert jvp(lambda x: x.clamp(0.0, 1.0), [2.0], [math.inf]) == (1.0, 0.0)
    assert jvp(lambda x: x * 0.0 + 3.0, [1.0], [1.0])[1] == 0.0


def test_tangents_of_several_outputs_and_unseeded_ones() -> None:
    x, y = Value(1.0), Value(2.0)
    assert tangents([x * y, y.exp(), x], {x: 2.0}) == [4.0, 0.0, 2.0]
    with pytest.raises(TypeError, match="Values to numbers"):
        tangents(x, {"x": 1.0})  # type: ignore[dict-item]


def test_bad_arguments_say_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="one tangent per primal: got 1 for 2"):
        jvp(lambda a, b: a * b, [1.0, 2.0], [1.0])
    with pytest.raises(TypeError, match=r"primals\[0\].*str"):
        jvp(lambda a: a, ["1"], [1.0])  # type: ignore[list-item]
    assert jvp(lambda a: 3.0, [1.0], [1.0]) == (3.0, 0.0)


ANY_FLOAT = st.one_of(
    wide_floats(),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -1e-310, 1.0, -1.0]),
)
KINKS = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5])


def check_tangent_program(graph: Graph, numbers: list[float], v: list[float]) -> None:
    """Program.jvp, traced once at the graph's own leaves and run at ``numbers``, equals
    ``tangents`` on the graph built at ``numbers``: the masking and quotient forms the
    program decides when it runs give the numbers decided while pushing, bit for bit."""
    leaves = [Value(x) for x in graph.leaves]
    program = trace(graph.build(leaves)[-1], leaves).jvp()
    again = [Value(x) for x in numbers]
    out = graph.build(again)[-1]
    (expected,) = tangents(out, dict(zip(again, v, strict=True)))
    value, tangent = program(*numbers, *v)
    assert same(value, out.data), (value, out.data, str(graph))
    assert same(tangent, expected), f"program {tangent!r}, tangents {expected!r}\n{graph}"


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(graphs(values=ANY_FLOAT, ops=ROWS), st.data())
def test_the_tangent_program_equals_tangents_over_every_row(
    graph: Graph, data: st.DataObject
) -> None:
    n = len(graph.leaves)
    v = data.draw(st.lists(ANY_FLOAT, min_size=n, max_size=n))
    check_tangent_program(graph, list(graph.leaves), v)
    check_tangent_program(graph, data.draw(st.lists(ANY_FLOAT, min_size=n, max_size=n)), v)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)
@given(graphs(values=KINKS, constants=KINKS, ops=(*ROWS, "sub", "neg", "wsum")), st.data())
def test_the_tangent_program_equals_tangents_at_kinks(graph: Graph, data: st.DataObject) -> None:
    n = len(graph.leaves)
    v = data.draw(st.lists(st.sampled_from([1.0, -1.0, math.inf, 0.0]), min_size=n, max_size=n))
    check_tangent_program(graph, list(graph.leaves), v)


def test_the_tangent_program_reads_as_forward_mode_by_hand() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    program = trace(x * y + x.exp()).jvp()
    assert [v.name for v in program.inputs] == ["x", "y", "x_dot", "y_dot"]
    # d(xy + eˣ) = y dx + x dy + eˣ dx
    assert program(2.0, 3.0, 1.0, 0.0) == (6.0 + math.exp(2.0), 3.0 + math.exp(2.0))
    assert program(2.0, 3.0, 0.0, 1.0) == (6.0 + math.exp(2.0), 2.0)


def test_seeds_at_a_constant_and_at_an_interior_node() -> None:
    x, c = Value(2.0, "x"), Constant(3.0)
    h = x * c
    # seeding h cuts the graph there: d(h²)/dh = 2h; seeding the constant moves it
    assert tangents(h * h, {h: 1.0}) == [12.0]
    assert tangents([h, x * x], {c: 1.0, x: 0.5}) == [2.0 + 1.5, 2.0]
    assert tangents(x, {}) == [0.0]
