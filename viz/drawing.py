"""What both drawings share: the colours, the size limit, rendering and writing files."""

from __future__ import annotations

import numbers
import os
import shutil
import signal
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import graphviz

from _chainrule_files import check_target, write_atomic

from . import wasm
from .notation import svg_scripts

__all__ = [
    "BENDS_PER_COST",
    "COLORS",
    "DEFAULT_MAX_NODES",
    "DOT_TIMEOUT",
    "KIND_NAMES",
    "MAX_LABEL",
    "MAX_LAYOUT_COST",
    "DotNotFoundError",
    "Drawing",
    "GraphTooLargeError",
    "RenderError",
    "check_digits",
    "check_layout",
    "check_size",
    "color_of",
    "layout_cost",
    "layout_size",
    "legend_html",
    "render",
    "write",
]

DEFAULT_MAX_NODES = 2000
"""How many nodes a drawing may have unless told otherwise.

Graphviz's ``dot`` lays out a few thousand nodes in seconds; the time grows faster
than the graph, and a graph of 100,000 nodes would not finish. Building the DOT text
stays fast at any size: pass ``max_nodes=None`` (or a larger number) to get it.
"""

COLORS = {
    "parameter": "#cfe2f3",  # light blue: a weight or a bias, what a model learns
    "input": "#fff2cc",  # light yellow: an input of the network (data, not learned)
    "variable": "#d9d2e9",  # light purple: a leaf of an expression without parameters
    "output": "#b6d7a8",  # green: the root, the Value drawn from
    "interior": "#ffffff",  # white: an intermediate result
    "constant": "#999999",  # grey text, dashed outline, no fill: a number written into the code
    "op": "#eeeeee",  # light grey: the small node of an operation
    "leaf": "#cfe2f3",  # the parameter's colour under its earlier name
}
"""The fill colour of each kind of node, set once here for both drawings (see :func:`color_of`)."""

KIND_NAMES = {
    "parameter": "parameter",
    "input": "input",
    "variable": "variable",
    "constant": "constant",
    "interior": "intermediate",
    "output": "output",
}
"""What the legend calls each kind of node, in the legend's order."""


def color_of(kind: str) -> str:
    """The fill colour of a node of ``kind``; a kind without a colour of its own is white.

    >>> color_of("parameter"), color_of("variable"), color_of("something new")
    ('#cfe2f3', '#d9d2e9', '#ffffff')
    """
    return COLORS.get(kind, COLORS["interior"])


def legend_html(kinds: object, size: int = 11) -> str:
    """The legend of the colours of ``kinds`` (the kinds of the nodes drawn), as a
    Graphviz HTML-like table: only the kinds present, in :data:`KIND_NAMES`'s order,
    in one row of up to three, else in two rows, so that it stays narrow; "" when none
    has a colour to explain.

    >>> legend_html({"output", "variable", "constant"}).count("<TD")
    3
    >>> legend_html({"op"})
    ''
    """
    present = [kind for kind in KIND_NAMES if kind in kinds]  # type: ignore[operator]
    if not present:
        return ""
    cells = []
    for kind in present:
        name = KIND_NAMES[kind]
        if kind == "constant":
            quiet = COLORS["constant"]
            cells.append(
                f'<TD BORDER="1" COLOR="{quiet}" STYLE="dashed"><FONT COLOR="{quiet}" '
                f'POINT-SIZE="{size}">{name}</FONT></TD>'
            )
        else:
            cells.append(
                f'<TD BORDER="1" BGCOLOR="{color_of(kind)}"><FONT POINT-SIZE="{size}">'
                f"{name}</FONT></TD>"
            )
    per_row = len(cells) if len(cells) <= 3 else (len(cells) + 1) // 2
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    body = "".join("<TR>" + "".join(row) + "</TR>" for row in rows)
    return f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">{body}</TABLE>'


INSTALL_HINT = (
    "install Graphviz and try again: sudo apt-get install graphviz (Debian, Ubuntu), "
    "brew install graphviz (macOS) or conda install graphviz"
)
FORMATS = (".dot", ".gv", ".pdf", ".png", ".svg")


class DotNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz is untyped
    """Graphviz's ``dot`` program is missing, so a drawing cannot become an SVG, PNG or PDF file.

    The DOT text (``.source``, or :func:`write` to a ``.dot`` file) needs no program,
    and neither do Jupyter's display of a drawing and the step-through page: they
    lay the graph out in the browser (:mod:`viz.wasm`). A subclass of
    ``graphviz.ExecutableNotFound``, so code that catches that still works.

    >>> print(DotNotFoundError())  # doctest: +ELLIPSIS
    Graphviz's dot program was not found ...: sudo apt-get install graphviz ...
    """

    def __init__(self) -> None:
        RuntimeError.__init__(
            self,
            "Graphviz's dot program was not found on the PATH, so the drawing cannot be "
            "rendered to a file (.svg, .png, .pdf need dot; the DOT text, .source or a .dot "
            "file, Jupyter's display of a drawing and the step-through page do not: they "
            "lay the graph out in the browser); " + INSTALL_HINT,
        )


class GraphTooLargeError(ValueError):
    """A graph is too large to lay out in seconds: too many nodes, or too costly a layout.

    ``measure`` is ``"nodes"`` (the count against ``max_nodes``) or ``"layout"``
    (:func:`layout_cost` against :data:`MAX_LAYOUT_COST`).

    >>> raise GraphTooLargeError(5000, 2000, "draw")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    viz.drawing.GraphTooLargeError: draw: the graph has 5000 nodes, more than max_nodes=2000; ...
    """

    def __init__(self, count: int, limit: int, what: str, measure: str = "nodes") -> None:
        if measure == "nodes":
            size = f"the graph has {count} nodes, more than max_nodes={limit}"
        else:
            size = (
                f"laying the graph out costs about {count} (its nodes, its edges and the bends "
                "of its long edges, as when one value is used by many operations), more "
                f"than the {limit} that Graphviz lays out in a few seconds"
            )
        super().__init__(
            f"{what}: {size}; draw a smaller part (a subgraph, or chain_rule(root, keep=...) "
            "to collapse the nodes you do not need), or pass max_nodes=None to build it "
            "anyway and write its DOT text to a .dot file (rendering it may take minutes)"
        )
        self.count = count
        self.limit = limit


class RenderError(RuntimeError):
    """Graphviz's ``dot`` failed, crashed or ran out of time on a drawing; the message says
    what to draw instead.

    >>> print(RenderError("dot timed out"))
    dot timed out
    """


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


MAX_LAYOUT_COST = 50_000
"""The largest :func:`layout_cost` a drawing may have while ``max_nodes`` is not None.

Measured with ``dot -Tsvg`` on 2 shared cores (the table is in
``tests/viz/test_viz_render.py``): a cost of 50,000 takes ``dot`` 1 to 4 seconds, and
the time then grows faster than the cost. ``x + x + ... + x`` drawn by
:func:`viz.draw`: 55 terms, cost 39,000, 3.0 s; 60 terms, 54,000, 5.9 s; 70 terms
over 25 s. A 4-32-32-1 network's chain-rule tree unit by unit
(``chain_rule(collapse=False)``): 39,000, 2.1 s. A chain of 1,000 ops with its input
added back at the end (one edge across 2,000 ranks): 56,000, 3.5 s.
"""

BENDS_PER_COST = 250
"""How many (bend × node) pairs count as one unit of :func:`layout_cost`: the measured
time of ``dot``'s placement grows as the bends of long edges times the graph's size."""


