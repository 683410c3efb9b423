"""What fit knows of a loss comes from the loss itself (``fit_traits``), not from a table
keyed by the functions: each built-in loss carries its own, a function of yours carries
the defaults, and a loss of yours that says how it adds up its samples is compiled as
the built-in one is."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from autograd import Value
from nn import MLP, SGD, binary_cross_entropy, cross_entropy, fit, hinge, mse, squared_error, xor
from nn.losses import LOSSES, FitTraits, traits_of


def test_each_built_in_loss_says_how_a_batch_adds_up() -> None:
    # a batch is the concatenation of its samples: squared_error over two samples is the
    # sum of theirs, mse, hinge and cross_entropy the mean
    y1, y2 = [Value(0.3), Value(-0.2)], [Value(0.9), Value(0.4)]
    t1, t2 = [1.0, -1.0], [-1.0, 1.0]
    for loss in (squared_error, mse, hinge):
        whole = loss(y1 + y2, t1 + t2).data
        parts = loss(y1, t1).data + loss(y2, t2).data
        expected = parts if traits_of(loss).reduction == "sum" else parts / 2
        assert whole == pytest.approx(expected, rel=1e-15), loss.__name__
    assert traits_of(cross_entropy) == FitTraits(reduction="mean", class_targets=True)
    assert traits_of(binary_cross_entropy) == FitTraits(data_dependent=True)
    assert [f.__name__ for f in LOSSES if traits_of(f).reduction] == [
        "squared_error",
        "mse",
        "hinge",
        "cross_entropy",
    ]


def test_a_function_of_yours_has_the_defaults_and_compile_batch_refuses_it() -> None:
    def my_loss(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
        return squared_error(outputs, targets)

    assert traits_of(my_loss) == FitTraits()
    model = MLP(2, [2, 1])
    with pytest.raises(
        ValueError, match=r"it knows squared_error, mse, hinge, cross_entropy, not 'my_loss'"
    ):
        fit(model, xor(), my_loss, SGD(model.parameters(), lr=1.0), 2, compile="batch")


def test_a_loss_of_yours_that_carries_its_traits_compiles_as_the_built_in_one() -> None:
    pytest.importorskip("numpy")

    def my_loss(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
        return squared_error(outputs, targets)

    my_loss.fit_traits = FitTraits(reduction="sum")  # type: ignore[attr-defined]
    histories = []
    for loss in (squared_error, my_loss):
        model = MLP(2, [2, 1])
        histories.append(
            fit(model, xor(), loss, SGD(model.parameters(), lr=2.0), 20, compile="batch")
        )
    assert histories[0] == histories[1]
    model = MLP(2, [2, 1])
    eager = fit(model, xor(), squared_error, SGD(model.parameters(), lr=2.0), 20)
    assert histories[0] == pytest.approx(eager, rel=1e-12)
