"""Hypothesis strategies for the property suite: floats, random expression graphs, random MLPs."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from autograd import RULES, Value, wsum
from autograd.ops import apply
from nn import ACTIVATIONS, MLP

__all__ = [
    "BINARY_OPS",
    "CONSTANT_OPS",
    "OPS",
    "PIECES",
    "ROWS",
    "UNARY_OPS",
    "Graph",
    "Network",
    "Step",
    "finite_floats",
    "graphs",
    "networks",
    "tame_step",
    "wide_floats",
]


def finite_floats(low: float | None = None, high: float | None = None) -> st.SearchStrategy[float]:
    """Finite floats in ``[low, high]`` (the whole finite range when unbounded)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def wide_floats(moderate: float = 40.0) -> st.SearchStrategy[float]:
    """Every float but nan, ±inf included, leaning to moderate ones.

    The full range alone mostly yields huge or tiny magnitudes, where σ and tanh
    are saturated; half the draws come from ``[-moderate, moderate]`` instead,
    where their derivatives are large.
    """
    return st.one_of(finite_floats(-moderate, moderate), st.floats(allow_nan=False))


# --- random expression graphs ---------------------------------------------------
#
# A graph is a straight-line program over numbered nodes: the leaves come first,
# each step applies one op to earlier nodes, and the last node is the output.
# Operands are drawn with replacement, so steps share subexpressions and use a
# node more than once (``x * x``, a wsum that takes the same node as weight and
# input). The same program runs on Values (the engine) and on plain floats with
# ``math`` (the reference), so nothing in the reference goes through the engine.

UNARY_OPS = ("neg", "exp", "log", "sigmoid", "tanh", "relu")
BINARY_OPS = ("add", "sub", "mul", "div", "powv")
CONSTANT_OPS = ("pow", "radd", "rsub", "rmul", "rdiv", "rpow", "subc", "divc")
OPS = (*UNARY_OPS, *BINARY_OPS, *CONSTANT_OPS, "wsum")
"""Every op a graph step can apply: each primitive of the derivative table, each
composition (neg, sub, div), and each operator with a number on either side."""
ROWS = tuple(
    name
    for name, rule in RULES.items()
    if rule.arity in (1, 2) and not rule.helper and not rule.varying
)
"""Every public row of the registry whose inputs are all Values, read from it at import
(a new row is drawn without a line here): ``graphs(ops=ROWS)``. Such a step runs the
row on Values and its float forward on numbers; it records no branches, so these
graphs are for properties that hold at any input (not for finite differences)."""

_SYMBOL = {"add": "+", "sub": "-", "mul": "*", "div": "/", "powv": "**"}
_CONSTANT_FORM = {
    "pow": "{a} ** {c}",
    "radd": "{c} + {a}",
    "rsub": "{c} - {a}",
    "rmul": "{c} * {a}",
    "rdiv": "{c} / {a}",
    "rpow": "{c} ** {a}",
    "subc": "{a} - {c}",
    "divc": "{a} / {c}",
}


@dataclass(frozen=True)
class Step:
    """One op applied to earlier nodes (by index), with a number for the constant ops."""

    op: str
    args: tuple[int, ...]
    constant: float = 0.0


def _relu(x: float) -> float:
    return x if x > 0.0 else 0.0


def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


_MATH_UNARY: dict[str, Callable[[float], float]] = {
    "neg": lambda a: -a,
    "exp": math.exp,
    "log": math.log,
    "sigmoid": _sigmoid,
    "tanh": math.tanh,
    "relu": _relu,
}
_MATH_BINARY: dict[str, Callable[[float, float], float]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "powv": math.pow,
}
_MATH_CONSTANT: dict[str, Callable[[float, float], float]] = {
    "pow": math.pow,
    "radd": lambda a, c: c + a,
    "rsub": lambda a, c: c - a,
    "rmul": lambda a, c: c * a,
    "rdiv": lambda a, c: c / a,
    "rpow": lambda a, c: math.pow(c, a),
    "subc": lambda a, c: a - c,
    "divc": lambda a, c: a / c,
}

