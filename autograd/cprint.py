"""The C printer: a traced program's value and gradient as C source, the same numbers as Python.

:func:`c_source` prints a :class:`~autograd.program.Program` (one output) and the
gradient program :meth:`~autograd.program.Program.grad` derives from it as one C
function: each equation one line ``const double t2 = tanh(t1);`` named as the program
names its variables, the value first, then the gradients. :mod:`autograd.cbuild`
compiles it and loads it (:class:`autograd.cbuild.CFunction`).

Same numbers: each built-in row is spelt with the libm function its Python forward
calls (``math.exp`` is ``exp``, ``math.pow`` is ``pow``, ``exp2`` is ``pow(2.0, x)`` as
in Python), and the IEEE cases the forwards of :mod:`autograd.ieee` handle (a zero
divisor, log of 0, the domain of asin, Python's ``//``, ``torch.remainder``) are
written out as C, so with no FMA contraction and no fast-math the C gives the Python
program's bits (a nan's sign and payload aside). A row the printer has no spelling for
(one you registered, or a built-in row you replaced) is called back: the C calls its
Python forward through ``cb[k]``, and the source says so on that line.

A large program is split into functions of at most :data:`PART_SIZE` equations: a C
compiler's optimiser is slow on one huge function. Values that cross from one part to
a later one live in a workspace ``v``; within a part each is a local ``const double``.

>>> from autograd import Value, trace
>>> w, x = Value(3.0, "w"), Value(2.0, "x")
>>> print(c_source(trace((w * x).tanh(), [w, x])).split("cr_run")[1])  # doctest: +ELLIPSIS
(const double *restrict in, double *restrict out, double *restrict v, cr_row const *cb)
{
    const double w = in[0];
    const double x = in[1];
    const double t1 = w * x;
    const double t2 = tanh(t1);
    const double t3 = t2 * t2;
    const double t4 = t3 * (-1.0);
    const double t5 = 1.0 + t4;
    const double dw = t5 * x;
    const double dx = t5 * w;
    out[0] = t2;
    out[1] = dw;
    out[2] = dx;
}
...
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .ieee import DEG, PI, RAD
from .ops import RULES, Rule
from .program import TIMES, Atom, Equation, Program, Var, _pruned, simplify

__all__ = [
    "PART_SIZE",
    "CProgram",
    "c_identifier",
    "c_source",
    "literal",
    "print_lines",
    "spelt",
    "value_and_grad",
]

PART_SIZE = 500
"""Equations per C function: gcc -O2 builds 500-line parts several times faster than
one function of the same lines (see docs/compiling.md for the measurements)."""

# --- how each built-in row is spelt in C -------------------------------------------

_LIBM_1 = (
    *("exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "asin", "acos", "atan"),
    *("sinh", "cosh", "log1p", "expm1", "log2", "log10", "asinh", "acosh", "atanh"),
)
"""Rows whose Python forward is the libm function of the same name (``math.x``), with
its IEEE cases (inf for overflow, nan outside the domain, -inf at a pole) the C one's."""

_C_MATH = ("erf", "erfc", "cbrt")
"""Functions of Python's ``math`` that CPython computes by calling libm's function of the
same name: a row whose forward is one of them (``math.erf``) is spelt as that call, with no
line of its own here (tests/autograd/test_cprint.py checks the bits on every such row)."""

_MATH_ROWS = {
    name: rule.forward.__name__
    for name, rule in RULES.items()
    if any(rule.forward is getattr(math, f, None) for f in _C_MATH)
}

_EXPRESSIONS = {
    "add": "{0} + {1}",
    "mul": "{0} * {1}",
    "div": "{0} / {1}",  # IEEE: ±inf for a zero divisor, nan for 0/0, as _fdiv
    "reciprocal": "1.0 / {0}",
    "pow": "pow({0}, {1})",  # C99's pow has math.pow's special cases (F.9.4.4)
    "powv": "pow({0}, {1})",
    "exp2": "pow(2.0, {0})",  # math.pow(2.0, x), not exp2: the same libm function
    "abs": "fabs({0})",
    "atan2": "atan2({0}, {1})",
    "deg2rad": f"{{0}} * {DEG!r}",
    "rad2deg": f"{{0}} * {RAD!r}",
    **{name: f"{name}({{0}})" for name in _LIBM_1},
    **{name: f"{function}({{0}})" for name, function in _MATH_ROWS.items()},
}

