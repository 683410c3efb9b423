"""The property suite can fail: each plausible wrong rule below is caught by the properties named.

Each mutant swaps one thing in the engine for a plausible wrong version (a row
of the derivative table, a composition, a step of the walk) for one test; the
test then runs the hypothesis property functions, as written, and expects each
to fail. The last test checks that every property is named by at least one
mutant: a property no mutant can break would be a test that cannot fail.

The property modules are loaded a second time here, under the current profile
minus its shrink phase: under a mutant only *that* a property fails matters,
and shrinking a 50-deep graph to a minimal one can take minutes.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import struct
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import Phase, settings

import autograd
import autograd.engine as engine
import nn.backprop as nn_backprop
from autograd import RULES, Value, topological_order
from autograd import div as engine_div
from autograd import pow as _pow
from nn import SGD

Property = Callable[[], None]


def _load_without_shrinking(name: str) -> ModuleType:
    """A fresh copy of the test module at tests/``name``.py, its properties decorated under the
    current hypothesis profile with the shrink phase (and the database) off."""
    current = settings.get_current_profile_name()
    settings.register_profile(
        "mutants",
        settings(settings.default, phases=[Phase.explicit, Phase.generate], database=None),
    )
    path = Path(__file__).parent / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"{path.stem}_unshrunk", path)
    if spec is None or spec.loader is None:
        raise FileNotFoundError(f"no test module tests/{name}.py to load")
    module = importlib.util.module_from_spec(spec)
    settings.load_profile("mutants")
    try:
        spec.loader.exec_module(module)
    finally:
        settings.load_profile(current)
    return module


identities = _load_without_shrinking("autograd/test_properties")
graph_properties = _load_without_shrinking("autograd/test_properties_graphs")
network_properties = _load_without_shrinking("nn/test_properties_nn")
PROPERTY_MODULES = (identities, graph_properties, network_properties)

# --- how a mutant is put in place ---------------------------------------------------------

# A mutant swaps a row of the registry, which both builds (pure and native) read.
# Mutants that patch a method or a function of the engine itself run on the pure
# build only: compiled code cannot be patched.
NATIVE = getattr(autograd, "BUILD", "pure") == "native"


def swap_rule(monkeypatch: pytest.MonkeyPatch, name: str, **fields: Any) -> None:
    """Give RULES[name] wrong fields (a derivative, a forward) until the test ends."""
    monkeypatch.setitem(RULES, name, dataclasses.replace(RULES[name], **fields))


def _data(x: Any) -> Any:
    """A Value's number, anything else as it is: detaches a row from the graph."""
    return x.data if isinstance(x, Value) else x


def _overwrite_leaf_grads(monkeypatch: pytest.MonkeyPatch) -> None:
    backward = Value.backward

    def overwriting(self: Value) -> None:  # leaves forget what earlier calls gave them
        for node in topological_order(self):
            if not node.inputs:
                node.grad = 0.0
        backward(self)

    monkeypatch.setattr(Value, "backward", overwriting)


def _backward_rounds_to_single_precision(monkeypatch: pytest.MonkeyPatch) -> None:
    backward = Value.backward

    def rounding(self: Value) -> None:  # as if each gradient were stored in a float32
        backward(self)
        for node in topological_order(self):
            node.grad = struct.unpack("f", struct.pack("f", node.grad))[0]

    monkeypatch.setattr(Value, "backward", rounding)


def _grad_walks_forwards(monkeypatch: pytest.MonkeyPatch) -> None:
    backprop = engine._backprop
    monkeypatch.setattr(
        engine,
        "_backprop",
        lambda root, order, create_graph: backprop(root, order[::-1], create_graph),
    )


def _exp_without_overflow_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    swap_rule(monkeypatch, "exp", forward=math.exp)


# --- the mutants and the properties that must catch them ------------------------------------


@dataclasses.dataclass(frozen=True)
class Mutant:
    """A wrong engine for one test, and the properties that must fail under it."""

    name: str
    apply: Callable[[pytest.MonkeyPatch], None]
    caught_by: tuple[Property, ...]
    patches_the_engine: bool = False  # not a row: the pure build only


def row(
    name: str, derivative: Callable[..., tuple[Any, ...]]
) -> Callable[[pytest.MonkeyPatch], None]:
    return lambda monkeypatch: swap_rule(monkeypatch, name, derivative=derivative)


def patch(target: Any, attribute: str, value: Any) -> Callable[[pytest.MonkeyPatch], None]:
    return lambda monkeypatch: monkeypatch.setattr(target, attribute, value)


