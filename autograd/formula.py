"""Formulas: the registry's rows run on symbols, as a small expression tree, printed four ways.

A :class:`Formula` is a name, or a row of :data:`autograd.RULES` applied to
Formulas and numbers. Running a row's ``derivative`` on Formulas builds the
tree of its partials; one printer per target reads each row's
:class:`~autograd.ops.Notation`: Python source (for :func:`autograd.compile`),
plain text, Graphviz HTML and LaTeX. The printers simplify only where IEEE
arithmetic gives the same number: ``x·1`` is ``x``, ``x + y·(−1)`` is ``x − y``.
A name that is not one symbol (a label ``x1*w1 + x2*w2``) is parenthesised where
its operators would otherwise mix with the formula's (:func:`name_precedence`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._operators import Operators
from .ops import ATOM, POWER, PRODUCT, RULES, SUM, UNARY, Rule

__all__ = [
    "Formula",
    "formulas",
    "latex_parentheses",
    "name_precedence",
    "terms",
    "to_html",
    "to_latex",
    "to_python",
    "to_text",
]

Term = Any  # a Formula or a float


class Formula(Operators):
    """A symbolic expression: a name, or a row applied to Formulas and numbers.

    >>> out = Formula("out")
    >>> out * (1.0 - out)
    Formula('out * (1.0 - out)')
    >>> print(to_text(Formula("x") / 2 - Formula("y")))
    x/2 − y
    """

    __slots__ = ("args", "name", "rule")

    def __init__(self, name: str, rule: Rule | None = None, args: tuple[Term, ...] = ()) -> None:
        self.name = name  # a symbol's text, printed as is; "" for an op
        self.rule = rule
        self.args = args

    def __repr__(self) -> str:
        return f"Formula({to_python(self)!r})"

    def __str__(self) -> str:
        return to_python(self)

    @property
    def text(self) -> str:
        """The formula as Python source."""
        return to_python(self)

    @staticmethod
    def _apply_rule(rule: Rule, args: tuple[Any, ...]) -> Term:
        """A node of ``rule``: how :func:`autograd.ops.apply` builds Formulas."""
        ins = tuple(a if isinstance(a, Formula) else float(a) for a in args)
        if rule.name == "mul" and 1.0 in ins and any(isinstance(t, Formula) for t in ins):
            return ins[1] if ins[0] == 1.0 else ins[0]  # x·1 is x, in IEEE arithmetic too
        if rule.name in ("pow", "powv") and ins[1] == 1.0 and isinstance(ins[0], Formula):
            return ins[0]  # x^1 is x
        return Formula("", rule, ins)


# --- printing -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Style:
    """What differs between the targets: symbols, and how a few forms are written."""

    target: str  # "python", "text", "html", "latex"
    minus: str
    name: Callable[[str], str]

    def symbol(self, rule: Rule) -> str:
        n = rule.notation
        if self.target == "python":
            return n.python or rule.name
        if self.target == "latex":
            return n.latex or n.symbol
        if self.target == "html":
            return n.html or n.symbol
        return n.symbol


def _is_negative_one(t: Term) -> bool:
    return isinstance(t, float) and t == -1.0


def _negated(t: Term) -> Term | None:
    """``y`` when ``t`` is ``y·(−1)`` or ``(−1)·y``, the number −c for c < 0; else None."""
    if isinstance(t, float):
        return -t if t < 0.0 or (t == 0.0 and math.copysign(1.0, t) < 0.0) else None
    if t.rule is not None and t.rule.name == "mul":
        a, b = t.args
        if _is_negative_one(b):
            return a
        if _is_negative_one(a):
            return b
    return None


def _number(c: float, style: _Style) -> tuple[str, int]:
    if c == 0.0 and style.target != "python":
        return "0", ATOM  # -0.0 equals 0.0: a reader never sees "−0"
    if style.target == "python":
        text = repr(abs(c))  # inf and nan are names the generated code is given
    elif math.isfinite(c) and c == math.floor(c) and abs(c) < 1e15:
        text = str(int(abs(c)))
    else:
        text = "∞" if c in (math.inf, -math.inf) and style.target != "latex" else f"{abs(c):.6g}"
        text = r"\infty" if text == "inf" and style.target == "latex" else text
    if math.copysign(1.0, c) < 0.0:
        return style.minus + text, UNARY
    return text, ATOM


# A name that reads as one symbol: a word (x, w1, δ, x_prime, a'), with the notes'
# sub- and superscripts (w_11^(2), S_1^{(1)}, w_10,3^(2)); or a number (0.5, 1e-12).
_SYMBOL = re.compile(
    r"\w+'*(?:_(?:\{[^{}\s]*\}|[\w,]+))?(?:\^(?:\{[^{}\s]*\}|\(?[\w,]+\)?|\w+))?"
    r"|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?"
)
_BRACKETS = {"(": ")", "[": "]", "{": "}"}


def _outside_brackets(name: str) -> str | None:
    """``name`` with each bracketed group as ``()``, or None when its brackets do not pair."""
    kept: list[str] = []
    closing: list[str] = []
    for ch in name:
        if ch in _BRACKETS:
            if not closing:
                kept.append("(")
            closing.append(_BRACKETS[ch])
        elif ch in _BRACKETS.values():
            if not closing or closing.pop() != ch:
                return None
            if not closing:
                kept.append(")")
        elif not closing:
            kept.append(ch)
    return None if closing else "".join(kept)


def name_precedence(name: str) -> int:
    """How tightly a name (a label) binds inside a formula, as an op's precedence.

    A name that reads as one symbol is an atom: a word (``x``, ``w1``, ``δ``),
    with the notes' scripts (``w_11^(2)``, ``S_1^{(1)}``), a number, ``…``, a
    call ``f(x)`` or anything in one pair of brackets. Any other name binds as
    its loosest operator outside brackets: ``+``, ``−``, ``-`` between terms as
    a sum, a leading minus as a negation, ``*``, ``·``, ``/``, ``×`` as a
    product, ``^`` or ``**`` as a power. A name with anything else outside
    brackets (a space, ``=``, ``,``, ``.``) binds looser than any op, so it is
    parenthesised wherever it is part of a larger formula.

    >>> [name_precedence(n) == ATOM for n in ("w_11^(2)", "δ_1^(2)", "x1", "σ(S)", "(a + b)")]
    [True, True, True, True, True]
    >>> [name_precedence(n) for n in ("x1*w1 + x2*w2", "x1*w1", "-x", "x**2", "my x")]
    [1, 2, 3, 4, 0]
    """
    if name == "…" or _SYMBOL.fullmatch(name):
        return ATOM
    top = _outside_brackets(name)
    if top is None:
        return 0
    if top == "()" or (top.endswith("()") and _SYMBOL.fullmatch(top[:-2])):
        return ATOM
    return _loosest(top)


def _loosest(top: str) -> int:
    """The precedence of the loosest operator in ``top``, a name without its brackets'
    contents (see :func:`name_precedence`); 0 for anything else."""
    if any(op in top[1:] for op in "+-−"):
        return SUM
    if top[:1] in ("-", "−"):
        return UNARY
    if "**" not in top and any(op in top for op in "*·/×÷"):
        return PRODUCT
    if "^" in top or "**" in top:
        return POWER if _SYMBOL.fullmatch(re.sub(r"\^|\*\*|\(\)", "", top)) else 0
    return 0


def _render(t: Term, style: _Style) -> tuple[str, int]:
    """The text of ``t`` and its binding strength."""
    if isinstance(t, float):
        return _number(t, style)
    if t.rule is None:
        if style.target == "python":
            return t.name, ATOM  # compile's identifiers
        return style.name(t.name), name_precedence(t.name)
    rule, args = t.rule, t.args
    if rule.expand is not None:
        return _render(rule.expand(*args), style)
    negated = _negated(t)
    if negated is not None:
        # Python's -a * b is (-a) * b: the same number alone, but not as the right operand
        # of a product (g * -a * b rounds g·(−a) first), so Python negates a product whole
        need = UNARY if style.target == "python" else PRODUCT
        return style.minus + _wrapped(negated, style, need), UNARY
    notation = rule.notation
    if rule.name == "add":
        return _sum(t, style)
    if notation.kind == "infix" and (style.target != "python" or notation.python):
        return _infix(rule, args, style)
    inner = ", ".join(_render(a, style)[0] for a in args)
    symbol = style.symbol(rule)
    if style.target == "latex" and rule.name == "sqrt":
        return rf"\sqrt{{{inner}}}", ATOM
    if style.target == "latex":
        return symbol + latex_parentheses(inner), ATOM
    return f"{symbol}({inner})", ATOM


def terms(t: Term) -> list[tuple[Term, bool]]:
    """A sum ``a + b − c ...`` as its terms, left to right, each with "subtracted".

    Walks the left spine without recursion, so a sum of any length prints.
    ``x + y·(−1)`` is ``x − y`` (the same IEEE operation).

    >>> x, y = Formula("x"), Formula("y")
    >>> [(to_python(t), minus) for t, minus in terms(x + 2.0 - y)]
    [('x', False), ('2.0', False), ('y', True)]
    """
    found: list[tuple[Term, bool]] = []
    while isinstance(t, Formula) and t.rule is not None and t.rule.name == "add":
        left, right = t.args
        subtracted = _negated(right)
        found.append((right, False) if subtracted is None else (subtracted, True))
        t = left
    found.append((t, False))
    return found[::-1]


def _sum(t: Term, style: _Style) -> tuple[str, int]:
    parts = terms(t)
    text = _wrapped(parts[0][0], style, SUM)
    minus = "-" if style.target == "python" else style.minus
    for term, subtracted in parts[1:]:
        text += f" {minus if subtracted else '+'} {_wrapped(term, style, SUM + 1)}"
    return text, SUM


def _infix(rule: Rule, args: tuple[Term, ...], style: _Style) -> tuple[str, int]:
    left, right = args
    precedence = rule.notation.precedence
    symbol = style.symbol(rule)
    if style.target == "latex" and rule.name == "div":
        return rf"\frac{{{_render(left, style)[0]}}}{{{_render(right, style)[0]}}}", ATOM
    if style.target in ("html", "latex") and precedence == POWER:
        exponent = _render(right, style)[0]
        base = _wrapped(left, style, POWER + 1)
        return (
            f"{base}<SUP>{exponent}</SUP>" if style.target == "html" else f"{base}^{{{exponent}}}"
        ), POWER
    a = _wrapped(left, style, precedence)  # a left operand may bind as loosely as the operator
    b = _wrapped(right, style, precedence + 1)  # a right one must bind tighter
    spaced = style.target == "python" or precedence == SUM
    if style.target == "latex" and symbol == r"\cdot":
        return f"{a} {symbol} {b}", precedence
    return (f"{a} {symbol} {b}" if spaced else f"{a}{symbol}{b}"), precedence


def _wrapped(t: Term, style: _Style, need: int) -> str:
    text, precedence = _render(t, style)
    if precedence >= need:
        return text
    return latex_parentheses(text) if style.target == "latex" else f"({text})"


def latex_parentheses(text: str) -> str:
    r"""``text`` in parentheses, in LaTeX: ``\left( \right)`` (grown to fit) around a fraction,
    plain ones elsewhere, as mathematics is set (``\sigma(x)``, not ``\sigma\left(x\right)``,
    whose parentheses stand apart from the ``\sigma``).

    >>> latex_parentheses("x + 1"), latex_parentheses(r"\frac{x}{2} + 1")
    ('(x + 1)', '\\left(\\frac{x}{2} + 1\\right)')
    """
    return rf"\left({text}\right)" if r"\frac" in text else f"({text})"


def _verbatim(name: str) -> str:
    return name


def to_python(t: Term) -> str:
    """Python source; ops without an exact Python operator call the row by name.

    >>> x, y = Formula("x"), Formula("y")
    >>> to_python(x * y - x / y), to_python((x + 1.0) ** 2)
    ('x * y - div(x, y)', 'pow(x + 1.0, 2.0)')
    """
    return _render(t, _Style("python", "-", _verbatim))[0]


def to_text(t: Term, name: Callable[[str], str] = _verbatim, *, precedence: int = 0) -> str:
    """Plain text in the notes' symbols: ``σ(S)``, ``w·x``, ``y − t``; ``name``
    renders each symbol's name. With ``precedence`` (an op's, :data:`~autograd.ops.SUM`
    … :data:`~autograd.ops.ATOM`) a formula that binds less tightly comes in
    parentheses, so it can stand as that op's operand.

    >>> S, x = Formula("S"), Formula("x")
    >>> to_text(RULES["sigmoid"].derivative(x, S)[0])
    'x·(1 − x)'
    >>> to_text(x - S, precedence=PRODUCT), to_text(Formula("x1*w1 + x2*w2") * x)
    ('(x − S)', '(x1*w1 + x2*w2)·x')
    """
    return _wrapped(t, _Style("text", "−", name), precedence)


def to_html(t: Term, name: Callable[[str], str] = _verbatim, *, precedence: int = 0) -> str:
    """Graphviz/HTML text: powers as ``<SUP>``; ``name`` and ``precedence`` as for
    :func:`to_text`.

    >>> to_html(Formula("x") ** 2)
    'x<SUP>2</SUP>'
    """
    return _wrapped(t, _Style("html", "−", name), precedence)


def to_latex(t: Term, name: Callable[[str], str] = _verbatim, *, precedence: int = 0) -> str:
    r"""LaTeX: ``\frac``, ``\sigma``, ``\cdot``; ``name`` and ``precedence`` as for
    :func:`to_text`.

    >>> to_latex(Formula("x") / Formula("y")), to_latex(Formula("x") + 1.0, precedence=ATOM)
    ('\\frac{x}{y}', '(x + 1)')
    """
    return _wrapped(t, _Style("latex", "-", name), precedence)


def formulas(op: str, inputs: tuple[Any, ...], out: Any = "out") -> tuple[str, ...]:
    """Each local derivative ∂out/∂input of ``op``, as Python source.

    ``inputs`` are names (str) or numbers (constants, printed as literals). The
    functions the text calls are the rows of :data:`autograd.RULES` by name
    (``div``, ``pow``, ``step``, ``powlog``, ...). A partial through which no
    gradient flows is ``0.0``.

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
    return tuple("0.0" if p is None else to_python(p) for p in result)
