"""Grouped batched code: a layer's W and b as arrays in and out, an L2 penalty as whole
arrays; the same gradients as the scalar-by-scalar batched code and the eager engine."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest
from compare import same
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from strategies import OPS, Graph, Network, Step, graphs, networks

from autograd import Compiled, Value, compile, wsum
from nn import MLP, hinge, l2, squared_error

np = pytest.importorskip("numpy")


def penalised_loss(
    network: Network, penalty: float
) -> tuple[Compiled, list[Value], list[Value], list[Value]]:
    """One sample's ½Σ(y - t)² + penalty·Σp², the parameters shared, the inputs in wrt."""
    model = network.build()
    params = model.parameters()
    xs = [Value(0.0, f"x_{i + 1}^(0)") for i in range(network.n_in)]
    ts = [Value(0.0, f"t_{c + 1}") for c in range(network.layer_sizes[-1])]
    loss = squared_error(model(xs), ts)  # type: ignore[arg-type]
    if penalty:
        loss = loss + penalty * l2(params)
    names = [p.label for p in params]
    compiled = Compiled(
        loss, [*params, *xs, *ts], wrt=[*names, *(x.label for x in xs)], shared=names
    )
    return compiled, params, xs, ts


def eager_gradients(
    network: Network, penalty: float, samples: list[list[float]]
) -> tuple[list[float], list[float], list[list[float]]]:
    """Each sample's loss, the parameters' gradients summed over the samples, and each
    sample's input gradients, by the eager engine."""
    n_in = network.n_in
    total = [0.0] * len(network.parameters)
    losses, inputs = [], []
    for sample in samples:
        model = network.build()
        leaves = [Value(d) for d in sample[:n_in]]
        loss = squared_error(model(leaves), sample[n_in:])
        if penalty:
            loss = loss + penalty * l2(model.parameters())
        loss.backward()
        losses.append(loss.data)
        for i, p in enumerate(model.parameters()):
            total[i] += p.grad
        inputs.append([v.grad for v in leaves])
    return losses, total, inputs


@settings(max_examples=40)
@given(
    network=networks(max_layers=3, max_width=4),
    n=st.integers(1, 5),
    seed=st.integers(0, 99),
    penalty=st.sampled_from([0.0, 1e-3]),
)
def test_grouped_gradients_are_the_batched_ones_and_the_eager_ones(
    network: Network, n: int, seed: int, penalty: float
) -> None:
    compiled, params, xs, ts = penalised_loss(network, penalty)
    assert list(compiled.groups)[:2] == ["W_1", "b_1"]
    rng = random.Random(seed)
    samples = [[rng.uniform(-3, 3) for _ in xs + ts] for _ in range(n)]
    columns = np.array(samples).T
    values = [p.data for p in params]
    groups = compiled.group(values)
    grouped_values, grouped = compiled.batch_grouped(*groups, *columns)
    batch_values, batched = compiled.batch(*values, *columns)
    arrays = grouped[: len(groups)]
    for a, shape in zip(arrays, [np.shape(g) for g in groups], strict=True):
        assert a.shape == shape  # a gradient has its group's shape
    assert compiled.ungroup(list(arrays)) == list(batched[: len(params)])  # to the last bit
    assert grouped_values.tolist() == batch_values.tolist()
    for got, expected in zip(grouped[len(groups) :], batched[len(params) :], strict=True):
        assert got.tolist() == expected.tolist()
    losses, eager, inputs = eager_gradients(network, penalty, samples)
    assert grouped_values.tolist() == pytest.approx(losses, rel=1e-12, abs=1e-300)
    largest = max(map(abs, eager + [g for row in inputs for g in row]), default=0.0)
    # NumPy's tanh and exp differ from libm's by an ulp or so, and tanh' = 1 - tanh² (or
    # σ' = σ(1 - σ)) can cancel that into an absolute error of ~1e-16, which the chain rule
    # multiplies by an input (|x| ≤ 3) and by ∂L/∂y (≲ 10 here): the floor is that product
    floor = 1e-16 * 3.0 * 10.0 * max(1.0, largest)
    for got, expected in zip(compiled.ungroup(list(arrays)), eager, strict=True):
        assert abs(got - expected) <= 1e-12 * largest + floor


