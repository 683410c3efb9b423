"""The native build: chosen only when it was compiled from the source as it is, one Value class.

The selection tests run ``import autograd`` in a fresh process on a copy of the
package in a temporary folder, so that nothing in the tree is edited.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import autograd
import nn.module
import viz.graph
from autograd import engine
from autograd._select import ENV, stale

PACKAGE = Path(autograd.__file__).resolve().parent
NATIVE_REASON = stale(PACKAGE)  # "" when this tree holds a native build matching its source
needs_native = pytest.mark.skipif(
    bool(NATIVE_REASON), reason=f"needs the native build in the tree: {NATIVE_REASON}"
)

# Which build runs, and whether each name of the engine is the same module.
REPORT = """
import json, sys, autograd, autograd.engine
import autograd._native.engine as native_name
print(json.dumps({
    "build": autograd.BUILD,
    "reason": autograd.BUILD_REASON,
    "one_class": autograd.engine is native_name is sys.modules["autograd.engine"]
    and autograd.Value is autograd.engine.Value is native_name.Value,
    "file": autograd.engine.__file__,
}))
"""

# A sample of ops, inf and nan among the inputs: values, gradients and a second derivative.
SAMPLE = """
import json, math
from autograd import Value, grad, wsum
rows = []
for a, b in [(0.5, 2.0), (-1.5, 3.0), (0.0, 0.0), (49.0, 49.0), (1e308, 1e-308),
             (math.inf, -2.0), (math.nan, 1.0), (-0.0, 5e-324)]:
    x, y = Value(a, "x"), Value(b, "y")
    outs = [x + y, x - y, x * y, x / y, y - 3.0, 2.0 / x, x ** 2.0, x ** y, x.exp(),
            x.log(), x.sigmoid(), x.tanh(), x.relu(), wsum([x, y], [y, 1.0], x)]
    loss = outs[0]
    for out in outs[1:]:
        loss = loss + out
    loss.backward()
    (dx,) = grad(x * x * y, [x], create_graph=True)
    (d2x,) = grad(dx, [x])
    rows.append([repr(v) for v in (*[o.data for o in outs], x.grad, y.grad, dx.data, d2x.data)])
print(json.dumps(rows))
"""


def run(code: str, root: Path, pure: bool = False) -> str:
    """Run ``code`` in a fresh Python whose ``autograd`` is the one in ``root``; its output."""
    env = {k: v for k, v in os.environ.items() if k != ENV}
    env["PYTHONPATH"] = str(root)
    if pure:
        env[ENV] = "1"
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def copy_package(tmp_path: Path) -> Path:
    """A copy of autograd, native build included, as ``tmp_path/autograd``."""
    shutil.copytree(PACKAGE, tmp_path / "autograd", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "autograd"


def report(root: Path, pure: bool = False) -> dict[str, object]:
    result: dict[str, object] = json.loads(run(REPORT, root, pure))
    assert str(result["file"]).startswith(str(root)), "the copy must be what is imported"
    return result


def test_one_value_class_whichever_build_runs() -> None:
    native_name = sys.modules["autograd._native.engine"]
    compiler = sys.modules["autograd.compile"]
    assert sys.modules["autograd.engine"] is native_name is engine
    imported = [vars(module)["Value"] for module in (compiler, nn.module, viz.graph)]
    assert all(cls is autograd.Value is engine.Value for cls in imported)
    assert type(nn.Neuron(2).parameters()[0]) is autograd.Parameter is engine.Parameter
    assert autograd.Parameter.__base__ is autograd.Value
    assert autograd.BUILD in ("native", "pure")
    assert autograd.BUILD_REASON


@needs_native
def test_an_unchanged_copy_runs_native(tmp_path: Path) -> None:
    copy_package(tmp_path)
    result = report(tmp_path)
    assert result["build"] == "native", result["reason"]
    assert result["one_class"]
    assert ".so" in str(result["file"]) or ".pyd" in str(result["file"])


@needs_native
def test_an_edit_after_the_build_runs_the_source(tmp_path: Path) -> None:
    package = copy_package(tmp_path)
    with (package / "engine.py").open("a", encoding="utf-8") as source:
        source.write("\nEDITED_AFTER_THE_BUILD = True\n")
    result = report(tmp_path)
    assert result["build"] == "pure"
    assert result["reason"] == (
        "stale native build: engine.py changed since it was compiled (run make native)"
    )
    assert str(result["file"]).endswith("engine.py")
    assert result["one_class"]  # the stale native module is never loaded


def test_the_environment_variable_forces_the_source(tmp_path: Path) -> None:
    copy_package(tmp_path)
    result = report(tmp_path, pure=True)
    assert result["build"] == "pure"
    assert result["reason"] == f"{ENV}=1 is set"
    assert str(result["file"]).endswith("engine.py")
    assert result["one_class"]


def test_no_native_build_runs_the_source_and_says_so(tmp_path: Path) -> None:
    package = copy_package(tmp_path)
    (package / "_native" / "sources.json").unlink(missing_ok=True)
    result = report(tmp_path)
    assert result["build"] == "pure"
    assert str(result["reason"]).startswith("no native build")


@needs_native
def test_both_builds_give_the_same_numbers(tmp_path: Path) -> None:
    copy_package(tmp_path)
    native, pure = run(SAMPLE, tmp_path), run(SAMPLE, tmp_path, pure=True)
    assert json.loads(native) == json.loads(pure)
    assert len(json.loads(native)) == 8


class Scaled(autograd.Value):
    """A user's subclass, interpreted even when Value is compiled."""

    def doubled(self) -> autograd.Value:
        return self * 2.0


def test_an_interpreted_subclass_of_value_works_on_either_build() -> None:
    x = Scaled(1.5, "x")
    y = x.doubled() * x
    y.backward()
    assert isinstance(x, autograd.Value)
    assert (y.data, x.grad) == (4.5, 6.0)
    assert type(y) is autograd.Value  # ops build plain Values


def test_a_leaf_survives_pickling_on_either_build() -> None:
    x = autograd.Value(2.5, "x")
    x.grad = 0.75
    copy = pickle.loads(pickle.dumps(x))
    assert type(copy) is autograd.Value
    assert (copy.data, copy.grad, copy.label) == (2.5, 0.75, "x")
