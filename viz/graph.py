"""The computation graph: every Value once, with a small node per operation."""

from __future__ import annotations

from autograd import Value, topological_order

from .drawing import COLORS, DEFAULT_MAX_NODES, Drawing, check_digits, check_layout, check_size
from .notation import escape, number, scripts_sized
from .view import Node, View, graph_view

__all__ = ["FONTNAME", "RANKDIRS", "box_html", "draw", "draw_view", "legend_html"]

RANKDIRS = ("TB", "LR", "BT", "RL")
FONT_SIZE = 12
FONTNAME = "DejaVu Sans,Helvetica,Arial,sans-serif"
"""Graphviz measures text in the first font it finds; the viewer draws the first it has."""
LEGEND = (
    ("leaf", "parameter"),
    ("input", "input x<SUB>i</SUB><SUP>(0)</SUP>"),
    ("constant", "constant"),
    ("interior", "intermediate"),
    ("output", "output (the loss)"),
)


def legend_html() -> str:
    """The legend of the node colours, as a Graphviz HTML-like table (one row).

    >>> legend_html().count("<TD")
    6
    """
    cells = []
    for kind, what in LEGEND:
        if kind == "constant":
            cells.append(
                f'<TD BORDER="1" COLOR="{COLORS["constant"]}"><FONT COLOR="'
                f'{COLORS["constant"]}">{what}</FONT></TD>'
            )
        else:
            cells.append(f'<TD BORDER="1" BGCOLOR="{COLORS[kind]}">{scripts_sized(what, 10)}</TD>')
    return (
        '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="3"><TR>'
        '<TD><FONT POINT-SIZE="10">colours:</FONT></TD>' + "".join(cells) + "</TR></TABLE>"
    )


def box_html(node: Node, data: float, grad: float | None, digits: int, color: str = "") -> str:
    """The box of one Value: its name over its data and (unless None) its grad.

    >>> from autograd import Value, topological_order
    >>> from viz.view import graph_view
    >>> n = graph_view(Value(0.5, "w_11^(2)") * 2).nodes[0]
    >>> box_html(n, n.value.data, -0.0, 4)  # doctest: +ELLIPSIS
    '<TABLE ... BGCOLOR="#cfe2f3"><TR><TD>w<SUB>...11</FONT></SUB>...data 0.5...grad 0...'
    """
    kind = "leaf" if node.kind in ("parameter", "variable") else node.kind
    small = '<FONT POINT-SIZE="10">{}</FONT>'
    rows = [scripts_sized(node.html, FONT_SIZE), small.format(f"data {number(data, digits)}")]
    if grad is not None:
        rows.append(small.format(f"grad {number(grad, digits)}"))
    body = "".join(f"<TR><TD>{row}</TD></TR>" for row in rows)
    return (
        '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="3" '
        f'BGCOLOR="{color or COLORS[kind]}">{body}</TABLE>'
    )


