"""Layers as arrays: a rewrite pass on the program of a value and its gradient.

:func:`group_layers` reads the equations of
:func:`autograd.program.value_and_grad`'s program, one sample's, and rewrites
what is regular in it as equations on arrays, one row per sample:

- a **layer**, the ``wsum`` equations whose weights and biases are shared inputs
  and that read the same inputs ``x_1 … x_k``, is ``S = X @ W.T - b``;
- equations that apply the same row to each column of an array (an
  activation, ``step(S_j)``, ``dx_j·(x_j·(1 − x_j))``) are that row applied
  to the array once;
- the sums ``Σ_j δ_j·w_ij`` that give a layer's inputs their gradient are ``δ @ W``;
- a shared input's gradient is the sum over the batch: a layer's weights get
  ``δᵀ @ X``, its biases ``−batch_sums(δ)``, the terms that are the same for
  every sample n times that term, any other term its ``batch_sum``;
- a sum of the squares of a layer's W (an L2 penalty) is ``sum_of_squares(W)``.

Every rewrite checks the equations themselves (rows, inputs, uses), never
their names: any grouping that passes the checks computes the same numbers,
the sums over the batch and over a layer's units added in another order. A
scalar equation that reads one element of an array reads it as such
(``X_2[:, 0]``). With ``grouped`` the layers' W and b are inputs of the array
program, otherwise equations that stack the scalar inputs; the rest is the same
program, so :meth:`~autograd.Compiled.batch` and
:meth:`~autograd.Compiled.batch_grouped` give the same numbers to the last bit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ._arrays import (
    COLUMNS,
    LAYER,
    MATMUL,
    SUMS,
    VECTOR,
    Block,
    Elements,
    Layer,
    flat,
    layers_of,
    liftable,
    matrix,
    parameters_of,
    variable,
)
from ._sums import Reduction, Squares
from .program import Atom, Equation, Program, Var, _pruned
from .rule import Rule

__all__ = ["ArrayProgram", "Group", "group_layers"]


# --- what the pass gives ---


@dataclass(frozen=True)
class Group:
    """Shared inputs that grouped code takes as one argument: a layer's weights (``indices``
    their input indices row by row, ``W[j][i]`` for ``w_ij``), its biases, or one input
    (``indices`` its index); ``wrt``: whether the grouped code returns its gradient."""

    name: str
    indices: Any
    shape: tuple[int, ...]
    wrt: bool


@dataclass
class ArrayProgram:
    """The rewritten program (its inputs: ``n_samples``, then the arguments) and how to
    print it: ``outputs`` says how each output is returned ("each": one value per
    sample, "float": a sum over the batch, "array"), ``labels`` names some variables,
    ``groups`` are grouped code's shared arguments, ``like`` a per-sample input."""

    program: Program
    outputs: list[str]
    gradient_of: dict[Var, Var]
    forward: set[Var]
    labels: dict[Var, str]
    groups: list[Group]
    layers: int
    like: Var


# --- the pass ---


def group_layers(
    program: Program,
    gradient_of: Mapping[Var, Var],
    forward: set[Var],
    shared: Sequence[int],
    wrt: Sequence[int],
    grouped: bool,
) -> ArrayProgram:
    """``program`` (:func:`~autograd.program.value_and_grad`'s: the value, then the
    gradients of the inputs at ``wrt``) rewritten on arrays, one row per sample; the
    inputs at ``shared`` are one number for the whole batch, ``forward`` holds the
    traced variables. See the module's text.

    >>> from autograd import Value, wsum
    >>> from autograd.program import trace, value_and_grad
    >>> w, b, x = Value(0.5, "w"), Value(0.1, "b"), Value(2.0, "x")
    >>> traced = trace(wsum([w], [x], b).tanh(), [w, b, x])
    >>> p, of = value_and_grad(traced)
    >>> arrays = group_layers(p, of, {e.out for e in traced.equations}, [0, 1], [0, 1, 2], True)
    >>> [g.name for g in arrays.groups], arrays.layers
    (['W_1', 'b_1'], 1)
    >>> print(arrays.program)
    { lambda n_samples, W_1, b_1, x .
        let X_0 = columns(x, x)
            S_1 = X_0 @ W_1.T - b_1
            X_1 = tanh(S_1)
            t8 = X_1·X_1
            t3 = t8[:, 0]
            t4 = −t3
            t5 = 1 + t4
            t10 = columns(x, t5)
            t12 = t10 @ W_1
            t14 = t10.T @ X_0
            t17 = batch_sums(t10)
            t21 = −t17
            t2 = X_1[:, 0]
            dx = t12[:, 0]
        in (t2, t14, t21, dx) }
    """
    rewriter = _Rewriter(program, gradient_of, forward, shared, wrt)
    return rewriter.result(grouped)


