"""Every public row against PyTorch at ordinary points: values, first and second derivatives.

tests/autograd/test_torch_differences.py compares every row on the special values (0, ±inf,
nan, subnormal, ...); this file takes the same table of PyTorch counterparts (``TORCH`` in
tests/torch_reference.py, the one test line a new op adds) to the points in between, where
the rows' formulas must give PyTorch's numbers to rounding. And ``autograd.pow(x, y)`` with
a Value ``y`` differentiates y, as ``x ** y`` and ``torch.pow`` do. Skipped where PyTorch is
not installed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import pytest
from torch_reference import NUMBERS, TORCH, torch

import autograd
from autograd import RULES, Value, grad
from autograd.ops import apply

ORDINARY = [-2.5, -0.7, -0.3, 0.1, 0.45, 0.6, 1.3, 2.0, 3.7]
PUBLIC = [name for name, rule in RULES.items() if not rule.helper and rule.arity]


def agree(ours: float, theirs: float, rel: float, floor: float = 1e-300) -> bool:
    """Equal to ``rel`` of PyTorch's magnitude, or ``floor``, where sums cancel to 0."""
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    return ours == theirs or abs(ours - theirs) <= rel * max(abs(theirs), floor)


def derivatives(
    ours_or_theirs: str, f: Callable[..., Any], args: list[Any], moving: list[int]
) -> tuple[float, list[float], list[list[float]]]:
    """The value, first derivatives and second derivatives in the inputs ``moving``."""
    if ours_or_theirs == "ours":
        leaves = [args[i] for i in moving]
        out = f(*args)
        firsts = grad(out, leaves, create_graph=True)
        seconds = [[h.data for h in grad(g, leaves)] for g in firsts]
        return out.data, [g.data for g in firsts], seconds
    leaves = [args[i] for i in moving]
    out = f(*args)
    firsts = torch.autograd.grad(out, leaves, create_graph=True, allow_unused=True)
    seconds = []
    for g in firsts:
        if g is None or not g.requires_grad:
            seconds.append([0.0] * len(leaves))
            continue
        hs = torch.autograd.grad(g, leaves, retain_graph=True, allow_unused=True)
        seconds.append([0.0 if h is None else h.item() for h in hs])
    return out.item(), [0.0 if g is None else g.item() for g in firsts], seconds


def compare(name: str, at: tuple[float, ...], ours_f: Any, theirs_f: Any) -> None:
    numbers = NUMBERS.get(name, ())
    moving = [i for i in range(len(at)) if i not in numbers]
    ours_args = [x if i in numbers else Value(x) for i, x in enumerate(at)]
    theirs_args = [
        x if i in numbers else torch.tensor(x, dtype=torch.float64, requires_grad=True)
        for i, x in enumerate(at)
    ]
    value, firsts, seconds = derivatives("ours", ours_f, ours_args, moving)
    t_value, t_firsts, t_seconds = derivatives("theirs", theirs_f, theirs_args, moving)
    assert agree(value, t_value, 1e-15), (name, at, value, t_value)
    for a, b in zip(firsts, t_firsts, strict=True):
        assert agree(a, b, 1e-13), (name, at, "first", a, b)
    for row, t_row in zip(seconds, t_seconds, strict=True):
        for a, b in zip(row, t_row, strict=True):
            assert agree(a, b, 1e-11, floor=1e-3), (name, at, "second", a, b)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_row_is_pytorchs_at_ordinary_points(name: str) -> None:
    arity = RULES[name].arity
    points = itertools.product(ORDINARY[::2] if arity > 1 else ORDINARY, repeat=arity)
    for at in points:
        if name in ("clamp",):
            at = (at[0], -1.0, 1.0)
        compare(name, at, lambda *xs: apply(name, *xs), TORCH[name])


def test_pow_with_a_value_exponent_differentiates_it() -> None:
    for a, b in itertools.product([0.3, 1.7, 2.5], [-1.5, 0.5, 2.0, 3.0]):
        x, y = Value(a), Value(b)
        function, operator = autograd.pow(x, y), x**y
        assert function.op == operator.op == "powv"
        assert [g.data for g in grad(function, [x, y])] == [g.data for g in grad(operator, [x, y])]
        assert grad(function, [y])[0].data == pytest.approx(a**b * math.log(a))
        compare("powv", (a, b), autograd.pow, torch.pow)
    x = Value(2.0)
    assert autograd.pow(x, 3.0).op == "pow"  # a number exponent: the constant row
    assert autograd.pow(2.0, x).op == "powv"
    assert autograd.pow(2.0, 3) == 8.0
