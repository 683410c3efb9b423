"""Training by gradient descent: ``fit`` runs the loop and keeps the loss history."""

from __future__ import annotations

import math
import numbers
import random
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from autograd import Compiled, Constant, Value

from .losses import LOSSES, traits_of
from .optim import Optimizer

__all__ = ["OUTPUT_RANGES", "DivergedError", "Model", "TargetRangeWarning", "fit"]

Loss = Callable[[Sequence[Value], Sequence[float]], Value]


class Model(Protocol):
    """What ``fit`` needs of a model: called on inputs, it returns one Value per output.

    An :class:`~nn.MLP` or a :class:`~nn.Layer` is one; so is any object with
    the same two methods.

    >>> from nn import MLP
    >>> model: Model = MLP(2, [2, 1])
    >>> len(model([0.0, 1.0])), len(model.parameters())
    (1, 9)
    """

    def __call__(self, x: Sequence[float], /) -> list[Value]: ...

    def parameters(self) -> list[Value]:
        """The Values that training changes.

        >>> from nn import Layer
        >>> len(Layer(3, 2).parameters())
        8
        """
        ...


class DivergedError(FloatingPointError):
    """The loss became nan or inf, or a step would have made a parameter so.

    ``step`` is the step (counting from 0) at which training stopped, and
    ``history`` the losses of the steps before it. The model keeps the
    parameters it had at the start of that step: the last finite ones.

    >>> from nn import MLP, SGD, squared_error
    >>> model = MLP(1, [1], activation="linear")
    >>> try:
    ...     fit(model, [([2.0], [-5.0])], squared_error, SGD(model.parameters(), lr=1e200), 10)
    ... except DivergedError as e:
    ...     print(e)
    ...     print(e.step, len(e.history), all(map(math.isfinite, model.state_dict().values())))
    fit: the loss is inf at step 1 (counting from 0); the model keeps the parameters it had
    before that step, the last finite ones
    1 1 True
    """

    def __init__(self, message: str, step: int, history: list[float]) -> None:
        super().__init__(message)
        self.step = step
        self.history = history


class TargetRangeWarning(UserWarning):
    """fit's warning: a target lies outside what the model's output activation can approach.

    The model can then never reach it, and training stalls without an error (a
    sigmoid output trained towards -1 sits near 0). Silence it with
    ``warnings.simplefilter("ignore", TargetRangeWarning)``.

    >>> issubclass(TargetRangeWarning, UserWarning)
    True
    """


OUTPUT_RANGES: dict[str, tuple[float, float]] = {
    "sigmoid": (0.0, 1.0),
    "tanh": (-1.0, 1.0),
    "relu": (0.0, math.inf),
}
"""The values an output made by each op can approach (its closure); any other op is
taken as linear, whose outputs can approach any number."""


def _interval(lo: float, hi: float) -> str:
    return f"[{lo:g}, {hi:g}]" if math.isfinite(hi) else f"[{lo:g}, ∞)"


def _check_targets(model: Model, inputs: list[Sequence[float]], rows: list[list[Any]]) -> None:
    """Warn once (:class:`TargetRangeWarning`, at fit's caller) when a target lies outside
    what its output's activation can approach.

    The activation is read from the graph: the op of each output of one forward
    pass of the first sample (sigmoid, tanh or relu; any other op is linear)."""
    ops = [getattr(y, "op", "") for y in model(inputs[0])]
    if not any(op in OUTPUT_RANGES for op in ops) or any(len(row) != len(ops) for row in rows):
        return  # a linear output; or targets that do not fit the outputs, which the loss reports
    outside = _outside(ops, rows)
    if outside:
        warnings.warn(_range_warning(ops, outside), TargetRangeWarning, stacklevel=3)


def _outside(ops: list[str], rows: list[list[Any]]) -> list[tuple[int, int, float]]:
    """(sample, output, target) of each target its output's activation cannot approach."""
    targets = [  # numbers only: the loss refuses anything else, and nan and inf, itself
        (i, j, float(t))
        for i, row in enumerate(rows)
        for j, t in enumerate(row)
        if ops[j] in OUTPUT_RANGES and isinstance(t, numbers.Real) and math.isfinite(t)
    ]
    return [
        (i, j, t)
        for i, j, t in targets
        if not OUTPUT_RANGES[ops[j]][0] <= t <= OUTPUT_RANGES[ops[j]][1]
    ]


