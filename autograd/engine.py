"""The Value node, the derivative table, and the walks that read it.

Everything that needs a derivative reads :data:`RULES`: ``backward()`` on
floats, :func:`grad` with ``create_graph=True`` on Values, and the symbolic
tracer that prints each rule as a formula. A new op is one row there.
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

_T = TypeVar("_T")
try:
    from mypy_extensions import mypyc_attr
except ImportError:  # the pure engine needs no mypy: the decorator only instructs mypyc

    def mypyc_attr(*attrs: str, **kwattrs: object) -> Callable[[_T], _T]:
        return lambda x: x


__all__ = [
    "RULES",
    "Rule",
    "Value",
    "detect_anomaly",
    "exp",
    "grad",
    "log",
    "relu",
    "sigmoid",
    "tanh",
    "topological_order",
    "wsum",
]

Real = float | numbers.Real  # int, float, numpy.float64, Fraction, ...
INF = math.inf
NAN = math.nan


# --- IEEE forward functions on floats: inf and nan instead of exceptions -----


def _fexp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _flog(x: float) -> float:
    if x > 0.0:
        return math.log(x)
    return -INF if x == 0.0 else NAN  # log(0) = -inf; log(<0) and log(nan) = nan


def _odd_integer(y: float) -> bool:
    return math.isfinite(y) and y == math.floor(y) and y % 2.0 == 1.0


def _fpow(x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except OverflowError:  # |result| too large: inf, negative for x < 0 and odd y
        return -INF if x < 0.0 and _odd_integer(y) else INF
    except ValueError:  # 0 ** negative is a pole; a negative base with a fractional y is nan
        if x == 0.0:
            return -INF if math.copysign(1.0, x) < 0.0 and _odd_integer(y) else INF
        return NAN


def _fsigmoid(x: float) -> float:
    if x >= 0.0:  # exp(-x) <= 1 here, and exp(x) <= 1 below: no overflow either way
        return 1.0 / (1.0 + math.exp(-x))
    e = _fexp(x)  # nan lands here too and stays nan
    return e / (1.0 + e)


def _frelu(x: float) -> float:
    return 0.0 if x <= 0.0 else x  # nan <= 0 is False, so relu(nan) is nan


def _fwsum(*wxb: float) -> float:
    n = len(wxb) // 2  # inputs are w_1..w_n, x_1..x_n, b
    total = 0.0
    for w, x in zip(wxb[:n], wxb[n:-1]):  # noqa: B905 (equal lengths by construction)
        total += w * x  # left to right, as wsum() adds them
    return total - wxb[-1]


def _step(x: Any) -> Any:
    """relu's derivative: 1 where x > 0, else 0 (0 at the kink, as PyTorch)."""
    if type(x) is not float:  # checked first: backward calls this on floats
        if isinstance(x, Value):
            x = x.data
        if not isinstance(x, float):
            return x.step()  # a symbolic formula renders itself
    return 1.0 if x > 0.0 else 0.0


def _xlogy(x: Any, y: Any) -> Any:
    """x·log(y), taken as 0 wherever x is 0, for floats, Values and formulas alike.

    The exponent's derivative of ``x ** y`` is ``out·log(x)``; at x = 0 (y > 0)
    that would be 0·(-inf) = nan, but 0 ** y is flat in y there: 0, as in PyTorch.
    """
    if isinstance(x, float):
        return 0.0 if x == 0.0 else x * (_flog(y) if isinstance(y, float) else log(y))
    if isinstance(x, Value):
        return _constant(0.0) if x.data == 0.0 else x * log(y)
    return x.xlogy(y)  # a symbolic formula renders itself


def _pow(x: Any, y: Any) -> Any:
    """``x ** y`` for floats (IEEE), Values and formulas alike."""
    if isinstance(x, float) and isinstance(y, float):
        return _fpow(x, y)
    return x**y


