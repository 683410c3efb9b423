"""The engine's guarantees: exact division, PyTorch's zeros, a backward that commits or
changes nothing, threads, per-context anomaly mode, and custom rows."""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Iterator
from fractions import Fraction

import pytest
from compare import bits, same
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import ROWS, Graph, graphs

import autograd
from autograd import (
    RULES,
    Constant,
    Notation,
    Rule,
    Value,
    compile,
    detect_anomaly,
    formulas,
    grad,
    gradcheck,
    register,
    topological_order,
    wsum,
)
from autograd.formula import Formula, to_text

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
nonzero = finite.filter(lambda y: y != 0.0)


# --- division is its own row: correctly rounded ---------------------------------------


def exact(q: Fraction) -> float:
    """The float nearest to the exact number ``q`` (±inf beyond the float range)."""
    try:
        return float(q)
    except OverflowError:
        return math.inf if q > 0 else -math.inf


@given(finite, nonzero)
def test_division_is_correctly_rounded(x: float, y: float) -> None:
    # Fraction arithmetic is exact; float() of it rounds once, to nearest: IEEE division
    assert (Value(x) / y).data == exact(Fraction(x) / Fraction(y))
    assert (x / Value(y)).data == exact(Fraction(x) / Fraction(y))


def test_division_cases_the_issue_names() -> None:
    assert (Value(49.0) / 49).data == 1.0
    assert (Value(1e-300) / 5e-324).data == exact(Fraction(1e-300) / Fraction(5e-324))
    x, y = Value(1e-300), Value(1e-160)
    (x / y).backward()  # ∂/∂y = -x/y² is -1e20; through y**-2 it would overflow to -inf
    assert y.grad == pytest.approx(float(-Fraction(1e-300) / Fraction(1e-160) ** 2), rel=1e-15)
    assert x.grad == exact(1 / Fraction(1e-160))


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [(1.0, 0.0, math.inf), (-1.0, 0.0, -math.inf), (1.0, -0.0, -math.inf), (0.0, 0.0, math.nan)],
)
def test_division_by_zero_is_ieee(x: float, y: float, expected: float) -> None:
    got = (Value(x) / Value(y)).data
    assert got == expected or (math.isnan(got) and math.isnan(expected))


# --- zeros that stay zero (PyTorch's answers) -------------------------------------------


@pytest.mark.parametrize("g", [math.inf, -math.inf, math.nan])
def test_a_masking_zero_blocks_inf_and_nan_upstream(g: float) -> None:
    x = Value(-1.0)
    (x.relu() * g).backward()  # relu's derivative below 0 is 0: exactly 0 reaches x
    assert x.grad == 0.0
    z = Value(0.0)
    (z.abs() * g).backward()  # the derivative of |z| at 0 is 0
    assert z.grad == 0.0
    w = Value(3.0)
    ((w**0.0) * g).backward()  # x ** 0 is flat
    assert w.grad == 0.0


def test_a_plain_product_with_zero_still_gives_nan_as_pytorch() -> None:
    x = Value(0.0)
    (x * 0.0 * math.inf).backward()  # mul is not a masking op: 0 · inf is nan
    assert math.isnan(x.grad)


def test_zero_to_a_variable_zero_power_has_zero_gradients() -> None:
    x, y = Value(0.0), Value(0.0)
    out = x**y
    out.backward()
    assert (out.data, x.grad, y.grad) == (1.0, 0.0, 0.0)  # PyTorch: 1, 0, 0


def test_relu_passes_the_gradient_at_nan_as_pytorch() -> None:
    x = Value(math.nan)
    x.relu().backward()  # PyTorch's threshold_backward: nan <= 0 is False, so 1 passes
    assert x.grad == 1.0


# --- backward commits or changes nothing --------------------------------------------------


