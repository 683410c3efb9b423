"""Neuron, Layer, MLP: the notes' names, the forward pass, initialisation, save and load."""

from __future__ import annotations

import array
import gc
import json
import math
import os
import random
import re
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, topological_order
from nn import ACTIVATIONS, MLP, Layer, Module, Neuron


def sigma(s: float) -> float:
    return 1 / (1 + math.exp(-s))


# --- names and labels ----------------------------------------------------------


def test_the_notes_network_has_the_notes_parameters() -> None:
    model = MLP(2, [2, 1])
    names = [name for name, _ in model.named_parameters()]
    assert names == [
        "b_1^(1)", "w_11^(1)", "w_21^(1)",
        "b_2^(1)", "w_12^(1)", "w_22^(1)",
        "b_1^(2)", "w_11^(2)", "w_21^(2)",
    ]  # fmt: skip
    assert [p.label for _, p in model.named_parameters()] == names
    assert model.parameters() == [p for _, p in model.named_parameters()]


def test_two_digit_indices_are_separated_by_a_comma() -> None:
    wide_in = [name for name, _ in MLP(12, [1]).named_parameters()]
    assert wide_in[1:] == [f"w_{i}1^(1)" for i in range(1, 10)] + [
        "w_10,1^(1)", "w_11,1^(1)", "w_12,1^(1)"
    ]  # fmt: skip
    wide_out = [name for name, _ in MLP(1, [3, 11]).named_parameters()]
    assert "w_3,10^(2)" in wide_out
    assert "w_1,11^(2)" in wide_out
    assert "b_11^(2)" in wide_out
    assert len(set(wide_out)) == len(wide_out)


def test_forward_pass_labels_read_like_the_notes() -> None:
    model = MLP(2, [2, 1])
    (y,) = model([1.0, 0.0])
    labels = {v.label for v in topological_order(y)} - {""}
    assert labels == {
        "x_1^(0)", "x_2^(0)",
        "S_1^(1)", "x_1^(1)", "S_2^(1)", "x_2^(1)", "S_1^(2)", "x_1^(2)",
        "b_1^(1)", "w_11^(1)", "w_21^(1)", "b_2^(1)", "w_12^(1)", "w_22^(1)",
        "b_1^(2)", "w_11^(2)", "w_21^(2)",
    }  # fmt: skip
    assert y.label == "x_1^(2)"
    assert y.op == "sigmoid"
    S = y.inputs[0]
    assert (S.label, S.op) == ("S_1^(2)", "wsum")
    # one wsum node per unit, inputs (w_1j..w_nj, x_1..x_n, b_j)
    assert [v.label for v in S.inputs] == ["w_11^(2)", "w_21^(2)", "x_1^(1)", "x_2^(1)", "b_1^(2)"]


def test_unit_computes_the_notes_sum_with_minus_bias() -> None:
    model = MLP(2, [2, 1])
    rng = random.Random(3)
    for v in model.parameters():
        v.data = rng.uniform(-2, 2)
    p = model.state_dict()
    x1, x2 = 0.7, -0.4
    nodes = model.named_nodes([x1, x2])
    S11 = p["w_11^(1)"] * x1 + p["w_21^(1)"] * x2 - p["b_1^(1)"]
    S21 = p["w_12^(1)"] * x1 + p["w_22^(1)"] * x2 - p["b_2^(1)"]
    S12 = p["w_11^(2)"] * sigma(S11) + p["w_21^(2)"] * sigma(S21) - p["b_1^(2)"]
    assert nodes["S_1^(1)"].data == pytest.approx(S11, rel=1e-14)
    assert nodes["S_2^(1)"].data == pytest.approx(S21, rel=1e-14)
    assert nodes["S_1^(2)"].data == pytest.approx(S12, rel=1e-14)
    assert nodes["x_1^(2)"].data == pytest.approx(sigma(S12), rel=1e-14)
    assert model([x1, x2])[0].data == nodes["x_1^(2)"].data


