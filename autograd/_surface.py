"""The public surface of every op, written from its row: ``python -m autograd._surface``.

A row of :data:`autograd.RULES` says everything about its op (:class:`autograd.ops.Rule`).
From the rows this module writes, between "generated" marker lines:

- in ``autograd/functions.py``, each row's function (``exp(x)``, ``pow(x, y)``), its
  docstring the row's ``doc``, and ``__all__``'s names for them; in ``autograd/ops.py``,
  their import and names;
- in ``autograd/methods.py``, ``Value``'s operators (``+``, ``%``, ``abs(v)``: the
  rows' ``operator``) and its methods (``v.exp()``, ``v.atan2(x)``), in the class
  ``Methods`` that ``Value`` extends (what ``Value`` defines by hand is left out);
- in ``autograd/_operators.py``, the operators of the symbolic carriers (``Formula``,
  and the symbols a program's rows run on);
- in ``autograd/__init__.py``, the import of the public functions and their names in
  ``__all__``.

Which row gets what, the rules written once here:

- **a function** in :mod:`autograd.ops`: every row with fixed inputs, but those that
  a Python operator computes exactly on floats (``+``, ``*``: ``Notation.python``)
  and those another row hands over to (``powv``, pow's ``varying``);
- **a name in** ``autograd``: those functions, but a ``helper``'s;
- **a method** of ``Value``: each row written as a call (``Notation.kind``), but a
  ``helper``; the parser of :mod:`chainrule.expr` offers the same rows as functions;
- **operators** of ``Value`` and the symbolic carriers: each row's ``operator``, reflected too
  (``2 % x``); where the row has a ``varying`` row, a Value (or symbol) in its second
  place takes that row (``x ** y``, ``2 ** x``).

A function or method written by hand outside the generated lines is left as it is
(``log(x, base)`` and ``clamp(x, lo, hi)``, whose extra arguments a row does not
describe): the generator writes only the others.

Why written, not made at import: ``mypy --strict`` must see ``Value.exp`` and
``autograd.exp`` with real signatures, and mypyc compiles the engine's modules,
whose native classes take no methods added at run time. So the code is generated
and checked in, and ``tests/autograd/test_surface.py`` fails when a block is out of date
(run ``python -m autograd._surface`` to rewrite them). The expression parser and the
tests' strategies read the registry when they run instead: they need no types. A row
of your own (:func:`autograd.register`) has its function, which ``register`` returns,
forward and reverse mode, the formulas, ``compile``, the drawings and the parser; it has
no ``Value`` method (``Value`` is the package's, and compiled).

``python -m autograd._surface --check`` says which files are out of date (status 1),
``--table`` prints the Markdown table of the public ops (which it also writes into
docs/custom-ops.md, in a checkout).

>>> [name for name in functions() if RULES[name].helper][:3]
['step', 'mul0', 'powlog']
>>> "exp" in methods() and "step" not in methods() and "pow" not in methods()
True
"""

from __future__ import annotations

import argparse
import ast
import inspect
import re
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

from .ops import RULES, Rule

__all__ = ["FILES", "exports", "functions", "main", "methods", "operators", "render", "table"]

PACKAGE = Path(__file__).resolve().parent
COMMAND = "python -m autograd._surface"

# Python's names for its operators: the dunder (``__mod__``, ``__rmod__``) of each symbol
DUNDERS = {"+": "add", "*": "mul", "/": "truediv", "**": "pow", "%": "mod", "//": "floordiv"}
UNARY_DUNDERS = {"abs": "abs"}

_BEGIN = re.compile(r"^(?P<indent>[ ]*)# --- begin generated: (?P<block>\w+) .*---\n", re.M)


def _q(name: str) -> str:
    """``name`` as a string literal, in double quotes as ruff formats it."""
    return f'"{name}"'


def _end(indent: str, block: str) -> str:
    return f"{indent}# --- end generated: {block} ---\n"


# --- which row gets what ------------------------------------------------------------


