"""Printers of programs: a traced :class:`~autograd.program.Program` as Python source.

:func:`python_source` prints the program of a value and its gradient
(:func:`autograd.program.value_and_grad`) one assignment per equation, each row in
its own spelling (a Python operator, or the row called by name), every name an
identifier made from the program's variables. On floats the code runs the rows'
own IEEE functions in the program's order, so its numbers are the program's, bit
for bit. With ``batched`` the same equations run on arrays, one sample per element,
through an array API namespace (:func:`batched_namespace`).

A temporary of the derivative that one equation alone reads is written inside that
equation (``delta_S = dL_dy * (y * (1.0 - y))``, as the notes write it), up to
:data:`DEPTH` levels deep. The source holds only identifiers made from labels
(``[A-Za-z_][A-Za-z0-9_]*``), number literals and the names of the functions it
is given; it runs without builtins.
"""

from __future__ import annotations

import builtins
import functools
import keyword
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .formula import Formula, terms, to_python, to_text
from .names import ELIDED, MAX_CHARS
from .program import TIMES, Atom, Program, Var
from .rule import RULES, Rule

__all__ = [
    "BATCH_SIZE",
    "Names",
    "array_source",
    "batched_namespace",
    "define",
    "gradient_name",
    "identifier",
    "numpy_namespace",
    "python_source",
    "scalar_namespace",
    "spelt",
    "sum_lines",
    "to_list",
    "tuple_source",
]

LONGEST_NAME = 64  # labels longer than this are cut when they become identifiers
TERMS_PER_LINE = 64  # long sums are split over lines, keeping the parser's nesting shallow
DEPTH = 24  # a temporary written inside another equation nests at most this deep
BATCH_SIZE = "n_samples"  # the batched function's first parameter
HELPERS = (  # names the generated code calls beside the rows' own
    *("inf", "nan", "each", "batch_sum", "float", TIMES.name),
    *("columns", "matrix", "vector", "entries", "batch_sums", "sum_of_squares"),
)


# --- names: labels become identifiers, and nothing else of the user's reaches the source ---


def identifier(label: str) -> str:
    """``label`` as ``[A-Za-z_][A-Za-z0-9_]*``, or "" when nothing of it survives.

    Letters, digits and ``_`` stay; a Greek letter becomes its name (δ -> delta),
    a sub- or superscript digit its digit; any run of other characters is one
    ``_``.

    >>> identifier("S_1^(2)"), identifier("δ_1"), identifier("x₁²"), identifier("2nd")
    ('S_1_2', 'delta_1', 'x12', 'v_2nd')
    """
    pieces = [_piece(ch) for ch in label[: 4 * LONGEST_NAME]]
    text = re.sub(r"_* +_*", "_", "".join(pieces).strip(" "))[:LONGEST_NAME]
    if text and text[0].isdigit():
        text = "v_" + text
    return text


def _piece(ch: str) -> str:
    if ch.isascii() and (ch.isalnum() or ch == "_"):
        return ch
    digit = unicodedata.digit(ch, None)
    if digit is not None:
        return str(digit)
    name = unicodedata.name(ch, "")
    for prefix, case in (("GREEK SMALL LETTER ", str.lower), ("GREEK CAPITAL LETTER ", str.title)):
        if name.startswith(prefix):
            return f" {case(name[len(prefix) :].split()[0])} "
    return " "


def spelt(name: str) -> str:
    """A formula's text with its operators as the rows' names, for an identifier:
    ``y − t`` is ``y minus t``, ``w·x`` is ``w mul x``."""
    for rule in RULES.values():
        if rule.notation.kind == "infix":
            name = name.replace(rule.notation.symbol, f" {rule.name} ")
    return name.replace("−", " minus ")


