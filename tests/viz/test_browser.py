"""The step-through page in a real browser: headless Chromium, driven by Playwright.

Debian's ``chromium`` package (``make test`` installs it when run as root) and
Playwright's Python package (the dev extra) drive it; Playwright's own browser
download (``playwright install``) is never used. Where either is missing the
tests are skipped, saying which.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import ARGS, pixels_of, playwright_chromium

from chainrule.demo import notes_network_page
from viz import step_through
from viz.stepthrough import HIGHLIGHT

pytestmark = [pytest.mark.needs_browser, pytest.mark.needs_dot]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium context with a fresh profile, or a skip that says what is missing."""
    with playwright_chromium() as (kind, executable):
        context = kind.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            args=ARGS,
            headless=True,
            viewport={"width": 1200, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def _open(context: Any, path: Path) -> tuple[Any, list[str]]:
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request", lambda r: None if r.url.startswith(("file:", "data:")) else errors.append(r.url)
    )
    page.goto(path.as_uri())
    return page, errors


def _orange(png: bytes) -> int:
    """How many pixels of the highlight colour a PNG holds."""
    return pixels_of(png, HIGHLIGHT)


def _node_shot(page: Any, target: str) -> bytes:
    """A screenshot of one node of the graph (its SVG id), with a small margin."""
    box = page.locator(f"[id='{target}']").bounding_box()
    assert box is not None
    clip = {"x": box["x"] - 4, "y": box["y"] - 4, "width": box["width"] + 8}
    clip["height"] = box["height"] + 8
    shot: bytes = page.screenshot(clip=clip)
    return shot


def test_every_frame_of_the_notes_network_steps_without_a_console_error(
    browser: Any, tmp_path: Path
) -> None:
    step = notes_network_page()
    path = step.write(tmp_path / "backprop.html")
    page, errors = _open(browser, path)
    count = page.evaluate("window.stepThrough.count")
    assert count == len(step.frames) > 30
    seen = []
    for k in range(count):
        assert page.evaluate("document.body.dataset.frame") == str(k)
        equation = page.inner_text("#equation")
        assert equation.strip(), f"frame {k} has no equation"
        assert not re.search(r"\bv\d+\b", equation)  # names, never internal ids
        seen.append(page.inner_text("#counter"))
        page.keyboard.press("ArrowRight")
    assert page.evaluate("document.body.dataset.frame") == str(count - 1)  # stops at the end
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("document.body.dataset.frame") == str(count - 2)
    page.click("button[data-phase=backward]")
    first_backward = next(i for i, f in enumerate(step.frames) if f.phase == "backward")
    assert page.evaluate("document.body.dataset.frame") == str(first_backward)
    assert "∂L/∂L = 1" in page.inner_text("#equation")
    page.click("button[data-phase=update]")
    assert "←" in page.inner_text("#equation")
    assert errors == []
    assert len(set(seen)) == count


def test_the_highlight_moves_between_the_first_and_the_last_step(
    browser: Any, tmp_path: Path
) -> None:
    step = notes_network_page()
    path = step.write(tmp_path / "backprop.html")
    page, errors = _open(browser, path)
    last = len(step.frames) - 1
    target = step.frames[last].node  # the last update's parameter
    page.evaluate("window.stepThrough.show(0)")
    before = _node_shot(page, target)
    page.keyboard.press("End")
    page.evaluate(f"document.getElementById('{target}').scrollIntoView({{block: 'center'}})")
    after = _node_shot(page, target)
    assert before != after
    assert _orange(before) == 0 < _orange(after)  # the node of the last step is outlined
    page.evaluate("window.scrollTo(0, 0)")
    page.evaluate("window.stepThrough.show(0)")
    first_full = page.screenshot(full_page=True)
    page.evaluate(f"window.stepThrough.show({last})")
    assert page.screenshot(full_page=True) != first_full
    assert errors == []


def test_an_expression_page_works_offline_too(browser: Any, tmp_path: Path) -> None:
    from autograd import Value

    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
    f = (w * x - b).sigmoid()
    f.label = "f"
    path = step_through(f, lr=0.1).write(tmp_path / "page.html")
    text = path.read_text(encoding="utf-8")
    assert "<script src" not in text  # one file, nothing fetched
    assert "<link" not in text
    page, errors = _open(browser, path)
    page.keyboard.press("End")
    assert "b ← b − η ∂f/∂b" in page.inner_text("#equation")
    assert errors == []


# --- real screens: a laptop, a desktop, a small window ----------------------------------

SCREENS = [(1366, 768), (1920, 1080), (800, 600)]

WHERE = """() => {
  const box = (e) => { const r = e.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
  const current = Array.from(document.querySelectorAll("#graph .current"));
  return {
    frame: Number(document.body.dataset.frame),
    current: current.map((e) => e.id),
    node: current.length ? box(current[0]) : null,
    header: box(document.querySelector("header")),
    aside: box(document.querySelector("aside")),
    width: document.documentElement.clientWidth,
    height: document.documentElement.clientHeight,
  };
}"""


