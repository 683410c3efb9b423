"""micrograd 0.1.0 under test: its own MLP, Neuron, Value and recursive backward.

micrograd 0.1.0 has ReLU but no sigmoid, so W2 adds one written in micrograd's
own style (a closure on the output node, as its later ``tanh``). Its Neuron
computes ``Σ w x + b``; the bias is loaded as −b so that S = Σ w x − b as ours.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .problem import CHAIN_FACTOR, Engine, Problem

__all__ = ["ENGINE", "PEERS"]

PEERS = Path(__file__).resolve().parent / ".peers"  # where `make bench` installs micrograd


def _micrograd() -> tuple[Any, Any]:
    """micrograd's Value class and nn module, from bench/.peers."""
    if str(PEERS) not in sys.path:
        sys.path.insert(0, str(PEERS))
    try:
        import micrograd.engine
        import micrograd.nn
    except ImportError as exc:
        raise SystemExit(
            f"micrograd 0.1.0 is not installed in {PEERS}; run `make bench`, which installs it "
            "there with: pip install --target bench/.peers micrograd==0.1.0"
        ) from exc
    return micrograd.engine.Value, micrograd.nn


def _sigmoid(value_class: Any) -> Callable[[Any], Any]:
    def sigmoid(v: Any) -> Any:
        x = v.data
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0.0 else math.exp(x) / (1.0 + math.exp(x))
        out = value_class(s, (v,), "sigmoid")

        def _backward() -> None:
            v.grad += s * (1.0 - s) * out.grad

        out._backward = _backward
        return out

    return sigmoid


def trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss`` with micrograd's MLP, ``backward()`` and SGD as in its demo."""
    value, nn = _micrograd()
    sizes = list(problem.sizes)
    if problem.activation == "relu" and problem.output_activation == "linear":
        model = nn.MLP(sizes[0], sizes[1:])  # micrograd's own: ReLU hidden, linear output
        squash = None
    else:  # sigmoid units: linear neurons, each followed by the sigmoid op
        model = nn.MLP(sizes[0], sizes[1:])
        for layer in model.layers:
            for neuron in layer.neurons:
                neuron.nonlin = False
        squash = _sigmoid(value)
    for layer, units in zip(model.layers, problem.params, strict=True):
        for neuron, (ws, bias) in zip(layer.neurons, units, strict=True):
            for p, w in zip(neuron.w, ws, strict=True):
                p.data = w
            neuron.b.data = -bias
    params = model.parameters()
    points = problem.points

    def forward(x: list[Any]) -> Any:
        if squash is None:
            return model(x)
        for layer in model.layers:
            x = [squash(n(x)) for n in layer.neurons]
        return x[0]

    def step(k: int) -> float:
        if problem.loss == "hinge":  # micrograd's demo, line for line
            inputs = [list(map(value, xrow)) for xrow, _ in points]
            scores = list(map(forward, inputs))
            losses = [(1 + -t * s).relu() for (_, t), s in zip(points, scores, strict=True)]
            data_loss = sum(losses) * (1.0 / len(losses))
            loss = data_loss + 1e-4 * sum(p * p for p in params)
        else:  # ½ Σ (y − t)², as nn.squared_error builds it
            loss = 0.5 * sum((forward(list(map(value, x))) - t) ** 2 for x, t in points)
        model.zero_grad()
        loss.backward()
        eta = problem.lr(k)
        for p in params:
            p.data -= eta * p.grad
        return float(loss.data)

    return step


def chain(n: int) -> Callable[[], tuple[float, float]]:
    """Forward: y = x · c · c ⋯ as micrograd Values; its backward recurses once per node."""
    value, _ = _micrograd()
    x = value(0.5)
    y = x
    for _ in range(n):
        y = y * CHAIN_FACTOR

    def backward() -> tuple[float, float]:
        y.backward()
        return float(y.data), float(x.grad)

    return backward


def graph(n: int) -> tuple[object, float]:
    """y_k = y_(k−1) + x: n micrograd Values."""
    value, _ = _micrograd()
    x = value(0.5)
    y = value(1.0)
    for _ in range(n):
        y = y + x
    return y, float(y.data)


ENGINE = Engine(
    name="micrograd",
    trainer=trainer,
    chain=chain,
    graph=graph,
    node="one Value with its __dict__, _prev set, _backward closure and data float",
)
