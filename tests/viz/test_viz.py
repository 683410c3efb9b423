"""viz: the computation graph and the chain-rule tree, checked on their DOT text and SVG."""

from __future__ import annotations

import html
import math
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import graphviz
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Constant, Parameter, Value, grad, wsum
from nn import MLP, delta_rule, squared_error
from viz import (
    COLORS,
    DEFAULT_MAX_NODES,
    DotNotFoundError,
    GraphTooLargeError,
    chain_rule,
    draw,
    label_html,
    write,
)
from viz.notation import escape

needs_dot = pytest.mark.needs_dot
ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent  # this file's folder: the subprocess imports it
SVG = "{http://www.w3.org/2000/svg}"

# --- reading the DOT text back ----------------------------------------------------

NODE = re.compile(r"^\t(v\d+(?:op)?) \[label=<(.*)>((?: [^<>]*)?)\]$")
EDGE = re.compile(r"^\t(v\d+(?:op)?) -> (v\d+(?:op)?)(?: \[(?:label=<(.*)>)?[^<>]*\])?$")
FONT = re.compile(r"</?FONT[^>]*>")


def parse(source: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str]]]:
    """Nodes {id: (label, other attributes)} and edges [(tail, head, label)] of our DOT."""
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str, str]] = []
    for line in source.splitlines():
        if "style=invis" in line or line.startswith("\t{rank=same; "):
            continue  # the layout's rows and their order, not part of the graph
        if m := EDGE.match(line):
            edges.append((m[1], m[2], FONT.sub("", m[3] or "")))
        elif m := NODE.match(line):
            nodes[m[1]] = (FONT.sub("", m[2]), m[3])
        else:
            assert re.match(r"^(digraph \w+ \{|\t(graph|node|edge) \[.*\]|\})$", line), line
    return nodes, edges


def tree_nodes(source: str) -> dict[str, tuple[str, float, str, float]]:
    """chain_rule's nodes: {id: (name, data, derivative's name, derivative)}."""
    rows = re.compile(
        r"<TR><TD(?: COLSPAN=\"3\")?>(.*?) = ([^<\s]+)</TD></TR>"
        r"<TR><TD(?: COLSPAN=\"3\")?>(.*?) = ([^<\s]+)</TD></TR>"
    )
    result = {}
    for node, (label, _) in parse(source)[0].items():
        m = rows.search(label)
        assert m is not None, label
        result[node] = (m[1], float(m[2]), m[3], float(m[4]))
    return result


def tree_edges(source: str) -> dict[tuple[str, str], tuple[str, float]]:
    """chain_rule's edges: {(upper, lower): (the derivative's form, value)}; the form is
    "" where the derivative is a number (``∂S/∂b = -1``)."""
    result = {}
    nodes = parse(source)[0]
    for (tail, head), label in tree_labels(source).items():
        if not label:  # from a unit's table: its row for this input says it
            row = re.search(
                rf'<TR><TD PORT="c{head[1:]}">[^<]*(?:<[^>]*>[^<]*)*?</TD>'
                r"<TD>(.*?)</TD><TD>below</TD></TR>",
                nodes[tail][0],
            )
            assert row is not None, (tail, head)
            form, _, value = row[1].rpartition(" = ")
            result[tail, head] = (form, float(value))
            continue
        lines = re.findall(r"<TD>(.*?)</TD>", label)
        if len(lines) == 3:  # ∂A/∂B, = its form, = its number
            result[tail, head] = (lines[1].removeprefix("= "), float(lines[2].removeprefix("= ")))
        else:  # ∂A/∂B = its number
            result[tail, head] = ("", float(lines[0].rpartition(" = ")[2]))
    return result


def tree_rows(source: str) -> dict[tuple[str, str], tuple[float, str, float, float]]:
    """The parameters in chain_rule's unit tables: {(unit node, name): (data, ∂S/∂p's form,
    its value, ∂L/∂p)}."""
    row = re.compile(r'<TR><TD BGCOLOR="[^"]*">(.*?) = (\S+)</TD><TD>(.*?)</TD><TD>(\S+)</TD></TR>')
    result = {}
    for node, (label, _) in parse(source)[0].items():
        for name, data, local, total in row.findall(label):
            form, _, value = local.rpartition(" = ")
            result[node, name] = (float(data), form, float(value), float(total))
    return result


def tree_labels(source: str) -> dict[tuple[str, str], str]:
    """chain_rule's edge labels as written: {(upper, lower): label}."""
    return {(tail, head): label for tail, head, label in parse(source)[1]}


def by_name(nodes: dict[str, tuple[str, float, str, float]]) -> dict[str, str]:
    return {name: node for node, (name, *_) in nodes.items()}


