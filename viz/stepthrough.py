"""The step-through page: training steps of your own graph, frame by frame, offline.

:func:`step_through` draws the graph once (Graphviz's SVG inline, or laid out in the
browser by Graphviz compiled to WebAssembly where ``dot`` is missing) and makes one
frame per step: the forward pass (each node's value appears, with its
equation), the loss, the backward pass (the current node highlighted, the
edges that carried its gradient marked, the chain-rule equation beside it)
and, given a learning rate, the update p ← p − η ∂L/∂p of the notes' (23)-(24),
after which the parameter's box shows its new ``data``. ``iterations=`` repeats
the four phases on the updated parameters, so the loss can be seen falling.
Next / previous / play buttons, the arrow keys, Home and End, a button per
phase, and ``#frame-N`` in the address (1-based, as the counter) opens frame N.
The current node is always scrolled into view below the toolbar; below 900 px
of width the equation panel sits at the bottom of the window, under the graph.
The page is one HTML file with its CSS and JavaScript inline: no CDN, no
network. Jupyter shows it inline (``_repr_html_``).
"""

from __future__ import annotations

import dataclasses
import html as _html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _chainrule_files import write_atomic
from autograd import Constant, Parameter, Value, topological_order
from autograd.formula import Formula, to_text
from autograd.modes import NO_GRAD
from autograd.program import Var

from .drawing import (
    COLORS,
    DEFAULT_MAX_NODES,
    MAX_LAYOUT_COST,
    Drawing,
    GraphTooLargeError,
    check_digits,
    check_size,
    layout_cost,
)
from .explain import Explanation, Step, explain
from .graph import RANKDIRS, draw_view, layout_edges, network_rows
from .layout import Layers, find_layers
from .notation import label_html, notation_base, notation_parts, number
from .view import Node, View, graph_view
from .wasm import page_graph, use_dot

__all__ = ["MAX_ITERATIONS", "Boxes", "Frame", "StepThrough", "step_through"]

PHASES = ("forward", "loss", "backward", "update")
HIGHLIGHT = "#e69138"  # orange: the current node and the edges carrying its gradient
UPDATED = "#b45309"  # dark orange: a number an update has changed
MAX_ITERATIONS = 50
"""The most training iterations one page steps through (each is a full set of frames)."""
MIN_SCALE = 0.8
"""The page shrinks a wide graph to fit, never below this: its 10 pt numbers stay above 10 px."""


@dataclass(frozen=True)
class Frame:
    """One frame: its phase, the equation (HTML), what it highlights and reveals.

    ``node`` is the SVG id of the node in focus; ``edges`` the SVG ids of the
    edges marked; ``data`` and ``grad`` the nodes whose number (value, gradient)
    appears from this frame on, within its ``iteration`` (0-based); ``updated``
    the parameter whose box shows its new data from this frame on (an update).
    ``note`` is a sentence under the equation; ``losses`` the line of losses
    known at this frame (HTML, "" before the first).
    """

    phase: str
    title: str
    equation: str
    tag: str
    node: str
    edges: tuple[str, ...]
    data: tuple[str, ...]
    grad: tuple[str, ...]
    updated: tuple[str, ...] = ()
    iteration: int = 0
    note: str = ""
    losses: str = ""


@dataclass(frozen=True)
class Boxes:
    """What the drawing's boxes show in one iteration, by SVG id, as text: each
    node's ``data`` and ``grad``, and the new data of each parameter it updates.

    >>> from autograd import Value
    >>> w = Value(2.0, "w")
    >>> page = step_through(w * w, lr=0.1, iterations=2, svg="<svg></svg>")
    >>> [(b.data["n0"], b.grad["n0"], b.updated["n0"]) for b in page.boxes]
    [('2', '4', '1.6'), ('1.6', '3.2', '1.28')]
    """

    data: dict[str, str]
    grad: dict[str, str]
    updated: dict[str, str]


