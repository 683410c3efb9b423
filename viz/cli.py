"""The ``chainrule`` command line: ``chainrule demo`` and ``chainrule grad``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import demo, grad_cli

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command line; returns the exit status.

    >>> main(["grad", "sigmoid(w*x - b)", "w=0.5", "x=2", "b=0.1"])
    f = sigmoid(w*x - b) = 0.7109495026250039
    df/dw = 0.41100061468...
    df/dx = 0.10275015367...
    df/db = -0.20550030734...
    0
    """
    parser = argparse.ArgumentParser(
        prog="chainrule", description="Watch the chain rule work: backprop, printed and drawn."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser(
        "demo",
        help="train the notes' 2-2-1 network and check every quantity by hand",
        description=demo.__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_arguments(demo_parser)
    demo_parser.set_defaults(run=demo.run)
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
