"""``chainrule demo``: what it prints and what it writes."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from chainrule.cli import main
from nn import MLP, delta_rule, xor


def run_demo(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["demo", *args]) == 0
    return capsys.readouterr().out


def test_xor_demo_prints_the_loss_table_outputs_and_every_quantity(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_demo(capsys, "--steps", "300", "--out", str(tmp_path))
    table = re.findall(r"^\s+(\d+)\s+(\d\.\d{6})$", out, re.MULTILINE)
    assert 8 <= len(table) <= 12
    assert table[0][0] == "0"
    assert table[-1][0] == "299"
    assert float(table[-1][1]) < float(table[0][1])

    # every quantity of the notes, tagged with its equation, engine beside delta_rule
    rows = {
        m[0]: (m[1], float(m[2]), float(m[3]), float(m[4]))
        for m in re.findall(
            r"^(\S+)\s+(\(\S+\)|σ\(S\))?\s+(-?[\d.]+(?:e[+-]\d+)?)\s+(-?[\d.]+(?:e[+-]\d+)?)"
            r"\s+(-?\d\.\de[+-]\d+)$",
            out,
            re.MULTILINE,
        )
    }
    expected = {
        "δ_1^(2)": "(22)",
        "δ_1^(1)": "(18)",
        "δ_2^(1)": "(19-20)",
        "∂L/∂b_1^(2)": "(13)",
        "∂L/∂w_11^(2)": "(14)",
        "∂L/∂w_21^(1)": "(14)",
        "S_1^(2)": "(16)",
    }
    for name, eq in expected.items():
        assert rows[name][0] == eq, name
    names = {"S_1^(1)", "S_2^(1)", "x_1^(1)", "x_2^(1)", "x_1^(2)"}
    names |= {f"∂L/∂{n}" for n, _ in MLP(2, [2, 1]).named_parameters()}
    assert names <= set(rows)
    for name, (_, engine, hand, difference) in rows.items():
        assert abs(engine - hand) <= 1e-9, name
        assert abs(difference) <= 1e-9, name

    # the trained model is saved, and the table's δ's are those of delta_rule on it
    model = MLP.load(tmp_path / "model.json")
    x, t = xor()[2]
    assert rows["δ_1^(2)"][2] == pytest.approx(delta_rule(model, x, t).delta["δ_1^(2)"], abs=1e-10)
    for line, (point, target) in zip(
        re.findall(r"^\s+([01]) +([01])\s+([01])\s+(\d\.\d{4})$", out, re.MULTILINE),
        xor(),
        strict=True,
    ):
        assert [float(line[0]), float(line[1])] == point
        assert float(line[2]) == target[0]
        assert float(line[3]) == pytest.approx(model(point)[0].data, abs=1e-4)


def test_xor_demo_writes_every_file_and_prints_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "pictures"
    out = run_demo(capsys, "--steps", "50", "--out", str(out_dir))
    mask = os.umask(0)
    os.umask(mask)
    for name in ("graph.svg", "chain-rule.svg", "backprop.html", "loss.svg", "model.json"):
        path = out_dir / name
        assert str(path) in out
        assert path.stat().st_size > 0
        assert path.stat().st_mode & 0o777 == 0o666 & ~mask  # as open() would make it
    graph = (out_dir / "graph.svg").read_text()
    assert "<svg" in graph
    assert graph.count('<g id="node') > 10
    tree = (out_dir / "chain-rule.svg").read_text()
    assert "δ" in tree
    loss = (out_dir / "loss.svg").read_text()
    assert "step n" in loss
    assert "loss L" in loss
    page = (out_dir / "backprop.html").read_text()
    assert page.startswith("<!DOCTYPE html>")
    assert "w<SUB>11<" in page  # the notes' w_11
    assert not re.search(r"""(src|href)=["']?https?:""", page)  # offline: nothing to fetch
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        ["graph.svg", "chain-rule.svg", "backprop.html", "loss.svg", "model.json"]
    )  # no temporary files left behind


def test_demo_output_is_the_same_on_every_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = run_demo(capsys, "--steps", "30", "--out", str(tmp_path / "a"))
    second = run_demo(capsys, "--steps", "30", "--out", str(tmp_path / "b"))
    assert first.replace("/a/", "/b/") == second
    for name in ("graph.svg", "chain-rule.svg", "loss.svg", "model.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_flags_change_the_training(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = run_demo(capsys, "--steps", "20", "--out", str(tmp_path))
    other = run_demo(capsys, "--steps", "20", "--lr", "0.5", "--seed", "3", "--out", str(tmp_path))
    assert "η = 0.5" in other
    assert "seed=3" in other
    assert base != other


def test_demo_without_matplotlib_says_what_it_skips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name: str, *args: object, **kwargs: object) -> object:
        if name.startswith("matplotlib"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    out = run_demo(capsys, "--steps", "5", "--out", str(tmp_path))
    assert "matplotlib is not installed" in out
    assert "pip install 'chainrule[plot]'" in out
    assert not (tmp_path / "loss.svg").exists()
    assert (tmp_path / "graph.svg").exists()


def test_moons_demo_prints_loss_and_accuracy_and_draws_the_boundary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_demo(capsys, "moons", "--steps", "3", "--out", str(tmp_path))
    steps = re.findall(r"^step\s+(\d+)\s+loss (\d+\.\d+)\s+accuracy (\d+)%$", out, re.MULTILINE)
    assert [int(s[0]) for s in steps] == [0, 1, 2]
    assert all(0 <= int(s[2]) <= 100 for s in steps)
    assert "MLP(2, [16, 16, 1])" in out
    picture = (tmp_path / "moons.svg").read_text()
    assert "Decision boundary" in picture
    assert str(tmp_path / "moons.svg") in out


def test_bad_flags_exit_with_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["demo", "--sample", "7"])
    assert info.value.code == 2
    assert "--sample" in capsys.readouterr().err


def test_without_dot_the_demo_writes_the_model_plots_and_page_and_names_what_it_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere
    assert main(["demo", "--steps", "5", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert MLP.load(tmp_path / "model.json").layer_sizes == [2, 1]
    assert (tmp_path / "loss.svg").read_text().count("<svg") == 1
    assert not (tmp_path / "graph.svg").exists()
    assert not (tmp_path / "chain-rule.svg").exists()
    # the page lays its graph out in the browser (viz.wasm): no dot needed
    assert "Viz.js" in (tmp_path / "backprop.html").read_text(encoding="utf-8")
    assert err.count("\n") == 1
    assert err.startswith("chainrule demo: note: skipped graph.svg, chain-rule.svg: ")
    assert "sudo apt-get install graphviz" in err
    assert "Traceback" not in out + err


def test_the_demo_draws_its_plots_with_the_public_viz_functions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import chainrule.demo

    called: list[str] = []
    for name in ("plot_loss", "plot_decision_boundary"):
        real = getattr(chainrule.demo, name)

        def spy(*args: object, _real: object = real, _name: str = name, **kwargs: object) -> object:
            called.append(_name)
            return _real(*args, **kwargs)  # type: ignore[operator]

        monkeypatch.setattr(chainrule.demo, name, spy)
    run_demo(capsys, "--steps", "3", "--out", str(tmp_path))
    run_demo(capsys, "moons", "--steps", "1", "--out", str(tmp_path))
    assert called == ["plot_loss", "plot_decision_boundary"]
