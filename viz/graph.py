"""The computation graph: every Value once, with a small node per operation."""

from __future__ import annotations

from autograd import Constant, Value, topological_order

from .drawing import COLORS, DEFAULT_MAX_NODES, Drawing, check_digits, check_layout, check_size
from .notation import escape, label_html, number

__all__ = ["draw"]

RANKDIRS = ("LR", "RL", "TB", "BT")
_OPS = {
    "add": "+",
    "mul": "×",
    "pow": "^",
    "powv": "^",
    "exp": "exp",
    "log": "log",
    "sigmoid": "σ",
    "tanh": "tanh",
    "relu": "relu",
    "wsum": "Σ wx − b",
}


def _input_roles(op: str, count: int) -> list[str]:
    """Edge labels for inputs whose position matters: wsum's w_i, x_i, b; pow's exponent."""
    if op == "wsum":
        n = count // 2
        return (
            [f"w<SUB>{i}</SUB>" for i in range(1, n + 1)]
            + [f"x<SUB>{i}</SUB>" for i in range(1, n + 1)]
            + ["b"]
        )
    if op in ("pow", "powv"):
        return ["", "exponent"]
    return [""] * count


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    digits: int = 4,
) -> Drawing:
    """The computation graph below ``root``: each Value once, as ``label | data | grad``.

    Each Value is a box showing its label (in the notes' notation, with real sub- and
    superscripts), its ``data`` and its ``grad`` as they are now (call ``backward()``
    first to see gradients), to ``digits`` significant digits. Each operation is a
    small grey circle (+, ×, σ, ...); edges run inputs → op → output. Where the
    order of the inputs matters, the edge says which one it is (wsum's w_i, x_i and
    b; a power's exponent).

    Colours (:data:`viz.drawing.COLORS`): leaves you made (inputs and parameters)
    are light blue, the root is green, intermediate results white. Constants (the
    numbers written into an expression, like the 2 in ``2 * x``) are shown quietly:
    grey text, dashed outline, no grad.

    Node names are positions in ``autograd.topological_order(root)`` (``v0``, ``v1``,
    ...; ``v3op`` is the op that made ``v3``), so the same graph gives the same DOT
    text, and the same SVG, on every run. ``max_nodes`` (default
    :data:`~viz.drawing.DEFAULT_MAX_NODES`; None for no limit) counts Values and
    raises :class:`~viz.drawing.GraphTooLargeError` above it, or when the layout
    would take Graphviz more than seconds (:func:`viz.drawing.layout_cost`: a value
    used by many operations in a long chain is costly).

    The result is a ``graphviz.Digraph``: ``.source`` is the DOT text, Jupyter shows
    it inline, and :func:`viz.write` saves it as DOT, SVG, PNG or PDF.

    >>> from autograd import Value
    >>> w, x = Value(0.5, "w_11^(2)"), Value(2.0, "x_1^(1)")
    >>> y = (w * x).sigmoid()
    >>> y.label = "y"
    >>> y.backward()
    >>> print(draw(y).source)  # doctest: +ELLIPSIS
    digraph computation_graph {
    ...
        v0 [label=<...<TD>w<SUB>11</SUB><SUP>(2)</SUP></TD><TD>data 0.5</TD>...>]
    ...
        v2op [label=<×> ...]
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

    position = {node: i for i, node in enumerate(order)}
    table = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{}">'
    leaf_table = table.format(COLORS["leaf"])
    interior_table = table.format(COLORS["interior"])
    quiet = COLORS["constant"]
    op_style = f'shape=circle style=filled fillcolor="{COLORS["op"]}" fontsize=10'
    last = len(order) - 1
    body: list[str] = []
    add = body.append
    edges: list[tuple[int, int, bool]] = []  # for the layout's cost: op of i is 2i, value 2i+1
    for i, node in enumerate(order):
        if isinstance(node, Constant) and i != last:
            add(
                f'\tv{i} [label=<{number(node.data, digits)}> shape=box style="dashed,rounded" '
                f'color="{quiet}" fontcolor="{quiet}" fontsize=10]\n'
            )
        else:
            head = (
                table.format(COLORS["output"])
                if i == last
                else leaf_table
                if not node.op
                else interior_table
            )
            name = f"<TD>{label_html(node.label)}</TD>" if node.label else ""
            add(
                f"\tv{i} [label=<{head}<TR>{name}<TD>data {number(node.data, digits)}</TD>"
                f"<TD>grad {number(node.grad, digits)}</TD></TR></TABLE>>]\n"
            )
        op = node.op
        if op:
            ins = node.inputs
            add(f"\tv{i}op [label=<{escape(_OPS.get(op, op))}> {op_style}]\n")
            for child, role in zip(ins, _input_roles(op, len(ins)), strict=True):
                edges.append((2 * position[child] + 1, 2 * i, bool(role)))
                if role:
                    add(f"\tv{position[child]} -> v{i}op [label=<{role}>]\n")
                else:
                    add(f"\tv{position[child]} -> v{i}op\n")
            add(f"\tv{i}op -> v{i}\n")
            edges.append((2 * i, 2 * i + 1, False))
    check_layout(2 * len(order), edges, max_nodes, "draw")
    return Drawing(
        name="computation_graph",
        graph_attr={"rankdir": rankdir},
        node_attr={
            "shape": "plaintext",
            "fontname": "Helvetica",
            "fontsize": "12",
            "margin": "0",
        },
        edge_attr={"fontname": "Helvetica", "fontsize": "9", "arrowsize": "0.6"},
        body=body,
    )
