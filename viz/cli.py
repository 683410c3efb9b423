"""The ``chainrule`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd import Value

from . import grad_cli

__all__ = ["main"]


def _demo(args: argparse.Namespace) -> int:
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
    y = (w * x - b).sigmoid()
    y.backward()
    print(f"y = sigmoid(w*x - b) = {y.data:.6f}")
    for v in (w, x, b):
        print(f"dy/d{v.label} = {v.grad:+.6f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command line; returns the exit status.

    >>> main(["demo"])
    y = sigmoid(w*x - b) = 0.710950
    dy/dw = +0.411001
    dy/dx = +0.102750
    dy/db = -0.205500
    0
    >>> main(["grad", "sigmoid(w*x - b)", "w=0.5", "x=2", "b=0.1"])
    f = sigmoid(w*x - b) = 0.7109495026250039
    df/dw = 0.41100061468...
    df/dx = 0.10275015367...
    df/db = -0.20550030734...
    0
    """
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="show the chain rule on a small expression")
    demo.set_defaults(run=_demo)
    grad_cli.add_parser(commands)
    args, extra = parser.parse_known_args(argv)
    if extra:  # name=value pairs after an option: `grad EXPR a=1 --svg g.svg b=2`
        if args.command != "grad" or any(text.startswith("-") for text in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.bindings += extra
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
