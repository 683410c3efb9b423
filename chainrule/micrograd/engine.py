"""micrograd's ``micrograd.engine``: a ``Value`` that takes micrograd's constructor.

``Value(data, _children=(), _op='', label='')`` makes a leaf (``label`` is the
one the video's version adds). Everything computed from it is an ordinary
:class:`autograd.Value`, with micrograd's read-only views ``_prev`` (the set of
inputs), ``_op`` (micrograd's symbol) and ``_backward()`` (the node's own step
of the chain rule), so the video's manual backpropagation runs as it is:

>>> from chainrule.micrograd.engine import Value
>>> a = Value(2.0, label="a")
>>> b = Value(-3.0, label="b")
>>> e = a * b; e.label = "e"
>>> L = (e + 10.0).tanh(); L.label = "L"
>>> L._op, sorted(v.label or str(v.data) for v in L._prev)
('tanh', ['4.0'])
>>> L.grad = 1.0
>>> for node in (L, *L._prev, e):  # by hand, from the output back
...     node._backward()
>>> a.grad == b.data * (1 - L.data**2), b.grad == a.data * (1 - L.data**2)
(True, True)
"""

from __future__ import annotations

from collections.abc import Collection

import autograd

__all__ = ["Value"]


class Value(autograd.Value):
    """A leaf made as micrograd makes one: ``Value(data, _children=(), _op='', label='')``.

    chainrule builds a node only through an operation (``a + b``, ``a * b``,
    ``a.tanh()``, ...), whose row in :data:`autograd.RULES` holds the forward
    function and the derivative that ``backward()`` reads; so ``_children`` and
    ``_op`` must stay empty here. A new op is a row: :func:`autograd.register`.

    >>> x = Value(3.0, label="x")
    >>> y = x**2 + 1
    >>> y.backward()
    >>> y.data, x.grad, y._op, type(y).__name__
    (10.0, 6.0, '+', 'Value')
    >>> Value(1.0, (x, y), "+")
    Traceback (most recent call last):
    ...
    TypeError: Value(data, _children, _op) makes leaves only in chainrule.micrograd, got
    _children=(Value(data=3.0, ...), ...) and _op='+'. chainrule builds each node through an
    operation ... to add an op, register its row: autograd.register(autograd.Rule(...)).
    """

    __slots__ = ()

    def __init__(
        self, data: float, _children: Collection[object] = (), _op: str = "", label: str = ""
    ) -> None:
        if _children or _op:
            raise TypeError(
                "Value(data, _children, _op) makes leaves only in chainrule.micrograd, got "
                f"_children={tuple(_children)!r:.200} and _op={_op!r:.40}. chainrule builds each "
                "node through an operation (a + b, a * b, a.tanh(), ...) from its row in "
                "autograd.RULES, which holds the derivative backward() uses; to add an op, "
                "register its row: autograd.register(autograd.Rule(name, arity, forward, "
                "derivative, notation))."
            )
        super().__init__(data, label)
