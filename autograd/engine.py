"""The walk and the one backpropagation routine behind ``backward()`` and ``grad()``.

A Value (:mod:`autograd.value`) records the row of :data:`autograd.ops.RULES` that
made it and its inputs in call order. :func:`topological_order` walks the graph with an
explicit stack; :func:`_backprop` reads each node's row in reverse order and
puts every ∂root/∂node in the node's scratch slot, never in ``.grad``.
``backward()`` then writes them all at the end, so it commits or changes nothing.
Pickling a graph walks it too: it is here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from . import ops
from .functions import div
from .modes import ANOMALY, check_backward
from .ops import Rule, as_float
from .rule import TIMES
from .value import Constant, Parameter, Value, _flat, _number_of, wsum
from .value import Real as Real  # autograd.engine.Real, as before the split

__all__ = ["Constant", "Parameter", "Value", "grad", "topological_order", "wsum"]

# One backpropagation at a time: the scratch slots of nodes that several graphs share
# (the leaves, say) are then never written by two threads at once.
_LOCK = threading.RLock()


def _backward(root: Value) -> None:
    """``root.backward()``: walk, backpropagate, then write every ``.grad`` at once."""
    with _LOCK:
        order, _ = _walk(root, Constant)
        _backprop(root, order, False)
        _commit(order)


def _step(node: Value) -> None:
    """``node._backward()``, micrograd's step of the chain rule for one node (see Value)."""
    rule = node._rule
    if rule is None:
        return
    ins, partials = _partials(rule, node, False)
    g = node._grad
    for i, (x, p) in enumerate(zip(ins, partials)):  # noqa: B905 (_partials checked them)
        if type(x) is not Constant:
            x._grad += _contribution(rule, node, ins, i, g, p, False)


# --- pickling: a graph as a flat list, rebuilt without recursion ----------------------


def _reduce(node: Value) -> tuple[Any, ...]:
    """``Value.__reduce__``, for pickle and deepcopy: a leaf is its fields, a computed node
    its whole graph, flat and in topological order, each node's inputs given by position:
    loading it needs no recursion, however deep the graph. Rules pickle by name (ops.Rule)."""
    if node._rule is None:
        return (_rebuild, (type(node), node._data, node._grad, node.label, None, None, None))
    return (_rebuild_graph, (_flat_graph(node),))


def _rebuild(
    cls: type[Value], data: float, grad: float, label: str, rule: Rule | None, a: Any, b: Any
) -> Value:
    """A node from the fields that ``Value.__reduce__`` gives (pickle, deepcopy)."""
    node = cls(data, label=label)  # by name: a subclass may take more arguments before it
    node._grad = grad
    node._rule, node._a, node._b = rule, a, b
    return node


def _flat_graph(root: Value) -> list[Any]:
    """``root``'s graph for pickling: its leaves as they are (the pickle's memo shares them),
    every other node as its fields with the positions of its inputs in this list."""
    order = topological_order(root)
    at = {id(node): i for i, node in enumerate(order)}
    rows: list[Any] = []
    for node in order:
        a, b = node._a, node._b
        if a is None:
            rows.append(node)
            continue
        a_at = tuple([at[id(x)] for x in _flat(a)]) if type(a) is tuple else at[id(a)]
        b_at = None if b is None else at[id(b)]
        rows.append((type(node), node._data, node._grad, node.label, node._rule, a_at, b_at))
    return rows


def _rebuild_graph(rows: list[Any]) -> Value:
    """The last node of a graph that :func:`_flat_graph` flattened, rebuilt."""
    nodes: list[Value] = []
    for row in rows:
        if isinstance(row, Value):
            nodes.append(row)
            continue
        cls, data, grad, label, rule, a_at, b_at = row
        a = tuple([nodes[i] for i in a_at]) if type(a_at) is tuple else nodes[a_at]
        nodes.append(
            _rebuild(cls, data, grad, label, rule, a, None if b_at is None else nodes[b_at])
        )
    return nodes[-1]


