"""compile as printers of the traced program: value_and_grad's program, printed for floats
and for arrays, gives the eager engine's numbers over every row of the registry."""

from __future__ import annotations

import importlib
import math
import re
from typing import Any

import pytest
from compare import same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import OPS, ROWS, Graph, graphs, wide_floats

from autograd import RULES, Compiled, Value, atan2, compile, grad, trace
from autograd.printers import DEPTH, batched_namespace
from autograd.program import value_and_grad

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=120)
ANY_FLOAT = st.one_of(
    wide_floats(),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -1e-310, 1.0, -1.0]),
)
KINKS = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5])


def compiled_graph(graph: Graph, **kwargs: Any) -> Compiled:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(graph.leaves)]
    return Compiled(graph.build(leaves)[-1], leaves, **kwargs)


def eager(graph: Graph, numbers: list[float]) -> tuple[float, list[float]]:
    leaves = [Value(x) for x in numbers]
    out = graph.build(leaves)[-1]
    return out.data, [g.data for g in grad(out, leaves)]


def check_scalar(graph: Graph, numbers: list[float]) -> None:
    compiled = compiled_graph(graph)
    value, grads = compiled(*numbers)
    expected_value, expected = eager(graph, numbers)
    assert same(value, expected_value), f"{graph}\n{compiled.source}"
    for i, (a, b) in enumerate(zip(grads, expected, strict=True)):
        assert same(a, b), f"∂/∂x{i}: compiled {a!r}, engine {b!r}\n{graph}\n{compiled.source}"


@SETTINGS
@given(graphs(values=ANY_FLOAT, ops=ROWS), st.data())
def test_scalar_code_equals_the_engine_over_every_row(graph: Graph, data: st.DataObject) -> None:
    check_scalar(graph, list(graph.leaves))
    n = len(graph.leaves)
    check_scalar(graph, data.draw(st.lists(ANY_FLOAT, min_size=n, max_size=n)))


@SETTINGS
@given(graphs(values=KINKS, constants=KINKS, ops=(*ROWS, "sub", "neg", "wsum")))
def test_scalar_code_equals_the_engine_at_kinks(graph: Graph) -> None:
    check_scalar(graph, list(graph.leaves))


@SETTINGS
@given(graphs(values=ANY_FLOAT, ops=OPS), st.data())
def test_batched_code_runs_the_same_program_on_arrays(graph: Graph, data: st.DataObject) -> None:
    """Every sample of a batch is the scalar code's numbers (where the array functions are
    the float ones); a shared input's gradient sums the samples' (to the rounding of a sum)."""
    np = pytest.importorskip("numpy")
    n = len(graph.leaves)
    shared = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n - 1))
    compiled = compiled_graph(graph, shared=[f"x{i}" for i in shared])
    rows = [data.draw(st.lists(ANY_FLOAT, min_size=n, max_size=n)) for _ in range(3)]
    for i in shared:
        for row in rows:
            row[i] = rows[0][i]
    columns = [rows[0][i] if i in shared else np.array([r[i] for r in rows]) for i in range(n)]
    if " @ " in compiled.batch_source:  # a layer: matrix products add in another order
        return  # (autograd.layers; tests/autograd/test_compile_layers.py checks those)
    values, grads = exact_batch(compiled, columns)
    scalar = [compiled(*row) for row in rows]
    for k, (value, point_grads) in enumerate(scalar):
        assert same(values[k], value), compiled.batch_source
        for i in range(n):
            if i not in shared:
                assert same(grads[i][k], point_grads[i]), compiled.batch_source
    for i in shared:
        terms = [g[i] for _, g in scalar]
        total = math.fsum(terms) if all(map(math.isfinite, terms)) else sum(terms)
        magnitude = sum(abs(t) for t in terms)
        if math.isfinite(magnitude):
            assert abs(grads[i] - total) <= 1e-12 * magnitude, compiled.batch_source
        elif not math.isnan(total) and all(map(math.isfinite, terms)):
            pass  # an overflow somewhere in the sum: the order decides
        else:
            assert type(grads[i]) is float


def exact_batch(compiled: Compiled, columns: list[Any]) -> tuple[Any, tuple[Any, ...]]:
    """``compiled.batch`` with every row's float forward applied element by element."""
    np = pytest.importorskip("numpy")
    compile_module = importlib.import_module("autograd.compile")

    def namespace(xp: Any = None) -> dict[str, Any]:
        functions = batched_namespace(xp)
        for name, rule in RULES.items():
            functions[name] = np.vectorize(rule.forward, otypes=[np.float64])
        return functions

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(compile_module, "batched_namespace", namespace)
        return compiled.batch(*columns)


