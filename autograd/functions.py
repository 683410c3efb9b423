"""Each row's function: floats in, a float out; a Value (or a symbol) in, a node out.

Each row of :data:`autograd.RULES` has a function of its name here, so the partials
read as mathematics (``div(1.0, x)``, ``cos(x)``), and ``autograd.exp`` is this
module's ``exp``. ``log`` and ``clamp`` take more than their inputs (a base, optional
bounds) and are written by hand; the others are written from their rows by ``python
-m autograd._surface`` between the "generated" lines below. :mod:`autograd.ops`
imports them all.
"""

from __future__ import annotations

import math  # the examples use it too
from typing import Any

from .ieee import _flog
from .rule import apply, as_float

__all__: list[str] = []
# every row's function (autograd._surface writes the list from the rows):
# --- begin generated: names (python -m autograd._surface writes this; do not edit) ---
__all__ += [
    "above",
    "abs",
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "between",
    "clamp",
    "cos",
    "cosh",
    "deg2rad",
    "div",
    "div0",
    "erf",
    "exp",
    "exp2",
    "expm1",
    "floordiv",
    "inv_hypot2",
    "log",
    "log1p",
    "log2",
    "log10",
    "maximum",
    "minimum",
    "mod",
    "mul0",
    "pow",
    "powlog",
    "rad2deg",
    "reciprocal",
    "relu",
    "sigmoid",
    "sign",
    "sin",
    "sinc",
    "sinh",
    "softplus",
    "sqrt",
    "step",
    "tan",
    "tanh",
]


# --- end generated: names ---


def log(x: Any, base: Any = None) -> Any:
    """The natural log (or to ``base``): -inf at 0, nan for negative x, no exception.

    Base 2 and 10 are rows of their own (``log2``, ``log10``, correctly rounded at
    powers of the base); another base is ``log(x) / log(base)``.

    >>> log(1.0), log(0.0), log(-1.0), log(8.0, 2), log(1000, 10)
    (0.0, -inf, nan, 3.0, 3.0)
    """
    if base is None:
        return apply("log", x)
    b = as_float(base, "log() base")
    if b == 2.0:
        return apply("log2", x)
    if b == 10.0:
        return apply("log10", x)
    return apply("div", apply("log", x), _flog(b))


def clamp(x: Any, lo: Any = None, hi: Any = None) -> Any:
    """x limited to [lo, hi] (a missing bound is ±inf); lo and hi are numbers.

    Its derivative is 1 inside, the bounds included, and 0 outside and for nan
    (PyTorch's convention); when lo > hi every x gives hi, as in PyTorch.

    >>> clamp(2.0, 0, 1), clamp(-2.0, 0, 1), clamp(0.5, 0, 1), clamp(-5.0, hi=-1)
    (1.0, 0.0, 0.5, -5.0)
    """
    low = -math.inf if lo is None else as_float(lo, "clamp() lower bound")
    high = math.inf if hi is None else as_float(hi, "clamp() upper bound")
    return apply("clamp", x, low, high)


def _varies(y: Any) -> bool:
    """Whether ``y`` is a Value or a symbol, not a number: pow then takes its ``varying`` row."""
    return type(y) is not float and hasattr(type(y), "_apply_rule")


# --- begin generated: functions (python -m autograd._surface writes this; do not edit) ---
def div(x: Any, y: Any) -> Any:
    """x / y, correctly rounded; a zero divisor gives ±inf or nan, not an exception.

    >>> div(49.0, 49), div(1e-300, 5e-324), div(-1.0, 0.0)
    (1.0, 2.0240225330731062e+23, -inf)
    """
    return apply("div", x, y)


def pow(x: Any, y: Any) -> Any:
    """x ** y; overflow and poles give ±inf, a negative base with a fractional y nan.

    A Value exponent is differentiated too (the row ``powv``), as in ``x ** y``.

    >>> pow(2, 10), pow(0.0, -1.0), pow(-8.0, 1 / 3)
    (1024.0, inf, nan)
    """
    return apply("powv" if _varies(y) else "pow", x, y)


def exp(x: Any) -> Any:
    """e ** x; overflow gives inf.

    >>> exp(0), exp(1000.0)
    (1.0, inf)
    """
    return apply("exp", x)


def sqrt(x: Any) -> Any:
    """The square root; nan below 0.

    >>> sqrt(9), sqrt(-1.0)
    (3.0, nan)
    """
    return apply("sqrt", x)


def abs(x: Any) -> Any:
    """|x|; its derivative is sign(x), 0 at 0.

    >>> abs(-2.5), abs(-0.0)
    (2.5, 0.0)
    """
    return apply("abs", x)


def sin(x: Any) -> Any:
    """The sine; nan for ±inf.

    >>> sin(0.0), sin(math.inf)
    (0.0, nan)
    """
    return apply("sin", x)


def cos(x: Any) -> Any:
    """The cosine; nan for ±inf.

    >>> cos(0.0), cos(-math.inf)
    (1.0, nan)
    """
    return apply("cos", x)


