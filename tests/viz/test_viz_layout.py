"""viz's layout of networks, legend and gradients: the DOT text, and dot's own layout."""

from __future__ import annotations

import html
import importlib.util
import random
import re
import shutil
import subprocess
from itertools import combinations, pairwise
from pathlib import Path

import pytest

from autograd import Parameter, Value, grad, topological_order
from nn import MLP, squared_error
from viz import COLORS, chain_rule, draw
from viz.drawing import KIND_NAMES, color_of, legend_html
from viz.graph import COLLAPSE_UNITS, draw_view
from viz.layout import find_layers
from viz.view import graph_view

needs_dot = pytest.mark.needs_dot
ROW = re.compile(r"^\t\{rank=same; ([v\d ]+)\}$", re.M)
INVISIBLE = re.compile(r"^\t(v\d+) -> (v\d+) \[style=invis[^\]]*\]$", re.M)


def network(
    n_in: int, sizes: list[int], activation: str = "sigmoid", output_activation: str | None = None
) -> Value:
    model = MLP(n_in, sizes, activation, output_activation)
    x = [0.5, -1.0, 0.25, 0.75][:n_in]
    L = squared_error(model(x), [1.0] * sizes[-1])
    L.label = "L"
    L.backward()
    return L


def micrograd_style(n_in: int, sizes: list[int]) -> tuple[Value, list[list[list[Parameter]]]]:
    """micrograd's MLP by hand: ``sum((wi * xi ...), b)`` then relu, unlabelled."""
    rng = random.Random(1)
    xs: list[Value] = [Value(v) for v in [0.5, -1.0, 0.25, 0.75][:n_in]]
    params: list[list[list[Parameter]]] = []
    for k, n in enumerate(sizes):
        outs, layer = [], []
        for _ in range(n):
            w = [Parameter(rng.uniform(-1, 1)) for _ in xs]
            b = Parameter(0.0)
            act = sum((wi * xi for wi, xi in zip(w, xs, strict=True)), b)
            outs.append(act.relu() if k < len(sizes) - 1 else act)
            layer.append([b, *w])
        params.append(layer)
        xs = outs
    L = (xs[0] - 1.0) ** 2
    L.backward()
    return L, params


def names_of(root: Value) -> dict[str, str]:
    """DOT id -> the node's label (or "" when it has none)."""
    return {f"v{i}": v.label for i, v in enumerate(topological_order(root))}


# --- finding the layers -------------------------------------------------------------


def test_an_nn_mlp_is_found_layer_by_layer_in_unit_order() -> None:
    L = network(3, [4, 4, 1])
    found = find_layers(topological_order(L))
    assert found is not None
    heads = [[u.head.label for u in layer] for layer in found.layers]
    assert heads == [[f"S_{j}^({k})" for j in range(1, n + 1)] for k, n in ((1, 4), (2, 4), (3, 1))]
    assert [x.label for x in found.inputs] == ["x_1^(0)", "x_2^(0)", "x_3^(0)"]
    unit = found.layers[1][2]  # S_3^(2): w_13^(2) .. w_43^(2), then b_3^(2)
    assert [p.label for p in unit.parameters] == [f"w_{i}3^(2)" for i in range(1, 5)] + ["b_3^(2)"]
    assert [x.label for x in unit.data] == [f"x_{i}^(1)" for i in range(1, 5)]
    assert unit.activation is not None
    assert unit.activation.label == "x_3^(2)"


def test_a_micrograd_style_graph_is_found_without_labels() -> None:
    L, params = micrograd_style(3, [4, 4, 1])
    found = find_layers(topological_order(L))
    assert found is not None
    assert [len(layer) for layer in found.layers] == [4, 4, 1]
    for n_in, layer, built in zip((3, 4, 4), found.layers, params, strict=True):
        for unit, expected in zip(layer, built, strict=True):  # in the order they were made
            assert list(unit.parameters) == expected  # b first: it is sum()'s start
            assert len(unit.data) == n_in
            assert len(unit.members) == 2 * n_in - 1  # the products w·x and the partial sums
    assert all(unit.activation is not None for unit in found.layers[1])
    assert found.layers[2][0].activation is None  # the linear output feeds the loss


def test_an_expression_is_not_a_network() -> None:
    x, y, z = Value(1.0, "x"), Value(2.0, "y"), Value(3.0, "z")
    assert find_layers(topological_order(x * y + z)) is None
    assert find_layers(topological_order((x * x + 2 * x - 1).tanh())) is None


# --- the DOT text: rows in unit order, parameters beside their unit --------------------