def sigma(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# --- the notes' 2-2-1 network, built from the engine's primitives -----------------

X, T = (0.35, 0.9), 0.5
W1 = {(1, 1): 0.1, (2, 1): 0.8, (1, 2): 0.4, (2, 2): 0.6}  # w_ij^(1)
B1 = {1: 0.25, 2: -0.3}
W2 = {1: 0.3, 2: 0.9}  # w_i1^(2)
B2 = 0.2


def seed_network() -> dict[str, Value]:
    """The notes' network with labels w_ij^(k), b_j^(k), S_j^(k), x_j^(k), and L = ½(y − t)²."""
    v: dict[str, Value] = {f"x_{i}^(0)": Value(X[i - 1], f"x_{i}^(0)") for i in (1, 2)}
    for (i, j), w in W1.items():
        v[f"w_{i}{j}^(1)"] = Value(w, f"w_{i}{j}^(1)")
    for j in (1, 2):
        v[f"b_{j}^(1)"] = Value(B1[j], f"b_{j}^(1)")
        S = wsum(
            [v[f"w_{i}{j}^(1)"] for i in (1, 2)], [v["x_1^(0)"], v["x_2^(0)"]], v[f"b_{j}^(1)"]
        )
        S.label = f"S_{j}^(1)"
        x = S.sigmoid()
        x.label = f"x_{j}^(1)"
        v[S.label], v[x.label] = S, x
    for i in (1, 2):
        v[f"w_{i}1^(2)"] = Value(W2[i], f"w_{i}1^(2)")
    v["b_1^(2)"] = Value(B2, "b_1^(2)")
    S2 = wsum([v["w_11^(2)"], v["w_21^(2)"]], [v["x_1^(1)"], v["x_2^(1)"]], v["b_1^(2)"])
    S2.label = "S_1^(2)"
    y = S2.sigmoid()
    y.label = "x_1^(2)"
    L = 0.5 * (y - T) ** 2
    L.label = "L"
    v.update({"S_1^(2)": S2, "x_1^(2)": y, "L": L})
    return v


def by_hand() -> dict[str, float]:
    """The notes' quantities with plain math: (16), (22), (18), (19-20), (13), (14)."""
    h: dict[str, float] = {}
    for j in (1, 2):
        h[f"S_{j}^(1)"] = W1[1, j] * X[0] + W1[2, j] * X[1] - B1[j]
        h[f"x_{j}^(1)"] = sigma(h[f"S_{j}^(1)"])
    h["S_1^(2)"] = W2[1] * h["x_1^(1)"] + W2[2] * h["x_2^(1)"] - B2
    y = h["x_1^(2)"] = sigma(h["S_1^(2)"])
    h["L"] = 0.5 * (y - T) ** 2
    h["δ_1^(2)"] = (y - T) * y * (1 - y)  # (22): ∂L/∂y · σ'(S_1^(2))
    for i in (1, 2):
        xi = h[f"x_{i}^(1)"]
        h[f"edge_{i}"] = W2[i] * xi * (1 - xi)  # ∂S_1^(2)/∂S_i^(1) = w_i1^(2) σ'(S_i^(1)), (17)
        h[f"δ_{i}^(1)"] = h["δ_1^(2)"] * h[f"edge_{i}"]  # (18), (19-20)
    return h


# --- notation and escaping ---------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("w_11^(2)", "w<SUB>11</SUB><SUP>(2)</SUP>"),
        ("S_j^(k)", "S<SUB>j</SUB><SUP>(k)</SUP>"),
        ("x_j^(k)", "x<SUB>j</SUB><SUP>(k)</SUP>"),
        ("b_j^(k)", "b<SUB>j</SUB><SUP>(k)</SUP>"),
        ("δ_j^(k)", "δ<SUB>j</SUB><SUP>(k)</SUP>"),
        ("w_10,3^(2)", "w<SUB>10,3</SUB><SUP>(2)</SUP>"),
        ("w_{11}^{(2)}", "w<SUB>11</SUB><SUP>(2)</SUP>"),
        ("x_0", "x<SUB>0</SUB>"),
        ("L", "L"),
        ("x1", "x1"),
        ("a_b_c", "a_b_c"),  # not the notation: shown as written
    ],
)
def test_labels_in_the_notes_notation_get_real_sub_and_superscripts(
    label: str, expected: str
) -> None:
    assert label_html(label) == expected


HOSTILE = [
    "\"quoted\" and 'single'",
    "{braces} [brackets] |bars|",
    "a < b > c & d",
    "two\nlines\r\nthree",
    "<script>alert(1)</script>",
    '<TABLE><TR><TD>x</TD></TR></TABLE>"]; evil -> node [label="',
    "</TD></TR></TABLE>> shape=box]",
    "ctrl\x00\x01\x1b char and \ud800 surrogate",
    "w_<b>^(&)",
]


