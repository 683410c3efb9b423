"""The engine: one small finite-difference test per op, and its guarantees."""

from __future__ import annotations

import gc
import math
import sys
import tracemalloc
from collections.abc import Callable
from fractions import Fraction

import pytest

import autograd
from autograd import (
    RULES,
    Constant,
    GradcheckError,
    Value,
    detect_anomaly,
    grad,
    gradcheck,
    wsum,
)

EPS = 1e-6


def central_difference(f: Callable[[float], float], x: float) -> float:
    return (f(x + EPS) - f(x - EPS)) / (2 * EPS)


# One case per primitive, each at a point where it is smooth; f_value runs the same
# function on plain floats through math, independent of the engine.
UNARY: list[tuple[str, Callable[[Value], Value], Callable[[float], float], float]] = [
    ("exp", lambda v: v.exp(), math.exp, 0.7),
    ("log", lambda v: v.log(), math.log, 1.3),
    ("sigmoid", lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), -0.4),
    ("tanh", lambda v: v.tanh(), math.tanh, 0.3),
    ("relu", lambda v: v.relu(), lambda x: max(x, 0.0), 0.8),
    ("pow", lambda v: v**3, lambda x: x**3, -1.2),
    ("neg", lambda v: -v, lambda x: -x, 0.5),
    ("rsub", lambda v: 2 - v, lambda x: 2 - x, 0.5),
    ("rtruediv", lambda v: 2 / v, lambda x: 2 / x, 0.5),
    ("rpow", lambda v: 2**v, lambda x: 2**x, 0.5),
]


@pytest.mark.parametrize(("name", "op", "f", "x"), UNARY, ids=[u[0] for u in UNARY])
def test_unary_op_matches_math_and_finite_differences(
    name: str, op: Callable[[Value], Value], f: Callable[[float], float], x: float
) -> None:
    v = Value(x)
    out = op(v)
    out.backward()
    assert out.data == pytest.approx(f(x), rel=1e-12)
    assert v.grad == pytest.approx(central_difference(f, x), rel=1e-6)


BINARY: list[tuple[str, Callable[[Value, Value], Value], Callable[[float, float], float]]] = [
    ("add", lambda a, b: a + b, lambda a, b: a + b),
    ("sub", lambda a, b: a - b, lambda a, b: a - b),
    ("mul", lambda a, b: a * b, lambda a, b: a * b),
    ("truediv", lambda a, b: a / b, lambda a, b: a / b),
    ("powv", lambda a, b: a**b, lambda a, b: a**b),
]


@pytest.mark.parametrize(("name", "op", "f"), BINARY, ids=[b[0] for b in BINARY])
def test_binary_op_matches_finite_differences(
    name: str, op: Callable[[Value, Value], Value], f: Callable[[float, float], float]
) -> None:
    a, b = Value(1.7), Value(0.6)
    out = op(a, b)
    out.backward()
    assert out.data == pytest.approx(f(1.7, 0.6), rel=1e-12)
    assert a.grad == pytest.approx(central_difference(lambda x: f(x, 0.6), 1.7), rel=1e-6)
    assert b.grad == pytest.approx(central_difference(lambda x: f(1.7, x), 0.6), rel=1e-6)


def test_wsum_is_the_notes_weighted_sum_with_the_bias_subtracted() -> None:
    w = [Value(0.3), Value(-0.8), Value(1.1)]
    x = [Value(0.5), Value(2.0), Value(-1.0)]
    b = Value(0.25)
    s = wsum(w, x, b)
    s.backward()
    assert s.data == pytest.approx(0.3 * 0.5 - 0.8 * 2.0 - 1.1 - 0.25, rel=1e-15)
    assert [wi.grad for wi in w] == [xi.data for xi in x]
    assert [xi.grad for xi in x] == [wi.data for wi in w]
    assert b.grad == -1.0
    assert s.inputs == (*w, *x, b)


