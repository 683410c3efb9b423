"""The derivative table printed as formulas, by running its rows on symbols."""

from __future__ import annotations

from typing import Any

from .engine import RULES

__all__ = ["Formula", "formulas"]

# Binding strength of each form, loosest first; an operand that binds more
# loosely than its operator needs parentheses.
_SUM, _PRODUCT, _NEGATIVE, _POWER, _ATOM = range(5)


class Formula:
    """A symbolic expression that prints itself as Python source.

    The derivative table's rows are written with ``+ - *`` and generic functions,
    so running a row on Formulas prints it:

    >>> out = Formula("out")
    >>> out * (1.0 - out)
    Formula('out * (1.0 - out)')
    """

    __slots__ = ("precedence", "text")

    def __init__(self, text: str, precedence: int = _ATOM) -> None:
        self.text = text
        self.precedence = precedence

    def __repr__(self) -> str:
        return f"Formula({self.text!r})"

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def lift(x: Any) -> Formula:
        """A Formula as is; a number as its literal."""
        if isinstance(x, Formula):
            return x
        number = float(x)
        return Formula(repr(number), _NEGATIVE if number < 0 else _ATOM)

    def _wrap(self, precedence: int) -> str:
        return f"({self.text})" if self.precedence < precedence else self.text

    def _binary(self, other: Any, symbol: str, precedence: int, reflected: bool = False) -> Formula:
        left, right = (Formula.lift(other), self) if reflected else (self, Formula.lift(other))
        # a left operand may bind as loosely as the operator; a right one must bind tighter
        return Formula(
            f"{left._wrap(precedence)} {symbol} {right._wrap(precedence + 1)}", precedence
        )

    def __add__(self, other: Any) -> Formula:
        return self._binary(other, "+", _SUM)

    def __radd__(self, other: Any) -> Formula:
        return self._binary(other, "+", _SUM, reflected=True)

    def __sub__(self, other: Any) -> Formula:
        return self._binary(other, "-", _SUM)

    def __rsub__(self, other: Any) -> Formula:
        return self._binary(other, "-", _SUM, reflected=True)

    def __mul__(self, other: Any) -> Formula:
        if isinstance(other, float) and other == 1.0:
            return self
        return self._binary(other, "*", _PRODUCT)

    def __rmul__(self, other: Any) -> Formula:
        if isinstance(other, float) and other == 1.0:
            return self
        return self._binary(other, "*", _PRODUCT, reflected=True)

    def __neg__(self) -> Formula:
        return Formula(f"-{self._wrap(_NEGATIVE)}", _NEGATIVE)

    def __pow__(self, other: Any) -> Formula:
        return self._call("pow", other)

    def __rpow__(self, other: Any) -> Formula:
        return Formula.lift(other)._call("pow", self)

    def _call(self, name: str, *more: Any) -> Formula:
        args = ", ".join(Formula.lift(a).text for a in (self, *more))
        return Formula(f"{name}({args})")

    def exp(self) -> Formula:
        return self._call("exp")

    def log(self) -> Formula:
        return self._call("log")

    def sigmoid(self) -> Formula:
        return self._call("sigmoid")

    def tanh(self) -> Formula:
        return self._call("tanh")

    def relu(self) -> Formula:
        return self._call("relu")

    def step(self) -> Formula:
        return self._call("step")

    def xlogy(self, other: Any) -> Formula:
        return self._call("xlogy", other)


def formulas(op: str, inputs: tuple[Any, ...], out: Any = "out") -> tuple[str, ...]:
    """Each local derivative ∂out/∂input of ``op``, as Python source.

    ``inputs`` are names (str) or numbers (constants, printed as literals).
    The functions the text calls (``exp log sigmoid tanh relu step pow xlogy``)
    are the engine's generic ones; ``pow``, ``step`` and ``xlogy`` are ``_pow``,
    ``_step`` and ``_xlogy``.

    >>> formulas("sigmoid", ("S",), out="x")
    ('x * (1.0 - x)',)
    >>> formulas("pow", ("x", 3.0))
    ('3.0 * pow(x, 2.0)', '0.0')
    >>> formulas("wsum", ("w1", "w2", "x1", "x2", "b"))
    ('x1', 'x2', 'w1', 'w2', '-1.0')
    """
    if op not in RULES:
        raise ValueError(f"unknown op {op!r} (must be one of {sorted(RULES)})")
    symbols = [Formula(x) if isinstance(x, str) else float(x) for x in inputs]
    result = RULES[op].derivative(Formula(out) if isinstance(out, str) else out, *symbols)
    return tuple(Formula.lift(p).text for p in result)
