"""The documentation site, built as ``make docs`` builds it (``mkdocs build --strict``) into a
temporary folder, and checked for what a reader must find there: the tutorial with its
pictures, the notes' equations as math, the API reference from the docstrings, the
command's help, and nothing that reaches outside the site or names this machine.

Needs the docs extra (MkDocs and its plugins), KaTeX (``npm ci --prefix tests/browser``) and
what the playground ships (``make playground``), all of which ``make test`` installs;
skipped, saying which, without them. One build a session, about 10 s (tests/conftest.py).
The last test opens the notes in Chromium (served on 127.0.0.1, every other request
blocked) and checks that KaTeX rendered every formula.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import ARGS, playwright_chromium

pytestmark = pytest.mark.docs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The site, built strictly from this checkout into a temporary folder (tests/conftest.py:
    one build a session, which the playground's tests share)."""
    return built_site


def page(site: Path, name: str) -> str:
    return (site / name).read_text(encoding="utf-8")


def test_the_tutorial_page_shows_its_pictures_and_outputs(site: Path) -> None:
    text = page(site, "tutorial.html")
    # the notebook was executed at build time: the drawings are inline SVG images
    pictures = re.findall(r'<img[^>]+src="data:image/svg\+xml;base64,', text)
    assert len(pictures) >= 3  # draw(y), draw(L), chain_rule(L)
    assert "<iframe" in text  # the step-through page
    assert html.escape("δ_1^(2) = ∂L/∂x_1^(2) · σ'(S_1^(2))", quote=False) in text
    assert "loss 0.5004 -&gt; 0.000820" in text  # the training cell's print
    assert 'class="ansi-red' not in text
    assert "Traceback" not in text


def test_the_notes_page_has_its_equations_as_math_and_ships_katex(site: Path) -> None:
    text = page(site, "notes.html")
    display = re.findall(r'<div class="arithmatex">\\\[(.*?)\\\]</div>', text, flags=re.S)
    inline = re.findall(r'<span class="arithmatex">\\\((.*?)\\\)</span>', text)
    source = (ROOT / "docs" / "notes.md").read_text(encoding="utf-8")
    assert len(display) == source.count("\n$$\n") // 2 == 13  # every display equation
    assert len(inline) >= 30
    tags = set(re.findall(r"\\tag\{([\d-]+)\}", " ".join(display)))
    assert tags == {"4", "13", "14", "15", "16", "17", "18", "19-20", "22", "23", "24"}
    for script in ("katex/katex.min.js", "katex/contrib/auto-render.min.js"):
        assert f'<script src="{script}"></script>' in text
        assert (site / script).is_file()
    css = page(site, "katex/katex.min.css")
    fonts = re.findall(r"url\((fonts/[\w.-]+\.woff2)\)", css)
    assert len(fonts) >= 20
    for font in fonts:
        assert (site / "katex" / font).is_file(), font


def test_the_api_reference_comes_from_the_docstrings(site: Path) -> None:
    text = page(site, "api/autograd.html")
    assert 'id="autograd.Value.backward"' in text
    from autograd.engine import Value

    doc = Value.backward.__doc__ or ""
    first = doc.strip().splitlines()[0].replace("``", "")
    assert first in html.unescape(re.sub(r"<[^>]+>", "", text))  # the docstring, on the page
    # the docstrings' examples are highlighted code: each prompt is a highlighted prompt
    prompts = text.count("&gt;&gt;&gt; ")
    assert prompts > 100
    assert text.count('<span class="gp">&gt;&gt;&gt; </span>') == prompts
    for name, anchor in [("nn", "nn.MLP"), ("viz", "viz.draw"), ("viz", "viz.explain.explain")]:
        assert f'id="{anchor}"' in page(site, f"api/{name}.html"), anchor


def test_the_command_page_shows_the_commands_own_help(site: Path) -> None:
    text = html.unescape(page(site, "api/command.html"))
    for command in ("chainrule", "chainrule demo", "chainrule grad"):
        done = subprocess.run(
            [sys.executable, "-m", "chainrule", *command.split()[1:], "--help"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**os.environ, "COLUMNS": "88"},
            check=True,
        )
        first = done.stdout.splitlines()[0].replace("python -m chainrule", "chainrule")
        assert first in text, command


def site_files(site: Path) -> Iterator[Path]:
    for path in sorted(site.rglob("*")):
        if path.suffix in {".html", ".js", ".css", ".svg", ".txt", ".json", ".xml"}:
            yield path


def test_the_site_names_no_path_of_this_machine(site: Path) -> None:
    # the checkout, the home folder, the Python environment (a warning from a package, say)
    machine = {str(ROOT), str(Path.home()), sys.prefix, sys.base_prefix} - {"/", "/usr"}
    home = re.compile(r"(?<![\w.])/(?:home|Users)/[\w.-]+/|site-packages/")
    for path in site_files(site):
        text = path.read_text(encoding="utf-8", errors="replace")
        for name in machine:
            assert name not in text, f"{path.relative_to(site)} contains {name}"
        assert not home.search(text), f"{path.relative_to(site)}: {home.search(text)}"


EXTERNAL = [
    re.compile(r"<script\b[^>]*\bsrc=[\"']?(?:https?:)?//", re.I),
    re.compile(r"<link\b[^>]*\bhref=[\"']?(?:https?:)?//[^>]*>", re.I),
    re.compile(r"<(?:img|iframe)\b[^>]*\bsrc=[\"']?(?:https?:)?//", re.I),
    re.compile(r"@import\s+(?:url\()?[\"']?(?:https?:)?//", re.I),
    re.compile(r"import\([\"'](?:https?:)?//", re.I),
    re.compile(r"\burl\([\"']?(?:https?:)?//", re.I),
]


def test_no_page_loads_a_script_a_style_or_a_font_from_outside_the_site(site: Path) -> None:
    pages = 0
    for path in site_files(site):
        if path.suffix not in {".html", ".css"}:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        # the step-through page inside the tutorial is an iframe's srcdoc: check it too
        text += html.unescape(" ".join(re.findall(r'srcdoc="([^"]*)"', text)))
        for pattern in EXTERNAL:
            found = pattern.search(text)
            assert found is None, f"{path.relative_to(site)}: {found and found[0][:200]}"
        pages += path.suffix == ".html"
    assert pages >= 17


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site without a line on stderr per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.mark.needs_browser
def test_katex_renders_every_formula_of_the_notes_offline(site: Path) -> None:
    handler = functools.partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    local = f"http://127.0.0.1:{server.server_address[1]}/"
    outside: list[str] = []

    def only_local(route: Any) -> None:  # a Playwright Route
        if route.request.url.startswith(local):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    try:
        with playwright_chromium() as (kind, executable):
            browser = kind.launch(executable_path=executable, args=ARGS)
            tab = browser.new_page(viewport={"width": 1366, "height": 768})
            errors: list[str] = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            tab.route("**/*", only_local)
            tab.goto(local + "notes.html")
            tab.wait_for_selector(".katex")
            formulas = tab.locator(".arithmatex").count()
            rendered = tab.locator(".arithmatex .katex").count()
            failed = tab.locator(".katex-error").count()
            browser.close()
    finally:
        server.shutdown()
    assert formulas >= 44
    assert rendered == formulas
    assert failed == 0
    assert errors == []
    assert outside == []
