"""Program.grad: the gradient program computes autograd.grad's numbers bit for bit.

The gradient program is built by reverse mode over the equations, each row's
``derivative`` run on the program's variables. Evaluated, it must give what the eager
engine gives (``autograd.grad``, which multiplies floats node by node): on random graphs
over every public row and every operator composition, at any float (inf, nan, ±0,
subnormals), at kinks (relu at exactly 0, ties of maximum and minimum, clamp at its
bounds) and where a partial overflows alone (log's 1/x at a subnormal x).
"""

from __future__ import annotations

import math

from compare import same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from learners import micrograd_readme
from strategies import OPS, ROWS, Graph, graphs, wide_floats

import autograd
from autograd import RULES, Value, grad, trace
from autograd.program import _Builder, simplify

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)

ANY_FLOAT = st.one_of(
    wide_floats(),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -1e-310, 1.0, -1.0]),
)
KINKS = st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5])
"""Few numbers, so that ties (maximum(x, x), x − x = 0 under relu) come often."""


def check(graph: Graph, numbers: list[float]) -> None:
    """The gradient program, traced once at the graph's own leaves, equals autograd.grad
    of the graph built at ``numbers``."""
    leaves = [Value(x) for x in graph.leaves]
    gradient = trace(graph.build(leaves)[-1], leaves).grad()
    again = [Value(x) for x in numbers]
    expected = [g.data for g in grad(graph.build(again)[-1], again)]
    got = gradient(*numbers)
    assert len(got) == len(expected)
    for i, (a, b) in enumerate(zip(got, expected, strict=True)):
        assert same(a, b), f"∂/∂x{i}: program {a!r}, engine {b!r}\n{graph}"


@SETTINGS
@given(graphs(values=ANY_FLOAT, ops=ROWS), st.data())
def test_gradient_program_equals_grad_over_every_row(graph: Graph, data: st.DataObject) -> None:
    check(graph, list(graph.leaves))
    n = len(graph.leaves)
    check(graph, data.draw(st.lists(ANY_FLOAT, min_size=n, max_size=n)))


@SETTINGS
@given(graphs(values=ANY_FLOAT, ops=OPS))
def test_gradient_program_equals_grad_over_the_operators(graph: Graph) -> None:
    check(graph, list(graph.leaves))


@SETTINGS
@given(graphs(values=KINKS, constants=KINKS, ops=(*ROWS, "sub", "neg", "wsum")))
def test_gradient_program_equals_grad_at_kinks(graph: Graph) -> None:
    check(graph, list(graph.leaves))


def test_relu_at_zero_passes_exactly_zero_even_from_an_infinite_gradient() -> None:
    x, w = Value(0.0, "x"), Value(math.inf, "w")
    gradient = trace(x.relu() * w, [x, w]).grad()
    assert gradient(0.0, math.inf) == (0.0, 0.0)  # not inf · 0 = nan
    assert [g.data for g in grad(x.relu() * w, [x, w])] == [0.0, 0.0]
    assert "mul0(" in str(gradient)


def test_ties_of_maximum_and_minimum_and_clamp_at_its_bounds() -> None:
    x, y = Value(1.0, "x"), Value(1.0, "y")
    for out in (autograd.maximum(x, y), autograd.minimum(x, y), x.clamp(1.0, 2.0) * y):
        expected = tuple(g.data for g in grad(out, [x, y]))
        assert trace(out, [x, y]).grad()(1.0, 1.0) == expected
    assert trace(autograd.maximum(x, y), [x, y]).grad()(1.0, 1.0) == (0.5, 0.5)


def test_a_partial_that_overflows_alone_is_taken_as_its_quotient() -> None:
    x = Value(1e-310, "x")
    out = x * x.log()  # ∂/∂x = log(x) + x · (1/x), and 1/x is inf at 1e-310
    gradient = trace(out).grad()
    (expected,) = grad(out, [x])
    assert math.isfinite(expected.data)
    assert gradient(1e-310) == (expected.data,)
    two = Value(2.0)
    assert gradient(2.0) == (grad(two * two.log(), [two])[0].data,)


def test_micrograd_readme_expression() -> None:
    a, b, g = micrograd_readme(Value)
    gradient = trace(g).grad()
    ga, gb = gradient(-4.0, 2.0)
    assert (round(ga, 4), round(gb, 4)) == (138.8338, 645.5773)  # micrograd's README
    assert (ga, gb) == tuple(v.data for v in grad(g, [a, b]))


def test_the_output_itself_an_unused_input_and_a_constant_output() -> None:
    x, y = Value(3.0, "x"), Value(4.0, "y")
    assert trace(x, [x, y]).grad()(3.0, 4.0) == (1.0, 0.0)
    z = Value(2.0, "z")
    assert trace(z * 2.0, [x]).grad()(3.0) == (0.0,)  # z is a constant of the program


def test_second_derivative_is_the_gradient_of_the_gradient_program() -> None:
    x = Value(2.0, "x")
    first = trace(x**3 + x.sin()).grad()
    second = first.grad()
    (dy,) = grad(x**3 + x.sin(), [x], create_graph=True)
    (d2y,) = grad(dy, [x])
    assert first(2.0) == (dy.data,)
    assert second(2.0) == (d2y.data,)


def test_the_gradient_program_is_simplified() -> None:
    from nn import MLP
    from nn.losses import squared_error

    loss = squared_error(MLP(2, [2, 1], seed=0)([1.0, 0.0]), [1.0])
    gradient = trace(loss).grad()
    for eq in gradient.equations:
        assert any(isinstance(a, autograd.program.Var) for a in eq.inputs), str(eq)  # folded
        if eq.rule is RULES["mul"]:
            assert 1.0 not in eq.inputs, str(eq)  # x·1 is x
    names = [v.name for v in gradient.inputs]
    leaves = {v.label: v for v in autograd.topological_order(loss) if v.label in names}
    expected = tuple(g.data for g in grad(loss, [leaves[n] for n in names]))
    assert gradient(*[leaves[n].data for n in names]) == expected


def test_terms_are_added_in_the_engines_order() -> None:
    x = Value(1.0, "x")
    out = autograd.wsum([x, x, x], [1.0, 1e16, -1e16], 0.0)  # ∂/∂x: (1 + 1e16) − 1e16 = 0
    (expected,) = grad(out, [x])
    assert expected.data == 0.0  # in the other order, 1
    assert trace(out).grad()(1.0) == (0.0,)


@SETTINGS
@given(graphs(values=ANY_FLOAT, ops=(*ROWS, "sub", "neg", "wsum", "rsub", "radd")), st.data())
def test_simplification_changes_no_number(graph: Graph, data: st.DataObject) -> None:
    leaves = [Value(x) for x in graph.leaves]
    program = trace(graph.build(leaves)[-1], leaves)
    raw = _Builder(program).backward()  # the gradient program before simplify
    n = len(leaves)
    for numbers in (list(graph.leaves), data.draw(st.lists(ANY_FLOAT, min_size=n, max_size=n))):
        for before, after in ((program, simplify(program)), (raw, simplify(raw))):
            for a, b in zip(before(*numbers), after(*numbers), strict=True):
                assert same(a, b), f"{before}\n{after}"
