"""The site's four additions to MkDocs (mkdocs.yml's ``hooks:``), each small:

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
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
KATEX = ROOT / "tests" / "browser" / "node_modules" / "katex" / "dist"
KATEX_FILES = ["katex.min.js", "katex.min.css", "contrib/auto-render.min.js"]

HELP = re.compile(r"<!-- (chainrule(?: \w+)?) --help -->")
SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.S)
PAGE_LINK = re.compile(r'href="([\w./-]+)\.md(#[^"]*)?"')
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
    """Add KaTeX's script, style and fonts to the site, from tests/browser/node_modules."""
    if not (KATEX / "katex.min.js").is_file():
        raise PluginError(
            f"KaTeX is missing ({KATEX.relative_to(ROOT)}): the site ships it to render the "
            "math offline; install it with `make browser` (npm ci --prefix tests/browser)"
        )
    fonts = sorted(p.relative_to(KATEX).as_posix() for p in (KATEX / "fonts").glob("*.woff2"))
    for name in [*KATEX_FILES, *fonts]:
        files.append(File.generated(config, f"katex/{name}", abs_src_path=str(KATEX / name)))
    return files


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
