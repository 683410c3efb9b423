"""Sums of the grouped program (:mod:`autograd.layers`): a shared input's gradient summed
over the batch, and an L2 penalty's sums of squares as whole arrays."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ._arrays import (
    BATCH_SUM,
    BATCH_SUMS,
    OUTER,
    SUM_OF_SQUARES,
    Block,
    Layer,
    parameters_of,
    variable,
)
from .program import Atom, Equation, Var
from .rule import RULES

if TYPE_CHECKING:
    from .layers import _Rewriter

__all__ = ["Reduction", "Squares"]


class Squares:
    """Sums of the squares of a clean layer's W or b (an L2 penalty): a sum, a tree of
    ``add`` equations whose inner ones feed only the next, whose terms hold ``p·p``
    for every entry of the array, becomes ``sum_of_squares(W)`` and its other terms."""

    def __init__(self, rewriter: _Rewriter) -> None:
        self.rw = rewriter
        self.owner: dict[Var, tuple[Layer, str]] = {}
        self.rank: dict[tuple[int, str], int] = {}
        for layer in rewriter.layers:
            if layer.clean:
                n = len(layer.w) * len(layer.x)
                for kind, entries in (("W", parameters_of(layer)[:n]), ("b", layer.b)):
                    self.rank[layer.number, kind] = len(self.rank)
                    self.owner.update((p, (layer, kind)) for p in entries)

    def inner(self, v: Atom) -> bool:
        rw = self.rw
        if not isinstance(v, Var) or rw.uses[v] != 1 or v not in rw.readers:
            return False
        k = rw.defined_at.get(v, -1)
        reader = rw.eqs[rw.readers[v][0]]
        return 0 <= k < len(rw.eqs) and rw.eqs[k].rule.name == "add" and reader.rule.name == "add"

    def rewrite(self) -> None:
        if not self.owner:
            return
        rw = self.rw
        for r, root in enumerate(list(rw.eqs)):
            if root.rule.name != "add" or self.inner(root.out) or r in rw.consumed:
                continue
            leaves, inside, stack = [], [], list(reversed(root.inputs))
            while stack:  # the terms left to right, without recursion
                v = stack.pop()
                if self.inner(v):
                    inside.append(rw.defined_at[variable(v)])
                    stack.extend(reversed(rw.eqs[rw.defined_at[variable(v)]].inputs))
                else:
                    leaves.append(v)
            self.replace(r, root, leaves, inside)

    def replace(self, r: int, root: Equation, leaves: list[Atom], inside: list[int]) -> None:
        rw = self.rw
        squares = self.squares(leaves)
        whole = sorted(
            (key for key, found in squares.items() if self.complete(key, found)),
            key=lambda key: self.rank[key[0].number, key[1]],
        )
        if not whole:
            return
        taken = {v for key in whole for v in squares[key]}
        rw.consumed.update([r, *inside, *(rw.defined_at[v] for v in taken)])
        arrays = [layer.blocks[kind].var for layer, kind in whole]
        others = [v for v in leaves if v not in taken]
        if root.out.name[0] == "t" and root.out.name[1:].isdigit():  # a name trace made up
            rw.labels[root.out] = "squares"
        self.write(r, root.out, arrays, others)

    def write(self, r: int, out: Var, arrays: list[Var], others: list[Atom]) -> None:
        """``out = sum_of_squares(W_1) + ... + others``, added left to right."""
        rw = self.rw
        if not others and len(arrays) == 1:
            rw.emit(r, SUM_OF_SQUARES, (arrays[0],), out)
            return
        parts: list[Atom] = [*(rw.emit(r, SUM_OF_SQUARES, (a,)) for a in arrays), *others]
        total = parts[0]
        for k, part in enumerate(parts[1:]):
            last = k == len(parts) - 2
            total = rw.emit(r, RULES["add"], (total, part), out if last else None)

    def squares(self, leaves: list[Atom]) -> dict[tuple[Layer, str], list[Var]]:
        """The terms ``p·p`` (read by the sum alone) of each clean array's entries p."""
        rw = self.rw
        squares: dict[tuple[Layer, str], list[Var]] = {}
        for v in leaves:
            k = rw.defined_at.get(v, -1) if isinstance(v, Var) else -1
            eq = rw.eqs[k] if k >= 0 else None
            if eq is None or eq.rule.name != "mul" or eq.inputs[0] != eq.inputs[1]:
                continue
            if rw.uses[variable(v)] == 1 and eq.inputs[0] in self.owner:
                squares.setdefault(self.owner[variable(eq.inputs[0])], []).append(variable(v))
        return squares

    def complete(self, key: tuple[Layer, str], found: list[Var]) -> bool:
        layer, kind = key
        n = len(layer.w) * len(layer.x) if kind == "W" else len(layer.b)
        squared = {self.rw.eqs[self.rw.defined_at[v]].inputs[0] for v in found}
        return len(squared) == len(found) == n