NUMBER_SIZES = """() => Array.from(document.querySelectorAll("#graph g.node text"))
  .filter((t) => /^(data|grad) /.test(t.textContent))
  .map((t) => parseFloat(t.getAttribute("font-size")) * t.getScreenCTM().a)"""
"""The font size of every number of the drawing in CSS pixels: its SVG size times the scale."""


def _open_at(
    context: Any, path: Path, size: tuple[int, int], hash: str = ""
) -> tuple[Any, list[str]]:
    page = context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri() + hash)
    return page, errors


def _seen(where: dict[str, Any], expected: str) -> None:
    """The frame's node is the one marked current and lies whole in the window, below the
    toolbar and clear of the equation panel."""
    assert where["current"] == [expected], where
    node, header, aside = where["node"], where["header"], where["aside"]
    assert node["top"] >= header["bottom"], f"frame {where['frame']}: under the toolbar {where}"
    assert node["bottom"] <= where["height"], f"frame {where['frame']}: below the window {where}"
    assert node["left"] >= 0, where
    assert node["right"] <= where["width"], where
    overlaps = not (
        node["bottom"] <= aside["top"]
        or node["top"] >= aside["bottom"]
        or node["right"] <= aside["left"]
        or node["left"] >= aside["right"]
    )
    assert not overlaps, f"frame {where['frame']}: under the equation panel {where}"


