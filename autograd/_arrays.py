"""The vocabulary of the grouped program (:mod:`autograd.layers`): its array rows, its
arrays (:class:`Block`), the layers of a program (:func:`layers_of`), and the lines
that read an array's elements one by one (:class:`Elements`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .formula import Formula, to_python
from .program import TIMES, Atom, Equation, Program, Var
from .rule import Notation, Rule

if TYPE_CHECKING:
    from .layers import _Rewriter

__all__ = [
    "BATCH_SUM",
    "BATCH_SUMS",
    "COLUMN",
    "COLUMNS",
    "ENTRIES",
    "ENTRY",
    "LAYER",
    "MATMUL",
    "OUTER",
    "SUMS",
    "SUM_OF_SQUARES",
    "VECTOR",
    "Block",
    "Elements",
    "Layer",
    "flat",
    "layers_of",
    "liftable",
    "matrix",
    "parameters_of",
    "variable",
]


# --- the array rows: helper rows of the program, each printed as its array code ---


def _arg(a: Any) -> str:
    """An operand's text, in parentheses unless it is a name or a number."""
    text = to_python(a)
    if not isinstance(a, Formula) or a.rule is None:
        return text
    plain = a.rule.notation.kind == "call" and a.rule.name not in ("layer", "matmul", "outer")
    return text if plain else f"({text})"


def _no_float(*args: float) -> float:
    raise TypeError("an array row of the grouped program runs on arrays only")


def _array_rule(name: str, text: Callable[..., str] | None = None) -> Rule:
    """A row of the array program: ``text`` writes it from its operands, else ``name(...)``."""
    expand = None if text is None else (lambda *args: Formula(text(*args)))
    return Rule(
        name,
        0,
        _no_float,
        lambda out, *args: tuple(None for _ in args),
        Notation.call(name),
        expand=expand,
        helper=True,
    )


LAYER = _array_rule("layer", lambda x, w, b: f"{_arg(x)} @ {_arg(w)}.T - {_arg(b)}")
MATMUL = _array_rule("matmul", lambda g, w: f"{_arg(g)} @ {_arg(w)}")
OUTER = _array_rule("outer", lambda g, x: f"{_arg(g)}.T @ {_arg(x)}")
COLUMN = _array_rule("column", lambda a, j: f"{_arg(a)}[:, {int(j)}]")
ENTRY = _array_rule("entry", lambda e, *at: _arg(e) + "".join(f"[{int(i)}]" for i in at))
COLUMNS, VECTOR, ENTRIES = _array_rule("columns"), _array_rule("vector"), _array_rule("entries")
BATCH_SUM, BATCH_SUMS = _array_rule("batch_sum"), _array_rule("batch_sums")
SUM_OF_SQUARES = _array_rule("sum_of_squares")


def matrix(rows: int) -> Rule:
    """``matrix(like, (w_11, w_21), (w_12, w_22))``: entries row by row, ``rows`` rows."""

    def text(like: Any, *flat: Any) -> str:
        k = len(flat) // rows
        parts = [", ".join(map(_arg, flat[j * k : (j + 1) * k])) for j in range(rows)]
        return (
            f"matrix({_arg(like)}, "
            + ", ".join(f"({p},)" if k == 1 else f"({p})" for p in parts)
            + ")"
        )

    return _array_rule("matrix", text)


@dataclass(eq=False)
class Block:
    """An array of the rewritten program and the scalar variable each element equals.

    ``shape`` ``(m,)`` with ``per_sample``: an (n, m) array, column j for ``members[j]``;
    else one array for all samples, ``(m,)`` or ``(m, k)``, members row by row.
    A member of None is an element no scalar equation reads.
    """

    var: Var
    shape: tuple[int, ...]
    per_sample: bool
    members: list[Atom | None]
    place: tuple[int, int] = (-1, 0)  # where its equation stands


