"""Derivative identities as properties, checked against plain ``math`` over wide float ranges.

Every check computes the engine's value and its derivative twice, by
``backward()`` and by ``grad()``, and compares them with a formula evaluated
with ``math`` alone. Tolerances are written in units of U = 2**-53, the unit
roundoff of a float (half an ulp of 1.0): one correctly rounded operation is off
by at most U relative. Each tolerance says where its size comes from.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import given
from hypothesis import strategies as st
from strategies import finite_floats, wide_floats

from autograd import Value, grad, wsum

U = 2.0**-53
TINY = 2.0**-1022  # the smallest normal float: below it, results keep no relative accuracy


def derivatives(f: Callable[[Value], Value], x: float) -> tuple[float, float, float]:
    """f(x), then ∂f/∂x by ``backward()`` and by ``grad()``."""
    v = Value(x, "x")
    out = f(v)
    out.backward()
    (by_grad,) = grad(out, [v])
    return out.data, v.grad, by_grad.data


def second_derivatives(f: Callable[[Value], Value], x: float) -> tuple[float, float, float]:
    """∂f/∂x, then ∂²f/∂x² by ``backward()`` through it and by ``grad()`` of it.

    Both come from ``grad(create_graph=True)``: the first derivative as a graph.
    """
    v = Value(x, "x")
    (first,) = grad(f(v), [v], create_graph=True)
    (by_grad,) = grad(first, [v])
    first.backward()
    return first.data, v.grad, by_grad.data


def assert_close(got: float, want: float, rel: float, abs_: float, what: str) -> None:
    """|got - want| <= max(rel·max(|got|, |want|), abs_); equal infinities pass.

    Also passes within TINY: results that underflow into the subnormal range lose
    relative precision, whatever the op. For exact comparisons use assert_same.
    """
    if not math.isclose(got, want, rel_tol=rel, abs_tol=max(abs_, TINY)):
        raise AssertionError(
            f"{what}: engine {got!r}, math {want!r}, difference {got - want!r} "
            f"({abs(got - want) / U if math.isfinite(got - want) else math.inf:.3g} U; "
            f"allowed rel {rel / U:.3g} U, abs {abs_ / U:.3g} U)"
        )


def assert_same(got: tuple[float, ...] | float, want: float, what: str) -> None:
    """Every value in ``got`` equals ``want`` exactly (infinities included)."""
    for g in got if isinstance(got, tuple) else (got,):
        if g != want:
            raise AssertionError(f"{what}: engine {g!r}, math {want!r}, expected exactly equal")


def assert_all_close(
    got: tuple[float, ...], want: float, rel: float, abs_: float, what: str
) -> None:
    for name, g in zip(("backward", "grad"), got, strict=True):
        assert_close(g, want, rel, abs_, f"{what} by {name}()")


# --- references with math alone ---------------------------------------------------


def sigma(x: float) -> float:
    """σ(x) = 1 / (1 + e^(-x)), in the form that cannot overflow."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def sigma_prime(x: float) -> float:
    """σ'(x) = e^(-|x|) / (1 + e^(-|x|))²: accurate to a few U everywhere,
    where σ(1 - σ) loses everything to cancellation once σ rounds to 1."""
    e = math.exp(-abs(x))
    return e / ((1.0 + e) * (1.0 + e))


def sigma_second(x: float) -> float:
    """σ''(x) = σ'(x)(1 - 2σ(x)) = -sign(x) e (1 - e) / (1 + e)³ with e = e^(-|x|);
    1 - e comes from expm1, so it is accurate near 0 too."""
    e = math.exp(-abs(x))
    return math.copysign(1.0, x) * e * math.expm1(-abs(x)) / (1.0 + e) ** 3


def sech2(x: float) -> float:
    """1 - tanh²(x) = sech²(x) = 4e / (1 + e)² with e = e^(-2|x|), accurate everywhere."""
    e = math.exp(-2.0 * abs(x))
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


# --- σ ---------------------------------------------------------------------------

