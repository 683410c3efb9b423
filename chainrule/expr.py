"""Arithmetic from the command line, parsed against a whitelist and never run by Python."""

from __future__ import annotations

import ast
import difflib
import io
import keyword
import math
import operator
import re
import tokenize
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

import autograd
from autograd import RULES, Constant, Rule, Value

__all__ = [
    "CONSTANTS",
    "FUNCTIONS",
    "MAX_CHARS",
    "MAX_NODES",
    "ExpressionError",
    "allowed",
    "parse_binding",
    "parse_expression",
]

MAX_CHARS = 10_000
"""The longest expression accepted, in characters."""
MAX_NODES = 2_000
"""The most pieces (numbers, names, operations, calls) an expression may have."""


class _Functions(Mapping[str, Rule]):
    """The rows of :data:`autograd.RULES` an expression may call, read from the registry
    each time: every row written ``name(...)`` with a fixed number of arguments but the
    helpers (``Rule.helper``: relu's ``step``, ...), a user's :func:`autograd.register`-ed
    row included."""

    def _rows(self) -> dict[str, Rule]:
        return {
            n: r for n, r in RULES.items() if r.notation.kind == "call" and r.arity and not r.helper
        }

    def __getitem__(self, name: str) -> Rule:
        return self._rows()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows())

    def __len__(self) -> int:
        return len(self._rows())


FUNCTIONS: Mapping[str, Rule] = _Functions()
"""The functions an expression may call (the registry's call-style rows), by name."""
CONSTANTS = {"e": math.e, "pi": math.pi}
"""The names an expression may use without binding them; they cannot be bound."""


# Python's binary operators: each one's symbol and the function that applies it
_PYTHON: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
    ast.Mod: ("%", operator.mod),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.MatMult: ("@", operator.matmul),
    ast.BitAnd: ("&", operator.and_),
    ast.BitOr: ("|", operator.or_),
    ast.BitXor: ("^", operator.xor),
    ast.LShift: ("<<", operator.lshift),
    ast.RShift: (">>", operator.rshift),
}


def _operators() -> list[type[ast.operator]]:
    """The binary operators an expression may use: those of the registry's rows
    (``Rule.operator``), and ``-``, which Value composes from ``+`` and ``*``."""
    symbols = {r.operator for r in RULES.values() if not r.helper}
    if {"+", "*"} <= symbols:
        symbols.add("-")
    return [op for op, (symbol, _) in _PYTHON.items() if symbol in symbols]


def allowed() -> str:
    """What an expression may hold, for help texts and error messages.

    >>> "sigmoid" in allowed(), "step" in allowed()
    (True, False)
    >>> allowed()[:72]
    'numbers, names bound as name=value, the constants e and pi, + - * / ** %'
    """
    symbols = " ".join(_PYTHON[op][0] for op in _operators())
    return (
        f"numbers, names bound as name=value, the constants e and pi, {symbols}, "
        f"unary - and +, parentheses, and calls to {', '.join(FUNCTIONS)}"
    )


_SHOWN = 60  # characters of the user's text quoted in a message
_KINDS = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscript",
    ast.Lambda: "lambda",
    ast.Compare: "comparison",
    ast.BoolOp: "boolean operator",
    ast.IfExp: "conditional expression",
    ast.NamedExpr: "assignment expression",
    ast.Starred: "starred expression",
    ast.Tuple: "tuple",
    ast.List: "list",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.ListComp: "comprehension",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.GeneratorExp: "generator expression",
    ast.JoinedStr: "f-string",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slice",
}


class ExpressionError(ValueError):
    """An expression or a ``name=value`` pair that is not allowed; the message says why.

    >>> parse_expression("x.real", {"x": Value(1.0, "x")})
    Traceback (most recent call last):
    ...
    chainrule.expr.ExpressionError: attribute access is not allowed: 'x.real' at column 1; ...
    """


