"""A traced program: a graph's inputs, its equations (one row of the registry each), its outputs.

:func:`trace` turns the graph of a Value into a :class:`Program`, the way JAX's autodidax
traces a function to a jaxpr; each job on it is a small interpreter over its equations:
calling it evaluates on floats, :meth:`Program.grad` differentiates it into another
program (reverse mode, the chain rule and the masking rule written once, in
:meth:`_Builder.term`), :func:`simplify` folds constants, ×1, ^1, +(−0) and double
negations, and ``str`` prints one equation per line. Standard library only.

>>> from autograd import Value
>>> x, w = Value(2.0, "x"), Value(-1.0, "w")
>>> p = trace((w * x).tanh())
>>> print(p)
{ lambda w, x .
    let t1 = w·x
        t2 = tanh(t1)
    in (t2) }
>>> print(p.grad())
{ lambda w, x .
    let t1 = w·x
        t2 = tanh(t1)
        t3 = t2·t2
        t4 = −t3
        t5 = 1 + t4
        dw = t5·x
        dx = t5·w
    in (dw, dx) }
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from ._symbols import _atom, _Sym
from .engine import Constant, Value, chain, topological_order
from .formula import Formula, to_text
from .names import leaf_names
from .rule import RULES, Rule, as_float
from .rule import TIMES as TIMES  # the row that chain writes where p is not known yet

__all__ = [
    "Equation",
    "Program",
    "Var",
    "push_tangents",
    "simplify",
    "trace",
    "trace_graph",
    "value_and_grad",
]


class Var(NamedTuple):
    """A variable of a program, by name (unique within its program).

    A named tuple: hashed and compared in C, which a program of 10⁵ equations notices.
    """

    name: str

    def __str__(self) -> str:
        return self.name


Atom = Var | float
"""An equation's input: a variable, or a constant of the program."""


class Equation(NamedTuple):
    """``out = rule(*inputs)``: one row of the registry applied to variables and constants."""

    out: Var
    rule: Rule
    inputs: tuple[Atom, ...]

    def __str__(self) -> str:
        args = tuple(Formula(a.name) if isinstance(a, Var) else a for a in self.inputs)
        return f"{self.out} = {to_text(Formula('', self.rule, args))}"

    def partials(self, read: Callable[[Atom], Any]) -> tuple[Any, ...]:
        """∂out/∂input for each input: the row's ``derivative`` on the carriers that ``read``
        gives each atom (numbers, Values, a program's symbols, formulas of names); None
        where no gradient flows. Every reader of a program takes local partials here.

        >>> x, y = Var("x"), Var("y")
        >>> eq = Equation(y, RULES["sin"], (x,))
        >>> eq.partials({x: 0.0, y: 0.0}.get), to_text(eq.partials(lambda a: Formula(str(a)))[0])
        ((1.0,), 'cos(x)')
        """
        partials = self.rule.derivative(read(self.out), *[read(a) for a in self.inputs])
        if len(partials) != len(self.inputs):
            raise ValueError(
                f"the {self.rule.name} row gave {len(partials)} partials for "
                f"{len(self.inputs)} inputs"
            )
        return tuple(partials)


