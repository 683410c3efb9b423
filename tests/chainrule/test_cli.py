"""The chainrule command line: `grad` against plain math, its whitelist, its exit statuses."""

from __future__ import annotations

import ast
import builtins
import math
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from chainrule.cli import main
from chainrule.expr import FUNCTIONS, MAX_CHARS, MAX_NODES

needs_dot = pytest.mark.needs_dot
EXAMPLE = ["sigmoid(w1*x1 + w2*x2 - b)", "w1=0.5", "x1=1", "w2=-1", "x2=0", "b=0.1"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["grad", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def results(out: str) -> tuple[float, dict[str, float]]:
    """The printed value and the derivatives, by name, in printed order."""
    lines = out.splitlines()
    value = float(lines[0].rpartition(" = ")[2])
    grads = {}
    for line in lines[1:]:
        if m := re.fullmatch(r"df/d(\w+) *= (\S+)", line):
            grads[m[1]] = float(m[2])
    return value, grads


def test_the_help_example_against_plain_math(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, *EXAMPLE)
    assert (status, err) == (0, "")
    w1, x1, w2, x2, b = 0.5, 1.0, -1.0, 0.0, 0.1
    s = 1 / (1 + math.exp(-(w1 * x1 + w2 * x2 - b)))
    ds = s * (1 - s)
    value, grads = results(out)
    assert out.startswith("f = sigmoid(w1*x1 + w2*x2 - b) = ")
    assert value == pytest.approx(s, rel=1e-15)
    expected = {"w1": ds * x1, "x1": ds * w1, "w2": ds * x2, "x2": ds * w2, "b": -ds}
    assert list(grads) == list(expected)  # command-line order
    for name, g in expected.items():
        assert grads[name] == pytest.approx(g, rel=1e-15, abs=1e-300)


def test_names_print_in_command_line_order_and_unused_names_get_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "y * exp(x) / z - x**3", "z=2", "unused=7", "y=-0.5", "x=1.25")
    assert status == 0
    x, y, z = 1.25, -0.5, 2.0
    value, grads = results(out)
    assert value == pytest.approx(y * math.exp(x) / z - x**3, rel=1e-14)
    assert list(grads) == ["z", "unused", "y", "x"]
    assert grads["z"] == pytest.approx(-y * math.exp(x) / z**2, rel=1e-14)
    assert grads["unused"] == 0.0
    assert grads["y"] == pytest.approx(math.exp(x) / z, rel=1e-14)
    assert grads["x"] == pytest.approx(y * math.exp(x) / z - 3 * x**2, rel=1e-14)


@pytest.mark.parametrize(
    ("expression", "point", "f", "df"),
    [
        (
            "tanh(x) + relu(x) * log(x)",
            0.7,
            lambda x: math.tanh(x) + x * math.log(x),
            lambda x: 1 - math.tanh(x) ** 2 + math.log(x) + 1,
        ),
        ("-x ** 2 + +x", 3.0, lambda x: -(x**2) + x, lambda x: -2 * x + 1),
        ("2 ** x", 0.5, lambda x: 2**x, lambda x: 2**x * math.log(2)),
        ("x ** x", 1.5, lambda x: x**x, lambda x: x**x * (math.log(x) + 1)),
        (
            "1 / (1 + exp(-x))",
            -0.3,
            lambda x: 1 / (1 + math.exp(0.3)),
            lambda x: math.exp(0.3) / (1 + math.exp(0.3)) ** 2,
        ),
    ],
)
def test_each_allowed_piece_against_math(
    capsys: pytest.CaptureFixture[str], expression: str, point: float, f: object, df: object
) -> None:
    status, out, _ = run(capsys, expression, f"x={point}")
    value, grads = results(out)
    assert status == 0
    assert value == pytest.approx(f(point), rel=1e-13)  # type: ignore[operator]
    assert grads["x"] == pytest.approx(df(point), rel=1e-12)  # type: ignore[operator]


def test_arithmetic_follows_ieee_rather_than_raising(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "1/x + log(x - 1)", "x=0")
    value, grads = results(out)
    assert status == 0
    assert math.isnan(value)  # 1/0 + log(-1) = inf + nan
    assert grads["x"] == -math.inf  # -1/x² + 1/(x - 1) = -inf - 1
    status, out, _ = run(capsys, "1/x", "x=0")
    assert (status, results(out)) == (0, (math.inf, {"x": -math.inf}))
    status, out, _ = run(capsys, "2 * 3 + 1/0", "x=1")
    assert (status, results(out)) == (0, (math.inf, {"x": 0.0}))


REFUSED = [
    ("x.real", "attribute access is not allowed: 'x.real' at column 1"),
    ("x[0]", "subscript is not allowed: 'x[0]' at column 1"),
    (
        "print(x)",
        f"this call (only {', '.join(FUNCTIONS)} may be called) is not allowed: 'print(x)'",
    ),
    ("__import__('os').system('true')", "is not allowed: \"__import__('os')"),
    ("x + (lambda: 1)()", "is not allowed: '(lambda: 1)()' at column 5"),
    ("lambda y: y", "lambda is not allowed: 'lambda y: y'"),
    ("x + y", "unbound name 'y' at column 5: give it a value on the command line, e.g. y=0.5"),
    ("exp(x=1)", "calling exp other than with one plain argument is not allowed: 'exp(x=1)'"),
    ("exp(x, x)", "calling exp other than with one plain argument"),
    ("sigmoid(*x)", "calling sigmoid other than with one plain argument"),
    ("exp", "exp is a function: call it with one argument, e.g. exp(x)"),
    ("x @ 2", "the operator @ is not allowed: 'x @ 2'"),
    ("x << 2", "the operator << is not allowed"),
    ("~x", "the operator ~ is not allowed: '~x'"),
    ("not x", "the operator not is not allowed"),
    ("x < 1", "comparison is not allowed: 'x < 1'"),
    ("x if x else 1", "conditional expression is not allowed"),
    ("'text'", "the constant 'text' is not allowed"),
    ("True", "the constant True is not allowed"),
    ("2j * x", "the constant 2j is not allowed: '2j' at column 1"),
    ("[x]", "list is not allowed"),
    ("(y := x)", "assignment expression is not allowed"),
    ("f'{x}'", "f-string is not allowed"),
    ("x +", "not an expression"),
    ("x = 1", "not an expression"),
    ("", "the expression is empty"),
    ("(" * 300 + "x" + ")" * 300, "not an expression at column"),
    ("x" + "+x" * MAX_NODES, f"more than {MAX_NODES} pieces"),
    ("x" + " " * MAX_CHARS, f"{MAX_CHARS + 1} characters, more than the limit of {MAX_CHARS}"),
]


@pytest.mark.parametrize(("expression", "message"), REFUSED, ids=[r[1][:30] for r in REFUSED])
def test_anything_else_is_refused_with_status_2(
    capsys: pytest.CaptureFixture[str], expression: str, message: str
) -> None:
    status, out, err = run(capsys, expression, "x=1")
    assert status == 2
    assert out == ""
    assert err.startswith("chainrule grad: error: ")
    assert message in err
    assert "Traceback" not in err


def test_the_expression_is_never_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval or exec was called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    marker = tmp_path / "ran"
    attack = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    assert run(capsys, attack, "x=1")[0] == 2
    assert not marker.exists()
    status, out, _ = run(capsys, "sigmoid(x) * 2", "x=0")
    assert (status, results(out)[0]) == (0, 1.0)


@pytest.mark.parametrize(
    ("pairs", "message"),
    [
        (["x"], "'x': expected name=value, e.g. x=0.5"),
        (["x=abc"], "'x=abc': the value 'abc' is not a number (write e.g. x=0.5)"),
        (["x=1", "x=2"], "'x=2': 'x' is given twice; give each name once"),
        (["1x=2"], "'1x=2': '1x' is not a name"),
        (["for=2"], "'for=2': 'for' is not a name"),
        (["exp=1"], "'exp=1': 'exp' is a function; choose another name"),
        (["=1"], "'=1': '' is not a name"),
    ],
)
def test_bad_name_value_pairs_are_refused_with_status_2(
    capsys: pytest.CaptureFixture[str], pairs: list[str], message: str
) -> None:
    status, out, err = run(capsys, "x", *pairs)
    assert (status, out) == (2, "")
    assert message in err


def test_argparse_errors_exit_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["grad"], ["grad", "x", "x=1", "--bogus"], ["nosuch"], ["demo", "--lr"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1, err
        assert err.startswith("chainrule")
        assert "error:" in err
        assert "--help)" in err


def test_no_arguments_print_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: chainrule")
    assert "{demo,grad}" in out
    assert "--version" in out


def test_help_documents_the_whitelist_and_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["grad", "--help"])
    assert caught.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert 'chainrule grad "sigmoid(w1*x1 + w2*x2 - b)" w1=0.5 x1=1 w2=-1 x2=0 b=0.1' in text
    for piece in (
        "+ - * / **",
        ", ".join(FUNCTIONS),
        "exit status 2",
        "--svg",
        "--tree",
    ):
        assert piece in text


@needs_dot
def test_pairs_may_follow_the_options(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "x*y", "x=2", "--tree", str(tmp_path / "t.svg"), "y=5")
    assert status == 0
    assert results(out)[1] == {"x": 5.0, "y": 2.0}
    assert (tmp_path / "t.svg").read_bytes().startswith(b"<?xml")
    status, out, _ = run(capsys, "--", "-x**2", "x=3")
    assert (status, results(out)) == (0, (-9.0, {"x": -6.0}))


@needs_dot
def test_svg_and_tree_are_written(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    graph, tree = tmp_path / "graph.svg", tmp_path / "tree.svg"
    status, out, err = run(capsys, *EXAMPLE, "--svg", str(graph), "--tree", str(tree))
    assert (status, err) == (0, "")
    assert f"wrote {graph}" in out
    assert f"wrote {tree}" in out
    svg = "{http://www.w3.org/2000/svg}"
    graph_text = "".join(t.text or "" for t in ET.parse(graph).iter(f"{svg}text"))
    tree_text = "".join(t.text or "" for t in ET.parse(tree).iter(f"{svg}text"))
    assert "grad 0.2403" in graph_text  # ∂f/∂w1 = σ'(0.4) · 1
    assert "∂f/∂w1 = 0.2403" in tree_text
    assert "σ'(" in tree_text


def test_a_missing_dot_fails_the_drawing_with_status_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    status, out, err = run(capsys, "x*2", "x=1", "--svg", str(tmp_path / "g.svg"))
    assert status == 1
    assert results(out) == (2.0, {"x": 2.0})
    assert "sudo apt-get install graphviz" in err
    assert not (tmp_path / "g.svg").exists()


def test_an_unwritable_path_fails_with_status_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, _, err = run(capsys, "x", "x=1", "--tree", str(tmp_path / "no" / "such" / "t.svg"))
    assert status == 1
    assert err.startswith("chainrule grad: error: cannot write ")
    assert err.endswith("/no/such does not exist\n")
    assert err.count("\n") == 1


# --- one line, never a traceback -------------------------------------------------------


def one_line_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    """Run main, whether it returns or exits (argparse), and check its one stderr line."""
    try:
        status = main(argv)
    except SystemExit as stop:
        status = int(stop.code or 0)
    err = capsys.readouterr().err
    assert status != 0
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    return status, err


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["demo", "--lr", "0"], 2, "argument --lr: must be a finite number > 0, got '0'"),
        (["demo", "--lr", "-1"], 2, "argument --lr: must be a finite number > 0, got '-1'"),
        (["demo", "--lr", "nan"], 2, "must be a finite number > 0"),
        (["demo", "--steps", "-5"], 2, "argument --steps: must be from 0 to 10000000"),
        (["demo", "moons", "--lr", "0.1"], 2, "--lr applies to the xor demo only"),
        (["demo", "moons", "--sample", "2"], 2, "--sample applies to the xor demo only"),
        (["grad", "x", "x=1", "--svg", "g.txt"], 2, "cannot draw into 'g.txt'"),
    ],
)
def test_bad_options_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], status: int, message: str
) -> None:
    got, err = one_line_error(capsys, argv)
    assert got == status
    assert message in err


