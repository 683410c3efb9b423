"""The ops of issue 12, one row each: values against ``math``, first and second
derivatives against finite differences of the ``math`` functions (the engine is not
used for the reference), and the edge values, inf and nan included, that PyTorch
2.13 gives (``tests/autograd/test_torch.py`` compares with PyTorch itself where it is installed).
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from fractions import Fraction

import pytest
from compare import close_to, same

import autograd
from autograd import RULES, Value, grad

INF, NAN = math.inf, math.nan
H1 = 1e-5  # the step of the first central difference
H2 = 1e-4  # and of the second


def _softplus(x: float) -> float:
    return math.log(1.0 + math.exp(x))


# name, the Value form, the math reference, points where it is smooth
UNARY: list[tuple[str, Callable[[Value], Value], Callable[[float], float], list[float]]] = [
    ("tan", Value.tan, math.tan, [-1.2, 0.0, 0.4, 1.0]),
    ("asin", Value.asin, math.asin, [-0.9, 0.0, 0.3, 0.7]),
    ("acos", Value.acos, math.acos, [-0.9, 0.0, 0.3, 0.7]),
    ("atan", Value.atan, math.atan, [-3.0, 0.0, 0.5, 2.0]),
    ("sinh", Value.sinh, math.sinh, [-2.0, 0.0, 0.5, 3.0]),
    ("cosh", Value.cosh, math.cosh, [-2.0, 0.0, 0.5, 3.0]),
    ("log1p", Value.log1p, math.log1p, [-0.5, 0.0, 1e-3, 4.0]),
    ("expm1", Value.expm1, math.expm1, [-2.0, 0.0, 1e-3, 2.0]),
    ("log2", Value.log2, math.log2, [0.3, 1.0, 8.0]),
    ("log10", Value.log10, math.log10, [0.3, 1.0, 1000.0]),
    ("log base 3", lambda v: v.log(3.0), lambda x: math.log(x, 3.0), [0.3, 1.0, 9.0]),
    ("softplus", Value.softplus, _softplus, [-5.0, -0.5, 0.0, 0.5, 5.0]),
    ("clamp", lambda v: v.clamp(-1.0, 2.0), lambda x: min(max(x, -1.0), 2.0), [-3.0, 0.5, 3.0]),
    ("clamp below", lambda v: v.clamp(lo=0.0), lambda x: max(x, 0.0), [-1.0, 1.0]),
    ("sign", Value.sign, lambda x: math.copysign(1.0, x) if x else 0.0, [-2.0, 3.0]),
    ("abs", abs, math.fabs, [-2.0, 3.0]),
]

Binary = tuple[
    str, Callable[[Value, Value], Value], Callable[[float, float], float], list[tuple[float, float]]
]
BINARY: list[Binary] = [
    ("atan2", Value.atan2, math.atan2, [(1.0, 1.0), (-0.5, 2.0), (0.3, -1.5), (-1.0, -1.0)]),
    ("maximum", Value.maximum, max, [(1.0, 2.0), (3.0, -1.0)]),
    ("minimum", Value.minimum, min, [(1.0, 2.0), (3.0, -1.0)]),
    ("%", lambda a, b: a % b, lambda a, b: a % b, [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0)]),
    ("//", lambda a, b: a // b, lambda a, b: a // b, [(5.5, 2.0), (-5.5, 2.0), (5.5, -2.0)]),
]


def first_and_second(f: Callable[[Value], Value], x: float) -> tuple[float, float, float]:
    v = Value(x)
    y = f(v)
    (d,) = grad(y, [v], create_graph=True)
    (d2,) = grad(d, [v])
    return y.data, d.data, d2.data


@pytest.mark.parametrize(("name", "f", "ref", "points"), UNARY, ids=[c[0] for c in UNARY])
def test_unary_op_value_and_two_derivatives_match_math(
    name: str, f: Callable[[Value], Value], ref: Callable[[float], float], points: list[float]
) -> None:
    for x in points:
        value, d1, d2 = first_and_second(f, x)
        fd1 = (ref(x + H1) - ref(x - H1)) / (2 * H1)
        fd2 = (ref(x + H2) - 2 * ref(x) + ref(x - H2)) / (H2 * H2)
        assert close_to(value, ref(x), 1e-15), (name, x, value, ref(x))
        assert close_to(d1, fd1), f"{name}'({x}): analytic {d1}, numeric {fd1}"
        assert close_to(d2, fd2, 1e-4), f"{name}''({x}): analytic {d2}, numeric {fd2}"


@pytest.mark.parametrize(("name", "f", "ref", "points"), BINARY, ids=[c[0] for c in BINARY])
def test_binary_op_value_and_two_derivatives_match_math(
    name: str,
    f: Callable[[Value, Value], Value],
    ref: Callable[[float, float], float],
    points: list[tuple[float, float]],
) -> None:
    for a, b in points:
        x, y = Value(a), Value(b)
        out = f(x, y)
        assert out.data == ref(a, b), (name, a, b)
        firsts = grad(out, [x, y], create_graph=True)
        fd = [
            (ref(a + H1, b) - ref(a - H1, b)) / (2 * H1),
            (ref(a, b + H1) - ref(a, b - H1)) / (2 * H1),
        ]
        for d, n in zip(firsts, fd, strict=True):
            assert close_to(d.data, n), f"{name} at {(a, b)}: analytic {d.data}, numeric {n}"
        shifts = [(H2, 0.0), (0.0, H2)]
        for i, di in enumerate(firsts):
            seconds = grad(di, [x, y])
            for j, dij in enumerate(seconds):
                (ui, vi), (uj, vj) = shifts[i], shifts[j]
                numeric = (
                    ref(a + ui + uj, b + vi + vj)
                    - ref(a + ui - uj, b + vi - vj)
                    - ref(a - ui + uj, b - vi + vj)
                    + ref(a - ui - uj, b - vi - vj)
                ) / (4 * H2 * H2)
                assert close_to(dij.data, numeric, 1e-4), (name, (a, b), i, j, dij.data, numeric)


def value_and_grads(
    f: Callable[..., Value], *xs: float, upstream: float = 1.0
) -> tuple[float, ...]:
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    (out * upstream).backward()
    return (out.data, *[v.grad for v in leaves])


# (the Value form, inputs, upstream gradient, value, gradients): PyTorch 2.13's answers
Edge = tuple[str, Callable[..., Value], tuple[float, ...], float, float, tuple[float, ...]]
EDGES: list[Edge] = [
    ("tan inf", Value.tan, (INF,), 1.0, NAN, (NAN,)),
    ("asin 1", Value.asin, (1.0,), 1.0, math.pi / 2, (INF,)),
    ("asin 2", Value.asin, (2.0,), 1.0, NAN, (NAN,)),
    ("acos 1", Value.acos, (1.0,), 1.0, 0.0, (-INF,)),
    ("acos -1", Value.acos, (-1.0,), 1.0, math.pi, (-INF,)),
    ("atan inf", Value.atan, (INF,), 1.0, math.pi / 2, (0.0,)),
    ("sinh 1000", Value.sinh, (1000.0,), 1.0, INF, (INF,)),
    ("cosh -1000", Value.cosh, (-1000.0,), 1.0, INF, (-INF,)),
    ("log1p -1", Value.log1p, (-1.0,), 1.0, -INF, (INF,)),
    ("log1p -2", Value.log1p, (-2.0,), 1.0, NAN, (-1.0,)),
    ("log1p tiny", Value.log1p, (1e-20,), 1.0, 1e-20, (1.0,)),
    ("expm1 1000", Value.expm1, (1000.0,), 1.0, INF, (INF,)),
    ("expm1 tiny", Value.expm1, (1e-20,), 1.0, 1e-20, (1.0,)),
    ("log2 0", Value.log2, (0.0,), 1.0, -INF, (INF,)),
    ("log10 -1", Value.log10, (-1.0,), 1.0, NAN, (-1 / math.log(10.0),)),
    ("softplus 1000", Value.softplus, (1000.0,), 1.0, 1000.0, (1.0,)),
    ("softplus -1000", Value.softplus, (-1000.0,), 1.0, 0.0, (0.0,)),
    ("softplus inf", Value.softplus, (INF,), 1.0, INF, (1.0,)),
    ("softplus nan", Value.softplus, (NAN,), 1.0, NAN, (NAN,)),
    ("atan2 origin", Value.atan2, (0.0, 0.0), 1.0, 0.0, (0.0, -0.0)),
    ("atan2 underflow", Value.atan2, (1e-200, 1e-200), 1.0, math.pi / 4, (0.0, -0.0)),
    ("atan2 y inf", Value.atan2, (INF, 1.0), 1.0, math.pi / 2, (0.0, NAN)),
    ("atan2 -0", Value.atan2, (-0.0, -1.0), 1.0, -math.pi, (-1.0, 0.0)),
    ("clamp below", lambda x: x.clamp(0.0, 1.0), (-1.0,), 1.0, 0.0, (0.0,)),
    ("clamp at lo", lambda x: x.clamp(0.0, 1.0), (0.0,), 1.0, 0.0, (1.0,)),
    ("clamp at hi", lambda x: x.clamp(0.0, 1.0), (1.0,), 1.0, 1.0, (1.0,)),
    ("clamp nan", lambda x: x.clamp(0.0, 1.0), (NAN,), 1.0, NAN, (0.0,)),
    ("clamp inf", lambda x: x.clamp(0.0, 1.0), (INF,), 1.0, 1.0, (0.0,)),
    ("clamp lo > hi", lambda x: x.clamp(1.0, 0.0), (0.5,), 1.0, 0.0, (0.0,)),
    ("clamp blocks inf", lambda x: x.clamp(0.0, 1.0), (2.0,), INF, 1.0, (0.0,)),
    ("clamp nan bound", lambda x: x.clamp(NAN, 1.0), (0.5,), 1.0, NAN, (0.0,)),
    ("maximum tie", Value.maximum, (1.0, 1.0), 1.0, 1.0, (0.5, 0.5)),
    ("maximum inf tie", Value.maximum, (INF, INF), 1.0, INF, (0.5, 0.5)),
    ("maximum nan", Value.maximum, (NAN, 1.0), 1.0, NAN, (1.0, 1.0)),
    ("maximum blocks inf", Value.maximum, (2.0, 1.0), INF, 2.0, (INF, 0.0)),
    ("maximum -0", Value.maximum, (-0.0, 0.0), 1.0, -0.0, (0.5, 0.5)),
    ("minimum tie", Value.minimum, (1.0, 1.0), 1.0, 1.0, (0.5, 0.5)),
    ("minimum nan", Value.minimum, (1.0, NAN), 1.0, NAN, (1.0, 1.0)),
    ("% positive", lambda x, y: x % y, (5.5, 2.0), 1.0, 1.5, (1.0, -2.0)),
    ("% negative x", lambda x, y: x % y, (-5.5, 2.0), 1.0, 0.5, (1.0, 3.0)),
    ("% negative y", lambda x, y: x % y, (5.5, -2.0), 1.0, -0.5, (1.0, 3.0)),
    ("% by 0", lambda x, y: x % y, (5.0, 0.0), 1.0, NAN, (1.0, -INF)),
    ("% by inf", lambda x, y: x % y, (1.0, INF), 1.0, 1.0, (1.0, -0.0)),
    ("% -1 by inf", lambda x, y: x % y, (-1.0, INF), 1.0, INF, (1.0, 1.0)),
    ("% of inf", lambda x, y: x % y, (INF, 2.0), 1.0, NAN, (1.0, NAN)),
    ("% -0", lambda x, y: x % y, (-0.0, 2.0), 1.0, -0.0, (1.0, -0.0)),
    ("% zero result", lambda x, y: x % y, (4.0, -2.0), 1.0, 0.0, (1.0, 2.0)),
    ("// positive", lambda x, y: x // y, (5.5, 2.0), 1.0, 2.0, (0.0, 0.0)),
    ("// negative", lambda x, y: x // y, (-5.5, 2.0), 1.0, -3.0, (0.0, 0.0)),
    ("// by 0", lambda x, y: x // y, (5.0, 0.0), 1.0, INF, (0.0, 0.0)),
    ("// -x by 0", lambda x, y: x // y, (-5.0, 0.0), 1.0, -INF, (0.0, 0.0)),
    ("// 0 by 0", lambda x, y: x // y, (0.0, 0.0), 1.0, NAN, (0.0, 0.0)),
    ("// by inf", lambda x, y: x // y, (-1.0, INF), 1.0, -1.0, (0.0, 0.0)),
    ("// blocks inf", lambda x, y: x // y, (5.5, 2.0), INF, 2.0, (0.0, 0.0)),
    ("sign 0", Value.sign, (0.0,), 1.0, 0.0, (0.0,)),
    ("sign blocks inf", Value.sign, (2.0,), INF, 1.0, (0.0,)),
]


@pytest.mark.parametrize(
    ("name", "f", "inputs", "upstream", "value", "grads"), EDGES, ids=[c[0] for c in EDGES]
)
def test_edge_values_are_pytorchs(
    name: str,
    f: Callable[..., Value],
    inputs: tuple[float, ...],
    upstream: float,
    value: float,
    grads: tuple[float, ...],
) -> None:
    got = value_and_grads(f, *inputs, upstream=upstream)
    assert same(got[0], value), (name, "value", got[0], value)
    for i, (g, want) in enumerate(zip(got[1:], grads, strict=True)):
        # a leaf's grad is 0.0 + its gradient, so PyTorch's -0.0 reads as 0.0 here
        assert same(g, want) or g == want == 0.0, (name, f"grad {i}", g, want)


def test_reflected_operators_and_numbers_on_either_side() -> None:
    x = Value(5.5)
    assert [(x % 2).data, (13 % x).data, (x // 2).data, (13 // x).data] == [1.5, 2.0, 2.0, 2.0]
    y = 13 % x  # 13 - 2x: ∂/∂x = -floor(13 / 5.5) = -2
    y.backward()
    assert x.grad == -2.0


def test_module_functions_take_floats_and_values() -> None:
    for name in ("tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1", "log2"):
        f = getattr(autograd, name)
        assert f(0.5) == getattr(math, name)(0.5)
        assert f(Value(0.5)).data == f(0.5)
    assert (autograd.log10(100.0), autograd.log(8.0, 2)) == (2.0, 3.0)
    assert autograd.atan2(1.0, 2.0) == math.atan2(1.0, 2.0)
    assert autograd.maximum(Value(1.0), 2.0).data == 2.0
    assert autograd.minimum(1.0, 2.0) == 1.0
    assert (autograd.mod(-1.0, 3.0), autograd.floordiv(-1.0, 3.0)) == (2.0, -1.0)
    assert autograd.clamp(5.0, hi=1.0) == 1.0
    assert autograd.softplus(Value(0.0)).data == math.log(2.0)
    assert (autograd.e, autograd.pi) == (math.e, math.pi)


def test_softplus_is_exact_where_the_naive_formula_fails() -> None:
    assert Value(800.0).softplus().data == 800.0  # log(1 + e^800) overflows
    assert Value(-40.0).softplus().data == math.exp(-40.0) * (1 - math.exp(-40.0) / 2)
    assert Value(1e-20).log1p().data == 1e-20  # log(1 + 1e-20) is 0


def test_clamp_bounds_must_be_numbers() -> None:
    with pytest.raises(TypeError, match=r"clamp.*bound.*Value"):
        Value(1.0).clamp(Value(0.0), 2.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"log.*base.*str"):
        Value(1.0).log("2")  # type: ignore[arg-type]


def test_every_new_row_prints_as_a_call_and_has_an_array_forward() -> None:
    np = pytest.importorskip("numpy")
    new = [
        "tan", "asin", "acos", "atan", "atan2", "inv_hypot2", "sinh", "cosh", "log1p",
        "expm1", "log2", "log10", "softplus", "clamp", "between", "maximum", "minimum",
        "above", "mod", "floordiv",
    ]  # fmt: skip
    edges = [-INF, -2.0, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.5, 1.0, 2.0, 1000.0, INF, NAN]
    for name in new:
        rule = RULES[name]
        assert rule.notation.kind == "call", name
        assert rule.array is not None, name
        n = 3 if rule.arity == 3 else rule.arity
        grid = [tuple(edges[(i * (k + 1) * 7) % len(edges)] for k in range(n)) for i in range(60)]
        grid += [tuple([e] * n) for e in edges]
        columns = [np.array(c) for c in zip(*grid, strict=True)]
        with np.errstate(all="ignore"):
            arrays = rule.array(np, *columns).tolist()
        for args, got in zip(grid, arrays, strict=True):
            want = rule.forward(*args)  # NumPy's transcendental functions may differ by an ulp
            near = math.isfinite(want) and want != 0 and close_to(got, want, 4e-16)
            ok = same(got, want) or near
            assert ok, (name, args, got, want)


def test_a_computed_graph_pickles_with_its_rows_by_name() -> None:
    x = Value(0.5, "x")
    y = (x.atan2(2.0) * x.softplus()).clamp(-1.0, 1.0)
    copy = pickle.loads(pickle.dumps(y))
    assert copy.op == "clamp"
    assert copy._rule is RULES["clamp"]
    assert copy.data == y.data
    copy.backward()
    y.backward()
    (xc,) = [v for v in autograd.topological_order(copy) if v.label == "x"]
    assert xc.grad == x.grad != 0.0


def test_a_variable_exponent_keeps_its_part_in_second_derivatives() -> None:
    # f = a ** e^b: f_ab = e^b a^(e^b - 1) (1 + e^b ln a); at (2, 0) that is 1 + ln 2.
    # The partial x ** (y - 1) once used the constant-exponent row, which lost ln a.
    a, b = Value(2.0), Value(0.0)
    da, _ = grad(a ** b.exp(), [a, b], create_graph=True)
    _, dab = grad(da, [a, b])
    assert dab.data == pytest.approx(1.0 + math.log(2.0), rel=1e-15)


def _atan2_hessian_exactly(a: float, b: float) -> list[list[float]]:
    """atan2(a, b)'s second derivatives in (a, b), in rationals, rounded once at the end:
    with r² = a² + b², ∂²/∂a² = -2ab/r⁴, ∂²/∂a∂b = (a² - b²)/r⁴, ∂²/∂b² = 2ab/r⁴."""
    y, x = Fraction(a), Fraction(b)
    r4 = (x * x + y * y) ** 2
    mixed = float((y * y - x * x) / r4)
    return [[float(-2 * x * y / r4), mixed], [mixed, float(2 * x * y / r4)]]


@pytest.mark.parametrize(
    ("a", "b"),
    [(9e307, 1.0), (1.0, 1e308), (1e308, 1e308), (-1.7e308, 3.0), (2.0, -1e308),
     (0.3, -1.2), (2.0, 0.5), (-1e10, 3e9), (1e-70, 3e-70)],
)  # fmt: skip
def test_atan2_second_derivatives_are_exact_at_huge_arguments(a: float, b: float) -> None:
    # inv_hypot2's partial once formed -2.0 * x, -inf for x >= 9e307, before multiplying
    # it by 1/(x² + y²) = 0: nan where every second derivative is (rounds to) 0
    want = _atan2_hessian_exactly(a, b)
    y, x = Value(a), Value(b)
    firsts = grad(y.atan2(x), [y, x], create_graph=True)
    reverse = [[h.data for h in grad(g, [y, x])] for g in firsts]
    forward = autograd.hessian(lambda p, q: p.atan2(q), [a, b])  # forward over reverse
    for got in (reverse, forward):
        for row, want_row in zip(got, want, strict=True):
            for ours, exact in zip(row, want_row, strict=True):
                assert ours == pytest.approx(exact, rel=2e-15, abs=0.0), (a, b, got, want)


def test_a_mask_has_no_path_in_second_derivatives_either_order() -> None:
    # f = maximum(x, sqrt(y)) is x near (1, 0): its mixed second derivatives are 0 in both
    # orders. The masks were graph nodes: above(x, sqrt(y)) reached y through sqrt, whose
    # partial there is inf, and its exact 0 met it: d(∂f/∂x)/dy was 0 · inf = nan.
    x, y = Value(1.0), Value(0.0)
    dx, dy = grad(x.maximum(y.sqrt()), [x, y], create_graph=True)
    assert (dx.data, grad(dx, [x, y])[1].data, grad(dy, [x, y])[0].data) == (1.0, 0.0, 0.0)
    # the same for minimum and for a log's inf partial: each f is x near the point
    cases: list[tuple[Callable[[Value, Value], Value], tuple[float, float]]] = [
        (lambda x, y: x.minimum(-y.sqrt()), (-1.0, 0.0)),
        (lambda x, y: x.maximum(y.log()), (1.0, 0.0)),
        (lambda x, y: (x * 2.0).minimum(y.sqrt() * 3.0 + 5.0) / 2.0, (1.0, 0.0)),
    ]
    for f, point in cases:
        x, y = Value(point[0]), Value(point[1])
        dx, dy = grad(f(x, y), [x, y], create_graph=True)
        dxx, dxy = grad(dx, [x, y])
        dyx, _ = grad(dy, [x, y])
        assert (dx.data, dxx.data, dxy.data, dyx.data) == (1.0, 0.0, 0.0, 0.0), point


# --- subnormal inputs: a partial that overflows alone is applied as a quotient (issue 22) ----

TINY = 1e-310  # subnormal: 1 / TINY overflows, TINY / TINY is 1

# f, its inputs, the exact derivatives (math on the exact formula, not the engine)
SUBNORMAL_CASES: list[tuple[str, Callable[..., Value], list[float], list[float]]] = [
    ("x·log(x)", lambda x: x * x.log(), [TINY], [math.log(TINY) + 1.0]),
    ("x·log2(x)", lambda x: x * x.log2(), [TINY], [math.log2(TINY) + 1.0 / math.log(2.0)]),
    ("x·log10(x)", lambda x: x * x.log10(), [TINY], [math.log10(TINY) + 1.0 / math.log(10.0)]),
    ("y·(x/y), x", lambda x, y: y * (x / y), [TINY, TINY], [1.0, 0.0]),  # ∂/∂y = 1 - 1
    ("y·(x/y), y small", lambda x, y: y * (x / y), [1e-300, TINY], [1.0, 0.0]),
    ("(x/y)·w", lambda x, y, w: (x / y) * w, [1e-300, TINY, 1e-20], [1e290, -1e300, 1e10]),
    ("x·sqrt(x)", lambda x: x * x.sqrt(), [TINY], [1.5 * math.sqrt(TINY)]),
]


@pytest.mark.parametrize(("name", "f", "xs", "exact"), SUBNORMAL_CASES)
def test_subnormal_inputs_give_finite_exact_first_derivatives(
    name: str, f: Callable[..., Value], xs: list[float], exact: list[float]
) -> None:
    leaves = [Value(x) for x in xs]
    out = f(*leaves)
    out.backward()
    got = [v.grad for v in leaves]
    assert all(math.isfinite(g) for g in got), (name, got)  # was inf before issue 22
    assert all(close_to(g, e, 1e-12) for g, e in zip(got, exact, strict=True)), (name, got, exact)
    # grad, grad(create_graph=True) and micrograd's _backward apply partials the same way
    assert [g.data for g in grad(out, leaves)] == got
    assert [g.data for g in grad(out, leaves, create_graph=True)] == got
    for v in autograd.topological_order(out):
        v.grad = 0.0
    out.grad = 1.0
    for v in reversed(autograd.topological_order(out)):
        v._backward()
    assert [v.grad for v in leaves] == got


def test_forward_mode_forms_the_quotient_too() -> None:
    # d/dε of x·log(x) along a tangent as small as x: t·(log x + 1), finite
    _, tangent = autograd.jvp(lambda x: x * x.log(), [TINY], [TINY])
    assert close_to(tangent, TINY * (math.log(TINY) + 1.0), 1e-12)
    assert autograd.tangents((Value(TINY) / Value(TINY)), {}) == [0.0]


@pytest.mark.parametrize(("name", "f", "xs", "exact"), SUBNORMAL_CASES)
def test_subnormal_first_derivatives_are_pytorchs(
    name: str, f: Callable[..., Value], xs: list[float], exact: list[float]
) -> None:
    torch = pytest.importorskip("torch")
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    f(*ts).backward()
    theirs = [float(t.grad) for t in ts]
    for i, (ours, their) in enumerate(zip([v.grad for v in leaves], theirs, strict=True)):
        if "x/y" in name and i == 1:
            # PyTorch forms ∂(x/y)/∂y = -(x/y)/y alone: -inf (nan beside inf), where the
            # exact answer is finite; chainrule divides g·(x/y) by y (README: differences)
            assert not math.isfinite(their)
            assert math.isfinite(ours)
            continue
        assert close_to(ours, their, 1e-13), (name, i, ours, their)


@pytest.mark.parametrize("name", ["div", "div0", "log", "log2", "log10"])
def test_a_rows_quotient_is_its_partial(name: str) -> None:
    rule = RULES[name]
    assert rule.quotient is not None
    points = [0.3, 2.0, -1.5, 1e-300, 7e300, 1e-310]
    for xs in (
        [[x] for x in points] if rule.arity == 1 else [[x, y] for x in points for y in points]
    ):
        out = rule.forward(*xs)
        for p, parts in zip(rule.derivative(out, *xs), rule.quotient(out, *xs), strict=True):
            n, d = parts
            assert same(p, autograd.div(n, d)), (name, xs)
    assert all(
        rule.quotient is None
        for rule in RULES.values()
        if rule.name not in ("div", "div0", "log", "log2", "log10")
    )