def test_draw_puts_each_layer_in_a_row_in_unit_order() -> None:
    L = network(3, [4, 4, 1])
    source = draw(L).source
    label = names_of(L)
    rows = [[label[v] for v in row.split()] for row in ROW.findall(source)]
    order = dict(INVISIBLE.findall(source))
    assert ["x_1^(0)", "x_2^(0)", "x_3^(0)"] in rows
    for k in (1, 2):
        sums = [f"S_{j}^({k})" for j in range(1, 5)]
        assert sums in rows  # one row per layer, in unit order
        for left, right in pairwise(sums):  # held in order, left to right
            ids = {name: v for v, name in label.items()}
            assert order[ids[left]] == ids[right]
    # each unit's weights and bias stand in a column: w_1j -> w_2j -> ... -> b_j
    ids = {name: v for v, name in label.items()}
    for j in range(1, 5):
        column = [f"w_{i}{j}^(2)" for i in range(1, 5)] + [f"b_{j}^(2)"]
        for upper, lower in pairwise(column):
            assert order[ids[upper]] == ids[lower]
    # the last layer's five parameters in one row, in order
    assert [f"w_{i}1^(3)" for i in range(1, 5)] + ["b_1^(3)"] in rows


def test_the_layout_lines_change_no_node_or_edge() -> None:
    L = network(2, [2, 1])
    view = graph_view(L)
    plain = draw_view(view).source.splitlines()
    laid = draw_view(view, network=find_layers(list(view.order))).source.splitlines()
    extra = [line for line in laid if line not in plain]
    assert extra
    assert all("style=invis" in line or "rank=same" in line for line in extra)


def test_a_wide_network_is_drawn_layer_by_layer() -> None:
    L = network(2, [16, 16, 1], activation="relu", output_activation="linear")
    source = draw(L).source
    assert COLLAPSE_UNITS < 16
    assert source.count('PORT="u') == 16 + 16 + 1  # one row per unit
    assert "layer 2: 272 parameters" in source
    assert "layer 1: 16 units, activation relu" in source
    full = draw(L, collapse=False).source
    assert full.count("Σwx−b") == 33
    assert "PORT=" not in full
    assert draw(network(3, [4, 4, 1]), collapse=True).source.count('PORT="u') == 9
    micro, _ = micrograd_style(2, [16, 16, 1])
    assert draw(micro).source.count('PORT="u') == 33
    with pytest.raises(TypeError, match=r"collapse must be True, False or None .* got str"):
        draw(L, collapse="yes")  # type: ignore[arg-type]


def test_the_collapsed_tables_show_each_units_numbers() -> None:
    L = network(2, [16, 16, 1], activation="relu", output_activation="linear")
    source = draw(L, digits=17).source
    found = find_layers(topological_order(L))
    assert found is not None
    unit = found.layers[1][4]  # unit 5 of layer 2
    row = re.search(r'PORT="u5"><FONT[^>]*>5</FONT></TD>(.*?)</TR>', source.split("layer2 [")[1])
    assert row is not None
    numbers = [float(n) for n in re.findall(r"<FONT[^>]*>([-\d.e+]+)</FONT>", row[1])]
    assert numbers == [unit.head.data, unit.head.grad, unit.output.data, unit.output.grad]


# --- gradients: draw, chain_rule and grad agree after repeated backward() --------------


def test_a_stale_grad_is_marked_with_the_fresh_derivative() -> None:
    L = network(2, [2, 1])
    once = draw(L).source
    assert "≠" not in once  # after one backward(), .grad is ∂L/∂node
    L.backward()  # again, without zero_grad: every .grad doubles
    twice = draw(L, digits=17).source
    box = re.compile(r"^\t(v\d+) \[label=<.*grad ([^<]+)<.*≠ ([^<]+)<", re.M)
    marked = {node: (float(g), float(f)) for node, g, f in box.findall(twice)}
    order = [v for v in topological_order(L) if v.grad != 0.0]
    fresh = dict(zip(order, (g.data for g in grad(L, order)), strict=True))
    ids = {v: f"v{i}" for i, v in enumerate(topological_order(L))}
    moved = {ids[v]: v for v in order if v.grad != fresh[v]}
    assert set(marked) == set(moved)  # every box whose .grad is not ∂L/∂node, and no other
    assert {v.op for v in moved.values()} == {""}  # the leaves: backward sums into them
    assert len(moved) == 9 + 2  # the 2-2-1 network's parameters and its two inputs
    for node, v in moved.items():
        assert marked[node] == (v.grad, fresh[v])
        assert v.grad == 2 * fresh[v]
    assert "adds up over backward() calls" in twice
    # chain_rule shows the fresh ∂L/∂node whatever .grad holds
    first_tree = chain_rule(L).source
    for v in moved.values():
        v.grad = 0.0  # zero_grad()
    L.backward()
    assert chain_rule(L).source == first_tree
    assert "≠" not in draw(L).source