class StepThrough:
    """A step-through page: ``.html`` is the page, ``.write(path)`` saves it.

    ``frames`` are its frames, ``boxes`` what the drawing shows in each
    iteration, ``losses`` the root's value at each iteration's forward pass and,
    when parameters were updated, once more after the last update.

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> page = step_through(x * x, svg="<svg></svg>")  # svg: skip dot, for the example
    >>> [f.phase for f in page.frames]
    ['forward', 'loss', 'backward', 'backward', 'backward']
    >>> page.frames[-1].equation
    '∂(x·x)/∂x += ∂(x·x)/∂(x·x) · x = 1 × 3 = 3, so ∂(x·x)/∂x = 6'
    >>> "<script>" in page.html and "http" not in page.html.replace("http://www.w3.org", "")
    True
    """

    def __init__(
        self,
        title: str,
        frames: Sequence[Frame],
        svg: str,
        boxes: Sequence[Boxes] = (),
        losses: Sequence[float] = (),
    ) -> None:
        self.title = title
        self.frames = tuple(frames)
        self.svg = svg
        self.boxes = tuple(boxes)
        self.losses = tuple(losses)

    def __repr__(self) -> str:
        return f"<StepThrough {self.title!r}: {len(self.frames)} frames>"

    @property
    def html(self) -> str:
        """The whole page: one self-contained HTML document."""
        return _page(self.title, self.frames, self.boxes, self.svg)

    def write(self, path: str | Path) -> Path:
        """Write the page to ``path`` (through a temporary file); return the Path.

        >>> import tempfile
        >>> from autograd import Value
        >>> page = step_through(Value(2.0, "x") * 3, svg="<svg></svg>")
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     print(page.write(Path(tmp) / "page.html").read_text()[:15])
        <!DOCTYPE html>
        """
        path = Path(path)
        write_atomic(path, self.html.encode("utf-8"))
        return path

    def _repr_html_(self) -> str:
        """Jupyter: the page in an iframe of its own, so its script and style stay inside."""
        page = _html.escape(self.html, quote=True)
        return (
            f'<iframe srcdoc="{page}" style="width: 100%; height: 720px; border: 1px solid #ccc"'
            ' sandbox="allow-scripts"></iframe>'
        )


def step_through(
    root: Value,
    *,
    lr: float | None = None,
    parameters: Sequence[Value] | None = None,
    iterations: int = 1,
    rankdir: str = "TB",
    digits: int = 3,
    title: str = "",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    svg: str | None = None,
) -> StepThrough:
    """The step-through page of ``root``'s graph (see the module's docstring).

    ``lr`` (η) adds the update frames, one per parameter: ``parameters`` (leaves
    of the graph), or else the graph's :class:`autograd.Parameter` leaves, or,
    when it has none, every leaf that is not a constant or one of the notes'
    inputs ``x_i^(0)``. ``iterations`` (from 1 to :data:`MAX_ITERATIONS`; more
    than 1 needs ``lr``) steps through that many gradient-descent steps, each
    one's numbers computed from the parameters the one before updated; the page
    shows the loss of each so far. Nothing is changed: the numbers are computed
    aside (``autograd.grad``; later iterations on a copy of the graph).
    ``rankdir`` and ``digits`` are :func:`viz.draw`'s; ``svg`` replaces the
    drawing (mainly for tests). ``max_nodes`` (None for no limit) is counted before
    anything else is computed, and the drawing's layout cost is held to
    :data:`~viz.drawing.MAX_LAYOUT_COST` before the frames are made, whether ``dot``
    or the browser lays it out (:func:`viz.drawing.layout_cost`). Without Graphviz's
    ``dot`` the page carries the DOT text and Graphviz compiled to WebAssembly, and
    lays the graph out in the browser (:mod:`viz.wasm`): the page needs no program,
    and still no network.

    >>> from autograd import Value
    >>> x = Value(3.0, "x")
    >>> f = (x - 1) ** 2
    >>> f.label = "f"
    >>> page = step_through(f, lr=0.25, iterations=3, svg="<svg></svg>")
    >>> page.losses  # f at x = 3, then x = 2, 1.5, 1.25: each step halves x − 1
    (4.0, 1.0, 0.25, 0.0625)
    >>> page.frames[-1].equation
    'x ← x − η ∂f/∂x = 1.5 − 0.25 × 1 = 1.25'
    >>> x.data, x.grad  # yours, untouched
    (3.0, 0.0)
    """
    digits = _check_arguments(root, rankdir, digits, lr, iterations, title, svg)
    order = topological_order(root)  # sizes first: no name, no gradient before the checks
    check_size(len(order), max_nodes, "step_through")
    rows = network_rows(order, find_layers(order))  # a network in order, as draw keeps it
    # the page lays the graph out (dot or the browser) unless it is given the drawing
    cost = _layout_cost(order, rows, max_nodes) if svg is None else 0
    view = graph_view(root)
    chosen = [] if lr is None else _chosen(view, parameters)
    if iterations > 1 and not chosen:
        raise ValueError(
            f"step_through: iterations={iterations}, but the graph has nothing to update "
            "(no parameter or variable among its leaves); pass parameters=[...]"
        )
    frames, boxes, losses = _gradient_descent(view, chosen, lr, iterations, digits)
    if svg is None:
        drawing = draw_view(
            view, rankdir=rankdir, digits=digits, grads=view.grads, ids=True, network=rows
        )
        svg = _graph(drawing.limit(cost, max_nodes, "step_through"))
    else:
        svg = svg[svg.index("<svg") :]  # the XML prolog and doctype do not belong inside HTML
    return StepThrough(title or _title(view), frames, svg, boxes, losses)