def test_a_layers_units_share_their_inputs_so_a_unit_costs_a_few_hundred_bytes() -> None:
    # the S nodes keep a unit's weights and the layer's inputs as shared tuples, not a tuple
    # of 2n + 1 each: 16-by-16 units cost about 380 bytes each here (S, its ReLU, a share
    # of the inputs), where a tuple of 33 references per S made it about 610
    model = MLP(16, [16, 16], activation="relu")
    rows = [[0.1 * i] * 16 for i in range(50)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        outputs = [model(x) for x in rows]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # the graph is all there: 16 inputs, then per unit 16 weights, a bias, S and its ReLU
    assert len(topological_order(outputs[-1][0])) == 16 + 17 * (16 + 1 + 2)
    assert 200 < held / (50 * 32) < 450


@pytest.mark.parametrize(
    ("activation", "f"),
    [("sigmoid", sigma), ("tanh", math.tanh), ("relu", lambda s: max(s, 0.0))],
)
def test_each_activation(activation: str, f: object) -> None:
    model = MLP(3, [4], activation=activation)
    nodes = model.named_nodes([0.5, -1.0, 2.0])
    for j in range(1, 5):
        S, x = nodes[f"S_{j}^(1)"], nodes[f"x_{j}^(1)"]
        assert x.op == activation
        assert x.inputs == (S,)
        assert x.data == pytest.approx(f(S.data), rel=1e-14)  # type: ignore[operator]


def test_linear_unit_is_its_sum() -> None:
    model = MLP(2, [3, 1], activation="tanh", output_activation="linear")
    nodes = model.named_nodes([0.5, -1.0])
    out = model([0.5, -1.0])
    assert nodes["x_1^(2)"] is nodes["S_1^(2)"]
    assert nodes["S_1^(2)"].op == "wsum"
    assert out[0].label == "S_1^(2)"
    assert out[0].data == nodes["S_1^(2)"].data
    assert [layer.activation for layer in model.layers] == ["tanh", "linear"]


def test_output_activation_defaults_to_activation() -> None:
    model = MLP(2, [3, 3, 2], activation="relu")
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "relu"]


def test_model_returns_a_list_even_for_one_output() -> None:
    out = MLP(2, [1])([1.0, 2.0])
    assert isinstance(out, list)
    assert len(out) == 1
    assert isinstance(out[0], Value)
    assert len(MLP(2, [3])([1.0, 2.0])) == 3


def test_inputs_may_be_values_and_keep_their_labels() -> None:
    model = MLP(2, [2, 1])
    a, b = Value(1.0, "a"), Value(0.0)
    (y,) = model([a, b])
    y.backward()
    assert a.label == "a"
    assert b.label == ""
    assert a.grad != 0.0  # the engine reaches the inputs too
    assert y.data == model([1.0, 0.0])[0].data


def test_inputs_may_be_any_ordered_collection() -> None:
    model = MLP(2, [2, 1])
    expected = model([0.25, 0.5])[0].data
    assert model((0.25, 0.5))[0].data == expected
    assert model(array.array("d", [0.25, 0.5]))[0].data == expected


def test_layer_and_neuron_label_their_inputs_by_layer() -> None:
    layer = Layer(2, 2, layer=3)
    outs = layer([1.0, 2.0])
    assert [o.label for o in outs] == ["x_1^(3)", "x_2^(3)"]
    assert [v.label for v in outs[0].inputs[0].inputs] == [
        "w_11^(3)", "w_21^(3)", "x_1^(2)", "x_2^(2)", "b_1^(3)"
    ]  # fmt: skip
    out = Neuron(1, "tanh", layer=2, unit=5)([3.0])
    assert (out.label, out.op) == ("x_5^(2)", "tanh")


# --- initialisation ----------------------------------------------------------------


def test_initialisation_is_uniform_weights_and_zero_biases_from_the_seed() -> None:
    model = MLP(3, [4, 2], seed=42)
    rng = random.Random(42)
    for name, p in model.named_parameters():
        if name.startswith("b"):
            assert p.data == 0.0
        else:
            assert p.data == rng.uniform(-1.0, 1.0), name


def test_same_seed_same_numbers_other_seed_other_numbers() -> None:
    assert MLP(2, [5, 1], seed=9).state_dict() == MLP(2, [5, 1], seed=9).state_dict()
    assert MLP(2, [5, 1], seed=9).state_dict() != MLP(2, [5, 1], seed=10).state_dict()