class Names:
    """Hands out distinct identifiers that are neither keywords nor the code's own names.

    The first free one of ``base``, ``base_2``, ``base_3``, ...: ``suffix`` remembers
    where each base's search stopped (every name before it is taken, and a taken
    name stays taken), so 10⁵ nodes that share a name cost 10⁵ steps, not 10¹⁰/2.

    >>> names = Names()
    >>> [names.new("y", "v1"), names.new("y", "v2"), names.new("", "v3"), names.new("y", "v4")]
    ['y', 'y_2', 'v3', 'y_3']
    >>> names.taken.add("z_2")
    >>> names.new("z", "v5"), names.new("z", "v6"), names.new("lambda", "v7")
    ('z', 'z_3', 'lambda_')
    """

    def __init__(self) -> None:
        self.taken: set[str] = {*RULES, *HELPERS, BATCH_SIZE}
        self.suffix: dict[str, int] = {}  # base -> the next k to try for base_k

    def new(self, wanted: str, fallback: str) -> str:
        """A fresh identifier: ``wanted``, or ``fallback`` when wanted is ""."""
        base = wanted or fallback
        if keyword.iskeyword(base) or keyword.issoftkeyword(base):
            base += "_"
        name, k = base, self.suffix.get(base, 2)
        while name in self.taken:
            name = f"{base}_{k}"
            k += 1
        self.suffix[base] = k
        self.taken.add(name)
        return name


def gradient_name(name: str) -> str:
    """δ for a weighted sum S, ∂L/∂ for everything else: ``delta_S_1_2``, ``dL_dw_11_2``.

    >>> gradient_name("S_1_2"), gradient_name("w_11_2")
    ('delta_S_1_2', 'dL_dw_11_2')
    """
    if name == "S" or name.startswith("S_"):
        return "delta_" + name
    return "dL_d" + name


# --- the printer ---


def python_source(
    program: Program,
    gradient_of: Mapping[Var, Var],
    forward: set[Var],
    params: Sequence[str],
    names: Names,
    function: str,
    wrt: Sequence[int],
    shared: Sequence[int] | None = None,
) -> str:
    """The source of ``def function(*params): ...; return value, (gradients)``.

    ``program`` gives the value, then the gradients (:func:`~autograd.program.value_and_grad`);
    ``gradient_of`` names its gradients' variables after what they differentiate;
    ``forward`` holds the traced equations' variables, each printed on its own line;
    ``params`` are the inputs' identifiers (taken in ``names`` already), ``wrt`` the
    indices of the inputs whose gradients the program gives, in order. With
    ``shared`` (the indices of the inputs that are one number for a whole batch) it
    prints the batched function: ``n_samples`` first, each per-sample value and
    gradient an array of n, each shared input's gradient the sum over the batch.

    >>> from autograd import Value
    >>> from autograd.program import trace, value_and_grad
    >>> x = Value(0.5, "x")
    >>> traced = trace(x.sigmoid(), [x])
    >>> program, of = value_and_grad(traced)
    >>> forward = {eq.out for eq in traced.equations}
    >>> names = Names()
    >>> print(python_source(program, of, forward, [names.new("x", "")], names, "f", [0]), end="")
    def f(x):
        # forward
        sigma_x = sigmoid(x)
        # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S
        dL_dx = sigma_x * (1.0 - sigma_x)
        return sigma_x, (dL_dx,)
    """
    printer = _Printer(program, gradient_of, forward, params, names, shared)
    for eq in program.equations:
        printer.equation(eq.out, eq.rule, eq.inputs)
    return printer.source(function, wrt)


def array_source(
    program: Program,
    gradient_of: Mapping[Var, Var],
    forward: set[Var],
    labels: Mapping[Var, str],
    params: Sequence[str],
    names: Names,
    function: str,
    outputs: Sequence[str],
    like: Var,
) -> str:
    """The source of an array program (:func:`autograd.layers.group_layers`'): its
    equations as :func:`python_source` prints them, ``labels`` naming some variables,
    each output returned as ``outputs`` says ("each", "float" or "array"); ``like`` is
    a per-sample input, whose arrays new per-sample arrays are like."""
    printer = _Printer(program, gradient_of, forward, params, names, (), labels)
    for eq in program.equations:
        printer.equation(eq.out, eq.rule, eq.inputs)
    return printer.returned(function, outputs, like)


