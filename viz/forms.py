"""The derivative table's local derivatives, written for display: ``x * (1.0 - x)`` as x(1 − x)."""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from functools import lru_cache

from autograd import formulas

__all__ = ["Form", "local_forms"]

# Binding strength, loosest first; an operand binding more loosely than its place needs
# parentheses. The same scale as autograd.formula.
_SUM, _PRODUCT, _NEGATIVE, _POWER, _ATOM = range(5)
_FUNCTIONS = {"exp": "exp", "log": "log", "sigmoid": "σ", "tanh": "tanh", "relu": "relu"}
_FUNCTIONS["step"] = "step"  # relu's derivative: 1 where the input is positive, else 0
# Ops whose derivative reads best under a name of its own: σ'(S) = x(1 − x).
_NAMES = {"sigmoid": "σ'({a0})", "tanh": "tanh'({a0})", "relu": "relu'({a0})", "exp": "exp({a0})"}


@dataclass(frozen=True)
class Form:
    """One local derivative ∂out/∂input of a row of the derivative table, for display.

    ``html`` is a :meth:`str.format` template for a Graphviz HTML-like label: ``{a0}``,
    ``{a1}``, ... stand for the names of the inputs, ``{out}`` for the output's, and
    ``{p0}``, ``{pout}``... for the same names as the base of a power (parenthesized
    when the name has a superscript of its own). ``name`` is the derivative's own
    name where it has one (``σ'({a0})``), else None.

    >>> form = local_forms("sigmoid", (None,))[0]
    >>> form.name, form.html
    ("σ'({a0})", '{out}(1 − {out})')
    """

    html: str
    precedence: int
    name: str | None = None

    @property
    def is_one(self) -> bool:
        """Whether this factor is the constant 1 (it drops out of a product).

        >>> [form.is_one for form in local_forms("add", (None, None))]
        [True, True]
        """
        return self.html == "1"

    def factor(self, first: bool) -> str:
        """The template as a factor of a product: its name if it has one, else its form,
        in parentheses where a product needs them (a sum; a sign after the first factor).

        >>> local_forms("tanh", (None,))[0].factor(first=False)
        "tanh'({a0})"
        >>> Form("1 − {a0}", _SUM).factor(first=True), Form("−1", _NEGATIVE).factor(first=False)
        ('(1 − {a0})', '(−1)')
        """
        if self.name is not None:
            return self.name
        if self.precedence < _PRODUCT or (not first and self.html.startswith("−")):
            return f"({self.html})"
        return self.html


def _literal(c: float) -> tuple[str, int]:
    if math.isfinite(c) and c == math.floor(c) and abs(c) < 1e15:
        text = str(abs(int(c)))
    else:
        text = f"{abs(c):.6g}"
    return ("−" + text, _NEGATIVE) if math.copysign(1.0, c) < 0 else (text, _ATOM)


def _wrap(part: tuple[str, int], need: int) -> str:
    text, precedence = part
    return f"({text})" if precedence < need else text


def _constant(node: ast.expr) -> float | None:
    """The number a formula piece stands for (``-1.0`` parses as minus 1.0), else None."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        return node.value
    return None


def _is_constant(node: ast.expr, value: float | None = None) -> bool:
    c = _constant(node)
    return c is not None and (value is None or c == value)


def _pretty(node: ast.expr) -> tuple[str, int]:
    """Python source of a formula (placeholders a0.., out) as an HTML template."""
    if isinstance(node, ast.Name):
        if node.id in ("inf", "nan"):  # how the formula printer writes a constant inf or nan
            return node.id, _ATOM
        return "{" + node.id + "}", _ATOM
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        return _literal(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return "−" + _wrap(_pretty(node.operand), _PRODUCT), _NEGATIVE
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        left, right = _pretty(node.left), _pretty(node.right)
        symbol = "+" if isinstance(node.op, ast.Add) else "−"
        if right[1] == _NEGATIVE:  # a + −b reads a − b
            symbol = "−" if symbol == "+" else "+"
            right = (right[0][1:], _PRODUCT)
        return f"{left[0]} {symbol} {_wrap(right, _SUM + 1)}", _SUM
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _product(node.left, node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id == "pow" and len(node.args) == 2:
            return _power(node.args[0], node.args[1])
        if node.func.id in _FUNCTIONS and len(node.args) == 1:
            return f"{_FUNCTIONS[node.func.id]}({_pretty(node.args[0])[0]})", _ATOM
    raise ValueError(f"cannot display formula piece {ast.unparse(node)!r}")


def _product(left: ast.expr, right: ast.expr) -> tuple[str, int]:
    if _is_constant(left, 1.0):
        return _pretty(right)
    if _is_constant(right, 1.0):
        return _pretty(left)
    if _is_constant(left, -1.0) or _is_constant(right, -1.0):
        other = right if _is_constant(left, -1.0) else left
        return "−" + _wrap(_pretty(other), _PRODUCT), _NEGATIVE
    if isinstance(left, ast.Name) and isinstance(right, ast.Name) and left.id == right.id:
        return "{p" + left.id.removeprefix("a") + "}<SUP>2</SUP>", _POWER
    if _is_constant(right) and not _is_constant(left):
        left, right = right, left  # the number first: 3x, not x·3
    a, b = _pretty(left), _pretty(right)
    first = _wrap(a, _PRODUCT)
    second = _wrap(b, _PRODUCT + 1)
    if second.startswith("(") or (_is_constant(left) and not _is_constant(right)):
        return first + second, _PRODUCT  # x(1 − x), 3x²
    return f"{first}·{second}", _PRODUCT


def _power(base: ast.expr, exponent: ast.expr) -> tuple[str, int]:
    if isinstance(base, ast.Name):
        shown = "{p" + base.id.removeprefix("a") + "}"
    else:
        shown = _wrap(_pretty(base), _ATOM)
    if _is_constant(exponent, 1.0):
        return _pretty(base)
    if _is_constant(exponent, 0.0):
        return "1", _ATOM
    if _is_constant(exponent, -1.0):
        return "1/" + shown, _PRODUCT
    return f"{shown}<SUP>{_pretty(exponent)[0]}</SUP>", _POWER


@lru_cache(maxsize=4096)
def local_forms(op: str, constants: tuple[float | None, ...]) -> tuple[Form, ...]:
    """The display form of each local derivative of ``op``, one per input.

    ``constants`` has one entry per input: the number of a Constant input (it is
    written into the formula), or None for an input shown by name.

    >>> [f.html for f in local_forms("mul", (None, 3.0))]
    ['3', '{a0}']
    >>> local_forms("pow", (None, 3.0))[0].html
    '3{p0}<SUP>2</SUP>'
    >>> [f.html for f in local_forms("wsum", (None, None, None, None, None))]
    ['{a2}', '{a3}', '{a0}', '{a1}', '−1']
    >>> local_forms("tanh", (None,))[0].html
    '1 − {pout}<SUP>2</SUP>'
    """
    names = tuple(f"a{i}" if c is None else c for i, c in enumerate(constants))
    name = _NAMES.get(op)
    forms = []
    for source in formulas(op, names, out="out"):
        expression = ast.parse(source, mode="eval").body  # our own formula text, never run
        html, precedence = _pretty(expression)
        forms.append(Form(html, precedence, name))
    return tuple(forms)
