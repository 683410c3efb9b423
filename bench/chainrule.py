"""chainrule under test: every unit is one ``autograd.wsum`` node plus its activation."""

from __future__ import annotations

from collections.abc import Callable

from autograd import Constant, Value, wsum

from .problem import CHAIN_FACTOR, Engine, Problem

__all__ = ["ENGINE"]

_ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "linear": lambda s: s,
}


def trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss``: forward through Values, ``backward()``, then SGD.

    >>> from bench.problem import W2
    >>> step = trainer(W2)
    >>> losses = [step(k) for k in range(200)]
    >>> losses[-1] < losses[0]
    True
    """
    layers = [
        [([Value(wi) for wi in ws], Value(bias)) for ws, bias in layer] for layer in problem.params
    ]
    acts = [_ACTIVATIONS[problem.activation]] * (len(layers) - 1)
    acts.append(_ACTIVATIONS[problem.output_activation])
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    points: list[tuple[list[Value], float]] = [
        ([Constant(x) for x in inputs], target) for inputs, target in problem.points
    ]
    hinge = problem.loss == "hinge"

    def forward(x: list[Value]) -> Value:
        for layer, act in zip(layers, acts, strict=True):
            x = [act(wsum(ws, x, b)) for ws, b in layer]
        return x[0]

    def step(k: int) -> float:
        if hinge:  # micrograd's demo loss, written as it writes it
            losses = [(1 + -t * forward(x)).relu() for x, t in points]
            data_loss = sum(losses, Constant(0.0)) * (1.0 / len(losses))
            loss = data_loss + 1e-4 * sum((p * p for p in params), Constant(0.0))
        else:
            loss = sum((0.5 * (forward(x) - t) ** 2 for x, t in points), Constant(0.0))
        for p in params:
            p.grad = 0.0
        loss.backward()
        eta = problem.lr(k)
        for p in params:
            p.data -= eta * p.grad
        return loss.data

    return step


def chain(n: int) -> Callable[[], tuple[float, float]]:
    """Forward: y = x · c · c ⋯ as n mul nodes (each with its Constant c); then ``backward()``.

    >>> chain(1)()
    (0.50000005, 1.0000001)
    """
    x = Value(0.5)
    y = x
    for _ in range(n):
        y = y * CHAIN_FACTOR

    def backward() -> tuple[float, float]:
        y.backward()
        return y.data, x.grad

    return backward


def graph(n: int) -> tuple[object, float]:
    """y_k = y_(k−1) + x: n add nodes, each one Value.

    >>> graph(3)[1]
    2.5
    """
    x = Value(0.5)
    y = Value(1.0)
    for _ in range(n):
        y = y + x
    return y, y.data


ENGINE = Engine(
    name="chainrule",
    trainer=trainer,
    chain=chain,
    graph=graph,
    node="one Value (slots, no __dict__) and its data float",
)
