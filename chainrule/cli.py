"""The ``chainrule`` command line: ``chainrule demo`` and ``chainrule grad``.

Exit statuses: 0 done (the demo also when Graphviz is missing: it then writes
what it can and says which drawings it skipped); 1 a file could not be written,
a drawing could not be rendered, or training diverged; 2 a bad option,
expression or ``name=value`` pair; 3 the ``autograd``, ``nn`` or ``viz`` that
Python finds is not chainrule's (see :func:`chainrule.foreign_package`); 130
interrupted. Every failure is one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from . import __version__
from ._packages import foreign_package

__all__ = ["MAX_MESSAGE", "CommandError", "main"]

MAX_MESSAGE = 1000
"""The longest error line printed, in characters; a longer one is cut with "..."."""


class CommandError(Exception):
    """A failure the command reports as one line on stderr, with an exit status.

    >>> str(CommandError("--lr must be > 0, got 0.0", 2)), CommandError("x", 2).status
    ('--lr must be > 0, got 0.0', 2)
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line that points at ``--help``."""

    def error(self, message: str) -> NoReturn:
        fail(self.prog, f"{message} (see {self.prog} --help)")
        raise SystemExit(2)


def fail(prog: str, message: str) -> None:
    """Print ``prog: error: message`` on stderr as one line of at most MAX_MESSAGE characters.

    >>> import contextlib, io
    >>> with contextlib.redirect_stderr(io.StringIO()) as err:
    ...     fail("chainrule grad", "x" * 2000 + "\\nsecond line")
    >>> line = err.getvalue(); len(line) <= MAX_MESSAGE + 1, line.count("\\n")
    (True, 1)
    """
    text = " ".join(f"{prog}: error: {message}".split())
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 3] + "..."
    print(text, file=sys.stderr)


def _parser() -> _Parser:
    from . import demo, grad_cli

    parser = _Parser(
        prog="chainrule",
        description="Watch the chain rule work: backprop, printed and drawn.",
        epilog="exit status: 0 done, 1 a file or drawing failed, 2 bad usage, "
        "3 a package that is not chainrule's (see docs/known-issues.md)",
    )
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="{demo,grad}")
    demo.add_parser(commands)
    grad_cli.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``chainrule`` command line; returns the exit status.

    >>> main(["grad", "sigmoid(w*x - b)", "w=0.5", "x=2", "b=0.1"])
    f = sigmoid(w*x - b) = 0.7109495026250039
    df/dw = 0.41100061468...
    df/dx = 0.10275015367...
    df/db = -0.20550030734...
    0
    """
    problem = foreign_package()
    if problem is not None:
        fail("chainrule", problem)
        return 3
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if extra:  # name=value pairs after an option: `grad EXPR a=1 --svg g.svg b=2`
        if args.command != "grad" or any(text.startswith("-") for text in extra):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        args.bindings += extra
    prog = f"chainrule {args.command}"
    try:
        status: int = args.run(args)
    except CommandError as error:
        fail(prog, str(error))
        return error.status
    except KeyboardInterrupt:
        fail(prog, "interrupted")
        return 130
    except (OSError, ValueError, RuntimeError, FloatingPointError) as error:
        # a file that cannot be written, a drawing dot cannot render, a diverged run
        fail(prog, str(error) or type(error).__name__)
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
