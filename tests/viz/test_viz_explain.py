"""viz.explain and the names every picture shares: checked against the engine and the notes."""

from __future__ import annotations

import math
import re

import pytest
from explained import (
    balanced,
    empty_factor,
    explained_cases,
    html_text,
    notes_sample,
    same_numbers,
)
from hypothesis import given, settings
from strategies import Graph, Network, graphs, networks

from autograd import Value, grad, topological_order, wsum
from autograd.names import name_of, node_names
from nn import delta_rule, squared_error
from viz import chain_rule, draw, explain, step_through
from viz.explain import Explanation
from viz.notation import number

INTERNAL_ID = re.compile(r"\bv<SUB>\d|\bv\d+\b(?!op)")  # v20, v<SUB>20</SUB>


def visible_text(source: str) -> str:
    """The labels of a DOT text, without the node ids (which are positions, by design)."""
    return " ".join(re.findall(r"label=<(.*?)>[\] ]", source))


def test_the_notes_network_explained_in_the_notes_numbers() -> None:
    model, L = notes_sample()
    story = explain(L, digits=17)
    by_hand = delta_rule(model, [1.0, 0.0], [1.0])
    tags = {s.text.split(" ")[0]: s.tag for s in story.backward}
    assert tags["δ_1^(2)"] == "(22)"
    assert tags["δ_1^(1)"] == "(18)"
    assert tags["δ_2^(1)"] == "(19-20)"
    assert tags["∂L/∂w_11^(2)"] == tags["∂L/∂w_21^(1)"] == "(14)"
    assert tags["∂L/∂b_1^(2)"] == tags["∂L/∂b_2^(1)"] == "(13)"
    assert tags["∂L/∂x_1^(1)"] == "(16)"
    # every step's last number is its term, the engine's to the bit: δ's and gradients
    values = {s.text.split(" ")[0]: s.value for s in story.backward}
    for name, delta in by_hand.delta.items():
        assert values[name] == pytest.approx(delta, rel=1e-15, abs=1e-300)
    for name, g in by_hand.grad.items():
        assert values[f"∂L/∂{name}"] == pytest.approx(g, rel=1e-15, abs=1e-300)


def test_the_issue_s_example_line() -> None:
    _, L = notes_sample()
    (line,) = [s.text for s in explain(L).backward if s.text.startswith("∂L/∂w_11^(2)")]
    d = next(s.value for s in explain(L).backward if s.text.startswith("δ_1^(2)"))
    (x,) = [v for v in topological_order(L) if v.label == "x_1^(1)"]
    expected = f"∂L/∂w_11^(2) = δ_1^(2) · x_1^(1) = ({number(d, 3)}) × {number(x.data, 3)}"
    assert line.startswith(expected)
    assert line.endswith(f"= {number(d * x.data, 3)}")


def test_one_backward_step_per_edge_in_reverse_topological_order() -> None:
    x, y = Value(2.0, "x"), Value(3.0, "y")
    f = x * y + x
    f.label = "f"
    steps = explain(f).backward
    assert [s.text for s in steps] == [
        "∂f/∂f = 1",
        "∂f/∂(x·y) = ∂f/∂f = 1",
        "∂f/∂x = ∂f/∂f = 1",
        "∂f/∂x += ∂f/∂(x·y) · y = 1 × 3 = 3, so ∂f/∂x = 4",
        "∂f/∂y = ∂f/∂(x·y) · x = 1 × 2 = 2",
    ]
    (gx, gy) = grad(f, [x, y])
    assert (gx.data, gy.data) == (4.0, 2.0)


def test_subtraction_and_negation_are_said_as_such() -> None:
    y, t = Value(0.25, "y"), Value(1.0, "t")
    L = 0.5 * (y - t) ** 2
    L.label = "L"
    text = str(explain(L))
    assert "y − t = 0.25 − 1 = -0.75" in text
    assert "∂L/∂t = −∂L/∂(y − t) = −(-0.75) = 0.75" in text
    assert "+ −" not in text
    assert "× −1" not in text
    assert name_of(-y) == "−y"
    z = -y
    assert name_of(z) == "z"  # bound to a variable: called by it