def functions() -> list[str]:
    """The rows with a function in :mod:`autograd.ops`, in the registry's order."""
    handed = {r.varying for r in RULES.values()}
    return [
        name
        for name, r in RULES.items()
        if r.arity and not r.notation.python and name not in handed
    ]


def exports() -> list[str]:
    """The functions that ``autograd`` exports: those of the rows that are not helpers."""
    return [name for name in functions() if not RULES[name].helper]


def methods() -> list[str]:
    """The rows with a ``Value`` method: written as a call, not helpers."""
    return [
        name for name, r in RULES.items() if r.arity and r.notation.kind == "call" and not r.helper
    ]


def operators() -> list[str]:
    """The rows that a Python operator applies."""
    return [name for name, r in RULES.items() if r.operator]


# --- the code ------------------------------------------------------------------------


def _docstring(text: str, indent: str) -> str:
    lines = inspect.cleandoc(text).splitlines()
    prefix = 'r"""' if "\\" in text else '"""'
    body = "\n".join(f"{indent}{line}" if line else "" for line in lines[1:])
    if not body:
        return f'{indent}{prefix}{lines[0]}"""\n'
    return f'{indent}{prefix}{lines[0]}\n{body}\n{indent}"""\n'


def _summary(rule: Rule) -> str:
    first = inspect.cleandoc(rule.doc).split("\n\n")[0].replace("\n", " ").rstrip(".")
    return first or f"The {rule.name} op"


def _function(rule: Rule) -> str:
    params = rule.inputs
    signature = ", ".join(f"{p}: Any" for p in params)
    args = ", ".join(params)
    name = _q(rule.name)
    if rule.varying:
        name = f"{_q(rule.varying)} if _varies({params[1]}) else {name}"
    doc = rule.doc or f"The {rule.name} op on floats or Values (a row of autograd.RULES)."
    return (
        f"def {rule.name}({signature}) -> Any:\n"
        f"{_docstring(doc, '    ')}"
        f"    return apply({name}, {args})\n"
    )


def _ops_functions(defined: set[str]) -> str:
    return "\n\n".join(_function(RULES[n]) for n in functions() if n not in defined)