def _check_arguments(
    root: object,
    rankdir: object,
    digits: object,
    lr: object,
    iterations: object,
    title: object,
    svg: object,
) -> int:
    """Check the arguments that need no graph (the size of the graph is checked next);
    return ``digits``. Each error says what it received and what would be right."""
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"step_through: unknown rankdir {rankdir!r} (must be one of {list(RANKDIRS)})"
        )
    checked = check_digits(digits, "step_through")
    if not isinstance(title, str):
        raise TypeError(f"step_through: title must be a str, got {type(title).__name__}")
    if svg is not None and (not isinstance(svg, str) or "<svg" not in svg):
        raise ValueError(f"step_through: svg must be an SVG document (with <svg), got {svg!r:.60}")
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float))):
        raise TypeError(f"step_through: lr must be a number or None, got {lr!r:.60}")
    if isinstance(iterations, bool) or not isinstance(iterations, int):
        raise TypeError(f"step_through: iterations must be a whole number, got {iterations!r:.60}")
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(
            f"step_through: iterations must be from 1 to {MAX_ITERATIONS}, got {iterations}"
        )
    if iterations > 1 and lr is None:
        raise ValueError(
            f"step_through: iterations={iterations} needs lr (η), the step each iteration "
            "takes; got lr=None"
        )
    return checked


def _layout_cost(order: list[Value], rows: Layers | None, max_nodes: int | None) -> int:
    """The cost of laying the graph out (:func:`viz.drawing.layout_cost`), refused above
    :data:`~viz.drawing.MAX_LAYOUT_COST` before any frame is made, whether ``dot`` or the
    browser will lay it out; 0 when ``max_nodes`` is None (no limit)."""
    if max_nodes is None:
        return 0
    cost = layout_cost(2 * len(order), layout_edges(order, rows))
    if cost > MAX_LAYOUT_COST:
        raise GraphTooLargeError(cost, MAX_LAYOUT_COST, "step_through", measure="layout")
    return cost


def _gradient_descent(
    view: View, chosen: list[int], lr: float | None, iterations: int, digits: int
) -> tuple[list[Frame], list[Boxes], list[float]]:
    """The frames, the boxes and the losses of ``iterations`` steps of gradient descent on
    ``view``'s graph, updating the leaves at the positions ``chosen`` (none without ``lr``).

    Iteration k > 0 runs on a copy of the graph (:func:`_replay`) whose updated leaves hold
    the numbers iteration k − 1 computed. The losses are the root's value at each forward
    pass and, when something was updated, once more after the last update.
    """
    frames: list[Frame] = []
    boxes: list[Boxes] = []
    losses: list[float] = []
    new: dict[int, float] = {}  # an updated leaf's position in view.order: its new number
    now = view
    for k in range(iterations):
        if k:
            now = graph_view(_replay(view, new))
        losses.append(now.root.data)
        step = _frames(now, explain(now.root, digits=digits, max_nodes=None))  # checked
        if lr is not None:
            learned = [now.nodes[at] for at in chosen]  # the same nodes in this iteration's graph
            new = {n.index: n.value.data - lr * now.grads[n.value] for n in learned}
            step += _updates(now, float(lr), learned, new, digits)
        boxes.append(_boxes(now, new, digits))
        frames += _in_iteration(step, k, iterations)
    if chosen:
        losses.append(_replay(view, new).data)
    return _loss_lines(frames, losses, view.root, digits, iterations), boxes, losses


def _title(view: View) -> str:
    """The page's default title: the root called by its label or its variable's name,
    never by a formula ("the graph" then)."""
    called = view.names[view.root]
    name = to_text(called) if isinstance(called, Formula) and called.rule is None else "the graph"
    return f"Backpropagation through {name}, step by step"


def _graph(drawing: Drawing) -> str:
    """What goes into the page's ``<div id="graph">``: ``dot``'s SVG, or without ``dot``
    the scripts that lay the same DOT text out in the browser (:func:`viz.wasm.page_graph`).
    Either way a layout too costly for the drawing's limit is refused first."""
    drawing.check_layout()
    if not use_dot():
        return page_graph(drawing.source)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    return str(svg[svg.index("<svg") :])  # the XML prolog and doctype do not belong inside HTML


