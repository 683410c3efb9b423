"""Losses: values against plain math, gradients against their formulas, and clear errors."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence

import pytest

from autograd import Value, gradcheck
from nn import binary_cross_entropy, hinge, l2, mse, squared_error

Loss = Callable[[Sequence[Value], Sequence[float]], Value]


def sigma(s: float) -> float:
    return 1 / (1 + math.exp(-s)) if s >= 0 else math.exp(s) / (1 + math.exp(s))


def values(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def test_squared_error_is_half_the_sum_of_squares_with_gradient_y_minus_t() -> None:
    ys = values(0.3, -1.2, 2.0)
    ts = [1.0, 0.5, 2.0]
    L = squared_error(ys, ts)
    L.backward()
    assert L.label == "L"
    assert L.data == pytest.approx(0.5 * (0.7**2 + 1.7**2 + 0.0), rel=1e-14)
    assert [y.grad for y in ys] == pytest.approx([0.3 - 1.0, -1.2 - 0.5, 0.0], rel=1e-14)


def test_mse_is_the_mean_of_squares() -> None:
    ys = values(0.3, -1.2)
    L = mse(ys, [1.0, 0.5])
    L.backward()
    assert L.data == pytest.approx((0.7**2 + 1.7**2) / 2, rel=1e-14)
    assert [y.grad for y in ys] == pytest.approx([2 * (0.3 - 1.0) / 2, 2 * (-1.2 - 0.5) / 2])


def test_hinge_is_micrographs_max_margin_loss() -> None:
    scores = [2.0, 0.5, -0.3, -3.0]
    labels = [1.0, 1.0, 1.0, -1.0]
    ys = values(*scores)
    L = hinge(ys, labels)
    L.backward()
    expected = sum(max(0.0, 1 - s * t) for s, t in zip(scores, labels, strict=True)) / 4
    assert L.data == pytest.approx(expected, rel=1e-14)
    # ∂/∂s of relu(1 - s t)/n is -t/n where the margin is violated, else 0
    assert [y.grad for y in ys] == pytest.approx([0.0, -0.25, -0.25, 0.0])


def test_l2_is_the_sum_of_squares() -> None:
    ps = values(3.0, -4.0, 0.5)
    L = l2(ps)
    L.backward()
    assert L.data == 25.25
    assert [p.grad for p in ps] == [6.0, -8.0, 1.0]
    assert l2([]).data == 0.0


def bce(p: float, t: float) -> float:
    return -(t * math.log(p) + (1 - t) * math.log(1 - p))


@pytest.mark.parametrize("S", [-6.0, -0.7, 0.0, 0.4, 5.0])
@pytest.mark.parametrize("t", [0.0, 0.3, 1.0])
def test_bce_through_a_sigmoid_matches_plain_math(S: float, t: float) -> None:
    s = Value(S)
    L = binary_cross_entropy([s.sigmoid()], [t])
    L.backward()
    assert L.data == pytest.approx(bce(sigma(S), t), rel=1e-12, abs=1e-15)
    assert s.grad == pytest.approx(sigma(S) - t, rel=1e-12, abs=1e-15)  # δ = y - t


@pytest.mark.parametrize("S", [-6.0, -0.7, 0.0, 0.4, 5.0])
def test_bce_logits_equal_bce_through_the_sigmoid(S: float) -> None:
    a, b = Value(S), Value(S)
    La = binary_cross_entropy([a], [0.25], logits=True)
    Lb = binary_cross_entropy([b.sigmoid()], [0.25])
    La.backward()
    Lb.backward()
    assert La.data == Lb.data
    assert a.grad == b.grad


@pytest.mark.parametrize(("S", "t"), [(800.0, 0.0), (-800.0, 1.0), (40.0, 0.0), (-1e6, 0.0)])
def test_bce_is_stable_where_the_sigmoid_saturates(S: float, t: float) -> None:
    s = Value(S)
    L = binary_cross_entropy([s.sigmoid()], [t])
    L.backward()
    exact_loss = max(S, 0.0) - t * S + math.log1p(math.exp(-abs(S)))  # softplus(S) - t S
    assert math.isfinite(L.data)
    assert L.data == pytest.approx(exact_loss, rel=1e-12, abs=1e-300)
    assert s.grad == pytest.approx(sigma(S) - t, rel=1e-12, abs=1e-300)


def test_bce_of_plain_probabilities() -> None:
    ps = values(0.9, 0.2, 0.6)
    ts = [1.0, 0.0, 0.5]
    L = binary_cross_entropy(ps, ts)
    L.backward()
    assert L.data == pytest.approx(sum(map(bce, [0.9, 0.2, 0.6], ts)) / 3, rel=1e-14)
    # ∂/∂p of -(t log p + (1-t) log(1-p)) = (p - t) / (p (1 - p))
    assert [p.grad for p in ps] == pytest.approx(
        [(p - t) / (p * (1 - p)) / 3 for p, t in zip([0.9, 0.2, 0.6], ts, strict=True)]
    )
    # a probability of exactly 0 or 1 costs nothing when it is right, inf when it is wrong
    assert binary_cross_entropy(values(1.0, 0.0), [1.0, 0.0]).data == 0.0
    assert binary_cross_entropy(values(0.0), [1.0]).data == math.inf


@pytest.mark.parametrize(
    "loss",
    [
        squared_error,
        mse,
        hinge,
        binary_cross_entropy,
        lambda ys, ts: binary_cross_entropy(ys, ts, logits=True),
    ],
)
def test_losses_pass_gradcheck(loss: Loss) -> None:
    def f(a: Value, b: Value) -> Value:
        return loss([a.sigmoid(), b.sigmoid()], [1.0, 0.0])

    assert gradcheck(f, [0.3, -0.8])


@pytest.mark.parametrize(
    ("loss", "name"),
    [
        (squared_error, "squared_error"),
        (mse, "mse"),
        (hinge, "hinge"),
        (binary_cross_entropy, "binary_cross_entropy"),
    ],
)
def test_bad_arguments_say_what_was_wrong(loss: Loss, name: str) -> None:
    y = Value(0.5)
    with pytest.raises(
        ValueError, match=re.escape(f"{name}: expected one target per output, 1 in all; got 2")
    ):
        loss([y], [1.0, 0.0])
    with pytest.raises(ValueError, match=re.escape(f"{name}: expected one target per output")):
        loss([y, y], [1.0])
    with pytest.raises(TypeError, match=f"{name}: outputs must be a list of Values"):
        loss(y, [1.0])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=f"{name}: targets must be a list of numbers"):
        loss([y], 1.0)  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=re.escape(f"{name}: outputs[0] must be a Value, got float")
    ):
        loss([0.5], [1.0])  # type: ignore[list-item]
    with pytest.raises(ValueError, match=re.escape(f"{name}: targets[0] must be a finite number")):
        loss([y], [math.nan])
    with pytest.raises(ValueError, match=f"{name}: got no outputs"):
        loss([], [])


def test_bce_targets_must_be_probabilities() -> None:
    with pytest.raises(ValueError, match=re.escape("targets[0] must be in [0, 1], got -1.0")):
        binary_cross_entropy([Value(0.5)], [-1.0])


def test_l2_needs_values() -> None:
    with pytest.raises(TypeError, match=re.escape("l2: params[1] must be a Value, got float")):
        l2([Value(1.0), 2.0])  # type: ignore[list-item]
