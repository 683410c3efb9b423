"""SGD is (23)-(24) exactly; momentum and Adam follow their formulas; atomic steps."""

from __future__ import annotations

import math
import re

import pytest

from autograd import Value
from nn import SGD, Adam, Optimizer


def with_grads(*pairs: tuple[float, float]) -> list[Value]:
    out = []
    for i, (data, g) in enumerate(pairs, start=1):
        v = Value(data, f"p{i}")
        v.grad = g
        out.append(v)
    return out


def test_sgd_is_p_minus_eta_grad_exactly() -> None:
    ps = with_grads((0.3, 0.7), (-1.1, -0.25), (2.0, 0.0))
    SGD(ps, lr=0.37).step()
    assert [p.data for p in ps] == [0.3 - 0.37 * 0.7, -1.1 - 0.37 * -0.25, 2.0]


def test_sgd_learning_rate_can_change_between_steps() -> None:
    (p,) = with_grads((1.0, 1.0))
    opt = SGD([p], lr=1.0)
    opt.step()
    opt.lr = 0.25
    opt.step()
    assert p.data == 1.0 - 1.0 - 0.25


def test_sgd_momentum_follows_its_formula() -> None:
    (p,) = with_grads((1.0, 0.0))
    opt = SGD([p], lr=0.1, momentum=0.9)
    v, x = 0.0, 1.0
    for g in (0.5, -0.2, 0.3):
        p.grad = g
        opt.step()
        v = 0.9 * v + g
        x = x - 0.1 * v
        assert p.data == pytest.approx(x, rel=1e-15)


def test_adam_follows_its_formula() -> None:
    (p,) = with_grads((1.0, 0.0))
    opt = Adam([p], lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    m = v = 0.0
    x = 1.0
    for t, g in enumerate((0.5, -0.2, 0.3, 4.0), start=1):
        p.grad = g
        opt.step()
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        x -= 0.01 * (m / (1 - 0.8**t)) / (math.sqrt(v / (1 - 0.99**t)) + 1e-6)
        assert p.data == pytest.approx(x, rel=1e-14)


def test_adam_minimises_a_quadratic() -> None:
    w = Value(-4.0, "w")
    opt = Adam([w], lr=0.1)
    for _ in range(500):
        opt.zero_grad()
        ((w - 3.0) ** 2).backward()
        opt.step()
    assert w.data == pytest.approx(3.0, abs=1e-3)


def test_zero_grad_clears_only_its_parameters() -> None:
    a, b = with_grads((1.0, 2.0), (1.0, 3.0))
    SGD([a], lr=0.1).zero_grad()
    assert (a.grad, b.grad) == (0.0, 3.0)


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.1, momentum=0.5),
        lambda ps: Adam(ps, lr=0.1),
    ],
)
@pytest.mark.parametrize("bad_grad", [math.nan, math.inf])
def test_a_non_finite_gradient_changes_nothing(make: object, bad_grad: float) -> None:
    ps = with_grads((1.0, 0.5), (2.0, 0.25))
    opt: Optimizer = make(ps)  # type: ignore[operator]
    opt.step()
    state = {k: v for k, v in vars(opt).items() if k != "params"}
    before = [p.data for p in ps]
    ps[1].grad = bad_grad
    with pytest.raises(FloatingPointError, match=f"the gradient of p2 is {bad_grad!r}"):
        opt.step()
    assert [p.data for p in ps] == before
    assert {k: v for k, v in vars(opt).items() if k != "params"} == state


def test_an_update_that_would_overflow_changes_nothing() -> None:
    ps = with_grads((1.0, 1.0), (1e308, -1e308))
    opt = SGD(ps, lr=10.0)
    with pytest.raises(FloatingPointError, match="the update would make p2 inf"):
        opt.step()
    assert [p.data for p in ps] == [1.0, 1e308]


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: SGD([], lr=0.1), ValueError, "SGD got no parameters; pass model.parameters()"),
        (lambda: SGD(Value(1.0), lr=0.1), TypeError,  # type: ignore[arg-type]
         "SGD needs a list of parameters"),
        (lambda: SGD([1.0], lr=0.1), TypeError,  # type: ignore[list-item]
         "SGD params[0] must be a Value, got float"),
        (lambda: SGD([Value(0.0)], lr=0.0), ValueError,
         "SGD lr must be a finite number > 0, got 0.0"),
        (lambda: SGD([Value(0.0)], lr=-1), ValueError, "got -1.0"),
        (lambda: SGD([Value(0.0)], lr=math.nan), ValueError, "got nan"),
        (lambda: SGD([Value(0.0)], lr="0.1"), TypeError,  # type: ignore[arg-type]
         "SGD lr must be a number, got str"),
        (lambda: SGD([Value(0.0)], lr=0.1, momentum=1.0), ValueError,
         "SGD momentum must be in [0, 1), got 1.0"),
        (lambda: Adam([Value(0.0)], betas=(0.9, 1.0)), ValueError,
         "Adam betas[1] must be in [0, 1), got 1.0"),
        (lambda: Adam([Value(0.0)], betas=0.9), TypeError, "Adam betas must be a pair"),  # type: ignore[arg-type]
        (lambda: Adam([Value(0.0)], eps=0.0), ValueError, "Adam eps must be a finite number > 0"),
    ],
)  # fmt: skip
def test_bad_arguments_say_what_was_wrong(
    call: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()  # type: ignore[operator]


def test_a_parameter_given_twice_is_refused() -> None:
    w = Value(1.0, "w")
    with pytest.raises(
        ValueError, match=re.escape("got parameter w twice (params[0] and params[2])")
    ):
        SGD([w, Value(0.0), w], lr=0.1)


def test_a_bad_learning_rate_keeps_the_old_one() -> None:
    opt = SGD([Value(0.0)], lr=0.5)
    with pytest.raises(ValueError, match="lr must be"):
        opt.lr = -1.0
    assert opt.lr == 0.5
