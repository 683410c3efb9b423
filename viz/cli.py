"""The ``chainrule`` command line: ``chainrule demo`` and ``chainrule grad``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command line; returns the exit status.

    >>> main(["demo", "--help"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    SystemExit: 0
    """
    from . import demo

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
    args = parser.parse_args(argv)
    return demo.run(args)


if __name__ == "__main__":
    sys.exit(main())
