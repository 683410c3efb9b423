"""jvp on Values: its results differentiate again, so forward mode composes with reverse
mode and with itself (the checks JAX's and HIPS autograd's ``check_grads`` run).

- forward-over-reverse, ``jvp`` of ``grad(create_graph=True)``, against :func:`autograd.hvp`;
- reverse-over-forward, ``grad`` of ``jvp``'s tangent, against ``hvp`` too;
- forward-over-forward, ``jvp`` of ``jvp``, against second derivatives from
  ``grad(create_graph=True)`` and against central differences of the first derivative,
on the random graphs of tests/strategies.py."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from compare import close_sum, same
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import ROWS, Graph, finite_floats, graphs

from autograd import RULES, Value, grad, hvp, jvp

TAME = graphs(tame=True, max_steps=30, max_leaves=3)
DIRECTIONS = st.lists(finite_floats(-2.0, 2.0), min_size=3, max_size=3)


def as_function(graph: Graph) -> Callable[..., Value]:
    return lambda *xs: graph.build(list(xs))[-1]


@given(TAME, DIRECTIONS)
def test_forward_over_reverse_is_hvp(graph: Graph, v: list[float]) -> None:
    v = v[: len(graph.leaves)]
    f = as_function(graph)
    want = hvp(f, graph.leaves, v)
    for i in range(len(v)):
        _, got = jvp(
            lambda *xs, i=i: grad(f(*xs), xs, create_graph=True)[i],
            graph.leaves,
            v,
        )
        assert got == want[i]  # the same pushes over the same gradient graph


@given(TAME, DIRECTIONS)
def test_reverse_over_forward_is_hvp(graph: Graph, v: list[float]) -> None:
    v = v[: len(graph.leaves)]
    xs = [Value(x, f"x{i}") for i, x in enumerate(graph.leaves)]
    value, tangent = jvp(as_function(graph), xs, v)
    assert isinstance(tangent, Value)
    assert value.data == as_function(graph)(*[Value(x) for x in graph.leaves]).data
    got = [g.data for g in grad(tangent, xs)]
    want = hvp(as_function(graph), graph.leaves, v)
    for a, b in zip(got, want, strict=True):
        assert close_sum(a, b, 1e-10), (got, want)


def second_derivative(graph: Graph, k: int) -> float:
    xs = [Value(x) for x in graph.leaves]
    (first,) = grad(graph.build(xs)[-1], [xs[k]], create_graph=True)
    return grad(first, [xs[k]])[0].data


@given(TAME, st.integers(0, 2))
def test_forward_over_forward_is_the_second_derivative(graph: Graph, k: int) -> None:
    k = min(k, len(graph.leaves) - 1)
    f = as_function(graph)
    e = [1.0 if i == k else 0.0 for i in range(len(graph.leaves))]

    def slope(*xs: Value) -> Value:
        return jvp(f, xs, e)[1]

    first, second = jvp(slope, graph.leaves, e)
    assert first == jvp(f, graph.leaves, e)[1]
    want = second_derivative(graph, k)
    assert close_sum(second, want, 1e-10), (second, want)


@given(TAME, st.integers(0, 2))
def test_forward_over_forward_matches_central_differences(graph: Graph, k: int) -> None:
    k = min(k, len(graph.leaves) - 1)
    f = as_function(graph)
    e = [1.0 if i == k else 0.0 for i in range(len(graph.leaves))]
    h = 1e-5
    up = [x + h * ei for x, ei in zip(graph.leaves, e, strict=True)]
    down = [x - h * ei for x, ei in zip(graph.leaves, e, strict=True)]
    try:  # the same smooth piece at the three points, every node finite
        _, branches = graph.trace(graph.leaves)
        assume(branches == graph.trace(up)[1] == graph.trace(down)[1])
    except (ArithmeticError, ValueError):
        assume(False)
    _, second = jvp(lambda *xs: jvp(f, xs, e)[1], graph.leaves, e)
    numeric = (jvp(f, up, e)[1] - jvp(f, down, e)[1]) / (2 * h)
    assert abs(second - numeric) <= 1e-4 * (1.0 + abs(second) + abs(numeric)), (second, numeric)


SPECIAL = st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5, 2.0, math.inf, -math.inf, math.nan, 1e-310])
EVERY_ROW = graphs(
    values=st.one_of(finite_floats(-3.0, 3.0), SPECIAL), ops=ROWS, max_steps=25, max_leaves=3
)


@given(EVERY_ROW, st.lists(st.one_of(finite_floats(-2.0, 2.0), SPECIAL), min_size=3, max_size=3))
def test_jvp_on_values_pushes_the_numbers_it_pushes_on_floats(graph: Graph, v: list[float]) -> None:
    # every public row, inf and nan included: the partials on nodes are the partials on floats
    v = v[: len(graph.leaves)]
    f = as_function(graph)
    value, tangent = jvp(f, graph.leaves, v)
    node, t = jvp(f, [Value(x) for x in graph.leaves], v)
    assert same(node.data, value)
    assert same(t.data, tangent), (t.data, tangent)


def test_the_strategies_draw_every_public_row_of_values() -> None:
    public = {n for n, r in RULES.items() if r.arity and not r.helper}
    assert set(ROWS) == public - {"pow", "clamp"}  # a number exponent, number bounds
    assert {"exp2", "asinh", "acosh", "atanh", "reciprocal", "deg2rad", "rad2deg", "sinc"} <= set(
        ROWS
    )


def test_jvp_of_known_functions() -> None:
    x = Value(0.5, "x")
    value, tangent = jvp(lambda x: x.sin() * x, [x], [1.0])  # x cos x + sin x
    assert value.data == math.sin(0.5) * 0.5
    assert tangent.data == pytest.approx(0.5 * math.cos(0.5) + math.sin(0.5), rel=1e-15)
    (d2,) = grad(tangent, [x])  # 2 cos x - x sin x
    assert d2.data == pytest.approx(2 * math.cos(0.5) - 0.5 * math.sin(0.5), rel=1e-15)
    # a Value tangent is differentiable too: d/dv of ∇f·v is ∇f
    v = Value(3.0, "v")
    _, t = jvp(lambda x: x**3, [x], [v])
    assert t.data == 3 * 0.25 * 3.0
    assert grad(t, [v])[0].data == 0.75

    # forward-over-forward-over-forward: (x⁴)″ = 12x² and (x⁴)‴ = 24x
    def slope(b: Value) -> Value:
        return jvp(lambda c: c**4, [b], [1.0])[1]

    assert jvp(lambda a: jvp(slope, [a], [1.0])[1], [1.5], [1.0]) == (27.0, 36.0)


def test_a_constant_f_and_a_mask_give_values_too() -> None:
    x = Value(-1.0)
    value, tangent = jvp(lambda x: 2.0, [x], [1.0])
    assert (type(value), value.data, type(tangent), tangent.data) == (Value, 2.0, Value, 0.0)
    value, tangent = jvp(lambda x: x.relu(), [x], [math.inf])
    assert (value.data, tangent.data) == (0.0, 0.0)  # the mask's exact 0, as for numbers
    twice = jvp(lambda a, b: a * b, [x, x], [1.0, 2.0])[1]  # x moves by 1 + 2: d(x²) = 2x·3
    assert twice.data == -6.0
    with pytest.raises(ValueError, match="one tangent per primal"):
        jvp(lambda x: x, [x], [1.0, 2.0])
    with pytest.raises(TypeError, match="jvp tangents"):
        jvp(lambda x: x, [x], ["1"])  # type: ignore[list-item]
