"""Symbols: a program's variables while a row's ``derivative`` runs on them.

:class:`_Sym` composes as :class:`autograd.Value` composes (``-x`` is ``x·(−1)``,
``a − b`` is ``a + b·(−1)``), but each op on it writes an equation into the program
being built (:class:`autograd.program._Builder`) instead of computing a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .rule import RULES, Rule, as_float

if TYPE_CHECKING:
    from .program import Atom, _Builder


class _Sym:
    """A variable (or constant) while a row's ``derivative`` runs: each op on it is an
    equation of the builder's program, composed as :class:`autograd.Value` composes it."""

    __slots__ = ("atom", "builder")

    def __init__(self, builder: _Builder, atom: Atom) -> None:
        self.builder, self.atom = builder, atom

    @staticmethod
    def _apply_rule(rule: Rule, args: tuple[Any, ...]) -> _Sym:
        builder = next(a.builder for a in args if isinstance(a, _Sym))
        return _Sym(builder, builder.emit(rule, tuple(_atom(a) for a in args)))

    def _op(self, name: str, *args: Any) -> _Sym:
        return _Sym._apply_rule(RULES[name], args)

    def __neg__(self) -> _Sym:  # self * -1
        return self._op("mul", self, -1.0)

    def __sub__(self, other: Any) -> _Sym:  # self + (-other)
        return self._op("add", self, -other)

    def __rsub__(self, other: Any) -> _Sym:  # other + (-self)
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
        return self._op("powv" if isinstance(other, _Sym) else "pow", self, other)

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


def _atom(x: Any) -> Atom:
    if isinstance(x, _Sym):
        return x.atom
    return as_float(x, "a partial")
