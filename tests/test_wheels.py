"""The wheels: the pure one is ``py3-none-any`` without compiled code and runs the pure engine
when installed; the checks of ``make wheels`` (tests/wheelcheck.py) catch a wrong wheel."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from wheelcheck import ROOT, WheelError, build, check_contents, install, run_installed

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
        ("x-1-py3-none-any.whl", ["autograd/_native/engine.so"], "pure", "carries compiled"),
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
    so = "autograd/_native/engine.cpython-311-x86_64-linux-gnu.so"
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
