"""The graph as a student sees it: named nodes, subtractions as subtractions, local partials.

:func:`graph_view` reads a Value graph once for every picture and text of
:mod:`viz` (the computation graph, ``explain``, the step-through page), traced
into a program (:func:`autograd.program.trace_graph`, the same equations that
``compile`` and forward mode read): each node's name
(:func:`autograd.names.node_names`), its kind, the op's symbol from its
equation's row (:class:`~autograd.ops.Notation`), and for each input the local
partial ∂node/∂input (:meth:`~autograd.program.Equation.partials`) as a formula
in the inputs' names and as a number.

The engine writes ``a - b`` as ``a + b·(−1)`` and ``-x`` as ``x·(−1)`` (the same
IEEE numbers). The view shows them as the notes write them: a negation that
only feeds sums is folded into them, so ``y − t`` is one "−" node whose input
``t`` enters with ∂/∂t = −1; a number subtracted (``y − 1``) is shown as 1; a
lone negation is a "−" node with one input.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from autograd import RULES, Constant, Parameter, Value, grad, topological_order
from autograd.formula import Formula, to_html, to_latex, to_text
from autograd.names import node_names
from autograd.program import Equation, Program, Var, trace_graph

from .notation import label_html, label_latex

__all__ = [
    "KINDS",
    "Edge",
    "Node",
    "View",
    "folded_negations",
    "graph_view",
    "leaf_kind",
    "users_of",
]

MINUS = "−"


@dataclass(frozen=True)
class Edge:
    """One input of a node: ∂node/∂input as a formula in names and as a number."""

    child: Value
    partial: Any  # a Formula in the nodes' names, or a float
    value: float
    subtracted: bool  # the input enters with a minus sign, ∂node/∂input = −1 (drawn "−")


KINDS = ("input", "parameter", "variable", "constant", "interior", "output")
"""Every kind of node, in the order a legend lists them (see :class:`Node`)."""


@dataclass(frozen=True)
class Node:
    """A node as drawn: its Value, position, name, kind, op symbol and inputs.

    ``kind`` says the node's role (one of :data:`KINDS`):

    - "parameter": a leaf a model learns, an :class:`autograd.Parameter`;
    - "input": any other leaf of a graph that has parameters (the data a network reads);
    - "variable": a leaf of a graph without parameters (a plain expression's ``x``);
    - "constant": a number in the formula (a :class:`autograd.Constant`);
    - "interior": a node computed from others;
    - "output": the root, the node shown (even when it is a leaf).
    """

    value: Value
    index: int  # its position in topological_order(root): the DOT id v{index}
    name: Any  # a Formula (a label, a leaf's name, or what the node computes), or a float
    kind: str  # one of KINDS
    symbol: str  # the op, from its row's notation; "" for a leaf
    edges: tuple[Edge, ...]
    shown: float  # the number shown: a subtracted constant shows as its size

    @property
    def text(self) -> str:
        """The name as plain text."""
        return to_text(self.name)

    @property
    def html(self) -> str:
        """The name as an HTML(-like) label, sub- and superscripts included."""
        return to_html(self.name, label_html)

    @property
    def latex(self) -> str:
        """The name in LaTeX."""
        return to_latex(self.name, label_latex)


@dataclass(frozen=True)
class View:
    """Every shown node in topological order (folded negations left out), and ∂root/∂node.

    ``grads`` maps each Value of the graph to ∂root/∂node, computed fresh by
    :func:`autograd.grad` (no ``.grad`` is read or changed).
    """

    root: Value
    nodes: tuple[Node, ...]
    grads: dict[Value, float]
    order: tuple[Value, ...]
    names: dict[Value, Any]  # every node's name (autograd.names), shown or folded
    by_value: dict[Value, Node]
    program: Program  # the graph traced (autograd.program.trace_graph): v0, v1, … by position
    equations: dict[Value, Equation]  # each computed node's equation in the program
    graph: dict[Var, Value]  # each variable of the program's node

    def node(self, value: Value) -> Node:
        """The shown node of ``value``."""
        found = self.by_value.get(value)
        if found is None:
            raise KeyError(f"{value!r} is not shown in this view")
        return found


def _negation(node: Value) -> Value | None:
    """``x`` when ``node`` is an unlabelled ``x·(−1)`` (how ``-x`` is built), else None."""
    if node.op != "mul" or node.label:
        return None
    a, b = node.inputs
    if isinstance(b, Constant) and b.data == -1.0 and not isinstance(a, Constant):
        return a
    if isinstance(a, Constant) and a.data == -1.0 and not isinstance(b, Constant):
        return b
    return None


def leaf_kind(leaf: Value, has_parameters: bool) -> str:
    """The kind of a leaf that is not a Constant, by its role (see :class:`Node`).

    ``has_parameters``: whether the leaf's graph has an :class:`autograd.Parameter`.

    >>> from autograd import Parameter
    >>> leaf_kind(Parameter(0.5, "w"), True), leaf_kind(Value(1.0, "x"), True)
    ('parameter', 'input')
    >>> leaf_kind(Value(1.0, "x"), False)
    'variable'
    """
    if isinstance(leaf, Parameter):
        return "parameter"
    return "input" if has_parameters else "variable"


def users_of(order: list[Value]) -> dict[Value, list[Value]]:
    """The nodes of ``order`` that use each node as an input, once per use.

    >>> from autograd import topological_order
    >>> x = Value(2.0, "x")
    >>> [u.op for u in users_of(topological_order(x * x + x))[x]]
    ['mul', 'mul', 'add']
    """
    users: dict[Value, list[Value]] = {}
    for node in order:
        for x in node.inputs:
            users.setdefault(x, []).append(node)
    return users


def folded_negations(
    order: list[Value], users: dict[Value, list[Value]] | None = None
) -> set[Value]:
    """The negations :func:`graph_view` folds into the sums they feed (``y − t``): the
    nodes of ``order`` (a topological order, root last) that it does not show, other
    than constants. Cheap: no name and no gradient is computed.

    >>> from autograd import topological_order
    >>> y, t = Value(0.75, "y"), Value(1.0, "t")
    >>> [n.op for n in folded_negations(topological_order(y - t))]
    ['mul']
    """
    users = users_of(order) if users is None else users
    return {
        node
        for node in order[:-1]
        if _negation(node) is not None and all(u.op == "add" for u in users.get(node, ()))
    }


@dataclass(frozen=True)
class _Minus:
    """Where the view writes a minus sign instead of the engine's ``·(−1)``."""

    folded: set[Value]  # x·(−1) feeding only sums: folded into them (y − t)
    lone: set[Value]  # any other x·(−1): a "−" node with one input
    subtracted: set[Value]  # negative constants only ever added last: shown as their size

    @classmethod
    def of(cls, order: list[Value], users: dict[Value, list[Value]]) -> _Minus:
        folded = folded_negations(order, users)
        lone = {node for node in order if _negation(node) is not None and node not in folded}
        subtracted: set[Value] = {
            node
            for node in order
            if isinstance(node, Constant)
            and math.copysign(1.0, node.data) < 0
            and all(u.op == "add" and u.inputs[-1] is node for u in users.get(node, ()))
        }
        return cls(folded, lone, subtracted)

    def hides(self, node: Value, users: list[Value]) -> bool:
        """A folded negation, or the −1 of a negation (the "−" says it)."""
        return node in self.folded or (
            isinstance(node, Constant) and any(u in self.lone or u in self.folded for u in users)
        )

    def edge(self, node: Value, x: Value, p: Any, v: float) -> Edge | None:
        """The edge from input ``x`` of ``node`` with partial ``p`` = ``v``; None when not drawn."""
        inner = _negation(x) if x in self.folded else None
        if inner is not None:  # a + (−b): the edge runs from b, ∂/∂b = −∂/∂(−b)
            return Edge(inner, _negate(p), -v, True)
        if node in self.lone and isinstance(x, Constant):
            return None  # the −1 of a lone negation
        minus = x in self.subtracted or (
            node not in self.lone and isinstance(p, float) and p == -1.0
        )
        return Edge(x, p, v, minus)


def _edges_and_symbol(
    node: Value,
    eq: Equation | None,
    names: dict[Value, Any],
    graph: dict[Var, Value],
    minus: _Minus,
) -> tuple[tuple[Edge, ...], str]:
    """The node's drawn inputs with their local partials (its equation's, in the nodes'
    names and as numbers), and its op's symbol."""
    if eq is None:
        return (), ""
    partials = eq.partials(lambda a: names[graph[a]] if isinstance(a, Var) else a)
    numbers = eq.partials(lambda a: graph[a].data if isinstance(a, Var) else a)
    edges = []
    for x, p, v in zip(node.inputs, partials, numbers, strict=True):
        edge = minus.edge(node, x, 0.0 if p is None else p, 0.0 if v is None else float(v))
        if edge is not None:
            edges.append(edge)
    if node in minus.lone or (node.op == "add" and any(e.subtracted for e in edges)):
        return tuple(edges), MINUS
    return tuple(edges), eq.rule.notation.html or eq.rule.notation.symbol


def _kind(node: Value, is_root: bool, has_parameters: bool) -> str:
    if is_root:
        return "output"
    if isinstance(node, Constant):
        return "constant"
    if node._rule is None:
        return leaf_kind(node, has_parameters)
    return "interior"


def _fresh_grads(root: Value, order: list[Value]) -> dict[Value, float]:
    """∂root/∂node for every node of ``order`` (0 for constants), by :func:`autograd.grad`."""
    differentiable = [v for v in order if not isinstance(v, Constant)]
    grads = dict(zip(differentiable, [g.data for g in grad(root, differentiable)], strict=True))
    for v in order:
        grads.setdefault(v, 0.0)
    return grads


def graph_view(root: Value) -> View:
    """The graph below ``root`` as :mod:`viz` shows it.

    >>> from autograd import Value
    >>> y, t = Value(0.75, "y"), Value(1.0, "t")
    >>> view = graph_view(0.5 * (y - t) ** 2)
    >>> [(n.text, n.kind, n.symbol) for n in view.nodes if n.kind != "constant"]
    [('y', 'variable', ''), ('t', 'variable', ''), ('y − t', 'interior', '−'),
     ('(y − t)^2', 'interior', '^'), ('0.5·(y − t)^2', 'output', '·')]
    >>> [(to_text(e.partial), e.value, e.subtracted) for e in view.nodes[3].edges]
    [('1', 1.0, False), ('−1', -1.0, True)]
    >>> view.grads[t]
    0.25
    """
    if not isinstance(root, Value):
        raise TypeError(f"needs a Value to show, got {type(root).__name__}")
    order = topological_order(root)
    program, graph = trace_graph(order)  # its equations give each node's local partials
    equations = {graph[eq.out]: eq for eq in program.equations}
    names = node_names(order)
    has_parameters = any(isinstance(v, Parameter) for v in order)
    users = users_of(order)
    minus = _Minus.of(order, users)
    shown: list[Node] = []
    for i, node in enumerate(order):
        if minus.hides(node, users.get(node, [])):
            continue
        edges, symbol = _edges_and_symbol(node, equations.get(node), names, graph, minus)
        kind = _kind(node, node is order[-1], has_parameters)
        value = abs(node.data) if node in minus.subtracted else node.data
        shown.append(Node(node, i, names[node], kind, symbol, edges, value))
    by_value = {n.value: n for n in shown}
    grads = _fresh_grads(root, order)
    return View(root, tuple(shown), grads, tuple(order), names, by_value, program, equations, graph)


def _negate(p: Any) -> Any:
    return Formula("", RULES["mul"], (p, -1.0)) if isinstance(p, Formula) else -float(p)