def _range_warning(ops: list[str], outside: list[tuple[int, int, float]]) -> str:
    """The warning about the first target of ``outside``, and what to change."""
    i, j, t = outside[0]
    op = ops[j]
    lo, hi = OUTPUT_RANGES[op]
    tanh_will_do = op != "tanh" and all(-1.0 <= t <= 1.0 for _, _, t in outside)
    more = f" ({len(outside)} targets in all)" if len(outside) > 1 else ""
    output = f", output {j + 1}" if len(ops) > 1 else ""
    return (
        f"fit: the target {t:g} of data[{i}]{output} lies outside {_interval(lo, hi)}, "
        f"the values the model's output activation {op} can approach{more}: the model can "
        "never reach it, and training will stall. Use an output activation that can, such "
        f'as output_activation="{"tanh" if tanh_will_do else "linear"}" in MLP(...), or '
        f"rescale the targets to {_interval(lo, hi)}."
    )


def _check_data(data: object) -> tuple[list[Sequence[float]], list[float]]:
    """The inputs of each sample, and all targets in one list."""
    if isinstance(data, (str, bytes)) or not isinstance(data, Sequence) or not data:
        raise ValueError(
            "fit: data must be a non-empty list of (inputs, targets) pairs such as xor(), "
            f"got {data!r:.60}"
        )
    inputs: list[Sequence[float]] = []
    targets: list[float] = []
    for i, pair in enumerate(data):
        if not (isinstance(pair, Sequence) and len(pair) == 2):
            raise ValueError(f"fit: data[{i}] must be an (inputs, targets) pair, got {pair!r:.60}")
        x, t = pair
        if isinstance(t, (str, bytes)) or not isinstance(t, Sequence):
            raise ValueError(
                f"fit: the targets of data[{i}] must be a list of numbers, got {t!r:.60}"
            )
        inputs.append(x)
        targets.extend(t)
    return inputs, targets


def _batch_loss(
    model: Model,
    inputs: list[Sequence[float]],
    targets: list[float],
    loss: Loss,
    penalty: Callable[[Any], Value] | None,
) -> Value:
    """One forward pass over every sample: the loss of all outputs, plus the penalty."""
    outputs: list[Value] = []
    for x in inputs:
        outputs.extend(model(x))
    total = loss(outputs, targets)
    if not isinstance(total, Value):
        raise TypeError(f"fit: loss must return a Value, got {type(total).__name__}")
    if penalty is not None:
        extra = penalty(model)
        if not isinstance(extra, Value):
            raise TypeError(f"fit: penalty must return a Value, got {type(extra).__name__}")
        total = total + extra
    return total


def _parameter_names(params: list[Value]) -> list[str]:
    """The parameters' labels as the compiled code's input names, or p0, p1, ... if they
    are not all there and distinct."""
    labels = [p.label for p in params]
    distinct = all(labels) and len(set(labels)) == len(labels)
    return labels if distinct else [f"p{i}" for i in range(len(params))]


def _compiled_loss(
    model: Model,
    inputs: list[Sequence[float]],
    targets: list[float],
    loss: Loss,
    penalty: Callable[[Any], Value] | None,
) -> tuple[list[Value], Compiled]:
    """``_batch_loss`` traced once and compiled, with the data built in as constants."""
    if traits_of(loss).data_dependent:
        raise ValueError(
            "fit: compile=True cannot take binary_cross_entropy: it picks its formula by "
            "the sign of each logit, so its graph depends on the data; use compile=False"
        )
    params = model.parameters()
    as_constants: list[Sequence[Any]] = [
        [Constant(v) if isinstance(v, numbers.Real) and not isinstance(v, bool) else v for v in x]
        for x in inputs
    ]
    total = _batch_loss(model, as_constants, targets, loss, penalty)
    names = _parameter_names(params)
    return params, Compiled(total, params, names=names, name="loss")