def draw(
    root: Value,
    *,
    rankdir: str = "TB",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    digits: int = 4,
    legend: bool = True,
) -> Drawing:
    """The computation graph below ``root``: each Value once, as a box of name, data and grad.

    Each Value is a box showing its name (its label in the notes' notation, with
    real sub- and superscripts at 70 % size, or what it computes: ``w·x``,
    ``x_1^(2) − 1``; never an internal id), its ``data`` and its ``grad`` as they
    are now (call ``backward()`` first to see gradients), to ``digits`` significant
    digits (zero is always ``0``, never ``-0``). Each operation is a small grey
    circle showing its row's symbol (+, ·, σ, Σwx−b, ...); edges run inputs → op →
    output. A subtraction is drawn as one: ``y − t`` is a "−" circle, and an input
    that enters with a minus sign (the subtracted ``t``, a unit's bias ``b`` in
    S = Σ w x − b) has its edge marked "−".

    Colours (:data:`viz.drawing.COLORS`), explained by a legend (``legend=False``
    leaves it out): parameters light blue, the notes' inputs ``x_i^(0)`` light
    yellow, the root (the loss) green, intermediate results white, and the numbers
    written into an expression (like the 2 in ``2 * x``) quiet grey text, no grad.

    ``rankdir`` is "TB" (top to bottom, the default: the notes' network stays
    legible at README width), "LR", "BT" or "RL". DOT node ids are positions in
    ``autograd.topological_order(root)`` (``v0``, ``v1``, ...; ``v3op`` is the op
    that made ``v3``), so the same graph gives the same DOT text, and the same
    SVG, on every run. ``max_nodes`` (default :data:`~viz.drawing.DEFAULT_MAX_NODES`;
    None for no limit) counts Values and raises
    :class:`~viz.drawing.GraphTooLargeError` above it, or when the layout would
    take Graphviz more than seconds (:func:`viz.drawing.layout_cost`: a value used
    by many operations in a long chain is costly).

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
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw needs a Value to draw from, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"draw: unknown rankdir {rankdir!r} (must be one of {list(RANKDIRS)})")
    digits = check_digits(digits, "draw")
    order = topological_order(root)
    check_size(len(order), max_nodes, "draw")
    check_layout(2 * len(order), _layout_edges(order), max_nodes, "draw")
    return draw_view(graph_view(root), rankdir=rankdir, digits=digits, legend=legend)


def _layout_edges(order: list[Value]) -> list[tuple[int, int, bool]]:
    """The edges for :func:`viz.drawing.layout_cost`: the op of node i is 2i, its box 2i+1."""
    position = {id(node): i for i, node in enumerate(order)}
    edges = []
    for i, node in enumerate(order):
        if node.op:
            edges += [(2 * position[id(x)] + 1, 2 * i, False) for x in node.inputs]
            edges.append((2 * i, 2 * i + 1, False))
    return edges


def draw_view(
    view: View,
    *,
    rankdir: str = "TB",
    digits: int = 4,
    legend: bool = True,
    grads: dict[Value, float] | None = None,
    ids: bool = False,
) -> Drawing:
    """The computation graph of a :class:`~viz.view.View` (what :func:`draw` returns).

    ``grads`` gives the gradient shown in each box (None: each Value's ``.grad``);
    ``ids=True`` gives every node and edge an SVG id (``n3``, ``n3op``, ``e0-3op``)
    so that a page can highlight it (the step-through page does).
    """
    quiet = COLORS["constant"]
    op_style = f'shape=circle style=filled fillcolor="{COLORS["op"]}" fontsize=11 width=0.3'
    body: list[str] = []
    add = body.append

    def ident(name: str) -> str:
        return f' id="{name}"' if ids else ""

    for node in view.nodes:
        i = node.index
        if node.kind == "constant":
            add(
                f'\tv{i} [label=<{number(node.shown, digits)}> shape=box style="dashed,rounded" '
                f'color="{quiet}" fontcolor="{quiet}" fontsize=10{ident(f"n{i}")}]\n'
            )
        else:
            shown = node.value.grad if grads is None else grads[node.value]
            add(
                f"\tv{i} [label=<{box_html(node, node.value.data, shown, digits)}>"
                f"{ident(f'n{i}')}]\n"
            )
        if not node.symbol:
            continue
        add(f"\tv{i}op [label=<{escape(node.symbol)}> {op_style}{ident(f'n{i}op')}]\n")
        for edge in node.edges:
            j = view.node(edge.child).index
            attrs = []
            if view.node(edge.child).kind == "input":
                attrs.append("minlen=2")  # the inputs a rank above the parameters: narrower
            if edge.subtracted:
                attrs.append("label=<−> fontsize=14")
            if ids:
                attrs.append(f'id="e{j}-{i}op"')
            tail = f" [{' '.join(attrs)}]" if attrs else ""
            add(f"\tv{j} -> v{i}op{tail}\n")
        out_id = f' [id="e{i}op-{i}"]' if ids else ""
        add(f"\tv{i}op -> v{i}{out_id}\n")
    graph_attr = {"rankdir": rankdir, "nodesep": "0.15", "ranksep": "0.3", "pad": "0.2"}
    graph_attr["fontname"] = FONTNAME
    if legend:
        graph_attr.update(label=f"<{legend_html()}>", labelloc="b", labeljust="c")
    return Drawing(
        name="computation_graph",
        graph_attr=graph_attr,
        node_attr={
            "shape": "plaintext",
            "fontname": FONTNAME,
            "fontsize": str(FONT_SIZE),
            "margin": "0",
        },
        edge_attr={"fontname": FONTNAME, "fontsize": "9", "arrowsize": "0.6"},
        body=body,
    )
