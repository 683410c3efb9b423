"""Optimisers: gradient descent as in the notes' (23)-(24), with momentum, and Adam.

A step is all or nothing: the new value of every parameter is computed first,
and if any gradient or any new value is nan or inf, ``step()`` raises
FloatingPointError naming the parameter and changes nothing (no parameter, no
momentum or moment estimate). The learning rate ``lr`` may be changed between
steps, e.g. for a schedule.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from autograd import Value

__all__ = ["SGD", "Adam", "Optimizer"]


def _number(owner: str, name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{owner} {name} must be a number, got {type(value).__name__}: {value!r:.60}"
        )
    return float(value)


class Optimizer:
    """What every optimiser shares: its parameters, ``lr``, ``zero_grad`` and ``step``.

    >>> from autograd import Value
    >>> w = Value(1.0, "w")
    >>> opt = SGD([w], lr=0.1)
    >>> opt.params
    [Value(data=1.0, grad=0.0, label='w')]
    """

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        owner = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(
                f"{owner} needs a list of parameters such as model.parameters(), got a Value"
            )
        plist = list(params)
        if not plist:
            raise ValueError(f"{owner} got no parameters; pass model.parameters()")
        seen: dict[Value, int] = {}
        for i, p in enumerate(plist):
            if not isinstance(p, Value):
                raise TypeError(f"{owner} params[{i}] must be a Value, got {type(p).__name__}")
            if p in seen:
                raise ValueError(
                    f"{owner} got parameter {p.label or '?'} twice (params[{seen[p]}] and "
                    f"params[{i}]); it would be stepped twice"
                )
            seen[p] = i
        self.params = plist
        self.lr = lr
        self._name = owner

    @property
    def lr(self) -> float:
        """The learning rate η: a finite number > 0, changeable between steps.

        >>> from autograd import Value
        >>> opt = SGD([Value(0.0)], lr=1.0)
        >>> opt.lr = 0.5
        >>> opt.lr
        0.5
        """
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        lr = _number(type(self).__name__, "lr", value)
        if not (math.isfinite(lr) and lr > 0.0):
            raise ValueError(f"{type(self).__name__} lr must be a finite number > 0, got {lr!r}")
        self._lr = lr

    def zero_grad(self) -> None:
        """Set the ``grad`` of every parameter to 0.

        >>> from autograd import Value
        >>> w = Value(1.0)
        >>> (w * 3).backward()
        >>> opt = SGD([w], lr=0.1)
        >>> opt.zero_grad()
        >>> w.grad
        0.0
        """
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``grad``, all or nothing.

        >>> from autograd import Value
        >>> w = Value(1.0, "w")
        >>> w.grad = math.nan
        >>> SGD([w], lr=0.1).step()
        Traceback (most recent call last):
        ...
        FloatingPointError: SGD.step: the gradient of w is nan; no parameter was changed
        """
        for p in self.params:
            if not math.isfinite(p.grad):
                raise FloatingPointError(
                    f"{self._name}.step: the gradient of {p.label or 'a parameter'} is "
                    f"{p.grad!r}; no parameter was changed"
                )
        new, state = self._update()
        for p, value in zip(self.params, new, strict=True):
            if not math.isfinite(value):
                raise FloatingPointError(
                    f"{self._name}.step: the update would make {p.label or 'a parameter'} "
                    f"{value!r} (it is {p.data!r}, its gradient {p.grad!r}, lr {self.lr!r}); "
                    "no parameter was changed"
                )
        for name, value in state.items():  # the optimiser's own state, e.g. momentum
            setattr(self, name, value)
        for p, value in zip(self.params, new, strict=True):
            p.data = value

    def _update(self) -> tuple[list[float], dict[str, Any]]:
        """The new parameter values and the optimiser's new state, nothing assigned yet."""
        raise NotImplementedError


class SGD(Optimizer):
    """Gradient descent, the notes' (23)-(24): p ← p - η ∂L/∂p.

    With ``momentum`` μ > 0 it keeps a velocity per parameter,
    v ← μ v + ∂L/∂p and p ← p - η v (PyTorch's convention); with μ = 0 the
    step is exactly ``p.data - lr * p.grad``.

    >>> from autograd import Value
    >>> w = Value(2.0, "w")
    >>> (w * w).backward()  # ∂L/∂w = 4
    >>> SGD([w], lr=0.1).step()
    >>> w.data  # 2 - 0.1 * 4
    1.6
    """

    def __init__(self, params: Iterable[Value], lr: float, momentum: float = 0.0) -> None:
        super().__init__(params, lr)
        mu = _number("SGD", "momentum", momentum)
        if not 0.0 <= mu < 1.0:
            raise ValueError(f"SGD momentum must be in [0, 1), got {mu!r}")
        self.momentum = mu
        self.velocity = [0.0] * len(self.params)

    def _update(self) -> tuple[list[float], dict[str, Any]]:
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            return [p.data - lr * p.grad for p in self.params], {}
        velocity = [mu * v + p.grad for v, p in zip(self.velocity, self.params, strict=True)]
        new = [p.data - lr * v for p, v in zip(self.params, velocity, strict=True)]
        return new, {"velocity": velocity}


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with bias correction.

    m ← β1 m + (1 - β1) g,  v ← β2 v + (1 - β2) g²,
    p ← p - lr · m̂ / (√v̂ + eps), where m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t)
    and t counts the steps taken.

    >>> from autograd import Value
    >>> w = Value(1.0)
    >>> w.grad = 0.5
    >>> opt = Adam([w], lr=0.1)
    >>> opt.step()
    >>> round(w.data, 6)  # the first step moves each parameter by about lr
    0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, tuple) or len(betas) != 2:
            raise TypeError(f"Adam betas must be a pair (beta1, beta2), got {betas!r:.60}")
        b1 = _number("Adam", "betas[0]", betas[0])
        b2 = _number("Adam", "betas[1]", betas[1])
        for name, b in (("betas[0]", b1), ("betas[1]", b2)):
            if not 0.0 <= b < 1.0:
                raise ValueError(f"Adam {name} must be in [0, 1), got {b!r}")
        e = _number("Adam", "eps", eps)
        if not (math.isfinite(e) and e > 0.0):
            raise ValueError(f"Adam eps must be a finite number > 0, got {e!r}")
        self.betas = (b1, b2)
        self.eps = e
        self.t = 0
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def _update(self) -> tuple[list[float], dict[str, Any]]:
        (b1, b2), eps, lr, t = self.betas, self.eps, self.lr, self.t + 1
        m = [b1 * mi + (1.0 - b1) * p.grad for mi, p in zip(self.m, self.params, strict=True)]
        v = [
            b2 * vi + (1.0 - b2) * p.grad * p.grad
            for vi, p in zip(self.v, self.params, strict=True)
        ]
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        new = [
            p.data - lr * (mi / c1) / (math.sqrt(vi / c2) + eps)
            for p, mi, vi in zip(self.params, m, v, strict=True)
        ]
        return new, {"m": m, "v": v, "t": t}