def test_wsum_nodes_sharing_their_weight_and_input_tuples_backpropagate_as_by_hand() -> None:
    # nn passes a unit's weights and a layer's inputs as tuples, which the nodes keep as
    # they are: two units on one input tuple, one of them twice, a number among the weights
    x = (Value(0.5), Value(-2.0))
    w1, w2 = (Value(0.3), Value(-0.8)), (Value(1.5), 4.0)
    b1, b2 = Value(0.25), Value(-1.0)
    s1, s2, s3 = wsum(w1, x, b1), wsum(w2, x, b2), wsum(w1, x, 0.5)
    (s1 * s2 + s3).backward()
    v1 = 0.3 * 0.5 - 0.8 * -2.0 - 0.25
    v2 = 1.5 * 0.5 + 4.0 * -2.0 + 1.0
    assert (s1.data, s2.data) == (v1, v2)
    # ∂/∂x_i = w1_i·s2 + w2_i·s1 + w1_i; ∂/∂w1_i = x_i·(s2 + 1); ∂/∂b1 = -s2
    assert [xi.grad for xi in x] == pytest.approx(
        [0.3 * v2 + 1.5 * v1 + 0.3, -0.8 * v2 + 4 * v1 - 0.8]
    )
    assert [wi.grad for wi in w1] == pytest.approx([0.5 * (v2 + 1), -2.0 * (v2 + 1)])
    assert (b1.grad, b2.grad) == (-v2, -v1)
    assert s2.inputs[:4] == (w2[0], s2.inputs[1], *x)
    assert type(s2.inputs[1]) is Constant
    assert s2.inputs[1].data == 4.0
    assert s3.inputs[-1].data == 0.5


def test_wsum_with_mismatched_lengths_says_both_counts() -> None:
    with pytest.raises(ValueError, match="2 weights and 1 inputs"):
        wsum([Value(1.0), Value(2.0)], [Value(1.0)], 0.0)


def test_every_rule_has_one_row_with_forward_and_derivative() -> None:
    assert {"add", "mul", "div", "pow", "powv", "exp", "log", "sqrt", "abs", "sin", "cos"} <= set(
        RULES
    )
    assert {"sigmoid", "tanh", "relu", "step", "sign", "mul0", "powlog", "wsum"} <= set(RULES)
    for name, rule in RULES.items():
        assert rule.name == name
        assert callable(rule.forward)
        assert callable(rule.derivative)


def test_values_accept_every_real_number_and_store_a_float() -> None:
    numpy = pytest.importorskip("numpy")
    for data in (3, 2.5, Fraction(1, 4), numpy.float64(1.5), numpy.int32(7)):
        v = Value(data)
        assert type(v.data) is float
        assert v.data == float(data)
    assert Value(10**400).data == math.inf


@pytest.mark.parametrize("bad", [True, 1j, "1.0", None, [1.0], (1.0,), {"x": 1}])
def test_non_real_data_raises_type_error_naming_the_type(bad: object) -> None:
    with pytest.raises(TypeError, match=type(bad).__name__):
        Value(bad)  # type: ignore[arg-type]


def test_bad_operand_raises_and_leaves_operands_unchanged() -> None:
    x = Value(2.0, "x")
    with pytest.raises(TypeError, match="str"):
        x + "1"  # type: ignore[operator]
    with pytest.raises(TypeError, match="bool"):
        x * True
    with pytest.raises(TypeError, match="label must be a str"):
        Value(1.0, label=3)
    assert (x.data, x.grad, x.op, x.inputs) == (2.0, 0.0, "", ())


def test_attributes_inputs_in_call_order_and_repeats_kept() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    z = x * y
    assert (z.op, z.inputs, z.label, z.grad) == ("mul", (x, y), "", 0.0)
    sq = x * x
    assert sq.inputs == (x, x)
    r = 2 - x
    assert isinstance(r.inputs[0], Constant)
    assert r.inputs[0].data == 2.0


def test_equality_and_hash_are_identity_based() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b
    assert len({a, b, a}) == 2
    assert {a: 1}[a] == 1


def test_repr_is_stable_and_tells_values_apart() -> None:
    x = Value(1.0, "x")
    y = x.sigmoid()
    y.label = "y"
    y.backward()
    assert repr(y) == "Value(data=0.7310585786300049, grad=1.0, op='sigmoid', label='y')"
    assert repr(x) == "Value(data=1.0, grad=0.19661193324148185, label='x')"
    # the float's own repr: the shortest text that reads back as the same number
    third, close = Value(1 / 3), Value(1 / 3 + 2**-54)
    assert repr(third) != repr(close)
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0.0)"


def test_module_functions_return_the_kind_they_are_given() -> None:
    for f in (autograd.exp, autograd.log, autograd.sigmoid, autograd.tanh, autograd.relu):
        assert type(f(0.5)) is float
        assert isinstance(f(Value(0.5)), Value)
        assert f(Value(0.5)).data == f(0.5)
    with pytest.raises(TypeError, match="str"):
        autograd.exp("1")


