"""The computation graph: every Value once, with a small node per operation."""

from __future__ import annotations

import itertools

from autograd import Value, topological_order

from .drawing import (
    COLORS,
    DEFAULT_MAX_NODES,
    Drawing,
    check_digits,
    check_layout,
    check_size,
    color_of,
    layout_size,
    legend_html,
)
from .layout import Layers, Unit, find_layers
from .notation import escape, number, scripts_sized
from .view import Node, View, graph_view

__all__ = [
    "COLLAPSE_UNITS",
    "COLUMN_PARAMETERS",
    "FONTNAME",
    "NETWORK_LAYOUT_COST",
    "RANKDIRS",
    "ROW_PARAMETERS",
    "box_html",
    "draw",
    "draw_view",
    "layout_edges",
    "network_lines",
    "network_rows",
]

RANKDIRS = ("TB", "LR", "BT", "RL")
FONT_SIZE = 12
FONTNAME = "DejaVu Sans,Helvetica,Arial,sans-serif"
"""Graphviz measures text in the first font it finds; the viewer draws the first it has."""
COLLAPSE_UNITS = 8
"""``draw(collapse=None)`` draws a network layer by layer when a layer has more units."""
ROW_PARAMETERS = 5
"""A layer with at most this many parameters has them in one row; a larger one puts each
unit's parameters in a column beside it, so the drawing stays narrow."""
SPAN = ' COLSPAN="5"'
COLUMN_PARAMETERS = 9
"""The longest column of parameters: a unit with more is left where dot puts it (measured:
columns of 16 make dot take seconds on a layer of 8 units, as long edges pile up)."""
NETWORK_LAYOUT_COST = 5000
"""The largest :func:`~viz.drawing.layout_size` at which :func:`draw` keeps a network in
rows; above it dot places the nodes freely. Measured: the rows make dot 10 to 30 times
slower (a cost of 11,500 took 12 s with them, 0.4 s without)."""
STALE = "#f4cccc"  # light red: a .grad that is not ∂root/∂node now
STALE_NOTE = (
    "≠: this .grad is not ∂{root}/∂(this node) now; .grad adds up over backward() calls "
    "(call zero_grad() before each) and is 0 before the first"
)


def box_html(
    node: Node,
    data: float,
    grad: float | None,
    digits: int,
    color: str = "",
    fresh: float | None = None,
) -> str:
    """The box of one Value: its name over its data and (unless None) its grad.

    ``fresh`` (∂root/∂node), when given and not equal to ``grad``, adds a highlighted
    row ``≠ fresh``: the box's ``.grad`` is stale.

    >>> from autograd import Parameter, Value
    >>> from viz.view import graph_view
    >>> n = graph_view(Parameter(0.5, "w_11^(2)") * 2).nodes[0]
    >>> box_html(n, n.value.data, -0.0, 4)  # doctest: +ELLIPSIS
    '<TABLE ... BGCOLOR="#cfe2f3"><TR><TD>w<SUB>...11</FONT></SUB>...data 0.5...grad 0...'
    >>> "≠ 2" in box_html(n, 0.5, 4.0, 4, fresh=2.0)
    True
    """
    small = '<FONT POINT-SIZE="10">{}</FONT>'
    rows = [scripts_sized(node.html, FONT_SIZE), small.format(f"data {number(data, digits)}")]
    if grad is not None:
        rows.append(small.format(f"grad {number(grad, digits)}"))
    body = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    if grad is not None and fresh is not None and fresh != grad:
        body += f'<TR><TD BGCOLOR="{STALE}">{small.format(f"≠ {number(fresh, digits)}")}</TD></TR>'
    return (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="{color or color_of(node.kind)}">{body}</TABLE>'
    )


