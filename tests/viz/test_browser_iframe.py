"""The step-through page inside an iframe, as Jupyter and the documentation site show it.

Jupyter shows the page through ``_repr_html_``: an iframe with the page in ``srcdoc``,
sandboxed to scripts only; the site's tutorial page embeds the same output. Such a
frame may run the page's script before it is laid out (a collapsed cell, a closed
tab, a frame not sized yet): every number must still sit in its box, and stay there
when the frame is shown and stepped through. Headless Chromium, driven by Playwright.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import ARGS, playwright_chromium

from autograd import Value
from chainrule.demo import notes_network_page
from viz import StepThrough, step_through, wasm

pytestmark = [pytest.mark.needs_browser]

OUT_OF_PLACE = """() => Array.from(document.querySelectorAll("#graph g.node")).flatMap((g) => {
  const shapes = Array.from(g.querySelectorAll("polygon"), (p) => p.getBoundingClientRect());
  const holds = (c, x, y) => c.left <= x && x <= c.right && c.top <= y && y <= c.bottom;
  const area = (c) => c.width * c.height;
  return Array.from(g.querySelectorAll("text"))
    .filter((t) => /^(data|grad) /.test(t.textContent))
    .flatMap((t) => {
      const r = t.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
      const cell = shapes.filter((c) => holds(c, x, y)).sort((a, b) => area(a) - area(b))[0];
      if (cell && holds(cell, r.left + 0.5, r.top + 0.5) && holds(cell, r.right - 0.5,
        r.bottom - 0.5)) return [];
      return [g.id + " " + t.textContent + ": x " + r.left.toFixed(1) + " to " +
        r.right.toFixed(1) + (cell ? ", its cell " + cell.left.toFixed(1) + " to " +
        cell.right.toFixed(1) : ", in no cell")];
    });
})"""
"""Every number (``data …``, ``grad …``) not inside its cell, as seen on the screen: the
smallest polygon of its node around the number's centre, the row of its node's table
that holds it. [] when all are in place."""

NUMBERS = """() => Array.from(document.querySelectorAll("#graph g.node text"))
  .filter((t) => /^(data|grad) /.test(t.textContent)).length"""

HIDDEN = {"shown": "", "display-none": "display: none", "visibility-hidden": "visibility: hidden"}
"""How the notebook's cell holds the output at first: shown, or hidden two ways."""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Headless Chromium, or a skip that says what is missing."""
    with playwright_chromium() as (kind, executable):
        browser = kind.launch(executable_path=executable, args=ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


class Notebook:
    """A page like a notebook's at 1366×768 whose one cell holds ``_repr_html_``'s iframe,
    styled ``hidden`` at first. It records errors and refuses every request but file:."""

    def __init__(self, chromium: Any, path: Path, step: StepThrough, hidden: str) -> None:
        self.context = chromium.new_context(viewport={"width": 1366, "height": 768})
        self.errors: list[str] = []
        self.context.route("**/*", self._route)
        path.write_text(
            '<!DOCTYPE html><html><head><meta charset="utf-8"><title>notebook</title></head>'
            f'<body><h1>A notebook</h1><div id="cell" style="{hidden}">{step._repr_html_()}'
            "</div></body></html>",
            encoding="utf-8",
        )
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console",
            lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None,
        )
        self.page.goto(path.as_uri())
        (self.frame,) = [f for f in self.page.frames if f != self.page.main_frame]
        self.frame.wait_for_function("window.stepThrough !== undefined")  # the script ran

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            self.errors.append("requested " + route.request.url)
            route.abort()

    def show(self) -> None:
        """Open the cell, and let the frame lay itself out and hear of its new size."""
        self.page.evaluate("document.getElementById('cell').style.cssText = ''")
        self.frame.evaluate(
            "new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )

    def out_of_place(self) -> list[str]:
        found: list[str] = self.frame.evaluate(OUT_OF_PLACE)
        return found

    def close(self) -> None:
        self.context.close()


def _check_every_frame(notebook: Notebook, step: StepThrough, numbers: int) -> None:
    """Every number in its box at the first frame, then at every frame stepping forward."""
    assert notebook.frame.evaluate(NUMBERS) == numbers
    assert notebook.out_of_place() == []
    for k in range(len(step.frames)):
        notebook.frame.evaluate(f"window.stepThrough.show({k})")
        assert notebook.out_of_place() == [], f"frame {k + 1} of {len(step.frames)}"


@pytest.mark.needs_dot
@pytest.mark.parametrize("hidden", HIDDEN.values(), ids=list(HIDDEN))
def test_in_jupyters_frame_every_number_sits_in_its_box(
    chromium: Any, tmp_path: Path, hidden: str
) -> None:
    step = notes_network_page()
    assert 'sandbox="allow-scripts"' in step._repr_html_()  # Jupyter's frame, as tested here
    notebook = Notebook(chromium, tmp_path / "notebook.html", step, hidden)
    try:
        notebook.show()
        _check_every_frame(notebook, step, 2 * 20)  # 20 boxes, each a data and a grad
        assert notebook.errors == []
    finally:
        notebook.close()


def _descent() -> StepThrough:
    """Three steps of gradient descent on (x − 0.3)²: later numbers are longer than the
    first ones, which the boxes were drawn for (``data 0.658`` in a box for ``grad 1.4``)."""
    x = Value(1.0, "x")
    f = (x - 0.3) ** 2
    f.label = "f"
    return step_through(f, lr=0.1, iterations=3)


@pytest.mark.needs_dot
def test_numbers_that_grew_while_the_frame_was_hidden_fit_their_boxes_once_shown(
    chromium: Any, tmp_path: Path
) -> None:
    step = _descent()
    notebook = Notebook(chromium, tmp_path / "notebook.html", step, HIDDEN["display-none"])
    try:
        last = len(step.frames) - 1
        notebook.frame.evaluate(f"window.stepThrough.show({last})")  # stepped while hidden
        notebook.show()
        texts = notebook.frame.evaluate(
            "Array.from(document.querySelectorAll('#graph text'), (t) => t.textContent)"
        )
        assert "data 0.658" in texts  # x after three steps: 1 − 0.1·(1.4 + 1.12 + 0.896)
        assert notebook.out_of_place() == []
        assert notebook.errors == []
    finally:
        notebook.close()


@pytest.fixture
def laid_out_in_the_browser() -> Iterator[None]:
    """Pages made meanwhile carry Graphviz compiled to WebAssembly, not dot's SVG."""
    wasm.configure(layout="browser")
    try:
        yield
    finally:
        wasm.configure()


@pytest.mark.usefixtures("laid_out_in_the_browser")
def test_a_page_laid_out_in_its_hidden_frame_puts_every_number_in_its_box(
    chromium: Any, tmp_path: Path
) -> None:
    step = notes_network_page()
    assert "chainrule:graph" in step.svg  # the scripts that lay it out, in the frame
    notebook = Notebook(chromium, tmp_path / "notebook.html", step, HIDDEN["display-none"])
    try:
        notebook.show()
        _check_every_frame(notebook, step, 2 * 20)
        assert notebook.errors == []
    finally:
        notebook.close()


SCREENS = [(1366, 768), (1920, 1080), (800, 600), (570, 800)]
"""The standalone page's screens (tests/viz/test_browser.py), and a phone-sized window."""


@pytest.mark.needs_dot
@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_on_its_own_every_number_sits_in_its_box(
    chromium: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    step = notes_network_page()
    path = step.write(tmp_path / "backprop.html")
    page = chromium.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(path.as_uri())
        assert page.evaluate(NUMBERS) == 2 * 20
        for k in range(len(step.frames)):
            page.evaluate(f"window.stepThrough.show({k})")
            assert page.evaluate(OUT_OF_PLACE) == [], f"frame {k + 1}"
        assert errors == []
    finally:
        page.close()
