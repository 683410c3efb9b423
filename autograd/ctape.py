"""The compact tape: a large program's value and gradient as numbers, run by one C loop.

A C compiler is slow on huge straight-line code (the 10,000-op AW graph of ``make bench``,
197,108 equations, takes ``gcc -O2`` over a minute as lines), so
:class:`autograd.cbuild.CFunction` runs a large program as a tape: :func:`print_tape`
writes its equations as integers (an opcode, the result's slot, the arguments' slots)
and :data:`TAPE_SOURCE`, the same C for every program, walks them. It is built once per
machine (the cache keeps it), so a tape costs no compiler time. Each opcode is a row
spelt as the printer spells it (:mod:`autograd.cprint`): the numbers are the lines' and
the Python program's, bit for bit. Fewer instructions run the same arithmetic: a chain
of rows, each result read once, by the next, is one instruction (every pair, and the
longer chains most frequent in a gradient); ``x + y·(-1.0)`` is one instruction
``sub(x, y)``, and a quotient's partial times a negated numerator one too.

>>> from autograd import Value, trace
>>> from autograd.cprint import value_and_grad
>>> x = Value(2.0, "x")
>>> tape = print_tape(value_and_grad(trace((x * x).exp(), [x])))
>>> tape.n_inputs, len(tape.outputs), tape.callbacks
(1, 2, ())
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass

from .cprint import _EXPRESSIONS, _HELPERS, _PREAMBLE, spelt
from .ops import RULES, Rule
from .program import TIMES, Atom, Equation, Program, Var
from .rule import Notation

__all__ = ["MINUS_QUOTIENT", "SUB", "TAPE_SOURCE", "CTape", "instructions", "print_tape"]


SUB = Rule("sub", 2, lambda x, y: x - y, lambda out, x, y: (1.0, -1.0), Notation.call("sub"))
"""``x - y``: a row of the tape only, for ``x + y·(-1.0)`` (the same number: IEEE's
subtraction is the addition of the negation, and y·(-1.0) is -y exactly)."""

MINUS_QUOTIENT = Rule(
    "times_or_minus_quotient",
    4,
    lambda g, p, n, d: TIMES.forward(g, p, -n, d),
    TIMES.derivative,
    Notation.call("times_or_minus_quotient"),
)
"""``times_or_quotient(g, p, n·(-1.0), d)``: a row of the tape only (g·(-n) is -(g·n)
exactly, and (-x)/d is -(x/d): the same number)."""

_TAPE_EXPRESSIONS = {SUB.name: "{0} - {1}"}
_TAPE_HELPERS = {
    MINUS_QUOTIENT.name: """(double g, double p, double n, double d)
{   /* times_or_quotient(g, p, -n, d) */
    return p - p == 0.0 ? g * p : -(g * n / d);
}""",
}
_TAPE_ROWS = {rule.name: rule for rule in (SUB, MINUS_QUOTIENT)}

_FUSED = (
    *("add", "mul", "div", "exp", "log", "tanh", "sigmoid", "softplus", "step"),
    *("mul0", "above", "maximum", TIMES.name, SUB.name, MINUS_QUOTIENT.name),
)
"""Rows that fuse on the tape: a result read once, by the next instruction, is passed in
a register (the same operations in the same order: the same numbers)."""

_Q, _MQ = TIMES.name, MINUS_QUOTIENT.name
_CHAINS = (
    "add>add@0>add@0",  # a sum of four, an adjoint's terms
    "add>add@0>add@0>add@0",
    "add>add@0>add@0>mul@0",
    f"div>{_Q}@1>add@0>mul@0",  # a quotient's gradients, summed, times a partial
    f"div>mul@0>{_MQ}@1",
    f"div>mul@0>{_MQ}@1>add@0",
    f"mul>{_MQ}@1>add@0",
    f"mul>{_MQ}@1>add@0>add@0",
    f"{_MQ}>add@0>add@0",
    f"{_MQ}>add@0>add@0>add@0",
    "mul>sub@0>sub@0",
    "mul>sub@0>sub@0>sub@0",
    "mul>add@0>add@0",
    "mul>add@0>add@0>add@0",
    "above>mul0@0>add@1",  # a maximum's gradient, added into an adjoint
    "above>mul0@0>add@1>add@0",
    "mul0>add@1>add@0",
    "mul0>add@1>add@0>add@0",
)
"""Chains of three or four rows that run as one instruction: the ones most frequent in
the AW graph of ``make bench`` (each fewer instruction is one fewer jump)."""


def _arity(name: str) -> int:
    return 4 if name == TIMES.name else (_TAPE_ROWS.get(name) or RULES[name]).arity


def _links(name: str) -> list[tuple[str, int]]:
    """A chain instruction's rows, the first with position 0, each next one with the
    position where it reads the result before it: "mul>add@1" is [("mul", 0), ("add", 1)]."""
    first, *rest = name.split(">")
    return [(first, 0), *((row, int(at)) for row, at in (link.split("@") for link in rest))]


_PAIRS = tuple(
    f"{first}>{then}@{at}" for first in _FUSED for then in _FUSED for at in range(_arity(then))
)
"""Each pair instruction: the first row, the row that reads its result, and where."""
_OPCODES = (
    *("end", *_EXPRESSIONS, *_HELPERS, *_TAPE_EXPRESSIONS, *_TAPE_HELPERS, "wsum", "call"),
    *(*_PAIRS, *_CHAINS),
)
"""The tape's instructions: the end, each spelt row, n-ary wsum, a call back, the pairs,
the longer chains."""
_CODE = {name: i for i, name in enumerate(_OPCODES)}


@dataclass(frozen=True)
class CTape:
    """A program as a tape for :data:`TAPE_SOURCE`: slots 0.. hold the inputs, then the
    constants, then the results (a slot serves again once its variable is read for the last
    time). ``code`` holds, per equation, its opcode (:data:`_OPCODES`), its result's slot
    and its arguments' (wsum and a call back have their number of arguments before the
    result's slot; a call back's first argument is its row's index in ``callbacks``), then
    the opcode ``end``; ``outputs`` the slots of the value and the gradients."""

    code: tuple[int, ...]
    constants: tuple[float, ...]
    outputs: tuple[int, ...]
    callbacks: tuple[Rule, ...]
    n_inputs: int
    n_slots: int
    widest: int  # the most arguments an equation has

    @property
    def narrow(self) -> bool:
        """Whether every number of the code fits 16 bits (``cr_tape16`` runs it)."""
        return max(self.code, default=0) < _NARROW and self.n_slots < _NARROW


def print_tape(joint: Program) -> CTape:
    """A value-and-gradient program (:func:`value_and_grad`) as a compact tape.

    A result read once, by a row of :data:`_FUSED`, is computed in the same instruction
    as its reader where the chain is an instruction (:func:`_fused`: the chain moves
    later, next to its last reader; its inputs are still defined before it), and the
    negations the tape's own rows stand for are left out (:func:`_negations`). A
    result's slot is taken again once nothing reads it any more (an input's too: the
    next point copies it in again), so the slots stay few.
    """
    joint, steps = _steps(joint)
    constants: dict[bytes, int] = {}  # a constant's slot, by its bits (-0.0 and nan kept)
    for a in (*(a for eq in joint.equations for a in eq.inputs), *joint.outputs):
        if not isinstance(a, Var):
            constants.setdefault(struct.pack("<d", a), len(joint.inputs) + len(constants))
    slots = _Slots(joint.inputs, steps, joint.outputs, len(joint.inputs) + len(constants))
    code: list[int] = []
    callbacks: list[Rule] = []

    def at(a: Atom) -> int:
        return slots[a] if isinstance(a, Var) else constants[struct.pack("<d", a)]

    for k, (chain, wheres) in enumerate(steps):
        eq = chain[-1]
        out = slots.result(k, eq.out)
        if len(chain) > 1:
            args = list(map(at, chain[0].inputs))
            for e, where in zip(chain[1:], wheres, strict=True):
                args += (at(a) for i, a in enumerate(e.inputs) if i != where)
            code += [_CODE[_chain_name(chain, wheres)], out, *args]
        elif not _spelt(eq.rule):
            if eq.rule not in callbacks:
                callbacks.append(eq.rule)
            args = [callbacks.index(eq.rule), *map(at, eq.inputs)]
            code += [_CODE["call"], len(args), out, *args]
        else:
            args = list(map(at, eq.inputs))
            count = [len(args)] if eq.rule.name == "wsum" else []
            code += [_CODE[eq.rule.name], *count, out, *args]
    code.append(_CODE["end"])
    return CTape(
        tuple(code),
        tuple(struct.unpack("<d", b)[0] for b in constants),
        tuple(map(at, joint.outputs)),
        tuple(callbacks),
        len(joint.inputs),
        slots.count,
        max((len(eq.inputs) for eq in joint.equations), default=0),
    )


Step = tuple[tuple[Equation, ...], tuple[int, ...]]
"""A tape instruction: its equations (a chain: each but the first reads the result of
the one before, which nothing else reads) and where each next one reads it."""


def _chain_name(chain: tuple[Equation, ...], wheres: tuple[int, ...]) -> str:
    links = (f">{e.rule.name}@{where}" for e, where in zip(chain[1:], wheres, strict=True))
    return chain[0].rule.name + "".join(links)


def _steps(joint: Program) -> tuple[Program, list[Step]]:
    """The program with the tape's own rows (:func:`_negations`), and its instructions."""
    joint = Program(joint.inputs, tuple(_negations(joint.equations, joint.outputs)), joint.outputs)
    return joint, _fused(joint)


