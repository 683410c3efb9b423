"""The step-through page: one training step of your own graph, frame by frame, offline.

:func:`step_through` draws the graph once (Graphviz's SVG, inline) and makes one
frame per step: the forward pass (each node's value appears, with its
equation), the loss, the backward pass (the current node highlighted, the
edges that carried its gradient marked, the chain-rule equation beside it)
and, given a learning rate, the update p ← p − η ∂L/∂p of the notes' (23)-(24).
Next / previous / play buttons, the arrow keys, Home and End, and a button per
phase. The page is one HTML file with its CSS and JavaScript inline: no CDN,
no network. Jupyter shows it inline (``_repr_html_``).
"""

from __future__ import annotations

import html as _html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from _chainrule_files import write_atomic
from autograd import Value

from .drawing import COLORS, DEFAULT_MAX_NODES, Drawing, check_digits, check_size
from .explain import Explanation, Step, explain
from .graph import RANKDIRS, draw_view
from .notation import label_html, notation_base, number
from .view import View, graph_view
from .wasm import page_graph, use_dot

__all__ = ["Frame", "StepThrough", "step_through"]

PHASES = ("forward", "loss", "backward", "update")
HIGHLIGHT = "#e69138"  # orange: the current node and the edges carrying its gradient


@dataclass(frozen=True)
class Frame:
    """One frame: its phase, the equation (HTML), what it highlights and reveals.

    ``node`` is the SVG id of the node in focus; ``edges`` the SVG ids of the
    edges marked; ``data`` and ``grad`` the nodes whose number (value, gradient)
    appears from this frame on.
    """

    phase: str
    title: str
    equation: str
    tag: str
    node: str
    edges: tuple[str, ...]
    data: tuple[str, ...]
    grad: tuple[str, ...]


class StepThrough:
    """A step-through page: ``.html`` is the page, ``.write(path)`` saves it.

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

    def __init__(self, title: str, frames: Sequence[Frame], svg: str) -> None:
        self.title = title
        self.frames = tuple(frames)
        self.svg = svg

    def __repr__(self) -> str:
        return f"<StepThrough {self.title!r}: {len(self.frames)} frames>"

    @property
    def html(self) -> str:
        """The whole page: one self-contained HTML document."""
        return _page(self.title, self.frames, self.svg)

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
    rankdir: str = "TB",
    digits: int = 3,
    title: str = "",
    max_nodes: int | None = DEFAULT_MAX_NODES,
    svg: str | None = None,
) -> StepThrough:
    """The step-through page of ``root``'s graph (see the module's docstring).

    ``lr`` (η) adds the update frames, one per parameter: ``parameters``, or
    every leaf that is not one of the notes' inputs ``x_i^(0)``. Nothing is
    changed: the numbers are computed aside (``autograd.grad``). ``rankdir`` and
    ``digits`` are :func:`viz.draw`'s; ``svg`` replaces the drawing (mainly for
    tests). Without Graphviz's ``dot`` the page carries the DOT text and Graphviz
    compiled to WebAssembly, and lays the graph out in the browser
    (:mod:`viz.wasm`): the page needs no program, and still no network.
    """
    if not isinstance(root, Value):
        raise TypeError(f"step_through needs a Value, got {type(root).__name__}")
    if rankdir not in RANKDIRS:
        raise ValueError(
            f"step_through: unknown rankdir {rankdir!r} (must be one of {list(RANKDIRS)})"
        )
    digits = check_digits(digits, "step_through")
    if lr is not None and (isinstance(lr, bool) or not isinstance(lr, (int, float))):
        raise TypeError(f"step_through: lr must be a number or None, got {lr!r:.60}")
    view = graph_view(root)
    check_size(len(view.order), max_nodes, "step_through")
    story = explain(root, digits=digits)
    frames = _frames(view, story)
    if lr is not None:
        frames += _updates(view, float(lr), parameters, digits)
    if svg is None:
        drawing = draw_view(view, rankdir=rankdir, digits=digits, grads=view.grads, ids=True)
        svg = _graph(drawing)
    else:
        svg = svg[svg.index("<svg") :]  # the XML prolog and doctype do not belong inside HTML
    name = root.label or "the graph"
    return StepThrough(title or f"Backpropagation through {name}, step by step", frames, svg)


def _graph(drawing: Drawing) -> str:
    """What goes into the page's ``<div id="graph">``: ``dot``'s SVG, or without ``dot``
    the scripts that lay the same DOT text out in the browser (:func:`viz.wasm.page_graph`)."""
    if not use_dot():
        return page_graph(drawing.source)
    svg = drawing.pipe(format="svg", encoding="utf-8")
    return str(svg[svg.index("<svg") :])  # the XML prolog and doctype do not belong inside HTML


def _frames(view: View, story: Explanation) -> list[Frame]:
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


def _updates(view: View, lr: float, parameters: Sequence[Value] | None, digits: int) -> list[Frame]:
    if parameters is None:
        chosen = [n for n in view.nodes if n.kind == "parameter"]
    else:
        wanted = {id(p) for p in parameters}
        chosen = [n for n in view.nodes if id(n.value) in wanted]
    frames = []
    eta = number(lr, digits)
    for n in chosen:
        g = view.grads[n.value]
        new = n.value.data - lr * g
        p = n.html
        base = notation_base(n.value.label)
        tag = "(23)" if base == "b" else "(24)" if base == "w" else ""
        gradient = f"∂{_root_name(view)}/∂{p}"
        g_text = number(g, digits)
        g_text = f"({g_text})" if g_text.startswith("-") else g_text
        equation = (
            f"{p} ← {p} − η {gradient} = {number(n.value.data, digits)} − {eta} × {g_text}"
            f" = {number(new, digits)}"
        )
        frames.append(Frame("update", f"Update: {p}", equation, tag, f"n{n.index}", (), (), ()))
    return frames


def _root_name(view: View) -> str:
    node = view.node(view.root)
    return label_html(view.root.label) if view.root.label else f"({node.html})"


# --- the page --------------------------------------------------------------------------

_CSS = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; position: sticky; top: 0;
  background: white; z-index: 1; }
h1 { font-size: 17px; margin: 4px 0 8px; }
main { display: flex; gap: 16px; padding: 8px 16px; align-items: flex-start; }
#graph { flex: 1 1 auto; min-width: 0; }
#graph svg { max-width: 100%; height: auto; }
aside { flex: 0 0 360px; position: sticky; top: 90px; }
button { font-size: 14px; margin: 2px; padding: 4px 10px; cursor: pointer; }
button.on { background: HIGHLIGHT; color: white; border-color: HIGHLIGHT; }
#counter { font-size: 13px; color: #555; margin-left: 8px; }
#title { font-weight: bold; margin: 12px 0 6px; font-size: 15px; }
#equation { font-size: 17px; line-height: 1.6; padding: 10px; background: #f6f6f6;
  border-left: 4px solid HIGHLIGHT; word-wrap: break-word; }
#tag { color: #555; font-size: 14px; margin-top: 6px; }
sub, sup { font-size: 70%; line-height: 0; }
.help { font-size: 12px; color: #666; margin-top: 12px; }
svg g.node.future, svg g.edge.future { opacity: 0.25; }
svg g.node.current polygon, svg g.node.current ellipse { stroke: HIGHLIGHT; stroke-width: 3; }
svg g.edge.carry path { stroke: HIGHLIGHT; stroke-width: 3; }
svg g.edge.carry polygon { stroke: HIGHLIGHT; fill: HIGHLIGHT; }
svg text.hidden { visibility: hidden; }
""".replace("HIGHLIGHT", HIGHLIGHT)