def _frames(view: View, story: Explanation) -> list[Frame]:
    """One iteration's frames of the forward pass, the loss and the backward pass: the
    leaves first, then one frame per step of ``story`` (:func:`viz.explain`)."""
    leaves = [n for n in view.nodes if not n.edges and n.kind != "constant"]
    frames = [
        Frame(
            "forward",
            "The leaves: the numbers you gave",
            ", ".join(f"{n.html} = {number(n.value.data, 3)}" for n in leaves) or "no leaves",
            "",
            "",
            (),
            tuple(f"n{n.index}" for n in leaves),
            (),
        )
    ]
    incoming: dict[Value, int] = {}
    for n in view.nodes:
        for e in n.edges:
            incoming[e.child] = incoming.get(e.child, 0) + 1
    seen: dict[Value, int] = {}
    for step in story.steps:
        frames.append(_frame(view, step, incoming, seen))
    return frames


def _frame(view: View, step: Step, incoming: dict[Value, int], seen: dict[Value, int]) -> Frame:
    """The frame of one step of :func:`viz.explain`."""
    node = view.node(step.node)
    ident = f"n{node.index}"
    if step.phase != "backward":
        phase = step.phase
        edges = tuple(f"e{view.node(e.child).index}-{node.index}op" for e in node.edges)
        edges += (f"e{node.index}op-{node.index}",) if node.edges else ()
        title = "The loss" if phase == "loss" else f"Forward: {node.html}"
        return Frame(phase, title, step.html, step.tag, ident, edges, (ident,), ())
    if step.via is None:  # ∂L/∂L = 1
        return Frame(
            "backward", "Backward: start at the loss", step.html, "", ident, (), (), (ident,)
        )
    upper = view.node(step.via)
    edges = (f"e{node.index}-{upper.index}op", f"e{upper.index}op-{upper.index}")
    seen[step.node] = seen.get(step.node, 0) + 1
    done = seen[step.node] == incoming.get(step.node, 0)
    what = "δ" if notation_base(node.value.label) == "S" else "the gradient"
    title = f"Backward: {what} of {node.html}"
    return Frame("backward", title, step.html, step.tag, ident, edges, (), (ident,) if done else ())


def _chosen(view: View, parameters: Sequence[Value] | None) -> list[int]:
    """The positions in ``view.nodes`` of the leaves the update frames update: those of
    ``parameters`` that are in the graph, or by default :func:`_default_parameters`."""
    leaves = [i for i, n in enumerate(view.nodes) if not n.value.op and n.kind != "constant"]
    if parameters is None:
        return _default_parameters(view, leaves)
    _check_parameters(view, parameters)
    wanted = {id(p) for p in parameters}
    return [i for i in leaves if id(view.nodes[i].value) in wanted]


def _default_parameters(view: View, leaves: list[int]) -> list[int]:
    """Of the ``leaves`` (positions in ``view.nodes``), the :class:`autograd.Parameter`
    ones; when there is none, every variable but the notes' data ``x_i^(0)``."""
    learned = [i for i in leaves if isinstance(view.nodes[i].value, Parameter)]
    # The kind names are not read: viz has called a plain leaf "parameter", and "variable".
    return learned or [i for i in leaves if not _notes_input(view.nodes[i].value.label)]


def _check_parameters(view: View, parameters: object) -> None:
    """Refuse a ``parameters`` that is not a list of Values, or names a node of the graph
    that is computed from others (a Value outside the graph is let through: ignored)."""
    if isinstance(parameters, (Value, str)) or not isinstance(parameters, Sequence):
        raise TypeError(
            f"step_through: parameters must be a list of Values, got {type(parameters).__name__}"
        )
    for p in parameters:
        if not isinstance(p, Value):
            raise TypeError(
                f"step_through: parameters must be Values, got {type(p).__name__}: {p!r:.60}"
            )
        if p.op and p in view.by_value:
            raise ValueError(
                f"step_through: parameters must be leaves of the graph; {p!r:.80} is computed "
                "from other nodes"
            )


def _notes_input(label: str) -> bool:
    """Whether ``label`` names one of the notes' inputs ``x_i^(0)``: data, not learned."""
    parts = notation_parts(label)
    return parts is not None and parts[0] == "x" and parts[2] == "(0)"


