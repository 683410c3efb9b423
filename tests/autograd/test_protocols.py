"""Python's protocols on Value: comparisons, conversions, detach, no_grad, grad=None,
grad() for unused inputs, pickling and deep copies."""

from __future__ import annotations

import copy
import math
import pickle
import sys
import threading

import pytest

from autograd import RULES, Constant, Value, grad, no_grad, topological_order, wsum
from nn import SGD, Adam


def test_comparisons_read_data_and_return_bool() -> None:
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
    assert (a < 1.5, a > 0, b < 3, a >= 1) == (True, True, True, True)
    assert type(a < b) is bool
    values = [Value(3.0), Value(-1.0), Value(2.0)]
    assert max(values) is values[0]
    assert min(values) is values[1]
    assert [v.data for v in sorted(values)] == [-1.0, 2.0, 3.0]
    assert min(values, key=lambda v: abs(v.data - 1.9)) is values[2]
    with pytest.raises(TypeError, match=r"comparison operand.*str"):
        _ = a < "1"  # type: ignore[operator]


def test_equality_and_hash_stay_identity() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a != b  # two nodes, though their numbers are equal
    assert a == a
    assert len({a, b}) == 2


def test_bool_is_data_not_zero() -> None:
    assert bool(Value(0.5))
    assert bool(Value(math.nan))
    assert bool(Value(-1.0))
    assert not bool(Value(0.0))
    assert not bool(Value(-0.0))


def test_conversions_take_the_number() -> None:
    v = Value(2.71828, "v")
    assert float(v) == 2.71828
    assert type(float(v)) is float
    assert int(v) == 2
    assert int(Value(-2.5)) == -2
    assert round(v, 2) == 2.72
    assert round(v) == 3
    assert type(round(v)) is int
    assert f"{v:.3f}" == "2.718"
    assert format(v, "e") == format(2.71828, "e")
    assert f"{v}" == str(v) == repr(v)
    assert v.item() == 2.71828
    assert math.exp(Value(1.0)) == math.e
    with pytest.raises(ValueError, match="NaN"):
        int(Value(math.nan))


def test_abs_and_unary_plus() -> None:
    x = Value(-2.0)
    y = abs(x)
    assert y.op == "abs"
    assert y.data == 2.0
    y.backward()
    assert x.grad == -1.0
    assert +x is x


def test_detach_is_a_new_leaf_with_the_same_data() -> None:
    x = Value(3.0, "x")
    y = x * x
    d = y.detach()
    assert (d.data, d.op, d.inputs, d.label) == (9.0, "", (), "")
    z = d * x  # d is a number to z: ∂z/∂x = d, not 3x²
    z.backward()
    assert x.grad == 9.0
    assert d.grad == 3.0


def test_no_grad_records_no_graph_and_ends_with_the_block() -> None:
    x = Value(2.0, "x")
    with no_grad():
        y = (x * x + 1.0).exp().log()
        z = x.tanh()
    assert y.data == 5.0
    assert y.op == ""
    assert y.inputs == ()
    assert topological_order(y) == [y]
    assert z.op == ""
    assert (x * x).op == "mul"


def test_no_grad_is_per_thread() -> None:
    x = Value(1.0)
    seen: list[str] = []
    entered, done = threading.Event(), threading.Event()

    def other() -> None:
        entered.wait()
        seen.append((x * 2).op)
        done.set()

    t = threading.Thread(target=other)
    t.start()
    with no_grad():
        entered.set()
        done.wait()
    t.join()
    assert seen == ["mul"]


def test_grad_none_is_zero_for_backward_and_optimisers() -> None:
    w = Value(1.0, "w")
    w.grad = None
    assert w.grad == 0.0
    (w * 3).backward()
    assert w.grad == 3.0
    for opt in (SGD([w], lr=0.1), Adam([w], lr=0.1)):
        w.grad = None
        before = w.data
        opt.step()
        assert w.data == before  # a zero gradient moves nothing
    with pytest.raises(TypeError, match=r"Value grad.*str"):
        w.grad = "1"