@pytest.mark.parametrize("label", HOSTILE)
def test_escaping_leaves_no_markup(label: str) -> None:
    text = escape(label)
    assert "<" not in text.replace("<BR/>", "")
    assert ">" not in text.replace("<BR/>", "")
    # read back, it is the label as written: line breaks as breaks, XML-forbidden
    # characters as their escapes
    shown = html.unescape(text.replace("<BR/>", "\n"))
    expected = re.sub(
        "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]", lambda m: ascii(m[0])[1:-1], label
    )
    assert shown == expected.replace("\r\n", "\n").replace("\r", "\n")


def test_hostile_labels_keep_the_dot_text_well_formed() -> None:
    leaves = [Value(float(i), label) for i, label in enumerate(HOSTILE)]
    root = sum(leaves[1:], leaves[0])
    root.label = HOSTILE[4]
    for source in (draw(root).source, chain_rule(root).source):
        nodes, edges = parse(source)  # every line is one of ours: nothing broke out
        assert len(nodes) >= len(HOSTILE)
        assert "<script>" not in source
        assert "evil" not in [tail for tail, _, _ in edges]


def svg_texts(svg: bytes | str) -> tuple[ET.Element, str]:
    tree = ET.fromstring(svg)  # well-formed XML, or this raises
    text = "".join("".join(t.itertext()) for t in tree.iter(f"{SVG}text"))
    return tree, text


@needs_dot
def test_hostile_labels_render_to_svg_as_text_never_markup() -> None:
    leaves = [Value(float(i), label) for i, label in enumerate(HOSTILE)]
    root = sum(leaves[1:], leaves[0])
    root.label = "<script>alert(2)</script>"
    for drawing in (draw(root), chain_rule(root)):
        svg = drawing.pipe(format="svg")
        tree, text = svg_texts(svg)
        tags = {element.tag.removeprefix(SVG) for element in tree.iter()}
        assert tags <= {
            "svg",
            "g",
            "title",
            "polygon",
            "path",
            "text",
            "tspan",
            "ellipse",
            "polyline",
        }
        assert not [a for e in tree.iter() for a in e.attrib if a.lower().startswith("on")]
        assert b"<script" not in svg
        assert "<script>alert(1)</script>" in text  # shown, as text
        assert "<script>alert(2)</script>" in text
        for piece in ("{braces}", "a < b > c & d", '"quoted"', "ctrl\\x00\\x01"):
            assert piece in text


# --- draw: the computation graph -----------------------------------------------------


def small() -> tuple[Value, Value, Value]:
    a, b = Value(0.5, "a"), Value(-1.5, "w_11^(2)")
    y = (a * b + a).exp()
    y.label = "y"
    return a, b, y


def test_draw_has_every_value_once_and_an_op_node_per_operation() -> None:
    y = small()[2]
    nodes, edges = parse(draw(y).source)
    # topological order by hand: a, b, a*b, a*b + a, exp
    assert sorted(nodes) == sorted(["v0", "v1", "v2", "v2op", "v3", "v3op", "v4", "v4op"])
    assert edges == [
        ("v0", "v2op", ""),
        ("v1", "v2op", ""),
        ("v2op", "v2", ""),
        ("v2", "v3op", ""),
        ("v0", "v3op", ""),
        ("v3op", "v3", ""),
        ("v3", "v4op", ""),
        ("v4op", "v4", ""),
    ]
    assert [nodes[f"v{i}op"][0] for i in (2, 3, 4)] == ["·", "+", "exp"]  # the rows' symbols


def test_draw_shows_label_data_and_grad_to_the_given_digits() -> None:
    y = small()[2]
    y.backward()
    nodes, _ = parse(draw(y, digits=17).source)
    cells = re.compile(r"<TD>data (\S+)</TD></TR><TR><TD>grad (\S+)</TD>")
    value = math.exp(0.5 * -1.5 + 0.5)
    expected = {
        "v0": (0.5, value * (-1.5 + 1)),  # ∂y/∂a = e^(ab + a)(b + 1)
        "v1": (-1.5, value * 0.5),
        "v4": (value, 1.0),
    }
    for node, (data, gradient) in expected.items():
        m = cells.search(nodes[node][0])
        assert m is not None
        assert float(m[1]) == pytest.approx(data, rel=1e-15)
        assert float(m[2]) == pytest.approx(gradient, rel=1e-15)
    assert "<TD>w<SUB>11</SUB><SUP>(2)</SUP></TD>" in nodes["v1"][0]
    assert "<TD>y</TD>" in nodes["v4"][0]
    assert "<TD>data 0.5</TD></TR><TR><TD>grad -0.3894</TD>" in parse(draw(y).source)[0]["v0"][0]
    assert "<TD>a·w<SUB>11</SUB><SUP>(2)</SUP></TD>" in nodes["v2"][0]  # named by what it computes