class _Printer:
    """An identifier, or a formula written inline, for each variable (by name, whose hash
    Python keeps); the lines so far."""

    def __init__(
        self,
        program: Program,
        gradient_of: Mapping[Var, Var],
        forward: set[Var],
        params: Sequence[str],
        names: Names,
        shared: Sequence[int] | None,
        labels: Mapping[Var, str] | None = None,
    ) -> None:
        self.program, self.names, self.shared = program, names, shared
        self.labels = {v.name: label for v, label in (labels or {}).items()}
        self.gradient_of = {d.name: v for d, v in gradient_of.items()}
        self.forward = {v.name for v in forward}
        self.early = _needed(program, self.forward)  # lines of the forward part
        self.term: dict[str, tuple[Any, int]] = {  # a name or a formula, and its depth
            v.name: (Formula(p), 0) for v, p in zip(program.inputs, params, strict=True)
        }
        self.shown: dict[str, Any] = {v: f for v, (f, _) in self.term.items()}
        self.uses = Counter(
            a.name for eq in program.equations for a in eq.inputs if isinstance(a, Var)
        )
        self.uses.update(a.name for a in program.outputs if isinstance(a, Var))
        self.per_sample = {v.name for i, v in enumerate(program.inputs) if i not in (shared or ())}
        self.forward_lines: list[str] = []
        self.backward_lines: list[str] = []
        self.unnamed = 0  # an unlabelled line whose name is no identifier is v1, v2, ...

    def equation(self, out: Var, rule: Rule, inputs: tuple[Atom, ...]) -> None:
        """``out = rule(*inputs)``: a line, or a formula that its one reader writes inline."""
        args: list[Any] = []
        depth = 0
        for a in inputs:
            if isinstance(a, float):
                args.append(a)
                continue
            formula, d = self.term[a.name]
            args.append(formula)
            depth = max(depth, d)
        if self.shared is not None and any(self.per_sample.intersection(_names_of(inputs))):
            self.per_sample.add(out.name)
        formula = Formula("", rule, tuple(args)) if rule.expand is None else rule.expand(*args)
        key = out.name
        if key in self.labels:
            name = self.names.new(identifier(self.labels[key]), "a")
        elif key in self.forward:
            name = self._forward_name(key, rule, inputs)
        elif key in self.gradient_of:
            name = self.names.new(gradient_name(self._identifier(self.gradient_of[key])), "g")
        elif self.uses[key] == 1 and depth < DEPTH:
            self.term[key] = (formula, depth + 1)
            return
        else:
            name = self.names.new("", "p")  # a partial that more than one equation reads
        lines = self.forward_lines if key in self.early else self.backward_lines
        lines += [f"    {name} = {line}" for line in _lines(name, formula)]
        self.term[key] = (Formula(name), 0)

    def _text(self, a: Atom) -> str:
        return to_python(self.term[a.name][0] if isinstance(a, Var) else a)

    def _identifier(self, v: Var) -> str:
        return self._text(v) if v.name in self.term else identifier(v.name)

    def _forward_name(self, key: str, rule: Rule, inputs: tuple[Atom, ...]) -> str:
        """A traced variable's identifier: from its label, or from what it computes."""
        fresh = key[0] == "t" and key[1:].isdigit()  # a name trace made up
        if fresh:
            shown = {a.name: self.shown.get(a.name, self.term[a.name][0]) for a in _vars(inputs)}
            self.shown[key] = _shown(rule, inputs, shown)
        else:
            self.shown[key] = Formula(key)
        wanted = identifier(spelt(to_text(self.shown[key], identifier)))
        self.unnamed += not wanted
        return self.names.new(wanted, f"v{self.unnamed}")

    def source(self, function: str, wrt: Sequence[int]) -> str:
        """The function's text: its lines, then the value and the gradients."""
        inputs = self.program.inputs
        value, *grads = self.program.outputs
        results = [self._result(inputs[i], g) for i, g in zip(wrt, grads, strict=True)]
        params = [self._text(v) for v in inputs]
        value_text = self._text(value)
        if self.shared is not None:
            params.insert(0, BATCH_SIZE)
            value_text = f"each({value_text}, {self._like()})"
        return self._function(function, ", ".join(params), value_text, results)

    def _result(self, x: Var, g: Atom) -> str:
        """The gradient of input x as returned: its name, after a line that names it if
        need be; in batched code an array of n, or the sum over the batch if x is shared."""
        text = self._text(g)
        if not (isinstance(g, Var) and self.gradient_of.get(g.name) == x):
            name = self.names.new(gradient_name(self._text(x)), "g")
            self.backward_lines.append(f"    {name} = {text}")
            text = name
        if self.shared is None:
            return text
        if self.program.inputs.index(x) not in self.shared:
            return f"each({text}, {self._like()})"
        if isinstance(g, Var) and g.name in self.per_sample:
            return f"float(batch_sum({text}))"
        return f"float({BATCH_SIZE} * {text})"

    def returned(self, function: str, outputs: Sequence[str], like: Var) -> str:
        """The function's text when the program's outputs are returned as ``outputs`` says:
        "each" an array of one value per sample, "float" a number, "array" as it is."""
        texts = [self._text(a) for a in self.program.outputs]
        shown = {"each": "each({}, " + self._text(like) + ")", "float": "float({})", "array": "{}"}
        value, *results = [shown[k].format(t) for t, k in zip(texts, outputs, strict=True)]
        params = ", ".join(self._text(v) for v in self.program.inputs)
        return self._function(function, params, value, results)

    def _function(self, function: str, params: str, value: str, results: list[str]) -> str:
        """The function's text: its forward and backward lines, then what it returns."""
        lines = [f"def {function}({params}):", "    # forward", *self.forward_lines]
        if self.backward_lines:
            lines.append("    # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S")
        lines += self.backward_lines
        lines.append(f"    return {value}, {tuple_source(results)}")
        return "\n".join(lines) + "\n"

    def _like(self) -> str:
        """A per-sample input, whose arrays the batched code's new arrays are like."""
        return next(self._text(v) for v in self.program.inputs if v.name in self.per_sample)