def test_operators_with_numbers_on_either_side() -> None:
    x = Value(2.0)
    assert [v.data for v in (x + 1, 1 + x, x - 1, 1 - x, x * 3, 3 * x)] == [3, 3, 1, -1, 6, 6]
    assert [v.data for v in (x / 4, 4 / x, x**3, 3**x, x**x, -x)] == [0.5, 2, 8, 9, 4, -2]


def test_numpy_scalar_on_the_left_gives_a_value() -> None:
    numpy = pytest.importorskip("numpy")
    out = numpy.float64(2.0) * Value(3.0)
    assert isinstance(out, Value)
    assert out.data == 6.0


def test_million_op_chain_builds_and_backpropagates_without_recursion() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(1_000_000):
        y = y * 1.0000001
    y.backward()
    assert x.grad == pytest.approx(1.0000001**1_000_000, rel=1e-6)
    assert sys.getrecursionlimit() < 1_000_000


def test_dropping_the_loss_frees_the_graph_without_the_cyclic_collector() -> None:
    # Values take no weak references on the native build, so count the memory instead:
    # with the collector off, what a graph holds comes back the moment the loss is dropped.
    x = Value(0.5, "x")
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        loss = x
        for _ in range(20_000):
            h = (loss * 2.0).tanh()
            loss = (h * h + wsum([h], [x], 0.1)).sigmoid()
        loss.backward()
        held = tracemalloc.get_traced_memory()[0] - before
        del h, loss
        left = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
        gc.enable()
    assert held > 20_000 * 5 * 50  # the graph was there: 5 nodes per round, 50 bytes or more each
    assert left < held / 20  # what is left is Python's free lists (2000 tuples of a size, ...)


def test_leaves_accumulate_and_interior_grads_are_recomputed() -> None:
    x, y = Value(1.5, "x"), Value(-0.5, "y")
    h = x * y
    out = (h + x).tanh()
    out.backward()
    first = (x.grad, y.grad, h.grad, out.grad)
    out.backward()
    assert (x.grad, y.grad) == (2 * first[0], 2 * first[1])
    assert (h.grad, out.grad) == (first[2], 1.0)


def test_node_used_several_times_sums_its_contributions() -> None:
    x = Value(3.0)
    y = x * x + x  # 2x + 1
    y.backward()
    assert x.grad == 7.0


def test_backward_on_a_leaf_counts_itself() -> None:
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda: Value(1000.0).exp(), math.inf),
        (lambda: Value(-1000.0).sigmoid(), 0.0),
        (lambda: Value(1000.0).sigmoid(), 1.0),
        (lambda: Value(1000.0).tanh(), 1.0),
        (lambda: Value(-1000.0).tanh(), -1.0),
        (lambda: Value(0.0).log(), -math.inf),
        (lambda: 1 / Value(0.0), math.inf),
        (lambda: Value(1e200) ** 2, math.inf),
        (lambda: Value(-1e200) ** 3, -math.inf),
        (lambda: Value(0.0) ** -1.0, math.inf),
        (lambda: Value(-0.0) ** -1.0, -math.inf),
        (lambda: Value(2.0) ** Value(5000.0), math.inf),
        (lambda: Value(1e300) * 1e300, math.inf),
    ],
)
def test_ieee_results_instead_of_exceptions(make: Callable[[], Value], expected: float) -> None:
    out = make()
    assert out.data == expected
    out.backward()  # gradients follow the same rules: no exception either


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(-1.0).log(),
        lambda: Value(-8.0) ** (1 / 3),
        lambda: Value(0.0) / Value(0.0),
        lambda: Value(math.nan).relu(),
        lambda: Value(math.inf) - math.inf,
    ],
)
def test_undefined_results_are_nan(make: Callable[[], Value]) -> None:
    assert math.isnan(make().data)


def test_gradients_of_singular_points_are_ieee() -> None:
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf
    y = Value(0.0)
    y.log().backward()
    assert y.grad == math.inf


def test_every_op_survives_every_special_float() -> None:
    specials = [0.0, -0.0, 1.0, -1.0, 1e-320, 1e308, -1e308, math.inf, -math.inf, math.nan]
    ops: list[Callable[[Value, Value], Value]] = [
        lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
        lambda a, b: a**b, lambda a, b: a**-1.5, lambda a, b: a.exp(), lambda a, b: a.log(),
        lambda a, b: a.sigmoid(), lambda a, b: a.tanh(), lambda a, b: a.relu(),
        lambda a, b: wsum([a], [b], a),
    ]  # fmt: skip
    for op in ops:
        for p in specials:
            for q in specials:
                a, b = Value(p), Value(q)
                out = op(a, b)
                out.backward()
                grad(out, [a, b], create_graph=True)


