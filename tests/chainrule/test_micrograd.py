"""micrograd's names on chainrule's Values (_prev, _op, _backward), Parameter, chainrule.micrograd.

The video's manual backpropagation of a tanh neuron is reproduced here in our own
code (the video's notebook is not copied): it runs on chainrule.micrograd's Value
and is checked against the derivatives worked out by hand.
"""

from __future__ import annotations

import copy
import math
import pickle
import random
from pathlib import Path

import learners
import pytest

import autograd
import nn
import viz
from autograd import Compiled, Constant, Parameter, Rule, Value, topological_order
from chainrule.micrograd import engine as mg_engine
from chainrule.micrograd import nn as mg_nn

# --- the video's neuron, backpropagated by hand ----------------------------------------


def video_neuron() -> dict[str, Value]:
    """The video's neuron on chainrule.micrograd's Value (tests/learners.py)."""
    return learners.video_neuron(mg_engine.Value)


def test_the_videos_manual_backprop_gives_the_hand_derived_gradients() -> None:
    v = video_neuron()
    o = v["o"]
    assert o.data == math.tanh(0.8813735870195432)
    assert abs(o.data - math.sqrt(0.5)) < 1e-15  # b was chosen so that o = 1/√2
    o.grad = 1.0
    for name in ("o", "n", "b", "x1*w1 + x2*w2", "x2*w2", "x1*w1"):
        v[name]._backward()
    dn = 1.0 - o.data * o.data  # do/dn = 1 - tanh² = 1 - o²
    assert abs(dn - 0.5) < 1e-15
    expected = {
        "n": dn,
        "b": dn,  # n = x1w1x2w2 + b: a sum passes the gradient on
        "x1*w1 + x2*w2": dn,
        "x1*w1": dn,
        "x2*w2": dn,
        "x1": v["w1"].data * dn,  # -1.5
        "w1": v["x1"].data * dn,  # 1.0
        "x2": v["w2"].data * dn,  # 0.5
        "w2": v["x2"].data * dn,  # 0.0
    }
    assert {name: v[name].grad for name in expected} == expected
    assert [v[k].grad for k in ("x1", "w1", "x2", "w2")] == pytest.approx([-1.5, 1.0, 0.5, 0.0])


def test_backward_by_hand_is_backward() -> None:
    by_hand, whole = video_neuron(), video_neuron()
    by_hand["o"].grad = 1.0
    for node in reversed(topological_order(by_hand["o"])):
        node._backward()
    whole["o"].backward()
    assert {k: v.grad for k, v in by_hand.items()} == {k: v.grad for k, v in whole.items()}


def test_backward_by_hand_matches_backward_on_shared_nodes_masks_and_constants() -> None:
    def build() -> tuple[Value, list[Value]]:
        x, y = Value(-1.5, "x"), Value(0.75, "y")
        z = x * y + 2  # a Constant
        h = (z * x).relu() + (-z).relu()  # one relu masks (below 0), one passes
        u = h / y + y**3 - 10.0 / (x * x) + (x * y).exp() + z.sigmoid() * x.tanh()
        return u, [x, y, z, h]

    by_hand, nodes = build()
    by_hand.grad = 1.0
    for node in reversed(topological_order(by_hand)):
        node._backward()
    whole, same_nodes = build()
    whole.backward()
    for a, b in zip(nodes, same_nodes, strict=True):
        assert a.grad == pytest.approx(b.grad, rel=1e-15, abs=1e-15), a.label
    for node in topological_order(by_hand):
        if type(node) is Constant:
            assert node.grad == 0.0  # a Constant takes no gradient, as in backward()


def test_a_leafs_backward_does_nothing_and_a_none_partial_adds_nothing() -> None:
    x = Value(3.0)
    x.grad = 5.0
    x._backward()
    assert x.grad == 5.0
    s = x.sign()  # its row's partial is None: no gradient flows
    s.grad = 1.0
    s._backward()
    assert x.grad == 5.0
    p = x**2.0  # the exponent is a Constant: the row gives it None
    p.grad = 1.0
    p._backward()
    assert x.grad == 5.0 + 6.0
    assert p.inputs[1].grad == 0.0


# --- _prev and _op ----------------------------------------------------------------


