"""A network's layers, found from the graph's structure, so the drawings can lay them out.

A *unit* is a weighted sum of parameters and data: a ``wsum`` node (chainrule's own
:class:`nn.Neuron`, ``S = Σ w x − b``), or micrograd's chain of sums over products
``b + w_1·x_1 + w_2·x_2 + …`` (``sum((wi * xi for ...), b)``). Its *parameters* are
the weights and the bias that enter it; its *layer* is one more than the deepest
unit its data comes from. Nothing is read from labels, so an unlabelled graph is
laid out as well as a labelled one.

A weight is an :class:`autograd.Parameter` leaf; in a graph that has no Parameter
at all, any leaf (not a Constant) that is used once may be one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Constant, Parameter, Value

from .view import users_of

__all__ = ["Layers", "Unit", "find_layers"]


@dataclass(frozen=True)
class Unit:
    """One unit: its weighted sum, the parameters and nodes that make it, its activation."""

    head: Value  # the weighted sum S (the wsum node, or the last sum of micrograd's chain)
    parameters: tuple[Value, ...]  # the weights and the bias, in the order they enter
    members: tuple[Value, ...]  # the nodes of the sum below the head: products, partial sums
    data: tuple[Value, ...]  # the inputs that are not parameters, in the order they enter
    activation: Value | None  # the head's only user when that is a one-input op (σ, relu)

    @property
    def output(self) -> Value:
        """What the next layer reads: the activation, or the head of a linear unit."""
        return self.head if self.activation is None else self.activation


@dataclass(frozen=True)
class Layers:
    """A network's units, layer by layer, each layer in unit order, and its inputs."""

    layers: tuple[tuple[Unit, ...], ...]
    inputs: tuple[Value, ...]  # the first layer's data that are leaves, in order

    @property
    def units(self) -> list[Unit]:
        """Every unit, layer by layer."""
        return [unit for layer in self.layers for unit in layer]


def find_layers(order: Sequence[Value]) -> Layers | None:
    """The units of the graph in ``order`` (a topological order), by layer; None if there
    are fewer than two units (an expression, not a network).

    Units of a layer come in the order ``order`` meets them: the order a forward pass
    made them, as ``autograd.topological_order`` walks inputs in call order.

    >>> from autograd import Parameter, Value, wsum
    >>> x = [Value(1.0), Value(2.0)]
    >>> hidden = [wsum([Parameter(0.1), Parameter(0.2)], x, Parameter(0.0)).sigmoid()
    ...           for _ in range(2)]
    >>> out = wsum([Parameter(0.3), Parameter(0.4)], hidden, Parameter(0.0))
    >>> from autograd import topological_order
    >>> found = find_layers(topological_order(out))
    >>> [len(layer) for layer in found.layers], found.inputs == tuple(x)
    ([2, 1], True)
    >>> found.layers[0][1].activation is hidden[1]
    True
    """
    graph = _Structure(order)
    heads = [node for node in order if graph.is_head(node)]
    if len(heads) < 2:
        return None
    level: dict[Value, int] = {}  # how many units lie on the deepest path down to a node
    head_set = set(heads)
    for node in order:
        deepest = max((level[x] for x in node.inputs), default=0)
        level[node] = deepest + (node in head_set)
    by_layer: dict[int, list[Unit]] = {}
    for head in heads:
        by_layer.setdefault(level[head], []).append(graph.unit(head))
    layers = tuple(tuple(by_layer[k]) for k in sorted(by_layer))
    inputs: list[Value] = []
    for unit in layers[0]:
        for x in unit.data:
            if not x.op and x not in inputs:
                inputs.append(x)
    return Layers(layers, tuple(inputs))


class _Structure:
    """What find_layers reads of a graph: who uses each node, which leaves are weights,
    and which sums belong to micrograd's chains ``b + w_1·x_1 + …``."""

    def __init__(self, order: Sequence[Value]) -> None:
        self.users = users_of(list(order))
        self.learned = any(isinstance(v, Parameter) for v in order)
        self.partial: set[Value] = set()  # the sums of micrograd's chains
        for node in order:
            if node.op == "add" and self._chained(node):
                self.partial.add(node)

    def weight(self, v: Value) -> bool:
        """A Parameter leaf; in a graph without any, a leaf used once."""
        if v.op or isinstance(v, Constant):
            return False
        return isinstance(v, Parameter) or (not self.learned and self.single(v))

    def single(self, v: Value) -> bool:
        return len(self.users.get(v, ())) == 1

    def term(self, v: Value) -> bool:
        """w·x: a weight times something that is not a number, used once."""
        if v.op != "mul" or not self.single(v):
            return False
        a, b = v.inputs
        return (self.weight(a) and not isinstance(b, Constant)) or (
            self.weight(b) and not isinstance(a, Constant)
        )

    def _chained(self, node: Value) -> bool:
        """A sum of a term and terms, weights or chain sums used only here."""
        parts = node.inputs
        inner = [p in self.partial and self.single(p) for p in parts]
        return any(self.term(p) for p in parts) and all(
            self.term(p) or self.weight(p) or inside for p, inside in zip(parts, inner, strict=True)
        )

    def is_head(self, node: Value) -> bool:
        """A unit's weighted sum: a wsum with a weight, or the last sum of a chain."""
        if node.op == "wsum":
            return any(self.weight(x) for x in node.inputs)
        return node in self.partial and not any(u in self.partial for u in self.users.get(node, ()))

    def unit(self, head: Value) -> Unit:
        """The unit whose weighted sum is ``head``: its parameters, members, data, activation."""
        parameters: list[Value] = []
        members: list[Value] = []
        data: list[Value] = []
        if head.op == "wsum":
            for x in head.inputs:
                (parameters if self.weight(x) else data).append(x)
        else:
            self._read_chain(head, parameters, members, data)
        after = self.users.get(head, [])
        activation = after[0] if len(after) == 1 and len(after[0].inputs) == 1 else None
        return Unit(head, tuple(parameters), tuple(members), tuple(data), activation)

    def _chain_sums(self, head: Value) -> list[Value]:
        """The sums of the chain down from ``head``: b + w1·x1 + w2·x2 + ..., last first."""
        stack = [head]
        sums: list[Value] = []
        while stack:
            node = stack.pop()
            sums.append(node)
            for part in node.inputs:
                if part in self.partial and part is not node and self.single(part):
                    stack.append(part)
        return sums

    def _read_chain(
        self, head: Value, parameters: list[Value], members: list[Value], data: list[Value]
    ) -> None:
        """Fill the unit of micrograd's chain ending at ``head``, in the order terms entered."""
        sums = self._chain_sums(head)
        for node in reversed(sums):  # the first sum first
            if node is not head:
                members.append(node)
            for part in node.inputs:
                if part in sums:
                    continue
                if self.term(part):
                    members.append(part)
                    a, b = part.inputs
                    w, x = (a, b) if self.weight(a) and not isinstance(b, Constant) else (b, a)
                    parameters.append(w)
                    data.append(x)
                else:
                    parameters.append(part)  # the bias
