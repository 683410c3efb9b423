"""Packaging: one import, a foreign autograd/nn/viz named, the wheel and sdist as shipped,
and their long description: the README with absolute links (setup.py's absolute_links)."""

from __future__ import annotations

import doctest
import email.parser
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from types import ModuleType

import pytest

import chainrule

ROOT = Path(__file__).resolve().parent.parent
OURS = ["autograd", "nn", "viz", "chainrule"]
LICENCES = ("LICENSE-viz-js", "LICENSE-graphviz", "LICENSE-expat")
HIPS = '"""A stand-in for HIPS autograd: grad, no Value."""\n\ndef grad(f):\n    return f\n'


def python(
    *args: str, path: Path | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
        timeout=300,
    )


def test_one_import_gives_the_everyday_names() -> None:
    import autograd
    import nn
    import viz

    assert chainrule.Value is autograd.Value
    assert chainrule.MLP is nn.MLP
    assert chainrule.fit is nn.fit
    assert chainrule.draw is viz.draw
    assert chainrule.chain_rule is viz.chain_rule
    assert all(hasattr(chainrule, name) for name in chainrule.__all__)
    assert re.fullmatch(r"\d+\.\d+\.\d+", chainrule.__version__)


def foreign_cases(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Two ways to get HIPS autograd instead of ours: a folder ahead on the path, and an
    install over ours in the same site directory."""
    shadow = tmp_path / "shadow"
    (shadow / "autograd").mkdir(parents=True)
    (shadow / "autograd" / "__init__.py").write_text(HIPS)
    site = tmp_path / "site"
    for name in OURS:
        shutil.copytree(ROOT / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "_chainrule_files.py", site)
    (site / "autograd" / "__init__.py").write_text(HIPS)  # what `pip install autograd` does
    return {
        "shadowing": (
            shadow,
            f"Python imports 'autograd' from {shadow / 'autograd'}, which is not chainrule's",
        ),
        "installed over": (
            site,
            "(it has no Value): another project of that name, such as HIPS autograd, was "
            "installed over it; fix it with: pip install --force-reinstall chainrule",
        ),
    }


@pytest.mark.parametrize("case", ["shadowing", "installed over"])
def test_a_foreign_autograd_is_named_in_one_sentence(tmp_path: Path, case: str) -> None:
    path, message = foreign_cases(tmp_path)[case]
    # run outside this checkout: python -c and -m put the working directory first
    done = python("-c", "import chainrule\nfrom chainrule import Value", path=path, cwd=tmp_path)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("chainrule._packages.ForeignPackageError: chainrule cannot start: ")
    assert message in last
    done = python("-m", "chainrule", "grad", "x*x", "x=1", path=path, cwd=tmp_path)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("chainrule: error: chainrule cannot start: ")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_a_healthy_install_reports_no_foreign_package() -> None:
    assert chainrule.foreign_package() is None
    done = python("-c", "import chainrule; print(chainrule.foreign_package())")
    assert done.stdout == "None\n"


def test_every_relative_link_of_the_readme_is_a_file_of_the_checkout() -> None:
    # The README's links are relative, so they work in a checkout, on a code host and in the
    # sdist (which carries docs/, bench/ and LICENSE); none points at a repository address.
    # The package's long description is made from it with absolute links (setup.py).
    text = (ROOT / "README.md").read_text()
    targets = re.findall(r"\]\(([^)]+)\)", text)
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert images  # one picture
    assert len(targets) >= 10  # the pages of docs/
    for target in targets:
        assert "://" not in target, target
        path = target.split("#")[0]
        assert (ROOT / path).exists(), f"README.md links to {target}, which is not in the checkout"
    assert len(text.splitlines()) <= 200


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The wheel and the sdist of this checkout, built once for this module's tests."""
    # the wheel is built from the sdist (python -m build's default): the sdist is complete
    out = tmp_path_factory.mktemp("dist")
    readme = (ROOT / "README.md").read_bytes()
    done = python("-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (ROOT / "README.md").read_bytes() == readme  # the build leaves it as it is
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return wheel, sdist


@pytest.mark.packaging
def test_the_wheel_and_sdist_ship_the_license_and_the_sdist_runs_its_tests(
    tmp_path: Path, dist: tuple[Path, Path]
) -> None:
    wheel, sdist = dist
    version = chainrule.__version__
    # with a C compiler the engine is compiled (a wheel for this platform), else pure Python
    native = not wheel.name.endswith("-py3-none-any.whl")
    assert wheel.name.startswith(f"chainrule-{version}-")

    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        info = f"chainrule-{version}.dist-info"
        metadata = archive.read(f"{info}/METADATA").decode()
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert f"{info}/licenses/LICENSE" in names
    assert {
        "_chainrule_files.py",
        "chainrule/cli.py",
        "chainrule/py.typed",
        "viz/plots.py",
    } <= names
    assert not any(n.startswith("tests/") for n in names)
    vendored = {  # Graphviz compiled to WebAssembly (viz.wasm) and its licences
        f"viz/_vendor/{name}" for name in ("viz-global.js", "README.md", *LICENCES)
    }
    assert vendored <= names
    with zipfile.ZipFile(wheel) as archive:
        shipped = archive.read("viz/_vendor/viz-global.js")
    assert shipped == (ROOT / "viz/_vendor/viz-global.js").read_bytes()
    # the compiled modules sit beside their sources, named like them (and mypyc's library)
    compiled = sorted(n.split(".")[0] for n in names if n.endswith((".so", ".pyd")))
    modules = ["engine", "functions", "ieee", "methods", "modes", "ops", "rule", "value"]
    engine = sorted(["chainrule__mypyc", *modules])
    assert compiled == ([f"autograd/{m}" for m in engine] if native else [])
    assert {f"autograd/{m}.py" for m in modules} <= names
    assert "License-Expression: MIT" in metadata
    assert "Classifier: Development Status :: 3 - Alpha" in metadata
    assert "Project-URL: Source, https://github.com/chainrule/chainrule" in metadata
    requires = sorted(re.findall(r"^Requires-Dist: (\S+)(?!.*extra ==)$", metadata, re.MULTILINE))
    assert requires == ["graphviz>=0.20", "tqdm>=4.64"]  # pytest and mypy are the dev extra's
    assert "chainrule = chainrule.cli:main" in entry_points

    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    (unpacked,) = (tmp_path / "src").iterdir()
    for needed in (
        "LICENSE",
        "tests/conftest.py",
        "tests/strategies.py",
        "pyproject.toml",
        "viz/_vendor/viz-global.js",
        *(f"viz/_vendor/{name}" for name in LICENCES),
    ):
        assert (unpacked / needed).is_file(), needed
    # its tests import its own packages, not this checkout's
    where = python(
        "-c", "import autograd, chainrule; print(autograd.__file__)", path=unpacked, cwd=tmp_path
    )
    assert where.stdout.startswith(str(unpacked))
    collected = python(
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        path=unpacked,
        cwd=unpacked,
    )
    assert collected.returncode == 0, collected.stdout[-2000:]
    assert re.search(r"^(\d{3,}) tests collected", collected.stdout, re.MULTILINE)
    ran = python(
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/autograd/test_engine.py",
        "tests/nn/test_nn_module.py",
        "tests/autograd/test_properties_graphs.py",
        "README.md",
        path=unpacked,
        cwd=unpacked,
    )
    assert ran.returncode == 0, ran.stdout[-2000:]
    assert re.search(r"\d+ passed", ran.stdout)


REPOSITORY = "https://github.com/chainrule/chainrule"  # pyproject's Homepage
# a link or picture of Markdown, [text](target) or ![alt](target)
LINK = re.compile(r"(!?)\[[^\]]*\]\(([^)]+)\)")


def setup_py() -> ModuleType:
    """setup.py as a module: its functions, without running the build."""
    spec = importlib.util.spec_from_file_location("setup", ROOT / "setup.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # __name__ is "setup", so setup() does not run
    return module


# These import setup.py, so they need setuptools: with the packaging tests, not where the
# wheels' tests run (cibuildwheel installs no build tools there).
@pytest.mark.packaging
@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("see [Notes](docs/notes.md).", f"see [Notes]({REPOSITORY}/blob/main/docs/notes.md)."),
        ("![a graph](docs/graph.svg)", f"![a graph]({REPOSITORY}/raw/main/docs/graph.svg)"),
        ("[Install](#install)", "[Install](#install)"),
        ("[x](https://example.org/a.md)", "[x](https://example.org/a.md)"),
        ("[mail](mailto:a@example.org)", "[mail](mailto:a@example.org)"),
        ("[eq](docs/notes.md#eq-3)", f"[eq]({REPOSITORY}/blob/main/docs/notes.md#eq-3)"),
        ("[n](./docs/api/../notes.md)", f"[n]({REPOSITORY}/blob/main/docs/notes.md)"),
        ("[docs/](docs/)", f"[docs/]({REPOSITORY}/tree/main/docs/)"),
        ("[`nn`](docs/api/nn.md)", f"[`nn`]({REPOSITORY}/blob/main/docs/api/nn.md)"),
        (
            "two\n[a](LICENSE) [b](bench/RESULTS.md)\n",
            f"two\n[a]({REPOSITORY}/blob/main/LICENSE) "
            f"[b]({REPOSITORY}/blob/main/bench/RESULTS.md)\n",
        ),
        (
            "```py\nf[0](x)\n```\n[a](LICENSE)",
            f"```py\nf[0](x)\n```\n[a]({REPOSITORY}/blob/main/LICENSE)",
        ),
    ],
)
def test_absolute_links_makes_each_relative_link_a_url_in_the_repository(
    markdown: str, expected: str
) -> None:
    assert setup_py().absolute_links(markdown, REPOSITORY + "/") == expected


@pytest.mark.packaging
@pytest.mark.parametrize("target", ["../x.md", "docs/../../x.md", "..", "/../x.md"])
def test_a_link_out_of_the_repository_is_refused(target: str) -> None:
    with pytest.raises(ValueError, match=r"points outside the repository") as caught:
        setup_py().absolute_links(f"see [x]({target})", REPOSITORY)
    assert f"[x]({target})" in str(caught.value)


@pytest.mark.packaging
def test_the_examples_of_setup_py_pass() -> None:
    # pytest's --doctest-modules never collects a setup.py: its examples run here
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    failed, attempted = doctest.testmod(setup_py(), optionflags=flags)
    assert failed == 0
    assert attempted >= 6


def test_the_readme_links_only_in_the_forms_setup_py_makes_absolute() -> None:
    # inline links and pictures; no reference-style definitions ([id]: path) and no HTML
    # links or pictures, which would reach the package index unchanged
    text = (ROOT / "README.md").read_text()
    assert LINK.findall(text)
    assert not re.search(r"^ {0,3}\[[^\]]+\]:", text, re.MULTILINE)
    assert not re.search(r"<(a|img)\b", text, re.IGNORECASE)


@pytest.mark.packaging
def test_the_long_description_is_the_readme_with_links_to_the_repositorys_files(
    tmp_path: Path, dist: tuple[Path, Path]
) -> None:
    wheel, sdist = dist
    with zipfile.ZipFile(wheel) as archive:
        name = f"chainrule-{chainrule.__version__}.dist-info/METADATA"
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path, filter="data")
    (unpacked,) = tmp_path.iterdir()
    pkg_info = email.parser.Parser().parsestr((unpacked / "PKG-INFO").read_text())
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert f"Project-URL: Homepage, {REPOSITORY}" in str(metadata)
    description = metadata.get_payload()
    assert isinstance(description, str)
    assert pkg_info.get_payload() == description  # the sdist's metadata says the same
    readme = (ROOT / "README.md").read_text()
    assert (unpacked / "README.md").read_text() == readme  # the sdist's README: relative

    links = LINK.findall(description)
    assert len(links) == len(LINK.findall(readme)) >= 10
    files = []
    for bang, url in links:
        assert url.startswith(f"{REPOSITORY}/"), f"the description has a relative link: {url}"
        view, _, path = url.removeprefix(f"{REPOSITORY}/").partition("/main/")
        path = path.split("#")[0]
        if path.endswith("/"):  # a folder: its listing
            assert (view, (ROOT / path).is_dir()) == ("tree", True), url
            continue
        assert view == ("raw" if bang else "blob"), url  # pictures raw, pages in the file view
        assert (ROOT / path).is_file(), f"the description links to {url}: no {path} here"
        files.append(path)
    assert "docs/graph.svg" in files
    assert {"docs/getting-started.md", "bench/RESULTS.md", "docs/api/autograd.md"} <= set(files)
    # nothing else changed: with the repository's address taken out, it is the README
    assert re.sub(re.escape(REPOSITORY) + "/(blob|raw|tree)/main/", "", description) == readme