def test_draw_colours_leaves_output_and_constants_once() -> None:
    x = Value(2.0, "x")  # a plain variable: no Parameter in the graph
    y = 3 * x
    nodes, _ = parse(draw(y).source)
    constant, leaf, out = nodes["v0"], nodes["v1"], nodes["v2"]
    assert f'BGCOLOR="{COLORS["variable"]}"' in leaf[0]
    assert f'BGCOLOR="{COLORS["output"]}"' in out[0]
    w = Parameter(2.0, "w")  # the same graph with a parameter
    assert f'BGCOLOR="{COLORS["leaf"]}"' in parse(draw(3 * w).source)[0]["v1"][0]
    assert constant[0] == "3"
    assert "dashed" in constant[1]
    assert f'fontcolor="{COLORS["constant"]}"' in constant[1]
    assert "grad" not in constant[0]
    assert len({COLORS[k] for k in ("leaf", "variable", "output", "interior")}) == 4


def test_draw_marks_the_subtracted_bias_of_wsum() -> None:
    w, x, b = (
        [Value(1.0, "w"), Value(2.0, "v")],
        [Value(3.0, "p"), Value(4.0, "q")],
        Value(0.5, "b"),
    )
    nodes, edges = parse(draw(wsum(w, x, b)).source)  # unbound: named by what it computes
    signs = [label for _, head, label in edges if head.endswith("op")]
    assert signs == ["", "", "", "", "−"]  # S = Σ w x − b, as the notes write it
    assert nodes["v5op"][0] == "Σwx−b"
    assert "<TD>w·p + v·q − b</TD>" in nodes["v5"][0]  # named by what it computes


def test_node_names_come_from_positions_so_the_dot_text_repeats() -> None:
    first, second = draw(small()[2]).source, draw(small()[2]).source
    assert first == second  # two separate graphs, different id()s
    assert set(re.findall(r"\bv\d+(?:op)?\b", first)) == set(parse(first)[0])


def _render_in_fresh_process(seed: str) -> list[bytes]:
    """The DOT text and SVG of both drawings of the notes' network, from a new interpreter."""
    program = (
        "import sys, test_viz as t, viz\n"
        "root = t.seed_network()['L']; root.backward()\n"
        "for d in (viz.draw(root), viz.chain_rule(root)):\n"
        "    sys.stdout.buffer.write(d.source.encode() + b'\\0' + d.pipe(format='svg') + b'\\0')\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": f"{HERE}:{ROOT / 'tests'}:{ROOT}"}
    run = subprocess.run([sys.executable, "-c", program], check=True, capture_output=True, env=env)
    return run.stdout.split(b"\0")[:4]


@needs_dot
def test_dot_and_svg_are_byte_identical_across_runs() -> None:
    first, second = _render_in_fresh_process("1"), _render_in_fresh_process("2")
    assert first == second  # hash seeds differ, and so do every id()
    assert all(len(output) > 1000 for output in first)
    for svg in (first[1].decode(), first[3].decode()):
        # the only comments: Graphviz's version, the title, and node and edge names
        for comment in re.findall(r"<!--(.*?)-->", svg, flags=re.S):
            assert re.fullmatch(
                r"\s*(Generated by graphviz version [^\n]*\s*|Title: \w+ Pages: 1"
                r"|v\d+(op)?(&#45;&gt;v\d+(op)?)?)\s*",
                comment,
            ), comment
        assert "0x" not in svg  # no address anywhere


def test_max_nodes_stops_with_the_count_and_the_limit() -> None:
    x = Value(0.1, "x")
    y = x
    for _ in range(30):
        y = y.tanh()
    with pytest.raises(GraphTooLargeError, match=r"31 nodes, more than max_nodes=20"):
        draw(y, max_nodes=20)
    with pytest.raises(GraphTooLargeError, match=r"31 nodes, more than max_nodes=5"):
        chain_rule(y, max_nodes=5)
    assert len(parse(chain_rule(y, keep="x", max_nodes=5).source)[0]) == 2  # counts what is drawn
    assert len(parse(draw(y, max_nodes=None).source)[0]) == 31 + 30
    assert DEFAULT_MAX_NODES >= 1000


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"max_nodes": 0}, ValueError, "max_nodes must be a positive int or None, got 0"),
        ({"max_nodes": 2.5}, TypeError, "got float: 2.5"),
        ({"max_nodes": True}, TypeError, "got bool: True"),
        ({"digits": 0}, ValueError, "digits must be an int from 1 to 17, got 0"),
        ({"rankdir": "UP"}, ValueError, r"unknown rankdir 'UP' \(must be one of \['TB'"),
    ],
)
def test_draw_rejects_bad_options_by_name(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        draw(Value(1.0), **kwargs)  # type: ignore[arg-type]


def test_drawings_need_a_value() -> None:
    with pytest.raises(TypeError, match="draw needs a Value to draw from, got float"):
        draw(1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="chain_rule needs a Value to draw from, got list"):
        chain_rule([])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"keep must be None, a label prefix .* got int: 3"):
        chain_rule(Value(1.0), keep=3)  # type: ignore[arg-type]


