"""fit: the notes' XOR training, micrograd's moons workload, divergence, progress, errors."""

from __future__ import annotations

import io
import math
import re
import sys
import time
from collections.abc import Sequence
from typing import ClassVar

import pytest

from autograd import Value
from nn import (
    MLP,
    SGD,
    Adam,
    DivergedError,
    Layer,
    binary_cross_entropy,
    delta_rule,
    fit,
    hinge,
    l2,
    moons,
    mse,
    squared_error,
    xor,
)

XOR_LR = 2.0  # the demo's defaults: the README states them
XOR_STEPS = 2000


def xor_loss(model: MLP) -> float:
    """½ Σ (y - t)² over the four points, by the hand computation."""
    return sum(delta_rule(model, x, t).loss for x, t in xor())


def test_the_notes_network_learns_xor_with_plain_sgd() -> None:
    model = MLP(2, [2, 1])
    start = xor_loss(model)
    history = fit(model, xor(), squared_error, SGD(model.parameters(), lr=XOR_LR), XOR_STEPS)
    assert len(history) == XOR_STEPS
    assert history[0] == pytest.approx(start, rel=1e-12)
    assert xor_loss(model) < 0.01
    assert history[-1] < 0.01
    for x, t in xor():
        assert round(model(x)[0].data) == t[0]


def test_one_step_is_the_notes_update_with_the_summed_delta_rule() -> None:
    """(23)-(24) with (13)-(14): b += η Σ δ, w -= η Σ δ x, summed over the four points."""
    model = MLP(2, [2, 1], seed=4)
    before = model.state_dict()
    total = dict.fromkeys(before, 0.0)
    for x, t in xor():
        for name, g in delta_rule(model, x, t).grad.items():
            total[name] += g
    fit(model, xor(), squared_error, SGD(model.parameters(), lr=0.5), 1)
    after = model.state_dict()
    for name in before:
        assert after[name] == pytest.approx(before[name] - 0.5 * total[name], rel=1e-12, abs=1e-15)


def test_micrograds_moons_workload() -> None:
    """Full batch of 100 points, mean hinge + 1e-4 Σp², lr = 1 - 0.9 k/100."""
    data = moons(100, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    ys = [delta_rule(model, x, [0.0]).y[0] for x, _ in data]
    expected_start = sum(max(0.0, 1 - y * t[0]) for y, (_, t) in zip(ys, data, strict=True)) / 100
    expected_start += 1e-4 * sum(p.data**2 for p in model.parameters())
    asked: list[int] = []

    def schedule(k: int) -> float:
        asked.append(k)
        return 1.0 - 0.9 * k / 100

    opt = SGD(model.parameters(), lr=1.0)
    history = fit(
        model,
        data,
        hinge,
        opt,
        5,
        penalty=lambda m: 1e-4 * l2(m.parameters()),
        lr_schedule=schedule,
    )
    assert history[0] == pytest.approx(expected_start, rel=1e-12)
    assert asked == [0, 1, 2, 3, 4]
    assert opt.lr == 1.0 - 0.9 * 4 / 100
    assert history[-1] < history[0]


def test_other_losses_and_adam_train_too() -> None:
    model = MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", seed=1)
    history = fit(model, xor(), binary_cross_entropy, Adam(model.parameters(), lr=0.1), 300)
    assert history[-1] < 0.1 * history[0]
    layer = Layer(2, 1, "linear")
    history = fit(layer, xor(), mse, SGD(layer.parameters(), lr=0.1), 200)
    assert history[-1] == pytest.approx(0.25, abs=1e-3)  # the best a line can do on XOR is ¼


def test_zero_steps_change_nothing() -> None:
    model = MLP(2, [2, 1])
    before = model.state_dict()
    assert fit(model, xor(), squared_error, SGD(model.parameters(), lr=1.0), 0) == []
    assert model.state_dict() == before


def diverging() -> tuple[MLP, SGD]:
    model = MLP(1, [1], activation="linear")
    return model, SGD(model.parameters(), lr=100.0)


def test_divergence_stops_at_the_step_and_keeps_the_last_finite_parameters() -> None:
    data = [([1.0], [0.0]), ([2.0], [1.0])]
    model, opt = diverging()
    with pytest.raises(DivergedError, match=r"at step \d+") as info:
        fit(model, data, squared_error, opt, 1000)
    k = info.value.step
    assert 0 < k < 1000
    assert len(info.value.history) == k
    assert all(math.isfinite(v) for v in model.state_dict().values())
    replay, replay_opt = diverging()  # the same run, stopped before step k
    fit(replay, data, squared_error, replay_opt, k)
    assert model.state_dict() == replay.state_dict()


def test_an_update_that_would_overflow_is_caught_before_it_lands() -> None:
    model = MLP(1, [1], activation="linear")
    before = model.state_dict()
    opt = SGD(model.parameters(), lr=1e308)  # a finite loss and gradient, an infinite step
    with pytest.raises(
        DivergedError, match=r"fit: at step 0, SGD.step: the update would make"
    ) as info:
        fit(model, [([2.0], [-5.0])], squared_error, opt, 3)
    assert info.value.step == 0
    assert model.state_dict() == before


def test_a_nan_loss_names_step_zero_and_changes_nothing() -> None:
    model = MLP(1, [1], activation="linear")  # outputs outside [0, 1]: log of a negative
    model.parameters()[1].data = -3.0
    before = model.state_dict()
    with pytest.raises(DivergedError, match=re.escape("fit: the loss is nan at step 0")) as info:
        fit(model, [([1.0], [1.0])], binary_cross_entropy, SGD(model.parameters(), lr=0.1), 10)
    assert info.value.history == []
    assert model.state_dict() == before


def test_no_progress_bar_when_stderr_is_not_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [2, 1])
    fit(model, xor(), squared_error, SGD(model.parameters(), lr=1.0), 50)
    assert capsys.readouterr().err == ""