def instructions(joint: Program) -> list[str]:
    """The names of the tape's instructions for ``joint``, in order (a chain of rows that
    runs as one instruction is named ``first>then@position>...``).

    >>> from autograd import Value, trace
    >>> x, y = Value(2.0, "x"), Value(3.0, "y")
    >>> instructions(trace((x - y).exp() * y, [x, y]))
    ['sub', 'exp>mul@0']
    """
    return [_chain_name(chain, wheres) for chain, wheres in _steps(joint)[1]]


def _fusable(eq: Equation) -> bool:
    return eq.rule.name in _FUSED and _spelt(eq.rule)


def _spelt(rule: Rule) -> bool:
    return _TAPE_ROWS.get(rule.name) is rule or spelt(rule)


def _negations(equations: tuple[Equation, ...], outputs: tuple[Atom, ...]) -> list[Equation]:
    """The equations with ``x + y·(-1.0)`` (either order) as ``sub(x, y)``, and
    ``times_or_quotient(g, p, n·(-1.0), d)`` as ``times_or_minus_quotient(g, p, n, d)``;
    a negation nothing reads any more is left out. The same numbers, fewer instructions
    (only where add and mul are the built-in rows)."""
    negated = _negated(equations)
    rewritten = [_without_negation(eq, negated) for eq in equations]
    read = {a for eq in rewritten for a in eq.inputs if isinstance(a, Var)}
    read.update(a for a in outputs if isinstance(a, Var))
    return [eq for eq in rewritten if eq.out not in negated or eq.out in read]


