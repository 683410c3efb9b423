"""``chainrule demo``: the notes' 2-2-1 network trained on XOR, every quantity checked.

The walk-through trains ``MLP(2, [2, 1])`` by gradient descent (the notes'
(23)-(24)), prints the loss as it falls and the trained outputs, then takes one
training sample and prints every S, x and δ and every ∂L/∂w and ∂L/∂b twice:
once as the engine found them by walking the graph, once by the notes' own
equations (:func:`nn.delta_rule`), with their difference. Last it draws the
loss's computation graph, the δ tree of the chain rule and the loss curve.

``chainrule demo moons`` runs micrograd's demo workload instead and draws the
decision boundary it learns.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograd import Value
from nn import MLP, SGD, delta_rule, fit, hinge, l2, moons, squared_error, xor

from .drawing import write, write_atomic
from .graph import draw
from .tree import chain_rule

__all__ = ["DEFAULTS", "add_arguments", "run"]

#: The defaults of ``chainrule demo``, each a flag of the same name.
DEFAULTS: dict[str, Any] = {
    "seed": 0,  # MLP's initialisation: uniform(-1, 1) weights, zero biases
    "lr": 2.0,  # η of the notes' (23)-(24)
    "steps": 2000,  # full-batch gradient-descent steps over the 4 XOR points
    "sample": 2,  # which XOR point to take apart: x = (1, 0), t = 1
    "out": "out",
}

MOONS_STEPS = 100  # micrograd's demo: 100 full-batch steps, lr = 1.0 - 0.9·k/100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the demo's arguments to ``parser`` (the ``demo`` subcommand).

    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--steps", "10"])
    >>> args.workload, args.steps, args.lr, args.out
    ('xor', 10, 2.0, 'out')
    """
    parser.add_argument(
        "workload",
        nargs="?",
        choices=("xor", "moons"),
        default="xor",
        help="xor: the notes' 2-2-1 network (default); moons: micrograd's demo",
    )
    parser.add_argument("--seed", type=int, default=DEFAULTS["seed"], help="initialisation seed")
    parser.add_argument("--lr", type=float, default=DEFAULTS["lr"], help="learning rate η (xor)")
    parser.add_argument(
        "--steps", type=int, default=None, help="training steps (xor: 2000, moons: 100)"
    )
    parser.add_argument(
        "--sample",
        type=int,
        choices=range(4),
        default=DEFAULTS["sample"],
        help="the XOR point (0-3) whose quantities are printed side by side",
    )
    parser.add_argument("--out", default=DEFAULTS["out"], help="directory for the files written")


def run(args: argparse.Namespace) -> int:
    """Run the demo that ``args`` (from :func:`add_arguments`) asks for; returns 0.

    >>> import io, contextlib, tempfile
    >>> parser = argparse.ArgumentParser()
    >>> add_arguments(parser)
    >>> args = parser.parse_args(["--steps", "20", "--out", tempfile.mkdtemp()])
    >>> with contextlib.redirect_stdout(io.StringIO()) as printed:
    ...     status = run(args)
    >>> status, "δ_1^(2)" in printed.getvalue()
    (0, True)
    """
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.steps is not None and args.steps < 0:
        raise SystemExit(f"chainrule demo: --steps must be >= 0, got {args.steps}")
    if args.workload == "moons":
        return _moons(args.seed, MOONS_STEPS if args.steps is None else args.steps, out)
    return _xor(args, out)


# --- the notes' network on XOR ------------------------------------------------------


def _xor(args: argparse.Namespace, out: Path) -> int:
    steps = DEFAULTS["steps"] if args.steps is None else args.steps
    data = xor()
    model = MLP(2, [2, 1], seed=args.seed)
    print(f"The notes' 2-2-1 sigmoid network, MLP(2, [2, 1], seed={args.seed}), learns XOR")
    print(f"by gradient descent: p <- p - η ∂L/∂p with η = {args.lr}, {steps} full-batch steps,")
    print("L = ½ Σ (y - t)² summed over the 4 points.\n")
    history = fit(model, data, squared_error, SGD(model.parameters(), lr=args.lr), steps)

    print(f"{'step':>6}  {'loss':>10}")
    for k in _table_steps(len(history)):
        print(f"{k:>6}  {history[k]:>10.6f}")
    print()
    print(f"{'x1':>4} {'x2':>4}  {'t':>3}  {'y':>8}")
    for x, t in data:
        (y,) = model(x)
        print(f"{x[0]:>4.0f} {x[1]:>4.0f}  {t[0]:>3.0f}  {y.data:>8.4f}")
    print()

    x, t = data[args.sample]
    loss = _side_by_side(model, x, t)

    written = [
        write(draw(loss), out / "graph.svg"),
        write(chain_rule(loss, keep="S"), out / "chain-rule.svg"),
    ]
    picture = _plot_loss(history)
    if picture is not None:
        write_atomic(out / "loss.svg", picture)
        written.append(out / "loss.svg")
    model.save(out / "model.json")
    written.append(out / "model.json")
    print("wrote:")
    for path in written:
        print(f"  {path}")
    return 0


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
    return loss