def test_a_deep_graph_draws_without_recursion() -> None:
    x = Value(0.5, "x")
    y = x
    for _ in range(10_000):
        y = y * 1.0
    nodes, edges = parse(draw(y, max_nodes=None).source)
    assert len(nodes) == 1 + 2 * 10_000 + 10_000  # x, each product and its constant, the ops
    assert len(edges) == 3 * 10_000
    tree = tree_nodes(chain_rule(y, max_nodes=None).source)
    assert len(tree) == 10_001


# --- chain_rule: the dependency tree ---------------------------------------------------


def test_the_notes_tree_of_deltas() -> None:
    net, h = seed_network(), by_hand()
    source = chain_rule(net["L"], keep="S", digits=17).source
    nodes, edges = tree_nodes(source), tree_edges(source)
    names = by_name(nodes)
    S12, S11, S21 = (names[label_html(s)] for s in ("S_1^(2)", "S_1^(1)", "S_2^(1)"))
    assert sorted(names) == sorted(label_html(s) for s in ("L", "S_1^(2)", "S_1^(1)", "S_2^(1)"))
    assert sorted(edges) == sorted([(names["L"], S12), (S12, S11), (S12, S21)])
    # δ_1^(2) above δ_1^(1) and δ_2^(1), δ's as in (22), (18), (19-20)
    for node, delta in ((S12, "δ_1^(2)"), (S11, "δ_1^(1)"), (S21, "δ_2^(1)")):
        assert nodes[node][2] == label_html(delta)
        assert nodes[node][3] == pytest.approx(h[delta], rel=1e-12)
    # the edges carry w_i1^(2)·σ'(S_i^(1)), the notes' (17)
    for i, node in ((1, S11), (2, S21)):
        text, value = edges[S12, node]
        assert text == f"w<SUB>{i}1</SUB><SUP>(2)</SUP>·σ'(S<SUB>{i}</SUB><SUP>(1)</SUP>)"
        assert value == pytest.approx(h[f"edge_{i}"], rel=1e-12)
    # L -> S_1^(2) carries ∂L/∂S_1^(2) = (y − t)σ'(S_1^(2)) = δ_1^(2)
    assert edges[names["L"], S12][1] == pytest.approx(h["δ_1^(2)"], rel=1e-12)
    assert edges[names["L"], S12][0].endswith("σ'(S<SUB>1</SUB><SUP>(2)</SUP>)")
    assert nodes[names["L"]][1] == pytest.approx(h["L"], rel=1e-12)


@pytest.mark.parametrize(
    ("sizes", "x", "t"), [([2, 1], [0.35, 0.9], [0.5]), ([3, 2, 2], [1.0, -0.5], [0.2, 0.9])]
)
def test_the_tree_of_deltas_agrees_with_nn_delta_rule(
    sizes: list[int], x: list[float], t: list[float]
) -> None:
    model = MLP(2, sizes)
    L = squared_error(model(x), t)
    expected = delta_rule(model, x, t).delta
    source = chain_rule(L, keep="S", digits=17).source
    nodes, edges = tree_nodes(source), tree_edges(source)
    node_of = {n[2]: node for node, n in nodes.items()}  # by "δ_j^(k)" as drawn
    assert sorted(node_of) == sorted([label_html(key) for key in expected] + ["∂L/∂L"])
    for key, delta in expected.items():
        assert nodes[node_of[label_html(key)]][3] == pytest.approx(delta, rel=1e-12)
    # each hidden δ_i^(k) is Σ_j δ_j^(k+1) · (w_ij^(k+1) σ'(S_i^(k))), the edges' numbers
    for k in range(1, len(sizes)):
        for i in range(1, sizes[k - 1] + 1):
            lower = node_of[label_html(f"δ_{i}^({k})")]
            uppers = [node_of[label_html(f"δ_{j}^({k + 1})")] for j in range(1, sizes[k] + 1)]
            total = sum(
                expected[f"δ_{j}^({k + 1})"] * edges[upper, lower][1]
                for j, upper in enumerate(uppers, start=1)
            )
            assert total == pytest.approx(expected[f"δ_{i}^({k})"], rel=1e-12)
            for j, upper in enumerate(uppers, start=1):
                assert edges[upper, lower][0] == (
                    f"w<SUB>{i}{j}</SUB><SUP>({k + 1})</SUP>·σ'(S<SUB>{i}</SUB><SUP>({k})</SUP>)"
                )