def _variables(atoms: Sequence[Atom]) -> list[Var]:
    return [a for a in atoms if isinstance(a, Var)]


def _per_sample(program: Program, shared: set[Var]) -> set[Var]:
    """The variables that hold one number per sample: those that read a per-sample input."""
    found = {v for v in program.inputs if v not in shared}
    for eq in program.equations:
        if any(a in found for a in _variables(eq.inputs)):
            found.add(eq.out)
    return found


class _Rewriter:
    """The program's equations, which of them are rewritten, and the arrays made so far.

    An equation made here stands at a place: the index of the equation it follows
    (or replaces), -1 before all; :attr:`made` keeps them with that place.
    """

    def __init__(
        self,
        program: Program,
        gradient_of: Mapping[Var, Var],
        forward: set[Var],
        shared: Sequence[int],
        wrt: Sequence[int],
    ) -> None:
        self.program, self.wrt = program, list(wrt)
        self.gradient_of, self.forward = dict(gradient_of), set(forward)
        self.inverse = {x: d for d, x in gradient_of.items()}
        self.shared = {program.inputs[i] for i in shared}
        self.taken = {v.name for v in (*program.inputs, *forward)}  # forward: the traced ones
        self.taken.update(e.out.name for e in program.equations)
        self.count = 0
        self.per_sample = _per_sample(program, self.shared)
        self.like = next(v for v in program.inputs if v in self.per_sample)
        self.n = self.fresh("n_samples")
        self.eqs: list[Equation] = list(program.equations)
        self.uses = Counter(a for e in self.eqs for a in e.inputs if isinstance(a, Var))
        self.uses.update(a for a in program.outputs if isinstance(a, Var))
        self.readers: dict[Var, list[int]] = {}  # the equations that read a variable
        self.defined_at: dict[Var, int] = dict.fromkeys((*program.inputs, self.n), -2)
        for i, eq in enumerate(self.eqs):
            self.defined_at[eq.out] = i
            for a in _variables(eq.inputs):
                self.readers.setdefault(a, []).append(i)
        self.consumed: set[int] = set()
        self.made: list[tuple[tuple[int, int], Equation]] = []
        self.block_of: dict[Var, tuple[Block, int]] = {}
        self.arrays: set[Atom] = set()  # the blocks' variables
        self.labels: dict[Var, str] = {}
        self.layers = layers_of(program, self.shared)
        self.groups: list[Group] = []
        self.inputs: list[Var] = [self.n]
        self.stacked: dict[tuple[Atom, ...], Var] = {}  # columns(...) made for δ @ W, δᵀ @ X

    # -- small tools --

    def fresh(self, base: str = "") -> Var:
        """An unused name: ``base``, ``base_2``, …, or t1, t2, … without a base."""
        if not base:
            self.count += 1
            while f"t{self.count}" in self.taken:
                self.count += 1
            base = f"t{self.count}"
        name, k = base, 1
        while name in self.taken:
            k += 1
            name = f"{base}_{k}"
        self.taken.add(name)
        return Var(name)

    def emit(self, place: int, rule: Rule, inputs: tuple[Atom, ...], out: Var | None = None) -> Var:
        """A new equation standing at ``place`` (after those made there before)."""
        out = out or self.fresh()
        self.count += 1
        self.made.append(((place, self.count), Equation(out, rule, inputs)))
        self.defined_at[out] = place
        self._mark(out, rule, inputs)
        return out

    def append(self, rule: Rule, inputs: tuple[Atom, ...]) -> Var:
        """A new equation after all the others, which :meth:`scan` may lift."""
        out = self.fresh()
        self.defined_at[out] = len(self.eqs)
        self.eqs.append(Equation(out, rule, inputs))
        self._mark(out, rule, inputs)
        return out

    def _mark(self, out: Var, rule: Rule, inputs: tuple[Atom, ...]) -> None:
        reads = any(isinstance(a, Var) and a in self.per_sample for a in inputs)
        if reads and rule not in SUMS and rule.name not in ("matrix", "vector"):
            self.per_sample.add(out)

    def block(
        self,
        var: Var,
        place: int,
        shape: tuple[int, ...],
        members: Sequence[Atom | None],
        register: bool = True,
    ) -> Block:
        """The array ``var``, whose elements are ``members``."""
        block = Block(var, shape, var in self.per_sample, list(members), (place, self.count))
        self.arrays.add(var)
        for j, m in enumerate(members):
            if register and isinstance(m, Var) and m not in self.block_of:
                self.block_of[m] = (block, j)
        return block

    def deltas(self, layer: Layer) -> list[Var] | None:
        """δ_j, the variable of each unit's gradient ∂L/∂S_j, if the program has them all."""
        found = [self.inverse.get(m.out) for m in layer.members]
        return [d for d in found if d is not None] if None not in found else None

    def columns(self, atoms: Sequence[Atom], place: int) -> Var:
        """The per-sample array whose columns are ``atoms``: a block's, or stacked (once)."""
        first = atoms[0]
        if isinstance(first, Var) and first in self.block_of:
            block = self.block_of[first][0]
            if block.members == list(atoms) and block.place[0] <= place:
                return block.var
        key = tuple(atoms)
        if key not in self.stacked:
            self.stacked[key] = self.emit(place, COLUMNS, (self.like, *atoms))
        return self.stacked[key]

    # -- the whole pass --

    def result(self, grouped: bool) -> ArrayProgram:
        self.parameters(grouped)
        Squares(self).rewrite()
        plans: dict[int, list[Callable[[], None]]] = {}
        for layer in self.layers:
            LayerPlan(self, layer).plan(plans)
        self.scan(range(len(self.eqs)), plans)
        end = len(self.eqs)
        outputs = Reduction(self).outputs()
        self.scan(range(end, len(self.eqs)), {})
        self.name_sums(outputs)
        kinds = ["each", *("float" if x in self.shared else "each" for x in self.wrt_inputs)]
        if grouped:
            outputs, kinds = self.grouped_outputs(outputs)
        kept = [((i, 0), eq) for i, eq in enumerate(self.eqs) if i not in self.consumed]
        ordered = [eq for _, eq in sorted(kept + self.made, key=lambda pair: pair[0])]
        equations = Elements(self).read(ordered, outputs)
        program = _pruned(Program(tuple(self.inputs), tuple(equations), tuple(outputs)))
        return ArrayProgram(
            program,
            kinds,
            self.gradient_of,
            self.forward,
            self.labels,
            self.groups,
            len(self.layers),
            self.like,
        )

    def name_sums(self, outputs: list[Atom]) -> None:
        """``grad_W_k``, ``grad_b_k``: an array of a layer's W's (or b's) summed gradients."""
        gradient = dict(zip(self.wrt_inputs, outputs[1:], strict=True))
        for layer in self.layers:
            n = len(layer.w) * len(layer.x)
            for kind, entries in (("W", parameters_of(layer)[:n]), ("b", layer.b)):
                atoms = [gradient.get(p) for p in entries]
                found = self.block_of.get(atoms[0]) if isinstance(atoms[0], Var) else None
                if found is not None and found[0].members == atoms:
                    self.labels.setdefault(found[0].var, f"grad_{layer.blocks[kind].var.name}")

    @property
    def wrt_inputs(self) -> list[Var]:
        return [self.program.inputs[i] for i in self.wrt]

    def parameters(self, grouped: bool) -> None:
        """Each layer's W and b: an input of grouped code (a clean group whose entries
        ``wrt`` names all or none), else stacked from the scalar inputs, first thing."""
        taken: set[Var] = set()
        wanted = set(self.wrt_inputs)
        for layer in self.layers:
            m, k = len(layer.w), len(layer.x)
            for kind, entries, shape in (
                ("W", parameters_of(layer)[: m * k], (m, k)),
                ("b", layer.b, (m,)),
            ):
                var = self.fresh(f"{kind}_{layer.number}")
                in_wrt = {p in wanted for p in entries}
                if grouped and layer.clean and len(in_wrt) == 1:
                    self.group(var, entries, shape, in_wrt.pop())
                    taken.update(entries)
                else:
                    self.emit(-1, matrix(m) if kind == "W" else VECTOR, (self.like, *entries), var)
                    self.forward.add(var)
                layer.blocks[kind] = self.block(var, -1, shape, entries)
        others = [v for v in self.program.inputs if v not in taken]
        for v in others:
            if v in self.shared:  # a group of its own
                i = self.program.inputs.index(v)
                self.groups.append(Group(v.name, i, (), i in self.wrt))
        if grouped:  # the groups' arguments first, then the per-sample inputs
            others.sort(key=lambda v: v not in self.shared)
        self.inputs += others
        for v in taken:
            self.defined_at[v] = -1  # an element of its group's array

    def group(self, var: Var, entries: list[Var], shape: tuple[int, ...], wrt: bool) -> None:
        index = {v: i for i, v in enumerate(self.program.inputs)}
        nested: Any = tuple(index[p] for p in entries)
        if len(shape) == 2:
            k = shape[1]
            nested = tuple(nested[j * k : (j + 1) * k] for j in range(shape[0]))
        self.groups.append(Group(var.name, nested, shape, wrt))
        self.inputs.append(var)
        self.defined_at[var] = -2

    def scan(self, indices: range, plans: dict[int, list[Callable[[], None]]]) -> None:
        """Each equation, in order, that is not rewritten yet: where a plan stands, the
        plan (a layer); else the start of a row applied to every element of an array."""
        readers: dict[tuple[Var, int], list[int]] = {}
        for i in indices:
            for p, a in enumerate(self.eqs[i].inputs):
                if isinstance(a, Var):
                    readers.setdefault((a, p), []).append(i)
        for i in indices:
            for plan in plans.get(i, []):
                plan()
            if i in self.consumed or not liftable(self.eqs[i].rule):
                continue
            for p, a in enumerate(self.eqs[i].inputs):
                if isinstance(a, Var) and a in self.block_of and self.lift(i, p, readers):
                    break

    def lift(self, i: int, p: int, readers: dict[tuple[Var, int], list[int]]) -> bool:
        """Equation i and one like it for every other element of the array that its input p
        is an element of, as one equation on arrays, if their other inputs allow."""
        eq = self.eqs[i]
        source, at = self.block_of[variable(eq.inputs[p])]
        group: list[int] = []
        for j, m in enumerate(source.members):
            candidates = readers.get((m, p), []) if isinstance(m, Var) else []
            found = [i] if j == at else self.siblings(candidates, eq, i, group)
            if not found:
                return False
            group.append(found[0])
        outs = [self.eqs[k].out for k in group]
        args = self.operands(group, source, i)
        if args is None:
            return False
        self.consumed.update(group)
        out = self.fresh()
        if all(m in self.forward for m in outs):
            out = self.activation(args) or out
            self.forward.add(out)
        self.emit(i, eq.rule, tuple(args), out)
        self.name_gradient(self.block(out, i, source.shape, outs))
        return True

    def operands(self, group: list[int], source: Block, i: int) -> list[Atom] | None:
        """The inputs of the lifted equation of the equations at ``group``, if it has them."""
        outs = {self.eqs[k].out for k in group}
        args = []
        for q in range(len(self.eqs[i].inputs)):
            arg = self.operand([self.eqs[k].inputs[q] for k in group], source.shape, i, outs)
            if arg is None:
                return None
            if outs <= self.forward and arg not in self.arrays and isinstance(arg, Var):
                self.forward.add(arg)  # stacked for a forward equation: a forward line
            args.append(arg)
        if not any(a in self.arrays for a in args):
            return None  # the same number for every element (a tied weight): no array
        if source.per_sample and source.shape == (1,) and any(a not in self.arrays for a in args):
            return None  # one column with numbers: the program reads the column as a scalar
        return args

    def siblings(self, candidates: list[int], eq: Equation, i: int, group: list[int]) -> list[int]:
        return [
            k
            for k in candidates
            if k > i
            and k not in self.consumed
            and k not in group
            and self.eqs[k].rule is eq.rule
            and len(self.eqs[k].inputs) == len(eq.inputs)
            and (self.eqs[k].out in self.forward) == (eq.out in self.forward)
        ]

    def operand(
        self, atoms: list[Atom], shape: tuple[int, ...], place: int, outs: set[Var]
    ) -> Atom | None:
        """One input of a lifted equation: an array whose elements ``atoms`` are, one atom
        for all, or (per sample) the atoms stacked as columns; None if none fits."""
        first = atoms[0]
        whole = self.whole(atoms, shape, place)
        if whole is not None:
            return whole
        if any(a in outs or self.defined_at.get(a, place) >= place for a in _variables(atoms)):
            return None
        if all(a == first and type(a) is type(first) for a in atoms) and not (
            isinstance(first, Var) and first in self.per_sample
        ):
            return first  # the same number for every element and every sample
        if shape[0] == 1 or len(shape) != 1:  # one column: the program reads it as a scalar
            return None
        return self.emit(place, COLUMNS, (self.like, *atoms))

    def element(self, a: object) -> tuple[Block, int] | None:
        """The array that ``a`` is an element of, and where, if one."""
        return self.block_of.get(a) if isinstance(a, Var) else None

    def whole(self, atoms: list[Atom], shape: tuple[int, ...], place: int) -> Var | None:
        """The array made before ``place`` whose elements are ``atoms``, in order, if one."""
        found = self.block_of.get(atoms[0]) if isinstance(atoms[0], Var) else None
        if found is None or found[0].shape != shape or found[0].place[0] >= place:
            return None
        block = found[0]
        same = all(self.element(a) == (block, j) for j, a in enumerate(atoms))
        return block.var if same else None

    def activation(self, args: list[Atom]) -> Var | None:
        """``X_k`` for a row applied to a layer's S_k, the first such."""
        for layer in self.layers:
            s = layer.blocks.get("S")
            if s is not None and args == [s.var] and not layer.activated:
                layer.activated = True
                return self.fresh(f"X_{layer.number}")
        return None

    def name_gradient(self, block: Block) -> None:
        """A block of gradients, each element's of the same element of one array: that
        array's gradient (δ for S, ∂L/∂X for X)."""
        of = [self.gradient_of.get(m) if isinstance(m, Var) else None for m in block.members]
        first = of[0]
        if first is None or first not in self.block_of or None in of:
            return
        target, _ = self.block_of[first]
        if all(self.element(v) == (target, j) for j, v in enumerate(of)):
            self.gradient_of[block.var] = target.var

    def grouped_outputs(self, outputs: list[Atom]) -> tuple[list[Atom], list[str]]:
        """Grouped code's outputs: the value, each group's gradient as its array, then the
        per-sample inputs'."""
        gradient = dict(zip(self.wrt_inputs, outputs[1:], strict=True))
        results, kinds = [outputs[0]], ["each"]
        for group in self.groups:
            if group.wrt:
                atoms = [gradient[self.program.inputs[i]] for i in flat(group.indices)]
                results.append(self.array_of(atoms, group) if group.shape else atoms[0])
                kinds.append("array" if group.shape else "float")
        for x, g in gradient.items():
            if x not in self.shared:
                results.append(g)
                kinds.append("each")
        return results, kinds

    def array_of(self, atoms: list[Atom], group: Group) -> Atom:
        """The array whose elements are ``atoms`` (a group's gradients): a block that holds
        them, else a new array of them."""
        first = atoms[0]
        if isinstance(first, Var) and first in self.block_of:
            block, _ = self.block_of[first]
            if block.members == atoms and not block.per_sample and block.shape == group.shape:
                self.labels.setdefault(block.var, f"grad_{group.name}")
                return block.var
        rule = matrix(group.shape[0]) if len(group.shape) == 2 else VECTOR
        out = self.emit(len(self.eqs), rule, (self.like, *atoms))
        self.labels[out] = f"grad_{group.name}"
        return out


