"""Neurons, layers and MLPs whose every quantity carries the notes' name.

Unit j of layer k computes the notes' two lines, one autograd node each::

    S_j^(k) = Σ_i w_ij^(k) x_i^(k-1) - b_j^(k)      (one ``wsum`` node)
    x_j^(k) = φ(S_j^(k))                            (one sigmoid/tanh/relu node)

The bias enters with a minus sign: it is the weight ``w_0j^(k)`` on the
constant input ``x_0 = -1``. A "linear" unit has no activation node: its
output *is* ``S_j^(k)``, so that node carries the label ``S_j^(k)`` and
:meth:`MLP.named_nodes` lists it under both names.

Parameters (leaves of class :class:`autograd.Parameter`) are named ``b_j^(k)``
and ``w_ij^(k)`` (``w_10,3^(2)`` once an index reaches 10), and
:meth:`Module.parameters` lists them layer by layer, unit by unit, and within a
unit ``b_j`` first (it is ``w_0j``), then ``w_1j .. w_nj``.

Initialisation: every weight is drawn from ``uniform(-1, 1)`` of a private
``random.Random(seed)``, in that parameter order; every bias starts at 0 (as in
micrograd, whose ``random.seed(s)`` draws the same weights in the same order).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import numbers
import os
import random
import re
import stat
from collections.abc import Callable, Collection, Mapping, Sequence, Set
from typing import Any, BinaryIO, NoReturn, TypeGuard, TypeVar

from _chainrule_files import write_atomic
from autograd import Constant, Parameter, Value, wsum

__all__ = [
    "ACTIVATIONS",
    "FORMAT",
    "MAX_FILE_BYTES",
    "MAX_PARAMETERS",
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "weight_name",
]

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
"""The activation names a unit accepts; "linear" means x = S."""

FORMAT = "chainrule.nn"
"""The ``format`` field of a saved model file (see :meth:`Module.save`)."""

_VERSION = 1

MAX_PARAMETERS = 1_000_000
"""The most parameters :meth:`Module.load` builds from a file (about 0.1 GB of Values)."""
MAX_FILE_BYTES = 64 * 2**20
"""The largest file :meth:`Module.load` reads, in bytes (64 MiB)."""
_MAX_DIGITS = 40  # an integer in a model file: enough for any seed, far inside the float range
_HEAD_BYTES = 64 * 2**10  # a file larger than this is read only as far as its config allows
_ENTRY_BYTES = 256  # the most one parameter takes in a file: '"w_10,3^(2)": -0.123...,' indented
_TAIL_BYTES = 4096  # what may follow the parameters: closing braces, spaces, a key or two

_APPLY: dict[str, Callable[[Value], Value] | None] = {
    "sigmoid": Value.sigmoid,
    "tanh": Value.tanh,
    "relu": Value.relu,
    "linear": None,  # x = S: no node of its own
}

M = TypeVar("M", bound="Module")


def weight_name(i: int, j: int, k: int) -> str:
    """The name of the weight from unit i of layer k-1 to unit j of layer k.

    Two-digit indices are separated by a comma so the name stays readable.

    >>> weight_name(1, 2, 1), weight_name(10, 3, 2)
    ('w_12^(1)', 'w_10,3^(2)')
    """
    if i < 10 and j < 10:
        return f"w_{i}{j}^({k})"
    return f"w_{i},{j}^({k})"


def _check_int(name: str, value: object, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be an int >= {low}, got {type(value).__name__}: {value!r:.60}"
        )
    if value < low:
        raise ValueError(f"{name} must be an int >= {low}, got {value!r}")
    return int(value)


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, got {type(seed).__name__}: {seed!r:.60}")
    return int(seed)


def _check_activation(name: str, activation: object) -> str:
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"unknown {name}: {activation!r} (must be one of {list(ACTIVATIONS)})")
    return activation


def _inputs(x: object, n_in: int, k: int, what: str) -> tuple[Value, ...]:
    """``x`` as Values, numbers becoming leaves labelled ``x_i^(k-1)``.

    Any ordered collection will do (a list, a tuple, a row of a NumPy array).
    """
    if type(x) is not list and type(x) is not tuple and not _ordered_collection(x):
        raise TypeError(
            f"{what} input must be a sequence of {n_in} numbers or Values, "
            f"got {type(x).__name__}: {x!r:.60}"
        )
    if len(x) != n_in:
        raise ValueError(f"{what} expected {n_in} inputs, got {len(x)}")
    out = list(x)
    for i, xi in enumerate(out):
        if not isinstance(xi, Value):
            out[i] = _leaf(xi, i, what, _input_labels(n_in, k))
    return tuple(out)  # a tuple: every unit's wsum node shares it


def _leaf(xi: object, i: int, what: str, labels: tuple[str, ...]) -> Value:
    """Input i (0-based) as a leaf labelled ``labels[i]``, or a TypeError naming it."""
    if isinstance(xi, bool) or not isinstance(xi, (float, numbers.Real)):  # float: no ABC check
        raise TypeError(
            f"{what} input {i + 1} must be a number or a Value, got {type(xi).__name__}: {xi!r:.60}"
        )
    return Value(xi, labels[i])


def _ordered_collection(x: object) -> TypeGuard[Collection[object]]:
    return isinstance(x, Collection) and not isinstance(x, (str, bytes, Mapping, Set))


@functools.cache
def _input_labels(n_in: int, k: int) -> tuple[str, ...]:
    """The names ``x_1^(k-1) .. x_n^(k-1)`` of layer k's inputs."""
    return tuple(f"x_{i}^({k - 1})" for i in range(1, n_in + 1))


