"""The C printer (autograd.cprint, autograd.cbuild): the C gives the Python program's bits.

Each row's C spelling is checked against the row's own Python forward on a grid of
special floats (±0, subnormals, huge, ±inf, nan); random programs over every row are
checked, value and every gradient, against the Python program and the eager engine, in
both forms (lines and tape). Then names, errors, the cache and concurrent builds.
Skipped, with the reason, where there is no C compiler.
"""

from __future__ import annotations

import array
import functools
import itertools
import math
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from compare import same
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import OPS, ROWS, Graph, graphs, wide_floats

import autograd
import autograd.cbuild
import autograd.ctape
from autograd import RULES, Notation, Rule, Value, compile, grad, trace
from autograd.cbuild import CBuildError, CFunction, cache_dir
from autograd.cprint import c_identifier, c_source, value_and_grad
from autograd.program import TIMES, Atom, Equation, Program, Var

needs_cc = pytest.mark.skipif(
    shutil.which(os.environ.get("CC", "").strip() or "cc") is None,
    reason="no C compiler (cc): install gcc or clang to test compiling to C",
)

ROOT = Path(__file__).resolve().parents[2]
SPECIAL = (
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    -2.5,
    3.0,
    1e-310,
    -5e-324,
    1e308,
    -1e308,
    710.0,
    -745.5,
    1e-20,
    math.inf,
    -math.inf,
    math.nan,
    math.pi,
    0.9999999,
    1.0000001,
)
ANY_FLOAT = st.one_of(wide_floats(), st.sampled_from(SPECIAL))
FORMS = ("lines", "tape")