def draw(
    root: Value,
    *,
    rankdir: str = "TB",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    digits: int = 4,
    legend: bool = True,
    collapse: bool | None = None,
) -> Drawing:
    """The computation graph below ``root``: each Value once, as a box of name, data and grad.

    Each Value is a box showing its name (its label in the notes' notation, with
    real sub- and superscripts at 70 % size, or what it computes: ``w·x``,
    ``x_1^(2) − 1``; never an internal id), its ``data`` and its ``grad``, to
    ``digits`` significant digits (zero is always ``0``, never ``-0``). Each
    operation is a small grey circle showing its row's symbol (+, ·, σ, Σwx−b,
    ...); edges run inputs → op → output. A subtraction is drawn as one: ``y − t``
    is a "−" circle, and an input that enters with a minus sign (the subtracted
    ``t``, a unit's bias ``b`` in S = Σ w x − b) has its edge marked "−".

    **Which gradient**: the box shows ``.grad``, what ``backward()`` wrote there (what
    micrograd's drawings show and what an optimizer reads). Where ``.grad`` is not
    ∂root/∂node of this graph now (computed fresh, as :func:`viz.explain` and
    :func:`viz.chain_rule` show it) — after a second ``backward()`` without
    ``zero_grad()``, when ``.grad`` holds the sum, or after a backward() from another
    root — the box gets a light red row ``≠ value`` with ∂root/∂node, and a note
    under the drawing says why. Before any ``backward()`` (every ``.grad`` 0) the
    boxes show ``grad 0`` unmarked.

    A network (units found from the graph's structure, :func:`viz.layout.find_layers`:
    ``wsum`` units or micrograd's ``b + w·x + …`` chains) is laid out one row per
    layer, units in order (S_1 left of S_2), the inputs in order at the top, and each
    unit's weights and bias beside it (in one row for a small layer, in a column per
    unit above :data:`ROW_PARAMETERS` parameters). ``collapse=True`` draws the network
    layer by layer instead (a table per layer with each unit's sum and output, one
    box for the layer's parameters); None (the default) does so when a layer has
    more than :data:`COLLAPSE_UNITS` units, False never. A network so large that the
    rows would make Graphviz slow (:data:`NETWORK_LAYOUT_COST`) is laid out freely.

    Colours (:data:`viz.drawing.COLORS`, by the node's role), explained by a legend
    of the kinds drawn (``legend=False`` leaves it out): parameters light blue,
    inputs of a network light yellow, the leaves of an expression without
    parameters light purple, the root green, intermediate results white, and the
    numbers written into an expression (like the 2 in ``2 * x``) quiet grey text.

    ``rankdir`` is "TB" (top to bottom, the default), "LR", "BT" or "RL". DOT node
    ids are positions in ``autograd.topological_order(root)`` (``v0``, ``v1``, ...;
    ``v3op`` is the op that made ``v3``), so the same graph gives the same DOT text,
    and the same SVG, on every run. ``max_nodes`` (default
    :data:`~viz.drawing.DEFAULT_MAX_NODES`; None for no limit) counts Values and
    raises :class:`~viz.drawing.GraphTooLargeError` above it. A layout that would
    take Graphviz more than seconds (:func:`viz.drawing.layout_cost`) is refused where
    it is paid: at once with ``max_nodes`` at its default; with ``max_nodes`` given,
    when the drawing is rendered (``pipe``, :func:`viz.write` to SVG, PNG or PDF,
    Jupyter's display), so its DOT text can still be had; never with None.

    The result is a ``graphviz.Digraph``: ``.source`` is the DOT text, Jupyter shows
    it inline, and :func:`viz.write` saves it as DOT, SVG, PNG or PDF.

    >>> from autograd import Value, topological_order
    >>> w, x = Value(0.5, "w_11^(2)"), Value(2.0, "x_1^(1)")
    >>> y = (w * x).sigmoid()
    >>> y.label = "y"
    >>> y.backward()
    >>> print(draw(y, legend=False).source)  # doctest: +ELLIPSIS
    digraph computation_graph {
    ...
        v0 [label=<...<TD>w<SUB>...11</FONT></SUB><SUP>...(2)</FONT></SUP></TD>...data 0.5...>]
    ...
        v2 [label=<...<TD>w<SUB>...(2)</FONT></SUP>·x<SUB>...</TD>...>]
        v2op [label=<·> ...]
        v0 -> v2op
        v1 -> v2op
        v2op -> v2
    ...
    }
    >>> y.backward()  # a second time: .grad now holds twice ∂y/∂node
    >>> "≠" in draw(y).source
    True
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value to draw from, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw: unknown rankdir {rankdir!r} (must be one of {list(RANKDIRS)})")
    if collapse is not None and not isinstance(collapse, bool):
        raise TypeError(
            f"draw: collapse must be True, False or None (automatic), "
            f"got {type(collapse).__name__}: {collapse!r:.60}"
        )
    digits = check_digits(digits, "draw")
    order = topological_order(root)
    check_size(len(order), max_nodes, "draw")
    found = find_layers(order)
    if collapse is None:
        collapse = found is not None and max(map(len, found.layers)) > COLLAPSE_UNITS
    if collapse and found is not None:
        return _collapsed(graph_view(root), found, rankdir, digits, legend, max_nodes)
    found = network_rows(order, found)
    cost = check_layout(2 * len(order), layout_edges(order, found), max_nodes, "draw")  # cheap
    view = graph_view(root)
    drawing = draw_view(view, rankdir=rankdir, digits=digits, legend=legend, network=found)
    return drawing.limit(cost, max_nodes, "draw")


def network_rows(order: list[Value], found: Layers | None) -> Layers | None:
    """``found`` when ``dot`` can keep its rows in seconds, else None (dot places the nodes).

    Keeping a network's layers in rows makes ``dot``'s layout 10 to 30 times slower
    (measured: a 3-8-8-1 network, 12.3 s against 0.4 s): above
    :data:`NETWORK_LAYOUT_COST` the rows are dropped.

    >>> network_rows([], None) is None
    True
    """
    if found is None:
        return None
    laid = layout_edges(order, found)
    return found if layout_size(2 * len(order), laid) <= NETWORK_LAYOUT_COST else None


def layout_edges(order: list[Value], network: Layers | None) -> list[tuple[int, int, bool]]:
    """The edges of :func:`draw`'s drawing of ``order`` for :func:`viz.drawing.layout_cost`
    (the op of node i is node 2i, its box 2i + 1), with the invisible edges that keep
    ``network`` (:func:`network_rows`) in rows.

    >>> from autograd import Value, topological_order
    >>> layout_edges(topological_order(Value(1.0) * 2), None)  # two leaves, their product
    [(1, 4, False), (3, 4, False), (4, 5, False)]
    """
    return _layout_edges(order) + _constraint_edges(order, network)


def _layout_edges(order: list[Value]) -> list[tuple[int, int, bool]]:
    """The edges for :func:`viz.drawing.layout_cost`: the op of node i is 2i, its box 2i+1."""
    position = {id(node): i for i, node in enumerate(order)}
    edges = []
    for i, node in enumerate(order):
        if node.op:
            edges += [(2 * position[id(x)] + 1, 2 * i, False) for x in node.inputs]
            edges.append((2 * i, 2 * i + 1, False))
    return edges


def _constraint_edges(order: list[Value], found: Layers | None) -> list[tuple[int, int, bool]]:
    """The invisible edges of :func:`network_lines` that stack parameters, for the cost."""
    if found is None:
        return []
    position = {id(node): i for i, node in enumerate(order)}
    edges = []
    for layer in found.layers:
        if _in_columns(layer):
            for unit in layer:
                boxes = [2 * position[id(p)] + 1 for p in unit.parameters]
                edges += [(a, b, False) for a, b in itertools.pairwise(boxes)]
    return edges


def _in_columns(layer: tuple[Unit, ...]) -> bool:
    """Whether a layer's parameters stand in a column per unit (wsum units only)."""
    return sum(len(u.parameters) for u in layer) > ROW_PARAMETERS and all(
        u.head.op == "wsum" and len(u.parameters) <= COLUMN_PARAMETERS for u in layer
    )