# σ is a few correctly rounded operations (exp, +, /): within 3 U relative. Its
# derivative out·(1 - out) reuses that σ. For x > 0, 1 - σ is exact (σ ≥ 0.5) but
# inherits σ's absolute error of up to 3 U, which is all of 1 - σ once σ rounds to
# 1: so σ' is good to a few U relative plus about 3 U absolute. Allowed: 8 U
# relative, 4 U absolute.
SIGMA_REL, SIGMA_ABS = 8 * U, 4 * U


@given(wide_floats())
def test_sigmoid_derivative_is_sigma_times_one_minus_sigma(x: float) -> None:
    value, *d = derivatives(Value.sigmoid, x)
    assert_close(value, sigma(x), 3 * U, 0.0, f"σ({x!r})")
    assert_all_close(tuple(d), sigma_prime(x), SIGMA_REL, SIGMA_ABS, f"σ'({x!r})")
    s = sigma(x)
    assert_all_close(tuple(d), s * (1.0 - s), SIGMA_REL, SIGMA_ABS, f"σ(1 - σ) at {x!r}")


@given(wide_floats())
def test_sigmoid_is_symmetric_and_its_derivative_even(x: float) -> None:
    # σ(-x) = 1 - σ(x): the right side subtracts from 1 a σ carrying up to 3 U
    # absolute error, which is all there is of it once σ(x) rounds to 1; 4 U absolute.
    left, *d_left = derivatives(lambda v: (-v).sigmoid(), x)
    right, *d_right = derivatives(lambda v: 1 - v.sigmoid(), x)
    assert_close(left, right, 4 * U, 4 * U, f"σ(-x) vs 1 - σ(x) at x={x!r}")
    assert_close(left, sigma(-x), 3 * U, 0.0, f"σ(-x) at x={x!r}")
    # d/dx σ(-x) = -σ'(-x) and d/dx (1 - σ(x)) = -σ'(x); both are -σ'(x)
    assert_all_close(tuple(d_left), -sigma_prime(x), SIGMA_REL, SIGMA_ABS, f"d σ(-x)/dx at {x!r}")
    assert_all_close(
        tuple(d_right), -sigma_prime(x), SIGMA_REL, SIGMA_ABS, f"d (1 - σ(x))/dx at {x!r}"
    )
    # σ'(-x) = σ'(x): each side is within SIGMA of the truth, so within twice of each other
    _, *at_minus = derivatives(Value.sigmoid, -x)
    _, *at_plus = derivatives(Value.sigmoid, x)
    for a, b in zip(at_minus, at_plus, strict=True):
        assert_close(a, b, 2 * SIGMA_REL, 2 * SIGMA_ABS, f"σ'(-x) vs σ'(x) at x={x!r}")


# --- tanh --------------------------------------------------------------------------

# math.tanh is within about 1 ulp (2 U); 1 - t·t then carries up to ~5 U absolute
# error from t² when |t| is near 1 (all of 1 - t² once t rounds to ±1), a few U
# relative elsewhere. Allowed: 8 U relative, 8 U absolute.
TANH_REL, TANH_ABS = 8 * U, 8 * U


@given(wide_floats())
def test_tanh_derivative_is_one_minus_tanh_squared(x: float) -> None:
    value, *d = derivatives(Value.tanh, x)
    assert_same(value, math.tanh(x), f"tanh({x!r})")
    assert_all_close(tuple(d), sech2(x), TANH_REL, TANH_ABS, f"tanh'({x!r})")
    t = math.tanh(x)
    assert_all_close(tuple(d), 1.0 - t * t, TANH_REL, TANH_ABS, f"1 - tanh² at {x!r}")


@given(wide_floats())
def test_tanh_is_a_stretched_sigmoid(x: float) -> None:
    # tanh(x) = 2σ(2x) - 1. The right side subtracts 1 from 2σ, which carries up to
    # 6 U absolute error: fine for |tanh| near 1, but for x near 0 that error is
    # large relative to tanh(x) ≈ x, so the comparison is absolute: 8 U.
    left, *d_left = derivatives(Value.tanh, x)
    right, *d_right = derivatives(lambda v: 2 * (2 * v).sigmoid() - 1, x)
    assert_close(right, left, 8 * U, 8 * U, f"2σ(2x) - 1 vs tanh(x) at x={x!r}")
    assert_close(right, 2 * sigma(2 * x) - 1, 8 * U, 8 * U, f"2σ(2x) - 1 at x={x!r}")
    # d/dx (2σ(2x) - 1) = 4σ'(2x): four times σ' with its 4 U absolute floor
    assert_all_close(tuple(d_left), sech2(x), TANH_REL, TANH_ABS, f"tanh'({x!r})")
    assert_all_close(tuple(d_right), sech2(x), SIGMA_REL, 4 * SIGMA_ABS, f"4σ'(2x) at x={x!r}")


