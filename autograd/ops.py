"""The op registry: one row per primitive, and everything about it in that row.

A :class:`Rule` holds a primitive's name and arity, its forward function on
floats (IEEE: inf and nan, never an exception) and on arrays, its local
partial derivatives, and how it prints. Every consumer reads the rows of
:data:`RULES`: ``backward()`` and ``grad()`` (:mod:`autograd.engine`), the
formulas (:mod:`autograd.formula`), :func:`autograd.compile`, the drawings and
the command line's expression parser. A new op is one row; :func:`register`
adds one of your own.

The partials are written once, with ``+ - *`` and the generic functions of
this module (``div``, ``cos``, ...), so the same line runs on floats
(``backward``), on Values (``grad(create_graph=True)``) and on symbols (the
printed formulas and the compiled code).

This module and :mod:`autograd.engine` are compiled with mypyc when a C
compiler is present; they use the standard library only.
"""

from __future__ import annotations

import inspect
import math
import numbers
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

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

INF = math.inf
NAN = math.nan
PI = math.pi
LN2 = math.log(2.0)
LN10 = math.log(10.0)
DEG = math.pi / 180.0  # PyTorch's deg2rad factor, the same double
RAD = 180.0 / math.pi  # and rad2deg's

e = math.e
"""Euler's number, for expressions: ``autograd.e ** x`` is ``x.exp()`` up to rounding."""
pi = math.pi
"""π, for expressions: ``(x * pi).sin()``."""

# Binding strength of printed forms, loosest first: an operand that binds more
# loosely than its place needs parentheses.
SUM, PRODUCT, UNARY, POWER, ATOM = range(1, 6)


def as_float(x: object, what: str = "Value data") -> float:
    """``x`` as a Python float, or a TypeError that names what was received.

    Accepts every real number (int, float, ``numpy.float64``, ``Fraction``);
    refuses bool, complex, str and the rest. An int beyond the float range is ±inf.

    >>> as_float(3), as_float(10**400)
    (3.0, inf)
    >>> as_float(True)
    Traceback (most recent call last):
    ...
    TypeError: Value data must be a real number such as 2, 0.5 or numpy.float64(1.0); got bool: True
    """
    if type(x) is float:
        return x
    if type(x) is not int and (isinstance(x, bool) or not isinstance(x, numbers.Real)):
        raise TypeError(
            f"{what} must be a real number such as 2, 0.5 or numpy.float64(1.0); "
            f"got {type(x).__name__}: {x!r:.60}"
        )
    try:
        return float(x)
    except OverflowError:  # an int beyond the float range
        return INF if x > 0 else -INF  # type: ignore[operator]


# --- how a row prints ------------------------------------------------------------


@dataclass(frozen=True)
class Notation:
    """How an op prints: ``kind`` is "infix", "prefix" or "call".

    ``symbol`` is the plain-text form (``+``, ``·``, ``σ``), ``html`` and ``latex``
    the same for those targets where they differ, ``precedence`` its binding
    strength (:data:`SUM` ... :data:`ATOM`). ``python`` is the Python operator
    that computes it with the same IEEE result on floats, or "" when compiled code
    must call the row's forward function by name (``/`` raises on a zero divisor;
    the row's ``div`` gives inf). ``micrograd`` is the node's ``_op`` as micrograd
    writes it (``+``, ``*``, ``ReLU``); ``{1}`` in it stands for the second input's
    number (``**{1}`` gives ``**2``); "" means the row's name.

    >>> RULES["mul"].notation.symbol, RULES["sigmoid"].notation.latex
    ('·', '\\\\sigma')
    >>> RULES["mul"].notation.micrograd, RULES["pow"].notation.micrograd
    ('*', '**{1}')
    """

    kind: str
    symbol: str
    precedence: int = ATOM
    python: str = ""
    html: str = ""
    latex: str = ""
    micrograd: str = ""

    @classmethod
    def call(cls, name: str, latex: str = "", micrograd: str = "") -> Notation:
        """A function written ``name(x)``: ``exp(x)``, ``softplus(x)``."""
        latex = latex or rf"\operatorname{{{name}}}"
        return cls("call", name, ATOM, latex=latex, micrograd=micrograd)