def test_initialisation_touches_no_global_randomness() -> None:
    random.seed(123)
    expected = random.random()
    random.seed(123)
    MLP(4, [8, 8, 1])
    assert random.random() == expected


def test_zero_grad() -> None:
    model = MLP(2, [2, 1])
    model([1.0, 1.0])[0].backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


# --- bad arguments -------------------------------------------------------------------

AnyMLP: Any = MLP  # calls with wrongly typed arguments, on purpose


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: AnyMLP(2, [2, 1], activation="softmax"), ValueError,
         "unknown activation: 'softmax' (must be one of ['sigmoid', 'tanh', 'relu', 'linear'])"),
        (lambda: AnyMLP(2, [1], output_activation="Tanh"), ValueError,
         "unknown output_activation: 'Tanh' (must be one of"),
        (lambda: AnyMLP(0, [1]), ValueError, "n_in must be an int >= 1, got 0"),
        (lambda: AnyMLP(2.0, [1]), TypeError, "n_in must be an int >= 1, got float: 2.0"),
        (lambda: AnyMLP(2, 3), TypeError,
         "layer_sizes must be a list of layer widths such as [2, 1]"),
        (lambda: AnyMLP(2, []), ValueError, "layer_sizes must name at least one layer"),
        (lambda: AnyMLP(2, [2, 0]), ValueError, "layer_sizes[1] must be an int >= 1, got 0"),
        (lambda: AnyMLP(2, [True]), TypeError, "layer_sizes[0] must be an int >= 1, got bool"),
        (lambda: AnyMLP(2, [1], seed=1.5), TypeError, "seed must be an int, got float: 1.5"),
        (lambda: AnyMLP(2, [2, 1])([1.0]), ValueError, "MLP expected 2 inputs, got 1"),
        (lambda: AnyMLP(2, [2, 1])([1.0, 2.0, 3.0]), ValueError, "MLP expected 2 inputs, got 3"),
        (lambda: AnyMLP(2, [2, 1])(1.0), TypeError, "MLP input must be a sequence of 2 numbers"),
        (lambda: AnyMLP(2, [2, 1])("ab"), TypeError, "MLP input must be a sequence of 2 numbers"),
        (lambda: AnyMLP(2, [2, 1])([1.0, None]), TypeError,
         "MLP input 2 must be a number or a Value, got NoneType"),
        (lambda: Layer(3, 2)([1.0]), ValueError, "Layer expected 3 inputs, got 1"),
        (lambda: Neuron(3)([1.0]), ValueError, "Neuron expected 3 inputs, got 1"),
    ],
)  # fmt: skip
def test_bad_arguments_say_what_was_wrong(
    call: object, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()  # type: ignore[operator]


def test_activations_are_the_documented_four() -> None:
    assert ACTIVATIONS == ("sigmoid", "tanh", "relu", "linear")


# --- state_dict ------------------------------------------------------------------------


def test_state_dict_round_trip_and_order() -> None:
    model = MLP(2, [3, 1], activation="tanh", seed=1)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    other = MLP(2, [3, 1], activation="tanh", seed=2)
    other.load_state_dict(state)
    assert other.state_dict() == state
    assert other([0.3, 0.4])[0].data == model([0.3, 0.4])[0].data


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda s: s.pop("w_21^(2)"), ValueError, "missing ['w_21^(2)']"),
        (lambda s: s.update({"w_31^(1)": 1.0}), ValueError, "unexpected ['w_31^(1)']"),
        (lambda s: s.update({"b_1^(2)": math.nan}), ValueError,
         "state['b_1^(2)'] must be finite, got nan"),
        (lambda s: s.update({"b_1^(2)": -math.inf}), ValueError, "must be finite, got -inf"),
        (lambda s: s.update({"b_1^(2)": [1.0, 2.0]}), TypeError,
         "state['b_1^(2)'] must be a single number (every parameter is a scalar), got list"),
        (lambda s: s.update({"b_1^(2)": "1.0"}), TypeError, "must be a single number"),
        (lambda s: s.update({"b_1^(2)": True}), TypeError, "got bool"),
    ],
)  # fmt: skip
def test_load_state_dict_validates_and_changes_nothing_on_error(
    change: object, error: type[Exception], message: str
) -> None:
    model = MLP(2, [2, 1])
    before = model.state_dict()
    state: dict[str, object] = dict.fromkeys(before, 0.5)
    change(state)  # type: ignore[operator]
    with pytest.raises(error, match=re.escape(message)):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_load_state_dict_needs_a_mapping() -> None:
    with pytest.raises(
        TypeError, match="state must be a mapping of parameter name to number, got list"
    ):
        MLP(1, [1]).load_state_dict([0.0, 1.0])  # type: ignore[arg-type]