@dataclass(frozen=True)
class Program:
    """Inputs, equations in order (each input defined before use), outputs.

    Called with one number per input, it runs each equation's row forward on floats
    and returns the outputs' numbers, as a tuple.

    >>> from autograd import Value
    >>> a, b = Value(3.0), Value(4.0)
    >>> p = trace((a * a + b * b).sqrt())
    >>> p(3.0, 4.0), p(5.0, 12.0), p.grad()(3.0, 4.0)
    ((5.0,), (13.0,), (0.6000000000000001, 0.8))
    """

    inputs: tuple[Var, ...]
    equations: tuple[Equation, ...]
    outputs: tuple[Atom, ...]

    def __call__(self, *numbers: object) -> tuple[float, ...]:
        if len(numbers) != len(self.inputs):
            names = ", ".join(v.name for v in self.inputs)
            raise TypeError(
                f"this program takes {len(self.inputs)} numbers ({names}), got {len(numbers)}"
            )
        env = {v: as_float(x, f"input {v.name}") for v, x in zip(self.inputs, numbers)}  # noqa: B905

        def read(a: Atom) -> float:
            return env[a] if isinstance(a, Var) else a

        for eq in self.equations:
            env[eq.out] = eq.rule.forward(*[read(a) for a in eq.inputs])
        return tuple(read(a) for a in self.outputs)

    def __str__(self) -> str:
        lines = [f"{{ lambda {', '.join(v.name for v in self.inputs)} ."]
        for i, eq in enumerate(self.equations):
            lines.append(("    let " if i == 0 else "        ") + str(eq))
        outs = ", ".join(str(a) for a in self.outputs)
        lines.append(f"    in ({outs}) }}")
        return "\n".join(lines)

    def grad(self) -> Program:
        """The program of the output's gradient with respect to each input, simplified.

        Reverse mode over the equations: each row's ``derivative`` runs on the
        program's variables and writes its partials as equations; the gradients
        are the eager engine's numbers bit for bit (``autograd.grad``), in the same
        order of additions.

        >>> from autograd import Value
        >>> x = Value(0.0, "x")
        >>> print(trace(x.relu()).grad())
        { lambda x .
            let t2 = step(x)
                dx = mul0(t2, 1)
            in (dx) }
        """
        if len(self.outputs) != 1:
            raise ValueError(
                f"grad needs a program of one output; this one has {len(self.outputs)}"
            )
        return simplify(_Builder(self).backward())

    def jvp(self) -> Program:
        """Forward mode as a program: it takes the inputs, then a tangent for each
        (``x_dot``), and gives the outputs, then their tangents (:func:`push_tangents`
        on the program's variables), simplified.

        >>> from autograd import Value
        >>> x, y = Value(2.0, "x"), Value(3.0, "y")
        >>> p = trace((x * y).sin()).jvp()
        >>> print(p)
        { lambda x, y, x_dot, y_dot .
            let t1 = x·y
                t2 = sin(t1)
                t3 = x_dot·y
                t4 = y_dot·x
                t5 = t3 + t4
                t6 = cos(t1)
                t7 = t5·t6
            in (t2, t7) }
        >>> p(2.0, 3.0, 1.0, 0.0) == (math.sin(6.0), 3.0 * math.cos(6.0))
        True
        """
        builder = _Builder(self)
        dots = tuple(Var(_unique(v.name + "_dot", builder.taken)) for v in self.inputs)
        seeds = {v: builder.sym(d) for v, d in zip(self.inputs, dots)}  # noqa: B905
        carried = push_tangents(self, builder.sym, seeds)
        tangents = tuple(
            _atom(carried.get(a, 0.0)) if isinstance(a, Var) else 0.0 for a in self.outputs
        )
        outputs = (*self.outputs, *tangents)
        return simplify(Program((*self.inputs, *dots), tuple(builder.equations), outputs))


def value_and_grad(
    program: Program, wrt: Sequence[int] | None = None
) -> tuple[Program, dict[Var, Var]]:
    """One program for the output and its gradient with respect to the inputs at ``wrt``
    (default: all), simplified: its outputs are the value, then those gradients, each the
    :meth:`Program.grad` one bit for bit. Also gives each variable that holds a complete
    gradient the variable it is the gradient of (``dx`` to ``x``), for printers to name.

    >>> from autograd import Value
    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> p, of = value_and_grad(trace((x * y).exp()), [1])
    >>> print(p)
    { lambda x, y .
        let t1 = x·y
            t2 = exp(t1)
            dy = t2·x
        in (t2, dy) }
    >>> {str(d): str(v) for d, v in of.items()}
    {'dy': 'y'}
    >>> p(2.0, 3.0) == (math.exp(6.0), trace((x * y).exp()).grad()(2.0, 3.0)[1])
    True
    """
    if len(program.outputs) != 1:
        raise ValueError(
            f"value_and_grad needs a program of one output; this one has {len(program.outputs)}"
        )
    builder = _Builder(program)
    full = builder.backward()
    chosen = range(len(program.inputs)) if wrt is None else wrt
    outputs = (program.outputs[0], *(full.outputs[i] for i in chosen))
    result, known = _simplified(Program(full.inputs, full.equations, outputs))
    made = {eq.out for eq in result.equations} - {eq.out for eq in program.equations}
    gradient_of: dict[Var, Var] = {}
    for d, x in builder.gradient_of.items():  # a gradient simplified away: what it became
        atom = known.get(d, d)
        if isinstance(atom, Var) and atom in made and atom not in gradient_of:
            gradient_of[atom] = x
    return result, gradient_of


# --- differentiation: the chain rule written once -----------------------------------