# --- exp and log -------------------------------------------------------------------


def math_exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


@given(st.floats(allow_nan=False))
def test_exp_is_its_own_derivative(x: float) -> None:
    # exp reuses its output as its derivative: both are math.exp(x) to the bit,
    # inf past 709.78, 0 far below.
    value, *d = derivatives(Value.exp, x)
    assert_same(value, math_exp(x), f"exp({x!r})")
    assert_same(tuple(d), math_exp(x), f"exp'({x!r})")


@given(st.floats(min_value=0.0, exclude_min=True, allow_nan=False))
def test_log_derivative_is_one_over_x(x: float) -> None:
    # every positive float, subnormals and inf included. 1/x is correctly rounded;
    # the engine's x**-1 goes through pow, within 1 ulp (2 U) of it: allowed 2 U.
    # For subnormal x both overflow to inf.
    value, *d = derivatives(Value.log, x)
    assert_same(value, math.log(x), f"log({x!r})")
    assert_all_close(tuple(d), 1.0 / x, 2 * U, 0.0, f"log'({x!r})")


# --- powers --------------------------------------------------------------------------


def power_by_products(x: float, n: int) -> float:
    """xⁿ for an integer n by |n| - 1 multiplications (and a division for n < 0)."""
    result = 1.0
    for _ in range(abs(n)):
        result *= x
    return 1.0 / result if n < 0 else result


MAGNITUDES = st.one_of(finite_floats(1e-30, 1e30), finite_floats(0.5, 2.0))


@given(MAGNITUDES, st.booleans(), st.integers(-8, 8))
def test_power_rule_for_integer_exponents(magnitude: float, negative: bool, n: int) -> None:
    # |x| in [1e-30, 1e30] keeps every x^k with |k| <= 9 a normal float. The
    # reference multiplies |n| times, each product rounding by U; the engine's pow
    # is within 2 U: allowed 2(|n| + 2) U relative.
    x = -magnitude if negative else magnitude
    value, *d = derivatives(lambda v: v**n, x)
    rel = 2 * (abs(n) + 2) * U
    assert_close(value, power_by_products(x, n), rel, 0.0, f"{x!r}**{n}")
    assert_all_close(tuple(d), n * power_by_products(x, n - 1), rel, 0.0, f"(x**{n})' at {x!r}")


@given(st.floats())
def test_zeroth_power_is_flat_everywhere(x: float) -> None:
    # x**0 = 1 for every float x (IEEE pow(x, 0) is 1 even for nan), so its
    # derivative is 0 everywhere: also where 0·x**-1 would be 0·inf = nan
    # (x = ±0 and subnormal x).
    value, *d = derivatives(lambda v: v**0, x)
    assert value == 1.0
    assert_same(tuple(d), 0.0, f"(x**0)' at {x!r}")


@given(finite_floats(1e-30, 1e30), finite_floats(-4.0, 4.0))
def test_power_rule_for_real_exponents(x: float, c: float) -> None:
    # The reference is exp(c·log x). exp turns an absolute error in its argument
    # into the same relative error, and c·log x is off by about 2U·|c log x|, so:
    # allowed (4 + 4|c log x| + 4|(c-1) log x|) U relative, at most ~1.5e-13.
    lx = math.log(x)
    rel = (4 + 4 * abs(c * lx) + 4 * abs((c - 1) * lx)) * U
    value, *d = derivatives(lambda v: v**c, x)
    assert_close(value, math.exp(c * lx), rel, 0.0, f"{x!r}**{c!r}")
    assert_all_close(tuple(d), c * math.exp((c - 1) * lx), rel, 0.0, f"(x**{c!r})' at {x!r}")


