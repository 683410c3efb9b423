"""The ``chainrule`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from autograd import Value

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
    """
    parser = argparse.ArgumentParser(prog="chainrule", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="show the chain rule on a small expression")
    args = parser.parse_args(argv)
    return _demo(args)


if __name__ == "__main__":
    sys.exit(main())
