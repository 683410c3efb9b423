"""A row of the op registry (:class:`Rule`, :class:`Notation`), the registry itself and its use.

:data:`RULES` maps each primitive's name to its row; :mod:`autograd.ops` fills it
with the built-in rows, and :func:`register` adds one of your own. :func:`apply`
runs a row on numbers (a float) or on Values and symbols (a node). Standard
library only.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .ieee import INF, _fdiv

__all__ = [
    "ATOM",
    "POWER",
    "PRODUCT",
    "RULES",
    "SUM",
    "UNARY",
    "Notation",
    "Rule",
    "apply",
    "as_float",
    "register",
    "registered",
]

# Binding strength of printed forms, loosest first: an operand that binds more
# loosely than its place needs parentheses.
SUM, PRODUCT, UNARY, POWER, ATOM = range(1, 6)


def as_float(x: object, what: str = "Value data") -> float:
    """``x`` as a Python float, or a TypeError that names what was received.

    Accepts every real number (int, float, ``numpy.float64``, ``Fraction``);
    refuses bool, complex, str and the rest. An int beyond the float range is ±inf.

    >>> as_float(3), as_float(10**400)
    (3.0, inf)
    >>> as_float(True)
    Traceback (most recent call last):
    ...
    TypeError: Value data must be a real number such as 2, 0.5 or numpy.float64(1.0); got bool: True
    """
    if type(x) is float:
        return x
    if type(x) is not int and (isinstance(x, bool) or not isinstance(x, numbers.Real)):
        raise TypeError(
            f"{what} must be a real number such as 2, 0.5 or numpy.float64(1.0); "
            f"got {type(x).__name__}: {x!r:.60}"
        )
    try:
        return float(x)
    except OverflowError:  # an int beyond the float range
        return INF if x > 0 else -INF  # type: ignore[operator]


# --- how a row prints ------------------------------------------------------------


@dataclass(frozen=True)
class Notation:
    """How an op prints: ``kind`` is "infix", "prefix" or "call".

    ``symbol`` is the plain-text form (``+``, ``·``, ``σ``), ``html`` and ``latex``
    the same for those targets where they differ, ``precedence`` its binding
    strength (:data:`SUM` ... :data:`ATOM`). ``python`` is the Python operator
    that computes it with the same IEEE result on floats, or "" when compiled code
    must call the row's forward function by name (``/`` raises on a zero divisor;
    the row's ``div`` gives inf). ``micrograd`` is the node's ``_op`` as micrograd
    writes it (``+``, ``*``, ``ReLU``); ``{1}`` in it stands for the second input's
    number (``**{1}`` gives ``**2``); "" means the row's name.

    >>> RULES["mul"].notation.symbol, RULES["sigmoid"].notation.latex
    ('·', '\\\\sigma')
    >>> RULES["mul"].notation.micrograd, RULES["pow"].notation.micrograd
    ('*', '**{1}')
    """

    kind: str
    symbol: str
    precedence: int = ATOM
    python: str = ""
    html: str = ""
    latex: str = ""
    micrograd: str = ""

    @classmethod
    def call(cls, name: str, latex: str = "", micrograd: str = "") -> Notation:
        """A function written ``name(x)``: ``exp(x)``, ``softplus(x)``."""
        latex = latex or rf"\operatorname{{{name}}}"
        return cls("call", name, ATOM, latex=latex, micrograd=micrograd)


# --- the rows --------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One primitive: forward on floats and arrays, local partials, notation.

    - ``forward(*floats) -> float``: IEEE, never raises.
    - ``derivative(out, *inputs) -> partials``: ∂out/∂input for each input, in
      order, written with ``+ - *`` and this module's generic functions so that
      it runs on floats, Values and symbols alike. A partial of ``None`` means
      "no gradient flows here" (a constant exponent, say): the input gets
      exactly 0, whatever the upstream gradient.
    - ``masks``: a partial that comes out exactly 0 blocks the upstream
      gradient, inf and nan included (relu below 0, as PyTorch's ``where``).
    - ``array(xp, *arrays)``: the forward on arrays of the namespace ``xp``
      (NumPy, ...), for batched compiled code; None runs ``forward`` per element.
    - ``expand(*inputs)``: an n-ary op written with other rows, the same IEEE
      result (``wsum``'s Σ w x − b), for printing and compiled code.
    - ``arity``: 1, 2, 3, or 0 for any number of inputs.
    - ``quotient(out, *inputs) -> parts``: for a row whose partial is a quotient
      that can overflow on its own (log's 1/x at a subnormal x), each partial's
      ``(numerator, denominator)`` (None where it is not one). Where such a partial
      comes out ±inf or nan, backward, ``grad`` and forward mode form
      ``(g · numerator) / denominator`` instead of ``g · partial``, as PyTorch
      forms g / x: x · log(x) at x = 1e-310 then has the finite derivative −712.8.

    What the row offers beyond the registry is derived from these fields (see
    :mod:`autograd._surface`, which writes the typed functions and methods):

    - ``doc``: the docstring of its function in this module, with examples.
    - ``helper``: a row that other rows' partials use (relu's ``step``, pow's
      ``powlog``): it keeps its function here, but gets no ``Value`` method, no name in
      ``autograd`` and no place in the expression parser or ``chainrule grad``.
    - ``operator``: the Python operator that applies it to Values and Formulas (``+``,
      ``*``, ``/``, ``**``, ``%``, ``//``, or ``abs`` for ``abs(v)``), or "".
    - ``params``: the names of its inputs in its function and method; ``()`` for
      x, y, z in that order.
    - ``varying``: for a row whose second input is a number (pow's constant exponent),
      the row that takes over when that input is a Value or a symbol (``powv``): in
      ``x ** y``, ``2 ** x`` and ``autograd.pow(x, y)``.

    >>> RULES["sigmoid"].derivative(0.5, 0.0)
    (0.25,)
    >>> RULES["atan2"].inputs, RULES["step"].helper, RULES["pow"].varying
    (('y', 'x'), True, 'powv')
    """

    name: str
    arity: int
    forward: Callable[..., float]
    derivative: Callable[..., tuple[Any, ...]]
    notation: Notation
    array: Callable[..., Any] | None = None
    masks: bool = False
    expand: Callable[..., Any] | None = field(default=None, compare=False)
    quotient: Callable[..., tuple[Any, ...]] | None = field(default=None, compare=False)
    doc: str = field(default="", compare=False)
    helper: bool = False
    operator: str = ""
    params: tuple[str, ...] = ()
    varying: str = ""

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names of the row's inputs: ``params``, or x, y, z (n-ary: none)."""
        return self.params or ("x", "y", "z")[: self.arity]

    def __reduce__(self) -> tuple[Any, ...]:
        # pickled by name: a graph holds rows, and a row's functions are lambdas
        return (registered, (self.name,))