def network_lines(view: View, found: Layers) -> list[str]:
    """DOT lines that lay a network out in order: one row per layer, units left to right.

    Each row (``rank=same``) is held in order by invisible edges between neighbours
    (dot draws such an edge left to right): the inputs at the top, then each layer's
    sums. A layer's parameters stand in one row, unit by unit, when there are at most
    :data:`ROW_PARAMETERS` of them; otherwise each wsum unit's weights and bias stand
    in a column beside it, topped level with the layer's data, when no unit has more
    than :data:`COLUMN_PARAMETERS` (else dot places them).
    """
    lines: list[str] = []

    def ids(values: object) -> list[str]:
        return [f"v{view.node(v).index}" for v in values if v in view.by_value]  # type: ignore[attr-defined]

    def row(names: list[str], ordered: bool = True) -> None:
        if len(names) > 1:
            lines.append(f"\t{{rank=same; {' '.join(names)}}}\n")
        if ordered:
            lines.extend(f"\t{a} -> {b} [style=invis]\n" for a, b in itertools.pairwise(names))

    row(ids(found.inputs))
    data = list(found.inputs)
    for layer in found.layers:
        row(ids(u.head for u in layer))
        if _in_columns(layer):
            for unit in layer:
                column = ids(unit.parameters)
                lines.extend(
                    f"\t{a} -> {b} [style=invis weight=10]\n" for a, b in itertools.pairwise(column)
                )
            row(ids(data) + ids(u.parameters[0] for u in layer), ordered=False)
        elif sum(len(u.parameters) for u in layer) <= ROW_PARAMETERS:
            row(ids(p for u in layer for p in u.parameters))
        data = [u.output for u in layer]
    return lines