def test_the_full_tree_shows_each_local_derivative_and_the_gradients_13_14() -> None:
    net, h = seed_network(), by_hand()
    source = chain_rule(net["L"], digits=17).source
    nodes, edges, rows = tree_nodes(source), tree_edges(source), tree_rows(source)
    names = by_name(nodes)
    S = names[label_html("S_1^(2)")]
    # each unit is a table: a row per input, saying ∂S/∂input. ∂S/∂w_i = x_i,
    # ∂S/∂x_i = w_i, ∂S/∂b = −1: the wsum row. Its own parameters are rows only.
    for i in (1, 2):
        data, form, value, _ = rows[S, label_html(f"w_{i}1^(2)")]
        assert (data, form) == (W2[i], label_html(f"x_{i}^(1)"))
        assert value == pytest.approx(h[f"x_{i}^(1)"], rel=1e-15)
        x = names[label_html(f"x_{i}^(1)")]
        assert edges[S, x] == (label_html(f"w_{i}1^(2)"), W2[i])  # an edge to a box of its own
    assert rows[S, label_html("b_1^(2)")][1:3] == ("", -1.0)  # a number: the value says it
    assert label_html("w_11^(2)") not in names  # no box of its own
    header = re.search(r"<TD>input</TD><TD>(.*?)</TD><TD>(.*?)</TD>", parse(source)[0][S][0])
    assert header is not None
    assert header.groups() == (f"∂{label_html('S_1^(2)')}/∂input", "∂L/∂input")
    # σ'(S) = x(1 − x), from the table's own formula
    for j in (1, 2):
        x, Sj = names[label_html(f"x_{j}^(1)")], names[label_html(f"S_{j}^(1)")]
        text, value = edges[x, Sj]
        xs = label_html(f"x_{j}^(1)")
        assert text == f"σ'({label_html(f'S_{j}^(1)')}) = {xs}·(1 − {xs})"
        assert value == pytest.approx(h[f"x_{j}^(1)"] * (1 - h[f"x_{j}^(1)"]), rel=1e-12)
    # (13), (14): ∂L/∂b_j^(k) = −δ_j^(k), ∂L/∂w_ij^(k) = δ_j^(k) x_i^(k−1)
    for j in (1, 2):
        delta = h[f"δ_{j}^(1)"]
        Sj = names[label_html(f"S_{j}^(1)")]
        assert rows[Sj, label_html(f"b_{j}^(1)")][3] == pytest.approx(-delta, rel=1e-12)
        for i in (1, 2):
            data, form, value, total = rows[Sj, label_html(f"w_{i}{j}^(1)")]
            assert (form, value) == (label_html(f"x_{i}^(0)"), X[i - 1])
            assert total == pytest.approx(delta * X[i - 1], rel=1e-12)
    assert rows[S, label_html("b_1^(2)")][3] == pytest.approx(-h["δ_1^(2)"], rel=1e-12)
    # the inputs x_i^(0) feed both units: boxes of their own, an edge from each table
    for i in (1, 2):
        x0 = names[label_html(f"x_{i}^(0)")]
        assert {upper for upper, lower in edges if lower == x0} == {
            names[label_html("S_1^(1)")],
            names[label_html("S_2^(1)")],
        }


def test_chain_rule_reads_no_grad_and_changes_none() -> None:
    net = seed_network()
    before = {name: v.grad for name, v in net.items()}
    first = chain_rule(net["L"]).source
    assert {name: v.grad for name, v in net.items()} == before
    net["L"].backward()
    assert chain_rule(net["L"]).source == first


def test_constants_are_left_out_and_appear_in_the_forms() -> None:
    x = Value(1.5, "x")
    y = 3 * x**2
    y.label = "y"
    source = chain_rule(y, digits=17).source
    nodes, edges = tree_nodes(source), tree_edges(source)
    # topological order: 3 (v0), x (v1), 2 (v2), x**2 (v3), y (v4); constants not drawn
    assert {node: n[0] for node, n in nodes.items()} == {
        "v4": "y",
        "v3": "x<SUP>2</SUP>",  # named by what it computes, never v3
        "v1": "x",
    }
    assert edges == {("v4", "v3"): ("", 3.0), ("v3", "v1"): ("2·x", 3.0)}
    assert nodes["v1"][3] == pytest.approx(6 * 1.5)


def test_several_paths_are_summed_without_enumerating_them() -> None:
    x = Value(1.0, "x")
    y = x
    for _ in range(300):  # 2**300 paths from the top to x
        y = y + y
    source = chain_rule(y, keep="x", digits=17).source
    ((text, value),) = tree_edges(source).values()
    assert text == "Σ over 1000000000+ paths"
    assert value == 2.0**300
    square = x * x
    ((text, value),) = tree_edges(chain_rule(square, digits=17).source).values()
    assert (text, value) == ("Σ over 2 paths", 2.0)


def test_a_long_single_chain_is_summarized() -> None:
    x = Value(0.3, "x")
    y = x
    for _ in range(10):
        y = y.tanh()
    expected, t = 1.0, 0.3
    for _ in range(10):
        t = math.tanh(t)
        expected *= 1 - t * t
    ((text, value),) = tree_edges(chain_rule(y, keep="x", digits=17).source).values()
    assert text == "product of more than 6 local derivatives"
    assert value == pytest.approx(expected, rel=1e-13)
    z = x.tanh().exp()
    ((text, _),) = tree_edges(chain_rule(z, keep="x").source).values()
    assert text == "exp'(tanh(x))·tanh'(x)"


