"""Forward mode from the same rows: ``jvp``, ``tangents``, ``hvp`` and ``hessian``.

Reverse mode sends ∂L/∂node from the output down; forward mode sends a tangent
(d node / dε, where the inputs move by ε · v) from the inputs up, reading the same
local partials of each row: ``tangent_out = Σ_i ∂out/∂in_i · tangent_in_i``. So every
row of :data:`autograd.RULES`, your own from :func:`autograd.register` included, has
forward mode without a line of its own. A partial of None, or a masking row's exact
0, passes on exactly 0 (as in reverse mode).

The graph is recorded once (as for ``backward``), then the tangents are pushed
through it in topological order. ``hvp`` is forward-over-reverse: the tangents of
the gradient graph that ``grad(create_graph=True)`` builds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .engine import Real, Value, _contribution, grad, topological_order
from .ops import as_float

__all__ = ["hessian", "hvp", "jvp", "tangents"]


def _order(outputs: Iterable[Value]) -> list[Value]:
    """The nodes of all outputs' graphs once each, every node after its inputs."""
    order: list[Value] = []
    seen: set[Value] = set()
    for out in outputs:
        for node in topological_order(out):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


def _push(order: list[Value], seeds: Mapping[Value, float]) -> dict[Value, float]:
    """The tangent of every node that depends on a seeded node (others have none: 0)."""
    carried: dict[Value, float] = dict(seeds)
    for node in order:
        rule = node._rule
        if rule is None or node in carried:
            continue
        ins = node.inputs
        moving = [(i, carried[x]) for i, x in enumerate(ins) if x in carried]
        if not moving:
            continue
        partials = rule.derivative(node._data, *[x._data for x in ins])
        if len(partials) != len(ins):
            raise ValueError(
                f"the {rule.name} row gave {len(partials)} partials for {len(ins)} inputs"
            )
        total = 0.0
        for i, t in moving:
            total += _contribution(rule, node, ins, i, t, partials[i], False)  # the chain rule
        carried[node] = total
    return carried


def _leaves(f: Callable[..., Any], primals: Sequence[Real], what: str) -> tuple[list[Value], Any]:
    xs = [Value(as_float(p, f"{what} primals[{i}]"), f"x{i}") for i, p in enumerate(primals)]
    return xs, f(*xs)


def _vector(v: Sequence[Real], n: int, what: str) -> list[float]:
    vs = [as_float(t, f"{what} tangents[{i}]") for i, t in enumerate(v)]
    if len(vs) != n:
        raise ValueError(f"{what} needs one tangent per primal: got {len(vs)} for {n}")
    return vs


def tangents(outputs: Value | Iterable[Value], seeds: Mapping[Value, Real]) -> list[float]:
    """d output / dε for each output, when each node in ``seeds`` moves by ε · its seed.

    The graphs are those already built: ``seeds`` maps their leaves (parameters,
    inputs) to a direction. An output that depends on no seeded node gets 0.

    >>> x, y = Value(2.0), Value(3.0)
    >>> tangents([x * y, x.exp()], {x: 1.0})  # ∂(xy)/∂x = y, ∂eˣ/∂x = eˣ
    [3.0, 7.38905609893065]
    """
    outs = [outputs] if isinstance(outputs, Value) else list(outputs)
    for i, out in enumerate(outs):
        if not isinstance(out, Value):
            raise TypeError(f"tangents: outputs[{i}] must be a Value, got {type(out).__name__}")
    seeded = {}
    for node, t in seeds.items():
        if not isinstance(node, Value):
            raise TypeError(f"tangents: seeds must map Values to numbers, got {node!r:.60}")
        seeded[node] = as_float(t, "tangents seed")
    carried = _push(_order(outs), seeded)
    return [carried.get(out, 0.0) for out in outs]


def jvp(
    f: Callable[..., Value | Real], primals: Sequence[Real], tangents: Sequence[Real]
) -> tuple[float, float]:
    """``(f(*primals), ∇f · tangents)``: f's value and its derivative along ``tangents``.

    ``f`` takes one Value per primal and returns a Value (a number counts as constant).

    >>> jvp(lambda x, y: x * y + x.sin(), [0.0, 2.0], [1.0, 0.0])  # y + cos x
    (0.0, 3.0)
    """
    xs, out = _leaves(f, primals, "jvp")
    vs = _vector(tangents, len(xs), "jvp")
    if not isinstance(out, Value):
        return as_float(out, "jvp's f result"), 0.0
    carried = _push(topological_order(out), dict(zip(xs, vs, strict=True)))
    return out.data, carried.get(out, 0.0)


def hvp(f: Callable[..., Value], primals: Sequence[Real], vector: Sequence[Real]) -> list[float]:
    """The Hessian of ``f`` at ``primals`` times ``vector``, forward-over-reverse.

    >>> hvp(lambda x, y: x * x * y, [1.0, 2.0], [1.0, 0.0])  # H = [[2y, 2x], [2x, 0]]
    [4.0, 2.0]
    """
    xs, out = _leaves(f, primals, "hvp")
    vs = _vector(vector, len(xs), "hvp")
    gs = grad(out, xs, create_graph=True)
    carried = _push(_order(gs), dict(zip(xs, vs, strict=True)))
    return [carried.get(g, 0.0) for g in gs]


def hessian(f: Callable[..., Value], primals: Sequence[Real]) -> list[list[float]]:
    """The matrix of second derivatives of ``f`` at ``primals``, one hvp per column.

    The gradient graph is built once; each column pushes one unit tangent through it.

    >>> hessian(lambda x, y: x * x * y, [1.0, 2.0])
    [[4.0, 2.0], [2.0, 0.0]]
    """
    xs, out = _leaves(f, primals, "hessian")
    gs = grad(out, xs, create_graph=True)
    order = _order(gs)
    columns = []
    for j in range(len(xs)):
        carried = _push(order, {xs[j]: 1.0})  # the others stay put: no tangent, not 0 · inf
        columns.append([carried.get(g, 0.0) for g in gs])
    return [[columns[j][i] for j in range(len(xs))] for i in range(len(xs))]