def _replay(view: View, numbers: dict[int, float]) -> Value:
    """``view``'s graph built again on copies of its leaves: the leaf at position i of
    ``view.order`` holds ``numbers[i]`` (the others their own number). The view's
    program runs on them, each equation a node, so the copy computes what the graph
    would on those numbers; the user's Values are not touched. A copied leaf is
    labelled with its name, so it is called as the original is. The copy records its
    graph even inside ``autograd.no_grad()``: it is the page's own."""
    at = {node: i for i, node in enumerate(view.order)}
    copies: dict[Var, Value] = {}  # the program's variables, each as its copy
    recording = NO_GRAD.set(False)
    try:
        for v in view.program.inputs:
            node = view.graph[v]
            if isinstance(node, Constant):
                copies[v] = node  # never updated, never differentiated: shared
                continue
            kind = Parameter if isinstance(node, Parameter) else Value
            label = node.label or to_text(view.names[node])
            copies[v] = kind(numbers.get(at[node], node.data), label)
        for eq in view.program.equations:  # the program, run on Values
            args = tuple(copies[a] if isinstance(a, Var) else Constant(a) for a in eq.inputs)
            copies[eq.out] = Value._apply_rule(eq.rule, args)
            copies[eq.out].label = view.graph[eq.out].label
    finally:
        NO_GRAD.reset(recording)
    out = view.program.outputs[0]
    return copies[out] if isinstance(out, Var) else Constant(out)


def _updates(
    view: View, lr: float, learned: list[Node], new: dict[int, float], digits: int
) -> list[Frame]:
    """The update frames, one per ``learned`` leaf: p ← p − η ∂L/∂p gives ``new``'s number
    (the notes' (23) for a bias ``b``, (24) for a weight ``w``)."""
    frames = []
    eta = number(lr, digits)
    for n in learned:
        g = view.grads[n.value]
        p = n.html
        base = notation_base(n.value.label)
        tag = "(23)" if base == "b" else "(24)" if base == "w" else ""
        gradient = f"∂{_root_name(view)}/∂{p}"
        g_text = number(g, digits)
        g_text = f"({g_text})" if g_text.startswith("-") else g_text
        old, now = number(n.value.data, digits), number(new[n.index], digits)
        equation = f"{p} ← {p} − η {gradient} = {old} − {eta} × {g_text} = {now}"
        note = f"The drawing now shows {p}'s new data, {now} (it was {old})."
        ident = f"n{n.index}"
        frames.append(
            Frame("update", f"Update: {p}", equation, tag, ident, (), (), (), (ident,), note=note)
        )
    return frames


def _boxes(view: View, new: dict[int, float], digits: int) -> Boxes:
    """The numbers of the boxes of ``view`` (constants have none), and the new data."""
    shown = [n for n in view.nodes if n.kind != "constant"]
    return Boxes(
        {f"n{n.index}": number(n.value.data, digits) for n in shown},
        {f"n{n.index}": number(view.grads[n.value], digits) for n in shown},
        {f"n{i}": number(x, digits) for i, x in new.items()},
    )


def _in_iteration(frames: list[Frame], k: int, iterations: int) -> list[Frame]:
    """``frames`` marked as iteration ``k``; a later iteration's first frame says so."""
    out = [dataclasses.replace(f, iteration=k) for f in frames]
    if k and out:
        title = f"Iteration {k + 1} of {iterations}: the leaves, as iteration {k} updated them"
        out[0] = dataclasses.replace(out[0], title=title)
    return out


def _loss_lines(
    frames: list[Frame], losses: list[float], root: Value, digits: int, iterations: int
) -> list[Frame]:
    """Each frame with the line of the losses known by then: one per iteration whose loss
    frame has been reached, and the loss after the last update on the last frame."""
    name = label_html(root.label) if root.label else "the output"
    out = []
    reached = 0
    for i, f in enumerate(frames):
        if f.phase == "loss":
            reached = f.iteration + 1
        known = len(losses) if i == len(frames) - 1 else reached
        shown = [number(x, digits) for x in losses[:known]]
        if known > iterations:
            shown[-1] += " after the update" if iterations == 1 else " after the last update"
        line = f"{name}: {' → '.join(shown)}" if shown else ""
        out.append(dataclasses.replace(f, losses=line))
    return out


def _root_name(view: View) -> str:
    """The root as the update frames write it in ∂L/∂p: its label, else its formula."""
    node = view.node(view.root)
    return label_html(view.root.label) if view.root.label else f"({node.html})"


# --- the page --------------------------------------------------------------------------

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; position: sticky; top: 0;
  background: white; z-index: 2; }