# --- the walk and the one backpropagation routine ---------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph once, each after all of its inputs.

    A depth-first walk with an explicit stack, inputs in call order: the same
    order on every run, and depth limited by memory alone. A leaf is taken as
    soon as the walk meets it: it has no inputs to wait for.

    >>> x = Value(1.0, "x")
    >>> [v.label or v.op for v in topological_order((x * 2).exp())]
    ['x', '', 'mul', 'exp']
    """
    with _LOCK:
        order, _ = _walk(root, None)
    return order


# The marks of the last walk: a walk marks each node it meets with numbers no earlier
# walk used, so a mark left behind by a walk that was stopped (Ctrl-C) is never taken
# for one of a later walk's, and nothing has to be cleared for the next call to be right.
_last_mark = 0


def _new_marks() -> int:
    """A walk's first mark (the caller holds ``_LOCK``); its second is one more."""
    global _last_mark
    _last_mark += 2
    return _last_mark


def _walk(root: Value, skip: type | None) -> tuple[list[Value], int]:
    """:func:`topological_order`, and the mark the walk left on every node of it.

    A node is marked ``opened`` while its inputs are being walked, ``opened + 1``
    once it is in the order; each node of the order starts with ``_gf = -0.0``
    (-0.0 + x is x, signed zeros included: the first term). The caller holds ``_LOCK``.
    Inputs of type ``skip`` are left out: backward and grad skip the Constants, which
    take no gradient (and CPython runs the walk faster on nodes of one class)."""
    opened = _new_marks()
    seen = opened + 1
    order: list[Value] = []
    stack: list[Value] = [root]
    while stack:
        node = stack.pop()
        mark = node._m
        if mark == seen:
            continue
        if mark == opened or node._a is None:  # its inputs are in, or it has none
            node._m = seen
            node._gf = -0.0
            order.append(node)
            continue
        node._m = opened
        stack.append(node)
        _push_inputs(stack, node, skip, opened)
    return order, seen


def _push_inputs(stack: list[Value], node: Value, skip: type | None, opened: int) -> None:
    """Put the inputs of ``node`` that this walk (marks from ``opened`` on) has not met on
    the stack, the first on top, leaving out those of type ``skip``."""
    a, b = node._a, node._b
    if b is not None:
        if type(b) is not skip and b._m < opened:
            stack.append(b)
        if type(a) is not skip and a._m < opened:
            stack.append(a)
    elif type(a) is not tuple:
        if type(a) is not skip and a._m < opened:
            stack.append(a)
    elif a and type(a[0]) is tuple:  # wsum's (weights, inputs, bias): as if one tuple
        b = a[2]
        if type(b) is not skip and b._m < opened:
            stack.append(b)
        _push_each(stack, a[1], skip, opened)
        _push_each(stack, a[0], skip, opened)
    else:
        _push_each(stack, a, skip, opened)


def _push_each(
    stack: list[Value], inputs: tuple[Value, ...], skip: type | None, opened: int
) -> None:
    """:func:`_push_inputs` for the inputs of an n-ary node."""
    for x in reversed(inputs):
        if type(x) is not skip and x._m < opened:
            stack.append(x)


def _backprop(root: Value, order: list[Value], create_graph: bool) -> None:
    """Put ∂root/∂node in each node's scratch slot: ``_gf``, or ``_g`` (a Value) for create_graph.

    ``order`` is ``_walk(root)``'s; the caller holds ``_LOCK`` and, after a
    create_graph one, clears ``_g`` (:func:`_clear`). Each node's row gives its local
    partials; each input gets ``g · partial`` added, in reverse topological
    order, so a node's gradient is complete when it comes up. A Constant's
    slot may take terms, but nothing reads it; a partial of None, or a masking
    row's exact 0, passes on exactly 0 (PyTorch's ``where``), not ``g · 0``,
    which is nan for g = inf. Every node of the order is reached: it is an
    input of a node that is.
    """
    anomaly = ANOMALY.get()
    if create_graph:
        _clear(order)  # a stopped call may have left Values behind
        root._g = Constant(1.0)
    root._gf = 1.0
    if not (create_graph or anomaly):
        _backprop_floats(order)
        return
    for node in reversed(order):
        rule = node._rule
        if rule is not None:
            ins, partials = _partials(rule, node, create_graph)
            _pass_each(node, ins, partials, rule, create_graph, anomaly)


