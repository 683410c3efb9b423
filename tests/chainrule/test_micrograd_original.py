"""micrograd 0.1.0's own files run on chainrule.micrograd with only their imports changed.

The files are in tests/data/micrograd/ exactly as micrograd's source distribution
ships them (with its MIT licence). Each check runs micrograd's code twice: on the
original micrograd, imported under its own name from that folder, and with
``from micrograd...`` rewritten to ``from chainrule.micrograd...``; then compares.

micrograd's notebooks are not in its source distribution and are not copied:
the graph drawing of ``trace_graph.ipynb``, the training of ``demo.ipynb`` and
the video's manual backpropagation are reproduced here in our own code, run on
both engines.

How close "micrograd's numbers" can be: micrograd keeps a node's inputs in a
``set``, ordered by memory address, so the order in which it adds up a leaf's
gradient changes from run to run, and so do the last bits of its own results.
Measured on the demo's training below (4 steps, six runs of micrograd in one
process): micrograd against itself differs by up to 4 ulps in the loss and by up
to 2 ulps of the largest parameter in a parameter; chainrule.micrograd against
micrograd the same. The bounds used: a loss within 8 ulps of micrograd's, a
parameter within 4 ulps of the largest parameter, the video's predictions (10
steps) within 8 ulps of the largest (measured: 3), the README's numbers within
4 ulps. The differences grow with the steps, as micrograd's own do.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import math
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import graphviz
import pytest

import autograd
import nn as chainrule_nn
from chainrule.micrograd import engine as mirror_engine
from chainrule.micrograd import nn as mirror_nn

SDIST = Path(__file__).parents[1] / "data" / "micrograd" / "micrograd-0.1.0"
NAMES = ("micrograd", "micrograd.engine", "micrograd.nn")

LOSS_ULPS = 8  # a loss, in ulps of itself (micrograd against itself: up to 4)
PARAMETER_ULPS = 4  # a parameter, in ulps of the largest |parameter| (micrograd: up to 2)
README_ULPS = 4
PREDICTION_ULPS = 8  # the video's outputs over 10 steps, in ulps of the largest (measured: 3)


@contextlib.contextmanager
def original_micrograd() -> Iterator[tuple[ModuleType, ModuleType]]:
    """micrograd 0.1.0 (engine, nn), imported under its own name from tests/data; afterwards
    sys.path and sys.modules are as they were."""
    saved = {name: sys.modules.pop(name) for name in NAMES if name in sys.modules}
    sys.path.insert(0, str(SDIST))
    try:
        engine = importlib.import_module("micrograd.engine")
        nn = importlib.import_module("micrograd.nn")
        assert Path(engine.__file__ or "").parent == SDIST / "micrograd"  # not some other one
        yield engine, nn
    finally:
        sys.path.remove(str(SDIST))
        for name in NAMES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def chainrule_imports(text: str) -> str:
    """``text`` with ``from micrograd...`` imports pointed at ``chainrule.micrograd``."""
    return re.sub(r"^(\s*)from micrograd\b", r"\1from chainrule.micrograd", text, flags=re.M)


def python_blocks(markdown: str) -> list[str]:
    """The ```python blocks of a Markdown text."""
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.S)


def run(code: str, namespace: dict[str, Any] | None = None) -> tuple[dict[str, Any], str]:
    """Execute ``code``; its namespace and what it printed."""
    ns: dict[str, Any] = {"__name__": "micrograd_code"} if namespace is None else namespace
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<micrograd's code>", "exec"), ns)
    return ns, out.getvalue()


def ulps(a: float, b: float) -> float:
    """|a - b| in units in the last place of the larger."""
    return 0.0 if a == b else abs(a - b) / math.ulp(max(abs(a), abs(b)))


def test_the_files_are_micrograd_0_1_0s_and_the_rewrite_changes_import_lines_only() -> None:
    engine = (SDIST / "micrograd" / "engine.py").read_text()
    assert engine.startswith("\nclass Value:")
    assert "def backward(self):" in engine
    for path in (
        SDIST / "README.md",
        SDIST / "micrograd" / "nn.py",
        SDIST / "test" / "test_engine.py",
    ):
        text = path.read_text()
        rewritten = chainrule_imports(text)
        changed = [
            (a, b) for a, b in zip(text.splitlines(), rewritten.splitlines(), strict=True) if a != b
        ]
        assert changed, path
        for old, new in changed:
            assert old.lstrip().startswith("from micrograd"), old
            assert new == old.replace("from micrograd", "from chainrule.micrograd"), new
    licence = (SDIST.parent / "LICENSE").read_text()
    assert licence.startswith("MIT License")
    assert "Copyright (c) 2020 Andrej Karpathy" in licence


def test_readme_example_prints_micrograds_lines_and_numbers() -> None:
    example = python_blocks((SDIST / "README.md").read_text())[0]
    with original_micrograd():
        theirs, printed = run(example)
    ours, ours_printed = run(chainrule_imports(example))
    assert printed.split() == ["24.7041", "138.8338", "645.5773"]  # as the README says
    assert ours_printed == printed
    for name, value in (("g", "data"), ("a", "grad"), ("b", "grad")):
        mine, original = getattr(ours[name], value), getattr(theirs[name], value)
        assert ulps(mine, original) <= README_ULPS, (name, value, mine, original)
    assert type(ours["g"]) is autograd.Value  # computed Values are chainrule's own


def micrograd_halves(test_file: str) -> dict[str, str]:
    """Each test function's micrograd half: its statements before the first that
    mentions torch (they end with ``xmg, ymg = x, y``, the results to compare)."""
    halves = {}
    for node in ast.parse(test_file).body:
        if isinstance(node, ast.FunctionDef):
            statements = []
            for statement in node.body:
                if "torch" in ast.unparse(statement):
                    break
                statements.append(ast.unparse(statement))
            halves[node.name] = "\n".join(statements)
    return halves


def test_micrograds_test_engine_computations_match_micrograd_without_torch() -> None:
    text = (SDIST / "test" / "test_engine.py").read_text()
    halves = micrograd_halves(text)
    assert sorted(halves) == ["test_more_ops", "test_sanity_check"]
    assert halves["test_sanity_check"].endswith("xmg, ymg = (x, y)")
    assert halves["test_more_ops"].endswith("amg, bmg, gmg = (a, b, g)")
    for half in halves.values():
        with original_micrograd() as (engine, _):
            theirs, _ = run(half, {"Value": engine.Value})
        ours, _ = run(half, {"Value": mirror_engine.Value})
        results = [k for k in ours if k.endswith("mg") and len(k) == 3]
        assert results
        for k in results:
            for field in ("data", "grad"):
                mine, original = getattr(ours[k], field), getattr(theirs[k], field)
                assert ulps(mine, original) <= README_ULPS, (k, field, mine, original)


def test_micrograds_test_engine_passes_with_only_its_imports_changed() -> None:
    pytest.importorskip("torch", reason="micrograd's test_engine.py compares with PyTorch")
    ns, _ = run(chainrule_imports((SDIST / "test" / "test_engine.py").read_text()))
    ns["test_sanity_check"]()  # exact equality with PyTorch's float64 numbers
    ns["test_more_ops"]()  # within 1e-6


# --- trace_graph.ipynb's workflow: a hand-written draw_dot over _prev, _op, data, grad ---


def trace(root: Any) -> tuple[list[Any], list[tuple[Any, Any]]]:
    """Every node below root and every edge (child, parent), found through ``_prev``."""
    nodes: list[Any] = []
    edges: list[tuple[Any, Any]] = []
    seen: set[int] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        nodes.append(v)
        for child in v._prev:
            edges.append((child, v))
            stack.append(child)
    return nodes, edges


def draw_dot(root: Any) -> graphviz.Digraph:
    """A record ``{ data | grad }`` per Value and a small node per op, as the notebook draws."""
    dot = graphviz.Digraph(format="svg", graph_attr={"rankdir": "LR"})
    nodes, edges = trace(root)
    for n in nodes:
        uid = str(id(n))
        dot.node(uid, f"{{ data {n.data:.4f} | grad {n.grad:.4f} }}", shape="record")
        if n._op:
            dot.node(uid + n._op, n._op)
            dot.edge(uid + n._op, uid)
    for child, parent in edges:
        dot.edge(str(id(child)), str(id(parent)) + parent._op)
    return dot


def readme_neuron(neuron_code: str, nn_module: ModuleType, value: type) -> dict[str, Any]:
    """micrograd's README neuron (its tracing block, up to draw_dot), from random.seed(1337)."""
    random.seed(1337)
    ns: dict[str, Any] = {"Value": value, "draw_dot": draw_dot}
    code = chainrule_imports(neuron_code) if nn_module is mirror_nn else neuron_code
    ns, _ = run(code, ns)
    ns["y"].backward()
    ns["dot"] = draw_dot(ns["y"])
    return ns


def test_trace_graph_draws_the_readme_neuron_as_micrograd_does() -> None:
    code = python_blocks((SDIST / "README.md").read_text())[1]
    assert "draw_dot(y)" in code
    assert "nn.Neuron(2)" in code
    with original_micrograd() as (engine, nn):
        theirs = readme_neuron(code, nn, engine.Value)
    ours = readme_neuron(code, mirror_nn, mirror_engine.Value)
    (their_nodes, their_edges), (our_nodes, our_edges) = trace(theirs["y"]), trace(ours["y"])
    # 2 inputs, 2 weights, the bias, 2 products, 2 sums, ReLU; 9 edges (Value to op)
    assert len(our_nodes) == len(their_nodes) == 10
    assert len(our_edges) == len(their_edges) == 9
    assert Counter(v._op for v in our_nodes) == Counter(v._op for v in their_nodes)
    assert Counter(v._op for v in our_nodes) == {"": 5, "*": 2, "+": 2, "ReLU": 1}
    assert sorted((v.data, v.grad) for v in our_nodes) == sorted(
        (float(v.data), float(v.grad)) for v in their_nodes
    )

    # the two drawings: the same records and op nodes, ids aside
    def shape(dot: graphviz.Digraph) -> list[str]:
        return sorted(re.sub(r"\d{6,}", "#", line) for line in dot.body)

    assert shape(ours["dot"]) == shape(theirs["dot"])
    assert sum("shape=record" in line for line in ours["dot"].body) == 10


# --- demo.ipynb's workflow: MLP(2, [16, 16, 1]), max-margin loss, SGD with decay ---


def train_demo(nn_module: Any, value: type, steps: int) -> list[tuple[float, float, list[float]]]:
    """The demo's training loop, our code: each step's loss, accuracy and parameters after it."""
    random.seed(1337)
    model = nn_module.MLP(2, [16, 16, 1])
    data = chainrule_nn.moons(100, seed=1)  # the demo's make_moons, without scikit-learn
    X = [x for x, _ in data]
    y = [t[0] for _, t in data]  # -1 or 1
    history = []
    for k in range(steps):
        inputs = [[value(a) for a in row] for row in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in model.parameters())
        total = data_loss + reg_loss
        right = [(yi > 0) == (si.data > 0) for yi, si in zip(y, scores, strict=True)]
        model.zero_grad()
        total.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        history.append((total.data, sum(right) / len(right), [p.data for p in model.parameters()]))
    return history


def test_demo_training_gives_micrograds_losses_and_parameters() -> None:
    steps = 3
    with original_micrograd() as (engine, nn):
        theirs = train_demo(nn, engine.Value, steps)
    ours = train_demo(mirror_nn, mirror_engine.Value, steps)
    assert len(ours[0][2]) == 337
    assert ours[0][0] == theirs[0][0]  # the first loss: the same forward pass, bit for bit
    for k, ((loss, acc, params), (their_loss, their_acc, their_params)) in enumerate(
        zip(ours, theirs, strict=True)
    ):
        assert ulps(loss, their_loss) <= LOSS_ULPS, (k, loss, their_loss)
        assert acc == their_acc
        scale = math.ulp(max(abs(p) for p in their_params))
        worst = max(abs(p - q) for p, q in zip(params, their_params, strict=True))
        assert worst <= PARAMETER_ULPS * scale, (k, worst / scale)
    assert ours[-1][0] < ours[0][0]  # and it learns


def test_the_same_seed_gives_micrograds_weights_repr_and_outputs() -> None:
    """random.seed(1337) gives micrograd's weights, and a forward pass its numbers bit for bit."""
    with original_micrograd() as (_, nn):
        random.seed(1337)
        theirs = nn.MLP(2, [16, 16, 1])
    random.seed(1337)
    ours = mirror_nn.MLP(2, [16, 16, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert repr(ours) == repr(theirs)
    x = [0.5, -1.25]
    assert ours(x).data == theirs(x).data


# --- the video's network, as the README shows it: MLP(3, [4, 4, 1]) and Σ (y - t)² ---


def train_video(nn_module: Any, steps: int) -> list[tuple[float, list[float]]]:
    """The video's training loop, our code: each step's loss and predictions."""
    random.seed(1337)
    model = nn_module.MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    history = []
    for _ in range(steps):
        ypred = [model(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred, strict=True))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data += -0.01 * p.grad
        history.append((loss.data, [y.data for y in ypred]))
    return history


def test_the_videos_training_gives_micrograds_losses_and_predictions() -> None:
    with original_micrograd() as (_, nn):
        theirs = train_video(nn, 50)
    ours = train_video(mirror_nn, 50)
    assert ours[0] == theirs[0]  # before any update: bit for bit
    for (loss, ypred), (their_loss, their_ypred) in zip(ours[:10], theirs[:10], strict=True):
        assert ulps(loss, their_loss) <= LOSS_ULPS
        scale = math.ulp(max(abs(y) for y in their_ypred))
        worst = max(abs(a - b) for a, b in zip(ypred, their_ypred, strict=True))
        assert worst <= PREDICTION_ULPS * scale, worst / scale
    # after 50 steps, what the README prints, for both
    for history in (ours, theirs):
        assert round(history[-1][0], 4) == 0.1313
        assert [round(y, 2) for y in history[-1][1]] == [1.04, -0.68, -1.11, 0.88]
