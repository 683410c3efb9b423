"""The step-through page in a real browser: headless Chromium, driven by Playwright.

Debian's ``chromium`` package (``make test`` installs it when run as root) and
Playwright's Python package (the dev extra) drive it; Playwright's own browser
download (``playwright install``) is never used. Where either is missing the
tests are skipped, saying which.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chainrule.demo import notes_network_page
from viz import step_through
from viz.stepthrough import HIGHLIGHT

pytestmark = [pytest.mark.needs_browser, pytest.mark.needs_dot]

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium context with a fresh profile, or a skip that says what is missing."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is missing: pip install 'chainrule[dev]'"
    )
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(
            "Chromium is missing: sudo apt-get install chromium (make test installs it as root)"
        )
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
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
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a matplotlib dependency)")
    import io

    image = image_module.open(io.BytesIO(png)).convert("RGB")
    r0, g0, b0 = (int(HIGHLIGHT[i : i + 2], 16) for i in (1, 3, 5))
    pixels = image.tobytes()
    return sum(
        1
        for i in range(0, len(pixels), 3)
        if abs(pixels[i] - r0) < 40
        and abs(pixels[i + 1] - g0) < 40
        and abs(pixels[i + 2] - b0) < 40
    )


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