def layout_cost(nodes: int, edges: Sequence[tuple[int, int, bool]]) -> int:
    """An estimate of the work of ``dot``'s layout: nodes, edges, and the long edges' bends.

    ``edges`` are ``(tail, head, labelled)`` with node numbers from 0 to
    ``nodes - 1``, each tail numbered below its head. The size is
    :func:`layout_size`, each label weighing 16 (measured: label nodes make ``dot``
    that much slower). A long edge's rank crossings are bends that ``dot``
    straightens one at a time, each step touching the whole graph (network
    simplex): measured, the time grows as the bends times the size, so the cost
    adds ``bends × size / BENDS_PER_COST``. A value used by n operations down a
    chain makes about n² bends, so its cost grows as n⁴.

    >>> layout_cost(3, [(0, 1, False), (1, 2, False)])  # a chain: no long edges
    5
    >>> layout_cost(3, [(0, 1, False), (1, 2, False), (0, 2, False)])  # one edge bends once
    7
    >>> layout_cost(2, [(0, 1, True)])  # a label: a node dot places, and 15 more
    19
    """
    size, labels, bends = _crossings(nodes, edges)
    return size + 15 * labels + bends * size // BENDS_PER_COST


def layout_size(nodes: int, edges: Sequence[tuple[int, int, bool]]) -> int:
    """The nodes ``dot`` places: the graph's nodes and edges, and a node on each rank an
    edge crosses (a labelled edge takes two ranks, its label being a node of its own).

    Ranks are taken as longest paths, a leaf just above its first user, as ``dot``
    places them; ``edges`` are as :func:`layout_cost`'s.

    >>> layout_size(3, [(0, 1, False), (1, 2, False), (0, 2, False)])
    7
    """
    return _crossings(nodes, edges)[0]


def _crossings(nodes: int, edges: Sequence[tuple[int, int, bool]]) -> tuple[int, int, int]:
    """:func:`layout_size`, the labelled edges, and the bends (crossings that are not labels)."""
    step = [0] * nodes
    has_input = [False] * nodes
    for tail, head, labelled in sorted(edges, key=lambda e: e[1]):
        step[head] = max(step[head], step[tail] + (2 if labelled else 1))
        has_input[head] = True
    latest: dict[int, int] = {}  # a leaf sits just above its first user, as dot places it
    for tail, head, labelled in edges:
        if not has_input[tail]:
            rank = step[head] - (2 if labelled else 1)
            latest[tail] = min(latest.get(tail, rank), rank)
    for leaf, rank in latest.items():
        step[leaf] = rank
    crossed = bends = labels = 0
    for tail, head, labelled in edges:
        ranks = max(step[head] - step[tail] - 1, 0)
        crossed += ranks
        bends += ranks - 1 if labelled and ranks else ranks  # a label's rank is no bend
        labels += labelled
    return nodes + len(edges) + crossed, labels, bends


def check_layout(
    nodes: int, edges: Sequence[tuple[int, int, bool]], max_nodes: int | None, what: str
) -> int:
    """The :func:`layout_cost` of a drawing about to be built, checked where it is paid.

    With ``max_nodes`` at its default (:data:`DEFAULT_MAX_NODES`) a cost above
    :data:`MAX_LAYOUT_COST` raises :class:`GraphTooLargeError` at once, before the
    drawing is built. With ``max_nodes`` given, the drawing is built (its DOT text
    costs nothing to lay out) and carries the cost: rendering it (``pipe``,
    :func:`write` to SVG, PNG or PDF, Jupyter's display, the step-through page) is
    refused (:meth:`Drawing.limit`). With None there is no limit, and the cost is
    not even computed (0).

    >>> check_layout(2, [(0, 1, False)], 2000, "draw")
    3
    >>> check_layout(2, [(0, 1, False)], None, "draw")
    0
    """
    if max_nodes is None:
        return 0
    cost = layout_cost(nodes, edges)
    if max_nodes == DEFAULT_MAX_NODES and cost > MAX_LAYOUT_COST:
        raise GraphTooLargeError(cost, MAX_LAYOUT_COST, what, measure="layout")
    return cost


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


DOT_TIMEOUT = 30.0
"""Seconds ``dot`` may take on one drawing before it is stopped (a :class:`RenderError`)."""

MAX_LABEL = 16_000
"""The longest label ``dot`` is given: Graphviz refuses HTML labels over 16,384 characters."""