_JS = """
function start() {
  "use strict";
  const frames = JSON.parse(document.getElementById("frames").textContent);
  const svg = document.querySelector("#graph svg");
  const byId = (id) => (id && svg ? svg.querySelector("#" + CSS.escape(id)) : null);
  const nodes = svg ? Array.from(svg.querySelectorAll("g.node")) : [];
  const edges = svg ? Array.from(svg.querySelectorAll("g.edge")) : [];
  let current = 0, timer = null;

  function cells(group, word) {
    return Array.from(group.querySelectorAll("text")).filter(
      (t) => t.textContent.startsWith(word + " "));
  }
  function show(k) {
    current = Math.max(0, Math.min(frames.length - 1, k));
    const data = new Set(), grad = new Set();
    for (let i = 0; i <= current; i++) {
      frames[i].data.forEach((d) => data.add(d));
      frames[i].grad.forEach((g) => grad.add(g));
    }
    const f = frames[current];
    for (const g of nodes) {
      const id = g.id, op = id.endsWith("op");
      const base = op ? id.slice(0, -2) : id;
      const known = data.has(base) || (!op && g.querySelector("text") &&
        cells(g, "data").length === 0 && cells(g, "grad").length === 0);
      g.classList.toggle("future", !(known || f.phase === "update"));
      g.classList.toggle("current", id === f.node);
      cells(g, "data").forEach((t) => t.classList.toggle("hidden", !data.has(base)));
      cells(g, "grad").forEach((t) => t.classList.toggle("hidden", !grad.has(base)));
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
    document.getElementById("counter").textContent =
      "frame " + (current + 1) + " of " + frames.length + " (" + f.phase + ")";
    for (const b of document.querySelectorAll("button[data-phase]")) {
      b.classList.toggle("on", b.dataset.phase === f.phase);
    }
    document.body.dataset.frame = String(current);
    const focus = byId(f.node);
    if (focus && focus.scrollIntoView) focus.scrollIntoView({block: "nearest"});
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
    b.onclick = () => show(frames.findIndex((f) => f.phase === b.dataset.phase));
  }
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    else if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    else if (event.key === "Home") { show(0); event.preventDefault(); }
    else if (event.key === "End") { show(frames.length - 1); event.preventDefault(); }
    else if (event.key === " ") { play(); event.preventDefault(); }
  });
  window.stepThrough = { show: show, count: frames.length, current: () => current };
  show(0);
}
// The graph is dot's SVG, already in the page, or is laid out in the browser first
// (viz.wasm.page_graph), which says so with the event chainrule:graph.
if (document.querySelector("#graph svg")) start();
else document.addEventListener("chainrule:graph", start, {once: true});
"""


def _page(title: str, frames: Sequence[Frame], svg: str) -> str:
    payload = json.dumps([f.__dict__ for f in frames], ensure_ascii=False)
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
<div class="help">← → step, space plays, Home / End jump to the ends. Orange: the node of
this step and the edges its gradient runs along. Dimmed: not computed yet.
Colours: parameters <span style="background:{COLORS["leaf"]}">blue</span>, inputs
<span style="background:{COLORS["input"]}">yellow</span>, the loss
<span style="background:{COLORS["output"]}">green</span>.</div>
</aside>
</main>
<script type="application/json" id="frames">{payload}</script>
<script>{_JS}</script>
</body>
</html>
"""