def push_tangents(
    program: Program, read: Callable[[Atom], Any], seeds: Mapping[Var, Any]
) -> dict[Var, Any]:
    """Forward mode, one more interpreter of the equations: the tangent of every variable
    that depends on a seeded one (the others have none: 0). ``read`` gives each atom's
    carrier (its number, its Value, or a symbol); each tangent is Σ_i ∂out/∂in_i · t_i in
    input order, each product :func:`autograd.engine.chain`'s, as in reverse mode.

    >>> x, y = Var("x"), Var("y")
    >>> p = Program((x,), (Equation(y, RULES["sin"], (x,)),), (y,))
    >>> numbers = {x: 0.5, y: math.sin(0.5)}
    >>> push_tangents(p, lambda a: numbers.get(a, a), {x: 2.0})[y] == 2.0 * math.cos(0.5)
    True
    """
    carried: dict[Var, Any] = dict(seeds)
    for eq in program.equations:
        moving = [(i, carried[a]) for i, a in enumerate(eq.inputs) if a in carried]
        if not moving or eq.out in carried:
            continue
        partials = eq.partials(read)
        total: Any = None
        for i, t in moving:
            term = chain(eq.rule, t, partials[i], _parts(read, eq, i))
            total = term if total is None else total + term
        carried[eq.out] = total
    return carried


def _parts(read: Callable[[Atom], Any], eq: Equation, i: int) -> Callable[[Any], Any]:
    """:func:`autograd.engine.chain`'s ``quotient`` for input i of ``eq``: the row's
    quotient parts on the carriers ``read`` gives, read only when the product needs them."""
    return lambda q: q(read(eq.out), *[read(a) for a in eq.inputs])[i]


class _Builder:
    """A program's equations, and more written after them under fresh names."""

    def __init__(self, program: Program) -> None:
        self.program = program
        self.equations = list(program.equations)
        self.taken = {v.name for v in program.inputs} | {e.out.name for e in self.equations}
        self.fresh = _Fresh(self.taken)
        self.emitted: set[Var] = set()
        self.renamed: dict[Var, Var] = {}  # a gradient, complete, to its name: dx for x
        self.gradient_of: dict[Var, Var] = {}  # dx to x

    def emit(self, rule: Rule, args: tuple[Atom, ...]) -> Var:
        out = Var(self.fresh())
        self.equations.append(Equation(out, rule, args))
        self.emitted.add(out)
        return out

    def name_gradient(self, x: Var, g: Atom | None) -> None:
        if isinstance(g, Var) and g in self.emitted and g not in self.renamed:
            self.renamed[g] = Var(_unique("d" + x.name, self.taken))
            self.gradient_of[self.renamed[g]] = x

    def named(self, a: Atom) -> Atom:
        return self.renamed.get(a, a) if isinstance(a, Var) else a

    def sym(self, a: Atom) -> Any:
        return _Sym(self, a) if isinstance(a, Var) else a  # a constant stays a float

    def backward(self) -> Program:
        """Reverse mode: each variable's gradient, added up term by term in the eager
        engine's order (the users in reverse order, each user's inputs in order)."""
        grads: dict[Var, Atom] = {}
        out = self.program.outputs[0]
        if isinstance(out, Var):
            grads[out] = 1.0
        for eq in reversed(self.program.equations):
            g = grads.get(eq.out)
            if g is None:
                continue  # the output does not depend on it
            self.name_gradient(eq.out, g)
            partials = eq.partials(self.sym)
            for i, x in enumerate(eq.inputs):
                if isinstance(x, Var):
                    term = self.term(eq, i, g, partials[i])
                    grads[x] = term if x not in grads else self.emit(RULES["add"], (grads[x], term))
        for v in self.program.inputs:
            self.name_gradient(v, grads.get(v))
        outs = tuple(self.named(grads.get(v, 0.0)) for v in self.program.inputs)
        traced = len(self.program.equations)  # they read no gradient: nothing to rename
        get: Any = self.renamed.get  # a float is never a key: it stays itself
        equations = [
            *self.equations[:traced],
            *(
                Equation(get(e.out, e.out), e.rule, tuple([get(a, a) for a in e.inputs]))
                for e in self.equations[traced:]
            ),
        ]
        return Program(self.program.inputs, tuple(equations), outs)

    def term(self, eq: Equation, i: int, g: Atom, p: Any) -> Atom:
        """``g · p`` for input i's partial p, as equations: :func:`autograd.engine.chain`."""
        return _atom(chain(eq.rule, self.sym(g), p, _parts(self.sym, eq, i)))


class _Fresh:
    """The next free name of ``t1``, ``t2``, …, each taken as it is given."""

    def __init__(self, taken: set[str]) -> None:
        self.taken, self.count = taken, 0

    def __call__(self) -> str:
        self.count += 1
        while f"t{self.count}" in self.taken:
            self.count += 1
        return _unique(f"t{self.count}", self.taken)