def test_explain_speaks_markdown_and_latex() -> None:
    _, L = notes_sample()
    story = explain(L)
    markdown = story._repr_markdown_()
    assert markdown.count("\n1. ") == len(story.steps) - 1
    assert r"\delta_{1}^{(2)}" in markdown
    latex = story._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}")
    assert r"\frac{\partial L}{\partial w_{11}^{(2)}}" in latex
    assert "(14)" in latex


def test_explain_refuses_what_it_cannot_explain() -> None:
    with pytest.raises(TypeError, match="explain needs a Value, got float"):
        explain(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="digits must be an int from 1 to 17, got 0"):
        explain(Value(1.0), digits=0)


def test_negative_zero_is_never_shown() -> None:
    x = Value(-0.0, "x")
    y = x * 3.0
    y.label = "y"
    y.backward()
    source = draw(y).source + chain_rule(y).source
    assert "-0<" not in source
    assert "−0" not in source
    assert "-0 " not in str(explain(y)) + " "
    assert number(-0.0) == "0"


@settings(max_examples=40, deadline=None)
@given(graphs(max_steps=25))
def test_no_picture_or_explanation_shows_an_internal_id(g: Graph) -> None:
    leaves = [Value(v, f"x_{i}") for i, v in enumerate(g.leaves)]
    out = g.build(leaves)[-1]
    assert not INTERNAL_ID.search(visible_text(draw(out, max_nodes=None).source))
    assert not INTERNAL_ID.search(visible_text(chain_rule(out, max_nodes=None).source))
    story = explain(out)
    assert not INTERNAL_ID.search(str(story))
    page = step_through(out, svg="<svg></svg>")
    assert not any(INTERNAL_ID.search(f.equation) for f in page.frames)


@settings(max_examples=25, deadline=None)
@given(networks(max_layers=3, max_width=3))
def test_every_step_of_a_random_network_matches_the_delta_rule(net: Network) -> None:
    model = net.build()
    L = squared_error(model(list(net.x)), list(net.t))
    story = explain(L, digits=17)
    by_hand = delta_rule(model, list(net.x), list(net.t))
    totals: dict[str, float] = {}
    for s in story.backward:
        name = s.text.split(" ")[0]
        totals[name] = totals.get(name, 0.0) + s.value
    for name, g in by_hand.grad.items():
        assert totals[f"∂L/∂{name}"] == pytest.approx(g, rel=1e-9, abs=1e-12)
    for name, d in by_hand.delta.items():
        if name in totals:  # a linear unit's S is its output: its δ is a ∂L/∂x step
            assert totals[name] == pytest.approx(d, rel=1e-9, abs=1e-12)


def test_names_are_what_a_node_computes() -> None:
    w, x, b = Value(0.5, "w_11^(2)"), Value(2.0, "x_1^(1)"), Value(0.1, "b")
    names = node_names(topological_order(wsum([w], [x], b) * x.exp()))
    assert [str(n) for n in names.values()][-3:] == [  # as Python: what compile can print
        "w_11^(2) * x_1^(1) - b",
        "exp(x_1^(1))",
        "… * exp(x_1^(1))",  # longer than MAX_CHARS: the longest input elided
    ]
    assert name_of(wsum([w], [x], b)) == "w_11^(2)·x_1^(1) − b"  # the notes' S = Σ w x − b
    deep = [Value(1.0, "a")]  # held in a list: no variable names the nodes
    for _ in range(30):
        deep.append((deep[-1] * 1.5).tanh())
    assert len(name_of(deep[-1])) <= 30
    assert "…" in name_of(deep[-1])


def test_explanation_is_a_value_of_its_own() -> None:
    story = explain(Value(2.0, "x") * 3)
    assert isinstance(story, Explanation)
    assert repr(story) == "<Explanation of 3 steps>"
    assert math.isclose(story.backward[-1].value, 3.0)


# --- the Jupyter forms (LaTeX, Markdown, HTML) against the text form ----------------------


def test_the_empty_factor_of_explain_s_latex_is_gone() -> None:
    _, L = notes_sample()
    story = explain(L)
    assert len(story.steps) == 31
    assert r"\text{}" not in story.to_latex()  # 17 of the 31 steps printed \cdot \text{} \cdot
    for s in story.steps:  # one dot per product, in every form
        assert s.latex.count(r"\cdot") == s.text.count("·") == html_text(s.html).count("·")


