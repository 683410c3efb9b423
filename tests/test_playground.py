"""The playground page (docs/playground/): chainrule's pure wheel in Pyodide, in the browser.

Three layers. The runner (docs/playground/runner.py, what the page runs code with) is
checked here in CPython: what it shows and in which order, its tracebacks, a fresh
namespace per run, and every example. The built site (tests/conftest.py's ``built_site``,
one build a session) must carry everything the page loads, from itself: Pyodide's files as
npm installed them, chainrule's wheel of this very checkout, the pinned dependency wheels.
Then Chromium opens the page, served on 127.0.0.1 with every other request refused, waits
for ``window.chainrule.ready``, runs code through ``window.chainrule.run`` and the Run
button, and the explanation, the drawing's nodes, the step-through page and the printed
numbers are compared with the engine run here, in the test's own process. The download
size and the time to the first run are printed (``pytest -s``), never asserted.
"""

from __future__ import annotations

import doctest
import email.parser
import functools
import hashlib
import http.server
import importlib.util
import json
import os
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from chromium import ARGS, playwright_chromium
from learners import micrograd_readme

from autograd import Value
from viz import chain_rule, draw, explain

ROOT = Path(__file__).resolve().parent.parent
PLAYGROUND = ROOT / "docs" / "playground"
PYODIDE = PLAYGROUND / "node_modules" / "pyodide"


