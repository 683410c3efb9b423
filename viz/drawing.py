"""What both drawings share: the colours, the size limit, rendering and writing files."""

from __future__ import annotations

import numbers
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import graphviz

from .notation import svg_scripts

__all__ = [
    "COLORS",
    "DEFAULT_MAX_NODES",
    "DotNotFoundError",
    "Drawing",
    "GraphTooLargeError",
    "check_digits",
    "check_size",
    "write",
    "write_atomic",
]

DEFAULT_MAX_NODES = 2000
"""How many nodes a drawing may have unless told otherwise.

Graphviz's ``dot`` lays out a few thousand nodes in seconds; the time grows faster
than the graph, and a graph of 100,000 nodes would not finish. Building the DOT text
stays fast at any size: pass ``max_nodes=None`` (or a larger number) to get it.
"""

COLORS = {
    "leaf": "#cfe2f3",  # light blue: a leaf you made, a parameter
    "input": "#fff2cc",  # light yellow: one of the notes' inputs x_i^(0)
    "output": "#b6d7a8",  # green: the root, the Value drawn from
    "interior": "#ffffff",  # white: an intermediate result
    "constant": "#999999",  # grey text, dashed outline, no fill: a number written into the code
    "op": "#eeeeee",  # light grey: the small node of an operation
}
"""The fill colour of each kind of node, set once here for both drawings."""

INSTALL_HINT = (
    "install Graphviz and try again: sudo apt-get install graphviz (Debian, Ubuntu), "
    "brew install graphviz (macOS) or conda install graphviz"
)
FORMATS = (".dot", ".pdf", ".png", ".svg")


class DotNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz is untyped
    """Graphviz's ``dot`` program is missing, so a drawing cannot become SVG, PNG or PDF.

    The DOT text (``.source``, or :func:`write` to a ``.dot`` file) needs no program.
    A subclass of ``graphviz.ExecutableNotFound``, so code that catches that still works.

    >>> print(DotNotFoundError())  # doctest: +ELLIPSIS
    Graphviz's dot program was not found ...: sudo apt-get install graphviz ...
    """

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "Graphviz's dot program was not found on the PATH, so the drawing cannot be "
            "rendered (its DOT text, .source, needs no program); " + INSTALL_HINT,
        )


class GraphTooLargeError(ValueError):
    """A graph has more nodes than ``max_nodes`` allows.

    >>> raise GraphTooLargeError(5000, 2000, "draw")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    viz.drawing.GraphTooLargeError: draw: the graph has 5000 nodes, more than max_nodes=2000; ...
    """

    def __init__(self, count: int, limit: int, what: str) -> None:
        super().__init__(
            f"{what}: the graph has {count} nodes, more than max_nodes={limit}; Graphviz "
            f"takes minutes or more to lay out graphs this large. Pass max_nodes={count} "
            "(or None) to build it anyway (its DOT text is quick; rendering is slow), "
            "or draw a smaller part, e.g. chain_rule(root, keep=...)"
        )
        self.count = count
        self.limit = limit


def check_size(count: int, max_nodes: int | None, what: str) -> None:
    """Raise :class:`GraphTooLargeError` when ``count`` exceeds ``max_nodes`` (None: no limit).

    >>> check_size(10, 100, "draw")
    >>> check_size(10, True, "draw")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: draw: max_nodes must be a positive int or None, got bool: True
    """
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, numbers.Integral):
        raise TypeError(
            f"{what}: max_nodes must be a positive int or None, "
            f"got {type(max_nodes).__name__}: {max_nodes!r:.60}"
        )
    if max_nodes < 1:
        raise ValueError(f"{what}: max_nodes must be a positive int or None, got {max_nodes}")
    if count > max_nodes:
        raise GraphTooLargeError(count, int(max_nodes), what)


def check_digits(digits: object, what: str) -> int:
    """``digits`` as a number of significant digits (1 to 17), or a ValueError naming it.

    >>> check_digits(4, "draw")
    4
    >>> check_digits(0, "draw")
    Traceback (most recent call last):
    ...
    ValueError: draw: digits must be an int from 1 to 17, got 0
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or not 1 <= digits <= 17:
        raise ValueError(f"{what}: digits must be an int from 1 to 17, got {digits!r:.60}")
    return digits


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz is untyped
    """A ``graphviz.Digraph`` whose rendering, when ``dot`` is missing, says how to install it.

    ``.source`` is the DOT text; ``.pipe(format="svg")``, ``.render(...)`` and Jupyter's
    inline display (``_repr_mimebundle_``) run ``dot`` and raise
    :class:`DotNotFoundError` when it is missing.

    >>> print(Drawing(name="g", body=["\\ta -> b\\n"]).source)
    digraph g {
        a -> b
    }
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """The rendered drawing as bytes (or text, given ``encoding``), as ``graphviz``'s.

        SVG has its sub- and superscripts laid out by :func:`viz.notation.svg_scripts`.
        """
        with _needs_dot():
            result = super().pipe(*args, **kwargs)
        if (args[0] if args else kwargs.get("format")) != "svg":
            return result
        if isinstance(result, bytes):
            return svg_scripts(result.decode("utf-8")).encode("utf-8")
        return svg_scripts(result)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Save the DOT text and render it to a file, as ``graphviz``'s ``render``."""
        with _needs_dot():
            return super().render(*args, **kwargs)


@contextmanager
def _needs_dot() -> Iterator[None]:
    """Turn graphviz's missing-program error into one that says how to install it."""
    try:
        yield
    except graphviz.ExecutableNotFound as error:
        if isinstance(error, DotNotFoundError):
            raise
        raise DotNotFoundError() from error


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place.

    A crash leaves the old file or the new one, never half of one; the file gets
    the permissions ``open()`` would give it.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.txt"
    >>> write_atomic(path, b"one"); write_atomic(path, b"two")
    >>> path.read_bytes(), [p.name for p in path.parent.iterdir()]
    (b'two', ['x.txt'])
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write(graph: graphviz.Digraph, path: str | Path, *, format: str | None = None) -> Path:
    """Write a drawing to ``path`` in the format its suffix names; return the Path written.

    ``.dot`` writes the DOT text (no program needed); ``.svg``, ``.png`` and ``.pdf``
    render through Graphviz's ``dot`` (:class:`DotNotFoundError` when it is missing).
    ``format`` (``"svg"``, ...) overrides the suffix. The drawing is rendered in full,
    then written through a temporary file that replaces ``path``, so a failure
    leaves no half-written file.

    >>> import tempfile
    >>> from autograd import Value
    >>> from viz import draw
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = write(draw(Value(1.0, "x") * 2), Path(tmp) / "graph.dot")
    ...     print(path.name, path.read_text().splitlines()[0])
    graph.dot digraph computation_graph {
    """
    path = Path(path)
    suffix = path.suffix.lower() if format is None else "." + str(format).lower().lstrip(".")
    if suffix not in FORMATS:
        got = f"format={format!r}" if format is not None else f"suffix {path.suffix!r} of {path}"
        raise ValueError(f"write: cannot write {got}; the format must be one of {list(FORMATS)}")
    if suffix == ".dot":
        data = graph.source.encode("utf-8")
    else:
        with _needs_dot():
            data = graph.pipe(format=suffix[1:])
    write_atomic(path, data)
    return path