def _quote(text: str) -> str:
    """``text`` as a repr, cut to about _SHOWN characters: messages stay short."""
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "...")


def _where(source: str, node: ast.AST) -> str:
    piece = ast.get_source_segment(source, node) or type(node).__name__
    return f"{_quote(piece)} at column {getattr(node, 'col_offset', 0) + 1}"


def _did_you_mean(name: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f"did you mean {close[0]}? " if close else ""


def _refuse(source: str, node: ast.AST, what: str) -> ExpressionError:
    return ExpressionError(f"{what} is not allowed: {_where(source, node)}; allowed: {allowed()}")


def parse_binding(text: str, taken: Collection[str] = ()) -> tuple[str, float]:
    """One ``name=value`` pair from the command line, checked.

    The name must be a Python identifier that is not a keyword, one of the
    functions, or already in ``taken``; the value any float Python reads
    (``-1``, ``0.5``, ``1e-3``, ``inf``).

    >>> parse_binding("w1=0.5")
    ('w1', 0.5)
    >>> parse_binding("w1=half")
    Traceback (most recent call last):
    ...
    chainrule.expr.ExpressionError: 'w1=half': the value 'half' is not a number (write e.g. w1=0.5)
    """
    name, equals, value = text.partition("=")
    name = unicodedata.normalize("NFKC", name.strip())  # as Python reads identifiers
    shown = _quote(text)
    if not equals:
        raise ExpressionError(f"{shown}: expected name=value, e.g. x=0.5")
    if not name.isidentifier() or keyword.iskeyword(name):
        raise ExpressionError(f"{shown}: {_quote(name)} is not a name (use letters, digits and _)")
    if name in FUNCTIONS:
        raise ExpressionError(f"{shown}: {name!r} is a function; choose another name")
    if name in CONSTANTS:
        raise ExpressionError(
            f"{shown}: {name!r} is the constant {CONSTANTS[name]!r}; choose another name"
        )
    if name in taken:
        raise ExpressionError(f"{shown}: {name!r} is given twice; give each name once")
    try:
        number = float(value)
    except ValueError:
        raise ExpressionError(
            f"{shown}: the value {_quote(value)} is not a number (write e.g. {name}=0.5)"
        ) from None
    return name, number


def _check(source: str, node: ast.AST, names: Mapping[str, Value]) -> None:
    """Raise ExpressionError unless ``node`` alone (not its children) is allowed."""
    if isinstance(node, ast.Constant):
        _check_constant(source, node)
    elif isinstance(node, ast.Name):
        _check_name(source, node, names)
    elif isinstance(node, ast.BinOp):
        _check_binary(source, node)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(node.op), type(node.op).__name__)
            raise _refuse(source, node, f"the operator {symbol}")
    elif isinstance(node, ast.Call):
        _check_call(source, node)
    elif isinstance(node, ast.expr):
        raise _refuse(source, node, _KINDS.get(type(node), type(node).__name__))
    elif not isinstance(node, ast.operator | ast.unaryop | ast.expr_context):
        raise _refuse(source, node, type(node).__name__)


def _check_constant(source: str, node: ast.Constant) -> None:
    """Numbers only: no strings, bytes, complex numbers, True, None or ``...``."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _refuse(source, node, f"the constant {value!r}")


def _check_name(source: str, node: ast.Name, names: Mapping[str, Value]) -> None:
    """A bound name or a constant; a function's name alone or anything else says what to do."""
    if node.id in names:
        return
    if node.id in FUNCTIONS:
        raise ExpressionError(
            f"{node.id} is a function: call it with one argument, "
            f"e.g. {node.id}(x) ({_where(source, node)})"
        )
    if node.id in CONSTANTS:
        return
    known = [*names, *CONSTANTS]
    bound = ", ".join(list(names)[:10]) or "none"
    if len(names) > 10:
        bound += f" and {len(names) - 10} more"
    raise ExpressionError(
        f"unbound name {_quote(node.id)} at column {node.col_offset + 1}: "
        f"{_did_you_mean(node.id, known)}give it a value on the command line, "
        f"e.g. {node.id[:_SHOWN]}=0.5 (bound: {bound})"
    )


