"""nn.fit(..., compile=True): the same training as the eager engine, run as generated code."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    DivergedError,
    binary_cross_entropy,
    fit,
    hinge,
    l2,
    moons,
    mse,
    squared_error,
    xor,
)
from nn.optim import Optimizer

Run = Callable[[bool], tuple[list[float], dict[str, float]]]


def twice(make: Callable[[], tuple[MLP, Any, Callable[[MLP], Optimizer]]], **kw: Any) -> Run:
    def run(compile: bool) -> tuple[list[float], dict[str, float]]:
        model, data, optimizer = make()
        history = fit(model, data, optimizer=optimizer(model), compile=compile, **kw)
        return history, model.state_dict()

    return run


CASES = {
    "notes network, XOR, SGD": twice(
        lambda: (MLP(2, [2, 1]), xor(), lambda m: SGD(m.parameters(), lr=2.0)),
        loss=squared_error,
        steps=300,
    ),
    "tanh network, Adam": twice(
        lambda: (
            MLP(2, [3, 1], activation="tanh", seed=4),
            xor(),
            lambda m: Adam(m.parameters(), lr=0.05),
        ),
        loss=mse,
        steps=60,
    ),
    "micrograd's moons workload": twice(
        lambda: (
            MLP(2, [8, 8, 1], activation="relu", output_activation="linear", seed=1),
            moons(20, seed=3),
            lambda m: SGD(m.parameters(), lr=1.0, momentum=0.5),
        ),
        loss=hinge,
        steps=15,
        penalty=lambda m: 1e-4 * l2(m.parameters()),
        lr_schedule=lambda k: 1.0 - 0.9 * k / 15,
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_compiled_training_equals_eager_training_exactly(case: str) -> None:
    eager_history, eager_state = CASES[case](False)
    compiled_history, compiled_state = CASES[case](True)
    assert compiled_history == eager_history
    assert compiled_state == eager_state
    assert eager_history[-1] < eager_history[0]


def test_compiled_training_stops_where_eager_training_diverges() -> None:
    messages = []
    for compile in (False, True):
        model = MLP(1, [1], activation="linear")
        with pytest.raises(DivergedError) as caught:
            fit(
                model,
                [([2.0], [-5.0])],
                squared_error,
                SGD(model.parameters(), 1e200),
                10,
                compile=compile,
            )
        messages.append((str(caught.value), caught.value.step, model.state_dict()))
    assert messages[0] == messages[1]
    assert messages[0][1] == 1


def test_binary_cross_entropy_is_refused_because_its_graph_depends_on_the_data() -> None:
    model = MLP(2, [2, 1])
    with pytest.raises(ValueError, match="compile=True cannot take binary_cross_entropy"):
        fit(model, xor(), binary_cross_entropy, SGD(model.parameters(), 1.0), 5, compile=True)
    assert model.state_dict() == MLP(2, [2, 1]).state_dict()  # nothing changed


class Unlabelled:
    """A model of its own: y = w x + c, parameters without labels."""

    def __init__(self) -> None:
        self.w, self.c = Value(0.5), Value(-0.25)

    def __call__(self, x: Sequence[Any], /) -> list[Value]:
        return [self.w * x[0] + self.c]

    def parameters(self) -> list[Value]:
        return [self.w, self.c]


def test_a_model_whose_parameters_have_no_labels_compiles_too() -> None:
    results = []
    for compile in (False, True):
        model = Unlabelled()
        data = [([1.0], [2.0]), ([3.0], [-1.0])]
        history = fit(
            model, data, squared_error, SGD(model.parameters(), 0.05), 20, compile=compile
        )
        results.append((history, model.w.data, model.c.data))
    assert results[0] == results[1]


def test_a_model_with_a_value_outside_its_parameters_is_explained() -> None:
    class Hidden(Unlabelled):
        def parameters(self) -> list[Value]:
            return [self.w]  # c is used but not declared

    model = Hidden()
    model.c.label = "c"
    with pytest.raises(
        ValueError, match="loss uses a Value that is not one of its inputs: label 'c'"
    ):
        fit(model, [([1.0], [2.0])], squared_error, SGD(model.parameters(), 0.1), 3, compile=True)