def test_an_output_directory_that_cannot_be_made_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, err = one_line_error(capsys, ["demo", "--steps", "1", "--out", str(blocker / "sub")])
    assert status == 1
    assert err.startswith("chainrule demo: error: cannot make the output directory ")
    assert "Not a directory" in err


def test_a_drawing_into_a_missing_directory_is_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "nonexistent" / "dir" / "g.svg"
    status, err = one_line_error(capsys, ["grad", "x*x", "x=1", "--svg", str(target)])
    assert status == 1
    assert f"cannot write {target}: the directory {target.parent} does not exist" in err
    assert ".tmp" not in err


@needs_dot
@pytest.mark.parametrize(
    ("suffix", "magic"),
    [(".png", b"\x89PNG"), (".pdf", b"%PDF-"), (".svg", b"<?xml"), (".gv", b"digraph")],
)
def test_the_format_follows_the_suffix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, suffix: str, magic: bytes
) -> None:
    path = tmp_path / f"g{suffix}"
    assert run(capsys, "x*x", "x=1", "--svg", str(path))[0] == 0
    assert path.read_bytes().startswith(magic)


def test_version_and_python_dash_m(capsys: pytest.CaptureFixture[str]) -> None:
    import chainrule

    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"chainrule {chainrule.__version__}\n"
    done = subprocess.run(
        [sys.executable, "-m", "chainrule", "grad", "x*x", "x=3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "f = x*x = 9.0\ndf/dx = 6.0\n", "")


@pytest.mark.parametrize("command", ["demo", "grad"])
def test_help_is_plain_text(capsys: pytest.CaptureFixture[str], command: str) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert "exit status" in " ".join(text.split()).lower()
    for markup in ("``", ":func:", ":class:", ":data:", ":meth:"):
        assert markup not in text


# --- expressions: errors that say what to write ---------------------------------------


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("x^2", "the operator ^ is not allowed ('x^2' at column 1): for a power write ** ('x**2')"),
        ("sigmod(x)", "did you mean sigmoid? this call"),
        ("2x + 1", "for a product write 2*x rather than 2x"),
        ("3.5y", "for a product write 3.5*y rather than 3.5y"),
        ("xx + 1", "unbound name 'xx' at column 1: did you mean x? give it a value"),
    ],
)
def test_common_mistakes_get_a_suggestion(
    capsys: pytest.CaptureFixture[str], expression: str, message: str
) -> None:
    status, out, err = run(capsys, expression, "x=1")
    assert (status, out) == (2, "")
    assert message in err


