"""Drawings never hang: the layout's cost is bounded first, dot runs with a time limit."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import viz.drawing
from autograd import Value
from viz import GraphTooLargeError, RenderError, chain_rule, draw, plot_decision_boundary, plot_loss
from viz.drawing import MAX_LAYOUT_COST, layout_cost, render


def repeated_sum(terms: int) -> Value:
    x = Value(1.0, "x")
    f = x
    for _ in range(terms - 1):
        f = f + x
    return f


def test_a_value_used_down_a_long_chain_costs_about_n_squared() -> None:
    chain = [(i, i + 1, False) for i in range(99)]
    assert layout_cost(100, chain) == 199
    fan = chain + [(0, i, False) for i in range(2, 100)]  # node 0 feeds every later node
    assert layout_cost(100, fan) == 100 + len(fan) + sum(range(1, 99))  # edge (0, i) crosses i - 1
    labelled = [(t, h, True) for t, h, _ in fan]
    assert layout_cost(100, labelled) > 16 * layout_cost(100, fan) // 2


@pytest.mark.parametrize(("make", "terms"), [(chain_rule, 80), (draw, 400)])
def test_the_issues_sums_are_refused_before_dot_runs(make: object, terms: int) -> None:
    started = time.monotonic()
    with pytest.raises(GraphTooLargeError, match="laying the graph out costs about") as caught:
        make(repeated_sum(terms))  # type: ignore[operator]
    assert caught.value.count > MAX_LAYOUT_COST
    assert "draw a smaller part" in str(caught.value)
    assert time.monotonic() - started < 2
    make(repeated_sum(terms), max_nodes=None)  # type: ignore[operator]  # DOT text: quick


def fake_dot(tmp_path: Path, body: str) -> None:
    script = tmp_path / "dot"
    script.write_text(f"#!{sys.executable}\n{body}\n")
    script.chmod(0o755)


def test_a_dot_that_runs_too_long_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, "import time\ntime.sleep(30)")
    monkeypatch.setenv("PATH", str(tmp_path))
    started = time.monotonic()
    with pytest.raises(RenderError, match=r"did not finish .* in 0.5 s and was stopped; draw a"):
        render("digraph { a }", "svg", timeout=0.5)
    assert time.monotonic() - started < 10


def test_a_crashing_dot_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_dot(tmp_path, "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"dot crashed \(SIGSEGV\) on the drawing; draw a"):
        draw(Value(1.0)).pipe(format="svg")
    fake_dot(tmp_path, "import sys\nsys.stderr.write('Error: bad\\n' * 500)\nsys.exit(1)")
    with pytest.raises(RenderError, match=r"dot failed on the drawing \(Error: bad") as caught:
        render("digraph { a }", "png")
    assert len(str(caught.value)) < 500


def test_an_over_long_label_is_refused_before_dot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, "raise SystemExit('dot must not run')")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"the label of node v0 is \d+ characters, more than"):
        viz.write(draw(Value(1.0, "w" * 20_000)), tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()


def test_plots_return_axes(tmp_path: Path) -> None:
    from matplotlib.axes import Axes

    ax = plot_loss([1.0, 0.5, float("nan"), 0.1])
    assert isinstance(ax, Axes)
    ys: Any = ax.lines[0].get_ydata()
    assert [float(y) for y in ys] == [1.0, 0.5, 0.1]
    data = [([0.0, 0.0], [-1.0]), ([1.0, 1.0], [1.0]), ([0.0, 1.0], [1.0])]
    ax = plot_decision_boundary(lambda x: [Value(x[0] + x[1] - 0.5)], data)
    assert isinstance(ax, Axes)
    points: list[Any] = [c.get_offsets() for c in ax.collections]
    offsets = [p.tolist() for p in points if len(p)]
    assert [[0.0, 0.0]] in offsets
    assert [[1.0, 1.0], [0.0, 1.0]] in offsets
    with pytest.raises(ValueError, match="exactly 2 inputs"):
        plot_decision_boundary(lambda x: [0.0], [([1.0], [1.0])])


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=60
    )


def test_without_matplotlib_the_plots_say_how_to_get_it() -> None:
    done = run_python(
        "import sys; sys.modules['matplotlib'] = None\n"
        "import viz\n"
        "try:\n    viz.plot_loss([1.0])\nexcept ImportError as e:\n    print(e)\n"
    )
    assert done.stdout == (
        "viz.plot_loss needs matplotlib, which is not installed; "
        "install it with: pip install 'chainrule[plot]'\n"
    )


def test_viz_does_not_import_nn_and_nn_does_not_import_viz() -> None:
    done = run_python(
        "import sys, viz; a = 'nn' in sys.modules\nimport nn; b = 'viz' in sys.modules\nprint(a, b)"
    )
    assert done.stdout == "False True\n"
    done = run_python("import sys, nn; print('viz' in sys.modules, 'chainrule' in sys.modules)")
    assert done.stdout == "False False\n"
    assert os.path.exists(viz.drawing.__file__)