@pytest.fixture(autouse=True, scope="module")
def _own_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every build of this module goes to a cache folder of its own."""
    folder = tmp_path_factory.mktemp("cache")
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if old is None:
        del os.environ["XDG_CACHE_HOME"]
    else:
        os.environ["XDG_CACHE_HOME"] = old


def rows_program(rules: list[Rule]) -> Program:
    """One equation per row, applied to the inputs x, y, z, u; every result an output."""
    ins = (Var("x"), Var("y"), Var("z"), Var("u"))
    eqs = []
    for rule in rules:
        arity = 4 if rule is TIMES else 5 if rule.arity == 0 else rule.arity
        eqs.append(
            Equation(Var(f"r_{rule.name}"), rule, ins[:arity] if arity <= 4 else (*ins, 1.5))
        )
    return Program(ins, tuple(eqs), tuple(eq.out for eq in eqs))


def run_many(f: CFunction, points: Sequence[tuple[float, ...]]) -> list[list[float]]:
    flat = array.array("d", [x for p in points for x in p])
    out = f.many(flat).tolist()
    k = f.n_outputs
    return [out[i * k : (i + 1) * k] for i in range(len(points))]


@needs_cc
@pytest.mark.parametrize("form", FORMS)
def test_every_row_spelt_in_c_gives_its_python_forwards_bits(form: str) -> None:
    rules = [*RULES.values(), TIMES]
    program = rows_program(rules)
    f = CFunction(program, form=form, gradient=False)
    assert f.callbacks == ()  # every built-in row has a C spelling
    grid = [(a, b, c, c) for a, b, c in itertools.product(SPECIAL, SPECIAL, SPECIAL[::3])]
    for point, got in zip(grid, run_many(f, grid), strict=True):
        for eq, value in zip(program.equations, got, strict=True):
            args = [point["xyzu".index(a.name)] if isinstance(a, Var) else a for a in eq.inputs]
            expected = eq.rule.forward(*args)
            assert same(value, expected), (
                f"{eq.rule.name}{tuple(args)}: C {value!r}, Python {expected!r}"
            )


def check(graph: Graph, numbers: list[float], form: str) -> None:
    """The C of the graph's program, traced once at its own leaves, gives at ``numbers``
    the Python program's value and gradients, and the eager engine's, bit for bit."""
    leaves = [Value(x) for x in graph.leaves]
    program = trace(graph.build(leaves)[-1], leaves)
    f = CFunction(program, form=form)
    value, grads = f(*numbers)
    python = value_and_grad(program)(*numbers)
    assert same(value, python[0]), graph
    assert all(map(same, grads, python[1:])), graph
    again = [Value(x) for x in numbers]
    out = graph.build(again)[-1]
    engine = [g.data for g in grad(out, again)]
    assert same(value, out.data), f"value: C {value!r}, engine {out.data!r}\n{graph}"
    for i, (a, b) in enumerate(zip(grads, engine, strict=True)):
        assert same(a, b), f"∂/∂x{i}: C {a!r}, engine {b!r}\n{graph}"


FEW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=40)
MANY = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150)


@needs_cc
@FEW
@given(graphs(values=ANY_FLOAT, ops=ROWS), st.data())
def test_lines_equal_the_program_and_the_engine_over_every_row(
    graph: Graph, data: st.DataObject
) -> None:
    numbers = data.draw(st.lists(ANY_FLOAT, min_size=len(graph.leaves), max_size=len(graph.leaves)))
    check(graph, numbers, "lines")


@needs_cc
@MANY
@given(graphs(values=ANY_FLOAT, ops=ROWS), st.data())
def test_tape_equals_the_program_and_the_engine_over_every_row(
    graph: Graph, data: st.DataObject
) -> None:
    check(graph, list(graph.leaves), "tape")
    numbers = data.draw(st.lists(ANY_FLOAT, min_size=len(graph.leaves), max_size=len(graph.leaves)))
    check(graph, numbers, "tape")


@needs_cc
@FEW
@given(graphs(values=ANY_FLOAT, ops=OPS))
def test_operators_constants_and_wsum_in_both_forms(graph: Graph) -> None:
    for form in FORMS:
        check(graph, list(graph.leaves), form)


@FEW
@given(
    graphs(
        values=st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.0]),
        constants=st.sampled_from([0.0, 1.0, -1.0, 2.0, 0.5]),
        ops=(*ROWS, "sub", "neg", "wsum"),
    )
)
@needs_cc
def test_kinks_ties_and_masks_in_both_forms(graph: Graph) -> None:
    for form in FORMS:
        check(graph, list(graph.leaves), form)


@needs_cc
def test_clamp_and_its_mask_at_the_bounds() -> None:
    x, y = Value(1.0, "x"), Value(2.0, "y")
    program = trace(x.clamp(1.0, 2.0) * y, [x, y])
    for form in FORMS:
        f = CFunction(program, form=form)
        for point in [(1.0, 2.0), (2.0, math.inf), (0.5, 3.0), (math.nan, 1.0)]:
            a, b = Value(point[0]), Value(point[1])
            out = a.clamp(1.0, 2.0) * b
            value, grads = f(*point)
            assert same(value, out.data)
            assert all(map(same, grads, [g.data for g in grad(out, [a, b])]))


@needs_cc
def test_split_into_parts_gives_the_same_numbers_as_one_function() -> None:
    x, y = Value(0.3, "x"), Value(-1.2, "y")
    z = x
    for _ in range(30):
        z = (z * y + x).sigmoid() + z.softplus() * 0.5
    program = trace(z, [x, y])
    whole, parts = CFunction(program, part_size=10**6), CFunction(program, part_size=7)
    assert whole.source.count("static void cr_part") == 0
    assert parts.source.count("static void cr_part") > 10
    for point in [(0.3, -1.2), (2.0, 0.5), (-40.0, 3.0)]:
        assert whole(*point) == parts(*point) == CFunction(program, form="tape")(*point)


@needs_cc
def test_the_tape_of_32_bit_numbers_gives_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    x, y = Value(0.3, "x"), Value(-1.2, "y")
    program = trace(autograd.maximum(x * y, x.exp()).softplus() / (y * y + 1.0), [x, y])
    narrow = CFunction(program, form="tape")
    monkeypatch.setattr(autograd.ctape, "_NARROW", 0)  # every tape is a 32-bit one now
    wide = CFunction(program, form="tape")
    for point in [(0.3, -1.2), (2.0, 0.0), (math.inf, math.nan), (-0.0, 5e-324)]:
        assert all(map(same, _flat(narrow(*point)), _flat(wide(*point))))
        assert all(map(same, _flat(wide(*point)), value_and_grad(program)(*point)))


def _flat(result: tuple[float, tuple[float, ...]]) -> list[float]:
    return [result[0], *result[1]]


def _row(name: str, out: Var, operands: list[Atom]) -> list[Equation]:
    """``out = name(*operands)`` in the program's own rows: the tape's sub(x, y) is
    x + y·(-1.0), its times_or_minus_quotient(g, p, n, d) is times_or_quotient(g, p,
    n·(-1.0), d) (the tape finds them there)."""
    minus = Var(f"minus_{out.name}")
    if name == autograd.ctape.SUB.name:
        x, y = operands
        return [Equation(minus, RULES["mul"], (y, -1.0)), Equation(out, RULES["add"], (x, minus))]
    if name == autograd.ctape.MINUS_QUOTIENT.name:
        g, p, n, d = operands
        return [Equation(minus, RULES["mul"], (n, -1.0)), Equation(out, TIMES, (g, p, minus, d))]
    return [Equation(out, TIMES if name == TIMES.name else RULES[name], tuple(operands))]


def chains_program(names: Sequence[str]) -> Program:
    """For each tape instruction in ``names`` ("mul>add@1"), its chain of rows on the
    inputs x, y, z, u (taken in turn), each result read by the next row at its position
    only; each chain's last result an output."""
    ins = (Var("x"), Var("y"), Var("z"), Var("u"))
    turn = itertools.cycle(ins)
    eqs: list[Equation] = []
    outputs: list[Var] = []
    for k, name in enumerate(names):
        before: Var | None = None
        for j, (row, where) in enumerate(autograd.ctape._links(name)):
            out = Var(f"c{k}_{j}")
            arity = autograd.ctape._arity(row)
            operands: list[Atom] = [
                before if before is not None and i == where else next(turn) for i in range(arity)
            ]
            eqs += _row(row, out, operands)
            before = out
        outputs.append(before)  # type: ignore[arg-type]
    return Program(ins, tuple(eqs), tuple(outputs))