def micrograd_step() -> tuple[Compiled, list[Value], list[Any]]:
    """micrograd's demo loss for one of 10 samples, with its 1e-4·Σp² penalty."""
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    params = model.parameters()
    xs, t = [Value(0.0, "x_1^(0)"), Value(0.0, "x_2^(0)")], Value(0.0, "t")
    y = model(xs)[0]
    loss = (1.0 - y * t).relu() * 0.1 + 1e-5 * l2(params)
    names = [p.label for p in params]
    compiled = Compiled(loss, [*params, *xs, t], wrt=names, shared=names, name="sample")
    rng = random.Random(1)
    data = [[rng.uniform(-1, 1), rng.uniform(-1, 1), rng.choice([-1.0, 1.0])] for _ in range(10)]
    return compiled, params, [np.array(c) for c in zip(*data, strict=True)]


def test_a_grouped_layer_reads_as_a_layer() -> None:
    compiled, _, _ = micrograd_step()
    assert len(compiled.groups) == 6  # W_1, b_1, ..., b_3
    source = compiled.grouped_source
    lines = [line.strip() for line in source.splitlines()]
    assert (
        lines[0] == "def sample_grouped(n_samples, W_1, b_1, W_2, b_2, W_3, b_3, x_1_0, x_2_0, t):"
    )
    for line in [
        "S_1 = X_0 @ W_1.T - b_1",
        "X_1 = relu(S_1)",
        "S_3 = X_2 @ W_3.T - b_3",
        "dL_dW_1 = delta_S_1.T @ X_0",
        "dL_db_1 = batch_sums(delta_S_1)",
        # n times ∂(1e-5·w²)/∂w, as the engine adds it up, plus δᵀ x summed over the batch
        "grad_W_1 = n_samples * (1e-05 * W_1 + 1e-05 * W_1) + dL_dW_1",
        "grad_b_1 = n_samples * (1e-05 * b_1 + 1e-05 * b_1) - dL_db_1",
        "delta_S_3 = columns(x_1_0, delta_S_1_3)",  # the output layer's one δ, as an array
        "dL_dX_2 = delta_S_3 @ W_3",
    ]:
        assert line in lines, line
    penalty = next(line for line in lines if "sum_of_squares" in line)
    assert penalty.endswith(
        "= sum_of_squares(W_1) + sum_of_squares(b_1) + sum_of_squares(W_2)"
        " + sum_of_squares(b_2) + sum_of_squares(W_3) + sum_of_squares(b_3)"
    )
    assert len(lines) < 50  # no line per parameter: 337 of them
    assert "w_11_1" not in source
    assert "sum_of_squares(W_1)" in compiled.batch_source  # the float version too


def test_grouped_training_takes_the_eager_steps() -> None:
    compiled, params, columns = micrograd_step()
    groups = compiled.group([p.data for p in params])
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)
    data = list(zip(zip(columns[0], columns[1], strict=True), columns[2], strict=True))
    for _ in range(3):
        losses, grads = compiled.batch_grouped(*groups, *columns)
        groups = [g - 0.5 * d for g, d in zip(groups, grads, strict=True)]
        model.zero_grad()
        ys = [model([Value(float(a)) for a in x])[0] for x, _ in data]
        eager = hinge(ys, [float(t) for _, t in data]) + 1e-4 * l2(model.parameters())
        eager.backward()
        assert float(losses.sum()) == pytest.approx(eager.data, rel=1e-12)
        for p in model.parameters():
            p.data -= 0.5 * p.grad
    for p, v in zip(model.parameters(), compiled.ungroup(groups), strict=True):
        assert v == pytest.approx(p.data, rel=1e-9, abs=1e-12)