def test_e_and_pi_are_known_and_cannot_be_bound(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "e**x + pi", "x=1")
    assert status == 0
    value, grads = results(out)
    assert value == pytest.approx(math.e + math.pi)
    assert grads == {"x": pytest.approx(math.e)}
    status, _, err = run(capsys, "x", "pi=3")
    assert status == 2
    assert "'pi' is the constant 3.14159" in err


def test_a_nan_or_inf_result_is_flagged(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "log(x)", "x=-1")
    assert status == 0
    assert math.isnan(results(out)[0])
    assert err.startswith("chainrule grad: warning: not a finite number: f = nan")
    status, _, err = run(capsys, "x*x", "x=2")
    assert (status, err) == (0, "")


def test_names_are_nfkc_normalised_as_python_does(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "ｘ + 10*x", "ｘ=1", "x=2")  # a fullwidth x is x to Python
    assert status == 2
    assert "'x' is given twice" in err
    status, out, _ = run(capsys, "ｘ + 10*x", "ｘ=1")
    assert (status, results(out)) == (0, (11.0, {"x": 11.0}))


def test_error_messages_are_bounded(capsys: pytest.CaptureFixture[str]) -> None:
    many = [f"name{i}={i}" for i in range(5000)]
    status, _, err = run(capsys, "missing", *many)
    assert status == 2
    assert "and 4990 more" in err
    assert len(err) < 1100
    status, _, err = run(capsys, "x", "x=" + "9" * 100_000 + "z")
    assert status == 2
    assert len(err) < 1100


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        # counted before Python's parser, which gives up on deep nesting and said nothing
        ("-" * 9990 + "x", f"the expression has more than {MAX_NODES} pieces"),
        ("x**" * 3333 + "x", f"the expression has more than {MAX_NODES} pieces"),
        # unbalanced, so not counted: the parser's own limit, said in words
        ("(" + "-" * 9990 + "x", "cannot parse the expression: it is nested too deeply"),
    ],
)
def test_an_expression_too_deep_to_parse_says_why(
    capsys: pytest.CaptureFixture[str], expression: str, message: str
) -> None:
    status, out, err = run(capsys, "--", expression, "x=1")
    assert (status, out) == (2, "")
    assert err.startswith(f"chainrule grad: error: {message}")
    assert err.count("\n") == 1
    assert "2000 pieces (numbers, names, operations)" in err
    status, out, _ = run(capsys, "--", "-" * 1999 + "x", "x=1")  # 2000 pieces: allowed
    assert status == 0
    assert out.endswith("= -1.0\ndf/dx = -1.0\n")