_HELPERS = {  # row: the C of its forward, line for line the Python of autograd.ieee
    "sigmoid": """(double x)
{   /* x >= 0 ? 1 / (1 + exp(-x)) : e / (1 + e) with e = exp(x), with no branch on the
       sign (random in a network): -|x| is -x or x, or -0 for +0 (exp(-0) is exp(0)) */
    double e = exp(-fabs(x));
    union { double d; unsigned long long u; } one = {1.0}, top = {e};
    unsigned long long m = -(unsigned long long)(x >= 0.0);
    top.u = (one.u & m) | (top.u & ~m);
    return top.d / (1.0 + e);
}""",
    "relu": "(double x) { return x <= 0.0 ? 0.0 : x; }",
    "step": "(double x) { return x <= 0.0 ? 0.0 : 1.0; }",
    "sign": """(double x)
{
    if (x != x)
        return CR_NAN;
    return x == 0.0 ? 0.0 : x > 0.0 ? 1.0 : -1.0;
}""",
    "mul0": """(double x, double y)
{   /* x == 0 ? 0 : x * y, with no branch: the product's bits, or none where x is ±0 */
    union { double d; unsigned long long u; } p = {x * y};
    p.u &= -(unsigned long long)(x != 0.0);
    return p.d;
}""",
    "powlog": """(double x, double y)
{
    if (x == 0.0 && y >= 0.0)
        return 0.0;
    return pow(x, y) * log(x);
}""",
    "softplus": """(double x)
{   /* x > 0 ? x + log1p(exp(-x)) : log1p(exp(x)), with no branch on the sign: -|x| is
       -x or x (or -0 for +0), and below 0 the sum is 0 + log1p(...), which is the same */
    double e = log1p(exp(-fabs(x)));
    union { double d; unsigned long long u; } p = {x};
    p.u &= -(unsigned long long)(x > 0.0);
    return p.d + e;
}""",
    "clamp": """(double x, double lo, double hi)
{
    if (lo != lo || hi != hi)
        return CR_NAN;
    double y = x < lo ? lo : x;
    return y > hi ? hi : y;
}""",
    "between": "(double x, double lo, double hi) { return lo <= x && x <= hi ? 1.0 : 0.0; }",
    "maximum": """(double x, double y)
{
    if (x != x || y != y)
        return CR_NAN;
    return x >= y ? x : y;
}""",
    "minimum": """(double x, double y)
{
    if (x != x || y != y)
        return CR_NAN;
    return x <= y ? x : y;
}""",
    "above": """(double x, double y)
{   /* x < y ? 0 : x == y ? 0.5 : 1, with no branch on x < y (random in a maximum) */
    return (double)!(x < y) * (x == y ? 0.5 : 1.0);
}""",
    "mod": """(double x, double y)
{
    if (y == 0.0 || x != x || y != y || x - x != 0.0)
        return CR_NAN;
    double r = fmod(x, y);
    return r != 0.0 && (y < 0.0) != (r < 0.0) ? r + y : r;
}""",
    "floordiv": """(double x, double y)
{   /* Python's float // (CPython's _float_div_mod); a zero divisor gives x / y */
    if (y == 0.0)
        return x / y;
    double mod = fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0.0 && (y < 0.0) != (mod < 0.0))
        div -= 1.0;
    if (div == 0.0)
        return copysign(0.0, x / y);
    double whole = floor(div);
    return div - whole > 0.5 ? whole + 1.0 : whole;
}""",
    "sinc": f"""(double x)
{{
    if (x == 0.0)
        return 1.0;
    double p = {PI!r} * x;
    return sin(p) / p;
}}""",
    "div0": "(double x, double y) { return y == 0.0 ? 0.0 : x / y; }",
    "inv_hypot2": """(double x, double y)
{
    double d = x * x + y * y;
    return d == 0.0 ? 0.0 : 1.0 / d;
}""",
    TIMES.name: """(double g, double p, double n, double d)
{   /* g·p, or (g·n)/d where the partial p alone is ±inf or nan */
    return p - p == 0.0 ? g * p : g * n / d;
}""",
}