def test_before_backward_nothing_is_marked() -> None:
    x = Value(2.0, "x")
    y = x * x
    assert "≠" not in draw(y).source
    assert "grad 0" in draw(y).source


# --- colours and the legend -----------------------------------------------------------


def test_every_kind_has_its_own_colour_and_unknown_kinds_are_white() -> None:
    kinds = ["parameter", "input", "variable", "output", "interior"]
    assert len({color_of(k) for k in kinds}) == len(kinds)
    assert color_of("variable") == COLORS["variable"]
    assert color_of("a kind from elsewhere") == COLORS["interior"]
    assert set(KIND_NAMES) >= set(kinds) | {"constant"}


def test_the_legend_lists_only_the_kinds_drawn_in_narrow_rows() -> None:
    legend = legend_html({"output", "constant", "parameter", "interior", "input", "variable"})
    assert legend.count("<TR>") == 2  # six kinds, three to a row
    assert list(re.findall(r">(\w+)</FONT>", legend)) == [
        "parameter",
        "input",
        "variable",
        "constant",
        "intermediate",
        "output",
    ]
    assert 'POINT-SIZE="11"' in legend
    assert "<SUB>" not in legend
    source = draw(3 * Parameter(2.0, "w")).source
    shown = re.findall(r"POINT-SIZE=\"11\">(\w+)</FONT>", source)
    assert shown == ["parameter", "constant", "output"]
    assert "input" not in shown
    assert "legend" not in draw(Value(1.0), legend=False).source


# --- chain_rule: rows in order, edges that say what they are ---------------------------


def test_chain_rule_keeps_a_networks_sums_in_rows_and_says_each_edge_is_local() -> None:
    L = network(3, [4, 4, 1])
    source = chain_rule(L, keep="S").source
    label = names_of(L)
    rows = [[label[v] for v in row.split()] for row in ROW.findall(source)]
    assert [f"S_{j}^(2)" for j in range(1, 5)] in rows
    assert [f"S_{j}^(1)" for j in range(1, 5)] in rows
    # the top of the tree: labelled edges, each ∂upper/∂lower, then its form, then its number
    labels = re.findall(r"-> v\d+ \[label=<(.*?)>\]$", source, flags=re.M)
    assert len(labels) == 1  # L -> S_1^(3); below it the sums are tables
    for text in labels:
        assert re.search(r"<TD>∂.*?/∂.*?</TD>", text)
    # a unit's table has a row per input saying ∂S/∂input, and an edge to that input's box
    plain = re.sub(r"</?(SUB|SUP|FONT)[^>]*>", "", source)
    ids = {name: v for v, name in label.items()}
    top = plain.split(f"\t{ids['S_1^(3)']} [label=<")[1].split("\n")[0]
    assert "<TD>input</TD><TD>∂S1(3)/∂input</TD>" in top
    for j in range(1, 5):
        assert (
            f'<TD PORT="c{ids[f"S_{j}^(2)"][1:]}">S{j}(2)</TD><TD>w{j}1(3)·σ\'(S{j}(2)) = ' in top
        )
        assert f"\t{ids['S_1^(3)']} -> {ids[f'S_{j}^(2)']}\n" in source


# --- dot's own layout: positions, width, crossings -----------------------------------


def plain_layout(
    source: str,
) -> tuple[dict[str, tuple[float, float]], float, list[tuple[str, str]]]:
    """dot -Tplain: node centres (inches), the drawing's width, and the drawn edges."""
    done = subprocess.run(
        ["dot", "-Tplain"], input=source.encode(), capture_output=True, check=True, timeout=60
    )
    nodes: dict[str, tuple[float, float]] = {}
    edges: list[tuple[str, str]] = []
    width = 0.0
    for line in done.stdout.decode().splitlines():
        parts = line.split()
        if parts[0] == "graph":
            width = float(parts[2])
        elif parts[0] == "node":
            nodes[parts[1]] = (float(parts[2]), float(parts[3]))
        elif parts[0] == "edge" and "invis" not in line:
            edges.append((parts[1], parts[2]))
    return nodes, width, edges


