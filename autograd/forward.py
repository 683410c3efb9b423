"""Forward mode from the same rows: ``jvp``, ``tangents``, ``hvp`` and ``hessian``.

Reverse mode sends ∂L/∂node from the output down; forward mode sends a tangent
(d node / dε, where the inputs move by ε · v) from the inputs up, reading the same
local partials of each row: ``tangent_out = Σ_i ∂out/∂in_i · tangent_in_i``. So every
row of :data:`autograd.RULES`, your own from :func:`autograd.register` included, has
forward mode without a line of its own. A partial of None, or a masking row's exact
0, passes on exactly 0 (as in reverse mode).

The graph is recorded once (as for ``backward``) and traced into a program
(:func:`autograd.trace`); the tangents are pushed through its equations in order by
:func:`autograd.program.push_tangents`, each product the chain rule's one
(:func:`autograd.engine.chain`, which backward and ``Program.grad`` use too).
``hvp`` is forward-over-reverse: the tangents of the gradient graph that
``grad(create_graph=True)`` builds.

Given Values, :func:`jvp` pushes its tangents as Values, each partial a node (as
``grad(create_graph=True)`` builds them): its results can be differentiated again,
by ``grad`` (reverse-over-forward) or by another ``jvp`` (forward-over-forward), and
``jvp`` of a function that calls ``grad(create_graph=True)`` is forward-over-reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, overload

from .engine import Constant, Real, Value, grad, topological_order
from .ops import as_float
from .program import Atom, Var, _traced, push_tangents

__all__ = ["hessian", "hvp", "jvp", "tangents"]


def _order(outputs: Sequence[Value]) -> list[Value]:
    """The nodes of all outputs' graphs once each, every node after its inputs."""
    if len(outputs) == 1:
        return topological_order(outputs[0])
    order: list[Value] = []
    seen: set[Value] = set()
    for out in outputs:
        for node in topological_order(out):
            if node not in seen:
                seen.add(node)
                order.append(node)
    return order


class _Traced:
    """The outputs' program from the seeded nodes, and how to read its variables: as the
    nodes' numbers, or (``differentiable``) as the nodes themselves, so that the tangents
    are Values with graphs of their own, as ``grad(create_graph=True)`` builds them. Then
    every other leaf is an input too, so that the tangents depend on it."""

    def __init__(self, outputs: Sequence[Value], seeded: Iterable[Value], differentiable: bool):
        order = _order(outputs)
        wanted = list(dict.fromkeys(seeded))
        if differentiable:
            taken = set(wanted)
            wanted += [
                v for v in order if v._rule is None and type(v) is not Constant and v not in taken
            ]
        numbered = {v: f"v{i}" for i, v in enumerate(dict.fromkeys([*wanted, *order]))}
        self.program, self.nodes = _traced(order, wanted, outputs, numbered)  # no names needed
        self.var = {node: v for v, node in self.nodes.items()}
        self.differentiable = differentiable

    def read(self, a: Atom) -> Any:
        if not isinstance(a, Var):
            return a
        node = self.nodes[a]
        return node if self.differentiable and type(node) is not Constant else node._data

    def tangents(self, seeds: Mapping[Value, Any]) -> list[Any]:
        """The tangent of each output (0 where it depends on no seeded node)."""
        carried = push_tangents(self.program, self.read, {self.var[x]: t for x, t in seeds.items()})
        return [carried.get(a, 0.0) if isinstance(a, Var) else 0.0 for a in self.program.outputs]


def _leaves(f: Callable[..., Any], primals: Sequence[Real], what: str) -> tuple[list[Value], Any]:
    xs = [Value(as_float(p, f"{what} primals[{i}]"), f"x{i}") for i, p in enumerate(primals)]
    return xs, f(*xs)


def _vector(v: Sequence[Any], n: int, what: str, values: bool = False) -> list[Any]:
    """The tangents as floats (``values``: Values kept as they are), one per primal."""
    vs = [
        t if values and isinstance(t, Value) else as_float(t, f"{what} tangents[{i}]")
        for i, t in enumerate(v)
    ]
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
    return _Traced(outs, seeded, False).tangents(seeded)