@pytest.mark.parametrize(
    "expression",
    ["x", "-x", "x**-1e-5", "sigmoid(w1*x1 + w2*x2 - b)", "((x))*-(+y)", "exp(log(x)) / 2.5e3"],
)
def test_pieces_are_counted_before_parsing_as_the_parsed_tree_has_them(expression: str) -> None:
    from chainrule.expr import _pieces

    tree = ast.parse(expression, mode="eval")
    functions = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    in_tree = sum(isinstance(n, ast.expr) and id(n) not in functions for n in ast.walk(tree))
    assert _pieces(expression) == in_tree


# --- drawings never hang ---------------------------------------------------------------


@needs_dot
@pytest.mark.parametrize(
    ("terms", "flag"), [(80, "--tree"), (400, "--svg"), (60, "--svg"), (55, "--svg")]
)
def test_sums_of_many_terms_are_refused_by_their_cost_or_render(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, terms: int, flag: str
) -> None:
    path = tmp_path / "g.svg"
    status, out, err = run(capsys, "+".join(["x"] * terms), "x=1", flag, str(path))
    assert results(out) == (float(terms), {"x": float(terms)})
    if status == 0:
        assert path.read_bytes().startswith(b"<?xml")
    else:
        assert status == 1
        assert err.count("\n") == 1
        assert "laying the graph out costs about" in err
        assert "chain_rule(root, keep=...)" in err
        assert not path.exists()
    # 60 terms took dot 5.9 s and are refused now; 55 take 2.5 s (tests/viz/test_viz_render.py)
    assert (terms, status) in {(80, 1), (400, 1), (60, 1), (55, 0)}


@pytest.mark.parametrize(("option", "name"), [("--html", "page.html"), ("--svg", "graph.svg")])
def test_a_drawing_too_costly_to_lay_out_is_refused_at_once(
    option: str, name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--html` had no layout bound: a 300-term sum ran until dot's 30 s time-out."""
    path = tmp_path / name
    status, out, err = run(capsys, "+".join(["x"] * 300), "x=1", option, str(path))
    assert status == 1
    assert out.startswith("f = x+x+")  # the numbers are printed first
    assert "laying the graph out costs about" in err
    assert "Traceback" not in err
    assert not path.exists()
