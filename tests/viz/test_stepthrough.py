"""The step-through page's frames and numbers, without a browser or Graphviz.

Several iterations are checked against gradient descent done by hand with the
engine (``backward()`` and ``p.data -= lr * p.grad`` on a model of its own), and
the user's Values against a snapshot taken before the page was made.
"""

from __future__ import annotations

import dataclasses
import re

import pytest

from autograd import Parameter, Value, topological_order
from chainrule.demo import notes_network_page
from nn import MLP, squared_error
from nn.data import xor
from viz import step_through
from viz.notation import number
from viz.stepthrough import MAX_ITERATIONS, _chosen
from viz.view import graph_view

NO_DOT = "<svg></svg>"  # the drawing is not looked at here


def _snapshot(root: Value) -> list[tuple[float, float, str]]:
    return [(v.data, v.grad, v.label) for v in topological_order(root)]


def _by_hand(model: MLP, x: list[float], t: list[float], lr: float, steps: int) -> list[float]:
    """The loss before each of ``steps`` gradient-descent steps, and after the last."""
    losses = []
    for _ in range(steps):
        loss = squared_error(model(x), t)
        losses.append(loss.data)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
    losses.append(squared_error(model(x), t).data)
    return losses


def test_the_losses_of_three_iterations_are_gradient_descent_done_by_hand() -> None:
    x, t = xor()[2]
    model = MLP(2, [2, 1], seed=0)
    loss = squared_error(model(x), t)
    loss.backward()  # the user's own gradients: the page must leave them alone
    before = _snapshot(loss)
    page = step_through(loss, lr=2.0, parameters=model.parameters(), iterations=3, svg=NO_DOT)
    assert _snapshot(loss) == before
    expected = _by_hand(MLP(2, [2, 1], seed=0), x, t, lr=2.0, steps=3)
    assert list(page.losses) == expected  # the same IEEE operations in the same order
    assert expected[0] > expected[1] > expected[2] > expected[3]  # it learns
    # the frames: three iterations of the same steps, each iteration's boxes its own numbers
    per = len(page.frames) // 3
    assert [f.iteration for f in page.frames] == [k for k in range(3) for _ in range(per)]
    assert [f.phase for f in page.frames[:per]] == [f.phase for f in page.frames[2 * per :]]
    root = f"n{topological_order(loss).index(loss)}"
    assert [b.data[root] for b in page.boxes] == [number(x, 3) for x in expected[:3]]
    last = page.frames[-1]
    shown = " → ".join(number(x, 3) for x in expected)
    assert last.losses == f"L: {shown} after the last update"


def test_the_page_says_the_losses_as_they_become_known() -> None:
    page = notes_network_page(iterations=2)
    lines = [f.losses for f in page.frames]
    first_loss = next(i for i, f in enumerate(page.frames) if f.phase == "loss")
    assert set(lines[:first_loss]) == {""}  # nothing known before the first loss
    second = next(i for i, f in enumerate(page.frames) if f.phase == "loss" and f.iteration == 1)
    one, two, after = (number(x, 3) for x in page.losses)
    assert set(lines[first_loss:second]) == {f"L: {one}"}
    assert set(lines[second:-1]) == {f"L: {one} → {two}"}
    assert lines[-1] == f"L: {one} → {two} → {after} after the last update"


def test_an_update_frame_shows_the_new_number_in_the_box_of_its_parameter() -> None:
    w, x = Value(0.5, "w"), Value(2.0, "x")
    f = (w * x).sigmoid()
    f.label = "f"
    page = step_through(f, lr=0.5, parameters=[w], svg=NO_DOT)
    (update,) = [fr for fr in page.frames if fr.phase == "update"]
    copy_w, copy_x = Value(0.5, "w"), Value(2.0, "x")
    (copy_w * copy_x).sigmoid().backward()
    new = number(0.5 - 0.5 * copy_w.grad, 3)
    assert update.node == update.updated[0] == "n0"
    assert page.boxes[0].updated == {"n0": new}
    assert page.boxes[0].data["n0"] == "0.5"  # before the update frame: the old number
    assert update.equation.endswith(f"= {new}")
    assert f"new data, {new} (it was 0.5)" in update.note
    assert (w.data, w.grad) == (0.5, 0.0)