def _negated(equations: tuple[Equation, ...]) -> dict[Atom, Atom]:
    """Each variable that is ``y·(-1.0)`` or ``(-1.0)·y`` (the built-in mul): its y."""
    negated: dict[Atom, Atom] = {}
    for eq in equations:
        if eq.rule.name == "mul" and spelt(eq.rule):
            for a, b in (eq.inputs, eq.inputs[::-1]):
                if _minus_one(b) and isinstance(a, Var):
                    negated[eq.out] = a
    return negated


def _without_negation(eq: Equation, negated: dict[Atom, Atom]) -> Equation:
    """``eq`` as a tape row that reads y where it read a negation -y, if it has one."""
    ins = eq.inputs
    if eq.rule.name == "add" and spelt(eq.rule):
        if ins[1] in negated:
            return Equation(eq.out, SUB, (ins[0], negated[ins[1]]))
        if ins[0] in negated:
            return Equation(eq.out, SUB, (ins[1], negated[ins[0]]))
    if eq.rule is TIMES and ins[2] in negated:
        return Equation(eq.out, MINUS_QUOTIENT, (*ins[:2], negated[ins[2]], ins[3]))
    return eq


def _minus_one(a: Atom) -> bool:
    return not isinstance(a, Var) and struct.pack("<d", a) == struct.pack("<d", -1.0)


def _reads(joint: Program) -> dict[Var, int]:
    """How often each variable is read (an output counts as a read)."""
    reads: dict[Var, int] = {}
    for a in (*(a for eq in joint.equations for a in eq.inputs), *joint.outputs):
        if isinstance(a, Var):
            reads[a] = reads.get(a, 0) + 1
    return reads


