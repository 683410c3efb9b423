"""The dependency tree of the chain rule: ∂L/∂node at each node, local derivatives on the edges."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any, TypeAlias

from autograd import RULES, Constant, Value, grad, topological_order
from autograd.engine import chain
from autograd.formula import Formula, to_text
from autograd.names import node_names
from autograd.program import Atom, Equation, Var, trace_graph

from .drawing import (
    DEFAULT_MAX_NODES,
    Drawing,
    check_digits,
    check_layout,
    check_size,
    color_of,
    legend_html,
)
from .forms import derivative_name, html, local_partials
from .graph import COLLAPSE_UNITS, FONTNAME, units_text
from .layout import Layers, Unit, find_layers
from .notation import escape, label_html, notation_base, number, scripts_sized
from .view import View, folded_negations, graph_view

__all__ = ["chain_rule"]

Keep: TypeAlias = Callable[[Value], object] | str | None
Chain: TypeAlias = "tuple[int, int, Chain] | None"  # steps (node position, input slot), downward
MAX_FACTORS = 6  # a longer single chain is summarized as "product of n local derivatives"
SPAN = ' COLSPAN="3"'  # the table of a unit: its name and δ across its three columns
LINES = '<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">'  # an edge label's lines
SPAN5 = ' COLSPAN="5"'  # a layer's table: its title across its five columns
SUM_W = "<TR><TD>∂(each sum)/∂(its weight)</TD></TR><TR><TD>= that weight's input</TD></TR>"
SUM_X = "<TR><TD>∂(each sum)/∂(each input)</TD></TR><TR><TD>= the weight between them</TD></TR>"
MAX_ROWS = 36  # a unit with more inputs is drawn as boxes: its table would be too long a label
PATHS_CAP = 10**9  # path counts saturate here: they can grow exponentially with depth


class _Sum:
    """∂A/∂B through collapsed nodes: Σ over paths of products of local derivatives.

    ``paths`` counts the paths (saturating at PATHS_CAP); ``chain`` is the one path as a
    linked list of steps ``(node position, input slot, rest)``, None when there are several.
    """

    __slots__ = ("chain", "paths", "value")

    def __init__(self, value: float, paths: int, chain: Chain) -> None:
        self.value = value
        self.paths = paths
        self.chain = chain


def _keeper(keep: Keep, hidden: set[Value]) -> Callable[[Value], object]:
    if keep is None:
        return lambda node: node not in hidden
    if isinstance(keep, str):
        prefix = keep
        return lambda node: node.label.startswith(prefix)
    if callable(keep):
        return keep
    raise TypeError(
        "chain_rule: keep must be None, a label prefix (str) such as 'S', or a function "
        f"Value -> bool; got {type(keep).__name__}: {keep!r:.60}"
    )


def _collapsed(
    order: list[Value], position: dict[Value, int], kept: list[bool]
) -> list[dict[int, _Sum]]:
    """For each kept node A, ∂A/∂B for every kept B reachable through non-kept nodes only.

    One pass in topological order (inputs first): a node's table maps each kept node
    below it to the Σ over paths of products; a non-kept input passes its own table
    up, multiplied by the local derivative. A table is dropped once its last user
    has read it. No path is ever enumerated.
    """
    program, graph = trace_graph(order)
    equations = {graph[eq.out]: eq for eq in program.equations}
    uses = [0] * len(order)
    for node in order:
        for child in node.inputs:
            uses[position[child]] += 1
    tables: list[dict[int, _Sum] | None] = [None] * len(order)
    for i, node in enumerate(order):
        table: dict[int, _Sum] = {}
        for slot, child, times in _local_numbers(equations.get(node), graph):
            j = position[child]
            if kept[j]:
                _accumulate(table, j, times(1.0), 1, (i, slot, None))
                continue
            below = tables[j]
            assert below is not None  # an input comes before its users
            for target, s in below.items():
                path = (i, slot, s.chain) if s.paths == 1 else None
                _accumulate(table, target, times(s.value), s.paths, path)
            uses[j] -= 1
            if uses[j] == 0:
                tables[j] = None
        tables[i] = table
    return [t if t is not None and kept[i] else {} for i, t in enumerate(tables)]


def _local_numbers(
    eq: Equation | None, graph: dict[Var, Value]
) -> list[tuple[int, Value, Callable[[float], float]]]:
    """(input slot, input, g ↦ g · ∂node/∂input) for each input of a node but constants,
    from its equation (None for a leaf): the chain rule's product,
    :func:`autograd.engine.chain` (a partial of None passes 0)."""
    if eq is None:
        return []

    def read(a: Atom) -> Any:
        return graph[a].data if isinstance(a, Var) else a

    partials = eq.partials(read)

    def times(slot: int, p: Any) -> Callable[[float], float]:
        def quotient(q: Any) -> Any:
            return q(read(eq.out), *[read(a) for a in eq.inputs])[slot]

        return lambda g: float(chain(eq.rule, g, p, quotient))

    inputs = [graph[a] for a in eq.inputs if isinstance(a, Var)]
    return [
        (slot, child, times(slot, partial))
        for slot, (child, partial) in enumerate(zip(inputs, partials, strict=True))
        if not isinstance(child, Constant)
    ]


def _accumulate(
    table: dict[int, _Sum],
    target: int,
    value: float,
    paths: int,
    chain: Chain,
) -> None:
    s = table.get(target)
    if s is None:
        table[target] = _Sum(value, paths, chain)
    else:
        s.value += value
        s.paths = min(s.paths + paths, PATHS_CAP)
        s.chain = None


class _Names:
    """Display names of nodes as HTML: a label, or what the node computes."""

    def __init__(self, order: list[Value]) -> None:
        self.order = order
        self.formula = node_names(order)
        self.cache: dict[int, str] = {}

    def __call__(self, i: int) -> str:
        name = self.cache.get(i)
        if name is None:
            name = self.cache[i] = html(self.formula[self.order[i]])
        return name

    def gradient(self, root: int, i: int) -> str:
        """∂L/∂node, δ for a node named S_j^(k); a composite name in parentheses."""
        node = self.order[i]
        if notation_base(node.label) == "S":
            return label_html("δ" + node.label[1:])
        return f"∂{self.wrapped(root)}/∂{self.wrapped(i)}"

    def short(self, i: int) -> str:
        """:meth:`wrapped`, or ``root`` when that is longer than a table's header can hold.

        >>> from autograd import Value
        >>> y = Value(2.0, "y")
        >>> names = _Names([y, y * y])
        >>> names.short(0), names.short(1)
        ('y', '(y·y)')
        """
        return self.wrapped(i) if len(to_text(self.formula[self.order[i]])) <= 12 else "root"

    def wrapped(self, i: int) -> str:
        """The name, in parentheses when it is an expression (``∂L/∂(y − t)``)."""
        name = self.formula[self.order[i]]
        composite = isinstance(name, Formula) and name.rule is not None
        return f"({self(i)})" if composite else self(i)


def chain_rule(
    root: Value,
    *,
    keep: Keep = None,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    digits: int = 4,
    collapse: bool | None = None,
) -> Drawing:
    """The dependency tree of the chain rule below ``root`` (L), root at the top.

    Each node shows its value and ∂L/∂node; for a node whose label is in the notes'
    notation with base ``S`` (``S_j^(k)``), that is the local error δ_j^(k). Each edge
    runs from a node down to one of its inputs and says it is a local derivative,
    ``∂node/∂input``, then its form in the rule's own terms and its number, one per
    line: ``∂x/∂S = σ'(S) = x·(1 − x) = 0.25``, ``∂S/∂w_i = x_i``, ``∂S/∂b = −1``
    (the forms come from the one derivative table, through ``autograd.formulas``).
    ∂L/∂node is then the sum, over the edges into the node, of ∂L/∂(upper node)
    times the edge.

    **Which gradient**: ∂L/∂node of this graph now, computed fresh with
    ``autograd.grad``; no ``.grad`` is read or changed, so the tree is the same
    however many times ``backward()`` ran (:func:`viz.draw` shows ``.grad`` and
    marks a box where it differs from this number).

    ``keep`` collapses every node it does not keep: None keeps all, a string keeps
    the nodes whose label starts with it (``keep="S"``: the weighted sums, so the
    tree of the δ's), a function ``Value -> bool`` keeps the nodes it accepts. The
    root is always kept. An edge between two kept nodes then carries the Σ over the
    paths between them of the products of local derivatives; where there is a single
    path, the edge shows that product's factors (``w_11^(2)·σ'(S_1^(1))``). Constants
    (numbers written into the expression) are not drawn: they appear as numbers in
    the forms.

    Colours (:data:`viz.drawing.COLORS`, by role as in :func:`viz.draw`, with a legend
    of the kinds drawn): the root green, parameters light blue, inputs of a network
    light yellow, other leaves light purple, the rest white. A network
    (:func:`viz.layout.find_layers`) keeps its inputs and each layer's sums in rows,
    in unit order. Node names are positions in ``autograd.topological_order(root)``, so the
    output is the same on every run; an unlabeled node is called ``v_i`` after its
    position. ``max_nodes`` (default :data:`~viz.drawing.DEFAULT_MAX_NODES`; None for
    no limit) counts the nodes drawn, before any name or gradient is computed; the
    layout's cost is held to :data:`~viz.drawing.MAX_LAYOUT_COST` as :func:`viz.draw`'s
    (at once at the default, when rendered with ``max_nodes`` given).

    >>> from autograd import Value
    >>> S, w = Value(0.0, "S_1^(1)"), Value(0.5, "w_11^(2)")
    >>> x = S.sigmoid()
    >>> x.label = "x_1^(1)"
    >>> L = w * x
    >>> L.label = "L"
    >>> tree = chain_rule(L)
    >>> print(tree.source)  # doctest: +ELLIPSIS
    digraph chain_rule {
    ...
    v1 [label=<...<TD>S<SUB>...(1)</FONT></SUP> = 0</TD>...<TD>δ<SUB>... = 0.125</TD>...>]
    v3 -> v0 [label=<...<TD>∂L/∂w<SUB>...<TD>= x<SUB>...(1)</FONT></SUP></TD>...<TD>= 0.5</TD>...>]
    v3 -> v2 [label=<...<TD>∂L/∂x<SUB>...<TD>= w<SUB>...(2)</FONT></SUP></TD>...<TD>= 0.5</TD>...>]
    v2 -> v1 [label=<...<TD>∂x<SUB>...<TD>= σ'(S<SUB>...) = x<SUB>...·(1 − x<SUB>...)</TD>...>]
    }
    >>> print(chain_rule(L, keep="S").source.splitlines()[-2])  # doctest: +ELLIPSIS
    v3 -> v1 [label=<...<TD>∂L/∂S<SUB>...<TD>= w<SUB>...·σ'(S<SUB>...)</TD>...= 0.125</TD>...>]
    """
    _check_arguments(root, collapse)
    digits = check_digits(digits, "chain_rule")
    order = topological_order(root)  # sizes first: no name, no gradient before the check
    found = find_layers(order)
    if collapse is None:  # by default, a wide network is drawn layer by layer
        collapse = keep is None and _wide(found)
    folded = folded_negations(order)  # what graph_view does not show
    kept = _kept(order, found, keep, folded)
    if collapse and found is not None:
        return _layer_tree(root, found, order, folded, digits, max_nodes)
    check_size(sum(kept), max_nodes, "chain_rule")

    position = {node: i for i, node in enumerate(order)}
    edges = _collapsed(order, position, kept)
    shown = _breadth_first(len(order) - 1, edges)
    units, inline = _tables(order, found, position, edges, shown)
    boxes = [i for i in shown if i not in inline]
    cost = check_layout(len(boxes), _drawn(boxes, edges, units, inline), max_nodes, "chain_rule")
    tree = _Tree(root, order, edges, shown, digits)
    body = [tree.unit(i, inline) if i in units else tree.box(i) for i in boxes]
    for i in boxes:
        for target in edges[i]:
            if target in inline:
                continue
            if i in units:  # the row of the table says what the edge is
                body.append(f"\tv{i} -> v{target}\n")
            else:
                body.append(tree.edge(i, target, f"v{target}", plain_if_number=True))
    if found is not None:
        body.extend(_network_lines(found, set(boxes), position))
    return _drawing(body, tree.kinds, {"ordering": "out"}).limit(cost, max_nodes, "chain_rule")


def _wide(found: Layers | None) -> bool:
    """Whether ``found`` is a network with a layer of more than COLLAPSE_UNITS units."""
    return found is not None and max(map(len, found.layers)) > COLLAPSE_UNITS


def _check_arguments(root: object, collapse: object) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"chain_rule needs a Value to draw from, got {type(root).__name__}")
    if collapse is not None and not isinstance(collapse, bool):
        raise TypeError(
            "chain_rule: collapse must be True, False or None (automatic), "
            f"got {type(collapse).__name__}: {collapse!r:.60}"
        )


def _kept(order: list[Value], found: Layers | None, keep: Keep, folded: set[Value]) -> list[bool]:
    """Which nodes of ``order`` the tree keeps: the root, and what ``keep`` accepts of the
    rest but constants (None: all that graph_view shows)."""
    # micrograd's partial sums and products inside a unit: the unit's table says it all
    members = {v for unit in found.units for v in unit.members} if found is not None else set()
    wanted = _keeper(keep, folded | members)
    last = len(order) - 1
    return [
        i == last or (not isinstance(v, Constant) and bool(wanted(v))) for i, v in enumerate(order)
    ]


def _tables(
    order: list[Value],
    found: Layers | None,
    position: dict[Value, int],
    edges: list[dict[int, _Sum]],
    shown: list[int],
) -> tuple[set[int], set[int]]:
    """The units drawn as tables of their inputs (a very wide one stays boxes), and the
    parameters that are rows of such a table rather than boxes of their own."""
    heads = [position[u.head] for u in found.units] if found is not None else []
    units = {i for i in heads if i in shown and 0 < len(edges[i]) <= MAX_ROWS}
    parents: dict[int, list[int]] = {}
    for i in shown:
        for target in edges[i]:
            parents.setdefault(target, []).append(i)
    inline = {  # a unit's own parameters: rows of its table, not boxes of their own
        target
        for target, above in parents.items()
        if len(above) == 1 and above[0] in units and not order[target].inputs
    }
    return units, inline


def _drawn(
    boxes: list[int], edges: list[dict[int, _Sum]], units: set[int], inline: set[int]
) -> list[tuple[int, int, bool]]:
    """The edges drawn, for the layout's cost: nodes numbered from the root down, so every
    edge's tail comes first; an edge from a table is unlabelled."""
    rank = {i: n for n, i in enumerate(sorted(boxes, reverse=True))}
    return [
        (rank[i], rank[target], i not in units)
        for i in boxes
        for target in edges[i]
        if target not in inline
    ]


_BOX = '<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0" CELLPADDING="4" BGCOLOR="{}">'
_SMALL = '<TD{}><FONT POINT-SIZE="10">{}</FONT></TD>'


class _Tree:
    """The numbers and names a tree's boxes and edges are drawn with; ``kinds`` collects
    the kinds of node drawn, for the legend."""

    def __init__(
        self,
        root: Value,
        order: list[Value],
        edges: list[dict[int, _Sum]],
        shown: list[int],
        digits: int,
    ) -> None:
        self.order = order
        self.last = len(order) - 1
        self.edges = edges
        self.digits = digits
        self.view = graph_view(root)
        self.adjoint = dict(
            zip(shown, (g.data for g in grad(root, [order[i] for i in shown])), strict=True)
        )
        self.names = _Names(order)
        self.partials: dict[int, tuple[Any, ...]] = {}
        self.kinds: set[str] = set()

    def number(self, x: float) -> str:
        return number(x, self.digits)

    def kind(self, i: int) -> str:
        kind = "output" if i == self.last else _kind(self.view, self.order[i])
        self.kinds.add(kind)
        return kind

    def head(self, i: int, span: str = "") -> str:
        """The node's two rows: its name and value, ∂L/∂node (δ for a sum) and its value."""
        what = scripts_sized(self.names.gradient(self.last, i), 12)
        value = self.number(self.order[i].data)
        return (
            f"<TR><TD{span}>{scripts_sized(self.names(i), 12)} = {value}</TD></TR>"
            f"<TR><TD{span}>{what} = {self.number(self.adjoint[i])}</TD></TR>"
        )

    def box(self, i: int) -> str:
        """A node as a box of its two rows."""
        return f"\tv{i} [label=<{_BOX.format(color_of(self.kind(i)))}{self.head(i)}</TABLE>>]\n"

    def form(self, i: int, target: int) -> tuple[str | None, str]:
        """∂node/∂input in the rule's terms (None when just a number), and its number."""
        s = self.edges[i][target]
        return _edge_text(s, self.view, self.names, self.partials), self.number(s.value)

    def unit(self, i: int, inline: set[int]) -> str:
        """A unit as a table: its two rows, then a row per input (its own parameters with
        their values and ∂L/∂ each, other inputs with a port their edge leaves from)."""
        names = self.names
        rows = [
            "<TR>"
            + _SMALL.format("", "input")
            + _SMALL.format("", f"∂{names.wrapped(i)}/∂input")
            + _SMALL.format("", f"∂{names.short(self.last)}/∂input")
            + "</TR>"
        ]
        for target in self.edges[i]:
            if target in inline:
                leaf = _kind(self.view, self.order[target])
                self.kinds.add(leaf)
                first = _SMALL.format(
                    f' BGCOLOR="{color_of(leaf)}"',
                    f"{names(target)} = {self.number(self.order[target].data)}",
                )
                last_cell = _SMALL.format("", self.number(self.adjoint[target]))
            else:
                first = _SMALL.format(f' PORT="c{target}"', names(target))
                last_cell = _SMALL.format("", "below")
            text, value = self.form(i, target)
            form = value if text is None or text == value else f"{text} = {value}"
            rows.append(f"<TR>{first}{_SMALL.format('', form)}{last_cell}</TR>")
        fill = _BOX.format(color_of(self.kind(i)))
        head = self.head(i, SPAN)
        return f"\tv{i} [label=<{fill}{head}{scripts_sized(''.join(rows), 10)}</TABLE>>]\n"

    def edge(self, i: int, target: int, to: str, *, plain_if_number: bool) -> str:
        """The edge from node ``i`` down to its input ``target`` (drawn as ``to``), one line
        each: what it is, its form, its number (narrow labels, narrow trees).
        ``plain_if_number``: a form that is its number is not said twice."""
        local = f"∂{self.names.wrapped(i)}/∂{self.names.wrapped(target)}"
        text, value = self.form(i, target)
        if plain_if_number and text == value:
            text = None
        lines = [f"{local} = {value}"] if text is None else [local, f"= {text}", f"= {value}"]
        label = "".join(f"<TR><TD>{scripts_sized(line, 10)}</TD></TR>" for line in lines)
        return f"\tv{i} -> {to} [label=<{LINES}{label}</TABLE>>]\n"


def _network_lines(found: Layers, shown: set[int], position: dict[Value, int]) -> list[str]:
    """Rows that keep a network in order: the inputs, then each layer's sums, left to
    right (an invisible edge between neighbours holds the order)."""
    lines = []
    rows = [list(found.inputs)] + [[u.head for u in layer] for layer in found.layers]
    for row in rows:
        names = [f"v{position[v]}" for v in row if position[v] in shown]
        if len(names) > 1:
            lines.append(f"\t{{rank=same; {' '.join(names)}}}\n")
            lines += [f"\t{a} -> {b} [style=invis]\n" for a, b in itertools.pairwise(names)]
    return lines


def _layer_tree(
    root: Value,
    found: Layers,
    order: list[Value],
    folded: set[Value],
    digits: int,
    max_nodes: int | None,
) -> Drawing:
    """The tree of a wide network layer by layer: a table per layer (each unit's sum and
    output, with ∂L/∂ each), one edge between neighbouring layers, and the rest of the
    graph (the loss above, the inputs below) as :func:`chain_rule` draws it."""
    last = len(order) - 1
    position = {node: i for i, node in enumerate(order)}
    port = _ports(found, position)
    hidden = {v for u in found.units for v in (*u.members, *u.parameters)} | folded
    kept = [
        i == last or (not isinstance(v, Constant) and v not in hidden) for i, v in enumerate(order)
    ]
    edges = _collapsed(order, position, kept)
    shown = _breadth_first(last, edges)
    boxes = [i for i in shown if i not in port]
    check_size(len(boxes) + len(found.layers), max_nodes, "chain_rule")
    nodes = len(boxes) + 2 * len(found.layers)
    chain = [(n, n + 1, True) for n in range(nodes - 1)]
    cost = check_layout(nodes, chain, max_nodes, "chain_rule")
    tree = _Tree(root, order, edges, shown, digits)
    tree.kinds.update(("interior", "parameter"))
    body: list[str] = []
    for i in boxes:
        body.append(tree.box(i))
        for target in edges[i]:
            to = port.get(target, f"v{target}")
            body.append(tree.edge(i, target, to, plain_if_number=False))
    below = [f"v{position[x]}" for x in found.inputs if position[x] in shown]
    for k, layer in enumerate(found.layers, start=1):
        body.extend(_layer_lines(tree, k, layer, position, below))
    return _drawing(body, tree.kinds, {}).limit(cost, max_nodes, "chain_rule")


def _ports(found: Layers, position: dict[Value, int]) -> dict[int, str]:
    """Each unit's sum and output -> its row in its layer's table (``layer2:u1``)."""
    return {
        position[v]: f"layer{k}:u{j}"
        for k, layer in enumerate(found.layers, start=1)
        for j, unit in enumerate(layer, start=1)
        for v in (unit.head, unit.output)
    }


def _layer_lines(
    tree: _Tree, k: int, layer: tuple[Unit, ...], position: dict[Value, int], below: list[str]
) -> list[str]:
    """Layer ``k`` of a layer tree: its table (a row per unit: its sum and output with
    ∂L/∂ each), the box of its parameters, and its edges to them and to the layer below
    (``below``: the network's inputs drawn, under the first layer)."""
    L = tree.names.short(tree.last)
    count = sum(len(u.parameters) for u in layer)
    act = layer[0].activation
    act_name = escape(tree.view.node(act).symbol) if act is not None else "none"
    rows = [
        "<TR>"
        + _SMALL.format(SPAN5, f"layer {k}: {units_text(len(layer))}, activation {act_name}")
        + "</TR>",
        "<TR>"
        + "".join(
            _SMALL.format("", h) for h in ("unit", "sum", f"∂{L}/∂sum", "output", f"∂{L}/∂output")
        )
        + "</TR>",
    ]
    for j, unit in enumerate(layer, start=1):
        h, o = position[unit.head], position[unit.output]
        rows.append(
            "<TR>"
            + _SMALL.format(f' PORT="u{j}"', str(j))
            + _SMALL.format("", tree.number(unit.head.data))
            + _SMALL.format("", tree.number(tree.adjoint.get(h, 0.0)))
            + _SMALL.format("", tree.number(unit.output.data))
            + _SMALL.format("", tree.number(tree.adjoint.get(o, 0.0)))
            + "</TR>"
        )
    lower = [f"layer{k - 1}"] if k > 1 else below
    return [
        f"\tlayer{k} [label=<{_BOX.format(color_of('interior'))}{''.join(rows)}</TABLE>>]\n",
        f"\tp{k} [label=<{_BOX.format(color_of('parameter'))}<TR><TD>layer {k}: {count} "
        f"parameters</TD></TR><TR>{_SMALL.format('', f'∂{L}/∂w = ∂{L}/∂sum · its input')}"
        f"</TR></TABLE>>]\n",
        f"\tlayer{k} -> p{k} [label=<{LINES}{SUM_W}</TABLE>>]\n",
        *(f"\tlayer{k} -> {name} [label=<{LINES}{SUM_X}</TABLE>>]\n" for name in lower),
    ]


def _drawing(body: list[str], kinds: set[str], extra: dict[str, str]) -> Drawing:
    """The tree's Drawing: its body, ``extra`` graph attributes, the legend of ``kinds``."""
    legend = legend_html(kinds)
    graph_attr = {"rankdir": "TB", **extra, "pad": "0.2", "nodesep": "0.3"}
    if legend:
        graph_attr.update(label=f"<{legend}>", labelloc="b", labeljust="c", fontname=FONTNAME)
    return Drawing(
        name="chain_rule",
        graph_attr=graph_attr,
        node_attr={"shape": "plaintext", "fontname": FONTNAME, "fontsize": "12", "margin": "0"},
        edge_attr={"fontname": FONTNAME, "fontsize": "10", "arrowsize": "0.6"},
        body=body,
    )


def _kind(view: View, node: Value) -> str:
    """The node's kind as :func:`viz.view.graph_view` gives it; a folded node is interior."""
    shown = view.by_value.get(node)
    return "interior" if shown is None else shown.kind


def _breadth_first(root: int, edges: list[dict[int, _Sum]]) -> list[int]:
    """The kept nodes from the root down, level by level, each input in call order."""
    seen = {root}
    queue = [root]
    for i in queue:  # the list grows while we walk it
        for target in edges[i]:
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return queue


def _edge_text(
    s: _Sum,
    view: View,
    names: _Names,
    partials: dict[int, tuple[Any, ...]],
) -> str | None:
    """The edge's derivative as text: the rule's form, the chain's factors, or the path
    count; None when it is just a number (the value line says it all)."""
    if s.paths > 1:
        more = "+" if s.paths >= PATHS_CAP else ""
        return f"Σ over {s.paths}{more} paths"
    chain = s.chain
    if chain is not None and chain[2] is None:  # an edge to an input: the rule's name and form
        partial, named = _local_form(chain[0], chain[1], view, names, partials)
        if not isinstance(partial, Formula):
            return None
        return f"{html(named)} = {html(partial)}" if named is not None else html(partial)
    factors: list[Any] = []
    while chain is not None and len(factors) <= MAX_FACTORS:
        i, slot, chain = chain
        partial, named = _local_form(i, slot, view, names, partials)
        if not (isinstance(partial, float) and partial == 1.0):
            factors.append(named if named is not None else partial)
    if len(factors) > MAX_FACTORS:
        return f"product of more than {MAX_FACTORS} local derivatives"
    if not factors:
        return "1"
    product = factors[0]
    for f in factors[1:]:
        product = Formula("", RULES["mul"], (product, f))
    return html(product)


def _local_form(
    i: int, slot: int, view: View, names: _Names, partials: dict[int, tuple[Any, ...]]
) -> tuple[Any, Any]:
    """∂node/∂input for input ``slot`` of node ``i`` as a formula in names (its equation's
    partial), and the rule's name for it (σ'(S)) or None; ``partials`` caches each node's."""
    node = view.order[i]
    eq = view.equations[node]
    formula = names.formula
    if i not in partials:
        partials[i] = local_partials(eq, lambda a: formula[view.graph[a]])
    return partials[i][slot], derivative_name(eq.rule.name, formula[node.inputs[slot]])
