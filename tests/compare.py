"""How the tests compare numbers: one definition of each comparison they use.

Exact comparisons (``same``, ``equal``, ``bits``) differ in what they count as equal;
the ``close_*`` ones differ in what the tolerance is relative to. Each says so exactly.
"""

from __future__ import annotations

import math
import struct
from typing import SupportsFloat


def same(a: SupportsFloat, b: SupportsFloat) -> bool:
    """Equal as IEEE numbers with the sign of a zero counted (0.0 is not -0.0), and nan
    equal to nan (any payload). Both are converted with ``float`` first.

    >>> same(0.0, -0.0), same(float("nan"), float("nan")), same(1.5, 1.5)
    (False, True, True)
    """
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    return x == y and math.copysign(1.0, x) == math.copysign(1.0, y)


def equal(a: float, b: float) -> bool:
    """Equal as IEEE numbers (``==``, so 0.0 equals -0.0), with nan equal to nan.

    >>> equal(0.0, -0.0), equal(float("nan"), float("nan")), equal(1.0, 2.0)
    (True, True, False)
    """
    return a == b or (math.isnan(a) and math.isnan(b))


def bits(x: float) -> bytes:
    """The eight bytes of ``x`` as a little-endian double: equal bits mean equal numbers,
    signed zeros and nan payloads included.

    >>> bits(0.0) == bits(-0.0), bits(1.0) == bits(1.0)
    (False, True)
    """
    return struct.pack("<d", x)


def close_sum(a: float, b: float, rel: float, scale: float = 1.0) -> bool:
    """``|a - b| <= rel * (scale + |a| + |b|)``: relative to both numbers, with ``scale``
    as the floor near zero.

    >>> close_sum(1.0, 1.0 + 1e-9, rel=1e-8), close_sum(1.0, 1.1, rel=1e-8)
    (True, False)
    """
    return abs(a - b) <= rel * (scale + abs(a) + abs(b))


def close_max(a: float, b: float, scale: float, rel: float = 1e-12) -> bool:
    """``|a - b| <= rel * max(|a|, |b|, scale)``: relative to the larger number, with
    ``scale`` as the floor near zero.

    >>> close_max(100.0, 100.0 + 1e-11, scale=1.0), close_max(0.0, 1e-11, scale=1.0)
    (True, False)
    """
    return abs(a - b) <= rel * max(abs(a), abs(b), scale)


def close_to(a: float, want: float, rel: float = 1e-6) -> bool:
    """``|a - want| <= rel * max(1, |want|)``: relative to the expected number ``want``,
    absolute below 1.

    >>> close_to(1000.0005, 1000.0), close_to(0.5, 0.500002)
    (True, False)
    """
    return abs(a - want) <= rel * max(1.0, abs(want))


def close_ieee(
    a: SupportsFloat, b: SupportsFloat, rel: float = 1e-12, floor: float = 1e-300
) -> bool:
    """Where ``b`` is nan or ±inf, ``same(a, b)``; otherwise ``a`` is finite and
    ``|a - b| <= rel * |b| + floor`` (relative to the expected ``b``, ``floor`` absolute).

    >>> close_ieee(1.0 + 1e-13, 1.0), close_ieee(float("inf"), float("inf"))
    (True, True)
    >>> close_ieee(float("inf"), 1e308), close_ieee(-0.0, float("nan"))
    (False, False)
    """
    x, y = float(a), float(b)
    if not math.isfinite(y):
        return same(x, y)
    return math.isfinite(x) and abs(x - y) <= rel * abs(y) + floor
