"""Properties of autograd.compile: the generated code computes what the eager engine does.

- Scalar mode runs the table's own float functions in the engine's order, so on
  random expression graphs and random networks its value and gradients are the
  eager engine's bit for bit, on any float input, inf and nan included.
- Batched mode runs the same lines on arrays. Its NumPy functions agree with the
  float ones on every IEEE class (nan, ±inf, ±0) and to a few ulps elsewhere,
  checked function by function. With those functions swapped for the exact
  float ones, a batch equals the samples one by one, bit for bit, and a shared
  input's gradient is the sum of the terms the eager engine adds for it in every
  sample, to 1e-12 of Σ|terms| (only the order of the additions differs).
- End to end with NumPy, random networks match the eager engine to 1e-12.
"""

from __future__ import annotations

import builtins
import importlib
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from compare import close_ieee, same
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from autograd import RULES, Value, compile, grad, topological_order, wsum

np = pytest.importorskip("numpy")
compile_module = importlib.import_module("autograd.compile")
printers = importlib.import_module("autograd.printers")

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- comparisons ---


def close_to_sum(got: float, terms: Sequence[float], floor: float = 0.0) -> bool:
    """``got`` is Σ terms up to the rounding of a sum: 1e-12 of Σ|terms|.

    IEEE classes must agree; when the finite terms' sum overflows, the order of
    summation decides, so anything goes.
    """
    expected = builtins.sum(terms, 0.0)
    if not math.isfinite(expected):
        if all(math.isfinite(t) for t in terms):
            return True  # an overflow somewhere in the sum: order-dependent
        return same(got, expected)
    magnitude = builtins.sum((abs(t) for t in terms), 0.0)
    if not math.isfinite(magnitude):
        return True
    return math.isfinite(got) and abs(got - expected) <= 1e-12 * magnitude + floor


# --- random expression graphs ---

CONSTANTS = st.one_of(
    st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0, 0.5, -2.5, 1e300, 1e-300, math.inf, -math.inf]),
    st.just(math.nan),
    st.floats(-10, 10),
)
EXPONENTS = st.one_of(st.sampled_from([2.0, 3.0, 0.5, -1.0, -2.0, 1.0, 0.0, 1.5]), st.floats(-4, 4))
UNARY = ["exp", "log", "sigmoid", "tanh", "relu", "neg"]
BINARY = ["add", "sub", "mul", "div", "powv"]
WITH_CONSTANT = ["addc", "mulc", "rsub", "rdiv", "pow", "rpow"]


@dataclass(frozen=True)
class Program:
    """A random computation: inputs are nodes 0..n-1, step k makes node n+k."""

    n_inputs: int
    steps: tuple[tuple[str, tuple[int, ...], tuple[float, ...], str], ...]

    def run(self, xs: Sequence[Value]) -> Value:
        nodes = list(xs)
        for op, refs, consts, label in self.steps:
            a = nodes[refs[0]] if refs else None
            b = nodes[refs[1]] if len(refs) > 1 else None
            out = _apply(op, a, b, [nodes[r] for r in refs], consts)
            if label:
                out.label = label
            nodes.append(out)
        return nodes[-1]


