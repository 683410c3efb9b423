"""Drawings without dot: Graphviz compiled to WebAssembly (viz.wasm), in Chromium, offline.

Every test here runs with Graphviz's ``dot`` off the PATH (a temporary folder
without it). The browser tests (Debian's chromium driven by Playwright, as in
tests/viz/test_browser.py; skipped, saying which is missing, without them) block
every request that is not ``file:`` or ``data:`` and assert that none was tried.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from chromium import ARGS, pixels_of, playwright_chromium

from autograd import Value
from nn import MLP, squared_error
from viz import DotNotFoundError, chain_rule, draw, step_through, wasm, write
from viz.notation import notation_parts, number, svg_scripts
from viz.stepthrough import HIGHLIGHT

VENDOR = Path(wasm.__file__).parent / "_vendor"
# The only URLs the HTML may hold: XML and SVG namespaces and the SVG DTD's name,
# which are identifiers, never fetched.
NAMESPACES = {
    "http://www.w3.org/2000/svg",
    "http://www.w3.org/1999/xlink",
    "http://www.w3.org/XML/1998/namespace",
    "http://www.w3.org/2000/xmlns/",
    "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd",
}


@pytest.fixture
def no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """PATH is a folder without dot, and the layout setting is the default."""
    folder = tmp_path / "bin-without-dot"
    folder.mkdir()
    monkeypatch.setenv("PATH", str(folder))
    assert shutil.which("dot") is None
    wasm.configure()
    yield
    wasm.configure()


def notes_network() -> tuple[MLP, Value]:
    model = MLP(2, [2, 1], seed=0)
    loss = squared_error(model([1.0, 0.0]), [1.0])
    loss.backward()
    return model, loss


def expression() -> tuple[Value, Value]:
    x = Value(3.0, "x")
    y = (x * x + 2 * x - 1).tanh()
    y.backward()
    return x, y


def script(label: str) -> str:
    """A label in the notes' notation as the text a viewer reads: ``w_11^(2)`` is w11(2)."""
    parts = notation_parts(label)
    assert parts is not None, label
    return "".join(p for p in parts if p is not None)


def urls(text: str) -> set[str]:
    return set(re.findall(r"https?://[^\s\"'<>)\\]+", text))


# --- without a browser -------------------------------------------------------------------


def test_the_vendored_file_is_the_one_its_readme_names_with_its_licences() -> None:
    data = (VENDOR / "viz-global.js").read_bytes()
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256(data).hexdigest()
    assert re.search(r"\| sha256 \| `([0-9a-f]{64})` \|", readme)[1] == digest  # type: ignore[index]
    assert digest == wasm.LIBRARY_SHA256
    assert f"version {wasm.VIZ_JS_VERSION}" in readme
    assert f"Graphviz {wasm.GRAPHVIZ_VERSION}" in readme
    assert f"{len(data):,} bytes" in readme
    assert data.startswith(
        f"/*!\nViz.js {wasm.VIZ_JS_VERSION}\nCopyright (c) Michael Daines".encode()
    )
    licences = {p.name: p.read_text(encoding="utf-8") for p in VENDOR.glob("LICENSE-*")}
    assert set(licences) == {"LICENSE-viz-js", "LICENSE-graphviz", "LICENSE-expat"}
    assert "Copyright (c) Michael Daines" in licences["LICENSE-viz-js"]
    assert "Eclipse Public License - v 1.0" in licences["LICENSE-graphviz"]
    assert "Thai Open Source Software Center Ltd and Clark Cooper" in licences["LICENSE-expat"]
    for text in (licences["LICENSE-viz-js"], licences["LICENSE-expat"]):
        assert "Permission is hereby granted, free of charge" in text
    assert wasm.library() == data.decode("utf-8")


def test_a_damaged_library_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.resources

    fake = tmp_path / "viz"
    (fake / "_vendor").mkdir(parents=True)
    (fake / "_vendor" / "viz-global.js").write_text("window.Viz = {};")
    monkeypatch.setattr(importlib.resources, "files", lambda package: fake)
    wasm.library.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=r"has SHA-256 [0-9a-f]{64}, not the .*reinstall"):
            wasm.library()
    finally:
        monkeypatch.undo()
        wasm.library.cache_clear()
    assert wasm.library().startswith("/*!\nViz.js")