# --- save and load -----------------------------------------------------------------------


def trained_looking(model: MLP) -> MLP:
    """Parameters with full 53-bit mantissas, biases included."""
    rng = random.Random(5)
    for p in model.parameters():
        p.data = rng.gauss(0.0, 3.0)
    return model


def test_save_and_load_round_trip_bit_for_bit(tmp_path: Path) -> None:
    model = trained_looking(
        MLP(3, [4, 4, 2], activation="relu", output_activation="linear", seed=7)
    )
    path = tmp_path / "model.json"
    model.save(path)
    loaded = MLP.load(path)
    assert loaded.config() == model.config()
    assert loaded.state_dict() == model.state_dict()
    assert [v.data for v in loaded([0.1, 0.2, 0.3])] == [v.data for v in model([0.1, 0.2, 0.3])]
    MLP.load(str(path))  # str paths work too


def test_saved_file_format(tmp_path: Path) -> None:
    model = trained_looking(MLP(2, [2, 1]))
    path = tmp_path / "xor.json"
    model.save(path)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "chainrule.nn"
    assert document["version"] == 1
    assert document["model"] == "MLP"
    assert document["config"] == {
        "n_in": 2, "layer_sizes": [2, 1], "activation": "sigmoid",
        "output_activation": None, "seed": 0,
    }  # fmt: skip
    assert list(document["parameters"]) == [name for name, _ in model.named_parameters()]
    assert document["parameters"] == model.state_dict()


def test_save_replaces_an_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("old", encoding="utf-8")
    MLP(2, [2, 1]).save(path)
    assert MLP.load(path).state_dict() == MLP(2, [2, 1]).state_dict()
    assert os.listdir(tmp_path) == ["m.json"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_crash_while_saving_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    path = tmp_path / "m.json"
    MLP(2, [2, 1], seed=1).save(path)
    old = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(OSError, match="disk on fire"):
        MLP(2, [2, 1], seed=2).save(path)
    monkeypatch.undo()
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["m.json"]


def test_save_refuses_non_finite_parameters(tmp_path: Path) -> None:
    model = MLP(2, [2, 1])
    model.parameters()[3].data = math.nan
    with pytest.raises(ValueError, match=re.escape("parameter b_2^(1) is nan")):
        model.save(tmp_path / "m.json")
    assert os.listdir(tmp_path) == []


def write(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def saved(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "good.json"
    MLP(2, [2, 1]).save(path)
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(model="Layer"), "it holds a 'Layer'"),
        (lambda d: d.update(format="other"), "expected format 'chainrule.nn' version 1"),
        (lambda d: d.update(version=2), "got 'chainrule.nn' version 2"),
        (lambda d: d.pop("config"), "expected the keys"),
        (
            lambda d: d["config"].update(layer_sizes=[3, 1]),
            "its config asks for 13 parameters, but it lists 9",
        ),
        (lambda d: d["config"].update(activation="softmax"), "unknown activation: 'softmax'"),
        (lambda d: d["config"].update(depth=3), "does not build a model"),
        (lambda d: d["parameters"].pop("w_11^(2)"), "asks for 9 parameters, but it lists 8"),
        (
            lambda d: d["parameters"].update({"w_99^(2)": d["parameters"].pop("w_11^(2)")}),
            "missing ['w_11^(2)']; unexpected ['w_99^(2)']",
        ),
        (lambda d: d["parameters"].update({"w_11^(2)": [0.1]}), "must be a single number"),
    ],
)
def test_load_says_what_is_wrong(tmp_path: Path, edit: object, message: str) -> None:
    document = saved(tmp_path)
    edit(document)  # type: ignore[operator]
    path = write(tmp_path / "bad.json", document)
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        MLP.load(path)
    assert str(path) in str(info.value)