# --- the derivative table ----------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One primitive: its forward function on floats and its local derivatives.

    ``derivative(out, *inputs)`` returns ∂out/∂input for every input, in order.
    It is written with ``+ - *`` and the generic functions of this module, so the
    same line runs on floats (``backward``), on Values (``grad(create_graph=True)``)
    and on symbols (the printed formulas).

    >>> RULES["sigmoid"].derivative(0.5, 0.0)
    (0.25,)
    """

    name: str
    arity: int  # 1, 2, or 0 for n-ary
    forward: Callable[..., float]
    derivative: Callable[..., tuple[Any, ...]]


def _wsum_derivative(out: Any, *wxb: Any) -> tuple[Any, ...]:
    n = len(wxb) // 2  # inputs are w_1..w_n, x_1..x_n, b
    return (*wxb[n:-1], *wxb[:n], -1.0)  # ∂S/∂w_i = x_i, ∂S/∂x_i = w_i, ∂S/∂b = -1


# fmt: off
RULES: dict[str, Rule] = {rule.name: rule for rule in (
    #    op       arity forward        local derivatives ∂out/∂input, from out and the inputs
    Rule("add",     2, operator.add, lambda out, x, y: (1.0, 1.0)),
    Rule("mul",     2, operator.mul, lambda out, x, y: (y, x)),
    # c is a constant; x**0 is flat, so its derivative is 0 even where x**-1 is inf
    Rule("pow",     2, _fpow,        lambda out, x, c: (c * _pow(x, c - 1.0) if c else 0.0, 0.0)),
    Rule("powv",    2, _fpow,        lambda out, x, y: (y * _pow(x, y - 1.0), _xlogy(out, x))),
    Rule("exp",     1, _fexp,        lambda out, x: (out,)),
    Rule("log",     1, _flog,        lambda out, x: (_pow(x, -1.0),)),
    Rule("sigmoid", 1, _fsigmoid,    lambda out, x: (out * (1.0 - out),)),
    Rule("tanh",    1, math.tanh,    lambda out, x: (1.0 - out * out,)),
    Rule("relu",    1, _frelu,       lambda out, x: (_step(x),)),
    Rule("wsum",    0, _fwsum,       _wsum_derivative),  # S = Σ w_i x_i - b, one node per neuron
)}
# fmt: on

ADD, MUL, POW, POWV = RULES["add"], RULES["mul"], RULES["pow"], RULES["powv"]
EXP, LOG, SIGMOID, TANH, RELU, WSUM = (
    RULES[name] for name in ("exp", "log", "sigmoid", "tanh", "relu", "wsum")
)


# --- the node -----------------------------------------------------------------


def _as_float(data: object, what: str = "Value data") -> float:
    """``data`` as a Python float, or a TypeError naming what was received."""
    if type(data) is float:
        return data
    if type(data) is not int and (isinstance(data, bool) or not isinstance(data, numbers.Real)):
        raise TypeError(
            f"{what} must be a real number such as 2, 0.5 or numpy.float64(1.0); "
            f"got {type(data).__name__}: {data!r:.60}"
        )
    try:
        return float(data)
    except OverflowError:  # an int beyond the float range
        return INF if data > 0 else -INF  # type: ignore[operator]


_data = operator.attrgetter("data")
_anomaly = 0  # > 0 inside detect_anomaly()
_VALUE_TYPES: set[type] = set()  # Value and every subclass, for wsum's fast type check


@mypyc_attr(allow_interpreted_subclasses=True)  # users may subclass Value
class Value:
    """A scalar that remembers how it was computed.

    A leaf holds a number you give it; every operation on Values returns a new
    Value whose ``op`` names the rule in :data:`RULES` and whose ``inputs`` are
    its operands in call order. ``backward()`` then fills ``grad`` with ∂L/∂node.

    >>> x = Value(2.0, "x")
    >>> y = x * x + 3 * x
    >>> y.data
    10.0
    >>> y.backward()
    >>> x.grad  # ∂y/∂x = 2x + 3
    7.0
    >>> y.op, [v.op for v in y.inputs]
    ('add', ['mul', 'mul'])
    """

    # Two input slots instead of a tuple keep a node at about 100 bytes: unary and
    # binary ops use _a and _b; an n-ary op (wsum) keeps its input tuple in _a.
    __slots__ = ("__weakref__", "_a", "_b", "_rule", "data", "grad", "label")
    # NumPy scalars on the left defer to our reflected operators; ClassVar keeps it
    # a class attribute under mypyc (a plain annotation-less one becomes a slot)
    __array_ufunc__: ClassVar[None] = None

    data: float
    grad: float
    label: str
    _rule: Rule | None
    _a: Any  # Value, tuple of Values (n-ary), or None (leaf)
    _b: Any  # Value or None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _VALUE_TYPES.add(cls)  # wsum's fast check for "all inputs are Values"

    def __init__(self, data: Real, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r:.60}")
        self.data = _as_float(data)
        self.grad = 0.0
        self.label = label
        self._rule = None
        self._a = None
        self._b = None

    @property
    def op(self) -> str:
        """The name of the rule that made this node; ``""`` for a leaf.

        >>> x = Value(2.0)
        >>> x.op, (x * x).op, (x - 1).op, x.exp().op
        ('', 'mul', 'add', 'exp')
        """
        return "" if self._rule is None else self._rule.name

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The operands in call order; a node used twice appears twice.

        >>> x = Value(2.0, "x")
        >>> [v.label for v in (x * x).inputs]
        ['x', 'x']
        >>> (3 - x).inputs  # 3 + (-x): numbers become Constants
        (Constant(data=3.0, grad=0.0), Value(data=-2.0, grad=0.0, op='mul'))
        """
        rule = self._rule
        if rule is None:
            return ()
        if rule.arity == 1:
            return (self._a,)
        if rule.arity == 2:
            return (self._a, self._b)
        return self._a  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        parts = [f"data={_short(self.data)}", f"grad={_short(self.grad)}"]
        if self._rule is not None:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    # -- arithmetic: add, mul and pow own a rule; the rest are compositions --

    def __add__(self, other: Value | Real) -> Value:
        if not isinstance(other, Value):
            other = _constant(other)
        return _node(ADD, self.data + other.data, self, other)

    def __radd__(self, other: Real) -> Value:  # other + self
        c = _constant(other)
        return _node(ADD, c.data + self.data, c, self)

    def __mul__(self, other: Value | Real) -> Value:
        if not isinstance(other, Value):
            other = _constant(other)
        return _node(MUL, self.data * other.data, self, other)

    def __rmul__(self, other: Real) -> Value:  # other * self
        c = _constant(other)
        return _node(MUL, c.data * self.data, c, self)

    def __neg__(self) -> Value:  # self * -1
        return self * -1.0

    def __sub__(self, other: Value | Real) -> Value:  # self + (-other)
        if isinstance(other, Value):
            return self + -other
        c = _constant(-_as_float(other, "operand"))
        return _node(ADD, self.data + c.data, self, c)

    def __rsub__(self, other: Real) -> Value:  # other + (-self)
        return _constant(other) + -self

    def __truediv__(self, other: Value | Real) -> Value:  # self * other ** -1
        if isinstance(other, Value):
            return self * other**-1.0
        return self * _constant(_fpow(_as_float(other, "divisor"), -1.0))

    def __rtruediv__(self, other: Real) -> Value:  # other * self ** -1
        return _constant(other) * self**-1.0

    def __pow__(self, other: Value | Real) -> Value:
        if isinstance(other, Value):  # a variable exponent has a derivative of its own
            return _node(POWV, _fpow(self.data, other.data), self, other)
        c = _constant(other)
        return _node(POW, _fpow(self.data, c.data), self, c)

    def __rpow__(self, other: Real) -> Value:  # other ** self
        return _constant(other) ** self

    # -- the unary primitives --

    def exp(self) -> Value:
        """e ** self; overflow gives inf, not an OverflowError.

        >>> Value(0.0).exp().data, Value(1000.0).exp().data
        (1.0, inf)
        """
        return _node(EXP, _fexp(self.data), self)

    def log(self) -> Value:
        """The natural log: -inf at 0, nan below 0.

        >>> Value(1.0).log().data, Value(0.0).log().data, Value(-1.0).log().data
        (0.0, -inf, nan)
        """
        return _node(LOG, _flog(self.data), self)

    def sigmoid(self) -> Value:
        """σ(self) = 1 / (1 + e^(-self)), computed without overflow.

        >>> Value(0.0).sigmoid().data, Value(-1000.0).sigmoid().data
        (0.5, 0.0)
        """
        return _node(SIGMOID, _fsigmoid(self.data), self)

    def tanh(self) -> Value:
        """The hyperbolic tangent.

        >>> Value(0.0).tanh().data, Value(1000.0).tanh().data
        (0.0, 1.0)
        """
        return _node(TANH, math.tanh(self.data), self)

    def relu(self) -> Value:
        """max(self, 0); its derivative at 0 is taken as 0.

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return _node(RELU, _frelu(self.data), self)

    # -- gradients --

    def backward(self) -> None:
        """Fill ``grad`` with ∂self/∂node for every node of the graph below self.

        Starts from ∂self/∂self = 1 and walks the nodes in reverse topological
        order with an explicit stack. Interior nodes get this call's gradient;
        leaves accumulate (``+=``), so calling twice doubles every leaf's grad.

        >>> a, b = Value(3.0, "a"), Value(4.0, "b")
        >>> c = a * b
        >>> c.backward(); c.backward()
        >>> a.grad, b.grad, c.grad
        (8.0, 6.0, 1.0)
        """
        if _anomaly:
            _gradients(self, topological_order(self), create_graph=False)  # raises first
        # Interior nodes get this call's gradient; a leaf's total for this call is
        # summed from 0 and added to its old grad at the end, so that two calls
        # give exactly twice the gradient.
        order, leaves = _walk(self)
        before = [leaf.grad for leaf in leaves]
        for leaf in leaves:
            leaf.grad = 0.0
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):  # each node's grad is complete when it comes up
            g = node.grad
            a = node._a
            b = node._b
            derivative = node._rule.derivative  # type: ignore[union-attr]
            if b is not None:  # binary: the row gives (∂out/∂a, ∂out/∂b)
                pa, pb = derivative(node.data, a.data, b.data)
                a.grad += g * pa
                b.grad += g * pb
            elif derivative is _WSUM_PERMUTES:  # the wsum row as the table has it: its
                n = len(a) >> 1  # partials are the inputs' data, permuted (see below)
                for i in range(n):  # in input order, as the generic path adds them
                    a[i].grad += g * a[n + i].data  # ∂S/∂w_i = x_i
                for i in range(n):
                    a[n + i].grad += g * a[i].data  # ∂S/∂x_i = w_i
                a[-1].grad += g * -1.0  # ∂S/∂b = -1
            elif type(a) is tuple:  # n-ary: one partial per input, in order
                partials = derivative(node.data, *map(_data, a))
                if len(partials) != len(a):
                    raise ValueError(
                        f"the {node.op} rule gave {len(partials)} partials for {len(a)} inputs"
                    )
                for x, p in zip(a, partials):  # noqa: B905 (lengths checked above; strict= is slower)
                    x.grad += g * p
            else:  # unary
                (pa,) = derivative(node.data, a.data)
                a.grad += g * pa
        for leaf, old in zip(leaves, before, strict=True):
            leaf.grad += old


_VALUE_TYPES.add(Value)


def _partials_permute_inputs(derivative: Callable[..., tuple[Any, ...]]) -> bool:
    """Whether a wsum-style row returns (x_1..x_n, w_1..w_n, -1.0) for inputs (w.., x.., b).

    ``backward`` has a fast path for exactly that: it reads x_i for ∂S/∂w_i and
    w_i for ∂S/∂x_i straight from the inputs instead of calling the row. It is
    taken only for the row this check has passed, so the table stays the one
    source: rewrite the wsum row in any other way and the check fails, and
    backward calls the row like any other; swap the row for another Rule and
    its nodes carry a derivative the fast path does not recognise.

    >>> _partials_permute_inputs(RULES["wsum"].derivative)
    True
    >>> _partials_permute_inputs(lambda out, *wxb: (*wxb[:-1], -1.0))  # w and x not swapped
    False
    """
    for n in (1, 2, 3):
        ins = [object() for _ in range(2 * n + 1)]  # opaque: any arithmetic would raise
        try:
            partials = derivative(object(), *ins)
        except Exception:  # anything but a permutation: no fast path
            return False
        expected = [*ins[n : 2 * n], *ins[:n]]
        if (
            len(partials) != 2 * n + 1
            or any(p is not e for p, e in zip(partials, expected))  # noqa: B905
            or type(partials[-1]) is not float
            or partials[-1] != -1.0
        ):
            return False
    return True


_WSUM_PERMUTES: Any = WSUM.derivative if _partials_permute_inputs(WSUM.derivative) else None


class Constant(Value):
    """A number written into an expression (the 3 in ``3 * x``): a leaf that is
    never differentiated, so higher-order gradients and anomaly checks skip it.

    >>> (Value(2.0) * 3).inputs[1]
    Constant(data=3.0, grad=0.0)
    """

    __slots__ = ()


def _short(x: float) -> str:
    text = f"{x:.4g}"
    return text if any(c in text for c in ".enai") else text + ".0"


def _node(rule: Rule, data: float, a: Any, b: Any = None) -> Value:
    out = Value(data)  # not object.__new__(Value): mypyc refuses it on its classes
    out._rule = rule
    out._a = a
    out._b = b
    if _anomaly and not math.isfinite(data):
        _check_forward(out)
    return out


def _constant(x: Real) -> Constant:
    """``Constant(x)``: the numbers written into expressions."""
    return Constant(x)


def wsum(
    weights: Iterable[Value | Real], inputs: Iterable[Value | Real], bias: Value | Real
) -> Value:
    """The weighted sum of a unit, ``S = Σ_i w_i x_i - b``, as one node.

    The bias enters with a minus sign: it is the weight on the constant input
    x_0 = -1 (the notes' convention). One n-ary node instead of 2n binary ones
    keeps the graph small; its inputs are ``(w_1..w_n, x_1..x_n, b)``.

    >>> w, x, b = [Value(0.5), Value(-1.0)], [1.0, 2.0], Value(0.25)
    >>> S = wsum(w, x, b)
    >>> S.data  # 0.5*1 - 1*2 - 0.25
    -1.75
    >>> S.backward()
    >>> [wi.grad for wi in w], b.grad
    ([1.0, 2.0], -1.0)
    """
    ws = weights if type(weights) is list or type(weights) is tuple else list(weights)
    xs = inputs if type(inputs) is list or type(inputs) is tuple else list(inputs)
    ins = (*ws, *xs, bias)
    if not _VALUE_TYPES.issuperset(map(type, ins)):  # numbers among them: make Constants
        ws = [w if isinstance(w, Value) else _constant(w) for w in ws]
        xs = [x if isinstance(x, Value) else _constant(x) for x in xs]
        ins = (*ws, *xs, bias if isinstance(bias, Value) else _constant(bias))
    if len(ws) != len(xs):
        raise ValueError(
            f"wsum needs one weight per input; got {len(ws)} weights and {len(xs)} inputs"
        )
    total = 0.0  # the row's forward, _fwsum, without building its argument list
    for w, x in zip(ws, xs):  # noqa: B905 (lengths checked above)
        total += w.data * x.data
    return _node(WSUM, total - ins[-1].data, ins)


# --- walks ----------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Every node of ``root``'s graph, each input before the nodes that use it.

    The leaves come first, in the order the walk meets them, then the interior
    nodes in post-order (see :func:`_walk`): the same order on every run.

    >>> x = Value(1.0, "x")
    >>> [v.label or v.op for v in topological_order((x * 2).exp())]
    ['x', '', 'mul', 'exp']
    """
    order, leaves = _walk(root)
    return leaves + order


def _walk(root: Value) -> tuple[list[Value], list[Value]]:
    """The interior nodes below ``root`` in post-order, and the leaves.

    The post-order is that of the recursive walk "inputs first, in call order,
    then the node", done without recursion, iterators or tuples, so depth is
    limited by memory alone. An expanded node goes back on the stack under a
    None marker, with its unseen inputs above it in reverse, and comes out when
    the marker is popped; the first unseen input is not pushed at all: the walk
    steps straight into it, as the recursion would. A leaf is taken as soon as
    it is met: it has no inputs, so it cannot change the interior order.
    """
    order: list[Value] = []
    emit = order.append
    leaves: list[Value] = []
    take = leaves.append
    seen: set[Value] = set()
    mark = seen.add
    stack: list[Any] = [root]
    push = stack.append
    pop = stack.pop
    while stack:
        node = pop()
        if node is None:  # all its inputs are done: emit the node under the marker
            emit(pop())
            continue
        if node in seen:  # reached through another path while it waited
            continue
        while True:  # expand node, then step straight into its first input
            mark(node)
            a = node._a
            if a is None:  # a leaf: the root itself, or a unary node's input stepped into
                take(node)
                break
            push(node)
            push(None)
            b = node._b
            if b is not None:  # binary
                if a._a is None and a not in seen:
                    mark(a)
                    take(a)
                if b not in seen:
                    if b._a is None:
                        mark(b)
                        take(b)
                    else:
                        push(b)
                if a in seen:
                    break
            elif type(a) is tuple:  # n-ary: leaves now, in call order; the rest stacked
                if not seen.issuperset(a):
                    for x in a:
                        if x._a is None and x not in seen:
                            mark(x)
                            take(x)
                    stack.extend([x for x in reversed(a) if x not in seen])
                break
            elif a in seen:  # unary
                break
            node = a
    return order, leaves


def _gradients(root: Value, order: list[Value], create_graph: bool) -> dict[Value, Any]:
    """∂root/∂node for every node, as floats or (create_graph) as Values.

    Reads the same table rows as ``backward`` but keeps the results in a dict,
    touching no ``.grad``. With Values in, the rows build a differentiable graph.
    """
    grads: dict[Value, Any] = {root: _constant(1.0) if create_graph else 1.0}
    for node in reversed(order):
        g = grads.get(node)
        if g is None or node._rule is None:
            continue
        ins = node.inputs
        if create_graph:
            out: Any = node
            args: list[Any] = [x.data if type(x) is Constant else x for x in ins]
        else:
            out = node.data
            args = [x.data for x in ins]
        for x, p in zip(ins, node._rule.derivative(out, *args), strict=True):
            if type(x) is Constant:
                continue
            contribution = g * p
            if _anomaly:
                _check_backward(node, x, g, contribution)
            previous = grads.get(x)
            grads[x] = contribution if previous is None else previous + contribution
    return grads


def grad(
    output: Value, inputs: Value | Iterable[Value], create_graph: bool = False
) -> tuple[Value, ...]:
    """The derivatives of ``output`` with respect to each of ``inputs``, as Values.

    No ``.grad`` is touched. With ``create_graph=True`` the results carry a graph
    of their own, so they can be differentiated again (second derivatives,
    Hessian-vector products, Newton steps). An input that ``output`` does not
    depend on gets 0.

    >>> x = Value(3.0, "x")
    >>> y = x**3
    >>> (dy,) = grad(y, [x], create_graph=True)  # 3x² = 27
    >>> (d2y,) = grad(dy, [x])                   # 6x = 18
    >>> dy.data, d2y.data, x.grad
    (27.0, 18.0, 0.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad needs a Value as output, got {type(output).__name__}")
    wrt = (inputs,) if isinstance(inputs, Value) else tuple(inputs)
    for i, x in enumerate(wrt):
        if not isinstance(x, Value):
            raise TypeError(f"grad inputs must be Values; inputs[{i}] is {type(x).__name__}")
    grads = _gradients(output, topological_order(output), create_graph)
    zero = _constant(0.0) if create_graph else 0.0
    found = [grads.get(x, zero) for x in wrt]
    return tuple(g if isinstance(g, Value) else Value(g) for g in found)


# --- anomaly mode ---------------------------------------------------------------


def _describe(values: Iterable[Value]) -> str:
    return ", ".join(f"{v.label or '?'}={v.data!r}" for v in values)


def _check_forward(out: Value) -> None:
    ins = out.inputs
    if all(math.isfinite(x.data) for x in ins):
        raise FloatingPointError(
            f"detect_anomaly: forward {out.op} turned finite inputs ({_describe(ins)}) "
            f"into {out.data!r}"
        )


def _check_backward(node: Value, x: Value, g: Any, contribution: Any) -> None:
    gv = g.data if isinstance(g, Value) else g
    cv = contribution.data if isinstance(contribution, Value) else contribution
    finite_in = math.isfinite(gv) and all(math.isfinite(v.data) for v in (node, *node.inputs))
    if finite_in and not math.isfinite(cv):
        raise FloatingPointError(
            f"detect_anomaly: backward {node.op} turned finite inputs ({_describe(node.inputs)}) "
            f"and upstream gradient {gv!r} into gradient {cv!r} for {x.label or 'an input'}"
        )


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise FloatingPointError at the first op that turns finite numbers into nan or inf.

    The error names the op, forward or backward, and its inputs' labels and values.
    Nothing is changed by the failing call: a backward checks every gradient
    before it writes any.

    >>> x = Value(0.0, "x")
    >>> with detect_anomaly():
    ...     x.log()
    Traceback (most recent call last):
    ...
    FloatingPointError: detect_anomaly: forward log turned finite inputs (x=0.0) into -inf
    """
    global _anomaly
    _anomaly += 1
    try:
        yield
    finally:
        _anomaly -= 1


# --- generic functions: Values in, Values out; numbers in, floats out ------------


def _dispatch(x: Any, method: str, on_float: Callable[[float], float]) -> Any:
    if type(x) is float:
        return on_float(x)
    if isinstance(x, Value) or (not isinstance(x, numbers.Number) and hasattr(x, method)):
        return getattr(x, method)()  # a Value, or a symbol that prints the formula
    return on_float(_as_float(x, f"{method}() argument"))


def exp(x: Any) -> Any:
    """e ** x: a Value for a Value, a float for a number; overflow gives inf.

    >>> exp(0), exp(1000.0), exp(Value(0.0))
    (1.0, inf, Value(data=1.0, grad=0.0, op='exp'))
    """
    return _dispatch(x, "exp", _fexp)


def log(x: Any) -> Any:
    """The natural log: -inf at 0, nan for negative x, no exception.

    >>> log(1.0), log(0.0), log(-1.0)
    (0.0, -inf, nan)
    """
    return _dispatch(x, "log", _flog)


def sigmoid(x: Any) -> Any:
    """σ(x) = 1 / (1 + e^(-x)), exact at both ends without overflow.

    >>> sigmoid(0.0), sigmoid(-1000.0), sigmoid(1000.0)
    (0.5, 0.0, 1.0)
    """
    return _dispatch(x, "sigmoid", _fsigmoid)


def tanh(x: Any) -> Any:
    """The hyperbolic tangent.

    >>> tanh(0.0), tanh(-1000.0)
    (0.0, -1.0)
    """
    return _dispatch(x, "tanh", math.tanh)


def relu(x: Any) -> Any:
    """max(x, 0); nan stays nan.

    >>> relu(-2.0), relu(3), relu(Value(-1.0)).data
    (0.0, 3.0, 0.0)
    """
    return _dispatch(x, "relu", _frelu)
