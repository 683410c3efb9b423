"""autograd.compile: the generated code, its names, its errors and its two modes."""

from __future__ import annotations

import importlib
import io
import itertools
import keyword
import math
import re
import subprocess
import sys
import tokenize
from collections.abc import Sequence
from typing import Any

import pytest
from compare import close_max, same
from strategies import ROWS

from autograd import RULES, Compiled, Constant, Value, compile, grad, wsum
from autograd.ops import apply

printers = importlib.import_module("autograd.printers")

# The notes' 2-2-1 network: parameters in the notes' names, then the sample.
PARAMS = [
    "w_11^(1)",
    "w_21^(1)",
    "b_1^(1)",
    "w_12^(1)",
    "w_22^(1)",
    "b_2^(1)",
    "w_11^(2)",
    "w_21^(2)",
    "b_1^(2)",
]
SAMPLE = ["x_1^(0)", "x_2^(0)", "t"]
POINT = [0.15, -0.4, 0.05, 0.6, 0.25, -0.1, 0.9, -0.7, 0.3]


def named(v: Value, label: str) -> Value:
    v.label = label
    return v


def notes_loss(*args: Value) -> Value:
    """L = ½(y - t)² for the notes' network, built as the notes write it."""
    w111, w211, b11, w121, w221, b21, w112, w212, b12, x1, x2, t = args
    x11 = named(named(wsum([w111, w211], [x1, x2], b11), "S_1^(1)").sigmoid(), "x_1^(1)")
    x21 = named(named(wsum([w121, w221], [x1, x2], b21), "S_2^(1)").sigmoid(), "x_2^(1)")
    y = named(named(wsum([w112, w212], [x11, x21], b12), "S_1^(2)").sigmoid(), "y")
    return named(0.5 * (y - t) ** 2, "L")


def sigma(s: float) -> float:
    return 1.0 / (1.0 + math.exp(-s))


def notes_by_hand(p: Sequence[float], x1: float, x2: float, t: float) -> tuple[float, list[float]]:
    """The notes' equations (13), (14), (18), (19-20), (22) in plain floats."""
    w111, w211, b11, w121, w221, b21, w112, w212, b12 = p
    x11 = sigma(w111 * x1 + w211 * x2 - b11)
    x21 = sigma(w121 * x1 + w221 * x2 - b21)
    y = sigma(w112 * x11 + w212 * x21 - b12)
    d2 = (y - t) * y * (1 - y)  # (22)
    d11 = d2 * w112 * x11 * (1 - x11)  # (18)
    d21 = d2 * w212 * x21 * (1 - x21)  # (19-20)
    grads = [d11 * x1, d11 * x2, -d11, d21 * x1, d21 * x2, -d21, d2 * x11, d2 * x21, -d2]
    return 0.5 * (y - t) ** 2, grads


@pytest.fixture(scope="module")
def notes() -> Compiled:
    return compile(notes_loss, labels=PARAMS + SAMPLE, wrt=PARAMS, shared=PARAMS)


def test_notes_network_source_reads_like_the_notes(notes: Compiled) -> None:
    lines = [line.strip() for line in notes.source.splitlines()]
    assert lines[0] == (
        "def notes_loss(w_11_1, w_21_1, b_1_1, w_12_1, w_22_1, b_2_1, "
        "w_11_2, w_21_2, b_1_2, x_1_0, x_2_0, t):"
    )
    for line in [
        "S_1_1 = w_11_1 * x_1_0 + w_21_1 * x_2_0 - b_1_1",  # added as wsum adds
        "x_1_1 = sigmoid(S_1_1)",
        "y = sigmoid(S_1_2)",
        "dL_dy_minus_t = 0.5 * (2.0 * y_minus_t)",  # ∂L/∂y is ∂L/∂(y − t): no line of its own
        "delta_S_1_2 = dL_dy_minus_t * (y * (1.0 - y))",  # (22)
        "dL_dw_11_2 = delta_S_1_2 * x_1_1",  # (14)
        "dL_dw_21_2 = delta_S_1_2 * x_2_1",
        "dL_db_1_2 = -delta_S_1_2",  # (13)
        "dL_dx_1_1 = delta_S_1_2 * w_11_2",  # (15)-(17)
        "delta_S_1_1 = dL_dx_1_1 * (x_1_1 * (1.0 - x_1_1))",  # (18)
        "delta_S_2_1 = dL_dx_2_1 * (x_2_1 * (1.0 - x_2_1))",  # (19-20)
        "dL_dw_12_1 = delta_S_2_1 * x_1_0",
        "return L, (dL_dw_11_1, dL_dw_21_1, dL_db_1_1, dL_dw_12_1, dL_dw_22_1, dL_db_2_1, "
        "dL_dw_11_2, dL_dw_21_2, dL_db_1_2)",
    ]:
        assert line in lines, line
    # the δ of the output layer comes first, and each δ before the gradients it gives
    assert lines.index("delta_S_1_2 = dL_dy_minus_t * (y * (1.0 - y))") < lines.index(
        "delta_S_2_1 = dL_dx_2_1 * (x_2_1 * (1.0 - x_2_1))"
    )
    assert "dL_dt" not in notes.source
    assert "dL_dx_1_0" not in notes.source


