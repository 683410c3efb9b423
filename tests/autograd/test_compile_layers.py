"""Batched compiled code with layers as matrix products, on any array library; the
unchecked scalar path; softmax, cross_entropy and the digits workload."""

from __future__ import annotations

import builtins
import importlib.util
import math
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import Network, networks

from autograd import Compiled, Value, compile
from nn import MLP, Adam, cross_entropy, digits, fit, softmax, squared_error

np = pytest.importorskip("numpy")
compile_python = builtins.compile  # autograd.compile is the other one


def network_loss(network: Network) -> tuple[Compiled, list[Value], list[Value], list[Value]]:
    """One sample's ½Σ(y - t)² of the network, compiled with the parameters shared."""
    model = network.build()
    params = model.parameters()
    xs = [Value(0.0, f"x_{i + 1}^(0)") for i in range(network.n_in)]
    ts = [Value(0.0, f"t_{c + 1}") for c in range(network.layer_sizes[-1])]
    loss = squared_error(model(xs), ts)  # type: ignore[arg-type]
    names = [p.label for p in params]
    compiled = Compiled(
        loss, [*params, *xs, *ts], wrt=[*names, *(x.label for x in xs)], shared=names
    )
    return compiled, params, xs, ts


@settings(max_examples=40)
@given(network=networks(max_layers=3, max_width=4), n=st.integers(1, 5), seed=st.integers(0, 99))
def test_batched_layers_give_the_eager_gradients(network: Network, n: int, seed: int) -> None:
    compiled, params, xs, ts = network_loss(network)
    assert " @ W_1.T - b_1" in compiled.batch_source  # the first layer is one matrix product
    rng = random.Random(seed)
    samples = [[rng.uniform(-3, 3) for _ in xs + ts] for _ in range(n)]
    values, grads = compiled.batch(*[p.data for p in params], *np.array(samples).T)
    eager_params = [0.0] * len(params)
    eager_xs: list[list[float]] = []
    for k, sample in enumerate(samples):
        for v, d in zip(xs + ts, sample, strict=True):
            v.data = d
        model = network.build()
        leaves = [Value(d) for d in sample[: len(xs)]]
        loss = squared_error(model(leaves), sample[len(xs) :])
        loss.backward()
        assert values[k] == pytest.approx(loss.data, rel=1e-12, abs=1e-300)
        for i, p in enumerate(model.parameters()):
            eager_params[i] += p.grad
        eager_xs.append([v.grad for v in leaves])
    largest = max(map(abs, eager_params + [g for row in eager_xs for g in row]), default=0.0)
    for got, expected in zip(grads[: len(params)], eager_params, strict=True):
        assert type(got) is float
        assert abs(got - expected) <= 1e-12 * largest
    for i in range(len(xs)):
        for k in range(n):
            assert abs(grads[len(params) + i][k] - eager_xs[k][i]) <= 1e-12 * largest


def test_a_layer_reads_as_a_layer() -> None:
    model = MLP(2, [3, 1], activation="relu")
    xs = [Value(0.0, "x_1^(0)"), Value(0.0, "x_2^(0)")]
    params = model.parameters()
    names = [p.label for p in params]
    loss = squared_error(model(xs), [1.0])
    lines = [
        line.strip()
        for line in Compiled(loss, [*params, *xs], shared=names).batch_source.splitlines()
    ]
    for line in [
        "X_0 = columns(x_1_0, x_1_0, x_2_0)",
        "W_1 = matrix(x_1_0, (w_11_1, w_21_1), (w_12_1, w_22_1), (w_13_1, w_23_1))",
        "b_1 = vector(x_1_0, b_1_1, b_2_1, b_3_1)",
        "S_1 = X_0 @ W_1.T - b_1",
        "X_1 = relu(S_1)",
        "S_2 = X_1 @ W_2.T - b_2",
        "delta_S_1 = mul0(step(S_1), dL_dX_1)",  # δ^(1) = φ'(S^(1)) ⊙ (δ^(2) W^(2))
        "dL_dX_1 = delta_S_2 @ W_2",
        "dL_dW_1 = delta_S_1.T @ X_0",  # (14): δᵀ x, summed over the batch
        "dL_db_1 = batch_sums(delta_S_1)",  # (13): −δ, summed over the batch
        "grad_b_1 = -dL_db_1",
        "dL_dw_12_1 = dL_dW_1_entries[1][0]",  # w_12^(1): unit 2's weight on x_1
        "dL_dX_0 = delta_S_1 @ W_1",
    ]:
        assert line in lines, line