def test_groups_name_the_inputs_in_the_layers_arrays() -> None:
    model = MLP(2, [3, 1])
    params = model.parameters()
    names = [p.label for p in params]
    xs, s = [Value(0.0, "x_1^(0)"), Value(0.0, "x_2^(0)")], Value(2.0, "s")
    loss = squared_error(model(xs), [1.0]) * s  # s: a shared input in no layer
    compiled = Compiled(loss, [*params, s, *xs], shared=[*names, "s"], wrt=[*names, "s", "x_1^(0)"])
    groups = compiled.groups
    assert list(groups) == ["W_1", "b_1", "W_2", "b_2", "s"]
    assert groups["W_1"][2] == ("w_13^(1)", "w_23^(1)")  # row j: unit j's weights
    assert groups["b_2"] == ("b_1^(2)",)
    assert groups["s"] == "s"
    values = [p.data for p in params] + [2.0]
    arrays = compiled.group(values)
    assert arrays[0].shape == (3, 2)
    assert arrays[0][2, 1] == params[names.index("w_23^(1)")].data
    assert arrays[4] == 2.0
    assert compiled.ungroup(arrays) == values
    x = [np.array([0.5, -1.0]), np.array([1.0, 2.0])]
    _, grouped = compiled.batch_grouped(*arrays, *x)
    _, batched = compiled.batch(*values, *x)
    assert type(grouped[4]) is float
    assert compiled.ungroup(list(grouped[:5])) == list(batched[:-1])
    assert grouped[5].tolist() == batched[-1].tolist()


def test_a_weight_used_outside_its_layer_still_gets_its_whole_gradient() -> None:
    w, v, b = Value(0.5, "w"), Value(-0.25, "v"), Value(0.1, "b")
    x = Value(0.0, "x")

    def loss(w: Value, v: Value, b: Value, x: Value) -> Value:
        return wsum([w, v], [x, x * x], b).tanh() + w * x.exp()  # w also outside the layer

    compiled = Compiled(loss(w, v, b, x), [w, v, b, x], shared=["w", "v", "b"])
    W, bias = compiled.group([0.5, -0.25, 0.1])
    xs = np.array([-1.0, 0.3, 2.0])
    _, grouped = compiled.batch_grouped(W, bias, xs)
    _, batched = compiled.batch(0.5, -0.25, 0.1, xs)
    assert "matrix(x, (dL_dw, dL_dv))" in compiled.grouped_source  # entry by entry
    assert compiled.ungroup(list(grouped[:2])) == list(batched[:3])
    assert grouped[2].tolist() == batched[3].tolist()


def test_tied_weights_stay_single_inputs() -> None:
    w, b, x = Value(0.5, "w"), Value(0.1, "b"), Value(0.0, "x")
    hidden = wsum([w], [x], b).sigmoid()
    output = wsum([w], [hidden], b)  # the same w and b in two layers: no array holds them
    compiled = Compiled(output, [w, b, x], shared=["w", "b"])
    assert compiled.groups == {"w": "w", "b": "b"}
    _, grouped = compiled.batch_grouped(0.5, 0.1, [1.0, 2.0])
    _, batched = compiled.batch(0.5, 0.1, [1.0, 2.0])
    assert grouped[:2] == batched[:2]


def test_grouped_code_runs_on_the_array_api_standard_alone() -> None:
    xps = pytest.importorskip("array_api_strict")
    # tanh and ½(y - t)²: relu's derivative, step, calls where() on two Python floats,
    # which the strict library refuses (in the ungrouped batched code too)
    model = MLP(2, [3, 1], activation="tanh", seed=2)
    network = Network(2, (3, 1), "tanh", None, model.state_dict(), (0.0, 0.0), (0.0,))
    compiled, params, _, _ = penalised_loss(network, 1e-3)
    columns = [np.array([0.5, -1.0, 2.0]), np.array([1.0, 0.0, -0.5]), np.array([1.0, -1.0, 0.5])]
    values = [p.data for p in params]
    like = xps.asarray(columns[0])
    groups = compiled.group(values, like=like)
    assert all(isinstance(g, type(like)) for g in groups)
    strict_values, strict = compiled.batch_grouped(*groups, *[xps.asarray(c) for c in columns])
    numpy_values, grads = compiled.batch_grouped(*compiled.group(values), *columns)
    assert isinstance(strict_values, type(like))
    assert [float(strict_values[k]) for k in range(3)] == pytest.approx(
        numpy_values.tolist(), rel=1e-14
    )
    assert compiled.ungroup(list(strict[:4])) == pytest.approx(
        compiled.ungroup(list(grads[:4])), rel=1e-13
    )