@pytest.mark.parametrize("size", SCREENS, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_current_node_is_always_in_view_below_the_toolbar(
    browser: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    step = notes_network_page()
    path = step.write(tmp_path / "backprop.html")
    page, errors = _open_at(browser, path, size)
    frames = range(len(step.frames))
    checked = 0
    for k in [*frames, *reversed(frames), 40, 9, 31, 0, 27, 12]:  # stepping both ways, jumping
        if k != int(page.evaluate("document.body.dataset.frame")):
            page.evaluate(f"window.stepThrough.show({k})")
        where = page.evaluate(WHERE)
        assert where["frame"] == k
        if step.frames[k].node:
            _seen(where, step.frames[k].node)
            checked += 1
    assert checked >= 2 * (len(step.frames) - 1)
    page.keyboard.press("Home")
    for k in range(1, 16):  # the keyboard, as a student steps
        page.keyboard.press("ArrowRight")
        _seen(page.evaluate(WHERE), step.frames[k].node)
    assert errors == []


def test_a_small_window_keeps_the_graph_legible_and_the_panel_below(
    browser: Any, tmp_path: Path
) -> None:
    path = notes_network_page().write(tmp_path / "backprop.html")
    page, errors = _open_at(browser, path, (800, 600))
    page.evaluate("window.stepThrough.show(26)")
    sizes = page.evaluate(NUMBER_SIZES)
    assert len(sizes) > 30
    assert min(sizes) >= 10  # the numbers' font, in CSS pixels, as drawn
    layout = page.evaluate(
        """() => { const g = document.getElementById("graph").getBoundingClientRect();
                   const a = document.querySelector("aside").getBoundingClientRect();
                   return {graph: [g.left, g.right], aside: [a.left, a.right, a.bottom]}; }"""
    )
    assert layout["aside"][2] == pytest.approx(600, abs=1)  # the panel sits at the bottom
    assert layout["aside"][1] - layout["aside"][0] > 700  # the whole width, not a column
    assert errors == []


def test_a_wide_network_scrolls_sideways_rather_than_shrinking_its_text(
    browser: Any, tmp_path: Path
) -> None:
    from nn import MLP, squared_error

    model = MLP(3, [4, 4, 1], seed=1)
    loss = squared_error(model([2.0, 3.0, -1.0]), [1.0])
    step = step_through(loss, lr=0.05)
    path = step.write(tmp_path / "mlp.html")
    for size in [(800, 600), (1366, 768)]:
        page, errors = _open_at(browser, path, size)
        sizes = page.evaluate(NUMBER_SIZES)
        assert min(sizes) >= 10
        graph = "document.getElementById('graph')"
        assert page.evaluate(f"{graph}.scrollWidth > {graph}.clientWidth + 100")  # sideways
        for k, frame in enumerate(step.frames):
            if frame.node and k % 3 == 0:
                page.evaluate(f"window.stepThrough.show({k})")
                _seen(page.evaluate(WHERE), frame.node)
        assert errors == []
        page.close()


def test_an_update_frame_shows_the_new_data_in_the_drawing(browser: Any, tmp_path: Path) -> None:
    from autograd import topological_order
    from nn import MLP, squared_error
    from nn.data import xor
    from viz.notation import number

    step = notes_network_page()
    path = step.write(tmp_path / "backprop.html")
    page, errors = _open_at(browser, path, (1366, 768))
    model = MLP(2, [2, 1], seed=0)  # the same network: its gradients by backward()
    x, t = xor()[2]
    loss = squared_error(model(x), t)
    loss.backward()
    order = topological_order(loss)  # the SVG id n<i> is the position in this order
    data = "(id) => Array.from(document.querySelectorAll('#' + id + ' text'))" + (
        ".filter((t) => t.textContent.startsWith('data '))[0].textContent"
    )
    updates = [k for k, f in enumerate(step.frames) if f.phase == "update"]
    assert len(updates) == len(model.parameters()) == 9
    changed = 0
    for k in updates:
        node = step.frames[k].node
        p = order[int(node[1:])]
        page.evaluate(f"window.stepThrough.show({k - 1})")
        assert page.evaluate(data, node) == f"data {number(p.data, 3)}"
        page.evaluate(f"window.stepThrough.show({k})")
        new = number(p.data - 2.0 * p.grad, 3)
        assert page.evaluate(data, node) == f"data {new}"
        assert f"new data, {new}" in page.inner_text("#note")
        changed += new != number(p.data, 3)
    assert changed >= 5  # most of the nine move by more than the third digit
    assert errors == []


def test_the_address_names_the_frame(browser: Any, tmp_path: Path) -> None:
    step = notes_network_page()
    path = step.write(tmp_path / "backprop.html")
    page, errors = _open_at(browser, path, (1366, 768), "#frame-27")
    assert page.evaluate("document.body.dataset.frame") == "26"  # 1-based, as the counter
    assert page.inner_text("#counter").startswith("frame 27 of 41")
    _seen(page.evaluate(WHERE), step.frames[26].node)
    length = page.evaluate("history.length")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("location.hash") == "#frame-29"
    assert page.evaluate("history.length") == length  # replaced, not pushed
    page.evaluate("location.hash = '#frame-12'")
    page.wait_for_function("document.body.dataset.frame === '11'")
    _seen(page.evaluate(WHERE), step.frames[11].node)
    page.evaluate("location.hash = '#frame-999'")  # beyond the end: the last frame
    page.wait_for_function(f"document.body.dataset.frame === '{len(step.frames) - 1}'")
    assert page.evaluate("location.hash") == f"#frame-{len(step.frames)}"
    assert errors == []


def test_several_iterations_show_the_loss_falling(browser: Any, tmp_path: Path) -> None:
    from nn import MLP, squared_error
    from nn.data import xor
    from viz.notation import number

    step = notes_network_page(iterations=3)
    path = step.write(tmp_path / "backprop.html")
    page, errors = _open_at(browser, path, (1366, 768))
    model, (x, t) = MLP(2, [2, 1], seed=0), xor()[2]
    by_hand = []
    for _ in range(3):  # gradient descent, by hand with the engine
        loss = squared_error(model(x), t)
        by_hand.append(loss.data)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 2.0 * p.grad
    by_hand.append(squared_error(model(x), t).data)
    shown = [number(v, 3) for v in by_hand]
    loss_frames = [k for k, f in enumerate(step.frames) if f.phase == "loss"]
    assert len(loss_frames) == 3
    for i, k in enumerate(loss_frames):
        page.evaluate(f"window.stepThrough.show({k})")
        assert page.inner_text("#losses") == "L: " + " → ".join(shown[: i + 1])
        assert f"iteration {i + 1} of 3" in page.inner_text("#counter")
        root = step.frames[k].node
        box = page.evaluate(
            f"Array.from(document.querySelectorAll('#{root} text')).map((t) => t.textContent)"
        )
        assert f"data {shown[i]}" in box  # the drawing's numbers are this iteration's
    page.keyboard.press("End")
    assert page.inner_text("#losses") == "L: " + " → ".join(shown) + " after the last update"
    assert by_hand[0] > by_hand[1] > by_hand[2] > by_hand[3]
    assert errors == []


def test_the_page_starts_when_its_graph_arrives_later(browser: Any, tmp_path: Path) -> None:
    # a page whose graph is laid out in the browser gets its SVG after the script has run,
    # then the event "chainrule:graph"; until then nothing is set up, and nothing fails
    step = notes_network_page()
    text = re.sub(
        r'<div id="graph">.*?</svg>\s*</div>', '<div id="graph"></div>', step.html, flags=re.S
    )
    assert "<svg" not in text
    path = tmp_path / "later.html"
    path.write_text(text, encoding="utf-8")
    page, errors = _open_at(browser, path, (1366, 768), "#frame-27")
    assert page.evaluate("window.stepThrough === undefined")
    page.evaluate(
        """(svg) => { document.getElementById("graph").innerHTML = svg;
                      document.dispatchEvent(new Event("chainrule:graph")); }""",
        step.svg,
    )
    assert page.evaluate("window.stepThrough.count") == len(step.frames)
    assert page.evaluate("document.body.dataset.frame") == "26"
    _seen(page.evaluate(WHERE), step.frames[26].node)
    page.keyboard.press("End")
    _seen(page.evaluate(WHERE), step.frames[-1].node)
    assert errors == []
