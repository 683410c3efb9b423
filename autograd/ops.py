"""The op registry: one row per primitive, and everything about it in that row.

A :class:`Rule` holds a primitive's name and arity, its forward function on
floats (IEEE: inf and nan, never an exception) and on arrays, its local
partial derivatives, and how it prints. Every consumer reads the rows of
:data:`RULES`: ``backward()`` and ``grad()`` (:mod:`autograd.engine`), the
formulas (:mod:`autograd.formula`), :func:`autograd.compile`, the drawings and
the command line's expression parser. A new op is one row; :func:`register`
adds one of your own.

This module is the table of rows. The row type and the registry are
:mod:`autograd.rule`'s, the forward functions :mod:`autograd.ieee`'s, and each row's
function (``div``, ``cos``, ...) :mod:`autograd.functions`' (and ``autograd``'s).
The partials are written once, with ``+ - *`` and those functions, so the same line
runs on floats (``backward``), on Values (``grad(create_graph=True)``) and on symbols
(the printed formulas and the compiled code).

These modules and the engine's are compiled with mypyc when a C compiler is present
(setup.py); they use the standard library only.
"""

from __future__ import annotations

import math
import operator
from typing import Any

from .ieee import (
    DEG,
    LN2,
    LN10,
    PI,
    RAD,
    _aabove,
    _abetween,
    _aclamp,
    _adiv0,
    _afloordiv,
    _ainv_hypot2,
    _amaximum,
    _aminimum,
    _amod,
    _amul0,
    _apow,
    _apowlog,
    _arelu,
    _asigmoid,
    _asinc,
    _asoftplus,
    _astep,
    _awsum,
    _fabove,
    _facos,
    _facosh,
    _fasin,
    _fatanh,
    _fbetween,
    _fclamp,
    _fcos,
    _fcosh,
    _fdiv,
    _fdiv0,
    _fexp,
    _fexp2,
    _fexpm1,
    _ffloordiv,
    _finv_hypot2,
    _flog,
    _flog1p,
    _flog2,
    _flog10,
    _fmaximum,
    _fminimum,
    _fmod,
    _fmul0,
    _fpow,
    _fpowlog,
    _frelu,
    _fsigmoid,
    _fsign,
    _fsin,
    _fsinc,
    _fsinh,
    _fsoftplus,
    _fsqrt,
    _fstep,
    _ftan,
    _fwsum,
    _wsum_expanded,
)
from .rule import (
    ATOM,
    POWER,
    PRODUCT,
    RULES,
    SUM,
    UNARY,
    Notation,
    Rule,
    apply,
    as_float,
    register,
    registered,
)

# the functions the rows' partials below are written with (autograd._surface lists them):
# --- begin generated: imports (python -m autograd._surface writes this; do not edit) ---
from .functions import (  # isort: skip
    cos,
    cosh,
    div,
    div0,
    exp,
    floordiv,
    inv_hypot2,
    log,
    mul0,
    pow,
    powlog,
    sigmoid,
    sin,
    sinh,
    sqrt,
)


# --- end generated: imports ---

__all__ = [
    "ATOM",
    "POWER",
    "PRODUCT",
    "RULES",
    "SUM",
    "UNARY",
    "Notation",
    "Rule",
    "apply",
    "as_float",
    "e",
    "pi",
    "register",
    "registered",
]

e = math.e
"""Euler's number, for expressions: ``autograd.e ** x`` is ``x.exp()`` up to rounding."""
pi = math.pi
"""π, for expressions: ``(x * pi).sin()``."""


def _mask(name: str, *args: Any) -> Any:
    """A masking row's partial (``above``, ``between``, ``step``, ``sign``), taken as a number.

    A mask is flat wherever it is defined, so, as PyTorch computes its ``where``
    conditions outside the graph, ``grad(create_graph=True)`` gets the mask's
    number (0, 1/2, 1) for Values, not a node: second derivatives then have no
    path through the mask, whose exact 0s would meet an inf further down and give
    0 · inf = nan in one order of differentiation and 0 in the other. On symbols
    (the printed formulas, compiled code), which carry no number, it stays the row.

    >>> from autograd import Value
    >>> _mask("above", Value(2.0), Value(1.0)), _mask("step", -1.0)
    (1.0, 0.0)
    """
    numbers = []
    for a in args:
        if type(a) is float:
            numbers.append(a)
        elif hasattr(type(a), "__float__"):  # a Value: its number
            numbers.append(float(a))
        else:  # a symbol
            return apply(name, *args)
    return RULES[name].forward(*numbers)


