"""Loss functions: a list of outputs and a list of targets in, one Value out.

Every loss takes ``outputs`` (Values, e.g. ``model(x)``) and ``targets``
(numbers), one target per output. A batch is the concatenation of its
samples' outputs and targets, so ``squared_error`` over a batch is the sum over
its samples, and ``mse``, ``hinge`` and ``binary_cross_entropy`` the mean.
The returned node is labelled ``L``.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from autograd import Value

__all__ = [
    "LOSSES",
    "FitTraits",
    "binary_cross_entropy",
    "cross_entropy",
    "hinge",
    "l2",
    "mse",
    "softmax",
    "squared_error",
    "traits_of",
]


@dataclass(frozen=True)
class FitTraits:
    """What :func:`nn.fit` needs to know of a loss besides calling it; each loss of this
    module carries its own as ``fit_traits`` (a function of yours has the defaults).

    >>> traits_of(cross_entropy)
    FitTraits(reduction='mean', class_targets=True, data_dependent=False)
    >>> traits_of(lambda outputs, targets: outputs[0]).reduction is None  # yours: unknown
    True
    """

    reduction: str | None = None  # how a batch adds up its samples: "sum", "mean"; None: unknown
    class_targets: bool = False  # the targets are class indices, not values for the outputs
    data_dependent: bool = False  # the graph depends on the data, so it cannot be compiled


F = TypeVar("F", bound=Callable[..., Any])


def _carries(traits: FitTraits) -> Callable[[F], F]:
    """Mark a loss with its :class:`FitTraits`."""

    def mark(loss: F) -> F:
        # mypy allows a new attribute on a function only through setattr
        setattr(loss, "fit_traits", traits)  # noqa: B010
        return loss

    return mark


def traits_of(loss: object) -> FitTraits:
    """The :class:`FitTraits` that ``loss`` carries; the defaults for any other function.

    >>> traits_of(squared_error).reduction, traits_of(print).reduction
    ('sum', None)
    """
    traits = getattr(loss, "fit_traits", None)
    return traits if isinstance(traits, FitTraits) else FitTraits()


def _check(
    loss: str, outputs: Sequence[Value], targets: Sequence[float]
) -> tuple[list[Value], list[float]]:
    if type(outputs) is not list and (
        isinstance(outputs, Value) or not isinstance(outputs, Sequence)
    ):
        raise TypeError(
            f"{loss}: outputs must be a list of Values such as model(x), "
            f"got {type(outputs).__name__}: {outputs!r:.60}"
        )
    if type(targets) is not list and (
        isinstance(targets, (str, bytes)) or not isinstance(targets, Sequence)
    ):
        raise TypeError(
            f"{loss}: targets must be a list of numbers, one per output, "
            f"got {type(targets).__name__}: {targets!r:.60}"
        )
    if len(targets) != len(outputs):
        raise ValueError(
            f"{loss}: expected one target per output, {len(outputs)} in all; got {len(targets)}"
        )
    if not outputs:
        raise ValueError(f"{loss}: got no outputs; a loss needs at least one")
    ys = list(outputs)
    for i, y in enumerate(ys):
        if not isinstance(y, Value):
            raise TypeError(f"{loss}: outputs[{i}] must be a Value, got {type(y).__name__}")
    return ys, [_target(loss, i, t) for i, t in enumerate(targets)]


def _target(loss: str, i: int, t: float) -> float:
    """``targets[i]`` as a float: a finite number (or a Value, an input of a compiled loss)."""
    if type(t) is float and math.isfinite(t):  # the common case, without an ABC check
        return t
    if isinstance(t, Value):  # a target that is an input of a compiled loss
        return t
    if isinstance(t, bool) or not isinstance(t, numbers.Real) or not math.isfinite(t):
        raise ValueError(f"{loss}: targets[{i}] must be a finite number, got {t!r:.60}")
    return float(t)


def _total(terms: list[Value]) -> Value:
    """t_1 + t_2 + ... as a chain of adds, without a leading 0."""
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def _named(loss: Value) -> Value:
    loss.label = "L"
    return loss


@_carries(FitTraits(reduction="sum"))
def squared_error(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
    """L = ½ Σ (y - t)², the notes' loss: ∂L/∂y = y - t.

    >>> from autograd import Value
    >>> y = Value(0.8)
    >>> L = squared_error([y], [1.0])
    >>> L.backward()
    >>> round(L.data, 12), round(y.grad, 12)
    (0.02, -0.2)
    """
    ys, ts = _check("squared_error", outputs, targets)
    return _named(0.5 * _total([(y - t) ** 2 for y, t in zip(ys, ts, strict=True)]))


@_carries(FitTraits(reduction="mean"))
def mse(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
    """The mean squared error, (1/n) Σ (y - t)² (no ½).

    >>> from autograd import Value
    >>> mse([Value(1.0), Value(3.0)], [0.0, 0.0]).data
    5.0
    """
    ys, ts = _check("mse", outputs, targets)
    return _named(_total([(y - t) ** 2 for y, t in zip(ys, ts, strict=True)]) * (1.0 / len(ys)))


@_carries(FitTraits(reduction="mean"))
def hinge(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
    """micrograd's max-margin loss: the mean of relu(1 - y·t), targets ±1.

    >>> from autograd import Value
    >>> hinge([Value(2.0), Value(0.5)], [1.0, -1.0]).data  # (0 + 1.5) / 2
    0.75
    """
    ys, ts = _check("hinge", outputs, targets)
    return _named(
        _total([(1.0 - y * t).relu() for y, t in zip(ys, ts, strict=True)]) * (1.0 / len(ys))
    )


def _softplus(z: Value) -> Value:
    """log(1 + e^z) without overflow; either branch is the same function."""
    if z.data > 0.0:
        return z + (1.0 + (-z).exp()).log()
    return (1.0 + z.exp()).log()


@_carries(FitTraits(data_dependent=True))  # picks its formula by each logit's sign
def binary_cross_entropy(
    outputs: Sequence[Value], targets: Sequence[float], *, logits: bool = False
) -> Value:
    """The mean of -[t log y + (1 - t) log(1 - y)] for probabilities y, targets in [0, 1].

    Stable where it matters: when an output y was made by a sigmoid (a sigmoid
    output unit), the loss is computed from the logit S under it as
    ``log(1 + e^S) - t·S``, which never overflows and has ∂L/∂S = σ(S) - t
    (divided by n) even where σ(S) rounds to 0 or 1. The sigmoid node itself
    is then not on the loss's path. Any other output is taken as a
    probability as is (log(0) gives inf, as IEEE says). With ``logits=True``
    every output is a logit (a linear output unit), treated the same stable way.

    >>> from autograd import Value
    >>> S = Value(800.0)  # σ(S) is 1.0 in floating point
    >>> L = binary_cross_entropy([S.sigmoid()], [0.0])
    >>> L.backward()
    >>> L.data, S.grad  # the exact values are 800 and σ(800) = 1
    (800.0, 1.0)
    >>> round(binary_cross_entropy([Value(0.0)], [1.0], logits=True).data, 6)  # log 2
    0.693147
    """
    ys, ts = _check("binary_cross_entropy", outputs, targets)
    for i, t in enumerate(ts):
        if not 0.0 <= t <= 1.0:
            raise ValueError(f"binary_cross_entropy: targets[{i}] must be in [0, 1], got {t!r}")
    terms = []
    for y, t in zip(ys, ts, strict=True):
        if logits or y.op == "sigmoid":
            z = y if logits else y.inputs[0]
            terms.append(_softplus(z) - t * z if t else _softplus(z))
        elif t == 1.0:  # constant coefficients: skip a 0·log(0) that would be nan
            terms.append(-y.log())
        elif t == 0.0:
            terms.append(-(1.0 - y).log())
        else:
            terms.append(-(t * y.log() + (1.0 - t) * (1.0 - y).log()))
    return _named(_total(terms) * (1.0 / len(ys)))


def l2(params: Iterable[Value]) -> Value:
    """The L2 penalty Σ p²; scale it yourself, e.g. ``1e-4 * l2(model.parameters())``.

    >>> from autograd import Value
    >>> l2([Value(3.0), Value(-4.0)]).data
    25.0
    """
    squares = []
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"l2: params[{i}] must be a Value, got {type(p).__name__}")
        squares.append(p * p)
    return _total(squares) if squares else Value(0.0)


def _largest(zs: Sequence[Value]) -> Value:
    """max of the Values as a graph, ``max(a, b) = (a + b + |a - b|) / 2``, so that
    compiled code shifts by the largest logit of each sample, not of the trace."""
    m = zs[0]
    for z in zs[1:]:
        m = 0.5 * (m + z + (m - z).abs())
    return m


def _log_sum_exp(zs: Sequence[Value]) -> Value:
    """log Σ e^z, as m + log Σ e^(z - m) with m the largest z: no overflow."""
    m = _largest(zs)
    return m + _total([(z - m).exp() for z in zs]).log()


def _logits(loss: str, logits: Sequence[Value]) -> list[Value]:
    if isinstance(logits, Value) or not isinstance(logits, Sequence) or not logits:
        raise TypeError(f"{loss}: logits must be a non-empty list of Values, got {logits!r:.60}")
    for i, z in enumerate(logits):
        if not isinstance(z, Value):
            raise TypeError(f"{loss}: logits[{i}] must be a Value, got {type(z).__name__}")
    return list(logits)


def softmax(logits: Sequence[Value]) -> list[Value]:
    """The probabilities e^(z_c) / Σ e^z, shifted by the largest z so nothing overflows.

    >>> from autograd import Value
    >>> p = softmax([Value(1000.0), Value(1000.0), Value(-1000.0)])
    >>> [round(v.data, 6) for v in p]
    [0.5, 0.5, 0.0]
    """
    zs = _logits("softmax", logits)
    m = _largest(zs)
    es = [(z - m).exp() for z in zs]
    total = _total(es)
    return [e / total for e in es]


@_carries(FitTraits(reduction="mean", class_targets=True))
def cross_entropy(logits: Sequence[Value], targets: int | Sequence[float]) -> Value:
    """The mean over samples of -log softmax(z)[t]: multi-class classification.

    ``cross_entropy(logits, 3)``: one sample, the class index 3 of ``logits``.
    With a list of targets, ``logits`` holds each sample's C logits one after the
    other and ``targets`` one class index per sample (C = len(logits) / len(targets)),
    the shape :func:`nn.fit` passes: outputs of every sample, then every target.
    Each term is ``log Σ_c e^(z_c) - z_t``, computed as ``m + log Σ e^(z_c - m)``
    with m the sample's largest logit (as a graph: the shift holds in compiled code
    too), so it never overflows; ∂L/∂z_c = (softmax(z)_c - [c = t]) / n.

    A target given as a Value (an input of a compiled loss, one sample) is the
    class's one-hot weights instead: ``targets`` then holds C Values, and the
    term is ``log Σ e^z - Σ_c t_c z_c``.

    >>> from autograd import Value
    >>> zs = [Value(2.0), Value(1.0), Value(0.1)]
    >>> L = cross_entropy(zs, 0)
    >>> L.backward()
    >>> round(L.data, 6), [round(z.grad, 6) for z in zs]
    (0.41703, [-0.340999, 0.242433, 0.098566])
    >>> cross_entropy([Value(1000.0), Value(0.0)], 1).data  # no overflow
    1000.0
    """
    zs = _logits("cross_entropy", logits)
    if isinstance(targets, Sequence) and targets and all(isinstance(t, Value) for t in targets):
        if len(targets) != len(zs):
            raise ValueError(
                f"cross_entropy: one-hot targets need one Value per logit, {len(zs)}; "
                f"got {len(targets)}"
            )
        picked = _total([t * z for t, z in zip(targets, zs, strict=True)])
        return _named(_log_sum_exp(zs) - picked)
    indices = [targets] if not isinstance(targets, Sequence) else list(targets)
    if not indices or len(zs) % len(indices):
        raise ValueError(
            f"cross_entropy: {len(zs)} logits cannot be split evenly among {len(indices)} "
            "targets; give each sample's logits one after the other and one class index each"
        )
    classes = len(zs) // len(indices)
    terms: list[Value] = []
    for k, t in enumerate(indices):
        if isinstance(t, bool) or not isinstance(t, numbers.Real) or t != int(t):
            raise ValueError(f"cross_entropy: targets[{k}] must be a class index, got {t!r:.60}")
        if not 0 <= t < classes:
            raise ValueError(
                f"cross_entropy: targets[{k}] = {t!r} is not a class: the classes are "
                f"0 to {classes - 1}"
            )
        sample = zs[k * classes : (k + 1) * classes]
        terms.append(_log_sum_exp(sample) - sample[int(t)])
    return _named(_total(terms) * (1.0 / len(terms)))


LOSSES = (squared_error, mse, hinge, binary_cross_entropy, cross_entropy)
"""The losses of this module, in the order they are defined.

>>> [f.__name__ for f in LOSSES if traits_of(f).reduction]
['squared_error', 'mse', 'hinge', 'cross_entropy']
"""