def test_grouped_calls_say_what_is_wrong() -> None:
    compiled, params, columns = micrograd_step()
    groups = compiled.group([p.data for p in params])
    with pytest.raises(TypeError, match=r"sample grouped takes 9 arguments \(W_1, b_1, .* t\)"):
        compiled.batch_grouped(*groups, *columns[:2])
    with pytest.raises(ValueError, match=r"group 'W_1' must be an array of shape \(16, 2\)"):
        compiled.batch_grouped(groups[0].T, *groups[1:], *columns)
    with pytest.raises(ValueError, match="group takes one number per shared input"):
        compiled.group([1.0, 2.0])
    with pytest.raises(ValueError, match="ungroup takes one array per group"):
        compiled.ungroup(groups[:2])
    with pytest.raises(ValueError, match="per-sample inputs must have one length"):
        compiled.batch_grouped(*groups, columns[0], columns[1][:3], columns[2])
    every = compile(lambda w, b: wsum([w], [w], b), shared=["w", "b"])
    no_samples = r"f has no per-sample input \(every input is shared\)"
    for source in ("batch_source", "grouped_source"):
        with pytest.raises(ValueError, match=no_samples):
            getattr(every, source)
    as_lists = [g.tolist() for g in groups]  # lists become arrays
    values, _ = compiled.batch_grouped(*as_lists, *columns)
    assert values.tolist() == compiled.batch_grouped(*groups, *columns)[0].tolist()
    empty = np.array([])
    values, grads = compiled.batch_grouped(*groups, empty, empty, empty)
    assert values.shape == (0,)
    assert grads[0].tolist() == np.zeros((16, 2)).tolist()


# --- the rewrite pass reads equations, not labels ---


def unlabelled_layers(activations: tuple[str, str]) -> tuple[Compiled, list[Value], list[Value]]:
    """Two units of one layer on two inputs, each unit its own activation, then a sum
    unit; no Value has a label, so the names are the compiled function's p0, p1, ..."""
    w = [Value(0.1 * (k + 1) - 0.35) for k in range(4)]
    b = [Value(0.2), Value(-0.1)]
    v, c = [Value(0.7), Value(-0.4)], Value(0.05)
    xs = [Value(0.0), Value(0.0)]
    hidden = [getattr(wsum(w[2 * j : 2 * j + 2], xs, b[j]), activations[j])() for j in range(2)]
    y = wsum(v, hidden, c)
    params = [*w, *b, *v, c]
    names = [f"p{k}" for k in range(len(params))] + ["x1", "x2"]
    compiled = Compiled(y * y, [*params, *xs], names=names, shared=names[: len(params)])
    return compiled, params, xs


def test_layers_are_found_by_their_equations_not_their_labels() -> None:
    compiled, params, xs = unlabelled_layers(("tanh", "tanh"))
    assert list(compiled.groups) == ["W_1", "b_1", "W_2", "b_2"]  # numbered by position
    assert compiled.groups["W_1"] == (("p0", "p1"), ("p2", "p3"))
    source = compiled.grouped_source
    for line in ["S_1 = X_0 @ W_1.T - b_1", "X_1 = tanh(S_1)", "S_2 = X_1 @ W_2.T - b_2"]:
        assert f"    {line}\n" in source, source
    check_against_eager(compiled, params, xs)


def test_units_with_different_rows_stay_columns_of_their_own() -> None:
    compiled, params, xs = unlabelled_layers(("tanh", "sigmoid"))
    source = compiled.grouped_source
    assert "S_1 = X_0 @ W_1.T - b_1" in source  # still one layer
    for row in ("tanh(S_1)", "sigmoid(S_1)"):
        assert row not in source  # no row applied to the whole array
    for column in ("S_1[:, 0]", "S_1[:, 1]"):
        assert column in source  # each unit reads its column
    assert "X_1 = columns(x1, tanh_S_1_0, sigma_S_1_1)" in source  # the next layer's input
    check_against_eager(compiled, params, xs)