@pytest.fixture(scope="module")
def runner() -> ModuleType:
    """docs/playground/runner.py, imported as the page imports it (chainrule_playground)."""
    spec = importlib.util.spec_from_file_location("chainrule_playground", PLAYGROUND / "runner.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def items_of(runner: ModuleType, code: str) -> list[dict[str, str]]:
    items: list[dict[str, str]] = json.loads(runner.run(code))
    return items


NEURON = """\
from autograd import Value
from viz import draw, explain
x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
b = Value(6.8813735870195432, "b")
o = (x1 * w1 + x2 * w2 + b).tanh()
o.label = "o"
o.backward()
print(f"grads {w1.grad!r} {x1.grad!r} {b.grad!r}")
show(explain(o))
draw(o)
"""
"""The video's neuron, built as a learner writes it: printed gradients, explain, a drawing."""


def neuron(backward: bool = True) -> dict[str, Value]:
    """The same neuron built here, in the test's process; its gradients by backward()."""
    x1, x2 = Value(2.0, "x1"), Value(0.0, "x2")
    w1, w2 = Value(-3.0, "w1"), Value(1.0, "w2")
    b = Value(6.8813735870195432, "b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    if backward:
        o.backward()
    return {"x1": x1, "w1": w1, "b": b, "o": o}


def dot_nodes(source: str) -> list[str]:
    """The node names of DOT text (``v0``, ``v1op``...): the titles of its SVG's nodes."""
    return re.findall(r"^\t(?!graph |node |edge )(\w+) \[", source, flags=re.M)


# --- the runner, in CPython


def test_printed_text_explanations_and_drawings_come_in_the_codes_order(
    runner: ModuleType,
) -> None:
    items = items_of(runner, NEURON)
    assert [item["kind"] for item in items] == ["text", "explanation", "drawing"]
    here = neuron()
    w1, x1, b = here["w1"], here["x1"], here["b"]
    assert items[0]["text"] == f"grads {w1.grad!r} {x1.grad!r} {b.grad!r}\n"
    fresh = neuron(backward=False)["o"]  # explain computes its own gradients
    assert items[1]["text"] == f"{explain(fresh)}\n"
    assert items[1]["latex"] == explain(fresh).to_latex()
    assert items[2]["dot"] == draw(here["o"]).source


def test_the_last_line_is_shown_unless_it_is_none_and_anything_else_as_its_repr(
    runner: ModuleType,
) -> None:
    assert items_of(runner, "x = 2\nx * 21") == [{"kind": "text", "text": "42\n"}]
    assert items_of(runner, "print('a')\nNone") == [{"kind": "text", "text": "a\n"}]
    assert items_of(runner, "y = 3") == []
    code = "from autograd import Value\nx = Value(3.0, 'x')\nshow(x * x, 'two')\n"
    assert items_of(runner, code) == [
        {"kind": "text", "text": repr(Value(3.0, "x") * Value(3.0, "x")) + "\n'two'\n"}
    ]
    chain = items_of(
        runner,
        "from autograd import Value\nfrom viz import chain_rule\n"
        "x = Value(3.0, 'x')\nchain_rule(x * x)",
    )
    x = Value(3.0, "x")
    assert chain == [{"kind": "drawing", "dot": chain_rule(x * x).source}]


def test_an_error_shows_the_learners_lines_and_not_the_runners(runner: ModuleType) -> None:
    code = "print('before')\ndef f(v):\n    return 1 / v\n\nf(0)\nprint('after')\n"
    items = items_of(runner, code)
    assert [item["kind"] for item in items] == ["text", "error"]
    assert items[0]["text"] == "before\n"
    assert items[1]["text"] == (
        "Traceback (most recent call last):\n"
        '  File "<playground>", line 5, in <module>\n'
        "    f(0)\n"
        '  File "<playground>", line 3, in f\n'
        "    return 1 / v\n"
        "           ~~^~~\n"
        "ZeroDivisionError: division by zero\n"
    )
    syntax = items_of(runner, "x = (1,\ny = 2\n")[0]
    assert syntax["kind"] == "error"
    assert syntax["text"].startswith('  File "<playground>", line 1\n')
    assert syntax["text"].rstrip().endswith("SyntaxError: '(' was never closed")


def test_the_runners_own_examples_hold(runner: ModuleType) -> None:
    # docs/ is not among pytest's doctest paths: the runner's docstring examples run here
    result = doctest.testmod(runner, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 5
    assert result.failed == 0


def test_each_run_starts_afresh(runner: ModuleType) -> None:
    assert items_of(runner, "seen = 1\nseen") == [{"kind": "text", "text": "1\n"}]
    error = items_of(runner, "seen")[0]
    assert error["kind"] == "error"
    assert error["text"].endswith("NameError: name 'seen' is not defined\n")


def test_a_progress_bar_redrawn_in_place_leaves_its_last_state(runner: ModuleType) -> None:
    code = "from tqdm import tqdm\nfor _ in tqdm(range(50), ncols=60, mininterval=0): pass\n"
    (item,) = items_of(runner, code)
    lines = item["text"].splitlines()
    assert len(lines) == 1
    assert "\r" not in item["text"]
    assert lines[0].startswith("100%")
    assert "50/50" in lines[0]
    (redrawn,) = items_of(runner, "import sys\nsys.stderr.write('a\\rbc\\r')\nprint('d')")
    assert redrawn["text"] == "d\n"  # after a carriage return, the next text replaces the line


def shown_by(updates: list[str]) -> list[dict[str, str]]:
    """The items as the page puts together what ``emit`` had, as playground.js does: printed
    text from character ``from`` on replaced, other items whole."""
    items: list[dict[str, str]] = []
    for update in map(json.loads, updates):
        if "item" in update:
            assert update["at"] == len(items)
            items.append(update["item"])
            continue
        if update["at"] == len(items):
            items.append({"kind": "text", "text": ""})
        assert update["at"] == len(items) - 1  # only the last item's text grows
        text = items[-1]["text"]
        assert update["from"] <= len(text)
        items[-1]["text"] = text[: update["from"]] + update["text"]
    return items


def test_printed_text_reaches_the_page_as_it_is_printed_and_adds_up_to_the_run(
    runner: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "EVERY", 0.0)  # every write passed on at once
    updates: list[str] = []
    code = "for i in range(3): print(i)\n" + NEURON
    items = json.loads(runner.run(code, updates.append))
    assert items == items_of(runner, code)  # what run returns does not change
    assert shown_by(updates) == items
    assert [json.loads(u) for u in updates[:6]] == [
        {"at": 0, "from": 0, "text": "0"},  # print writes the text, then the newline
        {"at": 0, "from": 1, "text": "\n"},
        {"at": 0, "from": 2, "text": "1"},
        {"at": 0, "from": 3, "text": "\n"},
        {"at": 0, "from": 4, "text": "2"},
        {"at": 0, "from": 5, "text": "\n"},
    ]
    kinds = [json.loads(u).get("item", {"kind": "text"})["kind"] for u in updates]
    assert kinds[-2:] == ["explanation", "drawing"]  # each when show() has it


def test_a_redrawn_line_is_sent_again_from_its_start_and_the_rest_waits_its_turn(
    runner: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "EVERY", 0.0)
    updates: list[str] = []
    code = "from tqdm import tqdm\nfor _ in tqdm(range(50), ncols=60, mininterval=0): pass\n"
    items = json.loads(runner.run("print('head')\n" + code, updates.append))
    assert shown_by(updates) == items
    starts = [json.loads(u)["from"] for u in updates]
    assert starts.count(len("head\n")) > 10  # the bar, redrawn from its line's start
    assert items[0]["text"].startswith("head\n100%")
    monkeypatch.setattr(runner, "EVERY", 3600.0)  # the first write, then the rest at the end
    later: list[str] = []
    items = json.loads(runner.run("for i in range(1000): print(i)", later.append))
    assert [json.loads(u) for u in later] == [
        {"at": 0, "from": 0, "text": "0"},
        {"at": 0, "from": 1, "text": items[0]["text"][1:]},
    ]


def examples() -> list[Path]:
    return sorted((PLAYGROUND / "examples").glob("*.py"))


@pytest.mark.parametrize("path", examples(), ids=lambda p: p.stem)
def test_every_example_runs_and_shows_what_it_says(runner: ModuleType, path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    assert code.startswith("# ")  # its title, in the page's list
    items = items_of(runner, code)
    kinds = [item["kind"] for item in items]
    assert "error" not in kinds, items[-1]
    assert "drawing" in kinds
    printed = "".join(item.get("text", "") for item in items)
    if path.stem.endswith("micrograd"):
        a, b, g = micrograd_readme(Value)
        g.backward()
        assert printed == f"{g.data:.4f}\n{a.grad:.4f}\n{b.grad:.4f}\n"
    if path.stem.endswith("xor"):
        assert kinds == ["drawing", "drawing", "text", "page"]
        assert re.search(r"loss 0\.\d+ -> 0\.000\d+\n", printed)


# --- the built site


def site_manifest(site: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((site / "playground" / "files.json").read_text())
    return manifest


@pytest.mark.docs
def test_the_site_carries_everything_the_page_loads(built_site: Path) -> None:
    manifest = site_manifest(built_site)
    names = [f["name"] for f in manifest["files"]]
    for file in manifest["files"]:
        assert (built_site / "playground" / file["name"]).stat().st_size == file["bytes"]
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip"):
        shipped = (built_site / "playground" / "pyodide" / name).read_bytes()
        assert shipped == (PYODIDE / name).read_bytes(), name
        assert f"pyodide/{name}" in names
    version = json.loads((PYODIDE / "package.json").read_text())["version"]
    lock = json.loads((PLAYGROUND / "package-lock.json").read_text())
    assert manifest["pyodide"] == version == lock["packages"]["node_modules/pyodide"]["version"]
    assert [e["id"] for e in manifest["examples"]] == ["neuron", "xor", "micrograd", "yours"]
    graphviz_js = (built_site / "playground" / "viz-global.js").read_bytes()
    assert graphviz_js == (ROOT / "viz" / "_vendor" / "viz-global.js").read_bytes()
    page = (built_site / "playground" / "index.html").read_text(encoding="utf-8")
    assert '<script src="playground.js"></script>' in page
    for element in ('id="cr-code"', 'id="cr-run"', 'id="cr-example"', 'id="cr-output"'):
        assert element in page
    assert 'href="playground/index.html"' in (built_site / "index.html").read_text()
    for copied in ("playground.js", "playground.css", "runner.py", "worker.js"):
        assert (built_site / "playground" / copied).is_file()
    for name, source in [
        ("codemirror.js", "lib/codemirror.js"),
        ("python.js", "mode/python/python.js"),
    ]:
        shipped = (built_site / "playground" / "codemirror" / name).read_bytes()
        assert shipped == (PLAYGROUND / "node_modules" / "codemirror" / source).read_bytes()
        assert f'<script src="codemirror/{name}"></script>' in page
    assert not (built_site / "playground" / "node_modules").exists()
    assert not list((built_site / "playground").glob("package*.json"))


def wheel_metadata(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode("utf-8"))


@pytest.mark.docs
def test_the_wheels_are_this_checkouts_and_the_pinned_ones_and_fit_pyodides_python(
    built_site: Path,
) -> None:
    wheels = {p.name.split("-")[0]: p for p in (built_site / "playground" / "wheels").iterdir()}
    assert sorted(wheels) == ["chainrule", "graphviz", "tqdm"]
    assert all(p.name.endswith("-py3-none-any.whl") for p in wheels.values())
    with zipfile.ZipFile(wheels["chainrule"]) as archive:
        sources = [n for n in archive.namelist() if n.split("/")[0] in {"autograd", "nn", "viz"}]
        assert len(sources) > 30
        for name in sources:  # built from this checkout, as it is now
            assert archive.read(name) == (ROOT / name).read_bytes(), name
        assert not [n for n in archive.namelist() if n.endswith((".so", ".pyd", ".c"))]
    metadata = wheel_metadata(wheels["chainrule"])
    python = tuple(int(p) for p in site_manifest(built_site)["python"].split("."))
    lowest = re.fullmatch(r">=(\d+)\.(\d+)", metadata["Requires-Python"])
    assert lowest is not None
    assert python[:2] >= (int(lowest[1]), int(lowest[2]))
    needed = {
        re.split(r"[<>=!~ ;\[]", requirement)[0].lower()
        for requirement in metadata.get_all("Requires-Dist") or []
        if "extra ==" not in requirement
    }
    assert needed == {"graphviz", "tqdm"}
    pins = (PLAYGROUND / "requirements.txt").read_text()
    for name in needed:  # the pinned version, with the pinned hash
        digest = hashlib.sha256(wheels[name].read_bytes()).hexdigest()
        version = wheels[name].name.split("-")[1]
        assert f"{name}=={version} --hash=sha256:{digest}" in pins


# --- the page in Chromium


class Quiet(http.server.SimpleHTTPRequestHandler):
    """Serves the site without a line on stderr per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server(http.server.ThreadingHTTPServer):
    """A server that says nothing when a page closes while a file is still on its way."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


class Untyped(Quiet):
    """Serves ``.wasm`` files as ``application/octet-stream``, as a careless host might."""

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        if os.fspath(path).endswith(".wasm"):
            return "application/octet-stream"
        return super().guess_type(path)


class Served:
    """The site on 127.0.0.1 (a thread), and a Chromium page that may ask it alone."""

    def __init__(
        self,
        site: Path,
        browser: Any,
        width: int = 1366,
        height: int = 768,
        refuse: str = "",
        serving: type[Quiet] = Quiet,
    ) -> None:
        handler = functools.partial(serving, directory=str(site))
        self.server = Server(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.local = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.site = site
        self.refuse = refuse  # local files whose path starts so are refused too
        self.outside: list[str] = []
        self.asked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.warnings: list[str] = []
        self.page.on(
            "console",
            lambda m: self.warnings.append(m.text) if m.type in ("warning", "error") else None,
        )

    def _route(self, route: Any) -> None:  # a Playwright Route
        local = route.request.url.startswith(self.local)
        if local and not (self.refuse and route.request.url.startswith(self.local + self.refuse)):
            self.asked.append(route.request.url.removeprefix(self.local).split("?")[0])
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def downloaded(self) -> int:
        """The bytes of every file the page asked for."""
        return sum((self.site / name).stat().st_size for name in self.asked)

    def close(self) -> None:
        self.context.close()
        self.server.shutdown()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with playwright_chromium() as (kind, executable):
        browser = kind.launch(executable_path=executable, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


READY = "window.chainrule && (window.chainrule.ready || window.chainrule.error)"
TEXTS = "elements => elements.map(e => e.textContent)"


def run_the_neuron(tab: Any) -> None:
    """Run the first example (the neuron) through ``window.chainrule.run`` and check what the
    page shows against the engine run here: the printed gradients and explain's text, the
    math, and an inline SVG with every node of the DOT text draw() makes."""
    first = examples()[0].read_text(encoding="utf-8")
    printed = tab.evaluate("(code) => window.chainrule.run(code)", first)
    svg_titles = tab.eval_on_selector_all(
        "#cr-output .cr-drawing svg g.node > title", "ts => ts.map(t => t.textContent)"
    )
    svg_text = tab.eval_on_selector_all(
        "#cr-output .cr-drawing svg g.node text", "ts => ts.map(t => t.textContent)"
    )
    math = tab.locator("#cr-output .cr-math .katex").count()
    math_errors = tab.locator("#cr-output .katex-error").count()
    here = neuron()
    o, w1, x1 = here["o"], here["w1"], here["x1"]
    said = f"o = {o.data:.4f}   ∂o/∂w1 = {w1.grad:.4f}   ∂o/∂x1 = {x1.grad:.4f}\n"
    assert printed == said + f"{explain(neuron(backward=False)['o'])}\n"
    assert "∂o/∂w1 = ∂o/∂(x1·w1) · x1 = 0.5 × 2 = 1" in printed
    assert math == 1
    assert math_errors == 0
    assert sorted(svg_titles) == sorted(dot_nodes(draw(o).source))
    assert len(svg_titles) == 15
    for label in ("x1", "w1", "x2", "w2", "b", "o", "data 0.7071", "grad -1.5"):
        assert label in svg_text, label


@pytest.mark.docs
@pytest.mark.needs_browser
def test_the_page_runs_chainrule_offline_and_shows_its_explanation_and_drawing(
    built_site: Path, chromium: Any
) -> None:
    served = Served(built_site, chromium)
    tab = served.page
    try:
        began = time.perf_counter()
        tab.goto(served.local + "playground/index.html")
        tab.wait_for_function(READY, timeout=120_000)
        ready = time.perf_counter() - began
        assert tab.evaluate("window.chainrule.error") is None
        assert tab.evaluate("window.chainrule.ready") is True
        assert tab.evaluate("window.chainrule.inWorker") is True  # Python beside the page
        first = examples()[0].read_text(encoding="utf-8")
        assert tab.evaluate("window.chainrule.code") == first  # in the editor at first
        assert tab.locator(".cr-playground .CodeMirror").count() == 1  # CodeMirror's
        run_the_neuron(tab)
        first_run = time.perf_counter() - began
        timings = tab.evaluate("window.chainrule.timings")
        twice = sorted({name for name in served.asked if served.asked.count(name) > 1})
        downloaded = served.downloaded()
    finally:
        served.close()
    assert served.outside == []
    assert served.errors == []
    assert twice == []  # the page hands Pyodide what it fetched: nothing is fetched twice
    print(
        f"\nplayground: {downloaded / 1e6:.1f} MB downloaded ({len(served.asked)} files); "
        f"ready after {ready:.2f} s, first run done after {first_run:.2f} s "
        f"(the page's own clock: ready {timings['ready']} ms, first run {timings['firstRun']} ms)"
    )


LOOP = "while True:\n    pass\n"
TRAINING = """\
from autograd import Value
w = Value(0.5, "w")
for step in range(10**9):  # a training run far too long to wait for
    loss = (w * 2.0 - 1.0) ** 2
    w.grad = 0.0
    loss.backward()
    w.data -= 0.01 * w.grad
    print(f"step {step}: loss {loss.data:.6f}")
"""


def training_printed(lines: int) -> str:
    """What TRAINING prints in its first ``lines`` steps, run here by the engine."""
    w = Value(0.5, "w")
    printed = ""
    for step in range(lines):
        loss = (w * 2.0 - 1.0) ** 2
        w.grad = 0.0
        loss.backward()
        w.data -= 0.01 * w.grad
        printed += f"step {step}: loss {loss.data:.6f}\n"
    return printed


STATUS = "document.querySelector('#cr-status').textContent"
PRINTED = "document.querySelector('#cr-output pre.cr-text')"
BUTTON = "document.querySelector('#cr-run').textContent"
STOPPED = re.compile(
    r"Stopped after \d+\.\d s; Python restarted \(in \d+\.\d s\), "
    r"your code is still in the editor\."
)
RESTARTED = (
    "(document.querySelector('#cr-output .cr-stopped') || {textContent: ''})"
    ".textContent.includes('restarted') && window.chainrule.ready"
)


@pytest.mark.docs
@pytest.mark.needs_browser
def test_a_run_that_does_not_end_leaves_the_page_free_and_stop_restarts_python(
    built_site: Path, chromium: Any
) -> None:
    served = Served(built_site, chromium)
    tab = served.page
    restarts = []
    try:
        tab.goto(served.local + "playground/index.html")
        tab.wait_for_function(READY, timeout=120_000)
        # 1. `while True: pass`, through the API: the page's own timer goes on ticking
        tab.evaluate("(code) => { window.chainrule.code = code; }", LOOP)
        tab.evaluate("window.looping = window.chainrule.run(window.chainrule.code); null")
        tab.wait_for_function(f"{STATUS}.startsWith('Running… 1 s')", timeout=30_000)
        assert tab.evaluate(BUTTON) == "Stop"
        # a promise of the page's own resolves: its event loop is free
        answer = tab.evaluate("new Promise(r => setTimeout(() => r(window.chainrule.code), 50))")
        assert answer == LOOP
        assert tab.evaluate("window.chainrule.stop()") is True  # once Python is back
        stopped_text = tab.evaluate("window.looping")
        note = tab.text_content("#cr-output .cr-stopped")
        status = tab.text_content("#cr-status")
        code_after = tab.evaluate("window.chainrule.code")
        restarts.append(tab.evaluate("window.chainrule.timings.restart"))
        # 2. a training loop run by the button: its lines come while it runs, so many that
        # the page keeps only the last ones; Stop stops it
        tab.evaluate("(code) => { window.chainrule.code = code; }", TRAINING)
        tab.click("#cr-run")
        tab.wait_for_function(
            "document.querySelector('#cr-output pre.cr-text')?.textContent.includes('step 40:')",
            timeout=90_000,  # a few ms on a quiet machine; CI once took over 30 s under load
        )
        tab.wait_for_function(f"{PRINTED}.dataset.dropped", timeout=60_000)
        still_running = tab.evaluate(BUTTON)
        answer = tab.evaluate("new Promise(r => setTimeout(() => r(window.chainrule.code), 50))")
        assert answer == TRAINING
        tab.click("#cr-run")  # Stop: clickable while Python runs
        tab.wait_for_function(RESTARTED, timeout=60_000)
        streamed = tab.evaluate(f"{PRINTED}.textContent")
        dropped = int(tab.evaluate(f"{PRINTED}.dataset.dropped"))
        trained_note = tab.text_content("#cr-output .cr-stopped")
        trained_code = tab.evaluate("window.chainrule.code")
        restarts.append(tab.evaluate("window.chainrule.timings.restart"))
        # 3. Ctrl+Enter in the editor, then Esc
        tab.evaluate("(code) => { window.chainrule.code = code; }", LOOP)
        tab.click(".cr-playground .CodeMirror-code")
        tab.keyboard.press("Control+Enter")
        tab.wait_for_function(f"{BUTTON} === 'Stop'")
        tab.keyboard.press("Escape")
        tab.wait_for_function(RESTARTED, timeout=60_000)
        escaped_code = tab.evaluate("window.chainrule.code")
        restarts.append(tab.evaluate("window.chainrule.timings.restart"))
        idle_stop = tab.evaluate("window.chainrule.stop()")
        button = tab.evaluate(BUTTON)
        # 4. the next run works as the first did
        run_the_neuron(tab)
        twice = sorted({name for name in served.asked if served.asked.count(name) > 1})
    finally:
        served.close()
    assert STOPPED.fullmatch(note)
    assert stopped_text == note + "\n"  # nothing printed, then the note
    assert status == note
    assert code_after == LOOP
    assert still_running == "Stop"
    assert STOPPED.fullmatch(trained_note)
    assert 1000 < streamed.count("\n") < 5000  # of the last 50,000 characters or so
    last_step = int(re.findall(r"^step (\d+):", streamed, flags=re.M)[-1])
    assert dropped > 0
    assert streamed == training_printed(last_step + 1)[dropped : dropped + len(streamed)]
    assert streamed.startswith("step ")  # cut where a line starts
    assert trained_code == TRAINING
    assert escaped_code == LOOP
    assert idle_stop is False
    assert button == "Run"
    assert served.outside == []
    assert served.errors == []
    assert twice == []  # a new Python starts from what the page holds: nothing fetched again
    print(f"\nplayground: Python restarted after a stop in {restarts} ms")


@pytest.mark.docs
@pytest.mark.needs_browser
def test_a_browser_without_workers_runs_python_on_the_page_and_says_so(
    built_site: Path, chromium: Any
) -> None:
    served = Served(built_site, chromium, 800, 600)
    tab = served.page
    tab.add_init_script("delete globalThis.Worker")
    try:
        tab.goto(served.local + "playground/index.html")
        tab.wait_for_function(READY, timeout=120_000)
        status = tab.text_content("#cr-status")
        in_worker = tab.evaluate("window.chainrule.inWorker")
        why = tab.evaluate("window.chainrule.noWorker")
        run_the_neuron(tab)
        stop = tab.evaluate("window.chainrule.stop()")
        button = tab.eval_on_selector("#cr-run", "b => [b.textContent, b.disabled]")
    finally:
        served.close()
    assert status is not None
    assert status.startswith("Ready: chainrule")
    assert "Python runs on this page, as this browser could not start a worker for it" in status
    assert "Stop" not in status
    assert in_worker is False
    assert "Worker" in why  # the ReferenceError, kept for whoever looks
    assert stop is False  # nothing can stop Python on the page's own thread
    assert button == ["Run", False]
    assert served.outside == []
    assert served.errors == []


@pytest.mark.docs
@pytest.mark.needs_browser
def test_an_example_chosen_by_its_link_runs_from_the_button_with_its_step_through_page(
    built_site: Path, chromium: Any
) -> None:
    served = Served(built_site, chromium, 800, 600, serving=Untyped)  # no application/wasm
    tab = served.page
    code = """\
from autograd import Value
from viz import step_through
x = Value(3.0, "x")
f = (x - 1) ** 2
f.label = "f"
print(f.data)
step_through(f, lr=0.25)
"""
    try:
        tab.goto(served.local + "playground/index.html?example=micrograd")
        tab.wait_for_function(READY, timeout=120_000)
        assert tab.eval_on_selector("#cr-example", "s => s.value") == "micrograd"
        tab.click("#cr-run")
        tab.wait_for_function("document.querySelector('#cr-status').textContent.startsWith('Ran')")
        printed = tab.eval_on_selector_all("#cr-output pre", TEXTS)
        drawn = tab.locator("#cr-output .cr-drawing svg g.node").count()
        tab.evaluate("(code) => { window.chainrule.code = code; }", code)
        tab.click(".cr-playground .CodeMirror-code")
        tab.keyboard.press("Control+Enter")
        tab.wait_for_function("document.querySelector('#cr-status').textContent.startsWith('Ran')")
        frame = tab.frame_locator("#cr-output iframe.cr-page")
        frame.locator("#graph svg g.node").first.wait_for(timeout=60_000)
        frame_nodes = frame.locator("#graph svg g.node").count()
        frame_printed = tab.eval_on_selector_all("#cr-output pre", TEXTS)
    finally:
        served.close()
    a, b, g = micrograd_readme(Value)
    g.backward()
    assert printed == [f"{g.data:.4f}\n{a.grad:.4f}\n{b.grad:.4f}\n"]
    assert drawn > 10
    x = Value(3.0, "x")
    f = (x - 1) ** 2
    f.label = "f"
    assert frame_printed == [f"{f.data}\n"]
    assert frame_nodes == len(dot_nodes(draw(f).source))
    assert served.outside == []
    assert served.errors == []
    assert served.warnings == []  # no "wasm streaming compile failed" for the wrong type


@pytest.mark.docs
@pytest.mark.needs_browser
def test_a_browser_without_webassembly_is_told_so_and_can_read_the_examples(
    built_site: Path, chromium: Any
) -> None:
    served = Served(built_site, chromium, refuse="playground/codemirror/")  # the textarea then
    tab = served.page
    tab.add_init_script("delete globalThis.WebAssembly")
    try:
        tab.goto(served.local + "playground/index.html")
        tab.wait_for_function(READY, timeout=30_000)
        error = tab.evaluate("window.chainrule.error")
        status = tab.text_content("#cr-status")
        link = tab.get_attribute("#cr-status a", "href")
        code = tab.evaluate("window.chainrule.code")
        in_textarea = tab.input_value("#cr-code")
        tab.select_option("#cr-example", "micrograd")
        chosen = tab.input_value("#cr-code")
        address = tab.evaluate("location.search")
        disabled = tab.is_disabled("#cr-run")
        asked = list(served.asked)
    finally:
        served.close()
    assert status == f"{error} Getting started"
    assert link is not None
    assert (built_site / "playground" / link).resolve() == built_site / "getting-started.html"
    assert status is not None
    assert status.startswith("This browser cannot run WebAssembly")
    examples_here = [p.read_text(encoding="utf-8") for p in examples()]
    assert code == in_textarea == examples_here[0]  # the examples can still be read
    assert chosen == examples_here[2]
    assert address == "?example=micrograd"
    assert disabled
    assert not [name for name in asked if "pyodide/" in name or name.endswith(".whl")]


@pytest.mark.docs
@pytest.mark.needs_browser
def test_the_page_opened_from_the_file_system_says_to_serve_it(
    built_site: Path, chromium: Any
) -> None:
    context = chromium.new_context()
    site = built_site.as_uri() + "/"
    outside: list[str] = []

    def only_the_site(route: Any) -> None:  # a Playwright Route
        if route.request.url.startswith(site):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_site)
    tab = context.new_page()
    try:
        tab.goto(site + "playground/index.html")
        tab.wait_for_function(READY, timeout=30_000)
        error = tab.evaluate("window.chainrule.error")
        disabled = tab.is_disabled("#cr-run")
    finally:
        context.close()
    assert error.startswith("The playground needs its site served over HTTP")
    assert "python3 -m http.server" in error
    assert disabled
    assert outside == []