def test_an_expression_updates_its_variables_and_its_losses_are_by_hand() -> None:
    x = Value(3.0)
    y = (x * x + 2 * x - 1).tanh()
    page = step_through(y, lr=0.1, iterations=4, svg=NO_DOT)
    assert (x.data, x.grad, x.label) == (3.0, 0.0, "")
    hand = Value(3.0)
    expected = []
    for _ in range(4):
        out = (hand * hand + 2 * hand - 1).tanh()
        expected.append(out.data)
        hand.grad = 0.0
        out.backward()
        hand.data -= 0.1 * hand.grad
    expected.append((hand * hand + 2 * hand - 1).tanh().data)
    assert list(page.losses) == expected  # the same IEEE operations in the same order
    # each iteration calls the variable by the name the first gave it
    names = {re.split(r" ← ", f.equation)[0] for f in page.frames if f.phase == "update"}
    assert len(names) == 1


def test_which_leaves_are_updated() -> None:
    # a graph with autograd.Parameter leaves: those, not the data they meet
    w, x = Parameter(0.5, "w"), Value(2.0, "x")
    page = step_through((w * x).sigmoid(), lr=0.1, svg=NO_DOT)
    assert [f.title for f in page.frames if f.phase == "update"] == ["Update: w"]
    # a plain expression: every variable (not the constant 3)
    a, b = Value(1.0, "a"), Value(2.0, "b")
    page = step_through(a * b + 3, lr=0.1, svg=NO_DOT)
    assert [f.title for f in page.frames if f.phase == "update"] == ["Update: a", "Update: b"]
    # parameters= chooses; a Value not in the graph is ignored
    page = step_through(a * b + 3, lr=0.1, parameters=[b, Value(9.0)], svg=NO_DOT)
    assert [f.title for f in page.frames if f.phase == "update"] == ["Update: b"]
    # the notes' inputs x_i^(0) are never updated unless asked for
    page = step_through(Value(1.0, "x_1^(0)") * a, lr=0.1, svg=NO_DOT)
    assert [f.title for f in page.frames if f.phase == "update"] == ["Update: a"]


@pytest.mark.parametrize("kind", ["variable", "parameter"])
def test_the_choice_reads_both_names_of_a_plain_leaf(kind: str) -> None:
    # viz called a plain expression's leaves "parameter" and then "variable": both are updated
    a, b = Value(1.0, "a"), Value(2.0, "b")
    view = graph_view(a * b)
    nodes = tuple(dataclasses.replace(n, kind=kind) if not n.value.op else n for n in view.nodes)
    view = dataclasses.replace(view, nodes=nodes)
    assert [view.nodes[i].value for i in _chosen(view, None)] == [a, b]