def _natural(name: str) -> list[object]:
    """A sort key that puts log2 before log10, as ruff sorts ``__all__``."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _names(names: list[str], indent: str, target: str) -> str:
    listed = "".join(f'{indent}    "{n}",\n' for n in sorted(names, key=_natural))
    return f"{indent}{target} += [\n{listed}{indent}]\n"


def _operator_rows(cls: str) -> list[tuple[str, str, str, str, str]]:
    """Each operator's (symbol, dunder, row, reflected dunder, reflected row) for class
    ``cls``, the rows as string literals; a unary operator has no reflected pair (""). A
    row with a ``varying`` twin takes the twin when the other operand is a ``cls``."""
    found = []
    for name in operators():
        rule = RULES[name]
        symbol = rule.operator or ""
        if symbol in UNARY_DUNDERS:
            found.append((symbol, f"__{UNARY_DUNDERS[symbol]}__", _q(name), "", ""))
            continue
        d = DUNDERS[symbol]
        picked = f"{_q(rule.varying)} if isinstance(other, {cls}) else {_q(name)}"
        forward = picked if rule.varying else _q(name)
        found.append((symbol, f"__{d}__", forward, f"__r{d}__", _q(rule.varying or name)))
    return found


Writer = Callable[[set[str]], str]


def _operator_writer(cls: str, unary: str, binary: str, reflected: str) -> Writer:
    """The writer of the operators of class ``cls`` (those it does not define by hand),
    from the templates of a unary, a binary and a reflected one: each names the fields
    ``symbol``, ``dunder``, ``rdunder``, ``forward`` and ``reflected`` (the rows, quoted)."""

    def write(defined: set[str]) -> str:
        parts = []
        for symbol, dunder, forward, rdunder, row in _operator_rows(cls):
            fields = {"symbol": symbol, "dunder": dunder, "forward": forward}
            fields |= {"rdunder": rdunder, "reflected": row}
            if dunder not in defined:
                parts.append((binary if rdunder else unary).format(**fields))
            if rdunder and rdunder not in defined:
                parts.append(reflected.format(**fields))
        return "\n".join(parts)

    return write


_value_operators = _operator_writer(
    "Methods",
    "    def {dunder}(self) -> Value:  # {symbol}(self)\n        return self._unary({forward})\n",
    "    def {dunder}(self, other: Value | Real) -> Value:\n"
    "        return self._binary({forward}, other)\n",
    "    def {rdunder}(self, other: Real) -> Value:  # other {symbol} self\n"
    "        return self._rbinary({reflected}, other)\n",
)
_symbol_operators = _operator_writer(
    "Operators",
    "    def {dunder}(self) -> Any:\n        return self._op({forward}, self)\n",
    "    def {dunder}(self, other: Any) -> Any:\n        return self._op({forward}, self, other)\n",
    "    def {rdunder}(self, other: Any) -> Any:\n"
    "        return self._op({reflected}, other, self)\n",
)


def _value_methods(defined: set[str]) -> str:
    parts = []
    for name in methods():
        if name in defined:
            continue
        rule = RULES[name]
        others = rule.inputs[1:]
        signature = "".join(f", {p}: Value | Real" for p in others)
        call = f"autograd.{name}({', '.join(('self', *others))})"
        doc = textwrap.fill(
            f'"""``{call}``: {_summary(rule)}."""',
            width=100,
            initial_indent=" " * 8,
            subsequent_indent=" " * 8,
            break_on_hyphens=False,
        )
        doc += "\n"
        if rule.arity == 1:
            body = f"        return self._unary({_q(name)})\n"
        elif rule.arity == 2:
            body = f"        return self._binary({_q(name)}, {others[0]})\n"
        else:
            args = ", ".join(others)
            body = f"        return self._nary({_q(name)}, (self, {args}))\n"
        parts.append(f"    def {name}(self{signature}) -> Value:\n{doc}{body}")
    return "\n".join(parts)


def _imports(module: str, names: list[str]) -> str:
    listed = "".join(f"    {n},\n" for n in sorted(names, key=_natural))
    return f"from {module} import (  # isort: skip\n{listed})\n"


# Each file's blocks: block name -> (where hand-written definitions are looked up, writer).
# The scope is "" for the module's top level, or the name of a class.
FILES: dict[str, dict[str, tuple[str, Writer]]] = {
    "functions.py": {
        "functions": ("", _ops_functions),
        "names": ("", lambda defined: _names(functions(), "", "__all__")),
    },
    "ops.py": {"imports": ("", lambda defined: _imports(".functions", _used("ops.py")))},
    "methods.py": {
        "operators": ("value.py:Value", _value_operators),
        "methods": ("value.py:Value", _value_methods),
    },
    "_operators.py": {"operators": ("Operators", _symbol_operators)},
    "__init__.py": {
        "imports": ("", lambda defined: _imports(".functions", exports())),
        "names": ("", lambda defined: _names(exports(), "", "__all__")),
    },
}


def _used(file: str) -> list[str]:
    """The rows' functions that ``file`` of the package names outside its generated
    blocks: what its rows' partials are written with."""
    text = _without_blocks((PACKAGE / file).read_text(encoding="utf-8"))
    named = {n.id for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Name)}
    return [name for name in functions() if name in named]


def _defined(text: str, scope: str) -> set[str]:
    """The functions (or methods of the class ``scope``) that ``text`` defines by hand;
    a scope ``file.py:Class`` reads that class in that file of the package instead."""
    if ":" in scope:
        file, scope = scope.split(":")
        text = _without_blocks((PACKAGE / file).read_text(encoding="utf-8"))
    tree = ast.parse(text)
    body: list[ast.stmt] = tree.body
    if scope:
        body = next(n.body for n in tree.body if isinstance(n, ast.ClassDef) and n.name == scope)
    return {n.name for n in body if isinstance(n, ast.FunctionDef)}


