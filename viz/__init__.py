"""Drawings of Value graphs, and plots of training.

:func:`draw` shows the computation graph, :func:`chain_rule` the dependency tree of
the chain rule; both return a ``graphviz.Digraph`` (its ``.source`` is DOT text),
and :func:`write` saves either as DOT, SVG, PNG or PDF. :func:`plot_loss` and
:func:`plot_decision_boundary` draw on matplotlib Axes (the ``plot`` extra).
viz imports autograd, never nn.

>>> from autograd import Value
>>> x = Value(3.0, "x")
>>> print(chain_rule(x * x).source.splitlines()[-2])  # doctest: +ELLIPSIS
        v1 -> v0 [label=<<TABLE ...><TR><TD>∂(x·x)/∂x</TD>...<TD>= Σ over 2 paths</TD>...>]
"""

from _chainrule_files import NotRegularFileError

from .drawing import (
    COLORS,
    DEFAULT_MAX_NODES,
    DotNotFoundError,
    Drawing,
    GraphTooLargeError,
    RenderError,
    write,
)
from .explain import Explanation, explain
from .graph import draw
from .notation import label_html
from .plots import plot_decision_boundary, plot_loss
from .stepthrough import StepThrough, step_through
from .tree import chain_rule

__all__ = [
    "COLORS",
    "DEFAULT_MAX_NODES",
    "DotNotFoundError",
    "Drawing",
    "Explanation",
    "GraphTooLargeError",
    "NotRegularFileError",
    "RenderError",
    "StepThrough",
    "chain_rule",
    "draw",
    "explain",
    "label_html",
    "plot_decision_boundary",
    "plot_loss",
    "step_through",
    "write",
]