def _check_binary(source: str, node: ast.BinOp) -> None:
    """One of the rows' operators (:func:`_operators`); ``^`` gets a hint towards ``**``."""
    if isinstance(node.op, ast.BitXor):
        left, right = (ast.get_source_segment(source, n) for n in (node.left, node.right))
        raise ExpressionError(
            f"the operator ^ is not allowed ({_where(source, node)}): for a power "
            f"write ** ({_quote(f'{left}**{right}')})"
        )
    if type(node.op) not in _operators():
        symbol = _PYTHON[type(node.op)][0] if type(node.op) in _PYTHON else ""
        raise _refuse(source, node, f"the operator {symbol or type(node.op).__name__}")


def _check_call(source: str, node: ast.Call) -> None:
    """A call of one of :data:`FUNCTIONS` by name, with as many plain arguments as its row."""
    func = node.func
    if not isinstance(func, ast.Name) or func.id not in FUNCTIONS:
        hint = _did_you_mean(func.id, FUNCTIONS) if isinstance(func, ast.Name) else ""
        raise _refuse(
            source,
            node,
            f"{hint}this call (only " + ", ".join(FUNCTIONS) + " may be called)",
        )
    arity = FUNCTIONS[func.id].arity
    if (
        node.keywords
        or len(node.args) != arity
        or any(isinstance(a, ast.Starred) for a in node.args)
    ):
        count = "one plain argument" if arity == 1 else f"{arity} plain arguments"
        raise _refuse(source, node, f"calling {func.id} other than with {count}")


_IMPLICIT_PRODUCT = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?)([^\W\d]\w{0,20})")
"""A number written against a name, as in ``2x``: Python reads neither."""


_TOO_MANY_PIECES = f"the expression has more than {MAX_NODES} pieces (numbers, names, operations)"