CHAINS = [name for name in autograd.ctape._OPCODES if ">" in name]
POINTS = st.lists(st.tuples(ANY_FLOAT, ANY_FLOAT, ANY_FLOAT, ANY_FLOAT), min_size=1, max_size=30)


@functools.cache
def chains_function() -> tuple[Program, CFunction]:
    program = chains_program(CHAINS)
    return program, CFunction(program, form="tape", gradient=False)


@needs_cc
@MANY
@given(POINTS)
def test_every_fused_instruction_gives_the_programs_bits(points: list[tuple[float, ...]]) -> None:
    program, f = chains_function()
    names = autograd.ctape.instructions(program)
    assert sorted(names) == sorted(CHAINS)  # each chain runs as its own instruction
    grid: list[tuple[float, ...]] = [
        (a, b, b, a) for a, b in itertools.product(SPECIAL[::2], SPECIAL[1::2])
    ]
    for point, got in zip(points + grid, run_many(f, points + grid), strict=True):
        expected = program(*point)
        for name, a, b in zip(CHAINS, got, expected, strict=True):
            assert same(a, b), f"{name} at {point}: tape {a!r}, program {b!r}"


@needs_cc
@FEW
@given(POINTS)
def test_a_negation_read_elsewhere_too_stays(points: list[tuple[float, ...]]) -> None:
    x, y, z, u, n = (Var(name) for name in "xyzun")
    eqs = (
        Equation(n, RULES["mul"], (-1.0, y)),  # either order
        Equation(Var("a"), RULES["add"], (n, x)),
        Equation(Var("b"), TIMES, (x, z, n, u)),
        Equation(Var("c"), RULES["mul"], (n, z)),
    )
    program = Program((x, y, z, u), eqs, (Var("a"), Var("b"), Var("c"), n))
    assert autograd.ctape.instructions(program) == [
        "mul",
        "sub",
        "times_or_minus_quotient",
        "mul",
    ]
    f = CFunction(program, form="tape", gradient=False)
    for point, got in zip(points, run_many(f, points), strict=True):
        assert all(map(same, got, program(*point))), point


@needs_cc
@pytest.mark.parametrize("row", ["add", "mul"])
def test_no_tape_row_stands_for_a_replaced_add_or_mul(row: str) -> None:
    original = RULES[row]
    RULES[row] = Rule(row, 2, lambda x, y: 7.0, lambda out, x, y: (1.0, 1.0), original.notation)
    try:
        x, y, minus = Var("x"), Var("y"), Var("minus")
        eqs = (
            Equation(minus, RULES["mul"], (y, -1.0)),
            Equation(Var("z"), RULES["add"], (x, minus)),
        )
        program = Program((x, y), eqs, (Var("z"),))
        assert autograd.ctape.instructions(program) == ["mul", "add"]
        f = CFunction(program, form="tape", gradient=False)
        assert f.callbacks == (row,)
        assert run_many(f, [(3.0, 1.0)]) == [list(program(3.0, 1.0))]
    finally:
        RULES[row] = original


@needs_cc
def test_the_tape_without_labels_as_values_runs_a_switch_to_the_same_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    program, threaded = chains_function()
    source = autograd.ctape.TAPE_SOURCE
    assert source.count("#if defined(__GNUC__)") == 2
    monkeypatch.setattr(autograd.cbuild, "TAPE_SOURCE", source.replace("defined(__GNUC__)", "0"))
    switch = CFunction(program, form="tape", gradient=False)
    assert switch.path != threaded.path
    points = [(a, b, -a, 2.0) for a, b in itertools.product(SPECIAL, SPECIAL[::3])]
    for got, want in zip(run_many(switch, points), run_many(threaded, points), strict=True):
        assert all(map(same, got, want))