def _size(config: Mapping[str, object], key: str) -> int:
    """``config[key]`` as a whole number >= 1, or ValueError: a size read from a file."""
    value = config.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{key} must be a whole number >= 1, got {_short(value)}")
    return value


def _short(value: object) -> str:
    """``repr(value)``, cut to 80 characters: error messages stay short."""
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_SPACE = re.compile(r"[ \t\n\r]*")
_JSON = json.JSONDecoder()


def _after_space(text: str, i: int) -> int:
    match = _SPACE.match(text, i)
    return i if match is None else match.end()


def _before_parameters(text: str) -> tuple[dict[str, Any], int] | None:
    """The members of a model file's top-level object that come before ``"parameters"``,
    and where its value starts; None when ``text`` ends first or is no such object (the
    whole file's parse then says what is wrong). The rest of ``text`` is not looked at.

    >>> _before_parameters('{"config": {"n_in": 2}, "parameters": {"b": 0.5, "w')
    ({'config': {'n_in': 2}}, 38)
    >>> _before_parameters('{"config": {"n_in"') is None
    True
    """
    members: dict[str, Any] = {}
    i = _after_space(text, 0)
    if not text.startswith("{", i):
        return None
    try:
        while True:
            key, i = _JSON.raw_decode(text, _after_space(text, i + 1))  # after { or ,
            i = _after_space(text, i)
            if not isinstance(key, str) or not text.startswith(":", i):
                return None
            i = _after_space(text, i + 1)
            if key == "parameters":
                return members, i
            members[key], i = _JSON.raw_decode(text, i)
            i = _after_space(text, i)
            if not text.startswith(",", i):  # the object's end, or the end of what was read
                return None
    except (ValueError, RecursionError):  # cut short, or invalid: the whole parse will say
        return None