def _fused(joint: Program) -> list[Step]:
    """The equations in tape order, each chain that fuses as one step.

    Each equation takes in the first of its operands that a row of :data:`_FUSED`
    computes for it alone; of the chain of such equations ending at an equation that
    is not taken in, the longest tail that is an instruction is one step, the rest is
    split the same way (before it: its inputs are defined before it).
    """
    reads = _reads(joint)
    made = {eq.out: eq for eq in joint.equations if _fusable(eq)}
    firsts: dict[Var, tuple[Equation, int]] = {}  # a reader's fused first equation
    for eq in filter(_fusable, joint.equations):
        for i, a in enumerate(eq.inputs):
            if isinstance(a, Var) and a in made and reads[a] == 1:
                firsts[eq.out] = (made[a], i)
                break
    taken = {first.out for first, _ in firsts.values()}  # results fused into their reader
    steps: list[Step] = []
    for eq in joint.equations:
        if eq.out in taken:
            continue
        chain, wheres = [eq], []  # from the reader back to the first
        while chain[-1].out in firsts:
            first, where = firsts[chain[-1].out]
            chain.append(first)
            wheres.append(where)
        chain.reverse()
        wheres.reverse()
        tail: list[Step] = []
        while chain:
            n = next(n for n in range(min(len(chain), 4), 0, -1) if _fits(chain[-n:], wheres))
            tail.append((tuple(chain[-n:]), tuple(wheres[len(wheres) - n + 1 :])))
            del chain[-n:]
            del wheres[len(wheres) - n :]
        steps.extend(reversed(tail))
    return steps


def _fits(chain: list[Equation], wheres: list[int]) -> bool:
    """Whether ``chain``, the last equations of a chain whose positions are ``wheres``,
    runs as one instruction (a lone equation always does)."""
    if len(chain) == 1:
        return True
    return _chain_name(tuple(chain), tuple(wheres[len(wheres) - len(chain) + 1 :])) in _CODE


class _Slots:
    """Each variable's slot in the tape's workspace, taken again after its last reader."""

    def __init__(
        self, inputs: tuple[Var, ...], steps: list[Step], outputs: tuple[Atom, ...], first: int
    ) -> None:
        self.slot: dict[Var, int] = {v: i for i, v in enumerate(inputs)}
        self.count = first  # slots 0 .. first-1: the inputs, then the constants
        self.free: list[int] = []
        self.done: dict[int, list[Var]] = {}  # the variables whose last reader is step k
        last: dict[Var, int] = {}
        for k, (chain, _) in enumerate(steps):
            last.update((a, k) for eq in chain for a in eq.inputs if isinstance(a, Var))
        for a in outputs:
            if isinstance(a, Var):
                last[a] = len(steps)  # read at the end: never freed
        for v, k in last.items():
            self.done.setdefault(k, []).append(v)

    def __getitem__(self, v: Var) -> int:
        return self.slot[v]

    def result(self, k: int, out: Var) -> int:
        """The slot of step k's result: one its inputs no longer need, or a new one."""
        self.free.extend(self.slot[v] for v in self.done.get(k, ()) if v in self.slot)
        if self.free:
            self.slot[out] = self.free.pop()
        else:
            self.slot[out] = self.count
            self.count += 1
        return self.slot[out]


def _spelling(name: str, refs: list[str]) -> str:
    """A spelt row's C on the operands ``refs`` (C expressions)."""
    if name in _EXPRESSIONS:
        return _EXPRESSIONS[name].format(*refs)
    if name in _TAPE_EXPRESSIONS:
        return _TAPE_EXPRESSIONS[name].format(*refs)
    return f"cr_{name}({', '.join(refs)})"


def _width(name: str) -> int | None:
    """How many argument slots an instruction has (None: its count is on the tape)."""
    if name in ("wsum", "call"):
        return None
    links = _links(name)
    return _arity(links[0][0]) + sum(_arity(row) - 1 for row, _ in links[1:])


