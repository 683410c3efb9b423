"""micrograd's ``micrograd.nn``: Module, Neuron, Layer and MLP, with micrograd's numbers.

The same constructors, reprs and results as micrograd 0.1.0's:

- weights drawn with ``random.uniform(-1, 1)`` from the global ``random``,
  layer by layer, unit by unit, in input order; biases start at 0 (so after
  ``random.seed(1337)`` a model has micrograd's weights);
- a unit computes ``b + w_1·x_1 + w_2·x_2 + ...`` in that order (the same IEEE
  numbers as micrograd's ``sum``), then ReLU, except in the last layer of an MLP;
- a layer of one unit returns that unit's Value, not a list.

Weights and biases are :class:`autograd.Parameter` leaves, so the drawings show
them as parameters, and they carry names a student can read in every drawing and
explanation (micrograd's have none): a neuron's are ``w_1``, ``w_2``, ..., ``b``; in a
layer ``w_ij`` and ``b_j`` (input i, unit j); in an MLP ``w_ij^(k)`` and ``b_j^(k)``
for layer k, the notes' names. The labels change no number. Here the bias enters
as ``+b``, as in micrograd; chainrule's own :mod:`nn` writes the notes'
``S = Σ w x − b`` instead (the bias as the weight on the constant input ``x_0 = −1``).

>>> import random
>>> from chainrule.micrograd import nn
>>> random.seed(1337)
>>> n = nn.Neuron(2)
>>> n, [round(p.data, 4) for p in n.parameters()]
(ReLUNeuron(2), [0.2355, 0.0665, 0.0])
>>> y = n([1.0, -2.0])
>>> y._op, y.data == max(0.0, n.b.data + n.w[0].data * 1.0 + n.w[1].data * -2.0)
('ReLU', True)
>>> [p.label for p in n.parameters()], [p.label for p in MLP(2, [2, 1]).layers[1].parameters()]
(['w_1', 'w_2', 'b'], ['w_11^(2)', 'w_21^(2)', 'b_1^(2)'])
"""

from __future__ import annotations

import numbers
import random
from collections.abc import Iterable, Sequence
from typing import Any

from autograd import Parameter, Value
from nn.module import weight_name

__all__ = ["MLP", "Layer", "Module", "Neuron"]


def _count(name: str, n: object) -> int:
    """``n`` as an int >= 1, or an error naming it."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"{name} must be an int >= 1, got {n!r:.60}")
    return int(n)


def _leaves(x: Iterable[Value | float], label: str) -> list[Value]:
    """The inputs as Values: each number becomes one leaf labelled ``label.format(i)``.

    micrograd makes a new Value of a number at each use (``wi * xi``); one leaf per input
    gives the same numbers and lets a drawing show an input once, feeding every unit.
    """
    if isinstance(x, (Value, str, bytes)) or not isinstance(x, Iterable):
        raise TypeError(f"a model's input must be a list of numbers or Values, got {x!r:.60}")
    return [
        xi if isinstance(xi, Value) else Value(xi, label.format(i)) for i, xi in enumerate(x, 1)
    ]


class Module:
    """What every part of a model has: its parameters, and setting their gradients to 0.

    >>> m = Neuron(3)
    >>> m([1.0, 2.0, 3.0]).backward()
    >>> m.zero_grad()
    >>> [p.grad for p in m.parameters()]
    [0.0, 0.0, 0.0, 0.0]
    """

    def zero_grad(self) -> None:
        """Set the ``grad`` of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        """The Values training changes; none for the base class.

        >>> Module().parameters()
        []
        """
        return []


class Neuron(Module):
    """One unit: ``b + Σ w_i x_i``, then ReLU when ``nonlin`` (else linear).

    >>> random.seed(0)
    >>> n = Neuron(2, nonlin=False)
    >>> n
    LinearNeuron(2)
    >>> n([2.0, 1.0]).data == n.b.data + n.w[0].data * 2.0 + n.w[1].data * 1.0
    True
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        nin = _count("nin", nin)
        self.w = [Parameter(random.uniform(-1, 1), f"w_{i}") for i in range(1, nin + 1)]
        self.b = Parameter(0.0, "b")
        self.nonlin = nonlin

    def _name(self, j: int, k: int | None) -> None:
        """Label the parameters as unit j (of layer k): ``w_ij`` or ``w_ij^(k)``, ``b_j``."""
        for i, w in enumerate(self.w, start=1):
            w.label = weight_name(i, j, 0 if k is None else k)
            if k is None:
                w.label = w.label.removesuffix("^(0)")
        self.b.label = f"b_{j}" if k is None else f"b_{j}^({k})"

    def __call__(self, x: Sequence[Value | float]) -> Value:
        xs = _leaves(x, "x_{}")
        if len(xs) != len(self.w):
            raise ValueError(f"{self!r} takes {len(self.w)} inputs, got {len(xs)}")
        act: Value = self.b  # the bias first, then each w·x: micrograd's order of the adds
        for wi, xi in zip(self.w, xs, strict=True):
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        """The weights in input order, then the bias."""
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` units reading the same inputs; one unit's Value alone, else a list.

    >>> Layer(2, 1, nonlin=False)
    Layer of [LinearNeuron(2)]
    >>> type(Layer(2, 1)([1.0, 2.0])).__name__, len(Layer(2, 3)([1.0, 2.0]))
    ('Value', 3)
    """

    def __init__(self, nin: int, nout: int, **kwargs: Any) -> None:
        self.neurons = [Neuron(nin, **kwargs) for _ in range(_count("nout", nout))]
        self._name(None)

    def _name(self, k: int | None) -> None:
        for j, n in enumerate(self.neurons, start=1):
            n._name(j, k)

    # micrograd's API: a Value for one unit, a list for several (chainrule's nn: always a list)
    def __call__(self, x: Sequence[Value | float]) -> Any:
        xs = _leaves(x, "x_{}")  # once, so that every unit reads the same input nodes
        out = [n(xs) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self) -> list[Value]:
        """Unit by unit, each unit's weights then its bias."""
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    """Layers of ``nouts`` units: ReLU hidden layers and a linear last layer.

    >>> random.seed(1337)
    >>> model = MLP(2, [16, 16, 1])
    >>> len(model.parameters()), round(model.parameters()[0].data, 4)
    (337, 0.2355)
    """

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or not nouts:
            raise ValueError(
                f"nouts must be a list of layer widths such as [16, 16, 1], got {nouts!r:.60}"
            )
        sizes = [_count("nin", nin), *[_count("nouts[]", n) for n in nouts]]
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(nouts))]
        for k, layer in enumerate(self.layers, start=1):
            layer._name(k)

    def __call__(self, x: Sequence[Value | float]) -> Any:
        out: Any = _leaves(x, "x_{}^(0)")
        for layer in self.layers:
            out = layer(out)
        return out

    def parameters(self) -> list[Value]:
        """Layer by layer, in each layer's order."""
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"