WHOLE_DATA_LIMIT = 50_000  # samples × parameters above which compile=True runs over arrays


def _batched_loss(
    model: Model,
    inputs: list[Sequence[float]],
    targets: list[float],
    loss: Loss,
    penalty: Callable[[Any], Value] | None,
) -> tuple[list[Value], Callable[..., tuple[float, tuple[float, ...]]]]:
    """One sample's loss traced and compiled, run over arrays of every sample (NumPy).

    The sample's inputs and targets are inputs of the compiled code, the
    parameters are shared; a mean loss gets 1/n of each sample, and each sample
    carries 1/n of the penalty, so the summed values and gradients are the
    whole batch's. ``cross_entropy``'s class indices become one-hot columns.
    """
    import numpy as np

    # one sample's loss, run over arrays of all samples, is then summed (or averaged)
    traits = traits_of(loss)
    if traits.reduction is None:
        known = [f.__name__ for f in LOSSES if traits_of(f).reduction]
        raise ValueError(
            "fit: compile='batch' needs to know how the loss adds up its samples; it knows "
            f"{', '.join(known)}, not {getattr(loss, '__name__', loss)!r}"
        )
    params = model.parameters()
    names = _parameter_names(params)
    n = len(inputs)
    xs = [Value(0.0, f"x_{i + 1}^(0)") for i in range(len(inputs[0]))]
    outputs = model(xs)  # type: ignore[arg-type]  # traced: Values for the inputs
    columns = np.array(inputs, dtype=np.float64).T
    if traits.class_targets:  # a class index per sample: one-hot weights per class
        classes = np.arange(len(outputs))
        t_columns = (np.array(targets)[None, :] == classes[:, None]).astype(np.float64)
    else:
        t_columns = np.array(targets, dtype=np.float64).reshape(n, -1).T
    ts = [Value(0.0, f"t_{c + 1}") for c in range(len(t_columns))]
    total = loss(outputs, ts)  # type: ignore[arg-type]
    if traits.reduction == "mean":
        total = total * (1.0 / n)
    if penalty is not None:
        total = total + penalty(model) * (1.0 / n)
    sample_names = [x.label for x in xs] + [t.label for t in ts]
    if set(sample_names) & set(names):
        names = [f"p{i}" for i in range(len(params))]
    compiled = Compiled(
        total,
        [*params, *xs, *ts],
        names=[*names, *sample_names],
        wrt=names,
        shared=names,
        name="loss",
    )
    data = [*columns, *t_columns]

    def step(*values: float) -> tuple[float, tuple[float, ...]]:
        losses, grads = compiled.batch(*values, *data)
        return float(losses.sum()), grads[: len(params)]

    return params, step


def _batches(
    n: int, batch_size: object, seed: object, compiled: bool
) -> Iterator[list[int]] | None:
    """The sample indices of each step's batch, forever; None for full batches."""
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"fit: batch_size must be an int >= 1 or None, got {batch_size!r:.60}")
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"fit: seed must be an int, got {type(seed).__name__}: {seed!r:.60}")
    if compiled:
        raise ValueError(
            "fit: compile=True builds the data into the code, so it takes full batches only; "
            "use batch_size=None or compile=False"
        )
    rng = random.Random(seed)

    def generate() -> Iterator[list[int]]:
        while True:
            order = list(range(n))
            rng.shuffle(order)
            for start in range(0, n, batch_size):
                yield order[start : start + batch_size]

    return generate()


def _shows_progress() -> bool:
    """fit's default: a bar on a terminal, or in a Jupyter notebook (its stderr is no TTY)."""
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty()) or "ipykernel" in sys.modules


