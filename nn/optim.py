"""Optimisers: gradient descent as in the notes' (23)-(24), with momentum, and Adam.

A step is all or nothing: the new value of every parameter is computed first,
and if any gradient or any new value is nan or inf, ``step()`` raises
FloatingPointError naming the parameter and changes nothing (no parameter, no
momentum or moment estimate). The learning rate ``lr`` may be changed between
steps, e.g. for a schedule.
"""

from __future__ import annotations

import copy
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
        grads = [p.grad for p in self.params]
        if not all(map(math.isfinite, grads)):  # checked at C speed
            p = next(p for p in self.params if not math.isfinite(p.grad))
            raise FloatingPointError(
                f"{self._name}.step: the gradient of {p.label or 'a parameter'} is "
                f"{p.grad!r}; no parameter was changed"
            )
        new, state = self._update(grads)
        if not all(map(math.isfinite, new)):
            p, value = next(
                (p, v) for p, v in zip(self.params, new, strict=True) if not math.isfinite(v)
            )
            raise FloatingPointError(
                f"{self._name}.step: the update would make {p.label or 'a parameter'} "
                f"{value!r} (it is {p.data!r}, its gradient {p.grad!r}, lr {self.lr!r}); "
                "no parameter was changed"
            )
        for name, value in state.items():  # the optimiser's own state, e.g. momentum
            setattr(self, name, value)
        for p, value in zip(self.params, new, strict=True):
            p.data = value

    def _update(self, grads: list[float]) -> tuple[list[float], dict[str, Any]]:
        """The new parameter values and the optimiser's new state from the parameters'
        gradients (``grads``, in order, all finite), nothing assigned yet."""
        raise NotImplementedError

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr}

    def _state(self) -> dict[str, Any]:
        return {}

    def state_dict(self) -> dict[str, Any]:
        """The settings and the running state (momentum, moments, step count), as plain data.

        Parameters are not in it (a model's ``state_dict`` holds them); the per-parameter
        lists follow the order of ``params``.

        >>> from autograd import Value
        >>> SGD([Value(1.0)], lr=0.1, momentum=0.9).state_dict()
        {'lr': 0.1, 'momentum': 0.9, 'velocity': [0.0]}
        """
        return {
            **self._settings(),
            **{k: list(v) if isinstance(v, list) else v for k, v in self._state().items()},
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` gave, for the same number of parameters.

        The keys must be exactly this optimiser's, every list one number per parameter;
        otherwise ValueError or TypeError says what is wrong, and nothing is changed.

        >>> from autograd import Value
        >>> opt = Adam([Value(1.0)], lr=0.1)
        >>> opt.load_state_dict({**opt.state_dict(), "t": 3, "m": [0.5]})
        >>> opt.t, opt.m
        (3, [0.5])
        """
        owner = type(self).__name__
        if not isinstance(state, dict):
            raise TypeError(f"{owner}.load_state_dict needs a dict, got {type(state).__name__}")
        current = self.state_dict()
        want = sorted(current)
        if sorted(state) != want:
            raise ValueError(
                f"{owner}.load_state_dict: expected the keys {want}, got {list(state)}"
            )
        clone = copy.copy(self)
        n = len(self.params)
        for key, value in state.items():
            if key == "betas":
                value = tuple(value) if isinstance(value, (list, tuple)) else value
            elif key == "t":
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(
                        f"{owner}.load_state_dict: t must be an int >= 0, got {value!r}"
                    )
            elif isinstance(current[key], list):
                if not isinstance(value, list) or len(value) != n:
                    raise ValueError(
                        f"{owner}.load_state_dict: {key} must be a list of {n} numbers "
                        f"(one per parameter), got {value!r:.60}"
                    )
                value = [_number(owner, f"{key}[{i}]", v) for i, v in enumerate(value)]
            setattr(clone, key, value)  # the property setters validate lr; betas below
        clone._check_settings()
        self.__dict__.update(clone.__dict__)

    def _check_settings(self) -> None:
        """Raise if a loaded setting is out of range (the constructor's checks)."""

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self._settings().items())
        return f"{type(self).__name__}({len(self.params)} parameters, {settings})"


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

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "momentum": self.momentum}

    def _state(self) -> dict[str, Any]:
        return {"velocity": self.velocity}

    def _check_settings(self) -> None:
        SGD(self.params, self.lr, self.momentum)

    def _update(self, grads: list[float]) -> tuple[list[float], dict[str, Any]]:
        lr, mu = self.lr, self.momentum
        if mu == 0.0:
            return [p.data - lr * g for p, g in zip(self.params, grads, strict=True)], {}
        velocity = [mu * v + g for v, g in zip(self.velocity, grads, strict=True)]
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

    def _settings(self) -> dict[str, Any]:
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps}

    def _state(self) -> dict[str, Any]:
        return {"t": self.t, "m": self.m, "v": self.v}

    def _check_settings(self) -> None:
        Adam(self.params, self.lr, self.betas, self.eps)

    def _update(self, grads: list[float]) -> tuple[list[float], dict[str, Any]]:
        (b1, b2), eps, lr, t = self.betas, self.eps, self.lr, self.t + 1
        m = [b1 * mi + (1.0 - b1) * g for mi, g in zip(self.m, grads, strict=True)]
        v = [b2 * vi + (1.0 - b2) * g * g for vi, g in zip(self.v, grads, strict=True)]
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        new = [
            p.data - lr * (mi / c1) / (math.sqrt(vi / c2) + eps)
            for p, mi, vi in zip(self.params, m, v, strict=True)
        ]
        return new, {"m": m, "v": v, "t": t}