def _needed(program: Program, forward: set[str]) -> set[str]:
    """The forward variables and every one they read, at any depth: their lines come
    before the backward part's."""
    found = set(forward)
    for eq in reversed(program.equations):
        if eq.out.name in found:
            found.update(a.name for a in eq.inputs if isinstance(a, Var))
    return found


def _vars(inputs: tuple[Atom, ...]) -> list[Var]:
    return [a for a in inputs if isinstance(a, Var)]


def _names_of(inputs: tuple[Atom, ...]) -> list[str]:
    return [a.name for a in inputs if isinstance(a, Var)]


def _shown(rule: Rule, inputs: tuple[Atom, ...], shown: Mapping[str, Any]) -> Formula:
    """What an unlabelled variable computes, in its inputs' names, cut to about
    :data:`~autograd.names.MAX_CHARS` characters (as :mod:`autograd.names` names nodes)."""
    args = [shown[a.name] if isinstance(a, Var) else a for a in inputs]
    while len(to_text(Formula("", rule, tuple(args)))) > MAX_CHARS:
        longest = max(range(len(args)), key=lambda i: len(to_text(args[i])))
        if to_text(args[longest]) == ELIDED:
            break  # every input is elided already: a very wide op
        args[longest] = Formula(ELIDED)
    return Formula("", rule, tuple(args))


