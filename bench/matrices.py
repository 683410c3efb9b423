"""The hand-written NumPy peer: the same step as matrix products, forward and backward by hand.

A layer is ``S = X W - b`` for a batch X (one sample per row), then φ(S); the
backward pass is the notes' delta rule on whole matrices:
δ^(k) = (δ^(k+1) W^(k+1)ᵀ) ⊙ φ'(S^(k)), ∂L/∂W^(k) = X^(k-1)ᵀ δ^(k), ∂L/∂b^(k) = -Σ_n δ^(k).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .problem import Engine, Problem

__all__ = ["ENGINE"]


def _unused(*_: Any) -> Any:
    raise NotImplementedError("the NumPy peer runs the training workloads only")


def trainer(problem: Problem) -> Callable[[int], float]:
    """``step(k) -> loss`` with NumPy arrays: a few matrix products per layer.

    >>> from bench.problem import W2
    >>> from bench.floats import trainer as floats
    >>> a, b = trainer(W2), floats(W2)
    >>> all(abs(a(k) - b(k)) < 1e-12 for k in range(3))
    True
    """
    import numpy as np

    ws = [np.array([w for w, _ in layer]).T for layer in problem.params]  # (n_in, n_out)
    bs = [np.array([b for _, b in layer]) for layer in problem.params]
    x0 = np.array([x for x, _ in problem.points])
    t = np.array([t for _, t in problem.points])
    n = len(problem.points)
    acts = [problem.activation] * (len(ws) - 1) + [problem.output_activation]
    hinge = problem.loss == "hinge"

    def phi(name: str, s: Any) -> Any:
        if name == "relu":
            return np.maximum(s, 0.0)
        if name == "sigmoid":
            e = np.exp(-np.abs(s))
            return np.where(s >= 0.0, 1.0, e) / (1.0 + e)
        return s

    def phi_prime(name: str, s: Any, out: Any) -> Any:
        if name == "relu":
            return s > 0.0
        if name == "sigmoid":
            return out * (1.0 - out)
        return 1.0

    def step(k: int) -> float:
        xs, ss = [x0], []
        for w, b, act in zip(ws, bs, acts, strict=True):
            ss.append(xs[-1] @ w - b)
            xs.append(phi(act, ss[-1]))
        y = xs[-1][:, 0]
        if hinge:  # mean max(0, 1 - t·y) + 1e-4 Σ p²
            margin = 1.0 - t * y
            loss = np.maximum(margin, 0.0).sum() / n
            loss += 1e-4 * sum(
                float((w * w).sum() + (b * b).sum()) for w, b in zip(ws, bs, strict=True)
            )
            dy = np.where(margin > 0.0, -t / n, 0.0)
        else:  # ½ Σ (y - t)²
            loss = 0.5 * ((y - t) ** 2).sum()
            dy = y - t
        delta = dy[:, None] * phi_prime(acts[-1], ss[-1], xs[-1])
        eta = problem.lr(k)
        for layer in range(len(ws) - 1, -1, -1):
            w, b = ws[layer], bs[layer]
            gw, gb = xs[layer].T @ delta, -delta.sum(axis=0)
            if hinge:
                gw, gb = gw + 2e-4 * w, gb + 2e-4 * b
            if layer:
                delta = (delta @ w.T) * phi_prime(acts[layer - 1], ss[layer - 1], xs[layer])
            ws[layer], bs[layer] = w - eta * gw, b - eta * gb
        return float(loss)

    return step


ENGINE = Engine(
    name="numpy",
    trainer=trainer,
    chain=_unused,
    graph=_unused,
    node="no graph: arrays",
)