def check_against_eager(compiled: Compiled, params: list[Value], xs: list[Value]) -> None:
    """batch and batch_grouped agree to the last bit, and with the scalar code, which is
    the eager engine bit for bit (tests/autograd/test_compile.py), one sample at a time."""
    columns = [np.array([0.5, -1.5, 2.0]), np.array([1.0, 0.25, -0.75])]
    values = [p.data for p in params]
    grouped_values, grouped = compiled.batch_grouped(*compiled.group(values), *columns)
    batch_values, batched = compiled.batch(*values, *columns)
    assert grouped_values.tolist() == batch_values.tolist()
    assert compiled.ungroup(list(grouped[:4])) == list(batched[: len(params)])
    for got, expected in zip(grouped[4:], batched[len(params) :], strict=True):
        assert got.tolist() == expected.tolist()  # the inputs' gradients, per sample
    samples = [compiled(*values, *(float(c[k]) for c in columns)) for k in range(3)]
    assert grouped_values.tolist() == pytest.approx([v for v, _ in samples], rel=1e-12)
    for i, got in enumerate(batched[: len(params)]):
        terms = [g[i] for _, g in samples]
        assert abs(got - math.fsum(terms)) <= 1e-12 * max(map(abs, terms))
    for i, got in enumerate(batched[len(params) :]):
        expected = [g[len(params) + i] for _, g in samples]
        assert got.tolist() == pytest.approx(expected, rel=1e-12)


@st.composite
def layered_graphs(draw: st.DrawFn) -> tuple[Graph, list[Any]]:
    """A random graph (its nodes: per-sample features), then layers over some of its
    nodes: each unit a weighted sum with shared weights and its own row (the same for
    all, or not), a weight tied now and then, an L2 penalty or not."""
    graph = draw(graphs(ops=OPS, max_leaves=3, max_steps=12, tame=True))
    nodes = len(graph.leaves) + len(graph.steps)
    x_at = draw(st.lists(st.integers(0, nodes - 1), min_size=1, max_size=3))
    widths = draw(st.lists(st.integers(1, 3), min_size=1, max_size=2))
    same_row = draw(st.booleans())
    rows = st.sampled_from(["tanh", "sigmoid", "relu", "softplus"])
    first = draw(rows)
    units = [[first if same_row else draw(rows) for _ in range(w)] for w in widths]
    return graph, [x_at, units, draw(st.booleans()), draw(st.booleans())]


def build_layers(graph: Graph, plan: list[Any]) -> tuple[Compiled, list[float]]:
    """The layered graph compiled: the graph's leaves per sample, the weights shared."""
    x_at, units, tie, penalty = plan
    leaves = [Value(x, f"x{i}") for i, x in enumerate(graph.leaves)]
    nodes = graph.build(leaves)
    params: list[Value] = []

    def new(value: float) -> Value:
        params.append(Value(value, f"p{len(params)}"))
        return params[-1]

    xs = [nodes[i] for i in x_at]
    for layer in units:
        ws = [[new(0.3 - 0.1 * len(params)) for _ in xs] for _ in layer]
        if tie and len(ws) > 1:
            ws[1][0] = ws[0][0]  # one weight in two units: the layer's W is not a group
        xs = [getattr(wsum(w, xs, new(0.05)), row)() for w, row in zip(ws, layer, strict=True)]
    loss = wsum([new(0.5) for _ in xs], xs, new(-0.2)) * nodes[-1]
    if penalty:
        loss = loss + 1e-3 * l2(params)
    names = [p.label for p in params]
    return Compiled(loss, [*params, *leaves], shared=names), [p.data for p in params]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(layered_graphs(), st.data())
def test_the_pass_keeps_the_numbers_of_layers_on_any_graph(
    drawn: tuple[Graph, list[Any]], data: st.DataObject
) -> None:
    """Layers on random per-sample nodes: batch and batch_grouped give the same numbers
    to the last bit, and each sample's value and gradients are the scalar code's, to
    the rounding of a sum."""
    graph, plan = drawn
    compiled, params = build_layers(graph, plan)
    assert " @ " in compiled.grouped_source
    n = len(graph.leaves)
    samples = [data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n)) for _ in range(3)]
    columns = [np.array(c) for c in zip(*samples, strict=True)]
    check_batches(compiled, params, columns, [params + s for s in samples])