def _read_on(
    f: BinaryIO,
    head: bytes,
    size: int,
    counted: Callable[[dict[str, Any]], int | None],
    bad: Callable[[str], ValueError],
) -> bytes:
    """The whole file of ``size`` bytes whose first bytes ``head`` were read, read on only
    once its config (which comes before its parameters, as :meth:`Module.save` writes
    them) shows that a model of that config can need that many bytes; else ValueError."""
    found = _before_parameters(head.decode("utf-8", "surrogateescape"))
    while found is None and len(head) < size:
        more = f.read(len(head))  # the config goes on beyond what was read: twice as much
        if not more:
            break
        head += more
        found = _before_parameters(head.decode("utf-8", "surrogateescape"))
    if found is None:
        raise bad(
            f"it has {size} bytes and does not begin as a saved model does: "
            '{"format": ..., "config": {...}, "parameters": {...}}'
        )
    members, start = found
    if "config" not in members:
        raise bad(
            f'it has {size} bytes and its "parameters" come before its "config": '
            f"a file over {_HEAD_BYTES} bytes must give the config first, as save does"
        )
    config = members["config"]
    if not isinstance(config, dict):
        raise bad(f"config must be an object, got {type(config).__name__}")
    count = counted(config)
    if count is not None:
        text = head.decode("utf-8", "surrogateescape")
        need = len(text[:start].encode("utf-8", "surrogateescape"))
        need += count * _ENTRY_BYTES + _TAIL_BYTES
        if size > need:
            raise bad(
                f"it has {size} bytes, more than the limit of {need} for its config of "
                f"{count} parameters (at most {_ENTRY_BYTES} bytes each)"
            )
    return head + f.read(MAX_FILE_BYTES + 1 - len(head))


def _state_value(name: str, v: object) -> float:
    """``state[name]`` as a float: a single finite number, else TypeError or ValueError."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(
            f"state[{name!r}] must be a single number (every parameter is a scalar), "
            f"got {type(v).__name__}: {v!r:.60}"
        )
    f = float(v)
    if not math.isfinite(f):
        raise ValueError(f"state[{name!r}] must be finite, got {f!r}")
    return f


def _parameters_in(name: str, value: object) -> list[tuple[str, Value]]:
    """The parameters an attribute holds: a Value, a Module's, or those of a list or tuple."""
    if isinstance(value, Value):
        return [] if type(value) is Constant else [(name, value)]
    if isinstance(value, Module):
        return [(f"{name}.{n}", p) for n, p in value.named_parameters()]
    if isinstance(value, (list, tuple)):
        return [pair for i, v in enumerate(value) for pair in _parameters_in(f"{name}.{i}", v)]
    return []