def _apply(op: str, a: Any, b: Any, refs: list[Value], consts: tuple[float, ...]) -> Value:
    c = consts[0] if consts else 0.0
    table: dict[str, Callable[[], Value]] = {
        "exp": lambda: a.exp(),
        "log": lambda: a.log(),
        "sigmoid": lambda: a.sigmoid(),
        "tanh": lambda: a.tanh(),
        "relu": lambda: a.relu(),
        "neg": lambda: -a,
        "add": lambda: a + b,
        "sub": lambda: a - b,
        "mul": lambda: a * b,
        "div": lambda: a / b,
        "powv": lambda: a**b,
        "addc": lambda: a + c,
        "mulc": lambda: c * a,
        "rsub": lambda: c - a,
        "rdiv": lambda: c / a,
        "pow": lambda: a**c,
        "rpow": lambda: abs(c) ** a,
        "wsum": lambda: wsum(refs[: len(refs) // 2], refs[len(refs) // 2 :], c),
    }
    return table[op]()


@st.composite
def programs(draw: st.DrawFn, max_inputs: int = 4, max_steps: int = 25) -> Program:
    n_inputs = draw(st.integers(1, max_inputs))
    steps: list[tuple[str, tuple[int, ...], tuple[float, ...], str]] = []
    for _ in range(draw(st.integers(1, max_steps))):
        available = n_inputs + len(steps)
        recent = st.integers(max(0, available - 3), available - 1)  # depth
        node = st.one_of(recent, st.integers(0, available - 1))  # sharing, reuse
        op = draw(st.sampled_from(UNARY + BINARY + WITH_CONSTANT + ["wsum"]))
        label = draw(st.sampled_from(["", "", "", "h", "S_1^(2)", "x_1^(1)"]))
        if op in UNARY:
            steps.append((op, (draw(node),), (), label))
        elif op in BINARY:
            steps.append((op, (draw(node), draw(node)), (), label))
        elif op == "wsum":
            k = draw(st.integers(1, 4))
            refs = tuple(draw(node) for _ in range(2 * k))
            steps.append((op, refs, (draw(CONSTANTS),), label))
        else:
            constant = draw(EXPONENTS if op in ("pow", "rpow") else CONSTANTS)
            steps.append((op, (draw(node),), (constant,), label))
    return Program(n_inputs, tuple(steps))


ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
MODERATE = st.floats(-3, 3)


def eager(
    program: Program, point: Sequence[float], wrt: Sequence[int]
) -> tuple[float, list[float]]:
    leaves = [Value(x, f"x{i}") for i, x in enumerate(point)]
    out = program.run(leaves)
    return out.data, [g.data for g in grad(out, [leaves[i] for i in wrt])]


def contributions(out: Value, leaves: Sequence[Value]) -> list[list[float]]:
    """For each leaf, the terms the eager engine adds up into ∂out/∂leaf."""
    order = topological_order(out)
    d_out = dict(zip(order, (g.data for g in grad(out, order)), strict=True))
    terms: dict[Value, list[float]] = {leaf: [] for leaf in leaves}
    if out in terms:
        terms[out].append(1.0)
    for node in reversed(order):
        if node._rule is not None:
            local = node._rule.derivative(node.data, *[x.data for x in node.inputs])
            for x, p in zip(node.inputs, local, strict=True):
                if x in terms:  # a masking row's 0 (or a partial of None) passes on exactly 0
                    blocked = p is None or (node._rule.masks and p == 0.0)
                    terms[x].append(0.0 if blocked else d_out[node] * p)
    return [terms[leaf] for leaf in leaves]


def compiled_program(program: Program, **kwargs: Any) -> Any:
    labels = [f"x{i}" for i in range(program.n_inputs)]
    return compile(lambda *xs: program.run(xs), labels=labels, **kwargs)


@SETTINGS
@given(st.data())
def test_scalar_code_equals_the_eager_engine_bit_for_bit(data: st.DataObject) -> None:
    program = data.draw(programs())
    point = data.draw(
        st.lists(
            st.one_of(MODERATE, ANY_FLOAT), min_size=program.n_inputs, max_size=program.n_inputs
        )
    )
    wrt = data.draw(st.lists(st.integers(0, program.n_inputs - 1), unique=True))
    compiled = compiled_program(program, wrt=[f"x{i}" for i in wrt])
    value, grads = compiled(*point)
    expected_value, expected_grads = eager(program, point, wrt)
    assert same(value, expected_value), compiled.source
    assert len(grads) == len(wrt)
    for got, expected in zip(grads, expected_grads, strict=True):
        assert same(got, expected), compiled.source


# --- random networks, built as the nn package builds them ---


@dataclass(frozen=True)
class Network:
    n_in: int
    sizes: tuple[int, ...]
    activation: str

    def parameter_names(self) -> list[str]:
        names = []
        fan_in = self.n_in
        for k, size in enumerate(self.sizes, 1):
            for j in range(1, size + 1):
                names += [f"w_{i}{j}^({k})" for i in range(1, fan_in + 1)] + [f"b_{j}^({k})"]
            fan_in = size
        return names

    def loss(self, *args: Value) -> Value:
        """½ Σ (y - t)², parameters first, then the sample's inputs and targets."""
        n_params = len(self.parameter_names())
        params, rest = list(args[:n_params]), list(args[n_params:])
        xs, targets = rest[: self.n_in], rest[self.n_in :]
        fan_in = self.n_in
        for k, size in enumerate(self.sizes, 1):
            layer = []
            for j in range(1, size + 1):
                ws, b = params[:fan_in], params[fan_in]
                params = params[fan_in + 1 :]
                s = wsum(ws, xs, b)
                s.label = f"S_{j}^({k})"
                out = s if self.activation == "linear" else getattr(s, self.activation)()
                out.label = f"x_{j}^({k})"
                layer.append(out)
            xs, fan_in = layer, size
        total = None
        for y, t in zip(xs, targets, strict=True):
            term = 0.5 * (y - t) ** 2
            total = term if total is None else total + term
        assert total is not None
        return total


@st.composite
def networks(draw: st.DrawFn) -> Network:
    return Network(
        n_in=draw(st.integers(1, 3)),
        sizes=tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3))),
        activation=draw(st.sampled_from(["sigmoid", "tanh", "relu", "linear"])),
    )