_RETRY = (
    "draw a smaller part (a subgraph, or chain_rule(root, keep=...) to collapse the nodes "
    "you do not need), keep max_nodes at its default, or write the DOT text to a .dot file"
)


def _check_labels(source: str) -> None:
    for line in source.splitlines():
        if len(line) > MAX_LABEL and "label=<" in line:
            node = line.strip().split(" ", 1)[0]
            raise RenderError(
                f"the label of node {node:.40} is {len(line)} characters, more than the "
                f"{MAX_LABEL} Graphviz accepts; give that Value a shorter label, or "
                "write the DOT text to a .dot file"
            )


def render(source: str, format: str, *, timeout: float = DOT_TIMEOUT) -> bytes:
    """Run ``dot -T<format>`` on DOT text with a time limit; return what it writes.

    :class:`DotNotFoundError` when ``dot`` is missing; :class:`RenderError` when
    a label is too long for Graphviz, or ``dot`` fails, crashes or takes more
    than ``timeout`` seconds (the message says what to draw instead).

    >>> render("digraph { a -> b }", "svg").startswith(b"<?xml")
    True
    """
    if not isinstance(format, str) or format not in {f[1:] for f in FORMATS if f != ".dot"}:
        raise ValueError(f"render: unknown format {format!r:.40} (must be svg, png or pdf)")
    _check_labels(source)
    program = shutil.which("dot")
    if program is None:
        raise DotNotFoundError()
    try:
        done = subprocess.run(
            [program, f"-T{format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"Graphviz's dot did not finish laying out the drawing in {timeout:g} s and was "
            f"stopped; {_RETRY}"
        ) from None
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        raise RenderError(f"Graphviz's dot crashed ({name}) on the drawing; {_RETRY}")
    if done.returncode != 0:
        said = " ".join(done.stderr.decode("utf-8", "replace").split())[:200]
        raise RenderError(f"Graphviz's dot failed on the drawing ({said}); {_RETRY}")
    return done.stdout


class Drawing(graphviz.Digraph):  # type: ignore[misc]  # graphviz is untyped
    """A ``graphviz.Digraph`` rendered by :func:`render`: with a time limit, and a clear
    error when ``dot`` is missing, crashes or runs too long.

    ``.source`` is the DOT text; ``.pipe(format="svg")`` runs ``dot`` through
    :func:`render`; ``.render`` (graphviz's, which writes files) raises
    :class:`DotNotFoundError` when ``dot`` is missing. Jupyter's inline display
    (``_repr_mimebundle_``) shows ``dot``'s SVG, or, without ``dot``, HTML that lays
    the graph out in the browser (:func:`viz.wasm.notebook_html`): it never needs
    the program.

    >>> print(Drawing(name="g", body=["\\ta -> b\\n"]).source)
    digraph g {
        a -> b
    }
    """

    layout_cost = 0
    """The drawing's :func:`layout_cost`, set by the function that made it (0: not known)."""
    layout_limit: int | None = None
    """The largest :attr:`layout_cost` rendering accepts; None: no limit (see :meth:`limit`)."""
    made_by = "draw"
    """The function that made the drawing, named in a refusal."""

    def limit(self, cost: int, max_nodes: int | None, made_by: str) -> Drawing:
        """Record the layout's ``cost``, which rendering holds to :data:`MAX_LAYOUT_COST`
        unless ``max_nodes`` is None (no limit); return the drawing.

        >>> wide = Drawing(name="g").limit(60_000, 100_000, "draw")
        >>> print(wide.source)  # the DOT text: nothing is laid out
        digraph g {
        }
        >>> wide.pipe(format="svg")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        viz.drawing.GraphTooLargeError: draw: laying the graph out costs about 60000 ...
        """
        self.layout_cost = cost
        self.layout_limit = None if max_nodes is None else MAX_LAYOUT_COST
        self.made_by = made_by
        return self

    def check_layout(self) -> None:
        """Raise :class:`GraphTooLargeError` when :attr:`layout_cost` is above :attr:`layout_limit`:
        what every way of laying the drawing out calls first."""
        if self.layout_limit is not None and self.layout_cost > self.layout_limit:
            raise GraphTooLargeError(
                self.layout_cost, self.layout_limit, self.made_by, measure="layout"
            )

    def pipe(self, format: str | None = None, *args: Any, **kwargs: Any) -> Any:
        """The rendered drawing as bytes (or text, given ``encoding``), as ``graphviz``'s.

        SVG has its sub- and superscripts laid out by :func:`viz.notation.svg_scripts`.
        A layout too costly for the drawing's limit is refused first (:meth:`check_layout`).
        """
        self.check_layout()
        encoding = kwargs.pop("encoding", None)
        if args or kwargs:  # graphviz's renderer, formatter, engine: its own path
            with _needs_dot():
                return super().pipe(format, *args, encoding=encoding, **kwargs)
        fmt = format or self.format
        data = render(self.source, fmt)
        if fmt == "svg":
            data = svg_scripts(data.decode("utf-8")).encode("utf-8")
        return data if encoding is None else data.decode(encoding)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Save the DOT text and render it to a file, as ``graphviz``'s ``render``."""
        self.check_layout()
        with _needs_dot():
            return super().render(*args, **kwargs)

    def _repr_mimebundle_(
        self,
        include: Iterable[str] | None = None,
        exclude: Iterable[str] | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """Jupyter's display: ``dot``'s SVG, or, when ``dot`` is missing (or
        :func:`viz.wasm.configure` says ``layout="browser"``), HTML that lays the graph
        out in the browser with the Graphviz shipped in the package. Either way a
        layout too costly for the drawing's limit is refused first.

        >>> from viz import wasm
        >>> wasm.configure(layout="browser")
        >>> bundle = Drawing(name="g", body=["\\ta -> b\\n"])._repr_mimebundle_()
        >>> list(bundle), bundle["text/html"].startswith('<div class="chainrule-graph"')
        (['text/html'], True)
        >>> wasm.configure()
        """
        self.check_layout()
        if wasm.use_dot():
            return super()._repr_mimebundle_(include, exclude, **kwargs)  # type: ignore[no-any-return]
        wanted = {"text/html"} if include is None else set(include)
        if "text/html" not in wanted - set(exclude or ()):
            return {}
        return {"text/html": wasm.notebook_html(self.source)}


@contextmanager
def _needs_dot() -> Iterator[None]:
    """Turn graphviz's missing-program error into one that says how to install it."""
    try:
        yield
    except graphviz.ExecutableNotFound as error:
        if isinstance(error, DotNotFoundError):
            raise
        raise DotNotFoundError() from error


def write(
    graph: graphviz.Digraph, path: str | os.PathLike[str], *, format: str | None = None
) -> Path:
    """Write a drawing to ``path`` in the format its suffix names; return the Path written.

    ``.dot`` (or ``.gv``) writes the DOT text (no program needed); ``.svg``, ``.png``
    and ``.pdf`` render through Graphviz's ``dot`` (:func:`render`:
    :class:`DotNotFoundError` when it is missing, :class:`RenderError` when it
    fails or runs out of time). Any other suffix is refused. ``format``
    (``"svg"``, ...) overrides the suffix. The file is written by
    ``_chainrule_files.write_atomic``: rendered in full first, never replacing
    anything but a regular file (a device node or FIFO is refused, a symlink to a
    regular file written through), keeping an existing file's permissions, and
    leaving no temporary file behind after a failure.

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
    check_target(path)  # before rendering: refuse a device node without waiting for dot
    if suffix in (".dot", ".gv"):
        data = graph.source.encode("utf-8")
    elif isinstance(graph, Drawing):
        data = graph.pipe(format=suffix[1:])
    else:  # a plain graphviz.Digraph of the user's: the same time limit
        data = render(graph.source, suffix[1:])
    write_atomic(path, data)
    return path
