"""delta_rule: the notes' equations on floats, against the engine and against the notes by hand."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable

import pytest
from compare import close_max
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value, grad
from nn import ACTIVATIONS, MLP, Backprop, Layer, delta_rule, squared_error, weight_name


def randomised(model: MLP, rng: random.Random) -> MLP:
    """Give every parameter, biases included, a random value in (-2, 2)."""
    for p in model.parameters():
        p.data = rng.uniform(-2.0, 2.0)
    return model


def magnitudes(model: MLP, bp: Backprop, t: list[float]) -> dict[str, float]:
    """The delta rule run on absolute values: for each parameter, the size of the
    terms its gradient sums. Rounding error in any order of summation is a small
    multiple of 1e-16 times this, so it is the scale a relative tolerance needs
    where the terms cancel (two correct sums in different orders differ there)."""
    K = len(model.layers)
    size: dict[str, float] = {}
    prime: dict[str, Callable[[float, float], float]] = {
        "sigmoid": lambda s, x: x * (1 - x),
        "tanh": lambda s, x: 1 - x * x,
        "relu": lambda s, x: float(s > 0),
        "linear": lambda s, x: 1.0,
    }
    for j, n in enumerate(model.layers[-1].neurons, start=1):
        s, x = bp.S[f"S_{j}^({K})"], bp.x[f"x_{j}^({K})"]
        size[f"S_{j}^({K})"] = abs(x - t[j - 1]) * abs(prime[n.activation](s, x))
    for k in range(K - 1, 0, -1):
        upper = model.layers[k].neurons
        for i, n in enumerate(model.layers[k - 1].neurons, start=1):
            s, x = bp.S[f"S_{i}^({k})"], bp.x[f"x_{i}^({k})"]
            total = sum(
                abs(u.w[i - 1].data) * size[f"S_{j}^({k + 1})"] for j, u in enumerate(upper, 1)
            )
            size[f"S_{i}^({k})"] = abs(prime[n.activation](s, x)) * total
    out = {}
    for k, layer in enumerate(model.layers, start=1):
        for j, n in enumerate(layer.neurons, start=1):
            out[f"b_{j}^({k})"] = size[f"S_{j}^({k})"]
            for i in range(1, n.n_in + 1):
                out[weight_name(i, j, k)] = size[f"S_{j}^({k})"] * abs(bp.x[f"x_{i}^({k - 1})"])
    return out


networks = st.fixed_dictionaries(
    {
        "n_in": st.integers(1, 4),
        "sizes": st.lists(st.integers(1, 5), min_size=1, max_size=5),
        "activation": st.sampled_from(ACTIVATIONS),
        "output": st.sampled_from((None, *ACTIVATIONS)),
        "seed": st.integers(0, 2**32 - 1),
    }
)


def sample(net: dict[str, object]) -> tuple[MLP, list[float], list[float], Backprop]:
    """The drawn network with random weights, one input and target, and its delta rule."""
    rng = random.Random(net["seed"])  # type: ignore[arg-type]
    model = randomised(
        MLP(net["n_in"], net["sizes"], net["activation"], net["output"]),  # type: ignore[arg-type]
        rng,
    )
    x = [rng.uniform(-3.0, 3.0) for _ in range(model.n_in)]
    t = [rng.uniform(-1.0, 1.0) for _ in range(model.layer_sizes[-1])]
    return model, x, t, delta_rule(model, x, t)


@settings(max_examples=150, deadline=None)
@given(net=networks)
def test_delta_rule_equals_autograd_for_random_networks(net: dict[str, object]) -> None:
    model, x, t, bp = sample(net)
    relu_units = [
        f"S_{j}^({k})"
        for k, layer in enumerate(model.layers, start=1)
        if layer.activation == "relu"
        for j in range(1, layer.n_out + 1)
    ]
    assume(all(bp.S[name] != 0.0 for name in relu_units))  # relu has no derivative at 0

    nodes = model.named_nodes(x)
    L = squared_error([nodes[f"x_{j}^({len(model.layers)})"] for j in range(1, len(t) + 1)], t)
    L.backward()
    scale = magnitudes(model, bp, t)

    assert close_max(bp.loss, L.data, 0.0)
    for name, value in bp.S.items():
        assert close_max(value, nodes[name].data, 0.0), name
    for name, value in bp.x.items():
        assert close_max(value, nodes[name].data, 0.0), name
    for name, p in model.named_parameters():
        assert close_max(bp.grad[name], p.grad, scale[name]), (name, bp.grad[name], p.grad)
    # δ_j^(k) is ∂L/∂S_j^(k), (4): ask the engine for it directly
    S_names = list(bp.S)
    dS = grad(L, [nodes[name] for name in S_names])
    for name, d in zip(S_names, dS, strict=True):
        delta = bp.delta["δ" + name[1:]]
        assert close_max(delta, d.data, scale["b" + name[1:]]), (name, delta, d.data)


@settings(max_examples=100, deadline=None)
@given(net=networks)
def test_bias_gradient_is_minus_delta_everywhere(net: dict[str, object]) -> None:
    """(13): ∂L/∂b_j^(k) = -δ_j^(k), in the hand computation and in the engine, exactly."""
    model, x, t, bp = sample(net)
    nodes = model.named_nodes(x)
    L = squared_error([nodes[f"x_{j}^({len(model.layers)})"] for j in range(1, len(t) + 1)], t)
    L.backward()
    S_names = list(bp.S)
    dS = grad(L, [nodes[name] for name in S_names])
    params = dict(model.named_parameters())
    for name, d in zip(S_names, dS, strict=True):
        j_k = name[2:]
        assert bp.grad["b_" + j_k] == -bp.delta["δ_" + j_k]
        assert params["b_" + j_k].grad == -d.data


def sigma(s: float) -> float:
    return 1 / (1 + math.exp(-s))


def test_the_notes_network_by_hand() -> None:
    """The 2-2-1 sigmoid network, every equation of the notes written out on its own."""
    model = MLP(2, [2, 1])
    rng = random.Random(7)
    randomised(model, rng)
    p = {name: v.data for name, v in model.named_parameters()}
    x1, x2, t = 0.3, -1.2, 1.0
    S11 = p["w_11^(1)"] * x1 + p["w_21^(1)"] * x2 - p["b_1^(1)"]
    S21 = p["w_12^(1)"] * x1 + p["w_22^(1)"] * x2 - p["b_2^(1)"]
    h1, h2 = sigma(S11), sigma(S21)
    S12 = -p["b_1^(2)"] + p["w_11^(2)"] * h1 + p["w_21^(2)"] * h2  # (16)
    y = sigma(S12)
    d2 = (y - t) * y * (1 - y)  # (22) with ∂L/∂y = y - t
    d11 = d2 * p["w_11^(2)"] * h1 * (1 - h1)  # (18)
    d21 = d2 * p["w_21^(2)"] * h2 * (1 - h2)  # (19)-(20)
    expected = {
        "b_1^(2)": -d2,  # (1)
        "w_11^(2)": d2 * h1,  # (2)
        "w_21^(2)": d2 * h2,  # (3)
        "b_1^(1)": -d11,  # (13)
        "w_11^(1)": d11 * x1,  # (14)
        "w_21^(1)": d11 * x2,
        "b_2^(1)": -d21,
        "w_12^(1)": d21 * x1,
        "w_22^(1)": d21 * x2,
    }
    bp = delta_rule(model, [x1, x2], [t])
    assert bp.y[0] == pytest.approx(y, rel=1e-14)
    assert bp.loss == pytest.approx(0.5 * (y - t) ** 2, rel=1e-14)
    assert bp.delta == pytest.approx({"δ_1^(1)": d11, "δ_2^(1)": d21, "δ_1^(2)": d2}, rel=1e-13)
    assert list(bp.grad) == [name for name, _ in model.named_parameters()]
    assert bp.grad == pytest.approx(expected, rel=1e-13)
    (out,) = model([x1, x2])
    squared_error([out], [t]).backward()
    assert {n: v.grad for n, v in model.named_parameters()} == pytest.approx(expected, rel=1e-13)


def test_delta_rule_leaves_the_engine_alone() -> None:
    model = MLP(2, [3, 2], activation="tanh")
    for p in model.parameters():
        p.grad = 5.0
    before = model.state_dict()
    bp = delta_rule(model, [0.5, -0.5], [0.0, 1.0])
    assert model.state_dict() == before
    assert all(p.grad == 5.0 for p in model.parameters())
    assert all(type(v) is float for d in (bp.S, bp.x, bp.delta, bp.grad) for v in d.values())
    assert not isinstance(bp.loss, Value)
    with pytest.raises(AttributeError):
        bp.loss = 0.0  # type: ignore[misc]


def test_delta_rule_keys_follow_the_notes() -> None:
    bp = delta_rule(MLP(2, [2, 1]), [1.0, 0.0], [1.0])
    assert list(bp.S) == ["S_1^(1)", "S_2^(1)", "S_1^(2)"]
    assert list(bp.x) == ["x_1^(0)", "x_2^(0)", "x_1^(1)", "x_2^(1)", "x_1^(2)"]
    assert sorted(bp.delta) == ["δ_1^(1)", "δ_1^(2)", "δ_2^(1)"]
    assert bp.y == [bp.x["x_1^(2)"]]


def test_linear_output_has_delta_y_minus_t() -> None:
    model = randomised(
        MLP(3, [4, 2], activation="relu", output_activation="linear"), random.Random(1)
    )
    bp = delta_rule(model, [0.1, 0.2, 0.3], [1.0, -1.0])
    assert bp.delta["δ_1^(2)"] == bp.y[0] - 1.0
    assert bp.delta["δ_2^(2)"] == bp.y[1] + 1.0
    assert bp.x["x_1^(2)"] == bp.S["S_1^(2)"]


@pytest.mark.parametrize(
    ("x", "t", "error", "message"),
    [
        ([1.0], [0.0], ValueError, "expected 2 inputs, got 1"),
        ([1.0, 2.0], [0.0, 1.0], ValueError, "expected 1 targets, got 2"),
        ([1.0, "2"], [0.0], TypeError, "inputs[1] must be a number, got str"),
        (1.0, [0.0], TypeError, "inputs must be a list of 2 numbers"),
    ],
)
def test_delta_rule_rejects_bad_input(
    x: object, t: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        delta_rule(MLP(2, [2, 1]), x, t)  # type: ignore[arg-type]


def test_delta_rule_needs_an_mlp() -> None:
    layer = Layer(2, 1)
    with pytest.raises(TypeError, match="delta_rule needs an MLP, got Layer"):
        delta_rule(layer, [1.0, 2.0], [0.0])  # type: ignore[arg-type]
