"""The README's pictures of the 3-4-4-1 network and of the step-through page: ``make docs``
runs this file.

The network of micrograd's video, ``MLP(3, [4, 4, 1])`` with tanh units, on its first
sample ``x = (2, 3, −1)``, target 1, loss ½(y − t)², after one ``backward()``; and the
notes' network's step-through page (docs/backprop.html) with three screenshots of it at
1366×768, a laptop's screen, taken in Chromium through Playwright (the dev extra):

    python docs/pictures.py docs    # writes docs/mlp-3-4-4-1.svg, ..., docs/step-through-*.png
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from autograd import Value
from nn import MLP, squared_error
from viz import Drawing, chain_rule, draw, write

__all__ = ["PICTURES", "SCREENSHOTS", "mlp_3_4_4_1", "write_pictures", "write_screenshots"]


def mlp_3_4_4_1() -> Value:
    """The loss of micrograd's video's network on its first sample, after backward()."""
    model = MLP(3, [4, 4, 1], activation="tanh")
    loss = squared_error(model([2.0, 3.0, -1.0]), [1.0])
    loss.label = "L"
    loss.backward()
    return loss


PICTURES: dict[str, Callable[[Value], Drawing]] = {
    "mlp-3-4-4-1.svg": draw,
    "mlp-3-4-4-1-chain-rule.svg": chain_rule,
}
"""Each picture's file name and the drawing it holds."""


def write_pictures(out: Path) -> list[Path]:
    """Write every picture of :data:`PICTURES` into ``out``; return the paths written."""
    loss = mlp_3_4_4_1()
    return [write(make(loss), out / name) for name, make in PICTURES.items()]


SCREENSHOTS = {
    "step-through-forward.png": (1, 6),
    "step-through-backward.png": (1, 27),
    "step-through-update.png": (3, 123),
}
"""Each screenshot's file name: the page's iterations and the frame shown (1-based)."""

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def write_screenshots(out: Path, chromium: str = "/usr/bin/chromium") -> list[Path]:
    """Write docs/backprop.html and the screenshots of :data:`SCREENSHOTS` into ``out``."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from chainrule.demo import notes_network_page

    written = [notes_network_page().write(out / "backprop.html")]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for name, (iterations, frame) in SCREENSHOTS.items():
            page_file = notes_network_page(iterations=iterations).write(Path(tmp) / "page.html")
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"{page_file.resolve().as_uri()}#frame-{frame}")
            page.screenshot(path=str(out / name))
            written.append(out / name)
            page.close()
        browser.close()
    return written


if __name__ == "__main__":
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    for path in [*write_pictures(folder), *write_screenshots(folder)]:
        print(path)