def _without_blocks(text: str) -> str:
    """``text`` with every generated block emptied: what was written by hand."""
    out, at = [], 0
    for begin in _BEGIN.finditer(text):
        end = text.index(_end(begin["indent"], begin["block"]), begin.end())
        out.append(text[at : begin.end()])
        at = end
    out.append(text[at:])
    return "".join(out)


def render(file: str, text: str) -> str:
    """``text``, the source of ``autograd/<file>``, with its generated blocks written anew.

    >>> source = (PACKAGE / "_operators.py").read_text(encoding="utf-8")
    >>> render("_operators.py", source) == source  # up to date (test_surface.py checks all)
    True
    """
    blocks = FILES[file]
    hand = _without_blocks(text)
    out, at = [], 0
    seen = set()
    for begin in _BEGIN.finditer(text):
        name, indent = begin["block"], begin["indent"]
        if name not in blocks:
            raise ValueError(f"autograd/{file} has a generated block {_q(name)} this module lacks")
        scope, writer = blocks[name]
        end = text.index(_end(indent, name), begin.end())
        code = writer(_defined(hand, scope))
        if code:  # ruff's blank lines before the end marker: one in a class, two at the top
            code += "\n" if indent else "\n\n"
        out.append(text[at : begin.end()] + code)
        at = end
        seen.add(name)
    if seen != set(blocks):
        raise ValueError(f"autograd/{file} lacks the generated blocks {sorted(set(blocks) - seen)}")
    out.append(text[at:])
    return "".join(out)


def table() -> str:
    """The public ops as a Markdown table: name, inputs, how it is written, what it is.

    >>> print(table().splitlines()[6])
    | `exp` | x | `x.exp()`, `autograd.exp(x)` | e ** x; overflow gives inf |
    """
    lines = ["| op | inputs | written | what it is |", "|---|---|---|---|"]
    for name, rule in RULES.items():
        if rule.helper or name not in (*exports(), *operators()):
            continue
        args = ", ".join(rule.inputs)
        forms = []
        if rule.operator in DUNDERS:
            forms.append(f"`x {rule.operator} y`")
        elif rule.operator:
            forms.append(f"`{rule.operator}(x)`")
        if name in methods():
            forms.append(f"`{rule.inputs[0]}.{name}({', '.join(rule.inputs[1:])})`")
        if name in exports():
            forms.append(f"`autograd.{name}({args})`")
        what = _summary(rule).replace("``", "`").replace("|", "\\|")
        lines.append(f"| `{name}` | {args} | {', '.join(forms)} | {what} |")
    return "\n".join(lines) + "\n"


DOCS_TABLE = PACKAGE.parent / "docs" / "custom-ops.md"
"""The documentation page whose ops table :func:`table` writes, in a checkout (the wheel
ships no docs): between ``<!-- ops table ... -->`` and ``<!-- end of ops table -->``."""


def _docs_table(write: bool) -> list[str]:
    """The docs page's name if its ops table is out of date (rewritten when ``write``)."""
    if not DOCS_TABLE.is_file():
        return []
    page = DOCS_TABLE.read_text(encoding="utf-8")
    start = page.index("\n", page.index("<!-- ops table")) + 1
    end = page.index("<!-- end of ops table -->")
    new = page[:start] + table() + page[end:]
    if new == page:
        return []
    if write:
        DOCS_TABLE.write_text(new, encoding="utf-8")
    return ["docs/custom-ops.md"]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated blocks (``--check``: only say which are out of date)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; status 1 if stale")
    parser.add_argument("--table", action="store_true", help="print the table of public ops")
    args = parser.parse_args(argv)
    if args.table:
        print(table(), end="")
        return 0
    stale = []
    for file in FILES:
        path = PACKAGE / file
        text = path.read_text(encoding="utf-8")
        new = render(file, text)
        if new != text:
            stale.append(f"autograd/{file}")
            if not args.check:
                path.write_text(new, encoding="utf-8")
    stale += _docs_table(write=not args.check)
    verb = "out of date" if args.check else "rewritten"
    print(f"{verb}: {', '.join(stale)}" if stale else "the generated code is up to date")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
