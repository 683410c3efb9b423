"""The operators of :class:`autograd.Value` and its method for each op, written from the rows.

``Value`` extends :class:`Methods`. Each operator and method asks the Value for
the node of its row (``x + y`` is ``x._binary("add", y)``, ``x.exp()`` is
``x._unary("exp")``); the rest of this module is written by ``python -m
autograd._surface`` between the "generated" lines, and ``tests/autograd/test_surface.py``
checks it is what the rows say. Methods written by hand in ``Value`` (``log``,
``clamp``, ``-``) are not written here.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .value import Value

_T = TypeVar("_T")

try:
    from mypy_extensions import mypyc_attr as mypyc_attr  # value.py uses it too
except ImportError:  # the pure engine without mypy installed: the decorator only instructs mypyc

    def mypyc_attr(*attrs: str, **kwattrs: object) -> Callable[[_T], _T]:
        return lambda x: x


__all__ = ["Methods", "Real"]

Real = float | numbers.Real  # int, float, numpy.float64, Fraction, ...


@mypyc_attr(allow_interpreted_subclasses=True)
class Methods:
    """What a Value's rows give it: ``+ * / ** % // abs`` (reflected too) and ``v.exp()``, ...

    A Value in the second place of ``**`` takes pow's varying row, ``powv``.

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> (x % 3).op, (2**x).op, (x**2).op, x.exp().op
    ('mod', 'powv', 'pow', 'exp')
    """

    __slots__ = ()

    # the nodes the operators and methods ask for: Value makes them
    def _unary(self, name: str) -> Value:
        raise NotImplementedError

    def _binary(self, name: str, other: Value | Real) -> Value:
        raise NotImplementedError

    def _rbinary(self, name: str, other: Real) -> Value:  # other first: a reflected operator
        raise NotImplementedError

    def _nary(self, name: str, args: tuple[Any, ...]) -> Value:
        raise NotImplementedError

    # --- begin generated: operators (python -m autograd._surface writes this; do not edit) ---
    def __add__(self, other: Value | Real) -> Value:
        return self._binary("add", other)

    def __radd__(self, other: Real) -> Value:  # other + self
        return self._rbinary("add", other)

    def __mul__(self, other: Value | Real) -> Value:
        return self._binary("mul", other)

    def __rmul__(self, other: Real) -> Value:  # other * self
        return self._rbinary("mul", other)

    def __truediv__(self, other: Value | Real) -> Value:
        return self._binary("div", other)

    def __rtruediv__(self, other: Real) -> Value:  # other / self
        return self._rbinary("div", other)

    def __pow__(self, other: Value | Real) -> Value:
        return self._binary("powv" if isinstance(other, Methods) else "pow", other)

    def __rpow__(self, other: Real) -> Value:  # other ** self
        return self._rbinary("powv", other)

    def __abs__(self) -> Value:  # abs(self)
        return self._unary("abs")

    def __mod__(self, other: Value | Real) -> Value:
        return self._binary("mod", other)

    def __rmod__(self, other: Real) -> Value:  # other % self
        return self._rbinary("mod", other)

    def __floordiv__(self, other: Value | Real) -> Value:
        return self._binary("floordiv", other)

    def __rfloordiv__(self, other: Real) -> Value:  # other // self
        return self._rbinary("floordiv", other)

    # --- end generated: operators ---

    # --- begin generated: methods (python -m autograd._surface writes this; do not edit) ---
    def exp(self) -> Value:
        """``autograd.exp(self)``: e ** x; overflow gives inf."""
        return self._unary("exp")

    def sqrt(self) -> Value:
        """``autograd.sqrt(self)``: The square root; nan below 0."""
        return self._unary("sqrt")

    def abs(self) -> Value:
        """``autograd.abs(self)``: |x|; its derivative is sign(x), 0 at 0."""
        return self._unary("abs")

    def sin(self) -> Value:
        """``autograd.sin(self)``: The sine; nan for ±inf."""
        return self._unary("sin")

    def cos(self) -> Value:
        """``autograd.cos(self)``: The cosine; nan for ±inf."""
        return self._unary("cos")

    def sigmoid(self) -> Value:
        """``autograd.sigmoid(self)``: σ(x) = 1 / (1 + e^(-x)), exact at both ends without
        overflow."""
        return self._unary("sigmoid")

    def tanh(self) -> Value:
        """``autograd.tanh(self)``: The hyperbolic tangent."""
        return self._unary("tanh")

    def relu(self) -> Value:
        """``autograd.relu(self)``: max(x, 0); its derivative at 0 is taken as 0; nan stays nan."""
        return self._unary("relu")

    def sign(self) -> Value:
        """``autograd.sign(self)``: -1, 0 or 1 (nan for nan): abs's derivative; its own derivative
        is 0."""
        return self._unary("sign")

    def tan(self) -> Value:
        """``autograd.tan(self)``: The tangent; nan for ±inf."""
        return self._unary("tan")

    def asin(self) -> Value:
        """``autograd.asin(self)``: The arcsine; nan outside [-1, 1]."""
        return self._unary("asin")

    def acos(self) -> Value:
        """``autograd.acos(self)``: The arccosine; nan outside [-1, 1]."""
        return self._unary("acos")

    def atan(self) -> Value:
        """``autograd.atan(self)``: The arctangent; ±π/2 at ±inf."""
        return self._unary("atan")

    def atan2(self, x: Value | Real) -> Value:
        """``autograd.atan2(self, x)``: The angle of the point (x, y), in [-π, π] (``math.atan2``'s
        argument order)."""
        return self._binary("atan2", x)

    def sinh(self) -> Value:
        """``autograd.sinh(self)``: The hyperbolic sine; overflow gives ±inf."""
        return self._unary("sinh")

    def cosh(self) -> Value:
        """``autograd.cosh(self)``: The hyperbolic cosine; overflow gives inf."""
        return self._unary("cosh")

    def log1p(self) -> Value:
        """``autograd.log1p(self)``: log(1 + x), exact for tiny x; -inf at -1, nan below."""
        return self._unary("log1p")

    def expm1(self) -> Value:
        """``autograd.expm1(self)``: e ** x - 1, exact for tiny x; overflow gives inf."""
        return self._unary("expm1")

    def log2(self) -> Value:
        """``autograd.log2(self)``: The log to base 2: -inf at 0, nan below."""
        return self._unary("log2")

    def log10(self) -> Value:
        """``autograd.log10(self)``: The log to base 10: -inf at 0, nan below."""
        return self._unary("log10")

    def softplus(self) -> Value:
        """``autograd.softplus(self)``: log(1 + e^x), without overflow for large x and exact for
        very negative x."""
        return self._unary("softplus")

    def maximum(self, y: Value | Real) -> Value:
        """``autograd.maximum(self, y)``: The larger of x and y; nan if either is nan. At a tie each
        gets half the gradient."""
        return self._binary("maximum", y)

    def minimum(self, y: Value | Real) -> Value:
        """``autograd.minimum(self, y)``: The smaller of x and y; nan if either is nan. At a tie
        each gets half the gradient."""
        return self._binary("minimum", y)

    def mod(self, y: Value | Real) -> Value:
        """``autograd.mod(self, y)``: x % y with the sign of y (``torch.remainder``); nan for a zero
        y or an infinite x."""
        return self._binary("mod", y)

    def floordiv(self, y: Value | Real) -> Value:
        """``autograd.floordiv(self, y)``: x // y, rounded down; a zero y gives x / y's ±inf or nan.
        Its derivative is 0."""
        return self._binary("floordiv", y)

    def exp2(self) -> Value:
        """``autograd.exp2(self)``: 2 ** x, exact at integers; overflow gives inf."""
        return self._unary("exp2")

    def asinh(self) -> Value:
        """``autograd.asinh(self)``: The inverse hyperbolic sine; ±inf at ±inf."""
        return self._unary("asinh")

    def acosh(self) -> Value:
        """``autograd.acosh(self)``: The inverse hyperbolic cosine; nan below 1; its derivative is
        inf at 1."""
        return self._unary("acosh")

    def atanh(self) -> Value:
        """``autograd.atanh(self)``: The inverse hyperbolic tangent; ±inf at ±1, nan outside [-1,
        1]."""
        return self._unary("atanh")

    def reciprocal(self) -> Value:
        """``autograd.reciprocal(self)``: 1 / x, one node (PyTorch's ``reciprocal``): ±inf at ±0."""
        return self._unary("reciprocal")

    def deg2rad(self) -> Value:
        """``autograd.deg2rad(self)``: Degrees to radians: x · π/180."""
        return self._unary("deg2rad")

    def rad2deg(self) -> Value:
        """``autograd.rad2deg(self)``: Radians to degrees: x · 180/π."""
        return self._unary("rad2deg")

    def sinc(self) -> Value:
        """``autograd.sinc(self)``: The normalised sinc, sin(πx) / (πx), 1 at 0 (PyTorch's
        ``sinc``)."""
        return self._unary("sinc")

    def erf(self) -> Value:
        """``autograd.erf(self)``: The error function, 2/√π ∫₀ˣ e^(−t²) dt; its slope is 2/√π ·
        e^(−x²)."""
        return self._unary("erf")

    # --- end generated: methods ---