@given(finite_floats(1e-30, 1e30), finite_floats(-4.0, 4.0))
def test_power_with_a_variable_exponent(x: float, y: float) -> None:
    # ∂(x^y)/∂x = y·x^(y-1) and ∂(x^y)/∂y = x^y·ln x, references as above.
    lx = math.log(x)
    rel = (6 + 4 * abs(y * lx) + 4 * abs((y - 1) * lx)) * U
    base, exponent = Value(x, "x"), Value(y, "y")
    out = base**exponent
    out.backward()
    by_grad = [g.data for g in grad(out, [base, exponent])]
    assert_close(out.data, math.exp(y * lx), rel, 0.0, f"{x!r}**{y!r}")
    for name, got in (("backward", [base.grad, exponent.grad]), ("grad", by_grad)):
        assert_close(got[0], y * math.exp((y - 1) * lx), rel, 0.0, f"∂x^y/∂x by {name}()")
        assert_close(got[1], math.exp(y * lx) * lx, rel, 0.0, f"∂x^y/∂y by {name}()")


# --- product, quotient, chain, linearity ------------------------------------------------

# Smooth functions of one variable with their derivatives by textbook formula in
# math. Compositions below stay on x in [-1.5, 1.5], where every inner value is
# finite (the largest, exp(exp(exp(1.5))), is about 1.6e38).
FUNCTIONS: dict[
    str, tuple[Callable[[Value], Value], Callable[[float], float], Callable[[float], float]]
] = {
    "exp": (Value.exp, math.exp, math.exp),
    "sigmoid": (Value.sigmoid, sigma, lambda x: sigma(x) * (1.0 - sigma(x))),
    "tanh": (Value.tanh, math.tanh, lambda x: 1.0 - math.tanh(x) ** 2),
    "log(1+x²)": (
        lambda v: (v * v + 1.0).log(),
        lambda x: math.log(x * x + 1.0),
        lambda x: 2.0 * x / (x * x + 1.0),
    ),
    "x³": (lambda v: v**3, lambda x: x**3, lambda x: 3.0 * x * x),
    "relu": (Value.relu, lambda x: max(x, 0.0), lambda x: 1.0 if x > 0.0 else 0.0),
    "2 - x": (lambda v: 2 - v, lambda x: 2.0 - x, lambda x: -1.0),
    "x": (lambda v: v, lambda x: x, lambda x: 1.0),
}
POSITIVE = ("exp", "sigmoid", "log(1+x²)")  # denominators: positive on [-1.5, 1.5] but at 0
NAMES = st.sampled_from(sorted(FUNCTIONS))
SMALL = finite_floats(-1.5, 1.5)

# A factor f'(y) computed by the engine and by the reference differs by rounding:
# relative 1e-12 covers the conditioning of f' at |y| <= 90 (exp: 90 U) with a
# wide margin, and 4 U absolute covers σ' and tanh' near saturation (see above).
F_REL, F_ABS = 1e-12, 4 * U


@given(finite_floats(), finite_floats())
def test_product_rule_on_two_variables(a: float, b: float) -> None:
    # ∂(ab)/∂a = b and ∂(ab)/∂b = a, exactly: the upstream gradient is 1.0.
    x, y = Value(a, "a"), Value(b, "b")
    out = x * y
    out.backward()
    dx, dy = grad(out, [x, y])
    assert out.data == a * b
    assert (x.grad, dx.data) == (b, b), f"∂(ab)/∂a should be b = {b!r}"
    assert (y.grad, dy.data) == (a, a), f"∂(ab)/∂b should be a = {a!r}"


@given(NAMES, NAMES, SMALL)
def test_product_rule(f_name: str, g_name: str, x: float) -> None:
    f, fv, fd = FUNCTIONS[f_name]
    g, gv, gd = FUNCTIONS[g_name]
    terms = (fd(x) * gv(x), fv(x) * gd(x))  # (fg)' = f'g + fg'
    scale = sum(F_REL * abs(t) for t in terms) + F_ABS * (abs(fv(x)) + abs(gv(x)))
    _, *d = derivatives(lambda v: f(v) * g(v), x)
    assert_all_close(tuple(d), sum(terms), 0.0, scale, f"({f_name})·({g_name}) at {x!r}")


