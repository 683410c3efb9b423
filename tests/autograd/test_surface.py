"""Each op's public surface comes from its row (autograd/_surface.py), and only from it.

The generated blocks must be what the generator writes from today's rows; every public
row must reach Value, autograd, Formula and the expression parser; a helper row none of
them; and a row of the user's own keeps working where it did."""

from __future__ import annotations

import ast
import inspect
import math
import operator
import re
from pathlib import Path

import pytest

import autograd
from autograd import RULES, Constant, Formula, Notation, Rule, Value, grad, register
from autograd import _surface as surface
from autograd.formula import to_python
from chainrule.cli import main
from chainrule.expr import FUNCTIONS, ExpressionError, allowed, parse_expression

PACKAGE = Path(autograd.__file__).resolve().parent
HELPERS = sorted(name for name, rule in RULES.items() if rule.helper)
PUBLIC_CALLS = surface.methods()
APPLY = {
    "+": operator.add,
    "*": operator.mul,
    "/": operator.truediv,
    "**": operator.pow,
    "%": operator.mod,
    "//": operator.floordiv,
}


@pytest.mark.parametrize("file", sorted(surface.FILES))
def test_the_generated_code_is_what_the_rows_say(file: str) -> None:
    text = (PACKAGE / file).read_text(encoding="utf-8")
    assert surface.render(file, text) == text, (
        f"autograd/{file} is out of date with autograd.RULES: run python -m autograd._surface"
    )


def test_a_stale_block_is_found_and_rewritten() -> None:
    text = (PACKAGE / "functions.py").read_text(encoding="utf-8")
    stale = text.replace('    return apply("sinh", x)\n', '    return apply("cosh", x)\n')
    assert stale != text
    assert surface.render("functions.py", stale) == text
    gone = re.sub(r"def tan\(x: Any\).*?return apply\(\"tan\", x\)\n\n\n", "", text, flags=re.S)
    assert "def tan(" not in gone
    assert surface.render("functions.py", gone) == text


def test_a_file_without_its_blocks_is_an_error() -> None:
    with pytest.raises(ValueError, match="lacks the generated blocks"):
        surface.render("_operators.py", "class Operators:\n    pass\n")


def test_the_helpers_are_the_rows_other_rows_partials_use() -> None:
    assert HELPERS == ["above", "between", "div0", "inv_hypot2", "mul0", "powlog", "step"]


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_public_row_reaches_value_autograd_and_the_parser(name: str) -> None:
    rule = RULES[name]
    public = name in surface.exports()
    assert (name in autograd.__all__) == public or name == "wsum"  # engine.wsum, by hand
    assert (getattr(autograd, name, None) is getattr(autograd.functions, name, None)) or not public
    if rule.helper:
        assert not hasattr(Value, name)
        assert name not in FUNCTIONS
        assert name not in autograd.__all__
        assert callable(getattr(autograd.functions, name))  # the partials call it
        return
    written_as_call = rule.notation.kind == "call" and rule.arity > 0
    assert hasattr(Value, name) == written_as_call
    assert (name in FUNCTIONS) == written_as_call


@pytest.mark.parametrize("name", PUBLIC_CALLS)
def test_each_method_applies_its_row(name: str) -> None:
    rule = RULES[name]
    args = [1.3, 0.7, 0.45][: rule.arity]
    if name == "clamp":
        args = [1.3, -1.0, 1.0]
    x = Value(args[0], "x")
    out = getattr(x, name)(*args[1:])
    assert out.op == name
    assert out.inputs[0] is x
    expected = rule.forward(*args)
    assert out.data == expected or (math.isnan(out.data) and math.isnan(expected))
    function = getattr(autograd, name)(*args)
    assert function == expected or (math.isnan(function) and math.isnan(expected))


@pytest.mark.parametrize("name", surface.operators())
def test_each_operator_applies_its_row_to_values_and_formulas(name: str) -> None:
    rule = RULES[name]
    x, y = Value(1.5, "x"), Value(0.5, "y")
    if rule.operator == "abs":
        assert abs(x).op == name
        assert to_python(abs(Formula("x"))) == f"{name}(x)"
        return
    apply = APPLY[rule.operator]
    forward, number, reflected = apply(x, y), apply(x, 2.0), apply(2.0, x)
    expected = rule.varying or name  # a Value in the second place: the varying row
    assert (forward.op, number.op, reflected.op) == (expected, name, expected)
    assert type(number.inputs[1]) is Constant
    assert type(reflected.inputs[0]) is Constant
    assert number.data == rule.forward(1.5, 2.0)
    assert reflected.data == rule.forward(2.0, 1.5)
    f = apply(Formula("a"), Formula("b"))
    assert f.rule is RULES[expected]
    assert apply(2.0, Formula("b")).rule is RULES[expected]
    assert apply(Formula("a"), 3.0).rule is RULES[name]