def test_grad_returns_values_and_touches_no_grad() -> None:
    x, y = Value(2.0, "x"), Value(5.0, "y")
    z = x * y + x.exp()
    dx, dy, dz = grad(z, [x, y, Value(1.0)])
    assert dx.data == pytest.approx(5.0 + math.exp(2.0), rel=1e-15)
    assert (dy.data, dz.data) == (2.0, 0.0)
    assert all(v.grad == 0.0 for v in (x, y, z))


def test_second_derivative_of_sigmoid_is_sigma_prime_times_one_minus_two_sigma() -> None:
    for t in (-3.0, -0.5, 0.0, 0.7, 2.5):
        x = Value(t)
        (d1,) = grad(x.sigmoid(), [x], create_graph=True)
        (d2,) = grad(d1, [x])
        s = 1 / (1 + math.exp(-t))
        assert d1.data == pytest.approx(s * (1 - s), rel=1e-14)
        assert d2.data == pytest.approx(s * (1 - s) * (1 - 2 * s), rel=1e-12, abs=1e-15)


def test_mixed_second_derivatives_and_a_newton_step() -> None:
    x, y = Value(1.5), Value(-0.5)
    f = x * x * y + y.exp()
    dx, _ = grad(f, [x, y], create_graph=True)
    (dxy,) = grad(dx, [y])
    assert dxy.data == pytest.approx(2 * 1.5, rel=1e-15)
    # Newton on g(t) = (t - 3)²: one step lands on the minimum
    t = Value(10.0)
    g = (t - 3.0) ** 2
    (gt,) = grad(g, [t], create_graph=True)
    (gtt,) = grad(gt, [t])
    assert t.data - gt.data / gtt.data == 3.0


def test_grad_rejects_non_values_clearly() -> None:
    with pytest.raises(TypeError, match=r"inputs\[1\] is float"):
        grad(Value(1.0) * 2, [Value(1.0), 2.0])


def test_detect_anomaly_names_the_forward_op_and_its_inputs() -> None:
    x = Value(-1.0, "x")
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"forward log .*x=-1\.0"):
        x.log()
    assert math.isnan(x.log().data)  # outside the context nothing is checked


def test_detect_anomaly_catches_the_backward_and_changes_nothing() -> None:
    x = Value(0.0, "x")
    w = Value(2.0, "w")
    loss = (x**0.5) * w  # finite forward, infinite d/dx
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"backward pow"):
        loss.backward()
    assert (x.grad, w.grad, loss.grad) == (0.0, 0.0, 0.0)


def test_detect_anomaly_ignores_inf_that_came_in_as_inf() -> None:
    x = Value(math.inf, "x")
    with detect_anomaly():
        out = x * 2.0
        assert out.data == math.inf


def test_gradcheck_accepts_right_rules_and_prints_a_table_for_wrong_ones() -> None:
    assert gradcheck(lambda a, b: (a * b + a.exp()).tanh(), [0.3, -0.7], order=2)

    def wrong(a: Value) -> Value:  # grad of a**2 but value of a**3: analytic ≠ numeric
        out = a**2
        out.data = a.data**3
        return out

    with pytest.raises(GradcheckError) as info:
        gradcheck(wrong, [2.0])
    message = str(info.value)
    for word in ("analytic", "numeric", "difference", "x[0]", "12", "4"):
        assert word in message


def test_gradcheck_rejects_a_bad_order() -> None:
    with pytest.raises(ValueError, match="order must be 1 or 2, got 3"):
        gradcheck(lambda a: a, [1.0], order=3)


def test_exponent_derivative_of_zero_base_is_zero_not_nan() -> None:
    # 0 ** y is flat in y for y > 0: the derivative is 0, not 0·log(0) = nan
    x, y = Value(0.0), Value(2.5)
    out = x**y
    out.backward()
    assert (out.data, x.grad, y.grad) == (0.0, 0.0, 0.0)
    (dy,) = grad(x**y, [y], create_graph=True)
    assert dy.data == 0.0
    # elsewhere it is out·log(x), as plain math says
    x, y = Value(3.0), Value(2.5)
    (x**y).backward()
    assert y.grad == pytest.approx(3.0**2.5 * math.log(3.0), rel=1e-15)