def draw_view(
    view: View,
    *,
    rankdir: str = "TB",
    digits: int = 4,
    legend: bool = True,
    grads: dict[Value, float] | None = None,
    ids: bool = False,
    network: Layers | None = None,
) -> Drawing:
    """The computation graph of a :class:`~viz.view.View` (what :func:`draw` returns).

    ``grads`` gives the gradient shown in each box (None: each Value's ``.grad``,
    marked where it is not ∂root/∂node, ``view.grads``); ``ids=True`` gives every
    node and edge an SVG id (``n3``, ``n3op``, ``e0-3op``) so that a page can
    highlight it (the step-through page does); ``network`` (from
    :func:`viz.layout.find_layers`) lays a network out in order (:func:`network_lines`).
    """
    check = grads is None and _backward_ran(view)
    body: list[str] = []
    stale = False
    for node in view.nodes:
        i = node.index
        if node.kind == "constant":
            body.append(_constant_box(node, digits, f' id="n{i}"' if ids else ""))
        else:
            shown = node.value.grad if grads is None else grads[node.value]
            fresh = view.grads[node.value] if check else None
            stale = stale or (fresh is not None and shown != fresh)
            box = box_html(node, node.value.data, shown, digits, fresh=fresh)
            body.append(f"\tv{i} [label=<{box}>{_id(ids, f'n{i}')}]\n")
        if node.symbol:
            body.extend(_op_lines(view, node, ids))
    if network is not None:
        body.extend(network_lines(view, network))
    kinds = {node.kind for node in view.nodes}
    return _drawing(view, body, rankdir, kinds if legend else set(), stale)


_QUIET = COLORS["constant"]
_OP_STYLE = f'shape=circle style=filled fillcolor="{COLORS["op"]}" fontsize=11 width=0.3'


def _id(ids: bool, name: str) -> str:
    return f' id="{name}"' if ids else ""


def _constant_box(node: Node, digits: int, attrs: str) -> str:
    """A number in the formula: a small dashed box of its (shown) value."""
    return (
        f'\tv{node.index} [label=<{number(node.shown, digits)}> shape=box style="dashed,rounded" '
        f'color="{_QUIET}" fontcolor="{_QUIET}" fontsize=10{attrs}]\n'
    )


def _op_lines(view: View, node: Node, ids: bool) -> list[str]:
    """The node's op circle, the edges from its inputs into it (a subtracted one marked
    "−"), and the edge from it to the node's box."""
    i = node.index
    lines = [f"\tv{i}op [label=<{escape(node.symbol)}> {_OP_STYLE}{_id(ids, f'n{i}op')}]\n"]
    for edge in node.edges:
        child = view.node(edge.child)
        attrs = []
        if child.kind == "input":
            attrs.append("minlen=2")  # the inputs a rank above the parameters: narrower
        if edge.subtracted:
            attrs.append("label=<−> fontsize=14")
        if ids:
            attrs.append(f'id="e{child.index}-{i}op"')
        tail = f" [{' '.join(attrs)}]" if attrs else ""
        lines.append(f"\tv{child.index} -> v{i}op{tail}\n")
    out_id = f' [id="e{i}op-{i}"]' if ids else ""
    lines.append(f"\tv{i}op -> v{i}{out_id}\n")
    return lines