def _backprop_floats(order: list[Value]) -> None:
    """:func:`_backprop` in the common case: floats, no anomaly checks.

    A unary or binary row's float partials are unpacked, not looped over, and wsum's
    are read from its inputs: in pure Python a loop over two inputs costs more
    than the adds it makes. A masking row's 0 adds exactly 0 here too, as
    :func:`chain` does (a test checks these paths against it bit for bit). Whatever
    the fast paths do not take (a partial of None or of another type, a quotient's
    overflow, a wrong count, an n-ary row) goes to :func:`_pass_each`.
    """
    for node in reversed(order):
        rule = node._rule
        if rule is None:
            continue
        a = node._a
        if node._b is not None:
            _pass_binary(node, rule)
        elif type(a) is not tuple:
            _pass_unary(node, rule)
        elif a and type(a[0]) is tuple and rule.derivative is ops._wsum_derivative:
            _pass_wsum(node._gf, a[0], a[1], a[2])
        else:
            ins, partials = _partials(rule, node, False)
            _pass_each(node, ins, partials, rule, False, False)


def _pass_unary(node: Value, rule: Rule) -> None:
    """``a._gf += g · p`` for a unary row's one float partial; the rest to _pass_each."""
    a: Value = node._a
    derivative = rule.derivative  # bound first: mypyc reads the field, not a method
    partials = derivative(node._data, a._data)
    if len(partials) == 1:
        p = partials[0]
        if type(p) is float:
            pf: float = p
            if rule.masks and pf == 0.0:  # chain's masking rule: exactly 0, whatever g is
                a._gf += 0.0  # (relu below 0: half a ReLU network's nodes)
                return
            if pf - pf == 0.0 or rule.quotient is None:  # finite, or no quotient to use
                a._gf += node._gf * pf
                return
    _check_count(rule, partials, (a,))
    _pass_each(node, (a,), partials, rule, False, False)


def _pass_binary(node: Value, rule: Rule) -> None:
    """Both inputs' ``+= g · p`` for a binary row's two float partials; the rest to _pass_each."""
    a: Value = node._a
    b: Value = node._b
    derivative = rule.derivative
    partials = derivative(node._data, a._data, b._data)
    if len(partials) == 2:
        pa, pb = partials
        if type(pa) is float and type(pb) is float:
            pfa: float = pa
            pfb: float = pb
            if (pfa - pfa == 0.0 and pfb - pfb == 0.0) or rule.quotient is None:
                g = node._gf
                if rule.masks:  # chain's masking rule: a 0 passes exactly 0, whatever g is
                    a._gf += 0.0 if pfa == 0.0 else g * pfa
                    b._gf += 0.0 if pfb == 0.0 else g * pfb
                    return
                a._gf += g * pfa
                b._gf += g * pfb  # a Constant's slot takes it too, never read
                return
    _check_count(rule, partials, (a, b))
    _pass_each(node, (a, b), partials, rule, False, False)


def _pass_wsum(g: float, ws: tuple[Value, ...], xs: tuple[Value, ...], b: Value) -> None:
    """The wsum row's partials, read from its inputs instead of built: ∂S/∂w_i is
    x_i, ∂S/∂x_i is w_i and ∂S/∂b is -1, added in input order (a test checks the bits)."""
    for w, x in zip(ws, xs):  # noqa: B905 (wsum checked the lengths)
        w._gf += g * x._data
    for w, x in zip(ws, xs):  # noqa: B905
        x._gf += g * w._data
    b._gf += g * -1.0


def _pass_each(
    node: Value,
    ins: tuple[Value, ...],
    partials: tuple[Any, ...],
    rule: Rule,
    create_graph: bool,
    anomaly: bool,
) -> None:
    """Add ``g · partial`` to each input but a Constant, with the checks the float fast
    paths skip: a partial of None, a masking row's 0, a quotient, anomaly mode, create_graph."""
    g = node._g if create_graph else node._gf
    for i, (x, p) in enumerate(zip(ins, partials)):  # noqa: B905 (the callers checked them)
        if type(x) is Constant:
            continue
        contribution = _contribution(rule, node, ins, i, g, p, create_graph)
        if anomaly:
            check_backward(node, x, g, contribution)
        if not create_graph:
            x._gf += contribution
        else:
            x._g = contribution if x._g is None else x._g + contribution