_PREAMBLE = """\
typedef double (*cr_row)(const double *args, int n); /* a row's Python forward */
#define CR_INF __builtin_inf()
#define CR_NAN __builtin_nan("")
double exp(double), log(double), sqrt(double), sin(double), cos(double), tan(double);
double tanh(double), asin(double), acos(double), atan(double), sinh(double), cosh(double);
double log1p(double), expm1(double), log2(double), log10(double), asinh(double);
double acosh(double), atanh(double), fabs(double), floor(double);
double pow(double, double), atan2(double, double), fmod(double, double);
double copysign(double, double), erf(double), erfc(double), cbrt(double);
void *malloc(__SIZE_TYPE__);
void free(void *);
"""

_FORWARDS = {name: RULES[name].forward for name in (*_EXPRESSIONS, *_HELPERS) if name in RULES}


def spelt(rule: Rule) -> bool:
    """Whether the printer writes ``rule`` in C (else the C calls its Python forward back).

    >>> from autograd import RULES
    >>> spelt(RULES["softplus"]), spelt(RULES["wsum"])
    (True, True)
    """
    if rule is TIMES:
        return True
    if rule.name == "wsum":
        return rule.forward is RULES["wsum"].forward
    return _FORWARDS.get(rule.name) is rule.forward


# --- names: the program's, as C identifiers ------------------------------------------

_C_WORDS = frozenset(
    """auto break case char const continue default do double else enum extern float for goto
    if inline int long register restrict return short signed sizeof static struct switch
    typedef union unsigned void volatile while _Bool _Complex _Imaginary in out v cb n i
    cr_run cr_value_and_grad cr_many""".split()  # noqa: SIM905 -- a list of words
)
_RESERVED = _C_WORDS | set(re.findall(r"[A-Za-z_]\w*", _PREAMBLE))  # helpers are cr_...


def c_identifier(name: str) -> str:
    """A program variable's name as a C identifier: letters, digits and ``_`` kept, a Greek
    letter spelt out, a sub- or superscript digit a digit, any other run one ``_``; a name C
    or the printed code already uses gets a ``_`` after it.

    >>> c_identifier("S_1^(2)"), c_identifier("δ"), c_identifier("exp"), c_identifier("2x")
    ('S_1_2', 'delta', 'exp_', 'v_2x')
    """
    pieces = []
    for ch in name:
        if ch.isascii() and (ch.isalnum() or ch == "_"):
            pieces.append(ch)
        elif unicodedata.digit(ch, None) is not None:
            pieces.append(str(unicodedata.digit(ch)))
        elif unicodedata.name(ch, "").startswith("GREEK"):
            pieces.append(f" {unicodedata.name(ch).split()[-1].lower()} ")
        else:
            pieces.append(" ")
    text = re.sub(r"_* +_*", "_", "".join(pieces).strip(" ")) or "v"
    if text[0].isdigit() or text.startswith("__") or re.match("_[A-Z]", text):
        text = "v_" + text.lstrip("_")
    if text in _RESERVED or text.lower().startswith("cr_"):
        text += "_"
    return text


def _c_names(program: Program) -> dict[Var, str]:
    """A distinct C identifier for each variable: ``x``, ``x_2`` when two names meet."""
    names: dict[Var, str] = {}
    taken: set[str] = set()
    for var in (*program.inputs, *(eq.out for eq in program.equations)):
        base = name = c_identifier(var.name)
        k = 1
        while name in taken:
            k += 1
            name = f"{base}_{k}"
        taken.add(name)
        names[var] = name
    return names


def literal(x: float) -> str:
    """A constant as C reads it back to the same double (negative ones in parentheses).

    >>> literal(0.1), literal(-2.0), literal(math.inf), literal(5e-324)
    ('0.1', '(-2.0)', 'CR_INF', '5e-324')
    """
    if math.isnan(x) or math.isinf(x):
        text = "CR_NAN" if math.isnan(x) else "CR_INF"
        return f"(-{text})" if math.copysign(1.0, x) < 0 else text
    text = repr(x)
    return f"({text})" if text.startswith("-") else text


# --- the program printed ---------------------------------------------------------


