"""A user's own Module subclass, optimiser state, and fit's callback and mini-batches."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, Layer, Module, fit, hinge, moons, mse, squared_error, xor


class Residual(Module):
    """A user's model: a hidden layer, a list of output units, a shared scale."""

    def __init__(self) -> None:
        self.hidden = Layer(2, 3, "tanh", seed=1)
        self.heads = [Layer(3, 1, "linear", seed=2, layer=2)]
        self.scale = Value(0.5, "scale")
        self.again = self.scale  # the same Value twice: one parameter
        self.note = "not a parameter"

    def forward(self, x: Sequence[float]) -> list[Value]:
        h = self.hidden(x)
        return [self.scale * self.heads[0](h)[0] + x[0]]


def test_a_subclass_registers_parameters_by_attribute() -> None:
    m = Residual()
    names = [name for name, _ in m.named_parameters()]
    assert names[:4] == ["hidden.b_1^(1)", "hidden.w_11^(1)", "hidden.w_21^(1)", "hidden.b_2^(1)"]
    assert names[-5:] == [
        "heads.0.b_1^(2)",
        "heads.0.w_11^(2)",
        "heads.0.w_21^(2)",
        "heads.0.w_31^(2)",
        "scale",
    ]
    assert len(names) == 9 + 4 + 1
    assert m.parameters()[-1] is m.scale
    m([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


def test_a_subclass_saves_and_loads_without_overriding(tmp_path: Path) -> None:
    m = Residual()
    m.scale.data = 1.25
    path = tmp_path / "residual.json"
    m.save(path)
    assert json.loads(path.read_text())["model"] == "Residual"
    back = Residual.load(path)
    assert back.state_dict() == m.state_dict()
    assert back([0.3, -0.2])[0].data == m([0.3, -0.2])[0].data


def test_a_module_without_forward_says_so() -> None:
    with pytest.raises(NotImplementedError, match="Module must define forward"):
        Module()([1.0])


def test_a_user_module_is_trained_by_fit() -> None:
    m = Residual()
    data = [([x, y], [x + 0.5 * y]) for x, y in ((0.1, 0.2), (-0.5, 0.3), (0.4, -0.6), (0.0, 1.0))]
    history = fit(m, data, mse, Adam(m.parameters(), lr=0.05), 200)
    assert history[-1] < history[0] / 20


def test_optimiser_state_round_trips_and_training_continues_identically() -> None:
    def run(split: bool) -> list[float]:
        model = MLP(2, [2, 1], seed=3)
        opt = Adam(model.parameters(), lr=0.1)
        first = fit(model, xor(), squared_error, opt, 20)
        if split:  # a fresh optimiser given the saved state goes on as the old one would
            state = json.loads(json.dumps(opt.state_dict()))
            opt = Adam(model.parameters(), lr=0.5)
            opt.load_state_dict(state)
            assert opt.t == 20
        return first + fit(model, xor(), squared_error, opt, 20)

    assert run(True) == run(False)


def test_optimiser_state_dict_contents_repr_and_bad_state() -> None:
    w = [Value(1.0), Value(2.0)]
    sgd = SGD(w, lr=0.1, momentum=0.9)
    assert repr(sgd) == "SGD(2 parameters, lr=0.1, momentum=0.9)"
    adam = Adam(w, lr=0.01)
    assert repr(adam) == "Adam(2 parameters, lr=0.01, betas=(0.9, 0.999), eps=1e-08)"
    assert sorted(adam.state_dict()) == ["betas", "eps", "lr", "m", "t", "v"]
    before = adam.state_dict()
    with pytest.raises(ValueError, match="m must be a list of 2 numbers"):
        adam.load_state_dict({**before, "m": [1.0]})
    with pytest.raises(ValueError, match="expected the keys"):
        adam.load_state_dict({"lr": 0.1})
    with pytest.raises(ValueError, match="betas"):
        adam.load_state_dict({**before, "betas": [1.5, 0.9], "t": 4})
    assert adam.state_dict() == before  # nothing changed by a failed load
    sgd.load_state_dict({"lr": 0.2, "momentum": 0.5, "velocity": [1.0, -1.0]})
    assert (sgd.lr, sgd.velocity) == (0.2, [1.0, -1.0])


def test_fit_calls_back_after_each_step_with_its_loss() -> None:
    model = MLP(2, [4, 1], activation="relu", output_activation="linear")
    data = moons(30, seed=1)
    seen: list[tuple[int, float, float]] = []

    def report(k: int, loss: float) -> None:
        correct = sum((model(x)[0].data > 0) == (t[0] > 0) for x, t in data)
        seen.append((k, loss, correct / len(data)))

    history = fit(model, data, hinge, SGD(model.parameters(), lr=0.5), 15, callback=report)
    assert [k for k, _, _ in seen] == list(range(15))
    assert [loss for _, loss, _ in seen] == history
    assert seen[-1][2] >= 0.7


def test_fit_mini_batches_are_seeded_and_cover_every_sample() -> None:
    data = [([float(i)], [float(i)]) for i in range(10)]
    batches: list[list[float]] = []

    def recording(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
        batches.append(list(targets))
        return mse(outputs, targets)

    def run(seed: int) -> list[float]:
        batches.clear()
        model = MLP(1, [1], activation="linear")
        return fit(model, data, recording, SGD(model.parameters(), lr=0.001), 8,
                   batch_size=4, seed=seed)  # fmt: skip

    first = run(7)
    first_batches = [list(b) for b in batches]
    assert run(7) == first
    assert batches == first_batches
    assert [len(b) for b in batches] == [4, 4, 2, 4, 4, 2, 4, 4]
    assert sorted(t for b in batches[:3] for t in b) == [float(i) for i in range(10)]
    run(8)
    assert batches != first_batches
    order = list(range(10))
    random.Random(7).shuffle(order)
    assert first_batches[0] == [float(i) for i in order[:4]]


def test_fit_refuses_bad_batches() -> None:
    model = MLP(2, [1])
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        fit(model, xor(), squared_error, opt, 1, batch_size=0)
    with pytest.raises(ValueError, match="full batches only"):
        fit(model, xor(), squared_error, opt, 1, batch_size=2, compile=True)
    with pytest.raises(TypeError, match="callback must be a function"):
        fit(model, xor(), squared_error, opt, 1, callback=3)  # type: ignore[arg-type]