def _contribution(
    rule: Rule, node: Value, ins: tuple[Value, ...], i: int, g: Any, p: Any, create_graph: bool
) -> Any:
    """:func:`chain` for input i of a node of the graph: on its Values (create_graph), else
    on their numbers. Backward, ``grad`` and micrograd's ``_backward`` call it."""
    if not create_graph and p is not None:
        p = _number_of(p)
    if rule.quotient is None:  # chain asks for no parts: no closure to make per input
        return chain(rule, g, p, None)

    def quotient(q: Any) -> Any:
        if create_graph:  # the parts are nodes of the gradient's graph, as the partial is
            return q(node, *[x._data if type(x) is Constant else x for x in ins])[i]
        return q(node._data, *[x._data for x in ins])[i]

    return chain(rule, g, p, quotient)


def chain(rule: Rule, g: Any, p: Any, quotient: Any) -> Any:
    """``g · p``, the chain rule's one product, for a partial p of ``rule`` and the gradient
    (or tangent) g, on numbers, Values or a program's symbols alike; the masking rule too.

    - A partial of None, or a masking row's 0, passes exactly 0, whatever g is: inf and
      nan stop there, as PyTorch's ``where`` stops them. For a symbol, whose number is not
      known yet, the program decides when it runs (the ``mul0`` row; a masking row's
      quotient, div0's alone, is then not formed).
    - Where p alone is ±inf or nan and the row gives it as a quotient n / d
      (``Rule.quotient``), ``(g · n) / d``, as PyTorch forms g / x: log's 1/x overflows at
      a subnormal x where g / x need not. ``quotient(q)`` is the row's ``q(out, *inputs)[i]``
      on the caller's carriers: the parts ``(n, d)``, or None. For a symbol, the
      :data:`autograd.rule.TIMES` row decides when the program runs.

    Backward and ``grad`` (:func:`_contribution`), forward mode and
    :meth:`autograd.Program.grad` all apply partials through here.

    >>> log = ops.RULES["log"]
    >>> chain(ops.RULES["relu"], float("inf"), 0.0, None), chain(log, 2.0, 0.5, None)
    (0.0, 1.0)
    >>> x = 1e-310  # 1/x overflows; (g·1)/x does not for g = 1e-10
    >>> 1e-10 * (1.0 / x), chain(log, 1e-10, 1.0 / x, lambda q: q(log.forward(x), x)[0])
    (inf, 1.000000000000003e+300)
    """
    if p is None:
        return 0.0
    number = _number_of(p) if isinstance(p, (Value, float, int)) else None
    if rule.masks:
        if number is None:
            return type(p)._apply_rule(ops.RULES["mul0"], (p, g))
        if number == 0.0:
            return 0.0
    if rule.quotient is None or (number is not None and number - number == 0.0):
        return g * p
    parts = quotient(rule.quotient)
    if parts is None:
        return g * p
    n, d = parts
    if number is None:
        return type(p)._apply_rule(TIMES, (g, p, n, d))
    return div(g * n, d)


def _partials(
    rule: Rule, node: Value, create_graph: bool
) -> tuple[tuple[Value, ...], tuple[Any, ...]]:
    """The node's inputs and the row's local partials: on Values (create_graph), else floats."""
    a, b = node._a, node._b
    ins: tuple[Value, ...]
    derivative = rule.derivative  # bound first: mypyc reads the field, not a method
    if create_graph:  # the partials are nodes of a graph of their own
        ins = node.inputs
        partials = derivative(node, *[x._data if type(x) is Constant else x for x in ins])
    elif b is not None:  # binary, the most common case
        ins = (a, b)
        partials = derivative(node._data, a._data, b._data)
    elif type(a) is tuple:  # n-ary
        ins = _flat(a)
        partials = derivative(node._data, *[x._data for x in ins])
    else:
        ins = (a,)
        partials = derivative(node._data, a._data)
    _check_count(rule, partials, ins)
    return ins, partials


