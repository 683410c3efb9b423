"""Compile a scalar function into straight-line Python for its value and its gradient.

:func:`compile` traces a function once on Values, runs each node's row of the
derivative table on symbols, and writes one Python function: a forward line per
op, then a backward line per gradient, named after the nodes' labels
(``delta_S_1_2`` for δ_1^(2), ``dL_dw_11_2`` for ∂L/∂w_11^(2)). Running it
builds no graph and dispatches on nothing.

- On floats it calls the table's own IEEE functions in the eager engine's
  order, so its value and gradients are the engine's, bit for bit, inf and nan
  included.
- :meth:`Compiled.batch` runs the same lines on NumPy arrays, one sample per
  element, with NumPy versions of the functions (same inf and nan results, a
  few ulps apart from libm elsewhere). A shared input's gradient is the sum of
  the per-sample gradients, added in a different order than one by one.

The trace records one path through the function: its ops must not depend on
the data (no ``if x.data > 0``, no loop whose length depends on a value). The
generated text holds only identifiers made from labels (``[A-Za-z_][A-Za-z0-9_]*``),
number literals and the names of the functions it is given; it runs without
builtins.
"""

from __future__ import annotations

import builtins
import functools
import inspect
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .engine import Constant, Value, topological_order
from .formula import Formula, terms, to_python
from .ops import RULES, Rule, as_float

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]

__all__ = ["Compiled", "compile"]

_TRACE_POINT = 0.5  # the inputs' value while tracing; the ops recorded do not depend on it
_LONGEST_NAME = 64  # labels longer than this are cut when they become identifiers
_TERMS_PER_LINE = 64  # long sums are split over lines, keeping the parser's nesting shallow


# --- names: labels become identifiers, and nothing else of the user's reaches the source ---

# Names the generated code calls: the rows' forward functions by op name, plus these.
_HELPERS = ("masked", "inf", "nan", "each", "batch_sum", "float")
_BATCH_SIZE = "n_samples"  # the batched function's first parameter


def _identifier(label: str) -> str:
    """``label`` as ``[A-Za-z_][A-Za-z0-9_]*``, or "" when nothing of it survives.

    Letters, digits and ``_`` stay; a Greek letter becomes its name (δ -> delta),
    a sub- or superscript digit its digit; any run of other characters is one
    ``_``. ``S_1^(2)`` -> ``S_1_2``.
    """
    pieces: list[str] = []
    for ch in label[: 4 * _LONGEST_NAME]:
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            pieces.append(ch)
            continue
        digit = unicodedata.digit(ch, None)
        if digit is not None:
            pieces.append(str(digit))
            continue
        name = unicodedata.name(ch, "")
        for prefix, case in (
            ("GREEK SMALL LETTER ", str.lower),
            ("GREEK CAPITAL LETTER ", str.title),
        ):
            if name.startswith(prefix):
                pieces.append(f" {case(name[len(prefix) :].split()[0])} ")
                break
        else:
            pieces.append(" ")
    text = re.sub(r"_* +_*", "_", "".join(pieces).strip(" "))[:_LONGEST_NAME]
    if text and text[0].isdigit():
        text = "v_" + text
    return text


class _Names:
    """Hands out distinct identifiers that are neither keywords nor the code's own names."""

    def __init__(self) -> None:
        self.taken: set[str] = {*RULES, *_HELPERS, _BATCH_SIZE}

    def new(self, wanted: str, fallback: str) -> str:
        base = wanted or fallback
        if keyword.iskeyword(base) or keyword.issoftkeyword(base):
            base += "_"
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return name


def _gradient_name(identifier: str) -> str:
    """δ for a weighted sum S, ∂L/∂ for everything else: ``delta_S_1_2``, ``dL_dw_11_2``."""
    if identifier == "S" or identifier.startswith("S_"):
        return "delta_" + identifier
    return "dL_d" + identifier


# --- symbols: the table's rows run on these and print Python source ---


