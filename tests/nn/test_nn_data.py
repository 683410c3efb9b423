"""xor and moons: the points, the labels, the noise, the seed."""

from __future__ import annotations

import math
import random
import re
import statistics

import pytest

from nn import moons, xor


def test_xor_is_the_truth_table() -> None:
    data = xor()
    assert [(x, t) for x, t in data] == [
        ([0.0, 0.0], [0.0]),
        ([0.0, 1.0], [1.0]),
        ([1.0, 0.0], [1.0]),
        ([1.0, 1.0], [0.0]),
    ]
    assert all(type(v) is float for x, t in data for v in (*x, *t))


@pytest.mark.parametrize("n", [1, 2, 7, 100])
def test_moons_without_noise_lie_on_the_two_half_circles(n: int) -> None:
    data = moons(n, noise=0.0, seed=3)
    assert len(data) == n
    outer = [x for x, t in data if t == [-1.0]]
    inner = [x for x, t in data if t == [1.0]]
    assert (len(outer), len(inner)) == (n // 2, n - n // 2)
    for x, y in outer:
        assert math.hypot(x, y) == pytest.approx(1.0, rel=1e-14)
        assert y >= -1e-15
    for x, y in inner:
        assert math.hypot(x - 1.0, y - 0.5) == pytest.approx(1.0, rel=1e-14)
        assert y <= 0.5 + 1e-15
    # the endpoints of each half circle are there: θ = 0 and θ = π
    if n >= 4:
        assert [1.0, 0.0] in outer
        assert [0.0, 0.5] in inner


def test_moons_noise_is_gaussian_with_the_given_deviation() -> None:
    clean = moons(2000, noise=0.0, seed=5)
    noisy = moons(2000, noise=0.1, seed=5)
    assert [t for _, t in clean] == [t for _, t in noisy]  # same shuffle
    offsets = [
        a - b
        for (xa, _), (xb, _) in zip(noisy, clean, strict=True)
        for a, b in zip(xa, xb, strict=True)
    ]
    assert abs(statistics.fmean(offsets)) < 0.01
    assert statistics.stdev(offsets) == pytest.approx(0.1, rel=0.05)


def test_moons_are_deterministic_and_shuffled() -> None:
    assert moons(50, seed=1) == moons(50, seed=1)
    assert moons(50, seed=1) != moons(50, seed=2)
    labels = [t[0] for _, t in moons(100)]
    assert labels != sorted(labels)  # the classes are mixed
    state = random.getstate()
    moons(100)
    assert random.getstate() == state  # no global randomness


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n": 0}, ValueError, "moons: n must be an int >= 1, got 0"),
        ({"n": 10.0}, ValueError, "moons: n must be an int >= 1, got 10.0"),
        ({"noise": -0.1}, ValueError, "moons: noise must be a number >= 0, got -0.1"),
        ({"noise": math.nan}, ValueError, "moons: noise must be a number >= 0, got nan"),
        ({"noise": math.inf}, ValueError, "moons: noise must be finite, got inf"),
        ({"seed": "a"}, TypeError, "moons: seed must be an int, got str"),
    ],
)
def test_moons_bad_arguments(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        moons(**kwargs)  # type: ignore[arg-type]
