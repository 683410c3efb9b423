"""Local derivatives for display: the registry's partials as formulas in the nodes' names.

Each row's ``derivative`` runs on :class:`~autograd.formula.Formula` names, so
``∂x/∂S`` of a sigmoid reads ``x·(1 − x)`` in whatever the nodes are called;
:mod:`autograd.formula`'s printers print it. A unary function's derivative also
has a name of its own, from its row's symbol: ``σ'(S)``, ``tanh'(S)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import RULES, Notation, Rule
from autograd.formula import Formula, to_html, to_latex, to_text
from autograd.program import Equation

from .notation import label_html, label_latex

__all__ = ["derivative_name", "html", "latex", "local_partials", "text"]


def local_partials(eq: Equation, read: Callable[[Any], Any]) -> tuple[Any, ...]:
    """Each ∂out/∂input of a program's equation (:meth:`autograd.program.Equation.partials`)
    on what ``read`` gives each of its atoms: formulas in names, for display; 0 where no
    gradient flows.

    >>> from autograd.program import Equation, Var
    >>> eq = Equation(Var("x"), RULES["sigmoid"], (Var("S"),))
    >>> [to_text(p) for p in local_partials(eq, lambda a: Formula(a.name))]
    ['x·(1 − x)']
    >>> eq = Equation(Var("S"), RULES["wsum"], tuple(Var(n) for n in "wxb"))
    >>> [to_text(p) for p in local_partials(eq, lambda a: Formula(a.name))]
    ['x', 'w', '−1']
    """
    return tuple(0.0 if p is None else p for p in eq.partials(read))


def derivative_name(op: str, argument: Any) -> Any:
    """The derivative's own name for a unary function row, ``σ'(S)``; None otherwise.

    >>> to_text(derivative_name("sigmoid", Formula("S_1^(1)")))
    "σ'(S_1^(1))"
    >>> derivative_name("mul", Formula("x")) is None
    True
    """
    rule = RULES[op]
    if rule.arity != 1 or rule.notation.kind != "call":
        return None
    symbol = rule.notation.symbol + "'"
    latex = (rule.notation.latex or rule.notation.symbol) + "'"
    primed = Rule(
        rule.name + "_derivative",
        1,
        forward=_unused,
        derivative=_unused,
        notation=Notation("call", symbol, rule.notation.precedence, latex=latex),
    )
    return Formula("", primed, (argument,))


def _unused(*args: Any) -> Any:
    raise NotImplementedError("a derivative's name is for printing only")


def text(t: Any, precedence: int = 0) -> str:
    """Plain text: ``σ'(S_1^(1))``. ``precedence``: as for :func:`autograd.formula.to_text`
    (a looser formula comes in parentheses).

    >>> text(Formula("x1*w1 + x2*w2")), text(Formula("x1*w1 + x2*w2"), precedence=5)
    ('x1*w1 + x2*w2', '(x1*w1 + x2*w2)')
    """
    return to_text(t, precedence=precedence)


def html(t: Any, precedence: int = 0) -> str:
    """HTML (Graphviz's and the browser's) with real sub- and superscripts."""
    return to_html(t, label_html, precedence=precedence)


def latex(t: Any, precedence: int = 0) -> str:
    """LaTeX."""
    return to_latex(t, label_latex, precedence=precedence)
