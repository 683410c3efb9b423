"""Names of nodes: a label, or what the node computes (``w·x``, ``y − t``), never an id.

One naming for every place that shows a node: the drawings, ``viz.explain``,
the step-through page and :func:`autograd.compile`'s source. A labelled node is
called by its label; a Constant by its number; any other node by its row of
:data:`autograd.RULES` applied to the names of its inputs, as a
:class:`~autograd.formula.Formula`, so the printers of :mod:`autograd.formula`
print it in every target (``x_1^(2) − 1`` in text, ``\\cdot`` in LaTeX). A name
longer than :data:`MAX_CHARS` characters of text writes its longest inputs as
``…``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .engine import Constant, Value
from .formula import Formula, to_text

__all__ = ["ELIDED", "MAX_CHARS", "name_of", "node_names"]

MAX_CHARS = 30
"""The longest derived name, as text; longer ones write their longest inputs as ``…``."""

ELIDED = "…"
"""The symbol that stands for an input whose own name is too long to repeat."""


def node_names(order: Iterable[Value]) -> dict[Value, Any]:
    """The name of each node of ``order`` (inputs before their users, as
    :func:`autograd.topological_order` gives them): a Formula, or a float for a Constant.

    >>> from autograd import Value, topological_order
    >>> y, t, w = Value(0.9, "y"), Value(1.0, "t"), Value(0.5, "w")
    >>> L = 0.5 * (y - t) ** 2 + -w
    >>> names = node_names(topological_order(L))
    >>> [to_text(names[v]) for v in topological_order(L) if not isinstance(v, Constant)]
    ['y', 't', '−t', 'y − t', '(y − t)^2', '0.5·(y − t)^2', 'w', '−w', '0.5·(y − t)^2 − w']
    """
    names: dict[Value, Any] = {}
    for node in order:
        if node.label:
            names[node] = Formula(node.label)
        elif isinstance(node, Constant):
            names[node] = node.data
        elif not node.op:
            names[node] = Formula(f"{node.data:.4g}")  # an unlabelled leaf: its number
        else:
            args = [names[x] for x in node.inputs]
            rule = node._rule
            assert rule is not None  # node.op is set
            while len(to_text(Formula("", rule, tuple(args)))) > MAX_CHARS:
                longest = max(range(len(args)), key=lambda i: len(to_text(args[i])))
                if to_text(args[longest]) == ELIDED:
                    break  # every input is elided already: a very wide op
                args[longest] = Formula(ELIDED)
            names[node] = Formula("", rule, tuple(args))
    return names


def name_of(node: Value) -> str:
    """The plain-text name of one node (its label, or what it computes).

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> name_of(x), name_of(x * 3 - 1), name_of(-x), name_of((x * x).exp().sigmoid())
    ('x', 'x·3 − 1', '−x', 'σ(exp(x·x))')
    """
    from .engine import topological_order

    return to_text(node_names(topological_order(node))[node])