_Symbol = Formula  # a name in the generated code
Term = Formula | float  # a symbolic expression, or a constant folded at compile time


def _text(term: Term) -> str:
    return to_python(term)


def _times(g: Term, p: Term) -> Term:
    """The contribution ``g * p``; dropping a factor 1.0 or -1.0 keeps IEEE results exact."""
    if isinstance(g, float) and isinstance(p, float):
        return g * p
    for a, b in ((g, p), (p, g)):
        if isinstance(b, float) and b == 1.0:
            return a
        if isinstance(b, float) and b == -1.0:
            return -a
    return g * p


def _forward(op: str, args: list[Term]) -> Term:
    """The expression computing node ``op`` from its inputs, as the eager engine does.

    Constant inputs only: the number, folded now. An n-ary row is its expansion
    (``w_1 * x_1 + ... - b``, added left to right as the row's forward adds them).
    """
    rule = RULES[op]
    if all(isinstance(a, float) for a in args):
        return float(rule.forward(*args))
    if rule.expand is not None:
        return rule.expand(*args)  # type: ignore[no-any-return]
    return Formula._apply_rule(rule, tuple(args))  # type: ignore[no-any-return]


# --- code generation ---

_IDENTIFIER = re.compile(r"\b[A-Za-z_]\w*")


class _Leaf:
    """A place in the backward lines where an input's gradient is complete."""

    __slots__ = ("index", "name", "parts")

    def __init__(self, index: int, name: str, parts: list[tuple[Term, Term]]) -> None:
        self.index = index
        self.name = name
        self.parts = parts  # the contributions (∂L/∂consumer, ∂consumer/∂input), in order


