"""``chainrule grad``: an expression's value, its derivative by every name, and the drawings."""

from __future__ import annotations

import argparse
import math
import sys
import textwrap
from pathlib import Path
from typing import Any

from autograd import Value
from viz import chain_rule, draw, explain, step_through, write
from viz.drawing import FORMATS

from .cli import CommandError
from .expr import MAX_CHARS, MAX_NODES, ExpressionError, allowed, parse_binding, parse_expression

__all__ = ["add_parser", "drawing_path", "run"]

EXAMPLE = 'chainrule grad "sigmoid(w1*x1 + w2*x2 - b)" w1=0.5 x1=1 w2=-1 x2=0 b=0.1'
DESCRIPTION = "\n\n".join(
    textwrap.fill(paragraph, 79)
    for paragraph in (
        "Print the value of EXPR and its derivative by each name, in the order the "
        "names are given; draw the computation graph (--svg) and the chain rule's "
        "dependency tree (--tree). The format of a drawing follows its file's suffix: "
        f"{', '.join(FORMATS)}.",
        f"EXPR may use {allowed()}. Anything else (attributes, subscripts, other calls, "
        "lambdas, names without a value, keyword arguments, more than "
        f"{MAX_CHARS} characters or {MAX_NODES} pieces) is refused with exit status 2. "
        "EXPR is parsed with Python's ast module against this list; it is never "
        "evaluated by Python. A value or derivative that is nan or inf is flagged "
        "with a warning on stderr.",
    )
)
EPILOG = f"""\
example:
  {EXAMPLE}
      f = sigmoid(w1*x1 + w2*x2 - b) = 0.598687660112452
      df/dw1 = 0.24026074574152914
      ...
  chainrule grad "x**3 - 2*x" x=1.5 --svg graph.svg --tree tree.png

An EXPR that starts with "-" and has no space in it goes after "--":
  chainrule grad -- -x**2 x=3

exit status: 0 done, 1 a drawing could not be written, 2 a bad EXPR or name=value
"""


def drawing_path(text: str) -> Path:
    """A ``--svg``/``--tree`` argument: a path whose suffix names a format :func:`viz.write` has.

    >>> drawing_path("tree.png")
    PosixPath('tree.png')
    >>> drawing_path("tree.txt")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: cannot draw into 'tree.txt': the suffix must be one of .dot, ...
    """
    path = Path(text)
    if path.suffix.lower() not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"cannot draw into {text!r:.80}: the suffix must be one of {', '.join(FORMATS)}"
        )
    return path


def page_path(text: str) -> Path:
    """The ``--html`` argument: a path ending in ``.html`` or ``.htm``.

    >>> page_path("steps.html")
    PosixPath('steps.html')
    >>> page_path("steps.svg")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: cannot write a page into 'steps.svg': the suffix must be .html
    """
    path = Path(text)
    if path.suffix.lower() not in (".html", ".htm"):
        raise argparse.ArgumentTypeError(
            f"cannot write a page into {text!r:.80}: the suffix must be .html"
        )
    return path


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
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
    parser.add_argument(
        "--svg", metavar="FILE", type=drawing_path, help="draw the computation graph"
    )
    parser.add_argument(
        "--tree", metavar="FILE", type=drawing_path, help="draw the chain-rule tree"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print the backward pass as chain-rule steps, each with its numbers",
    )
    parser.add_argument(
        "--html",
        metavar="FILE",
        type=page_path,
        help="write a page that steps through the forward and backward pass (offline)",
    )
    parser.set_defaults(run=run)


def _not_finite(f: Value, leaves: dict[str, Value]) -> list[str]:
    named = [("f", f.data)] + [(f"df/d{name}", leaf.grad) for name, leaf in leaves.items()]
    return [f"{name} = {value!r}" for name, value in named if not math.isfinite(value)]


def run(args: argparse.Namespace) -> int:
    """Run ``chainrule grad`` on parsed arguments; return the exit status.

    0 on success; a bad expression or ``name=value`` pair raises
    :class:`chainrule.cli.CommandError` with status 2; a drawing that cannot be
    written raises the error of :func:`viz.write` (the command line prints it and
    exits with 1). A nan or inf value or derivative is printed as it is, and
    flagged by one warning line on stderr.

    >>> args = dict(svg=None, tree=None, explain=False, html=None)
    >>> run(argparse.Namespace(expression="x*y", bindings=["x=2", "y=3"], **args))
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
        raise CommandError(str(error), 2) from None
    if f.op and not f.label:
        f.label = "f"
    f.backward()
    width = max([len(name) for name in leaves], default=0)
    print(f"f = {args.expression.strip()} = {f.data!r}")
    for name, leaf in leaves.items():
        print(f"df/d{name:<{width}} = {leaf.grad!r}")
    flagged = _not_finite(f, leaves)
    if flagged:
        shown = ", ".join(flagged[:5]) + (
            f" and {len(flagged) - 5} more" if len(flagged) > 5 else ""
        )
        print(
            f"chainrule grad: warning: not a finite number: {shown} (IEEE arithmetic, "
            "as in PyTorch: e.g. log of a negative number is nan, 1/0 is inf)",
            file=sys.stderr,
        )
    if args.explain:
        print()
        print(explain(f))
    for path, drawing in ((args.svg, draw), (args.tree, chain_rule)):
        if path is not None:
            print(f"wrote {write(drawing(f), path)}")
    if args.html is not None:
        print(f"wrote {step_through(f, title=args.expression.strip()).write(args.html)}")
    return 0
