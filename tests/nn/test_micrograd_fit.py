"""The video's network through nn.fit: a target the output activation cannot approach warns.

micrograd's video trains ``MLP(3, [4, 4, 1])`` on four points with targets ±1 and
the loss Σ (y - t)². chainrule's MLP is sigmoid by default, whose outputs lie in
(0, 1): without a warning it stalls at a loss of about 4.02 (every prediction
near 0.09) and says nothing. fit now warns, once per call, at its caller.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from autograd import Value
from nn import MLP, SGD, cross_entropy, fit, hinge, moons, mse, squared_error, xor
from nn.train import OUTPUT_RANGES, TargetRangeWarning

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]
VIDEO = [(x, [y]) for x, y in zip(XS, YS, strict=True)]


def video_loss(outputs: Sequence[Value], targets: Sequence[float]) -> Value:
    """The video's loss: Σ (y - t)², no ½."""
    total: Value = sum((y - t) ** 2 for y, t in zip(outputs, targets, strict=True))  # type: ignore[assignment]
    return total


def fit_recording(
    model: MLP, data: Any, loss: Callable[..., Value], steps: int, **kwargs: Any
) -> tuple[list[float], list[warnings.WarningMessage]]:
    """fit's history and every warning it gave (none hidden by the once-per-place filter)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = fit(model, data, loss, SGD(model.parameters(), lr=0.05), steps, **kwargs)
    return history, [w for w in caught if issubclass(w.category, TargetRangeWarning)]


def test_the_videos_targets_on_a_sigmoid_output_warn_once_and_stall() -> None:
    model = MLP(3, [4, 4, 1])
    history, caught = fit_recording(model, VIDEO, video_loss, 100)
    assert len(caught) == 1
    (w,) = caught
    message = str(w.message)
    assert message.startswith("fit: the target -1 of data[1] lies outside [0, 1], ")
    assert "output activation sigmoid" in message
    assert "(2 targets in all)" in message
    assert 'output_activation="tanh"' in message
    assert w.filename == __file__  # it points at the caller of fit (through our helper)
    assert 4.0 < history[-1] < 4.05  # the stall the issue describes, loss ≈ 4.02
    assert all(0.05 < model(x)[0].data < 0.15 for x in XS)  # every prediction ≈ 0.09


def test_a_tanh_output_does_not_warn_and_trains() -> None:
    model = MLP(3, [4, 4, 1], output_activation="tanh")
    history, caught = fit_recording(model, VIDEO, video_loss, 100)
    assert caught == []
    assert history[-1] < 0.5 < 4.02 < history[0]
    assert [round(model(x)[0].data) for x in XS] == YS


def test_warning_points_at_the_line_that_called_fit() -> None:
    model = MLP(3, [4, 4, 1])
    with pytest.warns(TargetRangeWarning, match="output activation sigmoid") as record:
        fit(model, VIDEO, squared_error, SGD(model.parameters(), lr=0.05), 1)
    assert len(record) == 1
    assert record[0].filename == __file__


@pytest.mark.parametrize(
    ("activation", "targets", "interval", "advice"),
    [
        ("sigmoid", [0.5, 1.5], "[0, 1]", "linear"),
        ("tanh", [0.5, -2.0], "[-1, 1]", "linear"),
        ("relu", [0.5, -0.5], "[0, ∞)", "tanh"),
    ],
)
def test_each_activation_warns_outside_its_range(
    activation: str, targets: list[float], interval: str, advice: str
) -> None:
    model = MLP(1, [2, 1], activation="tanh", output_activation=activation)
    data = [([0.0], [targets[0]]), ([1.0], [targets[1]])]
    _, caught = fit_recording(model, data, squared_error, 1)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"the target {targets[1]:g} of data[1] lies outside {interval}" in message
    assert f"output activation {activation}" in message
    assert f'output_activation="{advice}"' in message


@pytest.mark.parametrize(
    ("activation", "targets"),
    [
        ("sigmoid", [0.0, 1.0]),  # the ends are approached: the notes' targets
        ("tanh", [-1.0, 1.0]),
        ("relu", [0.0, 1e6]),
        ("linear", [-1e6, 1e6]),
    ],
)
def test_targets_the_output_can_approach_do_not_warn(activation: str, targets: list[float]) -> None:
    model = MLP(1, [2, 1], output_activation=activation)
    _, caught = fit_recording(model, [([0.0], [targets[0]]), ([1.0], [targets[1]])], mse, 1)
    assert caught == []


def test_the_ranges_are_the_activations_own() -> None:
    """Each range holds every value its activation gives, and its ends are approached."""
    z = [Value(s) for s in (-40.0, -1.0, 0.0, 2.0, 40.0)]
    for op, (lo, hi) in OUTPUT_RANGES.items():
        values = [getattr(v, op)().data for v in z]
        assert all(lo <= y <= hi for y in values), op
        assert min(values) == pytest.approx(lo, abs=1e-15)
        assert max(values) == pytest.approx(hi, abs=1e-15) or hi == float("inf")


def test_existing_trainings_do_not_warn() -> None:
    model = MLP(2, [2, 1])  # the notes' XOR: sigmoid, targets 0 and 1
    _, caught = fit_recording(model, xor(), squared_error, 2)
    assert caught == []
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear")
    _, caught = fit_recording(model, moons(20), hinge, 1)  # micrograd's demo: ±1, linear
    assert caught == []
    model = MLP(2, [4, 3])  # cross_entropy's targets are class indices, not outputs
    data = [([0.0, 1.0], [2]), ([1.0, 0.0], [0])]
    _, caught = fit_recording(model, data, cross_entropy, 1)
    assert caught == []


def test_once_per_call_and_not_without_steps() -> None:
    model = MLP(3, [4, 4, 1])
    _, first = fit_recording(model, VIDEO, video_loss, 3)
    _, second = fit_recording(model, VIDEO, video_loss, 3, compile=True)
    assert (len(first), len(second)) == (1, 1)
    _, none = fit_recording(model, VIDEO, video_loss, 0)  # no training, no forward pass
    assert none == []
    # hinge on a sigmoid: its scores are never negative, so -1 is never reached
    _, caught = fit_recording(model, VIDEO, hinge, 1)
    assert len(caught) == 1


def test_a_model_whose_output_is_no_activation_is_not_checked() -> None:
    class Scaled:
        def __init__(self) -> None:
            self.body = MLP(3, [2, 1])

        def __call__(self, x: Sequence[float]) -> list[Value]:
            return [3.0 * self.body(x)[0]]  # 3·sigmoid: the op is mul, its range unknown

        def parameters(self) -> list[Value]:
            return self.body.parameters()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = Scaled()
        fit(model, VIDEO, video_loss, SGD(model.parameters(), lr=0.05), 1)
    assert [w for w in caught if issubclass(w.category, TargetRangeWarning)] == []