class _Program:
    """The graph, read once: identifiers, forward expressions, gradient contributions.

    It also knows which names hold one number per sample in batched code: those
    computed from a per-sample (not shared) input.
    """

    def __init__(
        self,
        output: Value,
        inputs: Sequence[Value],
        names: Sequence[str],
        wrt: Sequence[int],
        shared: Sequence[int],
        function: str,
        what: str,
    ) -> None:
        order = topological_order(output)
        position = {node: i for i, node in enumerate(inputs)}
        idents = _Names()
        self.function = idents.new(function, "f")
        idents.taken.add(self.function + "_batch")
        self.params = [idents.new(_identifier(name), f"x{i}") for i, name in enumerate(names)]
        self.wrt, self.shared = tuple(wrt), tuple(shared)
        self.per_sample = {p for i, p in enumerate(self.params) if i not in shared}
        symbol: dict[Value, Term] = {}
        for node, param in zip(inputs, self.params, strict=True):
            symbol[node] = _Symbol(param)
        self.forward: list[tuple[str, str]] = []
        ops = 0  # unlabelled nodes are v1, v2, ... in the order of their lines
        for node in order:
            if node._rule is None:
                if node in position:
                    continue
                if type(node) is Constant:
                    symbol[node] = node.data
                    continue
                raise ValueError(
                    f"{what} uses a Value that is not one of its inputs: "
                    f"label {node.label!r}, data {node.data!r}. Make it an input, or write "
                    "it as a plain number to compile its current value in as a constant"
                )
            wanted = _identifier(node.label)
            ops += not wanted
            name = idents.new(wanted, f"v{ops}")
            expression = _forward(node.op, [symbol[x] for x in node.inputs])
            for line in _sum_lines(name, terms(expression)):  # a long sum over several lines
                self._assign(self.forward, name, line)
            symbol[node] = _Symbol(name)
        self.result = _text(symbol[output])

        # Backward, in reverse topological order, along the paths that reach an input
        # in wrt. A node's line is written once its last consumer has contributed, so
        # each δ is followed by the gradients it completes, as in the notes.
        targets = {inputs[i] for i in wrt}
        needed: set[Value] = set()
        for node in order:
            if node in targets or any(x in needed for x in node.inputs):
                needed.add(node)
        pending: dict[Value, int] = {}
        for node in order:
            for x in node.inputs:
                if x in needed:
                    pending[x] = pending.get(x, 0) + 1
        gradient: dict[Value, Term] = {output: 1.0}  # ∂L/∂L
        contributions: dict[Value, list[tuple[Term, Term]]] = {}
        self.backward: list[tuple[str, str] | _Leaf] = []
        self.leaves: dict[int, _Leaf] = {}

        def finish(x: Value, parts: list[tuple[Term, Term]]) -> None:
            if x in position:  # an input: its lines depend on the mode
                i = position[x]
                leaf = _Leaf(i, idents.new(_gradient_name(self.params[i]), "g"), parts)
                self.leaves[i] = leaf
                self.backward.append(leaf)
            elif len(parts) == 1 and not x.label and _is_name_or_number(_times(*parts[0])):
                gradient[x] = _times(*parts[0])  # an unlabelled alias needs no line
            else:
                name = idents.new(_gradient_name(_text(symbol[x])), "g")
                for line in _sum_lines(name, [_signed(g, p) for g, p in parts]):
                    self._assign(self.backward, name, line)
                gradient[x] = _Symbol(name)

        for node in reversed(order):
            if node not in needed or node._rule is None:
                continue
            ins = node.inputs
            local = node._rule.derivative(symbol[node], *[symbol[x] for x in ins])
            g = gradient[node]
            for x, p in zip(ins, local, strict=True):
                if x not in needed:
                    continue
                parts = contributions.setdefault(x, [])
                if p is None or (node._rule.masks and isinstance(p, float) and p == 0.0):
                    parts.append((1.0, 0.0))  # exactly 0, as the engine passes on
                elif node._rule.masks:  # a partial of 0 stops inf and nan
                    parts.append((1.0, Formula(f"masked({_text(g)}, {_text(p)})")))
                else:
                    parts.append((g, p))
                pending[x] -= 1
                if not pending[x]:
                    finish(x, contributions.pop(x))
        if output in position and output in needed:  # the output is an input: ∂L/∂L = 1
            finish(output, [(1.0, 1.0)])

    def _assign(self, lines: list[Any], name: str, expression: str) -> None:
        lines.append((name, expression))
        if self._per_sample(expression):
            self.per_sample.add(name)

    def _per_sample(self, term: Term | str) -> bool:
        """Whether batched code holds one number per sample here, or one for all."""
        text = term if isinstance(term, str) else _text(term)
        return any(name in self.per_sample for name in _IDENTIFIER.findall(text))

    def source(self, batched: bool) -> str:
        """The scalar function's source, or the batched one's."""
        function = self.function + "_batch" if batched else self.function
        params = ([_BATCH_SIZE] if batched else []) + self.params
        lines = [f"def {function}({', '.join(params)}):", "    # forward"]
        lines += [f"    {name} = {expression}" for name, expression in self.forward]
        if self.backward:
            lines.append("    # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S")
        for entry in self.backward:
            if isinstance(entry, _Leaf):
                lines += [f"    {entry.name} = {e}" for e in self._leaf(entry, batched)]
            else:
                lines.append(f"    {entry[0]} = {entry[1]}")
        results = []
        for i in self.wrt:
            g = self.leaves[i].name if i in self.leaves else "0.0"  # 0.0: L ignores input i
            if batched:
                g = f"float({g})" if i in self.shared else f"each({g}, {_BATCH_SIZE})"
            results.append(g)
        value = f"each({self.result}, {_BATCH_SIZE})" if batched else self.result
        lines.append(f"    return {value}, {_tuple(results)}")
        return "\n".join(lines) + "\n"

    def _leaf(self, leaf: _Leaf, batched: bool) -> list[str]:
        """The lines that compute an input's gradient.

        In batched code a shared input's gradient is the sum over the batch of every
        contribution: n times the ones that are the same for every sample, plus
        ``batch_sum`` of each that is not (each product rounded as the eager engine
        rounds it; only the order of the additions differs).
        """
        signed = [_signed(g, p) for g, p in leaf.parts]
        if not batched or leaf.index not in self.shared:
            return _sum_lines(leaf.name, signed)
        same = [term for term in signed if not self._per_sample(term[0])]
        lines: list[str] = []
        terms: list[tuple[Term, bool]] = []
        if same:  # n times what every sample gives, then each per-sample part's batch sum
            lines = _sum_lines(leaf.name, same)
            terms.append((_Symbol(_BATCH_SIZE) * _Symbol(leaf.name), False))
        for term, negated in signed:
            if self._per_sample(term):
                terms.append((Formula(f"batch_sum({_text(term)})"), negated))
        return lines + _sum_lines(leaf.name, terms)


