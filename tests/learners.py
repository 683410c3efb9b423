"""The graphs learners bring, built once for the tests that use them: micrograd's README
expression and the labelled neuron of its video, on any Value class (chainrule's own, or
``chainrule.micrograd``'s)."""

from __future__ import annotations

from typing import Any


def micrograd_readme(value: Any) -> tuple[Any, Any, Any]:
    """a, b and g of micrograd's README expression (a = -4, b = 2; g ≈ 24.7041)."""
    a = value(-4.0)
    b = value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return a, b, g


def video_neuron(value: Any) -> dict[str, Any]:
    """x1 = 2, x2 = 0, w1 = -3, w2 = 1, b = 6.8813735870195432; o = tanh(x1·w1 + x2·w2 + b),
    every node labelled as in the video, by label."""
    x1, x2 = value(2.0, label="x1"), value(0.0, label="x2")
    w1, w2 = value(-3.0, label="w1"), value(1.0, label="w2")
    b = value(6.8813735870195432, label="b")
    x1w1 = x1 * w1
    x1w1.label = "x1*w1"
    x2w2 = x2 * w2
    x2w2.label = "x2*w2"
    x1w1x2w2 = x1w1 + x2w2
    x1w1x2w2.label = "x1*w1 + x2*w2"
    n = x1w1x2w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {v.label: v for v in (x1, x2, w1, w2, b, x1w1, x2w2, x1w1x2w2, n, o)}