def network_inputs(network: Network) -> tuple[list[str], list[str], list[str]]:
    params = network.parameter_names()
    xs = [f"x_{i}^(0)" for i in range(1, network.n_in + 1)]
    ts = [f"t_{j}" for j in range(1, network.sizes[-1] + 1)]
    return params, xs, ts


@SETTINGS
@given(st.data())
def test_scalar_code_equals_the_eager_engine_on_random_networks(data: st.DataObject) -> None:
    network = data.draw(networks())
    params, xs, ts = network_inputs(network)
    names = params + xs + ts
    point = data.draw(
        st.lists(st.one_of(MODERATE, ANY_FLOAT), min_size=len(names), max_size=len(names))
    )
    compiled = compile(network.loss, labels=names)
    value, grads = compiled(*point)
    leaves = [Value(x, n) for x, n in zip(point, names, strict=True)]
    out = network.loss(*leaves)
    assert same(value, out.data)
    for got, expected in zip(grads, grad(out, leaves), strict=True):
        assert same(got, expected.data)


# --- batched mode ---

TRANSCENDENTAL = {name: RULES[name].forward for name in ("exp", "log", "sigmoid", "tanh")}


@contextmanager
def exact_float_functions(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Batched code with the float functions applied elementwise in place of NumPy's own."""
    real = printers.batched_namespace

    def namespace(xp: Any = None) -> dict[str, Any]:
        functions = real(xp)
        for name, f in TRANSCENDENTAL.items():
            functions[name] = np.vectorize(f, otypes=[np.float64])
        power = np.vectorize(RULES["pow"].forward, otypes=[np.float64])
        functions["pow"] = functions["powv"] = power
        return functions  # type: ignore[no-any-return]

    monkeypatch.setattr(compile_module, "batched_namespace", namespace)
    yield


@SETTINGS
@given(st.data())
def test_a_batch_is_its_samples_one_by_one(data: st.DataObject) -> None:
    program = data.draw(programs(max_steps=15))
    n = data.draw(st.integers(0, 4))
    shared = data.draw(st.lists(st.integers(0, program.n_inputs - 1), unique=True))
    assume(len(shared) < program.n_inputs)
    values = st.one_of(MODERATE, ANY_FLOAT)
    columns: list[Any] = [
        data.draw(values) if i in shared else data.draw(st.lists(values, min_size=n, max_size=n))
        for i in range(program.n_inputs)
    ]
    compiled = compiled_program(program, shared=[f"x{i}" for i in shared])
    with pytest.MonkeyPatch.context() as mp, exact_float_functions(mp):
        got_values, got_grads = compiled.batch(*columns)
    assert got_values.shape == (n,)
    terms: list[list[float]] = [[] for _ in range(program.n_inputs)]
    for k in range(n):
        sample = [c if i in shared else c[k] for i, c in enumerate(columns)]
        leaves = [Value(x, f"x{i}") for i, x in enumerate(sample)]
        out = program.run(leaves)
        assert same(got_values[k], out.data), compiled.batch_source
        for i, (g, expected) in enumerate(zip(got_grads, grad(out, leaves), strict=True)):
            if i not in shared:
                assert isinstance(g, np.ndarray)
                assert g.shape == (n,)
                assert same(g[k], expected.data), compiled.batch_source
        for i, t in enumerate(contributions(out, leaves)):
            terms[i] += t
    for i in shared:
        assert type(got_grads[i]) is float
        assert close_to_sum(got_grads[i], terms[i]), (i, terms[i], compiled.batch_source)


@SETTINGS
@given(st.data())
def test_batched_networks_match_the_eager_engine(data: st.DataObject) -> None:
    network = data.draw(networks())
    params, xs, ts = network_inputs(network)
    n = data.draw(st.integers(1, 6))
    weights = data.draw(st.lists(st.floats(-3, 3), min_size=len(params), max_size=len(params)))
    # inf and nan inputs too, but no finite number near overflow: a layer is a matrix
    # product, whose order of multiplication decides whether such products overflow
    sample_value = st.one_of(MODERATE, MODERATE, st.sampled_from([math.inf, -math.inf, math.nan]))
    columns = [data.draw(st.lists(sample_value, min_size=n, max_size=n)) for _ in xs + ts]
    compiled = compile(network.loss, labels=params + xs + ts, wrt=params + xs, shared=params)
    values, grads = compiled.batch(*weights, *[np.array(c) for c in columns])
    terms: list[list[float]] = [[] for _ in params]
    expected = []
    largest_gradient, largest_input = 1.0, 1.0
    for k in range(n):
        sample = weights + [c[k] for c in columns]
        leaves = [Value(v, name) for v, name in zip(sample, params + xs + ts, strict=True)]
        out = network.loss(*leaves)
        expected.append((out.data, [g.data for g in grad(out, leaves[len(params) :])]))
        for i, t in enumerate(contributions(out, leaves[: len(params)])):
            terms[i] += t
        every = [abs(g.data) for g in grad(out, topological_order(out))]
        largest_gradient = max([largest_gradient, *filter(math.isfinite, every)])
        largest_input = max([largest_input, *filter(math.isfinite, map(abs, sample))])
    # NumPy's exp and tanh differ from libm's by an ulp or so, and σ' = σ(1 - σ) or
    # tanh' = 1 - tanh² can cancel that into an absolute error of ~1e-16, which the
    # chain rule multiplies by ∂L/∂node and by an input: the floor is that product.
    floor = 1e-12 * largest_gradient * largest_input
    for k in range(n):
        assert close_ieee(values[k], expected[k][0], floor=floor)
    for i, g in enumerate(grads):
        if i < len(params):
            assert type(g) is float
            assert close_to_sum(g, terms[i], floor=floor), (params[i], g, terms[i])
        else:
            assert isinstance(g, np.ndarray)
            for k in range(n):
                assert close_ieee(g[k], expected[k][1][i - len(params)], floor=floor)


# --- the NumPy functions against the float ones ---

SPECIAL = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -0.5,
    2.0,
    3.0,
    1e-310,
    -1e-310,
    1e-300,
    700.0,
    -700.0,
    1000.0,
    -1000.0,
    1e300,
    -1e300,
    math.inf,
    -math.inf,
    math.nan,
]
FLOAT_VERSIONS: dict[str, Callable[[float], float]] = {
    **TRANSCENDENTAL,
    "relu": RULES["relu"].forward,
    "step": RULES["step"].forward,
}