@needs_cc
def test_to_c_has_compiled_functions_signature_and_numbers_on_the_notes_network() -> None:
    from nn import MLP

    model = MLP(2, [2, 1], activation="sigmoid", seed=0)
    xs = [Value(0.0, "x_1^(0)"), Value(1.0, "x_2^(0)")]
    t = Value(1.0, "t")
    loss = 0.5 * (model(xs)[0] - t) ** 2  # the notes' ½(y − t)²
    params = model.parameters()
    names = [p.label for p in params]
    compiled = autograd.Compiled(loss, [*params, *xs, t], wrt=names)
    c = compiled.to_c()
    point = [p.data for p in params] + [1.0, 0.0, 1.0]  # floats
    assert c(*point) == compiled.function(*point)
    assert len(c(*point)[1]) == len(params)
    assert "const double w_11_1 = in[1];" in c.source  # the program's names
    assert "cr_sigmoid(" in c.source
    assert compiled.batch_source  # the batched and grouped forms made first change nothing
    assert compiled.grouped_source
    assert compiled.to_c()(*point) == compiled.function(*point)


@needs_cc
def test_to_c_from_compile_and_many_points_in_one_call() -> None:
    f = compile(lambda x, y: (x * y).tanh() + y.exp())
    c = f.to_c()
    points = [(0.5, 1.0), (-2.0, 3.0), (0.0, -0.0)]
    flat = array.array("d", [v for p in points for v in p])
    out = c.many(flat)
    assert isinstance(out, array.array)
    assert len(out) == 3 * len(points)
    for i, p in enumerate(points):
        value, grads = f.function(*p)
        assert out[3 * i : 3 * i + 3].tolist() == [value, *grads]
    np = pytest.importorskip("numpy")
    arr = np.array(points)
    got = c.many(arr)
    assert got.shape == (3, 3)
    assert got.tolist() == [list(row) for row in (out[0:3], out[3:6], out[6:9])]
    mine = np.empty((3, 3))
    assert c.many(arr, out=mine) is mine
    assert c.many(memoryview(arr).toreadonly()).tolist() == out.tolist()  # read-only: copied