def test_delta_names_only_for_S_in_the_notation() -> None:
    S, other = Value(0.0, "S_2^(3)"), Value(0.0, "Score")
    source_nodes = tree_nodes(chain_rule(S * other).source)  # an unbound root
    nodes = by_name(source_nodes)
    assert source_nodes[nodes[label_html("S_2^(3)")]][2] == "δ<SUB>2</SUB><SUP>(3)</SUP>"
    root_name = "S<SUB>2</SUB><SUP>(3)</SUP>·Score"  # what the root computes, never v2
    assert source_nodes[nodes["Score"]][2] == f"∂({root_name})/∂Score"


# Random graphs: each kept node's ∂L/∂node (from autograd.grad) must equal the sum over
# the edges into it of ∂L/∂(upper node) times the edge — the chain rule on the collapsed
# graph, whatever the keep predicate.
OPS: list[Callable[[Value, Value], Value]] = [
    lambda a, b: a + b,
    lambda a, b: a * b,
    lambda a, b: a - b,
    lambda a, b: (a * 0.5).sigmoid() * b,
    lambda a, b: a.tanh() + b * 0.3,
    lambda a, b: wsum([a], [b], a),
    lambda a, b: (a * a + 1.0).log() + b,
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 10**6), st.integers(0, 10**6)),
        min_size=1,
        max_size=25,
    ),
    st.integers(0, 2**25 - 1),
)
def test_collapsed_edges_satisfy_the_chain_rule(
    steps: list[tuple[int, int, int]], mask: int
) -> None:
    pool = [Value(0.3 * k - 0.7, f"p{k}") for k in range(4)]
    for k, (op, i, j) in enumerate(steps):
        out = OPS[op](pool[i % len(pool)], pool[j % len(pool)])
        out.label = f"n{k}"
        pool.append(out)
    root = pool[-1]
    kept_names = {f"n{k}" for k in range(len(steps)) if mask >> k & 1} | {"p0", "p2"}
    source = chain_rule(root, keep=lambda v: v.label in kept_names, digits=17).source
    nodes, edges = tree_nodes(source), tree_edges(source)
    incoming: dict[str, float] = {}
    for (upper, lower), (_, value) in edges.items():
        incoming[lower] = incoming.get(lower, 0.0) + nodes[upper][3] * value
    names = {v.label: v for v in pool}
    for node, (name, data, _, derivative) in nodes.items():
        v = names[name]
        assert data == v.data
        (expected,) = grad(root, [v])
        assert derivative == pytest.approx(expected.data, rel=1e-9, abs=1e-12)
        if v is not root:
            assert incoming[node] == pytest.approx(derivative, rel=1e-9, abs=1e-12)


# --- writing, rendering, Jupyter, a missing dot ----------------------------------------------


def test_write_dot_needs_no_program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    y = small()[2]
    path = write(draw(y), tmp_path / "graph.dot")
    assert path == tmp_path / "graph.dot"
    assert path.read_text(encoding="utf-8") == draw(y).source
    assert write(chain_rule(y), str(tmp_path / "t.DOT")).read_text() == chain_rule(y).source


def test_a_missing_dot_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot
    drawing = draw(small()[2])
    for render in (
        lambda: write(drawing, tmp_path / "graph.svg"),
        lambda: drawing.pipe(format="svg"),
        lambda: drawing.render(tmp_path / "r.gv", format="pdf"),
        lambda: write(graphviz.Digraph(), tmp_path / "plain.png"),
    ):
        with pytest.raises(DotNotFoundError) as caught:
            render()
        message = str(caught.value)
        assert "sudo apt-get install graphviz" in message
        assert "brew install graphviz" in message
        assert isinstance(caught.value, graphviz.ExecutableNotFound)
    assert not (tmp_path / "graph.svg").exists()
    assert not (tmp_path / "plain.png").exists()
    assert drawing.source.startswith("digraph computation_graph {")
    # Jupyter's display needs no dot: the browser lays the graph out (tests/viz/test_wasm.py)
    assert list(drawing._repr_mimebundle_()) == ["text/html"]


def test_write_refuses_an_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(
        ValueError, match=r"suffix '\.jpg'.*one of \['\.dot', '\.gv', '\.pdf', '\.png', '\.svg'\]"
    ):
        write(draw(Value(1.0)), tmp_path / "graph.jpg")
    with pytest.raises(ValueError, match=r"format='gif'"):
        write(draw(Value(1.0)), tmp_path / "graph.svg", format="gif")
    assert list(tmp_path.iterdir()) == []