@pytest.mark.usefixtures("no_dot")
def test_without_dot_jupyter_gets_html_that_fetches_nothing() -> None:
    _, loss = notes_network()
    for drawing in (draw(loss), chain_rule(loss, keep="S")):
        bundle = drawing._repr_mimebundle_()
        assert list(bundle) == ["text/html"]
        html = bundle["text/html"]
        assert "Viz.js " + wasm.VIZ_JS_VERSION in html  # outside IPython: carried each time
        assert "<script src" not in html
        assert "<link" not in html
        assert "import(" not in html
        # the library's licence header names its projects' sites; nothing else is a URL
        start = html.index("/*!")
        header = html[start : html.index("*/", start) + 2]
        assert (
            urls(html) - NAMESPACES
            == urls(header)
            == {
                "https://www.graphviz.org",
                "https://libexpat.github.io",
            }
        )
    assert drawing._repr_mimebundle_(include=["image/svg+xml"]) == {}


@pytest.mark.usefixtures("no_dot")
def test_files_still_need_dot_and_the_message_says_what_does_not(tmp_path: Path) -> None:
    _, loss = notes_network()
    for suffix in (".svg", ".png", ".pdf"):
        with pytest.raises(DotNotFoundError) as caught:
            write(draw(loss), tmp_path / f"x{suffix}")
        assert not (tmp_path / f"x{suffix}").exists()
    message = str(caught.value)
    assert ".svg, .png, .pdf need dot" in message
    assert "Jupyter's display of a drawing and the step-through page do not" in message
    assert "sudo apt-get install graphviz" in message
    assert write(draw(loss), tmp_path / "x.dot").read_text() == draw(loss).source


@pytest.mark.usefixtures("no_dot")
def test_without_dot_the_page_carries_the_dot_text_and_fetches_nothing() -> None:
    _, loss = notes_network()
    page = step_through(loss, lr=0.5).html
    source = draw(loss, digits=3).source
    graph = page[page.index('<div id="graph">') :]
    assert graph.startswith('<div id="graph"><script>')  # no SVG yet: the browser lays it out
    assert 'new Event("chainrule:graph")' in page
    assert page.count("Viz.js " + wasm.VIZ_JS_VERSION) == 1
    # the same DOT text as dot would get, with the ids the frames name
    literal = re.search(r'chainruleGraph\.draw\(element, ("digraph.*?"), false\)', page)
    assert literal is not None
    dot_text = json.loads(literal[1])
    assert 'id="n0"' in dot_text
    assert 'id="e0-' in dot_text
    assert dot_text.count(" -> ") == source.count(" -> ")
    start = page.index("/*!")  # the library's licence comment
    header = page[start : page.index("*/", start) + 2]
    assert urls(page) - NAMESPACES == urls(header)


def test_svg_scripts_writes_xml_space_once_for_a_newer_graphviz() -> None:
    """Graphviz 16 (the browser's, and a student's current dot) marks every <text>
    xml:space="preserve"; the merged line keeps one, so the SVG stays well-formed."""
    g16 = "\n".join(
        f'<text xml:space="preserve" text-anchor="start" x="{x}" y="-15"{shift} '
        f'font-size="{size}">{body}</text>'
        for x, shift, size, body in [
            (8, "", "14.00", "w"),
            (20, ' baseline-shift="sub"', "9.80", "11"),
            (31, ' baseline-shift="super"', "9.80", "(2)"),
        ]
    )
    merged = svg_scripts(f'<svg xmlns="http://www.w3.org/2000/svg">\n{g16}\n</svg>')
    (text,) = ET.fromstring(merged).iter("{http://www.w3.org/2000/svg}text")
    assert "".join(text.itertext()) == "w11(2)"
    assert merged.count("xml:space") == 1


def test_a_label_cannot_end_the_script() -> None:
    x = Value(1.0, "</script><script>alert(1)</script><!--")
    snippet = wasm.html(draw(x * 2).source, with_library=False)
    assert "</script><script>alert" not in snippet
    assert "<!--" not in snippet
    assert snippet.count("</script>") == 1  # the render script's own end


class _Shell:
    """The parts of IPython's kernel shell that viz.wasm reads: the running request's
    cell id, and the ``pre_run_cell`` event, with IPython's own EventManager."""

    def __init__(self) -> None:
        events = pytest.importorskip("IPython.core.events", reason="IPython (the dev extra)")
        self.events = events.EventManager(self, events.available_events)
        self.cell: str | None = None

    def get_parent(self) -> dict[str, Any]:
        return {"metadata": {"cellId": self.cell} if self.cell else {}}

    def run(self, cell: str) -> None:
        self.cell = cell
        self.events.trigger("pre_run_cell", SimpleNamespace(cell_id=cell))


