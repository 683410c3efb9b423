"""``chainrule grad``: an expression's value, its derivative by every name, and the drawings."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from autograd import Value

from .drawing import DotNotFoundError, GraphTooLargeError, write
from .expr import ALLOWED, MAX_CHARS, MAX_NODES, ExpressionError, parse_binding, parse_expression
from .graph import draw
from .tree import chain_rule

__all__ = ["add_parser", "run"]

EXAMPLE = 'chainrule grad "sigmoid(w1*x1 + w2*x2 - b)" w1=0.5 x1=1 w2=-1 x2=0 b=0.1'
DESCRIPTION = "\n\n".join(
    textwrap.fill(paragraph, 79)
    for paragraph in (
        "Print the value of EXPR and its derivative by each name, in the order the "
        "names are given; draw the computation graph (--svg) and the chain rule's "
        "dependency tree (--tree) as SVG.",
        f"EXPR may use {ALLOWED}. Anything else (attributes, subscripts, other calls, "
        "lambdas, names without a value, keyword arguments, more than "
        f"{MAX_CHARS} characters or {MAX_NODES} pieces) is refused with exit status 2. "
        "EXPR is parsed with Python's ast module against this list; it is never "
        "evaluated by Python.",
    )
)
EPILOG = f"""\
example:
  {EXAMPLE}
      f = sigmoid(w1*x1 + w2*x2 - b) = 0.598687660112452
      df/dw1 = 0.24026074574152914
      ...
  chainrule grad "x**3 - 2*x" x=1.5 --svg graph.svg --tree tree.svg

An EXPR that starts with "-" and has no space in it goes after "--":
  chainrule grad -- -x**2 x=3
"""


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``grad`` command to the ``chainrule`` command line.

    >>> parser = argparse.ArgumentParser(prog="chainrule")
    >>> add_parser(parser.add_subparsers())
    >>> args = parser.parse_args(["grad", "x*y", "x=2", "y=3", "--svg", "g.svg"])
    >>> args.expression, args.bindings, args.svg
    ('x*y', ['x=2', 'y=3'], PosixPath('g.svg'))
    """
    parser = commands.add_parser(
        "grad",
        help="print an expression's value and derivatives; draw its graph",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expression", metavar="EXPR", help="the expression, in quotes")
    parser.add_argument(
        "bindings", metavar="name=value", nargs="*", help="a value for each name in EXPR"
    )
    parser.add_argument("--svg", metavar="FILE", type=Path, help="draw the computation graph")
    parser.add_argument("--tree", metavar="FILE", type=Path, help="draw the chain-rule tree")
    parser.set_defaults(run=run)


def _fail(message: str, status: int) -> int:
    print(f"chainrule grad: error: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    """Run ``chainrule grad`` on parsed arguments; return the exit status.

    0 on success, 2 for a bad expression or ``name=value`` pair, 1 when a drawing
    cannot be written (no Graphviz, a path that cannot be written).

    >>> run(argparse.Namespace(expression="x*y", bindings=["x=2", "y=3"], svg=None, tree=None))
    f = x*y = 6.0
    df/dx = 3.0
    df/dy = 2.0
    0
    """
    leaves: dict[str, Value] = {}
    try:
        for text in args.bindings:
            name, number = parse_binding(text, leaves)
            leaves[name] = Value(number, name)
        f = parse_expression(args.expression, leaves)
    except ExpressionError as error:
        return _fail(str(error), 2)
    if f.op and not f.label:
        f.label = "f"
    f.backward()
    width = max([len(name) for name in leaves], default=0)
    print(f"f = {args.expression.strip()} = {f.data!r}")
    for name, leaf in leaves.items():
        print(f"df/d{name:<{width}} = {leaf.grad!r}")
    for path, drawing in ((args.svg, draw), (args.tree, chain_rule)):
        if path is None:
            continue
        try:
            written = write(drawing(f), path, format="svg")
        except (DotNotFoundError, GraphTooLargeError, OSError) as error:
            return _fail(str(error), 1)
        print(f"wrote {written}")
    return 0