def _backward_ran(view: View) -> bool:
    """Whether some ``.grad`` of the graph is not 0: before that, there is nothing to check."""
    return any(node.value.grad != 0.0 for node in view.nodes if node.kind != "constant")


def _stale_note(view: View) -> str:
    root = view.node(view.root)
    short = len(view.root.label) <= 12 and "<" not in view.root.label
    return STALE_NOTE.format(root=scripts_sized(root.html, 11) if short else "root")


def _graph_attr(rankdir: str, kinds: set[str], notes: list[str]) -> dict[str, str]:
    """The graph's attributes: layout, and a label under it with notes and the legend."""
    attr = {"rankdir": rankdir, "nodesep": "0.15", "ranksep": "0.3", "pad": "0.2"}
    attr["fontname"] = FONTNAME
    rows = [
        f'<TR><TD BGCOLOR="{STALE}"><FONT POINT-SIZE="11">{note}</FONT></TD></TR>' for note in notes
    ]
    legend = legend_html(kinds)
    if legend:
        rows.append(f"<TR><TD>{legend}</TD></TR>")
    if rows:
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2">' + "".join(rows) + "</TABLE>"
        attr.update(label=f"<{table}>", labelloc="b", labeljust="c")
    return attr


def _collapsed(
    view: View,
    found: Layers,
    rankdir: str,
    digits: int,
    legend: bool,
    max_nodes: int | None,
) -> Drawing:
    """A network layer by layer: a table per layer, a box for each layer's parameters,
    and the rest of the graph (the inputs, the loss) as :func:`draw` draws it."""
    net = _Network(view, found, digits)
    for node in view.nodes:
        if node.value not in net.where:
            net.add_node(node)
    for k, layer in enumerate(found.layers, start=1):
        net.add_layer(k, layer)
    names = sorted(net.key, key=net.key.__getitem__)
    number_of = {name: n for n, name in enumerate(names)}
    cost = [(number_of[a], number_of[b], False) for a, b in net.edges]
    layout = check_layout(len(names), cost, max_nodes, "draw")
    drawing = _drawing(view, net.body, rankdir, net.kinds if legend else set(), net.stale)
    return drawing.limit(layout, max_nodes, "draw")


def _small(text: str, attrs: str = "") -> str:
    return f'<TD{attrs}><FONT POINT-SIZE="10">{text}</FONT></TD>'