class _Loading:
    """One :meth:`Module.load`: the file's path, the class it must hold, and the checks of
    each stage (the file, its JSON, the document), each error naming the file."""

    def __init__(self, cls: type[Module], path: str) -> None:
        self.cls = cls
        self.path = path

    def bad(self, why: str) -> ValueError:
        return ValueError(f"{self.path} is not a saved {self.cls.__name__}: {why}")

    def refuse(self, why: str) -> NoReturn:
        raise self.bad(why)

    def counted(self, config: dict[str, Any]) -> int | None:
        """The parameters ``config`` asks for (None: the class does not say), at most
        MAX_PARAMETERS."""
        try:
            count = self.cls.parameter_count(config)
        except (TypeError, ValueError) as e:
            raise self.bad(
                f"its config {_short(config)} does not build a model ({str(e)[:200]})"
            ) from None
        if count is not None and count > MAX_PARAMETERS:
            raise self.bad(f"its config asks for {count} parameters, more than {MAX_PARAMETERS}")
        return count

    def read(self) -> str:
        """The file's text: a regular file of at most MAX_FILE_BYTES, no larger than its
        config can need, in UTF-8."""
        path = self.path
        try:
            info = os.stat(path)
        except OSError as e:
            raise type(e)(e.errno, f"cannot read {path}: {e.strerror}") from None
        if not stat.S_ISREG(info.st_mode):
            raise self.bad("it is not a regular file")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise self.bad(f"it has {size} bytes, more than the limit of {MAX_FILE_BYTES}")
        with open(path, "rb") as f:
            raw = f.read(_HEAD_BYTES)
            if len(raw) < size:  # a large file: read on only if its config needs that much
                raw = _read_on(f, raw, size, self.counted, self.bad)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise self.bad(
                f"it is not UTF-8 text (byte {raw[e.start]:#04x} at offset {e.start})"
            ) from None

    def parse(self, text: str) -> object:
        """The JSON of ``text``: finite numbers, integers of at most _MAX_DIGITS digits,
        each key once per object."""
        try:
            return json.loads(
                text,
                parse_constant=lambda c: self.refuse(
                    f"it holds {c}, and parameters must be finite"
                ),
                parse_float=self._number,
                parse_int=self._integer,
                object_pairs_hook=self._unique,
            )
        except json.JSONDecodeError as e:
            raise self.bad(f"invalid JSON ({e.msg} at line {e.lineno} column {e.colno})") from None
        except RecursionError:
            raise self.bad("invalid JSON (nested too deeply)") from None

    def _number(self, text: str) -> float:
        value = float(text)
        if not math.isfinite(value):
            self.refuse(f"the number {text[:40]}... is beyond the float range")
        return value

    def _integer(self, text: str) -> int:
        if len(text.lstrip("-")) > _MAX_DIGITS:
            self.refuse(f"it holds an integer of {len(text)} digits (at most {_MAX_DIGITS})")
        return int(text)

    def _unique(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                self.refuse(f"the key {_short(key)} appears twice in one object")
            result[key] = value
        return result

    def fields(self, document: object) -> tuple[dict[str, Any], dict[str, Any]]:
        """The config and the parameters of a document that :meth:`Module.save` wrote
        for this class."""
        if not isinstance(document, dict):
            raise self.bad(f"expected a JSON object, got {type(document).__name__}")
        keys = ["format", "version", "model", "config", "parameters"]
        if sorted(document) != sorted(keys):
            raise self.bad(f"expected the keys {keys}, got {_short(list(document))}")
        if document["format"] != FORMAT or document["version"] != _VERSION:
            raise self.bad(
                f"expected format {FORMAT!r} version {_VERSION}, "
                f"got {_short(document['format'])} version {_short(document['version'])}"
            )
        if document["model"] != self.cls.__name__:
            raise self.bad(f"it holds a {_short(document['model'])}")
        config, parameters = document["config"], document["parameters"]
        if not isinstance(config, dict):
            raise self.bad(f"config must be an object, got {type(config).__name__}")
        if not isinstance(parameters, dict):
            raise self.bad(f"parameters must be an object, got {type(parameters).__name__}")
        return config, parameters


class Module:
    """Something with named parameters: forward, zero_grad, state_dict, save and load.

    As in PyTorch, a subclass registers its parameters by assigning them to
    attributes: Values, Modules, and lists or tuples of them, found in the order
    the attributes were first assigned and named by attribute (``hidden.0.b_1^(1)``:
    a submodule's own names after its attribute's). Define :meth:`forward`;
    calling the module calls it. ``MLP``, ``Layer`` and ``Neuron`` name theirs in
    the notes' notation instead. :meth:`load` rebuilds a model as
    ``cls(**model.config())``: a subclass whose constructor takes arguments
    defines :meth:`config`.

    >>> from autograd import Value
    >>> class Scaled(Module):
    ...     def __init__(self) -> None:
    ...         self.body = MLP(2, [1], activation="linear")
    ...         self.scale = Value(2.0)
    ...     def forward(self, x):
    ...         return self.scale * self.body(x)[0]
    >>> m = Scaled()
    >>> [name for name, _ in m.named_parameters()]
    ['body.b_1^(1)', 'body.w_11^(1)', 'body.w_21^(1)', 'scale']
    >>> round(m([1.0, 1.0]).data, 6)
    2.409505
    """

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """What calling the module computes; every subclass that is called defines it."""
        raise NotImplementedError(f"{type(self).__name__} must define forward() to be called")

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``(name, Value)`` pairs of the parameters held by attributes, each once.

        >>> Module().named_parameters()
        []
        """
        found: list[tuple[str, Value]] = []
        seen: set[Value] = set()
        for attribute, value in vars(self).items():
            for name, p in _parameters_in(attribute, value):
                if p not in seen:  # a shared parameter is listed (and stepped) once
                    seen.add(p)
                    found.append((name, p))
        return found

    def parameters(self) -> list[Value]:
        """The parameter Values, in the order of :meth:`named_parameters`.

        >>> len(MLP(2, [2, 1]).parameters())  # 2 units of (b, w, w) and 1 of (b, w, w)
        9
        """
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` to 0.

        >>> m = MLP(1, [1])
        >>> m([1.0])[0].backward()
        >>> m.zero_grad()
        >>> [p.grad for p in m.parameters()]
        [0.0, 0.0]
        """
        for p in self.parameters():
            p.grad = 0.0

    def config(self) -> dict[str, Any]:
        """The constructor's keyword arguments: what :meth:`load` rebuilds from.

        Every subclass defines it; the base class has none.

        >>> MLP(2, [2, 1]).config()["layer_sizes"]
        [2, 1]
        """
        return {}

    def state_dict(self) -> dict[str, float]:
        """Every parameter's value by name, in parameter order.

        >>> MLP(1, [1]).state_dict()
        {'b_1^(1)': 0.0, 'w_11^(1)': 0.6888437030500962}
        """
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from ``state``, a mapping of name to number.

        The names must be exactly this model's (no missing, no extra ones), and
        every value a single finite number. Anything else raises ValueError or
        TypeError saying what is wrong, and no parameter is changed.

        >>> m = MLP(1, [1])
        >>> m.load_state_dict({"b_1^(1)": 0.5, "w_11^(1)": -2.0})
        >>> m.state_dict()
        {'b_1^(1)': 0.5, 'w_11^(1)': -2.0}
        >>> m.load_state_dict({"b_1^(1)": 0.5})
        Traceback (most recent call last):
        ...
        ValueError: state does not fit MLP(n_in=1, layer_sizes=[1], ...): missing ['w_11^(1)']
        """
        if not isinstance(state, Mapping):
            raise TypeError(
                f"state must be a mapping of parameter name to number, got {type(state).__name__}"
            )
        named = self.named_parameters()
        names = [name for name, _ in named]
        known = set(names)
        missing = [name for name in names if name not in state]
        extra = [str(name) for name in state if name not in known]
        if missing or extra:
            problems = [f"missing {missing}"] if missing else []
            problems += [f"unexpected {extra}"] if extra else []
            raise ValueError(f"state does not fit {self!r}: {'; '.join(problems)}")
        values = [_state_value(name, state[name]) for name in names]  # all checked first
        for (_, p), f in zip(named, values, strict=True):
            p.data = f

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the model to ``path`` as JSON, atomically.

        The file holds ``{"format": "chainrule.nn", "version": 1, "model":
        class name, "config": constructor arguments, "parameters": {name:
        value}}``, the parameters in parameter order, each float written so it
        reads back bit for bit. The file is written by
        ``_chainrule_files.write_atomic``: through a temporary file in the same
        directory that replaces ``path`` in one ``os.replace`` (a crash leaves
        the old file or the new one, never half of one, and no temporary file
        stays behind after a failure); only a regular file is ever replaced (a
        device node or FIFO is refused, a symlink to a regular file is written
        through), and an existing file keeps its permissions.

        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "xor.json")
        >>> MLP(2, [2, 1]).save(path)
        >>> MLP.load(path).state_dict() == MLP(2, [2, 1]).state_dict()
        True
        """
        state = self.state_dict()
        for name, value in state.items():
            if not math.isfinite(value):
                raise ValueError(f"cannot save {self!r}: parameter {name} is {value!r}")
        document = {
            "format": FORMAT,
            "version": _VERSION,
            "model": type(self).__name__,
            "config": self.config(),
            "parameters": state,
        }
        text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
        write_atomic(path, text.encode("utf-8"))

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int | None:
        """How many parameters ``cls(**config)`` would have, computed without building it.

        :meth:`load` checks it before building anything. A config that does not
        give whole numbers where the sizes go raises ValueError. A module of your
        own that takes its sizes from its config should say how many parameters
        they make; by default (None) :meth:`load` builds the model first and then
        compares.

        >>> MLP.parameter_count({"n_in": 2, "layer_sizes": [2, 1]})
        9
        """
        return None

    @classmethod
    def load(cls: type[M], path: str | os.PathLike[str]) -> M:
        """Rebuild a model saved by :meth:`save`: its class, shape and parameters.

        Every bad file raises ValueError naming the file and what is wrong, with
        the file's own text quoted to at most 80 characters, and before anything
        large is built: a path that is not a regular file, a file over
        :data:`MAX_FILE_BYTES`, a file over 64 KiB that is larger than its config's
        parameters can need (256 bytes each: such a file is read only as far as its
        config, which must come before its parameters, as :meth:`save` writes them),
        bytes that are not UTF-8, invalid JSON (nesting
        too deep included), a key given twice, an integer of more than 40 digits,
        a number beyond the float range, nan or inf, a shape of more than
        :data:`MAX_PARAMETERS` parameters or one that does not match the
        parameters listed, or a file that is not a saved model of this class.

        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
        >>> MLP(3, [4, 2], activation="tanh").save(path)
        >>> MLP.load(path)
        MLP(n_in=3, layer_sizes=[4, 2], activation='tanh', output_activation=None, seed=0)
        """
        loading = _Loading(cls, os.fspath(path))
        config, parameters = loading.fields(loading.parse(loading.read()))
        count = loading.counted(config)
        if count is not None and count != len(parameters):
            raise loading.bad(
                f"its config asks for {count} parameters, but it lists {len(parameters)}"
            )
        try:
            model = cls(**config)
        except (TypeError, ValueError) as e:
            raise loading.bad(
                f"its config {_short(config)} does not build a model ({str(e)[:200]})"
            ) from None
        try:
            model.load_state_dict(parameters)
        except (TypeError, ValueError) as e:
            raise loading.bad(str(e)[:300]) from None
        return model

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


class Neuron(Module):
    """Unit j of layer k: ``S = Σ_i w_ij x_i - b_j``, then ``x = φ(S)``.

    Calling it returns the unit's output ``x_j^(k)`` (``S_j^(k)`` when linear).
    Numbers given as inputs become leaves labelled ``x_i^(k-1)``. Its bias ``b`` and
    weights ``w`` (a tuple, shared by every ``S`` node the unit makes) are Parameters.

    >>> n = Neuron(2, layer=1, unit=2)
    >>> [name for name, _ in n.named_parameters()]
    ['b_2^(1)', 'w_12^(1)', 'w_22^(1)']
    >>> out = n([1.0, 0.0])
    >>> out.label, out.op, out.inputs[0].label
    ('x_2^(1)', 'sigmoid', 'S_2^(1)')
    """

    def __init__(
        self,
        n_in: int,
        activation: str = "sigmoid",
        seed: int = 0,
        *,
        layer: int = 1,
        unit: int = 1,
        rng: random.Random | None = None,
    ) -> None:
        self.n_in = _check_int("n_in", n_in, 1)
        self.activation = _check_activation("activation", activation)
        self.seed = _check_seed(seed)
        self.layer = k = _check_int("layer", layer, 1)
        self.unit = j = _check_int("unit", unit, 1)
        rng = random.Random(seed) if rng is None else rng
        self._names = [f"b_{j}^({k})"] + [weight_name(i, j, k) for i in range(1, n_in + 1)]
        self.b = Parameter(0.0, self._names[0])
        # a tuple, which every wsum node of this unit shares (see autograd.wsum)
        self.w = tuple([Parameter(rng.uniform(-1.0, 1.0), name) for name in self._names[1:]])
        self._phi = _APPLY[activation]
        self._S = f"S_{j}^({k})"
        self._x = f"x_{j}^({k})"

    def forward(self, x: Sequence[Value | float]) -> Value:
        """The unit's output ``x_j^(k)`` for the inputs x (``S_j^(k)`` when linear)."""
        xs = _inputs(x, self.n_in, self.layer, "Neuron")
        return self._forward(xs)

    def _forward(self, xs: tuple[Value, ...]) -> Value:
        S = wsum(self.w, xs, self.b)
        S.label = self._S
        phi = self._phi
        if phi is None:
            return S
        out = phi(S)
        out.label = self._x
        return out

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``b_j^(k)``, then ``w_1j^(k) .. w_nj^(k)``.

        >>> [name for name, _ in Neuron(1).named_parameters()]
        ['b_1^(1)', 'w_11^(1)']
        """
        return [(self._names[0], self.b), *zip(self._names[1:], self.w, strict=True)]

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int:
        """``n_in`` weights and a bias.

        >>> Neuron.parameter_count({"n_in": 3})
        4
        """
        return _size(config, "n_in") + 1

    def config(self) -> dict[str, Any]:
        """The arguments that rebuild this unit (its parameters aside).

        >>> Neuron(3, "tanh", layer=2, unit=1).config()
        {'n_in': 3, 'activation': 'tanh', 'seed': 0, 'layer': 2, 'unit': 1}
        """
        return {
            "n_in": self.n_in,
            "activation": self.activation,
            "seed": self.seed,
            "layer": self.layer,
            "unit": self.unit,
        }


class Layer(Module):
    """Layer k: ``n_out`` units reading the same ``n_in`` inputs; returns a list.

    >>> layer = Layer(2, 3, "relu", layer=1)
    >>> [x.label for x in layer([1.0, -1.0])]
    ['x_1^(1)', 'x_2^(1)', 'x_3^(1)']
    """

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: str = "sigmoid",
        seed: int = 0,
        *,
        layer: int = 1,
        rng: random.Random | None = None,
    ) -> None:
        self.n_in = _check_int("n_in", n_in, 1)
        self.n_out = _check_int("n_out", n_out, 1)
        self.activation = _check_activation("activation", activation)
        self.seed = _check_seed(seed)
        self.layer = _check_int("layer", layer, 1)
        rng = random.Random(seed) if rng is None else rng
        self.neurons = [
            Neuron(n_in, activation, seed, layer=layer, unit=j, rng=rng)
            for j in range(1, n_out + 1)
        ]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs of the layer's units, in order."""
        xs = _inputs(x, self.n_in, self.layer, "Layer")
        return [n._forward(xs) for n in self.neurons]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Unit by unit, each ``b_j`` then its weights.

        >>> [name for name, _ in Layer(1, 2).named_parameters()]
        ['b_1^(1)', 'w_11^(1)', 'b_2^(1)', 'w_12^(1)']
        """
        return [pair for n in self.neurons for pair in n.named_parameters()]

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int:
        """``n_out`` units of ``n_in`` weights and a bias.

        >>> Layer.parameter_count({"n_in": 3, "n_out": 2})
        8
        """
        return (_size(config, "n_in") + 1) * _size(config, "n_out")

    def config(self) -> dict[str, Any]:
        """The arguments that rebuild this layer (its parameters aside).

        >>> Layer(2, 3, layer=2).config()
        {'n_in': 2, 'n_out': 3, 'activation': 'sigmoid', 'seed': 0, 'layer': 2}
        """
        return {
            "n_in": self.n_in,
            "n_out": self.n_out,
            "activation": self.activation,
            "seed": self.seed,
            "layer": self.layer,
        }


class MLP(Module):
    """A stack of layers k = 1..K; ``MLP(2, [2, 1])`` is the notes' network.

    ``layer_sizes`` lists the units of each layer. Hidden layers use
    ``activation``; the last uses ``output_activation``, which defaults to
    ``activation``. ``model(x)`` always returns a list, one Value per output
    unit; numbers in ``x`` become leaves labelled ``x_i^(0)``.

    >>> model = MLP(2, [2, 1])
    >>> (y,) = model([1.0, 0.0])
    >>> y.label, round(y.data, 6)
    ('x_1^(2)', 0.481878)
    >>> MLP(2, [16, 16, 1], activation="relu", output_activation="linear")([0.5, 0.5])[0].label
    'S_1^(3)'
    """

    def __init__(
        self,
        n_in: int,
        layer_sizes: Sequence[int],
        activation: str = "sigmoid",
        output_activation: str | None = None,
        seed: int = 0,
    ) -> None:
        self.n_in = _check_int("n_in", n_in, 1)
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(
                "layer_sizes must be a list of layer widths such as [2, 1], "
                f"got {type(layer_sizes).__name__}: {layer_sizes!r:.60}"
            )
        if not layer_sizes:
            raise ValueError("layer_sizes must name at least one layer, such as [2, 1]; got []")
        sizes = [_check_int(f"layer_sizes[{i}]", n, 1) for i, n in enumerate(layer_sizes)]
        self.activation = _check_activation("activation", activation)
        self.output_activation = (
            None
            if output_activation is None
            else _check_activation("output_activation", output_activation)
        )
        self.seed = _check_seed(seed)
        self.layer_sizes = sizes
        last = activation if output_activation is None else output_activation
        rng = random.Random(seed)
        widths = [n_in, *sizes]
        self.layers = [
            Layer(
                widths[k - 1],
                widths[k],
                last if k == len(sizes) else activation,
                seed,
                layer=k,
                rng=rng,
            )
            for k in range(1, len(sizes) + 1)
        ]

    def forward(self, x: Sequence[Value | float]) -> list[Value]:
        """The outputs of the last layer, one Value per unit."""
        xs = _inputs(x, self.n_in, 1, "MLP")
        out = list(xs)
        for layer in self.layers:
            out = [n._forward(xs) for n in layer.neurons]
            xs = tuple(out)  # one tuple per layer, which its units' wsum nodes share
        return out

    def named_nodes(self, x: Sequence[Value | float]) -> dict[str, Value]:
        """Run a forward pass and return every named node of it, in order.

        The inputs ``x_i^(0)``, then layer by layer ``S_j^(k)`` and ``x_j^(k)``
        for each unit. A linear unit's output is its sum, so both of its names
        map to the same node (labelled ``S_j^(k)``).

        >>> nodes = MLP(2, [2, 1]).named_nodes([1.0, 0.0])
        >>> list(nodes)
        ['x_1^(0)', 'x_2^(0)', 'S_1^(1)', 'x_1^(1)', 'S_2^(1)', 'x_2^(1)', 'S_1^(2)', 'x_1^(2)']
        >>> nodes["x_1^(1)"].inputs[0] is nodes["S_1^(1)"]
        True
        """
        xs = _inputs(x, self.n_in, 1, "MLP")
        nodes = {f"x_{i}^(0)": v for i, v in enumerate(xs, start=1)}
        for layer in self.layers:
            outs = []
            for n in layer.neurons:
                out = n._forward(xs)
                nodes[n._S] = out if n._phi is None else out.inputs[0]
                nodes[n._x] = out
                outs.append(out)
            xs = tuple(outs)
        return nodes

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Layer by layer; in a layer unit by unit; in a unit ``b_j`` then its weights.

        >>> [name for name, _ in MLP(2, [2, 1]).named_parameters()]
        ['b_1^(1)', 'w_11^(1)', 'w_21^(1)', 'b_2^(1)', 'w_12^(1)', 'w_22^(1)',
         'b_1^(2)', 'w_11^(2)', 'w_21^(2)']
        """
        return [pair for layer in self.layers for pair in layer.named_parameters()]

    @classmethod
    def parameter_count(cls, config: Mapping[str, object]) -> int:
        """Each layer's units times (its inputs + 1), summed.

        >>> MLP.parameter_count({"n_in": 2, "layer_sizes": [16, 16, 1]})
        337
        """
        sizes = config.get("layer_sizes")
        if not isinstance(sizes, list) or not sizes:
            raise ValueError(f"layer_sizes must be a non-empty list, got {_short(sizes)}")
        widths = [_size(config, "n_in")]
        widths += [_size({"layer_sizes[]": n}, "layer_sizes[]") for n in sizes]
        return sum((a + 1) * b for a, b in itertools.pairwise(widths))

    def config(self) -> dict[str, Any]:
        """The arguments that rebuild this network (its parameters aside).

        >>> MLP(2, [2, 1]).config()
        {'n_in': 2, 'layer_sizes': [2, 1], 'activation': 'sigmoid', 'output_activation': None,
         'seed': 0}
        """
        return {
            "n_in": self.n_in,
            "layer_sizes": list(self.layer_sizes),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "seed": self.seed,
        }