def test_the_unchecked_function_gives_the_checked_numbers() -> None:
    f = compile(lambda w, x, b: (w * x - b).sigmoid() * x.exp())
    assert f.function(0.5, 2.0, 0.1) == f(0.5, 2, 0.1)
    with pytest.raises(TypeError, match="takes 3 inputs"):
        f(0.5, 2.0)
    with pytest.raises(TypeError, match="input 'x' must be a real number"):
        f(0.5, "2", 0.1)  # type: ignore[arg-type]


def notes_data() -> tuple[Compiled, list[float], list[Any]]:
    model = MLP(2, [2, 1])
    params = model.parameters()
    xs = [Value(0.0, "x_1^(0)"), Value(0.0, "x_2^(0)")]
    t = Value(0.0, "t")
    loss = squared_error(model(xs), [t])  # type: ignore[list-item]
    names = [p.label for p in params]
    compiled = Compiled(loss, [*params, *xs, t], wrt=[*names, "x_1^(0)"], shared=names)
    columns = [[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 1.0, 0.0]]
    return compiled, [p.data + 0.1 * i for i, p in enumerate(params)], columns


def test_the_same_code_runs_on_the_array_api_standard_alone() -> None:
    xps = pytest.importorskip("array_api_strict")
    compiled, params, columns = notes_data()
    values, grads = compiled.batch(*params, *map(np.array, columns))
    strict_values, strict_grads = compiled.batch(*params, *[xps.asarray(c) for c in columns])
    assert isinstance(strict_values, type(xps.asarray(0.0)))
    assert [float(strict_values[k]) for k in range(4)] == pytest.approx(values.tolist(), rel=1e-15)
    assert strict_grads[:9] == pytest.approx(grads[:9], rel=1e-14)
    assert [float(strict_grads[9][k]) for k in range(4)] == pytest.approx(grads[9].tolist())


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None,
    reason="PyTorch is not installed (an optional peer: pip install torch==2.13.0)",
)
def test_the_same_code_runs_on_pytorch_tensors() -> None:
    import torch

    compiled, params, columns = notes_data()
    values, grads = compiled.batch(*params, *map(np.array, columns))
    tensors = [torch.tensor(c, dtype=torch.float64) for c in columns]
    torch_values, torch_grads = compiled.batch(*params, *tensors)
    assert isinstance(torch_values, torch.Tensor)
    assert isinstance(torch_grads[9], torch.Tensor)
    assert torch_values.tolist() == pytest.approx(values.tolist(), rel=1e-14)
    assert torch_grads[:9] == pytest.approx(grads[:9], rel=1e-13)
    # PyTorch's own autograd on the same loss agrees
    w = torch.tensor(params, dtype=torch.float64, requires_grad=True)
    x1, x2, t = tensors
    h = [torch.sigmoid(w[3 * j + 1] * x1 + w[3 * j + 2] * x2 - w[3 * j]) for j in range(2)]
    y = torch.sigmoid(w[7] * h[0] + w[8] * h[1] - w[6])
    torch.autograd.backward((0.5 * ((y - t) ** 2)).sum())
    assert w.grad is not None
    assert torch_grads[:9] == pytest.approx(w.grad.tolist(), rel=1e-12)


# --- softmax and cross_entropy ---


def test_softmax_and_cross_entropy_values_are_the_plain_math() -> None:
    zs = [0.3, -1.2, 2.5, 0.0]
    total = sum(math.exp(z) for z in zs)
    assert [p.data for p in softmax([Value(z) for z in zs])] == pytest.approx(
        [math.exp(z) / total for z in zs], rel=1e-15
    )
    for t in range(4):
        expected = math.log(total) - zs[t]
        assert cross_entropy([Value(z) for z in zs], t).data == pytest.approx(expected, rel=1e-15)
    two = cross_entropy([Value(z) for z in zs + zs[::-1]], [2, 1])  # two samples: the mean
    assert two.data == pytest.approx((2 * math.log(total) - zs[2] - zs[2]) / 2, rel=1e-15)
    big = cross_entropy([Value(1000.0), Value(990.0)], 1)
    assert big.data == pytest.approx(10.0 + math.log1p(math.exp(-10.0)), rel=1e-15)