def test_notes_network_values_match_the_equations_by_hand(notes: Compiled) -> None:
    for x1, x2, t in [(0.0, 1.0, 1.0), (1.0, 1.0, 0.0), (0.3, -2.0, 0.5)]:
        value, grads = notes(*POINT, x1, x2, t)
        hand_value, hand_grads = notes_by_hand(POINT, x1, x2, t)
        assert value == pytest.approx(hand_value, rel=1e-12)
        assert grads == pytest.approx(hand_grads, rel=1e-12, abs=1e-15)


def test_notes_network_batched_sums_the_shared_gradients(notes: Compiled) -> None:
    np = pytest.importorskip("numpy")
    data = [(0.0, 0.0, 0.0), (0.0, 1.0, 1.0), (1.0, 0.0, 1.0), (1.0, 1.0, 0.0)]
    x1, x2, t = (np.array(column) for column in zip(*data, strict=True))
    values, grads = notes.batch(*POINT, x1, x2, t)
    by_hand = [notes_by_hand(POINT, *row) for row in data]
    assert isinstance(values, np.ndarray)
    assert values.tolist() == pytest.approx([v for v, _ in by_hand], rel=1e-12)
    for i, g in enumerate(grads):
        assert type(g) is float
        assert g == pytest.approx(math.fsum(h[1][i] for h in by_hand), rel=1e-12, abs=1e-15)


def test_inputs_are_named_after_the_parameters_without_defaults() -> None:
    def f(x: Value, y: Value, scale: float = 2.0, *, offset: float = 1.0) -> Value:
        return x * y * scale + offset

    compiled = compile(f)
    assert compiled.inputs == compiled.wrt == ("x", "y")
    assert compiled.shared == ()
    assert compiled(3.0, 4.0) == (25.0, (8.0, 6.0))


def test_wrt_picks_and_orders_the_gradients() -> None:
    compiled = compile(lambda a, b, c: a * b * c, wrt=["c", "a"])
    assert compiled.wrt == ("c", "a")
    assert compiled(2.0, 3.0, 5.0) == (30.0, (6.0, 15.0))
    assert "dL_db" not in compiled.source
    assert compile(lambda a, b: a * b, wrt="b")(2.0, 3.0) == (6.0, (2.0,))
    assert compile(lambda a, b: a * b, wrt=[])(2.0, 3.0) == (6.0, ())


def test_inputs_the_output_ignores_get_zero() -> None:
    compiled = compile(lambda x, y: x.exp())
    assert compiled(0.0, 5.0) == (1.0, (1.0, 0.0))


def test_output_may_be_an_input_or_a_constant() -> None:
    assert compile(lambda x, y: y)(2.0, 3.0) == (3.0, (0.0, 1.0))
    assert compile(lambda x: Constant(4.0))(2.0) == (4.0, (0.0,))


