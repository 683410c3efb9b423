"""The rows' forward functions: on floats (IEEE: inf and nan, never an exception) and on arrays.

Each row of the table in :mod:`autograd.ops` names its forward function from here:
``_fdiv`` for ``div`` gives ±inf for a zero divisor where Python's ``/`` raises. The
array forms (``_asigmoid``, ...) take the array namespace ``xp`` (NumPy, ...) first;
batched compiled code calls them. Standard library only.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ["DEG", "INF", "LN2", "LN10", "NAN", "PI", "RAD"]

INF = math.inf
NAN = math.nan
PI = math.pi
LN2 = math.log(2.0)
LN10 = math.log(10.0)
DEG = math.pi / 180.0  # PyTorch's deg2rad factor, the same double
RAD = 180.0 / math.pi  # and rad2deg's


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


def _apow(xp: Any, x: Any, y: Any) -> Any:
    """pow over arrays, with libm's answers where NumPy takes ``x ** 0.5`` as sqrt(x) and
    PyTorch ``x ** ±0.5`` as sqrt or 1/sqrt: at x = -inf and x = -0.0 those give nan and
    -0.0 (or -inf) where pow gives the answer at +inf and +0.0, so the base becomes that."""
    if isinstance(x, float) and isinstance(y, float):  # numbers (NumPy's among them)
        return _fpow(x, y)
    if isinstance(y, float) and (y == 0.5 or y == -0.5):
        x = xp.where(x == -math.inf, math.inf, xp.where(x == 0.0, 0.0, x))
    return xp.pow(x, y)


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


def _amod(xp: Any, x: Any, y: Any) -> Any:
    fmod = getattr(xp, "fmod", None)  # exact, as _fmod's math.fmod: NumPy and PyTorch have it
    if fmod is None:  # the standard has remainder (the sign of y), which PyTorch forms as
        r = xp.remainder(x, y)  # x - y·floor(x / y): nan once x / y overflows
        return xp.where(r == 0.0, xp.copysign(r, x), r)  # a zero keeps fmod's sign, x's
    r = fmod(x, y)
    return xp.where((r != 0.0) & ((y < 0.0) != (r < 0.0)), r + y, r)


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