def _check_count(rule: Rule, partials: tuple[Any, ...], ins: tuple[Value, ...]) -> None:
    if len(partials) != len(ins):
        raise ValueError(f"the {rule.name} row gave {len(partials)} partials for {len(ins)} inputs")


def _commit(order: list[Value]) -> None:
    """Write a backward's gradients: ∂root/∂node into each interior node's ``grad``,
    added to each leaf's (a Constant takes none). An exception part-way (Ctrl-C)
    puts back every ``grad`` written, so the commit is whole or nothing."""
    before = [node._grad for node in order]
    try:
        for node in order:
            if node._rule is not None:
                node._grad = node._gf
            elif type(node) is not Constant:
                node._grad += node._gf
    except BaseException:
        for node, old in zip(order, before):  # noqa: B905 (one length)
            node._grad = old
        raise


def _clear(order: list[Value]) -> None:
    for node in order:  # a Value in a slot would keep its gradient graph alive
        node._g = None


def _found(x: Value, seen: int, create_graph: bool) -> Any:
    """``grad``'s result for x: None when no path from the output reaches it."""
    if x._m != seen or type(x) is Constant:  # not in the order, or never differentiated
        return None
    return x._g if create_graph else x._gf


def _gradients(output: Value, wrt: tuple[Value, ...], create_graph: bool) -> list[Any]:
    """``grad``'s work under ``_LOCK``: ∂output/∂x for each x of wrt, None where no path
    reaches it. (A function of its own: CPython leaves a ``try`` line that opens a
    ``with`` body outside the ``with``'s clean-up.)"""
    order, seen = _walk(output, Constant)
    try:
        _backprop(output, order, create_graph)
        return [_found(x, seen, create_graph) for x in wrt]
    finally:
        if create_graph:
            _clear(order)


def _values(inputs: object) -> tuple[Value, ...]:
    """``grad``'s inputs as a tuple of Values, or a TypeError naming the first that is not."""
    if not isinstance(inputs, Value | Iterable):
        raise TypeError(f"grad inputs must be a Value or Values, got {type(inputs).__name__}")
    wrt = (inputs,) if isinstance(inputs, Value) else tuple(inputs)
    for i, x in enumerate(wrt):
        if not isinstance(x, Value):
            raise TypeError(f"grad inputs must be Values; inputs[{i}] is {type(x).__name__}")
    return wrt


def grad(
    output: object, inputs: object, create_graph: bool = False, allow_unused: bool = True
) -> tuple[Value, ...]:
    """The derivatives of ``output`` with respect to each of ``inputs``, as Values.

    No ``.grad`` is touched. With ``create_graph=True`` the results carry a graph
    of their own, so they can be differentiated again (second derivatives,
    Hessian-vector products, Newton steps). An input that ``output`` does not
    depend on gets 0, and so does every input of a plain number (HIPS autograd's
    behaviour); ``allow_unused=False`` raises ValueError for such an input instead
    (PyTorch's default).

    >>> x, z = Value(3.0, "x"), Value(1.0, "z")
    >>> y = x**3
    >>> (dy,) = grad(y, [x], create_graph=True)  # 3x² = 27
    >>> (d2y,) = grad(dy, [x])                   # 6x = 18
    >>> dy.data, d2y.data, x.grad, grad(y, z)[0].data, grad(2.0, x)[0].data
    (27.0, 18.0, 0.0, 0.0, 0.0)
    """
    wrt = _values(inputs)
    if not isinstance(output, Value):
        as_float(output, "grad's output (a Value or a number)")
        found: list[Any] = [None] * len(wrt)
    else:
        with _LOCK:
            found = _gradients(output, wrt, create_graph)
    if not allow_unused and None in found:
        i = found.index(None)
        raise ValueError(
            f"grad: the output does not depend on inputs[{i}] ({wrt[i]!r}); pass "
            "allow_unused=True to get 0 for it"
        )
    return tuple(g if isinstance(g, Value) else Value(0.0 if g is None else g) for g in found)