@given(finite_floats(-1e100, 1e100), finite_floats(1e-100, 1e100), st.booleans())
def test_quotient_rule_on_two_variables(a: float, magnitude: float, negative: bool) -> None:
    # ∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = -a/b². The engine goes through b**-1 and b**-2
    # (pow, 2 U each) and one or two products; the reference through one or two
    # divisions and a product: allowed 8 U relative. The ranges keep a/b² finite.
    b = -magnitude if negative else magnitude
    x, y = Value(a, "a"), Value(b, "b")
    out = x / y
    out.backward()
    dx, dy = grad(out, [x, y])
    assert_close(out.data, a / b, 4 * U, 0.0, f"{a!r} / {b!r}")
    for name, (ga, gb) in (("backward", (x.grad, y.grad)), ("grad", (dx.data, dy.data))):
        assert_close(ga, 1.0 / b, 8 * U, 0.0, f"∂(a/b)/∂a by {name}()")
        assert_close(gb, -a / (b * b), 8 * U, 0.0, f"∂(a/b)/∂b by {name}()")


@given(NAMES, st.sampled_from(POSITIVE), SMALL)
def test_quotient_rule(f_name: str, g_name: str, x: float) -> None:
    f, fv, fd = FUNCTIONS[f_name]
    g, gv, gd = FUNCTIONS[g_name]
    if g_name == "log(1+x²)":  # log(1 + x²) is 0 at 0: shift it to stay positive
        g, gv = (lambda v: (v * v + 1.0).log() + 1.0), (lambda x: math.log(x * x + 1.0) + 1.0)
    terms = (fd(x) * gv(x), -fv(x) * gd(x))  # (f/g)' = (f'g - fg') / g²
    g2 = gv(x) ** 2
    scale = (sum(F_REL * abs(t) for t in terms) + F_ABS * (abs(fv(x)) + abs(gv(x)))) / g2
    _, *d = derivatives(lambda v: f(v) / g(v), x)
    assert_all_close(tuple(d), sum(terms) / g2, 0.0, scale, f"({f_name})/({g_name}) at {x!r}")


@given(st.lists(NAMES, min_size=1, max_size=3), SMALL)
def test_chain_rule(names: list[str], x: float) -> None:
    # f_k(...f_1(x)): the derivative is the product of f_i'(y_i) at the inner values
    # y_i, each factor good to F_REL relative and F_ABS absolute; the error of a
    # product is bounded by the sum over factors of (its error × the other factors).
    inner, factors = x, []
    for name in names:
        factors.append(FUNCTIONS[name][2](inner))
        inner = FUNCTIONS[name][1](inner)
    want = math.prod(factors)
    scale = sum(
        (F_REL * abs(fi) + F_ABS) * math.prod(abs(fj) for j, fj in enumerate(factors) if j != i)
        for i, fi in enumerate(factors)
    )

    def composed(v: Value) -> Value:
        for name in names:
            v = FUNCTIONS[name][0](v)
        return v

    value, *d = derivatives(composed, x)
    assert_close(value, inner, F_REL, F_ABS, f"{' ∘ '.join(reversed(names))} at {x!r}")
    assert_all_close(tuple(d), want, 0.0, scale, f"({' ∘ '.join(reversed(names))})' at {x!r}")


@given(NAMES, NAMES, finite_floats(-1e3, 1e3), finite_floats(-1e3, 1e3), SMALL)
def test_derivative_is_linear(f_name: str, g_name: str, a: float, b: float, x: float) -> None:
    # ∂(af + bg) = a ∂f + b ∂g, against the reference and against the engine's own
    # ∂f and ∂g; the bound is cancellation-aware: relative to |a f'| + |b g'|.
    f, _, fd = FUNCTIONS[f_name]
    g, _, gd = FUNCTIONS[g_name]
    scale = F_REL * (abs(a * fd(x)) + abs(b * gd(x))) + F_ABS * (abs(a) + abs(b))
    _, *d = derivatives(lambda v: a * f(v) + b * g(v), x)
    assert_all_close(tuple(d), a * fd(x) + b * gd(x), 0.0, scale, f"linearity at {x!r}")
    _, df, _ = derivatives(f, x)
    _, dg, _ = derivatives(g, x)
    assert_all_close(tuple(d), a * df + b * dg, 0.0, 2 * scale, f"a·∂f + b·∂g at {x!r}")