def test_load_rejects_non_finite_numbers(tmp_path: Path) -> None:
    path = tmp_path / "nan.json"
    text = json.dumps(saved(tmp_path)).replace('"b_1^(2)": 0.0', '"b_1^(2)": NaN')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="it holds NaN, and parameters must be finite"):
        MLP.load(path)


def test_load_rejects_broken_json(tmp_path: Path) -> None:
    path = tmp_path / "half.json"
    path.write_text('{"format": "chainrule.nn", "vers', encoding="utf-8")
    with pytest.raises(ValueError, match=r"half.json is not a saved MLP: invalid JSON"):
        MLP.load(path)


def test_layer_and_neuron_save_and_load_too(tmp_path: Path) -> None:
    layer = Layer(3, 2, "tanh", layer=2)
    layer.save(tmp_path / "layer.json")
    again = Layer.load(tmp_path / "layer.json")
    assert again.config() == layer.config()
    assert again.state_dict() == layer.state_dict()
    with pytest.raises(ValueError, match="it holds a 'Layer'"):
        Neuron.load(tmp_path / "layer.json")


def test_repr_shows_the_constructor_call() -> None:
    assert repr(MLP(2, [2, 1])) == (
        "MLP(n_in=2, layer_sizes=[2, 1], activation='sigmoid', output_activation=None, seed=0)"
    )
    assert repr(Module()) == "Module()"


# --- hostile files: every one a ValueError naming the file, found before building anything


def saved_text(**config: object) -> str:
    base = {"n_in": 2, "layer_sizes": [2, 1], "activation": "sigmoid"}
    base.update(config)
    base.setdefault("output_activation", None)
    base.setdefault("seed", 0)
    return json.dumps(
        {"format": "chainrule.nn", "version": 1, "model": "MLP", "config": base, "parameters": {}}
    )


HOSTILE: list[tuple[str, bytes, str]] = [
    ("a million units", saved_text(layer_sizes=[1000000]).encode(), "asks for 3000000 parameters"),
    ("n_in 10**9", saved_text(n_in=10**9, layer_sizes=[1]).encode(), "more than 1000000"),
    (
        "a shape the list does not fill",
        saved_text().encode(),
        "asks for 9 parameters, but it lists 0",
    ),
    (
        "an integer beyond the float range",
        saved_text()
        .replace('"parameters": {}', '"parameters": {"b": 1' + "0" * 400 + "}")
        .encode(),
        "integer of 401 digits",
    ),
    (
        "a 5000-digit number",
        saved_text(seed=int("9" * 40)).replace("9" * 40, "9" * 5000).encode(),
        "integer of 5000 digits",
    ),
    (
        "a float beyond range",
        saved_text().replace("{}", '{"b": 1e400}').encode(),
        "beyond the float range",
    ),
    ("[ nested 5000 deep", b"[" * 5000, "nested too deeply"),
    ("[ nested 100000 deep", b"[" * 100_000, "does not begin as a saved model does"),
    ("non-UTF-8 bytes", b'{"format": "\xff\xfe"}', "not UTF-8 text (byte 0xff at offset 12)"),
    (
        "duplicate keys",
        saved_text().replace('"version": 1', '"version": 1, "version": 1').encode(),
        "the key 'version' appears twice",
    ),
    (
        "a sizes list that is no list",
        saved_text(layer_sizes="[2, 1]").encode(),
        "layer_sizes must be a non-empty list",
    ),
    ("a bool as a size", saved_text(n_in=True).encode(), "n_in must be a whole number >= 1"),
]


