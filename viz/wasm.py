"""Drawings laid out in the browser: Graphviz compiled to WebAssembly, shipped inside viz.

Without Graphviz's ``dot`` program there is still something to look at. The
package carries ``viz/_vendor/viz-global.js`` (Viz.js: Graphviz compiled to
WebAssembly, the WebAssembly inlined; its licences beside it), and this module
is the one place that knows about it. It makes HTML that lays a drawing's DOT
text out in the browser, with the same sub- and superscripts as
:func:`viz.notation.svg_scripts` gives ``dot``'s SVG (:data:`RENDER_JS` holds a
JavaScript port of it). The JavaScript goes inline into the HTML; nothing is
ever fetched.

Two places use it when ``dot`` is missing (or always, after
``configure(layout="browser")``):

- Jupyter's display of :func:`viz.draw` and :func:`viz.chain_rule`
  (``Drawing._repr_mimebundle_`` returns :func:`notebook_html`);
- the step-through page (:func:`viz.step_through`, through :func:`page_graph`).

Files (``.svg``, ``.png``, ``.pdf``) still need ``dot``: the browser is not there
to write them.

The library is 1.3 MB. In a notebook, the first drawing of a kernel session
carries it and later drawings wait for it (see :func:`notebook_html`), so a
notebook of ten drawings does not grow by 13 MB.

>>> snippet = html("digraph { a -> b }")
>>> snippet.count("<script>"), "Viz.js " + VIZ_JS_VERSION in snippet
(2, True)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import json
import shutil
import sys
import uuid
from typing import Any

__all__ = [
    "GRAPHVIZ_VERSION",
    "LIBRARY_SHA256",
    "RENDER_JS",
    "VIZ_JS_VERSION",
    "configure",
    "html",
    "library",
    "notebook_html",
    "page_graph",
    "use_dot",
]

VIZ_JS_VERSION = "3.31.0"
"""The version of ``@viz-js/viz`` (the npm registry's package) in ``viz/_vendor``."""

GRAPHVIZ_VERSION = "16.1.0"
"""The version of Graphviz compiled into it."""

LIBRARY_SHA256 = "c9e0b310f9883910e01c66054b48b7ff4be3d8695141116635e72b0af152692e"
"""The SHA-256 of ``viz/_vendor/viz-global.js``, checked when it is read."""

_FILE = "viz-global.js"

RENDER_JS = r"""
window.chainruleGraph = window.chainruleGraph || (function () {
  "use strict";
  // A port of viz.notation.svg_scripts: Graphviz writes "w", "11" and "(2)" as
  // three <text> elements placed by its own font metrics; each such line becomes
  // one <text> of <tspan>s that the browser lays out, the scripts shifted by dy.
  const TEXT = /^<text ([^>]*)>(.*)<\/text>$/;
  const ATTR = /([\w:-]+)="([^"]*)"/g;
  const SHIFT = {sub: 0.3, super: -0.45};  // of the line's text size, downwards
  const STYLE = ["font-size", "fill", "font-weight", "font-style", "font-family"];
  const round = (x) => String(Math.round(x * 100) / 100);

  function merged(group) {
    const first = group[0][0];
    const size = Math.max(...group.map(([a]) => parseFloat(a.get("font-size") || "14")));
    const head = Array.from(first)
      .filter(([k]) => !["baseline-shift", "font-size", "xml:space"].includes(k))
      .map(([k, v]) => k + '="' + v + '"').join(" ");
    let pieces = "", shift = 0;
    for (const [attrs, body] of group) {
      const wanted = (SHIFT[attrs.get("baseline-shift") || ""] || 0) * size;
      let extra = "";
      for (const [k, v] of attrs) {
        if (STYLE.includes(k) && (k === "font-size" || v !== first.get(k))) {
          extra += " " + k + '="' + v + '"';
        }
      }
      const dy = wanted !== shift ? ' dy="' + round(wanted - shift) + '"' : "";
      pieces += "<tspan" + extra + dy + ">" + body + "</tspan>";
      shift = wanted;
    }
    const font = ' font-size="' + (first.has("font-size") ? first.get("font-size") : size) + '"';
    return '<text xml:space="preserve" ' + head + font + ">" + pieces + "</text>";
  }

  function scripts(svg) {
    const lines = svg.split("\n"), out = [];
    let i = 0;
    while (i < lines.length) {
      const group = [];
      while (i + group.length < lines.length) {
        const m = TEXT.exec(lines[i + group.length]);
        if (!m) break;
        const attrs = new Map(Array.from(m[1].matchAll(ATTR), (a) => [a[1], a[2]]));
        if (attrs.get("text-anchor") !== "start" ||
            (group.length && attrs.get("y") !== group[0][0].get("y"))) break;
        group.push([attrs, m[2]]);
      }
      if (!group.some(([a]) => a.has("baseline-shift"))) { out.push(lines[i]); i += 1; continue; }
      out.push(merged(group));
      i += group.length;
    }
    return out.join("\n");
  }

  let instance = null;
  function graphviz() {  // one Graphviz per page, once viz-global.js has run somewhere on it
    if (!instance) {
      instance = new Promise((resolve) => {
        if (window.Viz) resolve();
        else window.addEventListener("chainrule:viz", resolve, {once: true});
      }).then(() => window.Viz.instance());
    }
    return instance;
  }

  // Graphviz here has no fonts, only the widths of some (DejaVu Sans, Helvetica,
  // Times...), and takes a list such as "DejaVu Sans,Helvetica" for an unknown
  // font, measured as Times: too narrow. So it lays out with the first font of
  // each list, and the SVG names the whole list again for the viewer.
  function layout(viz, dot) {
    const lists = new Map();
    const first = dot.replace(/fontname="([^",]+),[^"]*"/g, (whole, name) => {
      lists.set(name, whole.slice('fontname="'.length, -1));
      return 'fontname="' + name + '"';
    });
    let svg = viz.renderString(first, {format: "svg"});
    for (const [name, list] of lists) {
      svg = svg.split('font-family="' + name + '"').join('font-family="' + list + '"');
    }
    return svg;
  }

  // Lay out `dot` and put the SVG into `element` (replacing what it holds).
  async function draw(element, dot, fit) {
    const viz = await graphviz();
    const text = scripts(layout(viz, dot));
    const parsed = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    if (parsed.nodeName !== "svg") {
      throw new Error("Graphviz's SVG did not parse: " + parsed.textContent);
    }
    const svg = document.importNode(parsed, true);
    if (fit) { svg.style.maxWidth = "100%"; svg.style.height = "auto"; }
    element.replaceChildren(svg);
    return svg;
  }
  return {scripts: scripts, draw: draw, graphviz: graphviz};
})();
"""
"""The JavaScript that defines ``window.chainruleGraph`` once per page: ``scripts(svg)``
(the port of :func:`viz.notation.svg_scripts`), ``draw(element, dot, fit)`` (a
promise of the drawn ``<svg>`` element) and ``graphviz()`` (a promise of the one
Viz instance, waiting for ``window.Viz`` until some script on the page defines it)."""

_WAITING = (
    "This drawing is laid out in the browser by Graphviz compiled to WebAssembly, "
    "shipped with chainrule. If this text stays, the notebook's scripts did not run: "
    "trust the notebook (or re-run this cell), or install Graphviz's dot program."
)
_LOST = (
    "Still waiting for Graphviz (WebAssembly): it came with an earlier drawing of this "
    "kernel session that is not on this page any more (its output was cleared or its cell "
    "deleted). Run viz.wasm.configure() and re-run this cell, or install Graphviz's dot."
)


@functools.cache
def library() -> str:
    """The vendored ``viz-global.js`` (Viz.js, WebAssembly inlined), read once and checked.

    Its SHA-256 must be :data:`LIBRARY_SHA256`, and it must not contain ``</script``
    (it goes inline into ``<script>`` elements).

    >>> library().startswith("/*!\\nViz.js " + VIZ_JS_VERSION)
    True
    """
    data = (importlib.resources.files("viz") / "_vendor" / _FILE).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != LIBRARY_SHA256:
        raise RuntimeError(
            f"viz/_vendor/{_FILE} has SHA-256 {digest}, not the {LIBRARY_SHA256} of "
            f"Viz.js {VIZ_JS_VERSION}: the package's files are damaged; reinstall chainrule"
        )
    text = data.decode("utf-8")
    if "</script" in text.lower():
        raise RuntimeError(f"viz/_vendor/{_FILE} contains </script and cannot go inline")
    return text


def _dot_literal(source: str) -> str:
    """DOT text as a JavaScript string literal that cannot end the ``<script>``."""
    if not isinstance(source, str):
        raise TypeError(f"the DOT source must be a str, got {type(source).__name__}")
    return json.dumps(source).replace("<", "\\u003c").replace(">", "\\u003e")


def _scripts(
    source: str, element: str, *, with_library: bool, fit: bool, after: str = "", late: str = ""
) -> str:
    """The ``<script>`` elements that draw ``source`` into the element of id ``element``,
    then run the JavaScript ``after``; ``late``, when given, replaces the element's text
    if nothing is drawn within 10 seconds."""
    parts = []
    if with_library:
        announce = 'window.dispatchEvent(new Event("chainrule:viz"));'
        parts.append(f"<script>{library()}\n{announce}</script>")
    lines = [
        "(function () {",
        f"  const element = document.getElementById({json.dumps(element)});",
        f"  window.chainruleGraph.draw(element, {_dot_literal(source)}, {json.dumps(fit)})",
        f"    .then(function () {{ {after} }})",
        "    .catch(function (error) {",
        '      console.error("chainrule: " + error);',
        '      element.textContent = "Graphviz (WebAssembly) could not draw this graph: " + error;',
        "    });",
    ]
    if late:
        lines += [
            "  setTimeout(function () {",
            f'    if (!element.querySelector("svg")) element.textContent = {json.dumps(late)};',
            "  }, 10000);",
        ]
    lines.append("})();")
    parts.append(f"<script>{RENDER_JS}\n" + "\n".join(lines) + "</script>")
    return "".join(parts)


def html(source: str, *, with_library: bool = True) -> str:
    """HTML that draws the DOT text ``source`` in the browser: a ``<div>`` and its scripts.

    With ``with_library`` (the default) the snippet carries Graphviz itself
    (:func:`library`, 1.3 MB) and works on any page; without it, it waits until a
    script elsewhere on the page has defined ``window.Viz`` (a snippet that
    carries it announces it with the event ``chainrule:viz``). Until the graph
    is drawn the ``<div>`` holds a sentence saying what it is waiting for. The
    page must be read as UTF-8 (the library holds non-ASCII characters), as
    Jupyter's pages and the step-through page are. ``<`` and ``>`` in the DOT text
    go in escaped, so a label cannot end the script (below: only its own end tag).

    >>> snippet = html("digraph { a -> b }", with_library=False)
    >>> snippet.startswith('<div class="chainrule-graph" id="chainrule-graph-'), "Viz.js" in snippet
    (True, False)
    >>> html("digraph { a [label=<</script>>] }", with_library=False).count("</script>")
    1
    """
    return _div(source, with_library=with_library, late="")


def _div(source: str, *, with_library: bool, late: str) -> str:
    element = f"chainrule-graph-{uuid.uuid4().hex}"
    return (
        f'<div class="chainrule-graph" id="{element}" style="overflow-x: auto">'
        f"<p><em>{_WAITING}</em></p></div>"
        + _scripts(source, element, with_library=with_library, fit=True, late=late)
    )


def page_graph(source: str) -> str:
    """The scripts that draw ``source`` into the page's ``<div id="graph">``, then say so.

    For the step-through page without ``dot``: Graphviz goes inline, the graph is
    laid out into ``#graph`` (its ids, ``n3``, ``n3op``, ``e0-3op``, are the DOT's
    ``id`` attributes, as in ``dot``'s SVG), and the event ``chainrule:graph`` is
    dispatched on ``document``, which the page's own script waits for.

    >>> scripts = page_graph("digraph { a -> b }")
    >>> scripts.count("<script>"), 'new Event("chainrule:graph")' in scripts
    (2, True)
    """
    return _scripts(
        source,
        "graph",
        with_library=True,
        fit=False,
        after='document.dispatchEvent(new Event("chainrule:graph"));',
    )


# --- the policy: when to lay out in the browser, and which notebook output carries the library


class _Settings:
    """What :func:`configure` sets, and which cell's output carries the library now."""

    layout = "auto"
    library = "once"
    carrier: str | None = None  # the Jupyter cell id whose output holds the library
    hooked = False


_settings = _Settings()


def configure(*, layout: str = "auto", library: str = "once") -> None:
    """Choose when drawings are laid out in the browser, and how a notebook carries Graphviz.

    ``layout``: ``"auto"`` (the default) uses ``dot`` when it is on the PATH and
    the browser when it is not; ``"browser"`` always uses the browser (the
    step-through page and Jupyter's display; files still need ``dot``).

    ``library``: ``"once"`` (the default) sends the 1.3 MB library with the
    first drawing of a kernel session only (see :func:`notebook_html`);
    ``"every"`` puts it into every drawing's output, so any one output works
    alone (a bigger notebook). Calling ``configure`` also sends the library
    again with the next drawing.

    >>> configure(layout="browser"); use_dot()
    False
    >>> configure(); use_dot() == (shutil.which("dot") is not None)
    True
    >>> configure(layout="svg")
    Traceback (most recent call last):
    ...
    ValueError: configure: layout must be 'auto' or 'browser', got 'svg'
    """
    if layout not in ("auto", "browser"):
        raise ValueError(f"configure: layout must be 'auto' or 'browser', got {layout!r:.60}")
    if library not in ("once", "every"):
        raise ValueError(f"configure: library must be 'once' or 'every', got {library!r:.60}")
    _settings.layout = layout
    _settings.library = library
    _settings.carrier = None


def use_dot() -> bool:
    """Whether drawings are shown with ``dot``'s SVG: it is on the PATH and the layout is
    ``"auto"`` (:func:`configure`).

    >>> use_dot() == (shutil.which("dot") is not None)
    True
    """
    return _settings.layout == "auto" and shutil.which("dot") is not None


def notebook_html(source: str) -> str:
    """The ``text/html`` of a drawing in Jupyter, laid out in the browser.

    Which output carries the 1.3 MB library (``library="once"``, the default):

    - the first drawing of the kernel session, and again the first drawing after
      the cell that carried it runs again (its old output, and the library in
      it, is replaced then): every output on the page, live or in the saved
      notebook reopened, finds ``window.Viz`` there, in whatever order the
      outputs are drawn;
    - every drawing, when the kernel cannot tell which cell runs (outside
      IPython, or a front end that does not send the cell's id), and in Google
      Colab, where each output is a page of its own.

    An output that waits more than 10 seconds says why in its place (the
    carrier's output was cleared or its cell deleted) and what to do.
    With ``configure(library="every")`` every output carries the library.

    >>> "Viz.js" in notebook_html("digraph { a -> b }")  # outside IPython: always carried
    True
    """
    cell = _current_cell()
    carry = (
        _settings.library == "every"
        or cell is None
        or "google.colab" in sys.modules
        or _settings.carrier is None
    )
    if carry and cell is not None:
        _settings.carrier = cell
        _watch_reruns()
    return _div(source, with_library=carry, late="" if carry else _LOST)


def _shell() -> Any:
    """The running IPython shell, or None."""
    module = sys.modules.get("IPython")
    get = getattr(module, "get_ipython", None)
    return None if get is None else get()


def _current_cell() -> str | None:
    """The id of the Jupyter cell running now, when the front end sends it (JupyterLab,
    Notebook 7 and VS Code do), else None."""
    shell = _shell()
    get_parent = getattr(shell, "get_parent", None)
    if get_parent is None:
        return None
    try:
        parent = get_parent()
    except Exception:  # an older or different kernel: cannot tell
        return None
    metadata = parent.get("metadata") if isinstance(parent, dict) else None
    cell = metadata.get("cellId") if isinstance(metadata, dict) else None
    return cell if isinstance(cell, str) and cell else None


def _watch_reruns() -> None:
    """Forget the carrier when its cell runs again (IPython's ``pre_run_cell`` event)."""
    shell = _shell()
    if _settings.hooked or shell is None:
        return

    def forget_rerun(info: Any) -> None:
        if getattr(info, "cell_id", None) == _settings.carrier:
            _settings.carrier = None

    shell.events.register("pre_run_cell", forget_rerun)
    _settings.hooked = True