class Reduction:
    """The outputs, a shared input's gradient summed over the batch: the terms of its sum
    that are the same for every sample n times, a layer's ``δ_j·x_i`` the entry of
    ``δᵀ @ X``, its ``−δ_j`` of ``−batch_sums(δ)``, any other term its ``batch_sum``."""

    def __init__(self, rewriter: _Rewriter) -> None:
        self.rw = rewriter
        self.end = len(rewriter.program.equations)
        self.where: dict[Var, list[tuple[Layer, int, int]]] = {}  # i = -1: the bias
        for layer in rewriter.layers:
            for j, row in enumerate(layer.w):
                for i, w in enumerate(row):
                    self.where.setdefault(w, []).append((layer, j, i))
                self.where.setdefault(layer.b[j], []).append((layer, j, -1))
        self.sums: dict[tuple[int, str], Block] = {}

    def outputs(self) -> list[Atom]:
        rw = self.rw
        found = [rw.program.outputs[0]]
        for x, g in zip(rw.wrt_inputs, rw.program.outputs[1:], strict=True):
            found.append(self.summed(x, g) if x in rw.shared else g)
        return found

    def summed(self, x: Var, g: Atom) -> Atom:
        rw = self.rw
        total: Atom
        if not (isinstance(g, Var) and g in rw.per_sample):
            total = rw.append(RULES["mul"], (rw.n, g))
        else:
            terms = self.terms(g)
            found = [self.pattern(x, t) for t in terms]
            if all(f is None for f in found):
                total = rw.append(BATCH_SUM, (g,))
            else:
                total = self.split(terms, found)
        if isinstance(total, Var) and total not in rw.gradient_of:
            rw.gradient_of[total] = x
        return total

    def split(self, terms: list[Atom], found: list[Atom | None]) -> Atom:
        rw = self.rw
        same = [t for t in terms if not (isinstance(t, Var) and t in rw.per_sample)]
        parts: list[Atom] = [rw.append(RULES["mul"], (rw.n, self.total(same)))] if same else []
        for t, f in zip(terms, found, strict=True):
            if isinstance(t, Var) and t in rw.per_sample:
                parts.append(f if f is not None else rw.append(BATCH_SUM, (t,)))
        return self.total(parts)

    def total(self, atoms: list[Atom]) -> Atom:
        total = atoms[0]
        for a in atoms[1:]:
            total = self.rw.append(RULES["add"], (total, a))
        return total

    def terms(self, g: Var) -> list[Atom]:
        """The terms of the sum that g is, left to right (a term: what no add of this
        sum alone computes)."""
        rw = self.rw
        found: list[Atom] = []
        stack: list[Atom] = [g]
        while stack:
            v = stack.pop()
            k = rw.defined_at.get(v, -1) if isinstance(v, Var) else -1
            alone = v is g or (isinstance(v, Var) and rw.uses[v] == 1)
            if 0 <= k < self.end and rw.eqs[k].rule.name == "add" and alone:
                stack.extend(reversed(rw.eqs[k].inputs))
            else:
                found.append(v)
        return found

    def pattern(self, x: Var, t: Atom) -> Atom | None:
        """A layer's term of x's gradient, summed over the batch: an entry of δᵀ @ X, or
        minus one of batch_sums(δ); None for any other term."""
        rw = self.rw
        k = rw.defined_at.get(t, -1) if isinstance(t, Var) else -1
        if not 0 <= k < self.end or rw.eqs[k].rule.name != "mul":
            return None
        inputs = rw.eqs[k].inputs
        for layer, j, i in self.where.get(x, []):
            deltas = rw.deltas(layer)
            if deltas is None:
                continue
            if i >= 0 and inputs == (deltas[j], layer.x[i]):
                return self.entry(layer, "W", j * len(layer.x) + i, deltas)
            if i < 0 and inputs == (deltas[j], -1.0):
                return rw.append(RULES["mul"], (self.entry(layer, "b", j, deltas), -1.0))
        return None

    def entry(self, layer: Layer, kind: str, at: int, deltas: list[Var]) -> Var:
        """Element ``at`` of the layer's δᵀ @ X (kind "W") or batch_sums(δ) ("b")."""
        rw = self.rw
        block = self.sums.get((layer.number, kind))
        if block is None:
            g = rw.columns(deltas, self.end - 1)
            rw.gradient_of.setdefault(g, layer.blocks["S"].var)  # δ, stacked
            place = rw.defined_at[g]
            shape = (len(deltas), len(layer.x)) if kind == "W" else (len(deltas),)
            args = (g, layer.blocks["X"].var) if kind == "W" else (g,)
            out = rw.emit(place, OUTER if kind == "W" else BATCH_SUMS, args)
            rw.labels[out] = f"dL_d{kind}_{layer.number}"
            members = [rw.fresh() for _ in range(math.prod(shape))]
            for v in members:
                rw.defined_at[v] = place
            block = self.sums[layer.number, kind] = rw.block(out, place, shape, members)
        return variable(block.members[at] or 0.0)  # made with every member
