"""Backprop by hand: the notes' delta rule on plain floats, the engine's independent check.

For squared error L = ½ Σ_j (y_j - t_j)², with δ_j^(k) = ∂L/∂S_j^(k):

    δ_j^(K) = (y_j - t_j) φ'(S_j^(K))                        (22), at the output
    δ_i^(k) = φ'(S_i^(k)) Σ_j w_ij^(k+1) δ_j^(k+1)          (15)-(20), any depth
    ∂L/∂b_j^(k) = -δ_j^(k)                                   (13)
    ∂L/∂w_ij^(k) = δ_j^(k) x_i^(k-1)                         (14)

Only the parameters' numbers are read; no Value is made or changed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .module import MLP, weight_name

__all__ = ["Backprop", "delta_rule"]


def _sigmoid(s: float) -> float:
    if s >= 0.0:
        return 1.0 / (1.0 + math.exp(-s))
    e = math.exp(s)
    return e / (1.0 + e)


# Each activation as φ(S) and φ'(S) given S and x = φ(S), in plain math.
_PHI: dict[str, tuple[Callable[[float], float], Callable[[float, float], float]]] = {
    "sigmoid": (_sigmoid, lambda s, x: x * (1.0 - x)),  # σ' = σ(1 - σ)
    "tanh": (math.tanh, lambda s, x: 1.0 - x * x),  # tanh' = 1 - tanh²
    "relu": (lambda s: s if s > 0.0 else 0.0, lambda s, x: 1.0 if s > 0.0 else 0.0),
    "linear": (lambda s: s, lambda s, x: 1.0),
}


@dataclass(frozen=True)
class Backprop:
    """Every number of one forward and backward pass, keyed by the notes' names.

    ``S`` and ``x`` hold the forward pass (``x`` starts with the inputs
    ``x_i^(0)``), ``delta`` the local errors ``δ_j^(k)``, ``grad`` the
    gradient by parameter name (in :meth:`~nn.Module.named_parameters` order),
    ``loss`` the squared error and ``y`` the outputs.

    >>> bp = delta_rule(MLP(1, [1]), [1.0], [0.0])
    >>> sorted(bp.S), sorted(bp.x), sorted(bp.delta), list(bp.grad)
    (['S_1^(1)'], ['x_1^(0)', 'x_1^(1)'], ['δ_1^(1)'], ['b_1^(1)', 'w_11^(1)'])
    """

    S: dict[str, float]
    x: dict[str, float]
    delta: dict[str, float]
    grad: dict[str, float]
    loss: float
    y: list[float]


def _floats(what: str, values: object, n: int) -> list[float]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"delta_rule: {what} must be a list of {n} numbers, got {values!r:.60}")
    if len(values) != n:
        raise ValueError(f"delta_rule: expected {n} {what}, got {len(values)}")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(
                f"delta_rule: {what}[{i}] must be a number, got {type(v).__name__}: {v!r:.60}"
            )
        out.append(float(v))
    return out


def delta_rule(model: MLP, x: Sequence[float], t: Sequence[float]) -> Backprop:
    """Forward and backward through ``model`` by the notes' equations, on floats.

    The loss is the squared error ½ Σ (y - t)² of the single sample ``(x, t)``.

    >>> from nn import MLP
    >>> bp = delta_rule(MLP(2, [2, 1]), [1.0, 0.0], [1.0])
    >>> round(bp.y[0], 6), round(bp.delta["δ_1^(2)"], 6)  # δ = (y - t) σ'(S), (22)
    (0.481878, -0.12936)
    >>> bp.grad["b_1^(2)"] == -bp.delta["δ_1^(2)"]  # (13)
    True
    >>> bp.grad["w_11^(2)"] == bp.delta["δ_1^(2)"] * bp.x["x_1^(1)"]  # (14)
    True
    """
    if not isinstance(model, MLP):
        raise TypeError(f"delta_rule needs an MLP, got {type(model).__name__}")
    inputs = _floats("inputs", x, model.n_in)
    targets = _floats("targets", t, model.layer_sizes[-1])
    S_all, outs = _forward(model, inputs)
    y = outs[-1]
    loss = 0.5 * sum((yj - tj) ** 2 for yj, tj in zip(y, targets, strict=True))
    deltas = _backward(model, S_all, outs, targets)

    S_out: dict[str, float] = {}
    x_out = {f"x_{i}^(0)": v for i, v in enumerate(inputs, start=1)}
    delta: dict[str, float] = {}
    grad: dict[str, float] = {}
    for k in range(1, len(model.layers) + 1):
        for j, (s, v) in enumerate(zip(S_all[k - 1], outs[k], strict=True), start=1):
            S_out[f"S_{j}^({k})"] = s
            x_out[f"x_{j}^({k})"] = v
        for j, d in enumerate(deltas[k - 1], start=1):
            delta[f"δ_{j}^({k})"] = d
            grad[f"b_{j}^({k})"] = -d  # (13)
            for i, xi in enumerate(outs[k - 1], start=1):
                grad[weight_name(i, j, k)] = d * xi  # (14)
    return Backprop(S=S_out, x=x_out, delta=delta, grad=grad, loss=loss, y=list(y))


def _forward(model: MLP, inputs: list[float]) -> tuple[list[list[float]], list[list[float]]]:
    """Each layer's sums S, and the outputs x of each layer from the inputs (layer 0) on:
    S_j^(k) = Σ_i w_ij^(k) x_i^(k-1) - b_j^(k), x_j^(k) = φ(S_j^(k))."""
    S_all: list[list[float]] = []
    outs = [inputs]
    for layer in model.layers:
        phi = _PHI[layer.activation][0]
        prev = outs[-1]
        S = [
            sum(w.data * xi for w, xi in zip(n.w, prev, strict=True)) - n.b.data
            for n in layer.neurons
        ]
        S_all.append(S)
        outs.append([phi(s) for s in S])
    return S_all, outs


def _backward(
    model: MLP, S_all: list[list[float]], outs: list[list[float]], targets: list[float]
) -> list[list[float]]:
    """Each layer's δ: at the output by (22), then each layer's from the next one's."""
    K = len(model.layers)
    y = outs[-1]
    deltas: list[list[float]] = [[] for _ in range(K)]
    dphi = _PHI[model.layers[-1].activation][1]
    deltas[K - 1] = [
        (yj - tj) * dphi(s, yj) for yj, tj, s in zip(y, targets, S_all[K - 1], strict=True)
    ]
    for k in range(K - 1, 0, -1):  # 0-based layer index k is the notes' layer k + 1
        dphi = _PHI[model.layers[k - 1].activation][1]
        upper = model.layers[k].neurons
        deltas[k - 1] = [
            dphi(s, xi) * sum(n.w[i].data * d for n, d in zip(upper, deltas[k], strict=True))
            for i, (s, xi) in enumerate(zip(S_all[k - 1], outs[k], strict=True))
        ]
    return deltas