def test_progress_bar_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    model = MLP(2, [2, 1])
    fit(model, xor(), squared_error, SGD(model.parameters(), lr=1.0), 50, progress=True)
    err = capsys.readouterr().err
    assert "fit: 100%" in err
    assert "50/50" in err
    assert "loss=" in err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_run_on_a_terminal_shows_the_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    """'Long' is more than a second: a loss that takes 0.4 s a step makes three steps long."""
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    def slow(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
        time.sleep(0.4)
        return squared_error(outputs, targets)

    model = MLP(2, [2, 1])
    fit(model, xor(), slow, SGD(model.parameters(), lr=1.0), 3)
    assert "fit: 100%" in terminal.getvalue()


@pytest.mark.parametrize("progress", [None, False])
def test_a_short_run_on_a_terminal_stays_quiet(
    monkeypatch: pytest.MonkeyPatch, progress: bool | None
) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    model = MLP(2, [2, 1])
    fit(model, xor(), squared_error, SGD(model.parameters(), lr=1.0), 20, progress=progress)
    assert terminal.getvalue() == ""


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"steps": -1}, ValueError, "fit: steps must be an int >= 0, got -1"),
        ({"steps": 2.5}, ValueError, "fit: steps must be an int >= 0, got 2.5"),
        ({"data": []}, ValueError, "fit: data must be a non-empty list of (inputs, targets) pairs"),
        ({"data": [([0.0, 1.0],)]}, ValueError, "fit: data[0] must be an (inputs, targets) pair"),
        ({"data": [([0.0, 1.0], 1.0)]}, ValueError,
         "the targets of data[0] must be a list of numbers"),
        ({"data": [([0.0, 1.0], [1.0, 0.0])]}, ValueError,
         "squared_error: expected one target per output, 1 in all; got 2"),
        ({"data": [([0.0], [1.0])]}, ValueError, "MLP expected 2 inputs, got 1"),
        ({"optimizer": "sgd"}, TypeError, "fit: optimizer must be an SGD or Adam, got str"),
        ({"loss": lambda ys, ts: 1.0}, TypeError, "fit: loss must return a Value, got float"),
        ({"loss": "mse"}, TypeError, "fit: loss must be a function, got str"),
        ({"penalty": lambda m: 0.0}, TypeError, "fit: penalty must return a Value, got float"),
        ({"lr_schedule": lambda k: 1.0 - k}, ValueError,
         "fit: lr_schedule(1) gave a bad learning rate: SGD lr must be a finite number > 0, got 0.0"
        ),
    ],
)  # fmt: skip
def test_bad_arguments_say_what_was_wrong(
    kwargs: dict[str, object], error: type[Exception], message: str
) -> None:
    model = MLP(2, [2, 1])
    args: dict[str, object] = {
        "data": xor(),
        "loss": squared_error,
        "optimizer": SGD(model.parameters(), lr=1.0),
        "steps": 3,
    }
    args.update(kwargs)
    with pytest.raises(error, match=re.escape(message)):
        fit(model, **args)  # type: ignore[arg-type]


class _Recorder:
    """Stands in for tqdm.auto.tqdm and records how fit made it."""

    made: ClassVar[list[dict[str, object]]] = []

    def __init__(self, **kwargs: object) -> None:
        _Recorder.made.append(kwargs)

    def set_postfix(self, **kwargs: object) -> None: ...

    def update(self) -> None: ...

    def close(self) -> None: ...


@pytest.mark.parametrize(("in_notebook", "shown"), [(True, True), (False, False)])
def test_the_default_shows_a_tqdm_auto_bar_in_a_notebook(
    monkeypatch: pytest.MonkeyPatch, in_notebook: bool, shown: bool
) -> None:
    import sys
    import types

    import tqdm.auto

    monkeypatch.setattr(tqdm.auto, "tqdm", _Recorder)
    _Recorder.made = []
    if in_notebook:  # a Jupyter kernel has ipykernel loaded; its stderr is no terminal
        monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    else:
        monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    model = MLP(2, [2, 1])
    fit(model, xor(), squared_error, SGD(model.parameters(), lr=1.0), 5)
    assert bool(_Recorder.made) == shown
    if shown:  # only long runs: the bar appears once the run has taken a second
        assert _Recorder.made[0]["delay"] == 1.0
        assert _Recorder.made[0]["total"] == 5