def sigmoid(x: Any) -> Any:
    """σ(x) = 1 / (1 + e^(-x)), exact at both ends without overflow.

    >>> sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0)
    (0.5, 0.0, 1.0)
    """
    return apply("sigmoid", x)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent.

    >>> tanh(0.0), tanh(-1000.0)
    (0.0, -1.0)
    """
    return apply("tanh", x)


def relu(x: Any) -> Any:
    """max(x, 0); its derivative at 0 is taken as 0; nan stays nan.

    >>> relu(-2.0), relu(3)
    (0.0, 3.0)
    """
    return apply("relu", x)


def step(x: Any) -> Any:
    """relu's derivative: 0 for x <= 0, else 1 (nan included, as PyTorch passes it on).

    >>> step(-1.0), step(0.0), step(2.0)
    (0.0, 0.0, 1.0)
    """
    return apply("step", x)


def sign(x: Any) -> Any:
    """-1, 0 or 1 (nan for nan): abs's derivative; its own derivative is 0.

    >>> sign(-3.0), sign(0.0), sign(2)
    (-1.0, 0.0, 1.0)
    """
    return apply("sign", x)


def mul0(x: Any, y: Any) -> Any:
    """x·y, taken as exactly 0 where x is 0 (even for y = inf or nan).

    The base's derivative of ``x ** y`` is ``mul0(y, x ** (y - 1))``: 0 at y = 0, as PyTorch.

    >>> mul0(0.0, math.inf), mul0(2.0, 3.0)
    (0.0, 6.0)
    """
    return apply("mul0", x, y)


def powlog(x: Any, y: Any) -> Any:
    """x^y·log(x), taken as 0 where x is 0 and y >= 0: the exponent's derivative of ``x ** y``.

    At x = 0 the power is flat in y (0 for y > 0, 1 at y = 0): 0, as PyTorch.

    >>> powlog(0.0, 0.0), powlog(0.0, 2.0), powlog(math.e, 1.0)
    (0.0, 0.0, 2.718281828459045)
    """
    return apply("powlog", x, y)


def tan(x: Any) -> Any:
    """The tangent; nan for ±inf.

    >>> tan(0.0), tan(math.inf)
    (0.0, nan)
    """
    return apply("tan", x)


def asin(x: Any) -> Any:
    """The arcsine; nan outside [-1, 1].

    >>> asin(1.0) == math.pi / 2, asin(2.0)
    (True, nan)
    """
    return apply("asin", x)


def acos(x: Any) -> Any:
    """The arccosine; nan outside [-1, 1].

    >>> acos(1.0), acos(-2.0)
    (0.0, nan)
    """
    return apply("acos", x)


def atan(x: Any) -> Any:
    """The arctangent; ±π/2 at ±inf.

    >>> atan(0.0), atan(math.inf) == math.pi / 2
    (0.0, True)
    """
    return apply("atan", x)


def atan2(y: Any, x: Any) -> Any:
    """The angle of the point (x, y), in [-π, π] (``math.atan2``'s argument order).

    >>> atan2(1.0, 1.0) == math.pi / 4, atan2(0.0, -1.0) == math.pi
    (True, True)
    """
    return apply("atan2", y, x)


def inv_hypot2(x: Any, y: Any) -> Any:
    """1 / (x² + y²), taken as 0 where x² + y² is 0: the scale of atan2's partials.

    >>> inv_hypot2(1.0, 1.0), inv_hypot2(0.0, 0.0)
    (0.5, 0.0)
    """
    return apply("inv_hypot2", x, y)


def sinh(x: Any) -> Any:
    """The hyperbolic sine; overflow gives ±inf.

    >>> sinh(0.0), sinh(-1000.0)
    (0.0, -inf)
    """
    return apply("sinh", x)


def cosh(x: Any) -> Any:
    """The hyperbolic cosine; overflow gives inf.

    >>> cosh(0.0), cosh(-1000.0)
    (1.0, inf)
    """
    return apply("cosh", x)


def log1p(x: Any) -> Any:
    """log(1 + x), exact for tiny x; -inf at -1, nan below.

    >>> log1p(1e-20), log1p(-1.0), log1p(-2.0)
    (1e-20, -inf, nan)
    """
    return apply("log1p", x)


def expm1(x: Any) -> Any:
    """e ** x - 1, exact for tiny x; overflow gives inf.

    >>> expm1(1e-20), expm1(1000.0), expm1(-math.inf)
    (1e-20, inf, -1.0)
    """
    return apply("expm1", x)


def log2(x: Any) -> Any:
    """The log to base 2: -inf at 0, nan below.

    >>> log2(8.0), log2(0.0)
    (3.0, -inf)
    """
    return apply("log2", x)


def log10(x: Any) -> Any:
    """The log to base 10: -inf at 0, nan below.

    >>> log10(1000.0), log10(-1.0)
    (3.0, nan)
    """
    return apply("log10", x)


def softplus(x: Any) -> Any:
    """log(1 + e^x), without overflow for large x and exact for very negative x.

    >>> softplus(0.0) == math.log(2.0), softplus(1000.0), softplus(-1000.0)
    (True, 1000.0, 0.0)
    """
    return apply("softplus", x)


def between(x: Any, lo: Any, hi: Any) -> Any:
    """1 where lo <= x <= hi, else 0 (nan included): clamp's derivative.

    >>> between(0.0, 0.0, 1.0), between(2.0, 0.0, 1.0), between(math.nan, 0.0, 1.0)
    (1.0, 0.0, 0.0)
    """
    return apply("between", x, lo, hi)


def maximum(x: Any, y: Any) -> Any:
    """The larger of x and y; nan if either is nan. At a tie each gets half the gradient.

    >>> maximum(1.0, 2.0), maximum(math.nan, 2.0), maximum(2.0, math.nan)
    (2.0, nan, nan)
    """
    return apply("maximum", x, y)


def minimum(x: Any, y: Any) -> Any:
    """The smaller of x and y; nan if either is nan. At a tie each gets half the gradient.

    >>> minimum(1.0, 2.0), minimum(1.0, math.nan)
    (1.0, nan)
    """
    return apply("minimum", x, y)


def above(x: Any, y: Any) -> Any:
    """maximum(x, y)'s derivative in x: 1 where x > y, 1/2 where x == y, 0 where x < y.

    Unordered inputs (a nan) give 1, as PyTorch passes the gradient to both.

    >>> above(2.0, 1.0), above(1.0, 1.0), above(0.0, 1.0), above(math.nan, 1.0)
    (1.0, 0.5, 0.0, 1.0)
    """
    return apply("above", x, y)


def mod(x: Any, y: Any) -> Any:
    """x % y with the sign of y (``torch.remainder``); nan for a zero y or an infinite x.

    A zero result keeps the sign of x, as PyTorch's does (Python's % gives it y's).

    >>> mod(5.5, 2.0), mod(-5.5, 2.0), mod(5.5, -2.0), mod(1.0, 0.0)
    (1.5, 0.5, -0.5, nan)
    """
    return apply("mod", x, y)


def floordiv(x: Any, y: Any) -> Any:
    """x // y, rounded down; a zero y gives x / y's ±inf or nan. Its derivative is 0.

    >>> floordiv(5.5, 2.0), floordiv(-5.5, 2.0), floordiv(1.0, 0.0)
    (2.0, -3.0, inf)
    """
    return apply("floordiv", x, y)


def exp2(x: Any) -> Any:
    """2 ** x, exact at integers; overflow gives inf.

    >>> exp2(3.0), exp2(-1), exp2(2000.0)
    (8.0, 0.5, inf)
    """
    return apply("exp2", x)


def asinh(x: Any) -> Any:
    """The inverse hyperbolic sine; ±inf at ±inf.

    >>> asinh(0.0), asinh(-math.inf)
    (0.0, -inf)
    """
    return apply("asinh", x)


def acosh(x: Any) -> Any:
    """The inverse hyperbolic cosine; nan below 1; its derivative is inf at 1.

    >>> acosh(1.0), acosh(0.5), acosh(math.inf)
    (0.0, nan, inf)
    """
    return apply("acosh", x)


def atanh(x: Any) -> Any:
    """The inverse hyperbolic tangent; ±inf at ±1, nan outside [-1, 1].

    >>> atanh(0.0), atanh(-1.0), atanh(2.0)
    (0.0, -inf, nan)
    """
    return apply("atanh", x)


def reciprocal(x: Any) -> Any:
    """1 / x, one node (PyTorch's ``reciprocal``): ±inf at ±0.

    >>> reciprocal(4.0), reciprocal(-0.0), reciprocal(math.inf)
    (0.25, -inf, 0.0)
    """
    return apply("reciprocal", x)


def deg2rad(x: Any) -> Any:
    """Degrees to radians: x · π/180.

    >>> deg2rad(180.0) == math.pi, deg2rad(90)
    (True, 1.5707963267948966)
    """
    return apply("deg2rad", x)


def rad2deg(x: Any) -> Any:
    """Radians to degrees: x · 180/π.

    >>> rad2deg(math.pi), rad2deg(1.0)
    (180.0, 57.29577951308232)
    """
    return apply("rad2deg", x)


def sinc(x: Any) -> Any:
    """The normalised sinc, sin(πx) / (πx), 1 at 0 (PyTorch's ``sinc``).

    >>> sinc(0.0), sinc(0.5) == 2 / math.pi, sinc(math.inf)
    (1.0, True, nan)
    """
    return apply("sinc", x)


def erf(x: Any) -> Any:
    """The error function, 2/√π ∫₀ˣ e^(−t²) dt; its slope is 2/√π · e^(−x²).

    >>> erf(0.0), erf(math.inf), round(erf(1.0), 6)
    (0.0, 1.0, 0.842701)
    """
    return apply("erf", x)


def div0(x: Any, y: Any) -> Any:
    """x / y, taken as 0 where y is 0 (PyTorch's ``where(y == 0, 0, x / y)``): sinc's slope.

    >>> div0(1.0, 4.0), div0(1.0, 0.0), div0(math.nan, 0.0)
    (0.25, 0.0, 0.0)
    """
    return apply("div0", x, y)


# --- end generated: functions ---
