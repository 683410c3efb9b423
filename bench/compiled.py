"""chainrule compiled: the step's loss traced once with ``autograd.Compiled``, then run as code.

``COMPILED`` compiles the loss of the whole data set, the data built in as
constants, and runs it on floats: one call gives the loss and every parameter's
gradient. ``BATCHED`` compiles one sample's loss with the parameters shared and
runs it on NumPy arrays of the data: one call gives the gradient of the batch's
loss. Both build their graph from ``nn.MLP`` and nn's losses, as ``bench.chainrule``
does. ``C_COMPILED`` is ``COMPILED`` as C (``Compiled.to_c()``). Compiling is part of
making the trainer, which the worker times apart
(``setup``), once per process.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Compiled, Constant, Value
from nn import MLP, hinge, l2, squared_error

from .chainrule import state_dict
from .problem import Engine, Problem

__all__ = ["BATCHED", "COMPILED", "C_COMPILED"]


def _model(problem: Problem) -> MLP:
    sizes = list(problem.sizes)
    model = MLP(
        sizes[0],
        sizes[1:],
        activation=problem.activation,
        output_activation=problem.output_activation,
    )
    model.load_state_dict(state_dict(problem.params))
    return model


def _unused(*_: Any) -> Any:
    raise NotImplementedError("the compiled engines run the training workloads only")


def trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss``: the whole data set's loss and gradient in one call of generated code.

    >>> from bench.problem import W2
    >>> from bench.chainrule import trainer as eager
    >>> a, b = trainer(W2), eager(W2)
    >>> [a(k) for k in range(3)] == [b(k) for k in range(3)]
    True
    """
    compiled, values = _compiled_loss(problem)
    return _descent(problem, compiled, values)


def c_trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss``: :func:`trainer`'s compiled loss as C (``Compiled.to_c()``).

    >>> from bench.problem import W2
    >>> a, b = c_trainer(W2), trainer(W2)
    >>> [a(k) for k in range(3)] == [b(k) for k in range(3)]
    True
    """
    compiled, values = _compiled_loss(problem)
    return _descent(problem, compiled.to_c(), values)


def _compiled_loss(problem: Problem) -> tuple[Compiled, list[float]]:
    """The whole data set's loss compiled, and the parameters' starting numbers."""
    model = _model(problem)
    params = model.parameters()
    outputs = [model([Constant(v) for v in x])[0] for x, _ in problem.points]
    targets = [t for _, t in problem.points]
    if problem.loss == "hinge":
        loss = hinge(outputs, targets) + 1e-4 * l2(params)
    else:
        loss = squared_error(outputs, targets)
    return Compiled(loss, params, name="loss"), [p.data for p in params]


def _descent(
    problem: Problem, function: Callable[..., tuple[float, tuple[float, ...]]], values: list[float]
) -> Callable[[int], float]:
    """``step(k)``: one step of gradient descent with the loss and gradient ``function``."""

    def step(k: int) -> float:
        nonlocal values
        value, grads = function(*values)
        eta = problem.lr(k)
        values = [p - eta * g for p, g in zip(values, grads, strict=True)]
        return float(value)

    return step


def batched_trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss``: one sample's loss compiled, run on arrays of all the samples.

    The hinge workload's penalty 1e-4·Σp² is shared by the samples: each carries
    1/n of it, so the batch's loss is the full-batch loss. The parameters stay in
    arrays, each layer's W and b (``Compiled.group``), and SGD updates each array
    with one operation (``Compiled.batch_grouped`` gives the gradients so).

    >>> from bench.problem import W1, W2
    >>> from bench.floats import trainer as floats
    >>> a, b = batched_trainer(W1), floats(W1)
    >>> all(abs(a(k) - b(k)) < 1e-9 for k in range(3))  # the eager engine's losses
    True
    >>> step = batched_trainer(W2)
    >>> losses = [step(k) for k in range(200)]
    >>> losses[-1] < losses[0]
    True
    """
    model = _model(problem)
    params = model.parameters()
    names = [p.label for p in params]
    xs = [Value(0.0, f"x_{i}^(0)") for i in range(1, problem.sizes[0] + 1)]
    t = Value(0.0, "t")
    y = model(xs)[0]
    n = len(problem.points)
    if problem.loss == "hinge":  # as nn.hinge writes one sample's term
        f = (1.0 - y * t).relu() * (1.0 / n) + (1e-4 / n) * l2(params)
    else:
        f = 0.5 * (y - t) ** 2
    compiled = Compiled(f, [*params, *xs, t], wrt=names, shared=names, name="sample")
    columns = [np.array([x[i] for x, _ in problem.points]) for i in range(len(xs))]
    targets = np.array([target for _, target in problem.points])
    groups = compiled.group([p.data for p in params])  # each layer's W and b as arrays
    compiled.batch_grouped(*groups, *columns, targets)  # defines the function: part of compiling

    def step(k: int) -> float:
        nonlocal groups
        losses, grads = compiled.batch_grouped(*groups, *columns, targets)
        eta = problem.lr(k)
        groups = [p - eta * g for p, g in zip(groups, grads, strict=True)]  # one op per array
        return float(losses.sum())

    return step


COMPILED = Engine(
    name="chainrule-compiled",
    trainer=trainer,
    chain=_unused,
    graph=_unused,
    node="no graph at run time",
)

C_COMPILED = Engine(
    name="chainrule-c",
    trainer=c_trainer,
    chain=_unused,
    graph=_unused,
    node="no graph at run time",
)

BATCHED = Engine(
    name="chainrule-batched",
    trainer=batched_trainer,
    chain=_unused,
    graph=_unused,
    node="no graph at run time",
)
