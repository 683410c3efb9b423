"""Every consumer of the op registry covers every row: none keeps a list of its own."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import RULES, Constant, Rule, Value, compile, formulas
from autograd.formula import Formula, to_html, to_latex, to_python, to_text
from chainrule.expr import FUNCTIONS, parse_expression
from viz import draw

np = pytest.importorskip("numpy")

# A point inside every row's domain (asin and acos need |x| < 1, log x > 0, ...), and
# the rows whose domain it is not in
POINT = (0.3, 0.7, 0.45)
INSIDE = {"acosh": (1.3,)}


def arguments(rule: Rule) -> tuple[float, ...]:
    """Arguments for one node of ``rule``: an n-ary row gets two weights, two inputs, a bias."""
    if rule.arity == 0:
        return (0.3, 0.7, 0.45, 0.2, 0.1)
    return INSIDE.get(rule.name, POINT[: rule.arity])


def node(rule: Rule, xs: list[Value]) -> Value:
    return autograd.ops.apply(rule.name, *xs)  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_row_reaches_backward_grad_and_compile(name: str) -> None:
    rule = RULES[name]
    args = arguments(rule)
    labels = [f"a{i}" for i in range(len(args))]
    xs = [Value(a, label) for a, label in zip(args, labels, strict=True)]
    out = node(rule, xs)
    assert out.op == name
    assert out.data == rule.forward(*args)
    out.backward()
    firsts = [x.grad for x in xs]
    assert firsts == [g.data for g in autograd.grad(node(rule, xs), xs)]
    autograd.grad(autograd.grad(node(rule, xs), xs, create_graph=True)[0], xs)  # second order
    compiled = compile(lambda *vs: node(rule, list(vs)), labels=labels)
    value, grads = compiled(*args)
    assert value == out.data
    assert list(grads) == firsts
    values, batched = compiled.batch(*[np.array([a, a]) for a in args])
    assert np.allclose(values, out.data, rtol=1e-12)
    for g, first in zip(batched, firsts, strict=True):
        assert np.allclose(g, first, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("name", sorted(name for name, rule in RULES.items() if rule.array))
def test_every_rows_array_forward_keeps_to_the_array_api_standard(name: str) -> None:
    # array-api-strict refuses what NumPy forgives (two Python scalars in where(), ...)
    xps = pytest.importorskip("array_api_strict")
    rule = RULES[name]
    assert rule.array is not None
    columns = [[a, -a, 0.0, math.inf, math.nan] for a in arguments(rule)]
    with np.errstate(all="ignore"):  # nan and inf on purpose
        got = rule.array(xps, *[xps.asarray(c) for c in columns])
    expected = [rule.forward(*sample) for sample in zip(*columns, strict=True)]
    assert [float(got[k]) for k in range(len(expected))] == pytest.approx(expected, nan_ok=True)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_row_prints_in_every_target_and_in_the_drawings(name: str) -> None:
    rule = RULES[name]
    names = tuple(f"a{i}" for i in range(len(arguments(rule))))
    assert len(formulas(name, names)) == len(names)
    term = node(rule, [Formula(n) for n in names])  # type: ignore[misc]
    for printer in (to_python, to_text, to_html, to_latex):
        text = printer(term)
        assert all(n in text for n in names), (printer.__name__, text)
    xs = [Value(a, n) for a, n in zip(arguments(rule), names, strict=True)]
    source = draw(node(rule, xs)).source
    if rule.expand is None:  # an expanded row is drawn as the ops it expands to
        symbol = rule.notation.html or rule.notation.symbol
        assert symbol.replace("<", "&lt;") in source or symbol in source


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_public_call_style_row_is_a_function_of_the_expression_parser(name: str) -> None:
    rule = RULES[name]
    if rule.notation.kind != "call" or not rule.arity or rule.helper:
        assert name not in FUNCTIONS  # operators and n-ary rows are written otherwise,
        return  # and a helper row is part of other rows' partials, not a function to call
    assert name in FUNCTIONS
    args = arguments(rule)
    leaves = {f"a{i}": Value(a, f"a{i}") for i, a in enumerate(args)}
    f = parse_expression(f"{name}({', '.join(leaves)})", leaves)
    assert f.op == name
    assert f.data == rule.forward(*args)


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_row_written_as_a_call_has_a_module_function(name: str) -> None:
    rule = RULES[name]
    args = arguments(rule)
    if rule.arity == 0:  # wsum's function is autograd.wsum(weights, inputs, bias)
        assert autograd.wsum([0.3, 0.7], [0.45, 0.2], 0.1).data == rule.forward(*args)
        return
    if rule.notation.kind == "infix":  # + * / **: the operators (the first test uses them)
        return
    got = getattr(autograd.functions, name)(*args)
    expected = rule.forward(*args)
    assert got == expected or (math.isnan(got) and math.isnan(expected))


def test_a_constant_input_is_not_differentiated() -> None:
    x = Value(0.5, "x")
    y = x * Constant(3.0)
    y.backward()
    assert (x.grad, y.inputs[1].grad) == (3.0, 0.0)