def test_a_notebook_session_sends_the_library_once_and_again_after_its_cell_reruns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shell = _Shell()
    monkeypatch.setattr(wasm, "_shell", lambda: shell)
    monkeypatch.setattr(wasm._settings, "hooked", False)
    wasm.configure(layout="browser")
    source = draw(expression()[1]).source

    def carried() -> bool:
        return "Viz.js" in wasm.notebook_html(source)

    try:
        shell.run("cell-a")
        assert carried()  # the session's first drawing
        assert not carried()  # a second drawing in the same cell
        shell.run("cell-b")
        assert not carried()
        shell.run("cell-a")  # the carrier's output is replaced: carry it again
        shell.run("cell-c")
        assert carried()
        shell.run("cell-b")
        assert not carried()
        waiting = wasm.notebook_html(source)
        assert "Still waiting for Graphviz" in waiting
        assert "viz.wasm.configure()" in waiting
        shell.cell = None  # a front end that does not say which cell runs
        assert carried()
        assert carried()
        wasm.configure(library="every")
        shell.run("cell-d")
        assert carried()
        assert carried()
    finally:
        wasm.configure()


@pytest.mark.notebook
@pytest.mark.usefixtures("no_dot")
def test_a_real_kernel_sends_the_library_with_the_first_drawing_and_after_its_cell_reruns() -> None:
    """ipykernel and IPython as JupyterLab drives them: each request names its cell."""
    pytest.importorskip("ipykernel", reason="the dev extra's ipykernel is missing")
    manager = pytest.importorskip("jupyter_client.manager", reason="jupyter_client is missing")
    root = Path(__file__).resolve().parents[2]
    km, kc = manager.start_new_kernel(kernel_name="python3", cwd=str(root))

    def run(code: str, cell: str | None) -> list[bool]:
        """Run ``code`` as cell ``cell``: for each drawing shown, whether it carries Viz.js."""
        content = {"code": code, "silent": False, "store_history": True}
        content |= {"user_expressions": {}, "allow_stdin": False, "stop_on_error": True}
        metadata = {"cellId": cell} if cell else {}
        msg = kc.session.msg("execute_request", content, metadata=metadata)
        kc.shell_channel.send(msg)
        carried = []
        while True:
            reply = kc.get_iopub_msg(timeout=60)
            if reply["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                continue
            kind = reply["msg_type"]
            if kind in ("execute_result", "display_data"):
                carried.append("Viz.js" in reply["content"]["data"]["text/html"])
            assert kind != "error", reply["content"]["evalue"]
            if kind == "status" and reply["content"]["execution_state"] == "idle":
                return carried

    try:
        start = "import shutil, viz\nassert shutil.which('dot') is None, 'dot'\n"
        start += f"assert viz.__file__.startswith({str(root)!r})\n"
        start += "from autograd import Value\nx = Value(2.0, 'x')\nviz.draw(x * 3)"
        assert run(start, "A") == [True]  # the session's first drawing carries Graphviz
        assert run("viz.draw(x * 4)", "B") == [False]  # later ones wait for it
        assert run("display(viz.draw(x * 4)); display(viz.chain_rule(x * 5))", "C") == [
            False,
            False,
        ]
        assert run("viz.draw(x * 3)", "A") == [True]  # A's output is replaced: carried again
        assert run("viz.draw(x * 6)", "B") == [False]
        assert run("pass", "A") == []  # A runs again and draws nothing: the library is gone
        assert run("viz.draw(x * 6)", "B") == [True]
        assert run("viz.draw(x * 6)", None) == [True]  # a front end that names no cell
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# --- in Chromium, offline -----------------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium, or a skip that says what is missing."""
    with playwright_chromium() as (kind, executable):
        browser = kind.launch(executable_path=executable, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Offline:
    """A page in a browser context that aborts every request but file: and data:, and
    records console errors, page errors and every request it aborted."""

    def __init__(self, browser: Any, width: int = 1200, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file:", "data:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def offline(chromium: Any) -> Iterator[Offline]:
    browser = Offline(chromium)
    yield browser
    browser.close()


def notebook_page(path: Path, outputs: list[str]) -> Path:
    """A page like Jupyter's: each output's HTML in its own output area, in order."""
    areas = "".join(f'<div class="output_area">{html}</div>' for html in outputs)
    path.write_text(
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>notebook</title></head>'
        f"<body>{areas}</body></html>",
        encoding="utf-8",
    )
    return path


SVG_TEXTS = """(area) => Array.from(document.querySelectorAll(area + " svg text"),
  (t) => ({text: t.textContent, tspans: Array.from(t.querySelectorAll("tspan"),
    (s) => [s.textContent, s.getAttribute("dy"), s.getAttribute("font-size")])}))"""


FITS = """(area) => Array.from(document.querySelectorAll(area + " svg g.node")).flatMap((g) => {
  const shape = g.querySelector("polygon, ellipse");
  if (!shape) return [];
  const box = shape.getBBox();
  return Array.from(g.querySelectorAll("text"), (t) => [t.textContent, t.getBBox()])
    .filter(([, b]) => b.x < box.x - 0.5 || b.x + b.width > box.x + box.width + 0.5)
    .map(([text, b]) => text + ": " + b.width.toFixed(1) + " wide in " + box.width.toFixed(1));
})"""


@pytest.mark.needs_browser
@pytest.mark.usefixtures("no_dot")
def test_jupyter_html_draws_the_notes_network_and_an_expression_offline(
    offline: Offline, tmp_path: Path
) -> None:
    model, loss = notes_network()
    x, y = expression()
    outputs = [
        draw(loss)._repr_mimebundle_()["text/html"],
        draw(y)._repr_mimebundle_()["text/html"],
    ]
    page = offline.open(notebook_page(tmp_path / "notebook.html", outputs))
    page.wait_for_function("document.querySelectorAll('.chainrule-graph svg').length === 2")
    network = page.evaluate(SVG_TEXTS, ".output_area:nth-child(1)")
    texts = [t["text"] for t in network]
    for name, p in model.named_parameters():
        assert script(name) in texts, name  # w_11^(2) reads w11(2): one line, merged
        assert f"data {number(p.data)}" in texts
        assert f"grad {number(p.grad)}" in texts
    assert f"data {number(loss.data)}" in texts
    assert "grad 1" in texts
    (w11,) = [t for t in network if t["text"] == "w11(2)"]
    (w, dy_w, size_w), (sub, dy_sub, size_sub), (sup, dy_sup, _) = w11["tspans"]
    assert (w, sub, sup) == ("w", "11", "(2)")
    assert dy_w is None
    assert float(dy_sub) > 0 > float(dy_sup)
    assert float(size_sub) == pytest.approx(0.7 * float(size_w), abs=0.5)
    # Graphviz measured the text with the font the browser draws: every line fits its node
    overflow = page.evaluate(FITS, ".output_area:nth-child(1)")
    assert overflow == [], overflow
    plain = [t["text"] for t in page.evaluate(SVG_TEXTS, ".output_area:nth-child(2)")]
    assert {"x", "data 3", f"data {number(y.data)}", f"grad {number(x.grad)}"} <= set(plain)
    version = page.evaluate("window.Viz.instance().then((v) => v.graphvizVersion)")
    assert version == wasm.GRAPHVIZ_VERSION
    assert offline.errors == []
    assert offline.blocked == []


@pytest.mark.needs_browser
@pytest.mark.usefixtures("no_dot")
def test_a_waiting_output_draws_once_a_later_output_brings_the_library(
    offline: Offline, tmp_path: Path
) -> None:
    """A reopened notebook draws its outputs in page order; the carrier may come last."""
    _, loss = notes_network()
    waiting = [wasm.html(draw(loss).source, with_library=False) for _ in range(2)]
    carrier = wasm.html(chain_rule(loss, keep="S").source, with_library=True)
    page = offline.open(notebook_page(tmp_path / "reopened.html", [*waiting, carrier]))
    page.wait_for_function("document.querySelectorAll('.chainrule-graph svg').length === 3")
    assert page.evaluate("document.querySelectorAll('.chainrule-graph em').length") == 0
    assert offline.errors == []
    assert offline.blocked == []


@pytest.mark.needs_browser
def test_the_javascript_port_merges_scripts_as_svg_scripts_does(
    offline: Offline, tmp_path: Path
) -> None:
    _, loss = notes_network()
    page = offline.open(notebook_page(tmp_path / "port.html", [wasm.html("digraph { a }")]))
    page.wait_for_function("document.querySelector('.chainrule-graph svg') !== null")
    raw = page.evaluate(
        "(dot) => window.Viz.instance().then((v) => v.renderString(dot, {format: 'svg'}))",
        draw(loss).source,
    )
    assert raw.count('baseline-shift="sub"') >= 10
    ported = page.evaluate("(svg) => window.chainruleGraph.scripts(svg)", raw)
    assert ported == svg_scripts(raw)
    assert "baseline-shift" not in ported
    # Graphviz 16 marks each <text> xml:space="preserve" (dot 2.x did not): once per element
    ET.fromstring(ported.encode("utf-8"))  # well-formed: no attribute written twice
    assert offline.errors == []
    assert offline.blocked == []


def _orange(png: bytes) -> int:
    """How many pixels of the highlight colour a PNG holds."""
    return pixels_of(png, HIGHLIGHT)


@pytest.mark.needs_browser
@pytest.mark.usefixtures("no_dot")
def test_the_step_through_page_without_dot_draws_and_steps_offline(
    offline: Offline, tmp_path: Path
) -> None:
    model, loss = notes_network()
    step = step_through(loss, lr=0.5, parameters=model.parameters())
    page = offline.open(step.write(tmp_path / "backprop.html"))
    page.wait_for_function("window.stepThrough !== undefined")
    assert page.evaluate("document.querySelectorAll('#graph svg').length") == 1
    ids = page.evaluate("Array.from(document.querySelectorAll('#graph svg [id]'), (e) => e.id)")
    for frame in step.frames:  # every id a frame names is in the SVG laid out in the browser
        assert {frame.node, *frame.edges, *frame.data, *frame.grad} - {""} <= set(ids)
    count = page.evaluate("window.stepThrough.count")
    assert count == len(step.frames)
    for k in range(count):
        assert page.evaluate("document.body.dataset.frame") == str(k)
        node = step.frames[k].node
        if node:
            assert page.evaluate(f"document.getElementById('{node}').classList.contains('current')")
        page.keyboard.press("ArrowRight")
    last = step.frames[-1]
    assert last.phase == "update"
    page.evaluate(f"document.getElementById('{last.node}').scrollIntoView({{block: 'center'}})")
    box = page.locator(f"[id='{last.node}']").bounding_box()
    assert box is not None
    clip = {"x": box["x"] - 4, "y": box["y"] - 4, "width": box["width"] + 8}
    clip["height"] = box["height"] + 8
    after = page.screenshot(clip=clip)
    page.evaluate("window.stepThrough.show(0)")
    before = page.screenshot(clip=clip)
    assert _orange(before) == 0 < _orange(after)  # the current node is outlined in orange
    assert offline.errors == []
    assert offline.blocked == []


@pytest.mark.needs_browser
@pytest.mark.usefixtures("no_dot")
def test_the_page_inline_in_jupyter_draws_in_its_sandboxed_frame(
    offline: Offline, tmp_path: Path
) -> None:
    """Jupyter shows the page in an iframe (srcdoc, scripts only): Graphviz runs there too."""
    _, y = expression()
    step = step_through(y, lr=0.1)
    page = offline.open(notebook_page(tmp_path / "inline.html", [step._repr_html_()]))
    frame = page.frame_locator("iframe")
    frame.locator("#graph svg g.node").first.wait_for()
    texts = frame.locator("#graph svg text").all_text_contents()
    assert {"x", "data 3"} <= set(texts)
    (inner,) = [f for f in page.frames if f != page.main_frame]
    inner.wait_for_function("window.stepThrough !== undefined")  # the page's script started
    assert inner.evaluate("window.stepThrough.count") == len(step.frames)
    assert offline.errors == []
    assert offline.blocked == []


@pytest.mark.needs_browser
@pytest.mark.usefixtures("no_dot")
def test_an_output_whose_library_is_gone_says_so_after_ten_seconds(
    offline: Offline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shell = _Shell()
    monkeypatch.setattr(wasm, "_shell", lambda: shell)
    monkeypatch.setattr(wasm._settings, "hooked", False)
    source = draw(expression()[1]).source
    shell.run("cell-a")
    assert "Viz.js" in wasm.notebook_html(source)  # the carrier: its output then cleared
    shell.run("cell-b")
    orphan = wasm.notebook_html(source)
    offline.page.clock.install()
    page = offline.open(notebook_page(tmp_path / "orphan.html", [orphan]))
    assert "If this text stays" in page.inner_text(".chainrule-graph")
    page.clock.run_for(11_000)
    said = page.inner_text(".chainrule-graph")
    assert said.startswith("Still waiting for Graphviz (WebAssembly)")
    assert "Run viz.wasm.configure() and re-run this cell" in said
    assert page.evaluate("document.querySelectorAll('.chainrule-graph svg').length") == 0
    assert offline.errors == []
    assert offline.blocked == []