# --- micrograd's moons workload ----------------------------------------------------


def _moons(seed: int, steps: int, out: Path) -> int:
    from tqdm import tqdm

    data = moons(100, noise=0.1, seed=seed)
    model = MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=seed)
    optimizer = SGD(model.parameters(), lr=1.0)
    targets = [t for _, t in data]
    print("micrograd's demo: MLP(2, [16, 16, 1]), ReLU hidden layers, linear output,")
    print(f"100 moons points labelled ±1, hinge loss + 1e-4·Σp², {steps} steps,")
    print("lr = 1.0 - 0.9·k/100\n")
    with tqdm(range(steps), desc="moons", unit="step", disable=None) as bar:
        for k in bar:
            optimizer.lr = 1.0 - 0.9 * k / 100
            outputs = [model(x)[0] for x, _ in data]
            loss = hinge(outputs, [t[0] for t in targets]) + 1e-4 * l2(model.parameters())
            model.zero_grad()
            loss.backward()
            optimizer.step()
            right = sum((y.data > 0) == (t[0] > 0) for y, t in zip(outputs, targets, strict=True))
            bar.write(f"step {k:>3}  loss {loss.data:.4f}  accuracy {right / len(data):.0%}")
    picture = _plot_moons(model, data)
    if picture is not None:
        write_atomic(out / "moons.svg", picture)
        print(f"wrote:\n  {out / 'moons.svg'}")
    return 0


# --- plots: SVG bytes, or None when matplotlib is missing -----------------------------


def _figure() -> Any:
    """A matplotlib Figure, or None (with a note) when the plot extra is missing."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        print(
            "matplotlib is not installed, so the plots are skipped; "
            "install them with: pip install 'chainrule[plot]'"
        )
        return None
    return Figure(figsize=(6, 4), layout="constrained")


def _svg(figure: Any) -> bytes:
    """The figure as SVG, the same bytes on every run (fixed ids, no date)."""
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with rc_context({"svg.hashsalt": "chainrule", "svg.fonttype": "none"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def _plot_loss(history: Sequence[float]) -> bytes | None:
    figure = _figure()
    if figure is None:
        return None
    ax = figure.subplots()
    ax.plot(range(len(history)), history, color="#1f6f8b")
    ax.set_yscale("log")
    ax.set_xlabel("step n")
    ax.set_ylabel("loss L = ½ Σ (y − t)²")
    ax.set_title("The 2-2-1 network learning XOR")
    ax.grid(True, alpha=0.3)
    return _svg(figure)


def _plot_moons(model: MLP, data: Sequence[tuple[list[float], list[float]]]) -> bytes | None:
    figure = _figure()
    if figure is None:
        return None
    xs = [x for x, _ in data]
    lo = [min(p[i] for p in xs) - 0.5 for i in (0, 1)]
    hi = [max(p[i] for p in xs) + 0.5 for i in (0, 1)]
    n = 60
    grid_x = [lo[0] + (hi[0] - lo[0]) * i / (n - 1) for i in range(n)]
    grid_y = [lo[1] + (hi[1] - lo[1]) * i / (n - 1) for i in range(n)]
    scores = [[model([gx, gy])[0].data for gx in grid_x] for gy in grid_y]
    ax = figure.subplots()
    ax.contourf(grid_x, grid_y, scores, levels=[-1e300, 0.0, 1e300], colors=["#f4c7c3", "#c6dbef"])
    ax.contour(grid_x, grid_y, scores, levels=[0.0], colors="#555555", linewidths=1)
    for label, colour in ((-1.0, "#c0392b"), (1.0, "#1f6f8b")):
        points = [x for x, t in data if t[0] == label]
        ax.scatter([p[0] for p in points], [p[1] for p in points], s=14, color=colour)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_title("Decision boundary of MLP(2, [16, 16, 1]) on moons")
    return _svg(figure)
