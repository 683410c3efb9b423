"""The floor: the same math in plain Python floats, forward and backward written by hand.

The backward pass is the notes' delta rule, generalised to any depth:
δ at the output is ∂L/∂y · φ'(S) (22), δ_i^(k) = φ'(S_i^(k)) Σ_j w_ij^(k+1) δ_j^(k+1),
and ∂L/∂w_ij^(k) = δ_j^(k) x_i^(k−1) (14), ∂L/∂b_j^(k) = −δ_j^(k) (13).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from .problem import CHAIN_FACTOR, Engine, Problem

__all__ = ["ENGINE", "gradients", "weights"]


def _sigmoid(s: float) -> float:
    if s >= 0.0:
        return 1.0 / (1.0 + math.exp(-s))
    e = math.exp(s)
    return e / (1.0 + e)


def _phi(name: str, s: float) -> tuple[float, float]:
    """φ(S) and φ'(S)."""
    if name == "relu":
        return (s, 1.0) if s > 0.0 else (0.0, 0.0)
    if name == "sigmoid":
        y = _sigmoid(s)
        return y, y * (1.0 - y)
    return s, 1.0  # linear


Weights = list[list[list[float]]]  # w[k][j][i]: layer k, unit j, input i (0-based)
Biases = list[list[float]]  # b[k][j]


def weights(problem: Problem) -> tuple[Weights, Biases]:
    """``problem``'s initial parameters as nested lists of floats.

    >>> from bench.problem import W2
    >>> w, b = weights(W2)
    >>> [len(wk) for wk in w], [len(bk) for bk in b]
    ([2, 1], [2, 1])
    """
    w = [[list(ws) for ws, _ in layer] for layer in problem.params]
    b = [[bias for _, bias in layer] for layer in problem.params]
    return w, b


def gradients(problem: Problem, w: Weights, b: Biases) -> tuple[float, Weights, Biases]:
    """The loss over all of ``problem``'s points and ∂L/∂w, ∂L/∂b, by the delta rule.

    For the notes' network these are nn.delta_rule's numbers, summed over XOR:

    >>> from nn import MLP, delta_rule
    >>> from bench.chainrule import state_dict
    >>> from bench.problem import W2
    >>> loss, gw, gb = gradients(W2, *weights(W2))
    >>> model = MLP(2, [2, 1])
    >>> model.load_state_dict(state_dict(W2.params))
    >>> by_hand = [delta_rule(model, x, [t]) for x, t in W2.points]
    >>> abs(loss - sum(bp.loss for bp in by_hand)) < 1e-15
    True
    >>> abs(gw[0][1][0] - sum(bp.grad["w_12^(1)"] for bp in by_hand)) < 1e-15
    True
    >>> abs(gb[1][0] - sum(bp.grad["b_1^(2)"] for bp in by_hand)) < 1e-15
    True
    """
    n_layers = len(w)
    acts = [problem.activation] * (n_layers - 1) + [problem.output_activation]
    hinged = problem.loss == "hinge"
    alpha = 1e-4
    n_points = len(problem.points)
    gw = [[[0.0] * len(wj) for wj in wk] for wk in w]
    gb = [[0.0] * len(bk) for bk in b]
    data_loss = 0.0
    for inputs, target in problem.points:
        xs = [list(inputs)]  # xs[k] = outputs of layer k (layer 0 = inputs)
        ds: list[list[float]] = []  # φ'(S) per layer
        for wk, bk, act in zip(w, b, acts, strict=True):
            x_prev = xs[-1]
            out, der = [], []
            for wj, bj in zip(wk, bk, strict=True):
                s = sum(wi * xi for wi, xi in zip(wj, x_prev, strict=True)) - bj
                y, d = _phi(act, s)
                out.append(y)
                der.append(d)
            xs.append(out)
            ds.append(der)
        y = xs[-1][0]
        if hinged:  # L = mean(max(0, 1 − t·y)): ∂L/∂y = −t/n where the margin is violated
            margin = 1.0 - target * y
            data_loss += margin if margin > 0.0 else 0.0
            dl_dy = -target / n_points if margin > 0.0 else 0.0
        else:  # L = ½ Σ (y − t)²: ∂L/∂y = y − t
            data_loss += (y - target) ** 2
            dl_dy = y - target
        delta = [dl_dy * ds[-1][0]]  # (22)
        for k in range(n_layers - 1, -1, -1):
            x_prev = xs[k]
            for j, dj in enumerate(delta):
                gwj = gw[k][j]
                for i, xi in enumerate(x_prev):
                    gwj[i] += dj * xi  # (14)
                gb[k][j] -= dj  # (13)
            if k:  # δ_i^(k) = φ'(S_i^(k)) Σ_j w_ij^(k+1) δ_j^(k+1)
                wk = w[k]
                delta = [
                    ds[k - 1][i] * sum(wk[j][i] * dj for j, dj in enumerate(delta))
                    for i in range(len(x_prev))
                ]
    if not hinged:
        return 0.5 * data_loss, gw, gb
    reg = 0.0  # + α Σ p², ∂/∂p = 2αp
    for wk, bk, gwk, gbk in zip(w, b, gw, gb, strict=True):
        for j, (wj, gwj) in enumerate(zip(wk, gwk, strict=True)):
            for i, wi in enumerate(wj):
                reg += wi * wi
                gwj[i] += 2.0 * alpha * wi
            reg += bk[j] * bk[j]
            gbk[j] += 2.0 * alpha * bk[j]
    return data_loss * (1.0 / n_points) + alpha * reg, gw, gb


def trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss`` for ``problem`` with explicit forward and backward passes.

    >>> from bench.problem import W2
    >>> step = trainer(W2)
    >>> losses = [step(k) for k in range(200)]
    >>> losses[-1] < losses[0]
    True
    """
    w, b = weights(problem)

    def step(k: int) -> float:
        loss, gw, gb = gradients(problem, w, b)
        eta = problem.lr(k)
        for wk, bk, gwk, gbk in zip(w, b, gw, gb, strict=True):
            for j, (wj, gwj) in enumerate(zip(wk, gwk, strict=True)):
                for i, g in enumerate(gwj):
                    wj[i] -= eta * g  # (24)
                bk[j] -= eta * gbk[j]  # (23)
        return loss

    return step


def chain(n: int) -> Callable[[], tuple[float, float]]:
    """Forward: y_k = y_(k−1) · c kept in a list. Backward: ∂y/∂x = c · c ⋯ by the chain rule.

    >>> chain(1)()
    (0.50000005, 1.0000001)
    """
    ys = [0.5]
    for _ in range(n):
        ys.append(ys[-1] * CHAIN_FACTOR)

    def backward() -> tuple[float, float]:
        g = 1.0
        for _ in range(len(ys) - 1):
            g = g * CHAIN_FACTOR  # ∂y_k/∂y_(k−1) = c
        return ys[-1], g

    return backward


def graph(n: int) -> tuple[object, float]:
    """The W4 values y_k = y_(k−1) + x as a list of n floats (no graph to keep).

    >>> graph(3)
    ([1.5, 2.0, 2.5], 2.5)
    """
    x = 0.5
    ys = []
    y = 1.0
    for _ in range(n):
        y = y + x
        ys.append(y)
    return ys, y


ENGINE = Engine(
    name="floats",
    trainer=trainer,
    chain=chain,
    graph=graph,
    node="one float in a list",
)
