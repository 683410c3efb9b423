"""The layered batched code, as compile wrote it before the traced program: read from the graph.

Each layer, a group of weighted sums that read the same inputs with shared weights,
is one matrix product (``S = X @ W.T - b``; ``δᵀ·X`` and ``δ·W`` backward) and its
activation one array op; :class:`_Program` with ``grouped`` takes each layer's W and b
as arrays. This module is what is left of compile's own symbolic reverse mode (issue
21): the grouped-layers form is to become a rewrite pass on the traced program, and
this module to go.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from .engine import Constant, Value, topological_order
from .formula import Formula, terms, to_python, to_text
from .names import node_names
from .printers import BATCH_SIZE as _BATCH_SIZE
from .printers import TERMS_PER_LINE as _TERMS_PER_LINE
from .printers import Names as _Names
from .printers import gradient_name as _gradient_name
from .printers import identifier as _identifier
from .printers import spelt as _spelt
from .rule import RULES

__all__: list[str] = []


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