def test_the_hand_written_functions_and_methods_are_kept() -> None:
    assert autograd.log(8.0, 2) == 3.0
    assert Value(8.0).log(2).data == 3.0
    assert autograd.clamp(5.0, hi=1) == 1.0
    assert Value(-5.0).clamp(lo=0).data == 0.0
    source = (PACKAGE / "functions.py").read_text(encoding="utf-8")
    assert source.count("\ndef log(") == 1  # not generated a second time


def test_generated_functions_have_the_rows_doc_and_names() -> None:
    # read from the source: the native build's functions carry no docstrings or code objects
    tree = ast.parse((PACKAGE / "functions.py").read_text(encoding="utf-8"))
    defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for name in surface.functions():
        rule, function = RULES[name], defined[name]
        if name in ("log", "clamp"):  # by hand: more arguments than the row's inputs
            continue
        assert ast.get_docstring(function) == inspect.cleandoc(rule.doc), name
        assert [a.arg for a in function.args.args] == list(rule.inputs), name


def test_the_parser_and_grads_error_offer_no_helper(capsys: pytest.CaptureFixture[str]) -> None:
    offered = allowed()
    for name in HELPERS:
        assert not re.search(rf"\b{name}\b", offered), name
    for name in PUBLIC_CALLS:
        assert re.search(rf"\b{name}\b", offered), name
    status = main(["grad", "step(x) + mul0(x, x)", "x=1"])
    err = capsys.readouterr().err
    assert status == 2
    assert "only exp, log" in err
    for name in HELPERS:
        assert not re.search(rf"\b{name}\b(?!\()", err.split("is not allowed")[0]), (name, err)
    with pytest.raises(ExpressionError, match="is not allowed"):
        parse_expression("powlog(x, x)", {"x": Value(1.0)})


@pytest.mark.parametrize(
    ("text", "expected", "derivative"),
    [
        ("x % 2", 5.5 % 2, 1.0),  # torch.remainder's derivative in x: 1
        ("7 % x", 7 % 5.5, -1.0),  # -floor(7 / 5.5)
        ("x // 2", 2.0, 0.0),
        ("-x // 2", -3.0, 0.0),
    ],
)
def test_the_parser_takes_every_operator_of_the_registry(
    text: str, expected: float, derivative: float
) -> None:
    x = Value(5.5, "x")
    f = parse_expression(text, {"x": x})
    assert f.data == expected
    assert grad(f, [x])[0].data == derivative


def test_a_row_of_ones_own_keeps_working_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    cube = register(
        Rule(
            "cube",
            1,
            forward=lambda x: x * x * x,
            derivative=lambda out, x: (3.0 * x * x,),
            notation=Notation.call("cube"),
            doc="x³.",
        )
    )
    hidden = register(
        Rule(
            "cube_slope",
            1,
            forward=lambda x: 3.0 * x * x,
            derivative=lambda out, x: (6.0 * x,),
            notation=Notation.call("cube_slope"),
            helper=True,
        )
    )
    try:
        assert cube.__doc__ == "x³."
        x = Value(2.0, "x")
        assert grad(cube(x), [x])[0].data == 12.0
        assert "cube" in FUNCTIONS
        assert "cube_slope" not in FUNCTIONS
        assert "cube_slope" not in allowed()
        assert parse_expression("cube(x) + 1", {"x": x}).data == 9.0
        assert hidden(x).data == 12.0
        assert main(["grad", "cube(x)", "x=2"]) == 0
        assert "df/dx = 12.0" in capsys.readouterr().out
    finally:
        del RULES["cube"], RULES["cube_slope"]


def test_the_table_lists_every_public_op_once() -> None:
    lines = surface.table().splitlines()[2:]
    names = [line.split("`")[1] for line in lines]
    assert names == [n for n in RULES if n in (*surface.exports(), *surface.operators())]
    assert not set(names) & set(HELPERS)
    assert "| `atan2` | y, x | `y.atan2(x)`, `autograd.atan2(y, x)` |" in surface.table()


def test_the_docs_table_of_ops_is_the_registrys() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "custom-ops.md").read_text(
        encoding="utf-8"
    )
    start = "<!-- ops table: python -m autograd._surface --table -->\n"
    block = page[page.index(start) + len(start) : page.index("<!-- end of ops table -->")]
    assert block.strip() == surface.table().strip()
    assert "| `exp2` |" in block
    assert "| `mul0` |" not in block  # public rows only