# --- relu and wsum: exact ---------------------------------------------------------------


@given(st.floats(allow_nan=False))
def test_relu_is_max_with_zero_and_its_derivative_a_step(x: float) -> None:
    # relu'(0) is 0 by convention (as in PyTorch)
    value, *d = derivatives(Value.relu, x)
    assert value == max(x, 0.0)
    assert_same(tuple(d), 1.0 if x > 0.0 else 0.0, f"relu'({x!r})")


@given(
    st.lists(
        st.tuples(finite_floats(-1e100, 1e100), finite_floats(-1e100, 1e100)),
        min_size=1,
        max_size=6,
    ),
    finite_floats(-1e100, 1e100),
)
def test_wsum_partials_are_the_other_factor_and_minus_one(
    pairs: list[tuple[float, float]], bias: float
) -> None:
    # S = Σ w_i x_i - b (the notes' unit, bias on the constant input x_0 = -1):
    # ∂S/∂w_i = x_i, ∂S/∂x_i = w_i, ∂S/∂b = -1, exactly. S itself is a sum of
    # n + 1 rounded terms: within (n + 2) U of the sum of their magnitudes.
    w = [Value(p[0], f"w{i}") for i, p in enumerate(pairs)]
    x = [Value(p[1], f"x{i}") for i, p in enumerate(pairs)]
    b = Value(bias, "b")
    s = wsum(w, x, b)
    s.backward()
    by_grad = [g.data for g in grad(s, [*w, *x, b])]
    n = len(pairs)
    magnitude = sum(abs(wi * xi) for wi, xi in pairs) + abs(bias)
    want = math.fsum([wi * xi for wi, xi in pairs] + [-bias])
    assert_close(s.data, want, 0.0, (n + 2) * U * magnitude, "S")
    expected = [xi for _, xi in pairs] + [wi for wi, _ in pairs] + [-1.0]
    assert [v.grad for v in (*w, *x, b)] == expected
    assert by_grad == expected


# --- second derivatives through grad(create_graph=True) ------------------------------------

# The first derivative is rebuilt as a graph of Values (out·(1 - out) for σ,
# 1 - out·out for tanh) and differentiated again. σ'' = σ'·((1 - σ) - σ) and
# tanh'' = (-t - t)(1 - t²): the absolute floors of σ' and tanh' (4 and 8 U) are
# multiplied by |1 - 2σ| <= 1 and |2t| <= 2, plus a few U relative. Allowed:
# 16 U relative, 16 U absolute.
SECOND_REL, SECOND_ABS = 16 * U, 16 * U


@given(wide_floats())
def test_sigmoid_second_derivative(x: float) -> None:
    first, *second = second_derivatives(Value.sigmoid, x)
    assert_close(first, sigma_prime(x), SIGMA_REL, SIGMA_ABS, f"σ'({x!r})")
    assert_all_close(tuple(second), sigma_second(x), SECOND_REL, SECOND_ABS, f"σ''({x!r})")
    s = sigma(x)
    want = s * (1 - s) * (1 - 2 * s)
    assert_all_close(tuple(second), want, SECOND_REL, SECOND_ABS, f"σ'(1 - 2σ) at {x!r}")


@given(wide_floats())
def test_tanh_second_derivative(x: float) -> None:
    first, *second = second_derivatives(Value.tanh, x)
    t = math.tanh(x)
    assert_close(first, sech2(x), TANH_REL, TANH_ABS, f"tanh'({x!r})")
    want = -2.0 * t * sech2(x)
    assert_all_close(tuple(second), want, SECOND_REL, SECOND_ABS, f"tanh''({x!r})")
    want = -2.0 * t * (1.0 - t * t)
    assert_all_close(tuple(second), want, SECOND_REL, SECOND_ABS, f"-2 tanh (1 - tanh²) at {x!r}")
