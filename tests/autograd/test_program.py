"""autograd.trace and Program: the traced program computes what the eager engine computes.

- Evaluating a program runs each equation's row forward on floats; on random graphs
  over every public row (and every composition of the operators) it equals the eager
  engine's Values bit for bit, at the numbers it was traced at and at other numbers
  (the graph rebuilt there), inf, nan and signed zeros included.
- The printed program is one equation per line in the notes' names.
- Bad arguments are refused with a message that says what was received.
"""

from __future__ import annotations

import math

import pytest
from compare import same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import OPS, ROWS, Graph, graphs, wide_floats

from autograd import Constant, Program, Value, register, trace
from autograd.ops import RULES, Notation, Rule
from autograd.program import Equation, Var, simplify

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)

ANY_FLOAT = st.one_of(
    wide_floats(),
    st.sampled_from([0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -1e-310, 1.0, -1.0]),
)
"""Every float, nan and the signed zeros included, leaning to moderate ones."""


def built(graph: Graph, numbers: list[float]) -> tuple[list[Value], Value]:
    leaves = [Value(x) for x in numbers]
    return leaves, graph.build(leaves)[-1]


# --- evaluation equals the eager engine ----------------------------------------------


@SETTINGS
@given(
    st.one_of(graphs(values=ANY_FLOAT, ops=ROWS), graphs(values=ANY_FLOAT, ops=OPS)),
    st.data(),
)
def test_program_equals_the_engine_on_random_graphs(graph: Graph, data: st.DataObject) -> None:
    leaves, out = built(graph, list(graph.leaves))
    program = trace(out, leaves)
    assert same(program(*graph.leaves)[0], out.data)
    # at other numbers: the same program, and the graph built anew there
    numbers = data.draw(st.lists(ANY_FLOAT, min_size=len(leaves), max_size=len(leaves)))
    _, again = built(graph, numbers)
    assert same(program(*numbers)[0], again.data)


def test_every_public_row_is_drawn() -> None:
    public = {n for n, r in RULES.items() if r.arity in (1, 2) and not r.helper and not r.varying}
    assert set(ROWS) == public
    assert {"maximum", "atan2", "sinc", "relu"} <= set(ROWS)


def test_default_inputs_are_the_leaves_in_topological_order() -> None:
    x, y, z = Value(1.0, "x"), Value(2.0, "y"), Value(5.0, "z")  # z is not used
    program = trace((y * 3.0 + x).exp())
    assert [v.name for v in program.inputs] == ["y", "x"]
    assert program(2.0, 1.0) == (math.exp(7.0),)
    assert z.data == 5.0


def test_a_leaf_not_among_the_inputs_is_a_constant_of_the_program() -> None:
    x, w = Value(2.0, "x"), Value(3.0, "w")
    program = trace(w * x, [x])
    w.data = 100.0  # the program holds w's number when it was traced
    assert [v.name for v in program.inputs] == ["x"]
    assert program.equations == (Equation(Var("t1"), RULES["mul"], (3.0, Var("x"))),)
    assert program(5.0) == (15.0,)


def test_an_interior_input_cuts_the_graph_there() -> None:
    x = Value(2.0, "x")
    h = (x * x).tanh()
    h.label = "h"
    program = trace(h.exp() + x, [h, x])
    assert [eq.rule.name for eq in program.equations] == ["exp", "add"]
    assert program(0.0, 1.0) == (2.0,)
    assert trace(h, [h]).equations == ()
    assert trace(h, [h])(7.0) == (7.0,)


def test_an_input_the_output_does_not_use() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    program = trace(x.exp(), [x, y])
    assert program(0.0, 123.0) == (1.0,)


def test_a_deep_chain_traces_without_recursion() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(5000):
        y = y.sin()
    program = trace(y)
    assert len(program.equations) == 5000
    assert same(program(0.5)[0], y.data)


