"""explain()'s Jupyter forms in a real browser: its LaTeX typeset by KaTeX, its HTML as shown.

KaTeX is loaded from ``tests/browser/node_modules`` (``make test`` runs
``npm ci --prefix tests/browser``; the version is pinned in
``tests/browser/package.json`` and its lock file), every network request is
refused, and headless Chromium (Debian's ``chromium``) is driven by Playwright.
Where KaTeX, Playwright or Chromium is missing the tests are skipped, saying which.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from chromium import ARGS, playwright_chromium
from explained import (
    balanced,
    empty_factor,
    equation_parts,
    explained_cases,
    numbers,
    numeric,
)

from viz.explain import Explanation

pytestmark = pytest.mark.needs_browser

KATEX = Path(__file__).resolve().parents[1] / "browser" / "node_modules" / "katex" / "dist"

# For each story: every step's LaTeX (from the Markdown form) and the whole aligned block
# (the LaTeX form) typeset with KaTeX, each rendering's text, node by node; the HTML form's rows.
SCRIPT = """
// the text of an element, its text nodes apart: 2^3 reads "2 3", not "23"
const read = (el) => {
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const parts = [];
  while (walk.nextNode()) parts.push(walk.currentNode.data);
  return parts.join(' ');
};
const typeset = (tex, where) => {
  const el = document.createElement('div');
  where.append(el);
  try {
    katex.render(tex, el, {displayMode: true, throwOnError: true, strict: 'error'});
  } catch (e) {
    return {error: String(e), text: ''};
  }
  const error = el.querySelector('.katex-error') ? 'katex-error' : '';
  return {error, text: read(el.querySelector('.katex-html'))};
};
window.results = STORIES.map((story, k) => {
  const box = document.getElementById('story-' + k);
  const steps = story.markdown.map((tex) => typeset(tex, box));
  const whole = typeset(story.latex, box);
  const rows = [...document.querySelectorAll('#html-' + k + ' td:first-child')];
  return {steps, whole, html: rows.map((td) => [td.textContent, read(td)])};
});
"""


def page(stories: dict[str, Explanation]) -> str:
    """An HTML page that typesets each story's LaTeX with the local KaTeX and holds its HTML."""
    data = [
        {
            "markdown": [line.split("$")[1] for line in s._repr_markdown_().splitlines()],
            "latex": s.to_latex(),
        }
        for s in stories.values()
    ]
    boxes = "".join(
        f'<h2>{name}</h2><div id="story-{k}"></div><div id="html-{k}">{s._repr_html_()}</div>'
        for k, (name, s) in enumerate(stories.items())
    )
    return (
        '<!doctype html><html><head><meta charset="utf-8">'
        f'<link rel="stylesheet" href="{(KATEX / "katex.min.css").as_uri()}">'
        f'<script src="{(KATEX / "katex.min.js").as_uri()}"></script></head><body>{boxes}'
        f"<script>const STORIES = {json.dumps(data)};{SCRIPT}</script></body></html>"
    )


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A Chromium context that refuses every request off this machine, or a skip saying why."""
    if not (KATEX / "katex.min.js").is_file():
        pytest.skip("KaTeX is missing: run `npm ci --prefix tests/browser` (make test does)")
    with playwright_chromium() as (kind, executable):
        context = kind.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=executable,
            args=ARGS,
            headless=True,
            viewport={"width": 1400, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()


def open_page(context: Any, path: Path) -> tuple[Any, list[str]]:
    """The page at ``path``; the list collects console errors and warnings and every
    request that is not for a local file (each of those is refused)."""
    tab = context.new_page()
    problems: list[str] = []

    def refuse(route: Any) -> None:
        problems.append(f"request: {route.request.url}")
        route.abort()

    tab.route(lambda url: not url.startswith(("file:", "data:")), refuse)
    tab.on(
        "console",
        lambda m: problems.append(m.text) if m.type in ("error", "warning") else None,
    )
    tab.on("pageerror", lambda e: problems.append(str(e)))
    tab.on(
        "request",
        lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url),
    )
    tab.goto(path.as_uri())
    tab.wait_for_function("window.results !== undefined")
    return tab, problems


def check_rendered(shown: str, text: str, where: str) -> None:
    """A rendering of a step against the step's text form."""
    assert empty_factor(shown) is None, (where, shown, empty_factor(shown))
    assert balanced(shown), (where, shown)
    mine, theirs = equation_parts(shown), equation_parts(text)
    assert len(mine) == len(theirs), (where, shown, text)
    for got, want in zip(mine, theirs, strict=True):
        if numeric(want):
            assert sorted(numbers(got)) == sorted(numbers(want)), (where, got, want)


def test_katex_typesets_every_form_as_the_text_says_it(browser: Any, tmp_path: Path) -> None:
    stories = explained_cases()
    path = tmp_path / "explain.html"
    path.write_text(page(stories), encoding="utf-8")
    tab, problems = open_page(browser, path)
    results = tab.evaluate("window.results")
    assert problems == []
    for (name, story), result in zip(stories.items(), results, strict=True):
        assert len(result["steps"]) == len(story.steps)
        for k, (s, typeset) in enumerate(zip(story.steps, result["steps"], strict=True)):
            assert typeset["error"] == "", (name, k, s.latex, typeset["error"])
            check_rendered(typeset["text"], s.text, f"{name} step {k} (KaTeX)")
        assert result["whole"]["error"] == "", (name, result["whole"]["error"])
        assert empty_factor(result["whole"]["text"]) is None, name
        assert balanced(result["whole"]["text"]), name
        assert len(result["html"]) == len(story.steps)
        for k, (s, (shown, pieces)) in enumerate(zip(story.steps, result["html"], strict=True)):
            check_rendered(pieces, s.text, f"{name} step {k} (HTML)")
            assert shown == s.text.replace("_", "").replace("^", ""), (name, k)
    # KaTeX drew every step: its fonts came from the local files, the page has no error box
    assert tab.evaluate("document.querySelectorAll('.katex-display').length") == sum(
        len(s.steps) + 1 for s in stories.values()
    )
    assert tab.evaluate("document.querySelectorAll('.katex-error').length") == 0


def test_a_typesetting_error_would_be_seen(browser: Any, tmp_path: Path) -> None:
    """The check can fail: a broken step (an unclosed brace) is reported, not passed over."""
    plain = explained_cases()["plain"]
    last = replace(plain.steps[-1], latex=r"\frac{\partial x}{")
    broken = Explanation(plain.root, (*plain.steps[:-1], last))
    path = tmp_path / "broken.html"
    path.write_text(page({"broken": broken}), encoding="utf-8")
    tab, _ = open_page(browser, path)
    (result,) = tab.evaluate("window.results")
    assert result["steps"][-1]["error"].startswith("ParseError")
    assert all(r["error"] == "" for r in result["steps"][:-1])