def test_grad_of_unused_inputs_and_of_numbers_is_zero_unless_strict() -> None:
    x, z = Value(2.0, "x"), Value(5.0, "z")
    y = x * x
    dx, dz = grad(y, [x, z])
    assert (dx.data, dz.data) == (4.0, 0.0)
    (d,) = grad(3.0, [x])
    assert d.data == 0.0
    with pytest.raises(ValueError, match=r"does not depend on inputs\[1\]"):
        grad(y, [x, z], allow_unused=False)
    with pytest.raises(ValueError, match=r"inputs\[0\]"):
        grad(1.0, [x], allow_unused=False)
    with pytest.raises(TypeError, match="str"):
        grad("y", [x])
    # a path through a zero partial still counts as used, as in PyTorch
    (s,) = grad(x.sign(), [x], allow_unused=False)
    assert s.data == 0.0


def test_a_whole_graph_pickles_and_deep_copies_with_shared_nodes() -> None:
    x, w = Value(0.5, "x"), Value(-1.5, "w")
    h = (w * x).tanh()
    y = h * h + h.exp() - 3 * w
    y.backward()
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        order, original = topological_order(clone), topological_order(y)
        assert [(v.op, v.data, v.grad, v.label) for v in order] == [
            (v.op, v.data, v.grad, v.label) for v in original
        ]
        assert [type(v) for v in order] == [type(v) for v in original]
        assert len(set(order)) == len(order) == len(original)  # h is shared, not copied twice
        assert all(v._rule is RULES.get(v.op) for v in order if v.op)
        assert not set(order) & set(original)
    x2, w2 = pickle.loads(pickle.dumps([x, w]))
    assert (x2.data, w2.label) == (0.5, "w")
    assert type(pickle.loads(pickle.dumps(Constant(2.0)))) is Constant


def test_a_graph_of_wsum_nodes_sharing_tuples_copies_and_backpropagates_the_same() -> None:
    xs = (Value(0.5, "x1"), Value(-2.0, "x2"))
    units = [((Value(0.3), Value(-0.8)), Value(0.1)), ((Value(1.5), Value(0.2)), Value(-1.0))]
    hidden = tuple(wsum(ws, xs, b).tanh() for ws, b in units)
    y = wsum(units[0][0], hidden, units[1][1])
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        y.backward()
        clone.backward()
        original, copied = topological_order(y), topological_order(clone)
        assert [(v.op, v.label, v.data, v.grad) for v in copied] == [
            (v.op, v.label, v.data, v.grad) for v in original
        ]
        assert [len(v.inputs) for v in copied] == [len(v.inputs) for v in original]
        for v in original:
            v.grad = 0.0


def test_a_graph_deeper_than_the_recursion_limit_pickles_and_deep_copies() -> None:
    x = Value(1.5, "x")
    y = x
    for _ in range(3 * sys.getrecursionlimit()):
        y = (y * 1.0001).tanh() + x
    for clone in (pickle.loads(pickle.dumps(y)), copy.deepcopy(y)):
        order, original = topological_order(clone), topological_order(y)
        assert [(v.op, v.data, v.label) for v in order] == [
            (v.op, v.data, v.label) for v in original
        ]
        (leaf,) = [v for v in order if v.label == "x"]  # x is one node, used at every step
        assert grad(clone, leaf)[0].data == grad(y, x)[0].data


def test_leaves_are_shared_with_the_rest_of_a_pickle() -> None:
    w = Value(0.5, "w")
    loss = (w * 3.0).exp()
    w2, loss2 = pickle.loads(pickle.dumps([w, loss]))
    assert loss2.inputs[0].inputs[0] is w2


def test_an_unregistered_row_fails_to_load_with_a_message() -> None:
    from autograd import Notation, Rule, register

    register(Rule("twice", 1, lambda x: 2 * x, lambda out, x: (2.0,), Notation.call("twice")))
    try:
        blob = pickle.dumps(Value._apply_rule(RULES["twice"], (Value(1.0),)))
    finally:
        del RULES["twice"]
    with pytest.raises(KeyError, match=r"no op 'twice'.*register"):
        pickle.loads(blob)