@pytest.mark.parametrize("n", [1, 2, 12])
def test_the_checked_call_converts_each_argument_and_names_the_one_it_refuses(n: int) -> None:
    compiled = compile(lambda *xs: sum(xs[1:], xs[0] * 2.0), labels=[f"x{i}" for i in range(n)])
    floats = [float(i) for i in range(n)]
    expected = compiled.function(*floats)
    assert compiled(*floats) == expected
    for i in range(n):  # an int anywhere goes the converting way, with the same result
        mixed: list[Any] = list(floats)
        mixed[i] = int(floats[i])
        assert compiled(*mixed) == expected
        mixed[i] = "1"
        with pytest.raises(TypeError, match=rf"input 'x{i}' must be a real number.*got str"):
            compiled(*mixed)


def test_integers_and_numpy_scalars_are_accepted_as_floats() -> None:
    compiled = compile(lambda x: x.relu() * 3.0)
    assert compiled(2) == (6.0, (3.0,))
    np = pytest.importorskip("numpy")
    value, (dx,) = compiled(np.float32(-1.0))
    assert (value, dx) == (0.0, 0.0)
    assert type(value) is float


def test_constants_are_inlined_and_ieee_factors_are_kept() -> None:
    compiled = compile(lambda x, y: (x * 0.0) * y + math.inf * x - (-math.inf) + math.nan * y)
    assert "* 0.0" in compiled.source
    assert "inf" in compiled.source
    assert "nan" in compiled.source
    value, (dx, dy) = compiled(math.inf, 1.0)
    assert math.isnan(value)
    assert math.isnan(dy)
    assert dx == math.inf  # 0.0 * y + inf: the dropped-looking term is still added


def test_unlabelled_nodes_are_named_by_what_they_compute_and_labels_become_identifiers() -> None:
    def f(x: Value, y: Value) -> Value:
        h = x * 2.0 - y
        return named(h.tanh(), "σ'(S_1^(2))")

    source = compile(f).source
    assert "x_mul_2 = x * 2.0" in source  # as autograd.names names it: x·2, then x·2 − y
    assert "x_mul_2_minus_y = x_mul_2 + minus_y" in source
    assert "sigma_S_1_2 = tanh(x_mul_2_minus_y)" in source
    assert not re.search(r"\bv\d+\b", source)  # no internal ids


@pytest.mark.parametrize(
    ("label", "identifier"),
    [
        ("S_1^(2)", "S_1_2"),
        ("w_11^(2)", "w_11_2"),
        ("x_1^(0)", "x_1_0"),
        ("δ_1", "delta_1"),
        ("Δw", "Delta_w"),
        ("x₁²", "x12"),
        ("2nd", "v_2nd"),
        ("a b\tc", "a_b_c"),
        ("__x", "__x"),
        ("é", ""),
        ("", ""),
    ],
)
def test_labels_become_python_identifiers(label: str, identifier: str) -> None:
    assert printers.identifier(label) == identifier


