"""Headless Chromium for the browser tests: Debian's ``chromium``, driven by Playwright.

Playwright's own browser download (``playwright install``) is never used. Where
Playwright or Chromium is missing, :func:`playwright_chromium` skips the test, saying which.
The flags keep a headless Chromium from calling any server of its own.
"""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

__all__ = ["ARGS", "pixels_of", "playwright_chromium"]

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def playwright_chromium() -> Iterator[tuple[Any, str]]:
    """Playwright's Chromium type and the path of Debian's browser, or a skip saying why."""
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright is missing: pip install 'chainrule[dev]'"
    )
    executable = "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    executable = executable or shutil.which("chromium")
    if executable is None:
        pytest.skip(
            "Chromium is missing: sudo apt-get install chromium (make test installs it as root)"
        )
    with sync_api.sync_playwright() as p:
        yield p.chromium, executable


def pixels_of(png: bytes, color: str) -> int:
    """How many pixels of a PNG are near ``color`` (``#rrggbb``)."""
    image_module = pytest.importorskip("PIL.Image", reason="Pillow (a matplotlib dependency)")
    image = image_module.open(io.BytesIO(png)).convert("RGB")
    r0, g0, b0 = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    pixels = image.tobytes()
    return sum(
        1
        for i in range(0, len(pixels), 3)
        if abs(pixels[i] - r0) < 40
        and abs(pixels[i + 1] - g0) < 40
        and abs(pixels[i + 2] - b0) < 40
    )
