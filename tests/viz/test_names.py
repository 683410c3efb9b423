"""Names a student can read: an unlabelled leaf is named by its variable or a letter, never
by its number, and the same name is used by every picture, by explain and by compile."""

from __future__ import annotations

import re

from autograd import Constant, Parameter, Value, grad, topological_order
from autograd.compile import Compiled
from autograd.formula import to_text
from autograd.names import leaf_names, name_of, node_names
from viz import chain_rule, draw, explain, step_through
from viz.view import KINDS, graph_view


def shown_names(root: Value) -> dict[float, str]:
    """The name of each leaf that is not a Constant, by its number (the numbers differ)."""
    return {n.value.data: n.text for n in graph_view(root).nodes if n.kind == "variable"}


def test_the_issue_s_variable_is_x_and_its_number_only_a_number() -> None:
    x = Value(3.0)
    y = (x * x + 2 * x - 1).tanh()
    text = str(explain(y))
    assert "x·x + 2·x − 1 = 15 − 1 = 14" in text
    assert "  y = tanh(x·x + 2·x − 1) = tanh(14) = 1" in text  # the root: its variable
    assert "∂y/∂x = " in text
    assert "  x·x = 3·3 = 9" in text  # 3 only as a number, beside its name
    assert "∂3" not in text
    assert "/∂3" not in text
    # the same name in the drawings, on the page and in compiled code
    assert "<TD>x</TD>" in draw(y).source
    assert ">x = 3<" in chain_rule(y).source
    page = step_through(y, svg="<svg></svg>")
    assert page.frames[0].equation == "x = 3"
    compiled = Compiled(y, [x])
    assert compiled.inputs == ("x",)
    assert compiled.source.startswith("def f(x):\n")
    assert "dL_dx = " in compiled.source
    assert compiled(3.0) == (y.data, (grad(y, [x])[0].data,))


def test_micrograd_s_readme_expression_reads_with_its_variables() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    e = c * d
    text = str(explain(e))
    assert "  c = a + b = (-4) + 2 = -2" in text  # an interior node: its variable, then what
    assert "a·b = (-4)·2 = -8" in text  # it computes; an unbound one: what it computes
    assert "b^3 = 2^3 = 8" in text
    assert "  e = c·d = (-2)·0 = 0" in text
    assert "∂e/∂a" in text
    assert not re.search(r"∂-?\d", text)  # no derivative with respect to a number
    assert name_of(c) == "c"
    c = c + 1  # c now names the new node; the old one is named by what it computes
    assert name_of(e) == "e"
    assert "  a + b = (-4) + 2 = -2" in str(explain(e))


def test_leaves_no_variable_holds_are_lettered_in_order_of_appearance() -> None:
    assert [to_text(n) for n in node_names(topological_order(Value(2.0) * 3 + 1)).values()] == [
        "a",
        "3",
        "a·3",
        "1",
        "a·3 + 1",
    ]
    letters = [to_text(n) for n in node_names(topological_order(Value(2.0) * Value(3.0))).values()]
    assert letters == ["a", "b", "a·b"]
    many = Value(0.0)
    for i in range(1, 30):
        many = many + Value(float(i))
    names = leaf_names(topological_order(many))
    assert names.pop(many) == "many"  # the sum: its variable
    assert list(names.values()) == [*"abcdefghijklmnopqrstuvwxyz", "a_1", "b_1", "c_1", "d_1"]
    assert [n.html for n in graph_view(many).nodes if n.text == "a_1"] == ["a<SUB>1</SUB>"]


def test_a_name_never_collides_with_a_label_or_another_name() -> None:
    x = Value(1.0)  # its variable's name is taken by a label: it gets a letter
    y = x * Value(2.0, "x") * Value(3.0, "a") * Value(4.0)
    names = leaf_names(topological_order(y))
    four = next(v for v in topological_order(y) if v.data == 4.0)
    assert names == {x: "b", four: "c", y: "y"}
    shown = [to_text(n) for n in node_names(topological_order(y)).values()]
    assert len(set(shown)) == len(shown)


def test_the_name_a_variable_was_first_given_wins_and_hidden_names_are_skipped() -> None:
    first = Value(1.0)
    second = first
    _hidden = Value(2.0)
    assert name_of(second * _hidden) == "first·a"


def test_compile_s_given_names_are_the_names_of_its_lines() -> None:
    p, q = Value(1.0), Value(2.0)
    compiled = Compiled(p * q, [p, q], names=["u", "v"])
    assert compiled.source.splitlines()[:3] == [
        "def f(u, v):",
        "    # forward",
        "    u_mul_v = u * v",
    ]
    named = Compiled(p * q, [p, q])
    assert named.inputs == ("p", "q")
    assert named(3.0, 4.0) == (12.0, (4.0, 3.0))


def test_chainrule_s_own_variables_never_name_a_leaf() -> None:
    # viz and autograd hold the root in variables called root, node, x ...: not the user's
    assert [n.text for n in graph_view(Value(5.0)).nodes] == ["a"]
    assert str(explain(Value(2.0) * 3)).splitlines()[1] == "  a·3 = 2·3 = 6"


def test_names_are_looked_up_where_explain_is_called() -> None:
    def helper() -> str:
        w = Value(0.5)
        return str(explain(w * w))

    assert "∂(w·w)/∂w" in helper()


def test_constants_are_never_named_by_variables_and_labels_win() -> None:
    two = 2.0
    x = Value(3.0)
    assert name_of(two * x) == "2·x"
    doubled = two * x
    assert isinstance(doubled.inputs[0], Constant)
    assert str(explain(doubled)).splitlines()[1] == "  doubled = 2·x = 2·3 = 6"
    doubled.label = "d"
    assert name_of(doubled) == "d"


def test_a_leaf_s_kind_is_its_role() -> None:
    w, b = Parameter(0.5, "w"), Parameter(0.1, "b")
    x, t = Value(2.0, "x"), Value(1.0, "t")
    loss = ((w * x - b).sigmoid() - t) ** 2
    kinds = {n.text: n.kind for n in graph_view(loss).nodes}
    assert (kinds["w"], kinds["b"], kinds["x"], kinds["t"]) == ("parameter",) * 2 + ("input",) * 2
    assert kinds[name_of(loss)] == "output"
    assert kinds["w·x"] == "interior"
    u = Value(2.0, "x_1^(0)")  # a plain expression: its leaves are variables, whatever the label
    view = graph_view(u * u + 1)
    assert [n.kind for n in view.nodes] == ["variable", "interior", "constant", "output"]
    assert set(kinds.values()) | {"variable", "constant"} == set(KINDS)


def test_every_picture_uses_one_name_per_leaf() -> None:
    a = Value(-4.0)
    b = Value(2.0)
    out = (a * b + b**3).relu() + Value(1.5)
    source = draw(out).source + chain_rule(out).source
    for number in ("-4", "1.5"):
        assert f"<TD>{number}</TD>" not in source  # the numbers show only as data
    assert "<TD>a</TD>" in draw(out).source
    assert "<TD>c</TD>" in draw(out).source  # the unbound 1.5 is lettered
    assert shown_names(out)[1.5] == "c"