def _signed(g: Term, p: Term) -> tuple[Term, bool]:
    """The contribution ``g * p`` as (term, subtract): ``a + -b`` is written ``a - b``."""
    for a, b in ((g, p), (p, g)):
        if isinstance(b, float) and b == -1.0 and isinstance(a, Formula):
            return a, True
    return _times(g, p), False


def _sum_lines(name: str, terms: list[tuple[Term, bool]]) -> list[str]:
    """``name = t1 + t2 - t3 ...``, left to right as the engine adds them.

    ``a + -b`` and ``a - b`` are the same IEEE operation. A long sum goes over
    several lines (``name = name + ...``), which keeps the parser's nesting shallow.
    """
    lines = []
    for start in range(0, len(terms), _TERMS_PER_LINE):
        if start == 0:
            first, negated = terms[0]
            total: Term = -first if negated else first
        else:
            total = _Symbol(name)
        for term, negated in terms[start + (start == 0) : start + _TERMS_PER_LINE]:
            total = total - term if negated else total + term
        lines.append(_text(total))
    return lines


def _tuple(items: Sequence[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"  # () when empty


def _is_name_or_number(term: Term) -> bool:
    return isinstance(term, float) or term.rule is None


# --- the functions the generated code is given ---


def _masked(g: float, p: float) -> float:
    """A masking row's contribution: exactly 0 where the partial is 0, inf and nan included."""
    return 0.0 if p == 0.0 else g * p


def _scalar_namespace() -> dict[str, Any]:
    """IEEE-safe float functions: the rows' own forward functions, by op name."""
    namespace: dict[str, Any] = {name: rule.forward for name, rule in RULES.items()}
    namespace.update(masked=_masked, inf=math.inf, nan=math.nan)
    namespace["__builtins__"] = {}  # the code calls only what it is given
    return namespace


def _batched_namespace() -> dict[str, Any]:
    """Each row's array forward on NumPy, with the same inf and nan results as on floats.

    Called under ``numpy.errstate(all="ignore")``: exp overflows to inf, log(0)
    is -inf and log(<0) nan, as the float functions do. A row without an array
    forward runs its float forward element by element.
    """
    import numpy as np

    def on_arrays(rule: Rule) -> Callable[..., Any]:
        if rule.array is not None:
            return functools.partial(rule.array, np)
        return np.vectorize(rule.forward, otypes=[np.float64])

    def masked(g: Any, p: Any) -> Any:
        return np.where(p == 0.0, 0.0, g * p)

    def each(x: Any, n: int) -> Any:  # one value per sample, in a new array
        return np.array(np.broadcast_to(x, (n,)), dtype=np.float64)

    namespace: dict[str, Any] = {name: on_arrays(rule) for name, rule in RULES.items()}
    namespace.update(masked=masked, inf=math.inf, nan=math.nan, each=each, float=float)
    namespace.update(batch_sum=np.add.reduce, __builtins__={})
    return namespace


def _define(source: str, function: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    code = builtins.compile(source, f"<compiled {function}>", "exec")
    exec(code, namespace)  # the source holds our identifiers, number literals and op names only
    return namespace[function]  # type: ignore[no-any-return]


# --- the public API ---


def _indices(
    what: str, chosen: str | Iterable[str] | None, names: tuple[str, ...]
) -> tuple[int, ...]:
    if chosen is None:
        return tuple(range(len(names)))
    picked = (chosen,) if isinstance(chosen, str) else tuple(chosen)
    result = []
    for name in picked:
        if not isinstance(name, str) or name not in names:
            raise ValueError(
                f"{what} must name inputs of the function; got {name!r}, "
                f"the inputs are {', '.join(map(repr, names))}"
            )
        if names.index(name) in result:
            raise ValueError(f"{what} names {name!r} twice")
        result.append(names.index(name))
    return tuple(result)


class Compiled:
    """A function compiled by :func:`compile`: its value and gradient as straight-line code.

    ``compiled(*floats)`` returns ``(value, grads)``: the value as a float and the
    gradient with respect to each input named in ``wrt``, in that order, as a tuple
    of floats. It builds no graph. ``compiled.source`` is the code it runs.

    ``compiled.batch(*args)`` runs the same code on NumPy arrays, one sample per
    element: each per-sample input is a 1-D array, all of one length n, and each
    input named in ``shared`` (parameters, say) is one number for the whole batch.
    It returns the value of every sample (an array of n) and the gradients of their
    sum: an array of n for a per-sample input, the sum over the batch (a float) for a
    shared one. So one call gives the gradient of a full-batch loss Σ_n f(params, x_n).

    ``Compiled(output, inputs)`` compiles a graph already built, say a model's
    loss, whose leaves ``inputs`` (its parameters, its data) become the inputs; they
    are named by their labels, or by ``names``. Any other leaf in the graph must be
    a Constant. ``wrt``, ``shared`` and ``name`` (of the function) are as for
    :func:`compile`.

    >>> from autograd import Value
    >>> w, x = Value(3.0, "w_11^(1)"), Value(2.0, "x_1^(0)")
    >>> Compiled((w * x).tanh(), [w, x], wrt=["w_11^(1)"]).source.splitlines()[0]
    'def f(w_11_1, x_1_0):'

    >>> f = compile(lambda w, x, b: (w * x - b).sigmoid(), shared=["w", "b"])
    >>> value, (dw, dx, db) = f(0.5, 2.0, 0.1)
    >>> round(value, 4), round(dw, 4), round(db, 4)
    (0.7109, 0.411, -0.2055)
    >>> values, (dw, dx, db) = f.batch(0.5, [2.0, 2.0, 0.0], 0.1)  # needs NumPy
    >>> values.round(4).tolist(), round(dw, 4), dx.round(4).tolist()
    ([0.7109, 0.7109, 0.475], 0.822, [0.1028, 0.1028, 0.1247])
    """

    __slots__ = (
        "_batched",
        "_function",
        "_is_shared",
        "_name",
        "batch_source",
        "inputs",
        "shared",
        "source",
        "wrt",
    )

    inputs: tuple[str, ...]
    wrt: tuple[str, ...]
    shared: tuple[str, ...]
    source: str
    batch_source: str

    def __init__(
        self,
        output: Value,
        inputs: Sequence[Value],
        *,
        names: Sequence[str] | None = None,
        wrt: str | Iterable[str] | None = None,
        shared: str | Iterable[str] = (),
        name: str = "f",
    ) -> None:
        leaves = list(inputs)
        seen: dict[Value, int] = {}
        for i, v in enumerate(leaves):
            if not isinstance(v, Value) or v.op or type(v) is Constant:
                raise TypeError(
                    f"inputs must be leaf Values (made with Value(...), not by an op); "
                    f"inputs[{i}] is {v!r:.80}"
                )
            if v in seen:
                raise ValueError(f"inputs[{i}] is inputs[{seen[v]}] again; give each input once")
            seen[v] = i
        if names is None:
            names = tuple(v.label for v in leaves)
        elif isinstance(names, str) or len(names) != len(leaves):
            raise ValueError(
                f"names must be a list of {len(leaves)} str, one per input; got {names!r:.80}"
            )
        names = tuple(names)
        for i, n in enumerate(names):
            if not isinstance(n, str) or not n or names.index(n) != i:
                problem = f"is {n!r}" if not isinstance(n, str) or not n else f"repeats {n!r}"
                raise ValueError(
                    "inputs need distinct names (their labels, or names=[...]); "
                    f"the name of inputs[{i}] {problem}"
                )
        if not isinstance(output, Value):
            raise TypeError(f"{name} must give a Value, got {type(output).__name__}")
        wrt_at = _indices("wrt", wrt, names)
        shared_at = _indices("shared", shared, names) if shared else ()
        self.inputs, self.wrt = names, tuple(names[i] for i in wrt_at)
        self.shared = tuple(names[i] for i in shared_at)
        self._is_shared = tuple(i in shared_at for i in range(len(names)))
        program = _Program(output, leaves, names, wrt_at, shared_at, _identifier(name), name)
        self._name = program.function
        self.source = program.source(batched=False)
        self.batch_source = program.source(batched=True)
        self._function = _define(self.source, program.function, _scalar_namespace())
        self._batched: Callable[..., Any] | None = None

    def __repr__(self) -> str:
        return (
            f"<compiled {self._name}: inputs {self.inputs}, wrt {self.wrt}, shared {self.shared}>"
        )

    def _count(self, got: int) -> str:
        n = len(self.inputs)
        return f"{self._name} takes {n} input{'s' * (n != 1)} ({', '.join(self.inputs)}), got {got}"

    def __call__(self, *args: float) -> tuple[float, tuple[float, ...]]:
        """The value and the gradients at one point: ``value, grads = compiled(*floats)``.

        >>> compile(lambda x, y: x * y)(3.0, 4)
        (12.0, (4.0, 3.0))
        """
        if len(args) != len(self.inputs):
            raise TypeError(self._count(len(args)))
        for a in args:
            if type(a) is not float:
                args = tuple(
                    as_float(x, f"input {name!r}")
                    for x, name in zip(args, self.inputs, strict=True)
                )
                break
        return self._function(*args)  # type: ignore[no-any-return]

    def batch(self, *args: Any) -> tuple[FloatArray, tuple[float | FloatArray, ...]]:
        """Values and gradients over a batch: arrays for per-sample inputs, numbers for shared.

        Needs NumPy (``pip install 'chainrule[batch]'``).

        >>> f = compile(lambda w, x: w * x, shared=["w"])
        >>> values, (dw, dx) = f.batch(2.0, [1.0, 2.0, 3.0])
        >>> values.tolist(), dw, dx.tolist()  # dw = Σ_n x_n
        ([2.0, 4.0, 6.0], 6.0, [2.0, 2.0, 2.0])
        """
        try:
            import numpy as np
        except ImportError:
            raise ImportError(
                "Compiled.batch runs on NumPy, which is not installed; "
                "install it with: pip install 'chainrule[batch]'"
            ) from None
        if len(args) != len(self.inputs):
            raise TypeError(self._count(len(args)))
        size: tuple[str, int] | None = None
        converted: list[Any] = []
        for name, a, is_shared in zip(self.inputs, args, self._is_shared, strict=True):
            if is_shared:
                if type(a) is not float:
                    if isinstance(a, np.ndarray) and a.ndim == 0:
                        a = a.item()
                    a = as_float(a, f"shared input {name!r}")
                converted.append(a)
                continue
            array = np.asarray(a)
            if array.dtype.kind not in "iuf":
                raise TypeError(
                    f"per-sample input {name!r} must hold real numbers, got dtype {array.dtype}"
                )
            if array.ndim != 1:
                raise ValueError(
                    f"per-sample input {name!r} must be a 1-D array with one number per "
                    f"sample, got shape {array.shape}; name it in shared= if it is one number "
                    "for the whole batch"
                )
            if size is None:
                size = (name, len(array))
            elif len(array) != size[1]:
                raise ValueError(
                    f"per-sample inputs must have one length: {size[0]!r} has {size[1]} "
                    f"samples, so {name!r} needs {size[1]}, got {len(array)}"
                )
            converted.append(array.astype(np.float64, copy=False))
        if size is None:
            raise ValueError(
                "batch needs at least one per-sample input, but every input is shared; "
                "call the compiled function itself instead"
            )
        if size[1] == 0:  # an empty batch: no values, and gradients that sum nothing
            empty = np.zeros(0)
            return empty, tuple(0.0 if n in self.shared else empty.copy() for n in self.wrt)
        if self._batched is None:
            self._batched = _define(self.batch_source, self._name + "_batch", _batched_namespace())
        with np.errstate(all="ignore"):
            return self._batched(size[1], *converted)  # type: ignore[no-any-return]


def _input_names(fn: Callable[..., Any], labels: Sequence[str] | None) -> tuple[str, ...]:
    if labels is not None:
        if isinstance(labels, str):
            raise TypeError(f"labels must be a list of str, got the str {labels!r}")
        names = tuple(labels)
        for i, label in enumerate(names):
            if not isinstance(label, str) or not label:
                raise TypeError(f"labels must be non-empty str; labels[{i}] is {label!r}")
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        if labels is None:
            raise TypeError(
                f"cannot read the parameters of {fn!r:.60}; give one label per input: labels=[...]"
            ) from None
        return names
    params = []
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            if labels is None:
                raise TypeError(
                    "the function takes *args, so the number of inputs is open; "
                    "give one label per input: labels=[...]"
                )
            return names
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            params.append(p.name)
        elif p.kind is p.KEYWORD_ONLY and p.default is p.empty:
            raise TypeError(f"keyword-only parameter {p.name!r} needs a default to be compiled")
    if labels is None:
        return tuple(params)
    if len(names) != len(params):
        raise ValueError(
            f"labels gives {len(names)} names, but the function takes {len(params)} inputs "
            f"({', '.join(params)})"
        )
    return names


def compile(
    fn: Callable[..., Value],
    *,
    labels: Sequence[str] | None = None,
    wrt: str | Iterable[str] | None = None,
    shared: str | Iterable[str] = (),
) -> Compiled:
    """Trace ``fn`` once on Values and return it as generated code for value and gradient.

    ``fn`` takes one scalar per parameter (those without a default) and returns a
    Value. Each input is named after its parameter, or after ``labels`` (say, the
    notes' ``w_11^(2)``); the source turns names into identifiers (``w_11_2``).
    ``wrt`` names the inputs to differentiate (default: all), ``shared`` those that
    are one number for a whole batch in :meth:`Compiled.batch`.

    The trace records the ops ``fn`` performs, once: it must not branch on the
    data. Numbers in ``fn`` become constants in the code; a Value ``fn`` makes
    itself that is not an input is an error.

    >>> f = compile(lambda x, y: x * y + y.exp())
    >>> print(f.source, end="")
    def f(x, y):
        # forward
        v1 = x * y
        v2 = exp(y)
        v3 = v1 + v2
        # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S
        dL_dx = y
        dL_dy = v2 + x
        return v3, (dL_dx, dL_dy)
    >>> f(2.0, 0.0)
    (1.0, (0.0, 3.0))
    """
    names = _input_names(fn, labels)
    leaves = [Value(_TRACE_POINT, name) for name in names]
    output = fn(*leaves)
    name = getattr(fn, "__name__", "f")
    name = "f" if not isinstance(name, str) or name == "<lambda>" else name
    return Compiled(output, leaves, wrt=wrt, shared=shared, name=name)