def test_clashing_names_and_keywords_get_distinct_identifiers() -> None:
    compiled = compile(
        lambda *xs: xs[0] * xs[1] + xs[2] * xs[3] + xs[4] * xs[5],
        labels=["x", "x!", "exp", "lambda", "dL_dx", "n_samples"],
    )
    params = compiled.source.splitlines()[0]
    assert params == "def f(x, x_2, exp_2, lambda_, dL_dx, n_samples_2):"
    assert "dL_dx_2 = " in compiled.source  # ∂L/∂x steps aside for the input named dL_dx
    value, grads = compiled(1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
    assert value == 44.0
    assert grads == (2.0, 1.0, 4.0, 3.0, 6.0, 5.0)


class CountingSet(set[str]):
    """A set that counts its membership tests: how many names a search probed."""

    probes = 0

    def __contains__(self, name: object) -> bool:
        CountingSet.probes += 1
        return super().__contains__(name)


def test_a_name_shared_by_many_nodes_is_found_in_a_step_each() -> None:
    names = printers.Names()
    names.taken = CountingSet(names.taken | {"y_5"})  # taken by someone else: skipped
    CountingSet.probes = 0
    got = [names.new("y", f"v{i}") for i in range(2000)]
    assert got[:6] == ["y", "y_2", "y_3", "y_4", "y_6", "y_7"]
    assert got[-1] == "y_2001"
    assert len(set(got)) == 2000
    # one probe per name handed out and one per name skipped; searching from base_2
    # each time (as before) probes 2000²/2 = 2,000,000 times
    assert CountingSet.probes <= 2 * 2000 + 1


def test_nodes_that_share_a_name_get_numbered_names_in_line_order() -> None:
    def chain(x: Value) -> Value:
        for _ in range(500):  # the names grow until cut at 64 characters, then repeat
            x = (x * 1.0001).tanh()
        return x

    compiled = compile(chain)
    forward, backward = compiled.source.split("# backward")
    assigned = re.findall(r"^    (\w+) = ", compiled.source, flags=re.M)
    assert len(assigned) == len(set(assigned)) == 1000 + 1000  # forward, backward
    numbered: dict[str, list[int]] = {}
    names = re.findall(r"^    (\w+) = ", forward, flags=re.M)
    for name in names:
        m = re.fullmatch(r"(.*)_(\d+)", name)
        if m is not None and m[1] in names:  # base_k beside base: the k-th of its kind
            numbered.setdefault(m[1], []).append(int(m[2]))
    assert len(numbered) == 4  # the chain repeats four names
    for base, ks in numbered.items():
        assert ks == list(range(2, len(ks) + 2)), base
    # a gradient is named after its node: dL_d and the node's name
    assert {f"dL_d{name}" for name in names[:-1]} | {"dL_dx"} == set(
        re.findall(r"^    (\w+) = ", backward, flags=re.M)
    )
    x = Value(0.5, "x")
    out = chain(x)
    value, (dx,) = compiled(0.5)
    assert value == out.data
    assert dx == grad(out, [x])[0].data


HOSTILE = [
    "x); import os; os.system('echo pwned') #",
    "__import__('os')",
    "a\nimport sys\nb",
    "exec",
    "__builtins__",
    "'; DROP TABLE --",
    "x" * 10_000,
    "lambda: 0",
    "\x00\u202e",
]


def source_names(source: str) -> set[str]:
    return {
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.NAME
    }


def test_hostile_labels_never_reach_the_source() -> None:
    def f(*xs: Value) -> Value:
        out = xs[0]
        for i, x in enumerate(xs[1:], 1):
            out = named(out * x + 1.0, HOSTILE[i])
        return named(out.sigmoid(), HOSTILE[0])

    f.__name__ = "os.system('x')"
    compiled = compile(f, labels=HOSTILE, shared=HOSTILE[:3])
    for source in (compiled.source, compiled.batch_source):
        for name in source_names(source):
            assert name.isidentifier()
            assert name.isascii()
            assert len(name) <= 80
        assert "import" not in source.replace("_import_", "")
        assert "(" not in source.splitlines()[0].split("(", 1)[1].rstrip("):")
        keywords = {n for n in source_names(source) if keyword.iskeyword(n)}
        assert keywords == {"def", "return"}
        called = {n for n in source_names(source) if f"{n}(" in source}
        assert called <= {
            "sigmoid",
            "each",
            "batch_sum",
            "float",
            "os_system_x",
            "os_system_x_batch",
        }
    assert compiled.source.startswith("def os_system_x(")
    point = [0.1 * i for i in range(len(HOSTILE))]
    value, grads = compiled(*point)
    leaves = [Value(p) for p in point]
    out = f(*leaves)
    assert value == out.data
    assert grads == tuple(g.data for g in grad(out, leaves))


def test_the_generated_code_has_no_builtins() -> None:
    compiled = compile(lambda x: x * 2.0)
    assert compiled.function.__globals__["__builtins__"] == {}


def test_long_sums_and_long_chains_compile() -> None:
    def many_uses(x: Value) -> Value:
        return sum((x * float(i) for i in range(1, 301)), Constant(0.0))

    compiled = compile(many_uses)
    value, (dx,) = compiled(1.0)
    assert value == sum(float(i) for i in range(1, 301))
    assert dx == 45150.0

    def chain(x: Value) -> Value:
        for _ in range(3000):
            x = x * 1.001
        return x

    value, (dx,) = compile(chain)(1.0)
    assert value == pytest.approx(1.001**3000, rel=1e-12)
    assert dx == pytest.approx(1.001**3000, rel=1e-12)

    def wide(x: Value) -> Value:
        return wsum([x] * 1000, [float(i) for i in range(1000)], 0.5)

    compiled = compile(wide)
    lines = compiled.source.splitlines()
    assert len(lines) > 1000 // 64  # long sums are split over lines
    assert max(line.count(" + ") for line in lines) <= 64
    assert compiled(2.0) == (2.0 * sum(range(1000)) - 0.5, (float(sum(range(1000))),))


def test_a_graph_of_values_compiles_with_its_leaves_as_inputs() -> None:
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(0.1, "b")
    out = wsum([w], [x], b).tanh()
    compiled = Compiled(out, [w, b, x], wrt=["w", "b"], shared=["w", "b"])
    value, grads = compiled(0.5, 0.1, 2.0)
    assert value == out.data
    assert grads == tuple(g.data for g in grad(out, [w, b]))
    assert compiled.inputs == ("w", "b", "x")


# --- errors ---


def test_wrong_number_of_inputs_says_expected_and_got(notes: Compiled) -> None:
    with pytest.raises(TypeError, match=r"notes_loss takes 12 inputs \(w_11\^\(1\), .*\), got 11"):
        notes(*POINT, 1.0, 0.0)
    np = pytest.importorskip("numpy")
    with pytest.raises(TypeError, match=r"takes 12 inputs .*got 13"):
        notes.batch(*POINT, np.zeros(2), np.zeros(2), np.zeros(2), np.zeros(2))


def test_mismatched_batch_lengths_say_which_and_how_long(notes: Compiled) -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(ValueError, match=r"'x_1\^\(0\)' has 3 samples, so 't' needs 3, got 2"):
        notes.batch(*POINT, np.zeros(3), np.zeros(3), np.zeros(2))


def test_bad_batch_inputs_are_named(notes: Compiled) -> None:
    np = pytest.importorskip("numpy")
    with pytest.raises(ValueError, match=r"'x_2\^\(0\)' must be a 1-D array .* shape \(2, 2\)"):
        notes.batch(*POINT, np.zeros(2), np.zeros((2, 2)), np.zeros(2))
    with pytest.raises(TypeError, match=r"'t' must hold real numbers, got dtype <U1"):
        notes.batch(*POINT, np.zeros(2), np.zeros(2), np.array(["a", "b"]))
    with pytest.raises(TypeError, match=r"shared input 'b_1\^\(2\)' must be a real number"):
        notes.batch(*POINT[:8], [1.0, 2.0], np.zeros(2), np.zeros(2), np.zeros(2))
    all_shared = compile(lambda x: x * 2.0, shared=["x"])
    with pytest.raises(ValueError, match=r"every input is shared"):
        all_shared.batch(1.0)


def test_bad_scalar_inputs_are_named() -> None:
    compiled = compile(lambda x, y: x * y)
    with pytest.raises(TypeError, match=r"input 'y' must be a real number.*got str"):
        compiled(1.0, "2")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"input 'x' must be a real number.*got bool"):
        compiled(True, 2.0)