def _pieces(source: str) -> int:
    """How many pieces ``source`` has, counted on its tokens (0 if it has none Python reads):
    a name, a number or an operator is one piece, a call is one (its name), and parentheses
    and commas none, as in the tree :func:`parse_expression` walks.

    >>> _pieces("-sigmoid(x ** -1e-5) + y"), _pieces("((x")
    (8, 0)
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (tokenize.TokenError, SyntaxError):  # unbalanced, say: the parser says what is wrong
        return 0
    kinds = (tokenize.NAME, tokenize.NUMBER, tokenize.STRING)
    return sum(t.type in kinds or (t.type == tokenize.OP and t.string not in "(),") for t in tokens)


def parse_expression(source: str, names: Mapping[str, Value]) -> Value:
    """Build the Value graph of ``source``, whose names are bound by ``names``.

    Python's ``ast`` parses the text; every piece is checked against a whitelist
    (:func:`allowed`), and the graph is built by walking the checked tree: the
    text is never given to ``eval`` or ``compile``. Numbers become Constants.
    Raises :class:`ExpressionError` naming the first piece not allowed, or when the
    text is over :data:`MAX_CHARS` characters or :data:`MAX_NODES` pieces.

    >>> x = Value(2.0, "x")
    >>> parse_expression("3 * x**2 - 1", {"x": x}).data
    11.0
    >>> parse_expression("__import__('os')", {"x": x})
    Traceback (most recent call last):
    ...
    chainrule.expr.ExpressionError: this call (only exp, log, ... may be called) is not allowed: ...
    """
    if not isinstance(source, str):
        raise TypeError(f"the expression must be a str, got {type(source).__name__}")
    if len(source) > MAX_CHARS:
        raise ExpressionError(
            f"the expression has {len(source)} characters, more than the limit of {MAX_CHARS}"
        )
    source = source.strip()  # a leading space would be an indentation error
    if not source:
        raise ExpressionError("the expression is empty; write e.g. 'sigmoid(w*x - b)'")
    if _pieces(source) > MAX_NODES:  # before Python's parser, which gives up on deep nesting
        raise ExpressionError(_TOO_MANY_PIECES)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as error:
        column = f" at column {error.offset}" if error.offset else ""
        hint = ""
        for product in _IMPLICIT_PRODUCT.finditer(source):  # 2x, but not 1e5 or 0x1f
            try:
                ast.parse(product[0], mode="eval")
            except SyntaxError:
                hint = f"; for a product write {product[1]}*{product[2]} rather than {product[0]}"
                break
        raise ExpressionError(
            f"not an expression{column}: {error.msg}{hint}; allowed: {allowed()}"
        ) from None
    except (RecursionError, MemoryError):  # Python's parser gives up on deep nesting
        raise ExpressionError(
            f"cannot parse the expression: it is nested too deeply for Python's parser "
            f"({len(source)} characters); an expression may have at most {MAX_NODES} pieces "
            "(numbers, names, operations): write it with fewer levels "
            "of unary minus, ** or parentheses"
        ) from None
    except ValueError as error:  # NUL bytes
        raise ExpressionError(f"cannot parse the expression: {error}") from None
    count = 0
    stack: list[ast.AST] = [tree.body]
    while stack:  # an explicit stack: deep nesting is no problem
        node = stack.pop()
        count += isinstance(node, ast.expr)
        if count > MAX_NODES:
            raise ExpressionError(_TOO_MANY_PIECES)
        _check(source, node, names)
        # a checked call's function name is not a variable: walk its argument only
        children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
        stack.extend(reversed(list(children)))
    return _build(tree.body, names)


def _apply(node: ast.expr, args: list[Value | float]) -> Value | float:
    """One checked piece, its operands already built: floats stay floats until they
    meet a Value (so ``x ** 2`` is a power with a constant exponent)."""
    if isinstance(node, ast.BinOp):
        a, b = args
        if not isinstance(a, Value) and not isinstance(b, Value):
            a = Constant(a)  # number op number: through the engine, so 1/0 is inf, not an error
        return _PYTHON[type(node.op)][1](a, b)  # type: ignore[no-any-return]
    if isinstance(node, ast.UnaryOp):
        (a,) = args
        return -a if isinstance(node.op, ast.USub) else a
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        ins = [a if isinstance(a, Value) else Constant(a) for a in args]
        return autograd.ops.apply(node.func.id, *ins)  # type: ignore[no-any-return]
    raise TypeError(f"unchecked piece {ast.dump(node)}")  # unreachable: _check refused it


def _number(value: object) -> float:
    if not isinstance(value, int | float):
        raise TypeError(f"unchecked constant {value!r}")  # unreachable: _check refused it
    try:
        return float(value)
    except OverflowError:  # an integer literal beyond the float range
        return math.inf


def _build(root: ast.expr, names: Mapping[str, Value]) -> Value:
    """Walk the checked tree with an explicit stack, children before parents."""
    results: list[Value | float] = []
    stack: list[tuple[ast.expr, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if isinstance(node, ast.Constant):
            results.append(_number(node.value))
        elif isinstance(node, ast.Name):
            results.append(names[node.id] if node.id in names else CONSTANTS[node.id])
        elif ready:
            if isinstance(node, ast.Call):
                arity = len(node.args)
            else:
                arity = 1 if isinstance(node, ast.UnaryOp) else 2
            args = results[-arity:]
            del results[-arity:]
            results.append(_apply(node, args))
        else:
            stack.append((node, True))
            if isinstance(node, ast.BinOp):
                children = [node.left, node.right]
            elif isinstance(node, ast.UnaryOp):
                children = [node.operand]
            else:
                children = list(node.args)  # type: ignore[attr-defined]
            stack.extend((child, False) for child in reversed(children))
    (result,) = results
    return result if isinstance(result, Value) else Constant(result)