def _atan2_derivative(out: Any, y: Any, x: Any) -> tuple[Any, ...]:
    scale = inv_hypot2(y, x)  # PyTorch's: 0 at the origin, so the partials are 0 there
    return (x * scale, -y * scale)


def _inv_hypot2_derivative(out: Any, x: Any, y: Any) -> tuple[Any, ...]:
    # -2x / (x² + y²)²: x · out first, so a huge x meets out = 0 before it can overflow
    # (-2.0 * x is -inf for x >= 9e307, and -inf · 0 would be nan where the answer is 0)
    return (-2.0 * (x * out) * out, -2.0 * (y * out) * out)


def _pow_derivative(out: Any, x: Any, c: Any) -> tuple[Any, ...]:
    # c is a constant: x**0 is flat, so no gradient flows even where x**-1 is inf
    return (None if c == 0.0 else c * pow(x, c - 1.0), None)


def _powv_derivative(out: Any, x: Any, y: Any) -> tuple[Any, ...]:
    # x ** (y - 1) is a powv too: its exponent varies, so its own derivative has y's part
    return (mul0(y, apply("powv", x, y - 1.0)), powlog(x, y))


def _wsum_derivative(out: Any, *wxb: Any) -> tuple[Any, ...]:
    n = len(wxb) // 2  # inputs are w_1..w_n, x_1..x_n, b
    return (*wxb[n:-1], *wxb[:n], -1.0)  # ∂S/∂w_i = x_i, ∂S/∂x_i = w_i, ∂S/∂b = -1


def _infix(
    symbol: str, precedence: int, python: str, micrograd: str, html: str = "", latex: str = ""
) -> Notation:
    return Notation("infix", symbol, precedence, python, html, latex or symbol, micrograd)


def _sinc_derivative(out: Any, x: Any) -> tuple[Any, ...]:
    # PyTorch's: (πx·cos(πx) − sin(πx)) / (x·x·π), and 0 where x·x·π is 0
    p = x * PI
    return (div0(p * cos(p) - sin(p), x * x * PI),)