def test_bad_compile_arguments_are_explained() -> None:
    with pytest.raises(
        ValueError, match=r"wrt must name inputs .*got 'z', the inputs are 'x', 'y'"
    ):
        compile(lambda x, y: x * y, wrt=["z"])
    with pytest.raises(ValueError, match=r"shared names 'x' twice"):
        compile(lambda x, y: x * y, shared=["x", "x"])
    with pytest.raises(TypeError, match=r"takes \*args.*labels="):
        compile(lambda *xs: xs[0])
    with pytest.raises(ValueError, match=r"labels gives 1 names, but the function takes 2 inputs"):
        compile(lambda x, y: x * y, labels=["a"])
    with pytest.raises(TypeError, match=r"labels must be non-empty str; labels\[1\] is ''"):
        compile(lambda x, y: x * y, labels=["a", ""])
    with pytest.raises(TypeError, match=r"keyword-only parameter 'k' needs a default"):
        compile(lambda x, *, k: x)
    with pytest.raises(TypeError, match=r"must give a Value, got float"):
        compile(lambda x: 1.0)  # type: ignore[arg-type,return-value]


def test_a_value_that_is_not_an_input_is_an_error() -> None:
    hidden = Value(3.0, "w_hidden")
    with pytest.raises(ValueError, match=r"not one of its inputs: label 'w_hidden', data 3.0"):
        compile(lambda x: x * hidden)