def fit(
    model: Model,
    data: Sequence[tuple[Sequence[float], Sequence[float]]],
    loss: Loss,
    optimizer: Optimizer,
    steps: int,
    *,
    penalty: Callable[[Any], Value] | None = None,
    lr_schedule: Callable[[int], float] | None = None,
    progress: bool | None = None,
    compile: bool | str = False,
    callback: Callable[[int, float], object] | None = None,
    batch_size: int | None = None,
    seed: int = 0,
) -> list[float]:
    """Train ``model`` for ``steps`` steps of ``optimizer``; return the loss of each step.

    Every step is one full batch: the outputs of all samples of ``data`` and all
    their targets go to ``loss`` at once (so ``squared_error`` sums over the
    samples, ``mse`` and ``hinge`` average), ``penalty(model)`` is added when
    given, then ``zero_grad``, ``backward`` and ``optimizer.step()``. The
    history holds each step's loss before its update.

    - ``lr_schedule(k)``, when given, sets ``optimizer.lr`` before step k (from 0).
    - ``progress``: a ``tqdm.auto`` bar (a widget in a notebook, text on a
      terminal's stderr). ``None`` shows it for long runs only, where someone
      watches: when stderr is a terminal or the code runs in a Jupyter kernel
      (``ipykernel`` is loaded), and only once the run has taken more than a
      second; True or False force it.
    - If the loss is nan or inf, or a step would make a parameter so, fit raises
      :class:`DivergedError` naming the step; the model keeps the parameters of
      the last finite step.
    - ``compile=True`` traces the loss once and runs every step as the generated
      code of :class:`autograd.Compiled`: the same losses and parameters, without
      building a graph per step. The data is built into the code, so compiling
      takes longer the more data there is; the loss and penalty must not branch on
      values (``binary_cross_entropy`` does, so it is refused).
    - A target that the output's activation cannot approach (below 0 or above 1
      for a sigmoid output, outside [-1, 1] for tanh, below 0 for relu; read from
      the ops of the outputs) cannot be learned, and training would stall without
      an error: fit warns once, with :class:`TargetRangeWarning`, naming the
      activation, the target and what to change. ``cross_entropy``'s targets are
      class indices and are not checked.
    - ``callback(k, loss)``, when given, is called after step k with that step's
      loss (the model is updated already): to report accuracy, log, or plot.
    - ``batch_size``: each step takes the next ``batch_size`` samples of a pass
      through ``data`` in an order shuffled by ``random.Random(seed)``, reshuffled
      each pass (the last batch of a pass may be smaller); None takes all samples
      in every step. Not with ``compile=True``, whose code has the data built in.
      Above ``WHOLE_DATA_LIMIT`` samples × parameters (or with ``compile="batch"``)
      it compiles one sample's loss instead and runs it over NumPy arrays of all
      the samples, each layer a matrix product (:meth:`autograd.Compiled.batch`):
      equal to the eager losses to rounding, for ``squared_error``, ``mse``,
      ``hinge`` and ``cross_entropy``. Needs ``pip install 'chainrule[batch]'``.

    The notes' XOR training, and micrograd's moons workload::

        fit(MLP(2, [2, 1]), xor(), squared_error, SGD(model.parameters(), lr=2.0), 2000)
        fit(model, moons(100), hinge, SGD(model.parameters(), lr=1.0), 100,
            penalty=lambda m: 1e-4 * l2(m.parameters()),
            lr_schedule=lambda k: 1.0 - 0.9 * k / 100)

    >>> from nn import MLP, SGD, squared_error, xor
    >>> model = MLP(2, [2, 1])
    >>> history = fit(model, xor(), squared_error, SGD(model.parameters(), lr=2.0), 600)
    >>> history[0] > 0.4, history[-1] < 0.01
    (True, True)
    """
    _check_arguments(steps, optimizer, loss, penalty, lr_schedule, callback)
    inputs, targets = _check_data(data)
    if compile not in (False, True, "batch"):
        raise ValueError(f"fit: compile must be False, True or 'batch', got {compile!r:.60}")
    batches = _batches(len(inputs), batch_size, seed, bool(compile))
    rows = [list(pair[1]) for pair in data]  # each sample's targets, for the batches
    if steps and not traits_of(loss).class_targets:  # class indices are not outputs' values
        _check_targets(model, inputs, rows)
    big = len(inputs) * len(model.parameters()) > WHOLE_DATA_LIMIT
    if compile == "batch" or (compile and big and traits_of(loss).reduction is not None):
        step = _compiled_step(*_batched_loss(model, inputs, targets, loss, penalty))
    elif compile:
        step = _compiled_step(*_compiled_loss(model, inputs, targets, loss, penalty))
    else:
        step = _eager_step(model, inputs, targets, rows, batches, loss, penalty)
    bar = _progress_bar(progress, int(steps))
    try:
        return _train(step, optimizer, int(steps), lr_schedule, callback, bar)
    finally:
        if bar is not None:
            bar.close()


