"""The documentation's files, without building the site (tests/test_docs_site.py builds it).

- docs/ holds no path of the machine that generated it (the checkout's, a home folder's).
- ``chainrule demo`` prints every file it wrote the same way, relative to where it was
  asked to write; the transcript in docs/ says so, and the pages count its files right.
- Every page is in mkdocs.yml's navigation, every relative link of a page resolves, and
  every Python example of a page is a doctest (``pytest`` collects docs/*.md), except the
  one PyTorch block that tests/autograd/test_compile_layers.py runs.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

from chainrule.cli import main

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
INSTALLED = "node_modules"  # docs/playground/node_modules: npm's, not the project's pages
PAGES = sorted(p for p in DOCS.rglob("*.md") if INSTALLED not in p.parts)
TEXT = {".md", ".txt", ".svg", ".html", ".json", ".ipynb", ".py", ".js", ".yml"}
DEMO_FILES = ["graph.svg", "chain-rule.svg", "backprop.html", "loss.svg", "model.json"]


def machine_paths() -> list[str]:
    """Paths that would only be in a file generated on this machine."""
    paths = {str(ROOT), str(Path.home()), ROOT.as_uri(), sys.prefix, sys.base_prefix}
    return sorted(p for p in paths if p not in ("/", "/usr", "file:///"))


HOME = re.compile(r"(?<![\w.])/(?:home|Users)/[\w.-]+/|[A-Z]:\\Users\\|site-packages/")


def test_docs_hold_no_path_of_the_machine_that_made_them() -> None:
    checked = 0
    for path in sorted(DOCS.rglob("*")):
        if path.suffix not in TEXT or {"__pycache__", INSTALLED} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        for machine in machine_paths():
            assert machine not in text, f"{path.relative_to(ROOT)} contains {machine}"
        assert not HOME.search(text), f"{path.relative_to(ROOT)}: {HOME.search(text)}"
        checked += 1
    assert checked > 20  # the pages, the pictures, the transcript


def test_the_demo_prints_each_path_relative_to_where_it_was_asked_to_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo", "--steps", "5", "--out", "pictures"]) == 0
    out = capsys.readouterr().out
    wrote = out[out.index("wrote:\n") + len("wrote:\n") :].splitlines()
    assert wrote == [f"  pictures/{name}" for name in DEMO_FILES]
    assert sorted(p.name for p in (tmp_path / "pictures").iterdir()) == sorted(DEMO_FILES)


def test_the_transcript_and_the_pages_say_which_files_the_demo_writes() -> None:
    transcript = (DOCS / "demo-output.txt").read_text(encoding="utf-8")
    wrote = transcript[transcript.index("wrote:\n") + len("wrote:\n") :].split()
    assert wrote == [f"docs/{name}" for name in DEMO_FILES]  # `make docs`: --out docs
    for page in (ROOT / "README.md", DOCS / "getting-started.md"):
        text = " ".join(page.read_text(encoding="utf-8").split())
        assert "writes five files into `out/`" in text, page.name
        for name in DEMO_FILES:
            assert f"`{name}`" in text, (page.name, name)


def nav_entries() -> list[str]:
    """The files mkdocs.yml's nav names, relative to docs/."""
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    nav = config[config.index("\nnav:\n") : config.index("\ntheme:")]
    return re.findall(r"^\s+- (?:[^:\n]+: )?(\S+\.(?:md|ipynb))$", nav, flags=re.M)


def test_every_page_is_in_the_navigation_and_every_entry_is_a_page() -> None:
    entries = nav_entries()
    assert len(entries) == len(set(entries))
    pages = {p.relative_to(DOCS).as_posix() for p in PAGES} | {"tutorial.ipynb"}
    assert set(entries) == pages


def test_every_relative_link_of_a_page_is_a_file() -> None:
    links = 0
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if "://" in target or target.startswith("#"):
                continue
            path = (page.parent / re.split(r"[#?]", target)[0]).resolve()  # ?example=xor
            assert path.is_file(), f"{page.relative_to(ROOT)} links to {target}: no such file"
            links += 1
    assert links > 40


def test_every_python_example_of_a_page_is_a_doctest() -> None:
    fences: dict[str, list[tuple[str, str]]] = {}
    for page in [ROOT / "README.md", *PAGES]:
        text = page.read_text(encoding="utf-8")
        for language, body in re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.M | re.S):
            fences.setdefault(language, []).append((page.name, body))
            if language == "pycon":
                assert body.startswith(">>> "), page.name
    assert len(fences["pycon"]) > 20
    assert set(fences) <= {"pycon", "python", "sh", "text"}
    # the one block that is not a doctest needs PyTorch (tests/autograd/test_compile_layers.py)
    assert [(name, body.split("\n")[0]) for name, body in fences["python"]] == [
        ("compiling.md", "import torch")
    ]


def test_the_api_reference_fences_each_docstring_example() -> None:
    pytest.importorskip("griffe", reason="the docs extra (mkdocstrings) is not installed")
    spec = importlib.util.spec_from_file_location("griffe_doctests", DOCS / "griffe_doctests.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    from viz.explain import explain

    docstring = explain.__doc__  # viz is never compiled: its docstrings are the source's
    assert docstring is not None
    assert ">>>" in docstring
    fenced = module.fence_examples(docstring)
    inside = False
    for line in fenced.splitlines():
        if line.strip().startswith("```"):
            inside = not inside
        elif line.strip().startswith(">>>"):
            assert inside, line
    assert not inside
    text = "Adds. See :func:`viz.draw` and :class:`~nn.MLP`."
    assert module.ROLE.sub(r"`\1`", text) == "Adds. See `viz.draw` and `nn.MLP`."