class _Network:
    """A network's drawing layer by layer, as it is built: its DOT lines, its edges (for
    the layout's cost), the kinds drawn, and whether some ``.grad`` is stale."""

    def __init__(self, view: View, found: Layers, digits: int) -> None:
        self.view = view
        self.digits = digits
        self.where: dict[Value, str] = {}  # a hidden node -> the DOT node (and port) for it
        self.key: dict[str, int] = {}  # DOT node -> a number below its users' (layout cost)
        for k, layer in enumerate(found.layers, start=1):
            self.key[f"p{k}"] = -k
            self.key[f"layer{k}"] = 2 * max(view.node(u.output).index for u in layer) + 1
            for j, unit in enumerate(layer, start=1):
                for p in unit.parameters:
                    self.where[p] = f"p{k}"
                for v in (*unit.members, unit.head, unit.output):
                    self.where[v] = f"layer{k}:u{j}"
        self.body: list[str] = []
        self.edges: list[tuple[str, str]] = []
        self.kinds: set[str] = {"parameter", "interior"}
        self.stale = False
        self.check = _backward_ran(view)

    def edge(self, tail: str, head: str, attrs: str = "") -> None:
        self.body.append(f"\t{tail} -> {head}{attrs}\n")
        self.edges.append((tail.split(":")[0], head))

    def source(self, v: Value) -> str:
        """The DOT node an edge from ``v`` leaves: its own box, or what stands for it."""
        return self.where.get(v) or f"v{self.view.node(v).index}"

    def fresh(self, value: Value) -> float:
        """∂root/∂value once a backward() ran (to mark a stale .grad), else .grad itself."""
        g = value.grad
        fresh = self.view.grads[value] if self.check else g
        self.stale = self.stale or g != fresh
        return fresh

    def cells(self, value: Value) -> str:
        """A unit's value and grad cells; a stale grad says ``≠`` ∂root/∂value on light red."""
        g, fresh = value.grad, self.fresh(value)
        data, shown = _small(number(value.data, self.digits)), number(g, self.digits)
        if g != fresh:
            return data + _small(f"{shown} ≠ {number(fresh, self.digits)}", f' BGCOLOR="{STALE}"')
        return data + _small(shown)

    def add_node(self, node: Node) -> None:
        """A node outside the layers, as :func:`draw_view` draws it (without ids)."""
        i = node.index
        self.key[f"v{i}"], self.key[f"v{i}op"] = 2 * i + 1, 2 * i
        self.kinds.add(node.kind)
        if node.kind == "constant":
            self.body.append(_constant_box(node, self.digits, ""))
        else:
            g = node.value.grad
            box = box_html(node, node.value.data, g, self.digits, fresh=self.fresh(node.value))
            self.body.append(f"\tv{i} [label=<{box}>]\n")
        if not node.symbol:
            return
        self.body.append(f"\tv{i}op [label=<{escape(node.symbol)}> {_OP_STYLE}]\n")
        for e in node.edges:
            self.edge(
                self.source(e.child), f"v{i}op", " [label=<−> fontsize=14]" if e.subtracted else ""
            )
        self.edge(f"v{i}op", f"v{i}")

    def add_layer(self, k: int, layer: tuple[Unit, ...]) -> None:
        """Layer ``k``: the box of its parameters, its table (a row per unit: sum and output,
        each with its grad), and its edges from the parameters and from its data."""
        table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" BGCOLOR="{}">'
        count = sum(len(u.parameters) for u in layer)
        self.body.append(
            f"\tp{k} [label=<{table.format(color_of('parameter'))}"
            f"<TR><TD>layer {k}: {count} parameters</TD></TR>"
            f"<TR>{_small('each unit: its weights, its bias')}</TR></TABLE>>]\n"
        )
        activation = layer[0].activation
        act = escape(self.view.node(activation).symbol) if activation is not None else "none"
        rows = [
            "<TR>"
            + _small(f"layer {k}: {units_text(len(layer))}, activation {act}", SPAN)
            + "</TR>",
            "<TR>"
            + "".join(_small(h) for h in ("unit", "sum", "its grad", "output", "its grad"))
            + "</TR>",
        ]
        rows += [
            "<TR>"
            + _small(str(j), f" PORT={chr(34)}u{j}{chr(34)}")
            + self.cells(u.head)
            + self.cells(u.output)
            + "</TR>"
            for j, u in enumerate(layer, start=1)
        ]
        self.body.append(
            f"\tlayer{k} [label=<{table.format(color_of('interior'))}{''.join(rows)}</TABLE>>]\n"
        )
        self.edge(f"p{k}", f"layer{k}")
        sources: list[str] = []
        for unit in layer:
            for x in unit.data:
                tail = self.source(x).split(":")[0]
                if tail not in sources and tail != f"layer{k}":
                    sources.append(tail)
        for tail in sources:
            self.edge(tail, f"layer{k}")


def _drawing(view: View, body: list[str], rankdir: str, kinds: set[str], stale: bool) -> Drawing:
    """The computation graph's Drawing: its body, the legend of ``kinds``, a stale note."""
    notes = [_stale_note(view)] if stale else []
    return Drawing(
        name="computation_graph",
        graph_attr=_graph_attr(rankdir, kinds, notes),
        node_attr={
            "shape": "plaintext",
            "fontname": FONTNAME,
            "fontsize": str(FONT_SIZE),
            "margin": "0",
        },
        edge_attr={"fontname": FONTNAME, "fontsize": "9", "arrowsize": "0.6"},
        body=body,
    )


def units_text(n: int) -> str:
    """``"1 unit"``, ``"16 units"``."""
    return "1 unit" if n == 1 else f"{n} units"