def test_a_model_with_two_hidden_layers_steps_through_three_iterations() -> None:
    xs, target = [2.0, 3.0, -1.0], [1.0]
    model = MLP(3, [4, 4, 1], seed=1)
    loss = squared_error(model(xs), target)
    before = _snapshot(loss)
    page = step_through(loss, lr=0.05, iterations=3, svg=NO_DOT)
    assert _snapshot(loss) == before
    expected = _by_hand(MLP(3, [4, 4, 1], seed=1), xs, target, lr=0.05, steps=3)
    assert list(page.losses) == expected  # the same IEEE operations in the same order
    updates = [f for f in page.frames if f.phase == "update" and f.iteration == 0]
    assert len(updates) == len(model.parameters()) == 41


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"lr": 0.1, "iterations": 0}, ValueError, "iterations must be from 1 to 50, got 0"),
        ({"lr": 0.1, "iterations": MAX_ITERATIONS + 1}, ValueError, "got 51"),
        ({"lr": 0.1, "iterations": 2.0}, TypeError, "must be a whole number, got 2.0"),
        ({"lr": 0.1, "iterations": True}, TypeError, "must be a whole number, got True"),
        ({"iterations": 2}, ValueError, "iterations=2 needs lr"),
        ({"lr": 0.1, "iterations": 2, "parameters": []}, ValueError, "nothing to update"),
        ({"lr": 0.1, "parameters": "w"}, TypeError, "parameters must be a list of Values"),
        ({"lr": 0.1, "parameters": [1.0]}, TypeError, "parameters must be Values, got float"),
    ],
)
def test_bad_arguments_say_what_was_wrong(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    w = Value(0.5, "w")
    with pytest.raises(error, match=re.escape(message)):
        step_through(w * 2, svg=NO_DOT, **kwargs)  # type: ignore[arg-type]


def test_an_interior_node_cannot_be_a_parameter() -> None:
    w = Value(0.5, "w")
    h = w * 2
    with pytest.raises(ValueError, match="must be leaves of the graph"):
        step_through(h + 1, lr=0.1, parameters=[h], svg=NO_DOT)


def test_the_docs_quote_the_losses_of_three_iterations() -> None:
    from pathlib import Path

    page = (Path(__file__).parents[2] / "docs" / "drawing.md").read_text(encoding="utf-8")
    line = notes_network_page(iterations=3).frames[-1].losses
    assert f"`{line}`" in page


def test_inside_no_grad_the_page_is_the_same() -> None:
    from autograd import no_grad

    w = Parameter(0.3, "w")
    y = (w * w).sigmoid()
    outside = step_through(y, lr=0.5, iterations=3, svg=NO_DOT)
    with no_grad():
        inside = step_through(y, lr=0.5, iterations=3, svg=NO_DOT)
    assert inside.losses == outside.losses
    assert inside.frames == outside.frames
    assert outside.losses[0] > outside.losses[-1]


def test_the_title_names_the_root_by_its_label_or_variable_never_by_a_formula() -> None:
    loss = (Value(2.0) * 3 - 1) ** 2
    assert step_through(loss, svg="<svg></svg>").title.startswith("Backpropagation through loss,")
    unbound = step_through((Value(2.0) * 3 - 1) ** 2, svg="<svg></svg>").title
    assert unbound.startswith("Backpropagation through the graph,")
    loss.label = "L"
    assert step_through(loss, svg="<svg></svg>").title.startswith("Backpropagation through L,")


def test_a_graph_too_costly_to_lay_out_is_refused_before_its_frames() -> None:
    """A 300-term sum ran until dot's 30 s time-out: now refused at once, with dot or in
    the browser, and before explain's frames are made."""
    from viz import GraphTooLargeError, explain, wasm

    x = Value(1.0, "x")
    f = x
    for _ in range(299):
        f = f + x
    for layout in ("auto", "browser"):
        wasm.configure(layout=layout)
        try:
            with pytest.raises(GraphTooLargeError, match="step_through: laying the graph out"):
                step_through(f)
            with pytest.raises(GraphTooLargeError, match="step_through: laying the graph out"):
                step_through(f, max_nodes=5000)  # given: the page still lays it out
        finally:
            wasm.configure()
    page = step_through(f, svg=NO_DOT)  # a drawing of your own: nothing to lay out
    assert len(page.frames) == 1 + len(explain(f).steps)  # the leaves, then a step a frame


def test_a_chain_longer_than_max_nodes_is_refused_before_its_view() -> None:
    f = Value(0.5, "x")
    for _ in range(2001):
        f = f.tanh()
    with pytest.raises(ValueError, match="step_through: the graph has 2002 nodes, more than max"):
        step_through(f)


def test_a_title_or_svg_of_the_wrong_kind_is_refused_before_anything_is_built() -> None:
    x = Value(2.0, "x")
    with pytest.raises(TypeError, match="title must be a str, got int"):
        step_through(x * x, title=3, svg="<svg></svg>")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"svg must be an SVG document .* got 'a picture'"):
        step_through(x * x, svg="a picture")