# --- the rows --------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One primitive: forward on floats and arrays, local partials, notation.

    - ``forward(*floats) -> float``: IEEE, never raises.
    - ``derivative(out, *inputs) -> partials``: ∂out/∂input for each input, in
      order, written with ``+ - *`` and this module's generic functions so that
      it runs on floats, Values and symbols alike. A partial of ``None`` means
      "no gradient flows here" (a constant exponent, say): the input gets
      exactly 0, whatever the upstream gradient.
    - ``masks``: a partial that comes out exactly 0 blocks the upstream
      gradient, inf and nan included (relu below 0, as PyTorch's ``where``).
    - ``array(xp, *arrays)``: the forward on arrays of the namespace ``xp``
      (NumPy, ...), for batched compiled code; None runs ``forward`` per element.
    - ``expand(*inputs)``: an n-ary op written with other rows, the same IEEE
      result (``wsum``'s Σ w x − b), for printing and compiled code.
    - ``arity``: 1, 2, 3, or 0 for any number of inputs.
    - ``quotient(out, *inputs) -> parts``: for a row whose partial is a quotient
      that can overflow on its own (log's 1/x at a subnormal x), each partial's
      ``(numerator, denominator)`` (None where it is not one). Where such a partial
      comes out ±inf or nan, backward, ``grad`` and forward mode form
      ``(g · numerator) / denominator`` instead of ``g · partial``, as PyTorch
      forms g / x: x · log(x) at x = 1e-310 then has the finite derivative −712.8.

    What the row offers beyond the registry is derived from these fields (see
    :mod:`autograd._surface`, which writes the typed functions and methods):

    - ``doc``: the docstring of its function in this module, with examples.
    - ``helper``: a row that other rows' partials use (relu's ``step``, pow's
      ``powlog``): it keeps its function here, but gets no ``Value`` method, no name in
      ``autograd`` and no place in the expression parser or ``chainrule grad``.
    - ``operator``: the Python operator that applies it to Values and Formulas (``+``,
      ``*``, ``/``, ``**``, ``%``, ``//``, or ``abs`` for ``abs(v)``), or "".
    - ``params``: the names of its inputs in its function and method; ``()`` for
      x, y, z in that order.
    - ``varying``: for a row whose second input is a number (pow's constant exponent),
      the row that takes over when that input is a Value or a symbol (``powv``): in
      ``x ** y``, ``2 ** x`` and ``autograd.pow(x, y)``.

    >>> RULES["sigmoid"].derivative(0.5, 0.0)
    (0.25,)
    >>> RULES["atan2"].inputs, RULES["step"].helper, RULES["pow"].varying
    (('y', 'x'), True, 'powv')
    """

    name: str
    arity: int
    forward: Callable[..., float]
    derivative: Callable[..., tuple[Any, ...]]
    notation: Notation
    array: Callable[..., Any] | None = None
    masks: bool = False
    expand: Callable[..., Any] | None = field(default=None, compare=False)
    quotient: Callable[..., tuple[Any, ...]] | None = field(default=None, compare=False)
    doc: str = field(default="", compare=False)
    helper: bool = False
    operator: str = ""
    params: tuple[str, ...] = ()
    varying: str = ""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the row's inputs: ``params``, or x, y, z (n-ary: none)."""
        return self.params or ("x", "y", "z")[: self.arity]

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled by name: a graph holds rows, and a row's functions are lambdas
        return (registered, (self.name,))


RULES: dict[str, Rule] = {}
"""Every primitive by name. Swapping a row changes every consumer at once."""


def registered(name: str) -> Rule:
    """The row named ``name``: what a pickled Rule (and so a pickled graph) loads as.

    >>> registered("exp") is RULES["exp"]
    True
    """
    rule = RULES.get(name)
    if rule is None:
        raise KeyError(
            f"no op {name!r} in autograd.RULES; register its Rule before loading a graph "
            "that uses it"
        )
    return rule


def apply(name: str, *args: Any) -> Any:
    """Run the row ``name`` on its arguments: floats for numbers, a node for Values.

    A Value (or a symbol of :mod:`autograd.formula`) among the arguments builds a
    node through its type's ``_apply_rule``; plain numbers give a float.

    >>> apply("div", 1.0, 0.0), apply("sqrt", 4)
    (inf, 2.0)
    """
    rule = RULES[name]
    forward = rule.forward  # bound first: mypyc reads the field, not a method
    for a in args:
        if type(a) is not float:
            break
    else:  # floats alone, the common case inside a row's partials
        return forward(*args)
    floats: list[float] = []
    for a in args:
        if type(a) is float:
            floats.append(a)
            continue
        make = getattr(type(a), "_apply_rule", None)
        if make is not None:
            return make(rule, args)
        floats.append(as_float(a, f"{name}() argument"))
    return forward(*floats)


def register(rule: object) -> Callable[..., Any]:
    """Add ``rule`` to :data:`RULES` and return its generic function.

    The function runs the row on floats and on Values; ``backward``, ``grad``,
    ``gradcheck``, ``compile``, the formulas and the drawings read the row.

    >>> from autograd import Value
    >>> cube = register(Rule(
    ...     "cube", 1,
    ...     forward=lambda x: x * x * x,
    ...     derivative=lambda out, x: (3.0 * x * x,),
    ...     notation=Notation.call("cube"),
    ... ))
    >>> x = Value(2.0)
    >>> y = cube(x)
    >>> y.backward()
    >>> y.data, x.grad, cube(3)
    (8.0, 12.0, 27.0)
    >>> del RULES["cube"]
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"register needs a Rule, got {type(rule).__name__}")
    if not rule.name.isidentifier():
        raise ValueError(f"a rule's name must be an identifier, got {rule.name!r}")
    if rule.arity not in (0, 1, 2, 3):
        raise ValueError(f"a rule's arity must be 0 (n-ary), 1, 2 or 3, got {rule.arity!r}")
    RULES[rule.name] = rule
    name = rule.name

    def function(*args: Any) -> Any:
        return apply(name, *args)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        inspect.cleandoc(rule.doc)
        if rule.doc
        else f"The {name} op on floats or Values (a row of autograd.RULES)."
    )
    return function


# --- IEEE forward functions on floats: inf and nan instead of exceptions ---------


def _fdiv(x: float, y: float) -> float:
    if y != 0.0:
        return x / y  # correctly rounded, as IEEE division is
    if x == 0.0 or x != x:
        return NAN  # 0/0 and nan/0
    return math.copysign(INF, x) * math.copysign(1.0, y)  # ±x/±0 is ±inf


def _odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and y % 2.0 == 1.0


def _fpow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:  # |result| too large: inf, negative for x < 0 and odd y
        return -INF if x < 0.0 and _odd_integer(y) else INF
    except ValueError:  # 0 ** negative is a pole; a negative base with a fractional y is nan
        if x == 0.0:
            return -INF if math.copysign(1.0, x) < 0.0 and _odd_integer(y) else INF
        return NAN


def _fexp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _flog(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -INF if x == 0.0 else NAN  # log(0) = -inf; log(<0) and log(nan) = nan


def _fsqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0.0 else NAN  # sqrt(-0.0) is -0.0; below 0 and nan: nan


def _fsin(x: float) -> float:
    return math.sin(x) if math.isfinite(x) else NAN


def _fcos(x: float) -> float:
    return math.cos(x) if math.isfinite(x) else NAN


def _fsigmoid(x: float) -> float:
    if x >= 0.0:  # exp(-x) <= 1 here, and exp(x) <= 1 below: no overflow either way
        return 1.0 / (1.0 + math.exp(-x))
    e = _fexp(x)  # nan lands here too and stays nan
    return e / (1.0 + e)


def _frelu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # nan <= 0 is False, so relu(nan) is nan


def _fstep(x: float) -> float:
    return 0.0 if x <= 0.0 else 1.0  # relu's derivative: 1 for nan too, as PyTorch passes it


def _fsign(x: float) -> float:
    if x != x:
        return NAN
    return 0.0 if x == 0.0 else math.copysign(1.0, x)


def _fmul0(x: float, y: float) -> float:
    return 0.0 if x == 0.0 else x * y


def _fpowlog(x: float, y: float) -> float:
    if x == 0.0 and y >= 0.0:
        return 0.0
    return _fpow(x, y) * _flog(x)


def _fwsum(*wxb: float) -> float:
    n = len(wxb) // 2  # inputs are w_1..w_n, x_1..x_n, b
    if n == 0:
        return 0.0 - wxb[0]
    total = wxb[0] * wxb[n]
    for i in range(1, n):
        total += wxb[i] * wxb[n + i]  # left to right, as the expanded formula adds them
    return total - wxb[-1]


def _ftan(x: float) -> float:
    return math.tan(x) if math.isfinite(x) else NAN


def _fasin(x: float) -> float:
    return math.asin(x) if -1.0 <= x <= 1.0 else NAN  # outside [-1, 1] and nan: nan


def _facos(x: float) -> float:
    return math.acos(x) if -1.0 <= x <= 1.0 else NAN


def _fsinh(x: float) -> float:
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(INF, x)


def _fcosh(x: float) -> float:
    try:
        return math.cosh(x)
    except OverflowError:
        return INF


def _flog1p(x: float) -> float:
    if x > -1.0:
        return math.log1p(x)  # exact for tiny x, where log(1 + x) rounds 1 + x first
    return -INF if x == -1.0 else NAN


def _fexpm1(x: float) -> float:
    try:
        return math.expm1(x)  # exact for tiny x, where exp(x) - 1 cancels
    except OverflowError:
        return INF


def _flog2(x: float) -> float:
    if x > 0.0:
        return math.log2(x)
    return -INF if x == 0.0 else NAN


def _flog10(x: float) -> float:
    if x > 0.0:
        return math.log10(x)
    return -INF if x == 0.0 else NAN


def _fsoftplus(x: float) -> float:
    # log(1 + e^x) = max(x, 0) + log1p(e^(-|x|)): e^(-|x|) <= 1, so nothing overflows
    if x > 0.0:
        return x + math.log1p(math.exp(-x))
    return math.log1p(_fexp(x))  # nan lands here and stays nan


def _fclamp(x: float, lo: float, hi: float) -> float:
    if lo != lo or hi != hi:
        return NAN  # PyTorch: a nan bound gives nan
    y = lo if x < lo else x  # min(max(x, lo), hi): hi wins when lo > hi; nan stays nan
    return hi if y > hi else y


def _fbetween(x: float, lo: float, hi: float) -> float:
    return 1.0 if lo <= x <= hi else 0.0  # clamp's derivative: 1 at the bounds, 0 for nan


def _fmaximum(x: float, y: float) -> float:
    if x != x or y != y:
        return NAN  # nan wins, as in PyTorch (Python's max depends on the order)
    return x if x >= y else y  # a tie gives x: maximum(-0.0, 0.0) is -0.0, as in PyTorch


def _fminimum(x: float, y: float) -> float:
    if x != x or y != y:
        return NAN
    return x if x <= y else y


def _fabove(x: float, y: float) -> float:
    # maximum's share for x: 1 above y, 1/2 at a tie, 0 below; unordered (nan) passes 1
    if x < y:
        return 0.0
    return 0.5 if x == y else 1.0


def _fmod(x: float, y: float) -> float:
    # torch.remainder: the sign of y, as Python's %, but a zero remainder keeps the
    # sign of fmod (of x), and a zero divisor gives nan instead of an exception
    if y == 0.0 or x != x or y != y or math.isinf(x):
        return NAN
    r = math.fmod(x, y)
    return r + y if r != 0.0 and (y < 0.0) != (r < 0.0) else r


def _ffloordiv(x: float, y: float) -> float:
    # Python's // (the algorithm PyTorch's rounding_mode="floor" shares); a zero
    # divisor gives x / y's ±inf or nan instead of an exception
    return _fdiv(x, y) if y == 0.0 else x // y


def _fexp2(x: float) -> float:
    try:
        return math.pow(2.0, x)  # exact at integers, as PyTorch's exp2
    except OverflowError:
        return INF


def _facosh(x: float) -> float:
    return math.acosh(x) if x >= 1.0 else NAN  # below 1 and nan: nan; acosh(inf) is inf


def _fatanh(x: float) -> float:
    if -1.0 < x < 1.0:
        return math.atanh(x)
    if x == 1.0 or x == -1.0:
        return math.copysign(INF, x)
    return NAN  # outside [-1, 1] and nan


def _fsinc(x: float) -> float:
    if x == 0.0:
        return 1.0
    p = PI * x  # as PyTorch: sin(πx) / (πx), with the same rounded πx twice
    return _fsin(p) / p  # p is never 0 here; inf and nan give nan


def _fdiv0(x: float, y: float) -> float:
    return 0.0 if y == 0.0 else _fdiv(x, y)  # PyTorch's where(y == 0, 0, x / y)


def _finv_hypot2(x: float, y: float) -> float:
    d = x * x + y * y
    return 0.0 if d == 0.0 else 1.0 / d  # PyTorch's atan2 gradient takes 1/0 as 0


# --- array forward functions (batched compiled code) -----------------------------


def _asigmoid(xp: Any, x: Any) -> Any:  # the float version's two branches, without overflow
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0.0, 1.0, e) / (1.0 + e)


def _arelu(xp: Any, x: Any) -> Any:  # relu(-0.0) is 0.0 and relu(nan) nan, as for floats
    return xp.where(x <= 0.0, 0.0, x)


def _astep(xp: Any, x: Any) -> Any:  # 1 for nan too: "not x <= 0", as a float
    a = xp.asarray(x)  # a shared input arrives as a float
    return xp.astype(~(a <= 0.0), a.dtype)


def _apowlog(xp: Any, x: Any, y: Any) -> Any:
    return xp.where((x == 0.0) & (y >= 0.0), 0.0, xp.pow(x, y) * xp.log(x))


def _amul0(xp: Any, x: Any, y: Any) -> Any:
    return xp.where(x == 0.0, 0.0, x * y)


def _asoftplus(xp: Any, x: Any) -> Any:
    return xp.maximum(x, 0.0) + xp.log1p(xp.exp(-xp.abs(x)))


def _aclamp(xp: Any, x: Any, lo: Any, hi: Any) -> Any:
    y = xp.where(x < lo, lo, x)
    return xp.where((lo != lo) | (hi != hi), xp.nan, xp.where(y > hi, hi, y))


def _abetween(xp: Any, x: Any, lo: Any, hi: Any) -> Any:
    return xp.where((lo <= x) & (x <= hi), xp.ones_like(x), 0.0)


def _amaximum(xp: Any, x: Any, y: Any) -> Any:
    return xp.where((x != x) | (y != y), xp.nan, xp.where(x >= y, x, y))


def _aminimum(xp: Any, x: Any, y: Any) -> Any:
    return xp.where((x != x) | (y != y), xp.nan, xp.where(x <= y, x, y))


def _aabove(xp: Any, x: Any, y: Any) -> Any:
    return xp.where(x < y, 0.0, xp.where(x == y, 0.5, xp.ones_like(x - y)))


def _amod(xp: Any, x: Any, y: Any) -> Any:  # the standard has remainder (the sign of y), not fmod
    r = xp.remainder(x, y)
    return xp.where(r == 0.0, xp.copysign(r, x), r)  # a zero keeps fmod's sign, that of x


def _afloordiv(xp: Any, x: Any, y: Any) -> Any:
    return xp.where(y == 0.0, xp.divide(x, y), xp.floor_divide(x, y))


def _ainv_hypot2(xp: Any, x: Any, y: Any) -> Any:
    d = x * x + y * y
    return xp.where(d == 0.0, 0.0, xp.divide(1.0, d))


def _asinc(xp: Any, x: Any) -> Any:
    p = PI * x
    return xp.where(x == 0.0, xp.ones_like(p), xp.sin(p) / xp.where(x == 0.0, 1.0, p))


def _adiv0(xp: Any, x: Any, y: Any) -> Any:
    return xp.where(y == 0.0, 0.0, xp.divide(x, xp.where(y == 0.0, 1.0, y)))


def _awsum(xp: Any, *wxb: Any) -> Any:
    return _wsum_expanded(*wxb)


def _wsum_expanded(*wxb: Any) -> Any:
    """Σ w_i x_i − b with ``+ - *``, in the forward's order (for arrays and symbols)."""
    n = len(wxb) // 2
    if n == 0:
        return 0.0 - wxb[0]
    total = wxb[0] * wxb[n]
    for i in range(1, n):
        total = total + wxb[i] * wxb[n + i]
    return total - wxb[-1]


# --- the functions of the rows: floats in, floats out; Values in, Values out ----
#
# Each row has a function of its name here, so the partials read as mathematics
# (``div(1.0, x)``, ``cos(x)``). log and clamp take more than their inputs (a base,
# optional bounds) and are written by hand; the others are written from their rows
# by ``python -m autograd._surface`` between the "generated" lines below.


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
    low = -INF if lo is None else as_float(lo, "clamp() lower bound")
    high = INF if hi is None else as_float(hi, "clamp() upper bound")
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


def div0(x: Any, y: Any) -> Any:
    """x / y, taken as 0 where y is 0 (PyTorch's ``where(y == 0, 0, x / y)``): sinc's slope.

    >>> div0(1.0, 4.0), div0(1.0, 0.0), div0(math.nan, 0.0)
    (0.25, 0.0, 0.0)
    """
    return apply("div0", x, y)


# --- end generated: functions ---


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
         _infix("^", POWER, "", "**{1}", latex="^"), array=lambda xp, x, c: xp.pow(x, c),
         operator="**", varying="powv", doc="""
         x ** y; overflow and poles give ±inf, a negative base with a fractional y nan.

         A Value exponent is differentiated too (the row ``powv``), as in ``x ** y``.

         >>> pow(2, 10), pow(0.0, -1.0), pow(-8.0, 1 / 3)
         (1024.0, inf, nan)"""),
    Rule("powv", 2, _fpow,        _powv_derivative,  # a variable exponent
         _infix("^", POWER, "", "**", latex="^"), array=lambda xp, x, y: xp.pow(x, y)),
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
    Rule("div0", 2, _fdiv0,       lambda out, x, y: (div0(1.0, y), -div0(out, y)),
         Notation.call("div0"), array=_adiv0, masks=True, helper=True,
         quotient=lambda out, x, y: ((1.0, y), (-out, y)), doc="""
         x / y, taken as 0 where y is 0 (PyTorch's ``where(y == 0, 0, x / y)``): sinc's slope.

         >>> div0(1.0, 4.0), div0(1.0, 0.0), div0(math.nan, 0.0)
         (0.25, 0.0, 0.0)"""),
):
    RULES[_rule.name] = _rule
# fmt: on