def test_prev_is_the_set_of_inputs_constants_included_and_read_only() -> None:
    x = Value(2.0)
    y = x * 3 + x
    assert y._prev == set(y.inputs)
    (product,) = [v for v in y._prev if v is not x]
    assert product._prev == {x, product.inputs[1]}
    assert type(product.inputs[1]) is Constant
    assert x._prev == set()
    assert (x * x)._prev == {x}  # micrograd's set: a node used twice is there once
    with pytest.raises(AttributeError):
        y._prev = set()  # type: ignore[misc]
    with pytest.raises(AttributeError):
        y._op = "+"  # type: ignore[misc]


def test_op_is_micrograds_symbol_from_the_row() -> None:
    x = Value(2.0)
    cases = {
        "": x,
        "+": x + 1,
        "*": x * x,
        "/": x / 3,
        "**2": x**2,
        "**-1": x**-1,
        "**0.5": x**0.5,
        "**2.5": x**2.5,
        "**": 2**x,
        "ReLU": x.relu(),
        "tanh": x.tanh(),
        "exp": x.exp(),
        "sigmoid": x.sigmoid(),
        "log": x.log(),
        "wsum": autograd.wsum([x], [1.0], 0.5),
    }
    assert {op: v._op for op, v in cases.items()} == {op: op for op in cases}
    assert (x - 1)._op == "+"  # x + (-1), as micrograd
    assert (-x)._op == "*"  # x * -1, as micrograd
    assert Constant(2.0)._op == ""
    assert Parameter(1.0)._op == ""
    # the symbol is the row's: a row of one's own gets its name, or its own micrograd symbol
    assert autograd.RULES["pow"].notation.micrograd == "**{1}"
    cube = autograd.register(
        Rule(
            "cube", 1, lambda a: a**3, lambda out, a: (3.0 * a * a,), autograd.Notation.call("cube")
        )
    )
    square = autograd.register(
        Rule(
            "sq",
            1,
            lambda a: a * a,
            lambda out, a: (2.0 * a,),
            autograd.Notation.call("sq", micrograd="²"),
        )
    )
    try:
        assert cube(x)._op == "cube"
        assert square(x)._op == "²"
    finally:
        del autograd.RULES["cube"], autograd.RULES["sq"]


# --- chainrule.micrograd's Value -------------------------------------------------------


def test_micrograd_value_takes_micrograds_constructor_and_makes_leaves_only() -> None:
    V = mg_engine.Value
    a = V(2, label="a")
    assert (a.data, a.grad, a.label, a._op, a._prev) == (2.0, 0.0, "a", "", set())
    assert V(1.5, (), "", "c").label == "c"
    with pytest.raises(TypeError, match=r"makes leaves only.*_op='\+'.*autograd\.register"):
        V(3.0, (a, a), "+")
    with pytest.raises(TypeError, match="makes leaves only"):
        V(3.0, _op="tanh")
    with pytest.raises(TypeError, match="must be a real number"):
        V("3")  # type: ignore[arg-type]
    y = a * a
    assert type(y) is Value  # computed Values are chainrule's own
    assert isinstance(a, Value)


def test_micrograd_values_pickle_and_deepcopy() -> None:
    a = mg_engine.Value(2.0, label="a")
    y = a * 3 + a
    y.backward()
    for copied in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        (leaf,) = [v for v in topological_order(copied) if v.label == "a"]
        assert type(leaf) is mg_engine.Value
        assert (leaf.data, leaf.grad, copied.data) == (2.0, 4.0, 8.0)


# --- chainrule.micrograd.nn ------------------------------------------------------------


def test_a_one_output_mlp_gives_one_value_so_the_videos_loss_runs() -> None:
    random.seed(1337)
    model = mg_nn.MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    ypred = [model(x) for x in xs]
    assert all(type(y) is Value for y in ypred)
    loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred, strict=True))
    assert isinstance(loss, Value)
    assert loss.data == pytest.approx(
        sum((y.data - t) ** 2 for y, t in zip(ypred, ys, strict=True))
    )
    for _ in range(50):
        ypred = [model(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred, strict=True))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.01 * p.grad
    assert loss.data < 0.2  # from 18.4: a linear output can reach ±1
    assert isinstance(model.layers[0]([1.0, 2.0, 3.0]), list)


