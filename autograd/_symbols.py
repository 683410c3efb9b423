"""Symbols: a program's variables while a row's ``derivative`` runs on them.

:class:`_Sym` composes as :class:`autograd.Value` composes (``-x`` is ``x·(−1)``,
``a − b`` is ``a + b·(−1)``), but each op on it writes an equation into the program
being built (:class:`autograd.program._Builder`) instead of computing a number.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._operators import Operators
from .rule import Rule, as_float

if TYPE_CHECKING:
    from .program import Atom, _Builder


class _Sym(Operators):
    """A variable (or constant) while a row's ``derivative`` runs: each op on it is an
    equation of the builder's program, composed as :class:`autograd.Value` composes it."""

    __slots__ = ("atom", "builder")

    def __init__(self, builder: _Builder, atom: Atom) -> None:
        self.builder, self.atom = builder, atom

    @staticmethod
    def _apply_rule(rule: Rule, args: tuple[Any, ...]) -> _Sym:
        builder = next(a.builder for a in args if isinstance(a, _Sym))
        return _Sym(builder, builder.emit(rule, tuple(_atom(a) for a in args)))


def _atom(x: Any) -> Atom:
    if isinstance(x, _Sym):
        return x.atom
    return as_float(x, "a partial")