_VALUE_UNARY: dict[str, Callable[[Value], Value]] = {
    "neg": lambda a: -a,
    "exp": Value.exp,
    "log": Value.log,
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
}
_VALUE_BINARY: dict[str, Callable[[Value, Value], Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "powv": lambda a, b: a**b,
}
_VALUE_CONSTANT: dict[str, Callable[[Value, float], Value]] = {
    "pow": lambda a, c: a**c,
    "radd": lambda a, c: c + a,
    "rsub": lambda a, c: c - a,
    "rmul": lambda a, c: c * a,
    "rdiv": lambda a, c: c / a,
    "rpow": lambda a, c: c**a,
    "subc": lambda a, c: a - c,
    "divc": lambda a, c: a / c,
}


@dataclass(frozen=True)
class Graph:
    """A random expression: leaf values and the steps that combine them.

    >>> g = Graph((2.0, 3.0), (Step("mul", (0, 1)), Step("add", (2, 2))))
    >>> g.evaluate([2.0, 3.0]), g.depth
    (12.0, 2)
    >>> print(g)
    x0 = Value(2.0)
    x1 = Value(3.0)
    n2 = x0 * x1
    n3 = n2 + n2
    """

    leaves: tuple[float, ...]
    steps: tuple[Step, ...]

    def build(self, leaves: Sequence[Value]) -> list[Value]:
        """Run the program on Values: every node, leaves first; the output is the last."""
        nodes: list[Value] = list(leaves)
        for step in self.steps:
            nodes.append(_apply_value(step, nodes))
        return nodes

    def evaluate(self, leaves: Sequence[float]) -> float:
        """Run the program on floats with ``math`` alone; the output's value.

        Raises ArithmeticError or ValueError wherever a node would not be a finite
        real number (overflow, a pole, a domain error).
        """
        return self.trace(leaves)[0][-1]

    def trace(
        self, leaves: Sequence[float], nudge: tuple[int, float] | None = None
    ) -> tuple[list[float], list[float]]:
        """Like :meth:`evaluate`, but returns every node's value and the branches taken.

        ``nudge=(k, v)`` gives node k the value v instead of the one its op
        computes, and the nodes after it are computed from that: the output as a
        function of node k alone, which is what ∂out/∂node_k differentiates.

        The branches name the smooth piece the inputs of every op with a kink,
        pole, jump or domain edge lie on (:data:`PIECES`: the sign of relu's
        input, floor(x / y) for mod, ...; the sign of the base of a constant power
        or of a reciprocal), 0.0 exactly on an edge, and 0.0 for a variable
        exponent on a base <= 0, where log(base), in its partial, is undefined.
        Callers can so tell whether two points lie on the same smooth piece, and
        whether it has a derivative.

        >>> Graph((-2.0,), (Step("relu", (0,)), Step("pow", (1,), 0.5))).trace([-2.0])
        ([-2.0, 0.0, 0.0], [-1.0, 0.0])
        """
        nodes: list[float] = list(leaves)
        branches: list[float] = []
        if nudge is not None and nudge[0] < len(nodes):
            nodes[nudge[0]] = nudge[1]
        for step in self.steps:
            value = _apply_math(step, nodes, branches)
            if not math.isfinite(value):  # a float product or sum overflowed
                raise OverflowError(f"{self._expression(step)} is {value!r}")
            if nudge is not None and nudge[0] == len(nodes):
                value = nudge[1]
            nodes.append(value)
        return nodes, branches

    @property
    def depth(self) -> int:
        """The number of ops on the longest path from a leaf to the output."""
        depths = [0] * len(self.leaves)
        for step in self.steps:
            depths.append(1 + max(depths[i] for i in step.args))
        return depths[-1]

    @property
    def max_uses(self) -> int:
        """How often the most used node is an operand (counting repeats within a step)."""
        uses = [0] * (len(self.leaves) + len(self.steps))
        for step in self.steps:
            for i in step.args:
                uses[i] += 1
        return max(uses)

    def __str__(self) -> str:
        lines = [f"x{i} = Value({x!r})" for i, x in enumerate(self.leaves)]
        for k, step in enumerate(self.steps, start=len(self.leaves)):
            lines.append(f"n{k} = {self._expression(step)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "Graph(\n    " + str(self).replace("\n", "\n    ") + "\n)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        """How hypothesis prints a falsifying example: as the program, not the fields."""
        printer.text(repr(self))

    def name(self, i: int) -> str:
        """Node i as the program names it: x0, x1, ... for leaves, then n<i>."""
        return f"x{i}" if i < len(self.leaves) else f"n{i}"

    def _expression(self, step: Step) -> str:
        names = [self.name(i) for i in step.args]
        if step.op in _SYMBOL:
            return f"{names[0]} {_SYMBOL[step.op]} {names[1]}"
        if step.op in _CONSTANT_FORM:
            return _CONSTANT_FORM[step.op].format(a=names[0], c=repr(step.constant))
        if step.op == "neg":
            return f"-{names[0]}"
        if step.op == "wsum":
            n = len(names) // 2
            return f"wsum([{', '.join(names[:n])}], [{', '.join(names[n:-1])}], {names[-1]})"
        if len(names) == 2:
            return f"autograd.{step.op}({names[0]}, {names[1]})"
        return f"{names[0]}.{step.op}()"


def _apply_value(step: Step, nodes: list[Value]) -> Value:
    args = [nodes[i] for i in step.args]
    if step.op in _VALUE_UNARY:
        return _VALUE_UNARY[step.op](args[0])
    if step.op in _VALUE_BINARY:
        return _VALUE_BINARY[step.op](args[0], args[1])
    if step.op in _VALUE_CONSTANT:
        return _VALUE_CONSTANT[step.op](args[0], step.constant)
    if step.op != "wsum":  # a row of ROWS
        return apply(step.op, *args)  # type: ignore[no-any-return]
    n = len(args) // 2
    return wsum(args[:n], args[n:-1], args[-1])


def _sign(x: float) -> float:
    return 0.0 if x == 0.0 else math.copysign(1.0, x)


def _at(x: float) -> tuple[float, float]:
    """The piece of a row with one kink, pole or domain edge at 0: the sign of x."""
    return _sign(x), abs(x)


def _periodic(q: float, period: float) -> tuple[float, float]:
    """The piece of a row that jumps wherever q is a whole number: 2·floor(q) + 1."""
    if not math.isfinite(q) or q == math.floor(q):
        return 0.0, 0.0
    below = math.floor(q)
    return 2.0 * below + 1.0, min(q - below, below + 1.0 - q) * period


def _atan2_piece(y: float, x: float) -> tuple[float, float]:
    # atan2 jumps by 2π across the negative x axis and is undefined at the origin
    if x < 0.0:
        return _sign(y), abs(y)
    return (2.0 if x or y else 0.0), math.hypot(x, y)


PIECES: dict[str, Callable[..., tuple[float, float]]] = {
    "abs": _at,
    "sign": _at,
    "relu": _at,
    "sqrt": _at,
    "log": _at,
    "log2": _at,
    "log10": _at,
    "reciprocal": _at,
    "log1p": lambda x: _at(x + 1.0),
    "acosh": lambda x: _at(x - 1.0),
    "asin": lambda x: _at(1.0 - abs(x)),
    "acos": lambda x: _at(1.0 - abs(x)),
    "atanh": lambda x: _at(1.0 - abs(x)),
    "tan": lambda x: _periodic(x / math.pi + 0.5, math.pi),
    "maximum": lambda x, y: _at(x - y),
    "minimum": lambda x, y: _at(x - y),
    "div": lambda x, y: _at(y),
    "powv": lambda x, y: (1.0 if x > 0.0 else 0.0, x),  # log(x) in ∂/∂y: x > 0 only
    "atan2": _atan2_piece,
    # smooth at 0, but its slope (πx·cos πx − sin πx) / (πx²), PyTorch's formula, which the
    # row keeps, cancels there: 36 % off at x = 1e-8, 1e-6 at 1e-3. Kept to |x| ≥ 0.1.
    "sinc": lambda x: (1.0, abs(x) / 100.0),
    "floordiv": lambda x, y: _periodic(x / y, abs(y)) if y != 0.0 else (0.0, 0.0),
    "mod": lambda x, y: _periodic(x / y, abs(y)) if y != 0.0 else (0.0, 0.0),
}
"""For each row with kinks, poles, jumps or domain edges, a function of its inputs that
gives ``(piece, distance)``: a number naming the smooth piece the inputs lie on, and how
far they are from its edge; the piece is 0 exactly on an edge. Written here from the
math, not read from the engine. A row not listed is smooth on its whole domain (exp,
sin, softplus, ...).

>>> PIECES["maximum"](1.0, 3.0), PIECES["floordiv"](7.0, 2.0), PIECES["mod"](6.0, 2.0)
((-1.0, 2.0), (7.0, 1.0), (0.0, 0.0))
"""


def _apply_math(step: Step, nodes: list[float], branches: list[float] | None) -> float:
    args = [nodes[i] for i in step.args]
    if branches is not None:
        if step.op in ("div", "pow", "rdiv"):
            branches.append(_sign(args[1] if step.op == "div" else args[0]))
        elif step.op in PIECES:
            branches.append(PIECES[step.op](*args)[0])
    if step.op in _MATH_UNARY:
        return _MATH_UNARY[step.op](args[0])
    if step.op in _MATH_BINARY:
        return _MATH_BINARY[step.op](args[0], args[1])
    if step.op in _MATH_CONSTANT:
        return _MATH_CONSTANT[step.op](args[0], step.constant)
    if step.op != "wsum":  # a row of ROWS: its IEEE forward
        return RULES[step.op].forward(*args)
    n = len(args) // 2  # S = Σ w_i x_i - b, summed left to right
    total = 0.0
    for w, x in zip(args[:n], args[n:-1], strict=True):
        total += w * x
    return total - args[-1]


def _recent(draw: st.DrawFn, size: int) -> int:
    """The newest of ``size`` nodes nine times in ten, else any of them."""
    return size - 1 if draw(st.integers(0, 9)) else draw(st.integers(0, size - 1))


EXPONENTS = st.one_of(
    st.sampled_from([2.0, 3.0, -1.0, 0.5, -2.0, 1.5, 0.0, 1.0, 4.0]), finite_floats(-3.0, 3.0)
)


@st.composite
def graphs(
    draw: st.DrawFn,
    values: st.SearchStrategy[float] | None = None,
    constants: st.SearchStrategy[float] | None = None,
    min_leaves: int = 1,
    max_leaves: int = 4,
    max_steps: int = 80,
    ops: Sequence[str] = OPS,
    tame: bool = False,
) -> Graph:
    """Random expression graphs over ``ops`` with up to ``max_steps`` steps.

    The first operand of a step is the newest node nine times in ten, so chains
    grow deep (depth near 50 at 80 steps); the other operands, and the rest of
    the first ones, may be any earlier node, which makes shared subexpressions
    and nodes used many times. ``values`` draws the leaves, ``constants`` the
    numbers of the constant ops (by default exponents lean to small integers and
    halves, where powers are most used, and the other numbers lie in [-3, 3]).

    ``tame=True`` keeps every node where derivatives are well conditioned: the
    strategy evaluates each step as it draws it and, where the step would leave
    that region (see :func:`tame_step`), applies tanh to its first operand instead.
    """
    values = finite_floats(-3.0, 3.0) if values is None else values
    leaves = tuple(draw(st.lists(values, min_size=min_leaves, max_size=max_leaves)))
    nodes = list(leaves)
    steps: list[Step] = []
    # one graph in two is long: hypothesis alone leans to short lists
    n_steps = st.one_of(
        st.integers(1, max(1, max_steps // 4)), st.integers(max_steps // 2, max_steps)
    )
    for _ in range(draw(n_steps)):
        size = len(nodes)
        op = draw(st.sampled_from(ops))
        anywhere = st.integers(0, size - 1)
        if op in UNARY_OPS:
            step = Step(op, (_recent(draw, size),))
        elif op in BINARY_OPS:
            step = Step(op, (_recent(draw, size), draw(anywhere)))
        elif op in CONSTANT_OPS:
            if op == "pow":
                c = draw(EXPONENTS if constants is None else constants)
            else:
                c = draw(finite_floats(-3.0, 3.0) if constants is None else constants)
            step = Step(op, (_recent(draw, size),), c)
        elif op != "wsum":  # a row of ROWS
            others = [draw(anywhere) for _ in range(RULES[op].arity - 1)]
            step = Step(op, (_recent(draw, size), *others))
        else:
            n = draw(st.integers(1, 3))
            args = [draw(anywhere) for _ in range(2 * n)]
            args.insert(draw(st.integers(0, 2 * n)), _recent(draw, size))  # the chain goes on
            step = Step("wsum", tuple(args))
        if tame:
            value = tame_step(step, nodes)
            if value is None:
                step = Step("tanh", step.args[:1])
                value = math.tanh(nodes[step.args[0]])
            nodes.append(value)
        else:
            nodes.append(0.0)  # only the count matters
        steps.append(step)
    return Graph(leaves, tuple(steps))


TAME_LIMIT = 1e6
"""The largest magnitude a node of a tame graph may take."""
TAME_MARGIN = 1e-3
"""How far a tame graph keeps the base of a power or of a reciprocal from 0, and every
row's inputs from the edges of its smooth piece (:data:`PIECES`)."""


def tame_step(step: Step, nodes: list[float]) -> float | None:
    """The step's value if it keeps the graph tame, else None.

    Tame: the value is finite and at most TAME_LIMIT in magnitude; a log's
    input, the base of a power with a variable exponent (its partial has
    log(base)) or with a constant one that is not a natural number, and the
    base of a reciprocal are at least TAME_MARGIN from 0 (and positive where a
    negative one is a domain error); the inputs of every row with an edge lie
    at least TAME_MARGIN from it (:data:`PIECES`: relu's kink, tan's poles, ...).

    >>> tame_step(Step("log", (0,)), [2.0]) == math.log(2.0)
    True
    >>> tame_step(Step("log", (0,)), [-2.0]) is None
    True
    """
    args = [nodes[i] for i in step.args]
    a = args[0]
    if step.op in PIECES and PIECES[step.op](*args)[1] < TAME_MARGIN:
        return None  # log's input, relu's, a variable power's base: near an edge
    if step.op == "pow":
        natural = step.constant == math.floor(step.constant) and step.constant >= 0.0
        if not natural and a < TAME_MARGIN:
            return None
    if step.op == "rpow" and step.constant < TAME_MARGIN:
        return None
    if step.op in ("div", "rdiv") and abs(args[1] if step.op == "div" else a) < TAME_MARGIN:
        return None
    if step.op == "divc" and abs(step.constant) < TAME_MARGIN:
        return None
    try:
        value = _apply_math(step, nodes, None)
    except (ArithmeticError, ValueError):
        return None
    return value if abs(value) <= TAME_LIMIT else None


# --- random networks ------------------------------------------------------------------


@dataclass(frozen=True)
class Network:
    """An MLP as hypothesis chose it: shape, activations, every parameter, one sample.

    >>> net = Network(1, (1,), "sigmoid", None, {"b_1^(1)": 0.5, "w_11^(1)": 2.0}, (1.0,), (0.0,))
    >>> net.build().state_dict()
    {'b_1^(1)': 0.5, 'w_11^(1)': 2.0}
    """

    n_in: int
    layer_sizes: tuple[int, ...]
    activation: str
    output_activation: str | None
    parameters: dict[str, float]
    x: tuple[float, ...]
    t: tuple[float, ...]

    def build(self) -> MLP:
        """A fresh MLP with exactly these parameters."""
        model = MLP(self.n_in, list(self.layer_sizes), self.activation, self.output_activation)
        model.load_state_dict(self.parameters)
        return model

    def activation_of(self, k: int) -> str:
        """The activation of layer k (1-based): the output layer's may differ."""
        last = self.activation if self.output_activation is None else self.output_activation
        return last if k == len(self.layer_sizes) else self.activation


@st.composite
def networks(
    draw: st.DrawFn,
    max_layers: int = 4,
    max_width: int = 4,
    weights: st.SearchStrategy[float] | None = None,
    inputs: st.SearchStrategy[float] | None = None,
    targets: st.SearchStrategy[float] | None = None,
) -> Network:
    """Random MLPs: up to ``max_layers`` layers of up to ``max_width`` units, any
    activation for the hidden layers and any (or the same) for the output layer,
    every weight and bias drawn from ``weights`` (default [-3, 3]), and one sample:
    inputs from ``inputs`` (default [-3, 3]), targets from ``targets`` (default [-2, 2])."""
    n_in = draw(st.integers(1, max_width))
    sizes = tuple(draw(st.lists(st.integers(1, max_width), min_size=1, max_size=max_layers)))
    activation = draw(st.sampled_from(ACTIVATIONS))
    output_activation = draw(st.none() | st.sampled_from(ACTIVATIONS))
    shape = MLP(n_in, list(sizes), activation, output_activation)
    w = finite_floats(-3.0, 3.0) if weights is None else weights
    parameters = {name: draw(w) for name, _ in shape.named_parameters()}
    xs = finite_floats(-3.0, 3.0) if inputs is None else inputs
    ts = finite_floats(-2.0, 2.0) if targets is None else targets
    x = tuple(draw(xs) for _ in range(n_in))
    t = tuple(draw(ts) for _ in range(sizes[-1]))
    return Network(n_in, sizes, activation, output_activation, parameters, x, t)