def test_micrograd_modules_reprs_parameters_and_bias_first_sum() -> None:
    random.seed(7)
    expected = [random.uniform(-1, 1) for _ in range(3)]
    random.seed(7)
    n = mg_nn.Neuron(3, nonlin=False)
    assert [p.data for p in n.parameters()] == [*expected, 0.0]
    assert all(type(p) is Parameter for p in n.parameters())
    assert repr(n) == "LinearNeuron(3)"
    assert repr(mg_nn.Layer(2, 2)) == "Layer of [ReLUNeuron(2), ReLUNeuron(2)]"
    n.b.data = 0.25
    y = n([1.0, 2.0, 3.0])
    # b + w1·x1 + w2·x2 + w3·x3, added in that order
    assert y.data == ((0.25 + expected[0] * 1.0) + expected[1] * 2.0) + expected[2] * 3.0
    assert y._op == "+"
    assert n.b in y.inputs[0].inputs[0]._prev
    n.zero_grad()
    with pytest.raises(ValueError, match=r"LinearNeuron\(3\) takes 3 inputs, got 2"):
        n([1.0, 2.0])
    with pytest.raises(ValueError, match="nin must be an int >= 1"):
        mg_nn.Neuron(0)
    with pytest.raises(ValueError, match="nouts must be a list"):
        mg_nn.MLP(2, 3)  # type: ignore[arg-type]


def test_a_micrograd_neuron_goes_through_explain_draw_and_compile() -> None:
    random.seed(1337)
    n = mg_nn.Neuron(2)
    x = [mg_engine.Value(1.0, label="x1"), mg_engine.Value(-2.0, label="x2")]
    y = n(x)
    inputs = [*n.parameters(), *x]
    compiled = Compiled(y, inputs, names=["w1", "w2", "b", "x1", "x2"])
    value, grads = compiled(*[v.data for v in inputs])
    y.backward()
    assert value == y.data
    assert list(grads) == [v.grad for v in inputs]
    assert [v.grad for v in inputs] == [1.0, -2.0, 1.0, n.w[0].data, n.w[1].data]
    explanation = viz.explain(y)
    last = {step.node: step.value for step in explanation.backward}  # each node's total
    for v in inputs:
        assert last[v] == pytest.approx(v.grad, rel=1e-15)
    forward = {s.node: s.value for s in explanation.steps if s.phase in ("forward", "loss")}
    assert forward[y] == y.data
    assert "relu" in viz.draw(y).source


# --- Parameter ----------------------------------------------------------------------


def test_nn_parameters_are_parameters_through_pickle_load_and_compile(tmp_path: Path) -> None:
    model = nn.MLP(2, [2, 1])
    params = model.parameters()
    assert all(type(p) is Parameter for p in params)
    x = [Value(1.0, "x_1^(0)"), Value(0.0, "x_2^(0)")]
    (out,) = model(x)
    assert not any(type(v) is Parameter for v in (*x, out))
    copied = pickle.loads(pickle.dumps(out))
    kinds = {v.label: type(v) for v in topological_order(copied)}
    assert all(kinds[p.label] is Parameter for p in params)
    assert kinds["x_1^(0)"] is Value
    assert type(copy.deepcopy(params[0])) is Parameter
    detached = params[1].detach()
    assert type(detached) is Value  # outside every graph, and no longer the model's
    assert (detached.data, detached.label) == (params[1].data, params[1].label)
    path = tmp_path / "m.json"
    model.save(path)
    loaded = nn.MLP.load(path)
    assert all(type(p) is Parameter for p in loaded.parameters())
    assert loaded.state_dict() == model.state_dict()
    L = nn.squared_error(model(x), [1.0])
    step = Compiled(L, [*params, *x], wrt=[p.label for p in params])
    value, grads = step(*[p.data for p in params], 1.0, 0.0)
    L.backward()
    assert (value, list(grads)) == (L.data, [p.grad for p in params])


def test_parameter_is_a_value_leaf() -> None:
    w = Parameter(0.5, "w")
    y = (w * 2.0).tanh()
    (dw,) = autograd.grad(y, [w])
    assert dw.data == 2.0 * (1.0 - y.data * y.data)
    assert (w.op, w.inputs) == ("", ())
    assert repr(w) == "Parameter(data=0.5, grad=0.0, label='w')"
    assert type(pickle.loads(pickle.dumps(w))) is Parameter
