"""chainrule under test: ``nn.MLP`` (one ``wsum`` node + activation per unit), nn's losses, SGD.

``RAW`` builds the same graph, node for node, with ``autograd`` alone: no input
checks, no labels, no optimiser object. The two side by side say how much of a
step is the engine and how much is nn's checking and naming.
"""

from __future__ import annotations

from collections.abc import Callable

from autograd import Value, wsum
from nn import MLP, SGD, hinge, l2, squared_error, weight_name

from .problem import CHAIN_FACTOR, Engine, Params, Problem

__all__ = ["ENGINE", "RAW", "state_dict"]


def state_dict(params: Params) -> dict[str, float]:
    """The bench's parameters under nn's names: ``b_j^(k)`` and ``w_ij^(k)``.

    >>> state_dict(((((0.5, -0.25), 0.125),),))  # one layer of one unit
    {'b_1^(1)': 0.125, 'w_11^(1)': 0.5, 'w_21^(1)': -0.25}
    """
    state = {}
    for k, layer in enumerate(params, start=1):
        for j, (ws, bias) in enumerate(layer, start=1):
            state[f"b_{j}^({k})"] = bias
            for i, w in enumerate(ws, start=1):
                state[weight_name(i, j, k)] = w
    return state


def trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss``: ``model(x)`` on new input Values, nn's loss, backward, ``SGD.step()``.

    >>> from bench.problem import W2
    >>> step = trainer(W2)
    >>> losses = [step(k) for k in range(200)]
    >>> losses[-1] < losses[0]
    True
    """
    sizes = list(problem.sizes)
    model = MLP(
        sizes[0],
        sizes[1:],
        activation=problem.activation,
        output_activation=problem.output_activation,
    )
    model.load_state_dict(state_dict(problem.params))
    params = model.parameters()
    optimizer = SGD(params, lr=problem.lr(0))
    inputs = [x for x, _ in problem.points]
    targets = [t for _, t in problem.points]
    hinged = problem.loss == "hinge"

    def step(k: int) -> float:
        # the inputs become Values every step, as in micrograd's demo
        outputs = [model([Value(xi) for xi in x])[0] for x in inputs]
        if hinged:  # micrograd's demo loss: mean max(0, 1 − t·y) + 1e-4 Σ p²
            loss = hinge(outputs, targets) + 1e-4 * l2(params)
        else:
            loss = squared_error(outputs, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.lr = problem.lr(k)
        optimizer.step()
        return loss.data

    return step


def _total(terms: list[Value]) -> Value:
    total = terms[0]  # t_1 + t_2 + ..., as nn's losses add them
    for term in terms[1:]:
        total = total + term
    return total


def raw_trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss`` on the graph nn builds, written with ``autograd`` alone.

    >>> from bench.problem import W2
    >>> a, b = raw_trainer(W2), trainer(W2)
    >>> [a(k) for k in range(3)] == [b(k) for k in range(3)]
    True
    """
    layers = [
        [([Value(w) for w in ws], Value(bias)) for ws, bias in layer] for layer in problem.params
    ]
    acts: list[Callable[[Value], Value] | None] = [
        None if name == "linear" else getattr(Value, name)
        for name in [problem.activation] * (len(layers) - 1) + [problem.output_activation]
    ]
    params = [p for layer in layers for ws, bias in layer for p in (bias, *ws)]
    inputs = [x for x, _ in problem.points]
    targets = [t for _, t in problem.points]
    hinged = problem.loss == "hinge"

    def forward(xs: list[Value]) -> Value:
        for layer, act in zip(layers, acts, strict=True):
            sums = [wsum(ws, xs, bias) for ws, bias in layer]
            xs = sums if act is None else [act(s) for s in sums]
        return xs[0]

    def step(k: int) -> float:
        ys = [forward([Value(xi) for xi in x]) for x in inputs]
        if hinged:
            terms = [(1.0 - y * t).relu() for y, t in zip(ys, targets, strict=True)]
            loss = _total(terms) * (1.0 / len(ys)) + 1e-4 * _total([p * p for p in params])
        else:
            loss = 0.5 * _total([(y - t) ** 2 for y, t in zip(ys, targets, strict=True)])
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

RAW = Engine(
    name="chainrule-raw",
    trainer=raw_trainer,
    chain=chain,
    graph=graph,
    node=ENGINE.node,
)
