"""The benchmark problems: data and initial parameters, made once from a seed for every engine."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "CHAIN_FACTOR",
    "W1",
    "W2",
    "Engine",
    "Params",
    "Problem",
    "initial_parameters",
    "moons",
    "problem",
    "xor",
]

# A unit is (weights w_1..w_n, bias b) with S = Σ w_i x_i − b (the notes' convention);
# a layer is a tuple of units; the parameters are a tuple of layers.
Unit = tuple[tuple[float, ...], float]
Params = tuple[tuple[Unit, ...], ...]
Point = tuple[tuple[float, ...], float]  # (inputs, target)

CHAIN_FACTOR = 1.0000001  # W3/W4: y ← y · CHAIN_FACTOR, so ∂y/∂x = CHAIN_FACTOR ** n


@dataclass(frozen=True)
class Problem:
    """One training workload: the network, its data, its loss and its learning rates.

    ``loss`` is "hinge" (micrograd's demo: mean max(0, 1 − y·s) + 1e-4 Σ p²) or
    "squared" (½ Σ (y − t)², the notes' default). Step k uses rate ``lr0 − lr_decay·k``.

    >>> W2.sizes, W2.activation, W2.output_activation, len(W2.points)
    ((2, 2, 1), 'sigmoid', 'sigmoid', 4)
    """

    name: str
    sizes: tuple[int, ...]
    activation: str  # hidden layers: "relu" or "sigmoid"
    output_activation: str  # "linear" or "sigmoid"
    loss: str
    points: tuple[Point, ...]
    params: Params
    lr0: float
    lr_decay: float

    def lr(self, k: int) -> float:
        """The learning rate η of step k (0-based).

        >>> W1.lr(0), W1.lr(50)
        (1.0, 0.55)
        """
        return self.lr0 - self.lr_decay * k


def initial_parameters(sizes: tuple[int, ...], seed: int) -> Params:
    """Weights and biases drawn once from U(−1, 1) with their own seeded generator.

    >>> p = initial_parameters((2, 3, 1), seed=1)
    >>> [len(layer) for layer in p], [len(w) for w, b in p[0]]
    ([3, 1], [2, 2, 2])
    >>> p == initial_parameters((2, 3, 1), seed=1)
    True
    """
    rng = random.Random(seed)
    return tuple(
        tuple(
            (tuple(rng.uniform(-1.0, 1.0) for _ in range(n_in)), rng.uniform(-1.0, 1.0))
            for _ in range(n_out)
        )
        for n_in, n_out in itertools.pairwise(sizes)
    )


def moons(n: int, noise: float, seed: int) -> tuple[Point, ...]:
    """Two interleaved half circles, labels ±1 (micrograd's demo data), in pure Python.

    >>> pts = moons(100, 0.1, seed=1)
    >>> len(pts), sorted({t for _, t in pts})
    (100, [-1.0, 1.0])
    """
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    pts: list[Point] = []
    for i in range(n_out):
        t = math.pi * i / max(n_out - 1, 1)
        pts.append(((math.cos(t), math.sin(t)), -1.0))
    for i in range(n_in):
        t = math.pi * i / max(n_in - 1, 1)
        pts.append(((1.0 - math.cos(t), 0.5 - math.sin(t)), 1.0))
    return tuple(((x + rng.gauss(0.0, noise), y + rng.gauss(0.0, noise)), t) for (x, y), t in pts)


def xor() -> tuple[Point, ...]:
    """XOR's four points.

    >>> xor()[1]
    ((0.0, 1.0), 1.0)
    """
    return tuple(((a, b), float(int(a) ^ int(b))) for a in (0.0, 1.0) for b in (0.0, 1.0))


W1 = Problem(
    name="W1",
    sizes=(2, 16, 16, 1),
    activation="relu",
    output_activation="linear",
    loss="hinge",
    points=moons(100, 0.1, seed=1),
    params=initial_parameters((2, 16, 16, 1), seed=1),
    lr0=1.0,
    lr_decay=0.009,  # micrograd's demo: 1.0 − 0.9·k/100
)

W2 = Problem(
    name="W2",
    sizes=(2, 2, 1),
    activation="sigmoid",
    output_activation="sigmoid",
    loss="squared",
    points=xor(),
    params=initial_parameters((2, 2, 1), seed=2),
    lr0=0.5,
    lr_decay=0.0,
)


def problem(name: str) -> Problem:
    """The training workload called ``name`` ("W1" or "W2").

    >>> problem("W2") is W2
    True
    """
    found = {"W1": W1, "W2": W2}.get(name)
    if found is None:
        raise ValueError(f"unknown training workload {name!r}; expected 'W1' or 'W2'")
    return found


@dataclass(frozen=True)
class Engine:
    """What every engine under test provides, each with its own Values and code.

    - ``trainer(problem)`` builds the network from ``problem.params`` (untimed) and
      returns ``step(k) -> loss``: forward, backward and the SGD update of step k.
    - ``chain(n)`` runs the forward pass of y = x · c · c ⋯ (n ops, c = CHAIN_FACTOR,
      x = 0.5) and returns the backward pass, which returns (y, ∂y/∂x).
    - ``graph(n)`` builds the W4 graph y_k = y_(k−1) + x of n op nodes and returns
      it with the final value.
    - ``node`` says what one graph node is for this engine.

    >>> from bench.floats import ENGINE
    >>> backward = ENGINE.chain(2)
    >>> backward()
    (0.500000100000005, 1.00000020000001)
    """

    name: str
    trainer: Callable[[Problem], Callable[[int], float]]
    chain: Callable[[int], Callable[[], tuple[float, float]]]
    graph: Callable[[int], tuple[object, float]]
    node: str
