"""Plots of training: the loss curve and a decision boundary, on matplotlib Axes.

matplotlib comes with the ``plot`` extra (``pip install 'chainrule[plot]'``);
without it these functions raise ImportError saying so. The model is anything
callable on a list of inputs that returns a sequence whose first item is a
Value or a number (an ``nn.MLP`` is one): viz does not import nn.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["plot_decision_boundary", "plot_loss"]

GRID = 60
"""Points per axis at which plot_decision_boundary evaluates the model."""


def _axes(ax: Axes | None, what: str) -> Axes:
    """``ax``, or new Axes of a new pyplot figure; ImportError without matplotlib."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(
            f"viz.{what} needs matplotlib, which is not installed; "
            "install it with: pip install 'chainrule[plot]'"
        ) from None
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(figsize=(6, 4), layout="constrained")
    return axes


def plot_loss(history: Sequence[float], ax: Axes | None = None) -> Axes:
    """Draw a loss history (``nn.fit``'s) against the step, on a log scale; return the Axes.

    Draws on ``ax`` when given, else on a new figure. Non-positive or non-finite
    losses are left out of the log-scale curve.

    >>> from matplotlib.figure import Figure
    >>> ax = plot_loss([0.5, 0.25, 0.125], ax=Figure().subplots())
    >>> ax.get_yscale(), [float(y) for y in ax.lines[0].get_ydata()]
    ('log', [0.5, 0.25, 0.125])
    """
    if isinstance(history, (str, bytes)) or not isinstance(history, Sequence):
        raise TypeError(f"plot_loss: history must be a list of losses, got {history!r:.60}")
    ax = _axes(ax, "plot_loss")
    steps = [k for k, v in enumerate(history) if math.isfinite(v) and v > 0]
    ax.plot(steps, [history[k] for k in steps], color="#1f6f8b")
    ax.set_yscale("log")
    ax.set_xlabel("step n")
    ax.set_ylabel("loss L")
    ax.grid(True, alpha=0.3)
    return ax


def _score(model: Callable[[list[float]], Any], x: list[float]) -> float:
    out = model(x)[0]
    return float(getattr(out, "data", out))


def plot_decision_boundary(
    model: Callable[[list[float]], Any],
    data: Sequence[tuple[Sequence[float], Sequence[float]]],
    ax: Axes | None = None,
) -> Axes:
    """Shade where ``model``'s first output is above or below 0, and scatter ``data``.

    ``data`` holds ``(inputs, targets)`` pairs of two inputs (as ``nn.moons``
    gives); points are coloured by the sign of their first target. The model is
    evaluated on a GRID × GRID grid reaching 0.5 beyond the data. Returns the Axes.

    >>> from matplotlib.figure import Figure
    >>> data = [([0.0, 0.0], [-1.0]), ([1.0, 1.0], [1.0])]
    >>> ax = plot_decision_boundary(lambda x: [x[0] + x[1] - 1.0], data, ax=Figure().subplots())
    >>> len(ax.collections) >= 3  # the shading, the boundary line, the points
    True
    """
    xs = _points(model, data)
    ax = _axes(ax, "plot_decision_boundary")
    grid_x, grid_y = _grid(xs, 0), _grid(xs, 1)
    scores = [[_score(model, [gx, gy]) for gx in grid_x] for gy in grid_y]
    ax.contourf(grid_x, grid_y, scores, levels=[-1e300, 0.0, 1e300], colors=["#f4c7c3", "#c6dbef"])
    ax.contour(grid_x, grid_y, scores, levels=[0.0], colors="#555555", linewidths=1)
    for negative, colour in ((True, "#c0392b"), (False, "#1f6f8b")):
        points = [x for x, (_, t) in zip(xs, data, strict=True) if (t[0] <= 0) == negative]
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=14, color=colour)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    return ax


def _points(model: object, data: object) -> list[list[float]]:
    """The inputs of each sample of ``data``, two each; the model must be callable."""
    if isinstance(data, (str, bytes)) or not isinstance(data, Sequence) or not data:
        raise ValueError(
            f"plot_decision_boundary: data must be a non-empty list of (inputs, targets) "
            f"pairs, got {data!r:.60}"
        )
    if not callable(model):
        raise TypeError(f"plot_decision_boundary: model must be callable, got {model!r:.60}")
    xs = [list(x) for x, _ in data]
    if any(len(x) != 2 for x in xs):
        raise ValueError("plot_decision_boundary: every sample must have exactly 2 inputs")
    return xs


def _grid(xs: list[list[float]], i: int) -> list[float]:
    """GRID evenly spaced values of input ``i``, reaching 0.5 beyond the data."""
    lo = min(p[i] for p in xs) - 0.5
    hi = max(p[i] for p in xs) + 0.5
    return [lo + (hi - lo) * k / (GRID - 1) for k in range(GRID)]
