"""Modes of a context: ``detect_anomaly`` (raise at the first nan/inf) and ``no_grad`` (no graph).

Each is a ContextVar, so it applies to the thread (the context) that entered
it only. The engine reads them when it makes a node and when it backpropagates.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["detect_anomaly", "no_grad"]

ANOMALY: ContextVar[bool] = ContextVar("chainrule_detect_anomaly", default=False)
NO_GRAD: ContextVar[bool] = ContextVar("chainrule_no_grad", default=False)


@contextmanager
def no_grad() -> Iterator[None]:
    """Record no graph: every op inside returns a new leaf holding its number.

    For evaluation (accuracy, a validation loss) and for updating parameters by
    hand; the ops still compute as Values do (IEEE, never raising). It applies to
    the thread (the context) that entered it only.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> with no_grad():
    ...     y = (x * x).exp()
    >>> y.op, y.inputs, (x * x).op
    ('', (), 'mul')
    """
    token = NO_GRAD.set(True)
    try:
        yield
    finally:
        NO_GRAD.reset(token)


def _number(x: Any) -> float:
    return x._data if hasattr(x, "_data") else float(x)


def _describe(values: Iterable[Any]) -> str:
    return ", ".join(f"{v.label or '?'}={v._data!r}" for v in values)


def check_forward(out: Any) -> None:
    """Raise if ``out`` (a new node) is nan or inf although all of its inputs are finite."""
    ins = out.inputs
    if all(math.isfinite(x._data) for x in ins):
        raise FloatingPointError(
            f"detect_anomaly: forward {out.op} turned finite inputs ({_describe(ins)}) "
            f"into {out._data!r}"
        )


def check_backward(node: Any, x: Any, g: Any, contribution: Any) -> None:
    """Raise if a finite node, inputs and upstream gradient gave a non-finite contribution."""
    gv, cv = _number(g), _number(contribution)
    finite_in = math.isfinite(gv) and all(math.isfinite(v._data) for v in (node, *node.inputs))
    if finite_in and not math.isfinite(cv):
        raise FloatingPointError(
            f"detect_anomaly: backward {node.op} turned finite inputs ({_describe(node.inputs)}) "
            f"and upstream gradient {gv!r} into gradient {cv!r} for {x.label or 'an input'}"
        )


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise FloatingPointError at the first op that turns finite numbers into nan or inf.

    The error names the op, forward or backward, and its inputs' labels and values.
    It applies to the thread (the context) that entered it only. Nothing is
    changed by the failing call: backward writes no gradient before all are checked.

    >>> from autograd import Value
    >>> x = Value(0.0, "x")
    >>> with detect_anomaly():
    ...     x.log()
    Traceback (most recent call last):
    ...
    FloatingPointError: detect_anomaly: forward log turned finite inputs (x=0.0) into -inf
    """
    token = ANOMALY.set(True)
    try:
        yield
    finally:
        ANOMALY.reset(token)