def test_every_jupyter_form_says_what_the_text_says() -> None:
    for case, story in explained_cases().items():
        markdown = story._repr_markdown_().splitlines()
        assert len(markdown) == len(story.steps), case
        for s, line in zip(story.steps, markdown, strict=True):
            assert line.startswith(f"1. ${s.latex}$"), case  # Markdown: each step's LaTeX
            for shown in (s.latex, s.text, html_text(s.html)):
                assert empty_factor(shown) is None, (case, shown, empty_factor(shown))
                assert balanced(shown.replace(r"\{", "").replace(r"\}", "")), (case, shown)
                assert shown.count("{") == shown.count("}"), (case, shown)
            assert s.latex.count(r"\left(") == s.latex.count(r"\right)"), (case, s.latex)
            same_numbers(s.latex, s.text)
            # the HTML is the text with real sub- and superscripts
            assert html_text(s.html) == s.text.replace("_", "").replace("^", ""), case
        latex = story.to_latex()
        assert latex.count(r" \\") == len(story.steps) - 1, case
        assert latex.count("&&") == sum(1 for s in story.steps if s.tag), case
        table = story._repr_html_()
        assert table == story.to_html()
        rows = re.findall(r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", table)
        assert [(html_text(r), t) for r, t in rows] == [
            (html_text(s.html), s.tag) for s in story.steps
        ], case


def test_labels_with_operators_are_parenthesised_in_formulas() -> None:
    story = explained_cases()["neuron"]
    text = str(story)
    assert "∂o/∂(x1*w1 + x2*w2) = ∂o/∂n = 0.5" in text
    assert "∂o/∂x2 = ∂o/∂(x2*w2) · w2 = 0.5 × 1 = 0.5" in text
    assert "∂o/∂x1*w1" not in text
    latex = story.to_latex()
    assert r"\frac{\partial o}{\partial (x1*w1 + x2*w2)} &= \frac{\partial o}{\partial n}" in latex
    w = Value(0.5, "w")
    s = Value(1.0, "x1*w1 + x2*w2")
    assert name_of(s * w) == "(x1*w1 + x2*w2)·w"
    assert name_of(s + w) == "x1*w1 + x2*w2 + w"  # a sum in a sum needs none
    assert name_of(w - s) == "w − (x1*w1 + x2*w2)"
    assert name_of(Value(2.0, "a b") * w) == "(a b)·w"  # not one symbol: parenthesised
    labels = ("w_11^(2)", "S_1^{(1)}", "δ_1^(2)", "x_prime", "f(x)")
    assert [name_of(Value(1.0, n) * w) for n in labels] == [
        "w_11^(2)·w",
        "S_1^{(1)}·w",
        "δ_1^(2)·w",
        "x_prime·w",
        "f(x)·w",
    ]


@pytest.mark.parametrize("label", ["<b>x</b>", "a\n\nb", "$x$", "p & q", "<i>_1^(2)"])
def test_a_label_stays_text_in_every_form(label: str) -> None:
    """No label's HTML reaches a page, and no label ends the Markdown maths early."""
    x = Value(2.0, label)
    f = x * x + 1
    f.label = "f"
    story = explain(f)
    markdown = story._repr_markdown_()
    lines = markdown.split("\n")
    assert len(lines) == len(story.steps)  # no line break, so no blank line, inside a step
    for line in lines:
        assert line.startswith("1. $")
        maths = line[3:].split(" &nbsp; ")[0]
        assert maths.replace(r"\$", "").count("$") == 2  # its own $...$ only
        assert not set("<>&") & set(maths)  # nothing an HTML renderer would read
    page = story.to_html()
    if "<" in label:  # the HTML form writes it as text
        assert "&lt;" in page
        assert "<b>" not in page
        assert "<i>" not in page
    for step in story.steps:
        assert "\n" not in step.latex
    if label == "<b>x</b>":  # the maths' own less-than and greater-than
        assert r"\lt b\gt x\lt /b\gt" in markdown