@needs_cc
def test_many_refuses_what_is_not_float64_or_does_not_fit() -> None:
    c = compile(lambda x, y: x * y).to_c()
    with pytest.raises(TypeError, match="float64"):
        c.many(array.array("f", [1.0, 2.0]))
    with pytest.raises(TypeError, match="got list"):
        c.many([1.0, 2.0])
    with pytest.raises(ValueError, match="2 numbers per point; got 3"):
        c.many(array.array("d", [1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="out must be 3 writable float64 numbers"):
        c.many(array.array("d", [1.0, 2.0]), out=array.array("d", [0.0]))


@needs_cc
def test_call_checks_its_arguments() -> None:
    c = compile(lambda x, y: x * y).to_c()
    with pytest.raises(TypeError, match=r"takes 2 numbers \(x, y\), got 1"):
        c(1.0)
    with pytest.raises(TypeError, match="input 'y' must be a real number"):
        c(1.0, "2")
    assert c(3, 4) == (12.0, (4.0, 3.0))


@needs_cc
def test_bad_programs_and_forms_are_refused() -> None:
    x = Value(1.0, "x")
    with pytest.raises(TypeError, match="needs a Program"):
        CFunction(x)  # type: ignore[arg-type]
    two = Program((Var("x"),), (), (Var("x"), Var("x")))
    with pytest.raises(ValueError, match="one output"):
        CFunction(two)
    with pytest.raises(ValueError, match="form must be"):
        CFunction(trace(x * x, [x]), form="fast")
    with pytest.raises(ValueError, match="wrt must hold input positions 0 to 0; got 1"):
        CFunction(trace(x * x, [x]), wrt=[1])
    with pytest.raises(ValueError, match="names gives 2 names for 1 inputs"):
        CFunction(trace(x * x, [x]), names=["a", "b"])


@needs_cc
def test_a_registered_row_is_called_back_and_its_errors_raise() -> None:
    cube = autograd.register(
        Rule("cube", 1, lambda x: x * x * x, lambda out, x: (3.0 * x * x,), Notation.call("cube"))
    )
    try:
        x = Value(2.0, "x")
        program = trace(cube(x) + x, [x])
        for form in FORMS:
            c = CFunction(program, form=form)
            assert c.callbacks == ("cube",)
            assert c(2.0) == (10.0, (13.0,)) == (program(2.0)[0], value_and_grad(program)(2.0)[1:])
        assert "cube: no C spelling, its Python forward is called" in CFunction(program).source
        RULES["cube"] = Rule(
            "cube",
            1,
            lambda x: x if x < 5.0 else 1.0 / 0.0,
            lambda out, x: (x,),
            Notation.call("cube"),
        )
        c = CFunction(trace(autograd.ops.apply("cube", x), [x]))
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            c(9.0)
        assert c(1.0) == (1.0, (1.0,))  # the error is not kept
    finally:
        del RULES["cube"]


@needs_cc
def test_a_replaced_built_in_row_is_called_back_not_spelt() -> None:
    original = RULES["exp"]
    RULES["exp"] = Rule("exp", 1, lambda x: 7.0, lambda out, x: (out,), Notation.call("exp"))
    try:
        x = Value(0.0, "x")
        c = CFunction(trace(autograd.ops.apply("exp", x), [x]))
        assert c.callbacks == ("exp",)
        assert c(3.0)[0] == 7.0
    finally:
        RULES["exp"] = original


@needs_cc
def test_names_become_c_identifiers_that_collide_with_nothing() -> None:
    assert c_identifier("w_11^(2)") == "w_11_2"
    assert c_identifier("δ_1") == "delta_1"
    assert c_identifier("int") == "int_"
    assert c_identifier("pow") == "pow_"
    assert c_identifier("cr_run") == "cr_run_"
    assert c_identifier("_Bad") == "v_Bad"
    a, b, c = Value(1.0, "in"), Value(2.0, "exp"), Value(3.0, "x y")
    d = Value(4.0, "x_y")
    program = trace(a * b * c * d, [a, b, c, d])
    source = c_source(program)
    for line in (
        "const double in_ = in[0];",
        "const double exp_ = in[1];",
        "const double x_y = in[2];",
        "const double x_y_2 = in[3];",
    ):
        assert line in source
    assert CFunction(program)(1.0, 2.0, 3.0, 4.0)[0] == 24.0


def test_a_missing_compiler_says_what_to_install_and_python_keeps_working(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CC", "no-such-compiler-here")
    f = compile(lambda x: x.sin() * 2.0)
    with pytest.raises(
        CBuildError, match=r"no C compiler 'no-such-compiler-here'.*apt-get install gcc"
    ):
        f.to_c()
    assert f(0.0) == (0.0, (2.0,))


@needs_cc
def test_a_failed_build_shows_what_the_compiler_said(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-cc"
    broken.write_text("#!/bin/sh\necho 'cc: internal error: out of fuel' >&2\nexit 3\n")
    broken.chmod(0o755)
    monkeypatch.setenv("CC", str(broken))
    with pytest.raises(CBuildError, match=r"(?s)failed \(exit 3\).*out of fuel.*reinstall it"):
        compile(lambda x: x * 3.0).to_c()
    leftovers = [p for p in cache_dir().iterdir() if p.name.startswith("build-")]
    assert leftovers == []


@needs_cc
def test_the_second_build_of_a_program_comes_from_the_cache() -> None:
    program = trace(Value(1.5, "q").softplus() * 3.0)
    first = CFunction(program)
    second = CFunction(program)
    assert not first.cached
    assert first.compile_seconds > 0.0
    assert second.cached
    assert second.compile_seconds == 0.0
    assert second.path == first.path
    assert first.path.parent == Path(os.environ["XDG_CACHE_HOME"]) / "chainrule" / "c"
    assert first.path.with_suffix(".c").read_text(encoding="utf-8") == first.source
    assert ROOT not in first.path.parents
    assert second(2.0) == first(2.0)


def test_cache_folder_follows_xdg_and_defaults_to_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "/somewhere/cache")
    assert cache_dir() == Path("/somewhere/cache/chainrule/c")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert cache_dir() == Path.home() / ".cache" / "chainrule" / "c"


@needs_cc
def test_two_processes_building_the_same_program_at_once_both_succeed(tmp_path: Path) -> None:
    script = textwrap.dedent("""
        import sys
        from autograd import Value, trace
        from autograd.cbuild import CFunction
        x = Value(0.25, "x")
        y = x
        for k in range(300):
            y = (y * 1.0001 + x).tanh() + k * 1e-3
        f = CFunction(trace(y, [x]))
        print(repr(f(0.25)), f.cached)
    """)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in results]
    values = {out.rsplit(" ", 1)[0] for out, _ in results}
    assert len(values) == 1
    folder = tmp_path / "chainrule" / "c"
    assert sorted(p.suffix for p in folder.iterdir()) == [".c", ".so"]  # no half-built files