def _unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base2``, ``base3``, … when it is taken; then taken."""
    name, k = base, 1
    while name in taken:
        k += 1
        name = f"{base}{k}"
    taken.add(name)
    return name


# --- simplification, written once ---------------------------------------------------


def simplify(program: Program) -> Program:
    """The same numbers with fewer equations: constants folded, ``x·1``, ``x^1`` and
    ``x + (−0)`` are x, ``(x·−1)·−1`` is x, and equations no output needs are dropped.
    Each rewrite is exact in IEEE arithmetic (``x + 0`` is not: −0 + 0 is +0, so it stays).

    >>> x = Var("x")
    >>> p = Program((x,), (Equation(Var("a"), RULES["mul"], (2.0, 3.0)),
    ...                    Equation(Var("b"), RULES["mul"], (x, 1.0)),
    ...                    Equation(Var("c"), RULES["add"], (Var("b"), Var("a")))), (Var("c"),))
    >>> print(simplify(p))
    { lambda x .
        let c = x + 6
        in (c) }
    """
    return _simplified(program)[0]


def _simplified(program: Program) -> tuple[Program, dict[Var, Atom]]:
    """:func:`simplify`'s program, and what each variable it removed is."""
    known: dict[Var, Atom] = {}  # a variable that is another one, or a constant
    negated: dict[Var, Atom] = {}  # a variable that is x·−1, and its x
    kept: list[Equation] = []
    get: Any = known.get  # a float is never a key: it stays itself
    for eq in program.equations:
        args = tuple([get(a, a) for a in eq.inputs])
        same = _rewrite(eq.rule, args, negated)
        if same is not None:
            known[eq.out] = same
            continue
        if eq.rule.name == "mul" and -1.0 in args:
            negated[eq.out] = args[1] if args[0] == -1.0 else args[0]
        kept.append(Equation(eq.out, eq.rule, args))
    outputs = tuple(known.get(a, a) if isinstance(a, Var) else a for a in program.outputs)
    return _pruned(Program(program.inputs, tuple(kept), outputs)), known


def _rewrite(rule: Rule, args: tuple[Atom, ...], negated: dict[Var, Atom]) -> Atom | None:
    """What the equation is, when a simpler atom says it exactly; else None."""
    if all(type(a) is not Var for a in args):  # constants only
        return float(rule.forward(*args))
    identity = _IDENTITIES.get(rule.name)
    if identity is None or len(args) != 2:
        return None
    return identity(args[0], args[1], negated)


def _sum(a: Atom, b: Atom, negated: dict[Var, Atom]) -> Atom | None:
    # x + (−0) is x, +0 included
    return b if _is_minus_zero(a) else a if _is_minus_zero(b) else None


def _product(a: Atom, b: Atom, negated: dict[Var, Atom]) -> Atom | None:
    # x·1 is x; (x·−1)·−1 is x
    if a == 1.0 or b == 1.0:
        return b if a == 1.0 else a
    x = a if b == -1.0 else b if a == -1.0 else None
    return negated.get(x) if isinstance(x, Var) else None


def _power(a: Atom, b: Atom, negated: dict[Var, Atom]) -> Atom | None:
    # x^1 is x (C's pow, nan and ±0 included)
    return a if b == 1.0 else None


_IDENTITIES = {"add": _sum, "mul": _product, "pow": _power, "powv": _power}


def _is_minus_zero(a: Atom) -> bool:
    return isinstance(a, float) and a == 0.0 and math.copysign(1.0, a) < 0.0


def _pruned(program: Program) -> Program:
    """Without the equations that no output needs."""
    needed = {a for a in program.outputs if isinstance(a, Var)}
    kept: list[Equation] = []
    for eq in reversed(program.equations):
        if eq.out in needed:
            kept.append(eq)
            needed.update(a for a in eq.inputs if isinstance(a, Var))
    return Program(program.inputs, tuple(reversed(kept)), program.outputs)


# --- tracing ------------------------------------------------------------------------