@overload
def jvp(  # type: ignore[overload-overlap]
    f: Callable[..., Value | Real], primals: Sequence[Real], tangents: Sequence[Real]
) -> tuple[float, float]: ...


@overload
def jvp(
    f: Callable[..., Value | Real],
    primals: Sequence[Value | Real],
    tangents: Sequence[Value | Real],
) -> tuple[Value, Value]: ...


def jvp(
    f: Callable[..., Value | Real],
    primals: Sequence[Value | Real],
    tangents: Sequence[Value | Real],
) -> tuple[float, float] | tuple[Value, Value]:
    """``(f(*primals), ∇f · tangents)``: f's value and its derivative along ``tangents``.

    ``f`` takes one Value per primal and returns a Value (a number counts as constant).
    Numbers in, numbers out:

    >>> jvp(lambda x, y: x * y + x.sin(), [0.0, 2.0], [1.0, 0.0])  # y + cos x
    (0.0, 3.0)

    With a Value among the primals or tangents, ``f`` gets the primal Values themselves
    and both results are Values that can be differentiated again: the derivative of
    the tangent is a second derivative (reverse-over-forward, forward-over-forward).

    >>> x = Value(2.0, "x")
    >>> y, t = jvp(lambda x: x**3, [x], [1.0])  # 3x² = 12
    >>> (d2,) = grad(t, [x])                     # 6x = 12
    >>> t.data, d2.data, jvp(lambda x: jvp(lambda u: u**3, [x], [1.0])[1], [2.0], [1.0])
    (12.0, 12.0, (12.0, 12.0))
    """
    differentiable = any(isinstance(a, Value) for a in (*primals, *tangents))
    xs = [  # numbers become leaves, named x0, x1, ...; Values are used as they are
        p if isinstance(p, Value) else Value(as_float(p, f"jvp primals[{i}]"), f"x{i}")
        for i, p in enumerate(primals)
    ]
    out = f(*xs)
    vs = _vector(tangents, len(xs), "jvp", differentiable)
    seeds: dict[Value, Any] = {}
    for x, v in zip(xs, vs, strict=True):  # a Value given twice moves by both tangents
        seeds[x] = seeds[x] + v if x in seeds else v
    if not isinstance(out, Value):
        value = as_float(out, "jvp's f result")
        return (Value(value), Value(0.0)) if differentiable else (value, 0.0)
    (tangent,) = _Traced([out], seeds, differentiable).tangents(seeds)
    if not differentiable:
        return out.data, tangent
    return out, tangent if isinstance(tangent, Value) else Value(tangent)


def hvp(f: Callable[..., Value], primals: Sequence[Real], vector: Sequence[Real]) -> list[float]:
    """The Hessian of ``f`` at ``primals`` times ``vector``, forward-over-reverse.

    >>> hvp(lambda x, y: x * x * y, [1.0, 2.0], [1.0, 0.0])  # H = [[2y, 2x], [2x, 0]]
    [4.0, 2.0]
    """
    xs, out = _leaves(f, primals, "hvp")
    vs = _vector(vector, len(xs), "hvp")
    gs = grad(out, xs, create_graph=True)
    return _Traced(gs, xs, False).tangents(dict(zip(xs, vs, strict=True)))


def hessian(f: Callable[..., Value], primals: Sequence[Real]) -> list[list[float]]:
    """The matrix of second derivatives of ``f`` at ``primals``, one hvp per column.

    The gradient graph is built once; each column pushes one unit tangent through it.

    >>> hessian(lambda x, y: x * x * y, [1.0, 2.0])
    [[4.0, 2.0], [2.0, 0.0]]
    """
    xs, out = _leaves(f, primals, "hessian")
    gs = grad(out, xs, create_graph=True)
    traced = _Traced(gs, xs, False)  # traced once, pushed once per column
    columns = [traced.tangents({x: 1.0}) for x in xs]  # the others stay put: not 0 · inf
    return [[columns[j][i] for j in range(len(xs))] for i in range(len(xs))]