def test_graph_inputs_must_be_distinct_named_leaves() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "x")
    with pytest.raises(ValueError, match=r"distinct names .* inputs\[1\] repeats 'x'"):
        Compiled(x * y, [x, y])
    with pytest.raises(ValueError, match=r"the name of inputs\[0\] is ''"):
        Compiled(Value(1.0) * 2.0, [Value(1.0)], names=[""])
    with pytest.raises(ValueError, match=r"inputs\[1\] is inputs\[0\] again"):
        Compiled(x * x, [x, x])
    with pytest.raises(TypeError, match=r"must be leaf Values .* inputs\[0\]"):
        Compiled(x * y, [x * y])
    with pytest.raises(ValueError, match=r"names must be a list of 2 str"):
        Compiled(x * y, [x, y], names=["a"])
    compiled = Compiled(x * y, [x, y], names=["a", "b"], wrt=["b"])
    assert compiled.inputs == ("a", "b")
    assert compiled(3.0, 4.0) == (12.0, (3.0,))


def test_batch_without_numpy_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled = compile(lambda x: x * 2.0)
    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[batch\]'"):
        compiled.batch([1.0])


def test_importing_and_compiling_use_the_standard_library_alone() -> None:
    code = (
        "import sys, autograd\n"
        "f = autograd.compile(lambda x, y: (x * y).sigmoid())\n"
        "value, grads = f(1.0, 2.0)\n"
        "print('numpy' in sys.modules, round(value, 6))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["False", str(round(1 / (1 + math.exp(-2.0)), 6))]


# --- batched mode ---


def test_batch_returns_per_sample_values_and_arrays_for_per_sample_inputs() -> None:
    np = pytest.importorskip("numpy")
    compiled = compile(lambda w, x: (w * x).relu() + w, shared=["w"])
    x = np.array([-1.0, 0.0, 2.0, 3.0])
    values, (dw, dx) = compiled.batch(2.0, x)
    assert values.tolist() == [2.0, 2.0, 6.0, 8.0]
    assert dw == 1.0 + 1.0 + 3.0 + 4.0  # Σ_n (step(w x_n) x_n + 1)
    assert as_array(dx).tolist() == [0.0, 0.0, 2.0, 2.0]
    assert x.tolist() == [-1.0, 0.0, 2.0, 3.0]  # inputs untouched


def test_batch_results_are_fresh_arrays_of_the_batch_length() -> None:
    np = pytest.importorskip("numpy")
    compiled = compile(lambda w, x, y: w * x + 0.0 * y, shared=["w"])
    x = np.array([1.0, 2.0])
    values, (dw, dx, dy) = compiled.batch(3.0, x, [5, 6])
    assert as_array(dx).tolist() == [3.0, 3.0]
    assert as_array(dy).tolist() == [0.0, 0.0]
    assert dw == 3.0
    values[0] = 99.0
    assert x[0] == 1.0
    assert compile(lambda w, x: w * 2.0, shared=["w"]).batch(1.5, [0.0] * 5)[1][0] == 10.0


def test_empty_batch_gives_empty_values_and_zero_shared_gradients() -> None:
    pytest.importorskip("numpy")
    compiled = compile(lambda w, x: w * x + w * math.inf, shared=["w"])
    values, (dw, dx) = compiled.batch(1.0, [])
    assert values.shape == (0,)
    assert as_array(dx).shape == (0,)
    assert dw == 0.0


def test_batched_relu_keeps_the_signed_zero_and_nan_of_the_float_code() -> None:
    np = pytest.importorskip("numpy")
    compiled = compile(lambda x: 1.0 / x.relu())
    xs = [-0.0, -2.0, math.nan, 4.0, math.inf, -math.inf]
    values, (dx,) = compiled.batch(np.array(xs))
    for i, x in enumerate(xs):
        value, (g,) = compiled(x)
        assert same(values[i], value), x
        assert same(as_array(dx)[i], g), x


@pytest.mark.parametrize("library", ["numpy", "torch"])
def test_batched_square_roots_written_as_powers_give_pows_answers(library: str) -> None:
    # NumPy computes x ** 0.5 as sqrt(x), PyTorch x ** ±0.5 as sqrt or 1/sqrt: at -inf and
    # -0.0 those give nan and -0.0 (or -inf) where the float code's pow gives inf and 0.0
    lib = pytest.importorskip(library)
    xs = [-math.inf, -0.0, 0.0, math.inf, -2.0, 4.0, math.nan]
    batch = lib.asarray(xs, dtype=lib.float64)
    for compiled, shared in [
        (compile(lambda x: x**0.5), ()),
        (compile(lambda x: x**-0.5), ()),
        (compile(lambda x, y: x**y, shared=["y"]), (0.5,)),
        (compile(lambda x, y: x**y, shared=["y"]), (-0.5,)),
    ]:
        values, grads = compiled.batch(batch, *shared)
        for i, x in enumerate(xs):
            value, point_grads = compiled(x, *shared)
            assert same(float(values[i]), value), (compiled.source, x)
            assert same(float(grads[0][i]), point_grads[0]), (compiled.source, x)


SPECIAL = [-math.inf, -7.25, -2.0, -1.0, -0.5, -0.0, 0.0, 1e-310, 0.5, 1.0, 2.0, 1e300, math.inf]
SPECIAL.append(math.nan)


def agrees(a: float, b: float) -> bool:
    """The same inf, nan or signed zero; else within 1e-12 of the larger number (or of 1):
    an array library's exp or tanh may be an ulp from libm's, and 1 - tanh² cancels it."""
    if not all(map(math.isfinite, (a, b))) or a == b == 0.0:
        return same(a, b)
    return close_max(a, b, scale=1.0)


@pytest.mark.parametrize("library", ["numpy", "torch"])
@pytest.mark.parametrize("row", ROWS)
def test_every_row_runs_batched_on_an_array_librarys_arrays_with_shared_inputs(
    library: str, row: str
) -> None:
    # each input per-sample or shared (a number, which PyTorch's functions do not take), at
    # special points, the row's value scaled by a per-sample t (so all may be shared): the
    # batch's values and gradients are the scalar code's
    lib = pytest.importorskip(library)
    names = ", ".join(f"x{i}" for i in range(RULES[row].arity))
    function = eval(f"lambda t, {names}: t * apply({row!r}, {names})", {"apply": apply})
    for shared in itertools.product([False, True], repeat=RULES[row].arity):
        compiled = compile(function, shared=[f"x{i}" for i, s in enumerate(shared) if s])
        at_once = [True] + [not s for s in shared]  # per-sample inputs take every point at once
        points = [(1.5, *p) for p in itertools.product(SPECIAL, repeat=shared.count(False))]
        for fixed in itertools.product(SPECIAL, repeat=sum(shared)):

            def inputs(
                sample: Sequence[Any],
                fixed: tuple[float, ...] = fixed,
                at_once: list[bool] = at_once,
            ) -> list[Any]:
                ours, theirs = iter(sample), iter(fixed)
                return [next(ours) if per_sample else next(theirs) for per_sample in at_once]

            columns = [lib.asarray(list(c), dtype=lib.float64) for c in zip(*points, strict=True)]
            values, grads = compiled.batch(*inputs(columns))
            for k, point in enumerate(points):
                given = inputs(point)
                if library == "torch" and row == "mod" and 0.0 < abs(given[2]) < sys.float_info.min:
                    continue  # PyTorch's vectorised fmod gives nan for a subnormal divisor
                value, point_grads = compiled(*given)
                assert agrees(float(values[k]), value), (row, given)
                for i, per_sample in enumerate(at_once):
                    if per_sample:
                        assert agrees(float(grads[i][k]), point_grads[i]), (row, given, i)


def as_array(g: object) -> Any:
    """A per-sample gradient: checks that it is a NumPy array."""
    np = pytest.importorskip("numpy")
    assert isinstance(g, np.ndarray)
    assert g.dtype == np.float64
    return g
