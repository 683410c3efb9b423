"""The wheels: the pure one is ``py3-none-any`` without compiled code and runs the pure engine
when installed, and so does a build without a C compiler; an editable install runs the
source; the checks of ``make wheels`` (tests/wheelcheck.py) catch a wrong wheel."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest
from wheelcheck import (
    ROOT,
    WheelError,
    build,
    check_contents,
    install,
    new_venv,
    program,
    run,
    run_installed,
)

import chainrule

ENGINE = ("engine", "modes", "ops")  # the modules the native wheel compiles


def fake_wheel(path: Path, *names: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name in names:
            archive.writestr(name, "")
    return path


@pytest.mark.parametrize(
    ("name", "files", "kind", "complaint"),
    [
        ("x-1-cp311-cp311-linux_x86_64.whl", ["autograd/engine.py"], "pure", "not tagged"),
        ("x-1-py3-none-any.whl", ["autograd/engine.abi3.so"], "pure", "carries compiled"),
        ("x-1-py3-none-any.whl", ["autograd/engine.c"], "pure", "carries compiled"),
        ("x-1-cp311-cp311-linux_x86_64.whl", ["autograd/engine.py"], "native", "no compiled"),
        ("x-1-py3-none-any.whl", ["autograd/engine.so"], "native", "no compiled"),
    ],
)
def test_a_wrong_wheel_is_named_with_what_is_wrong(
    tmp_path: Path, name: str, files: list[str], kind: str, complaint: str
) -> None:
    wheel = fake_wheel(tmp_path / name, *files)
    with pytest.raises(WheelError, match=complaint) as caught:
        check_contents(wheel, kind)
    assert wheel.name in str(caught.value)


def test_right_wheels_pass_the_contents_check(tmp_path: Path) -> None:
    so = "autograd/engine.cpython-311-x86_64-linux-gnu.so"
    check_contents(fake_wheel(tmp_path / "x-1-cp311-cp311-linux_x86_64.whl", so), "native")
    check_contents(fake_wheel(tmp_path / "x-1-py3-none-any.whl", "autograd/engine.py"), "pure")


def test_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"kind must be one of \('native', 'pure'\); got 'fast'"):
        build("fast", tmp_path)


@pytest.mark.packaging
def test_the_pure_wheel_installs_into_a_new_venv_and_runs_the_pure_engine(tmp_path: Path) -> None:
    wheel = build("pure", tmp_path / "dist")
    assert wheel.name == f"chainrule-{chainrule.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        tags = archive.read(f"chainrule-{chainrule.__version__}.dist-info/WHEEL").decode()
    assert "Root-Is-Purelib: true" in tags
    assert "Tag: py3-none-any" in tags
    assert {f"autograd/{m}.py" for m in ENGINE} <= names
    assert not [n for n in names if n.endswith((".so", ".pyd", ".c", ".json"))]
    # every Python file of the packages is shipped, and nothing from tests/ or bench/
    shipped = {n for n in names if n.endswith(".py")}
    sources = {
        str(p.relative_to(ROOT))
        for package in ("autograd", "nn", "viz", "chainrule")
        for p in (ROOT / package).rglob("*.py")
    }
    assert shipped == sources | {"_chainrule_files.py"}

    install(wheel, tmp_path / "venv")
    said = run_installed(tmp_path / "venv", "pure", tmp_path)  # from the venv; the demo's files
    assert said.startswith("chainrule demo wrote ")
    assert "autograd.BUILD = pure" in said
    with pytest.raises(WheelError, match="the native wheel runs the pure engine"):
        run_installed(tmp_path / "venv", "native", tmp_path)


@pytest.mark.packaging
@pytest.mark.skipif(not Path("/bin/false").is_file(), reason="needs /bin/false as the C compiler")
def test_without_a_c_compiler_the_wheel_is_pure_and_the_build_says_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # mypyc writes the C code, then the "compiler" fails
    wheel = build("native", tmp_path, check=False, extra={"CC": "/bin/false"})
    said = capsys.readouterr().out
    assert said.startswith("chainrule: compiling the engine failed (")
    assert said.rstrip().endswith("; the engine is pure Python")
    assert wheel.name == f"chainrule-{chainrule.__version__}-py3-none-any.whl"
    check_contents(wheel, "pure")


# What an installed chainrule says of itself: its build and where its engine is.
REPORT = (
    "import json, autograd, autograd.engine; "
    "print(json.dumps([autograd.BUILD, autograd.BUILD_REASON, autograd.engine.__file__]))"
)


@pytest.mark.packaging
def test_an_editable_install_compiles_nothing_and_runs_the_source(tmp_path: Path) -> None:
    before = sorted((ROOT / "autograd").glob("*.so"))
    venv = tmp_path / "venv"
    pip = new_venv(venv, borrow=True)  # it sees setuptools, and builds with it; -vv
    # (after new_venv's -q) shows what setup.py says
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_PURE"}  # not a pure build
    said = run([*pip, "-vv", "--no-deps", "--no-build-isolation", "-e", str(ROOT)], env=env)
    assert "chainrule: an editable or in-place build runs the source" in said
    assert sorted((ROOT / "autograd").glob("*.so")) == before  # nothing beside the source
    # -I: from no folder in particular, as an installed program runs
    python = str(program(venv, "python"))
    build_, reason, engine = json.loads(run([python, "-I", "-c", REPORT], cwd=tmp_path))
    assert build_ == "pure"
    assert reason == (
        f"the source in {ROOT / 'autograd'}; the compiled engine comes in a native wheel"
    )
    assert engine == str(ROOT / "autograd" / "engine.py")