@pytest.mark.parametrize("name", sorted(FLOAT_VERSIONS))
def test_numpy_functions_give_the_float_functions_ieee_results(name: str) -> None:
    functions = printers.batched_namespace()
    exact = name in ("relu", "step")
    with np.errstate(all="ignore"):
        got = functions[name](np.array(SPECIAL))
        one = functions[name](SPECIAL[3])  # a scalar in, as for shared inputs
    assert close_ieee(one, FLOAT_VERSIONS[name](SPECIAL[3]))
    for x, g in zip(SPECIAL, got.tolist(), strict=True):
        expected = FLOAT_VERSIONS[name](x)
        assert same(g, expected) if exact else close_ieee(g, expected), (name, x, g, expected)


@pytest.mark.parametrize("name", sorted(FLOAT_VERSIONS))
@SETTINGS
@given(xs=st.lists(st.floats(-700, 700), min_size=1, max_size=20))
def test_numpy_functions_agree_with_the_float_functions(name: str, xs: list[float]) -> None:
    functions = printers.batched_namespace()
    with np.errstate(all="ignore"):
        got = functions[name](np.array(xs)).tolist()
    for x, g in zip(xs, got, strict=True):
        assert close_ieee(g, FLOAT_VERSIONS[name](x)), (name, x)


POW_CASES = [
    (0.0, -1.0),
    (-0.0, -1.0),
    (-0.0, -2.0),
    (0.0, 0.0),
    (-2.0, 0.5),
    (-2.0, 3.0),
    (1e200, 2.0),
    (-1e200, 3.0),
    (math.inf, -1.0),
    (math.nan, 0.0),
    (1.0, math.nan),
    (-math.inf, 3.0),
    (-math.inf, 2.0),
    (2.0, 5000.0),
    (0.5, -5000.0),
    (-1.0, math.inf),
    (2.0, 0.5),
    (9.0, -0.5),
]


def test_numpy_power_gives_the_float_powers_ieee_results() -> None:
    functions = printers.batched_namespace()
    x, y = (np.array(c) for c in zip(*POW_CASES, strict=True))
    with np.errstate(all="ignore"):
        got = functions["pow"](x, y).tolist()
    for (a, b), g in zip(POW_CASES, got, strict=True):
        assert close_ieee(g, RULES["pow"].forward(a, b)), (a, b, g)


def test_the_batched_namespace_has_every_op_of_the_table() -> None:
    functions = printers.batched_namespace()
    assert set(RULES) <= set(functions)
    scalar = printers.scalar_namespace()
    batched_helpers = {"each", "batch_sum", "float", "columns", "matrix", "vector", "entries"}
    assert set(functions) == set(scalar) | batched_helpers | {"batch_sums", "sum_of_squares"}
