"""``chainrule demo digits``: an MLP learns scikit-learn's 8×8 digits through compiled code.

:func:`demo_digits` is the command's body (the command line wires it in): it
trains ``MLP(64, [32, 10])`` with cross-entropy through ``fit(compile=True)``,
shows a progress bar, then prints the test accuracy and the confusion matrix, and
can draw a few misclassified digits (matplotlib, the ``plot`` extra).
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from .data import digits
from .losses import cross_entropy
from .module import MLP
from .optim import Adam
from .train import fit

__all__ = ["confusion_matrix", "demo_digits"]


def confusion_matrix(truth: Sequence[int], predicted: Sequence[int], classes: int = 10) -> str:
    """The counts of (true class, predicted class) as text: rows true, columns predicted.

    >>> print(confusion_matrix([0, 1, 1], [0, 1, 0], classes=2))
    true \\ predicted    0    1
                    0    1    0
                    1    1    1
    """
    counts = [[0] * classes for _ in range(classes)]
    for t, p in zip(truth, predicted, strict=True):
        counts[t][p] += 1
    lines = ["true \\ predicted" + "".join(f"{c:>5}" for c in range(classes))]
    lines += [f"{t:>17}" + "".join(f"{n:>5}" for n in row) for t, row in enumerate(counts)]
    return "\n".join(lines)


def demo_digits(
    steps: int = 150,
    *,
    seed: int = 0,
    picture: str | Path | None = None,
    progress: bool | None = None,
    out: TextIO | None = None,
) -> float:
    """Train on 80 % of the digits, test on the rest; print and return the test accuracy.

    ``picture``: also draw up to 8 misclassified test digits into this image file
    (needs matplotlib). Full-batch Adam (lr 0.01), ``steps`` steps, ReLU hidden layer.

    >>> import io
    >>> text = io.StringIO()
    >>> accuracy = demo_digits(steps=20, progress=False, out=text)
    >>> 0.5 < accuracy <= 1.0, "confusion matrix" in text.getvalue()
    (True, True)
    """
    stream = sys.stdout if out is None else out
    data = digits()
    random.Random(seed).shuffle(data)
    cut = len(data) * 4 // 5
    train, test = data[:cut], data[cut:]
    model = MLP(64, [32, 10], activation="relu", output_activation="linear", seed=seed)
    print(
        f"digits: MLP(64, [32, 10]) on {len(train)} images, cross-entropy, "
        f"{steps} steps of Adam through compiled code",
        file=stream,
    )
    history = fit(
        model,
        train,
        cross_entropy,
        Adam(model.parameters(), lr=0.01),
        steps,
        compile=True,
        progress=progress,
    )
    truth, predicted = [], []
    for x, (t,) in test:
        scores = [v.data for v in model(x)]
        truth.append(int(t))
        predicted.append(scores.index(max(scores)))
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(test)
    print(f"loss {history[0]:.3f} -> {history[-1]:.3f}", file=stream)
    print(f"test accuracy {accuracy:.1%} on {len(test)} images", file=stream)
    print("confusion matrix:", file=stream)
    print(confusion_matrix(truth, predicted), file=stream)
    if picture is not None:
        wrong = [k for k, (t, p) in enumerate(zip(truth, predicted, strict=True)) if t != p][:8]
        _draw_misclassified(
            Path(picture), [test[k][0] for k in wrong], [(truth[k], predicted[k]) for k in wrong]
        )
        print(f"wrote {len(wrong)} misclassified digits to {picture}", file=stream)
    return accuracy


def _draw_misclassified(
    path: Path, images: list[list[float]], labels: list[tuple[int, int]]
) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            "drawing digits needs matplotlib; install it with: pip install 'chainrule[plot]'"
        ) from None
    fig, _axes = plt.subplots(1, max(len(images), 1), figsize=(1.6 * max(len(images), 1), 2.0))
    for ax, image, (t, p) in zip(fig.axes, images, labels, strict=False):
        ax.imshow([image[r * 8 : r * 8 + 8] for r in range(8)], cmap="gray_r")
        ax.set_title(f"{t} as {p}", fontsize=9)
    for ax in fig.axes:
        ax.axis("off")
    fig.savefig(path)
    plt.close(fig)