@needs_dot
@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".svg", b"<?xml"), (".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-"), (".dot", b"digraph")],
)
def test_write_renders_by_suffix(tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = write(chain_rule(seed_network()["L"], keep="S"), tmp_path / f"tree{suffix}")
    assert path.read_bytes().startswith(magic)
    forced = write(draw(Value(1.0, "x")), tmp_path / "graph.txt", format="svg")
    assert forced.read_bytes().startswith(b"<?xml")


@needs_dot
def test_jupyter_shows_the_drawing_as_svg() -> None:
    net = seed_network()
    net["L"].backward()
    bundle = draw(net["L"])._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    _, text = svg_texts(bundle["image/svg+xml"])
    assert "grad 1" in text
    assert "w11(2)" in text.replace(" ", "")  # w, then 11 and (2) shifted down and up
    tree_bundle = chain_rule(net["L"], keep="S")._repr_mimebundle_()
    _, tree_text = svg_texts(tree_bundle["image/svg+xml"])
    assert tree_text.count("δ") == 3


@needs_dot
def test_svg_has_real_sub_and_superscripts() -> None:
    svg = draw(Value(1.0, "w_11^(2)")).pipe(format="svg", encoding="utf-8")
    tree, _ = svg_texts(svg)
    (line,) = [t for t in tree.iter(f"{SVG}text") if "".join(t.itertext()) == "w11(2)"]
    w, sub, sup = line  # one <text> laid out by the viewer: w, then 11 down, (2) up
    assert (w.text, sub.text, sup.text) == ("w", "11", "(2)")
    size = float(w.get("font-size", "0"))
    for script in (sub, sup):  # about 70 %: Graphviz rounds the point size to a whole number
        assert float(script.get("font-size", "0")) == pytest.approx(0.7 * size, abs=0.5)
    assert float(sub.get("dy", "0")) > 0 > float(sup.get("dy", "0"))  # SVG's y grows downwards


def test_constant_root_and_leaf_root_draw() -> None:
    c = Constant(2.0)
    assert parse(draw(c).source)[0]["v0"][0].count("data 2") == 1
    assert list(tree_nodes(chain_rule(c).source)) == ["v0"]
    x = Value(-0.0, "x")
    assert tree_nodes(chain_rule(x).source)["v0"] == ("x", -0.0, "∂x/∂x", 1.0)


@needs_dot
def test_the_notes_network_is_legible_at_readme_width() -> None:
    """The default layout fits the README's 880 px at full size (1 pt = 4/3 px)."""
    model = MLP(2, [2, 1])
    L = squared_error(model([1.0, 0.0]), [1.0])
    svg = draw(L, digits=3).pipe(format="svg", encoding="utf-8")
    width = float(re.search(r'<svg width="([\d.]+)pt"', svg)[1])  # type: ignore[index]
    assert width * 4 / 3 <= 880


@needs_dot
def test_an_svg_rasteriser_draws_the_scripts_small_and_shifted(tmp_path: Path) -> None:
    """librsvg (rsvg-convert) lays out the merged <text>: the scripts are smaller and shifted."""
    import shutil

    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is missing: sudo apt-get install librsvg2-bin")
    svg = tmp_path / "w.svg"
    write(draw(Value(1.0, "w_11^(2)"), legend=False), svg)
    png = subprocess.run(
        ["rsvg-convert", "-z", "4", str(svg)], check=True, capture_output=True
    ).stdout
    assert png.startswith(b"\x89PNG")
    PIL = pytest.importorskip("PIL.Image", reason="Pillow (a matplotlib dependency)")
    import io

    image = PIL.open(io.BytesIO(png)).convert("L")
    width, height = image.size
    dark = [[image.getpixel((x, y)) < 100 for x in range(width)] for y in range(height)]
    widest = max(sum(row) for row in dark)  # a border line of the box
    tallest = max(sum(row[x] for row in dark) for x in range(width))
    borders_y = {y for y in range(height) if sum(dark[y]) > widest // 2}
    borders_x = {x for x in range(width) if sum(row[x] for row in dark) > tallest // 2}
    top, below = min(borders_y), sorted(y for y in borders_y if y > min(borders_y) + 8)[0]
    left, right = min(borders_x), max(borders_x)
    ink = [  # the glyphs of the name cell, borders left out
        (x, y)
        for y in range(top + 6, below - 5)  # 6 px clear of the (antialiased) borders
        for x in range(left + 6, right - 5)
        if dark[y][x]
    ]
    x0, x1 = min(x for x, _ in ink), max(x for x, _ in ink)
    third = (x1 - x0) / 3
    w = [y for x, y in ink if x < x0 + third * 0.8]  # "w"
    sub = [y for x, y in ink if x0 + third * 1.1 < x < x0 + third * 1.9]  # "11"
    sup = [y for x, y in ink if x > x0 + third * 2.2]  # "(2)"
    assert max(sub) > max(w)  # the subscript sits below the baseline
    assert min(sup) < min(w)  # the superscript rises above the letter
    assert max(sub) - min(sub) < max(w) - min(w) + (max(w) - min(w)) * 0.6  # and is small