class LayerPlan:
    """A layer's matrix products: ``S = X @ W.T - b`` where its first ``wsum`` stood, and
    ``δ @ W`` where the gradients of its inputs are complete (when they are its sums)."""

    def __init__(self, rewriter: _Rewriter, layer: Layer) -> None:
        self.rw, self.layer = rewriter, layer

    def plan(self, plans: dict[int, list[Callable[[], None]]]) -> None:
        rw, layer = self.rw, self.layer
        at = [rw.defined_at[m.out] for m in layer.members]
        rw.consumed.update(at)
        plans.setdefault(at[0], []).append(self.forward)
        columns: dict[int, Var] = {}
        deltas = rw.deltas(layer)
        if deltas is None or len(set(parameters_of(layer))) != len(parameters_of(layer)):
            return
        for i, x in enumerate(layer.x):
            found = self.column(x, i, deltas) if isinstance(x, Var) else None
            if found is not None:
                columns[i], chain = found
                rw.consumed.update(chain)
        if columns:
            place = min(rw.defined_at[c] for c in columns.values())
            members = [columns.get(i) for i in range(len(layer.x))]
            plans.setdefault(place, []).append(lambda: self.backward(deltas, members, place))

    def column(self, x: Var, i: int, deltas: list[Var]) -> tuple[Var, list[int]] | None:
        """The variable of ``Σ_j δ_j·w_ij``, added up as the chain rule adds it, and the
        equations of that sum; None if the gradient of x is not that sum to begin with."""
        rw = self.rw
        terms = []
        for j, d in enumerate(deltas):
            k = _reading(rw, d, (d, self.layer.w[j][i]))
            if k is None:
                return None
            terms.append(k)
        terms.sort()
        chain = [terms[0]]
        total = rw.eqs[terms[0]].out
        for k in terms[1:]:
            term = rw.eqs[k].out
            if rw.uses[total] != 1 or rw.uses[term] != 1 or total not in rw.readers:
                return None
            following = rw.readers[total][0]
            eq = rw.eqs[following]
            if eq.rule.name != "add" or eq.inputs != (total, term):
                return None
            chain += [k, following]
            total = eq.out
        return total, chain

    def forward(self) -> None:
        rw, layer = self.rw, self.layer
        place = rw.defined_at[layer.members[0].out]
        x = list(layer.x)
        if all(isinstance(a, Var) and a in rw.block_of for a in x):
            block = rw.block_of[variable(x[0])][0]
            if block.members == x:
                layer.blocks["X"] = block
        if "X" not in layer.blocks:
            var = rw.emit(place, COLUMNS, (rw.like, *x), rw.fresh(f"X_{layer.number - 1}"))
            rw.forward.add(var)
            layer.blocks["X"] = rw.block(var, place, (len(x),), x, register=False)
        args = (layer.blocks["X"].var, layer.blocks["W"].var, layer.blocks["b"].var)
        s = rw.emit(place, LAYER, args, rw.fresh(f"S_{layer.number}"))
        rw.per_sample.add(s)
        rw.forward.add(s)
        members = [m.out for m in layer.members]
        layer.blocks["S"] = rw.block(s, place, (len(members),), members)

    def backward(self, deltas: list[Var], members: list[Var | None], place: int) -> None:
        rw, layer = self.rw, self.layer
        g = rw.columns(deltas, place)
        rw.gradient_of.setdefault(g, layer.blocks["S"].var)  # δ, stacked
        m = rw.emit(place, MATMUL, (g, layer.blocks["W"].var))
        rw.per_sample.add(m)
        rw.block(m, place, (len(members),), members)
        rw.gradient_of[m] = layer.blocks["X"].var


def _reading(rw: _Rewriter, d: Var, inputs: tuple[Atom, ...]) -> int | None:
    """The index of the ``mul`` equation of exactly these inputs that reads d, if one."""
    for k in rw.readers.get(d, []):
        eq = rw.eqs[k]
        if eq.rule.name == "mul" and eq.inputs == inputs and k not in rw.consumed:
            return k
    return None
