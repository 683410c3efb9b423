"""The Python operators of the symbolic carriers that a row's functions run on.

:class:`autograd.formula.Formula` (formulas in names, for printing) and a program's
symbols (:mod:`autograd._symbols`, equations while a row's ``derivative`` runs) both
build a row's node through their class's ``_apply_rule``; this base gives both the
same operators, composed as :class:`autograd.Value` composes them: ``-x`` is
``x·(−1)``, ``a − b`` is ``a + b·(−1)``.
"""

from __future__ import annotations

from typing import Any

from .rule import RULES, Rule

__all__ = ["Operators"]


class Operators:
    """``+ - * / ** % // abs`` and unary ``-`` for a symbolic class that defines
    ``_apply_rule(rule, args)``; the rows' operators come from the registry.

    >>> from autograd.formula import Formula, to_text
    >>> x, y = Formula("x"), Formula("y")
    >>> to_text(-x), to_text(2 - x * y), to_text(abs(x) ** y)
    ('−x', '2 − x·y', 'abs(x)^y')
    """

    __slots__ = ()

    @staticmethod
    def _apply_rule(rule: Rule, args: tuple[Any, ...]) -> Any:
        raise NotImplementedError("a symbolic class builds its nodes in _apply_rule")

    def _op(self, name: str, *args: Any) -> Any:
        return type(self)._apply_rule(RULES[name], args)

    def __neg__(self) -> Any:  # self * -1, as Value does it
        return self._op("mul", self, -1.0)

    def __sub__(self, other: Any) -> Any:  # self + (-other)
        return self._op("add", self, -other)

    def __rsub__(self, other: Any) -> Any:  # other + (-self)
        return self._op("add", other, -self)

    # the rows' operators (+ * / ** % // abs)
    # --- begin generated: operators (python -m autograd._surface writes this; do not edit) ---
    def __add__(self, other: Any) -> Any:
        return self._op("add", self, other)

    def __radd__(self, other: Any) -> Any:
        return self._op("add", other, self)

    def __mul__(self, other: Any) -> Any:
        return self._op("mul", self, other)

    def __rmul__(self, other: Any) -> Any:
        return self._op("mul", other, self)

    def __truediv__(self, other: Any) -> Any:
        return self._op("div", self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return self._op("div", other, self)

    def __pow__(self, other: Any) -> Any:
        return self._op("powv" if isinstance(other, Operators) else "pow", self, other)

    def __rpow__(self, other: Any) -> Any:
        return self._op("powv", other, self)

    def __abs__(self) -> Any:
        return self._op("abs", self)

    def __mod__(self, other: Any) -> Any:
        return self._op("mod", self, other)

    def __rmod__(self, other: Any) -> Any:
        return self._op("mod", other, self)

    def __floordiv__(self, other: Any) -> Any:
        return self._op("floordiv", self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return self._op("floordiv", other, self)

    # --- end generated: operators ---
