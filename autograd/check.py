"""Gradient checks against central finite differences."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from .engine import Real, Value, grad

__all__ = ["GradcheckError", "gradcheck"]


class GradcheckError(AssertionError):
    """Analytic and numeric derivatives disagree; the message holds the table."""


def _numeric(f: Callable[[list[float]], float], point: list[float], i: int, eps: float) -> float:
    plus, minus = list(point), list(point)
    plus[i] += eps
    minus[i] -= eps
    return (f(plus) - f(minus)) / (2.0 * eps)


def _compare(title: str, rows: list[tuple[str, float, float]], atol: float, rtol: float) -> None:
    bad = [
        r
        for r in rows
        if not (abs(r[1] - r[2]) <= atol + rtol * abs(r[2]))  # nan fails too
    ]
    if bad:
        lines = [f"{title}: {len(bad)} of {len(rows)} derivatives disagree", ""]
        lines.append(f"{'input':<16}{'analytic':>16}{'numeric':>16}{'difference':>16}")
        for name, analytic, numeric in rows:
            mark = "  <-" if any(name == b[0] for b in bad) else ""
            lines.append(
                f"{name:<16}{analytic:>16.8g}{numeric:>16.8g}{analytic - numeric:>16.3g}{mark}"
            )
        raise GradcheckError("\n".join(lines))


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Real],
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    order: int = 1,
) -> bool:
    """Check ``f(*Values) -> Value`` against central finite differences.

    Each input i passes when ``|analytic - numeric| <= atol + rtol * |numeric|``,
    numeric being ``(f(x + eps·e_i) - f(x - eps·e_i)) / 2eps``. ``order=2`` also
    checks every second derivative from ``grad(create_graph=True)`` against
    finite differences of the first. Returns True, or raises GradcheckError with
    a table of input, analytic, numeric and difference.

    >>> gradcheck(lambda x, y: (x * y).sigmoid(), [0.5, -2.0], order=2)
    True
    >>> gradcheck(lambda x: x.relu() * 0.0 + x**2 / 2 + x, [1.0])
    True
    """
    if order not in (1, 2):
        raise ValueError(f"gradcheck order must be 1 or 2, got {order!r}")
    point = [Value(x).data for x in inputs]
    names = [f"x[{i}]" for i in range(len(point))]

    def value(p: list[float]) -> float:
        return call(p).data

    def call(p: list[float]) -> Value:
        out = f(*[Value(x, names[i]) for i, x in enumerate(p)])
        if not isinstance(out, Value):
            raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
        return out

    def first(p: list[float], create_graph: bool = False) -> tuple[list[Value], tuple[Value, ...]]:
        xs = [Value(x, names[i]) for i, x in enumerate(p)]
        return xs, grad(f(*xs), xs, create_graph=create_graph)

    _, analytic = first(point)
    rows = [(names[i], analytic[i].data, _numeric(value, point, i, eps)) for i in range(len(point))]
    _compare("gradcheck (first derivatives)", rows, atol, rtol)
    if order == 2:
        xs, firsts = first(point, create_graph=True)
        rows = []
        for i, gi in enumerate(firsts):
            second = grad(gi, xs)

            def first_i(p: list[float], i: int = i) -> float:
                return first(p)[1][i].data

            for j in range(len(point)):
                numeric = _numeric(first_i, point, j, eps)
                rows.append((f"d2/{names[i]}d{names[j]}", second[j].data, numeric))
        _compare("gradcheck (second derivatives)", rows, atol, math.sqrt(rtol))
    return True