RULES: dict[str, Rule] = {}
"""Every primitive by name. Swapping a row changes every consumer at once."""


def _ftimes(g: float, p: float, n: float, d: float) -> float:
    return g * p if p - p == 0.0 else _fdiv(g * n, d)


TIMES = Rule(
    "times_or_quotient",
    4,
    _ftimes,
    lambda out, g, p, n, d: (p, g, None, None),  # where p is finite
    Notation.call("times_or_quotient"),
    helper=True,
)
"""``g · p``, or ``(g · n) / d`` where the partial p alone is ±inf or nan and its row
gives it as the quotient n / d (``Rule.quotient``): what :func:`autograd.engine.chain`
writes into a program, where p is not known yet. A row of the programs only, not of
:data:`RULES`."""


def registered(name: str) -> Rule:
    """The row named ``name``: what a pickled Rule (and so a pickled graph) loads as.

    >>> registered("exp") is RULES["exp"]
    True
    """
    rule = RULES.get(name)
    if rule is None:
        raise KeyError(
            f"no op {name!r} in autograd.RULES; register its Rule before loading a graph "
            "that uses it"
        )
    return rule


def apply(name: str, *args: Any) -> Any:
    """Run the row ``name`` on its arguments: floats for numbers, a node for Values.

    A Value (or a symbol of :mod:`autograd.formula`) among the arguments builds a
    node through its type's ``_apply_rule``; plain numbers give a float.

    >>> apply("div", 1.0, 0.0), apply("sqrt", 4)
    (inf, 2.0)
    """
    rule = RULES[name]
    forward = rule.forward  # bound first: mypyc reads the field, not a method
    for a in args:
        if type(a) is not float:
            break
    else:  # floats alone, the common case inside a row's partials
        return forward(*args)
    floats: list[float] = []
    for a in args:
        if type(a) is float:
            floats.append(a)
            continue
        make = getattr(type(a), "_apply_rule", None)
        if make is not None:
            return make(rule, args)
        floats.append(as_float(a, f"{name}() argument"))
    return forward(*floats)


def register(rule: object) -> Callable[..., Any]:
    """Add ``rule`` to :data:`RULES` and return its generic function.

    The function runs the row on floats and on Values; ``backward``, ``grad``,
    ``gradcheck``, ``compile``, the formulas and the drawings read the row.

    >>> from autograd import Value
    >>> cube = register(Rule(
    ...     "cube", 1,
    ...     forward=lambda x: x * x * x,
    ...     derivative=lambda out, x: (3.0 * x * x,),
    ...     notation=Notation.call("cube"),
    ... ))
    >>> x = Value(2.0)
    >>> y = cube(x)
    >>> y.backward()
    >>> y.data, x.grad, cube(3)
    (8.0, 12.0, 27.0)
    >>> del RULES["cube"]
    """
    if not isinstance(rule, Rule):
        raise TypeError(f"register needs a Rule, got {type(rule).__name__}")
    if not rule.name.isidentifier():
        raise ValueError(f"a rule's name must be an identifier, got {rule.name!r}")
    if rule.arity not in (0, 1, 2, 3):
        raise ValueError(f"a rule's arity must be 0 (n-ary), 1, 2 or 3, got {rule.arity!r}")
    RULES[rule.name] = rule
    name = rule.name

    def function(*args: Any) -> Any:
        return apply(name, *args)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        inspect.cleandoc(rule.doc)
        if rule.doc
        else f"The {name} op on floats or Values (a row of autograd.RULES)."
    )
    return function