h1 { font-size: 17px; margin: 4px 0 8px; }
main { display: flex; gap: 16px; padding: 8px 16px; align-items: flex-start; }
#graph { flex: 0 1 auto; min-width: 0; overflow-x: auto; }  /* the panel right beside it */
#graph svg { display: block; }
aside { flex: 0 0 360px; position: sticky; top: var(--header, 90px); }
button { font-size: 14px; margin: 2px; padding: 4px 10px; cursor: pointer; }
button.on { background: HIGHLIGHT; color: white; border-color: HIGHLIGHT; }
#counter { font-size: 13px; color: #555; margin-left: 8px; }
#title { font-weight: bold; margin: 12px 0 6px; font-size: 15px; }
#equation { font-size: 17px; line-height: 1.6; padding: 10px; background: #f6f6f6;
  border-left: 4px solid HIGHLIGHT; overflow-wrap: anywhere; }
#tag, #note { color: #555; font-size: 14px; margin-top: 6px; }
#losses { font-size: 14px; margin-top: 6px; font-weight: bold; }
sub, sup { font-size: 70%; line-height: 0; }
.help { font-size: 12px; color: #666; margin-top: 12px; }
svg g.node.future, svg g.edge.future { opacity: 0.25; }
svg g.node.current polygon, svg g.node.current ellipse { stroke: HIGHLIGHT; stroke-width: 3; }
svg g.edge.carry path { stroke: HIGHLIGHT; stroke-width: 3; }
svg g.edge.carry polygon { stroke: HIGHLIGHT; fill: HIGHLIGHT; }
svg text.hidden { visibility: hidden; }
svg text.updated { fill: UPDATED; }  /* colour only: bold would outgrow the box */
@media (max-width: 900px) {
  header { padding: 4px 8px; }
  h1 { font-size: 15px; margin: 2px 0 4px; }
  button { font-size: 13px; padding: 3px 8px; }
  main { display: block; padding: 4px 8px; }
  aside { position: sticky; top: auto; bottom: 0; background: white; z-index: 1;
    border-top: 1px solid #ddd; padding: 2px 0 6px; }
  #title { margin: 4px 0; font-size: 14px; }
  #equation { font-size: 15px; line-height: 1.4; padding: 6px; }
  #tag, #note, #losses { font-size: 13px; margin-top: 3px; }
  .help { display: none; }
}
""".replace("HIGHLIGHT", HIGHLIGHT).replace("UPDATED", UPDATED)

_JS = """
function start() {
  "use strict";
  const page = JSON.parse(document.getElementById("frames").textContent);
  const frames = page.frames, boxes = page.boxes;
  const svg = document.querySelector("#graph svg");
  const graph = document.getElementById("graph");
  const header = document.querySelector("header"), aside = document.querySelector("aside");
  const narrow = window.matchMedia("(max-width: 900px)");
  const byId = (id) => (id && svg ? svg.querySelector("#" + CSS.escape(id)) : null);
  const nodes = svg ? Array.from(svg.querySelectorAll("g.node")) : [];
  const edges = svg ? Array.from(svg.querySelectorAll("g.edge")) : [];
  const first = {};  // the first frame of each iteration
  frames.forEach((f, i) => { if (!(f.iteration in first)) first[f.iteration] = i; });
  let current = 0, timer = null;

  function cells(group, word) {
    return Array.from(group.querySelectorAll("text")).filter(
      (t) => t.textContent.startsWith(word + " "));
  }
  // Each number is centred in its table cell and knows the cell's width, both read from
  // the drawing's own coordinates, never measured: a page not laid out yet (in a hidden
  // or unsized frame, as a notebook or a site may embed it) places them just the same.
  const dataCells = new Map(), gradCells = new Map(), room = new Map();
  function rectangle(polygon) {  // the box around a polygon's points, from its attribute
    const v = polygon.getAttribute("points").trim().split(/[ ,]+/).map(Number);
    const xs = v.filter((_, i) => i % 2 === 0), ys = v.filter((_, i) => i % 2 === 1);
    return {left: Math.min(...xs), right: Math.max(...xs),
      top: Math.min(...ys), bottom: Math.max(...ys)};
  }
  for (const g of nodes) {
    dataCells.set(g, cells(g, "data"));
    gradCells.set(g, cells(g, "grad"));
    const shapes = Array.from(g.querySelectorAll("polygon"), rectangle);
    const area = (b) => (b.right - b.left) * (b.bottom - b.top);
    for (const t of dataCells.get(g).concat(gradCells.get(g))) {
      // its cell: the smallest polygon of the node around the text's own point (x, y)
      const x = Number(t.getAttribute("x")), y = Number(t.getAttribute("y")) - 1;
      const around = shapes.filter((b) => b.left < x && x < b.right && b.top < y && y < b.bottom);
      const cell = around.reduce((a, b) => (area(b) < area(a) ? b : a), around[0]);
      if (!cell) { room.set(t, Infinity); continue; }
      room.set(t, cell.right - cell.left - 4);
      // a number keeps the centre of its cell, however long it becomes
      t.setAttribute("x", String((cell.left + cell.right) / 2));
      t.setAttribute("text-anchor", "middle");
    }
  }
  // wide graphs shrink to fit, never below MIN_SCALE (the numbers stay legible): then scroll
  const natural = svg ? [svg.width.baseVal.value, svg.height.baseVal.value] : [0, 0];
  function fit() {
    if (!natural[0] || !natural[1]) return;
    svg.style.width = natural[0] + "px";  // first the room the graph would take whole
    const scale = Math.min(1, Math.max(MIN_SCALE, graph.clientWidth / natural[0]));
    svg.style.width = natural[0] * scale + "px";
    svg.style.height = natural[1] * scale + "px";
  }
  // the node in focus goes where it is seen: below the toolbar, above the panel (narrow).
  // The page scrolls itself (not scrollIntoView), so a notebook around it stays still.
  function reveal(element) {
    document.documentElement.style.setProperty("--header", header.offsetHeight + "px");
    if (!element) return;
    const margin = 16, room = graph.getBoundingClientRect();
    let box = element.getBoundingClientRect();
    if (box.left < room.left + margin || box.right > room.right - margin) {
      graph.scrollLeft += box.left < room.left + margin ? box.left - room.left - margin :
        Math.min(box.right - room.right + margin, box.left - room.left - margin);
      box = element.getBoundingClientRect();
    }
    const top = header.offsetHeight + margin;
    const bottom = document.documentElement.clientHeight - margin -
      (narrow.matches ? aside.offsetHeight : 0);
    if (box.top < top) window.scrollBy(0, box.top - top);
    else if (box.bottom > bottom) window.scrollBy(0, Math.min(box.bottom - bottom, box.top - top));
  }
  function text(cell, word, value) {
    if (value === undefined || cell.textContent === word + " " + value) return;
    cell.textContent = word + " " + value;
    squeeze(cell);
  }
  function squeeze(cell) {  // a number longer than its cell is narrowed into it
    cell.removeAttribute("textLength");  // (measured: a hidden page does it again when shown)
    if (cell.getComputedTextLength() > room.get(cell)) {
      cell.setAttribute("textLength", String(room.get(cell)));
      cell.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  }
  function show(k) {
    current = Math.max(0, Math.min(frames.length - 1, k));
    const f = frames[current], box = boxes[f.iteration];
    const data = new Set(), grad = new Set(), updated = new Set();
    for (let i = first[f.iteration]; i <= current; i++) {
      frames[i].data.forEach((d) => data.add(d));
      frames[i].grad.forEach((g) => grad.add(g));
      frames[i].updated.forEach((u) => updated.add(u));
    }
    for (const g of nodes) {
      const id = g.id, op = id.endsWith("op");
      const base = op ? id.slice(0, -2) : id;
      const own = dataCells.get(g), grads = gradCells.get(g);
      const known = data.has(base) || (!op && g.querySelector("text") &&
        own.length === 0 && grads.length === 0);
      g.classList.toggle("future", !(known || f.phase === "update"));
      g.classList.toggle("current", id === f.node);
      for (const t of own) {
        if (box) text(t, "data", updated.has(base) ? box.updated[base] : box.data[base]);
        t.classList.toggle("hidden", !data.has(base) && f.phase !== "update");
        t.classList.toggle("updated", updated.has(base));
      }
      for (const t of grads) {
        if (box) text(t, "grad", box.grad[base]);
        t.classList.toggle("hidden", !grad.has(base));
      }
    }
    for (const e of edges) {
      const head = e.id.split("-")[1] || "";  // e3-5op runs into the op of n5
      const base = "n" + (head.endsWith("op") ? head.slice(0, -2) : head);
      e.classList.toggle("future", !data.has(base) && f.phase !== "update");
      e.classList.toggle("carry", f.edges.includes(e.id));
    }
    document.getElementById("title").innerHTML = f.title;
    document.getElementById("equation").innerHTML = f.equation;
    document.getElementById("tag").textContent = f.tag ? "the notes' equation " + f.tag : "";
    document.getElementById("note").innerHTML = f.note;
    document.getElementById("losses").innerHTML = f.losses;
    document.getElementById("counter").textContent =
      "frame " + (current + 1) + " of " + frames.length + " (" + f.phase +
      (page.iterations > 1 ? ", iteration " + (f.iteration + 1) + " of " + page.iterations : "") +
      ")";
    for (const b of document.querySelectorAll("button[data-phase]")) {
      b.classList.toggle("on", b.dataset.phase === f.phase);
    }
    document.body.dataset.frame = String(current);
    try {  // the address names the frame: #frame-N, N as the counter counts (from 1)
      history.replaceState(null, "", "#frame-" + (current + 1));
    } catch (error) { /* a sandboxed frame may not have an address of its own */ }
    reveal(byId(f.node));
  }
  function asked() {  // the frame the address asks for (#frame-N, from 1), or null
    const m = /^#frame-(\\d+)$/.exec(window.location.hash);
    return m ? Number(m[1]) - 1 : null;
  }
  function play() {
    const button = document.getElementById("play");
    if (timer) { clearInterval(timer); timer = null; button.textContent = "▶ play"; return; }
    button.textContent = "❚❚ pause";
    timer = setInterval(() => {
      if (current >= frames.length - 1) { play(); return; }
      show(current + 1);
    }, 900);
  }
  document.getElementById("prev").onclick = () => show(current - 1);
  document.getElementById("next").onclick = () => show(current + 1);
  document.getElementById("play").onclick = play;
  for (const b of document.querySelectorAll("button[data-phase]")) {
    b.onclick = () => {  // the phase in this iteration, else its first
      const here = frames.findIndex(
        (f) => f.phase === b.dataset.phase && f.iteration === frames[current].iteration);
      show(here >= 0 ? here : frames.findIndex((f) => f.phase === b.dataset.phase));
    };
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { show(0); event.preventDefault(); }
    else if (event.key === "End") { show(frames.length - 1); event.preventDefault(); }
    else if (event.key === " ") { play(); event.preventDefault(); }
  });
  window.addEventListener("hashchange", () => {
    const k = asked();
    if (k !== null && k !== current) show(k);
  });
  const squeezeAll = () => room.forEach((_, cell) => squeeze(cell));
  window.addEventListener("resize", () => {  // a frame shown at last is resized too
    fit();
    squeezeAll();
    reveal(byId(frames[current].node));
  });
  window.stepThrough = { show: show, count: frames.length, current: () => current };
  fit();
  squeezeAll();
  show(asked() ?? 0);
}
// the drawing may come later (laid out in the browser): start once it is there
if (document.querySelector("#graph svg")) start();
else document.addEventListener("chainrule:graph", start, {once: true});
""".replace("MIN_SCALE", str(MIN_SCALE))


def _page(title: str, frames: Sequence[Frame], boxes: Sequence[Boxes], svg: str) -> str:
    """The HTML document: the toolbar (a button per phase the frames have), the drawing,
    the panel, and the frames and boxes as JSON for the script (escaped: no text in them
    can end the script element)."""
    iterations = 1 + max((f.iteration for f in frames), default=0)
    payload = json.dumps(
        {
            "frames": [f.__dict__ for f in frames],
            "boxes": [b.__dict__ for b in boxes],
            "iterations": iterations,
        },
        ensure_ascii=False,
    )
    payload = payload.replace("</", "<\\/")  # nothing in the data can close the script
    present = [p for p in PHASES if any(f.phase == p for f in frames)]
    phase_buttons = "".join(f'<button data-phase="{p}">{p}</button>' for p in present)
    svg = re.sub(r"<!--.*?-->", "", svg, flags=re.S)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_html.escape(title)}</title>
<style>{_CSS}</style>
</head>
<body>
<header>
<h1>{_html.escape(title)}</h1>
<div>
<button id="prev" title="previous (←)">◀ previous</button>
<button id="play" title="play / pause (space)">▶ play</button>
<button id="next" title="next (→)">next ▶</button>
<span style="margin-left: 12px">jump to:</span>{phase_buttons}
<span id="counter"></span>
</div>
</header>
<main>
<div id="graph">{svg}</div>
<aside>
<div id="title"></div>
<div id="equation"></div>
<div id="tag"></div>
<div id="note"></div>
<div id="losses"></div>
<div class="help">← → step, space plays, Home / End jump to the ends; #frame-N at the end
of the address opens frame N. Orange: the node of this step and the edges its gradient runs
along. Dimmed: not computed yet. <span style="color:{UPDATED}">Dark orange</span>: data
an update changed. Colours: parameters
<span style="background:{COLORS["leaf"]}">blue</span>, inputs
<span style="background:{COLORS["input"]}">yellow</span>, the loss
<span style="background:{COLORS["output"]}">green</span>.</div>
</aside>
</main>
<script type="application/json" id="frames">{payload}</script>
<script>{_JS}</script>
</body>
</html>
"""
