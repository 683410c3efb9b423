"""Drawings of Value graphs, and the chainrule command line."""

from .drawing import (
    COLORS,
    DEFAULT_MAX_NODES,
    DotNotFoundError,
    Drawing,
    GraphTooLargeError,
    write,
)
from .graph import draw
from .notation import label_html
from .tree import chain_rule

__all__ = [
    "COLORS",
    "DEFAULT_MAX_NODES",
    "DotNotFoundError",
    "Drawing",
    "GraphTooLargeError",
    "chain_rule",
    "draw",
    "label_html",
    "write",
]