def _raising_rule(name: str, error: type[BaseException]) -> Rule:
    def derivative(out: object, *inputs: object) -> tuple[object, ...]:
        raise error

    return dataclasses.replace(RULES[name], derivative=derivative)


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_an_interrupted_backward_leaves_every_grad_as_it_was(
    error: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(RULES, "mul", _raising_rule("mul", error))  # fails half-way down
    a, b = Value(2.0, "a"), Value(3.0, "b")
    a.grad, b.grad = 42.0, -7.0
    hidden = a * b
    hidden.grad = 5.0
    out = hidden.exp() + a
    before = [v.grad for v in (a, b, hidden, out)]
    with pytest.raises(error):
        out.backward()
    assert [v.grad for v in (a, b, hidden, out)] == before


def test_an_anomaly_in_backward_changes_nothing() -> None:
    x = Value(0.0, "x")
    x.grad = 1.5
    y = x.sqrt()  # sqrt(0) is finite; its derivative 0.5/0 is not
    with detect_anomaly(), pytest.raises(FloatingPointError, match="backward sqrt"):
        y.backward()
    assert x.grad == 1.5


def test_threads_sharing_leaves_get_exact_sums() -> None:
    w = Value(1.0, "w")
    per_thread, threads = 50, 8

    def work() -> None:
        for _ in range(per_thread):
            (w * 1.0).backward()  # adds exactly 1.0 to w.grad

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert w.grad == per_thread * threads


def test_detect_anomaly_applies_to_the_thread_that_entered_it_only() -> None:
    other_result: list[float] = []
    entered, done = threading.Event(), threading.Event()

    def elsewhere() -> None:
        entered.wait()
        other_result.append(Value(-1.0).log().data)  # harmless here: no anomaly mode
        done.set()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    with detect_anomaly():
        entered.set()
        done.wait()
        with pytest.raises(FloatingPointError):
            Value(-1.0).log()
    thread.join()
    assert math.isnan(other_result[0])


@pytest.mark.parametrize("bad", ["2", None, True, 1j, [1.0]])
def test_assigning_data_that_is_not_a_real_number_raises_at_once(bad: object) -> None:
    x = Value(1.0)
    with pytest.raises(TypeError, match=type(bad).__name__):
        x.data = bad
    assert x.data == 1.0
    x.data = 2  # any real number is stored as a float
    assert x.data == 2.0


# --- a user's own row ------------------------------------------------------------------------


@pytest.fixture
def cube() -> Iterator[object]:
    f = register(
        Rule(
            "cube",
            1,
            forward=lambda x: x * x * x,
            derivative=lambda out, x: (3.0 * x * x,),
            notation=Notation.call("cube"),
        )
    )
    yield f
    del RULES["cube"]


def test_a_custom_row_works_everywhere_with_no_other_change(cube: object) -> None:
    f: object = cube
    assert callable(f)
    x = Value(1.5, "x")
    y = f(x) * x  # x⁴
    y.backward()
    assert x.grad == pytest.approx(4 * 1.5**3, rel=1e-15)
    (dy,) = grad(y, [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    assert d2y.data == pytest.approx(12 * 1.5**2, rel=1e-15)
    assert gradcheck(lambda v: f(v).sin(), [0.7], order=2)
    compiled = compile(lambda v: f(v) + v)
    assert compiled(2.0) == (10.0, (13.0,))
    assert compiled.source.count("cube(") == 1
    pytest.importorskip("numpy")
    values, (dv,) = compiled.batch([1.0, 2.0])  # no array forward: the float one, per element
    assert values.tolist() == [2.0, 10.0]
    assert [float(d) for d in dv] == [4.0, 13.0]
    assert formulas("cube", ("x",)) == ("3.0 * x * x",)
    assert to_text(f(Formula("S"))) == "cube(S)"


@pytest.mark.parametrize("arity", [1, 2, 3])
def test_a_row_with_the_wrong_number_of_partials_is_named_and_changes_nothing(
    arity: int,
) -> None:
    row = Rule(
        f"bad{arity}",
        arity,
        forward=lambda *xs: sum(xs),
        derivative=lambda out, *xs: (1.0,) * (len(xs) + 1),  # one too many
        notation=Notation.call(f"bad{arity}"),
    )
    f = register(row)
    try:
        xs = [Value(float(i + 1), f"x{i}") for i in range(arity)]
        for x in xs:
            x.grad = 0.25
        y = (f(*xs) * 2.0).exp()
        message = f"the bad{arity} row gave {arity + 1} partials for {arity} inputs"
        with pytest.raises(ValueError, match=message):
            y.backward()
        assert [x.grad for x in xs] == [0.25] * arity
        with pytest.raises(ValueError, match=message):
            grad(y, xs)
        with pytest.raises(ValueError, match=message):
            grad(y, xs, create_graph=True)
    finally:
        del RULES[row.name]


def test_partials_that_are_not_floats_are_taken_as_their_numbers() -> None:
    row = Rule(  # int and Fraction partials: the float path takes their values
        "half_sum",
        2,
        forward=lambda x, y: (x + y) / 2,
        derivative=lambda out, x, y: (Fraction(1, 2), 1),
        notation=Notation.call("half_sum"),
    )
    f = register(row)
    try:
        x, y = Value(3.0, "x"), Value(5.0, "y")
        z = f(x, y).sigmoid()
        z.backward()
        s = 1.0 / (1.0 + math.exp(-4.0))
        assert (x.grad, y.grad) == (s * (1.0 - s) * 0.5, s * (1.0 - s) * 1.0)
        assert [type(g) for g in (x.grad, y.grad)] == [float, float]
    finally:
        del RULES[row.name]


def test_constants_take_no_gradient_and_stay_in_the_topological_order() -> None:
    x = Value(2.0, "x")
    c = Constant(3.0)
    y = (x * c + 1.0) ** 2  # Constants as inputs of mul, add and pow
    y.backward()
    assert x.grad == 2 * (2.0 * 3.0 + 1.0) * 3.0
    constants = [v for v in topological_order(y) if type(v) is Constant]
    assert constants[0] is c
    assert [v.data for v in constants] == [3.0, 1.0, 2.0]
    assert [v.grad for v in constants] == [0.0, 0.0, 0.0]
    assert [g.data for g in grad(y, [x, c])] == [x.grad, 0.0]
    with pytest.raises(ValueError, match=r"does not depend on inputs\[1\]"):
        grad(y, [x, c], allow_unused=False)


def test_register_refuses_what_is_not_a_row() -> None:
    with pytest.raises(TypeError, match="register needs a Rule, got str"):
        register("cube")
    row = dataclasses.replace(RULES["exp"], name="not a name")
    with pytest.raises(ValueError, match="identifier"):
        register(row)


# --- wsum computes its row's forward on the nodes' numbers: the same bits -------------


NUMBERS = st.one_of(st.floats(-100.0, 100.0), st.floats())  # mostly finite: rounding shows


@given(
    st.integers(0, 6).flatmap(
        lambda n: st.tuples(
            st.lists(NUMBERS, min_size=n, max_size=n),
            st.lists(NUMBERS, min_size=n, max_size=n),
            NUMBERS,
        )
    )
)
def test_wsum_gives_its_rows_forward_bit_for_bit(
    wxb: tuple[list[float], list[float], float],
) -> None:
    ws, xs, b = wxb
    expected = RULES["wsum"].forward(*ws, *xs, b)
    assert bits(wsum([Value(w) for w in ws], xs, Value(b)).data) == bits(expected)


def test_wsum_calls_a_swapped_rows_forward(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        RULES, "wsum", dataclasses.replace(RULES["wsum"], forward=lambda *wxb: 42.0)
    )
    assert wsum([Value(1.0)], [2.0], 0.5).data == 42.0


@settings(max_examples=300)
@given(
    st.lists(NUMBERS, min_size=2, max_size=3),
    st.lists(st.integers(0, 2), min_size=1, max_size=9),
)
def test_wsums_backward_gives_its_rows_partials_bit_for_bit(
    numbers: list[float], picks: list[int]
) -> None:
    # leaves used several times over, in weights, inputs and biases: the order of the terms
    # that reach one leaf decides its rounding, so both ways must add them in input order
    def gradients() -> list[bytes]:
        leaves = [Value(x) for x in numbers]
        chosen = [leaves[i % len(leaves)] for i in picks]
        half = len(chosen) // 2
        S = wsum(chosen[:half], chosen[half : 2 * half], chosen[-1])
        (S * wsum([S], [leaves[0]], leaves[1])).backward()
        return [bits(x.grad) for x in leaves]

    fast = gradients()
    row = RULES["wsum"]
    generic = dataclasses.replace(row, derivative=lambda out, *wxb: row.derivative(out, *wxb))
    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(RULES, "wsum", generic)  # not the row's own function: the generic path
        assert gradients() == fast


ANY = st.one_of(
    st.floats(),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -1e-310, 1.0, -1.0]),
)


FEW = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, math.inf, -math.inf])
"""Few numbers: ties, kinks and infinite gradients meet often."""
EVERY_ROW = (*ROWS, "sub", "neg", "wsum")


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        graphs(values=ANY, constants=ANY, ops=EVERY_ROW),
        graphs(values=FEW, constants=FEW, ops=EVERY_ROW),
    )
)
def test_the_float_fast_paths_give_chains_numbers_bit_for_bit(graph: Graph) -> None:
    # grad() on floats runs the engine's float-specialised paths; create_graph=True sends
    # every product through autograd.engine.chain, the chain rule written once, on Values:
    # every row, any float, signed zeros included (nan of any payload)
    leaves = [Value(x) for x in graph.leaves]
    out = graph.build(leaves)[-1]
    fast = grad(out, leaves)
    generic = grad(out, leaves, create_graph=True)
    for i, (f, g) in enumerate(zip(fast, generic, strict=True)):
        assert same(f.data, g.data), f"∂/∂x{i}: fast path {f.data!r}, chain {g.data!r}\n{graph}"


@pytest.mark.parametrize("g", [math.inf, -math.inf, math.nan, -2.0])
def test_a_masking_rows_zero_passes_exactly_zero_on_every_path(g: float) -> None:
    # by hand: each partial below is exactly 0, so the leaf's gradient is +0.0 whatever
    # g is (not nan from inf·0, not −0.0 from −2·0), on the fast path and through chain
    x, y, z = Value(-1.0), Value(-3.0), Value(0.0)
    cases = [  # (the node, the leaf it does not pass a gradient to)
        (x.relu(), x),
        (autograd.maximum(x, y), y),
        (autograd.minimum(y, x), x),
        (x.clamp(0.0, 1.0), x),
        (abs(z), z),
    ]
    for node, leaf in cases:
        for create_graph in (False, True):
            (d,) = grad(node * g, [leaf], create_graph=create_graph)
            assert bits(d.data) == bits(0.0), (node.op, g, create_graph, d.data)
