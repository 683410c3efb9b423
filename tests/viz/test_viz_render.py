"""Drawings never hang: the layout's cost is bounded first, dot runs with a time limit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import viz.drawing
from autograd import Value
from nn import MLP, squared_error
from viz import (
    GraphTooLargeError,
    RenderError,
    chain_rule,
    draw,
    explain,
    plot_decision_boundary,
    plot_loss,
    step_through,
)
from viz.drawing import BENDS_PER_COST, MAX_LAYOUT_COST, layout_cost, layout_size, render

# Measured with `dot -Tsvg` on the DOT text (Graphviz 2.43, 2 shared cores), the layout cost
# before (the ranks crossed, labels x16) and now (bends x size added), and the seconds:
#
#   shape                                    drawing     old cost  new cost   dot
#   x+x+...+x, 40 terms                      draw           1,679    11,632   0.16 s
#   x+x+...+x, 55 terms                      draw           3,134    39,012   2.50 s
#   x+x+...+x, 60 terms                      draw           3,719    54,624   5.86 s  now refused
#   x+x+...+x, 70 terms                      draw           5,039    99,610   > 25 s  now refused
#   x+x+...+x, 90 terms                      draw           8,279   267,643   > 25 s  now refused
#   x+x+...+x, 40 terms                      chain_rule    25,061    12,766   0.15 s
#   x+x+...+x, 70 terms                      chain_rule    77,471   101,606   4.32 s  refused
#   x+x+...+x, 80 terms                      chain_rule   101,341   170,503  17.60 s  refused
#   ((x**x)**x...), 50 deep                  draw           2,599    27,050   1.08 s
#   ((x**x)**x...), 60 deep                  draw           3,719    54,624   7.28 s  now refused
#   ((x**x)**x...), 180 deep                 draw          32,759 4,207,828   > 30 s  now refused
#   tanh chain of 1000, x added at the end   draw           6,001    53,960   2.53 s  now refused
#   f_i = tanh(f_(i-1) + f_(i-10)), 500      draw          22,277 1,606,973   > 25 s  now refused
#   tanh chain of 1999                       draw           7,994     7,994   1.04 s
#   a0 + a1 + ... , 1000 leaves              chain_rule    35,965    35,965   1.83 s
#   the notes' 2-2-1 network                 draw              89        91   0.02 s
#   MLP(3, [8, 8, 1])                        draw           1,149     3,318   0.35 s
#   MLP(2, [16, 16, 1]), unit by unit        draw           1,651     1,967   0.20 s
#   MLP(4, [32, 32, 1]), unit by unit        chain_rule    38,975    38,975   1.47 s
#   micrograd's MLP(3, [4, 4, 1])            draw             538       718   0.04 s


def repeated_sum(terms: int) -> Value:
    x = Value(1.0, "x")
    f = x
    for _ in range(terms - 1):
        f = f + x
    return f


def tower(depth: int) -> Value:
    x = Value(1.01, "x")
    f = x
    for _ in range(depth - 1):
        f = f**x
    return f


def tanh_chain(n: int, x: Value | None = None) -> Value:
    f = Value(0.5, "x") if x is None else x
    for _ in range(n - 1):
        f = f.tanh()
    return f


def residual(n: int) -> Value:
    """A chain with its input added back at the end: one edge across 2n ranks."""
    x = Value(0.5, "x")
    return tanh_chain(n, x) + x


def test_a_long_edge_costs_its_bends_times_the_size() -> None:
    chain = [(i, i + 1, False) for i in range(99)]
    assert layout_cost(100, chain) == layout_size(100, chain) == 199  # no bend
    fan = chain + [(0, i, False) for i in range(2, 100)]  # node 0 feeds every later node
    bends = sum(range(1, 99))  # edge (0, i) crosses i - 1 ranks
    size = 100 + len(fan) + bends
    assert layout_size(100, fan) == size
    assert layout_cost(100, fan) == size + bends * size // BENDS_PER_COST
    labelled = [(t, h, True) for t, h, _ in fan]  # two ranks an edge: twice the bends, labels
    assert layout_cost(100, labelled) > 3 * layout_cost(100, fan)


def test_the_cost_grows_with_fan_in_as_dot_s_time_does() -> None:
    """The table above: each shape's cost in the order of its measured time, and the
    bound between 55 terms (2.5 s) and 60 (5.9 s)."""
    costs = [draw(repeated_sum(n), max_nodes=None).layout_cost for n in (40, 50, 55, 60, 70)]
    assert costs == [0] * 5  # max_nodes=None: not even computed
    costs = [draw(repeated_sum(n), max_nodes=10**6).layout_cost for n in (40, 50, 55, 60, 70)]
    assert costs == sorted(costs)
    assert costs[2] <= MAX_LAYOUT_COST < costs[3]
    towers = [draw(tower(n), max_nodes=10**6).layout_cost for n in (50, 60)]
    assert towers == costs[1:4:2]  # the same shape as the sum: the same cost


@pytest.mark.parametrize(
    ("make", "root"),
    [
        (draw, lambda: repeated_sum(70)),  # 15 s in dot before
        (draw, lambda: repeated_sum(90)),  # over 30 s
        (draw, lambda: tower(180)),  # the 30 s time-out
        (draw, lambda: tower(100)),
        (chain_rule, lambda: repeated_sum(80)),
        (draw, lambda: residual(1000)),
    ],
)
def test_the_issues_shapes_are_refused_before_dot_runs(
    make: Any, root: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, "raise SystemExit('dot must not run')")
    monkeypatch.setenv("PATH", str(tmp_path))
    f = root()
    with pytest.raises(GraphTooLargeError, match="laying the graph out costs about") as caught:
        make(f)
    assert caught.value.count > MAX_LAYOUT_COST
    assert "draw a smaller part" in str(caught.value)
    assert "digraph" in make(f, max_nodes=None).source  # the DOT text: no layout


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("the notes' network", lambda: draw(network(2, [2, 1]))),
        ("the notes' tree of δ's", lambda: chain_rule(network(2, [2, 1]), keep="S")),
        ("MLP(3, [4, 4, 1])", lambda: draw(network(3, [4, 4, 1]))),
        ("MLP(3, [4, 4, 1])'s tree", lambda: chain_rule(network(3, [4, 4, 1]))),
        ("MLP(2, [16, 16, 1]) collapsed", lambda: draw(network(2, [16, 16, 1]))),
        ("its tree collapsed", lambda: chain_rule(network(2, [16, 16, 1]))),
        ("unit by unit", lambda: draw(network(2, [16, 16, 1]), collapse=False)),
        ("MLP(4, [32, 32, 1])'s tree", lambda: chain_rule(network(4, [32, 32, 1]), collapse=False)),
        ("a chain of 1,999", lambda: draw(tanh_chain(1999))),
    ],
)
def test_what_the_readme_and_the_demo_draw_is_accepted(name: str, make: Any) -> None:
    drawing = make()
    assert 0 < drawing.layout_cost <= MAX_LAYOUT_COST, name
    assert drawing.layout_limit == MAX_LAYOUT_COST


def network(n_in: int, sizes: list[int]) -> Value:
    model = MLP(n_in, sizes, seed=0)
    loss = squared_error(model([0.5, -1.0, 0.25, 0.75][:n_in]), [1.0] * sizes[-1])
    loss.backward()
    return loss


# --- the refusal where the cost is paid (item 8) -------------------------------------


def test_a_drawing_given_max_nodes_is_refused_when_it_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from viz import wasm

    f = repeated_sum(300)
    drawing = draw(f, max_nodes=10_000)  # given: built, its DOT text is there
    assert drawing.source.count("v0 -> ") == 300  # x + x, then + x 298 times
    assert drawing.layout_cost > MAX_LAYOUT_COST
    fake_dot(tmp_path, "raise SystemExit('dot must not run')")
    monkeypatch.setenv("PATH", str(tmp_path) + os.pathsep + os.environ["PATH"])
    refused = "draw: laying the graph out costs about"
    with pytest.raises(GraphTooLargeError, match=refused):
        drawing.pipe(format="svg")
    with pytest.raises(GraphTooLargeError, match=refused):
        viz.write(drawing, tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()
    with pytest.raises(GraphTooLargeError, match=refused):
        drawing.render(tmp_path / "g", format="png")
    with pytest.raises(GraphTooLargeError, match=refused):
        drawing._repr_mimebundle_()
    wasm.configure(layout="browser")  # Jupyter without dot: laid out in the browser
    try:
        with pytest.raises(GraphTooLargeError, match=refused):
            drawing._repr_mimebundle_()
    finally:
        wasm.configure()
    assert viz.write(drawing, tmp_path / "g.dot").read_text() == drawing.source
    tree = chain_rule(f, max_nodes=10_000)
    with pytest.raises(GraphTooLargeError, match="chain_rule: laying the graph out costs"):
        tree.pipe(format="svg")
    assert draw(f, max_nodes=None).layout_limit is None  # None: no limit anywhere


def test_a_drawing_s_dot_text_is_quick_at_any_size_given_max_nodes() -> None:
    f = tanh_chain(20_000)
    drawing = draw(f, max_nodes=50_000)
    assert drawing.source.count(" -> ") == 2 * 19_999  # input -> op -> output, each step
    with pytest.raises(GraphTooLargeError, match="more than max_nodes=2000"):
        draw(f)


# --- sizes before the view (item 9) --------------------------------------------------


@pytest.mark.parametrize("where", ["viz.tree", "viz.stepthrough", "viz.explain"])
def test_sizes_are_checked_before_anything_is_named(
    where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib

    def no_view(root: Value) -> None:
        raise AssertionError("the view was built before the size was checked")

    monkeypatch.setattr(importlib.import_module(where), "graph_view", no_view)
    make: dict[str, Any] = {"viz.tree": chain_rule, "viz.stepthrough": step_through}
    make["viz.explain"] = explain
    with pytest.raises(GraphTooLargeError, match=r": the graph has 5000 nodes, more than max_n"):
        make[where](tanh_chain(5000))


def test_explain_has_the_drawings_limit() -> None:
    f = tanh_chain(2001)
    with pytest.raises(GraphTooLargeError, match="explain: the graph has 2001 nodes, more than"):
        explain(f)
    assert len(explain(f, max_nodes=None).backward) == 2001
    assert len(explain(f, max_nodes=3000).backward) == 2001
    with pytest.raises(TypeError, match="max_nodes must be a positive int or None"):
        explain(f, max_nodes=2.5)  # type: ignore[arg-type]


def test_a_large_graph_with_few_kept_nodes_still_has_its_tree() -> None:
    """The size checked first is the nodes drawn, not the graph's: keep= still collapses."""
    f = tanh_chain(3000)
    f.label = "S_1^(2)"
    g = f * 2.0
    tree = chain_rule(g, keep="S")
    assert tree.source.count(" -> ") == 1  # g -> S: the 3,000 nodes below are not kept


def fake_dot(tmp_path: Path, body: str) -> None:
    script = tmp_path / "dot"
    script.write_text(f"#!{sys.executable}\n{body}\n")
    script.chmod(0o755)


def test_a_dot_that_runs_too_long_is_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_dot(tmp_path, "import time\ntime.sleep(30)")
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(RenderError, match=r"did not finish .* in 0.5 s and was stopped; draw a"):
        render("digraph { a }", "svg", timeout=0.5)  # the fake dot would sleep 30 s


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