@pytest.mark.parametrize(("case", "data", "message"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_a_short_value_error_naming_it(
    tmp_path: Path, case: str, data: bytes, message: str
) -> None:
    path = tmp_path / "evil.json"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        MLP.load(path)
    text = str(caught.value)
    assert text.startswith(f"{path} is not a saved MLP: ")
    assert len(text) < 500


def test_a_huge_layer_is_refused_before_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.json"  # 186 bytes that asked for 48 s and 1.2 GB before
    path.write_text(saved_text(layer_sizes=[1000000]))
    assert path.stat().st_size < 200

    def build(*args: object, **kwargs: object) -> None:
        raise AssertionError("load built the model before refusing it")

    monkeypatch.setattr(MLP, "__init__", build)  # nothing may be built
    with pytest.raises(ValueError, match="asks for 3000000 parameters, more than 1000000"):
        MLP.load(path)


def test_an_over_long_file_and_a_fifo_are_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nn.module

    path = tmp_path / "long.json"
    path.write_text(saved_text() + " " * 100)
    monkeypatch.setattr(nn.module, "MAX_FILE_BYTES", 100)
    with pytest.raises(
        ValueError, match=r"long.json is not a saved MLP: it has \d+ bytes, more than"
    ):
        MLP.load(path)
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # opening it would block for ever
    with pytest.raises(ValueError, match=r"pipe.json is not a saved MLP: it is not a regular file"):
        MLP.load(fifo)


def test_an_echoed_config_is_cut_short(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    MLP(2, [2, 1]).save(path)
    document = json.loads(path.read_text())
    document["config"]["activation"] = "x" * 100_000
    path.write_text(json.dumps(document))
    with pytest.raises(ValueError, match="unknown activation") as caught:
        MLP.load(path)
    assert len(str(caught.value)) < 600


class CountingFile:
    """A file whose reads are counted: how many bytes load read."""

    read_bytes = 0

    def __init__(self, path: str, mode: str) -> None:
        self.file = open(path, mode)  # noqa: SIM115 (closed by __exit__)

    def __enter__(self) -> CountingFile:
        return self

    def __exit__(self, *args: object) -> None:
        self.file.close()

    def read(self, n: int = -1) -> bytes:
        data: bytes = self.file.read(n)
        CountingFile.read_bytes += len(data)
        return data


def test_a_file_larger_than_its_config_can_need_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import nn.module

    path = tmp_path / "padded.json"
    good = saved_text().replace(
        '"parameters": {}', '"parameters": {' + ", ".join(f'"p{i}": 0.5' for i in range(9))
    )
    # a real file's parameters, then 8 MiB of bytes that are neither UTF-8 nor JSON:
    # read to the end, the file would be refused for those, or parsed for seconds
    path.write_bytes(good.encode() + b"\xff" * 8 * 2**20 + b"}}")
    size = path.stat().st_size
    CountingFile.read_bytes = 0
    monkeypatch.setattr(nn.module, "open", CountingFile, raising=False)
    with pytest.raises(ValueError, match=r"its config of 9 parameters") as refused:
        MLP.load(path)
    need = len(good.split('"parameters": ')[0] + '"parameters": ') + 9 * 256 + 4096
    assert str(refused.value) == (
        f"{path} is not a saved MLP: it has {size} bytes, more than the limit of {need} "
        "for its config of 9 parameters (at most 256 bytes each)"
    )
    assert CountingFile.read_bytes == 64 * 2**10  # the head only


def test_a_model_file_over_64_kib_loads_with_its_keys_in_any_order_that_puts_config_first(
    tmp_path: Path,
) -> None:
    model = MLP(20, [50, 50, 1], seed=4)
    path = tmp_path / "big.json"
    model.save(path)
    assert path.stat().st_size > 64 * 2**10
    assert MLP.load(path).state_dict() == model.state_dict()
    document = json.loads(path.read_text())
    path.write_text(json.dumps(document, sort_keys=True, indent=4))  # config, ..., parameters
    assert MLP.load(path).state_dict() == model.state_dict()
    path.write_text(json.dumps({**document, "config": [20, [50, 50, 1]]}))
    with pytest.raises(ValueError, match=r"config must be an object, got list"):
        MLP.load(path)
    path.write_text(json.dumps({"parameters": document.pop("parameters"), **document}))
    with pytest.raises(ValueError, match=r'its "parameters" come before its "config"'):
        MLP.load(path)