def value_and_grad(program: Program, wrt: Sequence[int] | None = None) -> Program:
    """One program for the value and the gradients: its outputs are the value, then
    ∂value/∂input for each input at the positions ``wrt`` (default: all).

    The value's equations (simplified) come first, then the gradient program's
    (:meth:`Program.grad`) that are not among them: both are the same rewrite of the
    same equations, so a variable they share has the same equation in both.

    >>> from autograd import Value, trace
    >>> x = Value(2.0, "x")
    >>> p = value_and_grad(trace(x * x, [x]))
    >>> p(3.0)
    (9.0, 6.0)
    """
    if len(program.outputs) != 1:
        raise ValueError(
            f"the C printer needs a program of one output; this one has {len(program.outputs)}"
        )
    n = len(program.inputs)
    positions = range(n) if wrt is None else list(wrt)
    for i in positions:
        if type(i) is not int or not 0 <= i < n:
            raise ValueError(f"wrt must hold input positions 0 to {n - 1}; got {i!r}")
    gradient = program.grad()
    forward = simplify(program)
    have = {eq.out for eq in forward.equations}
    extra = tuple(eq for eq in gradient.equations if eq.out not in have)
    outputs = (forward.outputs[0], *(gradient.outputs[i] for i in positions))
    return _pruned(Program(program.inputs, forward.equations + extra, outputs))


@dataclass(frozen=True)
class CProgram:
    """A program printed as C: the ``source``, the rows it calls back (``callbacks``, in the
    order of ``cb``), and its sizes: ``n_inputs`` numbers in, ``n_outputs`` out."""

    source: str
    callbacks: tuple[Rule, ...]
    n_inputs: int
    n_outputs: int