def test_value_and_grad_is_the_value_and_the_grad_programs_gradients() -> None:
    x, y = Value(0.5, "x"), Value(2.0, "y")
    out = (x * y).tanh() + (x / y).log()
    traced = trace(out, [x, y])
    program, gradient_of = value_and_grad(traced, [1])
    assert program(0.5, 2.0)[0] == traced(0.5, 2.0)[0]
    assert program(3.0, 0.25)[1] == traced.grad()(3.0, 0.25)[1]
    names = {str(d): str(v) for d, v in gradient_of.items()}
    assert names["dy"] == "y"  # the gradient each variable holds, for the printer's names
    assert all(d in {str(eq.out) for eq in program.equations} for d in names)


def test_the_printed_program_has_a_line_per_traced_equation() -> None:
    def neuron(w1: Value, w2: Value, b: Value, x1: Value, x2: Value) -> Value:
        s = w1 * x1 + w2 * x2 - b
        s.label = "S_1^(1)"
        return s.sigmoid()

    compiled = compile(neuron)
    forward = compiled.source.split("# forward\n")[1].split("    # backward")[0]
    assert forward.splitlines() == [
        "    w1_mul_x1 = w1 * x1",
        "    w2_mul_x2 = w2 * x2",
        "    w1_mul_x1_add_w2_mul_x2 = w1_mul_x1 + w2_mul_x2",
        "    minus_b = -b",
        "    S_1_1 = w1_mul_x1_add_w2_mul_x2 + minus_b",
        "    sigma_S_1_1 = sigmoid(S_1_1)",
    ]
    assert "    delta_S_1_1 = sigma_S_1_1 * (1.0 - sigma_S_1_1)" in compiled.source
    assert "    dL_db = -delta_S_1_1" in compiled.source


def test_a_partial_two_equations_read_is_computed_once() -> None:
    compiled = compile(lambda y, x: atan2(y, x))
    lines = compiled.source.splitlines()
    assert "    p = inv_hypot2(y, x)" in lines  # 1/(x² + y²), once for both partials
    assert "    dL_dy = x * p" in lines
    assert "    dL_dx = -y * p" in lines
    assert compiled(3.0, 4.0) == (math.atan2(3.0, 4.0), (4.0 / 25.0, -3.0 / 25.0))


def test_a_quotient_partial_that_overflows_alone_is_formed_as_the_engine_forms_it() -> None:
    compiled = compile(lambda x: x * x.log())
    assert "times_or_quotient(" in compiled.source
    x = Value(1e-310)
    (expected,) = grad(x * x.log(), [x])
    assert compiled(1e-310)[1] == (expected.data,)
    assert math.isfinite(expected.data)
    np = pytest.importorskip("numpy")
    _, (dx,) = compiled.batch(np.array([1e-310, 1.0, 0.0]))
    assert dx[0] == expected.data  # the batched code forms it too
    scalar = [compiled(v)[1][0] for v in (1e-310, 1.0, 0.0)]
    assert all(same(a, b) for a, b in zip(dx.tolist(), scalar, strict=True))


def test_inline_formulas_nest_no_deeper_than_the_limit() -> None:
    def deep(x: Value) -> Value:
        y = x
        for _ in range(3 * DEPTH):
            y = (y * y).sigmoid() + y.tanh()
        return y

    compiled = compile(deep)
    deepest = max(max(_depths(line)) for line in compiled.source.splitlines() if " = " in line)
    assert deepest <= DEPTH + 1
    x = Value(0.3)
    (expected,) = grad(deep(x), [x])
    assert compiled(0.3) == (deep(Value(0.3)).data, (expected.data,))


def _depths(line: str) -> list[int]:
    depth, found = 0, [0]
    for ch in line:
        depth += (ch == "(") - (ch == ")")
        found.append(depth)
    return found


def test_batched_code_without_layers_sums_shared_gradients_over_the_batch() -> None:
    np = pytest.importorskip("numpy")
    compiled = compile(lambda w, c, x: (w * x).exp() + c, shared=["w", "c"])
    source = compiled.batch_source
    assert source.splitlines()[0] == "def f_batch(n_samples, w, c, x):"
    assert re.search(r"float\(batch_sum\(dL_dw\)\)", source)  # per sample, then summed
    assert "float(n_samples * dL_dc)" in source  # the same for every sample: n times it
    assert "each(dL_dx, x)" in source
    xs = np.array([0.0, 1.0, -1.0])
    values, (dw, dc, dx) = compiled.batch(0.5, 2.0, xs)
    # NumPy's exp, a few ulps from libm's at most
    expected = [compiled(0.5, 2.0, x) for x in xs.tolist()]
    assert values.tolist() == pytest.approx([v for v, _ in expected], rel=1e-15)
    assert dx.tolist() == pytest.approx([g[2] for _, g in expected], rel=1e-15)
    assert dc == 3.0
    assert dw == pytest.approx(sum(compiled(0.5, 2.0, x)[1][0] for x in xs.tolist()), rel=1e-15)
