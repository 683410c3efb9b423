"""Packaging: one import, a foreign autograd/nn/viz named, the wheel and sdist as shipped."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

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
    # The README is the package's long description too (pyproject's readme): its links are
    # relative, so they work in a checkout, on a code host and in the sdist (which carries
    # docs/, bench/ and LICENSE); none points at a repository address.
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


@pytest.mark.packaging
def test_the_wheel_and_sdist_ship_the_license_and_the_sdist_runs_its_tests(tmp_path: Path) -> None:
    # the wheel is built from the sdist (python -m build's default): the sdist is complete
    done = python("-m", "build", "--no-isolation", "--outdir", str(tmp_path / "dist"), str(ROOT))
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = (tmp_path / "dist").glob("*.whl")
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
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
