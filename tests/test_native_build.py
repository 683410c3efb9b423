"""The native build: the compiled modules of a native wheel, imported in place of the source.

``make test`` runs this file twice: from the checkout (the source, the pure build)
and with the native wheel installed into ``.venv-native``. The tests that compare
the builds run in the second; each runs ``import autograd`` in a fresh process,
from the installed wheel or from this checkout's source.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

import autograd
import nn.module
import viz.graph
from autograd import engine, functions, ieee, methods, modes, ops, rule, value

ROOT = Path(__file__).resolve().parent.parent
# setup.py's ENGINE: the engine and everything it calls per op
NAMES = ("ieee", "rule", "functions", "ops", "modes", "methods", "value", "engine")
COMPILED = (ieee, rule, functions, ops, modes, methods, value, engine)
SITE = Path(sysconfig.get_path("platlib"))  # where this interpreter installs compiled packages
NATIVE = autograd.BUILD == "native"
needs_native = pytest.mark.skipif(
    not NATIVE,
    reason=f"needs the native wheel installed (make test's native run): {autograd.BUILD_REASON}",
)

# Which build runs, from where.
REPORT = """
import importlib, json, autograd
NAMES = ("ieee", "rule", "functions", "ops", "modes", "methods", "value", "engine")
print(json.dumps({
    "build": autograd.BUILD,
    "reason": autograd.BUILD_REASON,
    "files": [importlib.import_module(f"autograd.{m}").__file__ for m in NAMES],
    "package": autograd.__file__,
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


def run(code: str, source: bool, tmp_path: Path, **env: str) -> str:
    """Run ``code`` in a fresh Python like this one: on this checkout's source when
    ``source``, else on the autograd this interpreter has installed (``-I``: from a
    folder outside the checkout, no PYTHONPATH)."""
    environ = {**os.environ, **env}
    args = [sys.executable, "-c", code] if source else [sys.executable, "-I", "-c", code]
    proc = subprocess.run(
        args,
        cwd=ROOT if source else tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_one_value_class_and_the_build_names_what_was_imported() -> None:
    compiler = sys.modules["autograd.compile"]
    imported = [vars(module)["Value"] for module in (compiler, nn.module, viz.graph)]
    assert all(cls is autograd.Value is engine.Value for cls in imported)
    assert type(nn.Neuron(2).parameters()[0]) is autograd.Parameter is engine.Parameter
    assert autograd.Parameter.__base__ is autograd.Value
    compiled = [str(m.__file__).endswith(tuple(EXTENSION_SUFFIXES)) for m in COMPILED]
    assert compiled == [NATIVE] * len(COMPILED)
    assert autograd.BUILD in ("native", "pure")


def test_this_checkout_runs_its_source_whatever_is_installed(tmp_path: Path) -> None:
    result = json.loads(run(REPORT, True, tmp_path))
    assert result["build"] == "pure"
    assert result["reason"] == (
        f"the source in {ROOT / 'autograd'}; the compiled engine comes in a native wheel"
    )
    assert result["files"] == [str(ROOT / "autograd" / f"{m}.py") for m in NAMES]


@needs_native
def test_the_native_build_is_the_installed_wheels_compiled_modules(tmp_path: Path) -> None:
    result = json.loads(run(REPORT, False, tmp_path))
    assert result["build"] == "native"
    assert result["reason"] == "compiled by mypyc: " + ", ".join(f"autograd.{m}" for m in NAMES)
    package = Path(result["package"]).parent
    assert package == SITE / "autograd"  # the wheel's, not the checkout's
    for name, file in zip(NAMES, result["files"], strict=True):
        assert Path(file).name.startswith(f"{name}.")
        assert Path(file).suffix in (".so", ".pyd")  # (mypyc's __file__ has one autograd/ more)
        assert (package / Path(file).name).is_file()
        assert (package / f"{name}.py").is_file()  # the source ships beside it


@needs_native
def test_the_environment_variable_says_it_acts_only_when_building(tmp_path: Path) -> None:
    result = json.loads(run(REPORT, False, tmp_path, CHAINRULE_PURE="1"))
    assert result["build"] == "native"
    assert result["reason"].endswith("; CHAINRULE_PURE acts when a wheel is built, not here")


@needs_native
def test_both_builds_give_the_same_numbers(tmp_path: Path) -> None:
    native, pure = run(SAMPLE, False, tmp_path), run(SAMPLE, True, tmp_path)
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
