"""Small data sets in pure Python: XOR, two interleaving half moons, 8×8 digits.

Each is a list of ``(inputs, targets)`` pairs of float lists, the shape that
:func:`nn.fit` and the losses take.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import numbers
import random
from pathlib import Path

__all__ = ["digits", "moons", "xor"]

DIGITS_FILE = Path(__file__).with_name("digits.csv.gz")  # scikit-learn's, with its license

Dataset = list[tuple[list[float], list[float]]]


def xor() -> Dataset:
    """The four points of XOR, targets 0 or 1: what the notes' 2-2-1 network learns.

    >>> xor()
    [([0.0, 0.0], [0.0]), ([0.0, 1.0], [1.0]), ([1.0, 0.0], [1.0]), ([1.0, 1.0], [0.0])]
    """
    return [([a, b], [float(a != b)]) for a in (0.0, 1.0) for b in (0.0, 1.0)]


def moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaving half circles in the plane, labels -1 and +1.

    The first half circle, ``(cos θ, sin θ)`` for n // 2 angles θ evenly spaced
    over [0, π], is labelled -1; the other, ``(1 - cos θ, 0.5 - sin θ)`` for the
    remaining points, +1 (scikit-learn's ``make_moons`` with ``y * 2 - 1``, as
    micrograd uses it). The points are shuffled, then Gaussian noise of standard
    deviation ``noise`` is added to each coordinate, all from ``random.Random(seed)``.

    >>> data = moons(4, noise=0.0)
    >>> sorted((t, [round(v, 6) for v in x]) for x, t in data)  # doctest: +NORMALIZE_WHITESPACE
    [([-1.0], [-1.0, 0.0]), ([-1.0], [1.0, 0.0]), ([1.0], [0.0, 0.5]), ([1.0], [2.0, 0.5])]
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"moons: n must be an int >= 1, got {n!r:.60}")
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real) or not noise >= 0.0:
        raise ValueError(f"moons: noise must be a number >= 0, got {noise!r:.60}")
    if not math.isfinite(noise):
        raise ValueError(f"moons: noise must be finite, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"moons: seed must be an int, got {type(seed).__name__}: {seed!r:.60}")
    n_outer = int(n) // 2
    n_inner = int(n) - n_outer

    def angles(m: int) -> list[float]:
        return [math.pi * i / (m - 1) if m > 1 else 0.0 for i in range(m)]

    points = [([math.cos(a), math.sin(a)], -1.0) for a in angles(n_outer)]
    points += [([1.0 - math.cos(a), 0.5 - math.sin(a)], 1.0) for a in angles(n_inner)]
    rng = random.Random(seed)
    rng.shuffle(points)
    sigma = float(noise)
    return [([x + rng.gauss(0.0, sigma), y + rng.gauss(0.0, sigma)], [t]) for (x, y), t in points]


def digits() -> Dataset:
    """scikit-learn's 1797 handwritten digits, 8×8 images, shipped in the package.

    Each sample is 64 pixels, row by row, scaled from 0..16 to [0, 1], and one
    target: the digit as a class index (0.0 to 9.0), the shape
    :func:`nn.cross_entropy` and :func:`nn.fit` take with ``MLP(64, [..., 10])``.
    The data is the test set of the UCI "Optical Recognition of Handwritten
    Digits" (Alpaydin and Kaynak, 1998) as scikit-learn ships it (BSD-3-Clause,
    nn/DIGITS-LICENSE.txt). It is read with the standard library.

    >>> data = digits()
    >>> len(data), len(data[0][0]), data[0][1], max(max(x) for x, _ in data)
    (1797, 64, [0.0], 1.0)
    """
    with gzip.open(DIGITS_FILE, "rt", encoding="ascii", newline="") as f:
        rows = list(csv.reader(io.StringIO(f.read())))
    return [([int(v) / 16.0 for v in row[:64]], [float(row[64])]) for row in rows]
