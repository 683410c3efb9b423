"""The checks of compile's arguments, and of the compiled code's: what a call was given,
against what it needs, with an error that says both."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .engine import Constant, Value, topological_order
from .names import leaf_names
from .printers import define, numpy_namespace
from .rule import as_float

__all__ = [
    "checked_entry",
    "group_argument",
    "indices",
    "input_names",
    "leaves",
    "only_inputs",
    "parameter_names",
    "samples",
]


def checked_entry(
    function: Callable[..., Any], n: int, converted: Callable[..., Any]
) -> Callable[..., Any]:
    """``function`` behind a check that its n arguments are floats, written out as code:
    a test per argument in one line costs less than a loop over them. Anything else
    goes to ``converted(args)``, which checks and converts."""
    names = [f"a{i}" for i in range(n)]
    params = ", ".join(names)
    test = " and ".join(f"type({a}) is float" for a in names) or "True"
    source = (
        f"def checked({params}):\n"
        f"    if {test}:\n"
        f"        return function({params})\n"
        f"    return converted(({params}{',' if n == 1 else ''}))\n"
    )
    namespace = {"function": function, "converted": converted, "float": float, "type": type}
    namespace["__builtins__"] = {}
    return define(source, "checked", namespace)


def indices(
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


def leaves(inputs: Sequence[Value]) -> list[Value]:
    """The inputs of a graph, checked: distinct leaf Values."""
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
    return leaves


def input_names(
    output: object, leaves: list[Value], names: Sequence[str] | None
) -> tuple[str, ...]:
    """The inputs' names: ``names``, or their labels (an unlabelled input named as
    everywhere else), checked: distinct non-empty str."""
    if names is None:
        unlabelled = [v for v in leaves if not v.label]
        graph = topological_order(output) if isinstance(output, Value) else []
        found = leaf_names([*graph, *unlabelled]) if unlabelled else {}
        names = tuple(v.label or found.get(v, "") for v in leaves)
    elif isinstance(names, str) or len(names) != len(leaves):
        raise ValueError(
            f"names must be a list of {len(leaves)} str, one per input; got {names!r:.80}"
        )
    return _distinct(tuple(names))


def _distinct(names: tuple[str, ...]) -> tuple[str, ...]:
    for i, n in enumerate(names):
        if not isinstance(n, str) or not n or names.index(n) != i:
            problem = f"is {n!r}" if not isinstance(n, str) or not n else f"repeats {n!r}"
            raise ValueError(
                "inputs need distinct names (their labels, or names=[...]); "
                f"the name of inputs[{i}] {problem}"
            )
    return names


def only_inputs(output: Value, leaves: list[Value], what: str) -> None:
    """An error for a leaf of the graph that is neither an input nor a Constant."""
    inputs = set(leaves)
    for node in topological_order(output):
        if node._rule is None and node not in inputs and type(node) is not Constant:
            raise ValueError(
                f"{what} uses a Value that is not one of its inputs: "
                f"label {node.label!r}, data {node.data!r}. Make it an input, or write "
                "it as a plain number to compile its current value in as a constant"
            )


def parameter_names(fn: Callable[..., Any], labels: Sequence[str] | None) -> tuple[str, ...]:
    """The names of ``fn``'s inputs: ``labels``, checked against its parameters (those
    without a default), or those parameters' names."""
    names = _labels(labels)
    params = _parameters(fn, names is None)
    if names is None:
        assert params is not None  # _parameters raises when it cannot tell without labels
        return params
    if params is not None and len(names) != len(params):
        raise ValueError(
            f"labels gives {len(names)} names, but the function takes {len(params)} inputs "
            f"({', '.join(params)})"
        )
    return names


def _labels(labels: Sequence[str] | None) -> tuple[str, ...] | None:
    if labels is None:
        return None
    if isinstance(labels, str):
        raise TypeError(f"labels must be a list of str, got the str {labels!r}")
    names = tuple(labels)
    for i, label in enumerate(names):
        if not isinstance(label, str) or not label:
            raise TypeError(f"labels must be non-empty str; labels[{i}] is {label!r}")
    return names


