"""Compile a scalar function into straight-line Python for its value and its gradient.

:func:`compile` traces a function once on Values to a program
(:func:`autograd.program.trace`), differentiates the program
(:func:`autograd.program.value_and_grad`: the chain rule as the engine applies
it) and prints it as one Python function (:mod:`autograd.printers`): a forward
line per op, then a backward line per gradient, named after the nodes' labels
(``delta_S_1_2`` for δ_1^(2), ``dL_dw_11_2`` for ∂L/∂w_11^(2)). Running it
builds no graph and dispatches on nothing.

- On floats it calls the table's own IEEE functions in the eager engine's
  order, so its value and gradients are the engine's, bit for bit, inf and nan
  included.
  ``Compiled.function`` is that function without the argument checks.
- :meth:`Compiled.batch` runs the same ops on arrays of any array API library
  (NumPy, PyTorch, JAX, CuPy, through ``array-api-compat``), one sample per
  element, with the rows' array functions (same inf and nan results, a few ulps
  apart from libm elsewhere). Each layer, a group of weighted sums that read the
  same inputs with shared weights, is one matrix product (``S = X @ W.T - b``;
  ``δᵀ·X`` and ``δ·W`` backward) and its activation one array op: a rewrite pass
  on the same program (:func:`autograd.layers.group_layers`). A shared
  input's gradient is the sum of the per-sample gradients, added in a different
  order than one by one; a sum of the squares of a layer's parameters (an L2
  penalty) is ``sum_of_squares(W)``, also added in another order.
  :meth:`Compiled.batch_grouped` takes and returns each layer's W and b as
  arrays (:attr:`Compiled.groups`), so a training loop updates a layer with
  one array operation.

The trace records one path through the function: its ops must not depend on
the data (no ``if x.data > 0``, no loop whose length depends on a value). The
generated text holds only identifiers made from labels (``[A-Za-z_][A-Za-z0-9_]*``),
number literals and the names of the functions it is given; it runs without
builtins.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import _arguments
from ._arrays import layers_of
from .engine import Value
from .layers import ArrayProgram, group_layers
from .printers import (
    BATCH_SIZE,
    Names,
    array_source,
    batched_namespace,
    define,
    identifier,
    numpy_namespace,
    python_source,
    scalar_namespace,
    to_list,
)
from .program import Program, Var, trace, value_and_grad
from .rule import as_float

__all__ = ["Compiled", "compile"]

_TRACE_POINT = 0.5  # the inputs' value while tracing; the ops recorded do not depend on it


# --- the public API ---


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
    are named by their labels, or by ``names``; an unlabelled one as the drawings and
    ``explain`` name it (:func:`autograd.names.leaf_names`: the caller's variable that
    holds it, else ``a``, ``b``, …). Any other leaf in the graph must be a Constant.
    ``wrt``, ``shared`` and ``name`` (of the function) are as for :func:`compile`.

    >>> from autograd import Value
    >>> w, x = Value(3.0, "w_11^(1)"), Value(2.0, "x_1^(0)")
    >>> Compiled((w * x).tanh(), [w, x], wrt=["w_11^(1)"]).source.splitlines()[0]
    'def f(w_11_1, x_1_0):'
    >>> x = Value(3.0)
    >>> Compiled((x * x + 2 * x - 1).tanh(), [x]).source.splitlines()[:3]
    ['def f(x):', '    # forward', '    x_mul_x = x * x']

    >>> f = compile(lambda w, x, b: (w * x - b).sigmoid(), shared=["w", "b"])
    >>> value, (dw, dx, db) = f(0.5, 2.0, 0.1)
    >>> round(value, 4), round(dw, 4), round(db, 4)
    (0.7109, 0.411, -0.2055)
    >>> values, (dw, dx, db) = f.batch(0.5, [2.0, 2.0, 0.0], 0.1)  # needs NumPy
    >>> values.round(4).tolist(), round(dw, 4), dx.round(4).tolist()
    ([0.7109, 0.7109, 0.475], 0.822, [0.1028, 0.1028, 0.1247])
    """

    __slots__ = (
        "_batch_source",
        "_batched",
        "_checked",
        "_grouped_source",
        "_grouped_wrt",
        "_is_shared",
        "_layout",
        "_name",
        "_per_sample_at",
        "_shapes",
        "_shared_at",
        "_traced",
        "function",
        "inputs",
        "shared",
        "source",
        "wrt",
    )

    inputs: tuple[str, ...]
    wrt: tuple[str, ...]
    shared: tuple[str, ...]
    source: str
    function: Callable[..., tuple[float, tuple[float, ...]]]
    _checked: Callable[..., tuple[float, tuple[float, ...]]]

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
        leaves = _arguments.leaves(inputs)
        names = _arguments.input_names(output, leaves, names)
        if not isinstance(output, Value):
            raise TypeError(f"{name} must give a Value, got {type(output).__name__}")
        wrt_at = _arguments.indices("wrt", wrt, names)
        shared_at = _arguments.indices("shared", shared, names) if shared else ()
        self.inputs, self.wrt = names, tuple(names[i] for i in wrt_at)
        self.shared = tuple(names[i] for i in shared_at)
        self._is_shared = tuple(i in shared_at for i in range(len(names)))
        self._per_sample_at = tuple(i for i in range(len(names)) if i not in shared_at)
        _arguments.only_inputs(output, leaves, name)
        self._traced = trace(output, leaves)  # the program; value_and_grad's is made when printed
        self._name = Names().new(identifier(name), "f")
        self.source = self._printed(None)
        self.function = define(self.source, self._name, scalar_namespace())
        self._checked = _arguments.checked_entry(self.function, len(names), self._converted)
        self._shared_at = shared_at
        self._batch_source = self._grouped_source = ""
        self._layout: tuple[tuple[str, Any], ...] | None = None  # the groups' names and indices
        self._grouped_wrt: tuple[bool, ...] = ()  # whether wrt names each group
        self._shapes: tuple[tuple[int, ...], ...] = ()  # the shape of each group's array
        self._batched: dict[Any, Callable[..., Any]] = {}  # by array namespace

    def _value_and_grad(self) -> tuple[Program, dict[Var, Var], set[Var]]:
        """The program of the value and the gradients in ``wrt`` (:func:`value_and_grad`'s),
        the variable each gradient's variable differentiates, and the traced variables."""
        wrt = [self.inputs.index(n) for n in self.wrt]
        program, gradient_of = value_and_grad(self._traced, wrt)
        return program, gradient_of, {eq.out for eq in self._traced.equations}

    def _arrays(self, grouped: bool) -> tuple[ArrayProgram, str]:
        """The program rewritten on arrays (:func:`autograd.layers.group_layers`), and its
        source: the batched function's, or with ``grouped`` the grouped one's."""
        program, gradient_of, forward = self._value_and_grad()
        wrt = [self.inputs.index(n) for n in self.wrt]
        arrays = group_layers(program, gradient_of, forward, self._shared_at, wrt, grouped)
        names = Names()
        function = names.new(self._name, "f")
        names.taken.update((function + "_batch", function + "_grouped"))
        index = {v: i for i, v in enumerate(self._traced.inputs)}
        params = [BATCH_SIZE]
        for v in arrays.program.inputs[1:]:
            i = index.get(v)
            wanted = identifier(v.name if i is None else self.inputs[i])
            params.append(names.new(wanted, f"x{i}" if i is not None else "G"))
        function += "_grouped" if grouped else "_batch"
        source = array_source(
            arrays.program,
            arrays.gradient_of,
            arrays.forward,
            arrays.labels,
            params,
            names,
            function,
            arrays.outputs,
            arrays.like,
        )
        return arrays, source

    def _printed(self, shared: Sequence[int] | None) -> str:
        """The program printed: the scalar function, or with ``shared`` the batched one."""
        program, gradient_of, forward = self._value_and_grad()
        names = Names()
        function = names.new(self._name, "f")
        names.taken.update((function + "_batch", function + "_grouped"))
        params = [names.new(identifier(n), f"x{i}") for i, n in enumerate(self.inputs)]
        wrt = [self.inputs.index(n) for n in self.wrt]
        if shared is not None:
            function += "_batch"
        return python_source(program, gradient_of, forward, params, names, function, wrt, shared)

    def __repr__(self) -> str:
        return (
            f"<compiled {self._name}: inputs {self.inputs}, wrt {self.wrt}, shared {self.shared}>"
        )

    def _count(self, got: int) -> str:
        n = len(self.inputs)
        return f"{self._name} takes {n} input{'s' * (n != 1)} ({', '.join(self.inputs)}), got {got}"

    @property
    def batch_source(self) -> str:
        """The batched function's source: each layer a matrix product (made when first asked)."""
        if not self._batch_source:
            self._some_per_sample_input()
            shared = {self._traced.inputs[i] for i in self._shared_at}
            if layers_of(self._traced, shared):
                self._batch_source = self._arrays(grouped=False)[1]
            else:
                self._batch_source = self._printed(self._shared_at)
        return self._batch_source

    def __call__(self, *args: float) -> tuple[float, tuple[float, ...]]:
        """The value and the gradients at one point: ``value, grads = compiled(*floats)``.

        Checks its arguments: their number, and that each is a real number (an int
        or a NumPy float becomes a float). ``compiled.function(*floats)`` is the
        generated function itself, without the checks: the fast path for a loop
        that already holds floats, with the same numbers.

        >>> f = compile(lambda x, y: x * y)
        >>> f(3.0, 4), f.function(3.0, 4.0)
        ((12.0, (4.0, 3.0)), (12.0, (4.0, 3.0)))
        """
        if len(args) != len(self.inputs):
            raise TypeError(self._count(len(args)))
        return self._checked(*args)

    def _converted(self, args: tuple[Any, ...]) -> tuple[float, tuple[float, ...]]:
        """``__call__`` for arguments that are not all floats: each checked, then converted."""
        floats = [as_float(x, f"input {name!r}") for x, name in zip(args, self.inputs, strict=True)]
        return self.function(*floats)

    def batch(self, *args: Any) -> tuple[Any, tuple[Any, ...]]:
        """Values and gradients over a batch: arrays for per-sample inputs, numbers for shared.

        Per-sample inputs are 1-D arrays of any array library with the array API
        (NumPy, PyTorch, JAX, CuPy: through ``array-api-compat``) or lists, which
        become NumPy arrays; the results are arrays of the same library, in
        float64. Needs ``pip install 'chainrule[batch]'``.

        >>> f = compile(lambda w, x: w * x, shared=["w"])
        >>> values, (dw, dx) = f.batch(2.0, [1.0, 2.0, 3.0])
        >>> values.tolist(), dw, dx.tolist()  # dw = Σ_n x_n
        ([2.0, 4.0, 6.0], 6.0, [2.0, 2.0, 2.0])
        """
        from array_api_compat import is_array_api_obj

        if len(args) != len(self.inputs):
            raise TypeError(self._count(len(args)))
        converted = list(args)
        at = self._per_sample_at
        if set(map(type, converted)) - {float} - {type(args[i]) for i in at}:
            for i, is_shared in enumerate(self._is_shared):
                if is_shared and type(args[i]) is not float:
                    a = args[i]
                    if is_array_api_obj(a) and a.ndim == 0:
                        a = float(a)
                    converted[i] = as_float(a, f"shared input {self.inputs[i]!r}")
        xp, arrays, n = _arguments.samples([self.inputs[i] for i in at], [args[i] for i in at], [])
        for i, array in zip(at, arrays, strict=True):
            converted[i] = array
        if n == 0:  # an empty batch: no values, and gradients that sum nothing
            fresh = tuple(0.0 if g in self.shared else xp.zeros_like(arrays[0]) for g in self.wrt)
            return xp.zeros_like(arrays[0]), fresh
        return self._run(xp, "batch", n, converted)

    @property
    def grouped_source(self) -> str:
        """The source of :meth:`batch_grouped`'s function: each layer's W and b its arguments.

        >>> from autograd import wsum
        >>> unit = compile(lambda w, bias, x: wsum([w], [x], bias), shared=["w", "bias"])
        >>> print(unit.grouped_source.splitlines()[0])
        def f_grouped(n_samples, W_1, b_1, x):
        """
        self._grouped_program()
        return self._grouped_source

    @property
    def groups(self) -> dict[str, Any]:
        """How :meth:`batch_grouped` takes the shared inputs: one array per layer's weights
        and one per its biases, each other shared input as itself.

        A group's entry is its inputs' names, nested as the array: ``W_k``'s row j
        holds unit j's weights (``W_k[j][i]`` is ``w_ij^(k)``, PyTorch's ``Linear.weight``
        layout), ``b_k`` the biases; a shared input in no layer maps to its own name.
        A layer is grouped when its weights and biases are distinct shared inputs that
        no other layer uses and that ``wrt`` names all or none of.

        >>> from nn import MLP, squared_error
        >>> model = MLP(2, [2, 1])
        >>> xs = [Value(0.0, "x_1^(0)"), Value(0.0, "x_2^(0)")]
        >>> names = [p.label for p in model.parameters()]
        >>> f = Compiled(squared_error(model(xs), [1.0]), [*model.parameters(), *xs], shared=names)
        >>> for name, entries in f.groups.items():
        ...     print(name, entries)
        W_1 (('w_11^(1)', 'w_21^(1)'), ('w_12^(1)', 'w_22^(1)'))
        b_1 ('b_1^(1)', 'b_2^(1)')
        W_2 (('w_11^(2)', 'w_21^(2)'),)
        b_2 ('b_1^(2)',)
        """
        self._grouped_program()
        assert self._layout is not None

        def named(indices: Any) -> Any:
            if isinstance(indices, int):
                return self.inputs[indices]
            return tuple(named(i) for i in indices)

        return {name: named(indices) for name, indices in self._layout}

    def group(self, values: Sequence[float], like: Any = None) -> list[Any]:
        """The shared inputs' values (in the order of ``shared``) as :attr:`groups`' arrays.

        NumPy arrays of float64, or arrays of ``like``'s library on its device; a
        shared input in no layer stays a float. :meth:`ungroup` goes back.

        >>> from autograd import wsum
        >>> def unit(w1, w2, b, x1, x2):
        ...     return wsum([w1, w2], [x1, x2], b)
        >>> unit = compile(unit, shared=["w1", "w2", "b"])
        >>> [a.tolist() for a in unit.group([0.5, -1.0, 0.25])]
        [[[0.5, -1.0]], [0.25]]
        """
        self._grouped_program()
        assert self._layout is not None
        values = list(values)
        if len(values) != len(self.shared):
            raise ValueError(
                f"group takes one number per shared input ({', '.join(self.shared)}), "
                f"got {len(values)}"
            )
        at = {self.inputs.index(name): k for k, name in enumerate(self.shared)}
        floats = [
            as_float(v, f"shared input {name!r}")
            for v, name in zip(values, self.shared, strict=True)
        ]
        xp = numpy_namespace()
        place: dict[str, Any] = {}
        if like is not None:
            from array_api_compat import array_namespace, device

            xp, place = array_namespace(like), {"device": device(like)}

        def nested(indices: Any) -> Any:
            return floats[at[indices]] if isinstance(indices, int) else [nested(i) for i in indices]

        return [
            nested(indices)
            if isinstance(indices, int)
            else xp.asarray(nested(indices), dtype=xp.float64, **place)
            for _, indices in self._layout
        ]

    def ungroup(self, arrays: Sequence[Any]) -> list[float]:
        """:attr:`groups`' arrays (or their gradients) as one float per shared input, in
        the order of ``shared``: to write them back into a model's Values, say.

        >>> from autograd import wsum
        >>> def unit(w1, w2, b, x1, x2):
        ...     return wsum([w1, w2], [x1, x2], b)
        >>> unit = compile(unit, shared=["w1", "w2", "b"])
        >>> unit.ungroup(unit.group([0.5, -1.0, 0.25]))
        [0.5, -1.0, 0.25]
        """
        self._grouped_program()
        assert self._layout is not None
        if len(arrays) != len(self._layout):
            raise ValueError(
                f"ungroup takes one array per group ({', '.join(n for n, _ in self._layout)}), "
                f"got {len(arrays)}"
            )
        found: dict[int, float] = {}

        def walk(indices: Any, a: Any) -> None:
            if isinstance(indices, int):
                found[indices] = float(a)
                return
            for k, i in enumerate(indices):
                walk(i, a[k])

        for (_, indices), a in zip(self._layout, arrays, strict=True):
            walk(indices, a if isinstance(indices, int) else to_list(a))
        return [found[self.inputs.index(name)] for name in self.shared]

    def batch_grouped(self, *args: Any) -> tuple[Any, tuple[Any, ...]]:
        """:meth:`batch` with the shared inputs as :attr:`groups`: a layer's weights as one
        matrix and its biases as one vector, and their gradients the same way.

        Takes one argument per group, in the order of :attr:`groups` (arrays, as
        :meth:`group` makes them; a float for a group of one input), then the
        per-sample inputs as for :meth:`batch`. Returns the values of every sample
        and the gradients: one per group that ``wrt`` names, an array of the group's
        shape (a float for one input), then the per-sample inputs' in ``wrt``, each
        the sum over the batch as :meth:`batch` gives them, to the last bit. A
        training loop keeps its parameters as these arrays and updates each with
        one array operation; the code reads the arrays whole (``S_1 = X_0 @ W_1.T -
        b_1``, an L2 penalty as ``sum_of_squares(W_1)``).

        >>> from autograd import wsum
        >>> def unit(w1, w2, b, x1, x2):
        ...     return wsum([w1, w2], [x1, x2], b).relu()
        >>> unit = compile(unit, shared=["w1", "w2", "b"])
        >>> W, b = unit.group([0.5, -1.0, 0.25])
        >>> values, (dW, db, dx1, dx2) = unit.batch_grouped(W, b, [1.0, 3.0], [0.0, 1.0])
        >>> values.tolist(), dW.tolist(), db.tolist(), dx1.tolist()
        ([0.25, 0.25], [[4.0, 1.0]], [-2.0], [0.5, 0.5])
        >>> _, grads = unit.batch(0.5, -1.0, 0.25, [1.0, 3.0], [0.0, 1.0])  # the same numbers
        >>> unit.ungroup([dW, db]) == list(grads[:3])
        True
        """
        self._grouped_program()
        assert self._layout is not None
        layout = self._layout
        per_sample = self._per_sample_at
        if len(args) != len(layout) + len(per_sample):
            names = [n for n, _ in layout] + [self.inputs[i] for i in per_sample]
            n = len(names)
            raise TypeError(
                f"{self._name} grouped takes {n} argument{'s' * (n != 1)} "
                f"({', '.join(names)}), got {len(args)}"
            )
        groups = list(args[: len(layout)])
        names = [self.inputs[i] for i in per_sample]
        xp, arrays, n = _arguments.samples(names, list(args[len(layout) :]), groups)
        for k, (name, _) in enumerate(layout):
            groups[k] = _arguments.group_argument(xp, name, groups[k], self._shapes[k])
        if n == 0:  # an empty batch: no values, and gradients that sum nothing
            shapes = zip(groups, self._shapes, strict=True)
            fresh = [xp.zeros_like(g) if shape else 0.0 for g, shape in shapes]
            wanted = [g for g, w in zip(fresh, self._grouped_wrt, strict=True) if w]
            rest = [xp.zeros_like(arrays[0]) for g in self.wrt if g not in self.shared]
            return xp.zeros_like(arrays[0]), (*wanted, *rest)
        return self._run(xp, "grouped", n, [*groups, *arrays])

    def _run(self, xp: Any, kind: str, n: int, args: list[Any]) -> tuple[Any, tuple[Any, ...]]:
        """The batched (or grouped) function on ``xp``'s arrays, defined on first use."""
        function = self._batched.get((kind, xp))
        if function is None:
            source = self.batch_source if kind == "batch" else self._grouped_source
            name = self._name + ("_batch" if kind == "batch" else "_grouped")
            function = define(source, name, batched_namespace(xp))
            self._batched[kind, xp] = function
        if xp is not numpy_namespace():  # samples() gives NumPy as this namespace
            return function(n, *args)  # type: ignore[no-any-return]
        import numpy as np

        with np.errstate(all="ignore"):
            return function(n, *args)  # type: ignore[no-any-return]

    def _some_per_sample_input(self) -> None:
        if not self._per_sample_at:
            raise ValueError(
                f"{self._name} has no per-sample input (every input is shared), so it has "
                "no batched code; call the compiled function itself instead"
            )

    def _grouped_program(self) -> None:
        """Make the grouped batched source and the groups' layout, once."""
        if self._layout is not None:
            return
        self._some_per_sample_input()
        arrays, self._grouped_source = self._arrays(grouped=True)
        self._layout = tuple((g.name, g.indices) for g in arrays.groups)
        self._shapes = tuple(g.shape for g in arrays.groups)
        self._grouped_wrt = tuple(g.wrt for g in arrays.groups)

    def to_c(self, form: str = "auto") -> Any:
        """The value and gradient as compiled C (:class:`autograd.cbuild.CFunction`): called as
        ``function`` is, with the same numbers, plus ``.source`` (the C) and ``.many`` (many
        points, the loop in C). Needs a C compiler; see docs/compiling.md.

        >>> f = compile(lambda x, y: x * y + y.exp())
        >>> f.to_c()(2.0, 0.0) == f.function(2.0, 0.0)
        True
        """
        from .cbuild import c_function_of  # the C path loads only when asked for

        return c_function_of(self, form)


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
        x_mul_y = x * y
        exp_y = exp(y)
        x_mul_y_add_exp_y = x_mul_y + exp_y
        # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S
        dL_dy = exp_y + x
        dL_dx = y
        return x_mul_y_add_exp_y, (dL_dx, dL_dy)
    >>> f(2.0, 0.0)
    (1.0, (0.0, 3.0))
    """
    names = _arguments.parameter_names(fn, labels)
    leaves = [Value(_TRACE_POINT, name) for name in names]
    output = fn(*leaves)
    name = getattr(fn, "__name__", "f")
    name = "f" if not isinstance(name, str) or name == "<lambda>" else name
    return Compiled(output, leaves, wrt=wrt, shared=shared, name=name)
