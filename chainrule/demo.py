"""``chainrule demo``: the notes' 2-2-1 network trained on XOR, every quantity checked.

The walk-through trains ``MLP(2, [2, 1])`` by gradient descent (the notes'
(23)-(24)), prints the loss as it falls and the trained outputs, then takes one
training sample and prints every S, x and δ and every ∂L/∂w and ∂L/∂b twice:
once as the engine found them by walking the graph, once by the notes' own
equations (``nn.delta_rule``), with their difference. Last it draws the loss's
computation graph, the δ tree of the chain rule and the loss curve, and saves
the trained model.

``chainrule demo moons`` runs micrograd's demo workload instead and draws the
decision boundary it learns.

Without Graphviz's ``dot`` the demo still writes ``model.json``, the plots and
``backprop.html`` (its graph laid out in the browser), names the drawings it
skipped and how to install Graphviz, and exits 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import math
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _chainrule_files import write_atomic
from autograd import Value, no_grad
from nn import MLP, SGD, Module, delta_rule, fit, hinge, l2, moons, squared_error, xor
from nn.digits_demo import demo_digits
from viz import (
    DotNotFoundError,
    Drawing,
    StepThrough,
    chain_rule,
    draw,
    plot_decision_boundary,
    plot_loss,
    step_through,
    write,
)
from viz.notation import ZERO_NOTE

from .cli import CommandError

__all__ = ["DEFAULTS", "DESCRIPTION", "add_arguments", "add_parser", "notes_network_page", "run"]

#: The defaults of ``chainrule demo``, each a flag of the same name.
DEFAULTS: dict[str, Any] = {
    "seed": 0,  # MLP's initialisation: uniform(-1, 1) weights, zero biases
    "lr": 2.0,  # η of the notes' (23)-(24)
    "steps": 2000,  # full-batch gradient-descent steps over the 4 XOR points
    "sample": 2,  # which XOR point to take apart: x = (1, 0), t = 1
    "out": "out",
}

MOONS_STEPS = 100  # micrograd's demo: 100 full-batch steps, lr = 1.0 - 0.9·k/100
DIGITS_STEPS = 150  # full-batch Adam steps on the digits


DESCRIPTION = "\n\n".join(
    textwrap.fill(paragraph, 79)
    for paragraph in (
        "xor (the default): the notes' 2-2-1 sigmoid network, MLP(2, [2, 1]), learns XOR "
        "by gradient descent, p <- p - η ∂L/∂p. The demo prints the loss as it falls and "
        "the trained outputs, then takes one sample apart: every S, x and δ and every "
        "∂L/∂w and ∂L/∂b, once from the engine's backward() and once from the notes' "
        "equations by hand, with their difference. It writes the computation graph, the "
        "chain rule's tree of δs, the loss curve, the trained model and backprop.html (a "
        "page that steps through one training step, node by node) into --out.",
        "moons: micrograd's demo, MLP(2, [16, 16, 1]) on 100 moons points with hinge "
        "loss and its own learning-rate schedule; it draws the decision boundary. "
        "digits: MLP(64, [32, 10]) learns scikit-learn's 8x8 digits (bundled) with "
        "cross-entropy through compiled code; it prints the test accuracy and a confusion "
        "matrix and draws misclassified digits. --lr and --sample apply to xor only.",
        "Without Graphviz the demo still writes model.json, the plots and backprop.html, "
        "says which drawings it skipped, and exits 0. Exit status 1: a file could not be written "
        "or training diverged; 2: a bad option.",
    )
)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r:.40}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text!r:.40}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r:.40}") from None
    if not 0 <= value <= 10**7:
        raise argparse.ArgumentTypeError(f"must be from 0 to 10000000, got {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's arguments to ``parser`` (the ``demo`` subcommand).

    ``--lr``, ``--steps`` and ``--sample`` default to None, meaning the
    workload's own default (:data:`DEFAULTS` for xor), so that a flag that does
    not apply to moons can be refused rather than ignored.

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--steps", "10"])
    >>> args.workload, args.steps, args.lr, args.out
    ('xor', 10, None, 'out')
    """
    parser.add_argument(
        "workload",
        nargs="?",
        choices=("xor", "moons", "digits"),
        default="xor",
        help="xor: the notes' 2-2-1 network (default); moons: micrograd's demo; "
        "digits: 8x8 handwritten digits",
    )
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="initialisation seed")
    parser.add_argument(
        "--lr", type=_positive, default=None, help="learning rate η, > 0 (xor only; default 2.0)"
    )
    parser.add_argument(
        "--steps",
        type=_count,
        default=None,
        help="training steps (xor: 2000, moons: 100, digits: 150)",
    )
    parser.add_argument(
        "--sample",
        type=int,
        choices=range(4),
        default=None,
        help="the XOR point (0-3) whose quantities are printed side by side (xor only; default 2)",
    )
    parser.add_argument("--out", default=DEFAULTS["out"], help="directory for the files written")


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """Add the ``demo`` command to the ``chainrule`` command line.

    >>> parser = argparse.ArgumentParser(prog="chainrule")
    >>> add_parser(parser.add_subparsers())
    >>> parser.parse_args(["demo", "moons"]).workload
    'moons'
    """
    parser = commands.add_parser(
        "demo",
        help="train the notes' 2-2-1 network and check every quantity by hand",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Run the demo that ``args`` (from :func:`add_arguments`) asks for; returns 0.

    A flag that does not apply (``--lr`` or ``--sample`` with moons) raises
    :class:`chainrule.cli.CommandError` with status 2; an output directory that
    cannot be made, status 1.

    >>> import io, contextlib, tempfile
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--steps", "20", "--out", tempfile.mkdtemp()])
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     status = run(args)
    >>> status, "δ_1^(2)" in printed.getvalue()
    (0, True)
    """
    if args.workload != "xor":
        for flag in ("lr", "sample"):
            if getattr(args, flag) is not None:
                raise CommandError(
                    f"--{flag} applies to the xor demo only; {args.workload} uses its own "
                    "settings and prints no sample table",
                    2,
                )
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"cannot make the output directory {str(out)!r:.200}: {error.strerror}", 1
        ) from None
    if args.workload == "moons":
        return _moons(args.seed, MOONS_STEPS if args.steps is None else args.steps, out)
    if args.workload == "digits":
        return _digits(args.seed, DIGITS_STEPS if args.steps is None else args.steps, out)
    return _xor(args, out)


def _draw_all(drawings: list[tuple[Path, Callable[[], Drawing]]]) -> tuple[list[Path], str]:
    """Write each drawing; without dot, skip them all and return why."""
    written: list[Path] = []
    for path, make in drawings:
        try:
            written.append(write(make(), path))
        except DotNotFoundError as error:
            skipped = ", ".join(p.name for p, _ in drawings[len(written) :])
            return written, f"skipped {skipped}: {error}"
    return written, ""


# --- the notes' network on XOR ------------------------------------------------------


def _xor(args: argparse.Namespace, out: Path) -> int:
    steps = DEFAULTS["steps"] if args.steps is None else args.steps
    lr = DEFAULTS["lr"] if args.lr is None else args.lr
    data = xor()
    model = MLP(2, [2, 1], seed=args.seed)
    print(f"The notes' 2-2-1 sigmoid network, MLP(2, [2, 1], seed={args.seed}), learns XOR")
    print(f"by gradient descent: p <- p - η ∂L/∂p with η = {lr}, {steps} full-batch steps,")
    print("L = ½ Σ (y - t)² summed over the 4 points.\n")
    history = fit(model, data, squared_error, SGD(model.parameters(), lr=lr), steps)

    print(f"{'step':>6}  {'loss':>10}")
    for k in _table_steps(len(history)):
        print(f"{k:>6}  {history[k]:>10.6f}")
    print()
    print(f"{'x1':>4} {'x2':>4}  {'t':>3}  {'y':>8}")
    for x, t in data:
        (y,) = model(x)
        print(f"{x[0]:>4.0f} {x[1]:>4.0f}  {t[0]:>3.0f}  {y.data:>8.4f}")
    print()

    sample = DEFAULTS["sample"] if args.sample is None else args.sample
    x, t = data[sample]
    loss = _side_by_side(model, x, t)

    written, skipped = _draw_all(
        [
            (out / "graph.svg", lambda: draw(loss)),
            (out / "chain-rule.svg", lambda: chain_rule(loss, keep="S")),
        ]
    )
    page = notes_network_page(sample=sample, seed=args.seed, lr=lr)  # without dot too
    written.append(page.write(out / "backprop.html"))
    picture = _plot(lambda ax: plot_loss(history, ax=ax), "The 2-2-1 network learning XOR")
    if picture is not None:
        written.append(write_atomic(out / "loss.svg", picture))
    model.save(out / "model.json")
    written.append(out / "model.json")
    _report(out, written, skipped)
    return 0


def _report(out: Path, written: list[Path], skipped: str) -> None:
    """Print each file written as ``out / name``: relative to where it was asked to write,
    the same way for every file (the writers return resolved paths)."""
    print("wrote:")
    for path in written:
        print(f"  {out / path.name}")
    if skipped:
        print(f"chainrule demo: note: {skipped}", file=sys.stderr)


def _table_steps(n: int, rows: int = 10) -> list[int]:
    """About ``rows`` steps from 0 to n - 1, evenly spread, the last included."""
    if n == 0:
        return []
    return sorted({round(i * (n - 1) / (rows - 1)) for i in range(rows)})


def _side_by_side(model: MLP, x: list[float], t: list[float]) -> Value:
    """Print every quantity of one sample from the engine and from the delta rule."""
    nodes = model.named_nodes(x)
    loss = squared_error([nodes["x_1^(2)"]], t)
    model.zero_grad()  # parameters' grads accumulate; start this sample from zero
    loss.backward()
    by_hand = delta_rule(model, x, t)
    inputs = ", ".join(f"{v:g}" for v in x)
    print(f"One sample, x = ({inputs}), t = {t[0]:g}: L = ½(y - t)² = {loss.data:.6g}")
    print("each quantity from the engine's backward() and from the notes' equations by hand\n")
    print(f"{'quantity':<14}{'eq.':<9}{'autograd':>18}{'delta_rule':>18}{'difference':>12}")

    def row(name: str, eq: str, engine: float, hand: float) -> None:
        print(f"{name:<14}{eq:<9}{engine:>18.10g}{hand:>18.10g}{engine - hand:>12.1e}")

    for k in (1, 2):
        for j in range(1, 3 if k == 1 else 2):
            S, xk = f"S_{j}^({k})", f"x_{j}^({k})"
            row(S, "(16)" if k == 2 else "", nodes[S].data, by_hand.S[S])
            row(xk, "σ(S)", nodes[xk].data, by_hand.x[xk])
    for name, eq in (("δ_1^(2)", "(22)"), ("δ_1^(1)", "(18)"), ("δ_2^(1)", "(19-20)")):
        S = "S" + name[1:]
        row(name, eq, nodes[S].grad, by_hand.delta[name])
    for name, p in model.named_parameters():
        eq = "(13)" if name.startswith("b") else "(14)"
        row(f"∂L/∂{name}", eq, p.grad, by_hand.grad[name])
    print()
    print(textwrap.fill(ZERO_NOTE, 88))
    print()
    return loss


def notes_network_page(
    *, sample: int = 2, seed: int = 0, lr: float = 2.0, iterations: int = 1
) -> StepThrough:
    """The step-through page of the notes' 2-2-1 network on one XOR sample.

    The untrained ``MLP(2, [2, 1], seed=seed)``, the XOR point ``sample`` (0-3;
    2 is x = (1, 0), t = 1, the demo's), L = ½(y − t)², η = ``lr``: what
    ``chainrule demo`` writes as ``backprop.html``. ``iterations`` training steps
    on that sample (:func:`viz.step_through`'s).

    >>> notes_network_page(sample=5)
    Traceback (most recent call last):
    ...
    ValueError: notes_network_page: sample must be 0, 1, 2 or 3, got 5
    """
    data = xor()
    if isinstance(sample, bool) or sample not in range(len(data)):
        raise ValueError(f"notes_network_page: sample must be 0, 1, 2 or 3, got {sample!r}")
    model = MLP(2, [2, 1], seed=seed)
    x, t = data[sample]
    loss = squared_error(model(x), t)
    steps = "one step" if iterations == 1 else f"{iterations} steps"
    title = (
        f"The notes' 2-2-1 network on x = ({x[0]:g}, {x[1]:g}), t = {t[0]:g}: "
        f"{steps} of backpropagation, η = {lr:g}"
    )
    return step_through(
        loss, lr=lr, parameters=model.parameters(), iterations=iterations, title=title
    )


# --- micrograd's moons workload ----------------------------------------------------


def _moons(seed: int, steps: int, out: Path) -> int:
    data = moons(100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=seed)
    print("micrograd's demo: MLP(2, [16, 16, 1]), ReLU hidden layers, linear output,")
    print(f"100 moons points labelled ±1, hinge loss + 1e-4·Σp², {steps} steps,")
    print("lr = 1.0 - 0.9·k/100\n")

    def report(k: int, loss: float) -> None:  # after step k: the accuracy it reached
        with no_grad():
            right = sum((model(x)[0].data > 0) == (t[0] > 0) for x, t in data)
        print(f"step {k:>3}  loss {loss:.4f}  accuracy {right / len(data):.0%}")

    fit(
        model,
        data,
        hinge,
        SGD(model.parameters(), lr=1.0),
        steps,
        penalty=_l2_penalty,
        lr_schedule=lambda k: 1.0 - 0.9 * k / 100,
        callback=report,
        progress=False,
    )
    picture = _plot(
        lambda ax: plot_decision_boundary(model, data, ax=ax),
        "Decision boundary of MLP(2, [16, 16, 1]) on moons",
    )
    _report(out, [] if picture is None else [write_atomic(out / "moons.svg", picture)], "")
    return 0


def _l2_penalty(model: Module) -> Value:
    return 1e-4 * l2(model.parameters())


# --- scikit-learn's 8x8 digits ------------------------------------------------------


def _digits(seed: int, steps: int, out: Path) -> int:
    # the misclassified digits are a matplotlib picture: drawn when the plot extra is there
    picture = out / "digits.png" if importlib.util.find_spec("matplotlib") else None
    try:
        demo_digits(steps, seed=seed, picture=picture)
    except ImportError as error:  # the compiled code runs over NumPy arrays
        raise CommandError(
            f"the digits demo needs NumPy ({error}); install it with: "
            "pip install 'chainrule[batch]'",
            1,
        ) from None
    _report(out, [] if picture is None else [picture], "")
    return 0


# --- plots: SVG bytes, or None when matplotlib is missing -----------------------------


def _plot(draw_on: Callable[[Any], Any], title: str) -> bytes | None:
    """A plot drawn by ``draw_on(ax)`` as SVG bytes, the same on every run (fixed ids, no
    date); None, with a note, when the plot extra (matplotlib) is missing."""
    try:
        from matplotlib import rc_context
        from matplotlib.figure import Figure
    except ImportError:
        print(
            "matplotlib is not installed, so the plots are skipped; "
            "install them with: pip install 'chainrule[plot]'"
        )
        return None
    figure = Figure(figsize=(6, 4), layout="constrained")
    ax = draw_on(figure.subplots())
    ax.set_title(title)
    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": "chainrule", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
