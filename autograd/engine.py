"""The Value node and the one backpropagation routine behind ``backward()`` and ``grad()``.

A Value records the row of :data:`autograd.ops.RULES` that made it and its
inputs in call order. :func:`topological_order` walks the graph with an
explicit stack; :func:`_backprop` reads each node's row in reverse order and
puts every ∂root/∂node in the node's scratch slot, never in ``.grad``.
``backward()`` then writes them all at the end, so it commits or changes nothing.
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, TypeVar

from . import ops
from .modes import ANOMALY, NO_GRAD, check_backward, check_forward
from .ops import RULES, Rule, as_float

_T = TypeVar("_T")

try:
    from mypy_extensions import mypyc_attr
except ImportError:  # the pure engine without mypy installed: the decorator only instructs mypyc

    def mypyc_attr(*attrs: str, **kwattrs: object) -> Callable[[_T], _T]:
        return lambda x: x


__all__ = ["Constant", "Parameter", "Value", "grad", "topological_order", "wsum"]

Real = float | numbers.Real  # int, float, numpy.float64, Fraction, ...

# One backpropagation at a time: the scratch slots of nodes that several graphs share
# (the leaves, say) are then never written by two threads at once.
_LOCK = threading.RLock()


@mypyc_attr(allow_interpreted_subclasses=True)
class Value:
    """A scalar that remembers how it was computed.

    A leaf holds a number you give it; every operation on Values returns a new
    Value whose ``op`` names its row in :data:`autograd.RULES` and whose
    ``inputs`` are its operands in call order. ``backward()`` then fills ``grad``
    with ∂L/∂node.

    Python's protocols read the number: ``< <= > >=`` compare ``data`` (so
    ``max``, ``min`` and ``sorted`` work), and ``float(v)``, ``int(v)``,
    ``round(v, 2)``, ``f"{v:.3f}"``, ``math.exp(v)`` and ``bool(v)`` (``data != 0``,
    as for a float and a one-element PyTorch tensor) take ``data``. ``==`` and
    ``hash`` are those of the object, not of its number: a Value is a node of a
    graph and a dict key (the drawings', compile's), and two nodes with equal numbers are
    still two nodes.

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

    # Two input slots instead of a tuple keep a node small: unary and binary ops
    # use _a and _b; an n-ary op (wsum) keeps its input tuple in _a.
    __slots__ = ("_a", "_b", "_data", "_g", "_gf", "_grad", "_m", "_rule", "label")
    # NumPy scalars on the left defer to our reflected operators (ClassVar: mypyc keeps it
    # on the class, where NumPy looks)
    __array_ufunc__: ClassVar[None] = None

    _data: float
    _grad: float
    # scratch slots of a walk and a backpropagation, written under _LOCK only, and
    # read only by the call whose walk marked the node (see _walk):
    _m: int  # the mark of the last walk that met this node
    _g: Any  # ∂root/∂self as a Value while a create_graph backpropagation runs; else None
    _gf: float  # ∂root/∂self as a float while a backpropagation runs
    label: str
    _rule: Rule | None
    _a: Any  # Value, tuple of Values (n-ary), or None (leaf)
    _b: Any  # Value or None

    def __init__(self, data: Real, label: object = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r:.60}")
        self._data = data if type(data) is float else as_float(data)
        self._grad = 0.0
        self._m = 0
        self._g = None
        self._gf = 0.0
        self.label = label
        self._rule = None
        self._a = None
        self._b = None

    @property
    def data(self) -> float:
        """The number; assigning anything but a real number raises TypeError at once.

        >>> x = Value(1.0)
        >>> x.data = "2"
        Traceback (most recent call last):
        ...
        TypeError: Value data must be a real number such as 2, 0.5 or ...; got str: '2'
        """
        return self._data

    @data.setter
    def data(self, value: object) -> None:
        self._data = value if type(value) is float else as_float(value)

    @property
    def grad(self) -> float:
        """∂L/∂self after ``backward()``; ``None`` may be assigned and reads back as 0.0.

        PyTorch's ``zero_grad(set_to_none=True)`` sets ``.grad = None``; here a
        gradient is always a float, so None is taken as 0.

        >>> x = Value(1.0)
        >>> x.grad = None
        >>> x.grad
        0.0
        """
        return self._grad

    @grad.setter
    def grad(self, value: object) -> None:
        if type(value) is float:
            self._grad = value
        else:
            self._grad = 0.0 if value is None else as_float(value, "Value grad")

    @property
    def op(self) -> str:
        """The name of the row that made this node; ``""`` for a leaf.

        >>> x = Value(2.0)
        >>> x.op, (x * x).op, (x / 2).op, x.exp().op
        ('', 'mul', 'div', 'exp')
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
        if self._a is None:
            return ()
        if self._b is not None:
            return (self._a, self._b)
        if type(self._a) is tuple:
            return self._a
        return (self._a,)

    # -- micrograd's names for the same things, read-only (chainrule.micrograd uses them) --

    @property
    def _prev(self) -> set[Value]:
        """micrograd's view of :attr:`inputs`: the set of this node's inputs.

        Numbers written into an expression are among them, as Constants (micrograd
        makes Values of them too). A set has no order; :attr:`inputs` keeps it.

        >>> x = Value(2.0, "x")
        >>> y = x * 3
        >>> y._prev == {x, y.inputs[1]}, sorted(v.data for v in y._prev), x._prev
        (True, [2.0, 3.0], set())
        """
        return set(self.inputs)

    @property
    def _op(self) -> str:
        """micrograd's symbol for the op that made this node; ``""`` for a leaf.

        It comes from the row (``Notation.micrograd``): ``+``, ``*``, ``/``,
        ``**2`` (the constant exponent as micrograd prints it), ``ReLU``, and the
        row's name for the others (``tanh``, ``exp``, ``sigmoid``).

        >>> x = Value(2.0)
        >>> [v._op for v in (x, x + 1, x * x, x / 3, x**2, x**-1, x**0.5, x.relu(), x.tanh())]
        ['', '+', '*', '/', '**2', '**-1', '**0.5', 'ReLU', 'tanh']
        """
        rule = self._rule
        if rule is None:
            return ""
        symbol = rule.notation.micrograd or rule.name
        if "{" not in symbol:
            return symbol
        return symbol.format(*[_micrograd_number(x._data) for x in self.inputs])

    def _backward(self) -> None:
        """This node's own step of the chain rule, as micrograd's ``_backward``.

        Adds ``∂self/∂input · self.grad`` to each input's ``grad``, the partial
        from the row on floats; an input the row gives no gradient (a partial of
        None, a Constant) gets nothing, and a leaf's ``_backward`` does nothing.
        Called on every node in reverse topological order, after setting the
        output's ``grad`` to 1, it does what ``backward()`` does, one node at a time.

        >>> x, w = Value(2.0, "x"), Value(-3.0, "w")
        >>> xw = x * w
        >>> o = xw.tanh()
        >>> o.grad = 1.0
        >>> o._backward()     # xw.grad += (1 - o²) · o.grad
        >>> xw._backward()    # x.grad += w · xw.grad; w.grad += x · xw.grad
        >>> xw.grad == 1 - o.data**2, x.grad == w.data * xw.grad, w.grad == x.data * xw.grad
        (True, True, True)
        """
        rule = self._rule
        if rule is None:
            return
        ins, partials = _partials(rule, self, False)
        g = self._grad
        for i, (x, p) in enumerate(zip(ins, partials)):  # noqa: B905 (_partials checked them)
            if type(x) is not Constant:
                x._grad += _contribution(rule, self, ins, i, g, p, False)

    def __repr__(self) -> str:
        parts = [f"data={self._data!r}", f"grad={self._grad!r}"]
        if self._rule is not None:
            parts.append(f"op={self._rule.name!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @staticmethod
    def _apply_rule(rule: Rule, args: tuple[Any, ...]) -> Value:
        """A node of ``rule`` on ``args``, numbers among them made Constants (see ops.apply)."""
        ins = _as_nodes(args)
        forward = rule.forward  # bound first: mypyc reads the field, not a method
        data = forward(*[x._data for x in ins])
        if len(ins) == 2 and rule.arity:
            return _node(rule, data, ins[0], ins[1])
        return _node(rule, data, ins[0] if rule.arity == 1 else ins, None)

    # -- arithmetic: the rows' operators (+ * / ** % // abs), and compositions --

    # --- begin generated: operators (python -m autograd._surface writes this; do not edit) ---
    def __add__(self, other: Value | Real) -> Value:
        return _binary("add", self, other)

    def __radd__(self, other: Real) -> Value:  # other + self
        return _binary("add", Constant(other), self)

    def __mul__(self, other: Value | Real) -> Value:
        return _binary("mul", self, other)

    def __rmul__(self, other: Real) -> Value:  # other * self
        return _binary("mul", Constant(other), self)

    def __truediv__(self, other: Value | Real) -> Value:
        return _binary("div", self, other)

    def __rtruediv__(self, other: Real) -> Value:  # other / self
        return _binary("div", Constant(other), self)

    def __pow__(self, other: Value | Real) -> Value:
        return _binary("powv" if isinstance(other, Value) else "pow", self, other)

    def __rpow__(self, other: Real) -> Value:  # other ** self
        return _binary("powv", Constant(other), self)

    def __abs__(self) -> Value:  # abs(self)
        return _unary("abs", self)

    def __mod__(self, other: Value | Real) -> Value:
        return _binary("mod", self, other)

    def __rmod__(self, other: Real) -> Value:  # other % self
        return _binary("mod", Constant(other), self)

    def __floordiv__(self, other: Value | Real) -> Value:
        return _binary("floordiv", self, other)

    def __rfloordiv__(self, other: Real) -> Value:  # other // self
        return _binary("floordiv", Constant(other), self)

    # --- end generated: operators ---

    def __neg__(self) -> Value:  # self * -1
        return _binary("mul", self, -1.0)

    def __sub__(self, other: Value | Real) -> Value:  # self + (-other)
        if type(other) is float or isinstance(other, Value):
            return _binary("add", self, -other)
        return _binary("add", self, -as_float(other, "operand"))

    def __rsub__(self, other: Real) -> Value:  # other + (-self)
        return _binary("add", Constant(other), -self)

    def __pos__(self) -> Value:  # +v is v itself, as +x is x for a float
        return self

    # -- the number: comparisons and conversions read data (see the class docstring) --

    def __hash__(self) -> int:  # the object's, spelt out: mypyc drops it beside __lt__
        return object.__hash__(self)

    def __lt__(self, other: Value | Real) -> bool:
        return self._data < _number_of(other)

    def __le__(self, other: Value | Real) -> bool:
        return self._data <= _number_of(other)

    def __gt__(self, other: Value | Real) -> bool:
        return self._data > _number_of(other)

    def __ge__(self, other: Value | Real) -> bool:
        return self._data >= _number_of(other)

    def __bool__(self) -> bool:
        return self._data != 0.0

    def __float__(self) -> float:
        return self._data

    def __int__(self) -> int:
        return int(self._data)

    def __round__(self, ndigits: int | None = None) -> Any:
        return round(self._data, ndigits)

    def __format__(self, spec: str) -> str:
        return format(self._data, spec) if spec else str(self)

    def item(self) -> float:
        """The number, as PyTorch's ``tensor.item()``: ``v.item() == v.data``.

        >>> Value(0.5).item(), f"{Value(2 / 3):.3f}", sorted([Value(2.0), Value(1.0)])
        (0.5, '0.667', [Value(data=1.0, grad=0.0), Value(data=2.0, grad=0.0)])
        """
        return self._data

    def detach(self) -> Value:
        """A new leaf with the same number and label, outside every graph.

        >>> x = Value(3.0, "x")
        >>> y = (x * x).detach()
        >>> y.data, y.op, y.inputs
        (9.0, '', ())
        """
        return Value(self._data, self.label)

    def __reduce__(self) -> tuple[Any, ...]:
        # pickle and deepcopy. A leaf is its fields. A computed node is its whole graph,
        # flat and in topological order, each node's inputs given by position: loading
        # it needs no recursion, however deep the graph. Rules pickle by name (ops.Rule).
        if self._rule is None:
            return (_rebuild, (type(self), self._data, self._grad, self.label, None, None, None))
        return (_rebuild_graph, (_flat_graph(self),))

    # -- the rows written as calls: log and clamp by hand, the others from their rows --

    def log(self, base: Real | None = None) -> Value:
        """The natural log (or to ``base``): -inf at 0, nan below 0.

        >>> Value(1.0).log().data, Value(0.0).log().data, Value(8.0).log(2).data
        (0.0, -inf, 3.0)
        """
        return _unary("log", self) if base is None else ops.log(self, base)

    def clamp(self, lo: Real | None = None, hi: Real | None = None) -> Value:
        """self limited to [lo, hi], numbers (:func:`autograd.ops.clamp`).

        >>> Value(2.0).clamp(0, 1).data, Value(-5.0).clamp(hi=-1).data
        (1.0, -5.0)
        """
        return ops.clamp(self, lo, hi)  # type: ignore[no-any-return]

    # --- begin generated: methods (python -m autograd._surface writes this; do not edit) ---
    def exp(self) -> Value:
        """``autograd.exp(self)``: e ** x; overflow gives inf."""
        return _unary("exp", self)

    def sqrt(self) -> Value:
        """``autograd.sqrt(self)``: The square root; nan below 0."""
        return _unary("sqrt", self)

    def abs(self) -> Value:
        """``autograd.abs(self)``: |x|; its derivative is sign(x), 0 at 0."""
        return _unary("abs", self)

    def sin(self) -> Value:
        """``autograd.sin(self)``: The sine; nan for ±inf."""
        return _unary("sin", self)

    def cos(self) -> Value:
        """``autograd.cos(self)``: The cosine; nan for ±inf."""
        return _unary("cos", self)

    def sigmoid(self) -> Value:
        """``autograd.sigmoid(self)``: σ(x) = 1 / (1 + e^(-x)), exact at both ends without
        overflow."""
        return _unary("sigmoid", self)

    def tanh(self) -> Value:
        """``autograd.tanh(self)``: The hyperbolic tangent."""
        return _unary("tanh", self)

    def relu(self) -> Value:
        """``autograd.relu(self)``: max(x, 0); its derivative at 0 is taken as 0; nan stays nan."""
        return _unary("relu", self)

    def sign(self) -> Value:
        """``autograd.sign(self)``: -1, 0 or 1 (nan for nan): abs's derivative; its own derivative
        is 0."""
        return _unary("sign", self)

    def tan(self) -> Value:
        """``autograd.tan(self)``: The tangent; nan for ±inf."""
        return _unary("tan", self)

    def asin(self) -> Value:
        """``autograd.asin(self)``: The arcsine; nan outside [-1, 1]."""
        return _unary("asin", self)

    def acos(self) -> Value:
        """``autograd.acos(self)``: The arccosine; nan outside [-1, 1]."""
        return _unary("acos", self)

    def atan(self) -> Value:
        """``autograd.atan(self)``: The arctangent; ±π/2 at ±inf."""
        return _unary("atan", self)

    def atan2(self, x: Value | Real) -> Value:
        """``autograd.atan2(self, x)``: The angle of the point (x, y), in [-π, π] (``math.atan2``'s
        argument order)."""
        return _binary("atan2", self, x)

    def sinh(self) -> Value:
        """``autograd.sinh(self)``: The hyperbolic sine; overflow gives ±inf."""
        return _unary("sinh", self)

    def cosh(self) -> Value:
        """``autograd.cosh(self)``: The hyperbolic cosine; overflow gives inf."""
        return _unary("cosh", self)

    def log1p(self) -> Value:
        """``autograd.log1p(self)``: log(1 + x), exact for tiny x; -inf at -1, nan below."""
        return _unary("log1p", self)

    def expm1(self) -> Value:
        """``autograd.expm1(self)``: e ** x - 1, exact for tiny x; overflow gives inf."""
        return _unary("expm1", self)

    def log2(self) -> Value:
        """``autograd.log2(self)``: The log to base 2: -inf at 0, nan below."""
        return _unary("log2", self)

    def log10(self) -> Value:
        """``autograd.log10(self)``: The log to base 10: -inf at 0, nan below."""
        return _unary("log10", self)

    def softplus(self) -> Value:
        """``autograd.softplus(self)``: log(1 + e^x), without overflow for large x and exact for
        very negative x."""
        return _unary("softplus", self)

    def maximum(self, y: Value | Real) -> Value:
        """``autograd.maximum(self, y)``: The larger of x and y; nan if either is nan. At a tie each
        gets half the gradient."""
        return _binary("maximum", self, y)

    def minimum(self, y: Value | Real) -> Value:
        """``autograd.minimum(self, y)``: The smaller of x and y; nan if either is nan. At a tie
        each gets half the gradient."""
        return _binary("minimum", self, y)

    def mod(self, y: Value | Real) -> Value:
        """``autograd.mod(self, y)``: x % y with the sign of y (``torch.remainder``); nan for a zero
        y or an infinite x."""
        return _binary("mod", self, y)

    def floordiv(self, y: Value | Real) -> Value:
        """``autograd.floordiv(self, y)``: x // y, rounded down; a zero y gives x / y's ±inf or nan.
        Its derivative is 0."""
        return _binary("floordiv", self, y)

    def exp2(self) -> Value:
        """``autograd.exp2(self)``: 2 ** x, exact at integers; overflow gives inf."""
        return _unary("exp2", self)

    def asinh(self) -> Value:
        """``autograd.asinh(self)``: The inverse hyperbolic sine; ±inf at ±inf."""
        return _unary("asinh", self)

    def acosh(self) -> Value:
        """``autograd.acosh(self)``: The inverse hyperbolic cosine; nan below 1; its derivative is
        inf at 1."""
        return _unary("acosh", self)

    def atanh(self) -> Value:
        """``autograd.atanh(self)``: The inverse hyperbolic tangent; ±inf at ±1, nan outside [-1,
        1]."""
        return _unary("atanh", self)

    def reciprocal(self) -> Value:
        """``autograd.reciprocal(self)``: 1 / x, one node (PyTorch's ``reciprocal``): ±inf at ±0."""
        return _unary("reciprocal", self)

    def deg2rad(self) -> Value:
        """``autograd.deg2rad(self)``: Degrees to radians: x · π/180."""
        return _unary("deg2rad", self)

    def rad2deg(self) -> Value:
        """``autograd.rad2deg(self)``: Radians to degrees: x · 180/π."""
        return _unary("rad2deg", self)

    def sinc(self) -> Value:
        """``autograd.sinc(self)``: The normalised sinc, sin(πx) / (πx), 1 at 0 (PyTorch's
        ``sinc``)."""
        return _unary("sinc", self)

    # --- end generated: methods ---

    # -- gradients --

    def backward(self) -> None:
        """Fill ``grad`` with ∂self/∂node for every node of the graph below self.

        Interior nodes get this call's gradient; leaves accumulate (``+=``), so
        calling twice doubles every leaf's grad. The gradients are computed
        aside and written at the end, and an exception while writing puts back
        what was written: an exception (an anomaly, Ctrl-C) leaves every
        ``.grad`` as it was.

        >>> a, b = Value(3.0, "a"), Value(4.0, "b")
        >>> c = a * b
        >>> c.backward(); c.backward()
        >>> a.grad, b.grad, c.grad
        (8.0, 6.0, 1.0)
        """
        with _LOCK:
            order, _ = _walk(self, Constant)
            _backprop(self, order, False)
            _commit(order)


@mypyc_attr(allow_interpreted_subclasses=True)
class Constant(Value):
    """A number written into an expression (the 3 in ``3 * x``): a leaf that is
    never differentiated, so gradients, higher-order ones and anomaly checks skip it.

    >>> (Value(2.0) * 3).inputs[1]
    Constant(data=3.0, grad=0.0)
    """

    __slots__ = ()


@mypyc_attr(allow_interpreted_subclasses=True)
class Parameter(Value):
    """A leaf a model learns: a weight or a bias.

    It is a Value in every way; the class only says the leaf's role, so the
    drawings can tell a model's parameters from its inputs and from plain
    variables. :class:`nn.Neuron` makes its weights and biases Parameters.

    >>> w = Parameter(0.5, "w")
    >>> y = w * 4.0
    >>> y.backward()
    >>> w.grad, isinstance(w, Value), w
    (4.0, True, Parameter(data=0.5, grad=4.0, label='w'))
    """

    __slots__ = ()


def _node(rule: Rule, data: float, a: Any, b: Any) -> Value:
    out = Value(data)
    if NO_GRAD.get():
        return out  # no graph: a leaf holding the number
    out._rule = rule
    out._a = a
    out._b = b
    if not math.isfinite(data) and ANOMALY.get():
        check_forward(out)
    return out


def _as_nodes(args: tuple[Any, ...]) -> tuple[Value, ...]:
    """``args`` with every number made a Constant: the tuple itself when all are Values."""
    for x in args:
        if not isinstance(x, Value):
            return tuple([x if isinstance(x, Value) else Constant(x) for x in args])
    return args


def _number_of(x: Value | Real) -> float:
    """A Value's number, or a real number as a float (a comparison's operand, a partial)."""
    return x._data if isinstance(x, Value) else as_float(x, "comparison operand")


def _micrograd_number(x: float) -> str:
    """A number as micrograd prints an exponent: ``2`` for 2.0, ``0.5``, ``-1``."""
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _rebuild(
    cls: type[Value], data: float, grad: float, label: str, rule: Rule | None, a: Any, b: Any
) -> Value:
    """A node from the fields that ``Value.__reduce__`` gives (pickle, deepcopy)."""
    node = cls(data, label=label)  # by name: a subclass may take more arguments before it
    node._grad = grad
    node._rule, node._a, node._b = rule, a, b
    return node


def _flat_graph(root: Value) -> list[Any]:
    """``root``'s graph for pickling: its leaves as they are (pickled by the memo, so
    shared with the rest of a pickle), every other node as its fields with the
    positions of its inputs in this list."""
    order = topological_order(root)
    at = {id(node): i for i, node in enumerate(order)}
    rows: list[Any] = []
    for node in order:
        a, b = node._a, node._b
        if a is None:
            rows.append(node)
            continue
        a_at = tuple([at[id(x)] for x in a]) if type(a) is tuple else at[id(a)]
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


def _unary(name: str, x: Value) -> Value:
    rule = RULES[name]
    return _node(rule, rule.forward(x._data), x, None)


def _binary(name: str, x: Value, y: Value | Real) -> Value:
    rule = RULES[name]
    other = y if isinstance(y, Value) else Constant(y)
    return _node(rule, rule.forward(x._data, other._data), x, other)


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
    ws, xs = tuple(weights), tuple(inputs)
    if len(ws) != len(xs):
        raise ValueError(
            f"wsum needs one weight per input; got {len(ws)} weights and {len(xs)} inputs"
        )
    return Value._apply_rule(RULES["wsum"], (*ws, *xs, bias))


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
    elif type(a) is tuple:
        _push_each(stack, a, skip, opened)
    elif type(a) is not skip and a._m < opened:
        stack.append(a)


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

    A unary or binary row's partials are unpacked, not looped over, and wsum's
    are read from its inputs: in pure Python a loop over two inputs costs more
    than the adds it makes. Whatever the fast paths do not take (a partial of
    None, a masking row's 0, a quotient's overflow, a wrong count, an n-ary row) goes to
    :func:`_pass_each`.
    """
    for node in reversed(order):
        rule = node._rule
        if rule is None:
            continue
        if node._b is not None:
            _pass_binary(node, rule)
        elif type(node._a) is not tuple:
            _pass_unary(node, rule)
        elif rule.derivative is ops._wsum_derivative:
            _pass_wsum(node)
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
        if type(p) is float and not (rule.masks and p == 0.0):
            pf: float = p
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
    if len(partials) == 2 and not rule.masks:
        pa, pb = partials
        if type(pa) is float and type(pb) is float:
            pfa: float = pa
            pfb: float = pb
            if (pfa - pfa == 0.0 and pfb - pfb == 0.0) or rule.quotient is None:
                g = node._gf
                a._gf += g * pfa
                b._gf += g * pfb  # a Constant's slot takes it too, never read
                return
    _check_count(rule, partials, (a, b))
    _pass_each(node, (a, b), partials, rule, False, False)


def _pass_wsum(node: Value) -> None:
    """The wsum row's partials, read from its inputs instead of built: ∂S/∂w_i is
    x_i, ∂S/∂x_i is w_i and ∂S/∂b is -1, added in input order (a test checks the bits).
    Index loops: in pure Python they beat slicing and zip."""
    g = node._gf
    ins: tuple[Value, ...] = node._a
    n = len(ins) // 2
    for i in range(n):
        ins[i]._gf += g * ins[n + i]._data
    for i in range(n):
        ins[n + i]._gf += g * ins[i]._data
    ins[-1]._gf += g * -1.0


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
    """``g · p`` for the row's partial p of input i, but exactly 0 for a partial of None or a
    masking row's 0, whatever g is: inf and nan stop there, as PyTorch's ``where`` stops them."""
    if p is None or (rule.masks and _number_of(p) == 0.0):
        return 0.0
    return _times(rule, node, ins, i, g, p if create_graph else _number_of(p), create_graph)


def _times(
    rule: Rule, node: Value, ins: tuple[Value, ...], i: int, g: Any, p: Any, create_graph: bool
) -> Any:
    """``g · p``, p being the row's partial for input i; but where p alone is ±inf or nan
    and the row gives it as a quotient n / d (``Rule.quotient``), ``(g · n) / d``, as
    PyTorch forms g / x: log's 1/x overflows at a subnormal x where g / x need not.

    Backward, ``grad`` (create_graph too), forward mode and micrograd's ``_backward``
    apply partials through here; ``g`` is a gradient or a tangent."""
    quotient = rule.quotient
    if quotient is not None and not math.isfinite(_number_of(p)):
        if create_graph:  # the parts are nodes of the gradient's graph, as the partial is
            args = [node, *[x._data if type(x) is Constant else x for x in ins]]
        else:
            args = [node._data, *[x._data for x in ins]]
        parts = quotient(*args)[i]
        if parts is not None:
            n, d = parts
            return ops.div(g * n, d)
    return g * p


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
        ins = a
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