# fmt: off
for _rule in (
    #    op   arity  forward      local derivatives ∂out/∂input, from out and the inputs
    Rule("add",  2, operator.add, lambda out, x, y: (1.0, 1.0),
         _infix("+", SUM, "+", "+"), array=lambda xp, x, y: x + y, operator="+",
         doc="x + y; x - y is x + y·(−1), -x is x·(−1), exact in IEEE arithmetic."),
    Rule("mul",  2, operator.mul, lambda out, x, y: (y, x),
         _infix("·", PRODUCT, "*", "*", latex=r"\cdot"), array=lambda xp, x, y: x * y,
         operator="*", doc="x · y."),
    Rule("div",  2, _fdiv,        lambda out, x, y: (div(1.0, y), -div(out, y)),
         _infix("/", PRODUCT, "", "/", latex="/"), array=lambda xp, x, y: xp.divide(x, y),
         quotient=lambda out, x, y: ((1.0, y), (-out, y)), operator="/", doc="""
         x / y, correctly rounded; a zero divisor gives ±inf or nan, not an exception.

         >>> div(49.0, 49), div(1e-300, 5e-324), div(-1.0, 0.0)
         (1.0, 2.0240225330731062e+23, -inf)"""),
    Rule("pow",  2, _fpow,        _pow_derivative,  # a constant exponent
         _infix("^", POWER, "", "**{1}", latex="^"), array=_apow,
         operator="**", varying="powv", doc="""
         x ** y; overflow and poles give ±inf, a negative base with a fractional y nan.

         A Value exponent is differentiated too (the row ``powv``), as in ``x ** y``.

         >>> pow(2, 10), pow(0.0, -1.0), pow(-8.0, 1 / 3)
         (1024.0, inf, nan)"""),
    Rule("powv", 2, _fpow,        _powv_derivative,  # a variable exponent
         _infix("^", POWER, "", "**", latex="^"), array=_apow),
    Rule("exp",  1, _fexp,        lambda out, x: (out,),
         Notation.call("exp", r"\exp"), array=lambda xp, x: xp.exp(x), doc="""
         e ** x; overflow gives inf.

         >>> exp(0), exp(1000.0)
         (1.0, inf)"""),
    Rule("log",  1, _flog,        lambda out, x: (div(1.0, x),),
         Notation.call("log", r"\log"), array=lambda xp, x: xp.log(x),
         quotient=lambda out, x: ((1.0, x),), doc="The natural log: -inf at 0, nan below."),
    Rule("sqrt", 1, _fsqrt,       lambda out, x: (div(0.5, out),),
         Notation("call", "√", ATOM, latex=r"\sqrt"), array=lambda xp, x: xp.sqrt(x), doc="""
         The square root; nan below 0.

         >>> sqrt(9), sqrt(-1.0)
         (3.0, nan)"""),
    Rule("abs",  1, math.fabs,    lambda out, x: (_mask("sign", x),),
         Notation.call("abs", r"\lvert"), array=lambda xp, x: xp.abs(x), masks=True,
         operator="abs", doc="""
         |x|; its derivative is sign(x), 0 at 0.

         >>> abs(-2.5), abs(-0.0)
         (2.5, 0.0)"""),
    Rule("sin",  1, _fsin,        lambda out, x: (cos(x),),
         Notation.call("sin", r"\sin"), array=lambda xp, x: xp.sin(x), doc="""
         The sine; nan for ±inf.

         >>> sin(0.0), sin(math.inf)
         (0.0, nan)"""),
    Rule("cos",  1, _fcos,        lambda out, x: (-sin(x),),
         Notation.call("cos", r"\cos"), array=lambda xp, x: xp.cos(x), doc="""
         The cosine; nan for ±inf.

         >>> cos(0.0), cos(-math.inf)
         (1.0, nan)"""),
    Rule("sigmoid", 1, _fsigmoid, lambda out, x: (out * (1.0 - out),),
         Notation("call", "σ", ATOM, latex=r"\sigma"), array=_asigmoid, doc="""
         σ(x) = 1 / (1 + e^(-x)), exact at both ends without overflow.

         >>> sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0)
         (0.5, 0.0, 1.0)"""),
    Rule("tanh", 1, math.tanh,    lambda out, x: (1.0 - out * out,),
         Notation.call("tanh", r"\tanh"), array=lambda xp, x: xp.tanh(x), doc="""
         The hyperbolic tangent.

         >>> tanh(0.0), tanh(-1000.0)
         (0.0, -1.0)"""),
    Rule("relu", 1, _frelu,       lambda out, x: (_mask("step", x),),
         Notation.call("relu", micrograd="ReLU"), array=_arelu, masks=True, doc="""
         max(x, 0); its derivative at 0 is taken as 0; nan stays nan.

         >>> relu(-2.0), relu(3)
         (0.0, 3.0)"""),
    Rule("step", 1, _fstep,       lambda out, x: (None,),
         Notation.call("step"), array=_astep, helper=True, doc="""
         relu's derivative: 0 for x <= 0, else 1 (nan included, as PyTorch passes it on).

         >>> step(-1.0), step(0.0), step(2.0)
         (0.0, 0.0, 1.0)"""),
    Rule("sign", 1, _fsign,       lambda out, x: (None,),
         Notation.call("sign", r"\operatorname{sgn}"), array=lambda xp, x: xp.sign(x), doc="""
         -1, 0 or 1 (nan for nan): abs's derivative; its own derivative is 0.

         >>> sign(-3.0), sign(0.0), sign(2)
         (-1.0, 0.0, 1.0)"""),
    Rule("mul0", 2, _fmul0,       lambda out, x, y: (y, x),
         Notation.call("mul0"), array=_amul0, helper=True, doc="""
         x·y, taken as exactly 0 where x is 0 (even for y = inf or nan).

         The base's derivative of ``x ** y`` is ``mul0(y, x ** (y - 1))``: 0 at y = 0, as PyTorch.

         >>> mul0(0.0, math.inf), mul0(2.0, 3.0)
         (0.0, 6.0)"""),
    Rule("powlog", 2, _fpowlog,   lambda out, x, y: (apply("powv", x, y - 1.0) * (y * log(x) + 1.0),
                                                   out * log(x)),
         Notation.call("powlog"), array=_apowlog, helper=True, doc="""
         x^y·log(x), taken as 0 where x is 0 and y >= 0: the exponent's derivative of ``x ** y``.

         At x = 0 the power is flat in y (0 for y > 0, 1 at y = 0): 0, as PyTorch.

         >>> powlog(0.0, 0.0), powlog(0.0, 2.0), powlog(math.e, 1.0)
         (0.0, 0.0, 2.718281828459045)"""),
    Rule("tan",  1, _ftan,        lambda out, x: (1.0 + out * out,),
         Notation.call("tan", r"\tan"), array=lambda xp, x: xp.tan(x), doc="""
         The tangent; nan for ±inf.

         >>> tan(0.0), tan(math.inf)
         (0.0, nan)"""),
    Rule("asin", 1, _fasin,       lambda out, x: (div(1.0, sqrt(1.0 - x * x)),),
         Notation.call("asin", r"\arcsin"), array=lambda xp, x: xp.asin(x), doc="""
         The arcsine; nan outside [-1, 1].

         >>> asin(1.0) == math.pi / 2, asin(2.0)
         (True, nan)"""),
    Rule("acos", 1, _facos,       lambda out, x: (-div(1.0, sqrt(1.0 - x * x)),),
         Notation.call("acos", r"\arccos"), array=lambda xp, x: xp.acos(x), doc="""
         The arccosine; nan outside [-1, 1].

         >>> acos(1.0), acos(-2.0)
         (0.0, nan)"""),
    Rule("atan", 1, math.atan,    lambda out, x: (div(1.0, 1.0 + x * x),),
         Notation.call("atan", r"\arctan"), array=lambda xp, x: xp.atan(x), doc="""
         The arctangent; ±π/2 at ±inf.

         >>> atan(0.0), atan(math.inf) == math.pi / 2
         (0.0, True)"""),
    Rule("atan2", 2, math.atan2,  _atan2_derivative,
         Notation.call("atan2"), array=lambda xp, y, x: xp.atan2(y, x), params=("y", "x"),
         doc="""
         The angle of the point (x, y), in [-π, π] (``math.atan2``'s argument order).

         >>> atan2(1.0, 1.0) == math.pi / 4, atan2(0.0, -1.0) == math.pi
         (True, True)"""),
    Rule("inv_hypot2", 2, _finv_hypot2, _inv_hypot2_derivative,
         Notation.call("inv_hypot2"), array=_ainv_hypot2, helper=True, doc="""
         1 / (x² + y²), taken as 0 where x² + y² is 0: the scale of atan2's partials.

         >>> inv_hypot2(1.0, 1.0), inv_hypot2(0.0, 0.0)
         (0.5, 0.0)"""),
    Rule("sinh", 1, _fsinh,       lambda out, x: (cosh(x),),
         Notation.call("sinh", r"\sinh"), array=lambda xp, x: xp.sinh(x), doc="""
         The hyperbolic sine; overflow gives ±inf.

         >>> sinh(0.0), sinh(-1000.0)
         (0.0, -inf)"""),
    Rule("cosh", 1, _fcosh,       lambda out, x: (sinh(x),),
         Notation.call("cosh", r"\cosh"), array=lambda xp, x: xp.cosh(x), doc="""
         The hyperbolic cosine; overflow gives inf.

         >>> cosh(0.0), cosh(-1000.0)
         (1.0, inf)"""),
    Rule("log1p", 1, _flog1p,     lambda out, x: (div(1.0, 1.0 + x),),
         Notation.call("log1p"), array=lambda xp, x: xp.log1p(x), doc="""
         log(1 + x), exact for tiny x; -inf at -1, nan below.

         >>> log1p(1e-20), log1p(-1.0), log1p(-2.0)
         (1e-20, -inf, nan)"""),
    Rule("expm1", 1, _fexpm1,     lambda out, x: (out + 1.0,),
         Notation.call("expm1"), array=lambda xp, x: xp.expm1(x), doc="""
         e ** x - 1, exact for tiny x; overflow gives inf.

         >>> expm1(1e-20), expm1(1000.0), expm1(-math.inf)
         (1e-20, inf, -1.0)"""),
    Rule("log2", 1, _flog2,       lambda out, x: (div(1.0, x * LN2),),
         Notation.call("log2", r"\log_2"), array=lambda xp, x: xp.log2(x),
         quotient=lambda out, x: ((1.0, x * LN2),), doc="""
         The log to base 2: -inf at 0, nan below.

         >>> log2(8.0), log2(0.0)
         (3.0, -inf)"""),
    Rule("log10", 1, _flog10,     lambda out, x: (div(1.0, x * LN10),),
         Notation.call("log10", r"\log_{10}"), array=lambda xp, x: xp.log10(x),
         quotient=lambda out, x: ((1.0, x * LN10),), doc="""
         The log to base 10: -inf at 0, nan below.

         >>> log10(1000.0), log10(-1.0)
         (3.0, nan)"""),
    Rule("softplus", 1, _fsoftplus, lambda out, x: (sigmoid(x),),
         Notation.call("softplus"), array=_asoftplus, doc="""
         log(1 + e^x), without overflow for large x and exact for very negative x.

         >>> softplus(0.0) == math.log(2.0), softplus(1000.0), softplus(-1000.0)
         (True, 1000.0, 0.0)"""),
    # clamp(x, lo, hi): lo and hi are numbers (Constants), so only x gets a gradient
    Rule("clamp", 3, _fclamp,     lambda out, x, lo, hi: (_mask("between", x, lo, hi), None, None),
         Notation.call("clamp"), array=_aclamp, masks=True, params=("x", "lo", "hi"),
         doc="x limited to [lo, hi], numbers."),
    Rule("between", 3, _fbetween, lambda out, x, lo, hi: (None, None, None),
         Notation.call("between"), array=_abetween, helper=True, params=("x", "lo", "hi"),
         doc="""
         1 where lo <= x <= hi, else 0 (nan included): clamp's derivative.

         >>> between(0.0, 0.0, 1.0), between(2.0, 0.0, 1.0), between(math.nan, 0.0, 1.0)
         (1.0, 0.0, 0.0)"""),
    Rule("maximum", 2, _fmaximum, lambda out, x, y: (_mask("above", x, y), _mask("above", y, x)),
         Notation.call("maximum", r"\max"), array=_amaximum, masks=True, doc="""
         The larger of x and y; nan if either is nan. At a tie each gets half the gradient.

         >>> maximum(1.0, 2.0), maximum(math.nan, 2.0), maximum(2.0, math.nan)
         (2.0, nan, nan)"""),
    Rule("minimum", 2, _fminimum, lambda out, x, y: (_mask("above", y, x), _mask("above", x, y)),
         Notation.call("minimum", r"\min"), array=_aminimum, masks=True, doc="""
         The smaller of x and y; nan if either is nan. At a tie each gets half the gradient.

         >>> minimum(1.0, 2.0), minimum(1.0, math.nan)
         (1.0, nan)"""),
    Rule("above", 2, _fabove,     lambda out, x, y: (None, None),
         Notation.call("above"), array=_aabove, helper=True, doc="""
         maximum(x, y)'s derivative in x: 1 where x > y, 1/2 where x == y, 0 where x < y.

         Unordered inputs (a nan) give 1, as PyTorch passes the gradient to both.

         >>> above(2.0, 1.0), above(1.0, 1.0), above(0.0, 1.0), above(math.nan, 1.0)
         (1.0, 0.5, 0.0, 1.0)"""),
    Rule("mod",  2, _fmod,        lambda out, x, y: (1.0, -floordiv(x, y)),
         Notation.call("mod", r"\operatorname{mod}"), array=_amod, operator="%", doc="""
         x % y with the sign of y (``torch.remainder``); nan for a zero y or an infinite x.

         A zero result keeps the sign of x, as PyTorch's does (Python's % gives it y's).

         >>> mod(5.5, 2.0), mod(-5.5, 2.0), mod(5.5, -2.0), mod(1.0, 0.0)
         (1.5, 0.5, -0.5, nan)"""),
    Rule("floordiv", 2, _ffloordiv, lambda out, x, y: (None, None),
         Notation.call("floordiv"), array=_afloordiv, operator="//", doc="""
         x // y, rounded down; a zero y gives x / y's ±inf or nan. Its derivative is 0.

         >>> floordiv(5.5, 2.0), floordiv(-5.5, 2.0), floordiv(1.0, 0.0)
         (2.0, -3.0, inf)"""),
    # S = Σ w_i x_i - b, one node per neuron; the bias is the weight on x_0 = -1
    Rule("wsum", 0, _fwsum,       _wsum_derivative,
         Notation("call", "Σwx−b", ATOM), array=_awsum, expand=_wsum_expanded),
    Rule("exp2", 1, _fexp2,       lambda out, x: (out * LN2,),
         Notation.call("exp2"), array=lambda xp, x: xp.pow(2.0, x), doc="""
         2 ** x, exact at integers; overflow gives inf.

         >>> exp2(3.0), exp2(-1), exp2(2000.0)
         (8.0, 0.5, inf)"""),
    Rule("asinh", 1, math.asinh,  lambda out, x: (div(1.0, sqrt(pow(x, 2.0) + 1.0)),),
         Notation.call("asinh", r"\operatorname{arsinh}"), array=lambda xp, x: xp.asinh(x),
         doc="""
         The inverse hyperbolic sine; ±inf at ±inf.

         >>> asinh(0.0), asinh(-math.inf)
         (0.0, -inf)"""),
    Rule("acosh", 1, _facosh,     lambda out, x: (div(1.0, sqrt(x * x - 1.0)),),
         Notation.call("acosh", r"\operatorname{arcosh}"), array=lambda xp, x: xp.acosh(x),
         doc="""
         The inverse hyperbolic cosine; nan below 1; its derivative is inf at 1.

         >>> acosh(1.0), acosh(0.5), acosh(math.inf)
         (0.0, nan, inf)"""),
    Rule("atanh", 1, _fatanh,     lambda out, x: (div(1.0, 1.0 - pow(x, 2.0)),),
         Notation.call("atanh", r"\operatorname{artanh}"), array=lambda xp, x: xp.atanh(x),
         doc="""
         The inverse hyperbolic tangent; ±inf at ±1, nan outside [-1, 1].

         >>> atanh(0.0), atanh(-1.0), atanh(2.0)
         (0.0, -inf, nan)"""),
    Rule("reciprocal", 1, lambda x: _fdiv(1.0, x), lambda out, x: (-(out * out),),
         Notation.call("reciprocal"), array=lambda xp, x: xp.divide(1.0, x), doc="""
         1 / x, one node (PyTorch's ``reciprocal``): ±inf at ±0.

         >>> reciprocal(4.0), reciprocal(-0.0), reciprocal(math.inf)
         (0.25, -inf, 0.0)"""),
    Rule("deg2rad", 1, lambda x: x * DEG, lambda out, x: (DEG,),
         Notation.call("deg2rad"), array=lambda xp, x: x * DEG, doc="""
         Degrees to radians: x · π/180.

         >>> deg2rad(180.0) == math.pi, deg2rad(90)
         (True, 1.5707963267948966)"""),
    Rule("rad2deg", 1, lambda x: x * RAD, lambda out, x: (RAD,),
         Notation.call("rad2deg"), array=lambda xp, x: x * RAD, doc="""
         Radians to degrees: x · 180/π.

         >>> rad2deg(math.pi), rad2deg(1.0)
         (180.0, 57.29577951308232)"""),
    Rule("sinc", 1, _fsinc,       _sinc_derivative,
         Notation.call("sinc"), array=_asinc, masks=True, doc="""
         The normalised sinc, sin(πx) / (πx), 1 at 0 (PyTorch's ``sinc``).

         >>> sinc(0.0), sinc(0.5) == 2 / math.pi, sinc(math.inf)
         (1.0, True, nan)"""),
    Rule("erf", 1, math.erf,      lambda out, x: (1.1283791670955126 * exp(-pow(x, 2.0)),),
         Notation.call("erf"), doc="""
         The error function, 2/√π ∫₀ˣ e^(−t²) dt; its slope is 2/√π · e^(−x²).

         >>> erf(0.0), erf(math.inf), round(erf(1.0), 6)
         (0.0, 1.0, 0.842701)"""),
    Rule("div0", 2, _fdiv0,       lambda out, x, y: (div0(1.0, y), -div0(out, y)),
         Notation.call("div0"), array=_adiv0, masks=True, helper=True,
         quotient=lambda out, x, y: ((1.0, y), (-out, y)), doc="""
         x / y, taken as 0 where y is 0 (PyTorch's ``where(y == 0, 0, x / y)``): sinc's slope.

         >>> div0(1.0, 4.0), div0(1.0, 0.0), div0(math.nan, 0.0)
         (0.25, 0.0, 0.0)"""),
):
    RULES[_rule.name] = _rule
# fmt: on
