"""The site's five additions to MkDocs (mkdocs.yml's ``hooks:``), each small:

- KaTeX, at the version tests/browser/package-lock.json pins (``npm ci --prefix
  tests/browser``, which ``make browser`` runs), is copied into the site, so the math is
  rendered offline: no CDN anywhere.
- The page of the ``chainrule`` command gets the command's own ``--help`` text, run at build
  time, where it says ``<!-- chainrule --help -->`` (and the same for its subcommands).
- The notebook's MathJax and Mermaid scripts (CDN addresses nbconvert writes) are
  dropped: KaTeX renders the math of every page, the notebook's too. The notebook's
  links to other pages (``notes.md``) are pointed at the pages the site makes of them.
- The kernel that runs the tutorial logs errors only: it runs on this machine for the
  build's duration, and its start-up notice about unencrypted local sockets is not a
  problem of the site (``make docs`` prints no warning). Its IPython folder is temporary.
- The playground (docs/playground/) gets what it runs, all from the site itself: Pyodide's
  and CodeMirror 5's files (``npm ci --prefix docs/playground``, pinned by its
  package-lock.json), chainrule's pure wheel built from this checkout at each build, its
  dependencies' pure wheels (``make playground`` downloads them, pinned with their hashes
  by docs/playground/requirements.txt), Graphviz in WebAssembly (viz/_vendor/viz-global.js)
  and viz.wasm's drawing script, the runner, and ``files.json``: each file's size, for the
  page's progress line, and the examples.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files, InclusionLevel

ROOT = Path(__file__).resolve().parent.parent
KATEX = ROOT / "tests" / "browser" / "node_modules" / "katex" / "dist"
KATEX_FILES = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"]

HELP = re.compile(r"<!-- (chainrule(?: \w+)?) --help -->")
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.S)
PAGE_LINK = re.compile(r'href="([\w./-]+)\.md(#[^"]*)?"')
PLAYGROUND = ROOT / "docs" / "playground"
PYODIDE = PLAYGROUND / "node_modules" / "pyodide"
PYODIDE_FILES = [  # what loadPyodide fetches, in the order the page counts them
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
]
CODEMIRROR = PLAYGROUND / "node_modules" / "codemirror"
CODEMIRROR_FILES = {  # the editor: the site's name for each of CodeMirror 5's files
    "codemirror.js": "lib/codemirror.js",
    "codemirror.css": "lib/codemirror.css",
    "python.js": "mode/python/python.js",
    "matchbrackets.js": "addon/edit/matchbrackets.js",
    "LICENSE": "LICENSE",
}
PINS = re.compile(r"^([\w.-]+)==([\w.]+)", re.M)
_IPYTHONDIR: list[tuple[Path, str | None]] = []  # this build's IPython folder, and the one before


def on_startup(command: str, dirty: bool) -> None:
    """Give the notebook's kernel a temporary IPython folder whose config logs errors only."""
    folder = Path(tempfile.mkdtemp(prefix="chainrule-docs-ipython-"))
    (folder / "profile_default").mkdir()
    config = folder / "profile_default" / "ipython_kernel_config.py"
    config.write_text('c.IPKernelApp.log_level = "ERROR"\n', encoding="utf-8")
    _IPYTHONDIR.append((folder, os.environ.get("IPYTHONDIR")))
    os.environ["IPYTHONDIR"] = str(folder)


def on_shutdown() -> None:
    """Remove the temporary IPython folder and give back the IPYTHONDIR there was."""
    while _IPYTHONDIR:
        folder, before = _IPYTHONDIR.pop()
        shutil.rmtree(folder, ignore_errors=True)
        if before is None:
            os.environ.pop("IPYTHONDIR", None)
        else:
            os.environ["IPYTHONDIR"] = before


def on_files(files: Files, config: Any) -> Files:
    """Add KaTeX's script, style and fonts to the site, from tests/browser/node_modules, and
    what the playground loads (:func:`playground_files`)."""
    if not (KATEX / "katex.min.js").is_file():
        raise PluginError(
            f"KaTeX is missing ({KATEX.relative_to(ROOT)}): the site ships it to render the "
            "math offline; install it with `make browser` (npm ci --prefix tests/browser)"
        )
    fonts = sorted(p.relative_to(KATEX).as_posix() for p in (KATEX / "fonts").glob("*.woff2"))
    for name in [*KATEX_FILES, *fonts]:
        files.append(File.generated(config, f"katex/{name}", abs_src_path=str(KATEX / name)))
    if files.get_file_from_path("playground/index.md") is not None:
        for file in playground_files(config):
            file.inclusion = InclusionLevel.INCLUDED  # wheels/ and *.py are excluded as sources
            files.append(file)
    return files


def pinned_wheels() -> list[Path]:
    """The dependencies' wheels docs/playground/requirements.txt pins, from
    docs/playground/wheels/ (``make playground`` downloads them)."""
    pins = PINS.findall((PLAYGROUND / "requirements.txt").read_text(encoding="utf-8"))
    wheels = []
    for name, version in pins:
        wheel = PLAYGROUND / "wheels" / f"{name}-{version}-py3-none-any.whl"
        if not wheel.is_file():
            raise PluginError(
                f"the playground needs {wheel.relative_to(ROOT)} (pinned in "
                "docs/playground/requirements.txt): download it with `make playground`"
            )
        wheels.append(wheel)
    return wheels