def _parameters(fn: Callable[..., Any], needed: bool) -> tuple[str, ...] | None:
    """The names of ``fn``'s parameters without a default; None when their number is
    open (``*args``) or unknown, an error then if they are ``needed``."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        if needed:
            raise TypeError(
                f"cannot read the parameters of {fn!r:.60}; give one label per input: labels=[...]"
            ) from None
        return None
    params = []
    for p in signature.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            if needed:
                raise TypeError(
                    "the function takes *args, so the number of inputs is open; "
                    "give one label per input: labels=[...]"
                )
            return None
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) and p.default is p.empty:
            params.append(p.name)
        elif p.kind is p.KEYWORD_ONLY and p.default is p.empty:
            raise TypeError(f"keyword-only parameter {p.name!r} needs a default to be compiled")
    return tuple(params)


def samples(
    names: Sequence[str], given: list[Any], others: list[Any]
) -> tuple[Any, list[Any], int]:
    """The per-sample inputs (``given``, named ``names``) as float64 arrays of one library
    and one length, that library's namespace (also of the array API objects among
    ``others``), the length."""
    numpy = numpy_namespace()
    if not names:
        raise ValueError(
            "batch needs at least one per-sample input, but every input is shared; "
            "call the compiled function itself instead"
        )
    if _plain_numpy(given, others):
        return numpy, given, given[0].shape[0]
    from array_api_compat import array_namespace, is_array_api_obj, is_numpy_namespace

    found = [a for a in (*given, *others) if is_array_api_obj(a) and a.ndim]
    xp = array_namespace(*found) if found else numpy
    if is_numpy_namespace(xp):
        xp = numpy
    arrays = [_sample_array(xp, name, a) for name, a in zip(names, given, strict=True)]
    for name, array in zip(names, arrays, strict=True):
        if array.shape[0] != arrays[0].shape[0]:
            raise ValueError(
                f"per-sample inputs must have one length: {names[0]!r} has "
                f"{arrays[0].shape[0]} samples, so {name!r} needs {arrays[0].shape[0]}, "
                f"got {array.shape[0]}"
            )
    return xp, arrays, arrays[0].shape[0]


def _plain_numpy(given: list[Any], others: list[Any]) -> bool:
    """The common case, checked quickly: NumPy's float64 vectors of one length."""
    import numpy as np

    return (
        all(type(a) is np.ndarray and a.dtype == np.float64 and a.ndim == 1 for a in given)
        and len({a.shape[0] for a in given}) == 1
        and all(type(a) is float or type(a) is np.ndarray for a in others)
    )


def _sample_array(xp: Any, name: str, a: Any) -> Any:
    """A per-sample input as a 1-D float64 array of ``xp``, or an error that names it."""
    from array_api_compat import is_array_api_obj

    array = a if is_array_api_obj(a) else xp.asarray(a)
    if not xp.isdtype(array.dtype, ("real floating", "integral")):
        raise TypeError(
            f"per-sample input {name!r} must hold real numbers, got dtype {array.dtype}"
        )
    if array.ndim != 1:
        raise ValueError(
            f"per-sample input {name!r} must be a 1-D array with one number per "
            f"sample, got shape {tuple(array.shape)}; name it in shared= if it is one "
            "number for the whole batch"
        )
    return xp.astype(array, xp.float64, copy=False)


def group_argument(xp: Any, name: str, a: Any, shape: tuple[int, ...]) -> Any:
    """A group's argument to ``batch_grouped``: a float, or a float64 array of ``shape``."""
    if not shape:
        return a if type(a) is float else as_float(a, f"shared input {name!r}")
    if getattr(a, "dtype", None) == xp.float64 and getattr(a, "shape", None) == shape:
        return a  # as group() makes it
    array = xp.asarray(a) if not hasattr(a, "shape") else a
    if tuple(array.shape) != shape:
        raise ValueError(
            f"group {name!r} must be an array of shape {shape}, got shape "
            f"{tuple(array.shape)}; Compiled.group(values) makes the groups"
        )
    return xp.astype(array, xp.float64, copy=False)
