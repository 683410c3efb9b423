"""Compile a scalar function into straight-line Python for its value and its gradient.

:func:`compile` traces a function once on Values, runs each node's row of the
derivative table on symbols, and writes one Python function: a forward line per
op, then a backward line per gradient, named after the nodes' labels
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
  ``δᵀ·X`` and ``δ·W`` backward) and its activation one array op. A shared
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

import builtins
import functools
import inspect
import keyword
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .engine import Constant, Value, topological_order
from .formula import Formula, terms, to_python, to_text
from .names import leaf_names, node_names
from .ops import RULES, Rule, as_float

__all__ = ["Compiled", "compile"]

_TRACE_POINT = 0.5  # the inputs' value while tracing; the ops recorded do not depend on it
_LONGEST_NAME = 64  # labels longer than this are cut when they become identifiers
_TERMS_PER_LINE = 64  # long sums are split over lines, keeping the parser's nesting shallow


# --- names: labels become identifiers, and nothing else of the user's reaches the source ---

# Names the generated code calls: the rows' forward functions by op name, plus these.
_HELPERS = (
    *("masked", "inf", "nan", "each", "batch_sum", "float"),
    *("columns", "matrix", "vector", "entries", "batch_sums", "sum_of_squares"),  # layers
)
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


def _spelt(name: str) -> str:
    """A node's name (:mod:`autograd.names`, its inputs as identifiers) with its operators
    as the rows' names, for an identifier: ``y − t`` is ``y minus t``, ``w·x`` is ``w mul x``."""
    for rule in RULES.values():
        if rule.notation.kind == "infix":
            name = name.replace(rule.notation.symbol, f" {rule.name} ")
    return name.replace("−", " minus ")


class _Names:
    """Hands out distinct identifiers that are neither keywords nor the code's own names.

    The first free one of ``base``, ``base_2``, ``base_3``, ...: ``suffix`` remembers
    where each base's search stopped (every name before it is taken, and a taken
    name stays taken), so 10⁵ nodes that share a name cost 10⁵ steps, not 10¹⁰/2.

    >>> names = _Names()
    >>> [names.new("y", "v1"), names.new("y", "v2"), names.new("", "v3"), names.new("y", "v4")]
    ['y', 'y_2', 'v3', 'y_3']
    >>> names.taken.add("z_2")
    >>> names.new("z", "v5"), names.new("z", "v6"), names.new("lambda", "v7")
    ('z', 'z_3', 'lambda_')
    """

    def __init__(self) -> None:
        self.taken: set[str] = {*RULES, *_HELPERS, _BATCH_SIZE}
        self.suffix: dict[str, int] = {}  # base -> the next k to try for base_k

    def new(self, wanted: str, fallback: str) -> str:
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


def _gradient_name(identifier: str) -> str:
    """δ for a weighted sum S, ∂L/∂ for everything else: ``delta_S_1_2``, ``dL_dw_11_2``."""
    if identifier == "S" or identifier.startswith("S_"):
        return "delta_" + identifier
    return "dL_d" + identifier


# --- symbols: the table's rows run on these and print Python source ---


Term = Formula | float  # a symbolic expression, or a constant folded at compile time


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


class _Block:
    """A layer in batched code: a group of nodes computed as one matrix, a column each.

    ``kind`` "layer": weighted sums that read the same inputs with shared weights,
    ``S = X @ W.T - b``; ``source`` is the block whose columns are the inputs, or
    None when they are stacked from their own lines (``X = columns(...)``).
    ``kind`` "map": the same one-input row applied to every column of ``source``.
    """

    __slots__ = ("bias", "kind", "members", "name", "op", "source", "weights", "x")

    def __init__(self, kind: str, members: list[Value], source: _Block | None, op: str) -> None:
        self.kind, self.members, self.source, self.op = kind, members, source, op
        self.name = self.x = self.weights = self.bias = ""  # the block's, X's, W's and b's names