def pure_wheel() -> tuple[str, bytes]:
    """chainrule's pure wheel (``py3-none-any``) built from this checkout, as ``make wheels``
    builds it (tests/wheelcheck.py: the sdist, then the wheel from it): its name and bytes."""
    spec = importlib.util.spec_from_file_location("wheelcheck", ROOT / "tests" / "wheelcheck.py")
    if spec is None or spec.loader is None:
        raise PluginError("tests/wheelcheck.py is missing: it builds the playground's wheel")
    wheelcheck = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(wheelcheck)
    with tempfile.TemporaryDirectory(prefix="chainrule-docs-wheel-") as tmp:
        try:
            wheel = wheelcheck.build("pure", Path(tmp))
        except Exception as error:  # the build's own message says what failed
            raise PluginError(f"building chainrule's pure wheel failed: {error}") from error
        return wheel.name, wheel.read_bytes()


def examples() -> list[dict[str, str]]:
    """The playground's examples (docs/playground/examples/N-id.py): id, title (the first
    line's comment) and code."""
    found = []
    for path in sorted((PLAYGROUND / "examples").glob("*.py")):
        code = path.read_text(encoding="utf-8")
        title = code.splitlines()[0].removeprefix("# ").rstrip(".")
        found.append({"id": path.stem.split("-", 1)[1], "title": title, "code": code})
    return found


def playground_files(config: Any) -> list[File]:
    """What the playground page loads, as site files under playground/, and its files.json."""
    missing = [name for name in PYODIDE_FILES if not (PYODIDE / name).is_file()]
    missing += [name for name in CODEMIRROR_FILES.values() if not (CODEMIRROR / name).is_file()]
    if missing:
        raise PluginError(
            f"Pyodide or CodeMirror is missing ({', '.join(missing)}, in "
            "docs/playground/node_modules): the playground ships them; install them with "
            "`make playground` (npm ci --prefix docs/playground)"
        )
    sys.path.insert(0, str(ROOT))
    try:
        from viz import wasm
    finally:
        sys.path.remove(str(ROOT))
    added: list[File] = []
    loads: list[dict[str, Any]] = []

    def add(name: str, what: str, *, path: Path | None = None, content: bytes = b"") -> None:
        if path is not None:
            added.append(File.generated(config, f"playground/{name}", abs_src_path=str(path)))
            size = path.stat().st_size
        else:
            added.append(File.generated(config, f"playground/{name}", content=content))
            size = len(content)
        loads.append({"name": name, "bytes": size, "what": what})

    for name in PYODIDE_FILES:
        add(f"pyodide/{name}", "python", path=PYODIDE / name)
    add("viz-global.js", "graphviz", content=wasm.library().encode("utf-8"))
    add("render.js", "render", content=wasm.RENDER_JS.encode("utf-8"))
    for wheel in pinned_wheels():
        add(f"wheels/{wheel.name}", "wheel", path=wheel)
    name, data = pure_wheel()
    add(f"wheels/{name}", "wheel", content=data)
    add("runner.py", "runner", path=PLAYGROUND / "runner.py")
    lock = json.loads((PYODIDE / "pyodide-lock.json").read_text(encoding="utf-8"))
    version = json.loads((PYODIDE / "package.json").read_text(encoding="utf-8"))["version"]
    manifest = {
        "pyodide": version,
        "python": lock["info"]["python"],
        "files": loads,
        "examples": examples(),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=1)
    added.append(File.generated(config, "playground/files.json", content=text))
    for name, source in CODEMIRROR_FILES.items():  # the page's own <script> and <link> tags
        path = str(CODEMIRROR / source)
        added.append(File.generated(config, f"playground/codemirror/{name}", abs_src_path=path))
    return added


def command_help(command: str) -> str:
    """What ``command --help`` prints, run from the checkout at a fixed width."""
    env = {**os.environ, "COLUMNS": "88", "CHAINRULE_PURE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "chainrule", *command.split()[1:], "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise PluginError(f"`{command} --help` failed: {done.stderr.strip()[-500:]}")
    return done.stdout.replace("python -m chainrule", "chainrule")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """Put the command's help text where a page asks for it."""
    return HELP.sub(lambda m: f"```text\n$ {m[1]} --help\n{command_help(m[1])}```", markdown)


def external(script: str) -> bool:
    """A script that loads from outside the site: nbconvert's MathJax (``src=""`` when
    no address is configured) and its Mermaid loader (a CDN address)."""
    return 'src=""' in script or "https://" in script or "http://" in script


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """No script from the notebook's template that loads from outside the site; the
    notebook's links to pages (``notes.md``, which Jupyter follows) go to their HTML."""
    html = SCRIPT.sub(lambda m: "" if external(m[0]) else m[0], html)
    if page.file.src_uri.endswith(".ipynb"):
        html = PAGE_LINK.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', html)
    return html