@dataclass(eq=False)
class Layer:
    """The ``wsum`` equations of a layer (unit j's is ``members[j]``) and what they read."""

    members: list[Equation]
    x: tuple[Atom, ...]
    w: list[list[Var]]
    b: list[Var]
    number: int
    clean: bool = False  # its W (and b) hold distinct inputs that no other layer holds
    blocks: dict[str, Block] = field(default_factory=dict)  # its arrays: W, b, X, S
    activated: bool = False  # whether a row applied to its S is named X_k yet


SUMS = (OUTER, BATCH_SUM, BATCH_SUMS, SUM_OF_SQUARES)  # rows that sum over the batch


def layers_of(program: Program, shared: set[Var]) -> list[Layer]:
    """The layers of the program: its ``wsum`` equations whose weights and bias are shared
    inputs, grouped by the inputs they weigh, in the order of their first equation."""
    found: dict[tuple[Atom, ...], list[Equation]] = {}
    for eq in program.equations:
        n = len(eq.inputs) // 2
        if eq.rule.name != "wsum" or not n:
            continue
        params = (*eq.inputs[:n], eq.inputs[-1])
        if all(isinstance(p, Var) and p in shared for p in params):
            found.setdefault(eq.inputs[n:-1], []).append(eq)
    layers = []
    for k, (x, members) in enumerate(found.items()):
        w = [[variable(a) for a in m.inputs[: len(x)]] for m in members]
        layers.append(Layer(members, x, w, [variable(m.inputs[-1]) for m in members], k + 1))
    held = Counter(p for layer in layers for p in parameters_of(layer))
    for layer in layers:
        layer.clean = all(held[p] == 1 for p in parameters_of(layer))
    return layers


def variable(a: Atom) -> Var:
    if not isinstance(a, Var):
        raise TypeError(f"a layer's parameter must be a variable, got {a!r}")
    return a


def parameters_of(layer: Layer) -> list[Var]:
    return [p for row in layer.w for p in row] + layer.b


def flat(indices: Any) -> list[int]:
    if isinstance(indices, int):
        return [indices]
    return [i for item in indices for i in flat(item)]


def liftable(rule: Rule) -> bool:
    return rule.arity != 0 and (rule.array is not None or rule is TIMES)


class Elements:
    """The equations in order, with a line before the first reader of an array's element
    that reads it: ``X_2[:, 0]``, ``W_1_entries[0][1]``."""

    def __init__(self, rewriter: _Rewriter) -> None:
        self.rw = rewriter
        self.defined: set[Var] = set(rewriter.inputs)
        self.listed: dict[Var, Var] = {}  # a shared array, and its entries as nested lists
        self.lines: list[Equation] = []

    def read(self, ordered: list[Equation], outputs: list[Atom]) -> list[Equation]:
        for eq in ordered:
            for a in eq.inputs:
                self.need(a)
            self.lines.append(eq)
            self.defined.add(eq.out)
        for a in outputs:
            self.need(a)
        return self.lines

    def need(self, a: Atom) -> None:
        rw = self.rw
        if not isinstance(a, Var) or a in self.defined or a not in rw.block_of:
            return
        block, j = rw.block_of[a]
        if block.per_sample:
            self.lines.append(Equation(a, COLUMN, (block.var, float(j))))
        else:
            listed = self.listed.get(block.var)
            if listed is None:
                name = rw.labels.get(block.var, block.var.name)
                listed = self.listed[block.var] = rw.fresh(f"{name}_entries")
                rw.labels[listed] = listed.name
                if block.var in rw.forward or block.var in rw.inputs:
                    rw.forward.add(listed)
                self.lines.append(Equation(listed, ENTRIES, (block.var,)))
            at = divmod(j, block.shape[1]) if len(block.shape) == 2 else (j,)
            self.lines.append(Equation(a, ENTRY, (listed, *map(float, at))))
        if a in rw.program.inputs:
            rw.forward.add(a)  # a shared input that grouped code takes in its array
        self.defined.add(a)
