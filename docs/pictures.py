"""The README's pictures of the 3-4-4-1 network: ``make docs`` runs this file.

The network of micrograd's video, ``MLP(3, [4, 4, 1])`` with tanh units, on its first
sample ``x = (2, 3, −1)``, target 1, loss ½(y − t)², after one ``backward()``:

    python docs/pictures.py docs    # writes docs/mlp-3-4-4-1.svg, docs/mlp-3-4-4-1-chain-rule.svg
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from autograd import Value
from nn import MLP, squared_error
from viz import Drawing, chain_rule, draw, write

__all__ = ["PICTURES", "mlp_3_4_4_1", "write_pictures"]


def mlp_3_4_4_1() -> Value:
    """The loss of micrograd's video's network on its first sample, after backward()."""
    model = MLP(3, [4, 4, 1], activation="tanh")
    loss = squared_error(model([2.0, 3.0, -1.0]), [1.0])
    loss.label = "L"
    loss.backward()
    return loss


PICTURES: dict[str, Callable[[Value], Drawing]] = {
    "mlp-3-4-4-1.svg": draw,
    "mlp-3-4-4-1-chain-rule.svg": chain_rule,
}
"""Each picture's file name and the drawing it holds."""


def write_pictures(out: Path) -> list[Path]:
    """Write every picture of :data:`PICTURES` into ``out``; return the paths written."""
    loss = mlp_3_4_4_1()
    return [write(make(loss), out / name) for name, make in PICTURES.items()]


if __name__ == "__main__":
    for path in write_pictures(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(path)