ID, GR, NN = identities, graph_properties, network_properties
FINITE_DIFFERENCES = GR.test_backward_matches_finite_differences

MUTANTS = [
    Mutant(
        "tanh' = 1 - tanh",
        row("tanh", lambda out, x: (1.0 - out,)),
        (
            ID.test_tanh_derivative_is_one_minus_tanh_squared,
            ID.test_tanh_is_a_stretched_sigmoid,
            ID.test_tanh_second_derivative,
            ID.test_chain_rule,
            FINITE_DIFFERENCES,
        ),
    ),
    Mutant(
        "σ' = σ",
        row("sigmoid", lambda out, x: (out,)),
        (
            ID.test_sigmoid_derivative_is_sigma_times_one_minus_sigma,
            ID.test_sigmoid_is_symmetric_and_its_derivative_even,
            ID.test_product_rule,
            ID.test_quotient_rule,
            FINITE_DIFFERENCES,
            NN.test_autograd_equals_the_delta_rule,
        ),
    ),
    Mutant(
        "log' = x",
        row("log", lambda out, x: (x,)),
        (ID.test_log_derivative_is_one_over_x, FINITE_DIFFERENCES),
    ),
    Mutant(
        "power rule drops the factor c",
        row("pow", lambda out, x, c: (_pow(x, c - 1.0), 0.0)),
        (
            ID.test_power_rule_for_integer_exponents,
            ID.test_power_rule_for_real_exponents,
            FINITE_DIFFERENCES,
        ),
    ),
    Mutant(
        "x**0 has derivative 0·x**-1 (nan at 0)",
        row("pow", lambda out, x, c: (c * _pow(x, c - 1.0), 0.0)),
        (ID.test_zeroth_power_is_flat_everywhere,),
    ),
    Mutant(
        "power rule with a variable exponent drops log(x)",
        row("powv", lambda out, x, y: (y * _pow(x, y - 1.0), out)),
        (ID.test_power_with_a_variable_exponent, FINITE_DIFFERENCES),
    ),
    Mutant(
        "sign error in subtraction: -x is x·(+1)",
        patch(Value, "__neg__", lambda self: self * 1.0),
        (
            ID.test_sigmoid_is_symmetric_and_its_derivative_even,
            GR.test_grad_with_create_graph_gives_the_same_numbers,
            FINITE_DIFFERENCES,
        ),
        patches_the_engine=True,
    ),
    Mutant(
        "sign error in subtraction: a - b is a + b",
        patch(Value, "__sub__", lambda self, other: self + other),
        (ID.test_tanh_is_a_stretched_sigmoid, FINITE_DIFFERENCES),
        patches_the_engine=True,
    ),
    Mutant(
        "div's partials swapped",
        row("div", lambda out, x, y: (-engine_div(out, y), engine_div(1.0, y))),
        (ID.test_quotient_rule_on_two_variables, ID.test_quotient_rule, FINITE_DIFFERENCES),
    ),
    Mutant(
        "exp' = 1",
        row("exp", lambda out, x: (1.0,)),
        (ID.test_exp_is_its_own_derivative, ID.test_chain_rule, FINITE_DIFFERENCES),
    ),
    Mutant(
        "exp overflows instead of giving inf",
        _exp_without_overflow_guard,
        (ID.test_exp_is_its_own_derivative, GR.test_no_op_raises_on_any_float),
    ),
    Mutant(
        "log' = 1 / x, which raises at 0",
        row("log", lambda out, x: (1.0 / x,)),
        (GR.test_no_op_raises_on_any_float,),
    ),
    Mutant(
        "mul's partials swapped",
        row("mul", lambda out, x, y: (x, y)),
        (ID.test_product_rule_on_two_variables, FINITE_DIFFERENCES),
    ),
    Mutant(
        "mul's partials halved",
        row("mul", lambda out, x, y: (0.5 * y, 0.5 * x)),
        (
            ID.test_product_rule_on_two_variables,
            ID.test_derivative_is_linear,
            FINITE_DIFFERENCES,
        ),
    ),
    Mutant(
        "add's second partial dropped",
        row("add", lambda out, x, y: (1.0, 0.0)),
        (ID.test_derivative_is_linear, ID.test_product_rule, FINITE_DIFFERENCES),
    ),
    Mutant(
        "relu' = 1 everywhere",
        row("relu", lambda out, x: (1.0,)),
        (ID.test_relu_is_max_with_zero_and_its_derivative_a_step, FINITE_DIFFERENCES),
    ),
    Mutant(
        "wsum: ∂S/∂b = +1 (the bias added, not subtracted)",
        row("wsum", lambda out, *wxb: (*wxb[len(wxb) // 2 : -1], *wxb[: len(wxb) // 2], 1.0)),
        (
            ID.test_wsum_partials_are_the_other_factor_and_minus_one,
            FINITE_DIFFERENCES,
            NN.test_autograd_equals_the_delta_rule,
            NN.test_sgd_steps_are_the_notes_update_rules,
        ),
    ),
    Mutant(
        "σ' computed on numbers, detached from the graph",
        row("sigmoid", lambda out, x: (_data(out) * (1.0 - _data(out)),)),
        (ID.test_sigmoid_second_derivative,),
    ),
    Mutant(
        "tanh' computed on numbers, detached from the graph",
        row("tanh", lambda out, x: (1.0 - _data(out) * _data(out),)),
        (ID.test_tanh_second_derivative,),
    ),
    Mutant(
        "backward overwrites leaf gradients instead of adding",
        _overwrite_leaf_grads,
        (GR.test_backward_twice_doubles_every_leaf_gradient_exactly,),
        patches_the_engine=True,
    ),
    Mutant(
        "the delta rule uses σ' = σ (the notes' side wrong, not the engine's)",
        lambda monkeypatch: monkeypatch.setitem(
            nn_backprop._PHI, "sigmoid", (nn_backprop._PHI["sigmoid"][0], lambda s, x: x)
        ),
        (NN.test_autograd_equals_the_delta_rule, NN.test_sgd_steps_are_the_notes_update_rules),
    ),
    Mutant(
        "SGD steps uphill: p ← p + η ∂L/∂p",
        patch(
            SGD,
            "_update",
            lambda self, grads: (
                [p.data + self.lr * g for p, g in zip(self.params, grads, strict=True)],
                {},
            ),
        ),
        (NN.test_sgd_steps_are_the_notes_update_rules,),
    ),
    Mutant(
        "backward rounds gradients to single precision",
        _backward_rounds_to_single_precision,
        (GR.test_backward_matches_grad_to_the_bit,),
        patches_the_engine=True,
    ),
    Mutant(
        "grad() walks the graph inputs-first",
        _grad_walks_forwards,
        (ID.test_chain_rule,),
        patches_the_engine=True,
    ),
]

CASES = [(m, p) for m in MUTANTS for p in m.caught_by]


def _failures(error: BaseException) -> list[BaseException]:
    """The failures in an error: itself, or those of an exception group (several bugs)."""
    group: Any = getattr(error, "exceptions", None)
    if group is None:
        return [error]
    return [leaf for e in group for leaf in _failures(e)]


@pytest.mark.parametrize(
    ("mutant", "prop"), CASES, ids=[f"{m.name} / {p.__name__}" for m, p in CASES]
)
def test_property_catches_the_mutant(
    mutant: Mutant, prop: Property, monkeypatch: pytest.MonkeyPatch
) -> None:
    if mutant.patches_the_engine and NATIVE:
        pytest.skip("this mutant patches the engine's code, which the native build compiled")
    mutant.apply(monkeypatch)
    try:
        prop()
    except Exception as error:
        # a property fails by a wrong number (AssertionError) or, for a mutant
        # that raises, by the exception; anything else is a bug in the test
        unexpected = [
            e for e in _failures(error) if not isinstance(e, AssertionError | ArithmeticError)
        ]
        if unexpected:
            raise
    else:
        pytest.fail(f"{prop.__name__} passed with the mutant {mutant.name!r} in place")


def test_the_engine_is_back_after_each_mutant() -> None:
    # monkeypatch undoes every swap: the rows are the registry's own again
    assert RULES["exp"].forward(1000.0) == math.inf
    x = Value(0.5)
    y = (x * x).exp() - x.log()
    y.backward()
    y.backward()
    assert x.grad == pytest.approx(2 * (2 * 0.5 * math.exp(0.25) - 1 / 0.5), rel=1e-15)


def test_every_property_is_broken_by_some_mutant() -> None:
    properties = {
        f"{module.__name__}.{name}"
        for module in PROPERTY_MODULES
        for name, f in vars(module).items()
        if name.startswith("test_") and hasattr(f, "hypothesis")
    }
    broken = {
        f"{module.__name__}.{p.__name__}"
        for m in MUTANTS
        for p in m.caught_by
        for module in PROPERTY_MODULES
        if getattr(module, p.__name__, None) is p
    }
    assert properties - broken == set(), "properties that no mutant breaks"
    assert broken - properties == set(), "mutants name properties that do not exist"