def _lines(name: str, formula: Any) -> list[str]:
    """``formula`` as the right-hand side of one line, or of several for a long sum."""
    if isinstance(formula, Formula) and formula.rule is not None and formula.rule.name == "add":
        parts = terms(formula)
        if len(parts) > TERMS_PER_LINE:
            return sum_lines(name, parts)
    return [to_python(formula)]


def sum_lines(name: str, parts: list[tuple[Any, bool]]) -> list[str]:
    """``name = t1 + t2 - t3 ...``, left to right, as (term, subtracted) ``parts`` add up.

    ``a + -b`` and ``a - b`` are the same IEEE operation. A long sum goes over
    several lines (``name = name + ...``), which keeps the parser's nesting shallow.

    >>> sum_lines("s", [(Formula("a"), False), (Formula("b"), True)])
    ['a - b']
    """
    lines = []
    for start in range(0, len(parts), TERMS_PER_LINE):
        if start == 0:
            first, negated = parts[0]
            total: Any = -first if negated else first
        else:
            total = Formula(name)
        for term, negated in parts[start + (start == 0) : start + TERMS_PER_LINE]:
            total = total - term if negated else total + term
        lines.append(to_python(total))
    return lines


def tuple_source(items: Sequence[str]) -> str:
    """A tuple's source: ``(a,)``, ``(a, b)``, ``()``."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


# --- the functions the generated code is given ---


def scalar_namespace() -> dict[str, Any]:
    """IEEE-safe float functions: the rows' own forward functions, by op name.

    >>> scalar_namespace()["div"](1.0, 0.0)
    inf
    """
    namespace: dict[str, Any] = {name: rule.forward for name, rule in RULES.items()}
    namespace.update(inf=math.inf, nan=math.nan)
    namespace[TIMES.name] = TIMES.forward
    namespace["__builtins__"] = {}  # the code calls only what it is given
    return namespace


def batched_namespace(xp: Any = None) -> dict[str, Any]:
    """Each row's array forward on the array namespace ``xp`` (NumPy's by default).

    ``xp`` is an array API namespace, as ``array_api_compat.array_namespace(x)``
    gives. Under NumPy the code runs in ``numpy.errstate(all="ignore")``: exp
    overflows to inf, log(0) is -inf and log(<0) nan, as the float functions do.
    A row without an array forward runs its float forward element by element.

    >>> import numpy
    >>> batched_namespace()["exp"](numpy.asarray([0.0, 1.0])).tolist()
    [1.0, 2.718281828459045]
    """
    numpy = numpy_namespace()
    if xp is None:
        xp = numpy
    from array_api_compat import device

    def where(like: Any) -> dict[str, Any]:  # the device of `like`: a GPU's, say
        return {} if xp is numpy else {"device": device(like)}

    namespace: dict[str, Any] = {name: _on_arrays(xp, rule, where) for name, rule in RULES.items()}
    namespace.update(_array_helpers(xp, where))
    # No builtins but the import hook: an array library may import lazily (PyTorch does),
    # and under a mypyc-compiled row there is no Python frame but this code's to read it from.
    namespace["__builtins__"] = {"__import__": __import__}
    return namespace


def _on_arrays(xp: Any, rule: Rule, where: Callable[[Any], dict[str, Any]]) -> Callable[..., Any]:
    forward = rule.forward
    if rule.array is not None and xp is numpy_namespace():
        return functools.partial(rule.array, xp)  # NumPy's functions take numbers too
    if rule.array is not None:
        array = rule.array

        def on_arrays(*args: Any) -> Any:  # PyTorch's functions, say, take no Python float
            like = next((a for a in args if not isinstance(a, float)), None)
            if like is None:  # numbers alone (shared inputs): the row's float function
                return forward(*args)
            return array(
                xp,
                *[
                    xp.asarray(a, dtype=like.dtype, **where(like)) if isinstance(a, float) else a
                    for a in args
                ],
            )

        return on_arrays

    def elementwise(*args: Any) -> Any:  # one float call per element
        # a 0-d array (xp.where's answer on numbers) is a number too
        args = tuple(a if isinstance(a, float) or a.ndim else float(a) for a in args)
        like = next((a for a in args if not isinstance(a, float)), None)
        if like is None:
            return forward(*args)
        columns = [a if isinstance(a, float) else to_list(a) for a in args]
        rows = [
            forward(*[c if isinstance(c, float) else c[k] for c in columns])
            for k in range(like.shape[0])
        ]
        return xp.asarray(rows, dtype=like.dtype, **where(like))

    return elementwise


def _array_helpers(xp: Any, where: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    """The names the batched code calls beside the rows."""

    def times(g: Any, p: Any, n: Any, d: Any) -> Any:  # the program's TIMES row
        if all(isinstance(a, float) for a in (g, p, n, d)):
            return TIMES.forward(g, p, n, d)
        if isinstance(p, float):  # one partial for the whole batch: decided here
            return g * p if p - p == 0.0 else g * n / d
        return xp.where(p - p == 0.0, g * p, g * n / d)

    def each(x: Any, like: Any) -> Any:  # one value per sample, in a new array
        if isinstance(x, float) or x.ndim == 0:  # a number, or a 0-d array of one
            return xp.full_like(like, float(x))
        return xp.asarray(x, copy=True)

    def columns(like: Any, *cols: Any) -> Any:  # a matrix with these columns, one row per sample
        if len(cols) == 1 and not isinstance(cols[0], float):
            return xp.reshape(cols[0], (-1, 1))
        return xp.stack(
            [xp.full_like(like, c) if isinstance(c, float) else c for c in cols], axis=1
        )

    def matrix(like: Any, *rows: tuple[float, ...]) -> Any:  # a layer's weights, row j for unit j
        return xp.asarray(rows, dtype=like.dtype, **where(like))

    def vector(like: Any, *items: float) -> Any:
        return xp.asarray(items, dtype=like.dtype, **where(like))

    def batch_sum(x: Any) -> float:  # the sum over the batch
        return float(xp.sum(x))

    def batch_sums(x: Any) -> Any:  # the sum over the batch of each column
        return xp.sum(x, axis=0)

    def sum_of_squares(a: Any) -> float:  # Σ_ij a_ij², the squares as a * a rounds them
        flat = xp.reshape(a, (-1,))
        return float(xp.vecdot(flat, flat))

    helpers = [each, columns, matrix, vector, batch_sum, batch_sums, sum_of_squares]
    found: dict[str, Any] = {f.__name__: f for f in helpers}
    found.update(inf=math.inf, nan=math.nan, float=float, entries=to_list)
    found[TIMES.name] = times
    return found


def to_list(a: Any) -> Any:
    """An array's numbers as nested lists of floats (a float for a 0-d array)."""
    if hasattr(a, "tolist"):
        return a.tolist()
    if a.ndim == 0:
        return float(a)
    if a.ndim == 1:
        return [float(a[i]) for i in range(a.shape[0])]
    return [to_list(a[i, ...]) for i in range(a.shape[0])]


def numpy_namespace() -> Any:
    """NumPy's array API namespace, or an ImportError that says what to install.

    NumPy 2 is that namespace itself; NumPy 1 through array-api-compat's wrapper.
    """
    try:
        import array_api_compat.numpy
        import numpy
    except ImportError:
        raise ImportError(
            "Compiled.batch runs on NumPy (or another array library) through "
            "array-api-compat, which is not installed; "
            "install both with: pip install 'chainrule[batch]'"
        ) from None
    if hasattr(numpy, "__array_namespace_info__"):  # NumPy 2: the standard, without wrappers
        return numpy
    return array_api_compat.numpy


def define(source: str, function: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    """The function named ``function`` that ``source`` defines, run in ``namespace``."""
    code = builtins.compile(source, f"<compiled {function}>", "exec")
    exec(code, namespace)  # the source holds our identifiers, number literals and op names only
    return namespace[function]  # type: ignore[no-any-return]