class _Printer:
    """Writes one program's C: names, parts, the workspace slots of values that cross parts."""

    def __init__(self, program: Program, part_size: int) -> None:
        self.program = program
        self.names = _c_names(program)
        self.position = {v: i for i, v in enumerate(program.inputs)}
        eqs = program.equations
        self.parts = [eqs[k : k + part_size] for k in range(0, len(eqs), part_size)] or [()]
        self.part_of = {eq.out: k for k, part in enumerate(self.parts) for eq in part}
        self.callbacks: list[Rule] = []
        self.slots: dict[Var, int] = {}
        self.helpers: set[str] = set()

    def atom(self, a: Atom) -> str:
        return self.names[a] if isinstance(a, Var) else literal(a)

    def expression(self, eq: Equation) -> str:
        rule, args = eq.rule, [self.atom(a) for a in eq.inputs]
        if not spelt(rule):
            if rule not in self.callbacks:
                self.callbacks.append(rule)
            k = self.callbacks.index(rule)
            values = "{" + ", ".join(args) + "}" if args else "{0.0}"
            return (
                f"cb[{k}]((const double[]){values}, {len(args)}); "
                f"/* {rule.name}: no C spelling, its Python forward is called */"
            )
        if rule.name == "wsum":
            n = len(args) // 2
            terms = [f"{args[i]} * {args[n + i]}" for i in range(n)] or ["0.0"]
            return f"{' + '.join(terms)} - {args[-1]}"
        if rule.name in _EXPRESSIONS:
            return _EXPRESSIONS[rule.name].format(*args)
        self.helpers.add(rule.name)
        return f"cr_{rule.name}({', '.join(args)})"

    def imports(self, k: int, last: bool) -> list[Var]:
        """The variables part k reads that it does not define, in order of first use."""
        used: dict[Var, None] = {}
        for eq in self.parts[k]:
            used.update((a, None) for a in eq.inputs if isinstance(a, Var))
        if last:
            used.update((a, None) for a in self.program.outputs if isinstance(a, Var))
        return [a for a in used if self.part_of.get(a) != k]

    def part(self, k: int, body: list[str]) -> None:
        last = k == len(self.parts) - 1
        reads = self.imports(k, last)  # the inputs first, in their order
        for a in sorted(reads, key=lambda a: self.position.get(a, len(self.position))):
            if a in self.position:
                body.append(f"    const double {self.names[a]} = in[{self.position[a]}];")
            else:
                slot = self.slots.setdefault(a, len(self.slots))
                body.append(f"    const double {self.names[a]} = v[{slot}];")
        for eq in self.parts[k]:
            body.append(f"    const double {self.names[eq.out]} = {self.expression(eq)};")
        if last:
            for i, result in enumerate(self.program.outputs):
                body.append(f"    out[{i}] = {self.atom(result)};")
        exported = [eq.out for eq in self.parts[k] if eq.out in self.crossing]
        for var in exported:
            body.append(f"    v[{self.crossing[var]}] = {self.names[var]};")

    def source(self) -> str:
        self.crossing = self._crossing()
        params = (
            "(const double *restrict in, double *restrict out, double *restrict v, "
            "cr_row const *cb)"
        )
        functions: list[str] = []
        for k in range(len(self.parts)):
            body: list[str] = []
            self.part(k, body)
            name = "cr_run" if len(self.parts) == 1 else f"cr_part{k + 1}"
            functions.append(f"static void {name}{params}\n{{\n" + "\n".join(body) + "\n}\n")
        if len(self.parts) > 1:
            calls = [f"    cr_part{k + 1}(in, out, v, cb);" for k in range(len(self.parts))]
            functions.append(f"static void cr_run{params}\n{{\n" + "\n".join(calls) + "\n}\n")
        helpers = [f"static double cr_{h}{_HELPERS[h]}\n" for h in _HELPERS if h in self.helpers]
        return "\n".join([self.header(), _PREAMBLE, *helpers, *functions, self.entries()])

    def _crossing(self) -> dict[Var, int]:
        """Each variable a later part reads, and its slot in the workspace."""
        crossing: dict[Var, int] = {}
        for k in range(len(self.parts)):
            for a in self.imports(k, k == len(self.parts) - 1):
                if a not in self.position:
                    crossing.setdefault(a, len(crossing))
        self.slots = crossing
        return crossing

    def header(self) -> str:
        p = self.program
        ins = ", ".join(self.names[v] for v in p.inputs)
        outs = ", ".join(self.atom(a) for a in p.outputs)
        called = ", ".join(r.name for r in self.callbacks) or "none"
        return (
            "/* A program's value and gradient, printed as C by chainrule (autograd.cprint).\n"
            f"   in: {ins or '(none)'}\n   out: {outs}\n"
            f"   {len(p.equations)} equations in {len(self.parts)} function(s); rows called "
            f"back in Python: {called}.\n"
            "   Built with -O2 -ffp-contract=off and no fast-math: the Python program's bits. */"
        )

    def entries(self) -> str:
        n_in, n_out, n_slots = (
            len(self.program.inputs),
            len(self.program.outputs),
            len(self.crossing),
        )
        space = (
            f"    double *v = malloc({n_slots} * sizeof(double));\n    if (!v)\n        return 1;\n"
            if n_slots
            else "    double *v = 0;\n"
        )
        return (
            "/* in: the inputs; out: the value, then the gradients; 0, or 1 when out of memory */\n"
            "int cr_value_and_grad(const double *in, double *out, cr_row const *cb)\n{\n"
            f"{space}    cr_run(in, out, v, cb);\n    free(v);\n    return 0;\n}}\n\n"
            f"/* n samples: in holds {n_in} numbers per sample, out {n_out} */\n"
            "int cr_many(const double *in, double *out, long n, cr_row const *cb)\n{\n"
            f"{space}    for (long i = 0; i < n; i++)\n"
            f"        cr_run(in + i * {n_in}, out + i * {n_out}, v, cb);\n"
            "    free(v);\n    return 0;\n}\n"
        )


def c_source(program: Program, wrt: Sequence[int] | None = None, part_size: int = PART_SIZE) -> str:
    """The C of ``program``'s value and its gradients (:func:`value_and_grad`), as lines.

    >>> from autograd import Value, trace
    >>> x = Value(1.0, "x")
    >>> "const double t1 = cr_sigmoid(x);" in c_source(trace(x.sigmoid(), [x]))
    True
    """
    return print_lines(value_and_grad(_checked(program), wrt), part_size).source


def _checked(program: object) -> Program:
    if not isinstance(program, Program):
        raise TypeError(
            f"the C printer needs a Program (autograd.trace), got {type(program).__name__}"
        )
    return program


def print_lines(joint: Program, part_size: int = PART_SIZE) -> CProgram:
    """A value-and-gradient program (:func:`value_and_grad`) as straight-line C."""
    printer = _Printer(joint, max(1, part_size))
    source = printer.source()
    return CProgram(source, tuple(printer.callbacks), len(joint.inputs), len(joint.outputs))