@pytest.mark.parametrize("target", [0, 2])
def test_cross_entropy_gradients_match_finite_differences(target: int) -> None:
    zs = [0.7, -0.4, 1.9]
    values = [Value(z) for z in zs]
    loss = cross_entropy(values, target)
    loss.backward()
    h = 1e-6
    for i in range(3):
        up = [z + h * (k == i) for k, z in enumerate(zs)]
        down = [z - h * (k == i) for k, z in enumerate(zs)]
        fd = (
            cross_entropy([Value(z) for z in up], target).data
            - cross_entropy([Value(z) for z in down], target).data
        ) / (2 * h)
        assert values[i].grad == pytest.approx(fd, rel=1e-7, abs=1e-9)
    probabilities = [p.data for p in softmax([Value(z) for z in zs])]
    assert [v.grad for v in values] == pytest.approx(
        [p - (k == target) for k, p in enumerate(probabilities)], rel=1e-12
    )


def test_cross_entropy_says_what_is_wrong() -> None:
    zs = [Value(0.0), Value(1.0)]
    with pytest.raises(
        ValueError, match="targets\\[0\\] = 2 is not a class: the classes are 0 to 1"
    ):
        cross_entropy(zs, 2)
    with pytest.raises(ValueError, match="3 logits cannot be split evenly among 2 targets"):
        cross_entropy([*zs, Value(2.0)], [0, 1])
    with pytest.raises(ValueError, match=r"must be a class index, got 0\.5"):
        cross_entropy(zs, [0.5])


# --- digits ---


def test_digits_are_scikit_learns_1797_images() -> None:
    data = digits()
    assert len(data) == 1797
    assert {len(x) for x, _ in data} == {64}
    assert {t for _, (t,) in data} == {float(d) for d in range(10)}
    assert all(0.0 <= v <= 1.0 for x, _ in data for v in x)
    assert data[0][0][:8] == [v / 16 for v in (0, 0, 5, 13, 9, 1, 0, 0)]  # the first row of a 0


def test_digits_train_through_compiled_code_to_a_real_accuracy() -> None:
    data = digits()
    random.Random(0).shuffle(data)
    train, test = data[:1437], data[1437:]  # 80 % / 20 %
    model = MLP(64, [32, 10], activation="relu", output_activation="linear")
    history = fit(model, train, cross_entropy, Adam(model.parameters(), lr=0.01), 120, compile=True)
    assert history[-1] < 0.3 * history[0]
    right = 0
    for x, (t,) in test:
        out = [v.data for v in model(x)]
        right += out.index(max(out)) == t
    assert right / len(test) >= 0.93  # 0.95 after 150 steps (the demo)


def test_batched_fit_takes_the_eager_steps() -> None:
    data = digits()[:40]
    histories = []
    for compile_ in (False, "batch"):
        model = MLP(64, [5, 10], activation="tanh", output_activation="linear", seed=3)
        histories.append(
            fit(model, data, cross_entropy, Adam(model.parameters(), lr=0.01), 5, compile=compile_)
        )
    assert histories[1] == pytest.approx(histories[0], rel=1e-12)


@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None,
    reason="PyTorch is not installed (an optional peer: pip install torch==2.13.0)",
)
def test_the_docs_pytorch_example_trains_the_notes_network() -> None:
    page = Path(__file__).resolve().parents[2] / "docs" / "compiling.md"
    text = page.read_text(encoding="utf-8")
    start = text.index("```python\nimport torch\n") + len("```python\n")
    block = text[start : text.index("```", start)]
    exec(compile_python(block, "docs/compiling.md (PyTorch example)", "exec"), {})


def test_batched_fit_needs_a_loss_it_knows_how_to_add_up() -> None:
    model = MLP(2, [2, 1])
    optimizer = Adam(model.parameters())
    with pytest.raises(ValueError, match="knows squared_error, mse, hinge, cross_entropy, not"):
        fit(model, [([0.0, 1.0], [1.0])], lambda ys, ts: ys[0] * 2.0, optimizer, 1, compile="batch")
    with pytest.raises(ValueError, match="compile must be False, True or 'batch', got 'yes'"):
        fit(model, [([0.0, 1.0], [1.0])], squared_error, optimizer, 1, compile="yes")
