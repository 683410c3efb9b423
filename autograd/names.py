"""Names of nodes: a label, a variable's name, or what the node computes; never an id or a number.

One naming for every place that shows a node: the drawings, ``viz.explain``,
the step-through page and :func:`autograd.compile`'s source. A labelled node is
called by its label; a Constant by its number; an unlabelled node that a variable
of the caller's holds by that variable's name (``loss``, as the code says it), an
unlabelled leaf no variable holds by a letter (``a``, ``b``, …; :func:`leaf_names`);
any other node by its row of :data:`autograd.RULES` applied to the names of its
inputs, as a :class:`~autograd.formula.Formula`, so the printers of
:mod:`autograd.formula` print it in every target (``x_1^(2) − 1`` in text,
``\\cdot`` in LaTeX). A name longer than :data:`MAX_CHARS` characters of text
writes its longest inputs as ``…``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any

from .engine import Constant, Value
from .formula import Formula, to_text

__all__ = ["ELIDED", "MAX_CHARS", "leaf_names", "letters", "name_of", "node_names"]

MAX_CHARS = 30
"""The longest derived name, as text; longer ones write their longest inputs as ``…``."""

ELIDED = "…"
"""The symbol that stands for an input whose own name is too long to repeat."""

# chainrule's own code: a frame from these files is never the user's
_ROOT = Path(__file__).resolve().parent.parent
_OWN_DIRS = tuple(str(_ROOT / pkg) + os.sep for pkg in ("autograd", "viz", "nn", "chainrule"))
_OWN_FILES = (str(_ROOT / "_chainrule_files.py"),)


def letters() -> Iterator[str]:
    """The names an unlabelled leaf may get when no variable names it, in order.

    ``a`` … ``z``, then the same letters with a subscript: ``a_1`` … ``z_1``,
    ``a_2`` … (drawn as a₁, and written ``a_1`` in compiled code).

    >>> from itertools import islice
    >>> names = list(islice(letters(), 30))
    >>> names[:3], names[25:]
    (['a', 'b', 'c'], ['z', 'a_1', 'b_1', 'c_1', 'd_1'])
    """
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    yield from alphabet
    k = 1
    while True:
        for letter in alphabet:
            yield f"{letter}_{k}"
        k += 1


def _is_own(filename: str) -> bool:
    if filename.startswith("<"):
        return False  # <doctest ...>, <stdin>, <string>: the user's
    path = os.path.abspath(filename)
    return path.startswith(_OWN_DIRS) or path in _OWN_FILES


def _user_frame() -> FrameType | None:
    """The innermost frame whose code is not chainrule's own: the code that asked for names."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_own(frame.f_code.co_filename):
        frame = frame.f_back
    return frame


def _variables(wanted: set[int]) -> dict[int, str]:
    """For each id of ``wanted``, the name the user's code binds to that object.

    The user's frame is searched, its locals first, then its globals; names
    starting with ``_`` (IPython's ``_``, ``_1``) are skipped. Where several
    names hold one object, the first one in the namespace wins: locals in the
    order the code declares them, globals in the order they were first bound.
    """
    frame = _user_frame()
    found: dict[int, str] = {}
    try:
        if frame is None:
            return found
        local, shared = frame.f_locals, frame.f_globals
        for namespace in (local, shared) if local is not shared else (shared,):
            for name, value in list(namespace.items()):
                key = id(value)
                usable = name.isidentifier() and not name.startswith("_")
                if key in wanted and key not in found and usable:
                    found[key] = name
    finally:
        del frame  # a frame held here would keep its locals alive
    return found


def leaf_names(
    order: Iterable[Value], given: Mapping[Value, str] | None = None
) -> dict[Value, str]:
    """A name for each unlabelled leaf of ``order``, and for each unlabelled node that a
    variable holds (never for a Constant: it is its number).

    ``given`` names some leaves already (a compiled function's parameters). The
    others are named after the variable that holds them in the code that asked
    (the first frame outside chainrule: its locals, then its globals; see
    ``_variables``); a leaf that no variable holds gets the next of :func:`letters`
    in order of appearance, and a computed node none (it is named by what it
    computes, :func:`node_names`). No name repeats a label of ``order``, a given
    name or another node's name: a taken name is skipped.

    >>> from autograd import Value, topological_order
    >>> x = Value(3.0)
    >>> y = x * Value(2.0) + Value(1.0, "a")
    >>> sorted(leaf_names(topological_order(y)).values())
    ['b', 'x', 'y']
    """
    nodes = list(order)
    given = dict(given or {})
    unlabelled = [
        v for v in nodes if not v.label and not isinstance(v, Constant) and v not in given
    ]
    names: dict[Value, str] = {v: given[v] for v in nodes if v in given}
    if not unlabelled:
        return names
    taken = {v.label for v in nodes if v.label} | set(names.values())
    _name_unlabelled(unlabelled, names, taken)
    return names


def _name_unlabelled(unlabelled: list[Value], names: dict[Value, str], taken: set[str]) -> None:
    """:func:`leaf_names`' naming: after a variable that holds the node, else (a leaf) the
    next free letter; into ``names``, never a name in ``taken``."""
    variables = _variables({id(v) for v in unlabelled})
    for v in unlabelled:
        name = variables.get(id(v))
        if name is not None and name not in taken:
            names[v] = name
            taken.add(name)
    spare = (n for n in letters() if n not in taken)
    for v in unlabelled:
        if v not in names and not v.op:
            names[v] = next(spare)


def node_names(
    order: Iterable[Value], given: Mapping[Value, str] | None = None
) -> dict[Value, Any]:
    """The name of each node of ``order`` (inputs before their users, as
    :func:`autograd.topological_order` gives them): a Formula, or a float for a Constant.

    An unlabelled leaf, and an unlabelled node a variable holds, is named by
    :func:`leaf_names` (``given`` as there).

    >>> from autograd import Value, topological_order
    >>> y, t, w = Value(0.9, "y"), Value(1.0, "t"), Value(0.5, "w")
    >>> order = topological_order(0.5 * (y - t) ** 2 + -w)
    >>> names = node_names(order)
    >>> [to_text(names[v]) for v in order if not isinstance(v, Constant)]
    ['y', 't', '−t', 'y − t', '(y − t)^2', '0.5·(y − t)^2', 'w', '−w', '0.5·(y − t)^2 − w']
    >>> L = 0.5 * (y - t) ** 2
    >>> to_text(node_names(topological_order(L))[L])  # a node a variable holds: its name
    'L'
    >>> x = Value(3.0)
    >>> name_of((x * x + 2 * x - 1).tanh())
    'tanh(x·x + 2·x − 1)'
    """
    order = list(order)
    leaves = leaf_names(order, given)
    names: dict[Value, Any] = {}
    for node in order:
        if node in leaves:
            names[node] = Formula(leaves[node])
        elif node.label:
            names[node] = Formula(node.label)
        elif isinstance(node, Constant):
            names[node] = node.data
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
    """The plain-text name of one node: its label, the caller's variable that holds it, or
    what it computes.

    >>> from autograd import Value
    >>> x = Value(2.0, "x")
    >>> name_of(x), name_of(x * 3 - 1), name_of(-x), name_of((x * x).exp().sigmoid())
    ('x', 'x·3 − 1', '−x', 'σ(exp(x·x))')
    """
    from .engine import topological_order

    return to_text(node_names(topological_order(node))[node])
