"""The Value node: a number, the row of :data:`autograd.RULES` that made it, and its inputs.

Its operators and its method for each op come from the rows (:class:`autograd.methods.Methods`,
which it extends); ``backward()`` and pickling are :mod:`autograd.engine`'s, which
walks the graph. A :class:`Constant` and a :class:`Parameter` are Values with a role.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, ClassVar

from . import functions
from .ieee import _fwsum
from .methods import Methods, Real, mypyc_attr
from .modes import ANOMALY, NO_GRAD, check_forward
from .ops import RULES, Rule, as_float

__all__ = ["Constant", "Parameter", "Real", "Value", "wsum"]


@mypyc_attr(allow_interpreted_subclasses=True)
class Value(Methods):
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
    # use _a and _b; an n-ary op keeps its input tuple in _a. A wsum node made by the
    # built-in row keeps (weights, inputs, bias) in _a, each tuple as it was given: a
    # layer's units share one tuple of inputs and a unit's steps one of weights, so a
    # 16-16 layer's node holds 3 references, not 33 (see wsum).
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
    _a: Any  # Value, tuple of Values (n-ary), (weights, inputs, bias) (wsum), or None (leaf)
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
            return _flat(self._a)
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
        from . import engine  # which imports this module: imported when called

        engine._step(self)

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

    # -- the nodes that the operators and methods of Methods ask for --

    def _unary(self, name: str) -> Value:
        rule = RULES[name]
        return _node(rule, rule.forward(self._data), self, None)

    def _binary(self, name: str, other: Value | Real) -> Value:
        rule = RULES[name]
        y = other if isinstance(other, Value) else Constant(other)
        return _node(rule, rule.forward(self._data, y._data), self, y)

    def _rbinary(self, name: str, other: Real) -> Value:  # other first: a reflected operator
        rule = RULES[name]
        x = Constant(other)
        return _node(rule, rule.forward(x._data, self._data), x, self)

    def _nary(self, name: str, args: tuple[Any, ...]) -> Value:
        return Value._apply_rule(RULES[name], args)

    # -- compositions of the rows' operators (+ * / ** % // abs: Methods) --

    def __neg__(self) -> Value:  # self * -1
        return self._binary("mul", -1.0)

    def __sub__(self, other: Value | Real) -> Value:  # self + (-other)
        if type(other) is float or isinstance(other, Value):
            return self._binary("add", -other)
        return self._binary("add", -as_float(other, "operand"))

    def __rsub__(self, other: Real) -> Value:  # other + (-self)
        return (-self)._rbinary("add", other)

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

    def __reduce__(self) -> tuple[Any, ...]:  # pickle and deepcopy: engine._reduce
        from . import engine  # which imports this module: imported when called

        return engine._reduce(self)

    # -- the rows written as calls: log and clamp by hand, the others from their rows --

    def log(self, base: Real | None = None) -> Value:
        """The natural log (or to ``base``): -inf at 0, nan below 0.

        >>> Value(1.0).log().data, Value(0.0).log().data, Value(8.0).log(2).data
        (0.0, -inf, 3.0)
        """
        return self._unary("log") if base is None else functions.log(self, base)

    def clamp(self, lo: Real | None = None, hi: Real | None = None) -> Value:
        """self limited to [lo, hi], numbers (:func:`autograd.clamp`).

        >>> Value(2.0).clamp(0, 1).data, Value(-5.0).clamp(hi=-1).data
        (1.0, -5.0)
        """
        return functions.clamp(self, lo, hi)  # type: ignore[no-any-return]

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
        from . import engine  # which imports this module: imported when called

        engine._backward(self)


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
    # tuples are kept as they are, not copied: nn's units pass their weights and a
    # layer's inputs as tuples, which every node of a layer, and of every step, shares
    ws = _as_nodes(weights if type(weights) is tuple else tuple(weights))
    xs = _as_nodes(inputs if type(inputs) is tuple else tuple(inputs))
    if len(ws) != len(xs):
        raise ValueError(
            f"wsum needs one weight per input; got {len(ws)} weights and {len(xs)} inputs"
        )
    b = bias if isinstance(bias, Value) else Constant(bias)
    rule = RULES["wsum"]
    if rule.forward is not _fwsum:  # a row of the user's own: its forward as it is
        return Value._apply_rule(rule, (*ws, *xs, b))
    # the row's forward, on the nodes' numbers without boxing each (tests check: bit for bit;
    # the native build's W1 step takes 14 % longer through the row's forward)
    total = ws[0]._data * xs[0]._data if ws else 0.0
    for i in range(1, len(ws)):
        total += ws[i]._data * xs[i]._data
    return _node(rule, total - b._data, (ws, xs, b), None)


def _flat(a: tuple[Any, ...]) -> tuple[Value, ...]:
    """An n-ary node's inputs from its ``_a``: the tuple itself, or a wsum node's
    ``(weights, inputs, bias)`` as ``(w_1..w_n, x_1..x_n, b)``."""
    if a and type(a[0]) is tuple:
        ws, xs, b = a
        return (*ws, *xs, b)
    return a