def _layers(order: Sequence[Value], shared: set[Value]) -> list[_Block]:
    """The layers of the graph, in the order of their first node.

    A layer is every ``wsum`` node that reads the same inputs, in the same order,
    with weights and a bias that are all shared inputs; then, as long as every
    column of a block feeds a node of the same one-input row, those nodes are a
    block of their own (the activation). A layer whose inputs are the columns of
    a block reads that block as its matrix.
    """
    groups: dict[tuple[Value, ...], list[Value]] = {}
    for node in order:
        if node.op != "wsum":
            continue
        ins = node.inputs
        n = len(ins) // 2
        if n and all(p in shared for p in (*ins[:n], ins[-1])):
            groups.setdefault(ins[n:-1], []).append(node)
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for x in node.inputs:
            consumers.setdefault(x, []).append(node)
    blocks = [_Block("layer", members, None, "wsum") for members in groups.values()]
    pending = list(blocks)
    while pending:  # activations: the same row on every column
        block = pending.pop()
        first = [c for c in consumers.get(block.members[0], []) if RULES[c.op].arity == 1]
        if not first:
            continue
        op = first[0].op
        mapped = []
        for m in block.members:
            found = [c for c in consumers.get(m, []) if c.op == op and c.inputs == (m,)]
            if not found:
                break
            mapped.append(found[0])
        else:
            mapped_block = _Block("map", mapped, block, op)
            blocks.append(mapped_block)
            pending.append(mapped_block)
    by_columns = {tuple(b.members): b for b in blocks}
    for b in blocks:
        if b.kind == "layer":
            b.source = by_columns.get(
                tuple(b.members[0].inputs[len(b.members[0].inputs) // 2 : -1])
            )
    position = {node: i for i, node in enumerate(order)}
    return sorted(blocks, key=lambda b: min(position[m] for m in b.members))


def _entries(block: _Block) -> tuple[list[list[Value]], list[Value]]:
    """A layer's weights, row j for unit j, and its biases: the inputs its W and b hold."""
    n = len(block.members[0].inputs) // 2
    return [list(m.inputs[:n]) for m in block.members], [m.inputs[-1] for m in block.members]


def _clean_layers(blocks: Sequence[_Block]) -> list[tuple[_Block, str]]:
    """The layers' W and b (``(block, "W")``, ``(block, "b")``) whose entries are distinct
    Values that no other entry of any layer holds: each can stand for its entries."""
    seen: dict[Value, int] = {}
    found = []
    for block in blocks:
        if block.kind != "layer":
            continue
        rows, bias = _entries(block)
        for p in (*(p for row in rows for p in row), *bias):
            seen[p] = seen.get(p, 0) + 1
        found += [(block, "W"), (block, "b")]
    return [(block, kind) for block, kind in found if all(seen[p] == 1 for p in _flat(block, kind))]


def _flat(block: _Block, kind: str) -> list[Value]:
    rows, bias = _entries(block)
    return [p for row in rows for p in row] if kind == "W" else bias


class _Group:
    """Shared inputs that grouped batched code takes as one argument.

    A layer's weights as a matrix (``kind`` "W", ``indices`` its rows of input
    indices, ``W[j][i]`` for ``w_ij``), its biases as a vector ("b"), or one input
    on its own ("input", ``indices`` its index).
    """

    __slots__ = ("block", "indices", "kind", "name")

    def __init__(self, name: str, kind: str, indices: Any, block: _Block | None) -> None:
        self.name, self.kind, self.indices, self.block = name, kind, indices, block

    def at(self) -> dict[int, str]:
        """Each input's index into the group's array, as source: ``[j][i]``, ``[j]``."""
        if self.kind == "W":
            return {
                i: f"[{j}][{c}]" for j, row in enumerate(self.indices) for c, i in enumerate(row)
            }
        if self.kind == "b":
            return {i: f"[{j}]" for j, i in enumerate(self.indices)}
        return {self.indices: ""}


def _square_sums(
    order: Sequence[Value],
    blocks: Sequence[_Block],
    output: Value,
    ready: Callable[[_Block, Value], bool],
) -> tuple[dict[Value, tuple[list[tuple[_Block, str]], list[Value]]], set[Value]]:
    """Sums of squares of a layer's parameters (an L2 penalty), for batched code.

    A sum is a tree of ``add`` nodes whose inner nodes feed only the next add. Where
    its terms hold ``p * p`` for every entry of a layer's W (or b), those terms are
    ``sum_of_squares(W)``: the same squares, added in another order. Gives each such
    sum's root the groups it takes whole and its other terms, in order, and the
    nodes whose lines the sums replace. ``ready(block, root)``: whether the block's
    arrays exist at the root's line.
    """
    consumers: dict[Value, list[Value]] = {}
    for node in order:
        for x in node.inputs:
            consumers.setdefault(x, []).append(node)
    owner: dict[Value, tuple[_Block, str]] = {}
    for key in _clean_layers(blocks):
        for p in _flat(*key):
            owner[p] = key

    def inner(v: Value) -> bool:
        used = consumers.get(v, [])
        return v.op == "add" and v is not output and len(used) == 1 and used[0].op == "add"

    sums: dict[Value, tuple[list[tuple[_Block, str]], list[Value]]] = {}
    absorbed: set[Value] = set()
    rank = {key: k for k, key in enumerate(_clean_layers(blocks))}
    for root in order:
        if root.op != "add" or inner(root):
            continue
        leaves, inside, stack = [], [], list(reversed(root.inputs))
        while stack:  # the terms left to right, without recursion
            v = stack.pop()
            if inner(v):
                inside.append(v)
                stack.extend(reversed(v.inputs))
            else:
                leaves.append(v)
        squares: dict[tuple[_Block, str], list[Value]] = {}
        for v in leaves:
            if v.op == "mul" and v.inputs[0] is v.inputs[1] and len(consumers[v]) == 1:
                owned = owner.get(v.inputs[0])
                if owned is not None:
                    squares.setdefault(owned, []).append(v)
        whole = sorted(
            (
                key
                for key, found in squares.items()
                if len({v.inputs[0] for v in found}) == len(found) == len(_flat(*key))
                and ready(key[0], root)
            ),
            key=rank.__getitem__,
        )
        if not whole:
            continue
        taken = {v for key in whole for v in squares[key]}
        sums[root] = (whole, [v for v in leaves if v not in taken])
        absorbed.update(inside)
        absorbed.update(taken)
    return sums, absorbed


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
    computed from a per-sample (not shared) input. With ``layers`` (batched code
    only) each layer of the graph is one block: a matrix product and one array op
    per activation, forward and backward (see :func:`_layers`).
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
        layers: bool = False,
        grouped: bool = False,
    ) -> None:
        order = topological_order(output)
        # an unlabelled node is named by what it computes, in the inputs' names
        computed = node_names(order, given=dict(zip(inputs, names, strict=True)))
        position = {node: i for i, node in enumerate(inputs)}
        idents = _Names()
        self.idents = idents
        self.function = idents.new(function, "f")
        idents.taken.update((self.function + "_batch", self.function + "_grouped"))
        self.params = [idents.new(_identifier(name), f"x{i}") for i, name in enumerate(names)]
        self.wrt, self.shared = tuple(wrt), tuple(shared)
        self.per_sample = {p for i, p in enumerate(self.params) if i not in shared}
        self.like = next((p for i, p in enumerate(self.params) if i not in shared), "")
        self.summed: set[str] = set()  # batched names that are already sums over the batch
        self.listed: set[str] = set()  # a layer's δᵀ·X and Σδ: nested lists, unless grouped
        blocks = _layers(order, {inputs[i] for i in shared}) if layers or grouped else []
        self.grouped = grouped
        self.groups = self._groups(blocks, position) if grouped else []
        self.gradients: dict[_Block, tuple[str, str]] = {}  # a layer's δᵀ·X and Σδ
        line_of = {node: k for k, node in enumerate(order)}
        sums, absorbed = _square_sums(
            order,
            blocks,
            output,
            lambda block, root: grouped or min(line_of[m] for m in block.members) < line_of[root],
        )
        column: dict[Value, tuple[_Block, int]] = {}
        for block in blocks:
            for j, m in enumerate(block.members):
                column[m] = (block, j)
        scalar_use = {output}  # block columns that a line outside their blocks reads
        for node in order:
            for x in node.inputs:
                if x in column and not self._block_reads(column.get(node), x):
                    scalar_use.add(x)
        symbol: dict[Value, Term] = {}
        for node, param in zip(inputs, self.params, strict=True):
            symbol[node] = Formula(param)
        self.forward: list[tuple[str, str]] = []
        units: list[Value | _Block] = []  # in the order of their lines
        ops = 0  # an unlabelled node whose name is no identifier is v1, v2, ... in line order
        for node in order:
            if node in absorbed:  # a square or an inner add of a sum of squares: no line
                symbol[node] = Formula("<in a sum of squares>")  # never printed
                units.append(node)
                continue
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
            if node in column:
                block, j = column[node]
                if block not in units:
                    self._block_lines(block, symbol)
                    units.append(block)
                if node in scalar_use:
                    name = idents.new(_identifier(node.label), f"v{ops + 1}")
                    ops += not _identifier(node.label)
                    self._assign(self.forward, name, f"{block.name}[:, {j}]")
                    symbol[node] = Formula(name)
                continue
            wanted = _identifier(node.label or _spelt(to_text(computed[node], _identifier)))
            ops += not wanted
            name = idents.new(wanted, f"v{ops}")
            if node in sums:  # sum_of_squares(W_1) + sum_of_squares(b_1) + ... + other terms
                whole, others = sums[node]
                arrays = [block.weights if kind == "W" else block.bias for block, kind in whole]
                parts: list[tuple[Term, bool]] = [
                    (Formula(f"sum_of_squares({a})"), False) for a in arrays
                ]
                summed = parts + [(symbol[x], False) for x in others]
            else:
                summed = terms(_forward(node.op, [symbol[x] for x in node.inputs]))
            for line in _sum_lines(name, summed):  # a long sum over several lines
                self._assign(self.forward, name, line)
            symbol[node] = Formula(name)
            units.append(node)
        self.result = to_python(symbol[output])

        # Backward, in reverse order of the lines, along the paths that reach an input
        # in wrt. A node's line is written once its last consumer has contributed, so
        # each δ is followed by the gradients it completes, as in the notes. A block's
        # gradient is one matrix: what blocks reading it give, plus a column for each
        # line outside them that reads one of its nodes.
        targets = {inputs[i] for i in wrt}
        needed: set[Value] = set()
        for node in order:
            if node in targets or any(x in needed for x in node.inputs):
                needed.add(node)
        pending: dict[Value, int] = {}
        for node in order:
            reader = column.get(node)
            n = len(node.inputs) // 2
            for k, x in enumerate(node.inputs):
                if x not in needed or x in column:
                    continue  # a block's column gets its gradient with its block's matrix
                first = reader[0].members[0] if reader and reader[0].kind == "layer" else node
                if n <= k < 2 * n and node is not first:
                    continue  # a layer gives each of its stacked inputs one column of δ·W
                pending[x] = pending.get(x, 0) + 1
        gradient: dict[Value, Term] = {output: 1.0}  # ∂L/∂L
        contributions: dict[Value, list[tuple[Term, Term]]] = {}
        columns: dict[_Block, dict[int, list[tuple[Term, Term]]]] = {b: {} for b in blocks}
        matrices: dict[_Block, list[Term]] = {b: [] for b in blocks}
        if output in column:
            block, j = column[output]
            columns[block][j] = [(1.0, 1.0)]
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
                name = idents.new(_gradient_name(to_python(symbol[x])), "g")
                for line in _sum_lines(name, [_signed(g, p) for g, p in parts]):
                    self._assign(self.backward, name, line)
                gradient[x] = Formula(name)

        def contribute(x: Value, part: tuple[Term, Term]) -> None:
            if x in column:  # a column of a block: part of the block's matrix
                block, j = column[x]
                columns[block].setdefault(j, []).append(part)
                return
            contributions.setdefault(x, []).append(part)
            pending[x] -= 1
            if not pending[x]:
                finish(x, contributions.pop(x))

        for unit in reversed(units):
            if isinstance(unit, _Block):
                if any(m in needed for m in unit.members):
                    self._block_backward(unit, columns, matrices, needed, contribute)
                continue
            node = unit
            if node not in needed or node._rule is None:
                continue
            ins = node.inputs
            local = node._rule.derivative(symbol[node], *[symbol[x] for x in ins])
            g = gradient[node]
            for x, p in zip(ins, local, strict=True):
                if x not in needed:
                    continue
                if p is None or (node._rule.masks and isinstance(p, float) and p == 0.0):
                    contribute(x, (1.0, 0.0))  # exactly 0, as the engine passes on
                elif node._rule.masks:  # a partial of 0 stops inf and nan
                    contribute(x, (1.0, Formula(f"masked({to_python(g)}, {to_python(p)})")))
                else:
                    contribute(x, (g, p))
        if output in position and output in needed:  # the output is an input: ∂L/∂L = 1
            finish(output, [(1.0, 1.0)])

    def _groups(self, blocks: Sequence[_Block], position: dict[Value, int]) -> list[_Group]:
        """Grouped code's arguments for the shared inputs: each layer's W then b (when its
        entries are distinct inputs, all in wrt or none), then every other shared input."""
        groups, taken, targets = [], set(), set(self.wrt)
        for block, kind in _clean_layers(blocks):
            indices = [position.get(p, -1) for p in _flat(block, kind)]
            if (
                any(i not in self.shared for i in indices)
                or len({i in targets for i in indices}) != 1
            ):
                continue
            k = _layer_number(block)
            if kind == "W":
                name = block.weights = self.idents.new(f"W_{k}" if k else "", "W")
                nested: Any = tuple(tuple(position[p] for p in row) for row in _entries(block)[0])
            else:
                name = block.bias = self.idents.new(f"b_{k}" if k else "", "b")
                nested = tuple(indices)
            groups.append(_Group(name, kind, nested, block))
            taken.update(indices)
        return groups + [
            _Group(self.params[i], "input", i, None) for i in self.shared if i not in taken
        ]

    @staticmethod
    def _block_reads(reader: tuple[_Block, int] | None, x: Value) -> bool:
        """Whether the node at ``reader`` reads its input ``x`` as a column of a block."""
        if reader is None:
            return False
        source = reader[0].source
        return source is not None and x in source.members

    def _block_lines(self, block: _Block, symbol: dict[Value, Term]) -> None:
        """A block's forward lines: ``S_1 = X_0 @ W_1.T - b_1``, ``X_1 = relu(S_1)``."""
        k = _layer_number(block)
        if block.kind == "map":
            assert block.source is not None
            block.name = self.idents.new(f"X_{k}" if k else "", "A")
            line = to_python(_forward(block.op, [Formula(block.source.name)]))
            self._assign(self.forward, block.name, line)
            self.per_sample.add(block.name)
            return
        first = block.members[0].inputs
        n = len(first) // 2
        if block.source is not None:
            x = block.source.name
        else:
            x = self.idents.new(f"X_{int(k) - 1}" if k else "", "X")
            cols = ", ".join(to_python(symbol[v]) for v in first[n:-1])
            self._assign(self.forward, x, f"columns({self.like}, {cols})")
            self.per_sample.add(x)
        if not block.weights:  # W and b from their entries, unless they are arguments
            block.weights = self.idents.new(f"W_{k}" if k else "", "W")
            rows = ", ".join(
                _tuple([to_python(symbol[p]) for p in m.inputs[:n]]) for m in block.members
            )
            self.forward.append((block.weights, f"matrix({x}, {rows})"))
        if not block.bias:
            block.bias = self.idents.new(f"b_{k}" if k else "", "b")
            biases = ", ".join(to_python(symbol[m.inputs[-1]]) for m in block.members)
            self.forward.append((block.bias, f"vector({x}, {biases})"))
        block.name = self.idents.new(f"S_{k}" if k else "", "S")
        self._assign(self.forward, block.name, f"{x} @ {block.weights}.T - {block.bias}")
        self.per_sample.add(block.name)
        block.x = x

    def _block_backward(
        self,
        block: _Block,
        columns: dict[_Block, dict[int, list[tuple[Term, Term]]]],
        matrices: dict[_Block, list[Term]],
        needed: set[Value],
        contribute: Callable[[Value, tuple[Term, Term]], None],
    ) -> None:
        """A block's gradient as one matrix, then what it gives its inputs."""
        parts: list[tuple[Term, bool]] = [(t, False) for t in matrices[block]]
        if columns[block]:
            cols = []
            for j, m in enumerate(block.members):
                col = columns[block].get(j)
                if not col:
                    cols.append("0.0")
                    continue
                if len(col) == 1:
                    cols.append(_sum_lines("", [_signed(*col[0])])[0])
                    continue
                name = self.idents.new(_gradient_name(_identifier(m.label)), "g")
                for line in _sum_lines(name, [_signed(g, p) for g, p in col]):
                    self._assign(self.backward, name, line)
                cols.append(name)
            parts.append((Formula(f"columns({self.like}, {', '.join(cols)})"), False))
        if not parts:
            return
        g = self.idents.new(_gradient_name(block.name), "g")
        for line in _sum_lines(g, parts):
            self._assign(self.backward, g, line)
        self.per_sample.add(g)
        if block.kind == "map":
            assert block.source is not None
            rule = RULES[block.op]
            (p,) = rule.derivative(Formula(block.name), Formula(block.source.name))
            if p is None or (rule.masks and isinstance(p, float) and p == 0.0):
                return
            term = Formula(f"masked({g}, {to_python(p)})") if rule.masks else _times(Formula(g), p)
            matrices[block.source].append(term)
            return
        x, w = block.x, block.weights
        first = block.members[0].inputs
        n = len(first) // 2
        if any(p in needed for m in block.members for p in (*m.inputs[:n], m.inputs[-1])):
            dw = self.idents.new(f"dL_d{w}", "g")
            db = self.idents.new(f"dL_db{w[1:]}", "g")
            self.backward.append((dw, f"{g}.T @ {x}"))
            self.backward.append((db, f"batch_sums({g})"))
            self.summed.update((dw, db))
            self.listed.update((dw, db))
            self.gradients[block] = (dw, db)
            for j, m in enumerate(block.members):
                for i, p in enumerate(m.inputs[:n]):
                    if p in needed:
                        contribute(p, (1.0, Formula(f"{dw}[{j}][{i}]")))
                if m.inputs[-1] in needed:
                    contribute(m.inputs[-1], (Formula(f"{db}[{j}]"), -1.0))
        if not any(v in needed for v in first[n:-1]):
            return
        if block.source is not None:
            matrices[block.source].append(Formula(f"{g} @ {w}"))
            return
        dx = self.idents.new(f"dL_d{x}", "g")
        self._assign(self.backward, dx, f"{g} @ {w}")
        for i, v in enumerate(first[n:-1]):
            if v in needed:
                contribute(v, (1.0, Formula(f"{dx}[:, {i}]")))

    def _assign(self, lines: list[Any], name: str, expression: str) -> None:
        lines.append((name, expression))
        if self._per_sample(expression):
            self.per_sample.add(name)

    def _per_sample(self, term: Term | str) -> bool:
        """Whether batched code holds one number per sample here, or one for all."""
        text = term if isinstance(term, str) else to_python(term)
        return any(name in self.per_sample for name in _IDENTIFIER.findall(text))

    def _summed(self, term: Term) -> bool:
        return any(name in self.summed for name in _IDENTIFIER.findall(to_python(term)))

    def source(self, batched: bool) -> str:
        """The scalar function's source, or the batched one's (the grouped one's, with groups)."""
        grouped = batched and self.grouped
        function = self.function + ("_grouped" if grouped else "_batch" if batched else "")
        params = ([_BATCH_SIZE] if batched else []) + self.params
        if grouped:
            per_sample = [p for i, p in enumerate(self.params) if i not in self.shared]
            params = [_BATCH_SIZE, *(g.name for g in self.groups), *per_sample]
        templates = {g: self._template(g) for g in self.groups if g.kind != "input"}
        arrays = {self._layer_gradient(g) for g, t in templates.items() if t is not None}
        in_group = {i: g for g in templates for i in g.at()}
        last = {
            in_group[e.index]: e.index
            for e in self.backward
            if isinstance(e, _Leaf) and e.index in in_group
        }
        body = [f"    {name} = {expression}" for name, expression in self.forward]
        if self.backward:
            body.append("    # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S")
        gradient: dict[_Group, str] = {}
        for entry in self.backward:
            if not isinstance(entry, _Leaf):
                name, expression = entry
                if batched and name in self.listed and name not in arrays:
                    expression = f"entries({expression})"
                body.append(f"    {name} = {expression}")
                continue
            group = in_group.get(entry.index)
            if group is None or templates[group] is None:
                body += [f"    {entry.name} = {e}" for e in self._leaf(entry, batched)]
            if group is not None and last[group] == entry.index:
                body += self._group_gradient(group, templates[group], gradient)
        for group in templates:
            if group not in gradient:  # L ignores the group: zeros
                body += self._group_gradient(group, None, gradient)
        results = []
        if grouped:
            for group in self.groups:
                if group.kind != "input" and next(iter(group.at())) in self.wrt:
                    results.append(gradient[group])
                elif group.kind == "input" and group.indices in self.wrt:
                    i = group.indices
                    results.append(f"float({self.leaves[i].name if i in self.leaves else 0.0})")
        for i in self.wrt:
            if grouped and i in self.shared:
                continue
            g = self.leaves[i].name if i in self.leaves else "0.0"  # 0.0: L ignores input i
            if batched:
                g = f"float({g})" if i in self.shared else f"each({g}, {self.like})"
            results.append(g)
        value = f"each({self.result}, {self.like})" if batched else self.result
        body.append(f"    return {value}, {_tuple(results)}")
        lines = [f"def {function}({', '.join(params)}):", "    # forward"]
        lines += self._unpacked(body) if grouped else []
        return "\n".join(lines + body) + "\n"

    def _layer_gradient(self, group: _Group) -> str:
        """The name of the layer's δᵀ·X (for its W) or Σδ (for its b), or ""."""
        assert group.block is not None
        found = self.gradients.get(group.block)
        return "" if found is None else found[group.kind == "b"]

    def _template(self, group: _Group) -> list[str] | None:
        """A layer group's gradient as array lines, when every entry's lines are the same
        but for its own names (``\0G`` the gradient, ``\0P`` the input, ``\0D`` its entry of
        the layer's δᵀ·X or Σδ); None when they differ."""
        layer = self._layer_gradient(group)
        found: list[str] | None = None
        for i, at in group.at().items():
            leaf = self.leaves.get(i)
            if leaf is None or not layer:
                return None
            own = re.compile(rf"\b(?:{re.escape(leaf.name)}|{re.escape(self.params[i])})\b")
            marks = {leaf.name: "\0G", self.params[i]: "\0P"}

            def mark(m: re.Match[str], marks: dict[str, str] = marks) -> str:
                return marks[m.group(0)]

            lines = [own.sub(mark, e.replace(layer + at, "\0D")) for e in self._leaf(leaf, True)]
            if found is None:
                found = lines
            elif lines != found:
                return None
        return found

    def _group_gradient(
        self, group: _Group, template: list[str] | None, gradient: dict[_Group, str]
    ) -> list[str]:
        """The lines of a layer group's gradient, as one array: its template, or its entries."""
        layer = self._layer_gradient(group)
        if template == ["\0D"]:  # the layer's δᵀ·X itself
            gradient[group] = layer
            return []
        name = gradient[group] = self.idents.new(f"grad_{group.name}", "g")
        if template is not None:
            return [
                f"    {name} = "
                + t.replace("\0G", name).replace("\0P", group.name).replace("\0D", layer)
                for t in template
            ]
        at = {i: self.leaves[i].name if i in self.leaves else "0.0" for i in group.at()}
        if group.kind == "W":
            rows = ", ".join(_tuple([at[i] for i in row]) for row in group.indices)
            return [f"    {name} = matrix({self.like}, {rows})"]
        return [f"    {name} = vector({self.like}, {', '.join(at[i] for i in group.indices)})"]

    def _unpacked(self, body: list[str]) -> list[str]:
        """Grouped code: a line for each entry of a group that a line reads on its own."""
        used = set(_IDENTIFIER.findall("\n".join(body)))
        lines = []
        for group in self.groups:
            wanted = {i: at for i, at in group.at().items() if self.params[i] in used}
            if group.kind == "input" or not wanted:
                continue
            listed = self.idents.new(f"{group.name}_entries", "e")
            lines.append(f"    {listed} = entries({group.name})")
            lines += [f"    {self.params[i]} = {listed}{at}" for i, at in wanted.items()]
        return lines

    def _leaf(self, leaf: _Leaf, batched: bool) -> list[str]:
        """The lines that compute an input's gradient.

        In batched code a shared input's gradient is the sum over the batch of every
        contribution: n times the ones that are the same for every sample, plus
        ``batch_sum`` of each that is not (each product rounded as the eager engine
        rounds it; only the order of the additions differs), plus the entries of a
        layer's ``δᵀ·X``, which are sums over the batch already.
        """
        signed = [_signed(g, p) for g, p in leaf.parts]
        if not batched or leaf.index not in self.shared:
            return _sum_lines(leaf.name, signed)
        same = [t for t in signed if not self._per_sample(t[0]) and not self._summed(t[0])]
        lines: list[str] = []
        terms: list[tuple[Term, bool]] = []
        if same:  # n times what every sample gives, then each per-sample part's batch sum
            lines = _sum_lines(leaf.name, same)
            terms.append((Formula(_BATCH_SIZE) * Formula(leaf.name), False))
        for term, negated in signed:
            if self._summed(term):
                terms.append((term, negated))
            elif self._per_sample(term):
                terms.append((Formula(f"batch_sum({to_python(term)})"), negated))
        return lines + _sum_lines(leaf.name, terms)


def _layer_number(block: _Block) -> str:
    """k when the block's nodes are the notes' ``S_j^(k)`` (or, for an activation, its
    layer's); "" otherwise."""
    while block.kind == "map" and block.source is not None:
        block = block.source
    found = {re.fullmatch(r"S_\d+\^\((\d+)\)", m.label) for m in block.members}
    layers = {match.group(1) if match else "" for match in found}
    return layers.pop() if len(layers) == 1 else ""


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
            total = Formula(name)
        for term, negated in terms[start + (start == 0) : start + _TERMS_PER_LINE]:
            total = total - term if negated else total + term
        lines.append(to_python(total))
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


def _batched_namespace(xp: Any = None) -> dict[str, Any]:
    """Each row's array forward on the array namespace ``xp`` (NumPy's by default).

    ``xp`` is an array API namespace, as ``array_api_compat.array_namespace(x)``
    gives. Under NumPy the code runs in ``numpy.errstate(all="ignore")``: exp
    overflows to inf, log(0) is -inf and log(<0) nan, as the float functions do.
    A row without an array forward runs its float forward element by element.
    """
    numpy = _numpy_namespace()
    if xp is None:
        xp = numpy

    def on_arrays(rule: Rule) -> Callable[..., Any]:
        if rule.array is not None:
            return functools.partial(rule.array, xp)
        forward = rule.forward

        def elementwise(*args: Any) -> Any:  # one float call per element
            like = next(a for a in args if not isinstance(a, float))
            columns = [a if isinstance(a, float) else to_list(a) for a in args]
            rows = [
                forward(*[c if isinstance(c, float) else c[k] for c in columns])
                for k in range(like.shape[0])
            ]
            return xp.asarray(rows, dtype=like.dtype, **where(like))

        return elementwise

    def masked(g: Any, p: Any) -> Any:
        return xp.where(p == 0.0, 0.0, g * p)

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

    def where(like: Any) -> dict[str, Any]:  # the device of `like`: a GPU's, say
        return {} if xp is numpy else {"device": device(like)}

    entries = to_list = _to_list

    from array_api_compat import device

    namespace: dict[str, Any] = {name: on_arrays(rule) for name, rule in RULES.items()}
    namespace.update(masked=masked, inf=math.inf, nan=math.nan, each=each, float=float)
    namespace.update(columns=columns, matrix=matrix, vector=vector, entries=entries)

    def batch_sum(x: Any) -> float:  # the sum over the batch
        return float(xp.sum(x))

    def batch_sums(x: Any) -> Any:  # the sum over the batch of each column
        return xp.sum(x, axis=0)

    def sum_of_squares(a: Any) -> float:  # Σ_ij a_ij², the squares as a * a rounds them
        flat = xp.reshape(a, (-1,))
        return float(xp.vecdot(flat, flat))

    # No builtins but the import hook: an array library may import lazily (PyTorch does),
    # and under a mypyc-compiled row there is no Python frame but this code's to read it from.
    namespace.update(
        batch_sum=batch_sum,
        batch_sums=batch_sums,
        sum_of_squares=sum_of_squares,
        __builtins__={"__import__": __import__},
    )
    return namespace


def _to_list(a: Any) -> Any:
    """An array's numbers as nested lists of floats (a float for a 0-d array)."""
    if hasattr(a, "tolist"):
        return a.tolist()
    if a.ndim == 0:
        return float(a)
    if a.ndim == 1:
        return [float(a[i]) for i in range(a.shape[0])]
    return [_to_list(a[i, ...]) for i in range(a.shape[0])]


def _numpy_namespace() -> Any:
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


def _define(source: str, function: str, namespace: dict[str, Any]) -> Callable[..., Any]:
    code = builtins.compile(source, f"<compiled {function}>", "exec")
    exec(code, namespace)  # the source holds our identifiers, number literals and op names only
    return namespace[function]  # type: ignore[no-any-return]


def _checked_entry(
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
    return _define(source, "checked", namespace)


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
        "_trace",
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
        if names is None:  # their labels; an unlabelled input is named as everywhere else
            unlabelled = [v for v in leaves if not v.label]
            graph = topological_order(output) if isinstance(output, Value) else []
            found = leaf_names([*graph, *unlabelled]) if unlabelled else {}
            names = tuple(v.label or found.get(v, "") for v in leaves)
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
        self._per_sample_at = tuple(i for i in range(len(names)) if i not in shared_at)
        trace = (output, leaves, names, wrt_at, shared_at, _identifier(name), name)
        program = _Program(*trace)
        self._name = program.function
        self.source = program.source(batched=False)
        self.function = _define(self.source, program.function, _scalar_namespace())
        self._checked = _checked_entry(self.function, len(names), self._converted)
        self._trace: tuple[Any, ...] | None = (
            trace  # the graph, until both batched sources are made
        )
        self._batch_source = self._grouped_source = ""
        self._layout: tuple[tuple[str, Any], ...] | None = None  # the groups' names and indices
        self._grouped_wrt: tuple[bool, ...] = ()  # whether wrt names each group
        self._shapes: tuple[tuple[int, ...], ...] = ()  # the shape of each group's array
        self._batched: dict[Any, Callable[..., Any]] = {}  # by array namespace

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
            assert self._trace is not None
            output, leaves, names, wrt, shared, function, what = self._trace
            program = _Program(output, leaves, names, wrt, shared, function, what, layers=True)
            self._batch_source = program.source(batched=True)
            if self._layout is not None:
                self._trace = None  # the graph is no longer needed
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
        xp, arrays, n = self._samples([args[i] for i in at], [])
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
        def f_grouped(n_samples, W, b, x):
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
        xp = _numpy_namespace()
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
            walk(indices, a if isinstance(indices, int) else _to_list(a))
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
        xp, arrays, n = self._samples(list(args[len(layout) :]), groups)
        for k, (name, _) in enumerate(layout):
            a, shape = groups[k], self._shapes[k]
            if not shape:
                groups[k] = a if type(a) is float else as_float(a, f"shared input {name!r}")
                continue
            if getattr(a, "dtype", None) == xp.float64 and getattr(a, "shape", None) == shape:
                continue  # as group() makes it
            array = xp.asarray(a) if not hasattr(a, "shape") else a
            if tuple(array.shape) != shape:
                raise ValueError(
                    f"group {name!r} must be an array of shape {shape}, got shape "
                    f"{tuple(array.shape)}; Compiled.group(values) makes the groups"
                )
            groups[k] = xp.astype(array, xp.float64, copy=False)
        if n == 0:
            fresh = [
                0.0 if isinstance(indices, int) else xp.zeros_like(g)
                for (_, indices), g in zip(layout, groups, strict=True)
            ]
            wanted = [g for g, w in zip(fresh, self._grouped_wrt, strict=True) if w]
            rest = [xp.zeros_like(arrays[0]) for g in self.wrt if g not in self.shared]
            return xp.zeros_like(arrays[0]), (*wanted, *rest)
        return self._run(xp, "grouped", n, [*groups, *arrays])

    def _samples(self, given: list[Any], others: list[Any]) -> tuple[Any, list[Any], int]:
        """The per-sample inputs as float64 arrays of one library and one length, that
        library's namespace (also of the array API objects among ``others``), the length."""
        numpy = _numpy_namespace()
        import numpy as np

        at = self._per_sample_at
        if not at:
            raise ValueError(
                "batch needs at least one per-sample input, but every input is shared; "
                "call the compiled function itself instead"
            )
        if (  # the common case, checked quickly: NumPy's float64 vectors of one length
            all(type(a) is np.ndarray and a.dtype == np.float64 and a.ndim == 1 for a in given)
            and len({a.shape[0] for a in given}) == 1
            and all(type(a) is float or type(a) is np.ndarray for a in others)
        ):
            return numpy, given, given[0].shape[0]
        from array_api_compat import array_namespace, is_array_api_obj, is_numpy_namespace

        found = [a for a in (*given, *others) if is_array_api_obj(a) and a.ndim]
        xp = array_namespace(*found) if found else numpy
        if is_numpy_namespace(xp):
            xp = numpy
        size: tuple[str, int] | None = None
        arrays = []
        for i, a in zip(at, given, strict=True):
            name = self.inputs[i]
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
            if size is None:
                size = (name, array.shape[0])
            elif array.shape[0] != size[1]:
                raise ValueError(
                    f"per-sample inputs must have one length: {size[0]!r} has {size[1]} "
                    f"samples, so {name!r} needs {size[1]}, got {array.shape[0]}"
                )
            arrays.append(xp.astype(array, xp.float64, copy=False))
        assert size is not None
        return xp, arrays, size[1]

    def _run(self, xp: Any, kind: str, n: int, args: list[Any]) -> tuple[Any, tuple[Any, ...]]:
        """The batched (or grouped) function on ``xp``'s arrays, defined on first use."""
        function = self._batched.get((kind, xp))
        if function is None:
            source = self.batch_source if kind == "batch" else self._grouped_source
            name = self._name + ("_batch" if kind == "batch" else "_grouped")
            function = _define(source, name, _batched_namespace(xp))
            self._batched[kind, xp] = function
        if xp is not _numpy_namespace():  # _samples gives NumPy as this namespace
            return function(n, *args)  # type: ignore[no-any-return]
        import numpy as np

        with np.errstate(all="ignore"):
            return function(n, *args)  # type: ignore[no-any-return]

    def _grouped_program(self) -> None:
        """Make the grouped batched source and the groups' layout, once."""
        if self._layout is not None:
            return
        assert self._trace is not None
        output, leaves, names, wrt, shared, function, what = self._trace
        program = _Program(output, leaves, names, wrt, shared, function, what, grouped=True)
        self._grouped_source = program.source(batched=True)
        self._layout = tuple((g.name, g.indices) for g in program.groups)
        self._shapes = tuple(_shape(g.indices) for g in program.groups)
        self._grouped_wrt = tuple(
            (g.indices if g.kind == "input" else next(iter(g.at()))) in program.wrt
            for g in program.groups
        )
        if self._batch_source:
            self._trace = None

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


def _shape(indices: Any) -> tuple[int, ...]:
    """The shape of a group's array: (), (n,) or (rows, columns)."""
    if isinstance(indices, int):
        return ()
    return (len(indices), len(indices[0])) if isinstance(indices[0], tuple) else (len(indices),)


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
        x_mul_y = x * y
        exp_y = exp(y)
        x_mul_y_add_exp_y = x_mul_y + exp_y
        # backward: dL_dv = ∂L/∂v, and delta_S = δ = ∂L/∂S
        dL_dx = y
        dL_dy = exp_y + x
        return x_mul_y_add_exp_y, (dL_dx, dL_dy)
    >>> f(2.0, 0.0)
    (1.0, (0.0, 3.0))
    """
    names = _input_names(fn, labels)
    leaves = [Value(_TRACE_POINT, name) for name in names]
    output = fn(*leaves)
    name = getattr(fn, "__name__", "f")
    name = "f" if not isinstance(name, str) or name == "<lambda>" else name
    return Compiled(output, leaves, wrt=wrt, shared=shared, name=name)