def _check_arguments(
    steps: object,
    optimizer: object,
    loss: object,
    penalty: object,
    lr_schedule: object,
    callback: object,
) -> None:
    """fit's checks of everything but the data, in the order its errors are raised."""
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral) or steps < 0:
        raise ValueError(f"fit: steps must be an int >= 0, got {steps!r:.60}")
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit: optimizer must be an SGD or Adam, got {type(optimizer).__name__}")
    for name, f in (("loss", loss), ("penalty", penalty), ("lr_schedule", lr_schedule)):
        if f is not None and not callable(f):
            raise TypeError(f"fit: {name} must be a function, got {type(f).__name__}")
    if callback is not None and not callable(callback):
        raise TypeError(f"fit: callback must be a function, got {type(callback).__name__}")


# One training step's loss, and how to write its gradients into the parameters' .grad
# (called after zero_grad): the three ways of computing it share fit's loop, _train.
Step = Callable[[], tuple[float, Callable[[], None]]]


def _eager_step(
    model: Model,
    inputs: list[Sequence[float]],
    targets: list[float],
    rows: list[list[Any]],
    batches: Iterator[list[int]] | None,
    loss: Loss,
    penalty: Callable[[Any], Value] | None,
) -> Step:
    """A graph per step, over every sample or the next batch; backward() gives the grads."""

    def step() -> tuple[float, Callable[[], None]]:
        xs, ts = inputs, targets
        if batches is not None:
            chosen = next(batches)
            xs = [inputs[i] for i in chosen]
            ts = [t for i in chosen for t in rows[i]]
        total = _batch_loss(model, xs, ts, loss, penalty)
        return total.data, total.backward

    return step


def _compiled_step(
    params: list[Value], run: Callable[..., tuple[float, tuple[float, ...]]]
) -> Step:
    """Compiled code run on the parameters' values; it returns the grads with the loss."""

    def step() -> tuple[float, Callable[[], None]]:
        value, grads = run(*[p.data for p in params])

        def write() -> None:
            for p, g in zip(params, grads, strict=True):
                p.grad = g

        return value, write

    return step


def _progress_bar(progress: bool | None, steps: int) -> Any:
    """A ``tqdm.auto`` bar for fit's steps, or None (see fit's ``progress``)."""
    if not (_shows_progress() if progress is None else bool(progress)):
        return None
    from tqdm.auto import tqdm

    return tqdm(total=steps, desc="fit", unit="step", delay=1.0 if progress is None else 0.0)


def _train(
    step: Step,
    optimizer: Optimizer,
    steps: int,
    lr_schedule: Callable[[int], float] | None,
    callback: Callable[[int, float], object] | None,
    bar: Any,
) -> list[float]:
    """fit's loop: ``steps`` steps of ``optimizer``; the loss of each step."""
    history: list[float] = []
    for k in range(steps):
        if lr_schedule is not None:
            try:
                optimizer.lr = lr_schedule(k)
            except (TypeError, ValueError) as e:
                raise ValueError(f"fit: lr_schedule({k}) gave a bad learning rate: {e}") from None
        value, write_grads = step()
        if not math.isfinite(value):
            raise DivergedError(
                f"fit: the loss is {value!r} at step {k} (counting from 0); the model "
                "keeps the parameters it had before that step, the last finite ones",
                k,
                history,
            )
        optimizer.zero_grad()
        write_grads()
        try:
            optimizer.step()
        except FloatingPointError as e:
            raise DivergedError(f"fit: at step {k}, {e}", k, history) from None
        history.append(value)
        if callback is not None:
            callback(k, value)
        if bar is not None:
            bar.set_postfix(loss=f"{value:.4g}", refresh=False)
            bar.update()
    return history
