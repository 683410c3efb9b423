"""Every op of issue 12 against PyTorch: values and first and second derivatives,
edge values included. Skipped where PyTorch is not installed (``make test`` does not
install it; ``pip install torch==2.13.0`` in the virtual environment runs it)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

from autograd import Value, grad

torch: Any = pytest.importorskip(
    "torch", reason="PyTorch is not installed: pip install torch==2.13.0 to compare with it"
)

INF, NAN = math.inf, math.nan
EDGES = [-INF, -1e300, -2.5, -1.0, -0.5, -1e-300, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.5, 25.0, INF, NAN]

# name: (chainrule on Values, PyTorch on tensors)
UNARY: dict[str, tuple[Callable[[Value], Value], Callable[[Any], Any]]] = {
    "tan": (Value.tan, lambda t: torch.tan(t)),
    "asin": (Value.asin, lambda t: torch.asin(t)),
    "acos": (Value.acos, lambda t: torch.acos(t)),
    "atan": (Value.atan, lambda t: torch.atan(t)),
    "sinh": (Value.sinh, lambda t: torch.sinh(t)),
    "cosh": (Value.cosh, lambda t: torch.cosh(t)),
    "log1p": (Value.log1p, lambda t: torch.log1p(t)),
    "expm1": (Value.expm1, lambda t: torch.expm1(t)),
    "log2": (Value.log2, lambda t: torch.log2(t)),
    "log10": (Value.log10, lambda t: torch.log10(t)),
    "sign": (Value.sign, lambda t: torch.sign(t)),
    "clamp": (lambda v: v.clamp(-1.0, 0.5), lambda t: torch.clamp(t, -1.0, 0.5)),
}
BINARY: dict[str, tuple[Callable[[Value, Value], Value], Callable[[Any, Any], Any]]] = {
    "atan2": (Value.atan2, lambda a, b: torch.atan2(a, b)),
    "maximum": (Value.maximum, lambda a, b: torch.maximum(a, b)),
    "minimum": (Value.minimum, lambda a, b: torch.minimum(a, b)),
    "%": (lambda a, b: a % b, lambda a, b: torch.remainder(a, b)),
    "//": (lambda a, b: a // b, lambda a, b: torch.div(a, b, rounding_mode="floor")),
}


def agree(ours: float, theirs: float, rel: float = 1e-12) -> bool:
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= rel * max(1e-300, abs(theirs)) or ours == theirs


def torch_derivatives(f: Callable[..., Any], xs: list[float]) -> tuple[float, list[float], Any]:
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*ts)
    firsts = torch.autograd.grad(out, ts, create_graph=True, allow_unused=True)
    return out.item(), [0.0 if g is None else g.item() for g in firsts], (ts, firsts)


@pytest.mark.parametrize("name", list(UNARY))
def test_unary_ops_agree_with_pytorch(name: str) -> None:
    ours_f, theirs_f = UNARY[name]
    for x in EDGES:
        if name == "sign" and math.isnan(x):
            continue  # torch.sign(nan) is 0; chainrule's (and NumPy's) is nan: in the README
        value, (d,), _ = torch_derivatives(theirs_f, [x])
        v = Value(x)
        out = ours_f(v)
        (ours_d,) = grad(out, [v])
        assert agree(out.data, value), (name, x, out.data, value)
        assert agree(ours_d.data, d), (name, x, ours_d.data, d)


@pytest.mark.parametrize("name", list(BINARY))
def test_binary_ops_agree_with_pytorch(name: str) -> None:
    ours_f, theirs_f = BINARY[name]
    for a in EDGES[::2]:
        for b in [*EDGES[1::2], a]:
            value, ds, _ = torch_derivatives(theirs_f, [a, b])
            x, y = Value(a), Value(b)
            out = ours_f(x, y)
            assert agree(out.data, value), (name, a, b, out.data, value)
            for ours, theirs in zip(grad(out, [x, y]), ds, strict=True):
                assert agree(ours.data, theirs), (name, a, b, ours.data, theirs)


def test_softplus_agrees_below_pytorchs_threshold() -> None:
    for x in (-700.0, -30.0, -1.0, 0.0, 1.0, 19.0):
        value, (d,), _ = torch_derivatives(torch.nn.functional.softplus, [x])
        v = Value(x)
        out = v.softplus()
        (ours,) = grad(out, [v])
        assert agree(out.data, value, 1e-15)
        assert agree(ours.data, d, 1e-15)
    # above 20 PyTorch returns x itself; chainrule stays exact (the README lists it)
    assert Value(25.0).softplus().data == pytest.approx(25.0, rel=2e-12)


@pytest.mark.parametrize("name", ["tan", "asin", "atan", "sinh", "log1p", "expm1", "log10"])
def test_second_derivatives_agree_with_pytorch(name: str) -> None:
    ours_f, theirs_f = UNARY[name]
    for x in (-0.7, 0.1, 0.6):
        _, _, (ts, firsts) = torch_derivatives(theirs_f, [x])
        (second,) = torch.autograd.grad(firsts[0], ts)
        v = Value(x)
        (d,) = grad(ours_f(v), [v], create_graph=True)
        (d2,) = grad(d, [v])
        assert agree(d2.data, second.item(), 1e-12), (name, x, d2.data, second.item())


def test_atan2_mixed_second_derivatives_agree_with_pytorch() -> None:
    for a, b in ((0.3, -1.2), (2.0, 0.5)):
        _, _, (ts, firsts) = torch_derivatives(torch.atan2, [a, b])
        want = [[g.item() for g in torch.autograd.grad(f, ts, retain_graph=True)] for f in firsts]
        x, y = Value(a), Value(b)
        gs = grad(x.atan2(y), [x, y], create_graph=True)
        got = [[h.data for h in grad(g, [x, y])] for g in gs]
        for row, want_row in zip(got, want, strict=True):
            for ours, theirs in zip(row, want_row, strict=True):
                assert agree(ours, theirs, 1e-12)