def trace(output: object, inputs: Iterable[Value] | None = None) -> Program:
    """The program that computes ``output`` from ``inputs``.

    ``inputs=None`` takes every leaf of the graph but the Constants, in topological
    order; otherwise exactly the Values given, and a leaf not among them is a
    constant of the program (its number now). A variable is named as the drawings
    name its node: its label, the caller's variable that holds it, a letter for
    a leaf (see :mod:`autograd.names`), else ``t1``, ``t2``, …

    >>> from autograd import Value
    >>> x, b = Value(2.0), Value(0.5, "b")
    >>> y = (x * x - b).exp()
    >>> print(trace(y, [x]))
    { lambda x .
        let t1 = x·x
            t2 = −0.5
            t3 = t1 + t2
            y = exp(t3)
        in (y) }
    >>> print(simplify(trace(y, [x])))
    { lambda x .
        let t1 = x·x
            t3 = t1 − 0.5
            y = exp(t3)
        in (y) }
    """
    if not isinstance(output, Value):
        raise TypeError(f"trace needs a Value to trace, got {type(output).__name__}")
    order = topological_order(output)
    return _traced(order, _inputs(order, inputs), [output])[0]


def trace_graph(order: Sequence[Value]) -> tuple[Program, dict[Var, Value]]:
    """The program of a whole graph, for the readers that show the graph's own nodes (the
    drawings, ``explain``, the step-through page), and the node each variable stands for.
    ``order`` is :func:`autograd.topological_order` of the root; every leaf is an input,
    Constants too, and each variable is named by its node's position in ``order``:
    ``v0``, ``v1``, … (the drawings' node ids).

    >>> from autograd import Value, topological_order
    >>> x = Value(2.0, "x")
    >>> program, nodes = trace_graph(topological_order((x * 3).exp()))
    >>> print(program)
    { lambda v0, v1 .
        let v2 = v0·v1
            v3 = exp(v2)
        in (v3) }
    >>> nodes[Var("v1")].data, program(2.0, 3.0) == (math.exp(6.0),)
    (3.0, True)
    """
    leaves = [v for v in order if v._rule is None]
    names = {v: f"v{i}" for i, v in enumerate(order)}
    return _traced(order, leaves, order[-1:], names)


def _traced(
    order: Sequence[Value],
    wanted: Sequence[Value],
    outputs: Sequence[Value],
    names: dict[Value, str] | None = None,
) -> tuple[Program, dict[Var, Value]]:
    """:func:`trace`'s program of ``outputs`` (every one in ``order``, all their nodes
    after their inputs) from the Values ``wanted``, checked by the caller; and the node
    that each of its variables stands for. ``names``: theirs (default: :func:`_names`)."""
    names = _names(order, wanted) if names is None else names
    atoms: dict[Value, Atom] = {v: Var(names[v]) for v in wanted}
    equations: list[Equation] = []
    for node in order:
        rule = node._rule
        if node in atoms:
            continue
        if rule is None:  # a leaf: not an input, so a constant
            atoms[node] = node.data
            continue
        out = Var(names[node])
        equations.append(Equation(out, rule, tuple(atoms[x] for x in node.inputs)))
        atoms[node] = out
    variables = tuple(Var(names[v]) for v in wanted)
    program = Program(variables, tuple(equations), tuple(atoms[o] for o in outputs))
    nodes = {atom: node for node, atom in atoms.items() if isinstance(atom, Var)}
    return _pruned(program), nodes


def _inputs(order: Sequence[Value], inputs: Iterable[Value] | None) -> list[Value]:
    if inputs is None:
        return [v for v in order if v._rule is None and not isinstance(v, Constant)]
    if isinstance(inputs, Value) or not isinstance(inputs, Iterable):
        raise TypeError(f"trace inputs must be a list of Values, got {type(inputs).__name__}")
    wanted = list(inputs)
    for i, v in enumerate(wanted):
        if not isinstance(v, Value) or isinstance(v, Constant):
            raise TypeError(
                f"trace inputs must be Values that are not Constants; inputs[{i}] is {v!r}"
            )
        if any(v is u for u in wanted[:i]):
            raise ValueError(f"trace inputs[{i}] ({v!r}) is given twice")
    return wanted


def _names(order: Sequence[Value], wanted: Sequence[Value]) -> dict[Value, str]:
    """A name for each input and each computed node: its label, the name
    :func:`~autograd.names.leaf_names` gives it, else ``t1``, ``t2``, … (a repeated
    label gets a number: ``x``, ``x2``)."""
    nodes = [*wanted, *(v for v in order if v._rule is not None)]
    given = leaf_names([*wanted, *order])
    names: dict[Value, str] = {}
    taken: set[str] = set()
    for v in nodes:
        base = str(v.label) if v.label else given.get(v, "")
        if base and v not in names:
            names[v] = _unique(base, taken)
    fresh = _Fresh(taken)
    for v in nodes:
        if v not in names:
            names[v] = fresh()
    return names