def crossings(nodes: dict[str, tuple[float, float]], edges: list[tuple[str, str]]) -> int:
    """Pairs of edges that cross, each edge taken as the segment between its nodes' centres."""

    def side(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    count = 0
    for (a, b), (c, d) in combinations(edges, 2):
        if len({a, b, c, d}) < 4:
            continue  # edges that share a node meet there
        p, q, r, s = nodes[a], nodes[b], nodes[c], nodes[d]
        if side(p, q, r) * side(p, q, s) < 0 and side(r, s, p) * side(r, s, q) < 0:
            count += 1
    return count


@needs_dot
@pytest.mark.parametrize("make", [draw, lambda L: chain_rule(L, keep="S")])
def test_dot_places_the_units_left_to_right_and_the_inputs_in_order(make: object) -> None:
    L = network(3, [4, 4, 1])
    nodes, _, _ = plain_layout(make(L).source)  # type: ignore[operator]
    ids = {name: v for v, name in names_of(L).items()}
    for k in (1, 2):
        xs = [nodes[ids[f"S_{j}^({k})"]][0] for j in range(1, 5)]
        assert xs == sorted(xs), (k, xs)
    if make is draw:
        xs = [nodes[ids[f"x_{i}^(0)"]][0] for i in range(1, 4)]
        assert xs == sorted(xs)
        # a unit's parameters stand beside it: nearer its sum than any other unit's sum
        for j in range(1, 5):
            for p in [f"w_{i}{j}^(2)" for i in range(1, 5)] + [f"b_{j}^(2)"]:
                own = abs(nodes[ids[p]][0] - nodes[ids[f"S_{j}^(2)"]][0])
                others = [
                    abs(nodes[ids[p]][0] - nodes[ids[f"S_{m}^(2)"]][0])
                    for m in range(1, 5)
                    if m != j
                ]
                assert own < max(others)


@needs_dot
def test_the_layout_has_fewer_crossings_than_dots_own() -> None:
    for sizes in ([2, 1], [4, 4, 1]):
        L = network(3 if len(sizes) == 3 else 2, sizes)
        view = graph_view(L)
        laid = plain_layout(draw_view(view, network=find_layers(list(view.order))).source)
        free = plain_layout(draw_view(view).source)
        assert crossings(laid[0], laid[2]) < crossings(free[0], free[2]), sizes


@needs_dot
def test_the_3_4_4_1_network_fits_a_readme_at_a_readable_scale() -> None:
    """At the README's 1200 px the drawing is scaled by at least 0.65 (10 pt text >= 8.7 px)."""
    L = network(3, [4, 4, 1])
    _, width, _ = plain_layout(draw(L).source)
    assert width * 96 <= 1200 / 0.65  # inches at 96 px each
    _, small, _ = plain_layout(draw(network(2, [2, 1])).source)
    assert small * 96 <= 1000


@needs_dot
def test_a_rasterised_drawing_has_the_readme_width(tmp_path: object) -> None:
    if shutil.which("rsvg-convert") is None:
        pytest.skip("rsvg-convert is missing: sudo apt-get install librsvg2-bin")
    svg = draw(network(3, [4, 4, 1])).pipe(format="svg")
    png = subprocess.run(
        ["rsvg-convert", "-w", "1200"], input=svg, capture_output=True, check=True
    ).stdout
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width == 1200
    assert 1200 < height < 2400


# --- chain_rule of a wide network, and of micrograd's units ---------------------------


def test_chain_rule_of_a_wide_network_is_a_table_per_layer() -> None:
    L = network(2, [16, 16, 1], activation="relu", output_activation="linear")
    source = chain_rule(L, digits=17).source
    found = find_layers(topological_order(L))
    assert found is not None
    assert source.count('PORT="u') == 33
    assert "layer 2: 272 parameters" in source
    (fresh,) = grad(L, [found.layers[0][6].head])  # ∂L/∂S_7^(1), fresh
    row = re.search(r'PORT="u7"><FONT[^>]*>7</FONT></TD>(.*?)</TR>', source.split("layer1 [")[1])
    assert row is not None
    numbers = [float(n) for n in re.findall(r"<FONT[^>]*>([-\d.e+]+)</FONT>", row[1])]
    assert numbers[:2] == [found.layers[0][6].head.data, fresh.data]
    # one edge between neighbouring layers, one to each input and each layer's parameters
    assert len(re.findall(r"^\tlayer2 -> layer1 ", source, flags=re.M)) == 1
    assert len(re.findall(r"^\tlayer1 -> v\d+ ", source, flags=re.M)) == 2
    full = chain_rule(L, collapse=False, max_nodes=None).source
    assert "layer2 [" not in full
    assert full.count("∂L/∂input") == 33  # a table per unit instead
    with pytest.raises(TypeError, match=r"collapse must be True, False or None"):
        chain_rule(L, collapse=1)  # type: ignore[arg-type]


def test_chain_rule_of_micrograd_units_hides_their_partial_sums() -> None:
    L, params = micrograd_style(3, [4, 4, 1])
    source = chain_rule(L, digits=17).source
    found = find_layers(topological_order(L))
    assert found is not None
    order = topological_order(L)
    drawn = {int(v[1:]) for v in re.findall(r"^\t(v\d+) \[label", source, flags=re.M)}
    members = {order.index(v) for u in found.units for v in u.members}
    params_at = {order.index(p) for layer in params for unit in layer for p in unit}
    assert drawn.isdisjoint(members)  # b + w·x + ... is one table, not a ladder of sums
    assert drawn.isdisjoint(params_at)  # its parameters are its rows
    # each parameter's row: ∂(the unit's sum)/∂w is its input's value, ∂L/∂w is fresh
    unit = found.layers[1][0]
    table = source.split(f"\tv{order.index(unit.head)} [label=<")[1].split("\n")[0]
    w, x = unit.parameters[1], unit.data[0]
    (dw,) = grad(L, [w])
    rows = [re.findall(r"<FONT[^>]*>([^<]*)</FONT>", row) for row in table.split("<TR>")]
    (row,) = [r for r in rows if r and r[0].endswith(f" = {w.data:.17g}")]  # "w = its data"
    assert row[1].rpartition(" = ")[2] == f"{x.data:.17g}"  # ∂(w·x + ...)/∂w = x
    assert float(row[2]) == dw.data


def test_a_unit_with_no_input_drawn_is_a_plain_box() -> None:
    L = network(2, [2, 1])
    source = chain_rule(L, keep="S").source
    ids = {name: v for v, name in names_of(L).items()}
    lines = {
        line.split()[0]: line
        for line in source.splitlines()
        if " [label=<" in line and "->" not in line
    }
    assert "∂L/∂input" in lines[ids["S_1^(2)"]]  # its inputs S_1^(1), S_2^(1): rows
    for j in (1, 2):  # nothing is drawn below the first layer's sums: no empty table
        assert "input" not in lines[ids[f"S_{j}^(1)"]]
        assert "COLSPAN" not in lines[ids[f"S_{j}^(1)"]]


# --- the docs' pictures ------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_show_the_committed_3_4_4_1_pictures_as_docs_pictures_draws_them() -> None:
    spec = importlib.util.spec_from_file_location("pictures", ROOT / "docs" / "pictures.py")
    assert spec is not None
    assert spec.loader is not None
    pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pictures)
    page = (ROOT / "docs" / "drawing.md").read_text(encoding="utf-8")
    loss = pictures.mlp_3_4_4_1()
    for name, make in pictures.PICTURES.items():
        assert f"]({name})" in page  # shown on the page "Drawing and explaining"
        source = make(loss).source
        svg = (ROOT / "docs" / name).read_text(encoding="utf-8")
        titles = {html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", svg)}
        drawn = set(re.findall(r"^\t(v\d+(?:op)?) \[label", source, flags=re.M))
        shown = {
            f"{a}->{b}"
            for a, b in re.findall(
                r"^\t(v\d+\w*) -> (v\d+\w*)(?: \[(?!style=invis)[^\n]*)?$", source, flags=re.M
            )
        }
        assert drawn <= titles
        assert shown <= titles
        assert f"{loss.data:.4g}" in re.sub(r"<[^>]*>", "", svg)


def test_a_network_too_costly_to_keep_in_rows_is_laid_out_freely() -> None:
    """Rows make dot 10 to 30 times slower: above NETWORK_LAYOUT_COST they are left out."""
    from viz.drawing import layout_size
    from viz.graph import NETWORK_LAYOUT_COST, _constraint_edges, _layout_edges

    for sizes, rows in (([4, 4, 1], True), ([8, 8, 8, 8, 8, 8, 8, 8, 1], False)):
        L = network(3, sizes)
        order = topological_order(L)
        laid = _layout_edges(order) + _constraint_edges(order, find_layers(order))
        assert (layout_size(2 * len(order), laid) <= NETWORK_LAYOUT_COST) is rows
        source = draw(L, collapse=False).source
        assert ("rank=same" in source) is rows
        assert source.count("Σwx−b") == sum(sizes)  # every unit drawn either way