def _case(name: str) -> str:
    """The tape's C for one instruction at ``pc``: its result into ``v[pc[1]]`` (``v[pc[2]]``
    for one with a count) from the slots ``v[a[0]]``, ..., then ``pc`` on the next one."""
    if name == "end":
        return "return"
    width = _width(name)
    if width is None:
        head = "k = pc[1];\n        a = pc + 3;\n        "
        store = "v[pc[2]] = r;\n        pc = a + k"
    else:
        head = "a = pc + 2;\n        "
        store = f"v[pc[1]] = r;\n        pc = a + {width}"
    if name == "wsum":
        body = (
            "m = k / 2;\n        r = m ? v[a[0]] * v[a[m]] : 0.0;\n"
            "        for (int i = 1; i < m; i++)\n"
            "            r += v[a[i]] * v[a[m + i]];\n        r -= v[a[k - 1]]"
        )
    elif name == "call":
        body = (
            "for (int i = 1; i < k; i++)\n            args[i - 1] = v[a[i]];\n"
            "        r = cb[a[0]](args, k - 1)"
        )
    else:  # a row, or a chain: each row's result in r, read by the next row
        slots = (f"v[a[{i}]]" for i in itertools.count())
        lines: list[str] = []
        for row, where in _links(name):
            refs = ["r" if lines and i == where else next(slots) for i in range(_arity(row))]
            lines.append("r = " + _spelling(row, refs))
        body = ";\n        ".join(lines)
    return f"{head}{body};\n        {store}"


_NARROW = 65_536
"""A tape whose numbers are all below this is written in 16-bit integers: half the bytes
to read per run (on the AW graph, 8 % less time)."""


def _walker(width: str, integer: str) -> str:
    """The loop over a tape of ``integer`` numbers, and its entry ``cr_tape{width}``."""
    cases = "\n".join(
        f"        case {i}: /* {name} */ {{\n        {_case(name)};\n        }} break;"
        for i, name in enumerate(_OPCODES)
    )
    threaded = "\n".join(
        f"op{i}: /* {name} */\n    {{\n        {_case(name)};\n    }}\n    goto *jump[*pc];"
        for i, name in enumerate(_OPCODES)
    )
    labels = ", ".join(f"&&op{i}" for i in range(len(_OPCODES)))
    return f"""
static void cr_walk{width}(const {integer} *pc, double *restrict v, double *args,
                      cr_row const *cb)
{{
    const {integer} *a;
    int k, m;
    double r;
    (void)k;
    (void)m;
    (void)r;
    (void)args;
    (void)cb;
#if defined(__GNUC__)
    static void *const jump[] = {{{labels}}};
    goto *jump[*pc];
{threaded}
#else
    for (;;) {{
        switch (*pc) {{
{cases}
        }}
    }}
#endif
}}

/* n samples; v: n_slots doubles (inputs, constants, results); args: widest doubles */
int cr_tape{width}(const {integer} *code, const double *consts, int n_consts,
              int n_in, const int *outs, int n_out, long n_slots, int widest,
              const double *in, double *out, long n, cr_row const *cb)
{{
    double *v = malloc((n_slots + 1) * sizeof(double));
    double *args = malloc((widest + 1) * sizeof(double));
    if (!v || !args) {{
        free(v);
        free(args);
        return 1;
    }}
    for (int i = 0; i < n_consts; i++)
        v[n_in + i] = consts[i];
    for (long s = 0; s < n; s++) {{
        for (int i = 0; i < n_in; i++)
            v[i] = in[s * n_in + i];
        cr_walk{width}(code, v, args, cb);
        for (int i = 0; i < n_out; i++)
            out[s * n_out + i] = v[outs[i]];
    }}
    free(v);
    free(args);
    return 0;
}}
"""


def _tape_source() -> str:
    helpers = "\n".join(
        f"static double cr_{h}{body}\n" for h, body in {**_HELPERS, **_TAPE_HELPERS}.items()
    )
    return f"""/* chainrule's compact tape (autograd.ctape): a program as numbers, one loop.
   For programs too large to print as lines: this C is the same for every program, so it is
   built once. Each equation is an opcode, its result's slot and its arguments' slots (an
   n-ary one has its count after the opcode); the tape ends with the opcode end. The loop
   jumps from each equation to the next one's code (with GCC and Clang's labels as values:
   each jump is predicted apart), elsewhere it is a switch.
   cr_tape16 reads a tape of 16-bit numbers, cr_tape32 one of 32-bit numbers. */
{_PREAMBLE}
{helpers}
{_walker("16", "unsigned short")}{_walker("32", "int")}"""


TAPE_SOURCE = _tape_source()
"""The C that runs every tape (:func:`print_tape`): built once, cached like any program."""