def test_a_users_row_is_traced_and_evaluated() -> None:
    cube = register(
        Rule(
            "cube",
            1,
            forward=lambda x: x * x * x,
            derivative=lambda out, x: (3.0 * x * x,),
            notation=Notation.call("cube"),
        )
    )
    try:
        x = Value(2.0, "x")
        program = trace(cube(x) + 1.0)
        assert program(3.0) == (28.0,)
        assert str(program.equations[0]) == "t1 = cube(x)"
        assert program.grad()(3.0) == (27.0,)
    finally:
        del RULES["cube"]


# --- printing ------------------------------------------------------------------------


def test_print_of_the_notes_network_names_each_equation_as_the_notes_do() -> None:
    from nn import MLP
    from nn.losses import squared_error

    model = MLP(2, [2, 1], seed=0)
    loss = squared_error(model([1.0, 0.0]), [1.0])
    lines = str(trace(loss)).splitlines()
    assert lines[0].startswith("{ lambda w_11^(2), w_21^(2), w_11^(1), w_21^(1), x_1^(0),")
    assert lines[1] == "    let S_1^(1) = w_11^(1)·x_1^(0) + w_21^(1)·x_2^(0) − b_1^(1)"
    assert lines[2] == "        x_1^(1) = σ(S_1^(1))"
    assert lines[-2:] == ["        L = 0.5·t2", "    in (L) }"]
    assert trace(loss)(*[v.data for v in trace_inputs(loss)]) == (loss.data,)


def trace_inputs(out: Value) -> list[Value]:
    from autograd import topological_order

    return [v for v in topological_order(out) if not v.op and not isinstance(v, Constant)]


def test_print_names_unlabelled_nodes_by_the_callers_variables() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a * b
    d = (c + b).relu()
    assert str(trace(d)) == (
        "{ lambda a, b .\n    let c = a·b\n        t1 = c + b\n        d = relu(t1)\n    in (d) }"
    )


def test_a_repeated_label_gets_a_number() -> None:
    x1, x2 = Value(1.0, "x"), Value(2.0, "x")
    program = trace(x1 * x2)
    assert [v.name for v in program.inputs] == ["x", "x2"]
    assert str(program.equations[0]) == "t1 = x·x2"


# --- simplification ------------------------------------------------------------------


def test_simplify_keeps_x_plus_zero_whose_sign_it_would_change() -> None:
    x = Var("x")
    plus_zero = Program((x,), (Equation(Var("a"), RULES["add"], (x, 0.0)),), (Var("a"),))
    minus_zero = Program((x,), (Equation(Var("a"), RULES["add"], (x, -0.0)),), (Var("a"),))
    assert len(simplify(plus_zero).equations) == 1
    assert same(simplify(plus_zero)(-0.0)[0], 0.0)
    assert simplify(minus_zero).equations == ()
    assert same(simplify(minus_zero)(-0.0)[0], -0.0)


def test_simplify_undoes_a_double_negation_and_drops_dead_equations() -> None:
    x = Var("x")
    eqs = (
        Equation(Var("a"), RULES["mul"], (x, -1.0)),
        Equation(Var("b"), RULES["mul"], (-1.0, Var("a"))),
        Equation(Var("c"), RULES["exp"], (Var("b"),)),
    )
    assert str(simplify(Program((x,), eqs, (Var("c"),)))) == (
        "{ lambda x .\n    let c = exp(x)\n    in (c) }"
    )


# --- bad arguments -------------------------------------------------------------------


def test_bad_arguments_say_what_was_received() -> None:
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="trace needs a Value to trace, got float"):
        trace(2.0)
    with pytest.raises(TypeError, match="not Constants; inputs\\[0\\] is Constant"):
        trace(x * 2, [Constant(2.0)])
    with pytest.raises(ValueError, match=r"inputs\[1\] .* is given twice"):
        trace(x * 2, [x, x])
    with pytest.raises(TypeError, match="a list of Values, got Value"):
        trace(x * 2, x)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="takes 1 numbers \\(x\\), got 2"):
        trace(x * 2)(1.0, 2.0)
    with pytest.raises(TypeError, match=r"input x must be a real number .* got str"):
        trace(x * 2)("1")