@pytest.mark.parametrize(
    "plan",
    [
        [[1], [["sigmoid", "softplus"]], False, False],  # softplus' derivative is sigmoid:
        # a forward row and a backward one on two columns of S, never one array equation
        [[0, 0, 0], [["tanh"] * 3, ["tanh"] * 3], True, True],  # a tied weight, and an
        # L2 sum longer than the printer writes inline: its parts come before the backward
    ],
)
def test_what_the_property_tests_found(plan: list[Any]) -> None:
    graph = Graph((0.0,), (Step("neg", (0,)),))
    compiled, params = build_layers(graph, plan)
    samples = [[0.5], [-1.25], [2.0]]
    check_batches(compiled, params, [np.array([0.5, -1.25, 2.0])], [params + s for s in samples])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=100)
@given(graphs(ops=OPS, max_leaves=5, max_steps=40, tame=True), st.data())
def test_the_pass_keeps_the_numbers_of_any_graph(graph: Graph, data: st.DataObject) -> None:
    """Random graphs, any inputs shared (a layer where a weighted sum's weights are shared
    inputs): batch and batch_grouped give the same numbers to the last bit."""
    n = len(graph.leaves)
    shared = data.draw(st.lists(st.integers(0, n - 1), unique=True, max_size=n - 1))
    leaves = [Value(x, f"x{i}") for i, x in enumerate(graph.leaves)]
    order = [*shared, *(i for i in range(n) if i not in shared)]
    inputs = [leaves[i] for i in order]  # the shared ones first
    compiled = Compiled(graph.build(leaves)[-1], inputs, shared=[f"x{i}" for i in shared])
    event("a layer" if " @ " in compiled.grouped_source else "no layer")
    rows = [data.draw(st.lists(st.floats(-3, 3), min_size=n, max_size=n)) for _ in range(3)]
    params = [rows[0][i] for i in shared]
    columns = [np.array([r[i] for r in rows]) for i in order[len(shared) :]]
    check_batches(compiled, params, columns, None)  # inf and nan: the printers' tests


def check_batches(
    compiled: Compiled, params: list[float], columns: list[Any], rows: list[list[float]] | None
) -> None:
    """``compiled`` (its shared inputs first) on a batch: batch and batch_grouped agree to
    the last bit, inf and nan included; the scalar code agrees sample by sample."""
    k = len(params)
    values, batched = compiled.batch(*params, *columns)
    grouped_values, grouped = compiled.batch_grouped(*compiled.group(params), *columns)
    assert all(map(same, grouped_values.tolist(), values.tolist()))
    n_groups = len(compiled.groups)
    assert all(map(same, compiled.ungroup(list(grouped[:n_groups])), batched[:k]))
    for got, expected in zip(grouped[n_groups:], batched[k:], strict=True):
        assert all(map(same, got.tolist(), expected.tolist()))
    if rows is None:
        return
    scalar = [compiled(*row) for row in rows]
    for j, (value, point_grads) in enumerate(scalar):
        assert near(values[j], value), compiled.grouped_source
        for i in range(k, len(point_grads)):
            assert near(batched[i][j], point_grads[i]), compiled.grouped_source
    for i in range(k):
        terms = [g[i] for _, g in scalar]
        if all(map(math.isfinite, terms)):
            total = math.fsum(terms)
            assert abs(batched[i] - total) <= 1e-9 * (1.0 + sum(map(abs, terms))), i


def near(a: float, b: float) -> bool:
    """Within 1e-9 of b, where b is finite. (NumPy's functions may give nan where libm
    gives inf: tests/autograd/test_compile_printers.py checks the batched code at inf
    and nan with the float functions themselves.)"""
    return not math.isfinite(b) or same(a, b) or abs(float(a) - b) <= 1e-9 * (1.0 + abs(b))
